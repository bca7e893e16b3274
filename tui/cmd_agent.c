/* `agent`: the long-running process (core/agent.c) with its signals and
 * log lines; `agent status`: its heartbeat as the console shows it. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/agent.h"
#include "core/agent_backup.h"
#include "core/error.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "db/catalog_agent.h"
#include "tui/cmd.h"

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

static int agent_status_exec(const struct cmd_globals *g)
{
	struct config *cfg = cli_config(g);
	struct catalog *cat;
	struct catalog_agent a;
	struct catalog_job *jobs = NULL;
	size_t nj = 0;
	char *err = NULL, line[512];
	int rc, dead;

	if (cfg == NULL)
		return DR_EXIT_USAGE;
	cat = cli_open_catalog(g, cfg, CATALOG_READONLY, &rc);
	if (cat == NULL) {
		config_free(cfg);
		return rc;
	}
	rc = catalog_agent_latest(cat, &a, &err);
	if (rc == CATALOG_ENOTFOUND) {
		printf("agent: never ran on this catalog\n");
		free(err);
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
	dead = agent_describe(&a, time_now(), line, sizeof(line));
	printf("agent: %s\n", line);
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
	free(jobs);
	catalog_close(cat);
	config_free(cfg);
	return dead ? DR_EXIT_FAIL : DR_EXIT_OK;
}

static int agent_exec(const struct cmd_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"ticks", required_argument, NULL, 't'},
	    {NULL, 0, NULL, 0},
	};
	struct agent_options opt = {0};
	struct sigaction sa;
	struct config *cfg;
	struct catalog *cat;
	char *where, *err = NULL;
	int c, rc, lock_fd = -1;
	long ticks = 0;

	if (argc == 2 && strcmp(argv[1], "status") == 0)
		return agent_status_exec(g);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *end = NULL;
		if (c != 't') {
			cli_error("agent: expected [--ticks N] or 'status'");
			return DR_EXIT_USAGE;
		}
		ticks = strtol(optarg, &end, 10);
		if (*optarg == '\0' || *end != '\0' || ticks < 1) {
			cli_error("agent: --ticks: expected a positive number, "
			          "found '%s'",
			          optarg);
			return DR_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("agent: unexpected '%s'", argv[optind]);
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
	if (agent_lock(cat, where, &lock_fd, &err) != DR_OK) {
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
	opt.hooks = &agent_backup_hooks;
	opt.reload = agent_reload;
	opt.reload_arg = (void *)g;
	opt.log = agent_log_line;
	opt.max_ticks = (int)ticks;
	rc = agent_run(cat, &cfg, &opt, &err);
	if (rc != DR_OK) {
		cli_error("agent: %s", err ? err : dr_status_name(rc));
		free(err);
	}
	agent_unlock(lock_fd);
	free(where);
	catalog_close(cat);
	config_free(cfg);
	return rc == DR_OK ? DR_EXIT_OK : DR_EXIT_FAIL;
}

const struct cmd_entry cmd_agent_entry = {
    .name = "agent",
    .usage = "[--ticks N] | status",
    .summary = "run probes, jobs and notifications on their schedules",
    .help =
        "  (no argument)  run until SIGTERM or SIGINT: probes on their "
        "intervals,\n"
        "                 scheduled jobs, hourly pruning of history, the "
        "verdict and\n"
        "                 notifications, a heartbeat in the catalog.  SIGTERM "
        "finishes\n"
        "                 the work in hand; SIGHUP reloads the config (a bad "
        "one is\n"
        "                 refused and the old one kept).  A second agent on "
        "the same\n"
        "                 catalog is refused.  Log lines go to stderr.\n"
        "  --ticks N      stop after N rounds of the loop (about N seconds)\n"
        "  status         the heartbeat and the jobs' last runs; exit 1 when "
        "the agent\n"
        "                 has stopped or its heartbeat is stale, 3 when none "
        "ever ran.\n",
    .exec = agent_exec,
};
