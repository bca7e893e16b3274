/* The catalog as a whole (core/ops.h): starting one, applying the
 * config's tiers and services to it, building the demo, sealing the
 * audit trail. */
#ifndef DR_OPS_CATALOG_H
#define DR_OPS_CATALOG_H

#include "core/ops.h"

/* The config's tiers into a new (or empty, adopted) catalog, with the
 * "catalog.init" row. */
int ops_catalog_init(const struct ops_session *s, char **err);

/* The config's tiers and services into the catalog ("config.apply",
 * subject the config's path).  *summary (may be NULL) gets "N tiers, N
 * services" (malloc'd). */
int ops_config_apply(const struct ops_session *s, char **summary, char **err);

/* The demo estate at now into an empty catalog ("demo.create", subject
 * where it will live). */
int ops_demo_create(const struct ops_session *s, const char *where, int64_t now,
                    char **err);

/* A row of its own, keyed when a key is in use ("audit.seal"). */
int ops_audit_seal(const struct ops_session *s, char **err);

#endif
