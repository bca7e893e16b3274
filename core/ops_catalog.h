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

/* `catalog copy`: every row of `from` into the session's catalog, which
 * must be new, in one audited transaction ("catalog.copy", the source as
 * subject).  The source's audit chain is verified first (a broken one is
 * not copied), and the copy's after: the same rows, and the copy's own
 * row at its end. */
struct ops_copy_result {
	int64_t rows;
	int64_t audit_rows_before; /* the source's chain */
	int64_t audit_rows_after;  /* the copy's, with its own row */
};
int ops_catalog_copy(const struct ops_session *to, struct catalog *from,
                     struct ops_copy_result *res, char **err);

#endif
