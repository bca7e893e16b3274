/* The SQLite catalog through its public interface (db/catalog.h), plus a
 * look underneath with a second, raw sqlite3 connection where the point is
 * what is on disk: file modes, pragmas, triggers, query plans. */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "db/catalog.h"
#include "db/migrations.h"
#include "db/sqlite_int.h"

#define T0 1700000000 /* 2023-11-14T22:13:20Z */

struct fx {
	char dir[256];
	char path[512];
	struct catalog *cat;
};

static int rm_entry(const char *path, const struct stat *sb, int flag,
                    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char *err = NULL;

	snprintf(f->dir, sizeof(f->dir), "%s/drcat.XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/data/drconsole/catalog.db",
	         f->dir);
	assert_int_equal(catalog_open(f->path, CATALOG_CREATE, &f->cat, &err),
	                 CATALOG_OK);
	assert_null(err);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	catalog_close(f->cat);
	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* A deterministic stand-in for core's SHA-256 hasher: FNV-1a over the
 * fields, spread to 64 hex digits. */
static void test_hasher(const struct catalog_audit *rec, char hash_hex[72])
{
	char buf[1024];
	uint64_t h = 1469598103934665603ULL;
	size_t i, len;

	len = (size_t)snprintf(
	    buf, sizeof(buf), "%s|%lld|%lld|%s|%s|%s|%s|%s", rec->prev_hash,
	    (long long)rec->seq, (long long)rec->at, rec->actor, rec->origin,
	    rec->action, rec->subject, rec->details ? rec->details : "");
	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	for (i = 0; i < len; i++) {
		h ^= (unsigned char)buf[i];
		h *= 1099511628211ULL;
	}
	snprintf(hash_hex, 72, "%016llx%016llx%016llx%016llx",
	         (unsigned long long)h, (unsigned long long)(h ^ 1),
	         (unsigned long long)(h ^ 2), (unsigned long long)(h ^ 3));
}

static sqlite3 *raw_open(const char *path)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	return db;
}

static int64_t raw_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -12345;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void add_service(struct catalog *cat, const char *name, const char *tier)
{
	struct catalog_service s;
	char *err = NULL;

	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "%s", name);
	snprintf(s.tier, sizeof(s.tier), "%s", tier);
	snprintf(s.owner, sizeof(s.owner), "team-%s", name);
	s.backup_frequency_s = 3600;
	assert_int_equal(catalog_service_add(cat, &s, &err), CATALOG_OK);
	assert_null(err);
}

static struct catalog_backup make_backup(const char *id, const char *service,
                                         const char *status,
                                         int64_t completed_at)
{
	struct catalog_backup b;

	memset(&b, 0, sizeof(b));
	snprintf(b.backup_id, sizeof(b.backup_id), "%s", id);
	snprintf(b.service, sizeof(b.service), "%s", service);
	snprintf(b.type, sizeof(b.type), "full");
	snprintf(b.status, sizeof(b.status), "%s", status);
	b.size_bytes = 1073741824;
	b.started_at = completed_at ? completed_at - 60 : T0;
	b.completed_at = completed_at;
	return b;
}

static void insert_backup(struct catalog *cat, const char *id,
                          const char *service, const char *status,
                          int64_t completed_at)
{
	struct catalog_backup b =
	    make_backup(id, service, status, completed_at);
	char *err = NULL;
	int rc = catalog_backup_insert(cat, &b, &err);

	if (rc != CATALOG_OK)
		fail_msg("insert %s: %s", id, err ? err : "?");
}

static void get_health(struct catalog *cat, const char *service,
                       struct catalog_health *h)
{
	char *err = NULL;

	assert_int_equal(catalog_health_get(cat, service, h, &err), CATALOG_OK);
}

/* ---- opening ----------------------------------------------------------- */

static void test_create_modes_and_pragmas(void **state)
{
	struct fx *f = *state;
	char dir[600];
	struct stat sb;
	sqlite3 *db;
	int version = 0;
	char *err = NULL;

	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	snprintf(dir, sizeof(dir), "%s/data/drconsole", f->dir);
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	snprintf(dir, sizeof(dir), "%s/data", f->dir);
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);

	assert_int_equal(catalog_schema_version(f->cat, &version, &err),
	                 CATALOG_OK);
	assert_int_equal(version, catalog_schema_latest());
	assert_int_equal(catalog_schema_latest(), migrations_latest());
	assert_string_equal(catalog_where(f->cat), f->path);

	db = raw_open(f->path);
	{
		sqlite3_stmt *st;

		assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode",
		                                    -1, &st, NULL),
		                 SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(st, 0),
		                    "wal");
		sqlite3_finalize(st);
	}
	sqlite3_close(db);

	/* Foreign keys are on in the catalog's connection: a backup of an
	 * unknown service is refused. */
	{
		struct catalog_backup b =
		    make_backup("b-nosvc", "nosuch", "completed", T0);

		assert_int_equal(catalog_backup_insert(f->cat, &b, &err),
		                 CATALOG_ENOTFOUND);
		assert_non_null(strstr(err, "no service named nosuch"));
		free(err);
	}
}

static void test_open_missing(void **state)
{
	struct fx *f = *state;
	struct catalog *cat = NULL;
	char path[600], *err = NULL;
	struct stat sb;

	snprintf(path, sizeof(path), "%s/nowhere/catalog.db", f->dir);
	assert_int_equal(catalog_open(path, CATALOG_READONLY, &cat, &err),
	                 CATALOG_ENOTFOUND);
	assert_null(cat);
	assert_non_null(strstr(err, "does not exist"));
	free(err);
	err = NULL;
	assert_int_equal(stat(path, &sb), -1);
	/* Read-only wins over create. */
	assert_int_equal(
	    catalog_open(path, CATALOG_READONLY | CATALOG_CREATE, &cat, &err),
	    CATALOG_ENOTFOUND);
	free(err);
	err = NULL;
	assert_int_equal(catalog_open(path, 0, &cat, &err), CATALOG_ENOTFOUND);
	free(err);
	err = NULL;
	snprintf(path, sizeof(path), "%s/nowhere", f->dir);
	assert_int_equal(stat(path, &sb), -1);
}

static void test_open_postgres_unreachable(void **state)
{
	struct catalog *cat = NULL;
	char *err = NULL;

	(void)state;
	/* Nothing listens on loopback port 1: refused at once, said so. */
	assert_int_equal(
	    catalog_open("postgresql://127.0.0.1:1/dr", 0, &cat, &err),
	    CATALOG_EIO);
	assert_non_null(strstr(err, "cannot connect"));
	assert_null(cat);
	free(err);
	err = NULL;
	/* A password in the address is refused before any connection. */
	assert_int_equal(
	    catalog_open("postgres://u:secret@127.0.0.1:1/y", 0, &cat, &err),
	    CATALOG_EINVAL);
	assert_non_null(strstr(err, ".pgpass"));
	assert_null(strstr(err, "secret"));
	free(err);
	assert_null(cat);
}

static void test_open_file_uri(void **state)
{
	struct fx *f = *state;
	struct catalog *cat = NULL;
	char uri[700], path[600], *err = NULL;
	struct stat sb;

	snprintf(path, sizeof(path), "%s/uri/cat.db", f->dir);
	snprintf(uri, sizeof(uri), "file:%s?cache=private", path);
	assert_int_equal(catalog_open(uri, CATALOG_CREATE, &cat, &err),
	                 CATALOG_OK);
	add_service(cat, "svc", "critical");
	catalog_close(cat);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(catalog_open(path, CATALOG_READONLY, &cat, &err),
	                 CATALOG_OK);
	{
		struct catalog_service s;

		assert_int_equal(catalog_service_get(cat, "svc", &s, &err),
		                 CATALOG_OK);
	}
	catalog_close(cat);
}

static void test_open_not_a_catalog(void **state)
{
	struct fx *f = *state;
	struct catalog *cat = NULL;
	char path[600], *err = NULL;
	FILE *fp;
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/garbage.db", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	for (int i = 0; i < 200; i++)
		fputs("this is not a database at all. ", fp);
	fclose(fp);
	assert_int_equal(catalog_open(path, 0, &cat, &err), CATALOG_ECORRUPT);
	assert_non_null(strstr(err, "not a drconsole catalog"));
	free(err);
	err = NULL;

	snprintf(path, sizeof(path), "%s/other.db", f->dir);
	db = raw_open(path);
	assert_int_equal(
	    sqlite3_exec(db, "CREATE TABLE t (x)", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(catalog_open(path, 0, &cat, &err), CATALOG_EINVAL);
	assert_non_null(strstr(err, "not a drconsole catalog"));
	free(err);
	assert_null(cat);
}

static void test_too_new_refused(void **state)
{
	struct fx *f = *state;
	struct catalog *cat = NULL;
	char sql[64], want[700], *err = NULL;
	sqlite3 *db;
	int latest = catalog_schema_latest();

	catalog_close(f->cat);
	f->cat = NULL;
	db = raw_open(f->path);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", latest + 1);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	snprintf(want, sizeof(want),
	         "catalog %s has schema version %d, newer than this drconsole "
	         "understands (%d); upgrade drconsole",
	         f->path, latest + 1, latest);
	assert_int_equal(catalog_open(f->path, 0, &cat, &err), CATALOG_ESCHEMA);
	assert_null(cat);
	assert_string_equal(err, want);
	free(err);
	err = NULL;
	assert_int_equal(catalog_open(f->path, CATALOG_READONLY, &cat, &err),
	                 CATALOG_ESCHEMA);
	assert_string_equal(err, want);
	free(err);
	/* And nothing was changed. */
	db = raw_open(f->path);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), latest + 1);
	sqlite3_close(db);
}

/* Builds a version-1 catalog with migration 1 alone and rows written the
 * way the version-1 binary wrote them, then lets catalog_open migrate it. */
static void test_forward_migration(void **state)
{
	struct fx *f = *state;
	struct catalog *cat = NULL;
	struct catalog_service s;
	struct catalog_backup b;
	struct catalog_health h;
	struct catalog_replication r;
	char path[600], *err = NULL;
	sqlite3 *db;
	int version = 0;

	snprintf(path, sizeof(path), "%s/v1.db", f->dir);
	db = raw_open(path);
	assert_int_equal(migrations_apply(db, 1, &err), CATALOG_OK);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 1);
	assert_int_equal(
	    raw_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = "
	                "'replication_history'"),
	    0);
	assert_int_equal(
	    sqlite3_exec(db,
	                 "PRAGMA foreign_keys = ON;"
	                 "INSERT INTO services (name, tier, owner, "
	                 "backup_frequency_s, created_at, updated_at) VALUES "
	                 "('billing', 'critical', 'pay', 3600, "
	                 "'2023-11-01T00:00:00Z', '2023-11-01T00:00:00Z');"
	                 "INSERT INTO backup_management (backup_id, "
	                 "backup_type, service_name, backup_status, "
	                 "backup_size, started_at, completed_at, created_at, "
	                 "updated_at) VALUES ('b1', 'full', 'billing', "
	                 "'completed', 42, '2023-11-14T22:00:00Z', "
	                 "'2023-11-14T22:13:20Z', '2023-11-14T22:13:20Z', "
	                 "'2023-11-14T22:13:20Z');",
	                 NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);

	/* A read-only open does not migrate, and says so. */
	assert_int_equal(catalog_open(path, CATALOG_READONLY, &cat, &err),
	                 CATALOG_ESCHEMA);
	assert_non_null(strstr(err, "needs migration"));
	free(err);
	err = NULL;

	assert_int_equal(catalog_open(path, 0, &cat, &err), CATALOG_OK);
	assert_int_equal(catalog_schema_version(cat, &version, &err),
	                 CATALOG_OK);
	assert_int_equal(version, catalog_schema_latest());
	assert_int_equal(catalog_service_get(cat, "billing", &s, &err),
	                 CATALOG_OK);
	assert_string_equal(s.tier, "critical");
	assert_string_equal(s.owner, "pay");
	assert_int_equal(catalog_backup_get(cat, "b1", &b, &err), CATALOG_OK);
	assert_int_equal(b.completed_at, T0);
	assert_int_equal(b.size_bytes, 42);
	catalog_backup_clear(&b);
	get_health(cat, "billing", &h);
	assert_int_equal(h.last_successful_backup, T0);
	assert_int_equal(h.backup_streak, 1);
	/* The version-2 tables work. */
	memset(&r, 0, sizeof(r));
	snprintf(r.service, sizeof(r.service), "billing");
	snprintf(r.source, sizeof(r.source), "pg1");
	snprintf(r.target, sizeof(r.target), "pg2");
	r.lag_s = 1.5;
	r.lag_bytes = 100;
	r.sampled_at = T0;
	assert_int_equal(catalog_replication_record(cat, &r, &err), CATALOG_OK);
	assert_int_equal(catalog_check_integrity(cat, &err), CATALOG_OK);
	catalog_close(cat);
}

/* The committed fixture is what a version-1 drconsole wrote; migrating it
 * keeps every row. */
static void test_forward_migration_fixture(void **state)
{
	struct fx *f = *state;
	struct catalog *cat = NULL;
	char path[600], fixture[600], *err = NULL, *sql;
	const char *top = getenv("DR_TOP");
	struct catalog_service *svcs = NULL;
	struct catalog_audit *audit = NULL;
	struct catalog_service_state *states = NULL;
	size_t n = 0;
	int64_t count = 0;
	sqlite3 *db;
	FILE *fp;
	long len;

	snprintf(fixture, sizeof(fixture), "%s/tests/fixtures/catalog-v1.sql",
	         top ? top : ".");
	fp = fopen(fixture, "r");
	if (fp == NULL) {
		skip();
		return;
	}
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	rewind(fp);
	sql = calloc(1, (size_t)len + 1);
	assert_int_equal(fread(sql, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/fixture.db", f->dir);
	db = raw_open(path);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	free(sql);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 1);
	sqlite3_close(db);

	assert_int_equal(catalog_open(path, 0, &cat, &err), CATALOG_OK);
	assert_int_equal(catalog_service_list(cat, &svcs, &n, &err),
	                 CATALOG_OK);
	assert_int_equal(n, 2);
	assert_string_equal(svcs[0].name, "billing");
	assert_string_equal(svcs[1].name, "search");
	free(svcs);
	assert_int_equal(catalog_backup_count(cat, NULL, &count, &err),
	                 CATALOG_OK);
	assert_int_equal(count, 3);
	assert_int_equal(catalog_audit_list(cat, 0, &audit, &n, &err),
	                 CATALOG_OK);
	assert_int_equal(n, 1);
	assert_string_equal(audit[0].action, "service.add");
	catalog_audits_free(audit, n);
	/* Derived state survives too: health from the v1 triggers, drills
	 * through the v1 recovery_services index. */
	assert_int_equal(catalog_service_states(cat, T0, &states, &n, &err),
	                 CATALOG_OK);
	assert_int_equal(n, 2);
	assert_string_equal(states[0].service.name, "billing");
	assert_int_equal(states[0].last_good_backup_at,
	                 sqlite_time_parse("2023-11-14T21:05:00Z"));
	assert_int_equal(states[0].last_good_backup_size, 1048576);
	assert_string_equal(states[0].last_attempt_status, "failed");
	assert_string_equal(states[0].health.health_status, "degraded");
	assert_int_equal(states[0].last_drill_at,
	                 sqlite_time_parse("2023-11-10T10:07:00Z"));
	assert_int_equal(states[0].last_drill_duration_s, 420);
	assert_int_equal(states[1].last_good_backup_at,
	                 sqlite_time_parse("2023-11-14T20:30:00Z"));
	catalog_service_states_free(states, n);
	assert_int_equal(catalog_check_integrity(cat, &err), CATALOG_OK);
	catalog_close(cat);
}

static void test_readonly_refuses_writes(void **state)
{
	struct fx *f = *state;
	struct catalog *ro = NULL;
	struct catalog_service s;
	char *err = NULL;

	add_service(f->cat, "svc", "low");
	assert_int_equal(catalog_open(f->path, CATALOG_READONLY, &ro, &err),
	                 CATALOG_OK);
	assert_int_equal(catalog_service_get(ro, "svc", &s, &err), CATALOG_OK);
	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "other");
	assert_int_equal(catalog_service_add(ro, &s, &err), CATALOG_EIO);
	assert_non_null(strstr(err, "read-only"));
	free(err);
	err = NULL;
	assert_int_equal(catalog_begin(ro, &err), CATALOG_EIO);
	free(err);
	catalog_close(ro);
}

/* ---- tiers and services ------------------------------------------------ */

static void test_tiers(void **state)
{
	struct fx *f = *state;
	struct catalog_tier *tiers = NULL, t;
	size_t n = 0;
	char *err = NULL;

	assert_int_equal(catalog_tier_list(f->cat, &tiers, &n, &err),
	                 CATALOG_OK);
	assert_int_equal(n, 3);
	assert_string_equal(tiers[0].name, "critical");
	assert_int_equal(tiers[0].rto_s, 900);
	assert_int_equal(tiers[0].rpo_s, 300);
	assert_string_equal(tiers[1].name, "standard");
	assert_string_equal(tiers[2].name, "low");
	free(tiers);

	memset(&t, 0, sizeof(t));
	snprintf(t.name, sizeof(t.name), "critical");
	t.rto_s = 600;
	t.rpo_s = 60;
	assert_int_equal(catalog_tier_put(f->cat, &t, &err), CATALOG_OK);
	snprintf(t.name, sizeof(t.name), "gold");
	t.rto_s = 120;
	assert_int_equal(catalog_tier_put(f->cat, &t, &err), CATALOG_OK);
	assert_int_equal(catalog_tier_list(f->cat, &tiers, &n, &err),
	                 CATALOG_OK);
	assert_int_equal(n, 4);
	assert_string_equal(tiers[0].name, "gold");
	assert_string_equal(tiers[1].name, "critical");
	assert_int_equal(tiers[1].rto_s, 600);
	assert_int_equal(tiers[1].rpo_s, 60);
	free(tiers);

	snprintf(t.name, sizeof(t.name), "bad");
	t.rto_s = -1;
	assert_int_equal(catalog_tier_put(f->cat, &t, &err), CATALOG_EINVAL);
	free(err);
}

static void test_services_crud(void **state)
{
	struct fx *f = *state;
	struct catalog_service s, got, *list = NULL;
	struct catalog_health h;
	size_t n = 0;
	char *err = NULL;

	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "search");
	snprintf(s.tier, sizeof(s.tier), "standard");
	snprintf(s.owner, sizeof(s.owner), "alice");
	s.rpo_s = 600;
	s.backup_frequency_s = 86400;
	s.drill_policy_s = 7 * 86400;
	s.created_at = T0;
	assert_int_equal(catalog_service_add(f->cat, &s, &err), CATALOG_OK);
	assert_int_equal(catalog_service_add(f->cat, &s, &err), CATALOG_EEXIST);
	assert_non_null(strstr(err, "search already exists"));
	free(err);
	err = NULL;

	assert_int_equal(catalog_service_get(f->cat, "search", &got, &err),
	                 CATALOG_OK);
	assert_string_equal(got.tier, "standard");
	assert_string_equal(got.owner, "alice");
	assert_int_equal(got.rto_s, 0);
	assert_int_equal(got.rpo_s, 600);
	assert_int_equal(got.backup_frequency_s, 86400);
	assert_int_equal(got.drill_policy_s, 7 * 86400);
	assert_int_equal(got.created_at, T0);

	/* The health row came with the service. */
	get_health(f->cat, "search", &h);
	assert_string_equal(h.health_status, "healthy");
	assert_int_equal(h.backup_frequency_s, 86400);
	assert_int_equal(h.failure_count, 0);
	assert_int_equal(h.last_successful_backup, 0);
	assert_int_equal(h.estimated_full_recovery_s, -1);
	assert_int_equal(h.alerts_enabled, 1);

	/* put updates everything but created_at, and creates when new. */
	s.tier[0] = '\0';
	snprintf(s.owner, sizeof(s.owner), "bob");
	s.backup_frequency_s = 3600;
	s.created_at = T0 + 999;
	assert_int_equal(catalog_service_put(f->cat, &s, &err), CATALOG_OK);
	assert_int_equal(catalog_service_get(f->cat, "search", &got, &err),
	                 CATALOG_OK);
	assert_string_equal(got.tier, "");
	assert_string_equal(got.owner, "bob");
	assert_int_equal(got.created_at, T0);
	get_health(f->cat, "search", &h);
	assert_int_equal(h.backup_frequency_s, 3600);

	snprintf(s.name, sizeof(s.name), "api");
	s.created_at = 0;
	assert_int_equal(catalog_service_put(f->cat, &s, &err), CATALOG_OK);
	assert_int_equal(catalog_service_get(f->cat, "api", &got, &err),
	                 CATALOG_OK);
	assert_true(got.created_at > T0);
	get_health(f->cat, "api", &h);

	assert_int_equal(catalog_service_list(f->cat, &list, &n, &err),
	                 CATALOG_OK);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].name, "api");
	assert_string_equal(list[1].name, "search");
	free(list);

	assert_int_equal(catalog_service_get(f->cat, "nope", &got, &err),
	                 CATALOG_ENOTFOUND);
	assert_non_null(strstr(err, "no service named nope"));
	free(err);
	err = NULL;

	memset(&s, 0, sizeof(s));
	assert_int_equal(catalog_service_add(f->cat, &s, &err), CATALOG_EINVAL);
	free(err);
}

static void test_service_remove(void **state)
{
	struct fx *f = *state;
	struct catalog_service got;
	struct catalog_health h;
	struct catalog_recovery r;
	struct catalog_replication rep;
	int64_t count = -1;
	char *err = NULL;
	sqlite3 *db;

	add_service(f->cat, "plain", "low");
	assert_int_equal(catalog_service_remove(f->cat, "plain", 0, &err),
	                 CATALOG_OK);
	assert_int_equal(catalog_service_get(f->cat, "plain", &got, &err),
	                 CATALOG_ENOTFOUND);
	free(err);
	err = NULL;
	assert_int_equal(catalog_health_get(f->cat, "plain", &h, &err),
	                 CATALOG_ENOTFOUND);
	free(err);
	err = NULL;
	assert_int_equal(catalog_service_remove(f->cat, "plain", 0, &err),
	                 CATALOG_ENOTFOUND);
	free(err);
	err = NULL;

	add_service(f->cat, "busy", "low");
	insert_backup(f->cat, "b1", "busy", "completed", T0);
	memset(&rep, 0, sizeof(rep));
	snprintf(rep.service, sizeof(rep.service), "busy");
	snprintf(rep.source, sizeof(rep.source), "a");
	snprintf(rep.target, sizeof(rep.target), "b");
	rep.sampled_at = T0;
	assert_int_equal(catalog_replication_record(f->cat, &rep, &err),
	                 CATALOG_OK);
	memset(&r, 0, sizeof(r));
	snprintf(r.recovery_id, sizeof(r.recovery_id), "r1");
	snprintf(r.incident_type, sizeof(r.incident_type), "drill");
	r.affected_services = "busy";
	r.initiated_at = T0;
	assert_int_equal(catalog_recovery_insert(f->cat, &r, &err), CATALOG_OK);

	assert_int_equal(catalog_service_remove(f->cat, "busy", 0, &err),
	                 CATALOG_EBUSY);
	assert_non_null(strstr(err, "purge"));
	free(err);
	err = NULL;
	assert_int_equal(catalog_service_get(f->cat, "busy", &got, &err),
	                 CATALOG_OK);

	assert_int_equal(catalog_service_remove(f->cat, "busy", 1, &err),
	                 CATALOG_OK);
	assert_int_equal(catalog_service_get(f->cat, "busy", &got, &err),
	                 CATALOG_ENOTFOUND);
	free(err);
	err = NULL;
	assert_int_equal(catalog_backup_count(f->cat, NULL, &count, &err),
	                 CATALOG_OK);
	assert_int_equal(count, 0);
	/* The recovery stays. */
	assert_int_equal(catalog_recovery_get(f->cat, "r1", &r, &err),
	                 CATALOG_OK);
	assert_string_equal(r.affected_services, "busy");
	catalog_recovery_clear(&r);
	db = raw_open(f->path);
	assert_int_equal(
	    raw_int(db, "SELECT count(*) FROM replication_history"), 0);
	assert_int_equal(
	    raw_int(db, "SELECT count(*) FROM backup_health_monitoring"), 0);
	sqlite3_close(db);
	assert_int_equal(catalog_check_integrity(f->cat, &err), CATALOG_OK);
}

/* ---- backups ----------------------------------------------------------- */

static void test_backups_crud(void **state)
{
	struct fx *f = *state;
	struct catalog_backup b, got, *list = NULL;
	struct catalog_backup_filter filter;
	size_t n = 0;
	int64_t count = 0;
	char *err = NULL;

	add_service(f->cat, "db", "critical");
	add_service(f->cat, "web", "low");
	b = make_backup("11111111-0000-4000-8000-000000000001", "db",
	                "completed", T0);
	b.location = "s3://bucket/db/1";
	b.metadata = "{\"tool\":\"pg_dump\"}";
	b.compression_ratio = 3.25;
	snprintf(b.checksum, sizeof(b.checksum), "%064d", 7);
	b.retention_until = T0 + 86400 * 30;
	assert_int_equal(catalog_backup_insert(f->cat, &b, &err), CATALOG_OK);
	assert_int_equal(catalog_backup_insert(f->cat, &b, &err),
	                 CATALOG_EEXIST);
	free(err);
	err = NULL;

	assert_int_equal(catalog_backup_get(f->cat, b.backup_id, &got, &err),
	                 CATALOG_OK);
	assert_string_equal(got.service, "db");
	assert_string_equal(got.type, "full");
	assert_string_equal(got.status, "completed");
	assert_string_equal(got.tenant_id,
	                    "00000000-0000-0000-0000-000000000000");
	assert_string_equal(got.location, "s3://bucket/db/1");
	assert_string_equal(got.metadata, "{\"tool\":\"pg_dump\"}");
	assert_int_equal(got.size_bytes, 1073741824);
	assert_true(got.compression_ratio > 3.24 &&
	            got.compression_ratio < 3.26);
	assert_int_equal(got.started_at, T0 - 60);
	assert_int_equal(got.completed_at, T0);
	assert_int_equal(got.retention_until, T0 + 86400 * 30);
	assert_string_equal(got.checksum, b.checksum);
	assert_true(got.created_at > 0);
	assert_true(got.updated_at >= got.created_at);
	catalog_backup_clear(&got);
	catalog_backup_clear(&got); /* idempotent */

	/* Unknown size and ratio, no location. */
	b = make_backup("b2", "web", "running", 0);
	b.size_bytes = -1;
	b.started_at = T0 + 100;
	assert_int_equal(catalog_backup_insert(f->cat, &b, &err), CATALOG_OK);
	assert_int_equal(catalog_backup_get(f->cat, "b2", &got, &err),
	                 CATALOG_OK);
	assert_int_equal(got.size_bytes, -1);
	assert_true(got.compression_ratio == 0);
	assert_null(got.location);
	assert_null(got.metadata);
	assert_int_equal(got.completed_at, 0);
	catalog_backup_clear(&got);

	b.status[0] = '\0';
	snprintf(b.status, sizeof(b.status), "failed");
	b.completed_at = T0 + 200;
	assert_int_equal(catalog_backup_update(f->cat, &b, &err), CATALOG_OK);
	assert_int_equal(catalog_backup_get(f->cat, "b2", &got, &err),
	                 CATALOG_OK);
	assert_string_equal(got.status, "failed");
	assert_int_equal(got.completed_at, T0 + 200);
	catalog_backup_clear(&got);

	snprintf(b.backup_id, sizeof(b.backup_id), "missing");
	assert_int_equal(catalog_backup_update(f->cat, &b, &err),
	                 CATALOG_ENOTFOUND);
	free(err);
	err = NULL;
	assert_int_equal(catalog_backup_get(f->cat, "missing", &got, &err),
	                 CATALOG_ENOTFOUND);
	free(err);
	err = NULL;

	b = make_backup("b3", "db", "completed", T0);
	snprintf(b.type, sizeof(b.type), "weekly");
	assert_int_equal(catalog_backup_insert(f->cat, &b, &err),
	                 CATALOG_EINVAL);
	assert_non_null(strstr(err, "weekly"));
	free(err);
	err = NULL;
	b = make_backup("b3", "db", "done", T0);
	assert_int_equal(catalog_backup_insert(f->cat, &b, &err),
	                 CATALOG_EINVAL);
	free(err);
	err = NULL;

	for (int i = 0; i < 5; i++) {
		char id[16];

		snprintf(id, sizeof(id), "s%d", i);
		insert_backup(f->cat, id, "db", i % 2 ? "failed" : "completed",
		              T0 + 1000 + i * 10);
	}
	/* db: the first + s0..s4; web: b2. */
	memset(&filter, 0, sizeof(filter));
	assert_int_equal(catalog_backup_count(f->cat, &filter, &count, &err),
	                 CATALOG_OK);
	assert_int_equal(count, 7);
	filter.service = "db";
	assert_int_equal(catalog_backup_count(f->cat, &filter, &count, &err),
	                 CATALOG_OK);
	assert_int_equal(count, 6);
	filter.status = "failed";
	assert_int_equal(catalog_backup_count(f->cat, &filter, &count, &err),
	                 CATALOG_OK);
	assert_int_equal(count, 2);
	filter.status = NULL;
	filter.type = "incremental";
	assert_int_equal(catalog_backup_count(f->cat, &filter, &count, &err),
	                 CATALOG_OK);
	assert_int_equal(count, 0);
	filter.type = NULL;
	filter.since = T0 + 950;
	assert_int_equal(catalog_backup_list(f->cat, &filter, &list, &n, &err),
	                 CATALOG_OK);
	assert_int_equal(n, 4); /* started_at = completed_at - 60 */
	assert_string_equal(list[0].backup_id, "s4");
	assert_string_equal(list[3].backup_id, "s1");
	catalog_backups_free(list, n);

	filter.since = 0;
	filter.oldest_first = 1;
	filter.limit = 2;
	filter.offset = 1;
	assert_int_equal(catalog_backup_list(f->cat, &filter, &list, &n, &err),
	                 CATALOG_OK);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].backup_id, "s0");
	assert_string_equal(list[1].backup_id, "s1");
	catalog_backups_free(list, n);

	assert_int_equal(catalog_backup_list(f->cat, NULL, &list, &n, &err),
	                 CATALOG_OK);
	assert_int_equal(n, 7);
	assert_string_equal(list[0].backup_id, "s4");
	catalog_backups_free(list, n);
	catalog_backups_free(NULL, 0);

	/* Any of several services (the console's substring match), with
	 * the other conditions and the paging as before. */
	const char *both[] = {"web", "db"}, *one[] = {"web"};
	memset(&filter, 0, sizeof(filter));
	filter.services = both;
	filter.n_services = 2;
	assert_int_equal(catalog_backup_count(f->cat, &filter, &count, &err),
	                 CATALOG_OK);
	assert_int_equal(count, 7);
	filter.status = "failed";
	assert_int_equal(catalog_backup_count(f->cat, &filter, &count, &err),
	                 CATALOG_OK);
	assert_int_equal(count, 3); /* s1, s3 and b2 */
	filter.services = one;
	filter.n_services = 1;
	filter.limit = 5;
	assert_int_equal(catalog_backup_list(f->cat, &filter, &list, &n, &err),
	                 CATALOG_OK);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].backup_id, "b2");
	catalog_backups_free(list, n);
}

/* ---- health triggers --------------------------------------------------- */

static void test_health_failures_escalate(void **state)
{
	struct fx *f = *state;
	struct catalog_health h;

	add_service(f->cat, "svc", "critical");
	insert_backup(f->cat, "ok1", "svc", "completed", T0);
	insert_backup(f->cat, "ok2", "svc", "completed", T0 + 3600);
	get_health(f->cat, "svc", &h);
	assert_string_equal(h.health_status, "healthy");
	assert_int_equal(h.backup_streak, 2);
	assert_int_equal(h.last_successful_backup, T0 + 3600);

	insert_backup(f->cat, "f1", "svc", "failed", T0 + 7200);
	get_health(f->cat, "svc", &h);
	assert_int_equal(h.failure_count, 1);
	assert_int_equal(h.backup_streak, 0);
	assert_string_equal(h.health_status, "degraded");
	assert_int_equal(h.last_successful_backup, T0 + 3600);

	insert_backup(f->cat, "f2", "svc", "failed", T0 + 7300);
	get_health(f->cat, "svc", &h);
	assert_int_equal(h.failure_count, 2);
	assert_string_equal(h.health_status, "warning");

	insert_backup(f->cat, "f3", "svc", "failed", T0 + 7400);
	get_health(f->cat, "svc", &h);
	assert_int_equal(h.failure_count, 3);
	assert_string_equal(h.health_status, "critical");

	insert_backup(f->cat, "f4", "svc", "corrupt", T0 + 7500);
	get_health(f->cat, "svc", &h);
	assert_int_equal(h.failure_count, 4);
	assert_string_equal(h.health_status, "critical");

	/* A completion resets. */
	insert_backup(f->cat, "ok3", "svc", "completed", T0 + 9000);
	get_health(f->cat, "svc", &h);
	assert_int_equal(h.failure_count, 0);
	assert_int_equal(h.backup_streak, 1);
	assert_string_equal(h.health_status, "healthy");
	assert_int_equal(h.last_successful_backup, T0 + 9000);

	/* An older completion arriving late does not move the time back,
	 * and is no part of the streak after the failures: health follows
	 * the backups' own times, not the order they were reported in. */
	insert_backup(f->cat, "late", "svc", "completed", T0 + 10);
	get_health(f->cat, "svc", &h);
	assert_int_equal(h.last_successful_backup, T0 + 9000);
	assert_int_equal(h.backup_streak, 1);
	assert_int_equal(h.failure_count, 0);

	/* A backfilled old failure after a fresh success stays healthy. */
	insert_backup(f->cat, "old-fail", "svc", "failed", T0 + 20);
	get_health(f->cat, "svc", &h);
	assert_string_equal(h.health_status, "healthy");
	assert_int_equal(h.failure_count, 0);
	assert_int_equal(h.backup_streak, 1);

	/* Pending and running change nothing. */
	insert_backup(f->cat, "p1", "svc", "pending", 0);
	get_health(f->cat, "svc", &h);
	assert_int_equal(h.backup_streak, 1);
	assert_int_equal(h.failure_count, 0);
}

/* Three recent failures and a late report of an old success: critical, as
 * the backups' times say (it used to read healthy). */
static void test_health_by_backup_time(void **state)
{
	struct fx *f = *state;
	struct catalog_health h;
	char *err = NULL;

	add_service(f->cat, "svc", "critical");
	insert_backup(f->cat, "f1", "svc", "failed", T0 + 3 * 86400);
	insert_backup(f->cat, "f2", "svc", "failed", T0 + 3 * 86400 + 60);
	insert_backup(f->cat, "f3", "svc", "failed", T0 + 3 * 86400 + 120);
	insert_backup(f->cat, "old", "svc", "completed", T0);
	get_health(f->cat, "svc", &h);
	assert_string_equal(h.health_status, "critical");
	assert_int_equal(h.failure_count, 3);
	assert_int_equal(h.backup_streak, 0);
	assert_int_equal(h.last_successful_backup, T0);

	/* A status change recounts: the newest failure becomes completed. */
	struct catalog_backup b;
	assert_int_equal(catalog_backup_get(f->cat, "f3", &b, &err),
	                 CATALOG_OK);
	snprintf(b.status, sizeof(b.status), "completed");
	assert_int_equal(catalog_backup_update(f->cat, &b, &err), CATALOG_OK);
	catalog_backup_clear(&b);
	get_health(f->cat, "svc", &h);
	assert_string_equal(h.health_status, "healthy");
	assert_int_equal(h.failure_count, 0);
	assert_int_equal(h.backup_streak, 1);

	/* A restore that failed makes a backup a bad attempt. */
	assert_int_equal(catalog_backup_get(f->cat, "f3", &b, &err),
	                 CATALOG_OK);
	snprintf(b.status, sizeof(b.status), "restore_failed");
	assert_int_equal(catalog_backup_update(f->cat, &b, &err), CATALOG_OK);
	catalog_backup_clear(&b);
	get_health(f->cat, "svc", &h);
	assert_int_equal(h.failure_count, 3);
}

static void test_health_transitions_by_update(void **state)
{
	struct fx *f = *state;
	struct catalog_health h;
	struct catalog_backup b;
	char *err = NULL;

	add_service(f->cat, "svc", "standard");
	b = make_backup("b", "svc", "running", 0);
	assert_int_equal(catalog_backup_insert(f->cat, &b, &err), CATALOG_OK);
	get_health(f->cat, "svc", &h);
	assert_int_equal(h.backup_streak, 0);
	assert_true(h.storage_usage_gb == 0);

	snprintf(b.status, sizeof(b.status), "completed");
	b.completed_at = T0;
	assert_int_equal(catalog_backup_update(f->cat, &b, &err), CATALOG_OK);
	get_health(f->cat, "svc", &h);
	assert_int_equal(h.backup_streak, 1);
	assert_int_equal(h.last_successful_backup, T0);
	assert_true(h.storage_usage_gb > 0.99 && h.storage_usage_gb < 1.01);

	/* Updating again (e.g. metadata) or verifying does not count twice. */
	assert_int_equal(catalog_backup_update(f->cat, &b, &err), CATALOG_OK);
	snprintf(b.status, sizeof(b.status), "verified");
	assert_int_equal(catalog_backup_update(f->cat, &b, &err), CATALOG_OK);
	get_health(f->cat, "svc", &h);
	assert_int_equal(h.backup_streak, 1);
	assert_int_equal(h.failure_count, 0);
	assert_true(h.storage_usage_gb > 0.99 && h.storage_usage_gb < 1.01);

	/* Verification found it corrupt: a failure. */
	snprintf(b.status, sizeof(b.status), "corrupt");
	assert_int_equal(catalog_backup_update(f->cat, &b, &err), CATALOG_OK);
	get_health(f->cat, "svc", &h);
	assert_int_equal(h.failure_count, 1);
	assert_string_equal(h.health_status, "degraded");

	/* Expired: no longer stored. */
	snprintf(b.status, sizeof(b.status), "expired");
	assert_int_equal(catalog_backup_update(f->cat, &b, &err), CATALOG_OK);
	get_health(f->cat, "svc", &h);
	assert_true(h.storage_usage_gb == 0);
}

static void test_health_row_recreated(void **state)
{
	struct fx *f = *state;
	struct catalog_health h;
	char *err = NULL;
	sqlite3 *db;

	add_service(f->cat, "svc", "low");
	db = raw_open(f->path);
	assert_int_equal(sqlite3_exec(db,
	                              "DELETE FROM backup_health_monitoring",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(catalog_health_get(f->cat, "svc", &h, &err),
	                 CATALOG_ENOTFOUND);
	free(err);
	insert_backup(f->cat, "f1", "svc", "failed", T0);
	get_health(f->cat, "svc", &h);
	assert_int_equal(h.failure_count, 1);
	assert_string_equal(h.health_status, "degraded");
	assert_int_equal(h.backup_frequency_s, 3600);
}

static void put_restore(struct catalog *cat, const char *service,
                        const char *kind, int64_t at, double duration_s, int ok,
                        const char *recovery_id, int expect)
{
	struct catalog_restore r = {.ok = ok, .bytes = 100};
	char *err = NULL;

	snprintf(r.kind, sizeof(r.kind), "%s", kind);
	snprintf(r.service, sizeof(r.service), "%s", service);
	snprintf(r.backup_id, sizeof(r.backup_id), "b-%lld", (long long)at);
	snprintf(r.recovery_id, sizeof(r.recovery_id), "%s", recovery_id);
	r.started_at = at - 1;
	r.ended_at = at;
	r.duration_s = duration_s;
	int rc = catalog_restore_record(cat, &r, &err);
	if (rc != expect)
		fail_msg("catalog_restore_record: %d (%s)", rc, err ? err : "");
	free(err);
}

static void test_restore_record(void **state)
{
	struct fx *f = *state;
	struct catalog_health h;
	struct catalog_restore *list = NULL;
	size_t n = 0;
	char *err = NULL;

	add_service(f->cat, "svc", "low");
	put_restore(f->cat, "svc", "restore-test", T0, 419.2, 1, "",
	            CATALOG_OK);
	get_health(f->cat, "svc", &h);
	assert_int_equal(h.last_recovery_test, T0);
	assert_int_equal(h.estimated_full_recovery_s, 420); /* rounded up */
	/* Unknown duration keeps the last measurement. */
	put_restore(f->cat, "svc", "restore-test", T0 + 5, -1, 1, "",
	            CATALOG_OK);
	get_health(f->cat, "svc", &h);
	assert_int_equal(h.last_recovery_test, T0 + 5);
	assert_int_equal(h.estimated_full_recovery_s, 420);
	/* A failed test or a plain restore is recorded, and is no test. */
	put_restore(f->cat, "svc", "restore-test", T0 + 9, 3, 0, "",
	            CATALOG_OK);
	put_restore(f->cat, "svc", "restore", T0 + 10, 3, 1, "no-such-run",
	            CATALOG_OK);
	get_health(f->cat, "svc", &h);
	assert_int_equal(h.last_recovery_test, T0 + 5);
	assert_int_equal(
	    catalog_restore_list(f->cat, "svc", 0, &list, &n, &err),
	    CATALOG_OK);
	assert_int_equal(n, 4);
	assert_string_equal(list[0].kind, "restore");
	/* A recovery id that names no run is not kept. */
	assert_string_equal(list[0].recovery_id, "");
	assert_false(list[1].ok);
	free(list);
	/* Two tests in the same second, the failure written last: the
	 * failure is the newest (bad news is never hidden by a tie), and it
	 * counts as a failure after the success. */
	put_restore(f->cat, "svc", "restore-test", T0 + 20, 2, 1, "",
	            CATALOG_OK);
	put_restore(f->cat, "svc", "restore-test", T0 + 20, 2, 0, "",
	            CATALOG_OK);
	struct catalog_service_state *states = NULL;
	size_t ns = 0;
	assert_int_equal(
	    catalog_service_states(f->cat, T0 + 30, &states, &ns, &err),
	    CATALOG_OK);
	assert_int_equal(ns, 1);
	assert_false(states[0].newest_test.ok);
	assert_int_equal(states[0].last_test.ended_at, T0 + 20);
	assert_int_equal(states[0].restore_failures, 1);
	catalog_service_states_free(states, ns);
	put_restore(f->cat, "nope", "restore-test", T0, 1, 1, "",
	            CATALOG_ENOTFOUND);
	put_restore(f->cat, "svc", "bogus", T0, 1, 1, "", CATALOG_EINVAL);
}

/* ---- replication and probes ------------------------------------------- */

static void record_rep(struct catalog *cat, const char *service,
                       const char *source, const char *target, double lag_s,
                       int64_t at)
{
	struct catalog_replication r;
	char *err = NULL;

	memset(&r, 0, sizeof(r));
	snprintf(r.service, sizeof(r.service), "%s", service);
	snprintf(r.source, sizeof(r.source), "%s", source);
	snprintf(r.target, sizeof(r.target), "%s", target);
	snprintf(r.state, sizeof(r.state), "streaming");
	r.lag_s = lag_s;
	r.lag_bytes = (int64_t)(lag_s * 1000);
	r.sampled_at = at;
	assert_int_equal(catalog_replication_record(cat, &r, &err), CATALOG_OK);
}

static void test_replication(void **state)
{
	struct fx *f = *state;
	struct catalog_replication *list = NULL, r;
	size_t n = 0;
	int64_t deleted = 0;
	char *err = NULL;

	add_service(f->cat, "db", "critical");
	record_rep(f->cat, "db", "pg1", "pg2", 1, T0);
	record_rep(f->cat, "db", "pg1", "pg2", 30, T0 + 60);
	record_rep(f->cat, "db", "pg1", "pg2", 2, T0 + 120);
	record_rep(f->cat, "", "pg1", "pg3", 5, T0 + 30);

	assert_int_equal(catalog_replication_latest(f->cat, &list, &n, &err),
	                 CATALOG_OK);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].target, "pg2");
	assert_int_equal(list[0].sampled_at, T0 + 120);
	assert_true(list[0].lag_s == 2);
	assert_int_equal(list[0].lag_bytes, 2000);
	assert_string_equal(list[0].service, "db");
	assert_string_equal(list[0].state, "streaming");
	assert_string_equal(list[1].target, "pg3");
	assert_string_equal(list[1].service, "");
	free(list);

	assert_int_equal(catalog_replication_history(f->cat, "pg1", "pg2",
	                                             T0 + 60, &list, &n, &err),
	                 CATALOG_OK);
	assert_int_equal(n, 2);
	assert_int_equal(list[0].sampled_at, T0 + 60);
	assert_true(list[0].lag_s == 30);
	free(list);
	assert_int_equal(catalog_replication_history(f->cat, "pg1", "pg2", 0,
	                                             &list, &n, &err),
	                 CATALOG_OK);
	assert_int_equal(n, 3);
	free(list);

	/* Unknown lag. */
	memset(&r, 0, sizeof(r));
	snprintf(r.source, sizeof(r.source), "x");
	snprintf(r.target, sizeof(r.target), "y");
	r.lag_s = -1;
	r.lag_bytes = -1;
	r.sampled_at = T0;
	assert_int_equal(catalog_replication_record(f->cat, &r, &err),
	                 CATALOG_OK);
	assert_int_equal(
	    catalog_replication_history(f->cat, "x", "y", 0, &list, &n, &err),
	    CATALOG_OK);
	assert_int_equal(n, 1);
	assert_true(list[0].lag_s == -1);
	assert_int_equal(list[0].lag_bytes, -1);
	assert_string_equal(list[0].state, "unknown");
	free(list);

	snprintf(r.service, sizeof(r.service), "ghost");
	assert_int_equal(catalog_replication_record(f->cat, &r, &err),
	                 CATALOG_ENOTFOUND);
	free(err);
	err = NULL;
	r.service[0] = '\0';
	snprintf(r.state, sizeof(r.state), "happy");
	assert_int_equal(catalog_replication_record(f->cat, &r, &err),
	                 CATALOG_EINVAL);
	free(err);
	err = NULL;

	assert_int_equal(
	    catalog_replication_prune(f->cat, T0 + 60, &deleted, &err),
	    CATALOG_OK);
	assert_int_equal(deleted, 3); /* pg2@T0, pg3@T0+30, x->y@T0 */
	assert_int_equal(catalog_replication_latest(f->cat, &list, &n, &err),
	                 CATALOG_OK);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].target, "pg2");
	free(list);
}

static void test_probes(void **state)
{
	struct fx *f = *state;
	struct catalog_probe_result p, *list = NULL;
	size_t n = 0;
	int64_t deleted = 0;
	char *err = NULL;

	add_service(f->cat, "web", "low");
	memset(&p, 0, sizeof(p));
	snprintf(p.service, sizeof(p.service), "web");
	snprintf(p.probe, sizeof(p.probe), "https");
	snprintf(p.kind, sizeof(p.kind), "http");
	p.ok = 1;
	p.latency_ms = 12.5;
	p.sampled_at = T0;
	assert_int_equal(catalog_probe_record(f->cat, &p, &err), CATALOG_OK);
	p.ok = 0;
	p.latency_ms = -1;
	snprintf(p.message, sizeof(p.message), "HTTP 503");
	p.sampled_at = T0 + 10;
	assert_int_equal(catalog_probe_record(f->cat, &p, &err), CATALOG_OK);
	snprintf(p.probe, sizeof(p.probe), "port");
	snprintf(p.kind, sizeof(p.kind), "tcp");
	p.ok = 1;
	p.message[0] = '\0';
	p.sampled_at = T0 + 5;
	assert_int_equal(catalog_probe_record(f->cat, &p, &err), CATALOG_OK);

	assert_int_equal(catalog_probe_latest(f->cat, &list, &n, &err),
	                 CATALOG_OK);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].probe, "https");
	assert_int_equal(list[0].ok, 0);
	assert_true(list[0].latency_ms == -1);
	assert_string_equal(list[0].message, "HTTP 503");
	assert_int_equal(list[0].sampled_at, T0 + 10);
	assert_string_equal(list[1].probe, "port");
	assert_string_equal(list[1].kind, "tcp");
	free(list);

	snprintf(p.kind, sizeof(p.kind), "icmp");
	assert_int_equal(catalog_probe_record(f->cat, &p, &err),
	                 CATALOG_EINVAL);
	free(err);
	err = NULL;
	snprintf(p.kind, sizeof(p.kind), "tcp");
	snprintf(p.service, sizeof(p.service), "ghost");
	assert_int_equal(catalog_probe_record(f->cat, &p, &err),
	                 CATALOG_ENOTFOUND);
	free(err);
	err = NULL;

	assert_int_equal(catalog_probe_prune(f->cat, T0 + 6, &deleted, &err),
	                 CATALOG_OK);
	assert_int_equal(deleted, 2);
	assert_int_equal(catalog_probe_latest(f->cat, &list, &n, &err),
	                 CATALOG_OK);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].probe, "https");
	free(list);
}

/* ---- recoveries -------------------------------------------------------- */

static struct catalog_recovery
make_recovery(const char *id, const char *services, int drill,
              const char *status, int64_t completed_at, int64_t duration)
{
	struct catalog_recovery r;

	memset(&r, 0, sizeof(r));
	snprintf(r.recovery_id, sizeof(r.recovery_id), "%s", id);
	snprintf(r.incident_type, sizeof(r.incident_type), "%s",
	         drill ? "drill" : "database outage");
	r.affected_services = (char *)services;
	snprintf(r.recovery_procedure, sizeof(r.recovery_procedure),
	         "partial-recovery");
	snprintf(r.recovery_status, sizeof(r.recovery_status), "%s", status);
	r.rto_target_s = 900;
	r.rpo_target_s = 300;
	r.actual_recovery_s = duration;
	r.data_loss_minutes = -1;
	snprintf(r.initiated_by, sizeof(r.initiated_by), "alice@10.0.0.1");
	r.initiated_at = completed_at ? completed_at - duration : T0;
	r.completed_at = completed_at;
	r.is_drill = drill;
	return r;
}

static void test_recoveries(void **state)
{
	struct fx *f = *state;
	struct catalog_recovery r, got, *list = NULL;
	struct catalog_recovery_step s, *steps = NULL;
	size_t n = 0;
	char *err = NULL;

	r = make_recovery("rec-1", "db, web", 0, "in_progress", 0, -1);
	r.incident_started_at = T0 - 300;
	r.recovery_notes = "primary lost";
	assert_int_equal(catalog_recovery_insert(f->cat, &r, &err), CATALOG_OK);
	assert_int_equal(catalog_recovery_insert(f->cat, &r, &err),
	                 CATALOG_EEXIST);
	free(err);
	err = NULL;
	assert_int_equal(catalog_recovery_get(f->cat, "rec-1", &got, &err),
	                 CATALOG_OK);
	assert_string_equal(got.incident_type, "database outage");
	assert_string_equal(got.affected_services, "db, web");
	assert_string_equal(got.recovery_status, "in_progress");
	assert_string_equal(got.recovery_notes, "primary lost");
	assert_null(got.lessons_learned);
	assert_int_equal(got.actual_recovery_s, -1);
	assert_true(got.data_loss_minutes == -1);
	assert_int_equal(got.rto_target_s, 900);
	assert_int_equal(got.incident_started_at, T0 - 300);
	assert_int_equal(got.initiated_at, T0);
	assert_int_equal(got.is_drill, 0);
	assert_string_equal(got.tenant_id,
	                    "00000000-0000-0000-0000-000000000000");
	catalog_recovery_clear(&got);

	snprintf(r.recovery_status, sizeof(r.recovery_status), "completed");
	r.completed_at = T0 + 600;
	r.actual_recovery_s = 600;
	r.data_loss_minutes = 4.5;
	r.lessons_learned = "alert earlier";
	assert_int_equal(catalog_recovery_update(f->cat, &r, &err), CATALOG_OK);
	assert_int_equal(catalog_recovery_get(f->cat, "rec-1", &got, &err),
	                 CATALOG_OK);
	assert_string_equal(got.recovery_status, "completed");
	assert_int_equal(got.actual_recovery_s, 600);
	assert_true(got.data_loss_minutes == 4.5);
	assert_string_equal(got.lessons_learned, "alert earlier");
	catalog_recovery_clear(&got);

	snprintf(r.recovery_status, sizeof(r.recovery_status), "exploded");
	assert_int_equal(catalog_recovery_update(f->cat, &r, &err),
	                 CATALOG_EINVAL);
	free(err);
	err = NULL;
	r = make_recovery("rec-0", "db", 1, "completed", T0 - 86400, 100);
	assert_int_equal(catalog_recovery_insert(f->cat, &r, &err), CATALOG_OK);
	snprintf(r.recovery_id, sizeof(r.recovery_id), "rec-x");
	assert_int_equal(catalog_recovery_update(f->cat, &r, &err),
	                 CATALOG_ENOTFOUND);
	free(err);
	err = NULL;

	assert_int_equal(catalog_recovery_list(f->cat, 0, &list, &n, &err),
	                 CATALOG_OK);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].recovery_id, "rec-1");
	assert_string_equal(list[1].recovery_id, "rec-0");
	catalog_recoveries_free(list, n);
	assert_int_equal(catalog_recovery_list(f->cat, 1, &list, &n, &err),
	                 CATALOG_OK);
	assert_int_equal(n, 1);
	catalog_recoveries_free(list, n);

	memset(&s, 0, sizeof(s));
	snprintf(s.recovery_id, sizeof(s.recovery_id), "rec-1");
	s.seq = 2;
	snprintf(s.step_id, sizeof(s.step_id), "promote");
	snprintf(s.phase, sizeof(s.phase), "failover");
	snprintf(s.title, sizeof(s.title), "Promote the standby");
	snprintf(s.status, sizeof(s.status), "running");
	s.started_at = T0 + 10;
	s.exit_code = -1;
	assert_int_equal(catalog_recovery_step_put(f->cat, &s, &err),
	                 CATALOG_OK);
	s.seq = 1;
	snprintf(s.step_id, sizeof(s.step_id), "fence");
	snprintf(s.status, sizeof(s.status), "completed");
	s.exit_code = 0;
	s.ended_at = T0 + 9;
	s.output_tail = "fenced";
	snprintf(s.confirmed_by, sizeof(s.confirmed_by), "alice");
	assert_int_equal(catalog_recovery_step_put(f->cat, &s, &err),
	                 CATALOG_OK);
	/* Replace step 2. */
	s.seq = 2;
	snprintf(s.step_id, sizeof(s.step_id), "promote");
	snprintf(s.status, sizeof(s.status), "failed");
	s.exit_code = 3;
	s.output_tail = NULL;
	s.notes = "timeout";
	assert_int_equal(catalog_recovery_step_put(f->cat, &s, &err),
	                 CATALOG_OK);
	assert_int_equal(
	    catalog_recovery_step_list(f->cat, "rec-1", &steps, &n, &err),
	    CATALOG_OK);
	assert_int_equal(n, 2);
	assert_int_equal(steps[0].seq, 1);
	assert_string_equal(steps[0].step_id, "fence");
	assert_string_equal(steps[0].output_tail, "fenced");
	assert_int_equal(steps[0].exit_code, 0);
	assert_string_equal(steps[0].confirmed_by, "alice");
	assert_int_equal(steps[1].seq, 2);
	assert_string_equal(steps[1].status, "failed");
	assert_int_equal(steps[1].exit_code, 3);
	assert_null(steps[1].output_tail);
	assert_string_equal(steps[1].notes, "timeout");
	catalog_recovery_steps_free(steps, n);

	snprintf(s.recovery_id, sizeof(s.recovery_id), "nope");
	assert_int_equal(catalog_recovery_step_put(f->cat, &s, &err),
	                 CATALOG_ENOTFOUND);
	free(err);
	err = NULL;
	snprintf(s.recovery_id, sizeof(s.recovery_id), "rec-1");
	snprintf(s.status, sizeof(s.status), "bogus");
	assert_int_equal(catalog_recovery_step_put(f->cat, &s, &err),
	                 CATALOG_EINVAL);
	free(err);
}

/* ---- per-service state ------------------------------------------------- */

static const struct catalog_service_state *
find_state(const struct catalog_service_state *list, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i].service.name, name) == 0)
			return &list[i];
	fail_msg("no state for %s", name);
	return NULL;
}

static void test_service_states(void **state)
{
	struct fx *f = *state;
	struct catalog_service_state *list = NULL;
	const struct catalog_service_state *s;
	struct catalog_service svc;
	struct catalog_recovery r;
	size_t n = 0;
	char *err = NULL;
	int64_t now = T0 + 86400;

	add_service(f->cat, "empty", "critical");
	add_service(f->cat, "failing", "standard");
	add_service(f->cat, "skewed", "low");
	add_service(f->cat, "good", "critical");
	memset(&svc, 0, sizeof(svc));
	snprintf(svc.name, sizeof(svc.name), "untiered");
	snprintf(svc.tier, sizeof(svc.tier), "platinum");
	svc.rpo_s = 60;
	assert_int_equal(catalog_service_add(f->cat, &svc, &err), CATALOG_OK);

	insert_backup(f->cat, "f1", "failing", "failed", now - 100);
	insert_backup(f->cat, "f2", "failing", "failed", now - 50);

	insert_backup(f->cat, "k1", "skewed", "completed", now - 3600);
	insert_backup(f->cat, "k2", "skewed", "completed", now + 7200);

	insert_backup(f->cat, "g1", "good", "completed", now - 7200);
	{
		struct catalog_backup b =
		    make_backup("g2", "good", "verified", now - 600);

		b.size_bytes = 777;
		assert_int_equal(catalog_backup_insert(f->cat, &b, &err),
		                 CATALOG_OK);
	}
	insert_backup(f->cat, "g3", "good", "completed", now - 1200);
	insert_backup(f->cat, "g4", "good", "running", 0);
	{
		struct catalog_backup b;

		assert_int_equal(catalog_backup_get(f->cat, "g4", &b, &err),
		                 CATALOG_OK);
		b.started_at = now - 10;
		assert_int_equal(catalog_backup_update(f->cat, &b, &err),
		                 CATALOG_OK);
		catalog_backup_clear(&b);
	}
	record_rep(f->cat, "good", "pg1", "pg2", 3, now - 20);
	record_rep(f->cat, "good", "pg1", "pg2", 4, now - 10);
	record_rep(f->cat, "", "other1", "other2", 99, now - 5);

	r = make_recovery("d1", "good,skewed", 1, "completed", now - 86400 * 3,
	                  300);
	assert_int_equal(catalog_recovery_insert(f->cat, &r, &err), CATALOG_OK);
	r = make_recovery("d2", "good", 1, "completed", now - 86400, 200);
	assert_int_equal(catalog_recovery_insert(f->cat, &r, &err), CATALOG_OK);
	r = make_recovery("d3", "good", 1, "failed", now - 3600, 50);
	assert_int_equal(catalog_recovery_insert(f->cat, &r, &err), CATALOG_OK);
	r = make_recovery("i1", "good", 0, "completed", now - 1800, 60);
	assert_int_equal(catalog_recovery_insert(f->cat, &r, &err), CATALOG_OK);

	assert_int_equal(catalog_service_states(f->cat, now, &list, &n, &err),
	                 CATALOG_OK);
	assert_int_equal(n, 5);
	assert_string_equal(list[0].service.name, "empty");
	assert_string_equal(list[4].service.name, "untiered");

	s = find_state(list, n, "empty");
	assert_int_equal(s->tier_rto_s, 900);
	assert_int_equal(s->tier_rpo_s, 300);
	assert_int_equal(s->last_good_backup_at, 0);
	assert_int_equal(s->last_good_backup_size, -1);
	assert_int_equal(s->future_backup_at, 0);
	assert_int_equal(s->last_attempt_at, 0);
	assert_string_equal(s->last_attempt_status, "");
	assert_int_equal(s->last_drill_at, 0);
	assert_int_equal(s->last_drill_duration_s, -1);
	assert_int_equal(s->n_links, 0);
	assert_string_equal(s->health.health_status, "healthy");
	assert_string_equal(s->health.service, "empty");

	s = find_state(list, n, "failing");
	assert_int_equal(s->last_good_backup_at, 0);
	assert_int_equal(s->last_attempt_at, now - 50 - 60);
	assert_string_equal(s->last_attempt_status, "failed");
	assert_string_equal(s->health.health_status, "warning");
	assert_int_equal(s->health.failure_count, 2);

	s = find_state(list, n, "skewed");
	assert_int_equal(s->last_good_backup_at, now - 3600);
	assert_int_equal(s->future_backup_at, now + 7200);
	assert_int_equal(s->last_drill_at, now - 86400 * 3);
	assert_int_equal(s->last_drill_duration_s, 300);

	s = find_state(list, n, "good");
	assert_int_equal(s->last_good_backup_at, now - 600);
	assert_int_equal(s->last_good_backup_size, 777);
	assert_int_equal(s->future_backup_at, 0);
	assert_int_equal(s->last_attempt_at, now - 10);
	assert_string_equal(s->last_attempt_status, "running");
	assert_int_equal(s->last_drill_at, now - 86400);
	assert_int_equal(s->last_drill_duration_s, 200);
	assert_int_equal(s->n_links, 1);
	assert_int_equal(s->links[0].sampled_at, now - 10);
	assert_true(s->links[0].lag_s == 4);
	assert_string_equal(s->links[0].source, "pg1");
	assert_string_equal(s->links[0].kind, "replica");
	assert_int_equal(s->health.backup_streak, 3);

	s = find_state(list, n, "untiered");
	assert_int_equal(s->tier_rto_s, 0);
	assert_int_equal(s->tier_rpo_s, 0);
	assert_int_equal(s->service.rpo_s, 60);
	catalog_service_states_free(list, n);

	/* Earlier "now": the newer backups are then in the future. */
	assert_int_equal(
	    catalog_service_states(f->cat, now - 900, &list, &n, &err),
	    CATALOG_OK);
	s = find_state(list, n, "good");
	assert_int_equal(s->last_good_backup_at, now - 1200);
	assert_int_equal(s->future_backup_at, now - 600);
	catalog_service_states_free(list, n);

	/* No services at all. */
	assert_int_equal(catalog_service_remove(f->cat, "empty", 0, &err),
	                 CATALOG_OK);
}

/* The plain size an RTO estimate divides by a throughput: drconsole's own
 * plain_bytes, an import's size (the data it backed up), a recorded size x
 * compression ratio; nothing else (the stored size is no plain size). */
static void plain_backup(struct catalog *cat, const char *id,
                         const char *service, int64_t completed_at,
                         int64_t size, double ratio, const char *metadata)
{
	struct catalog_backup b =
	    make_backup(id, service, "completed", completed_at);
	char *err = NULL;

	b.size_bytes = size;
	b.compression_ratio = ratio;
	b.metadata = (char *)metadata;
	if (catalog_backup_insert(cat, &b, &err) != CATALOG_OK)
		fail_msg("insert %s: %s", id, err ? err : "?");
}

static void test_service_states_plain_size(void **state)
{
	struct fx *f = *state;
	struct catalog_service_state *list = NULL;
	size_t n = 0;
	char *err = NULL;
	int64_t now = T0 + 86400;
	static const struct {
		const char *service;
		int64_t size;
		double ratio;
		const char *metadata;
		int64_t plain;
	} cases[] = {
	    {"own", 51000, 1028.5, "{\"plain_bytes\": 52428800}", 52428800},
	    {"imported", 4000, 2, "{\"import\": {\"tool\": \"walg\"}}", 4000},
	    {"ratio", 100, 2.5, NULL, 250},
	    {"ratio_junk", 100, 3, "not json", 300},
	    {"bare", 100, 0, "{\"target\": \"x\"}", -1},
	    {"junk", 100, 0, "not json", -1},
	};
	size_t k = sizeof cases / sizeof cases[0];

	for (size_t i = 0; i < k; i++) {
		add_service(f->cat, cases[i].service, "low");
		plain_backup(f->cat, cases[i].service, cases[i].service,
		             now - 60, cases[i].size, cases[i].ratio,
		             cases[i].metadata);
	}
	/* Clock skew: the future backup's plain size comes along. */
	add_service(f->cat, "ahead", "low");
	plain_backup(f->cat, "ahead", "ahead", now + 30, 10, 0,
	             "{\"plain_bytes\": 1000}");
	assert_int_equal(catalog_service_states(f->cat, now, &list, &n, &err),
	                 CATALOG_OK);
	for (size_t i = 0; i < k; i++) {
		const struct catalog_service_state *s =
		    find_state(list, n, cases[i].service);
		assert_int_equal(s->last_good_backup_size, cases[i].size);
		if (s->last_good_backup_plain != cases[i].plain)
			fail_msg("%s: plain %lld, expected %lld",
			         cases[i].service,
			         (long long)s->last_good_backup_plain,
			         (long long)cases[i].plain);
	}
	const struct catalog_service_state *s = find_state(list, n, "ahead");
	assert_int_equal(s->last_good_backup_plain, -1);
	assert_int_equal(s->future_backup_size, 10);
	assert_int_equal(s->future_backup_plain, 1000);
	catalog_service_states_free(list, n);
}

/* The per-service state must not read through backup history: every access
 * to the history tables is an index SEARCH, never a SCAN. */
static void test_service_states_plan(void **state)
{
	struct fx *f = *state;
	sqlite3 *db;
	sqlite3_stmt *st;
	char *sql;
	int scans_of_history = 0, rows = 0;

	add_service(f->cat, "a", "low");
	db = raw_open(f->path);
	sql =
	    sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sqlite_service_states_sql);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, "2023-11-14T22:13:20Z", -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *detail = (const char *)sqlite3_column_text(st, 3);

		rows++;
		if (strncmp(detail, "SCAN", 4) == 0 &&
		    strstr(detail, "services") == NULL &&
		    strstr(detail, "SCAN s") == NULL &&
		    strstr(detail, "SCAN ids") == NULL) {
			print_message("# full scan: %s\n", detail);
			scans_of_history++;
		}
		if (strstr(detail, "backup_management") &&
		    strncmp(detail, "SEARCH", 6) != 0) {
			print_message("# not a search: %s\n", detail);
			scans_of_history++;
		}
	}
	sqlite3_finalize(st);
	sqlite3_free(sql);
	sqlite3_close(db);
	assert_true(rows > 0);
	assert_int_equal(scans_of_history, 0);
}

/* ---- audit log --------------------------------------------------------- */

static int collect_seq(const struct catalog_audit *rec, void *arg)
{
	int64_t *seen = arg;

	seen[0]++;
	seen[seen[0]] = rec->seq;
	return rec->seq == 2 ? 42 : 0;
}

static void test_audit(void **state)
{
	struct fx *f = *state;
	struct catalog_audit rec, *list = NULL;
	char zeros[72], want[72], *err = NULL;
	int64_t seen[8] = {0};
	size_t n = 0;
	sqlite3 *db;

	memset(&rec, 0, sizeof(rec));
	snprintf(rec.actor, sizeof(rec.actor), "alice");
	snprintf(rec.origin, sizeof(rec.origin), "10.0.0.7");
	snprintf(rec.action, sizeof(rec.action), "service.add");
	snprintf(rec.subject, sizeof(rec.subject), "billing");
	assert_int_equal(catalog_audit_append(f->cat, &rec, &err),
	                 CATALOG_EINVAL);
	assert_non_null(strstr(err, "hasher"));
	free(err);
	err = NULL;

	catalog_set_audit_hasher(f->cat, test_hasher);
	rec.at = T0;
	rec.details = "tier=critical";
	assert_int_equal(catalog_audit_append(f->cat, &rec, &err), CATALOG_OK);
	memset(zeros, '0', 64);
	zeros[64] = '\0';
	assert_int_equal(rec.seq, 1);
	assert_string_equal(rec.prev_hash, zeros);
	test_hasher(&rec, want);
	assert_string_equal(rec.hash, want);
	snprintf(want, sizeof(want), "%s", rec.hash);

	rec.at = 0; /* filled with now */
	rec.details = NULL;
	snprintf(rec.action, sizeof(rec.action), "backup.record");
	assert_int_equal(catalog_audit_append(f->cat, &rec, &err), CATALOG_OK);
	assert_int_equal(rec.seq, 2);
	assert_string_equal(rec.prev_hash, want);
	assert_true(rec.at > T0);
	snprintf(want, sizeof(want), "%s", rec.hash);
	assert_int_equal(catalog_audit_append(f->cat, &rec, &err), CATALOG_OK);
	assert_int_equal(rec.seq, 3);
	assert_string_equal(rec.prev_hash, want);

	assert_int_equal(catalog_audit_list(f->cat, 0, &list, &n, &err),
	                 CATALOG_OK);
	assert_int_equal(n, 3);
	assert_int_equal(list[0].seq, 3);
	assert_int_equal(list[2].seq, 1);
	assert_int_equal(list[2].at, T0);
	assert_string_equal(list[2].actor, "alice");
	assert_string_equal(list[2].origin, "10.0.0.7");
	assert_string_equal(list[2].details, "tier=critical");
	assert_null(list[1].details);
	/* Every stored hash is what the hasher says for its row. */
	for (size_t i = 0; i < n; i++) {
		test_hasher(&list[i], want);
		assert_string_equal(list[i].hash, want);
	}
	assert_string_equal(list[0].prev_hash, list[1].hash);
	catalog_audits_free(list, n);
	assert_int_equal(catalog_audit_list(f->cat, 2, &list, &n, &err),
	                 CATALOG_OK);
	assert_int_equal(n, 2);
	catalog_audits_free(list, n);

	assert_int_equal(catalog_audit_each(f->cat, collect_seq, seen, &err),
	                 42);
	assert_int_equal(seen[0], 2);
	assert_int_equal(seen[1], 1);
	assert_int_equal(seen[2], 2);

	/* Append-only, even to someone with the file. */
	db = raw_open(f->path);
	assert_int_not_equal(sqlite3_exec(db,
	                                  "UPDATE audit_log SET actor = 'eve'",
	                                  NULL, NULL, NULL),
	                     SQLITE_OK);
	assert_non_null(strstr(sqlite3_errmsg(db), "append-only"));
	assert_int_not_equal(sqlite3_exec(db,
	                                  "DELETE FROM audit_log WHERE seq = 3",
	                                  NULL, NULL, NULL),
	                     SQLITE_OK);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM audit_log"), 3);
	sqlite3_close(db);
}

/* ---- transactions, change tracking, locking --------------------------- */

static void test_transactions(void **state)
{
	struct fx *f = *state;
	struct catalog_service got;
	struct catalog_service s;
	char *err = NULL;

	assert_int_equal(catalog_begin(f->cat, &err), CATALOG_OK);
	assert_int_equal(catalog_begin(f->cat, &err), CATALOG_EINVAL);
	free(err);
	err = NULL;
	add_service(f->cat, "temp", "low");
	insert_backup(f->cat, "t1", "temp", "completed", T0);
	catalog_rollback(f->cat);
	assert_int_equal(catalog_service_get(f->cat, "temp", &got, &err),
	                 CATALOG_ENOTFOUND);
	free(err);
	err = NULL;

	assert_int_equal(catalog_begin(f->cat, &err), CATALOG_OK);
	add_service(f->cat, "kept", "low");
	/* A failing call inside undoes only itself. */
	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "kept");
	assert_int_equal(catalog_service_add(f->cat, &s, &err), CATALOG_EEXIST);
	free(err);
	err = NULL;
	insert_backup(f->cat, "k1", "kept", "completed", T0);
	assert_int_equal(catalog_commit(f->cat, &err), CATALOG_OK);
	assert_int_equal(catalog_service_get(f->cat, "kept", &got, &err),
	                 CATALOG_OK);
	assert_string_equal(got.owner, "team-kept");
	assert_int_equal(catalog_commit(f->cat, &err), CATALOG_EINVAL);
	free(err);
	catalog_rollback(f->cat); /* harmless outside a transaction */
}

static void test_data_version_and_last_change(void **state)
{
	struct fx *f = *state;
	struct catalog *other = NULL;
	int64_t v0, v1, v2, v3, at = -1;
	char *err = NULL;

	assert_int_equal(catalog_last_change(f->cat, &at, &err), CATALOG_OK);
	assert_int_equal(at, 0);
	assert_int_equal(catalog_data_version(f->cat, &v0, &err), CATALOG_OK);
	assert_int_equal(catalog_data_version(f->cat, &v1, &err), CATALOG_OK);
	assert_int_equal(v0, v1);

	/* Our own commit. */
	add_service(f->cat, "svc", "low");
	assert_int_equal(catalog_data_version(f->cat, &v1, &err), CATALOG_OK);
	assert_int_not_equal(v1, v0);

	/* Someone else's commit. */
	assert_int_equal(catalog_open(f->path, 0, &other, &err), CATALOG_OK);
	insert_backup(other, "b1", "svc", "completed", T0);
	assert_int_equal(catalog_data_version(f->cat, &v2, &err), CATALOG_OK);
	assert_int_not_equal(v2, v1);
	assert_int_equal(catalog_data_version(f->cat, &v3, &err), CATALOG_OK);
	assert_int_equal(v3, v2);
	catalog_close(other);

	assert_int_equal(catalog_last_change(f->cat, &at, &err), CATALOG_OK);
	assert_true(at >= time(NULL) - 60 && at <= time(NULL) + 1);
	record_rep(f->cat, "svc", "a", "b", 1, time(NULL) + 3600);
	assert_int_equal(catalog_last_change(f->cat, &at, &err), CATALOG_OK);
	assert_true(at >= time(NULL) + 3500);
}

static void test_busy(void **state)
{
	struct fx *f = *state;
	struct catalog_service s;
	char *err = NULL;
	sqlite3 *db = raw_open(f->path);

	sqlite3_busy_timeout(db, 0);
	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL),
	                 SQLITE_OK);
	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "svc");
	assert_int_equal(catalog_service_add(f->cat, &s, &err), CATALOG_EBUSY);
	assert_non_null(strstr(err, "catalog is locked by another process"));
	free(err);
	err = NULL;
	/* Reads still work under WAL. */
	assert_int_equal(catalog_service_get(f->cat, "svc", &s, &err),
	                 CATALOG_ENOTFOUND);
	free(err);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(db);
	add_service(f->cat, "svc", "low");
}

static void test_integrity(void **state)
{
	struct fx *f = *state;
	char *err = NULL;
	sqlite3 *db;

	add_service(f->cat, "svc", "low");
	insert_backup(f->cat, "b1", "svc", "completed", T0);
	assert_int_equal(catalog_check_integrity(f->cat, &err), CATALOG_OK);
	assert_null(err);

	/* Break a foreign key behind the catalog's back. */
	db = raw_open(f->path);
	assert_int_equal(
	    sqlite3_exec(db,
	                 "PRAGMA foreign_keys = OFF;"
	                 "UPDATE backup_management SET service_name = "
	                 "'gone';",
	                 NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(catalog_check_integrity(f->cat, &err),
	                 CATALOG_ECORRUPT);
	assert_non_null(strstr(err, "backup_management"));
	free(err);
}

static void test_time_text(void **state)
{
	char text[SQLITE_TIME_TEXT];

	(void)state;
	sqlite_time_text(T0, text);
	assert_string_equal(text, "2023-11-14T22:13:20Z");
	assert_int_equal(sqlite_time_parse(text), T0);
	assert_int_equal(sqlite_time_parse("2023-11-14 22:13:20"), T0);
	assert_int_equal(sqlite_time_parse("2023-11-14"), -1);
	assert_int_equal(sqlite_time_parse("2023-13-14T22:13:20Z"), -1);
	assert_int_equal(sqlite_time_parse("2023-11-14T22:13:20Zjunk"), -1);
}

/* Stored times sort as text: the year always has four digits. */
static void test_time_text_four_digit_years(void **state)
{
	char text[SQLITE_TIME_TEXT];
	(void)state;
	sqlite_time_text(1763780645, text);
	assert_string_equal(text, "2025-11-22T03:04:05Z");
	sqlite_time_text(-31000000000LL, text);
	assert_string_equal(text, "0987-08-25T16:53:20Z");
	assert_int_equal(sqlite_time_parse(text), -31000000000LL);
	sqlite_time_text(253402300799LL, text);
	assert_string_equal(text, "9999-12-31T23:59:59Z");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_time_text_four_digit_years),
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	    T(test_create_modes_and_pragmas),
	    T(test_open_missing),
	    T(test_open_postgres_unreachable),
	    T(test_open_file_uri),
	    T(test_open_not_a_catalog),
	    T(test_too_new_refused),
	    T(test_forward_migration),
	    T(test_forward_migration_fixture),
	    T(test_readonly_refuses_writes),
	    T(test_tiers),
	    T(test_services_crud),
	    T(test_service_remove),
	    T(test_backups_crud),
	    T(test_health_failures_escalate),
	    T(test_health_by_backup_time),
	    T(test_health_transitions_by_update),
	    T(test_health_row_recreated),
	    T(test_restore_record),
	    T(test_replication),
	    T(test_probes),
	    T(test_recoveries),
	    T(test_service_states),
	    T(test_service_states_plain_size),
	    T(test_service_states_plan),
	    T(test_audit),
	    T(test_transactions),
	    T(test_data_version_and_last_change),
	    T(test_busy),
	    T(test_integrity),
	    T(test_time_text),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
