/* `catalog info`, `catalog grant` and `catalog copy`: the catalog itself,
 * whichever backend holds it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/ops_catalog.h"
#include "core/xmalloc.h"
#include "tui/cli_ops.h"
#include "tui/cmd.h"
#include <cJSON.h>

enum { OPT_JSON = 1, OPT_READONLY, OPT_AGENT, OPT_APPLY, OPT_FROM, OPT_TO };

static void human_bytes(int64_t b, char *out, size_t size)
{
	if (b < 0)
		snprintf(out, size, "unknown");
	else if (b < 1024 * 1024)
		snprintf(out, size, "%.1f KiB", (double)b / 1024);
	else if (b < 1024LL * 1024 * 1024)
		snprintf(out, size, "%.1f MiB", (double)b / (1024 * 1024));
	else
		snprintf(out, size, "%.2f GiB",
		         (double)b / (1024.0 * 1024 * 1024));
}

static void print_access(const struct catalog_info *in)
{
	if (!in->standby) {
		printf("access:          %s\n",
		       in->read_only ? "read-only" : "read-write");
		return;
	}
	printf("access:          READ-ONLY REPLICA (a hot standby: changes "
	       "go to the primary)\n");
	if (in->replay_lag_s < 0)
		printf("replay lag:      unknown\n");
	else
		printf("replay lag:      %.0f s%s\n", in->replay_lag_s,
		       in->replay_lag_s == 0 ? " (all it received is replayed)"
		                             : "");
	if (in->replay_wal_bytes >= 0)
		printf("not replayed:    %lld bytes of WAL\n",
		       (long long)in->replay_wal_bytes);
	printf("from primary:    %s\n",
	       in->receiving ? "streaming"
	                     : "NOT RECEIVING (the primary is gone or the "
	                       "link is down; what is shown may be old)");
}

static void print_info_json(const struct catalog_info *in)
{
	cJSON *o = cJSON_CreateObject();
	char *text;

	cJSON_AddStringToObject(o, "backend", in->backend);
	cJSON_AddStringToObject(o, "server", in->server);
	cJSON_AddStringToObject(o, "connection", in->connection);
	cJSON_AddNumberToObject(o, "schema_version", in->schema_version);
	cJSON_AddNumberToObject(o, "schema_latest", catalog_schema_latest());
	if (in->size_bytes >= 0)
		cJSON_AddNumberToObject(o, "size_bytes",
		                        (double)in->size_bytes);
	else
		cJSON_AddNullToObject(o, "size_bytes");
	cJSON_AddBoolToObject(o, "read_only", in->read_only);
	cJSON_AddBoolToObject(o, "standby", in->standby);
	if (in->standby) {
		if (in->replay_lag_s >= 0)
			cJSON_AddNumberToObject(o, "replay_lag_s",
			                        in->replay_lag_s);
		else
			cJSON_AddNullToObject(o, "replay_lag_s");
		cJSON_AddBoolToObject(o, "receiving", in->receiving);
	}
	text = cJSON_Print(o);
	printf("%s\n", text);
	free(text);
	cJSON_Delete(o);
}

static int info_exec(const struct cmd_globals *g, const struct cli_args *args)
{
	int json = 0, rc;
	struct catalog_info in;
	char *err = NULL, size[32];
	struct config *cfg;
	struct catalog *cat;

	for (size_t i = 0; i < args->n_opts; i++)
		json |= args->opts[i].id == OPT_JSON;
	if (args->n_operands > 0) {
		cli_error("catalog info: unexpected argument '%s'",
		          args->operands[0]);
		return DR_EXIT_USAGE;
	}
	cfg = cli_config(g);
	if (cfg == NULL)
		return DR_EXIT_USAGE;
	cat = cli_open_catalog(g, cfg, CATALOG_READONLY, &rc);
	if (cat == NULL) {
		config_free(cfg);
		return rc;
	}
	if (catalog_info(cat, &in, &err) != CATALOG_OK) {
		cli_error("catalog info: %s", err);
		free(err);
		rc = DR_EXIT_FAIL;
	} else if (json) {
		print_info_json(&in);
		rc = DR_EXIT_OK;
	} else {
		human_bytes(in.size_bytes, size, sizeof size);
		printf("backend:         %s (%s)\n", in.backend, in.server);
		printf("connection:      %s\n", in.connection);
		printf("schema version:  %d (this drconsole: %d)\n",
		       in.schema_version, catalog_schema_latest());
		printf("size:            %s\n", size);
		print_access(&in);
		rc = DR_EXIT_OK;
	}
	catalog_close(cat);
	config_free(cfg);
	return rc;
}

static int grant_exec(const struct cmd_globals *g, const struct cli_args *args)
{
	const char *role = NULL;
	int kind = -1, apply = 0, rc;
	char *sql = NULL, *err = NULL;
	struct config *cfg;
	struct catalog *cat;

	for (size_t i = 0; i < args->n_opts; i++) {
		int id = args->opts[i].id;
		if (id == OPT_APPLY) {
			apply = 1;
			continue;
		}
		if (kind >= 0) {
			cli_error("catalog grant: give one of --readonly ROLE "
			          "and --agent ROLE");
			return DR_EXIT_USAGE;
		}
		kind = id == OPT_READONLY ? CATALOG_GRANT_READONLY
		                          : CATALOG_GRANT_AGENT;
		role = args->opts[i].value;
	}
	if (kind < 0 || args->n_operands > 0) {
		cli_error(
		    "catalog grant: usage: catalog grant (--readonly ROLE "
		    "| --agent ROLE) [--apply]");
		return DR_EXIT_USAGE;
	}
	cfg = cli_config(g);
	if (cfg == NULL)
		return DR_EXIT_USAGE;
	cat =
	    cli_open_catalog(g, cfg, apply ? CLI_WRITE : CATALOG_READONLY, &rc);
	if (cat == NULL) {
		config_free(cfg);
		return rc;
	}
	rc = catalog_grants(cat, (enum catalog_grant_kind)kind, role, apply,
	                    &sql, &err);
	if (rc != CATALOG_OK) {
		cli_error("catalog grant: %s", err);
		rc = rc == CATALOG_EINVAL ? DR_EXIT_USAGE : DR_EXIT_FAIL;
	} else {
		fputs(sql, stdout);
		if (apply)
			printf("-- applied to %s\n", catalog_where(cat));
		rc = DR_EXIT_OK;
	}
	free(sql);
	free(err);
	catalog_close(cat);
	config_free(cfg);
	return rc;
}

static int copy_exec(const struct cmd_globals *g, const struct cli_args *args)
{
	const char *from = NULL, *to = NULL;
	struct cmd_globals gf = *g, gt = *g;
	struct ops_copy_result res;
	struct config *cfg;
	struct catalog *src, *dst;
	char *err = NULL;
	int rc;

	for (size_t i = 0; i < args->n_opts; i++) {
		if (args->opts[i].id == OPT_FROM)
			from = args->opts[i].value;
		else
			to = args->opts[i].value;
	}
	if (from == NULL || to == NULL || args->n_operands > 0) {
		cli_error("catalog copy: usage: catalog copy --from CATALOG "
		          "--to NEW-CATALOG");
		return DR_EXIT_USAGE;
	}
	if (strcmp(from, to) == 0) {
		cli_error(
		    "catalog copy: --from and --to name the same catalog");
		return DR_EXIT_USAGE;
	}
	if (g->read_only) {
		cli_error("catalog copy: refused: read-only");
		return DR_EXIT_FAIL;
	}
	cfg = cli_config(g);
	if (cfg == NULL)
		return DR_EXIT_USAGE;
	gf.catalog = from;
	gt.catalog = to;
	src = cli_open_catalog(&gf, cfg, CATALOG_READONLY, &rc);
	if (src == NULL) {
		config_free(cfg);
		return rc;
	}
	dst = cli_open_catalog(
	    &gt, cfg, CATALOG_CREATE | CATALOG_ADOPT_EMPTY | CLI_WRITE, &rc);
	if (dst == NULL) {
		catalog_close(src);
		config_free(cfg);
		return rc;
	}
	struct ops_session ses = cli_session(&gt, dst, cfg);
	int st = ops_catalog_copy(&ses, src, &res, &err);
	if (st != DR_OK) {
		cli_error("catalog copy: %s", err);
		rc = dr_status_exit(st);
	} else {
		printf("copied %lld rows from %s to %s\n", (long long)res.rows,
		       catalog_where(src), catalog_where(dst));
		printf("audit chain: %lld rows verified in the original, "
		       "%lld in the copy (its last row records the copy)\n",
		       (long long)res.audit_rows_before,
		       (long long)res.audit_rows_after);
		rc = DR_EXIT_OK;
	}
	free(err);
	catalog_close(dst);
	catalog_close(src);
	config_free(cfg);
	return rc;
}

static int catalog_exec(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args;
	const char *sub = argc >= 2 ? argv[1] : "";

	if (strcmp(sub, "info") != 0 && strcmp(sub, "grant") != 0 &&
	    strcmp(sub, "copy") != 0) {
		cli_error("catalog: expected info, grant or copy%s%s%s",
		          sub[0] ? ", not '" : "", sub, sub[0] ? "'" : "");
		return DR_EXIT_USAGE;
	}
	args = cli_parse(&cmd_catalog_entry, sub, argc - 1, argv + 1);
	if (args == NULL)
		return DR_EXIT_USAGE;
	if (strcmp(sub, "info") == 0)
		return info_exec(g, args);
	if (strcmp(sub, "grant") == 0)
		return grant_exec(g, args);
	return copy_exec(g, args);
}

static const struct cmd_option info_options[] = {
    {"json", OPT_JSON, 0, 0},
    {NULL, 0, 0, 0},
};
static const struct cmd_option grant_options[] = {
    {"readonly", OPT_READONLY, 0, CMD_OPT_VALUE},
    {"agent", OPT_AGENT, 0, CMD_OPT_VALUE},
    {"apply", OPT_APPLY, 0, 0},
    {NULL, 0, 0, 0},
};
static const struct cmd_option copy_options[] = {
    {"from", OPT_FROM, 0, CMD_OPT_FILE},
    {"to", OPT_TO, 0, CMD_OPT_FILE},
    {NULL, 0, 0, 0},
};
static const struct cmd_sub catalog_subs[] = {
    {"info", info_options},
    {"grant", grant_options},
    {"copy", copy_options},
    {NULL, NULL},
};

const struct cmd_entry cmd_catalog_entry = {
    .name = "catalog",
    .usage = "info [--json] | grant (--readonly ROLE | --agent ROLE) "
             "[--apply] | copy --from CATALOG --to NEW",
    .summary = "show, share or move the catalog",
    .help =
        "info     backend, server, connection, schema version, size, and\n"
        "         whether it is read-only or a replica (with its lag).\n"
        "grant    prints the PostgreSQL GRANTs for a role that can only\n"
        "         read (a wall, a viewer: SELECT and LISTEN, read-only\n"
        "         sessions) or for an agent (writes all but the audit log,\n"
        "         which it may only append to); --apply runs them (as the\n"
        "         catalog's owner).\n"
        "copy     copies every row into a new catalog, between any two\n"
        "         backends (an SQLite file to postgresql://... and back),\n"
        "         in one transaction; the audit chain is verified in the\n"
        "         original first and in the copy after.\n",
    .exec = catalog_exec,
    .subs = catalog_subs,
};
