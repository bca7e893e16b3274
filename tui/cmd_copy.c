/* `copy [--target T]` */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/backup.h"
#include "core/error.h"
#include "core/ops_backup.h"
#include "core/timeutil.h"
#include "tui/cli_ops.h"
#include "tui/cmd.h"

static int copy_exec(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_copy_entry, NULL, argc, argv);
	const char *target = NULL;
	if (args == NULL)
		return DR_EXIT_USAGE;
	for (size_t i = 0; i < args->n_opts; i++)
		target = args->opts[i].value; /* --target, its only option */
	if (args->n_operands > 0) {
		cli_error("copy: unexpected argument '%s'", args->operands[0]);
		return DR_EXIT_USAGE;
	}
	struct config *cfg = cli_config(g);
	if (cfg == NULL)
		return DR_EXIT_USAGE;
	int rc;
	struct catalog *cat = cli_open_catalog(g, cfg, CLI_WRITE, &rc);
	if (cat == NULL) {
		config_free(cfg);
		return rc;
	}
	struct backup_copy_item *items = NULL;
	size_t n = 0, ok = 0;
	char *err = NULL;
	struct ops_session ses = cli_session(g, cat, cfg);
	int s = ops_backup_copy(&ses, target, time_now(), &items, &n, &err);
	if (s != DR_OK) {
		cli_error("copy: %s", err);
		free(err);
		rc = s == DR_EINVAL || s == DR_ENOTFOUND ? DR_EXIT_USAGE
		                                         : DR_EXIT_FAIL;
	} else {
		for (size_t i = 0; i < n; i++) {
			if (items[i].ok) {
				char bytes[32], rate[32];
				double secs = items[i].seconds;
				ok++;
				ops_bytes_human((double)items[i].bytes, bytes,
				                sizeof bytes);
				ops_bytes_human(
				    secs > 0 ? (double)items[i].bytes / secs
				             : 0,
				    rate, sizeof rate);
				printf("copied %s (%s) to %s, checksum "
				       "verified: %s in %.1fs (%s/s)\n",
				       items[i].backup_id, items[i].target,
				       items[i].repository, bytes, secs, rate);
			} else {
				printf("FAILED %s (%s) to %s: %s\n",
				       items[i].backup_id, items[i].target,
				       items[i].repository, items[i].error);
			}
		}
		printf("%zu copied, %zu failed\n", ok, n - ok);
		rc = ok == n ? DR_EXIT_OK : DR_EXIT_FAIL;
	}
	free(items);
	catalog_close(cat);
	config_free(cfg);
	return rc;
}

static const struct cmd_option copy_options[] = {
    {"target", 't', 0, CMD_OPT_VALUE},
    {NULL, 0, 0, 0},
};

const struct cmd_entry cmd_copy_entry = {
    .name = "copy",
    .usage = "[--target T]",
    .summary = "copy backups to their copy repository and check them",
    .help =
        "Copies every completed backup not yet in its target's\n"
        "copy_repository, reads the copy back and compares its SHA-256 with\n"
        "the catalog's, and records the copy lag (the age of the oldest\n"
        "backup not yet copied) as a replication sample.  A copy that\n"
        "failed 'backup verify --copies' is copied again.  On a terminal\n"
        "it shows bytes, rate and ETA as it goes.  First it removes the\n"
        "partial objects killed copies left in the copy repository (of\n"
        "processes that are gone, or older than a day).\n",
    .exec = copy_exec,
    .options = copy_options,
};
