/* `init`: creates the catalog and, when there is none, an example config. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/audit.h"
#include "core/error.h"
#include "core/ops_catalog.h"
#include "core/xmalloc.h"
#include "tui/cli_ops.h"
#include "tui/cmd.h"

/* mkdir -p with mode 0700 for the directories it creates. */
static int make_parents(const char *path)
{
	char *dir = xstrdup(path);
	int rc = 0;
	for (char *p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			rc = -1;
		*p = '/';
	}
	free(dir);
	return rc;
}

/* Writes the example config unless a file is already there. */
static int write_example(const char *path, int *written)
{
	*written = 0;
	if (make_parents(path) != 0) {
		cli_error("init: cannot create the directory of %s: %s", path,
		          strerror(errno));
		return -1;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			return 0;
		cli_error("init: cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	const char *text = config_example();
	size_t len = strlen(text);
	if (write(fd, text, len) != (ssize_t)len || fsync(fd) != 0) {
		cli_error("init: cannot write %s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	*written = 1;
	return 0;
}

static int init_exec(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_init_entry, NULL, argc, argv);
	if (args == NULL)
		return DR_EXIT_USAGE;
	argc = args->argc;
	argv = args->argv;
	if (argc > 1) {
		cli_error("init: unexpected argument '%s'", argv[1]);
		return DR_EXIT_USAGE;
	}
	if (g->read_only) {
		cli_error("init: refused: read-only");
		return DR_EXIT_FAIL;
	}
	char *cfg_path = g->config ? xstrdup(g->config) : config_default_path();
	int written;
	if (write_example(cfg_path, &written) != 0) {
		free(cfg_path);
		return DR_EXIT_FAIL;
	}
	struct cmd_globals g2 = *g;
	g2.config = cfg_path;
	struct config *cfg = cli_config(&g2);
	if (cfg == NULL) {
		free(cfg_path);
		return DR_EXIT_USAGE;
	}
	int rc;
	char *err = NULL;
	struct catalog *cat = cli_open_catalog(
	    g, cfg,
	    CATALOG_CREATE | CATALOG_ADOPT_EMPTY | CLI_WRITE | CLI_CHECK, &rc);
	if (cat == NULL) {
		config_free(cfg);
		free(cfg_path);
		return rc;
	}
	struct ops_session ses = cli_session(g, cat, cfg);
	int st = ops_catalog_init(&ses, &err);
	if (st != DR_OK) {
		cli_error("init: %s", err);
		rc = dr_status_exit(st);
	} else {
		printf("catalog:  %s\n", catalog_where(cat));
		printf("config:   %s%s\n", cfg_path,
		       written ? " (example written)" : " (kept)");
		printf("\nNext: declare your services in the config, then run "
		       "'drconsole config apply'\n(or 'drconsole service add "
		       "NAME --tier critical').  To look around first:\n"
		       "'drconsole demo'.\n");
		rc = DR_EXIT_OK;
	}
	free(err);
	catalog_close(cat);
	config_free(cfg);
	free(cfg_path);
	return rc;
}

const struct cmd_entry cmd_init_entry = {
    .name = "init",
    .usage = "",
    .summary = "create the catalog and an example config",
    .help = "Creates the catalog (0600, in a 0700 directory) and, when "
            "none exists, an\nexample config file; loads the config's tiers "
            "into the catalog.  Safe to run\nagain: nothing existing is "
            "overwritten.\n",
    .exec = init_exec,
};
