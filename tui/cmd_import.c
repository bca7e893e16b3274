/* `import FORMAT [FILE|-] [--service NAME] [--repository NAME]
 * [--dry-run]`: another tool's listing into the catalog (core/import.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/import.h"
#include "core/ops_import.h"
#include "tui/cli_ops.h"
#include "tui/cmd.h"

/* Exit 3: imported, but some entries were not (unmapped, or an id that is
 * another service's backup). */
#define IMPORT_EXIT_PARTIAL 3

static void print_result(const struct import_options *o,
                         const struct import_result *r)
{
	printf("%s %zu backup%s from %s (%s): %zu new, %zu updated, %zu "
	       "unchanged, %zu expired, %zu failed\n",
	       o->dry_run ? "would import" : "imported",
	       r->inserted + r->updated + r->unchanged,
	       r->inserted + r->updated + r->unchanged == 1 ? "" : "s",
	       o->format, o->source, r->inserted, r->updated, r->unchanged,
	       r->expired, r->failed);
	for (size_t i = 0; i < r->n_services; i++)
		printf("service %s\n", r->services[i]);
	for (size_t i = 0; i < r->n_groups; i++)
		printf("unmapped: %zu entr%s of %s %s (first at %s)\n",
		       r->groups[i].count,
		       r->groups[i].count == 1 ? "y" : "ies",
		       import_format_find(o->format)->names_what,
		       r->groups[i].names, r->groups[i].where);
	if (r->n_groups > 0)
		printf("map them with --service, or with the \"imports\" "
		       "section of the config (drconsole.conf(5)); nothing "
		       "was guessed\n");
	if (r->conflicts > 0)
		printf("conflicts: %zu (%s)\n", r->conflicts, r->conflict_msg);
	if (o->dry_run)
		printf("dry run: nothing was changed\n");
}

static int import_exec(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_import_entry, NULL, argc, argv);
	struct import_options o = {0};
	const char *file = NULL;

	if (args == NULL)
		return DR_EXIT_USAGE;
	for (size_t i = 0; i < args->n_opts; i++) {
		if (args->opts[i].id == 's')
			o.service = args->opts[i].value;
		else if (args->opts[i].id == 'r')
			o.repository = args->opts[i].value;
		else if (args->opts[i].id == 'n')
			o.dry_run = 1;
	}
	if (args->n_operands > 2) {
		cli_error("import: unexpected argument '%s'",
		          args->operands[2]);
		return DR_EXIT_USAGE;
	}
	if (args->n_operands >= 1)
		o.format = args->operands[0];
	if (args->n_operands == 2)
		file = args->operands[1];
	if (o.format == NULL) {
		cli_error("import: expected a FORMAT (%s)",
		          import_format_names());
		return DR_EXIT_USAGE;
	}
	if (import_format_find(o.format) == NULL) {
		cli_error("import: unknown format '%s' (expected one of: %s)",
		          o.format, import_format_names());
		return DR_EXIT_USAGE;
	}
	FILE *in = stdin;
	o.source = "stdin";
	if (file != NULL && strcmp(file, "-") != 0) {
		in = fopen(file, "rb");
		if (in == NULL) {
			cli_error("%s: %s", file, strerror(errno));
			return DR_EXIT_USAGE;
		}
		o.source = file;
	}
	struct config *cfg = cli_config(g);
	if (cfg == NULL) {
		if (in != stdin)
			fclose(in);
		return DR_EXIT_USAGE;
	}
	int rc;
	struct catalog *cat = cli_open_catalog(g, cfg, CLI_WRITE, &rc);
	if (cat == NULL) {
		config_free(cfg);
		if (in != stdin)
			fclose(in);
		return rc;
	}
	struct import_result res;
	char *err = NULL;
	struct ops_session ses = cli_session(g, cat, cfg);
	int s = ops_import_run(&ses, &o, in, &res, &err);
	if (s == DR_OK) {
		print_result(&o, &res);
		rc = res.unmapped > 0 || res.conflicts > 0 ? IMPORT_EXIT_PARTIAL
		                                           : DR_EXIT_OK;
	} else {
		cli_error("%s", err ? err : dr_status_name(s));
		if (s == DR_EINVAL)
			cli_error("import: nothing was changed");
		rc = dr_status_exit(s);
	}
	free(err);
	import_result_free(&res);
	catalog_close(cat);
	config_free(cfg);
	if (in != stdin)
		fclose(in);
	return rc;
}

static const struct cmd_option import_options[] = {
    {"service", 's', 0, CMD_OPT_VALUE},
    {"repository", 'r', 0, CMD_OPT_VALUE},
    {"dry-run", 'n', 0, 0},
    {NULL, 0, 0, 0},
};

const struct cmd_entry cmd_import_entry = {
    .name = "import",
    .usage = "FORMAT [FILE|-] [--service NAME] [--repository NAME] "
             "[--dry-run]",
    .summary = "import backups listed by pgBackRest, Barman, WAL-G, "
               "restic or Velero",
    .help = "FORMAT is pgbackrest (pgbackrest info --output=json), barman\n"
            "(barman -f json list-backups SERVER, or show-backup), walg\n"
            "(wal-g backup-list --detail --json), restic (restic snapshots\n"
            "--json) or velero (velero backup get -o json).  FILE or - (the\n"
            "default) is standard input.\n"
            "\n"
            "  --service NAME     every entry belongs to this service\n"
            "  --repository NAME  the tool's repository, where its listing\n"
            "                     does not say (walg, restic)\n"
            "  --dry-run          count what would change; change nothing\n"
            "\n"
            "The tool's names map to services by --service, the config's\n"
            "\"imports\" section, or a service of the same name; the rest are\n"
            "listed as unmapped.  Importing again updates; a backup the tool\n"
            "no longer lists is marked expired.  Exit 0 when every entry was\n"
            "imported, 1 when the import failed, 2 for bad input (nothing\n"
            "changed), 3 when some entries were unmapped.\n",
    .exec = import_exec,
    .options = import_options,
};
