/* `audit verify`, `audit head`, `audit seal` and `audit list`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/error.h"
#include "core/ops_catalog.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "tui/cli_ops.h"
#include "tui/cmd.h"

struct audit_args {
	const char *sub;
	long limit;
	struct audit_anchor *anchors;
	size_t n_anchors;
	const char *key_file;
};

static int add_anchor(struct audit_args *a, const char *text, const char *where)
{
	struct audit_anchor an;
	char *err = NULL;

	if (audit_anchor_parse(text, &an, &err) != DR_OK) {
		if (where != NULL)
			cli_error("%s: %s", where, err);
		else
			cli_error("audit verify: %s", err);
		free(err);
		return -1;
	}
	a->anchors =
	    xreallocarray(a->anchors, a->n_anchors + 1, sizeof *a->anchors);
	a->anchors[a->n_anchors++] = an;
	return 0;
}

/* One anchor a line (as `audit head` prints them, or the agent's
 * published heads); blank lines and lines from '#' on are skipped. */
static int read_anchor_file(struct audit_args *a, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int lineno = 0, rc = 0;

	if (f == NULL) {
		cli_error("audit verify: --anchors %s: %s", path,
		          strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof line, f) != NULL) {
		lineno++;
		char *hash = strchr(line, '#');
		if (hash != NULL)
			*hash = '\0';
		char *p = line + strspn(line, " \t");
		size_t len = strcspn(p, " \t\r\n");
		if (len == 0)
			continue;
		p[len] = '\0';
		char where[600];
		snprintf(where, sizeof where, "%s:%d:%d", path, lineno,
		         (int)(p - line) + 1);
		rc = add_anchor(a, p, where);
	}
	fclose(f);
	return rc;
}

static int parse_args(int argc, char **argv, struct audit_args *a)
{
	memset(a, 0, sizeof *a);
	a->limit = 50;
	if (argc < 2 ||
	    (strcmp(argv[1], "verify") != 0 && strcmp(argv[1], "list") != 0 &&
	     strcmp(argv[1], "head") != 0 && strcmp(argv[1], "seal") != 0)) {
		cli_error("audit: expected 'verify [--anchor SEQ:HASH] "
		          "[--anchors FILE] [--key-file FILE]', 'head', 'seal' "
		          "or 'list [--limit N]'");
		return -1;
	}
	a->sub = argv[1];
	const struct cli_args *args =
	    cli_parse(&cmd_audit_entry, a->sub, argc - 1, argv + 1);
	if (args == NULL)
		return -1;
	if (args->n_operands > 0) {
		cli_error("audit %s: unexpected argument '%s'", a->sub,
		          args->operands[0]);
		return -1;
	}
	for (size_t i = 0; i < args->n_opts; i++) {
		const char *val = args->opts[i].value;
		if (args->opts[i].id == 'l') {
			char *end;
			errno = 0;
			a->limit = strtol(val, &end, 10);
			if (*end != '\0' || *val == '\0' || a->limit < 0 ||
			    a->limit > 1000000 || errno != 0) {
				cli_error(
				    "audit list: --limit expects a number "
				    "from 0 to 1000000, found '%s'",
				    val);
				return -1;
			}
		} else if (args->opts[i].id == 'a') {
			if (add_anchor(a, val, NULL) != 0)
				return -1;
		} else if (args->opts[i].id == 'A') {
			if (read_anchor_file(a, val) != 0)
				return -1;
		} else if (args->opts[i].id == 'k') {
			a->key_file = val;
		}
	}
	return 0;
}

static int print_list(struct catalog *cat, long limit)
{
	struct catalog_audit *list = NULL;
	size_t n = 0;
	char *err = NULL;

	if (catalog_audit_list(cat, (size_t)limit, &list, &n, &err) != DR_OK) {
		cli_error("%s", err);
		free(err);
		return DR_EXIT_FAIL;
	}
	for (size_t i = 0; i < n; i++) {
		char when[32];
		time_format_iso(list[i].at, when);
		printf("%6lld  %s  %s%s%s  %-18s %s%s%s\n",
		       (long long)list[i].seq, when, list[i].actor,
		       list[i].origin[0] ? "@" : "", list[i].origin,
		       list[i].action, list[i].subject,
		       list[i].details ? "  " : "",
		       list[i].details ? list[i].details : "");
	}
	catalog_audits_free(list, n);
	return DR_EXIT_OK;
}

static int audit_exec(const struct cmd_globals *g, int argc, char **argv)
{
	struct audit_args a;
	int rc;
	char *err = NULL;

	if (parse_args(argc, argv, &a) != 0) {
		free(a.anchors);
		return DR_EXIT_USAGE;
	}
	struct config *cfg = cli_config(g);
	if (cfg == NULL) {
		free(a.anchors);
		return DR_EXIT_USAGE;
	}
	if (a.key_file != NULL &&
	    audit_use_key_file(a.key_file, &err) != DR_OK) {
		cli_error("%s", err);
		free(err);
		free(a.anchors);
		config_free(cfg);
		return DR_EXIT_USAGE;
	}
	int seal = strcmp(a.sub, "seal") == 0;
	struct catalog *cat =
	    cli_open_catalog(g, cfg, seal ? CLI_WRITE : 0, &rc);
	config_free(cfg);
	if (cat == NULL) {
		free(a.anchors);
		return rc;
	}
	if (strcmp(a.sub, "verify") == 0 &&
	    catalog_check_integrity(cat, &err) != DR_OK) {
		/* A damaged file is a broken log, whatever its chain says. */
		cli_error("catalog %s is damaged: %s", catalog_where(cat), err);
		cli_error(
		    "recover what is left with: sqlite3 CATALOG '.recover' "
		    "| sqlite3 NEW.db");
		free(err);
		free(a.anchors);
		catalog_close(cat);
		return DR_EXIT_FAIL;
	}
	if (strcmp(a.sub, "list") == 0) {
		rc = print_list(cat, a.limit);
	} else if (seal) {
		/* A row of its own, keyed when a key is in use: after a key
		 * is first set, the chain is keyed from here on. */
		struct ops_session ses = cli_session(g, cat, NULL);
		int s = ops_audit_seal(&ses, &err);
		rc = s == DR_OK ? DR_EXIT_OK : DR_EXIT_FAIL;
		if (s != DR_OK)
			cli_error("audit seal: %s", err);
	}
	if (strcmp(a.sub, "verify") == 0 || strcmp(a.sub, "head") == 0 ||
	    (seal && rc == DR_EXIT_OK)) {
		struct audit_verify_result res;
		int s = audit_verify_anchored(cat, a.anchors, a.n_anchors, &res,
		                              &err);
		if (strcmp(a.sub, "verify") != 0 && s == DR_OK) {
			/* The head to keep elsewhere, as the anchor. */
			printf("%lld:%s\n", (long long)res.head_seq,
			       res.head_hash);
			rc = DR_EXIT_OK;
		} else if (s == DR_OK) {
			printf("audit log intact: %lld row%s",
			       (long long)res.rows, res.rows == 1 ? "" : "s");
			if (res.first_keyed > 0)
				printf(", keyed from row %lld",
				       (long long)res.first_keyed);
			if (a.n_anchors > 0)
				printf(", %zu anchor%s held", a.n_anchors,
				       a.n_anchors == 1 ? "" : "s");
			printf("\nhead %lld:%s\n", (long long)res.head_seq,
			       res.head_hash);
			rc = DR_EXIT_OK;
		} else {
			cli_error("%s", err);
			rc = DR_EXIT_FAIL;
		}
	}
	free(err);
	free(a.anchors);
	catalog_close(cat);
	return rc;
}

static const struct cmd_option audit_verify_options[] = {
    {"anchor", 'a', 0, CMD_OPT_VALUE},
    {"anchors", 'A', 0, CMD_OPT_FILE},
    {"key-file", 'k', 0, CMD_OPT_FILE},
    {NULL, 0, 0, 0},
};
static const struct cmd_option audit_head_options[] = {
    {"key-file", 'k', 0, CMD_OPT_FILE},
    {NULL, 0, 0, 0},
};
static const struct cmd_option audit_list_options[] = {
    {"limit", 'l', 0, CMD_OPT_VALUE},
    {NULL, 0, 0, 0},
};
static const struct cmd_sub audit_subs[] = {
    {"verify", audit_verify_options},
    {"head", audit_head_options},
    {"seal", audit_head_options},
    {"list", audit_list_options},
    {NULL, NULL},
};

const struct cmd_entry cmd_audit_entry = {
    .name = "audit",
    .usage = "verify [--anchor SEQ:HASH]... [--anchors FILE] [--key-file "
             "FILE]\n"
             "       drconsole audit head [--key-file FILE]\n"
             "       drconsole audit seal\n"
             "       drconsole audit list [--limit N]",
    .summary = "check the audit log's hash chain, print its head, or list it",
    .help = "verify exits 0 when the chain is intact and 1 naming the first "
            "broken row.\nA chain alone cannot show rows deleted from its "
            "end: keep the head that\n'audit head' prints (SEQ:HASH) "
            "somewhere else and give it back as\n--anchor, or a file of "
            "them as --anchors; verify then fails when the chain\nno "
            "longer holds that row with that hash.  With audit_key_file "
            "in the config\n(or --key-file), rows are keyed with "
            "HMAC-SHA-256, so a rewrite needs the key;\n'seal' adds a row "
            "so the chain is keyed from there.\n",
    .exec = audit_exec,
    .subs = audit_subs,
};
