/* `agent`: the long-running process (core/agent.c) with its signals and
 * log lines; `agent status`: its heartbeat as the console shows it.
 *
 * Automatic failover ("auto_failover" in the config) runs the service's
 * runbook unattended on a thread of the agent's (core/ops_failover.h), so
 * the run is an ordinary execution: stored step by step, held by the
 * agent, resumable, and visible in the console like any other. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/agent.h"
#include "core/agent_backup.h"
#include "core/error.h"
#include "core/notify.h"
#include "core/ops_failover.h"
#include "core/runbook.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "db/catalog_agent.h"
#include "db/catalog_runbook.h"
#include "tui/cmd.h"

/* What the failover hook needs of the running agent. */
static const struct cmd_globals *agent_globals;
static const char *agent_catalog;

static void agent_on_signal(int sig)
{
	if (sig == SIGHUP)
		agent_request_reload();
	else
		agent_request_stop();
}

static void agent_log_line(void *arg, const char *line)
{
	char at[32];
	(void)arg;
	time_format_iso(time_now(), at);
	fprintf(stderr, "%s drconsole-agent[%ld]: %s\n", at, (long)getpid(),
	        line);
	fflush(stderr);
}

static struct config *agent_reload(void *arg, char **err)
{
	const struct cmd_globals *g = arg;
	struct config *cfg = NULL;
	if (config_load(g->config, &cfg, err) != DR_OK)
		return NULL;
	return cfg;
}

/* The agent's failover hook: the run starts on a thread of the agent's
 * own (core/ops_failover.h) and this returns once it exists; its steps
 * join the agent's log. */
static int agent_failover(struct catalog *cat, const struct config *cfg,
                          const char *service, const char *runbook,
                          int64_t up_at, char **message)
{
	struct ops_failover_req r = {
	    .catalog_path = agent_catalog,
	    .config_path = agent_globals->config,
	    .cfg = cfg,
	    .service = service,
	    .runbook = runbook,
	    .up_at = up_at,
	    .log = agent_log_line,
	    .stopping = agent_stopping,
	};

	return ops_failover_start(cat, &r, message);
}

static int agent_status_exec(const struct cmd_globals *g)
{
	struct config *cfg = cli_config(g);
	struct catalog *cat;
	struct catalog_agent *all = NULL;
	struct catalog_job *jobs = NULL;
	struct catalog_notify *lost = NULL;
	size_t nj = 0, nl = 0, na = 0;
	char *err = NULL, line[512];
	int rc, dead;

	if (cfg == NULL)
		return DR_EXIT_USAGE;
	cat = cli_open_catalog(g, cfg, CATALOG_READONLY, &rc);
	if (cat == NULL) {
		config_free(cfg);
		return rc;
	}
	rc = catalog_agent_list(cat, &all, &na, &err);
	if (rc == CATALOG_OK && na == 0) {
		printf("agent: never ran on this catalog\n");
		free(all);
		catalog_close(cat);
		config_free(cfg);
		return 3;
	}
	if (rc != CATALOG_OK) {
		cli_error("agent status: %s", err);
		free(err);
		catalog_close(cat);
		config_free(cfg);
		return DR_EXIT_FAIL;
	}
	/* Every host's agent, by name: a shared catalog has many. */
	dead = agent_summary(cat, time_now(), line, sizeof(line)) != 0;
	if (na == 1) {
		printf("agent: %s\n", line);
	} else {
		printf("agents: %s\n", line);
		for (size_t i = 0; i < na; i++) {
			agent_describe(&all[i], time_now(), line, sizeof(line));
			printf("  %s\n", line);
		}
	}
	free(all);
	if (catalog_job_list(cat, &jobs, &nj, &err) == CATALOG_OK && nj > 0) {
		printf("\n%-28s %-20s %-8s %5s  %s\n", "JOB", "LAST STARTED",
		       "STATUS", "RUNS", "MESSAGE");
		for (size_t i = 0; i < nj; i++) {
			char at[32];
			time_format_iso(jobs[i].last_started_at, at);
			printf("%-28s %-20s %-8s %5lld  %s\n", jobs[i].name, at,
			       jobs[i].last_status, (long long)jobs[i].runs,
			       jobs[i].last_message);
		}
	}
	free(err);
	err = NULL;
	/* Bad news no channel could deliver is the agent's failure too. */
	if (notify_undelivered(cat, &lost, &nl, &err) == DR_OK && nl > 0) {
		printf("\nNOT DELIVERED: %zu alarm%s reached no channel:\n", nl,
		       nl == 1 ? "" : "s");
		for (size_t i = 0; i < nl; i++)
			printf("  %s (%s, %d tries: %s)\n", lost[i].title,
			       lost[i].status, lost[i].attempts,
			       lost[i].last_error);
		dead = 1;
	}
	free(err);
	free(lost);
	free(jobs);
	catalog_close(cat);
	config_free(cfg);
	return dead ? DR_EXIT_FAIL : DR_EXIT_OK;
}

static int agent_exec(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_agent_entry, NULL, argc, argv);
	struct agent_options opt = {0};
	struct agent_hooks hooks;
	struct sigaction sa;
	struct config *cfg;
	struct catalog *cat;
	char *where, *err = NULL, *note = NULL;
	int c, rc, lock_fd = -1;
	long ticks = 0;

	if (argc == 2 && strcmp(argv[1], "status") == 0)
		return agent_status_exec(g);
	if (argc > 2 && strcmp(argv[1], "status") == 0) {
		cli_error("agent status: unexpected argument '%s'", argv[2]);
		return DR_EXIT_USAGE;
	}
	if (args == NULL)
		return DR_EXIT_USAGE;
	for (size_t i = 0; i < args->n_opts; i++) {
		const char *value = args->opts[i].value;
		c = args->opts[i].id;
		char *end = NULL;
		if (c != 't') {
			cli_error("agent: expected [--ticks N] or 'status'");
			return DR_EXIT_USAGE;
		}
		ticks = strtol(value, &end, 10);
		if (*value == '\0' || *end != '\0' || ticks < 1) {
			cli_error("agent: --ticks: expected a positive number, "
			          "found '%s'",
			          value);
			return DR_EXIT_USAGE;
		}
	}
	if (args->n_operands > 0) {
		cli_error("agent: unexpected '%s'", args->operands[0]);
		return DR_EXIT_USAGE;
	}
	cfg = cli_config(g);
	if (cfg == NULL)
		return DR_EXIT_USAGE;
	cat = cli_open_catalog(g, cfg, CLI_WRITE, &rc);
	if (cat == NULL) {
		config_free(cfg);
		return rc;
	}
	where = cli_catalog_path(g, cfg);
	if (agent_lock(cat, cfg, where, &lock_fd, &note, &err) != DR_OK) {
		cli_error("agent: %s", err);
		free(err);
		free(where);
		catalog_close(cat);
		config_free(cfg);
		return DR_EXIT_FAIL;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = agent_on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: a signal ends the tick's sleep */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	opt.catalog_path = where;
	agent_globals = g;
	agent_catalog = where;
	hooks = agent_backup_hooks;
	hooks.failover = agent_failover;
	opt.hooks = &hooks;
	opt.reload = agent_reload;
	opt.reload_arg = (void *)g;
	opt.log = agent_log_line;
	opt.max_ticks = (int)ticks;
	if (note != NULL)
		agent_log_line(NULL, note);
	free(note);
	rc = agent_run(cat, &cfg, &opt, &err);
	if (rc != DR_OK) {
		cli_error("agent: %s", err ? err : dr_status_name(rc));
		free(err);
		agent_request_stop();
	}
	/* A failover in flight stops its step and pauses (or ends) first:
	 * the lock is held until nothing of the agent's runs. */
	ops_failover_wait();
	agent_unlock(lock_fd);
	free(where);
	catalog_close(cat);
	config_free(cfg);
	return rc == DR_OK ? DR_EXIT_OK : DR_EXIT_FAIL;
}

static const struct cmd_option agent_options[] = {
    {"ticks", 't', 0, CMD_OPT_VALUE},
    {NULL, 0, 0, 0},
};
static const struct cmd_sub agent_subs[] = {
    {"status", NULL},
    {NULL, NULL},
};

const struct cmd_entry cmd_agent_entry = {
    .name = "agent",
    .usage = "[--ticks N] | status",
    .summary = "run probes, jobs and notifications on their schedules",
    .help =
        "  (no argument)  run until SIGTERM or SIGINT: probes on their "
        "intervals,\n"
        "                 scheduled jobs, hourly pruning of history, the "
        "verdict and\n"
        "                 notifications, a heartbeat in the catalog, and the "
        "failover\n"
        "                 runbook of a service that goes down when its config "
        "says\n"
        "                 \"auto_failover\" (run unattended; see runbook "
        "--help).\n"
        "                 SIGTERM finishes the work in hand; SIGHUP reloads "
        "the config\n"
        "                 (a bad one is refused and the old one kept).  A "
        "second agent\n"
        "                 on the same catalog is refused.  Log lines go to "
        "stderr.\n"
        "  --ticks N      stop after N rounds of the loop (about N seconds)\n"
        "  status         the heartbeat and the jobs' last runs; exit 1 when "
        "the agent\n"
        "                 has stopped or its heartbeat is stale, or when bad "
        "news reached\n"
        "                 no notification channel (NOT DELIVERED); 3 when "
        "none ever ran.\n",
    .exec = agent_exec,
    .options = agent_options,
    .subs = agent_subs,
};
