/* Restores and restore tests against a real catalog and file repository
 * (core/backup_restore.c): restore-test tests its own target's backups; a wrong
 * key is DR_EKEY and never corrupt, and an old key opens the backup; a
 * command that rejects a backup part way marks it restore_failed, latest:
 * falls back, and every attempt is a row in restores. */
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
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "db/catalog.h"

static char dir[64];
static struct catalog *cat;
static struct config *cfg;

/* A file larger than a pipe's buffer, so an early exit is seen. */
static void write_source(const char *name, const char *magic)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	fputs(magic, f);
	for (int i = 0; i < 20000; i++)
		fprintf(f, "row %d of the %s source\n", i, name);
	fclose(f);
	free(path);
}

static void write_key(const char *name, const char *secret)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	fputs(secret, f);
	fclose(f);
	chmod(path, 0600);
	free(path);
}

static int setup(void **state)
{
	(void)state;
	char path[512], *err = NULL;
	strlcpy_dr(dir, "/tmp/backup_restore_test_XXXXXX", sizeof dir);
	if (mkdtemp(dir) == NULL)
		return -1;
	write_source("a.txt", "GOOD\n");
	write_source("b.txt", "OTHER\n");
	write_key("k.key", "the key of 2026");
	snprintf(path, sizeof path, "%s/config.json", dir);
	FILE *f = fopen(path, "w");
	fprintf(
	    f,
	    "{\"repositories\": {\"local\": {\"url\": \"file://%s/repo\"}},\n"
	    " \"backups\": {\n"
	    "  \"a\": {\"service\": \"svc\", \"repository\": \"local\",\n"
	    "    \"source\": {\"kind\": \"file\", \"path\": \"%s/a.txt\"},\n"
	    "    \"restore_test\": {\"shell\": \"[ \\\"$(head -c 4)\\\" = "
	    "GOOD ] && cat >/dev/null\"}},\n"
	    "  \"b\": {\"service\": \"svc\", \"repository\": \"local\",\n"
	    "    \"source\": {\"kind\": \"file\", \"path\": \"%s/b.txt\"}},\n"
	    "  \"enc\": {\"service\": \"svc\", \"repository\": \"local\",\n"
	    "    \"key_file\": \"%s/k.key\",\n"
	    "    \"source\": {\"kind\": \"file\", \"path\": \"%s/a.txt\"}}}}\n",
	    dir, dir, dir, dir, dir);
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

/* Runs target and moves the backup's completion age_s into the past, so
 * that "newest" does not depend on the clock's second. */
static void backup(const char *target, int64_t age_s, char id[40])
{
	struct backup_outcome out;
	struct catalog_backup b;
	char *err = NULL;
	int rc = backup_run(cat, cfg, target, NULL, NULL, &out, &err);
	if (rc != DR_OK)
		fail_msg("backup run %s: %s", target, err);
	strlcpy_dr(id, out.backup_id, 40);
	assert_int_equal(catalog_backup_get(cat, id, &b, &err), DR_OK);
	b.started_at -= age_s;
	b.completed_at -= age_s;
	assert_int_equal(catalog_backup_update(cat, &b, &err), DR_OK);
	catalog_backup_clear(&b);
}

static const char *status_of(const char *id)
{
	static struct catalog_backup b;
	char *err = NULL;
	catalog_backup_clear(&b);
	assert_int_equal(catalog_backup_get(cat, id, &b, &err), DR_OK);
	return b.status;
}

/* The newest row of restores. */
static struct catalog_restore last_restore(void)
{
	struct catalog_restore *list = NULL, r;
	size_t n = 0;
	char *err = NULL;
	assert_int_equal(catalog_restore_list(cat, "svc", 1, &list, &n, &err),
	                 DR_OK);
	assert_int_equal(n, 1);
	r = list[0];
	free(list);
	return r;
}

static void test_restore_test_tests_its_own_target(void **state)
{
	(void)state;
	struct backup_outcome out;
	char a1[40], b1[40], a2[40], *err = NULL;
	backup("a", 300, a1);
	backup("b", 100, b1); /* the service's newest backup */
	assert_int_equal(backup_restore_test(cat, cfg, "a", NULL, &out, &err),
	                 DR_OK);
	assert_string_equal(out.backup_id, a1);
	assert_non_null(strstr(out.note, "no verified backup"));
	assert_string_equal(status_of(a1), "verified");
	assert_string_equal(status_of(b1), "completed");
	struct catalog_restore r = last_restore();
	assert_string_equal(r.kind, "restore-test");
	assert_string_equal(r.target, "a");
	assert_string_equal(r.backup_id, a1);
	assert_int_equal(r.ok, 1);

	/* A newer completed backup of a: the newest verified one is
	 * tested, without a note. */
	backup("a", 50, a2);
	assert_int_equal(backup_restore_test(cat, cfg, "a", NULL, &out, &err),
	                 DR_OK);
	assert_string_equal(out.backup_id, a1);
	assert_string_equal(out.note, "");
}

static void test_wrong_key_is_not_corrupt(void **state)
{
	(void)state;
	struct backup_outcome out;
	char e1[40], *err = NULL;
	backup("enc", 10, e1);
	char *old = xasprintf("%s/old.key", dir);
	write_key("old.key", "the key of 2026");
	write_key("k.key", "the key of 2027"); /* rotated */

	assert_int_equal(backup_verify(cat, cfg, e1, NULL, &out, &err),
	                 DR_EKEY);
	assert_non_null(strstr(err, "wrong key: key file "));
	assert_non_null(strstr(err, "k.key"));
	free(err);
	err = NULL;
	assert_string_equal(status_of(e1), "completed");

	char *to = xasprintf("%s/restored", dir);
	struct backup_sink sink = {.path = to};
	assert_int_equal(backup_restore(cat, cfg, e1, &sink, NULL, &out, &err),
	                 DR_EKEY);
	free(err);
	err = NULL;
	assert_int_equal(access(to, F_OK), -1);
	assert_string_equal(status_of(e1), "completed");
	struct catalog_restore r = last_restore();
	assert_int_equal(r.ok, 0);
	assert_non_null(strstr(r.error, "wrong key"));

	/* The old key, given by the operator, opens it. */
	struct backup_restore_opts opts = {.key_file = old};
	assert_int_equal(backup_restore(cat, cfg, e1, &sink, &opts, &out, &err),
	                 DR_OK);
	assert_int_equal(access(to, F_OK), 0);
	assert_int_equal(backup_verify(cat, cfg, e1, old, &out, &err), DR_OK);
	assert_string_equal(status_of(e1), "verified");
	free(to);
	free(old);
}

static void test_rejected_backup_falls_back(void **state)
{
	(void)state;
	struct backup_outcome out;
	char a1[40], a2[40], id[40], *err = NULL;
	backup("a", 200, a1);
	backup("a", 100, a2);
	int64_t now = time_now();
	assert_int_equal(backup_resolve(cat, "latest:svc", now, id, &err),
	                 DR_OK);
	assert_string_equal(id, a2);

	/* A command that fails after reading everything: its own fault. */
	struct backup_sink full = {.shell = "cat >/dev/null; exit 5"};
	assert_int_equal(backup_restore(cat, cfg, a2, &full, NULL, &out, &err),
	                 DR_EIO);
	assert_non_null(strstr(err, "read the whole backup"));
	free(err);
	err = NULL;
	assert_string_equal(status_of(a2), "completed");

	/* One that rejects it part way: the backup's. */
	struct backup_sink early = {
	    .shell = "head -c 10 >/dev/null; echo nope >&2; exit 3"};
	struct backup_restore_opts opts = {.recovery_id = "no-such-recovery"};
	assert_int_equal(
	    backup_restore(cat, cfg, a2, &early, &opts, &out, &err), DR_EIO);
	assert_non_null(strstr(err, "stopped reading after 10 of "));
	assert_non_null(strstr(err, "exited with status 3: nope"));
	free(err);
	err = NULL;
	assert_string_equal(status_of(a2), "restore_failed");
	assert_string_equal(out.status, "restore_failed");
	struct catalog_restore r = last_restore();
	assert_string_equal(r.kind, "restore");
	assert_string_equal(r.backup_id, a2);
	assert_int_equal(r.ok, 0);
	assert_string_equal(r.recovery_id, ""); /* no such recovery */

	assert_int_equal(backup_resolve(cat, "latest:svc", now, id, &err),
	                 DR_OK);
	assert_string_equal(id, a1);
	assert_int_equal(backup_verify(cat, cfg, a1, NULL, &out, &err), DR_OK);
	assert_int_equal(backup_resolve(cat, "within-rpo:svc", now, id, &err),
	                 DR_OK);
	assert_string_equal(id, a1);

	/* Restored by id and succeeding, it is good again. */
	struct backup_sink ok = {.shell = "cat >/dev/null"};
	assert_int_equal(backup_restore(cat, cfg, a2, &ok, NULL, &out, &err),
	                 DR_OK);
	assert_string_equal(status_of(a2), "verified");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_restore_test_tests_its_own_target, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wrong_key_is_not_corrupt,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rejected_backup_falls_back,
	                                    setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
