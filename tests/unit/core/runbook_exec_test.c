/* The runbook engine against a real SQLite catalog in a scratch directory,
 * driven by a scripted front end: the state stored before a command runs,
 * variables only in the environment, typed confirmations, failure choices,
 * rollback order, drills, the one-execution lock, data loss, resume. */
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
#include "core/error.h"
#include "core/runbook.h"
#include "core/runbook_exec.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "db/catalog.h"

struct fx {
	char dir[256];
	char *cat_path;
	struct catalog *cat;
};

/* The scripted operator. */
struct script {
	const char *words[8]; /* answers to typed confirmations, in order */
	size_t n_words, next_word;
	int yes; /* answer to yes/no: 1, 0 or -1 */
	enum runbook_decision decisions[8];
	size_t n_decisions, next_decision;
	int decided;
	char output[8192];
	size_t output_len;
	char notes[4096];
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
	struct fx *f = xcalloc(1, sizeof *f);
	char *err = NULL;

	snprintf(f->dir, sizeof f->dir, "%s/drrb.XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(f->dir));
	f->cat_path = xasprintf("%s/catalog.db", f->dir);
	assert_int_equal(
	    catalog_open(f->cat_path, CATALOG_CREATE, &f->cat, &err),
	    CATALOG_OK);
	audit_attach(f->cat);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	catalog_close(f->cat);
	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f->cat_path);
	free(f);
	return 0;
}

static void ev(void *arg, const struct runbook_exec *x, enum runbook_event e,
               size_t step, const char *text)
{
	struct script *s = arg;
	size_t len = strlen(s->notes);

	(void)x;
	(void)step;
	if (e == RUNBOOK_EV_NOTE && len + strlen(text) + 2 < sizeof s->notes)
		snprintf(s->notes + len, sizeof s->notes - len, "%s\n", text);
}

static void out(void *arg, const struct runbook_exec *x, size_t step,
                const char *buf, size_t len)
{
	struct script *s = arg;

	(void)x;
	(void)step;
	if (s->output_len + len < sizeof s->output) {
		memcpy(s->output + s->output_len, buf, len);
		s->output_len += len;
		s->output[s->output_len] = '\0';
	}
}

static int ask_yes(void *arg, const struct runbook_exec *x, size_t step,
                   const char *q)
{
	(void)x;
	(void)step;
	(void)q;
	return ((struct script *)arg)->yes;
}

static char *ask_word(void *arg, const struct runbook_exec *x, size_t step,
                      const char *q, const char *word)
{
	struct script *s = arg;

	(void)x;
	(void)step;
	(void)q;
	(void)word;
	if (s->next_word >= s->n_words)
		return NULL;
	return xstrdup(s->words[s->next_word++]);
}

static enum runbook_decision decide(void *arg, const struct runbook_exec *x,
                                    size_t step, enum runbook_ask why,
                                    char **reason)
{
	struct script *s = arg;

	(void)x;
	(void)step;
	(void)why;
	s->decided++;
	if (s->next_decision >= s->n_decisions)
		return RUNBOOK_DO_PAUSE;
	enum runbook_decision d = s->decisions[s->next_decision++];
	if (d == RUNBOOK_DO_SKIP)
		*reason = xstrdup("not needed in the test");
	return d;
}

static struct runbook_ui ui_for(struct script *s)
{
	struct runbook_ui ui = {
	    .arg = s,
	    .event = ev,
	    .output = out,
	    .ask_yes = ask_yes,
	    .ask_word = ask_word,
	    .decide = decide,
	};
	return ui;
}

static struct runbook *parse(const char *text)
{
	struct runbook *rb = NULL;
	char *err = NULL;

	if (runbook_parse("test.json", text, strlen(text), &rb, &err) != DR_OK)
		print_error("%s\n", err);
	assert_non_null(rb);
	return rb;
}

/* A runbook of steps given as JSON objects, with variable DIR. */
static struct runbook *make_rb(const char *name, const char *steps)
{
	char *text = xasprintf(
	    "{\"name\": \"%s\", \"title\": \"T\", \"scenario\": \"partial\", "
	    "\"rto\": \"15m\", \"rpo\": \"5m\", \"services\": [\"api\"], "
	    "\"variables\": [{\"name\": \"DIR\", \"prompt\": \"d\"}, "
	    "{\"name\": \"X\", \"prompt\": \"x\", \"default\": \"plain\"}], "
	    "\"phases\": [{\"name\": \"p\", \"steps\": [%s]}]}",
	    name, steps);
	struct runbook *rb = parse(text);

	free(text);
	return rb;
}

static char *dir_var(struct fx *f)
{
	return xasprintf("DIR=%s", f->dir);
}

static int start(struct fx *f, struct runbook *rb, const struct runbook_ui *ui,
                 int drill, const char *extra, struct runbook_exec **x,
                 char **err)
{
	char *assign[2] = {dir_var(f), (char *)extra};
	struct runbook_start s = {
	    .rb = rb,
	    .assign = assign,
	    .n_assign = extra ? 2 : 1,
	    .drill = drill,
	    .data_loss_minutes = -1,
	};
	int rc = runbook_exec_start(f->cat, &s, ui, x, err);

	free(assign[0]);
	return rc;
}

static char *slurp(struct fx *f, const char *name)
{
	char *path = xasprintf("%s/%s", f->dir, name), buf[4096];
	FILE *fp = fopen(path, "r");
	size_t n = 0;

	free(path);
	if (fp == NULL)
		return xstrdup("");
	n = fread(buf, 1, sizeof buf - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	return xstrdup(buf);
}

static int exists(struct fx *f, const char *name)
{
	char *path = xasprintf("%s/%s", f->dir, name);
	int yes = access(path, F_OK) == 0;

	free(path);
	return yes;
}

static void test_complete_run_stores_every_transition(void **state)
{
	struct fx *f = *state;
	/* The command reads its own step's status back from the catalog:
	 * "running" proves it was stored before the command started. */
	char *steps = xasprintf(
	    "{\"id\": \"look\", \"title\": \"Look\", \"confirm\": \"none\", "
	    "\"command\": \"sqlite3 %s \\\"SELECT status FROM recovery_steps "
	    "WHERE recovery_id = '$DR_RECOVERY_ID' AND seq = 1\\\"\"}, "
	    "{\"id\": \"env\", \"title\": \"Env\", \"confirm\": \"yes\", "
	    "\"command\": \"printf '[%%s]' \\\"$DR_VAR_X\\\" \\\"$DR_STEP\\\" "
	    "\\\"$DR_DRILL\\\"\"}",
	    f->cat_path);
	struct runbook *rb = make_rb("full", steps);
	struct script s = {.yes = 1};
	struct runbook_ui ui = ui_for(&s);
	struct runbook_exec *x = NULL;
	struct catalog_recovery rec;
	struct catalog_recovery_step *list = NULL;
	struct catalog_audit *audits = NULL;
	size_t n = 0, n_audits = 0;
	char *err = NULL;

	assert_int_equal(start(f, rb, &ui, 0, "X=a b;c", &x, &err), DR_OK);
	assert_int_equal(runbook_exec_run(x, &err), DR_OK);
	assert_string_equal(runbook_exec_record(x)->recovery_status,
	                    "completed");
	assert_non_null(strstr(s.output, "running"));
	assert_non_null(strstr(s.output, "[a b;c][env][0]"));

	memset(&rec, 0, sizeof rec);
	assert_int_equal(
	    catalog_recovery_get(f->cat, runbook_exec_record(x)->recovery_id,
	                         &rec, &err),
	    CATALOG_OK);
	assert_string_equal(rec.recovery_status, "completed");
	assert_true(rec.completed_at > 0);
	assert_true(rec.actual_recovery_s >= 0);
	assert_int_equal(rec.rto_target_s, 900);
	assert_string_equal(rec.recovery_procedure, "full");
	assert_int_equal(rec.is_drill, 0);
	assert_int_equal(catalog_recovery_step_list(f->cat, rec.recovery_id,
	                                            &list, &n, &err),
	                 CATALOG_OK);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].status, "completed");
	assert_string_equal(list[1].status, "completed");
	assert_int_equal(list[1].exit_code, 0);
	/* A confirm "none" step still records who ran it. */
	assert_true(list[1].confirmed_by[0] != '\0');
	assert_string_equal(list[0].confirmed_by, list[1].confirmed_by);
	assert_non_null(list[1].output_tail);
	assert_non_null(strstr(list[1].output_tail, "[a b;c]"));
	catalog_recovery_steps_free(list, n);
	/* start, 2 x (step start, step complete), complete */
	assert_int_equal(
	    catalog_audit_list(f->cat, 0, &audits, &n_audits, &err),
	    CATALOG_OK);
	assert_int_equal(n_audits, 6);
	assert_string_equal(audits[0].action, "runbook.complete");
	assert_string_equal(audits[n_audits - 1].action, "runbook.start");
	catalog_audits_free(audits, n_audits);
	catalog_recovery_clear(&rec);
	runbook_exec_free(x);
	runbook_free(rb);
	free(steps);
}

static void test_typed_confirmation(void **state)
{
	struct fx *f = *state;
	struct runbook *rb = make_rb(
	    "typed",
	    "{\"id\": \"guard\", \"title\": \"G\", \"command\": "
	    "\"touch \\\"$DR_VAR_DIR/ran\\\"\", \"confirm\": \"typed\", "
	    "\"confirm_word\": \"${X}\"}");
	struct script s = {.yes = 1,
	                   .words = {"", "y", "yes", "plaiN", "plain"},
	                   .n_words = 5,
	                   .decisions = {RUNBOOK_DO_RETRY, RUNBOOK_DO_RETRY,
	                                 RUNBOOK_DO_RETRY, RUNBOOK_DO_RETRY},
	                   .n_decisions = 4};
	struct runbook_ui ui = ui_for(&s);
	struct runbook_exec *x = NULL;
	char *err = NULL;

	assert_int_equal(start(f, rb, &ui, 0, NULL, &x, &err), DR_OK);
	assert_int_equal(runbook_exec_run(x, &err), DR_OK);
	/* Four wrong answers, each declined and re-asked; the fifth runs. */
	assert_int_equal(s.decided, 4);
	assert_string_equal(runbook_exec_record(x)->recovery_status,
	                    "completed");
	assert_true(exists(f, "ran"));
	runbook_exec_free(x);
	runbook_free(rb);
}

static void test_no_answer_pauses(void **state)
{
	struct fx *f = *state;
	struct runbook *rb = make_rb(
	    "pause",
	    "{\"id\": \"a\", \"title\": \"A\", \"command\": "
	    "\"echo a >> \\\"$DR_VAR_DIR/a\\\"\", \"confirm\": \"none\"}, "
	    "{\"id\": \"b\", \"title\": \"B\", \"command\": "
	    "\"echo b >> \\\"$DR_VAR_DIR/b\\\"\"}");
	struct script s = {.yes = -1};
	struct runbook_ui ui = ui_for(&s);
	struct runbook_exec *x = NULL;
	char *err = NULL, *a, *b, id[40];

	assert_int_equal(start(f, rb, &ui, 0, NULL, &x, &err), DR_OK);
	assert_int_equal(runbook_exec_run(x, &err), DR_OK);
	assert_true(runbook_exec_paused(x));
	assert_string_equal(runbook_exec_record(x)->recovery_status,
	                    "in_progress");
	strlcpy_dr(id, runbook_exec_record(x)->recovery_id, sizeof id);
	runbook_exec_free(x);

	/* Resume: a never runs again; b runs once it is confirmed. */
	s.yes = 1;
	assert_int_equal(runbook_exec_resume(f->cat, id, &ui, &x, &err), DR_OK);
	assert_int_equal(runbook_exec_run(x, &err), DR_OK);
	assert_string_equal(runbook_exec_record(x)->recovery_status,
	                    "completed");
	a = slurp(f, "a");
	b = slurp(f, "b");
	assert_string_equal(a, "a\n");
	assert_string_equal(b, "b\n");
	free(a);
	free(b);
	runbook_exec_free(x);
	runbook_free(rb);
}

static void test_rollback_in_reverse_order(void **state)
{
	struct fx *f = *state;
	struct runbook *rb = make_rb(
	    "rollback",
	    "{\"id\": \"one\", \"title\": \"1\", \"confirm\": \"none\", "
	    "\"command\": \"true\", \"rollback\": \"echo one >> "
	    "\\\"$DR_VAR_DIR/undo\\\"\"}, "
	    "{\"id\": \"two\", \"title\": \"2\", \"confirm\": \"none\", "
	    "\"command\": \"true\"}, "
	    "{\"id\": \"three\", \"title\": \"3\", \"confirm\": \"none\", "
	    "\"command\": \"true\", \"rollback\": \"echo three >> "
	    "\\\"$DR_VAR_DIR/undo\\\"\"}, "
	    "{\"id\": \"four\", \"title\": \"4\", \"confirm\": \"none\", "
	    "\"command\": \"exit 3\", \"rollback\": \"echo four >> "
	    "\\\"$DR_VAR_DIR/undo\\\"\"}");
	struct script s = {.decisions = {RUNBOOK_DO_ROLLBACK},
	                   .n_decisions = 1};
	struct runbook_ui ui = ui_for(&s);
	struct runbook_exec *x = NULL;
	char *err = NULL, *undo;

	assert_int_equal(start(f, rb, &ui, 0, NULL, &x, &err), DR_OK);
	assert_int_equal(runbook_exec_run(x, &err), DR_OK);
	assert_string_equal(runbook_exec_record(x)->recovery_status,
	                    "rolled_back");
	undo = slurp(f, "undo");
	assert_string_equal(undo, "three\none\n");
	free(undo);
	assert_string_equal(runbook_exec_step(x, 0)->status, "rolled_back");
	assert_string_equal(runbook_exec_step(x, 1)->status, "completed");
	assert_string_equal(runbook_exec_step(x, 3)->status, "failed");
	assert_int_equal(runbook_exec_step(x, 3)->exit_code, 3);
	runbook_exec_free(x);
	runbook_free(rb);
}

static void test_automatic_retries_then_skip(void **state)
{
	struct fx *f = *state;
	struct runbook *rb = make_rb(
	    "retries", "{\"id\": \"flaky\", \"title\": \"F\", \"confirm\": "
	               "\"none\", \"retries\": 2, \"command\": \"echo x >> "
	               "\\\"$DR_VAR_DIR/tries\\\"; exit 1\"}");
	struct script s = {.decisions = {RUNBOOK_DO_SKIP}, .n_decisions = 1};
	struct runbook_ui ui = ui_for(&s);
	struct runbook_exec *x = NULL;
	char *err = NULL, *tries;

	assert_int_equal(start(f, rb, &ui, 0, NULL, &x, &err), DR_OK);
	assert_int_equal(runbook_exec_run(x, &err), DR_OK);
	tries = slurp(f, "tries");
	assert_string_equal(tries, "x\nx\nx\n"); /* 1 + 2 retries */
	free(tries);
	assert_string_equal(runbook_exec_step(x, 0)->status, "skipped");
	assert_non_null(
	    strstr(runbook_exec_step(x, 0)->notes, "not needed in the test"));
	assert_string_equal(runbook_exec_record(x)->recovery_status,
	                    "completed");
	runbook_exec_free(x);
	runbook_free(rb);
}

static void test_drill_runs_drill_forms_only(void **state)
{
	struct fx *f = *state;
	struct runbook *rb = make_rb(
	    "drill",
	    "{\"id\": \"safe\", \"title\": \"S\", \"confirm\": \"none\", "
	    "\"command\": \"echo real >> \\\"$DR_VAR_DIR/real\\\"\", "
	    "\"drill\": \"echo drill >> \\\"$DR_VAR_DIR/drill\\\"\"}, "
	    "{\"id\": \"unsafe\", \"title\": \"U\", \"confirm\": \"none\", "
	    "\"command\": \"echo real >> \\\"$DR_VAR_DIR/real\\\"\"}");
	struct script s = {0};
	struct runbook_ui ui = ui_for(&s);
	struct runbook_exec *x = NULL;
	struct catalog_service_state *states = NULL;
	struct catalog_service svc;
	size_t n = 0;
	char *err = NULL, *drill;

	memset(&svc, 0, sizeof svc);
	strlcpy_dr(svc.name, "api", sizeof svc.name);
	assert_int_equal(catalog_service_add(f->cat, &svc, &err), CATALOG_OK);
	assert_int_equal(start(f, rb, &ui, 1, NULL, &x, &err), DR_OK);
	assert_int_equal(runbook_exec_run(x, &err), DR_OK);
	assert_false(exists(f, "real"));
	drill = slurp(f, "drill");
	assert_string_equal(drill, "drill\n");
	free(drill);
	assert_string_equal(runbook_exec_step(x, 1)->status, "skipped");
	assert_non_null(
	    strstr(runbook_exec_step(x, 1)->notes, "no drill form"));
	assert_int_equal(runbook_exec_record(x)->is_drill, 1);
	assert_string_equal(runbook_exec_record(x)->recovery_status,
	                    "completed");
	/* Compliance sees the drill. */
	assert_int_equal(
	    catalog_service_states(f->cat, time_now(), &states, &n, &err),
	    CATALOG_OK);
	assert_int_equal(n, 1);
	assert_true(states[0].last_drill_at > 0);
	assert_true(states[0].last_drill_duration_s >= 0);
	free(states);
	runbook_exec_free(x);
	runbook_free(rb);
}

static void test_one_open_execution_per_incident(void **state)
{
	struct fx *f = *state;
	struct runbook *rb = make_rb(
	    "lock", "{\"id\": \"a\", \"title\": \"A\", \"command\": \"true\"}");
	struct script s = {.yes = -1};
	struct runbook_ui ui = ui_for(&s);
	struct runbook_exec *x = NULL, *y = NULL, *z = NULL;
	char *err = NULL;

	assert_int_equal(start(f, rb, &ui, 0, NULL, &x, &err), DR_OK);
	assert_int_equal(start(f, rb, &ui, 0, NULL, &y, &err), DR_EBUSY);
	assert_null(y);
	assert_non_null(strstr(err, "is already running: held by "));
	assert_non_null(strstr(err, runbook_exec_record(x)->recovery_id));
	free(err);
	err = NULL;
	/* A drill of the same runbook is another incident. */
	assert_int_equal(start(f, rb, &ui, 1, NULL, &z, &err), DR_OK);
	/* Our own live process holds x: resume is refused. */
	assert_int_equal(
	    runbook_exec_resume(f->cat, runbook_exec_record(x)->recovery_id,
	                        &ui, &y, &err),
	    DR_EBUSY);
	assert_non_null(strstr(err, "still running there"));
	free(err);
	runbook_exec_free(x);
	runbook_exec_free(z);
	runbook_free(rb);
}

static void test_data_loss_from_newest_good_backup(void **state)
{
	struct fx *f = *state;
	struct runbook *rb = make_rb(
	    "loss", "{\"id\": \"a\", \"title\": \"A\", \"confirm\": \"none\", "
	            "\"command\": \"true\"}");
	struct script s = {0};
	struct runbook_ui ui = ui_for(&s);
	struct runbook_exec *x = NULL;
	struct catalog_service svc;
	struct catalog_backup b;
	int64_t incident = time_now() - 3600;
	char *assign[1];
	char *err = NULL;

	memset(&svc, 0, sizeof svc);
	strlcpy_dr(svc.name, "api", sizeof svc.name);
	assert_int_equal(catalog_service_add(f->cat, &svc, &err), CATALOG_OK);
	memset(&b, 0, sizeof b);
	strlcpy_dr(b.backup_id, "6f1c1f0e-8c55-4d0e-9d7a-0b9a8f2d3c4e",
	           sizeof b.backup_id);
	strlcpy_dr(b.service, "api", sizeof b.service);
	strlcpy_dr(b.type, "full", sizeof b.type);
	strlcpy_dr(b.status, "completed", sizeof b.status);
	b.size_bytes = -1;
	b.started_at = incident - 1800;
	b.completed_at = incident - 1200; /* 20 minutes before */
	assert_int_equal(catalog_backup_insert(f->cat, &b, &err), CATALOG_OK);

	assign[0] = dir_var(f);
	struct runbook_start st = {.rb = rb,
	                           .assign = assign,
	                           .n_assign = 1,
	                           .incident_type = "outage",
	                           .incident_started_at = incident,
	                           .data_loss_minutes = -1};
	assert_int_equal(runbook_exec_start(f->cat, &st, &ui, &x, &err), DR_OK);
	assert_int_equal(runbook_exec_run(x, &err), DR_OK);
	assert_true(runbook_exec_record(x)->data_loss_minutes > 19.9 &&
	            runbook_exec_record(x)->data_loss_minutes < 20.1);
	/* Recovery time counts from the incident's start. */
	assert_true(runbook_exec_record(x)->actual_recovery_s >= 3600);
	int64_t elapsed;
	assert_int_equal(runbook_exec_clock(x, time_now(), &elapsed),
	                 RUNBOOK_CLOCK_OVER);
	free(assign[0]);
	runbook_exec_free(x);
	runbook_free(rb);
}

static void test_clock_thresholds(void **state)
{
	(void)state;
	assert_int_equal(runbook_clock_of(0, 900), RUNBOOK_CLOCK_OK);
	assert_int_equal(runbook_clock_of(720, 900), RUNBOOK_CLOCK_OK);
	assert_int_equal(runbook_clock_of(721, 900), RUNBOOK_CLOCK_AT_RISK);
	assert_int_equal(runbook_clock_of(900, 900), RUNBOOK_CLOCK_AT_RISK);
	assert_int_equal(runbook_clock_of(901, 900), RUNBOOK_CLOCK_OVER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_complete_run_stores_every_transition, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_typed_confirmation, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_no_answer_pauses, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_rollback_in_reverse_order,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_automatic_retries_then_skip,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_drill_runs_drill_forms_only,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_one_open_execution_per_incident, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_data_loss_from_newest_good_backup, setup, teardown),
	    cmocka_unit_test(test_clock_thresholds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
