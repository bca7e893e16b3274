/* The "imports" section of the config (drconsole.conf(5)): which of a
 * tool's names (pgBackRest stanza, Barman server, restic tag, host or
 * path, WAL-G or Velero backup name prefix) stands for which service, and
 * optionally the command whose output the agent imports on a schedule:
 *
 *   "imports": [
 *     {"name": "pg-main", "format": "pgbackrest",
 *      "map": {"main": "orders-db"},
 *      "command": ["pgbackrest", "info", "--output=json"],
 *      "schedule": "15m", "timeout": "5m"},
 *     {"format": "restic", "repository": "s3:backups/web",
 *      "map": {"web": "web-files"}}
 *   ]
 *
 * "service" sends every entry of the import to one service, as --service
 * does; "repository" names the tool's repository where its listing does
 * not (WAL-G, restic), so two repositories' labels never meet. */
#ifndef DR_IMPORT_CONFIG_H
#define DR_IMPORT_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/json.h"
#include "core/schedule.h"

struct import_map_entry {
	char *from; /* the tool's name */
	char *service;
};

/* "restore_test": a command that restores this import's newest good
 * backup with the tool itself into a fresh scratch directory and checks
 * it (core/import_restore.h).  Arguments may hold {scratch}, {label} (the
 * tool's backup label), {backup_id} and {service}. */
struct import_restore_spec {
	char **argv;
	char *scratch; /* NULL: $TMPDIR/drconsole-restore-test-NAME */
	char *service; /* NULL: the import's only service */
	int64_t timeout_s;
	int has_schedule;
	struct schedule schedule;
};

struct import_spec {
	char name[96];
	char format[16];
	char *service;    /* NULL: by the map or by name */
	char *repository; /* NULL: the format's own */
	struct import_map_entry *map;
	size_t n_map;
	char **argv; /* NULL: not pulled by the agent */
	int has_schedule;
	struct schedule schedule;
	int64_t timeout_s;
	struct import_restore_spec *restore_test; /* NULL: none */
};

struct import_config {
	struct import_spec *specs;
	size_t n_specs;
};

/* The service an import's restore test tests: restore_test.service, else
 * the import's "service", else the one service its map names; NULL when
 * it is ambiguous (refused when the config is read). */
const char *import_restore_service(const struct import_spec *sp);

int import_config_parse(struct config *cfg, const struct json_doc *doc,
                        const cJSON *node, struct json_errors *errs);
void import_config_free(struct config *cfg);

#endif
