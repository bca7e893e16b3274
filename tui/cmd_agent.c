/* `agent`: the long-running process (core/agent.c) with its signals and
 * log lines; `agent status`: its heartbeat as the console shows it.
 *
 * Automatic failover ("auto_failover" in the config) starts this same
 * binary as `runbook run NAME --unattended` in a session of its own, so
 * the run is an ordinary execution: stored step by step, held by its own
 * process, resumable, and visible in the console like any other. */
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
#include "core/runbook.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "db/catalog_agent.h"
#include "db/catalog_runbook.h"
#include "tui/cmd.h"

/* Room for the failover command line (19 words at most, and NULL). */
#define FAILOVER_ARGS 24

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

/* The runbook's variable that names its affected service: the NAME of a
 * "services" entry that is exactly "${NAME}".  NULL: none. */
static const struct runbook_var *failover_service_var(const struct runbook *rb)
{
	for (size_t i = 0; i < rb->n_services; i++) {
		const char *s = rb->services[i];
		size_t len = strlen(s);
		long v;

		if (len < 4 || strncmp(s, "${", 2) != 0 || s[len - 1] != '}')
			continue;
		char *name = xstrndup(s + 2, len - 3);
		v = runbook_var_index(rb, name);
		free(name);
		if (v >= 0)
			return &rb->vars[v];
	}
	return NULL;
}

/* Checks that the runbook can start with nobody to answer its questions,
 * and builds its command line. */
static int failover_argv(const struct config *cfg, const char *service,
                         const char *name, int64_t up_at, char ***argv_out,
                         char **message)
{
	char **dirs = NULL, *path = NULL, *err = NULL, exe[4096];
	struct runbook *rb = NULL;
	const struct runbook_var *sv;
	size_t n_dirs = 0, n = 0;
	char **argv;
	int rc;

	if (cli_self_exe(exe, sizeof exe) != 0) {
		*message = xstrdup("cannot find this program's own binary");
		return DR_EIO;
	}
	runbook_search_dirs(cfg->runbook_dir, &dirs, &n_dirs);
	rc = runbook_find(name, dirs, n_dirs, &path, &err);
	runbook_values_free(dirs, n_dirs);
	if (rc == DR_OK)
		rc = runbook_load(path, &rb, &err);
	free(path);
	if (rc != DR_OK) {
		*message = xasprintf("runbook %s: %s", name, err);
		free(err);
		return rc;
	}
	sv = failover_service_var(rb);
	if (sv != NULL && runbook_var_check(sv, service, &err) != DR_OK) {
		*message = xasprintf("not started: %s", err);
		free(err);
		runbook_free(rb);
		return DR_EINVAL;
	}
	for (size_t i = 0; i < rb->n_vars; i++) {
		if (rb->vars[i].def != NULL || &rb->vars[i] == sv)
			continue;
		*message = xasprintf("not started: variable %s of runbook %s "
		                     "has no default, and nobody is there to "
		                     "give one",
		                     rb->vars[i].name, rb->name);
		runbook_free(rb);
		return DR_EINVAL;
	}

	argv = xcalloc(FAILOVER_ARGS, sizeof *argv);
	argv[n++] = xstrdup(exe);
	argv[n++] = xstrdup("--catalog");
	argv[n++] = xstrdup(agent_catalog);
	if (agent_globals->config != NULL) {
		argv[n++] = xstrdup("--config");
		argv[n++] = xstrdup(agent_globals->config);
	}
	argv[n++] = xstrdup("runbook");
	argv[n++] = xstrdup("run");
	argv[n++] = xstrdup(rb->path);
	argv[n++] = xstrdup("--unattended");
	argv[n++] = xstrdup("--services");
	argv[n++] = xstrdup(service);
	argv[n++] = xstrdup("--incident");
	argv[n++] = xasprintf("auto-failover %.48s", service);
	if (up_at > 0 && up_at <= time_now()) {
		argv[n++] = xstrdup("--incident-start");
		argv[n++] = xasprintf("@%lld", (long long)up_at);
	}
	argv[n++] = xstrdup("--notes");
	argv[n++] = xasprintf("Started by the agent: %s went down and its "
	                      "config has \"auto_failover\": true.",
	                      service);
	if (sv != NULL) {
		argv[n++] = xstrdup("--var");
		argv[n++] = xasprintf("%s=%s", sv->name, service);
	}
	runbook_free(rb);
	*argv_out = argv;
	return DR_OK;
}

/* A failover of service still open (running, or paused for an operator):
 * a second one would be refused by the run itself, after the agent had
 * said "started", so it is refused here, saying which run holds it. */
static int failover_open_run(struct catalog *cat, const char *service,
                             char **message)
{
	struct catalog_runbook_exec *open = NULL;
	char *err = NULL, *key;
	size_t n = 0;
	int rc = DR_OK;

	if (catalog_runbook_exec_list_open(cat, &open, &n, &err) !=
	    CATALOG_OK) {
		*message = xasprintf("not started: cannot tell whether a "
		                     "failover is already open: %s",
		                     err);
		free(err);
		return DR_EDB;
	}
	key = xasprintf("|auto-failover %.48s", service);
	for (size_t i = 0; i < n && rc == DR_OK; i++) {
		size_t kl = strlen(open[i].incident_key), sl = strlen(key);
		if (kl < sl || strcmp(open[i].incident_key + kl - sl, key) != 0)
			continue;
		*message = xasprintf(
		    "refused: a failover of %s is already open (runbook %s, "
		    "recovery %s, %s); not started again",
		    service, open[i].runbook, open[i].recovery_id,
		    open[i].pid > 0 ? "running"
		                    : "paused, waiting for an "
		                      "operator");
		rc = DR_EBUSY;
	}
	free(key);
	catalog_runbook_execs_free(open, n);
	return rc;
}

/* The agent's failover hook: starts the run in a session of its own and
 * returns at once; the run's output joins the agent's log (stderr). */
static int agent_failover(struct catalog *cat, const struct config *cfg,
                          const char *service, const char *runbook,
                          int64_t up_at, char **message)
{
	char **argv = NULL;
	int fds[2], status = 0;
	pid_t child, run = -1;
	int rc;

	rc = failover_argv(cfg, service, runbook, up_at, &argv, message);
	if (rc != DR_OK)
		return rc;
	rc = failover_open_run(cat, service, message);
	if (rc != DR_OK) {
		runbook_values_free(argv, FAILOVER_ARGS);
		return rc;
	}
	if (pipe(fds) != 0) {
		*message = xasprintf("pipe: %s", strerror(errno));
		runbook_values_free(argv, FAILOVER_ARGS);
		return DR_EIO;
	}
	fflush(NULL);
	child = fork();
	if (child < 0) {
		*message =
		    xasprintf("could not start it: fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		runbook_values_free(argv, FAILOVER_ARGS);
		return DR_EIO;
	}
	if (child == 0) {
		/* Twice forked: the run is nobody's zombie, and a session of
		 * its own keeps it out of the agent's terminal signals. */
		pid_t gc;
		close(fds[0]);
		setsid();
		gc = fork();
		if (gc == 0) {
			int null = open("/dev/null", O_RDONLY);
			close(fds[1]);
			if (null >= 0) {
				dup2(null, STDIN_FILENO);
				close(null);
			}
			dup2(STDERR_FILENO, STDOUT_FILENO);
			signal(SIGPIPE, SIG_DFL);
			execv(argv[0], argv);
			fprintf(stderr, "drconsole: cannot run %s: %s\n",
			        argv[0], strerror(errno));
			_exit(127);
		}
		if (write(fds[1], &gc, sizeof gc) != (ssize_t)sizeof gc)
			_exit(1);
		_exit(gc > 0 ? 0 : 1);
	}
	close(fds[1]);
	if (read(fds[0], &run, sizeof run) != (ssize_t)sizeof run)
		run = -1;
	waitpid(child, &status, 0);
	close(fds[0]);
	runbook_values_free(argv, FAILOVER_ARGS);
	if (run <= 0) {
		*message = xstrdup("could not start it: fork failed");
		return DR_EIO;
	}
	*message = xasprintf("started unattended as pid %ld; 'drconsole "
	                     "runbook log' follows it",
	                     (long)run);
	return DR_OK;
}

static int agent_status_exec(const struct cmd_globals *g)
{
	struct config *cfg = cli_config(g);
	struct catalog *cat;
	struct catalog_agent a;
	struct catalog_job *jobs = NULL;
	struct catalog_notify *lost = NULL;
	size_t nj = 0, nl = 0;
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
	char *where, *err = NULL;
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
	agent_globals = g;
	agent_catalog = where;
	hooks = agent_backup_hooks;
	hooks.failover = agent_failover;
	opt.hooks = &hooks;
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
