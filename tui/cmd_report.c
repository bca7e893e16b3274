/* `report [--since DATE] [--until DATE] [--service NAME] [--format F]
 * [--output FILE]`: the auditor's evidence (core/report.h), on standard
 * output or written whole to a file.  Bad input writes nothing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/fileutil.h"
#include "core/report.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "tui/cmd.h"

#define DEFAULT_PERIOD_S (30 * 86400)

static int parse_time(const char *flag, const char *text, int64_t now,
                      int64_t *out)
{
	char *err = NULL;

	if (time_parse(text, now, out, &err) != DR_OK) {
		cli_error("report: %s: %s", flag, err);
		free(err);
		return -1;
	}
	return 0;
}

/* The file is either the whole report or untouched (core/fileutil.h). */
static int write_file(const char *path, const char *text)
{
	char *err = NULL;

	if (file_write_atomic(path, text, 0644, &err) == DR_OK)
		return 0;
	cli_error("report: cannot write %s: %s", path, err);
	free(err);
	return -1;
}

static int report_exec(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_report_entry, NULL, argc, argv);
	const char *since_text = NULL, *until_text = NULL, *service = NULL;
	const char *format_name = "md", *output = NULL;
	int c;

	if (args == NULL)
		return DR_EXIT_USAGE;
	for (size_t i = 0; i < args->n_opts; i++) {
		const char *value = args->opts[i].value;
		c = args->opts[i].id;
		switch (c) {
		case 's':
			since_text = value;
			break;
		case 'u':
			until_text = value;
			break;
		case 'S':
			service = value;
			break;
		case 'f':
			format_name = value;
			break;
		case 'o':
			output = value;
			break;
		default:
			return DR_EXIT_USAGE;
		}
	}
	if (args->n_operands > 0) {
		cli_error("report: unexpected argument '%s'",
		          args->operands[0]);
		return DR_EXIT_USAGE;
	}
	const struct report_format *fmt = report_format_find(format_name);
	if (fmt == NULL) {
		cli_error("report: --format: unknown format '%s' (expected one "
		          "of %s)",
		          format_name, report_format_names());
		return DR_EXIT_USAGE;
	}
	int64_t now = time_now(), since, until = now;
	if (until_text != NULL &&
	    parse_time("--until", until_text, now, &until))
		return DR_EXIT_USAGE;
	if (until > now) {
		char a[32], b[32];
		time_format_iso(until, a);
		time_format_iso(now, b);
		cli_error("report: --until %s is after now (%s): a report "
		          "covers what has happened",
		          a, b);
		return DR_EXIT_USAGE;
	}
	since = until > DEFAULT_PERIOD_S ? until - DEFAULT_PERIOD_S : 0;
	if (since_text != NULL &&
	    parse_time("--since", since_text, now, &since))
		return DR_EXIT_USAGE;
	if (until <= since) {
		char a[32], b[32];
		time_format_iso(since, a);
		time_format_iso(until, b);
		cli_error("report: --until (%s) must be after --since (%s)", b,
		          a);
		return DR_EXIT_USAGE;
	}

	struct config *cfg = cli_config(g);
	if (cfg == NULL)
		return DR_EXIT_USAGE;
	int rc;
	struct catalog *cat = cli_open_catalog(g, cfg, 0, &rc);
	if (cat == NULL) {
		config_free(cfg);
		return rc;
	}
	struct report_options ro = {
	    .since = since,
	    .until = until,
	    .now = now,
	    .service = service,
	    .catalog = catalog_where(cat),
	    .environment = cfg->environment,
	};
	struct report report;
	char *err = NULL;
	int s = report_build(cat, &ro, &report, &err);
	catalog_close(cat);
	config_free(cfg);
	if (s != DR_OK) {
		cli_error("%s", err);
		free(err);
		return s == DR_ENOTFOUND || s == DR_EINVAL ? DR_EXIT_USAGE
		                                           : DR_EXIT_FAIL;
	}
	char *text = fmt->render(&report);
	report_free(&report);
	rc = DR_EXIT_OK;
	if (output != NULL) {
		if (write_file(output, text) != 0)
			rc = DR_EXIT_FAIL;
	} else if (fputs(text, stdout) < 0 || fflush(stdout) != 0) {
		rc = DR_EXIT_FAIL;
	}
	free(text);
	return rc;
}

static const struct cmd_option report_options[] = {
    {"since", 's', 0, CMD_OPT_VALUE},   {"until", 'u', 0, CMD_OPT_VALUE},
    {"service", 'S', 0, CMD_OPT_VALUE}, {"format", 'f', 0, CMD_OPT_VALUE},
    {"output", 'o', 'o', CMD_OPT_FILE}, {NULL, 0, 0, 0},
};

const struct cmd_entry cmd_report_entry = {
    .name = "report",
    .usage = "[--since DATE] [--until DATE] [--service NAME] "
             "[--format md|html|json|csv] [--output FILE]",
    .summary = "evidence for auditors: compliance over a period, breaches, "
               "backups, tests, drills, the audit head",
    .help = "Per service and period: its RPO/RTO targets, the share of time\n"
            "in compliance from the verdict history (unknown before its "
            "first\n"
            "recorded verdict), every breach with start, end and duration,\n"
            "backups taken/good/verified/failed, restores and restore "
            "tests,\n"
            "every drill and incident against the targets in force, and "
            "the\n"
            "audit chain's head with its verification.\n"
            "Options:\n"
            "  --since DATE    start of the period (default: 30 days "
            "before --until)\n"
            "  --until DATE    end of the period, not after now (default: "
            "now)\n"
            "  --service NAME  only this service\n"
            "  --format F      md (default), html, json or csv\n"
            "  --output FILE   write FILE whole instead of standard output\n"
            "DATE is any form 'record' accepts: 2026-11-01, "
            "2026-11-01T00:00:00Z,\n"
            "@UNIX, now-7d.  Bad input exits 2 and writes nothing.\n",
    .exec = report_exec,
    .options = report_options,
};
