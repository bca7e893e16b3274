/* `prune [--dry-run]` */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/backup.h"
#include "core/error.h"
#include "core/ops_backup.h"
#include "core/timeutil.h"
#include "tui/cli_ops.h"
#include "tui/cmd.h"

static int prune_exec(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_prune_entry, NULL, argc, argv);
	int dry_run = 0;
	if (args == NULL)
		return DR_EXIT_USAGE;
	for (size_t i = 0; i < args->n_opts; i++)
		dry_run = 1; /* --dry-run, its only option */
	if (args->n_operands > 0) {
		cli_error("prune: unexpected argument '%s'", args->operands[0]);
		return DR_EXIT_USAGE;
	}
	struct config *cfg = cli_config(g);
	if (cfg == NULL)
		return DR_EXIT_USAGE;
	int rc;
	struct catalog *cat =
	    cli_open_catalog(g, cfg, dry_run ? 0 : CLI_WRITE, &rc);
	if (cat == NULL) {
		config_free(cfg);
		return rc;
	}
	struct backup_prune_item *items = NULL;
	size_t n = 0, kept = 0, gone = 0, failed = 0;
	char *err = NULL;
	struct ops_session ses = cli_session(g, cat, cfg);
	if (ops_backup_prune(&ses, dry_run, time_now(), &items, &n, &err) !=
	    DR_OK) {
		cli_error("prune: %s", err);
		free(err);
		rc = DR_EXIT_FAIL;
	} else {
		for (size_t i = 0; i < n; i++) {
			char when[32];
			time_format_short(items[i].completed_at, when);
			const char *what = items[i].keep      ? "keep"
			                   : dry_run          ? "would delete"
			                   : items[i].deleted ? "deleted"
			                                      : "delete failed";
			/* What goes, from where: the primary repository
			 * and every copy repository. */
			char from[256] = "";
			if (!items[i].keep)
				snprintf(
				    from, sizeof from, " from %s%s%s",
				    items[i].repository[0] ? items[i].repository
				                           : "its repository",
				    items[i].copies[0] ? " and copy in " : "",
				    items[i].copies);
			printf("%-13s %s  %-14s %s  (%s)%s%s%s\n", what,
			       items[i].backup_id, items[i].service, when,
			       items[i].reason, from,
			       items[i].error[0] ? ": " : "", items[i].error);
			if (items[i].keep)
				kept++;
			else if (items[i].deleted || dry_run)
				gone++;
			else
				failed++;
		}
		printf("%zu kept, %zu %s, %zu to retry\n", kept, gone,
		       dry_run ? "would be deleted" : "deleted", failed);
		rc = failed ? DR_EXIT_FAIL : DR_EXIT_OK;
	}
	free(items);
	catalog_close(cat);
	config_free(cfg);
	return rc;
}

static const struct cmd_option prune_options[] = {
    {"dry-run", 'n', 0, 0},
    {NULL, 0, 0, 0},
};

const struct cmd_entry cmd_prune_entry = {
    .name = "prune",
    .usage = "[--dry-run]",
    .summary = "apply backup retention (hourly/daily/weekly/monthly)",
    .help = "Keeps, per target, the newest backup of each of the last N "
            "hours,\ndays, weeks and months (defaults 24/7/4/12), never the "
            "newest\nverified backup of a service and never its newest "
            "backup with a\nverified copy.  Others are marked expired in "
            "the catalog, then\ntheir objects deleted from the repository "
            "and from every copy\nrepository; a delete that fails is "
            "retried by the next prune\n(exit 1 meanwhile).  Corrupt and "
            "restore_failed backups hold no\nplace: they are kept while "
            "their age is inside those N hours,\ndays, weeks or months, and "
            "deleted after.\n",
    .exec = prune_exec,
    .options = prune_options,
};
