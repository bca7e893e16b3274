/* Subcommands: one file each (tui/cmd_*.c), each exporting a const
 * cmd_entry; tui/main.c lists them.  A command prints plain text (or JSON)
 * and returns its exit code (core/error.h dr_exit, or its own documented
 * codes, as `check` does). */
#ifndef DR_CMD_H
#define DR_CMD_H

#include <stdio.h>

#include "core/config.h"
#include "db/catalog.h"

/* Options that stand before the command name. */
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

struct cmd_entry {
	const char *name;
	const char *usage;   /* after "drconsole NAME " */
	const char *summary; /* one line for `drconsole --help` */
	const char *help;    /* the rest of `drconsole NAME --help` */
	int (*exec)(const struct cmd_globals *g, int argc, char **argv);
};

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
