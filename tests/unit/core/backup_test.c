/* Retention, against a real catalog: which backups prune keeps, that it
 * never drops the newest verified one, that it expires before deleting,
 * and that a delete that failed is retried by the next prune. */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/audit.h"
#include "core/backup.h"
#include "core/config.h"
#include "core/error.h"
#include "core/uuid.h"
#include "core/xmalloc.h"
#include "db/catalog.h"

/* 2026-11-22T12:30:00Z, a Sunday. */
#define NOW 1795350600LL
#define N   48

static char dir[] = "/tmp/backup_test_XXXXXX";
static struct catalog *cat;
static struct config *cfg;
static char ids[N][40];

static int setup(void **state)
{
	(void)state;
	char path[512], *err = NULL;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof path, "%s/config.json", dir);
	FILE *f = fopen(path, "w");
	fprintf(
	    f,
	    "{\"repositories\": {\"local\": {\"url\": \"file://%s/repo\"}},\n"
	    " \"backups\": {\"t\": {\"service\": \"svc\", \"repository\": "
	    "\"local\",\n"
	    "   \"source\": {\"kind\": \"file\", \"path\": \"/dev/null\"},\n"
	    "   \"retention\": {\"hourly\": 3, \"daily\": 2, \"weekly\": 1, "
	    "\"monthly\": 1}}}}\n",
	    dir);
	fclose(f);
	if (config_load(path, &cfg, &err) != DR_OK) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	snprintf(path, sizeof path, "%s/catalog.db", dir);
	if (catalog_open(path, CATALOG_CREATE, &cat, &err) != CATALOG_OK)
		return -1;
	audit_attach(cat);
	struct catalog_tier tier = {"standard", 3600, 1800};
	struct catalog_service s;
	memset(&s, 0, sizeof s);
	strlcpy_dr(s.name, "svc", sizeof s.name);
	strlcpy_dr(s.tier, "standard", sizeof s.tier);
	if (catalog_tier_put(cat, &tier, &err) != CATALOG_OK ||
	    catalog_service_add(cat, &s, &err) != CATALOG_OK)
		return -1;
	/* One backup an hour for two days, k hours before NOW; objects
	 * exist in the repository. */
	for (int k = 0; k < N; k++) {
		struct catalog_backup b;
		memset(&b, 0, sizeof b);
		uuid_v4(ids[k]);
		strlcpy_dr(b.backup_id, ids[k], sizeof b.backup_id);
		strlcpy_dr(b.service, "svc", sizeof b.service);
		strlcpy_dr(b.type, "full", sizeof b.type);
		strlcpy_dr(b.status, k == 40 ? "verified" : "completed",
		           sizeof b.status);
		b.size_bytes = 10;
		b.started_at = NOW - k * 3600 - 60;
		b.completed_at = NOW - k * 3600;
		b.metadata = xasprintf("{\"target\":\"t\",\"repository\":"
		                       "\"local\",\"object\":\"svc/t/%s.gz\"}",
		                       ids[k]);
		if (catalog_backup_insert(cat, &b, &err) != CATALOG_OK)
			return -1;
		free(b.metadata);
		snprintf(path, sizeof path, "%s/repo/svc/t", dir);
		char cmd[600];
		snprintf(cmd, sizeof cmd, "%s/repo", dir);
		mkdir(cmd, 0700);
		snprintf(cmd, sizeof cmd, "%s/repo/svc", dir);
		mkdir(cmd, 0700);
		mkdir(path, 0700);
		snprintf(cmd, sizeof cmd, "%s/%s.gz", path, ids[k]);
		f = fopen(cmd, "w");
		fputs("x", f);
		fclose(f);
	}
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag,
                  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	(void)state;
	catalog_close(cat);
	config_free(cfg);
	return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *status_of(int k)
{
	static struct catalog_backup b;
	char *err = NULL;
	catalog_backup_clear(&b);
	assert_int_equal(catalog_backup_get(cat, ids[k], &b, &err), DR_OK);
	return b.status;
}

static int object_exists(int k)
{
	char *path = xasprintf("%s/repo/svc/t/%s.gz", dir, ids[k]);
	int yes = access(path, F_OK) == 0;
	free(path);
	return yes;
}

static int kept(int k)
{
	/* hourly 3: the three newest hours; daily 2: today's newest (k 0)
	 * and yesterday's newest (k 13, 23:30); weekly and monthly: k 0;
	 * k 40 is the newest verified backup. */
	return k <= 2 || k == 13 || k == 40;
}

static void test_dry_run_decides_only(void **state)
{
	(void)state;
	struct backup_prune_item *items = NULL;
	size_t n = 0;
	char *err = NULL;
	assert_int_equal(backup_prune(cat, cfg, 1, NOW, &items, &n, &err),
	                 DR_OK);
	assert_int_equal(n, N);
	for (size_t i = 0; i < n; i++) {
		int k = -1;
		for (int j = 0; j < N; j++)
			if (strcmp(items[i].backup_id, ids[j]) == 0)
				k = j;
		assert_true(k >= 0);
		if (items[i].keep != kept(k))
			fail_msg("k=%d: keep=%d (%s)", k, items[i].keep,
			         items[i].reason);
	}
	for (int k = 0; k < N; k++)
		assert_string_not_equal(status_of(k), "expired");
	free(items);
}

static void test_prune_expires_then_deletes_and_retries(void **state)
{
	(void)state;
	struct backup_prune_item *items = NULL;
	size_t n = 0;
	char *err = NULL, path[600];
	/* k 30's object cannot be deleted: a non-empty directory sits at
	 * its name. */
	snprintf(path, sizeof path, "%s/repo/svc/t/%s.gz", dir, ids[30]);
	unlink(path);
	mkdir(path, 0700);
	char inner[700];
	snprintf(inner, sizeof inner, "%s/blocker", path);
	FILE *f = fopen(inner, "w");
	fclose(f);

	assert_int_equal(backup_prune(cat, cfg, 0, NOW, &items, &n, &err),
	                 DR_OK);
	size_t failed = 0;
	for (size_t i = 0; i < n; i++)
		if (!items[i].keep && !items[i].deleted)
			failed++;
	assert_int_equal(failed, 1);
	free(items);
	for (int k = 0; k < N; k++) {
		if (kept(k)) {
			assert_string_equal(status_of(k),
			                    k == 40 ? "verified" : "completed");
			assert_true(object_exists(k));
		} else {
			assert_string_equal(status_of(k), "expired");
			assert_int_equal(object_exists(k), k == 30);
		}
	}
	/* Fixed: the next prune deletes it, and nothing else. */
	unlink(inner);
	rmdir(path);
	items = NULL;
	assert_int_equal(backup_prune(cat, cfg, 0, NOW, &items, &n, &err),
	                 DR_OK);
	size_t retried = 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(items[i].backup_id, ids[30]) == 0 &&
		    items[i].deleted)
			retried++;
	assert_int_equal(retried, 1);
	free(items);
	int64_t rows = 0, bad = 0;
	assert_int_equal(audit_verify(cat, &rows, &bad, &err), DR_OK);
	assert_true(rows >= 2 * (N - 5));
}

/* Corrupt backups stay as long as their age is inside the span the
 * generations name, counting from now; the current bucket counts. */
static void test_retention_within(void **state)
{
	(void)state;
	const struct backup_retention r = {3, 2, 0, 0};
	/* NOW is 12:30: the last 3 hours are 10:00 to now. */
	assert_true(backup_retention_within(&r, NOW, NOW));
	assert_true(backup_retention_within(&r, NOW + 3600, NOW));
	/* Yesterday counts (daily 2: today and yesterday). */
	assert_true(backup_retention_within(&r, NOW - 12 * 3600 - 1800, NOW));
	assert_true(backup_retention_within(&r, NOW - 36 * 3600 - 1800, NOW));
	/* The day before yesterday does not. */
	assert_false(
	    backup_retention_within(&r, NOW - 36 * 3600 - 1800 - 1, NOW));
	assert_false(backup_retention_within(&r, NOW - 30 * 86400, NOW));
	const struct backup_retention none = {0, 0, 0, 0};
	assert_false(backup_retention_within(&none, NOW, NOW));
	const struct backup_retention monthly = {0, 0, 0, 2};
	/* November and October 2026; September is out. */
	assert_true(backup_retention_within(&monthly, NOW - 40 * 86400, NOW));
	assert_false(backup_retention_within(&monthly, NOW - 90 * 86400, NOW));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_retention_within),
	    cmocka_unit_test(test_dry_run_decides_only),
	    cmocka_unit_test(test_prune_expires_then_deletes_and_retries),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
