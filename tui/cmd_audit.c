/* `audit verify` and `audit list`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/error.h"
#include "core/timeutil.h"
#include "tui/cmd.h"

static int audit_exec(const struct cmd_globals *g, int argc, char **argv)
{
	if (argc < 2 ||
	    (strcmp(argv[1], "verify") != 0 && strcmp(argv[1], "list") != 0)) {
		cli_error("audit: expected 'verify' or 'list [--limit N]'");
		return DR_EXIT_USAGE;
	}
	int verify = strcmp(argv[1], "verify") == 0;
	long limit = 50;
	if (!verify && argc == 4 && strcmp(argv[2], "--limit") == 0) {
		char *end;
		limit = strtol(argv[3], &end, 10);
		if (*end != '\0' || limit < 0) {
			cli_error("audit list: --limit expects a number >= 0, "
			          "found '%s'",
			          argv[3]);
			return DR_EXIT_USAGE;
		}
	} else if (argc != 2) {
		cli_error("audit %s: unexpected argument '%s'", argv[1],
		          argv[2]);
		return DR_EXIT_USAGE;
	}
	struct config *cfg = cli_config(g);
	if (cfg == NULL)
		return DR_EXIT_USAGE;
	int rc;
	char *err = NULL;
	struct catalog *cat = cli_open_catalog(g, cfg, 0, &rc);
	config_free(cfg);
	if (cat == NULL)
		return rc;
	if (verify) {
		int64_t rows = 0, bad = 0;
		int s = audit_verify(cat, &rows, &bad, &err);
		if (s == DR_OK) {
			printf("audit log intact: %lld row%s\n",
			       (long long)rows, rows == 1 ? "" : "s");
			rc = DR_EXIT_OK;
		} else {
			cli_error("%s", err);
			rc = DR_EXIT_FAIL;
		}
	} else {
		struct catalog_audit *list = NULL;
		size_t n = 0;
		if (catalog_audit_list(cat, (size_t)limit, &list, &n, &err) !=
		    DR_OK) {
			cli_error("%s", err);
			rc = DR_EXIT_FAIL;
		} else {
			for (size_t i = 0; i < n; i++) {
				char when[32];
				time_format_iso(list[i].at, when);
				printf("%6lld  %s  %s%s%s  %-18s %s%s%s\n",
				       (long long)list[i].seq, when,
				       list[i].actor,
				       list[i].origin[0] ? "@" : "",
				       list[i].origin, list[i].action,
				       list[i].subject,
				       list[i].details ? "  " : "",
				       list[i].details ? list[i].details : "");
			}
			catalog_audits_free(list, n);
			rc = DR_EXIT_OK;
		}
	}
	free(err);
	catalog_close(cat);
	return rc;
}

const struct cmd_entry cmd_audit_entry = {
    .name = "audit",
    .usage = "verify\n       drconsole audit list [--limit N]",
    .summary = "check the audit log's hash chain, or list it",
    .help = "verify exits 0 when the chain is intact and 1 naming the "
            "first broken row.\n",
    .exec = audit_exec,
};
