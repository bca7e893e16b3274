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
#include "core/crypto.h"
#include "core/duration.h"
#include "core/error.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "core/uuid.h"
#include "core/xmalloc.h"
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

static int one_of(const char *opt, const char *value,
                  const char *const *allowed)
{
	for (size_t i = 0; allowed[i] != NULL; i++)
		if (strcmp(value, allowed[i]) == 0)
			return 0;
	char list[256] = "";
	for (size_t i = 0; allowed[i] != NULL; i++) {
		if (i > 0)
			strncat(list, ", ", sizeof list - strlen(list) - 1);
		strncat(list, allowed[i], sizeof list - strlen(list) - 1);
	}
	cli_error("--%s: '%s' is not one of: %s", opt, value, list);
	return -1;
}

/* Runs one write transaction: `apply`, then the audit row. */
static int commit_with_audit(struct catalog *cat,
                             int (*apply)(struct catalog *, const void *,
                                          char **),
                             const void *arg, const char *action,
                             const char *subject, const char *details)
{
	char *err = NULL;
	int st = catalog_begin(cat, &err);
	if (st == DR_OK)
		st = apply(cat, arg, &err);
	if (st == DR_OK)
		st = audit_record(cat, action, subject, details, &err);
	if (st == DR_OK)
		st = catalog_commit(cat, &err);
	if (st != DR_OK) {
		catalog_rollback(cat);
		cli_error("%s", err ? err : dr_status_name(st));
	}
	free(err);
	return st;
}

/* The start a report without --started means: the one already recorded
 * for this backup (an update keeps when it started), else its completion,
 * else now.  The completion may not lie before it. */
static int settle_start(struct catalog_backup *b, int64_t recorded, char **err)
{
	if (b->started_at < 0)
		b->started_at = recorded > 0           ? recorded
		                : b->completed_at != 0 ? b->completed_at
		                                       : time_now();
	if (b->completed_at != 0 && b->completed_at < b->started_at) {
		char a[32], c[32];
		time_format_iso(b->started_at, a);
		time_format_iso(b->completed_at, c);
		*err =
		    xasprintf("--completed (%s) is before the backup's start "
		              "(%s); nothing was changed",
		              c, a);
		return DR_EINVAL;
	}
	return DR_OK;
}

static int apply_backup(struct catalog *cat, const void *arg, char **err)
{
	struct catalog_backup bb = *(const struct catalog_backup *)arg;
	struct catalog_backup *b = &bb, old = {0};
	int st = catalog_backup_get(cat, b->backup_id, &old, err);
	if (st == DR_ENOTFOUND) {
		free(*err);
		*err = NULL;
		st = settle_start(b, 0, err);
		return st != DR_OK ? st : catalog_backup_insert(cat, b, err);
	}
	if (st != DR_OK)
		return st;
	/* An id names one backup of one service: reporting it for another
	 * service would move its history there. */
	if (strcmp(old.service, b->service) != 0) {
		*err = xasprintf("--id %s is a backup of service '%s', not of "
		                 "'%s'; nothing was changed",
		                 b->backup_id, old.service, b->service);
		catalog_backup_clear(&old);
		return DR_EINVAL;
	}
	st = settle_start(b, old.started_at, err);
	catalog_backup_clear(&old);
	return st != DR_OK ? st : catalog_backup_update(cat, b, err);
}

static int record_backup(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_record_entry, "backup", argc, argv);
	static const char *const types[] = {"full", "incremental",
	                                    "differential", NULL};
	static const char *const statuses[] = {
	    "pending",  "running", "completed", "failed",
	    "verified", "expired", "corrupt",   NULL};
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
	if (one_of("type", type, types) != 0 ||
	    one_of("status", status, statuses) != 0)
		return DR_EXIT_USAGE;
	if (checksum[0] != '\0' && !sha256_hex_valid(checksum)) {
		cli_error(
		    "--checksum: expected 64 hexadecimal digits (SHA-256), "
		    "found '%s' (%zu characters)",
		    checksum, strlen(checksum));
		return DR_EXIT_USAGE;
	}
	if (id != NULL && !uuid_valid(id)) {
		cli_error("--id: expected a UUID such as "
		          "0b0d6c1e-5f0a-4c1e-9a51-3f1b2c3d4e5f, found '%s'",
		          id);
		return DR_EXIT_USAGE;
	}
	if (metadata != NULL) {
		struct json_doc *doc = NULL;
		char *jerr = NULL;
		if (json_doc_parse("--metadata", metadata, strlen(metadata),
		                   &doc, &jerr) != DR_OK) {
			cli_error("%s", jerr);
			free(jerr);
			return DR_EXIT_USAGE;
		}
		int object = cJSON_IsObject(json_doc_root(doc));
		json_doc_free(doc);
		if (!object) {
			cli_error("--metadata: expected a JSON object such as "
			          "{\"error\": \"...\"}, found '%.40s'",
			          metadata);
			return DR_EXIT_USAGE;
		}
	}
	int done =
	    strcmp(status, "completed") == 0 || strcmp(status, "verified") == 0;
	if (done && completed == 0)
		completed = now;
	int unfinished =
	    strcmp(status, "pending") == 0 || strcmp(status, "running") == 0;
	if (unfinished && completed != 0) {
		cli_error("--completed: a %s backup has not completed", status);
		return DR_EXIT_USAGE;
	}
	if (started != 0 && completed != 0 && completed < started) {
		char a[32], b[32];
		time_format_iso(started, a);
		time_format_iso(completed, b);
		cli_error("--completed (%s) is before --started (%s)", b, a);
		return DR_EXIT_USAGE;
	}

	if (retention != 0 && completed != 0 && retention < completed) {
		char a[32], b[32];
		time_format_iso(completed, a);
		time_format_iso(retention, b);
		cli_error("--retention-until (%s) is before the backup "
		          "completed (%s)",
		          b, a);
		return DR_EXIT_USAGE;
	}

	struct config *cfg = cli_config(g);
	if (cfg == NULL)
		return DR_EXIT_USAGE;
	int rc;
	char *err = NULL;
	struct catalog *cat = cli_open_catalog(g, cfg, CLI_WRITE, &rc);
	config_free(cfg);
	if (cat == NULL)
		return rc;
	struct catalog_service svc;
	if (catalog_service_get(cat, service, &svc, &err) != DR_OK) {
		cli_error("record backup: unknown service '%s' (add it with "
		          "'drconsole service add')",
		          service);
		free(err);
		catalog_close(cat);
		return DR_EXIT_USAGE;
	}

	struct catalog_backup b = {0};
	if (id != NULL)
		strlcpy_dr(b.backup_id, id, sizeof b.backup_id);
	else
		uuid_v4(b.backup_id);
	strlcpy_dr(b.service, service, sizeof b.service);
	strlcpy_dr(b.type, type, sizeof b.type);
	strlcpy_dr(b.status, status, sizeof b.status);
	strlcpy_dr(b.checksum, checksum, sizeof b.checksum);
	b.location = (char *)location;
	b.metadata = (char *)metadata;
	b.size_bytes = size;
	b.compression_ratio = ratio;
	b.started_at = started != 0 ? started : -1; /* see settle_start */
	b.completed_at = completed;
	b.retention_until = retention;

	char *details = xasprintf("id=%s status=%s type=%s size=%lld",
	                          b.backup_id, status, type, (long long)size);
	int st = commit_with_audit(cat, apply_backup, &b, "backup.record",
	                           service, details);
	free(details);
	catalog_close(cat);
	if (st != DR_OK)
		return dr_status_exit(st);
	printf("%s\n", b.backup_id);
	return DR_EXIT_OK;
}

static int apply_replication(struct catalog *cat, const void *arg, char **err)
{
	return catalog_replication_record(cat, arg, err);
}

static int record_replication(const struct cmd_globals *g, int argc,
                              char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_record_entry, "replication", argc, argv);
	static const char *const states[] = {"streaming", "catchup", "stopped",
	                                     "down",      "unknown", NULL};
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
	if (one_of("state", state, states) != 0)
		return DR_EXIT_USAGE;
	if (r.sampled_at > now + 60) {
		cli_error("--at: a sample cannot come from the future");
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
	if (service[0] != '\0') {
		struct catalog_service svc;
		if (catalog_service_get(cat, service, &svc, &err) != DR_OK) {
			cli_error("record replication: unknown service '%s'",
			          service);
			free(err);
			catalog_close(cat);
			return DR_EXIT_USAGE;
		}
	}
	char *subject = xasprintf("%s -> %s", source, target);
	char *details = xasprintf("state=%s lag_s=%.3f lag_bytes=%lld", state,
	                          r.lag_s, (long long)r.lag_bytes);
	int st = commit_with_audit(cat, apply_replication, &r,
	                           "replication.record", subject, details);
	free(subject);
	free(details);
	catalog_close(cat);
	return st == DR_OK ? DR_EXIT_OK : dr_status_exit(st);
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
