/* `backup run`, `backup list`, `backup verify`. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/backup.h"
#include "core/backup_config.h"
#include "core/error.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "tui/cmd.h"
#include "tui/safe_stdio.h"

static void human(double bytes, char *buf, size_t size)
{
	static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	int u = 0;
	while (bytes >= 1024 && u < 4) {
		bytes /= 1024;
		u++;
	}
	snprintf(buf, size, u == 0 ? "%.0f %s" : "%.1f %s", bytes, unit[u]);
}

/* Progress on a terminal: one line rewritten in place, at most 5 times a
 * second. */
struct progress_line {
	double last;
	int shown; /* the first call always shows */
};

static void show_progress(void *arg, const struct backup_progress *p)
{
	struct progress_line *pl = arg;
	char done[32], rate[32], eta[32] = "";
	if (pl->shown && p->elapsed_s - pl->last < 0.2)
		return;
	pl->shown = 1;
	pl->last = p->elapsed_s;
	double bps =
	    p->elapsed_s > 0 ? (double)p->plain_bytes / p->elapsed_s : 0;
	human((double)p->plain_bytes, done, sizeof done);
	human(bps, rate, sizeof rate);
	if (p->expected_bytes > p->plain_bytes && bps > 0) {
		long s =
		    (long)((double)(p->expected_bytes - p->plain_bytes) / bps);
		snprintf(eta, sizeof eta, "  ETA %ld:%02ld", s / 60, s % 60);
	}
	fprintf(safe_stdio_raw_stderr(),
	        "\r  %s read, %s/s, %.0fs elapsed%s   ", done, rate,
	        p->elapsed_s, eta);
	fflush(stderr);
}

/* The first SIGINT or SIGTERM stops the backup cleanly (its row fails with
 * the reason); a second one ends the process at once. */
static void on_signal(int sig)
{
	(void)sig;
	backup_cancel();
}

static void catch_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND | SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static int run_one(struct catalog *cat, const struct config *cfg,
                   const char *target)
{
	struct backup_outcome out;
	struct progress_line pl = {0};
	/* The console's job screen asks for it too (tui/job.c). */
	const char *job = getenv("DR_JOB_PROGRESS");
	int tty = isatty(2) || (job != NULL && strcmp(job, "1") == 0);
	char *err = NULL, plain[32], stored[32];
	int rc = backup_run(cat, cfg, target, tty ? show_progress : NULL, &pl,
	                    &out, &err);
	if (tty)
		fprintf(safe_stdio_raw_stderr(), "\r%60s\r", "");
	if (rc != DR_OK) {
		if (out.backup_id[0])
			cli_error("backup %s of %s failed: %s", out.backup_id,
			          target, err);
		else
			cli_error("backup of %s refused: %s", target, err);
		free(err);
		return dr_status_exit(rc) == DR_EXIT_USAGE && !out.backup_id[0]
		           ? DR_EXIT_USAGE
		           : DR_EXIT_FAIL;
	}
	human((double)out.plain_bytes, plain, sizeof plain);
	human((double)out.stored_bytes, stored, sizeof stored);
	printf("%s %s %s: %s -> %s in %.1fs (%.1f MiB/s) sha256 %s\n",
	       out.status, target, out.backup_id, plain, stored, out.seconds,
	       out.seconds > 0
	           ? (double)out.plain_bytes / 1048576.0 / out.seconds
	           : 0.0,
	       out.checksum);
	return DR_EXIT_OK;
}

static int cmd_run(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_backup_entry, "run", argc - 1, argv + 1);
	int all = 0;
	const char *target = NULL;
	if (args == NULL)
		return DR_EXIT_USAGE;
	for (size_t i = 0; i < args->n_opts; i++)
		all = 1; /* --all, its only option */
	if (args->n_operands > 1) {
		cli_error("backup run: unexpected argument '%s'",
		          args->operands[1]);
		return DR_EXIT_USAGE;
	}
	if (args->n_operands == 1)
		target = args->operands[0];
	if (all == (target != NULL)) {
		cli_error("backup run: expected a TARGET or --all");
		return DR_EXIT_USAGE;
	}
	struct config *cfg = cli_config(g);
	if (cfg == NULL)
		return DR_EXIT_USAGE;
	if (target != NULL && backup_config_target(cfg, target) == NULL) {
		cli_error("backup run: no backup target \"%s\" in the config",
		          target);
		config_free(cfg);
		return DR_EXIT_USAGE;
	}
	int rc;
	struct catalog *cat = cli_open_catalog(g, cfg, CLI_WRITE, &rc);
	if (cat == NULL) {
		config_free(cfg);
		return rc;
	}
	catch_signals();
	if (target != NULL) {
		rc = run_one(cat, cfg, target);
	} else {
		const struct backup_config *bc = cfg->backup;
		rc = DR_EXIT_OK;
		if (bc == NULL || bc->n_targets == 0)
			printf("no backup targets in the config\n");
		for (size_t i = 0; bc != NULL && i < bc->n_targets; i++)
			if (run_one(cat, cfg, bc->targets[i].name) !=
			    DR_EXIT_OK)
				rc = DR_EXIT_FAIL;
	}
	catalog_close(cat);
	config_free(cfg);
	return rc;
}

static int cmd_list(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_backup_entry, "list", argc - 1, argv + 1);
	const char *service = NULL;
	int json = 0, c;
	if (args == NULL)
		return DR_EXIT_USAGE;
	for (size_t i = 0; i < args->n_opts; i++) {
		const char *value = args->opts[i].value;
		c = args->opts[i].id;
		if (c == 's')
			service = value;
		else if (c == 'j')
			json = 1;
		else
			return DR_EXIT_USAGE;
	}
	if (args->n_operands > 0) {
		cli_error("backup list: unexpected argument '%s'",
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
	char *err = NULL;
	int reaped = 0;
	struct catalog_service known;
	/* A mistyped name must not read as "no backups". */
	if (service != NULL &&
	    catalog_service_get(cat, service, &known, &err) != DR_OK) {
		cli_error("backup list: no service '%s' in the catalog",
		          service);
		free(err);
		catalog_close(cat);
		config_free(cfg);
		return DR_EXIT_USAGE;
	}
	/* Listing is when people look: show dead runs as failed.  Read-only
	 * consoles leave that to the next writer. */
	if (!g->read_only && backup_reap_stale(cat, cfg, &reaped, &err) != 0) {
		cli_error("%s", err);
		free(err);
		err = NULL;
	}
	struct catalog_backup_filter f = {.service = service};
	struct catalog_backup *list = NULL;
	size_t n = 0;
	if (catalog_backup_list(cat, &f, &list, &n, &err) != DR_OK) {
		cli_error("%s", err);
		free(err);
		rc = DR_EXIT_FAIL;
	} else if (json) {
		char *text = backup_list_json(list, n);
		printf("%s\n", text);
		free(text);
	} else {
		printf("%-36s  %-14s %-14s %-9s %-16s %10s  %s\n", "BACKUP",
		       "SERVICE", "TARGET", "STATUS", "COMPLETED", "SIZE",
		       "NOTE");
		for (size_t i = 0; i < n; i++) {
			char when[32], size[32] = "-", target[64], error[256];
			time_format_short(list[i].completed_at, when);
			if (list[i].size_bytes >= 0)
				human((double)list[i].size_bytes, size,
				      sizeof size);
			backup_meta_summary(&list[i], target, error);
			printf("%-36s  %-14s %-14s %-9s %-16s %10s  %s\n",
			       list[i].backup_id, list[i].service,
			       target[0] ? target : "-", list[i].status, when,
			       size, error);
		}
	}
	catalog_backups_free(list, n);
	catalog_close(cat);
	config_free(cfg);
	return rc;
}

static int verify_one(struct catalog *cat, const struct config *cfg,
                      const char *id, const char *key_file)
{
	struct backup_outcome out;
	char *err = NULL;
	int rc = backup_verify(cat, cfg, id, key_file, &out, &err);
	if (rc == DR_OK) {
		printf("verified %s (%s): %llu bytes, every chunk and the "
		       "SHA-256 check out\n",
		       id, out.service, (unsigned long long)out.plain_bytes);
		return DR_EXIT_OK;
	}
	if (rc == DR_ECORRUPT)
		printf("CORRUPT %s (%s): %s\n", id, out.service, err);
	else
		cli_error("verify %s: %s", id, err);
	free(err);
	return rc == DR_ENOTFOUND || rc == DR_EINVAL ? DR_EXIT_USAGE
	                                             : DR_EXIT_FAIL;
}

static int cmd_verify(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_backup_entry, "verify", argc - 1, argv + 1);
	const char *id = NULL, *service = NULL, *key_file = NULL;
	int all = 0;
	if (args == NULL)
		return DR_EXIT_USAGE;
	for (size_t i = 0; i < args->n_opts; i++) {
		if (args->opts[i].id == 'a')
			all = 1;
		else if (args->opts[i].id == 'k')
			key_file = args->opts[i].value;
		else if (args->opts[i].id == 's')
			service = args->opts[i].value;
	}
	if (args->n_operands > 1) {
		cli_error("backup verify: unexpected argument '%s'",
		          args->operands[1]);
		return DR_EXIT_USAGE;
	}
	if (args->n_operands == 1)
		id = args->operands[0];
	if ((id != NULL) + (service != NULL) + all != 1) {
		cli_error("backup verify: expected one of ID, --service S, "
		          "--all");
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
	char *err = NULL;
	int reaped;
	if (backup_reap_stale(cat, cfg, &reaped, &err) != DR_OK) {
		cli_error("%s", err);
		free(err);
		err = NULL;
	}
	if (id != NULL) {
		rc = verify_one(cat, cfg, id, key_file);
	} else {
		static const char *const states[] = {"completed", "verified",
		                                     "corrupt"};
		size_t total = 0, bad = 0, nids = 0;
		char(*ids)[40] = NULL;
		rc = DR_EXIT_OK;
		/* Collect first: verifying moves rows between states. */
		for (size_t s = 0; s < 3; s++) {
			struct catalog_backup_filter f = {.service = service,
			                                  .status = states[s],
			                                  .oldest_first = 1};
			struct catalog_backup *list = NULL;
			size_t n = 0;
			if (catalog_backup_list(cat, &f, &list, &n, &err) !=
			    DR_OK) {
				cli_error("%s", err);
				free(err);
				err = NULL;
				rc = DR_EXIT_FAIL;
				continue;
			}
			ids = xreallocarray(ids, nids + n + 1, sizeof *ids);
			for (size_t i = 0; i < n; i++)
				strlcpy_dr(ids[nids++], list[i].backup_id, 40);
			catalog_backups_free(list, n);
		}
		for (size_t i = 0; i < nids; i++) {
			total++;
			if (verify_one(cat, cfg, ids[i], key_file) !=
			    DR_EXIT_OK) {
				bad++;
				rc = DR_EXIT_FAIL;
			}
		}
		free(ids);
		printf("%zu verified, %zu failed\n", total - bad, bad);
	}
	catalog_close(cat);
	config_free(cfg);
	return rc;
}

static int backup_exec(const struct cmd_globals *g, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "run") == 0)
		return cmd_run(g, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return cmd_list(g, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "verify") == 0)
		return cmd_verify(g, argc, argv);
	cli_error("backup: expected run, list or verify; try 'drconsole "
	          "backup --help'");
	return DR_EXIT_USAGE;
}

static const struct cmd_option backup_run_options[] = {
    {"all", 'a', 0, 0},
    {NULL, 0, 0, 0},
};
static const struct cmd_option backup_list_options[] = {
    {"service", 's', 0, CMD_OPT_VALUE},
    {"json", 'j', 0, 0},
    {NULL, 0, 0, 0},
};
static const struct cmd_option backup_verify_options[] = {
    {"all", 'a', 0, 0},
    {"key-file", 'k', 0, CMD_OPT_FILE},
    {"service", 's', 0, CMD_OPT_VALUE},
    {NULL, 0, 0, 0},
};
static const struct cmd_sub backup_subs[] = {
    {"run", backup_run_options},
    {"list", backup_list_options},
    {"verify", backup_verify_options},
    {NULL, NULL},
};

const struct cmd_entry cmd_backup_entry = {
    .name = "backup",
    .usage = "run TARGET|--all\n"
             "       drconsole backup list [--service S] [--json]\n"
             "       drconsole backup verify ID|--service S|--all "
             "[--key-file PATH]",
    .summary = "run, list and verify backups",
    .help =
        "run streams a configured target's source through compression,\n"
        "encryption (when the target has a key_file) and SHA-256 into its\n"
        "repository; the catalog row becomes completed only once the\n"
        "repository holds the whole object.  verify reads objects back and\n"
        "marks them verified or corrupt; --key-file opens encrypted ones\n"
        "with another key file (an old key) instead of their target's, and\n"
        "a key that does not open a backup is a wrong key, never corrupt.\n"
        "Exit 1 when any backup failed, is corrupt or needs another key.\n"
        "See drconsole-backup(5).\n",
    .exec = backup_exec,
    .subs = backup_subs,
};
