/* What the line-mode commands share: finding and loading the config,
 * finding and opening the catalog, and how errors and usage are printed. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/audit.h"
#include "core/error.h"
#include "core/xmalloc.h"
#include "tui/cmd.h"

void cli_error(const char *fmt, ...)
{
	va_list ap;
	fputs("drconsole: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_usage(const struct cmd_entry *cmd, FILE *out)
{
	fprintf(out, "usage: drconsole %s %s\n\n%s\n", cmd->name, cmd->usage,
	        cmd->summary);
	if (cmd->help != NULL && cmd->help[0] != '\0')
		fprintf(out, "\n%s", cmd->help);
	fprintf(out, "\nSee drconsole(1).\n");
}

int cli_self_exe(char *buf, size_t size)
{
	ssize_t len = readlink("/proc/self/exe", buf, size - 1);

	if (len <= 0)
		return -1;
	buf[len] = '\0';
	return 0;
}

int cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0)
			return 1;
	}
	return 0;
}

struct config *cli_config(const struct cmd_globals *g)
{
	struct config *cfg = NULL;
	char *err = NULL;
	if (config_load(g->config, &cfg, &err) != DR_OK) {
		fprintf(stderr, "%s\n", err);
		free(err);
		return NULL;
	}
	return cfg;
}

static char *default_catalog_path(void)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	if (xdg != NULL && xdg[0] == '/')
		return xasprintf("%s/drconsole/catalog.db", xdg);
	const char *home = getenv("HOME");
	return xasprintf("%s/.local/share/drconsole/catalog.db",
	                 home != NULL && home[0] != '\0' ? home : ".");
}

char *cli_catalog_path(const struct cmd_globals *g, const struct config *cfg)
{
	if (g->catalog != NULL)
		return xstrdup(g->catalog);
	const char *env = getenv("DRCONSOLE_CATALOG");
	if (env != NULL && env[0] != '\0')
		return xstrdup(env);
	if (cfg != NULL && cfg->catalog != NULL)
		return xstrdup(cfg->catalog);
	return default_catalog_path();
}

struct catalog *cli_open_catalog(const struct cmd_globals *g,
                                 const struct config *cfg, int flags, int *rc)
{
	char *where = cli_catalog_path(g, cfg);
	char *dflt = default_catalog_path();
	struct catalog *cat = NULL;
	char *err = NULL;
	struct stat st;

	/* The default catalog springs into being on first use, so that the
	 * console opens on a fresh machine; a catalog named by hand must
	 * exist unless the command creates one. */
	if ((flags & CLI_WRITE) && g->read_only) {
		cli_error("refused: the console is read-only (--read-only or "
		          "--wall); nothing was changed");
		*rc = DR_EXIT_FAIL;
		goto out;
	}
	flags &= ~CLI_WRITE;
	if (strcmp(where, dflt) == 0 && !(flags & CATALOG_READONLY))
		flags |= CATALOG_CREATE;
	if (g->read_only) {
		flags |= CATALOG_READONLY;
		flags &= ~CATALOG_CREATE;
	}
	if (!(flags & CATALOG_CREATE) && strstr(where, "://") == NULL &&
	    stat(where, &st) != 0) {
		cli_error("no catalog at %s (%s); create one with 'drconsole "
		          "init' or 'drconsole demo'",
		          where, strerror(errno));
		*rc = DR_EXIT_FAIL;
		goto out;
	}
	int status = catalog_open(where, flags, &cat, &err);
	if (status != CATALOG_OK) {
		cli_error("%s", err ? err : "cannot open the catalog");
		*rc = DR_EXIT_FAIL;
		cat = NULL;
		goto out;
	}
	audit_attach(cat);
	*rc = DR_EXIT_OK;
out:
	free(err);
	free(dflt);
	free(where);
	return cat;
}
