/* `tests [--service S] [--json]`, `tests run NAME [--service S]`: the DR
 * test programme (core/testprog.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/backup.h"
#include "core/backup_config.h"
#include "core/duration.h"
#include "core/error.h"
#include "core/ops_backup.h"
#include "core/ops_tests.h"
#include "core/testprog.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "tui/cli_ops.h"
#include "tui/cmd.h"

enum { OPT_SERVICE = 1, OPT_JSON, OPT_LIMIT, OPT_FOLLOWUPS };

static void when(int64_t t, char buf[32])
{
	if (t <= 0)
		strlcpy_dr(buf, "never", 32);
	else
		time_format_short(t, buf);
}

static int tests_list(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_tests_entry, NULL, argc, argv);
	const char *service = NULL;
	int json = 0;

	if (args == NULL)
		return DR_EXIT_USAGE;
	for (size_t i = 0; i < args->n_opts; i++) {
		if (args->opts[i].id == OPT_SERVICE)
			service = args->opts[i].value;
		else
			json = 1;
	}
	if (args->n_operands > 0) {
		cli_error("tests: unexpected argument '%s' (did you mean "
		          "'tests run %s'?)",
		          args->operands[0], args->operands[0]);
		return DR_EXIT_USAGE;
	}
	struct config *cfg = cli_config(g);
	if (cfg == NULL)
		return DR_EXIT_USAGE;
	int rc;
	struct catalog *cat = cli_open_catalog(g, cfg, 0, &rc);
	if (cat == NULL) {
		config_free(cfg);
		return rc;
	}
	struct test_status *ts = NULL;
	size_t n = 0;
	char *err = NULL;
	int64_t now = time_now();
	if (testprog_eval(cat, cfg->tests, service, now, &ts, &n, &err) !=
	    DR_OK) {
		cli_error("tests: %s", err);
		free(err);
		rc = DR_EXIT_FAIL;
	} else if (json) {
		char *text = testprog_json(ts, n, now);
		printf("%s\n", text);
		free(text);
		rc = DR_EXIT_OK;
	} else if (n == 0) {
		printf("no tests%s%s in the programme (the config's "
		       "\"tests\", drconsole.conf(5))\n",
		       service ? " of " : "", service ? service : "");
		rc = DR_EXIT_OK;
	} else {
		size_t overdue = 0;
		int ws = 7, wt = 4;
		for (size_t i = 0; i < n; i++) {
			int a = (int)strlen(ts[i].service);
			int b = (int)strlen(ts[i].spec->name);
			ws = a > ws ? a : ws;
			wt = b > wt ? b : wt;
		}
		printf("%-*s %-*s %-7s %-5s %-16s %-6s %s\n", ws, "SERVICE", wt,
		       "TEST", "KIND", "EVERY", "LAST RUN", "RESULT",
		       "NEXT DUE");
		for (size_t i = 0; i < n; i++) {
			char last[32], due[32], every[32];
			when(ts[i].last_at, last);
			if (ts[i].due_at > 0)
				time_format_short(ts[i].due_at, due);
			else
				strlcpy_dr(due, "now", sizeof due);
			duration_format_short(ts[i].spec->every_s, every,
			                      sizeof every);
			printf("%-*s %-*s %-7s %-5s %-16s %-6s %s%s\n", ws,
			       ts[i].service, wt, ts[i].spec->name,
			       ts[i].spec->kind, every, last,
			       ts[i].last_at == 0 ? "-"
			       : ts[i].last_ok    ? "passed"
			                          : "FAILED",
			       due, ts[i].overdue ? " OVERDUE" : "");
			if (ts[i].last_at > 0 && !ts[i].last_ok &&
			    ts[i].last_error[0] != '\0')
				printf("%-*s   %.100s\n", ws, "",
				       ts[i].last_error);
			overdue += ts[i].overdue != 0;
		}
		printf("%zu test%s, %zu overdue\n", n, n == 1 ? "" : "s",
		       overdue);
		rc = DR_EXIT_OK;
	}
	free(ts);
	catalog_close(cat);
	config_free(cfg);
	return rc;
}

static int tests_run(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_tests_entry, "run", argc, argv);
	const char *service = NULL;

	if (args == NULL)
		return DR_EXIT_USAGE;
	for (size_t i = 0; i < args->n_opts; i++)
		service = args->opts[i].value; /* --service, its only one */
	if (args->n_operands != 1) {
		cli_error(args->n_operands == 0
		              ? "tests run: expected the NAME of a test"
		              : "tests run: expected one NAME");
		return DR_EXIT_USAGE;
	}
	const char *name = args->operands[0];
	struct config *cfg = cli_config(g);
	if (cfg == NULL)
		return DR_EXIT_USAGE;
	const struct test_spec *sp = NULL;
	for (size_t i = 0; cfg->tests != NULL && i < cfg->tests->n; i++)
		if (strcmp(cfg->tests->specs[i].name, name) == 0)
			sp = &cfg->tests->specs[i];
	if (sp == NULL) {
		cli_error("tests run: no test \"%s\" in the programme (see "
		          "'drconsole tests')",
		          name);
		config_free(cfg);
		return DR_EXIT_USAGE;
	}
	int rc;
	struct catalog *cat = cli_open_catalog(g, cfg, CLI_WRITE, &rc);
	if (cat == NULL) {
		config_free(cfg);
		return rc;
	}
	struct test_status *ts = NULL;
	size_t n = 0, ran = 0, failed = 0;
	char *err = NULL;
	if (testprog_eval(cat, cfg->tests, service, time_now(), &ts, &n,
	                  &err) != DR_OK) {
		cli_error("tests run: %s", err);
		free(err);
		catalog_close(cat);
		config_free(cfg);
		return DR_EXIT_FAIL;
	}
	if (strcmp(sp->kind, "drill") == 0) {
		/* A drill needs people: it is the runbook's drill, run here
		 * with its questions on this terminal. */
		char *services = xstrdup(""), runbook[sizeof sp->runbook];
		strlcpy_dr(runbook, sp->runbook, sizeof runbook);
		for (size_t i = 0; i < n; i++) {
			if (ts[i].spec != sp)
				continue;
			char *more =
			    xasprintf("%s%s%s", services,
			              services[0] ? "," : "", ts[i].service);
			free(services);
			services = more;
		}
		free(ts);
		catalog_close(cat);
		config_free(cfg);
		if (services[0] == '\0') {
			cli_error(
			    "tests run: test %s applies to no service%s%s",
			    name, service ? " named " : "",
			    service ? service : "");
			free(services);
			return DR_EXIT_USAGE;
		}
		char *rargv[] = {"runbook",    "run",    runbook, "--drill",
		                 "--services", services, NULL};
		fprintf(stderr,
		        "tests run: %s is a drill of runbook %s for %s\n", name,
		        runbook, services);
		int r = cmd_runbook_entry.exec(g, 6, rargv);
		free(services);
		return r == DR_EXIT_OK ? DR_EXIT_OK : DR_EXIT_FAIL;
	}
	struct ops_session ses = cli_session(g, cat, cfg);
	for (size_t i = 0; i < n; i++) {
		if (ts[i].spec != sp)
			continue;
		const struct backup_target *t =
		    testprog_target(cfg, sp, ts[i].service, &err);
		ran++;
		if (t == NULL) {
			cli_error("tests run: %s", err);
			free(err);
			err = NULL;
			failed++;
			continue;
		}
		struct backup_outcome out;
		int s =
		    ops_backup_restore_test(&ses, t->name, NULL, &out, &err);
		if (out.note[0] != '\0')
			printf("note: %s\n", out.note);
		if (s == DR_OK) {
			printf("test %s of %s passed: backup %s of target %s, "
			       "%llu bytes restored in %.2fs\n",
			       name, ts[i].service, out.backup_id, t->name,
			       (unsigned long long)out.plain_bytes,
			       out.seconds);
		} else {
			cli_error("test %s of %s FAILED: %s", name,
			          ts[i].service, err ? err : "");
			failed++;
		}
		free(err);
		err = NULL;
	}
	if (ran == 0)
		cli_error("tests run: test %s applies to no service%s%s", name,
		          service ? " named " : "", service ? service : "");
	free(ts);
	catalog_close(cat);
	config_free(cfg);
	return ran == 0 ? DR_EXIT_USAGE : failed ? DR_EXIT_FAIL : DR_EXIT_OK;
}

/* "yes", "NO" or "?" for a checklist item. */
static const char *tri(int v)
{
	return v < 0 ? "?" : v ? "yes" : "NO";
}

static int tests_log(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_tests_entry, "log", argc, argv);
	const char *service = NULL;
	int json = 0;
	long long limit = 20;

	if (args == NULL)
		return DR_EXIT_USAGE;
	for (size_t i = 0; i < args->n_opts; i++) {
		const struct cli_opt *o = &args->opts[i];
		if (o->id == OPT_SERVICE) {
			service = o->value;
		} else if (o->id == OPT_JSON) {
			json = 1;
		} else {
			char *end = NULL;
			limit = strtoll(o->value, &end, 10);
			if (end == o->value || *end != '\0' || limit < 0 ||
			    limit > 100000) {
				cli_error(
				    "tests log: --limit: expected a whole "
				    "number from 0 (all) to 100000, found "
				    "'%s'",
				    o->value);
				return DR_EXIT_USAGE;
			}
		}
	}
	if (args->n_operands > 0) {
		cli_error("tests log: unexpected argument '%s'",
		          args->operands[0]);
		return DR_EXIT_USAGE;
	}
	struct config *cfg = cli_config(g);
	if (cfg == NULL)
		return DR_EXIT_USAGE;
	int rc;
	struct catalog *cat = cli_open_catalog(g, cfg, 0, &rc);
	if (cat == NULL) {
		config_free(cfg);
		return rc;
	}
	struct test_run *runs = NULL;
	size_t n = 0;
	char *err = NULL;
	if (testprog_runs(cat, service, (size_t)limit, &runs, &n, &err) !=
	    DR_OK) {
		cli_error("tests log: %s", err);
		free(err);
		rc = DR_EXIT_FAIL;
	} else if (json) {
		char *text = testprog_runs_json(runs, n, time_now());
		printf("%s\n", text);
		free(text);
		rc = DR_EXIT_OK;
	} else if (n == 0) {
		printf("no restore tests or drills yet\n");
		rc = DR_EXIT_OK;
	} else {
		for (size_t i = 0; i < n; i++) {
			const struct test_run *t = &runs[i];
			char end[32], rt[32] = "?", rtt[32] = "none",
			              dl[32] = "?", rpt[32] = "none";
			time_format_short(t->ended_at, end);
			if (t->recovery_s >= 0)
				duration_format_short(t->recovery_s, rt,
				                      sizeof rt);
			if (t->rto_target_s > 0)
				duration_format_short(t->rto_target_s, rtt,
				                      sizeof rtt);
			if (t->data_loss_s >= 0)
				duration_format_short(t->data_loss_s, dl,
				                      sizeof dl);
			if (t->rpo_target_s > 0)
				duration_format_short(t->rpo_target_s, rpt,
				                      sizeof rpt);
			printf("%s  %s %s of %s (%s)\n", end, t->kind, t->id,
			       t->service, t->what);
			printf("  passed: %s%s%.120s\n",
			       t->passed ? "yes" : "NO",
			       t->error[0] ? ": " : "", t->error);
			printf("  within RTO: %s (%s, target %s)\n",
			       tri(t->within_rto), rt, rtt);
			printf("  within RPO: %s (data loss %s, target %s)\n",
			       tri(t->within_rpo), dl, rpt);
			printf("  alerts fired: %d%s%.200s\n", t->alerts,
			       t->alerts ? ": " : "", t->alert_list);
			if (t->followups[0] != '\0')
				printf("  follow-ups: %s (%s)\n", t->followups,
				       t->followups_by);
			else
				printf(
				    "  follow-ups: none (drconsole tests note "
				    "%s --followups TEXT)\n",
				    t->id);
		}
		rc = DR_EXIT_OK;
	}
	free(runs);
	catalog_close(cat);
	config_free(cfg);
	return rc;
}

static int tests_note(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_tests_entry, "note", argc, argv);
	const char *text = NULL;

	if (args == NULL)
		return DR_EXIT_USAGE;
	for (size_t i = 0; i < args->n_opts; i++)
		text = args->opts[i].value; /* --followups, its only one */
	if (args->n_operands != 1) {
		cli_error("tests note: expected the ID of one test run "
		          "(drconsole tests log)");
		return DR_EXIT_USAGE;
	}
	if (text == NULL) {
		cli_error("tests note: expected --followups TEXT");
		return DR_EXIT_USAGE;
	}
	struct config *cfg = cli_config(g);
	if (cfg == NULL)
		return DR_EXIT_USAGE;
	int rc;
	struct catalog *cat = cli_open_catalog(g, cfg, CLI_WRITE, &rc);
	if (cat == NULL) {
		config_free(cfg);
		return rc;
	}
	struct ops_session ses = cli_session(g, cat, cfg);
	char *err = NULL;
	int s = ops_test_note(&ses, args->operands[0], text, &err);
	if (s == DR_OK) {
		printf("test run %s: follow-ups recorded\n", args->operands[0]);
		rc = DR_EXIT_OK;
	} else {
		cli_error("tests note: %s", err);
		free(err);
		rc = s == DR_ENOTFOUND || s == DR_EINVAL ? DR_EXIT_USAGE
		                                         : DR_EXIT_FAIL;
	}
	catalog_close(cat);
	config_free(cfg);
	return rc;
}

static int tests_exec(const struct cmd_globals *g, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "run") == 0)
		return tests_run(g, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "log") == 0)
		return tests_log(g, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "note") == 0)
		return tests_note(g, argc - 1, argv + 1);
	return tests_list(g, argc, argv);
}

static const struct cmd_option tests_options[] = {
    {"service", OPT_SERVICE, 's', CMD_OPT_VALUE},
    {"json", OPT_JSON, 0, 0},
    {NULL, 0, 0, 0},
};
static const struct cmd_option tests_run_options[] = {
    {"service", OPT_SERVICE, 's', CMD_OPT_VALUE},
    {NULL, 0, 0, 0},
};
static const struct cmd_option tests_log_options[] = {
    {"service", OPT_SERVICE, 's', CMD_OPT_VALUE},
    {"limit", OPT_LIMIT, 'n', CMD_OPT_VALUE},
    {"json", OPT_JSON, 0, 0},
    {NULL, 0, 0, 0},
};
static const struct cmd_option tests_note_options[] = {
    {"followups", OPT_FOLLOWUPS, 'f', CMD_OPT_VALUE},
    {NULL, 0, 0, 0},
};
static const struct cmd_sub tests_subs[] = {
    {"run", tests_run_options},
    {"log", tests_log_options},
    {"note", tests_note_options},
    {NULL, NULL},
};

const struct cmd_entry cmd_tests_entry = {
    .name = "tests",
    .usage = "[--service S] [--json]\n"
             "       drconsole tests run NAME [--service S]\n"
             "       drconsole tests log [--service S] [--limit N] [--json]\n"
             "       drconsole tests note ID --followups TEXT",
    .summary = "the DR test programme: each test's last result and next due",
    .help = "Lists the config's \"tests\" (drconsole.conf(5), TESTS) for "
            "every service\nthey apply to: the last run and its result, and "
            "when it falls due next\n(\"every\" after its last pass; never "
            "passed: due now).  An overdue test\nmakes its service untested "
            "(AT RISK).  `tests run NAME` runs one now: a\nrestore test of "
            "each service it applies to, or the runbook's drill for\nthem "
            "(which asks its questions here).\n`tests log` shows each run's "
            "post-test record: passed, within RTO, within\nRPO, the alerts "
            "that fired while it ran, and its follow-ups, which\n`tests note "
            "ID --followups TEXT` records.\n",
    .exec = tests_exec,
    .options = tests_options,
    .subs = tests_subs,
};
