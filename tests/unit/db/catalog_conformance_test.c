/* The catalog interface, backend-blind: a table of cases, each run on a
 * freshly opened catalog through the public catalog_* functions only, so
 * that any backend passes the same test unchanged.  The catalog is a new
 * SQLite file in a temporary directory unless DR_TEST_CATALOG names
 * another `where`, in which "{n}" is replaced by a number of its own for
 * every case (each case starts from an empty catalog: a database or
 * schema of its own on PostgreSQL, say):
 *
 *   DR_TEST_CATALOG='postgresql://localhost/drtest_{n}' \
 *       build/tests/db/catalog_conformance_test
 *
 * The last case checks that every entry of the function table in
 * db/backend.h (the only thing this test reads besides the public headers)
 * is named by some case's `covers`, and that the lists here are as long
 * as the tables: a new entry without a case fails. */
#include <ftw.h>
#include <poll.h>
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

#include "db/backend.h"
#include "db/catalog.h"
#include "db/catalog_agent.h"
#include "db/catalog_counters.h"
#include "db/catalog_import.h"
#include "db/catalog_runbook.h"

#define T0 1700000000 /* 2023-11-14T22:13:20Z */

/* ---- checks ------------------------------------------------------------ */

static char *err; /* every call of a case reports here */

/* A call returned `want`; a failure must come with a message. */
static void rc_is(int want, int got, const char *call, int line)
{
	if (got != want)
		fail_msg("line %d: %s returned %d, expected %d (%s)", line,
		         call, got, want, err ? err : "no message");
	if (want != CATALOG_OK && err == NULL)
		fail_msg("line %d: %s failed without a message", line, call);
	free(err);
	err = NULL;
}
#define OK(call)       rc_is(CATALOG_OK, (call), #call, __LINE__)
#define RC(want, call) rc_is((want), (call), #call, __LINE__)

static void set(char *dst, size_t size, const char *s)
{
	snprintf(dst, size, "%s", s);
}
#define SET(field, s) set((field), sizeof(field), (s))

/* ---- the catalog of a case --------------------------------------------- */

struct fx {
	char dir[256]; /* "" when DR_TEST_CATALOG chose the catalog */
	char where[512];
	struct catalog *cat;
	void (*run)(struct fx *f); /* the case */
};

static int case_no;

static void make_where(struct fx *f)
{
	const char *tmpl = getenv("DR_TEST_CATALOG");
	const char *mark;

	case_no++;
	if (tmpl != NULL && tmpl[0] != '\0') {
		mark = strstr(tmpl, "{n}");
		if (mark == NULL)
			fail_msg("DR_TEST_CATALOG has no {n}: every case "
			         "needs a catalog of its own");
		snprintf(f->where, sizeof f->where, "%.*s%ld_%d%s",
		         (int)(mark - tmpl), tmpl, (long)getpid(), case_no,
		         mark + 3);
		return;
	}
	snprintf(f->dir, sizeof f->dir, "%s/drconf.XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->where, sizeof f->where, "%s/catalog.db", f->dir);
}

/* A deterministic stand-in for core's SHA-256: FNV-1a over the fields. */
static void test_hasher(const struct catalog_audit *rec, char hash_hex[72])
{
	char buf[1024];
	uint64_t h = 1469598103934665603ULL;
	int len = snprintf(
	    buf, sizeof buf, "%s|%lld|%lld|%s|%s|%s|%s|%s", rec->prev_hash,
	    (long long)rec->seq, (long long)rec->at, rec->actor, rec->origin,
	    rec->action, rec->subject, rec->details ? rec->details : "");

	for (int i = 0; i < len && i < (int)sizeof buf - 1; i++) {
		h ^= (unsigned char)buf[i];
		h *= 1099511628211ULL;
	}
	snprintf(hash_hex, 72, "%016llx%016llx%016llx%016llx",
	         (unsigned long long)h, (unsigned long long)(h ^ 1),
	         (unsigned long long)(h ^ 2), (unsigned long long)(h ^ 3));
}

static struct catalog *open_where(const char *where)
{
	struct catalog *cat = NULL;

	OK(catalog_open(where, CATALOG_CREATE, &cat, &err));
	catalog_set_audit_hasher(cat, test_hasher);
	return cat;
}

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
	struct fx *f = calloc(1, sizeof *f);

	assert_non_null(f);
	make_where(f);
	f->cat = open_where(f->where);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	catalog_close(f->cat);
	if (f->dir[0] != '\0')
		nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(err);
	err = NULL;
	free(f);
	return 0;
}

/* ---- builders ------------------------------------------------------------ */

static void add_service(struct catalog *cat, const char *name, const char *tier)
{
	struct catalog_service s;

	memset(&s, 0, sizeof s);
	SET(s.name, name);
	SET(s.tier, tier);
	SET(s.owner, "team");
	s.backup_frequency_s = 3600;
	s.created_at = T0;
	OK(catalog_service_add(cat, &s, &err));
}

static struct catalog_backup backup(const char *id, const char *service,
                                    const char *status, int64_t completed_at)
{
	struct catalog_backup b;

	memset(&b, 0, sizeof b);
	SET(b.backup_id, id);
	SET(b.service, service);
	SET(b.type, "full");
	SET(b.status, status);
	b.size_bytes = 1000;
	b.started_at = completed_at ? completed_at - 60 : T0;
	b.completed_at = completed_at;
	return b;
}

static void add_backup(struct catalog *cat, const char *id, const char *service,
                       const char *status, int64_t completed_at)
{
	struct catalog_backup b = backup(id, service, status, completed_at);

	OK(catalog_backup_insert(cat, &b, &err));
}

static struct catalog_recovery recovery(const char *id, const char *services,
                                        int64_t at)
{
	struct catalog_recovery r;

	memset(&r, 0, sizeof r);
	SET(r.recovery_id, id);
	SET(r.incident_type, "drill");
	r.affected_services = (char *)services;
	SET(r.recovery_procedure, "partial");
	SET(r.recovery_status, "initiated");
	r.actual_recovery_s = -1;
	r.data_loss_minutes = -1;
	SET(r.initiated_by, "alice");
	r.initiated_at = at;
	r.is_drill = 1;
	return r;
}

static struct catalog_restore restore(const char *service,
                                      const char *backup_id, const char *kind,
                                      int64_t ended_at, int ok)
{
	struct catalog_restore r;

	memset(&r, 0, sizeof r);
	SET(r.kind, kind);
	SET(r.service, service);
	SET(r.backup_id, backup_id);
	r.started_at = ended_at - 30;
	r.ended_at = ended_at;
	r.duration_s = 30;
	r.bytes = 1000;
	r.ok = ok;
	return r;
}

static struct catalog_notify notify(const char *key, const char *channel,
                                    const char *state, const char *status,
                                    int64_t at)
{
	struct catalog_notify m;

	memset(&m, 0, sizeof m);
	SET(m.event_key, key);
	SET(m.channel, channel);
	SET(m.service, "db");
	SET(m.type, "probe");
	SET(m.state, state);
	SET(m.title, "title");
	SET(m.message, "message");
	SET(m.status, status);
	SET(m.severity, "critical");
	m.next_attempt_at = at;
	m.created_at = at;
	return m;
}

static int64_t clock_later(void)
{
	return T0 + 100;
}

static struct catalog_runbook_exec exec_of(const char *recovery_id,
                                           const char *incident_key)
{
	struct catalog_runbook_exec x;

	memset(&x, 0, sizeof x);
	SET(x.recovery_id, recovery_id);
	SET(x.runbook, "partial");
	SET(x.incident_key, incident_key);
	SET(x.holder, "alice");
	SET(x.host, "host-a");
	x.pid = 4242;
	x.pid_start = 99;
	x.held_since = T0;
	x.open = 1;
	x.runbook_path = "/runbooks/partial.json";
	x.runbook_text = "{\"name\": \"partial\"}";
	return x;
}

/* ---- cases: the catalog itself ------------------------------------------ */

static void case_open(struct fx *f)
{
	struct catalog *again = NULL;
	int version = -1;

	assert_string_equal(catalog_where(f->cat), f->where);
	(void)catalog_notice(f->cat); /* NULL or a message: both are fine */
	OK(catalog_schema_version(f->cat, &version, &err));
	assert_int_equal(version, catalog_schema_latest());
	OK(catalog_check_integrity(f->cat, &err));

	/* What one connection wrote, the next one reads. */
	add_service(f->cat, "db", "critical");
	catalog_close(f->cat);
	f->cat = NULL;
	again = open_where(f->where);
	struct catalog_service s;
	OK(catalog_service_get(again, "db", &s, &err));
	assert_string_equal(s.tier, "critical");
	f->cat = again;
}

/* What `catalog info` shows, and a change another connection commits
 * reaching a watcher: through the descriptor when the backend gives one,
 * through data_version when it does not. */
static void case_info_watch(struct fx *f)
{
	struct catalog_info in;
	struct catalog *other;
	int fd = -2, changed = -1;
	int64_t before = 0, after = 0;

	OK(catalog_info(f->cat, &in, &err));
	assert_true(in.backend[0] != '\0');
	assert_int_equal(in.schema_version, catalog_schema_latest());
	assert_true(in.size_bytes > 0);
	assert_true(in.connection[0] != '\0');
	assert_true(in.server[0] != '\0');
	assert_int_equal(in.read_only, 0);
	assert_int_equal(in.standby, 0);

	OK(catalog_watch(f->cat, &fd, &err));
	assert_true(fd >= -1);
	OK(catalog_data_version(f->cat, &before, &err));
	OK(catalog_watch_read(f->cat, &changed, &err));
	assert_int_equal(changed, 0); /* nothing changed yet */
	other = open_where(f->where);
	add_service(other, "web", "standard");
	catalog_close(other);
	if (fd >= 0) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		assert_int_equal(poll(&p, 1, 5000), 1);
		OK(catalog_watch_read(f->cat, &changed, &err));
		assert_int_equal(changed, 1);
		OK(catalog_watch_read(f->cat, &changed, &err));
		assert_int_equal(changed, 0); /* told once */
	} else {
		OK(catalog_watch_read(f->cat, &changed, &err));
		assert_int_equal(changed, 0);
	}
	OK(catalog_data_version(f->cat, &after, &err));
	assert_true(after != before);
}

/* The least-privilege GRANTs: SQL for a backend with roles, a refusal
 * with a reason for one without; a role name that would need quoting is
 * refused by both, and nothing is run without apply. */
static void case_grants(struct fx *f)
{
	char *sql = NULL;
	int rc = catalog_grants(f->cat, CATALOG_GRANT_READONLY, "viewer", 0,
	                        &sql, &err);

	if (rc == CATALOG_OK) {
		assert_non_null(sql);
		assert_non_null(strstr(sql, "GRANT SELECT"));
		assert_null(strstr(sql, "INSERT"));
		free(sql);
		OK(catalog_grants(f->cat, CATALOG_GRANT_AGENT, "agent1", 0,
		                  &sql, &err));
		assert_non_null(strstr(sql,
		                       "REVOKE UPDATE, DELETE, TRUNCATE ON "
		                       "audit_log"));
		free(sql);
	} else {
		RC(CATALOG_EINVAL, rc);
		assert_null(sql);
	}
	RC(CATALOG_EINVAL,
	   catalog_grants(f->cat, CATALOG_GRANT_AGENT,
	                  "x; DROP TABLE audit_log", 1, &sql, &err));
	assert_null(sql);
}

/* A catalog copied into a new one answers as the original: its tiers,
 * services, backups and the health the triggers kept, its audit chain
 * row for row; the new one's own ids go on after the copied ones; and a
 * catalog that is not new is refused, unchanged. */
static void case_copy(struct fx *f)
{
	struct fx to = {0};
	struct catalog_tier t;
	struct catalog_health h1, h2;
	struct catalog_audit a, *l1 = NULL, *l2 = NULL;
	struct catalog_backup *b1 = NULL, *b2 = NULL;
	struct catalog_restore r;
	size_t n1 = 0, n2 = 0;
	int64_t rows = 0, again = 0;

	memset(&t, 0, sizeof t);
	SET(t.name, "gold");
	t.rto_s = 120;
	t.rpo_s = 60;
	OK(catalog_tier_put(f->cat, &t, &err));
	add_service(f->cat, "db", "gold");
	add_service(f->cat, "web", "standard");
	add_backup(f->cat, "b1", "db", "failed", T0 + 100);
	add_backup(f->cat, "b2", "db", "completed", T0 + 200);
	add_backup(f->cat, "b3", "web", "verified", T0 + 300);
	r = restore("db", "b2", "restore-test", T0 + 400, 1);
	OK(catalog_restore_record(f->cat, &r, &err));
	for (int i = 0; i < 3; i++) {
		memset(&a, 0, sizeof a);
		a.at = T0 + i;
		SET(a.actor, "alice");
		SET(a.action, "service.add");
		SET(a.subject, "db");
		OK(catalog_audit_append(f->cat, &a, &err));
	}

	make_where(&to);
	to.cat = open_where(to.where);
	OK(catalog_begin(to.cat, &err));
	OK(catalog_copy(f->cat, to.cat, &rows, &err));
	OK(catalog_commit(to.cat, &err));
	assert_true(rows >= 3 + 2 + 3 + 1 + 3);

	OK(catalog_health_get(f->cat, "db", &h1, &err));
	OK(catalog_health_get(to.cat, "db", &h2, &err));
	assert_int_equal(h2.failure_count, h1.failure_count);
	assert_int_equal(h2.backup_streak, h1.backup_streak);
	assert_string_equal(h2.health_status, h1.health_status);
	assert_int_equal(h2.last_successful_backup, h1.last_successful_backup);
	assert_int_equal(h2.last_recovery_test, h1.last_recovery_test);
	assert_int_equal(h2.estimated_full_recovery_s,
	                 h1.estimated_full_recovery_s);

	OK(catalog_backup_list(f->cat, NULL, &b1, &n1, &err));
	OK(catalog_backup_list(to.cat, NULL, &b2, &n2, &err));
	assert_int_equal(n2, n1);
	for (size_t i = 0; i < n1; i++) {
		assert_string_equal(b2[i].backup_id, b1[i].backup_id);
		assert_string_equal(b2[i].status, b1[i].status);
		assert_int_equal(b2[i].completed_at, b1[i].completed_at);
		assert_int_equal(b2[i].size_bytes, b1[i].size_bytes);
	}
	catalog_backups_free(b1, n1);
	catalog_backups_free(b2, n2);

	OK(catalog_audit_list(f->cat, 0, &l1, &n1, &err));
	OK(catalog_audit_list(to.cat, 0, &l2, &n2, &err));
	assert_int_equal(n2, n1);
	for (size_t i = 0; i < n1; i++) {
		assert_int_equal(l2[i].seq, l1[i].seq);
		assert_string_equal(l2[i].hash, l1[i].hash);
		assert_string_equal(l2[i].prev_hash, l1[i].prev_hash);
	}
	catalog_audits_free(l1, n1);
	catalog_audits_free(l2, n2);

	/* The copy's own next rows: ids after the copied ones. */
	memset(&a, 0, sizeof a);
	SET(a.actor, "bob");
	SET(a.action, "service.add");
	OK(catalog_audit_append(to.cat, &a, &err));
	assert_int_equal(a.seq, 4);
	r = restore("web", "b3", "restore-test", T0 + 500, 1);
	OK(catalog_restore_record(to.cat, &r, &err));

	/* Into a catalog that is not new: refused, and nothing changes. */
	OK(catalog_begin(to.cat, &err));
	RC(CATALOG_EEXIST, catalog_copy(f->cat, to.cat, &again, &err));
	catalog_rollback(to.cat);
	assert_int_equal(again, 0);
	OK(catalog_audit_list(to.cat, 0, &l2, &n2, &err));
	assert_int_equal(n2, 4);
	catalog_audits_free(l2, n2);

	catalog_close(to.cat);
	if (to.dir[0] != '\0')
		nftw(to.dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void case_tiers(struct fx *f)
{
	struct catalog_tier t, *list = NULL;
	size_t n = 0;

	OK(catalog_tier_list(f->cat, &list, &n, &err));
	assert_int_equal(n, 3); /* the defaults, shortest RTO first */
	assert_string_equal(list[0].name, "critical");
	assert_int_equal(list[0].rto_s, 900);
	assert_int_equal(list[0].rpo_s, 300);
	assert_string_equal(list[1].name, "standard");
	assert_string_equal(list[2].name, "low");
	free(list);

	memset(&t, 0, sizeof t);
	SET(t.name, "critical");
	t.rto_s = 600;
	t.rpo_s = 60;
	OK(catalog_tier_put(f->cat, &t, &err)); /* replaces */
	SET(t.name, "gold");
	t.rto_s = 120;
	OK(catalog_tier_put(f->cat, &t, &err)); /* inserts */
	OK(catalog_tier_list(f->cat, &list, &n, &err));
	assert_int_equal(n, 4);
	assert_string_equal(list[0].name, "gold");
	assert_string_equal(list[1].name, "critical");
	assert_int_equal(list[1].rto_s, 600);
	assert_int_equal(list[1].rpo_s, 60);
	free(list);

	SET(t.name, "bad");
	t.rto_s = -1;
	RC(CATALOG_EINVAL, catalog_tier_put(f->cat, &t, &err));
}

static void case_services(struct fx *f)
{
	struct catalog_service s, got, *list = NULL;
	size_t n = 0;

	memset(&s, 0, sizeof s);
	SET(s.name, "search");
	SET(s.tier, "standard");
	SET(s.owner, "alice");
	s.rpo_s = 600;
	s.backup_frequency_s = 86400;
	s.drill_policy_s = 7 * 86400;
	s.created_at = T0;
	OK(catalog_service_add(f->cat, &s, &err));
	RC(CATALOG_EEXIST, catalog_service_add(f->cat, &s, &err));
	OK(catalog_service_get(f->cat, "search", &got, &err));
	assert_string_equal(got.name, "search");
	assert_string_equal(got.tier, "standard");
	assert_string_equal(got.owner, "alice");
	assert_int_equal(got.rto_s, 0);
	assert_int_equal(got.rpo_s, 600);
	assert_int_equal(got.backup_frequency_s, 86400);
	assert_int_equal(got.drill_policy_s, 7 * 86400);
	assert_int_equal(got.created_at, T0);

	/* put: everything but created_at; a new name is inserted. */
	SET(s.owner, "bob");
	s.tier[0] = '\0';
	s.created_at = T0 + 999;
	OK(catalog_service_put(f->cat, &s, &err));
	OK(catalog_service_get(f->cat, "search", &got, &err));
	assert_string_equal(got.owner, "bob");
	assert_string_equal(got.tier, "");
	assert_int_equal(got.created_at, T0);
	SET(s.name, "api");
	OK(catalog_service_put(f->cat, &s, &err));

	OK(catalog_service_list(f->cat, &list, &n, &err));
	assert_int_equal(n, 2); /* by name */
	assert_string_equal(list[0].name, "api");
	assert_string_equal(list[1].name, "search");
	free(list);

	RC(CATALOG_ENOTFOUND, catalog_service_get(f->cat, "nope", &got, &err));
	memset(&s, 0, sizeof s);
	RC(CATALOG_EINVAL, catalog_service_add(f->cat, &s, &err));
}

static void case_service_remove(struct fx *f)
{
	struct catalog_service got;
	struct catalog_health h;
	struct catalog_recovery r = recovery("r1", "busy", T0);
	int64_t count = -1;

	add_service(f->cat, "plain", "low");
	OK(catalog_service_remove(f->cat, "plain", 0, &err));
	RC(CATALOG_ENOTFOUND, catalog_service_get(f->cat, "plain", &got, &err));
	RC(CATALOG_ENOTFOUND, catalog_health_get(f->cat, "plain", &h, &err));
	RC(CATALOG_ENOTFOUND, catalog_service_remove(f->cat, "plain", 0, &err));

	add_service(f->cat, "busy", "low");
	add_backup(f->cat, "b1", "busy", "completed", T0);
	OK(catalog_recovery_insert(f->cat, &r, &err));
	RC(CATALOG_EBUSY, catalog_service_remove(f->cat, "busy", 0, &err));
	OK(catalog_service_get(f->cat, "busy", &got, &err));
	OK(catalog_service_remove(f->cat, "busy", 1, &err));
	RC(CATALOG_ENOTFOUND, catalog_service_get(f->cat, "busy", &got, &err));
	OK(catalog_backup_count(f->cat, NULL, &count, &err));
	assert_int_equal(count, 0);
	OK(catalog_recovery_get(f->cat, "r1", &r, &err)); /* kept */
	catalog_recovery_clear(&r);
}

/* ---- cases: backups and their health ------------------------------------ */

static void case_backups(struct fx *f)
{
	struct catalog_backup b, got, *list = NULL;
	struct catalog_backup_filter filter;
	int64_t count = -1;
	size_t n = 0;

	add_service(f->cat, "db", "critical");
	add_service(f->cat, "web", "low");
	b = backup("11111111-0000-4000-8000-000000000001", "db", "completed",
	           T0);
	b.location = "s3://bucket/db/1";
	b.metadata = "{\"tool\":\"pg_dump\"}";
	b.compression_ratio = 3.25;
	snprintf(b.checksum, sizeof b.checksum, "%064d", 7);
	b.retention_until = T0 + 86400;
	OK(catalog_backup_insert(f->cat, &b, &err));
	RC(CATALOG_EEXIST, catalog_backup_insert(f->cat, &b, &err));
	OK(catalog_backup_get(f->cat, b.backup_id, &got, &err));
	assert_string_equal(got.service, "db");
	assert_string_equal(got.type, "full");
	assert_string_equal(got.status, "completed");
	assert_string_equal(got.location, "s3://bucket/db/1");
	assert_string_equal(got.metadata, "{\"tool\":\"pg_dump\"}");
	assert_int_equal(got.size_bytes, 1000);
	assert_true(got.compression_ratio > 3.24 &&
	            got.compression_ratio < 3.26);
	assert_int_equal(got.started_at, T0 - 60);
	assert_int_equal(got.completed_at, T0);
	assert_int_equal(got.retention_until, T0 + 86400);
	assert_string_equal(got.checksum, b.checksum);
	assert_true(got.created_at > 0);
	catalog_backup_clear(&got);

	/* Unknowns read back as unknown. */
	b = backup("b2", "web", "running", 0);
	b.size_bytes = -1;
	OK(catalog_backup_insert(f->cat, &b, &err));
	OK(catalog_backup_get(f->cat, "b2", &got, &err));
	assert_int_equal(got.size_bytes, -1);
	assert_null(got.location);
	assert_null(got.metadata);
	assert_int_equal(got.completed_at, 0);
	catalog_backup_clear(&got);

	SET(b.status, "failed");
	b.completed_at = T0 + 200;
	OK(catalog_backup_update(f->cat, &b, &err));
	OK(catalog_backup_get(f->cat, "b2", &got, &err));
	assert_string_equal(got.status, "failed");
	assert_int_equal(got.completed_at, T0 + 200);
	catalog_backup_clear(&got);

	SET(b.backup_id, "missing");
	RC(CATALOG_ENOTFOUND, catalog_backup_update(f->cat, &b, &err));
	RC(CATALOG_ENOTFOUND,
	   catalog_backup_get(f->cat, "missing", &got, &err));
	b = backup("b3", "db", "completed", T0);
	SET(b.type, "weekly");
	RC(CATALOG_EINVAL, catalog_backup_insert(f->cat, &b, &err));
	b = backup("b3", "db", "done", T0);
	RC(CATALOG_EINVAL, catalog_backup_insert(f->cat, &b, &err));

	/* Lists: newest first by started_at unless asked, filtered, paged. */
	add_backup(f->cat, "s1", "db", "failed", T0 + 1000);
	add_backup(f->cat, "s2", "db", "completed", T0 + 2000);
	add_backup(f->cat, "s3", "db", "completed", T0 + 3000);
	memset(&filter, 0, sizeof filter);
	filter.service = "db";
	OK(catalog_backup_list(f->cat, &filter, &list, &n, &err));
	assert_int_equal(n, 4);
	assert_string_equal(list[0].backup_id, "s3");
	assert_string_equal(list[3].backup_id,
	                    "11111111-0000-4000-8000-000000000001");
	catalog_backups_free(list, n);
	filter.status = "completed";
	filter.oldest_first = 1;
	filter.limit = 2;
	filter.offset = 1;
	OK(catalog_backup_list(f->cat, &filter, &list, &n, &err));
	assert_int_equal(n, 2);
	assert_string_equal(list[0].backup_id, "s2");
	assert_string_equal(list[1].backup_id, "s3");
	catalog_backups_free(list, n);
	filter.limit = 0;
	filter.offset = 0;
	OK(catalog_backup_count(f->cat, &filter, &count, &err));
	assert_int_equal(count, 3);
	OK(catalog_backup_count(f->cat, NULL, &count, &err));
	assert_int_equal(count, 5);
	memset(&filter, 0, sizeof filter);
	filter.service = "nobody";
	OK(catalog_backup_list(f->cat, &filter, &list, &n, &err));
	assert_int_equal(n, 0);
	catalog_backups_free(list, n);
}

static void case_health(struct fx *f)
{
	struct catalog_health h;

	add_service(f->cat, "db", "critical");
	OK(catalog_health_get(f->cat, "db", &h, &err));
	assert_string_equal(h.service, "db");
	assert_string_equal(h.health_status, "healthy");
	assert_int_equal(h.backup_frequency_s, 3600);
	assert_int_equal(h.failure_count, 0);
	assert_int_equal(h.last_successful_backup, 0);

	add_backup(f->cat, "f1", "db", "failed", T0);
	OK(catalog_health_get(f->cat, "db", &h, &err));
	assert_string_equal(h.health_status, "degraded");
	assert_int_equal(h.failure_count, 1);
	add_backup(f->cat, "f2", "db", "failed", T0 + 10);
	OK(catalog_health_get(f->cat, "db", &h, &err));
	assert_string_equal(h.health_status, "warning");
	add_backup(f->cat, "g1", "db", "completed", T0 + 20);
	OK(catalog_health_get(f->cat, "db", &h, &err));
	assert_string_equal(h.health_status, "healthy");
	assert_int_equal(h.failure_count, 0);
	assert_int_equal(h.backup_streak, 1);
	assert_int_equal(h.last_successful_backup, T0 + 20);

	/* The same second: the attempt recorded later is the later one, so a
	 * failure right after a good backup is news, and a good retry right
	 * after a failure clears it. */
	add_backup(f->cat, "f3", "db", "failed", T0 + 20);
	OK(catalog_health_get(f->cat, "db", &h, &err));
	assert_string_equal(h.health_status, "degraded");
	assert_int_equal(h.failure_count, 1);
	assert_int_equal(h.backup_streak, 0);
	add_backup(f->cat, "g2", "db", "completed", T0 + 20);
	OK(catalog_health_get(f->cat, "db", &h, &err));
	assert_string_equal(h.health_status, "healthy");
	assert_int_equal(h.failure_count, 0);
	assert_int_equal(h.backup_streak, 1);
	/* A recount (g2 found corrupt, then g2 removed) keeps that order. */
	struct catalog_backup b = backup("g2", "db", "corrupt", T0 + 20);
	OK(catalog_backup_update(f->cat, &b, &err));
	OK(catalog_health_get(f->cat, "db", &h, &err));
	assert_string_equal(h.health_status, "warning");
	assert_int_equal(h.failure_count, 2);
	SET(b.status, "completed");
	OK(catalog_backup_update(f->cat, &b, &err));
	OK(catalog_health_get(f->cat, "db", &h, &err));
	assert_int_equal(h.failure_count, 0);
	assert_int_equal(h.backup_streak, 1);

	RC(CATALOG_ENOTFOUND, catalog_health_get(f->cat, "nope", &h, &err));
}

static void case_restores(struct fx *f)
{
	struct catalog_restore r, *list = NULL;
	struct catalog_health h;
	size_t n = 0;

	add_service(f->cat, "db", "critical");
	add_service(f->cat, "web", "low");
	add_backup(f->cat, "b1", "db", "completed", T0);
	add_backup(f->cat, "w1", "web", "completed", T0);
	r = restore("db", "b1", "restore-test", T0 + 100, 1);
	OK(catalog_restore_record(f->cat, &r, &err));
	assert_true(r.id > 0);
	r = restore("db", "b1", "restore", T0 + 200, 0);
	SET(r.error, "disk full");
	OK(catalog_restore_record(f->cat, &r, &err));
	r = restore("web", "w1", "restore-test", T0 + 150, 1);
	OK(catalog_restore_record(f->cat, &r, &err));

	OK(catalog_health_get(f->cat, "db", &h, &err));
	assert_int_equal(h.last_recovery_test, T0 + 100);

	OK(catalog_restore_list(f->cat, "db", 0, &list, &n, &err));
	assert_int_equal(n, 2); /* newest first */
	assert_string_equal(list[0].kind, "restore");
	assert_false(list[0].ok);
	assert_string_equal(list[0].error, "disk full");
	assert_string_equal(list[1].kind, "restore-test");
	assert_true(list[1].ok);
	assert_string_equal(list[1].backup_id, "b1");
	assert_int_equal(list[1].ended_at, T0 + 100);
	assert_int_equal(list[1].bytes, 1000);
	free(list);
	OK(catalog_restore_list(f->cat, NULL, 2, &list, &n, &err));
	assert_int_equal(n, 2);
	assert_int_equal(list[0].ended_at, T0 + 200);
	assert_int_equal(list[1].ended_at, T0 + 150);
	free(list);

	r = restore("nope", "b1", "restore-test", T0, 1);
	RC(CATALOG_ENOTFOUND, catalog_restore_record(f->cat, &r, &err));
	r = restore("db", "b1", "bogus", T0, 1);
	RC(CATALOG_EINVAL, catalog_restore_record(f->cat, &r, &err));
}

static void case_service_counters(struct fx *f)
{
	struct catalog_service_counters *list = NULL;
	struct catalog_restore r;
	size_t n = 0;

	add_service(f->cat, "db", "critical");
	add_service(f->cat, "api", "low");
	add_backup(f->cat, "b1", "db", "completed", T0);
	add_backup(f->cat, "b2", "db", "failed", T0 + 10);
	r = restore("db", "b1", "restore-test", T0 + 100, 1);
	OK(catalog_restore_record(f->cat, &r, &err));
	r = restore("db", "b1", "restore-test", T0 + 200, 0);
	OK(catalog_restore_record(f->cat, &r, &err));
	r = restore("db", "b1", "restore", T0 + 300, 1);
	OK(catalog_restore_record(f->cat, &r, &err));

	OK(catalog_service_counters(f->cat, &list, &n, &err));
	assert_int_equal(n, 2); /* by name */
	assert_string_equal(list[0].service, "api");
	assert_int_equal(list[0].backup_attempts, 0);
	assert_string_equal(list[1].service, "db");
	assert_int_equal(list[1].backup_attempts, 2);
	assert_int_equal(list[1].restore_tests, 2);
	assert_int_equal(list[1].restore_tests_failed, 1);
	free(list);
}

static void case_backup_counts(struct fx *f)
{
	struct catalog_backup_counts c;

	add_service(f->cat, "db", "critical");
	add_backup(f->cat, "b1", "db", "completed", T0 + 100);
	add_backup(f->cat, "b2", "db", "verified", T0 + 200);
	add_backup(f->cat, "b3", "db", "failed", T0 + 300);
	add_backup(f->cat, "b4", "db", "completed", T0 + 5000); /* after */
	OK(catalog_backup_counts(f->cat, "db", T0, T0 + 1000, &c, &err));
	assert_int_equal(c.taken, 3);
	assert_int_equal(c.good, 2);
	assert_int_equal(c.verified, 1);
	assert_int_equal(c.failed, 1);
	OK(catalog_backup_counts(f->cat, "nope", T0, T0 + 1000, &c, &err));
	assert_int_equal(c.taken, 0);
}

static void case_service_states(struct fx *f)
{
	struct catalog_service_state *list = NULL;
	size_t n = 0;

	add_service(f->cat, "db", "critical");
	add_service(f->cat, "api", "");
	add_backup(f->cat, "b1", "db", "completed", T0);
	add_backup(f->cat, "b2", "db", "failed", T0 + 100);
	add_backup(f->cat, "b3", "db", "completed", T0 + 99999); /* future */
	OK(catalog_service_states(f->cat, T0 + 1000, &list, &n, &err));
	assert_int_equal(n, 2); /* by name */
	assert_string_equal(list[0].service.name, "api");
	assert_int_equal(list[0].last_good_backup_at, 0);
	assert_string_equal(list[0].last_good_backup_id, "");
	assert_string_equal(list[1].service.name, "db");
	assert_int_equal(list[1].tier_rto_s, 900);
	assert_int_equal(list[1].tier_rpo_s, 300);
	assert_int_equal(list[1].last_good_backup_at, T0);
	assert_string_equal(list[1].last_good_backup_id, "b1");
	assert_int_equal(list[1].future_backup_at, T0 + 99999);
	assert_string_equal(list[1].future_backup_id, "b3");
	assert_string_equal(list[1].health.service, "db");
	catalog_service_states_free(list, n);
}

/* ---- cases: samples ------------------------------------------------------ */

static struct catalog_replication sample(const char *source, const char *target,
                                         double lag_s, int64_t at)
{
	struct catalog_replication r;

	memset(&r, 0, sizeof r);
	SET(r.service, "db");
	SET(r.source, source);
	SET(r.target, target);
	SET(r.state, "streaming");
	r.lag_s = lag_s;
	r.lag_bytes = 10;
	r.sampled_at = at;
	return r;
}

static void case_replication(struct fx *f)
{
	struct catalog_replication r, *list = NULL;
	int64_t deleted = -1;
	size_t n = 0;

	add_service(f->cat, "db", "critical");
	r = sample("a", "b", 1, T0);
	OK(catalog_replication_record(f->cat, &r, &err));
	r = sample("a", "b", 2, T0 + 10);
	OK(catalog_replication_record(f->cat, &r, &err));
	r = sample("a", "c", 3, T0 + 5);
	OK(catalog_replication_record(f->cat, &r, &err));

	OK(catalog_replication_latest(f->cat, &list, &n, &err));
	assert_int_equal(n, 2); /* one per pair, by source and target */
	assert_string_equal(list[0].target, "b");
	assert_true(list[0].lag_s == 2);
	assert_int_equal(list[0].sampled_at, T0 + 10);
	assert_string_equal(list[0].kind, "replica");
	assert_string_equal(list[1].target, "c");
	free(list);

	OK(catalog_replication_history(f->cat, "a", "b", T0 + 1, &list, &n,
	                               &err));
	assert_int_equal(n, 1);
	assert_int_equal(list[0].sampled_at, T0 + 10);
	free(list);
	OK(catalog_replication_history(f->cat, "a", "b", 0, &list, &n, &err));
	assert_int_equal(n, 2); /* oldest first */
	assert_int_equal(list[0].sampled_at, T0);
	free(list);

	OK(catalog_replication_prune(f->cat, T0 + 6, &deleted, &err));
	assert_int_equal(deleted, 2);
	OK(catalog_replication_history(f->cat, "a", "b", 0, &list, &n, &err));
	assert_int_equal(n, 1);
	free(list);
}

static void case_probes(struct fx *f)
{
	struct catalog_probe_result p, *list = NULL;
	int64_t deleted = -1;
	size_t n = 0;

	add_service(f->cat, "db", "critical");
	memset(&p, 0, sizeof p);
	SET(p.service, "db");
	SET(p.probe, "http");
	SET(p.kind, "http");
	p.ok = 1;
	p.latency_ms = 12.5;
	p.sampled_at = T0;
	OK(catalog_probe_record(f->cat, &p, &err));
	p.ok = 0;
	SET(p.message, "timeout");
	p.sampled_at = T0 + 10;
	OK(catalog_probe_record(f->cat, &p, &err));
	SET(p.probe, "tcp");
	SET(p.kind, "tcp");
	p.ok = 1;
	p.sampled_at = T0 + 5;
	OK(catalog_probe_record(f->cat, &p, &err));

	OK(catalog_probe_latest(f->cat, &list, &n, &err));
	assert_int_equal(n, 2);
	assert_string_equal(list[0].probe, "http");
	assert_false(list[0].ok);
	assert_string_equal(list[0].message, "timeout");
	assert_int_equal(list[0].sampled_at, T0 + 10);
	assert_string_equal(list[1].probe, "tcp");
	free(list);

	OK(catalog_probe_prune(f->cat, T0 + 6, &deleted, &err));
	assert_int_equal(deleted, 2);
	OK(catalog_probe_latest(f->cat, &list, &n, &err));
	assert_int_equal(n, 1);
	assert_string_equal(list[0].probe, "http");
	free(list);
}

static void case_verdicts(struct fx *f)
{
	struct catalog_verdict v, *list = NULL;
	size_t n = 0;

	memset(&v, 0, sizeof v);
	SET(v.service, "db");
	SET(v.verdict, "OK");
	v.at = T0;
	OK(catalog_verdict_record(f->cat, &v, &err));
	SET(v.verdict, "BREACH");
	SET(v.reason, "RPO");
	v.at = T0 + 100;
	OK(catalog_verdict_record(f->cat, &v, &err));
	SET(v.verdict, "OK");
	v.reason[0] = '\0';
	v.at = T0 + 200;
	OK(catalog_verdict_record(f->cat, &v, &err));
	SET(v.service, "api");
	SET(v.verdict, "AT RISK");
	v.at = T0 + 50;
	OK(catalog_verdict_record(f->cat, &v, &err));

	OK(catalog_verdict_latest(f->cat, &list, &n, &err));
	assert_int_equal(n, 2); /* by service */
	assert_string_equal(list[0].service, "api");
	assert_string_equal(list[0].verdict, "AT RISK");
	assert_string_equal(list[1].service, "db");
	assert_string_equal(list[1].verdict, "OK");
	assert_int_equal(list[1].at, T0 + 200);
	assert_true(list[1].id > 0);
	free(list);

	/* The verdict in force at `since`, then every later one. */
	OK(catalog_verdict_history(f->cat, "db", T0 + 150, &list, &n, &err));
	assert_int_equal(n, 2);
	assert_string_equal(list[0].verdict, "BREACH");
	assert_string_equal(list[0].reason, "RPO");
	assert_string_equal(list[1].verdict, "OK");
	free(list);
	OK(catalog_verdict_history(f->cat, "nope", T0, &list, &n, &err));
	assert_int_equal(n, 0);
	free(list);
}

static void case_test_notes(struct fx *f)
{
	struct catalog_test_note n, got;

	memset(&n, 0, sizeof n);
	SET(n.run_id, "42");
	SET(n.text, "update the runbook's step 3: the port changed");
	SET(n.actor, "alice");
	n.at = T0;
	RC(CATALOG_ENOTFOUND, catalog_test_note_get(f->cat, "42", &got, &err));
	OK(catalog_test_note_put(f->cat, &n, &err));
	OK(catalog_test_note_get(f->cat, "42", &got, &err));
	assert_string_equal(got.text, n.text);
	assert_string_equal(got.actor, "alice");
	assert_int_equal(got.at, T0);
	/* A second note on the run replaces the first. */
	SET(n.text, "done");
	n.at = T0 + 60;
	OK(catalog_test_note_put(f->cat, &n, &err));
	OK(catalog_test_note_get(f->cat, "42", &got, &err));
	assert_string_equal(got.text, "done");
	assert_int_equal(got.at, T0 + 60);
	n.text[0] = '\0';
	RC(CATALOG_EINVAL, catalog_test_note_put(f->cat, &n, &err));
	OK(catalog_test_note_get(f->cat, "42", &got, &err));
	assert_string_equal(got.text, "done");
}

/* ---- cases: recoveries and runbooks -------------------------------------- */

static void case_recoveries(struct fx *f)
{
	struct catalog_recovery r, got, *list = NULL;
	struct catalog_recovery_step s, *steps = NULL;
	size_t n = 0;

	add_service(f->cat, "db", "critical");
	r = recovery("r1", "db", T0);
	r.recovery_notes = "notes";
	OK(catalog_recovery_insert(f->cat, &r, &err));
	RC(CATALOG_EEXIST, catalog_recovery_insert(f->cat, &r, &err));
	r = recovery("r2", "db", T0 + 100);
	OK(catalog_recovery_insert(f->cat, &r, &err));

	OK(catalog_recovery_get(f->cat, "r1", &got, &err));
	assert_string_equal(got.affected_services, "db");
	assert_string_equal(got.recovery_notes, "notes");
	assert_null(got.lessons_learned);
	assert_string_equal(got.recovery_status, "initiated");
	assert_int_equal(got.initiated_at, T0);
	assert_true(got.is_drill);
	catalog_recovery_clear(&got);

	r = recovery("r1", "db", T0);
	SET(r.recovery_status, "completed");
	r.completed_at = T0 + 600;
	r.actual_recovery_s = 600;
	r.lessons_learned = "faster";
	OK(catalog_recovery_update(f->cat, &r, &err));
	OK(catalog_recovery_get(f->cat, "r1", &got, &err));
	assert_string_equal(got.recovery_status, "completed");
	assert_int_equal(got.actual_recovery_s, 600);
	assert_string_equal(got.lessons_learned, "faster");
	catalog_recovery_clear(&got);
	SET(r.recovery_status, "exploded");
	RC(CATALOG_EINVAL, catalog_recovery_update(f->cat, &r, &err));
	RC(CATALOG_ENOTFOUND, catalog_recovery_get(f->cat, "r9", &got, &err));

	OK(catalog_recovery_list(f->cat, 0, &list, &n, &err));
	assert_int_equal(n, 2); /* newest first */
	assert_string_equal(list[0].recovery_id, "r2");
	assert_string_equal(list[1].recovery_id, "r1");
	catalog_recoveries_free(list, n);
	OK(catalog_recovery_list(f->cat, 1, &list, &n, &err));
	assert_int_equal(n, 1);
	catalog_recoveries_free(list, n);

	memset(&s, 0, sizeof s);
	SET(s.recovery_id, "r1");
	s.seq = 2;
	SET(s.step_id, "verify");
	SET(s.status, "running");
	s.exit_code = -1;
	OK(catalog_recovery_step_put(f->cat, &s, &err));
	s.seq = 1;
	SET(s.step_id, "restore");
	SET(s.status, "completed");
	s.exit_code = 0;
	s.output_tail = "restored";
	OK(catalog_recovery_step_put(f->cat, &s, &err));
	s.seq = 2;
	SET(s.step_id, "verify");
	SET(s.status, "failed");
	s.exit_code = 3;
	s.output_tail = NULL;
	OK(catalog_recovery_step_put(f->cat, &s, &err)); /* replaces */
	OK(catalog_recovery_step_list(f->cat, "r1", &steps, &n, &err));
	assert_int_equal(n, 2); /* by seq */
	assert_string_equal(steps[0].step_id, "restore");
	assert_string_equal(steps[0].output_tail, "restored");
	assert_string_equal(steps[1].status, "failed");
	assert_int_equal(steps[1].exit_code, 3);
	catalog_recovery_steps_free(steps, n);
	SET(s.recovery_id, "r9");
	RC(CATALOG_ENOTFOUND, catalog_recovery_step_put(f->cat, &s, &err));
}

/* Paging and filtering the recoveries: the Log view and `runbook log`
 * page through every run with these. */
static void case_recovery_page(struct fx *f)
{
	struct catalog_recovery r, *list = NULL;
	struct catalog_recovery_filter flt;
	size_t n = 0, total = 0;
	char id[16];

	add_service(f->cat, "db", "critical");
	add_service(f->cat, "api", "critical");
	for (int i = 0; i < 7; i++) {
		snprintf(id, sizeof id, "run%d", i);
		r = recovery(id, i % 2 ? "db,api" : "db", T0 + 10 * i);
		r.is_drill = i < 5;
		if (i == 6)
			SET(r.incident_type, "outage-42");
		SET(r.initiated_by, i == 3 ? "Bob" : "alice");
		OK(catalog_recovery_insert(f->cat, &r, &err));
	}
	memset(&flt, 0, sizeof flt);
	flt.drill = -1;
	OK(catalog_recovery_page(f->cat, &flt, 0, 3, &list, &n, &total, &err));
	assert_int_equal(total, 7);
	assert_int_equal(n, 3); /* newest first */
	assert_string_equal(list[0].recovery_id, "run6");
	assert_string_equal(list[2].recovery_id, "run4");
	catalog_recoveries_free(list, n);
	OK(catalog_recovery_page(f->cat, &flt, 6, 3, &list, &n, &total, &err));
	assert_int_equal(total, 7);
	assert_int_equal(n, 1); /* the last page */
	assert_string_equal(list[0].recovery_id, "run0");
	catalog_recoveries_free(list, n);
	OK(catalog_recovery_page(f->cat, &flt, 9, 3, &list, &n, &total, &err));
	assert_int_equal(total, 7);
	assert_int_equal(n, 0);
	assert_null(list);

	flt.service = "api"; /* odd runs name api too */
	OK(catalog_recovery_page(f->cat, &flt, 0, 0, &list, &n, &total, &err));
	assert_int_equal(total, 3);
	assert_int_equal(n, 3);
	assert_string_equal(list[0].recovery_id, "run5");
	catalog_recoveries_free(list, n);
	flt.service = "ap"; /* a name, not a part of one */
	OK(catalog_recovery_page(f->cat, &flt, 0, 0, &list, &n, &total, &err));
	assert_int_equal(total, 0);
	catalog_recoveries_free(list, n);

	flt.service = NULL;
	flt.drill = 0;
	OK(catalog_recovery_page(f->cat, &flt, 0, 0, &list, &n, &total, &err));
	assert_int_equal(total, 2);
	assert_false(list[0].is_drill);
	catalog_recoveries_free(list, n);
	flt.drill = 1;
	flt.since = T0 + 20;
	OK(catalog_recovery_page(f->cat, &flt, 0, 0, &list, &n, &total, &err));
	assert_int_equal(total, 3); /* run2, run3, run4 */
	assert_string_equal(list[2].recovery_id, "run2");
	catalog_recoveries_free(list, n);

	memset(&flt, 0, sizeof flt);
	flt.drill = -1;
	flt.incident = "outage-42";
	OK(catalog_recovery_page(f->cat, &flt, 0, 0, &list, &n, &total, &err));
	assert_int_equal(total, 1);
	assert_string_equal(list[0].recovery_id, "run6");
	catalog_recoveries_free(list, n);
	flt.incident = NULL;
	flt.text = "bob";
	OK(catalog_recovery_page(f->cat, &flt, 0, 0, &list, &n, &total, &err));
	assert_int_equal(total, 1);
	assert_string_equal(list[0].recovery_id, "run3");
	catalog_recoveries_free(list, n);
	OK(catalog_recovery_page(f->cat, NULL, 0, 0, &list, &n, &total, &err));
	assert_int_equal(total, 7); /* no filter */
	catalog_recoveries_free(list, n);
}

static void case_runbook_execs(struct fx *f)
{
	struct catalog_runbook_exec x, got, holder, *list = NULL;
	struct catalog_recovery r;
	char **names = NULL, **values = NULL;
	size_t n = 0;

	r = recovery("r1", "db", T0);
	OK(catalog_recovery_insert(f->cat, &r, &err));
	r = recovery("r2", "db", T0 + 10);
	OK(catalog_recovery_insert(f->cat, &r, &err));
	r = recovery("r3", "db", T0 + 20);
	OK(catalog_recovery_insert(f->cat, &r, &err));

	x = exec_of("r1", "partial|drill");
	OK(catalog_runbook_exec_insert(f->cat, &x, NULL, &err));
	OK(catalog_runbook_exec_get(f->cat, "r1", &got, &err));
	assert_string_equal(got.runbook, "partial");
	assert_string_equal(got.incident_key, "partial|drill");
	assert_string_equal(got.holder, "alice");
	assert_string_equal(got.host, "host-a");
	assert_int_equal(got.pid, 4242);
	assert_int_equal(got.pid_start, 99);
	assert_int_equal(got.held_since, T0);
	assert_true(got.open);
	assert_string_equal(got.runbook_path, "/runbooks/partial.json");
	assert_string_equal(got.runbook_text, "{\"name\": \"partial\"}");
	catalog_runbook_exec_clear(&got);

	/* One open execution per incident: the second learns the holder. */
	x = exec_of("r2", "partial|drill");
	SET(x.holder, "bob");
	memset(&holder, 0, sizeof holder);
	RC(CATALOG_EBUSY,
	   catalog_runbook_exec_insert(f->cat, &x, &holder, &err));
	assert_string_equal(holder.recovery_id, "r1");
	assert_string_equal(holder.holder, "alice");
	catalog_runbook_exec_clear(&holder);
	/* The holder's beat moves updated_at; anyone else's changes nothing. */
	catalog_set_clock(clock_later);
	OK(catalog_runbook_exec_beat(f->cat, "r1", "host-a", 4242, &err));
	OK(catalog_runbook_exec_get(f->cat, "r1", &got, &err));
	assert_int_equal(got.updated_at, T0 + 100);
	catalog_runbook_exec_clear(&got);
	RC(CATALOG_ENOTFOUND,
	   catalog_runbook_exec_beat(f->cat, "r1", "host-b", 4242, &err));
	RC(CATALOG_ENOTFOUND,
	   catalog_runbook_exec_beat(f->cat, "r1", "host-a", 1, &err));
	catalog_set_clock(NULL);
	x = exec_of("r3", "complete|incident");
	x.held_since = T0 + 20;
	OK(catalog_runbook_exec_insert(f->cat, &x, NULL, &err));
	x = exec_of("r9", "other");
	RC(CATALOG_EINVAL, catalog_runbook_exec_insert(f->cat, &x, NULL, &err));

	x = exec_of("r1", "partial|drill");
	SET(x.holder, "carol");
	x.pid = 0; /* released */
	x.held_since = T0 + 5;
	OK(catalog_runbook_exec_hold(f->cat, &x, NULL, &err));
	/* Two sessions that read carol's release both take it: the first
	 * holds it, the second is refused and changes nothing. */
	struct catalog_runbook_exec seen = x, dave = x, erin = x;
	SET(dave.holder, "dave");
	SET(dave.host, "host-d");
	dave.pid = 5151;
	dave.pid_start = 7;
	SET(erin.holder, "erin");
	erin.pid = 6161;
	OK(catalog_runbook_exec_hold(f->cat, &dave, &seen, &err));
	RC(CATALOG_EBUSY,
	   catalog_runbook_exec_hold(f->cat, &erin, &seen, &err));
	OK(catalog_runbook_exec_get(f->cat, "r1", &got, &err));
	assert_string_equal(got.holder, "dave");
	assert_string_equal(got.host, "host-d");
	assert_int_equal(got.pid, 5151);
	catalog_runbook_exec_clear(&got);
	/* The same pid on the same host but another process: not the hold. */
	struct catalog_runbook_exec reused = dave;
	reused.pid_start = 8;
	RC(CATALOG_EBUSY, catalog_runbook_exec_hold(f->cat, &x, &reused, &err));
	OK(catalog_runbook_exec_hold(f->cat, &x, &dave, &err)); /* released */
	OK(catalog_runbook_exec_set_child(f->cat, "r1", 777, &err));
	OK(catalog_runbook_exec_get(f->cat, "r1", &got, &err));
	assert_string_equal(got.holder, "carol");
	assert_int_equal(got.pid, 0);
	assert_int_equal(got.child_pgid, 777);
	catalog_runbook_exec_clear(&got);

	OK(catalog_runbook_exec_list_open(f->cat, &list, &n, &err));
	assert_int_equal(n, 2); /* oldest first */
	assert_string_equal(list[0].recovery_id, "r1");
	assert_string_equal(list[1].recovery_id, "r3");
	catalog_runbook_execs_free(list, n);

	OK(catalog_runbook_exec_close(f->cat, "r1", &err));
	OK(catalog_runbook_exec_get(f->cat, "r1", &got, &err));
	assert_false(got.open);
	assert_int_equal(got.child_pgid, 0);
	catalog_runbook_exec_clear(&got);
	OK(catalog_runbook_exec_list_open(f->cat, &list, &n, &err));
	assert_int_equal(n, 1);
	catalog_runbook_execs_free(list, n);
	/* Closed, the incident is free again. */
	x = exec_of("r2", "partial|drill");
	OK(catalog_runbook_exec_insert(f->cat, &x, NULL, &err));

	RC(CATALOG_ENOTFOUND,
	   catalog_runbook_exec_get(f->cat, "r9", &got, &err));
	x = exec_of("r9", "nothing");
	RC(CATALOG_ENOTFOUND,
	   catalog_runbook_exec_hold(f->cat, &x, NULL, &err));
	RC(CATALOG_ENOTFOUND,
	   catalog_runbook_exec_set_child(f->cat, "r9", 1, &err));
	RC(CATALOG_ENOTFOUND, catalog_runbook_exec_close(f->cat, "r9", &err));

	/* Variables, in the order first written; a put replaces. */
	OK(catalog_runbook_var_put(f->cat, "r1", "service", "db", &err));
	OK(catalog_runbook_var_put(f->cat, "r1", "region", "eu", &err));
	OK(catalog_runbook_var_put(f->cat, "r1", "service", "api", &err));
	OK(catalog_runbook_var_list(f->cat, "r1", &names, &values, &n, &err));
	assert_int_equal(n, 2);
	assert_string_equal(names[0], "service");
	assert_string_equal(values[0], "api");
	assert_string_equal(names[1], "region");
	assert_string_equal(values[1], "eu");
	for (size_t i = 0; i < n; i++) {
		free(names[i]);
		free(values[i]);
	}
	free(names);
	free(values);
	RC(CATALOG_EINVAL,
	   catalog_runbook_var_put(f->cat, "r9", "a", "b", &err));
	OK(catalog_runbook_var_list(f->cat, "r9", &names, &values, &n, &err));
	assert_int_equal(n, 0);
	free(names);
	free(values);
}

/* ---- cases: the agent's tables ------------------------------------------- */

static void case_agent(struct fx *f)
{
	struct catalog_agent a, got, *list = NULL;
	size_t n = 0;

	RC(CATALOG_ENOTFOUND, catalog_agent_latest(f->cat, &got, &err));
	memset(&a, 0, sizeof a);
	SET(a.host, "host-b");
	a.pid = 10;
	SET(a.version, "0.1.0");
	a.started_at = T0;
	a.beat_at = T0 + 30;
	a.interval_s = 15;
	SET(a.state, "running");
	SET(a.note, "fine");
	OK(catalog_agent_beat(f->cat, &a, &err));
	SET(a.host, "host-a");
	a.beat_at = T0 + 60;
	OK(catalog_agent_beat(f->cat, &a, &err));
	a.beat_at = T0 + 90; /* the same (host, pid): replaced */
	SET(a.state, "stopped");
	OK(catalog_agent_beat(f->cat, &a, &err));

	OK(catalog_agent_latest(f->cat, &got, &err));
	assert_string_equal(got.host, "host-a");
	assert_int_equal(got.beat_at, T0 + 90);
	assert_string_equal(got.state, "stopped");
	assert_string_equal(got.version, "0.1.0");
	assert_int_equal(got.interval_s, 15);
	OK(catalog_agent_list(f->cat, &list, &n, &err));
	assert_int_equal(n, 2); /* by host */
	assert_string_equal(list[0].host, "host-a");
	assert_string_equal(list[1].host, "host-b");
	assert_string_equal(list[1].note, "fine");
	free(list);

	SET(a.state, "dancing");
	RC(CATALOG_EINVAL, catalog_agent_beat(f->cat, &a, &err));
}

static void case_jobs(struct fx *f)
{
	struct catalog_job j, *list = NULL;
	size_t n = 0;

	RC(CATALOG_ENOTFOUND, catalog_job_get(f->cat, "prune", &j, &err));
	OK(catalog_job_start(f->cat, "prune", T0, 0, &err));
	/* A second agent that also saw "never ran" lost the claim. */
	RC(CATALOG_EBUSY, catalog_job_start(f->cat, "prune", T0, 0, &err));
	OK(catalog_job_get(f->cat, "prune", &j, &err));
	assert_string_equal(j.last_status, "running");
	assert_int_equal(j.last_started_at, T0);
	assert_int_equal(j.runs, 1);
	OK(catalog_job_finish(f->cat, "prune", T0 + 5, "ok", "3 pruned", &err));
	OK(catalog_job_start(f->cat, "backup:db", T0 + 1, 0, &err));
	/* Claimed from the start seen (T0); a stale view (0) loses. */
	RC(CATALOG_EBUSY, catalog_job_start(f->cat, "prune", T0 + 60, 0, &err));
	OK(catalog_job_start(f->cat, "prune", T0 + 60, T0, &err));
	RC(CATALOG_EBUSY,
	   catalog_job_start(f->cat, "prune", T0 + 60, T0, &err));
	OK(catalog_job_finish(f->cat, "prune", T0 + 61, "failed", "disk",
	                      &err));
	OK(catalog_job_get(f->cat, "prune", &j, &err));
	assert_string_equal(j.last_status, "failed");
	assert_string_equal(j.last_message, "disk");
	assert_int_equal(j.last_started_at, T0 + 60);
	assert_int_equal(j.last_finished_at, T0 + 61);
	assert_int_equal(j.runs, 2);
	OK(catalog_job_list(f->cat, &list, &n, &err));
	assert_int_equal(n, 2); /* by name */
	assert_string_equal(list[0].name, "backup:db");
	assert_string_equal(list[1].name, "prune");
	free(list);
}

static void case_probe_state(struct fx *f)
{
	struct catalog_probe_state s, got, *list = NULL;
	size_t n = 0;

	RC(CATALOG_ENOTFOUND,
	   catalog_probe_state_get(f->cat, "db", "http", &got, &err));
	memset(&s, 0, sizeof s);
	SET(s.service, "db");
	SET(s.probe, "http");
	s.consecutive_failures = 3;
	s.down = 1;
	s.changed_at = T0;
	s.last_ok_at = T0 - 60;
	s.last_run_at = T0 + 10;
	SET(s.message, "refused");
	OK(catalog_probe_state_put(f->cat, &s, &err));
	OK(catalog_probe_state_get(f->cat, "db", "http", &got, &err));
	assert_int_equal(got.consecutive_failures, 3);
	assert_true(got.down);
	assert_int_equal(got.changed_at, T0);
	assert_int_equal(got.last_ok_at, T0 - 60);
	assert_int_equal(got.last_run_at, T0 + 10);
	assert_string_equal(got.message, "refused");
	s.down = 0;
	s.consecutive_failures = 0;
	OK(catalog_probe_state_put(f->cat, &s, &err)); /* replaces */
	SET(s.service, "api");
	OK(catalog_probe_state_put(f->cat, &s, &err));
	OK(catalog_probe_state_list(f->cat, &list, &n, &err));
	assert_int_equal(n, 2); /* by service, probe */
	assert_string_equal(list[0].service, "api");
	assert_string_equal(list[1].service, "db");
	assert_false(list[1].down);
	free(list);
}

static void case_notify_state(struct fx *f)
{
	struct catalog_notify_state *list = NULL;
	char state[32];
	int64_t at = -1;
	size_t n = 0;

	RC(CATALOG_ENOTFOUND,
	   catalog_notify_state_get(f->cat, "verdict", state, &at, &err));
	OK(catalog_notify_state_put(f->cat, "verdict", "OK", T0, &err));
	OK(catalog_notify_state_put(f->cat, "probe:db/http", "down", T0 + 1,
	                            &err));
	OK(catalog_notify_state_put(f->cat, "verdict", "BREACH", T0 + 2, &err));
	OK(catalog_notify_state_get(f->cat, "verdict", state, &at, &err));
	assert_string_equal(state, "BREACH");
	assert_int_equal(at, T0 + 2);
	OK(catalog_notify_state_list(f->cat, &list, &n, &err));
	assert_int_equal(n, 2); /* by key */
	assert_string_equal(list[0].event_key, "probe:db/http");
	assert_string_equal(list[1].event_key, "verdict");
	assert_string_equal(list[1].state, "BREACH");
	free(list);
}

static void case_notify_outbox(struct fx *f)
{
	struct catalog_notify m, got, *list = NULL;
	char state[32], status[16];
	int64_t at = -1, count = -1;
	size_t n = 0;

	m = notify("probe:db/http", "ops", "down", "pending", T0);
	OK(catalog_notify_insert(f->cat, &m, &err));
	assert_true(m.id > 0);
	int64_t first = m.id;
	m = notify("probe:db/http", "ops", "up", "sent", T0 + 10);
	m.sent_at = T0 + 11;
	OK(catalog_notify_insert(f->cat, &m, &err));
	m = notify("verdict", "ops", "BREACH", "rate_limited", T0 + 20);
	OK(catalog_notify_insert(f->cat, &m, &err));
	m = notify("verdict", "drills", "BREACH", "sent", T0 + 30);
	m.drill = 1;
	OK(catalog_notify_insert(f->cat, &m, &err));
	m = notify("verdict", "ops", "x", "lost", T0);
	RC(CATALOG_EINVAL, catalog_notify_insert(f->cat, &m, &err));

	OK(catalog_notify_list(f->cat, 0, &list, &n, &err));
	assert_int_equal(n, 4); /* newest first */
	assert_string_equal(list[0].channel, "drills");
	assert_true(list[0].drill);
	assert_int_equal(list[3].id, first);
	assert_string_equal(list[3].title, "title");
	assert_string_equal(list[3].severity, "critical");
	free(list);
	OK(catalog_notify_list(f->cat, 1, &list, &n, &err));
	assert_int_equal(n, 1);
	free(list);

	OK(catalog_notify_due(f->cat, T0 + 100, 10, &list, &n, &err));
	assert_int_equal(n, 1);
	assert_int_equal(list[0].id, first);
	free(list);
	OK(catalog_notify_due(f->cat, T0 - 1, 10, &list, &n, &err));
	assert_int_equal(n, 0);
	free(list);

	OK(catalog_notify_last_told(f->cat, "ops", "probe:db/http", state,
	                            status, &at, &err));
	assert_string_equal(state, "up");
	assert_string_equal(status, "sent");
	assert_int_equal(at, T0 + 10);
	OK(catalog_notify_last_told(f->cat, "ops", "nothing", state, status,
	                            &at, &err));
	assert_string_equal(state, "");
	assert_int_equal(at, 0);

	OK(catalog_notify_count_since(f->cat, "ops", T0, 0, &count, &err));
	assert_int_equal(count, 2); /* rate_limited is not counted */
	OK(catalog_notify_count_since(f->cat, "drills", T0, 1, &count, &err));
	assert_int_equal(count, 1);

	OK(catalog_notify_held(f->cat, &list, &n, &err));
	assert_int_equal(n, 1);
	assert_string_equal(list[0].event_key, "verdict");
	got = list[0];
	free(list);
	got.digest_id = first; /* a digest told of it */
	OK(catalog_notify_update(f->cat, &got, &err));
	OK(catalog_notify_held(f->cat, &list, &n, &err));
	assert_int_equal(n, 0);
	free(list);

	OK(catalog_notify_latest(f->cat, "verdict", "BREACH", &got, &err));
	assert_string_equal(got.channel, "drills");
	RC(CATALOG_ENOTFOUND,
	   catalog_notify_latest(f->cat, "verdict", "OK", &got, &err));

	/* Undelivered: bad news of a subject still in that state, tried and
	 * never sent. */
	OK(catalog_notify_undelivered(f->cat, &list, &n, &err));
	assert_int_equal(n, 0);
	free(list);
	OK(catalog_notify_state_put(f->cat, "probe:db/http", "down", T0, &err));
	m = notify("probe:db/http", "ops", "down", "failed", T0 + 40);
	m.attempts = 3;
	SET(m.last_error, "HTTP 500");
	OK(catalog_notify_insert(f->cat, &m, &err));
	got = m;
	/* The first one, still untried, may yet go out. */
	OK(catalog_notify_undelivered(f->cat, &list, &n, &err));
	assert_int_equal(n, 0);
	free(list);
	m = notify("probe:db/http", "ops", "down", "failed", T0);
	m.id = first;
	m.attempts = 5;
	OK(catalog_notify_update(f->cat, &m, &err));
	OK(catalog_notify_undelivered(f->cat, &list, &n, &err));
	assert_int_equal(n, 1);
	assert_int_equal(list[0].id, got.id);
	assert_string_equal(list[0].last_error, "HTTP 500");
	assert_int_equal(list[0].attempts, 3);
	free(list);
}

static void case_alarm_marks(struct fx *f)
{
	struct catalog_alarm_mark m, *list = NULL;
	int deleted = -1;
	size_t n = 0;

	memset(&m, 0, sizeof m);
	SET(m.event_key, "verdict");
	SET(m.kind, "ack");
	SET(m.state, "BREACH");
	m.episode_at = T0;
	SET(m.actor, "alice");
	m.at = T0 + 5;
	SET(m.reason, "on it");
	OK(catalog_alarm_mark_put(f->cat, &m, &err));
	SET(m.reason, "still on it");
	OK(catalog_alarm_mark_put(f->cat, &m, &err)); /* replaces */
	SET(m.kind, "silence");
	m.until = T0 + 3600;
	OK(catalog_alarm_mark_put(f->cat, &m, &err));
	SET(m.event_key, "probe:db/http");
	OK(catalog_alarm_mark_put(f->cat, &m, &err));
	OK(catalog_alarm_mark_list(f->cat, &list, &n, &err));
	assert_int_equal(n, 3); /* by key, kind */
	assert_string_equal(list[0].event_key, "probe:db/http");
	assert_string_equal(list[1].kind, "ack");
	assert_string_equal(list[1].reason, "still on it");
	assert_int_equal(list[1].episode_at, T0);
	assert_string_equal(list[2].kind, "silence");
	assert_int_equal(list[2].until, T0 + 3600);
	free(list);

	OK(catalog_alarm_mark_delete(f->cat, "verdict", "ack", &deleted, &err));
	assert_int_equal(deleted, 1);
	OK(catalog_alarm_mark_delete(f->cat, "verdict", "ack", &deleted, &err));
	assert_int_equal(deleted, 0);
	SET(m.kind, "snooze");
	RC(CATALOG_EINVAL, catalog_alarm_mark_put(f->cat, &m, &err));
	SET(m.kind, "ack");
	m.reason[0] = '\0';
	RC(CATALOG_EINVAL, catalog_alarm_mark_put(f->cat, &m, &err));
}

/* ---- cases: audit, import, transactions ---------------------------------- */

static int count_rows(const struct catalog_audit *rec, void *arg)
{
	int *seen = arg;

	(*seen)++;
	assert_int_equal(rec->seq, *seen);
	return *seen == 2 ? 42 : 0;
}

static void case_audit(struct fx *f)
{
	struct catalog_audit a, *list = NULL;
	size_t n = 0;
	int seen = 0;

	for (int i = 0; i < 3; i++) {
		memset(&a, 0, sizeof a);
		a.at = T0 + i;
		SET(a.actor, "alice");
		SET(a.action, "service.add");
		SET(a.subject, i == 1 ? "api" : "db");
		a.details = i == 2 ? "{\"tier\":\"low\"}" : NULL;
		OK(catalog_audit_append(f->cat, &a, &err));
		assert_int_equal(a.seq, i + 1);
		assert_int_equal(strlen(a.hash), 64);
	}
	OK(catalog_audit_list(f->cat, 0, &list, &n, &err));
	assert_int_equal(n, 3); /* newest first, chained */
	assert_int_equal(list[0].seq, 3);
	assert_string_equal(list[0].details, "{\"tier\":\"low\"}");
	assert_string_equal(list[0].prev_hash, list[1].hash);
	assert_string_equal(list[1].prev_hash, list[2].hash);
	assert_string_equal(list[1].subject, "api");
	catalog_audits_free(list, n);
	OK(catalog_audit_list(f->cat, 2, &list, &n, &err));
	assert_int_equal(n, 2);
	catalog_audits_free(list, n);
	OK(catalog_audit_subject(f->cat, "db", &list, &n, &err));
	assert_int_equal(n, 2); /* one subject's rows, oldest first */
	assert_int_equal(list[0].seq, 1);
	assert_int_equal(list[1].seq, 3);
	assert_string_equal(list[1].details, "{\"tier\":\"low\"}");
	catalog_audits_free(list, n);
	OK(catalog_audit_subject(f->cat, "nobody", &list, &n, &err));
	assert_int_equal(n, 0);
	catalog_audits_free(list, n);

	/* each: in order, stopping at the first non-zero answer. */
	assert_int_equal(catalog_audit_each(f->cat, count_rows, &seen, &err),
	                 42);
	assert_int_equal(seen, 2);
	free(err);
	err = NULL;
}

static void case_import(struct fx *f)
{
	struct catalog_import *imp = NULL;
	struct catalog_backup b, got;
	char other[64];
	int64_t expired = -1;
	int outcome = 0;
	const char *meta = "{\"import\":{\"tool\":\"restic\","
	                   "\"repository\":\"r\",\"label\":\"x\"}}";

	add_service(f->cat, "db", "critical");
	add_service(f->cat, "web", "low");
	OK(catalog_import_begin(f->cat, &imp, &err));
	OK(catalog_begin(f->cat, &err));
	b = backup("i1", "db", "completed", T0);
	b.metadata = (char *)meta;
	OK(catalog_import_put(imp, &b, &outcome, other, &err));
	assert_int_equal(outcome, CATALOG_IMPORT_INSERTED);
	b = backup("i2", "db", "completed", T0 + 10);
	b.metadata = (char *)meta;
	OK(catalog_import_put(imp, &b, &outcome, other, &err));
	OK(catalog_commit(f->cat, &err));
	catalog_import_end(imp);

	/* The next listing: i1 again, i2 changed, i3 new; a backup of
	 * another service with i1's id conflicts. */
	OK(catalog_import_begin(f->cat, &imp, &err));
	OK(catalog_begin(f->cat, &err));
	b = backup("i1", "db", "completed", T0);
	b.metadata = (char *)meta;
	OK(catalog_import_put(imp, &b, &outcome, other, &err));
	assert_int_equal(outcome, CATALOG_IMPORT_UNCHANGED);
	b = backup("i1", "web", "completed", T0);
	b.metadata = (char *)meta;
	OK(catalog_import_put(imp, &b, &outcome, other, &err));
	assert_int_equal(outcome, CATALOG_IMPORT_CONFLICT);
	assert_string_equal(other, "db");
	b = backup("i3", "db", "failed", T0 + 20);
	b.metadata = (char *)meta;
	OK(catalog_import_put(imp, &b, &outcome, other, &err));
	assert_int_equal(outcome, CATALOG_IMPORT_INSERTED);
	OK(catalog_import_expire(imp, "db", "restic", "r", &expired, &err));
	assert_int_equal(expired, 1); /* i2: no longer listed */
	OK(catalog_commit(f->cat, &err));
	catalog_import_end(imp);
	catalog_import_end(NULL);

	OK(catalog_backup_get(f->cat, "i2", &got, &err));
	assert_string_equal(got.status, "expired");
	catalog_backup_clear(&got);
	OK(catalog_backup_get(f->cat, "i3", &got, &err));
	assert_string_equal(got.status, "failed");
	catalog_backup_clear(&got);

	/* A changed row is updated; a rolled-back import leaves nothing. */
	OK(catalog_import_begin(f->cat, &imp, &err));
	OK(catalog_begin(f->cat, &err));
	b = backup("i3", "db", "completed", T0 + 20);
	b.metadata = (char *)meta;
	OK(catalog_import_put(imp, &b, &outcome, other, &err));
	assert_int_equal(outcome, CATALOG_IMPORT_UPDATED);
	b = backup("i4", "db", "completed", T0 + 30);
	OK(catalog_import_put(imp, &b, &outcome, other, &err));
	catalog_rollback(f->cat);
	catalog_import_end(imp);
	OK(catalog_backup_get(f->cat, "i3", &got, &err));
	assert_string_equal(got.status, "failed");
	catalog_backup_clear(&got);
	RC(CATALOG_ENOTFOUND, catalog_backup_get(f->cat, "i4", &got, &err));
}

static void case_transactions(struct fx *f)
{
	struct catalog_service got;
	struct catalog_job j;
	struct catalog_notify m;
	struct catalog_recovery r;
	struct catalog_runbook_exec x;
	struct catalog_audit a;
	struct catalog_audit *audits = NULL;
	struct catalog_notify *msgs = NULL;
	int64_t before = 0, after = 0, at = 0, count = -1;
	size_t n = 0;

	OK(catalog_data_version(f->cat, &before, &err));

	/* Rolled back: nothing of any area is left. */
	OK(catalog_begin(f->cat, &err));
	add_service(f->cat, "db", "critical");
	add_backup(f->cat, "b1", "db", "completed", T0);
	r = recovery("r1", "db", T0);
	OK(catalog_recovery_insert(f->cat, &r, &err));
	x = exec_of("r1", "k");
	OK(catalog_runbook_exec_insert(f->cat, &x, NULL, &err));
	OK(catalog_job_start(f->cat, "prune", T0, 0, &err));
	m = notify("verdict", "ops", "BREACH", "pending", T0);
	OK(catalog_notify_insert(f->cat, &m, &err));
	memset(&a, 0, sizeof a);
	a.at = T0;
	SET(a.actor, "alice");
	SET(a.action, "service.add");
	SET(a.subject, "db");
	OK(catalog_audit_append(f->cat, &a, &err));
	catalog_rollback(f->cat);

	RC(CATALOG_ENOTFOUND, catalog_service_get(f->cat, "db", &got, &err));
	OK(catalog_backup_count(f->cat, NULL, &count, &err));
	assert_int_equal(count, 0);
	RC(CATALOG_ENOTFOUND, catalog_recovery_get(f->cat, "r1", &r, &err));
	RC(CATALOG_ENOTFOUND, catalog_runbook_exec_get(f->cat, "r1", &x, &err));
	RC(CATALOG_ENOTFOUND, catalog_job_get(f->cat, "prune", &j, &err));
	OK(catalog_notify_list(f->cat, 0, &msgs, &n, &err));
	assert_int_equal(n, 0);
	free(msgs);
	OK(catalog_audit_list(f->cat, 0, &audits, &n, &err));
	assert_int_equal(n, 0);
	catalog_audits_free(audits, n);
	OK(catalog_data_version(f->cat, &after, &err));
	assert_true(after == before);

	/* A call that fails inside a transaction undoes only itself. */
	OK(catalog_begin(f->cat, &err));
	add_service(f->cat, "db", "critical");
	struct catalog_service dup;
	OK(catalog_service_get(f->cat, "db", &dup, &err));
	RC(CATALOG_EEXIST, catalog_service_add(f->cat, &dup, &err));
	/* Refused by the catalog, not lost on the way: not to be retried
	 * (tests/integration/catalog_pg_retry.sh loses the server). */
	assert_int_equal(catalog_lost(f->cat), CATALOG_LOST_NONE);
	add_service(f->cat, "api", "low");
	OK(catalog_audit_append(f->cat, &a, &err));
	OK(catalog_commit(f->cat, &err));
	OK(catalog_service_get(f->cat, "db", &got, &err));
	OK(catalog_service_get(f->cat, "api", &got, &err));
	OK(catalog_audit_list(f->cat, 0, &audits, &n, &err));
	assert_int_equal(n, 1);
	catalog_audits_free(audits, n);

	/* A commit moves the data version and the last change. */
	OK(catalog_data_version(f->cat, &after, &err));
	assert_true(after != before);
	OK(catalog_last_change(f->cat, &at, &err));
	assert_true(at > 0);
}

/* ---- the table ----------------------------------------------------------- */

struct conf_case {
	const char *name;
	/* The entries of db/backend.h's tables the case calls, each as
	 * " entry " (agent entries as "agent.entry", and so on). */
	const char *covers;
	void (*run)(struct fx *f);
};

static const struct conf_case cases[] = {
    {"open, schema, integrity",
     " open close notice schema_version check_integrity ", case_open},
    {"info and change notifications", " info watch watch_read ",
     case_info_watch},
    {"least-privilege grants", " grants ", case_grants},
    {"copy into a new catalog", " rows_each rows_put rows_clear rows_end ",
     case_copy},
    {"tiers", " tier_put tier_list ", case_tiers},
    {"services", " service_add service_put service_get service_list ",
     case_services},
    {"service remove", " service_remove ", case_service_remove},
    {"backups",
     " backup_insert backup_update backup_get backup_list backup_count ",
     case_backups},
    {"health", " health_get ", case_health},
    {"restores", " restore_record restore_list ", case_restores},
    {"service counters", " service_counters ", case_service_counters},
    {"backup counts", " backup_counts ", case_backup_counts},
    {"service states", " service_states ", case_service_states},
    {"replication",
     " replication_record replication_latest replication_history "
     "replication_prune ",
     case_replication},
    {"probes", " probe_record probe_latest probe_prune ", case_probes},
    {"test notes", " test_note_put test_note_get ", case_test_notes},
    {"verdicts", " verdict_record verdict_latest verdict_history ",
     case_verdicts},
    {"recoveries",
     " recovery_insert recovery_update recovery_get recovery_list "
     "recovery_step_put recovery_step_list ",
     case_recoveries},
    {"recovery pages", " recovery_page ", case_recovery_page},
    {"runbook executions",
     " runbook.runbook_exec_insert runbook.runbook_exec_get "
     "runbook.runbook_exec_hold runbook.runbook_exec_set_child "
     "runbook.runbook_exec_beat "
     "runbook.runbook_exec_close runbook.runbook_exec_list_open "
     "runbook.runbook_var_put runbook.runbook_var_list ",
     case_runbook_execs},
    {"agent heartbeat",
     " agent.agent_beat agent.agent_latest agent.agent_list ", case_agent},
    {"jobs", " agent.job_get agent.job_start agent.job_finish agent.job_list ",
     case_jobs},
    {"probe state",
     " agent.probe_state_get agent.probe_state_put agent.probe_state_list ",
     case_probe_state},
    {"notify state",
     " agent.notify_state_get agent.notify_state_put "
     "agent.notify_state_list ",
     case_notify_state},
    {"notification outbox",
     " agent.notify_insert agent.notify_update agent.notify_last_told "
     "agent.notify_count_since agent.notify_due agent.notify_list "
     "agent.notify_held agent.notify_latest agent.notify_undelivered ",
     case_notify_outbox},
    {"alarm marks",
     " agent.alarm_mark_put agent.alarm_mark_delete agent.alarm_mark_list ",
     case_alarm_marks},
    {"audit log", " audit_append audit_each audit_list audit_subject ",
     case_audit},
    {"import",
     " import.import_begin import.import_put import.import_expire "
     "import.import_end ",
     case_import},
    {"transactions", " begin commit rollback lost data_version last_change ",
     case_transactions},
};

#define N_CASES (sizeof cases / sizeof cases[0])

/* Every entry of the tables in db/backend.h, by table.  The counts are
 * checked against the tables' sizes, so an entry added there must be
 * added here, and then to a case. */
static const char *const main_entries[] = {
    "open",
    "close",
    "notice",
    "schema_version",
    "begin",
    "commit",
    "rollback",
    "lost",
    "data_version",
    "last_change",
    "info",
    "watch",
    "watch_read",
    "grants",
    "rows_each",
    "rows_put",
    "rows_clear",
    "rows_end",
    "tier_put",
    "tier_list",
    "service_add",
    "service_put",
    "service_get",
    "service_list",
    "service_remove",
    "backup_insert",
    "backup_update",
    "backup_get",
    "backup_list",
    "backup_count",
    "health_get",
    "restore_record",
    "restore_list",
    "replication_record",
    "replication_latest",
    "replication_history",
    "replication_prune",
    "probe_record",
    "probe_latest",
    "probe_prune",
    "recovery_insert",
    "recovery_update",
    "recovery_get",
    "recovery_list",
    "recovery_step_put",
    "recovery_step_list",
    "recovery_page",
    "service_states",
    "verdict_record",
    "verdict_latest",
    "verdict_history",
    "test_note_put",
    "test_note_get",
    "backup_counts",
    "audit_append",
    "audit_each",
    "audit_list",
    "audit_subject",
    "check_integrity",
    "service_counters",
};
static const char *const agent_entries[] = {
    "agent_beat",         "agent_latest",
    "agent_list",         "job_get",
    "job_start",          "job_finish",
    "job_list",           "probe_state_get",
    "probe_state_put",    "probe_state_list",
    "notify_state_get",   "notify_state_put",
    "notify_insert",      "notify_update",
    "notify_last_told",   "notify_count_since",
    "notify_due",         "notify_list",
    "notify_held",        "notify_latest",
    "notify_undelivered", "notify_state_list",
    "alarm_mark_put",     "alarm_mark_delete",
    "alarm_mark_list",
};
static const char *const runbook_entries[] = {
    "runbook_exec_insert",    "runbook_exec_get",   "runbook_exec_hold",
    "runbook_exec_set_child", "runbook_exec_close", "runbook_exec_list_open",
    "runbook_var_put",        "runbook_var_list",   "runbook_exec_beat",
};
static const char *const import_entries[] = {"import_begin", "import_put",
                                             "import_expire", "import_end"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define SLOTS(t) (sizeof(t) / sizeof(void (*)(void)))

static void check_covered(const char *table, const char *const *entries,
                          size_t n)
{
	char word[128];

	for (size_t i = 0; i < n; i++) {
		int found = 0;

		if (table[0] != '\0')
			snprintf(word, sizeof word, " %s.%s ", table,
			         entries[i]);
		else
			snprintf(word, sizeof word, " %s ", entries[i]);
		for (size_t c = 0; c < N_CASES && !found; c++)
			found = strstr(cases[c].covers, word) != NULL;
		if (!found)
			fail_msg("no case covers %s%s%s", table,
			         table[0] ? "." : "", entries[i]);
	}
}

static void every_entry_has_a_case(void **state)
{
	(void)state;
	/* The main table: a name, its functions, three sub-tables. */
	assert_int_equal(SLOTS(struct catalog_backend_ops),
	                 1 + COUNT(main_entries) + 3);
	assert_int_equal(SLOTS(struct catalog_agent_ops), COUNT(agent_entries));
	assert_int_equal(SLOTS(struct catalog_runbook_ops),
	                 COUNT(runbook_entries));
	assert_int_equal(SLOTS(struct catalog_import_ops),
	                 COUNT(import_entries));
	check_covered("", main_entries, COUNT(main_entries));
	check_covered("agent", agent_entries, COUNT(agent_entries));
	check_covered("runbook", runbook_entries, COUNT(runbook_entries));
	check_covered("import", import_entries, COUNT(import_entries));
}

static int case_setup(void **state)
{
	const struct conf_case *c = *state;
	struct fx *f;

	setup(state);
	f = *state;
	f->run = c->run;
	return 0;
}

static void run_case(void **state)
{
	struct fx *f = *state;

	f->run(f);
}

int main(void)
{
	struct CMUnitTest tests[N_CASES + 1];
	size_t n = 0;

	for (size_t i = 0; i < N_CASES; i++)
		tests[n++] =
		    (struct CMUnitTest){cases[i].name, run_case, case_setup,
		                        teardown, (void *)&cases[i]};
	tests[n++] = (struct CMUnitTest){
	    "every entry has a case", every_entry_has_a_case, NULL, NULL, NULL};
	return _cmocka_run_group_tests("catalog_conformance", tests, n, NULL,
	                               NULL);
}
