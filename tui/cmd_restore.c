/* `restore ID|latest:SERVICE|within-rpo:SERVICE --to PATH|--to-command CMD
 * [--key-file PATH]` */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/backup.h"
#include "core/error.h"
#include "core/ops_backup.h"
#include "core/timeutil.h"
#include "tui/cli_ops.h"
#include "tui/cmd.h"

static int restore_exec(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_restore_entry, NULL, argc, argv);
	const char *spec = NULL, *to = NULL, *to_cmd = NULL, *key_file = NULL,
	           *repository = NULL;
	if (args == NULL)
		return DR_EXIT_USAGE;
	for (size_t i = 0; i < args->n_opts; i++) {
		const char *value = args->opts[i].value;
		if (args->opts[i].id == 't')
			to = value;
		else if (args->opts[i].id == 'c')
			to_cmd = value;
		else if (args->opts[i].id == 'k')
			key_file = value;
		else if (args->opts[i].id == 'r')
			repository = value;
	}
	if (args->n_operands > 1) {
		cli_error("restore: unexpected argument '%s'",
		          args->operands[1]);
		return DR_EXIT_USAGE;
	}
	if (args->n_operands == 1)
		spec = args->operands[0];
	if (spec == NULL || (to != NULL) == (to_cmd != NULL)) {
		cli_error("restore: expected ID|latest:SERVICE|within-rpo:"
		          "SERVICE and one of --to PATH, --to-command CMD");
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
	char id[40], *err = NULL;
	struct backup_outcome out;
	/* The command's output is the operator's (wc -c, pg_restore -l). */
	struct backup_sink sink = {
	    .path = to, .shell = to_cmd, .pass_output = to_cmd != NULL};
	/* A runbook step's restore serves that recovery. */
	const char *recovery = getenv("DR_RECOVERY_ID");
	struct backup_restore_opts opts = {
	    .key_file = key_file,
	    .recovery_id = recovery && *recovery ? recovery : NULL,
	    .repository = repository};
	memset(&out, 0, sizeof out);
	int s = backup_resolve(cat, spec, time_now(), id, &err);
	/* What we printed comes before what the command prints. */
	fflush(stdout);
	if (s == DR_OK)
		s = ops_backup_restore(&ses, id, &sink, &opts, &out, &err);
	if (s == DR_OK) {
		printf("restored %s (%s) from %s to %s: %llu bytes in %.1fs\n",
		       id, out.service,
		       out.repository[0] ? out.repository : "its repository",
		       to ? to : to_cmd, (unsigned long long)out.plain_bytes,
		       out.seconds);
		rc = DR_EXIT_OK;
	} else {
		cli_error("restore %s: %s", spec, err);
		if (strcmp(out.status, "restore_failed") == 0)
			cli_error("backup %s is now restore_failed: latest:%s "
			          "and within-rpo:%s pick the next good backup",
			          id, out.service, out.service);
		free(err);
		rc = s == DR_ENOTFOUND || s == DR_EINVAL || s == DR_EEXIST
		         ? DR_EXIT_USAGE
		         : DR_EXIT_FAIL;
	}
	catalog_close(cat);
	config_free(cfg);
	return rc;
}

static const struct cmd_option restore_options[] = {
    {"to", 't', 0, CMD_OPT_FILE},
    {"to-command", 'c', 0, CMD_OPT_VALUE},
    {"key-file", 'k', 0, CMD_OPT_FILE},
    {"repository", 'r', 0, CMD_OPT_VALUE},
    {NULL, 0, 0, 0},
};

const struct cmd_entry cmd_restore_entry = {
    .name = "restore",
    .usage = "ID|latest:SERVICE|within-rpo:SERVICE --to PATH|--to-command CMD\n"
             "       [--key-file PATH] [--repository NAME]",
    .summary = "restore a backup into a file or a command's stdin",
    .help =
        "latest: the newest completed or verified backup; within-rpo: the\n"
        "newest verified backup inside the service's RPO window.  --to\n"
        "writes a new file (never overwrites) that appears only when every\n"
        "chunk and the SHA-256 checked out; --to-command runs CMD with\n"
        "/bin/sh -c and streams the backup to its stdin (pg_restore, tar "
        "-x);\n"
        "its stdout and stderr are drconsole's, before the summary line.\n"
        "--key-file opens an encrypted backup with another key file (an\n"
        "old key; mode 0600) instead of its target's.  Every restore is\n"
        "audited and recorded; one that fails because of the backup (it\n"
        "does not read back whole, or CMD stops reading early) marks it\n"
        "restore_failed, and latest:/within-rpo: move on to the next.\n"
        "--repository NAME reads the backup from the repository of that\n"
        "name in the config: its own, or its target's copy_repository.\n"
        "Without it a backup whose object is missing or does not read back\n"
        "is restored from a copy that did not fail verification, saying so\n"
        "(a corrupt backup with such a copy too, by its ID).\n"
        "A PATH.partial-PID that a killed restore left is removed first.\n",
    .exec = restore_exec,
    .options = restore_options,
};
