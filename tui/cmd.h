/* Subcommands: one file each (tui/cmd_*.c), each exporting a const
 * cmd_entry; tui/main.c lists them.  A command prints plain text (or JSON)
 * and returns its exit code (core/error.h dr_exit, or its own documented
 * codes, as `check` does). */
#ifndef DR_CMD_H
#define DR_CMD_H

#include <stdio.h>

#include "core/config.h"
#include "db/catalog.h"

/* The global options, before or after the command name. */
struct cmd_globals {
	const char
	    *catalog;       /* --catalog, else DRCONSOLE_CATALOG, else config */
	const char *config; /* --config */
	const char *theme;  /* --theme */
	int read_only;      /* --read-only */
	int wall;           /* --wall */
	int ascii;          /* --ascii */
	int cycle_s;        /* --cycle */
	long long stale_after_s; /* --stale-after */
};

/* One option a command accepts.  Every command is parsed by the same
 * parser (cli_parse): --name=VALUE and --name VALUE alike, -x VALUE and
 * -xVALUE where a short form exists, options anywhere before "--", the
 * global options (cli_global_options) anywhere too.  The tables below are
 * also what `drconsole completion bash` completes from. */
#define CMD_OPT_VALUE (1 << 0) /* takes a value */
#define CMD_OPT_FILE  (1 << 1) /* its value names a file (implies VALUE) */
struct cmd_option {
	const char *name; /* the long form, without "--"; NULL ends a table */
	int id;           /* what cli_parse reports it as */
	char letter;      /* the short form -letter, or 0 */
	int flags;        /* CMD_OPT_* */
};

/* A sub-command: `service add`.  Its options follow it. */
struct cmd_sub {
	const char *name; /* NULL ends a table */
	const struct cmd_option *options;
};

struct cmd_entry {
	const char *name;
	const char *usage;   /* after "drconsole NAME " */
	const char *summary; /* one line for `drconsole --help` */
	const char *help;    /* the rest of `drconsole NAME --help` */
	int (*exec)(const struct cmd_globals *g, int argc, char **argv);
	/* The options after NAME when it has no sub-command (or the word
	 * after it is none of them); NULL for none. */
	const struct cmd_option *options;
	/* The sub-commands, which are the word right after NAME (global
	 * options may stand between); NULL when it has none. */
	const struct cmd_sub *subs;
	/* When an option is wrong: prints what else must be said and
	 * returns the exit code (`check`, a monitoring plugin, says UNKNOWN);
	 * NULL for DR_EXIT_USAGE. */
	int (*usage_exit)(void);
};

/* Every command, NULL-terminated (tui/main.c), and each one's entry. */
extern const struct cmd_entry *const cmd_table[];
extern const struct cmd_entry cmd_init_entry, cmd_service_entry,
    cmd_record_entry, cmd_status_entry, cmd_check_entry, cmd_config_entry,
    cmd_audit_entry, cmd_demo_entry, cmd_backup_entry, cmd_restore_entry,
    cmd_restore_test_entry, cmd_prune_entry, cmd_copy_entry, cmd_probe_entry,
    cmd_agent_entry, cmd_notify_entry, cmd_alarm_entry, cmd_runbook_entry,
    cmd_metrics_entry, cmd_report_entry, cmd_import_entry, cmd_completion_entry,
    cmd_tests_entry, cmd_catalog_entry;

/* What cli_parse found: the options in command-line order (a repeated one
 * as often as given; a flag's value is NULL) and the operands, also as an
 * argv of the (sub-)command's name and its operands. */
struct cli_opt {
	int id;
	const char *value;
};
struct cli_args {
	const struct cli_opt *opts;
	size_t n_opts;
	char **operands;
	int n_operands;
	char **argv; /* argv[0] the name, then the operands, NULL */
	int argc;    /* n_operands + 1 */
};

/* The global options (--catalog ...), which cli_parse accepts after the
 * command as well. */
extern const struct cmd_option cli_global_options[];

/* Parses the arguments of command cmd (sub-command sub, or NULL for the
 * command's own options): argv[0] is the (sub-)command's name.  Global
 * options are skipped (tui/main.c has taken them).  On an unknown option or
 * a missing value prints the message and the command's usage to stderr and
 * returns NULL (exit with DR_EXIT_USAGE).  The result lives until the next
 * call. */
const struct cli_args *cli_parse(const struct cmd_entry *cmd, const char *sub,
                                 int argc, char **argv);
/* For tui/main.c.  Sets the global option at argv[*i] in g and advances
 * *i past it (and its value): 1; 0 when argv[*i] is no global option; -1
 * after printing why its value is wrong or missing. */
int cli_global(int argc, char **argv, int *i, struct cmd_globals *g);
/* For tui/main.c: argv[0] is command cmd.  Takes the global options out of
 * argv wherever they stand, into g, checks every other option against
 * cmd's tables (as cli_parse), and leaves the rest in *nargv (argv[0]
 * first; malloc'd, the strings are argv's).  0, or DR_EXIT_USAGE after
 * printing why. */
int cli_prepare(const struct cmd_entry *cmd, int argc, char **argv,
                struct cmd_globals *g, int *nargc, char ***nargv);
/* `drconsole completion bash`: a bash completion script for the commands,
 * sub-commands and options of table. */
void cli_completion_bash(FILE *out, const struct cmd_entry *const *table);

/* Shared by commands (tui/cli.c). */

/* Loads the config named by g (or the default one).  On error prints the
 * messages to stderr and returns NULL. */
struct config *cli_config(const struct cmd_globals *g);
/* Where the catalog is: --catalog, DRCONSOLE_CATALOG, the config, or the
 * XDG default.  malloc'd. */
char *cli_catalog_path(const struct cmd_globals *g, const struct config *cfg);
/* Passed with the catalog flags by commands that change state: under
 * --read-only they are refused before anything is opened. */
#define CLI_WRITE (1 << 8)
/* Read every page first (catalog_check_integrity): for the commands that
 * administer the catalog (init, service add/remove, config apply, audit
 * verify), so a damaged one is never written to. */
#define CLI_CHECK (1 << 9)

/* Opens the catalog (flags as catalog_open) and attaches the audit hasher;
 * prints the error and returns NULL on failure, setting *rc to the exit
 * code to use. */
struct catalog *cli_open_catalog(const struct cmd_globals *g,
                                 const struct config *cfg, int flags, int *rc);
/* Prints "drconsole: " + msg to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Every argument must be UTF-8 without control characters (a line break
 * or tab only in the prose flags --notes, --lessons, --reason and
 * --metadata): else a message naming it and -1. */
int cli_args_check(int argc, char **argv);
/* "drconsole: warning: ..." on standard error. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints a command's usage and help to out. */
void cli_usage(const struct cmd_entry *cmd, FILE *out);
/* 1 when argv holds -h or --help before any "--". */
int cli_wants_help(int argc, char **argv);

#endif
