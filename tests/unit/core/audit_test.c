/* The audit chain against a real SQLite catalog.  The attacker is played by
 * raw sqlite3 on the same file: it drops the append-only triggers and then
 * edits or deletes a row, and audit_verify must name the first bad row. */
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

#include "core/audit.h"
#include "core/crypto.h"
#include "core/error.h"

/* ---- who -------------------------------------------------------------- */

static void actor_origin_from_ssh_client(void **state)
{
	(void)state;
	char actor[64], origin[64];

	setenv("SSH_CLIENT", "203.0.113.7 51234 22", 1);
	setenv("SSH_CONNECTION", "198.51.100.1 40000 10.0.0.1 22", 1);
	audit_actor(actor, origin);
	assert_true(actor[0] != '\0');
	assert_string_equal(origin, "203.0.113.7");

	unsetenv("SSH_CLIENT");
	audit_actor(actor, origin);
	assert_string_equal(origin, "198.51.100.1");

	unsetenv("SSH_CONNECTION");
	audit_actor(actor, origin);
	assert_string_equal(origin, "");

	setenv("SSH_CLIENT", "2001:db8::1 51234 22", 1);
	audit_actor(actor, origin);
	assert_string_equal(origin, "2001:db8::1");
	unsetenv("SSH_CLIENT");
}

/* ---- the hash --------------------------------------------------------- */

static struct catalog_audit sample_row(void)
{
	struct catalog_audit r;

	memset(&r, 0, sizeof(r));
	r.seq = 7;
	r.at = 1795000000;
	snprintf(r.actor, sizeof(r.actor), "alice");
	snprintf(r.origin, sizeof(r.origin), "203.0.113.7");
	snprintf(r.action, sizeof(r.action), "service.add");
	snprintf(r.subject, sizeof(r.subject), "billing");
	snprintf(r.prev_hash, sizeof(r.prev_hash), "%064d", 0);
	return r;
}

static void hash_is_hex_and_deterministic(void **state)
{
	(void)state;
	struct catalog_audit r = sample_row();
	char a[72], b[72];

	audit_hash(&r, a);
	assert_true(sha256_hex_valid(a));
	snprintf(r.hash, sizeof(r.hash), "ignored");
	audit_hash(&r, b);
	assert_string_equal(a, b);

	/* NULL details and "" details are the same row. */
	char empty[] = "";
	r.details = empty;
	audit_hash(&r, b);
	assert_string_equal(a, b);
}

static void hash_covers_every_field(void **state)
{
	(void)state;
	struct catalog_audit base = sample_row(), r;
	char h0[72], h[72];
	char details[] = "tier=critical";

	audit_hash(&base, h0);
#define CHANGED(stmt)                                                          \
	do {                                                                   \
		r = base;                                                      \
		stmt;                                                          \
		audit_hash(&r, h);                                             \
		assert_string_not_equal(h, h0);                                \
	} while (0)
	CHANGED(r.seq = 8);
	CHANGED(r.at = 1795000001);
	CHANGED(r.actor[0] = 'A');
	CHANGED(r.origin[0] = '\0');
	CHANGED(r.action[0] = 'S');
	CHANGED(r.subject[0] = 'B');
	CHANGED(r.details = details);
	CHANGED(r.prev_hash[63] = '1');
#undef CHANGED
}

static void hash_fields_cannot_slide_into_each_other(void **state)
{
	(void)state;
	struct catalog_audit x = sample_row(), y = sample_row();
	char hx[72], hy[72];

	/* "ab" + "c" versus "a" + "bc" */
	snprintf(x.action, sizeof(x.action), "ab");
	snprintf(x.subject, sizeof(x.subject), "c");
	snprintf(y.action, sizeof(y.action), "a");
	snprintf(y.subject, sizeof(y.subject), "bc");
	audit_hash(&x, hx);
	audit_hash(&y, hy);
	assert_string_not_equal(hx, hy);

	/* A separator-looking byte inside a field does not help either. */
	x = sample_row();
	y = sample_row();
	snprintf(x.actor, sizeof(x.actor), "a\n1:b");
	x.origin[0] = '\0';
	snprintf(y.actor, sizeof(y.actor), "a");
	snprintf(y.origin, sizeof(y.origin), "b");
	audit_hash(&x, hx);
	audit_hash(&y, hy);
	assert_string_not_equal(hx, hy);
}

/* ---- a real catalog --------------------------------------------------- */

struct fixture {
	char dir[64];
	char path[96];
	struct catalog *cat;
};

static int open_catalog(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char *err = NULL;

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/drauditXXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/catalog.db", f->dir);
	int rc = catalog_open(f->path, CATALOG_CREATE, &f->cat, &err);
	if (rc != CATALOG_OK)
		fail_msg("catalog_open: %s", err);
	audit_attach(f->cat);
	setenv("DRCONSOLE_NOW", "1795000000", 1);
	*state = f;
	return 0;
}

static int close_catalog(void **state)
{
	struct fixture *f = *state;
	char cmd[160];

	catalog_close(f->cat);
	/* The files a catalog leaves: the database, -wal and -shm. */
	snprintf(cmd, sizeof(cmd), "%s/catalog.db", f->dir);
	unlink(cmd);
	snprintf(cmd, sizeof(cmd), "%s/catalog.db-wal", f->dir);
	unlink(cmd);
	snprintf(cmd, sizeof(cmd), "%s/catalog.db-shm", f->dir);
	unlink(cmd);
	rmdir(f->dir);
	free(f);
	unsetenv("DRCONSOLE_NOW");
	return 0;
}

static int64_t existing_rows(struct catalog *cat)
{
	struct catalog_audit *list = NULL;
	size_t n = 0;
	char *err = NULL;

	if (catalog_audit_list(cat, 0, &list, &n, &err) != CATALOG_OK)
		fail_msg("catalog_audit_list: %s", err);
	catalog_audits_free(list, n);
	return (int64_t)n;
}

static void append_rows(struct catalog *cat, int count)
{
	char subject[32], details[64];
	char *err = NULL;

	for (int i = 1; i <= count; i++) {
		snprintf(subject, sizeof(subject), "svc-%d", i);
		snprintf(details, sizeof(details), "{\"n\":%d}", i);
		int rc = audit_record(cat, "service.add", subject,
		                      i % 2 ? details : NULL, &err);
		if (rc != DR_OK)
			fail_msg("audit_record: %s", err);
	}
}

/* The attacker: raw SQL with the append-only triggers out of the way. */
static void attack(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	char *names[16];
	int n = 0;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_prepare_v2(db,
	                                    "SELECT name FROM sqlite_master "
	                                    "WHERE type = 'trigger' AND "
	                                    "tbl_name = 'audit_log'",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW && n < 16)
		names[n++] = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	for (int i = 0; i < n; i++) {
		char *drop = sqlite3_mprintf("DROP TRIGGER \"%w\"", names[i]);
		assert_int_equal(sqlite3_exec(db, drop, NULL, NULL, NULL),
		                 SQLITE_OK);
		sqlite3_free(drop);
		free(names[i]);
	}
	char *err = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("attack SQL failed: %s", err);
	assert_int_equal(sqlite3_changes(db), 1);
	sqlite3_close(db);
}

static void intact_chain_verifies(void **state)
{
	struct fixture *f = *state;
	int64_t rows = -1, bad = -1;
	char *err = NULL;
	int64_t before = existing_rows(f->cat);

	assert_int_equal(audit_verify(f->cat, &rows, &bad, &err), DR_OK);
	assert_int_equal(rows, before);

	int64_t t0 = (int64_t)time(NULL);
	setenv("SSH_CLIENT", "203.0.113.7 51234 22", 1);
	append_rows(f->cat, 5);
	unsetenv("SSH_CLIENT");
	assert_int_equal(audit_verify(f->cat, &rows, &bad, &err), DR_OK);
	assert_int_equal(rows, before + 5);
	assert_int_equal(bad, 0);

	/* What was written is what audit_record was told. */
	struct catalog_audit *list = NULL;
	size_t n = 0;
	assert_int_equal(catalog_audit_list(f->cat, 1, &list, &n, &err),
	                 CATALOG_OK);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].seq, before + 5);
	/* DRCONSOLE_NOW (pinned by the fixture) never back-dates a row. */
	assert_true(list[0].at != 1795000000);
	assert_true(list[0].at >= t0 && list[0].at <= (int64_t)time(NULL));
	assert_string_equal(list[0].action, "service.add");
	assert_string_equal(list[0].subject, "svc-5");
	assert_string_equal(list[0].origin, "203.0.113.7");
	assert_true(list[0].actor[0] != '\0');
	assert_non_null(list[0].details);
	assert_string_equal(list[0].details, "{\"n\":5}");
	assert_true(sha256_hex_valid(list[0].hash));
	catalog_audits_free(list, n);
}

static void edited_row_is_named(void **state)
{
	struct fixture *f = *state;
	int64_t rows = -1, bad = -1;
	char *err = NULL;
	int64_t before = existing_rows(f->cat);

	append_rows(f->cat, 6);
	char *sql = sqlite3_mprintf("UPDATE audit_log SET subject = 'other' "
	                            "WHERE seq = %lld",
	                            (long long)(before + 3));
	attack(f->path, sql);
	sqlite3_free(sql);

	assert_int_equal(audit_verify(f->cat, &rows, &bad, &err), DR_ECORRUPT);
	assert_int_equal(bad, before + 3);
	assert_int_equal(rows, before + 2);
	char want[96];
	snprintf(want, sizeof(want),
	         "audit log broken at row %lld: hash does not match its "
	         "contents",
	         (long long)(before + 3));
	assert_string_equal(err, want);
	free(err);
}

static void deleted_row_is_named(void **state)
{
	struct fixture *f = *state;
	int64_t rows = -1, bad = -1;
	char *err = NULL;
	int64_t before = existing_rows(f->cat);

	append_rows(f->cat, 6);
	char *sql = sqlite3_mprintf("DELETE FROM audit_log WHERE seq = %lld",
	                            (long long)(before + 4));
	attack(f->path, sql);
	sqlite3_free(sql);

	assert_int_equal(audit_verify(f->cat, &rows, &bad, &err), DR_ECORRUPT);
	assert_int_equal(bad, before + 5);
	char want[96];
	snprintf(want, sizeof(want), "row %lld does not follow row %lld",
	         (long long)(before + 5), (long long)(before + 3));
	assert_non_null(strstr(err, want));
	assert_non_null(strstr(err, "row deleted?"));
	free(err);
}

static void deleted_first_row_is_named(void **state)
{
	struct fixture *f = *state;
	int64_t rows = -1, bad = -1;
	char *err = NULL;

	append_rows(f->cat, 3);
	attack(f->path, "DELETE FROM audit_log WHERE seq = 1");
	assert_int_equal(audit_verify(f->cat, &rows, &bad, &err), DR_ECORRUPT);
	assert_int_equal(bad, 2);
	assert_int_equal(rows, 0);
	assert_non_null(strstr(err, "row 2"));
	free(err);
}

static void head_of(struct catalog *cat, struct audit_anchor *a)
{
	struct audit_verify_result res;
	char *err = NULL;

	assert_int_equal(audit_verify_anchored(cat, NULL, 0, &res, &err),
	                 DR_OK);
	a->seq = res.head_seq;
	snprintf(a->hash, sizeof a->hash, "%s", res.head_hash);
}

/* Deleting the newest rows leaves a chain that links; only a head kept
 * elsewhere shows the loss. */
static void truncation_breaks_an_anchor(void **state)
{
	struct fixture *f = *state;
	struct audit_verify_result res;
	struct audit_anchor head;
	char *err = NULL;
	int64_t rows = -1, bad = -1;

	append_rows(f->cat, 4);
	head_of(f->cat, &head);
	attack(f->path, "DELETE FROM audit_log WHERE seq = "
	                "(SELECT max(seq) FROM audit_log)");
	assert_int_equal(audit_verify(f->cat, &rows, &bad, &err), DR_OK);
	assert_int_equal(audit_verify_anchored(f->cat, &head, 1, &res, &err),
	                 DR_ECORRUPT);
	assert_non_null(strstr(err, "rows deleted from its end"));
	free(err);
}

/* An edit followed by recomputing the unkeyed chain verifies alone; the
 * anchor still catches it. */
static void rewrite_breaks_an_anchor(void **state)
{
	struct fixture *f = *state;
	struct audit_verify_result res;
	struct audit_anchor head;
	char *err = NULL;

	append_rows(f->cat, 3);
	head_of(f->cat, &head);
	/* The rewrite: the newest row's subject changed and its hash
	 * recomputed with the published algorithm. */
	struct catalog_audit *list = NULL;
	size_t n = 0;
	assert_int_equal(catalog_audit_list(f->cat, 1, &list, &n, &err),
	                 CATALOG_OK);
	snprintf(list[0].subject, sizeof list[0].subject, "forged");
	char h[72];
	audit_hash(&list[0], h);
	char *sql = sqlite3_mprintf("UPDATE audit_log SET subject = 'forged', "
	                            "hash = %Q WHERE seq = %lld",
	                            h, (long long)list[0].seq);
	catalog_audits_free(list, n);
	attack(f->path, sql);
	sqlite3_free(sql);
	assert_int_equal(audit_verify_anchored(f->cat, NULL, 0, &res, &err),
	                 DR_OK);
	assert_int_equal(audit_verify_anchored(f->cat, &head, 1, &res, &err),
	                 DR_ECORRUPT);
	assert_non_null(strstr(err, "the log was rewritten"));
	free(err);
}

/* With a key, the same rewrite fails without any anchor, and a chain with
 * keyed rows does not verify without the key. */
static void keyed_chain_needs_the_key(void **state)
{
	struct fixture *f = *state;
	struct audit_verify_result res;
	char *err = NULL, key[4096];

	snprintf(key, sizeof key, "%s.key", f->path);
	FILE *k = fopen(key, "w");
	assert_non_null(k);
	fputs("a secret only the auditors hold\n", k);
	fclose(k);
	chmod(key, 0600);
	append_rows(f->cat, 2);
	assert_int_equal(audit_use_key_file(key, &err), DR_OK);
	append_rows(f->cat, 3);
	assert_int_equal(audit_verify_anchored(f->cat, NULL, 0, &res, &err),
	                 DR_OK);
	assert_true(res.first_keyed > 0);
	assert_int_equal(strncmp(res.head_hash, "k1:", 3), 0);

	/* Rewritten without the key: the attacker hashes it unkeyed. */
	struct catalog_audit *list = NULL;
	size_t n = 0;
	assert_int_equal(catalog_audit_list(f->cat, 1, &list, &n, &err),
	                 CATALOG_OK);
	audit_forget_key();
	snprintf(list[0].subject, sizeof list[0].subject, "forged");
	char h[72];
	audit_hash(&list[0], h);
	char *sql = sqlite3_mprintf("UPDATE audit_log SET subject = 'forged', "
	                            "hash = %Q WHERE seq = %lld",
	                            h, (long long)list[0].seq);
	catalog_audits_free(list, n);
	attack(f->path, sql);
	sqlite3_free(sql);
	assert_int_equal(audit_use_key_file(key, &err), DR_OK);
	assert_int_equal(audit_verify_anchored(f->cat, NULL, 0, &res, &err),
	                 DR_ECORRUPT);
	assert_non_null(strstr(err, "not keyed but follows keyed row"));
	free(err);
	err = NULL;

	audit_forget_key();
	assert_int_equal(audit_verify_anchored(f->cat, NULL, 0, &res, &err),
	                 DR_ECORRUPT);
	assert_non_null(strstr(err, "is keyed: give the key"));
	free(err);
	unlink(key);
}

static void anchors_parse_or_say_why(void **state)
{
	(void)state;
	struct audit_anchor a;
	char *err = NULL;
	char good[80];

	snprintf(good, sizeof good, "12:%064d", 7);
	assert_int_equal(audit_anchor_parse(good, &a, &err), DR_OK);
	assert_int_equal(a.seq, 12);
	assert_int_equal(audit_anchor_parse("12", &a, &err), DR_EINVAL);
	assert_non_null(strstr(err, "expected SEQ:HASH"));
	free(err);
	assert_int_equal(audit_anchor_parse("0:abc", &a, &err), DR_EINVAL);
	free(err);
	assert_int_equal(audit_anchor_parse("3:xyz", &a, &err), DR_EINVAL);
	assert_non_null(strstr(err, "64 hex digits"));
	free(err);
}

static void rejects_a_missing_action(void **state)
{
	struct fixture *f = *state;
	char *err = NULL;

	assert_int_equal(audit_record(f->cat, "", "x", NULL, &err), DR_EINVAL);
	assert_non_null(err);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(actor_origin_from_ssh_client),
	    cmocka_unit_test(hash_is_hex_and_deterministic),
	    cmocka_unit_test(hash_covers_every_field),
	    cmocka_unit_test(hash_fields_cannot_slide_into_each_other),
	    cmocka_unit_test_setup_teardown(intact_chain_verifies, open_catalog,
	                                    close_catalog),
	    cmocka_unit_test_setup_teardown(edited_row_is_named, open_catalog,
	                                    close_catalog),
	    cmocka_unit_test_setup_teardown(deleted_row_is_named, open_catalog,
	                                    close_catalog),
	    cmocka_unit_test_setup_teardown(deleted_first_row_is_named,
	                                    open_catalog, close_catalog),
	    cmocka_unit_test_setup_teardown(truncation_breaks_an_anchor,
	                                    open_catalog, close_catalog),
	    cmocka_unit_test_setup_teardown(rewrite_breaks_an_anchor,
	                                    open_catalog, close_catalog),
	    cmocka_unit_test_setup_teardown(keyed_chain_needs_the_key,
	                                    open_catalog, close_catalog),
	    cmocka_unit_test(anchors_parse_or_say_why),
	    cmocka_unit_test_setup_teardown(rejects_a_missing_action,
	                                    open_catalog, close_catalog),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
