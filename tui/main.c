/* drconsole: global options, then a subcommand from the table below.  With
 * no subcommand it opens the console on a terminal and prints `status`
 * otherwise. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/duration.h"
#include "core/error.h"
#include "core/timeutil.h"
#include "db/catalog.h"
#include "tui/cmd.h"
#include "tui/safe_stdio.h"

extern const struct cmd_entry cmd_init_entry;
extern const struct cmd_entry cmd_service_entry;
extern const struct cmd_entry cmd_record_entry;
extern const struct cmd_entry cmd_status_entry;
extern const struct cmd_entry cmd_check_entry;
extern const struct cmd_entry cmd_config_entry;
extern const struct cmd_entry cmd_audit_entry;
extern const struct cmd_entry cmd_demo_entry;
extern const struct cmd_entry cmd_backup_entry;
extern const struct cmd_entry cmd_restore_entry;
extern const struct cmd_entry cmd_restore_test_entry;
extern const struct cmd_entry cmd_prune_entry;
extern const struct cmd_entry cmd_copy_entry;
extern const struct cmd_entry cmd_probe_entry;
extern const struct cmd_entry cmd_agent_entry;
extern const struct cmd_entry cmd_notify_entry;
extern const struct cmd_entry cmd_alarm_entry;
extern const struct cmd_entry cmd_runbook_entry;
extern const struct cmd_entry cmd_metrics_entry;
extern const struct cmd_entry cmd_report_entry;
extern const struct cmd_entry cmd_import_entry;

static const struct cmd_entry *const commands[] = {
    &cmd_init_entry,         &cmd_status_entry,
    &cmd_check_entry,        &cmd_service_entry,
    &cmd_record_entry,       &cmd_config_entry,
    &cmd_audit_entry,        &cmd_demo_entry,
    &cmd_backup_entry,       &cmd_restore_entry,
    &cmd_restore_test_entry, &cmd_prune_entry,
    &cmd_copy_entry,         &cmd_probe_entry,
    &cmd_agent_entry,        &cmd_notify_entry,
    &cmd_runbook_entry,      &cmd_metrics_entry,
    &cmd_report_entry,       &cmd_import_entry,
    &cmd_alarm_entry,        NULL,
};

/* The full-screen console (tui/console.c); the status table when standard
 * output is not a terminal. */
int console_main(const struct cmd_globals *g);

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: drconsole [GLOBAL OPTIONS] [COMMAND [ARGS]]\n"
	    "\n"
	    "A disaster-recovery operations console.  With no command it "
	    "opens the\nconsole on a terminal, and prints `status` "
	    "otherwise.\n"
	    "\n"
	    "Global options:\n"
	    "  --catalog PATH     the catalog (default "
	    "$XDG_DATA_HOME/drconsole/catalog.db;\n"
	    "                     also DRCONSOLE_CATALOG)\n"
	    "  --config FILE      the config file (default "
	    "$XDG_CONFIG_HOME/drconsole/config.json)\n"
	    "  --theme NAME|FILE  colour theme for the console\n"
	    "  --read-only        refuse every action\n"
	    "  --wall             read-only wall display that cycles views\n"
	    "  --cycle SECONDS    wall: seconds per view (default 15)\n"
	    "  --stale-after DUR  wall: warn when data is older (default "
	    "10m)\n"
	    "  --ascii            ASCII line drawing\n"
	    "  -h, --help         this help;  COMMAND --help for a command\n"
	    "  -V, --version      print the version\n"
	    "\n"
	    "Commands:\n");
	for (size_t i = 0; commands[i] != NULL; i++)
		fprintf(out, "  %-10s %s\n", commands[i]->name,
		        commands[i]->summary);
	fprintf(out, "\nSee drconsole(1).\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"catalog", required_argument, NULL, 'c'},
	    {"config", required_argument, NULL, 'f'},
	    {"theme", required_argument, NULL, 't'},
	    {"read-only", no_argument, NULL, 'r'},
	    {"wall", no_argument, NULL, 'w'},
	    {"cycle", required_argument, NULL, 'y'},
	    {"stale-after", required_argument, NULL, 's'},
	    {"ascii", no_argument, NULL, 'a'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	struct cmd_globals g = {.cycle_s = 15, .stale_after_s = 600};
	int c;
	char *err = NULL;
	int64_t secs;

	/* Bytes no person types (invalid UTF-8, escape sequences) are refused
	 * before any command sees them. */
	if (cli_args_check(argc, argv) != 0)
		return DR_EXIT_USAGE;
	/* A pinned clock that is no time would silently be the real one. */
	if (time_now_check(&err) != DR_OK) {
		cli_error("%s", err);
		free(err);
		return DR_EXIT_USAGE;
	}
	catalog_set_clock(time_now);
	/* "+": stop at the first non-option, the command name. */
	while ((c = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			g.catalog = optarg;
			break;
		case 'f':
			g.config = optarg;
			break;
		case 't':
			g.theme = optarg;
			break;
		case 'r':
			g.read_only = 1;
			break;
		case 'w':
			g.wall = 1;
			g.read_only = 1;
			break;
		case 'y':
			if (duration_parse(optarg, &secs, &err) != DR_OK ||
			    secs < 1 || secs > 3600) {
				cli_error("--cycle: %s",
				          err ? err
				              : "expected 1s to 1h, e.g. 15s");
				free(err);
				return DR_EXIT_USAGE;
			}
			g.cycle_s = (int)secs;
			break;
		case 's':
			if (duration_parse(optarg, &secs, &err) != DR_OK ||
			    secs < 1) {
				cli_error("--stale-after: %s",
				          err ? err
				              : "expected a duration "
				                "such as 10m");
				free(err);
				return DR_EXIT_USAGE;
			}
			g.stale_after_s = secs;
			break;
		case 'a':
			g.ascii = 1;
			break;
		case 'h':
			usage(stdout);
			return DR_EXIT_OK;
		case 'V':
			printf("drconsole %s\n", DRCONSOLE_VERSION);
			return DR_EXIT_OK;
		default:
			fprintf(stderr, "Try 'drconsole --help'.\n");
			return DR_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return console_main(&g);

	const char *name = argv[optind];
	for (size_t i = 0; commands[i] != NULL; i++) {
		if (strcmp(commands[i]->name, name) != 0)
			continue;
		argc -= optind;
		argv += optind;
		if (cli_wants_help(argc, argv)) {
			cli_usage(commands[i], stdout);
			return DR_EXIT_OK;
		}
		optind = 0; /* glibc: start afresh for the command */
		safe_stdio_install();
		return commands[i]->exec(&g, argc, argv);
	}
	cli_error("unknown command '%s'; try 'drconsole --help'", name);
	return DR_EXIT_USAGE;
}
