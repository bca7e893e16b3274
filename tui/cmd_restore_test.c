/* `restore-test TARGET [--key-file PATH]` */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/backup.h"
#include "core/backup_config.h"
#include "core/error.h"
#include "core/import_restore.h"
#include "core/ops_backup.h"
#include "core/ops_import.h"
#include "tui/cli_ops.h"
#include "tui/cmd.h"

static int restore_test_exec(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_restore_test_entry, NULL, argc, argv);
	const char *target = NULL, *key_file = NULL;
	if (args == NULL)
		return DR_EXIT_USAGE;
	const char *repository = NULL;
	for (size_t i = 0; i < args->n_opts; i++) {
		if (args->opts[i].id == 'k')
			key_file = args->opts[i].value;
		else if (args->opts[i].id == 'r')
			repository = args->opts[i].value;
	}
	if (args->n_operands > 1) {
		cli_error("restore-test: unexpected argument '%s'",
		          args->operands[1]);
		return DR_EXIT_USAGE;
	}
	if (args->n_operands == 1)
		target = args->operands[0];
	if (target == NULL) {
		cli_error("restore-test: expected a TARGET");
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
	struct ops_session ses = cli_session(g, cat, cfg);
	char *err = NULL;
	const struct import_spec *imp = NULL;
	if (strncmp(target, "import:", 7) == 0 ||
	    backup_config_target(cfg, target) == NULL)
		imp = import_restore_find(cfg, target);
	if (imp != NULL) {
		struct import_restore_outcome io;
		int s = ops_import_restore_test(&ses, imp, &io, &err);
		if (io.note[0] != '\0')
			printf("note: %s\n", io.note);
		if (s == DR_OK) {
			printf("restore test of import:%s passed: backup %s "
			       "(%s %s) of %s, %lld bytes restored in %.2fs; "
			       "recorded as the service's recovery time\n",
			       imp->name, io.backup_id, imp->format, io.label,
			       io.service, (long long)io.bytes, io.seconds);
			rc = DR_EXIT_OK;
		} else {
			cli_error("%s", err);
			if (io.recorded)
				cli_error("recorded as a failed restore test "
				          "of %s",
				          io.service);
			free(err);
			rc = s == DR_ENOTFOUND ? DR_EXIT_USAGE : DR_EXIT_FAIL;
		}
		catalog_close(cat);
		config_free(cfg);
		return rc;
	}
	if (strncmp(target, "import:", 7) == 0) {
		cli_error("restore-test: no import \"%s\" with a restore_test "
		          "in the config",
		          target + 7);
		catalog_close(cat);
		config_free(cfg);
		return DR_EXIT_USAGE;
	}
	struct backup_outcome out;
	const char *recovery = getenv("DR_RECOVERY_ID");
	struct backup_restore_opts opts = {
	    .key_file = key_file,
	    .recovery_id = recovery && *recovery ? recovery : NULL,
	    .repository = repository};
	int s = ops_backup_restore_test(&ses, target, &opts, &out, &err);
	if (out.note[0] != '\0')
		printf("note: %s\n", out.note);
	if (s == DR_OK) {
		printf("restore test of %s passed: backup %s from %s, %llu "
		       "bytes restored in %.2fs; recorded as the service's "
		       "recovery time\n",
		       target, out.backup_id,
		       out.repository[0] ? out.repository : "its repository",
		       (unsigned long long)out.plain_bytes, out.seconds);
		rc = DR_EXIT_OK;
	} else {
		cli_error("%s", err);
		if (strcmp(out.status, "restore_failed") == 0)
			cli_error("backup %s is now restore_failed: latest:%s "
			          "and within-rpo:%s pick the next good backup",
			          out.backup_id, out.service, out.service);
		free(err);
		rc = s == DR_ENOTFOUND ? DR_EXIT_USAGE : DR_EXIT_FAIL;
	}
	catalog_close(cat);
	config_free(cfg);
	return rc;
}

static const struct cmd_option restore_test_options[] = {
    {"key-file", 'k', 0, CMD_OPT_FILE},
    {"repository", 'r', 0, CMD_OPT_VALUE},
    {NULL, 0, 0, 0},
};

const struct cmd_entry cmd_restore_test_entry = {
    .name = "restore-test",
    .usage = "TARGET|import:NAME [--key-file PATH] [--repository NAME]",
    .summary = "restore the target's newest verified backup and time it",
    .help = "Restores the target's newest verified backup (else its newest\n"
            "completed one, saying so) into a scratch file, or into its\n"
            "configured restore_test command, checks every chunk and the\n"
            "SHA-256, and records the test (ok or failed) as the service's\n"
            "recovery-time evidence.  Only this target's backups are tested.\n"
            "--key-file opens an encrypted backup with another key file.\n"
            "--repository NAME reads it from that repository (the target's\n"
            "own or its copy_repository); without it a missing or damaged\n"
            "primary object falls back to a verified copy, saying so.\n"
            "import:NAME (or NAME) runs the restore_test of the config's\n"
            "import NAME on the newest good backup it imported: its\n"
            "command restores with the tool into a fresh scratch\n"
            "directory, and its time is recorded the same way.\n",
    .exec = restore_test_exec,
    .options = restore_test_options,
};
