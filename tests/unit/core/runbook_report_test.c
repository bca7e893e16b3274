/* The record of one run built from rows put straight into a scratch
 * catalog, so that each figure can be traced to the row it came from:
 * attempts from starts and "attempt N failed" notes, the waits between
 * the row before a start and the start, takeovers, the RTO verdicts per
 * service, data loss unknown without a figure, Markdown fences that hold
 * backticks, and JSON that stays valid with bytes that are not UTF-8. */
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

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "core/audit.h"
#include "core/error.h"
#include "core/runbook_report.h"
#include "core/xmalloc.h"
#include "db/catalog.h"

#define T0 1764000000 /* the incident's start */

struct fx {
	char dir[256];
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

static void audit_row(struct catalog *cat, int64_t at, const char *actor,
                      const char *action, const char *details)
{
	struct catalog_audit a;
	char *err = NULL;

	memset(&a, 0, sizeof a);
	a.at = at;
	strlcpy_dr(a.actor, actor, sizeof a.actor);
	strlcpy_dr(a.action, action, sizeof a.action);
	strlcpy_dr(a.subject, "rec-1", sizeof a.subject);
	a.details = (char *)details;
	assert_int_equal(catalog_audit_append(cat, &a, &err), CATALOG_OK);
}

static void step_row(struct catalog *cat, int seq, const char *id,
                     const char *status, int64_t started, int64_t ended,
                     int exit_code, const char *tail, const char *notes,
                     const char *by)
{
	struct catalog_recovery_step s;
	char *err = NULL;

	memset(&s, 0, sizeof s);
	strlcpy_dr(s.recovery_id, "rec-1", sizeof s.recovery_id);
	s.seq = seq;
	strlcpy_dr(s.step_id, id, sizeof s.step_id);
	strlcpy_dr(s.phase, "Restore", sizeof s.phase);
	strlcpy_dr(s.title, id, sizeof s.title);
	strlcpy_dr(s.status, status, sizeof s.status);
	s.started_at = started;
	s.ended_at = ended;
	s.exit_code = exit_code;
	s.output_tail = (char *)tail;
	s.notes = (char *)notes;
	strlcpy_dr(s.confirmed_by, by, sizeof s.confirmed_by);
	assert_int_equal(catalog_recovery_step_put(cat, &s, &err), CATALOG_OK);
}

/* A real run of api (critical: RTO 15m) and batch (low: 4h) that took
 * 20 minutes: "copy" re-ran once by itself, "migrate" failed and was
 * retried by the operator after a takeover. */
static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	struct catalog_service svc;
	struct catalog_recovery r;
	char *path, *err = NULL;

	snprintf(f->dir, sizeof f->dir, "%s/drrr.XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(f->dir));
	path = xasprintf("%s/catalog.db", f->dir);
	assert_int_equal(catalog_open(path, CATALOG_CREATE, &f->cat, &err),
	                 CATALOG_OK);
	free(path);
	audit_attach(f->cat);
	memset(&svc, 0, sizeof svc);
	strlcpy_dr(svc.name, "api", sizeof svc.name);
	strlcpy_dr(svc.tier, "critical", sizeof svc.tier);
	assert_int_equal(catalog_service_add(f->cat, &svc, &err), CATALOG_OK);
	strlcpy_dr(svc.name, "batch", sizeof svc.name);
	strlcpy_dr(svc.tier, "low", sizeof svc.tier);
	assert_int_equal(catalog_service_add(f->cat, &svc, &err), CATALOG_OK);

	memset(&r, 0, sizeof r);
	strlcpy_dr(r.recovery_id, "rec-1", sizeof r.recovery_id);
	strlcpy_dr(r.incident_type, "outage-3", sizeof r.incident_type);
	r.affected_services = "api,batch,ghost";
	strlcpy_dr(r.recovery_procedure, "restore",
	           sizeof r.recovery_procedure);
	strlcpy_dr(r.recovery_status, "completed", sizeof r.recovery_status);
	r.rto_target_s = 3600;
	r.rpo_target_s = 600;
	r.actual_recovery_s = 1200;
	r.data_loss_minutes = -1;
	strlcpy_dr(r.initiated_by, "ann", sizeof r.initiated_by);
	r.incident_started_at = T0;
	r.initiated_at = T0 + 60;
	r.completed_at = T0 + 1200;
	assert_int_equal(catalog_recovery_insert(f->cat, &r, &err), CATALOG_OK);

	step_row(f->cat, 1, "copy", "completed", T0 + 70, T0 + 100, 0,
	         "copied ``` fenced\n", "attempt 1 failed (exit 3)", "ann");
	step_row(f->cat, 2, "migrate", "completed", T0 + 900, T0 + 1190, 0,
	         "raw \xff\xfe byte\n", "failed (exit 7)", "bob");
	step_row(f->cat, 3, "later", "pending", 0, 0, -1, NULL, NULL, "");

	audit_row(f->cat, T0 + 60, "ann", "runbook.start", "runbook=restore");
	audit_row(f->cat, T0 + 70, "ann", "runbook.step.start",
	          "step=copy confirmed_by=ann drill=0");
	audit_row(f->cat, T0 + 100, "ann", "runbook.step.complete",
	          "step=copy exit=0");
	audit_row(f->cat, T0 + 130, "ann", "runbook.confirm_refused",
	          "migrate");
	audit_row(f->cat, T0 + 160, "ann", "runbook.step.start",
	          "step=migrate confirmed_by=ann drill=0");
	audit_row(f->cat, T0 + 200, "ann", "runbook.step.fail",
	          "step=migrate exit=7");
	audit_row(f->cat, T0 + 800, "bob", "runbook.takeover",
	          "previous holder ann on db-1 (pid 42)");
	audit_row(f->cat, T0 + 900, "bob", "runbook.step.start",
	          "step=migrate confirmed_by=bob drill=0");
	audit_row(f->cat, T0 + 1190, "bob", "runbook.step.complete",
	          "step=migrate exit=0");
	audit_row(f->cat, T0 + 1200, "bob", "runbook.complete",
	          "status=completed");
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

static struct runbook_report *build(struct fx *f)
{
	struct runbook_report *r = NULL;
	char *err = NULL;

	assert_int_equal(
	    runbook_report_build(f->cat, "rec-1", T0 + 5000, &r, &err), DR_OK);
	return r;
}

static void steps_and_attempts(void **state)
{
	struct runbook_report *r = build(*state);

	assert_int_equal(r->n_rows, 3);
	/* copy: one start, one automatic re-run named by its notes. */
	assert_int_equal(r->steps[0].starts, 1);
	assert_int_equal(r->steps[0].attempts, 2);
	assert_int_equal(r->steps[0].failed_attempts, 1);
	assert_int_equal(r->steps[0].duration_s, 30);
	/* migrate: started twice (the operator's retry), failed once; its
	 * start is the first attempt's, not the row's (the last one). */
	assert_int_equal(r->steps[1].starts, 2);
	assert_int_equal(r->steps[1].attempts, 2);
	assert_int_equal(r->steps[1].failed_attempts, 1);
	assert_int_equal(r->steps[1].first_start, T0 + 160);
	assert_int_equal(r->steps[1].duration_s, 1190 - 160);
	assert_int_equal(r->steps[1].n_events, 5); /* refused, start, fail, ..*/
	/* later: never reached. */
	assert_int_equal(r->steps[2].attempts, 0);
	assert_int_equal(r->steps[2].first_start, 0);
	assert_int_equal(r->steps[2].duration_s, -1);
	runbook_report_free(r);
}

static void waits_and_takeovers(void **state)
{
	struct runbook_report *r = build(*state);

	assert_int_equal(r->n_waits, 3);
	/* copy was ready at the start, confirmed 10s later. */
	assert_int_equal(r->waits[0].step, 0);
	assert_int_equal(r->waits[0].ready_at, T0 + 60);
	assert_int_equal(r->waits[0].answered_at, T0 + 70);
	assert_false(r->waits[0].after_failure);
	/* migrate: the refused confirmation is part of the wait. */
	assert_int_equal(r->waits[1].ready_at, T0 + 100);
	assert_int_equal(r->waits[1].answered_at, T0 + 160);
	assert_string_equal(r->waits[1].ready_after, "runbook.step.complete");
	/* After the takeover bob confirmed the retry. */
	assert_int_equal(r->waits[2].ready_at, T0 + 800);
	assert_string_equal(r->waits[2].ready_after, "runbook.takeover");
	assert_string_equal(r->waits[2].by, "bob");
	assert_int_equal(r->n_takeovers, 1);
	assert_string_equal(r->audit[r->takeovers[0]].actor, "bob");
	runbook_report_free(r);
}

static void verdicts(void **state)
{
	struct runbook_report *r = build(*state);

	assert_int_equal(r->elapsed_s, 1200);
	assert_int_equal(r->n_targets, 3);
	assert_int_equal(r->targets[0].rto_s, 900);
	assert_string_equal(runbook_report_rto_verdict(r, 900), "over");
	assert_int_equal(r->targets[1].rto_s, 4 * 3600);
	assert_string_equal(runbook_report_rto_verdict(r, 4 * 3600), "within");
	assert_false(r->targets[2].known); /* ghost */
	assert_string_equal(runbook_report_rto_verdict(r, 0), "unknown");
	/* No figure: unknown whatever the target. */
	assert_string_equal(runbook_report_rpo_verdict(r, 600), "unknown");
	r->rec.data_loss_minutes = 12;
	assert_string_equal(runbook_report_rpo_verdict(r, 600), "over");
	assert_string_equal(runbook_report_rpo_verdict(r, 4 * 3600), "within");
	strlcpy_dr(r->rec.recovery_status, "failed",
	           sizeof r->rec.recovery_status);
	assert_string_equal(runbook_report_rto_verdict(r, 4 * 3600),
	                    "not recovered");
	runbook_report_free(r);
}

static char *markdown(struct runbook_report *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	runbook_report_write(r, RUNBOOK_REPORT_MD, f);
	fclose(f);
	return text;
}

static void markdown_form(void **state)
{
	struct runbook_report *r = build(*state);
	char *md = markdown(r);

	assert_non_null(strstr(md, "- RTO of api: 15m: over\n"));
	assert_non_null(strstr(md, "- RTO of batch: 4h: within\n"));
	assert_non_null(strstr(md, "- RTO of ghost: unknown (no such"));
	assert_non_null(strstr(md, "- Data loss: unknown (no figure"));
	assert_null(strstr(md, "min (recorded"));
	assert_non_null(strstr(md, "- Attempts: 2 (1 failed)\n"));
	/* A tail holding ``` is fenced with four. */
	assert_non_null(
	    strstr(md, "    ````\n    copied ``` fenced\n    ````\n"));
	assert_non_null(strstr(md, "## Takeovers (1)"));
	assert_non_null(strstr(md, "runbook.takeover by bob: previous holder"));
	/* Markdown punctuation from the catalog is escaped. */
	assert_non_null(strstr(md, "confirmed\\_by=bob"));
	free(md);
	runbook_report_free(r);
}

static void json_form(void **state)
{
	struct runbook_report *r = build(*state);
	char *text = runbook_report_json(r);
	cJSON *o = cJSON_Parse(text), *steps, *s;

	assert_non_null(o);
	/* Valid UTF-8 throughout: the raw bytes became U+FFFD. */
	assert_non_null(strstr(text, "raw \xef\xbf\xbd\xef\xbf\xbd byte"));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(
	    cJSON_GetObjectItem(o, "rpo"), "data_loss_minutes")));
	steps = cJSON_GetObjectItem(o, "steps");
	assert_int_equal(cJSON_GetArraySize(steps), 3);
	s = cJSON_GetArrayItem(steps, 1);
	assert_int_equal(cJSON_GetObjectItem(s, "attempts")->valueint, 2);
	assert_int_equal(cJSON_GetObjectItem(s, "exit_status")->valueint, 0);
	assert_true(cJSON_IsNull(
	    cJSON_GetObjectItem(cJSON_GetArrayItem(steps, 2), "exit_status")));
	assert_int_equal(
	    cJSON_GetArraySize(cJSON_GetObjectItem(o, "takeovers")), 1);
	assert_string_equal(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(o, "rto"), "verdict")
	        ->valuestring,
	    "within"); /* the runbook's 1h */
	cJSON_Delete(o);
	free(text);
	runbook_report_free(r);
}

static void unknown_id(void **state)
{
	struct fx *f = *state;
	struct runbook_report *r = NULL;
	char *err = NULL;

	assert_int_equal(runbook_report_build(f->cat, "rec-9", T0, &r, &err),
	                 DR_ENOTFOUND);
	assert_null(r);
	assert_non_null(strstr(err, "rec-9"));
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(steps_and_attempts, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(waits_and_takeovers, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(verdicts, setup, teardown),
	    cmocka_unit_test_setup_teardown(markdown_form, setup, teardown),
	    cmocka_unit_test_setup_teardown(json_form, setup, teardown),
	    cmocka_unit_test_setup_teardown(unknown_id, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
