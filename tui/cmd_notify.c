/* `notify test [--channel NAME]`: one message to every channel, retried
 * with backoff; `notify log [--limit N]`: the outbox, newest first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/notify.h"
#include "core/ops_probe.h"
#include "core/timeutil.h"
#include "db/catalog_agent.h"
#include "tui/cli_ops.h"
#include "tui/cmd.h"

static int notify_test_exec(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_notify_entry, "test", argc, argv);
	const char *channel = NULL;
	struct config *cfg;
	struct catalog *cat;
	int c, rc, sent = 0, failed = 0;
	char *err = NULL;

	if (args == NULL)
		return DR_EXIT_USAGE;
	for (size_t i = 0; i < args->n_opts; i++) {
		const char *value = args->opts[i].value;
		c = args->opts[i].id;
		if (c != 'c') {
			cli_error("notify test: expected [--channel NAME]");
			return DR_EXIT_USAGE;
		}
		channel = value;
	}
	cfg = cli_config(g);
	if (cfg == NULL)
		return DR_EXIT_USAGE;
	cat = cli_open_catalog(g, cfg, CLI_WRITE, &rc);
	if (cat == NULL) {
		config_free(cfg);
		return rc;
	}
	struct ops_session ses = cli_session(g, cat, cfg);
	rc = ops_notify_test(&ses, channel, time_now(), &sent, &failed, &err);
	if (rc != DR_OK) {
		cli_error("notify test: %s", err);
		free(err);
		rc = dr_status_exit(rc);
	} else {
		printf("notify test: %d sent, %d failed (see 'drconsole "
		       "notify log')\n",
		       sent, failed);
		rc = failed ? DR_EXIT_FAIL : DR_EXIT_OK;
	}
	catalog_close(cat);
	config_free(cfg);
	return rc;
}

static int notify_log_exec(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_notify_entry, "log", argc, argv);
	long limit = 20;
	struct config *cfg;
	struct catalog *cat;
	struct catalog_notify *rows = NULL;
	size_t n = 0;
	int c, rc;
	char *err = NULL;

	if (args == NULL)
		return DR_EXIT_USAGE;
	for (size_t i = 0; i < args->n_opts; i++) {
		const char *value = args->opts[i].value;
		c = args->opts[i].id;
		char *end = NULL;
		if (c != 'l') {
			cli_error("notify log: expected [--limit N]");
			return DR_EXIT_USAGE;
		}
		limit = strtol(value, &end, 10);
		if (*value == '\0' || *end != '\0' || limit < 0) {
			cli_error("notify log: --limit: expected a number, "
			          "found '%s'",
			          value);
			return DR_EXIT_USAGE;
		}
	}
	cfg = cli_config(g);
	if (cfg == NULL)
		return DR_EXIT_USAGE;
	cat = cli_open_catalog(g, cfg, CATALOG_READONLY, &rc);
	if (cat == NULL) {
		config_free(cfg);
		return rc;
	}
	if (catalog_notify_list(cat, (size_t)limit, &rows, &n, &err) !=
	    CATALOG_OK) {
		cli_error("notify log: %s", err);
		free(err);
		catalog_close(cat);
		config_free(cfg);
		return DR_EXIT_FAIL;
	}
	printf("%-5s %-20s %-12s %-13s %3s  %-40s %s\n", "ID", "CREATED",
	       "CHANNEL", "STATUS", "TRY", "TITLE", "LAST ERROR");
	for (size_t i = 0; i < n; i++) {
		char at[32];
		time_format_iso(rows[i].created_at, at);
		printf("%-5lld %-20s %-12s %-13s %3d  %-40s %s\n",
		       (long long)rows[i].id, at, rows[i].channel,
		       rows[i].status, rows[i].attempts, rows[i].title,
		       rows[i].last_error);
	}
	free(rows);
	catalog_close(cat);
	config_free(cfg);
	return DR_EXIT_OK;
}

static int notify_exec(const struct cmd_globals *g, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "test") == 0)
		return notify_test_exec(g, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "log") == 0)
		return notify_log_exec(g, argc - 1, argv + 1);
	cli_error("notify: expected 'test [--channel NAME]' or 'log [--limit "
	          "N]'");
	return DR_EXIT_USAGE;
}

static const struct cmd_option notify_test_options[] = {
    {"channel", 'c', 0, CMD_OPT_VALUE},
    {NULL, 0, 0, 0},
};
static const struct cmd_option notify_log_options[] = {
    {"limit", 'l', 0, CMD_OPT_VALUE},
    {NULL, 0, 0, 0},
};
static const struct cmd_sub notify_subs[] = {
    {"test", notify_test_options},
    {"log", notify_log_options},
    {NULL, NULL},
};

const struct cmd_entry cmd_notify_entry = {
    .name = "notify",
    .usage = "test [--channel NAME] | log [--limit N]",
    .summary = "send a test notification, or show the ones sent",
    .help = "  test [--channel NAME]  one message to every configured "
            "channel (or one),\n"
            "                         retried with backoff; exit 1 when one "
            "could not be\n"
            "                         delivered.\n"
            "  log [--limit N]        the newest notifications (20 by "
            "default; 0: all) with\n"
            "                         their delivery status.\n"
            "\nChannels are declared under \"notifications\" in the config; "
            "see\ndrconsole.conf(5).\n",
    .exec = notify_exec,
    .subs = notify_subs,
};
