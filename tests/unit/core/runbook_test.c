/* The runbook validator: every malformed file under
 * tests/fixtures/runbooks/bad/ is refused with the location and the
 * message a person needs; the shipped runbooks pass; variables resolve,
 * check and expand as documented. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"
#include "core/runbook.h"
#include "core/xmalloc.h"

static char *fixture(const char *dir, const char *name)
{
	const char *top = getenv("DR_TOP");

	return xasprintf("%s/tests/fixtures/runbooks/%s/%s", top ? top : ".",
	                 dir, name);
}

struct bad_case {
	const char *file;
	int line, col;
	const char *message; /* a part of the message at that place */
};

static const struct bad_case bad_cases[] = {
    {"01-syntax.json", 9, 21,
     "expected ',' or '}' after an object member, found a string"},
    {"02-unknown-root-key.json", 4, 3,
     "unknown key \"titel\" in a runbook (expected one of: name, title"},
    {"03-missing-name.json", 1, 1, "missing required key \"name\""},
    {"04-name-not-string.json", 2, 3,
     "expected a string for \"name\", found a number"},
    {"05-bad-name.json", 2, 3, "bad runbook name \"Partial Recovery\""},
    {"06-bad-rto.json", 5, 3, "bad duration for \"rto\": 15 parsecs"},
    {"07-missing-phases.json", 1, 1, "missing required key \"phases\""},
    {"08-empty-steps.json", 9, 22, "\"steps\" of phase \"Only\" is empty"},
    {"09-duplicate-step-id.json", 11, 8,
     "duplicate step id \"one\" (first at line 10)"},
    {"10-unknown-step-key.json", 10, 37, "unknown key \"comand\" in a step"},
    {"11-unknown-kind.json", 10, 37,
     "unknown kind \"reboot\" (expected one of: command, check, manual, fault, "
     "notify, wait, restore, verify, backup, probe, compliance)"},
    {"12-missing-command.json", 10, 7, "missing \"command\" in a check step"},
    {"13-bad-confirm-level.json", 10, 56,
     "bad confirmation level \"maybe\" (expected none, yes or typed)"},
    {"14-typed-without-word.json", 10, 56,
     "a typed confirmation needs \"confirm_word\""},
    {"15-typed-word-yes.json", 10, 76, "\"confirm_word\" may not be \"yes\""},
    {"16-undefined-var-in-command.json", 13, 37,
     "undefined variable \"NAMESPACE\" in \"command\" (via "
     "$DR_VAR_NAMESPACE)"},
    {"17-undefined-var-in-confirm-word.json", 13, 76,
     "undefined variable \"SERVCE\" in \"confirm_word\""},
    {"18-undefined-var-in-services.json", 7, 16,
     "undefined variable \"TARGET\" in \"services\""},
    {"19-variable-spliced-into-shell.json", 13, 37,
     "\"command\" names variable SERVICE as $SERVICE; in shell text write "
     "\"$DR_VAR_SERVICE\""},
    {"20-bad-pattern.json", 9, 46, "bad pattern for variable SERVICE: "},
    {"21-default-fails-pattern.json", 9, 46,
     "default: variable SERVICE: \"API!\" does not match the pattern "
     "[a-z]+"},
    {"22-bad-timeout.json", 10, 56, "bad duration for \"timeout\": forever"},
    {"23-negative-retries.json", 10, 56,
     "\"retries\" must be a whole number from 0 to 10"},
    {"24-drill-without-command.json", 10, 81,
     "\"drill\" is the safe form of \"command\", but the step has no "
     "\"command\""},
    {"25-duplicate-key.json", 10, 56, "duplicate key \"command\""},
    {"26-bad-variable-name.json", 9, 6, "bad variable name \"namespace\""},
    {"27-wait-without-duration.json", 10, 7,
     "a wait step needs \"duration\" (a fixed pause) or \"command\""},
    {"28-notify-without-message.json", 10, 7,
     "missing required key \"message\""},
    {"29-unterminated-reference.json", 13, 21,
     "unterminated \"${\" in \"title\""},
    {"30-manual-with-command.json", 10, 81, "a manual step has no \"command\""},
    {"31-retries-not-number.json", 10, 56,
     "expected a number for \"retries\", found a string"},
    {"32-duplicate-variable.json", 10, 6, "duplicate variable \"SERVICE\""},
    {"33-fault-without-undo.json", 10, 7, "missing \"undo\" in a fault step"},
    {"34-undo-on-command.json", 10, 56, "\"undo\" belongs to a fault step"},
    {"35-fault-with-drill.json", 11, 8,
     "a fault step runs as it is in a drill"},
    {"36-fault-bad-key.json", 11, 24, "unknown key \"undo_drill\""},
    {"37-steady-state-bad-key.json", 9, 39,
     "unknown key \"timout\" in a steady-state check"},
    {"38-steady-state-no-checks.json", 8, 3,
     "missing \"checks\" in \"steady_state\""},
};

static void test_bad_runbooks(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad_cases / sizeof *bad_cases; i++) {
		const struct bad_case *c = &bad_cases[i];
		char *path = fixture("bad", c->file);
		char *want = xasprintf("%s:%d:%d: %s", path, c->line, c->col,
		                       c->message);
		struct runbook *rb = (struct runbook *)0x1;
		char *err = NULL;
		int rc = runbook_load(path, &rb, &err);

		if (rc != DR_EINVAL || err == NULL || strstr(err, want) == NULL)
			print_error("%s: rc %d\n  want: %s\n  got:  %s\n",
			            c->file, rc, want, err ? err : "(none)");
		assert_int_equal(rc, DR_EINVAL);
		assert_null(rb);
		assert_non_null(err);
		assert_non_null(strstr(err, want));
		free(err);
		free(want);
		free(path);
	}
}

static void test_every_error_reported(void **state)
{
	static const char text[] =
	    "{\n"
	    "  \"name\": \"Bad Name\",\n"
	    "  \"title\": \"t\",\n"
	    "  \"scenario\": \"partial\",\n"
	    "  \"rto\": \"soon\",\n"
	    "  \"rpo\": \"5m\",\n"
	    "  \"phases\": [{\"name\": \"p\", \"steps\": [\n"
	    "    {\"id\": \"a\", \"title\": \"A\", \"kind\": \"nap\"},\n"
	    "    {\"id\": \"a\", \"title\": \"B\", \"command\": \"true\", "
	    "\"confirm\": \"typed\"}\n"
	    "  ]}]\n"
	    "}\n";
	struct runbook *rb = NULL;
	char *err = NULL;
	int lines = 0;

	(void)state;
	assert_int_equal(
	    runbook_parse("mem.json", text, strlen(text), &rb, &err),
	    DR_EINVAL);
	assert_non_null(strstr(err, "mem.json:2:3: bad runbook name"));
	assert_non_null(strstr(err, "mem.json:5:3: bad duration for \"rto\""));
	assert_non_null(strstr(err, "mem.json:8:31: unknown kind \"nap\""));
	assert_non_null(
	    strstr(err, "mem.json:9:6: duplicate step id \"a\" (first at line "
	                "8)"));
	assert_non_null(strstr(err, "mem.json:9:50: a typed confirmation"));
	for (const char *p = err; *p; p++)
		lines += *p == '\n';
	assert_true(lines >= 4);
	free(err);
}

static void test_shipped_runbooks_pass(void **state)
{
	static const char *const names[] = {
	    "partial-recovery", "complete-recovery", "regional-failover",
	    "database-corruption", "failback"};
	const char *top = getenv("DR_TOP");

	(void)state;
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		char *path =
		    xasprintf("%s/runbooks/%s.json", top ? top : ".", names[i]);
		struct runbook *rb = NULL;
		char *err = NULL;
		int rc = runbook_load(path, &rb, &err);

		if (rc != DR_OK)
			print_error("%s\n", err);
		assert_int_equal(rc, DR_OK);
		assert_string_equal(rb->name, names[i]);
		assert_true(rb->n_phases >= 1);
		assert_true(rb->n_steps >= 5);
		assert_true(rb->rto_s > 0);
		/* Every command has a drill form: the drill in CI runs them
		 * all. */
		for (size_t s = 0; s < rb->n_steps; s++) {
			if (rb->steps[s].command != NULL &&
			    rb->steps[s].drill == NULL)
				print_error("%s: step %s has no drill form\n",
				            names[i], rb->steps[s].id);
			assert_false(rb->steps[s].command != NULL &&
			             rb->steps[s].drill == NULL);
		}
		runbook_free(rb);
		free(path);
	}
}

static struct runbook *good_vars(void)
{
	static const char text[] =
	    "{\"name\": \"v\", \"title\": \"Restart ${SERVICE}\", "
	    "\"scenario\": \"partial\", \"rto\": \"15m\", \"rpo\": 300,\n"
	    " \"services\": [\"${SERVICE}\"],\n"
	    " \"variables\": [\n"
	    "  {\"name\": \"SERVICE\", \"prompt\": \"Service\", \"default\": "
	    "\"api\", \"pattern\": \"[a-z]+\"},\n"
	    "  {\"name\": \"NOTE\", \"prompt\": \"Free text\"}],\n"
	    " \"phases\": [{\"name\": \"p\", \"steps\": [\n"
	    "  {\"id\": \"s1\", \"title\": \"Restart ${SERVICE}\", "
	    "\"command\": "
	    "\"echo \\\"$DR_VAR_SERVICE\\\" ${HOME}\", \"confirm\": \"typed\", "
	    "\"confirm_word\": \"${SERVICE}\"},\n"
	    "  {\"id\": \"s2\", \"title\": \"Wait\", \"kind\": \"wait\", "
	    "\"duration\": \"1s\"},\n"
	    "  {\"id\": \"s3\", \"title\": \"Tell\", \"kind\": \"notify\", "
	    "\"message\": \"${SERVICE}: ${NOTE}\"}\n"
	    " ]}]}\n";
	struct runbook *rb = NULL;
	char *err = NULL;

	if (runbook_parse("vars.json", text, strlen(text), &rb, &err) != DR_OK)
		print_error("%s\n", err);
	assert_non_null(rb);
	return rb;
}

static void test_defaults_and_kinds(void **state)
{
	struct runbook *rb = good_vars();

	(void)state;
	assert_int_equal(rb->rpo_s, 300);
	assert_int_equal(rb->steps[0].kind, RUNBOOK_KIND_COMMAND);
	assert_int_equal(rb->steps[0].confirm, RUNBOOK_CONFIRM_TYPED);
	assert_int_equal(rb->steps[0].timeout_s, 600);
	assert_int_equal(rb->steps[1].kind, RUNBOOK_KIND_ACTION);
	assert_string_equal(rb->steps[1].kind_name, "wait");
	assert_int_equal(rb->steps[1].duration_s, 1);
	assert_int_equal(rb->steps[1].confirm, RUNBOOK_CONFIRM_NONE);
	assert_string_equal(rb->steps[2].kind_name, "notify");
	assert_string_equal(rb->steps[0].phase, "p");
	assert_int_equal(runbook_step_index(rb, "s3"), 2);
	assert_int_equal(runbook_step_index(rb, "nope"), -1);
	runbook_free(rb);
}

static void test_resolve_and_expand(void **state)
{
	struct runbook *rb = good_vars();
	char *assign[] = {"NOTE=; rm -rf / $(reboot)", "SERVICE=db"};
	char **values = NULL, *err = NULL, *text;

	(void)state;
	assert_int_equal(runbook_resolve_vars(rb, assign, 2, &values, &err),
	                 DR_OK);
	assert_string_equal(values[0], "db");
	assert_string_equal(values[1], "; rm -rf / $(reboot)");
	text = runbook_expand(rb, values, rb->steps[2].message);
	assert_string_equal(text, "db: ; rm -rf / $(reboot)");
	free(text);
	/* Shell text is never expanded by drconsole. */
	text = runbook_expand(rb, values, rb->steps[0].command);
	assert_string_equal(text, "echo \"$DR_VAR_SERVICE\" ${HOME}");
	free(text);
	runbook_values_free(values, rb->n_vars);
	runbook_free(rb);
}

static void test_resolve_errors(void **state)
{
	struct runbook *rb = good_vars();
	char *bad_pattern[] = {"SERVICE=API", "NOTE=x"};
	char *unknown[] = {"NOTE=x", "SERVCE=api"};
	char *control[] = {"NOTE=two\nlines"};
	char *no_eq[] = {"NOTE"};
	char **values = NULL, *err = NULL;

	(void)state;
	assert_int_equal(
	    runbook_resolve_vars(rb, bad_pattern, 2, &values, &err), DR_EINVAL);
	assert_null(values);
	assert_non_null(strstr(err, "variable SERVICE: \"API\" does not match "
	                            "the pattern [a-z]+"));
	free(err);
	assert_int_equal(runbook_resolve_vars(rb, unknown, 2, &values, &err),
	                 DR_EINVAL);
	assert_non_null(strstr(err, "unknown variable SERVCE"));
	free(err);
	/* NOTE has no default. */
	assert_int_equal(runbook_resolve_vars(rb, NULL, 0, &values, &err),
	                 DR_EINVAL);
	assert_non_null(strstr(err, "variable NOTE (Free text) has no default: "
	                            "give --var NOTE=VALUE"));
	free(err);
	assert_int_equal(runbook_resolve_vars(rb, control, 1, &values, &err),
	                 DR_EINVAL);
	assert_non_null(strstr(err, "control character"));
	free(err);
	assert_int_equal(runbook_resolve_vars(rb, no_eq, 1, &values, &err),
	                 DR_EINVAL);
	assert_non_null(strstr(err, "--var NOTE: expected NAME=VALUE"));
	free(err);
	runbook_free(rb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bad_runbooks),
	    cmocka_unit_test(test_every_error_reported),
	    cmocka_unit_test(test_shipped_runbooks_pass),
	    cmocka_unit_test(test_defaults_and_kinds),
	    cmocka_unit_test(test_resolve_and_expand),
	    cmocka_unit_test(test_resolve_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
