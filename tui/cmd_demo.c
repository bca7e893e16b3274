/* `demo`: writes a separate catalog with a believable estate, so a
 * newcomer can see the console at work before wiring in real backups. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/audit.h"
#include "core/demo.h"
#include "core/error.h"
#include "core/ops_catalog.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "tui/cli_ops.h"
#include "tui/cmd.h"

static void unlink_catalog(const char *path)
{
	char *wal = xasprintf("%s-wal", path), *shm = xasprintf("%s-shm", path);
	unlink(path);
	unlink(wal);
	unlink(shm);
	free(wal);
	free(shm);
}

static int demo_exec(const struct cmd_globals *g, int argc, char **argv)
{
	/* Its --catalog is the global one, wherever it stands. */
	const struct cli_args *args =
	    cli_parse(&cmd_demo_entry, NULL, argc, argv);
	const char *path = g->catalog;
	int force = 0;
	if (args == NULL)
		return DR_EXIT_USAGE;
	for (size_t i = 0; i < args->n_opts; i++)
		force = 1; /* --force, its only option */
	if (args->n_operands > 0) {
		cli_error("demo: unexpected argument '%s'", args->operands[0]);
		return DR_EXIT_USAGE;
	}
	if (g->read_only) {
		cli_error("demo: refused: read-only; nothing was written");
		return DR_EXIT_FAIL;
	}
	char *dflt = NULL;
	if (path == NULL) {
		const char *xdg = getenv("XDG_DATA_HOME");
		const char *home = getenv("HOME");
		if (xdg != NULL && xdg[0] == '/')
			dflt = xasprintf("%s/drconsole/demo.db", xdg);
		else
			dflt = xasprintf("%s/.local/share/drconsole/demo.db",
			                 home ? home : ".");
		path = dflt;
		force = 1;
	}
	struct stat st;
	if (!force && stat(path, &st) == 0) {
		cli_error("demo: %s exists; the demo writes a fresh catalog "
		          "(use --force to replace it)",
		          path);
		free(dflt);
		return DR_EXIT_USAGE;
	}

	/* Built beside the target and renamed over it, so a reader never
	 * sees half a demo. */
	char *tmp = xasprintf("%s.new", path);
	unlink_catalog(tmp);
	struct catalog *cat = NULL;
	char *err = NULL;
	int rc = DR_EXIT_FAIL;
	int s = catalog_open(tmp, CATALOG_CREATE, &cat, &err);
	if (s == DR_OK) {
		struct ops_session ses = cli_session(g, cat, NULL);
		audit_attach(cat);
		s = ops_demo_create(&ses, path, time_now(), &err);
	}
	catalog_close(cat);
	if (s != DR_OK) {
		cli_error("demo: %s", err ? err : dr_status_name(s));
		unlink_catalog(tmp);
		goto out;
	}
	char *wal = xasprintf("%s-wal", path), *shm = xasprintf("%s-shm", path);
	unlink(wal);
	unlink(shm);
	free(wal);
	free(shm);
	if (rename(tmp, path) != 0) {
		cli_error("demo: cannot move %s to %s", tmp, path);
		unlink_catalog(tmp);
		goto out;
	}
	printf("demo catalog written to %s\n"
	       "open it with:  drconsole --catalog %s\n"
	       "or:            drconsole --catalog %s status\n",
	       path, path, path);
	rc = DR_EXIT_OK;
out:
	free(err);
	free(tmp);
	free(dflt);
	return rc;
}

static const struct cmd_option demo_options[] = {
    {"force", 'f', 0, 0},
    {NULL, 0, 0, 0},
};

const struct cmd_entry cmd_demo_entry = {
    .name = "demo",
    .usage = "[--catalog PATH] [--force]",
    .summary = "write a demo catalog of a believable estate",
    .help = "Writes 12 services with 90 days of backup history, "
            "replication samples,\ndrills and one incident into a separate "
            "catalog (default\n$XDG_DATA_HOME/drconsole/demo.db); the "
            "catalog you use is never touched.\nAn existing file named with "
            "--catalog is replaced only with --force.\n",
    .exec = demo_exec,
    .options = demo_options,
};
