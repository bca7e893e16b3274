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

static void print_opening(const char *where)
{
	printf("demo catalog written to %s\n"
	       "open it with:  drconsole --catalog %s\n"
	       "or:            drconsole --catalog %s status\n",
	       where, where, where);
}

/* A catalog on a server cannot be built beside its target and renamed
 * over it.  The demo is built in a private SQLite file and copied into the
 * server in one transaction (`catalog copy`), so a reader never sees half
 * a demo there either, and it takes seconds: built row by row over the
 * network its 55 000 backups take minutes.  Only a new catalog is filled;
 * nothing on a server is ever replaced. */
static int demo_on_server(const struct cmd_globals *g, const char *where)
{
	const char *tmpdir = getenv("TMPDIR");
	char *dir =
	    xasprintf("%s/drconsole-demo.XXXXXX",
	              tmpdir != NULL && tmpdir[0] == '/' ? tmpdir : "/tmp");
	char *file = NULL;
	struct catalog *src = NULL, *dst = NULL;
	struct catalog_service *list = NULL;
	struct ops_copy_result res;
	size_t n = 0;
	char *err = NULL;
	int rc = DR_EXIT_FAIL;
	int s = catalog_open(where, CATALOG_CREATE, &dst, &err);

	if (s == DR_OK)
		s = catalog_service_list(dst, &list, &n, &err);
	if (s == DR_OK && n > 0) {
		cli_error("demo: %s already holds %zu service%s; the demo "
		          "fills only a new catalog on a server (--force "
		          "replaces files only); nothing was written",
		          where, n, n == 1 ? "" : "s");
		rc = DR_EXIT_USAGE;
		goto out;
	}
	if (s == DR_OK && mkdtemp(dir) == NULL) {
		cli_error("demo: cannot make a directory in %s to build the "
		          "demo in",
		          tmpdir != NULL ? tmpdir : "/tmp");
		free(dir);
		dir = NULL;
		goto out;
	}
	if (s == DR_OK) {
		file = xasprintf("%s/demo.db", dir);
		s = catalog_open(file, CATALOG_CREATE, &src, &err);
	}
	if (s == DR_OK) {
		struct ops_session ses = cli_session(g, src, NULL);
		audit_attach(src);
		s = ops_demo_create(&ses, where, time_now(), &err);
	}
	if (s == DR_OK) {
		struct ops_session ses = cli_session(g, dst, NULL);
		audit_attach(dst);
		s = ops_catalog_copy(&ses, src, &res, &err);
	}
	if (s != DR_OK) {
		cli_error("demo: %s", err ? err : dr_status_name(s));
		goto out;
	}
	print_opening(where);
	rc = DR_EXIT_OK;
out:
	free(list);
	catalog_close(src);
	catalog_close(dst);
	if (file != NULL) {
		unlink_catalog(file);
		rmdir(dir);
	}
	free(file);
	free(dir);
	free(err);
	return rc;
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
	if (path != NULL && strstr(path, "://") != NULL)
		return demo_on_server(g, path);
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
	print_opening(path);
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
            "--catalog is replaced only with --force; a\npostgresql:// "
            "catalog is filled only while it holds no service.\n",
    .exec = demo_exec,
    .options = demo_options,
};
