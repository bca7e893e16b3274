/* drconsole: global options, then a subcommand from the table below (whose
 * options, and global ones after it, tui/cli.c parses).  With no
 * subcommand it opens the console on a terminal and prints `status`
 * otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/timeutil.h"
#include "db/catalog.h"
#include "tui/cmd.h"
#include "tui/safe_stdio.h"

const struct cmd_entry *const cmd_table[] = {
    &cmd_init_entry,
    &cmd_status_entry,
    &cmd_check_entry,
    &cmd_service_entry,
    &cmd_record_entry,
    &cmd_config_entry,
    &cmd_audit_entry,
    &cmd_demo_entry,
    &cmd_backup_entry,
    &cmd_restore_entry,
    &cmd_restore_test_entry,
    &cmd_prune_entry,
    &cmd_copy_entry,
    &cmd_probe_entry,
    &cmd_agent_entry,
    &cmd_notify_entry,
    &cmd_runbook_entry,
    &cmd_metrics_entry,
    &cmd_report_entry,
    &cmd_import_entry,
    &cmd_alarm_entry,
    &cmd_tests_entry,
    &cmd_catalog_entry,
    &cmd_completion_entry,
    NULL,
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
	    "Global options (before or after the command):\n"
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
	for (size_t i = 0; cmd_table[i] != NULL; i++)
		fprintf(out, "  %-10s %s\n", cmd_table[i]->name,
		        cmd_table[i]->summary);
	fprintf(out, "\nSee drconsole(1).\n");
}

int main(int argc, char **argv)
{
	struct cmd_globals g = {.cycle_s = 15, .stale_after_s = 600};
	char *err = NULL;
	int i = 1, r;

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
	/* The global options before the command name; those after it are
	 * cli_prepare's. */
	while (i < argc && argv[i][0] == '-' && argv[i][1] != '\0') {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return DR_EXIT_OK;
		}
		if (strcmp(argv[i], "-V") == 0 ||
		    strcmp(argv[i], "--version") == 0) {
			printf("drconsole %s\n", DRCONSOLE_VERSION);
			return DR_EXIT_OK;
		}
		r = cli_global(argc, argv, &i, &g);
		if (r < 0)
			return DR_EXIT_USAGE;
		if (r == 0) {
			cli_error("unrecognized option '%.40s'; try 'drconsole "
			          "--help'",
			          argv[i]);
			return DR_EXIT_USAGE;
		}
	}
	if (i >= argc)
		return console_main(&g);

	const char *name = argv[i];
	for (size_t k = 0; cmd_table[k] != NULL; k++) {
		if (strcmp(cmd_table[k]->name, name) != 0)
			continue;
		argc -= i;
		argv += i;
		if (cli_wants_help(argc, argv)) {
			cli_usage(cmd_table[k], stdout);
			return DR_EXIT_OK;
		}
		int nargc;
		char **nargv;
		if (cli_prepare(cmd_table[k], argc, argv, &g, &nargc, &nargv) !=
		    DR_EXIT_OK)
			return cmd_table[k]->usage_exit
			           ? cmd_table[k]->usage_exit()
			           : DR_EXIT_USAGE;
		safe_stdio_install();
		r = cmd_table[k]->exec(&g, nargc, nargv);
		free(nargv);
		return r;
	}
	cli_error("unknown command '%s'; try 'drconsole --help'", name);
	return DR_EXIT_USAGE;
}
