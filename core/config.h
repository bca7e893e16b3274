/* The configuration file: JSON at $XDG_CONFIG_HOME/drconsole/config.json
 * (~/.config/drconsole/config.json), documented in drconsole.conf(5).
 * Reading is strict: unknown keys, wrong types and bad durations are errors
 * with file:line:column.  A missing default file means defaults. */
#ifndef DR_CONFIG_H
#define DR_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "core/compliance.h"
#include "db/catalog.h"

/* Sections that later modules own.  config.c hands each its member of the
 * file (see config_section in config.c) and keeps the result here. */
struct backup_config; /* "repositories", "backups": core/backup_config.h */
struct probe_config;  /* "probes": core/probe_config.h */
struct notify_config; /* "notifications": core/notify_config.h */
struct agent_config;  /* "agent": core/agent_config.h */
struct import_config; /* "imports": core/import_config.h */

struct config {
	char *path;           /* NULL when no file was read */
	char environment[64]; /* "" when unset */
	char *catalog;        /* catalog location; NULL: the default */
	char *theme;          /* NULL: default */
	char *runbook_dir;    /* NULL: none beyond the installed ones */
	char *audit_key_file; /* NULL: the audit chain is unkeyed */
	char **child_env;     /* names passed to children (childenv.h) */
	size_t n_child_env;
	struct catalog_tier *tiers; /* the defaults, overridden by the file */
	size_t n_tiers;
	struct catalog_service *services; /* declared services */
	size_t n_services;
	struct compliance_policy policy;
	struct backup_config *backup;
	struct probe_config *probes;
	struct notify_config *notify;
	struct agent_config *agent;
	struct import_config *imports;
	struct test_programme *tests; /* "tests" (core/testprog.h) or NULL */
};

/* $XDG_CONFIG_HOME/drconsole/config.json (an absolute XDG_CONFIG_HOME),
 * else $HOME/.config/drconsole/config.json; malloc'd.  NULL when there is
 * no home directory at all. */
char *config_default_path(void);
/* $XDG_DATA_HOME/drconsole (an absolute XDG_DATA_HOME), else
 * $HOME/.local/share/drconsole: where the default catalog lives; malloc'd,
 * not made. */
char *config_data_dir(void);
/* path NULL: the default path, where a missing file is not an error.
 * Every error in the file is reported, one per line. */
int config_load(const char *path, struct config **out, char **err);
/* The same over text already in memory; `name` is used in messages and
 * becomes cfg->path. */
int config_parse(const char *name, const char *text, size_t len,
                 struct config **out, char **err);
void config_free(struct config *cfg);
/* The tier by name, or NULL. */
const struct catalog_tier *config_tier(const struct config *cfg,
                                       const char *name);
/* The example written by `drconsole init`: JSON holds no comments, so it
 * explains itself by its values; config_load accepts it. */
const char *config_example(void);
/* The built-in tiers: critical 15m/5m, standard 1h/30m, low 4h/4h. */
void config_default_tiers(struct catalog_tier **out, size_t *n);

#endif
