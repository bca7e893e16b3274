/* The "repositories" and "backups" sections of the config file
 * (drconsole.conf(5)), parsed strictly into cfg->backup. */
#ifndef DR_BACKUP_CONFIG_H
#define DR_BACKUP_CONFIG_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/json.h"
#include "core/repo.h"
#include "core/schedule.h"
#include "core/source.h"

struct backup_repository {
	char *name;
	char *url;
	char *endpoint;
	char *region;
	char *credentials_file;
	int path_style;
	int retries;
	long timeout_s;
	long request_limit_s; /* 0: the default */
};

struct backup_retention {
	int hourly, daily, weekly, monthly; /* defaults 24/7/4/12 */
};

struct backup_target {
	char *name;
	char *service;
	struct source_spec source;
	char *repository;
	char *copy_repository; /* NULL: none */
	int64_t schedule_s;    /* 0: none (the agent's business) */
	struct backup_retention retention;
	int level; /* zlib level, default 1 */
	/* Key files, newest first: new backups are encrypted with the
	 * first; reading tries the one whose key id the backup records,
	 * else each in turn.  n_key_files 0: unencrypted.  "key_file" in
	 * the config is a list of one. */
	char **key_files;
	size_t n_key_files;
	uint32_t chunk_size;
	/* restore-test: a command that receives the restored stream on
	 * stdin; NULL: restore into a scratch file. */
	char **test_argv;
	char *test_shell;
	/* restore_test_schedule: the agent's restore tests of the target. */
	int has_test_schedule;
	struct schedule test_schedule;
};

struct backup_config {
	struct backup_repository *repos;
	size_t n_repos;
	struct backup_target *targets;
	size_t n_targets;
};

/* Section parsers for config.c's table: each returns 0, or -1 after adding
 * its errors to errs. */
int backup_config_parse_repositories(struct config *cfg,
                                     const struct json_doc *doc,
                                     const cJSON *node,
                                     struct json_errors *errs);
int backup_config_parse_backups(struct config *cfg, const struct json_doc *doc,
                                const cJSON *node, struct json_errors *errs);
/* Frees cfg->backup (both sections) and sets it to NULL. */
void backup_config_free(struct config *cfg);

const struct backup_target *backup_config_target(const struct config *cfg,
                                                 const char *name);
const struct backup_repository *
backup_config_repository(const struct config *cfg, const char *name);
/* The repository options of r (strings borrowed from r). */
void backup_config_repo_options(const struct backup_repository *r,
                                struct repo_options *opt);

#endif
