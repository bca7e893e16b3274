/* `backup run`, `backup list`, `backup verify`, `backup rekey`. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/backup.h"
#include "core/backup_config.h"
#include "core/backup_status.h"
#include "core/error.h"
#include "core/ops_backup.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "tui/cli_ops.h"
#include "tui/cmd.h"
#include "tui/safe_stdio.h"

/* The first SIGINT, SIGTERM or SIGHUP stops the backup cleanly (its row fails
 * with the reason); a second one ends the process at once. */
static void on_signal(int sig)
{
	(void)sig;
	backup_cancel();
}

static void catch_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND | SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static int run_one(const struct ops_session *ses, const char *target)
{
	struct backup_outcome out;
	char *err = NULL;
	int rc = ops_backup_run(ses, target, &out, &err);
	char *line = ops_backup_run_line(target, rc, &out, err);

	free(err);
	if (rc == DR_OK) {
		printf("%s\n", line);
		/* Files skipped or changed while read, for instance. */
		if (out.note[0] != '\0')
			printf("note: %s\n", out.note);
	} else {
		cli_error("%s", line);
	}
	free(line);
	if (rc == DR_OK)
		return DR_EXIT_OK;
	return dr_status_exit(rc) == DR_EXIT_USAGE && !out.backup_id[0]
	           ? DR_EXIT_USAGE
	           : DR_EXIT_FAIL;
}

static int cmd_run(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_backup_entry, "run", argc - 1, argv + 1);
	int all = 0;
	const char *target = NULL;
	if (args == NULL)
		return DR_EXIT_USAGE;
	for (size_t i = 0; i < args->n_opts; i++)
		all = 1; /* --all, its only option */
	if (args->n_operands > 1) {
		cli_error("backup run: unexpected argument '%s'",
		          args->operands[1]);
		return DR_EXIT_USAGE;
	}
	if (args->n_operands == 1)
		target = args->operands[0];
	if (all == (target != NULL)) {
		cli_error("backup run: expected a TARGET or --all");
		return DR_EXIT_USAGE;
	}
	struct config *cfg = cli_config(g);
	if (cfg == NULL)
		return DR_EXIT_USAGE;
	if (target != NULL && backup_config_target(cfg, target) == NULL) {
		cli_error("backup run: no backup target \"%s\" in the config",
		          target);
		config_free(cfg);
		return DR_EXIT_USAGE;
	}
	int rc;
	struct catalog *cat = cli_open_catalog(g, cfg, CLI_WRITE, &rc);
	if (cat == NULL) {
		config_free(cfg);
		return rc;
	}
	catch_signals();
	struct ops_session ses = cli_session(g, cat, cfg);
	if (target != NULL) {
		rc = run_one(&ses, target);
	} else {
		const struct backup_config *bc = cfg->backup;
		rc = DR_EXIT_OK;
		if (bc == NULL || bc->n_targets == 0)
			printf("no backup targets in the config\n");
		for (size_t i = 0; bc != NULL && i < bc->n_targets; i++)
			if (run_one(&ses, bc->targets[i].name) != DR_EXIT_OK)
				rc = DR_EXIT_FAIL;
	}
	catalog_close(cat);
	config_free(cfg);
	return rc;
}

static int cmd_list(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_backup_entry, "list", argc - 1, argv + 1);
	const char *service = NULL;
	int json = 0, c;
	if (args == NULL)
		return DR_EXIT_USAGE;
	for (size_t i = 0; i < args->n_opts; i++) {
		const char *value = args->opts[i].value;
		c = args->opts[i].id;
		if (c == 's')
			service = value;
		else if (c == 'j')
			json = 1;
		else
			return DR_EXIT_USAGE;
	}
	if (args->n_operands > 0) {
		cli_error("backup list: unexpected argument '%s'",
		          args->operands[0]);
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
	char *err = NULL;
	int reaped = 0;
	struct catalog_service known;
	/* A mistyped name must not read as "no backups". */
	if (service != NULL &&
	    catalog_service_get(cat, service, &known, &err) != DR_OK) {
		cli_error("backup list: no service '%s' in the catalog",
		          service);
		free(err);
		catalog_close(cat);
		config_free(cfg);
		return DR_EXIT_USAGE;
	}
	/* Listing is when people look: show dead runs as failed.  Read-only
	 * consoles leave that to the next writer. */
	if (!g->read_only && backup_reap_stale(cat, cfg, &reaped, &err) != 0) {
		cli_error("%s", err);
		free(err);
		err = NULL;
	}
	struct catalog_backup_filter f = {.service = service};
	struct catalog_backup *list = NULL;
	size_t n = 0;
	if (catalog_backup_list(cat, &f, &list, &n, &err) != DR_OK) {
		cli_error("%s", err);
		free(err);
		rc = DR_EXIT_FAIL;
	} else if (json) {
		struct backup_key_note *keys = xcalloc(n + 1, sizeof *keys);
		backup_key_notes(cfg, list, n, keys);
		char *text = backup_list_json(list, n, keys);
		printf("%s\n", text);
		free(text);
		free(keys);
	} else {
		struct backup_key_note *keys = xcalloc(n + 1, sizeof *keys);
		backup_key_notes(cfg, list, n, keys);
		printf("%-36s  %-14s %-14s %-9s %-16s %10s  %-16s  %s\n",
		       "BACKUP", "SERVICE", "TARGET", "STATUS", "COMPLETED",
		       "SIZE", "KEY", "NOTE");
		for (size_t i = 0; i < n; i++) {
			char when[32], size[32] = "-", target[64], error[256];
			time_format_short(list[i].completed_at, when);
			if (list[i].size_bytes >= 0)
				ops_bytes_human((double)list[i].size_bytes,
				                size, sizeof size);
			backup_meta_summary(&list[i], target, error);
			const char *key = keys[i].key_id[0]   ? keys[i].key_id
			                  : keys[i].encrypted ? "?"
			                                      : "-";
			printf("%-36s  %-14s %-14s %-9s %-16s %10s  %-16s  "
			       "%s\n",
			       list[i].backup_id, list[i].service,
			       target[0] ? target : "-", list[i].status, when,
			       size, key, error);
		}
		/* After the table, where a person reads on. */
		for (size_t i = 0; i < n; i++)
			if (keys[i].warning[0] != '\0')
				cli_warn("backup %s %s", list[i].backup_id,
				         keys[i].warning);
		free(keys);
	}
	catalog_backups_free(list, n);
	catalog_close(cat);
	config_free(cfg);
	return rc;
}

static int verify_one(const struct ops_session *ses, const char *id,
                      const char *key_file)
{
	struct backup_outcome out;
	char *err = NULL;
	int rc = ops_backup_verify(ses, id, key_file, &out, &err);
	char *line = ops_backup_verify_line(id, rc, &out, err);

	free(err);
	if (rc == DR_OK || rc == DR_ECORRUPT)
		printf("%s\n", line);
	else
		cli_error("%s", line);
	free(line);
	if (rc == DR_OK)
		return DR_EXIT_OK;
	return rc == DR_ENOTFOUND || rc == DR_EINVAL ? DR_EXIT_USAGE
	                                             : DR_EXIT_FAIL;
}

/* Re-reads the copies of one backup; a copy that fails is named. */
static int verify_copies_one(const struct ops_session *ses, const char *id,
                             const char *key_file, size_t *n_ok, size_t *n_bad)
{
	struct backup_copy_check *items = NULL;
	size_t n = 0;
	char *err = NULL;
	int rc = ops_backup_verify_copies(ses, id, key_file, &items, &n, &err);

	for (size_t i = 0; i < n; i++) {
		if (items[i].ok) {
			(*n_ok)++;
			printf("verified copy of %s (%s) in %s: %llu bytes, "
			       "every chunk and the SHA-256 check out\n",
			       id, items[i].service, items[i].repository,
			       (unsigned long long)items[i].plain_bytes);
		} else {
			(*n_bad)++;
			printf("COPY FAILED %s (%s) in %s: %s\n", id,
			       items[i].service, items[i].repository,
			       items[i].error);
		}
	}
	if (rc != DR_OK && rc != DR_ECORRUPT && n == 0) {
		(*n_bad)++;
		cli_error("verify copies of %s: %s", id,
		          err ? err : dr_status_name(rc));
	}
	free(items);
	free(err);
	return rc == DR_OK ? DR_EXIT_OK : DR_EXIT_FAIL;
}

static int cmd_verify(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_backup_entry, "verify", argc - 1, argv + 1);
	const char *id = NULL, *service = NULL, *key_file = NULL;
	int all = 0, copies = 0;
	size_t copies_ok = 0, copies_bad = 0;
	if (args == NULL)
		return DR_EXIT_USAGE;
	for (size_t i = 0; i < args->n_opts; i++) {
		if (args->opts[i].id == 'a')
			all = 1;
		else if (args->opts[i].id == 'c')
			copies = 1;
		else if (args->opts[i].id == 'k')
			key_file = args->opts[i].value;
		else if (args->opts[i].id == 's')
			service = args->opts[i].value;
	}
	if (args->n_operands > 1) {
		cli_error("backup verify: unexpected argument '%s'",
		          args->operands[1]);
		return DR_EXIT_USAGE;
	}
	if (args->n_operands == 1)
		id = args->operands[0];
	if ((id != NULL) + (service != NULL) + all != 1) {
		cli_error("backup verify: expected one of ID, --service S, "
		          "--all");
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
	char *err = NULL;
	int reaped;
	if (backup_reap_stale(cat, cfg, &reaped, &err) != DR_OK) {
		cli_error("%s", err);
		free(err);
		err = NULL;
	}
	struct ops_session ses = cli_session(g, cat, cfg);
	if (id != NULL) {
		rc = verify_one(&ses, id, key_file);
		if (copies && verify_copies_one(&ses, id, key_file, &copies_ok,
		                                &copies_bad) != DR_EXIT_OK)
			rc = DR_EXIT_FAIL;
	} else {
		size_t total = 0, bad = 0, nids = 0;
		char(*ids)[40] = NULL;
		rc = DR_EXIT_OK;
		/* Collect first: verifying moves rows between states. */
		for (size_t s = 0; s < BACKUP_GOOD_COUNT + 1; s++) {
			struct catalog_backup_filter f = {
			    .service = service,
			    .status = backup_verifiable_statuses[s],
			    .oldest_first = 1};
			struct catalog_backup *list = NULL;
			size_t n = 0;
			if (catalog_backup_list(cat, &f, &list, &n, &err) !=
			    DR_OK) {
				cli_error("%s", err);
				free(err);
				err = NULL;
				rc = DR_EXIT_FAIL;
				continue;
			}
			ids = xreallocarray(ids, nids + n + 1, sizeof *ids);
			for (size_t i = 0; i < n; i++)
				strlcpy_dr(ids[nids++], list[i].backup_id, 40);
			catalog_backups_free(list, n);
		}
		for (size_t i = 0; i < nids; i++) {
			total++;
			if (verify_one(&ses, ids[i], key_file) != DR_EXIT_OK) {
				bad++;
				rc = DR_EXIT_FAIL;
			}
			if (copies && verify_copies_one(
			                  &ses, ids[i], key_file, &copies_ok,
			                  &copies_bad) != DR_EXIT_OK)
				rc = DR_EXIT_FAIL;
		}
		free(ids);
		printf("%zu verified, %zu failed\n", total - bad, bad);
	}
	if (copies)
		printf("%zu copies verified, %zu failed\n", copies_ok,
		       copies_bad);
	catalog_close(cat);
	config_free(cfg);
	return rc;
}

/* One line per backup, then how many need each key. */
static void rekey_report(const struct backup_rekey_item *it, size_t n)
{
	size_t *count = xcalloc(n + 1, sizeof *count);
	size_t missing = 0, unencrypted = 0, unreadable = 0;
	for (size_t i = 0; i < n; i++) {
		const char *id = it[i].key_id[0] ? it[i].key_id : "unknown";
		switch (it[i].state) {
		case BACKUP_REKEY_FOUND:
			printf("%s  key %s in %s\n", it[i].backup_id, id,
			       it[i].key_file);
			break;
		case BACKUP_REKEY_MISSING:
			printf("%s  MISSING key %s: no key file opens it\n",
			       it[i].backup_id, id);
			break;
		case BACKUP_REKEY_UNENCRYPTED:
			printf("%s  unencrypted\n", it[i].backup_id);
			break;
		case BACKUP_REKEY_UNREADABLE:
			printf("%s  UNREADABLE: %s\n", it[i].backup_id,
			       it[i].error);
			break;
		}
		missing += it[i].state == BACKUP_REKEY_MISSING;
		unencrypted += it[i].state == BACKUP_REKEY_UNENCRYPTED;
		unreadable += it[i].state == BACKUP_REKEY_UNREADABLE;
		/* Counted at the first backup with the same key and file. */
		for (size_t j = 0; j <= i; j++)
			if (it[j].state == it[i].state &&
			    strcmp(it[j].key_id, it[i].key_id) == 0 &&
			    strcmp(it[j].key_file, it[i].key_file) == 0) {
				count[j]++;
				break;
			}
	}
	for (size_t i = 0; i < n; i++)
		if (count[i] > 0 && (it[i].state == BACKUP_REKEY_FOUND ||
		                     it[i].state == BACKUP_REKEY_MISSING))
			printf("%zu backup%s need%s key %s%s%s\n", count[i],
			       count[i] == 1 ? "" : "s",
			       count[i] == 1 ? "s" : "",
			       it[i].key_id[0] ? it[i].key_id : "unknown",
			       it[i].state == BACKUP_REKEY_FOUND ? " in " : "",
			       it[i].state == BACKUP_REKEY_FOUND
			           ? it[i].key_file
			           : ", which no key file has");
	printf("%zu backups: %zu need a key no key file has, %zu "
	       "unencrypted, %zu unreadable\n",
	       n, missing, unencrypted, unreadable);
	free(count);
}

static int cmd_rekey(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_backup_entry, "rekey", argc - 1, argv + 1);
	const char *target = NULL;
	if (args == NULL)
		return DR_EXIT_USAGE;
	for (size_t i = 0; i < args->n_opts; i++)
		target = args->opts[i].value; /* --target, its only option */
	if (args->n_operands > 0) {
		cli_error("backup rekey: unexpected argument '%s'",
		          args->operands[0]);
		return DR_EXIT_USAGE;
	}
	if (target == NULL) {
		cli_error("backup rekey: expected --target T");
		return DR_EXIT_USAGE;
	}
	struct config *cfg = cli_config(g);
	if (cfg == NULL)
		return DR_EXIT_USAGE;
	if (backup_config_target(cfg, target) == NULL) {
		cli_error("backup rekey: no backup target \"%s\" in the config",
		          target);
		config_free(cfg);
		return DR_EXIT_USAGE;
	}
	int rc;
	struct catalog *cat = cli_open_catalog(g, cfg, CLI_WRITE, &rc);
	if (cat == NULL) {
		config_free(cfg);
		return rc;
	}
	struct ops_session ses = cli_session(g, cat, cfg);
	struct backup_rekey_item *items = NULL;
	size_t n = 0;
	char *err = NULL;
	int st = ops_backup_rekey(&ses, target, &items, &n, &err);
	if (st != DR_OK) {
		cli_error("backup rekey: %s", err);
		rc = dr_status_exit(st);
	} else {
		rekey_report(items, n);
		rc = DR_EXIT_OK;
		for (size_t i = 0; i < n; i++)
			if (items[i].state == BACKUP_REKEY_MISSING ||
			    items[i].state == BACKUP_REKEY_UNREADABLE)
				rc = DR_EXIT_FAIL;
	}
	free(items);
	free(err);
	catalog_close(cat);
	config_free(cfg);
	return rc;
}

static int backup_exec(const struct cmd_globals *g, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "run") == 0)
		return cmd_run(g, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return cmd_list(g, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "verify") == 0)
		return cmd_verify(g, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "rekey") == 0)
		return cmd_rekey(g, argc, argv);
	cli_error("backup: expected run, list, verify or rekey; try "
	          "'drconsole backup --help'");
	return DR_EXIT_USAGE;
}

static const struct cmd_option backup_run_options[] = {
    {"all", 'a', 0, 0},
    {NULL, 0, 0, 0},
};
static const struct cmd_option backup_list_options[] = {
    {"service", 's', 0, CMD_OPT_VALUE},
    {"json", 'j', 0, 0},
    {NULL, 0, 0, 0},
};
static const struct cmd_option backup_verify_options[] = {
    {"all", 'a', 0, 0},
    {"copies", 'c', 0, 0},
    {"key-file", 'k', 0, CMD_OPT_FILE},
    {"service", 's', 0, CMD_OPT_VALUE},
    {NULL, 0, 0, 0},
};
static const struct cmd_option backup_rekey_options[] = {
    {"target", 't', 0, CMD_OPT_VALUE},
    {NULL, 0, 0, 0},
};
static const struct cmd_sub backup_subs[] = {
    {"run", backup_run_options},
    {"list", backup_list_options},
    {"verify", backup_verify_options},
    {"rekey", backup_rekey_options},
    {NULL, NULL},
};

const struct cmd_entry cmd_backup_entry = {
    .name = "backup",
    .usage = "run TARGET|--all\n"
             "       drconsole backup list [--service S] [--json]\n"
             "       drconsole backup verify ID|--service S|--all "
             "[--copies] [--key-file PATH]\n"
             "       drconsole backup rekey --target T",
    .summary = "run, list, verify and rekey backups",
    .help =
        "run streams a configured target's source through compression,\n"
        "encryption (with the first of the target's key_files) and SHA-256\n"
        "into its repository; the catalog row becomes completed only once\n"
        "the repository holds the whole object.  verify reads objects back "
        "and\n"
        "marks them verified or corrupt; --key-file opens encrypted ones\n"
        "with another key file (an old key) instead of their target's, and\n"
        "a key that does not open a backup is a wrong key, never corrupt.\n"
        "--copies also re-reads each backup's copies in their copy\n"
        "repositories the same way; a copy that fails is marked failed (it\n"
        "no longer counts, and the next 'copy' copies it again) and named.\n"
        "Exit 1 when any backup or copy failed, is corrupt or needs another\n"
        "key.  list shows the key each backup needs and warns when no key\n"
        "file has it.  rekey re-encrypts nothing: it reads each backup's\n"
        "header with the target's key_files and records which key it needs\n"
        "and where that key is; exit 1 when a backup needs a key none has.\n"
        "See drconsole-backup(5).\n",
    .exec = backup_exec,
    .subs = backup_subs,
};
