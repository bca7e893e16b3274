/* `record backup` and `record replication`: how existing scripts report
 * into the catalog.  Every field is checked before anything is written; a
 * bad one is exit 2 with a message and no change. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/backup_status.h"
#include "core/crypto.h"
#include "core/duration.h"
#include "core/error.h"
#include "core/json.h"
#include "core/ops_record.h"
#include "core/timeutil.h"
#include "core/uuid.h"
#include "core/xmalloc.h"
#include "tui/cli_ops.h"
#include "tui/cmd.h"

#define COUNT_MAX ((int64_t)9007199254740991) /* 2^53 - 1 */

static int parse_count(const char *opt, const char *text, int64_t *out)
{
	char *end;
	errno = 0;
	/* strtoll would take " 12" and "+12"; a count is digits only. */
	if (text[0] == '-') {
		cli_error("--%s: cannot be negative (%s)", opt, text);
		return -1;
	}
	long long v =
	    isdigit((unsigned char)text[0]) ? strtoll(text, &end, 10) : -1;
	if (v < 0 || *end != '\0' || errno != 0) {
		cli_error("--%s: expected a whole number of bytes, found '%s'",
		          opt, text);
		return -1;
	}
	/* Sums of a catalog's sizes must stay whole numbers. */
	if (v > COUNT_MAX) {
		cli_error("--%s: %s is more than %lld (8 PiB)", opt, text,
		          (long long)COUNT_MAX);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_time(const char *opt, const char *text, int64_t now,
                      int64_t *out)
{
	char *err = NULL;
	if (time_parse(text, now, out, &err) != DR_OK) {
		cli_error("--%s: %s", opt, err);
		free(err);
		return -1;
	}
	return 0;
}

static int record_backup(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_record_entry, "backup", argc, argv);
	const char *service = NULL, *type = "full", *status = "completed";
	const char *checksum = "", *location = NULL, *id = NULL;
	const char *metadata = NULL;
	int64_t size = -1, started = 0, completed = 0, retention = 0;
	double ratio = 0;
	int64_t now = time_now();
	int c;

	if (args == NULL)
		return DR_EXIT_USAGE;
	for (size_t i = 0; i < args->n_opts; i++) {
		const char *value = args->opts[i].value;
		c = args->opts[i].id;
		switch (c) {
		case 's':
			service = value;
			break;
		case 't':
			type = value;
			break;
		case 'S':
			status = value;
			break;
		case 'z':
			if (parse_count("size", value, &size) != 0)
				return DR_EXIT_USAGE;
			break;
		case 'c':
			checksum = value;
			break;
		case 'l':
			location = value;
			break;
		case 'b':
			if (parse_time("started", value, now, &started) != 0)
				return DR_EXIT_USAGE;
			break;
		case 'e':
			if (parse_time("completed", value, now, &completed) !=
			    0)
				return DR_EXIT_USAGE;
			break;
		case 'i':
			id = value;
			break;
		case 'r': {
			char *end;
			ratio = strtod(value, &end);
			if (*end != '\0' || !isfinite(ratio) || ratio <= 0) {
				cli_error("--compression-ratio: expected a "
				          "positive number, found '%s'",
				          value);
				return DR_EXIT_USAGE;
			}
			break;
		}
		case 'u':
			if (parse_time("retention-until", value, now,
			               &retention) != 0)
				return DR_EXIT_USAGE;
			break;
		case 'm':
			metadata = value;
			break;
		default:
			return DR_EXIT_USAGE;
		}
	}
	if (args->n_operands > 0) {
		cli_error("record backup: unexpected argument '%s'",
		          args->operands[0]);
		return DR_EXIT_USAGE;
	}
	if (service == NULL) {
		cli_error("record backup: --service is required");
		return DR_EXIT_USAGE;
	}
	struct config *cfg = cli_config(g);
	if (cfg == NULL)
		return DR_EXIT_USAGE;
	int rc;
	char *err = NULL, id_out[40];
	struct catalog *cat = cli_open_catalog(g, cfg, CLI_WRITE, &rc);
	config_free(cfg);
	if (cat == NULL)
		return rc;
	struct ops_backup_report r = {
	    .service = service,
	    .type = type,
	    .status = status,
	    .checksum = checksum,
	    .location = location,
	    .id = id,
	    .metadata = metadata,
	    .size = size,
	    .started = started,
	    .completed = completed,
	    .retention_until = retention,
	    .compression_ratio = ratio,
	};
	struct ops_session ses = cli_session(g, cat, NULL);
	int st = ops_record_backup(&ses, &r, id_out, &err);
	catalog_close(cat);
	if (st != DR_OK) {
		cli_error("%s%s", st == DR_ENOTFOUND ? "record backup: " : "",
		          err ? err : dr_status_name(st));
		free(err);
		return st == DR_ENOTFOUND || st == DR_EINVAL
		           ? DR_EXIT_USAGE
		           : dr_status_exit(st);
	}
	printf("%s\n", id_out);
	return DR_EXIT_OK;
}

static int record_replication(const struct cmd_globals *g, int argc,
                              char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_record_entry, "replication", argc, argv);
	struct catalog_replication r = {.lag_s = -1, .lag_bytes = -1};
	const char *source = NULL, *target = NULL, *service = "";
	const char *state = "streaming";
	int64_t now = time_now(), lag;
	int c;
	char *err = NULL;

	r.sampled_at = now;
	if (args == NULL)
		return DR_EXIT_USAGE;
	for (size_t i = 0; i < args->n_opts; i++) {
		const char *value = args->opts[i].value;
		c = args->opts[i].id;
		switch (c) {
		case 's':
			source = value;
			break;
		case 't':
			target = value;
			break;
		case 'v':
			service = value;
			break;
		case 'l':
			if (duration_parse(value, &lag, &err) != DR_OK) {
				cli_error("--lag: %s", err);
				free(err);
				return DR_EXIT_USAGE;
			}
			r.lag_s = (double)lag;
			break;
		case 'b':
			if (parse_count("lag-bytes", value, &r.lag_bytes) != 0)
				return DR_EXIT_USAGE;
			break;
		case 'S':
			state = value;
			break;
		case 'a':
			if (parse_time("at", value, now, &r.sampled_at) != 0)
				return DR_EXIT_USAGE;
			break;
		default:
			return DR_EXIT_USAGE;
		}
	}
	if (args->n_operands > 0) {
		cli_error("record replication: unexpected argument '%s'",
		          args->operands[0]);
		return DR_EXIT_USAGE;
	}
	if ((source != NULL && source[0] == '\0') ||
	    (target != NULL && target[0] == '\0')) {
		cli_error("record replication: --%s is empty",
		          source[0] == '\0' ? "source" : "target");
		return DR_EXIT_USAGE;
	}
	if (source == NULL || target == NULL) {
		cli_error("record replication: --source and --target are "
		          "required");
		return DR_EXIT_USAGE;
	}
	if (strlen(source) >= sizeof r.source ||
	    strlen(target) >= sizeof r.target) {
		cli_error("record replication: --source and --target must be "
		          "shorter than %zu characters",
		          sizeof r.source);
		return DR_EXIT_USAGE;
	}
	strlcpy_dr(r.source, source, sizeof r.source);
	strlcpy_dr(r.target, target, sizeof r.target);
	strlcpy_dr(r.service, service, sizeof r.service);
	strlcpy_dr(r.state, state, sizeof r.state);

	struct config *cfg = cli_config(g);
	if (cfg == NULL)
		return DR_EXIT_USAGE;
	int rc;
	struct catalog *cat = cli_open_catalog(g, cfg, CLI_WRITE, &rc);
	config_free(cfg);
	if (cat == NULL)
		return rc;
	struct ops_session ses = cli_session(g, cat, NULL);
	int st = ops_record_replication(&ses, &r, &err);
	catalog_close(cat);
	if (st != DR_OK) {
		cli_error("%s%s",
		          st == DR_ENOTFOUND ? "record replication: " : "",
		          err ? err : dr_status_name(st));
		free(err);
		return st == DR_ENOTFOUND || st == DR_EINVAL
		           ? DR_EXIT_USAGE
		           : dr_status_exit(st);
	}
	return DR_EXIT_OK;
}

static int record_exec(const struct cmd_globals *g, int argc, char **argv)
{
	if (argc < 2) {
		cli_error("record: expected 'backup' or 'replication'");
		return DR_EXIT_USAGE;
	}
	const char *what = argv[1];
	if (strcmp(what, "backup") == 0)
		return record_backup(g, argc - 1, argv + 1);
	if (strcmp(what, "replication") == 0)
		return record_replication(g, argc - 1, argv + 1);
	cli_error("record: unknown kind '%s' (expected 'backup' or "
	          "'replication')",
	          what);
	return DR_EXIT_USAGE;
}

static const struct cmd_option record_backup_options[] = {
    {"service", 's', 0, CMD_OPT_VALUE},
    {"type", 't', 0, CMD_OPT_VALUE},
    {"status", 'S', 0, CMD_OPT_VALUE},
    {"size", 'z', 0, CMD_OPT_VALUE},
    {"checksum", 'c', 0, CMD_OPT_VALUE},
    {"location", 'l', 0, CMD_OPT_VALUE},
    {"started", 'b', 0, CMD_OPT_VALUE},
    {"completed", 'e', 0, CMD_OPT_VALUE},
    {"id", 'i', 0, CMD_OPT_VALUE},
    {"compression-ratio", 'r', 0, CMD_OPT_VALUE},
    {"retention-until", 'u', 0, CMD_OPT_VALUE},
    {"metadata", 'm', 0, CMD_OPT_VALUE},
    {NULL, 0, 0, 0},
};
static const struct cmd_option record_replication_options[] = {
    {"source", 's', 0, CMD_OPT_VALUE},    {"target", 't', 0, CMD_OPT_VALUE},
    {"service", 'v', 0, CMD_OPT_VALUE},   {"lag", 'l', 0, CMD_OPT_VALUE},
    {"lag-bytes", 'b', 0, CMD_OPT_VALUE}, {"state", 'S', 0, CMD_OPT_VALUE},
    {"at", 'a', 0, CMD_OPT_VALUE},        {NULL, 0, 0, 0},
};
static const struct cmd_sub record_subs[] = {
    {"backup", record_backup_options},
    {"replication", record_replication_options},
    {NULL, NULL},
};

const struct cmd_entry cmd_record_entry = {
    .name = "record",
    .usage = "backup --service S [--type full|incremental|differential]\n"
             "         [--status completed|failed|running|pending|verified|"
             "expired|corrupt]\n"
             "         [--size BYTES] [--checksum SHA256] [--location URL]\n"
             "         [--started TIME] [--completed TIME] [--id UUID]\n"
             "         [--compression-ratio R] [--retention-until TIME] "
             "[--metadata JSON]\n"
             "       drconsole record replication --source S --target T "
             "[--service S]\n"
             "         [--lag DURATION] [--lag-bytes N] [--state STATE] "
             "[--at TIME]",
    .summary = "report a backup result or a replication lag sample",
    .help = "TIME is ISO-8601 (2026-11-22T03:04:05Z), @UNIX, now, or now-15m."
            "\nrecord backup prints the backup's id; giving --id of an "
            "existing backup\nupdates it (running -> completed).  Nothing is "
            "written when any field is bad.\n",
    .exec = record_exec,
    .subs = record_subs,
};
