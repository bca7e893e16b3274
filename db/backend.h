/* The function table every catalog backend fills (SQLite now, PostgreSQL
 * later), in the manner of pgBackRest's storage drivers.  db/catalog.c
 * holds the open catalog, picks a backend from the `where` string and calls
 * through this table; `self` is the backend's own state, created by open()
 * and released by close().  Each entry has the meaning, arguments and
 * return values of the catalog_* function of the same name in catalog.h. */
#ifndef DR_BACKEND_H
#define DR_BACKEND_H

#include "db/catalog.h"

struct catalog_backend_ops {
	const char *name; /* "sqlite", "postgresql" */

	int (*open)(const char *where, int flags, void **self, char **err);
	void (*close)(void *self);
	const char *(*notice)(void *self); /* may be NULL */
	int (*schema_version)(void *self, int *version, char **err);
	int (*begin)(void *self, char **err);
	int (*commit)(void *self, char **err);
	void (*rollback)(void *self);
	int (*data_version)(void *self, int64_t *version, char **err);
	int (*last_change)(void *self, int64_t *at, char **err);

	int (*tier_put)(void *self, const struct catalog_tier *tier,
	                char **err);
	int (*tier_list)(void *self, struct catalog_tier **out, size_t *n,
	                 char **err);

	int (*service_add)(void *self, const struct catalog_service *s,
	                   char **err);
	int (*service_put)(void *self, const struct catalog_service *s,
	                   char **err);
	int (*service_get)(void *self, const char *name,
	                   struct catalog_service *out, char **err);
	int (*service_list)(void *self, struct catalog_service **out, size_t *n,
	                    char **err);
	int (*service_remove)(void *self, const char *name, int purge,
	                      char **err);

	int (*backup_insert)(void *self, const struct catalog_backup *b,
	                     char **err);
	int (*backup_update)(void *self, const struct catalog_backup *b,
	                     char **err);
	int (*backup_get)(void *self, const char *backup_id,
	                  struct catalog_backup *out, char **err);
	int (*backup_list)(void *self, const struct catalog_backup_filter *f,
	                   struct catalog_backup **out, size_t *n, char **err);
	int (*backup_count)(void *self, const struct catalog_backup_filter *f,
	                    int64_t *count, char **err);

	int (*health_get)(void *self, const char *service,
	                  struct catalog_health *out, char **err);
	int (*restore_record)(void *self, struct catalog_restore *r,
	                      char **err);
	int (*restore_list)(void *self, const char *service, size_t limit,
	                    struct catalog_restore **out, size_t *n,
	                    char **err);

	int (*replication_record)(void *self,
	                          const struct catalog_replication *r,
	                          char **err);
	int (*replication_latest)(void *self, struct catalog_replication **out,
	                          size_t *n, char **err);
	int (*replication_history)(void *self, const char *source,
	                           const char *target, int64_t since,
	                           struct catalog_replication **out, size_t *n,
	                           char **err);
	int (*replication_prune)(void *self, int64_t before, int64_t *deleted,
	                         char **err);

	int (*probe_record)(void *self, const struct catalog_probe_result *r,
	                    char **err);
	int (*probe_latest)(void *self, struct catalog_probe_result **out,
	                    size_t *n, char **err);
	int (*probe_prune)(void *self, int64_t before, int64_t *deleted,
	                   char **err);

	int (*recovery_insert)(void *self, const struct catalog_recovery *r,
	                       char **err);
	int (*recovery_update)(void *self, const struct catalog_recovery *r,
	                       char **err);
	int (*recovery_get)(void *self, const char *recovery_id,
	                    struct catalog_recovery *out, char **err);
	int (*recovery_list)(void *self, size_t limit,
	                     struct catalog_recovery **out, size_t *n,
	                     char **err);
	int (*recovery_step_put)(void *self,
	                         const struct catalog_recovery_step *s,
	                         char **err);
	int (*recovery_step_list)(void *self, const char *recovery_id,
	                          struct catalog_recovery_step **out, size_t *n,
	                          char **err);

	int (*service_states)(void *self, int64_t now,
	                      struct catalog_service_state **out, size_t *n,
	                      char **err);

	int (*verdict_record)(void *self, const struct catalog_verdict *v,
	                      char **err);
	int (*verdict_latest)(void *self, struct catalog_verdict **out,
	                      size_t *n, char **err);
	int (*verdict_history)(void *self, const char *service, int64_t since,
	                       struct catalog_verdict **out, size_t *n,
	                       char **err);
	int (*backup_counts)(void *self, const char *service, int64_t since,
	                     int64_t until, struct catalog_backup_counts *out,
	                     char **err);

	/* rec->seq, prev_hash and hash are filled here; hasher is never
	 * NULL (the front refuses the call without one). */
	int (*audit_append)(void *self, struct catalog_audit *rec,
	                    catalog_audit_hasher hasher, char **err);
	int (*audit_each)(void *self,
	                  int (*fn)(const struct catalog_audit *rec, void *arg),
	                  void *arg, char **err);
	int (*audit_list)(void *self, size_t limit, struct catalog_audit **out,
	                  size_t *n, char **err);

	int (*check_integrity)(void *self, char **err);
};

extern const struct catalog_backend_ops sqlite_backend_ops;

/* For db/ files that add tables of their own (db/sqlite_agent.c): the
 * backend's state when the catalog uses `backend` ("sqlite"), else NULL. */
void *catalog_backend_self(struct catalog *cat, const char *backend);

#endif
