/* `restore-test TARGET` */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/backup.h"
#include "core/error.h"
#include "tui/cmd.h"

static int restore_test_exec(const struct cmd_globals *g, int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-') {
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
	struct backup_outcome out;
	char *err = NULL;
	int s = backup_restore_test(cat, cfg, argv[1], &out, &err);
	if (s == DR_OK) {
		printf("restore test of %s passed: backup %s, %llu bytes "
		       "restored in %.2fs; recorded as the service's recovery "
		       "time\n",
		       argv[1], out.backup_id,
		       (unsigned long long)out.plain_bytes, out.seconds);
		rc = DR_EXIT_OK;
	} else {
		cli_error("%s", err);
		free(err);
		rc = s == DR_ENOTFOUND ? DR_EXIT_USAGE : DR_EXIT_FAIL;
	}
	catalog_close(cat);
	config_free(cfg);
	return rc;
}

const struct cmd_entry cmd_restore_test_entry = {
    .name = "restore-test",
    .usage = "TARGET",
    .summary = "restore the newest backup into a scratch place and time it",
    .help = "Restores the target's newest good backup into a scratch file, "
            "or\ninto its configured restore_test command, checks every chunk "
            "and\nthe SHA-256, and records last_recovery_test and the "
            "estimated full\nrecovery time, so RTO compliance is measured.\n",
    .exec = restore_test_exec,
};
