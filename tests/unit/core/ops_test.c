/* core/ops.c against a real catalog: an audited change is its rows and
 * exactly one audit row, or nothing at all; a read-only session changes
 * nothing; the machine's own bookkeeping writes no audit row; a dry run
 * keeps nothing; and the outcome is told once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/audit.h"
#include "core/error.h"
#include "core/ops.h"
#include "db/catalog.h"

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
	snprintf(f->dir, sizeof(f->dir), "/tmp/draopsXXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/catalog.db", f->dir);
	if (catalog_open(f->path, CATALOG_CREATE, &f->cat, &err) != CATALOG_OK)
		fail_msg("catalog_open: %s", err);
	audit_attach(f->cat);
	*state = f;
	return 0;
}

static int close_catalog(void **state)
{
	struct fixture *f = *state;
	char p[160];

	catalog_close(f->cat);
	snprintf(p, sizeof(p), "%s/catalog.db", f->dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/catalog.db-wal", f->dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/catalog.db-shm", f->dir);
	unlink(p);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* ---- the changes the tests make ---------------------------------------- */

/* What a change is asked to do, and what it saw. */
struct change {
	const char *service; /* added */
	const char *second;  /* added after it, or NULL */
	const char *details; /* for the audit row, or NULL */
	int fail_after;      /* nonzero: fail once the writes are done */
	int calls;
};

static int add_service(struct catalog *cat, const char *name, char **err)
{
	struct catalog_service s;

	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "%s", name);
	snprintf(s.owner, sizeof(s.owner), "dba");
	s.rto_s = 3600;
	s.rpo_s = 900;
	return catalog_service_add(cat, &s, err);
}

static int change_fn(struct catalog *cat, void *arg, char **details, char **err)
{
	struct change *c = arg;
	int rc;

	c->calls++;
	rc = add_service(cat, c->service, err);
	if (rc == DR_OK && c->second != NULL)
		rc = add_service(cat, c->second, err);
	if (rc != DR_OK)
		return rc;
	if (c->details != NULL)
		*details = strdup(c->details);
	if (c->fail_after) {
		*err = strdup("the change failed after its writes");
		return DR_EINVAL;
	}
	return DR_OK;
}

/* ---- what the catalog holds ------------------------------------------- */

static int has_service(struct catalog *cat, const char *name)
{
	struct catalog_service s;
	char *err = NULL;
	int rc = catalog_service_get(cat, name, &s, &err);

	free(err);
	if (rc != CATALOG_OK && rc != CATALOG_ENOTFOUND)
		fail_msg("catalog_service_get: %d", rc);
	return rc == CATALOG_OK;
}

/* The audit rows, newest first; the caller frees them. */
static size_t audit_rows(struct catalog *cat, struct catalog_audit **list)
{
	size_t n = 0;
	char *err = NULL;

	*list = NULL;
	if (catalog_audit_list(cat, 0, list, &n, &err) != CATALOG_OK)
		fail_msg("catalog_audit_list: %s", err);
	return n;
}

static size_t audit_count(struct catalog *cat)
{
	struct catalog_audit *list;
	size_t n = audit_rows(cat, &list);

	catalog_audits_free(list, n);
	return n;
}

/* ---- outcomes ----------------------------------------------------------- */

struct heard {
	int outcomes;
	char action[64];
	char subject[128];
	int status;
	char message[512];
	int had_message;
};

static void on_outcome(void *arg, const struct ops_outcome *o)
{
	struct heard *h = arg;

	h->outcomes++;
	snprintf(h->action, sizeof(h->action), "%s", o->action);
	snprintf(h->subject, sizeof(h->subject), "%s",
	         o->subject ? o->subject : "");
	h->status = o->status;
	h->had_message = o->message != NULL;
	snprintf(h->message, sizeof(h->message), "%s",
	         o->message ? o->message : "");
}

/* ---- tests -------------------------------------------------------------- */

static void audited_writes_change_and_one_audit_row(void **state)
{
	struct fixture *f = *state;
	struct change c = {"orders", NULL, "tier=gold owner=dba", 0, 0};
	struct catalog_audit *list;
	size_t before = audit_count(f->cat), n;
	char *err = NULL;

	assert_int_equal(
	    ops_audited(f->cat, "service.add", "orders", change_fn, &c, &err),
	    DR_OK);
	assert_null(err);
	assert_int_equal(c.calls, 1);
	assert_true(has_service(f->cat, "orders"));
	n = audit_rows(f->cat, &list);
	assert_int_equal(n, before + 1);
	assert_string_equal(list[0].action, "service.add");
	assert_string_equal(list[0].subject, "orders");
	assert_non_null(list[0].details);
	assert_string_equal(list[0].details, "tier=gold owner=dba");
	catalog_audits_free(list, n);
}

static void audited_without_details_or_change(void **state)
{
	struct fixture *f = *state;
	struct catalog_audit *list;
	size_t before = audit_count(f->cat), n;
	char *err = NULL;

	/* A lone audited fact (a refused confirmation): no change at all. */
	assert_int_equal(ops_audited(f->cat, "runbook.confirm_refused", "rec-1",
	                             NULL, NULL, &err),
	                 DR_OK);
	n = audit_rows(f->cat, &list);
	assert_int_equal(n, before + 1);
	assert_string_equal(list[0].action, "runbook.confirm_refused");
	assert_string_equal(list[0].subject, "rec-1");
	assert_null(list[0].details);
	catalog_audits_free(list, n);
}

static void failing_change_rolls_everything_back(void **state)
{
	struct fixture *f = *state;
	struct change c = {"orders", NULL, "details", 1, 0};
	size_t before = audit_count(f->cat);
	char *err = NULL;

	assert_int_equal(
	    ops_audited(f->cat, "service.add", "orders", change_fn, &c, &err),
	    DR_EINVAL);
	assert_non_null(err);
	assert_string_equal(err, "the change failed after its writes");
	free(err);
	assert_false(has_service(f->cat, "orders"));
	assert_int_equal(audit_count(f->cat), before);
}

static void failing_catalog_write_rolls_back_the_first(void **state)
{
	struct fixture *f = *state;
	/* The second write is refused (the name is taken): the first must
	 * go with it. */
	struct change c = {"billing", "billing", NULL, 0, 0};
	size_t before = audit_count(f->cat);
	char *err = NULL;

	assert_int_equal(
	    ops_audited(f->cat, "service.add", "billing", change_fn, &c, &err),
	    DR_EEXIST);
	assert_non_null(err);
	free(err);
	assert_false(has_service(f->cat, "billing"));
	assert_int_equal(audit_count(f->cat), before);
	/* And the catalog takes the next change: nothing was left open. */
	c.second = NULL;
	err = NULL;
	assert_int_equal(
	    ops_audited(f->cat, "service.add", "billing", change_fn, &c, &err),
	    DR_OK);
	assert_true(has_service(f->cat, "billing"));
	assert_int_equal(audit_count(f->cat), before + 1);
}

static void audited_needs_an_action(void **state)
{
	struct fixture *f = *state;
	struct change c = {"orders", NULL, NULL, 0, 0};
	size_t before = audit_count(f->cat);
	char *err = NULL;

	assert_int_equal(ops_audited(f->cat, "", "orders", change_fn, &c, &err),
	                 DR_EINVAL);
	assert_non_null(err);
	free(err);
	err = NULL;
	assert_int_equal(
	    ops_audited(f->cat, NULL, "orders", change_fn, &c, &err),
	    DR_EINVAL);
	free(err);
	assert_int_equal(c.calls, 0);
	assert_false(has_service(f->cat, "orders"));
	assert_int_equal(audit_count(f->cat), before);
}

static void txn_writes_no_audit_row(void **state)
{
	struct fixture *f = *state;
	/* details set by the change are ignored (and freed). */
	struct change c = {"orders", NULL, "ignored", 0, 0};
	size_t before = audit_count(f->cat);
	char *err = NULL;

	assert_int_equal(ops_txn(f->cat, change_fn, &c, &err), DR_OK);
	assert_null(err);
	assert_true(has_service(f->cat, "orders"));
	assert_int_equal(audit_count(f->cat), before);
}

static void failing_txn_rolls_back(void **state)
{
	struct fixture *f = *state;
	struct change c = {"orders", "orders", NULL, 0, 0};
	char *err = NULL;

	assert_int_equal(ops_txn(f->cat, change_fn, &c, &err), DR_EEXIST);
	free(err);
	assert_false(has_service(f->cat, "orders"));
}

static void trial_keeps_nothing(void **state)
{
	struct fixture *f = *state;
	struct change c = {"orders", NULL, "dry", 0, 0};
	size_t before = audit_count(f->cat);
	char *err = NULL;

	assert_int_equal(
	    ops_trial(f->cat, "backup.import", "orders", change_fn, &c, &err),
	    DR_OK);
	assert_null(err);
	assert_int_equal(c.calls, 1);
	assert_false(has_service(f->cat, "orders"));
	assert_int_equal(audit_count(f->cat), before);
	/* A failing dry run says why, and keeps nothing either. */
	c.fail_after = 1;
	assert_int_equal(
	    ops_trial(f->cat, "backup.import", "orders", change_fn, &c, &err),
	    DR_EINVAL);
	assert_non_null(err);
	free(err);
	assert_false(has_service(f->cat, "orders"));
	assert_int_equal(audit_count(f->cat), before);
}

static void read_only_session_changes_nothing(void **state)
{
	struct fixture *f = *state;
	struct heard h;
	struct ops_events ev = {.arg = &h, .outcome = on_outcome};
	struct ops_session s = {f->cat, NULL, 1, &ev};
	struct change c = {"orders", NULL, "details", 0, 0};
	size_t before = audit_count(f->cat);
	char *err = NULL;

	memset(&h, 0, sizeof(h));
	assert_int_equal(
	    ops_change(&s, "service.add", "orders", change_fn, &c, &err),
	    DR_EPERM);
	assert_non_null(err);
	assert_non_null(strstr(err, "read-only"));
	assert_non_null(strstr(err, "service.add"));
	assert_int_equal(c.calls, 0);
	assert_false(has_service(f->cat, "orders"));
	assert_int_equal(audit_count(f->cat), before);
	assert_int_equal(h.outcomes, 1);
	assert_int_equal(h.status, DR_EPERM);
	assert_string_equal(h.action, "service.add");
	assert_string_equal(h.subject, "orders");
	assert_true(h.had_message);
	assert_string_equal(h.message, err);
	free(err);
	assert_int_equal(ops_writable(&s, "x", &err), DR_EPERM);
	free(err);
}

static void change_reports_its_outcome_once(void **state)
{
	struct fixture *f = *state;
	struct heard h;
	struct ops_events ev = {.arg = &h, .outcome = on_outcome};
	struct ops_session s = {f->cat, NULL, 0, &ev};
	struct change c = {"orders", NULL, "owner=dba", 0, 0};
	struct catalog_audit *list;
	size_t before = audit_count(f->cat), n;
	char *err = NULL;

	memset(&h, 0, sizeof(h));
	assert_int_equal(ops_writable(&s, "service.add", &err), DR_OK);
	assert_int_equal(
	    ops_change(&s, "service.add", "orders", change_fn, &c, &err),
	    DR_OK);
	assert_null(err);
	assert_int_equal(h.outcomes, 1);
	assert_int_equal(h.status, DR_OK);
	assert_string_equal(h.action, "service.add");
	assert_string_equal(h.subject, "orders");
	assert_false(h.had_message);
	assert_true(has_service(f->cat, "orders"));
	n = audit_rows(f->cat, &list);
	assert_int_equal(n, before + 1);
	assert_string_equal(list[0].action, "service.add");
	assert_string_equal(list[0].details, "owner=dba");
	catalog_audits_free(list, n);

	/* A failure is told once too, with its code and message. */
	memset(&h, 0, sizeof(h));
	assert_int_equal(
	    ops_change(&s, "service.add", "orders", change_fn, &c, &err),
	    DR_EEXIST);
	assert_non_null(err);
	assert_int_equal(h.outcomes, 1);
	assert_int_equal(h.status, DR_EEXIST);
	assert_true(h.had_message);
	assert_string_equal(h.message, err);
	free(err);
	assert_int_equal(audit_count(f->cat), before + 1);
}

static void session_without_listener(void **state)
{
	struct fixture *f = *state;
	struct ops_session s = {f->cat, NULL, 0, NULL};
	struct ops_events none = {0};
	struct change c = {"orders", NULL, NULL, 0, 0};
	char *err = NULL;

	/* Nobody listens: the change is made all the same. */
	assert_int_equal(
	    ops_change(&s, "service.add", "orders", change_fn, &c, &err),
	    DR_OK);
	assert_true(has_service(f->cat, "orders"));
	assert_int_equal(ops_confirm(&s, "sure?"), -1);
	assert_int_equal(ops_should_stop(&s), 0);
	s.ev = &none;
	ops_note(&s, "nobody reads %s", "this");
	ops_output(&s, "x", 1);
	ops_progress(&s, 1, 2, 0.5);
	ops_report(&s, "service.add", "orders", DR_OK, NULL);
	assert_int_equal(ops_confirm(&s, "sure?"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, open_catalog, close_catalog)
	    T(audited_writes_change_and_one_audit_row),
	    T(audited_without_details_or_change),
	    T(failing_change_rolls_everything_back),
	    T(failing_catalog_write_rolls_back_the_first),
	    T(audited_needs_an_action),
	    T(txn_writes_no_audit_row),
	    T(failing_txn_rolls_back),
	    T(trial_keeps_nothing),
	    T(read_only_session_changes_nothing),
	    T(change_reports_its_outcome_once),
	    T(session_without_listener),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
