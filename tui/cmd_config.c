/* `config check` and `config apply`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/audit.h"
#include "core/backup.h"
#include "core/backup_config.h"
#include "core/error.h"
#include "core/ops_catalog.h"
#include "core/source.h"
#include "core/xmalloc.h"
#include "tui/cli_ops.h"
#include "tui/cmd.h"

static int config_check_exec(const struct cmd_globals *g, const char *file)
{
	const char *path = file ? file : g->config;
	char *dflt = NULL;
	struct stat st;
	if (path == NULL) {
		dflt = config_default_path();
		if (stat(dflt, &st) != 0) {
			printf("%s: no config file; the defaults are in use\n",
			       dflt);
			free(dflt);
			return DR_EXIT_OK;
		}
		path = dflt;
	}
	struct config *cfg = NULL;
	char *err = NULL;
	int s = config_load(path, &cfg, &err);
	if (s != DR_OK) {
		fprintf(stderr, "%s\n", err);
		free(err);
		free(dflt);
		return dr_status_exit(s) == DR_EXIT_OK ? DR_EXIT_FAIL
		                                       : dr_status_exit(s);
	}
	/* What the parser cannot know: a directory source's tree is there.
	 * Only here, not on every load: a restore on a new host must not
	 * need the tree it is about to bring back. */
	int bad = 0;
	for (size_t i = 0; cfg->backup != NULL && i < cfg->backup->n_targets;
	     i++) {
		const struct backup_target *t = &cfg->backup->targets[i];
		if (source_check(&t->source, &err) != DR_OK) {
			fprintf(stderr, "%s: backup target \"%s\": %s\n", path,
			        t->name, err);
			free(err);
			err = NULL;
			bad = 1;
		}
	}
	/* A key file a backup would refuse fails the check now, not at
	 * the next backup or restore. */
	char *keys = NULL;
	if (backup_check_key_files(cfg, &keys) != DR_OK) {
		fprintf(stderr, "%s: %s\n", path, keys);
		free(keys);
		bad = 1;
	}
	if (bad) {
		config_free(cfg);
		free(dflt);
		return DR_EXIT_FAIL;
	}
	printf("%s: ok (environment %s, %zu tiers, %zu services)\n", path,
	       cfg->environment[0] ? cfg->environment : "unnamed", cfg->n_tiers,
	       cfg->n_services);
	config_free(cfg);
	free(dflt);
	return DR_EXIT_OK;
}

static int config_apply_exec(const struct cmd_globals *g, const char *file)
{
	struct cmd_globals g2 = *g;
	if (file != NULL)
		g2.config = file;
	struct config *cfg = cli_config(&g2);
	if (cfg == NULL)
		return DR_EXIT_USAGE;
	if (cfg->path == NULL) {
		cli_error("config apply: no config file at %s",
		          g2.config ? g2.config : "the default path");
		config_free(cfg);
		return DR_EXIT_USAGE;
	}
	int rc;
	char *err = NULL;
	struct catalog *cat =
	    cli_open_catalog(&g2, cfg, CLI_WRITE | CLI_CHECK, &rc);
	if (cat == NULL) {
		config_free(cfg);
		return rc;
	}
	struct ops_session ses = cli_session(&g2, cat, cfg);
	char *details = NULL;
	int st = ops_config_apply(&ses, &details, &err);
	if (st != DR_OK) {
		cli_error("config apply: %s", err);
		rc = dr_status_exit(st);
	} else {
		printf("applied %s: %s\n", cfg->path, details);
		rc = DR_EXIT_OK;
	}
	free(details);
	free(err);
	catalog_close(cat);
	config_free(cfg);
	return rc;
}

static int config_exec(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args =
	    argc < 2
	        ? NULL
	        : cli_parse(&cmd_config_entry, argv[1], argc - 1, argv + 1);
	if (argc >= 2 && args == NULL)
		return DR_EXIT_USAGE;
	if (argc < 2 || args->n_operands > 1) {
		cli_error("config: expected 'check [FILE]' or 'apply [FILE]'");
		return DR_EXIT_USAGE;
	}
	const char *file = args->n_operands == 1 ? args->operands[0] : NULL;
	if (strcmp(argv[1], "check") == 0)
		return config_check_exec(g, file);
	if (strcmp(argv[1], "apply") == 0)
		return config_apply_exec(g, file);
	cli_error("config: unknown subcommand '%s' (expected check or apply)",
	          argv[1]);
	return DR_EXIT_USAGE;
}

static const struct cmd_sub config_subs[] = {
    {"check", NULL},
    {"apply", NULL},
    {NULL, NULL},
};

const struct cmd_entry cmd_config_entry = {
    .name = "config",
    .usage = "check [FILE]\n       drconsole config apply [FILE]",
    .summary = "validate the config, or load its tiers and services",
    .help = "check reports every error as FILE:LINE:COLUMN: message and "
            "exits 2.\napply puts the config's tiers and services into the "
            "catalog (it never\nremoves a service; use 'service remove').\n",
    .exec = config_exec,
    .subs = config_subs,
};
