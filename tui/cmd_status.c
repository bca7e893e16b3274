/* `status` and `check`: the per-service table, its JSON form, and the one
 * line with a monitoring exit code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/agent.h"
#include "core/check.h"
#include "core/compliance.h"
#include "core/duration.h"
#include "core/error.h"
#include "core/timeutil.h"
#include "core/verdict_history.h"
#include "core/xmalloc.h"
#include "db/catalog_agent.h"
#include "tui/cmd.h"

/* "age / target" with either side possibly unknown. */
static void age_of(char *buf, size_t size, int64_t age, int64_t target)
{
	char a[24], t[24];
	duration_format_short(age, a, sizeof a);
	if (target > 0)
		duration_format_short(target, t, sizeof t);
	else
		strlcpy_dr(t, "-", sizeof t);
	snprintf(buf, size, "%s/%s", age >= 0 ? a : "none", t);
}

static void print_table(const struct compliance_report *r,
                        const struct config *cfg, const char *where,
                        const char *agent)
{
	char now[32];
	time_format_short(r->now, now);
	printf("drconsole%s%s  catalog %s  %s UTC\n",
	       cfg->environment[0] ? " — " : "", cfg->environment, where, now);
	/* Nothing watched is not OK: as the console's header and `check`
	 * (UNKNOWN) say. */
	if (r->n == 0)
		printf("Verdict: NO SERVICES  (nothing to watch yet)\n");
	else
		printf("Verdict: %s  (%zu service%s: %zu ok, %zu at risk, "
		       "%zu breach)\n",
		       verdict_name(r->verdict), r->n, r->n == 1 ? "" : "s",
		       r->n_ok, r->n_at_risk, r->n_breach);
	if (agent[0] != '\0')
		printf("Agent: %s\n", agent);
	if (r->n == 0) {
		printf("\nNo services in the catalog.  Add one with 'drconsole "
		       "service add', or try 'drconsole demo'.\n");
		return;
	}
	printf("\n%-18s %-8s %-9s %-13s %-8s %-13s %-7s %s\n", "SERVICE",
	       "TIER", "HEALTH", "RPO AGE/TGT", "RPO", "RTO EST/TGT", "TESTED",
	       "VERDICT");
	for (size_t i = 0; i < r->n; i++) {
		const struct compliance_service *s = &r->services[i];
		char rpo[64], rto[64], tested[24];
		age_of(rpo, sizeof rpo, s->rpo_age_s, s->rpo_target_s);
		age_of(rto, sizeof rto, s->rto_estimate_s, s->rto_target_s);
		if (s->test_age_s >= 0) {
			duration_format_short(s->test_age_s, tested,
			                      sizeof tested);
		} else {
			strlcpy_dr(tested, "never", sizeof tested);
		}
		printf("%-18.18s %-8.8s %-9.9s %-13.13s %-8.8s %-13.13s "
		       "%-7.7s %s\n",
		       s->name, s->tier[0] ? s->tier : "-", s->health, rpo,
		       comp_status_name(s->rpo_status), rto, tested,
		       verdict_name(s->verdict));
		if (s->probes_down)
			printf("%-18s DOWN: probes %s\n", "",
			       s->probes_down_names);
	}
	int header = 0;
	for (size_t i = 0; i < r->n; i++) {
		const struct compliance_service *s = &r->services[i];
		if (s->verdict == VERDICT_OK)
			continue;
		if (!header) {
			printf("\n");
			header = 1;
		}
		printf("%s %s: %s\n", verdict_name(s->verdict), s->name,
		       s->reason);
	}
}

/* Loads config and catalog and evaluates; returns an exit code (or -1
 * with *report filled). */
static int evaluate(const struct cmd_globals *g, struct config **cfg,
                    char **where, struct compliance_report *report, char *agent,
                    size_t agent_size)
{
	int rc;
	char *err = NULL;

	agent[0] = '\0';
	*cfg = cli_config(g);
	if (*cfg == NULL)
		return DR_EXIT_USAGE;
	struct catalog *cat = cli_open_catalog(g, *cfg, 0, &rc);
	if (cat == NULL)
		return rc;
	*where = xstrdup(catalog_where(cat));
	int64_t now = time_now();
	int status = compliance_eval(cat, &(*cfg)->policy, now, report, &err);
	/* The verdict history (drconsole report): written only on a change,
	 * never a reason for status or check to fail. */
	char *herr = NULL;
	if (status == DR_OK && !g->read_only &&
	    verdict_history_record(cat, report, NULL, &herr) != DR_OK)
		free(herr);
	/* The agent's heartbeat, when an agent ever ran on this catalog. */
	if (agent_summary(cat, now, agent, agent_size) < 0 &&
	    strncmp(agent, "unknown", 7) != 0)
		agent[0] = '\0';
	catalog_close(cat);
	if (status != DR_OK) {
		cli_error("%s", err);
		free(err);
		return DR_EXIT_FAIL;
	}
	return -1;
}

static int status_exec(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_status_entry, NULL, argc, argv);
	int json = 0;
	if (args == NULL)
		return DR_EXIT_USAGE;
	for (size_t i = 0; i < args->n_opts; i++)
		json = 1; /* --json, its only option */
	if (args->n_operands > 0) {
		cli_error("status: unexpected argument '%s'",
		          args->operands[0]);
		return DR_EXIT_USAGE;
	}

	struct config *cfg = NULL;
	struct compliance_report report = {0};
	char *where = NULL, agent[512];
	int rc = evaluate(g, &cfg, &where, &report, agent, sizeof agent);
	if (rc < 0) {
		compliance_sort_worst_first(&report);
		if (json) {
			char *text = compliance_report_json(
			    &report, cfg->environment, where);
			printf("%s\n", text);
			free(text);
		} else {
			print_table(&report, cfg, where, agent);
		}
		rc = DR_EXIT_OK;
	}
	compliance_report_free(&report);
	config_free(cfg);
	free(where);
	return rc;
}

/* A monitoring plugin's usage error is UNKNOWN, not CRITICAL (2). */
static int check_usage_exit(void)
{
	printf("DRCONSOLE UNKNOWN - usage: drconsole check "
	       "[--service NAME]\n");
	return CHECK_UNKNOWN;
}

static int check_exec(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_check_entry, NULL, argc, argv);
	const char *only = NULL;
	if (args == NULL)
		return check_usage_exit();
	for (size_t i = 0; i < args->n_opts; i++)
		only = args->opts[i].value; /* --service, its only option */
	if (args->n_operands > 0) {
		cli_error("check: unexpected argument '%s'", args->operands[0]);
		return check_usage_exit();
	}
	struct config *cfg = NULL;
	struct compliance_report report = {0};
	char *where = NULL, agent[512], *text = NULL;
	int rc = evaluate(g, &cfg, &where, &report, agent, sizeof agent);
	if (rc >= 0) {
		text =
		    check_unknown(rc == DR_EXIT_USAGE ? "config unreadable"
		                                      : "catalog unreadable");
		rc = CHECK_UNKNOWN;
	} else {
		compliance_sort_worst_first(&report);
		rc = (int)check_format(&report, &cfg->policy, only, where,
		                       &text);
	}
	fputs(text, stdout);
	free(text);
	compliance_report_free(&report);
	config_free(cfg);
	free(where);
	return rc;
}

static const struct cmd_option status_options[] = {
    {"json", 'j', 'j', 0},
    {NULL, 0, 0, 0},
};
static const struct cmd_option check_options[] = {
    {"service", 's', 's', CMD_OPT_VALUE},
    {NULL, 0, 0, 0},
};

const struct cmd_entry cmd_status_entry = {
    .name = "status",
    .usage = "[--json]",
    .summary = "print every service's RPO/RTO compliance and the verdict",
    .help = "Options:\n"
            "  --json   the stable JSON form documented in drconsole(1)\n",
    .exec = status_exec,
    .options = status_options,
};

const struct cmd_entry cmd_check_entry = {
    .name = "check",
    .usage = "[--service NAME]",
    .summary = "a monitoring-plugin check: verdict, perfdata, exit code",
    .help = "Options:\n"
            "  --service NAME   check that service only\n\n"
            "Prints \"DRCONSOLE VERDICT - summary | perfdata\", then one "
            "line per service\nthat is not OK.  Perfdata per service: "
            "'NAME rpo_age'=AGEs;WARN;CRIT;0, WARN\nand CRIT 80 % and 100 "
            "% of its RPO target.  Exit codes: 0 OK, 1 AT RISK\n"
            "(WARNING), 2 BREACH (CRITICAL), 3 UNKNOWN (catalog unreadable "
            "or empty, no\nsuch service).\n",
    .exec = check_exec,
    .options = check_options,
    .usage_exit = check_usage_exit,
};
