/* `probe run [--service S]`: one round of every configured probe (or one
 * service's), stored and printed; `probe status`: each probe's
 * consecutive-failure state, the services that are down and the runbook
 * suggested for each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/ops_probe.h"
#include "core/probe_round.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "db/catalog_agent.h"
#include "tui/cli_ops.h"
#include "tui/cmd.h"

static void print_lag(char *buf, size_t size, double lag_s, int64_t bytes)
{
	char s[24], b[24];
	if (lag_s < 0)
		snprintf(s, sizeof(s), "-");
	else
		snprintf(s, sizeof(s), "%.1fs", lag_s);
	if (bytes < 0)
		snprintf(b, sizeof(b), "-");
	else
		snprintf(b, sizeof(b), "%lldB", (long long)bytes);
	snprintf(buf, size, "%s / %s", s, b);
}

static int probe_run_exec(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_probe_entry, "run", argc, argv);
	const char *service = NULL;
	struct config *cfg;
	struct catalog *cat;
	struct probe_round_item *items = NULL;
	size_t n;
	int c, rc, failed = 0;
	char *err = NULL;

	if (args == NULL)
		return DR_EXIT_USAGE;
	for (size_t i = 0; i < args->n_opts; i++) {
		const char *value = args->opts[i].value;
		c = args->opts[i].id;
		if (c != 's') {
			cli_error("probe run: expected [--service NAME]");
			return DR_EXIT_USAGE;
		}
		service = value;
	}
	if (args->n_operands > 0) {
		cli_error("probe run: unexpected '%s'", args->operands[0]);
		return DR_EXIT_USAGE;
	}
	cfg = cli_config(g);
	if (cfg == NULL)
		return DR_EXIT_USAGE;
	n = probe_round_select(cfg->probes, service, &items);
	if (n == 0) {
		if (service != NULL)
			cli_error("probe run: no probes for service '%s' in "
			          "the config",
			          service);
		else
			cli_error("probe run: no probes in the config (see "
			          "\"probes\" in drconsole.conf(5))");
		config_free(cfg);
		return DR_EXIT_USAGE;
	}
	cat = cli_open_catalog(g, cfg, CLI_WRITE, &rc);
	if (cat == NULL) {
		probe_round_free(items, n);
		config_free(cfg);
		return rc;
	}
	struct ops_session ses = cli_session(g, cat, cfg);
	if (ops_probe_run(&ses, items, n, time_now(), &err) != DR_OK) {
		cli_error("probe run: %s", err);
		free(err);
		rc = DR_EXIT_FAIL;
		goto out;
	}
	printf("%-18s %-14s %-8s %-6s %9s  %s\n", "SERVICE", "PROBE", "KIND",
	       "RESULT", "LATENCY", "DETAIL");
	for (size_t i = 0; i < n; i++) {
		const struct probe_round_item *it = &items[i];
		char lat[24] = "-";
		if (it->outcome.latency_ms >= 0)
			snprintf(lat, sizeof(lat), "%.0f ms",
			         it->outcome.latency_ms);
		printf("%-18s %-14s %-8s %-6s %9s  %s\n", it->spec->service,
		       it->spec->name, it->spec->kind->name,
		       it->outcome.ok ? "ok" : "FAIL", lat,
		       it->outcome.message);
		failed += !it->outcome.ok;
	}
	int header = 0;
	for (size_t i = 0; i < n; i++) {
		const struct probe_outcome *o = &items[i].outcome;
		for (size_t j = 0; j < o->n_repl; j++) {
			char lag[64];
			if (!header) {
				printf("\n%-18s %-40s %-10s %s\n", "SERVICE",
				       "REPLICATION (SOURCE -> TARGET)",
				       "STATE", "LAG (TIME / BYTES)");
				header = 1;
			}
			char pair[300];
			snprintf(pair, sizeof(pair), "%s -> %s",
			         o->repl[j].source, o->repl[j].target);
			print_lag(lag, sizeof(lag), o->repl[j].lag_s,
			          o->repl[j].lag_bytes);
			printf("%-18s %-40s %-10s %s%s\n",
			       items[i].spec->service, pair, o->repl[j].state,
			       lag, o->lag_over ? "  OVER THRESHOLD" : "");
		}
	}
	int shown = 0;
	for (size_t i = 0; i < n; i++) {
		const struct probe_round_item *it = &items[i];
		if (it->unknown_service) {
			if (!shown++)
				printf("\n");
			printf("note: service %s is not in the catalog; its "
			       "results were not stored (drconsole config "
			       "apply)\n",
			       it->spec->service);
		} else if (it->state.down) {
			if (!shown++)
				printf("\n");
			printf("%s/%s is DOWN (%d consecutive failures)",
			       it->spec->service, it->spec->name,
			       it->state.consecutive_failures);
			if (it->svc->failover_runbook != NULL)
				printf("; suggested runbook: %s",
				       it->svc->failover_runbook);
			printf("\n");
		}
	}
	rc = failed ? DR_EXIT_FAIL : DR_EXIT_OK;
out:
	probe_round_free(items, n);
	catalog_close(cat);
	config_free(cfg);
	return rc;
}

static int probe_status_exec(const struct cmd_globals *g)
{
	struct config *cfg = cli_config(g);
	struct catalog *cat;
	struct catalog_probe_state *st = NULL;
	size_t n = 0;
	int rc, down = 0;
	char *err = NULL;

	if (cfg == NULL)
		return DR_EXIT_USAGE;
	cat = cli_open_catalog(g, cfg, CATALOG_READONLY, &rc);
	if (cat == NULL) {
		config_free(cfg);
		return rc;
	}
	if (catalog_probe_state_list(cat, &st, &n, &err) != CATALOG_OK) {
		cli_error("probe status: %s", err);
		free(err);
		catalog_close(cat);
		config_free(cfg);
		return DR_EXIT_FAIL;
	}
	if (n == 0)
		printf("No probe has run yet ('drconsole probe run' or "
		       "'drconsole agent').\n");
	else
		printf("%-18s %-14s %-5s %-8s %-17s %s\n", "SERVICE", "PROBE",
		       "STATE", "FAILURES", "LAST RUN", "DETAIL");
	for (size_t i = 0; i < n; i++) {
		char at[32];
		time_format_short(st[i].last_run_at, at);
		printf("%-18s %-14s %-5s %8d %-17s %s\n", st[i].service,
		       st[i].probe, st[i].down ? "DOWN" : "up",
		       st[i].consecutive_failures, at, st[i].message);
		down += st[i].down;
	}
	for (size_t i = 0; i < n; i++) {
		const struct probe_service *svc;
		if (!st[i].down)
			continue;
		svc = probe_config_service(cfg->probes, st[i].service);
		char since[32];
		time_format_iso(st[i].changed_at, since);
		printf("\n%s is DOWN since %s (probe %s)", st[i].service, since,
		       st[i].probe);
		if (svc != NULL && svc->failover_runbook != NULL)
			printf("; suggested runbook: %s (drconsole runbook run "
			       "%s)%s",
			       svc->failover_runbook, svc->failover_runbook,
			       svc->auto_failover ? "; automatic failover on"
			                          : "");
		printf("\n");
	}
	free(st);
	catalog_close(cat);
	config_free(cfg);
	return down ? DR_EXIT_FAIL : DR_EXIT_OK;
}

static int probe_exec(const struct cmd_globals *g, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "run") == 0)
		return probe_run_exec(g, argc - 1, argv + 1);
	if (argc == 2 && strcmp(argv[1], "status") == 0)
		return probe_status_exec(g);
	cli_error("probe: expected 'run [--service NAME]' or 'status'");
	return DR_EXIT_USAGE;
}

static const struct cmd_option probe_run_options[] = {
    {"service", 's', 's', CMD_OPT_VALUE},
    {NULL, 0, 0, 0},
};
static const struct cmd_sub probe_subs[] = {
    {"run", probe_run_options},
    {"status", NULL},
    {NULL, NULL},
};

const struct cmd_entry cmd_probe_entry = {
    .name = "probe",
    .usage = "run [--service NAME] | status",
    .summary = "run the configured probes once, or show their state",
    .help = "  run [--service NAME]  one round of every probe (or one "
            "service's), all at\n"
            "                        once; results and replication lag are "
            "stored in the\n"
            "                        catalog.  Exit 1 when a probe failed.\n"
            "  status                each probe's consecutive failures; "
            "services that are\n"
            "                        down, with their failover runbook.  Exit "
            "1 when one is\n"
            "                        down.\n"
            "\nProbes are declared under \"probes\" in the config; see "
            "drconsole.conf(5).\n",
    .exec = probe_exec,
    .subs = probe_subs,
};
