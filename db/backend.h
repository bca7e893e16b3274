/* The function table every catalog backend fills (SQLite now, PostgreSQL
 * later), in the manner of pgBackRest's storage drivers.  db/catalog.c
 * holds the open catalog, picks a backend from the `where` string and calls
 * through this table; `self` is the backend's own state, created by open()
 * and released by close().  Each entry has the meaning, arguments and
 * return values of the catalog_* function of the same name in catalog.h,
 * catalog_agent.h, catalog_runbook.h, catalog_import.h or
 * catalog_counters.h, with `self` in place of the catalog.  A backend
 * fills every entry, the sub-tables' included: the front calls them
 * without looking, and tests/unit/db/catalog_conformance_test.c runs the
 * whole interface against any backend. */
#ifndef DR_BACKEND_H
#define DR_BACKEND_H

#include "db/catalog.h"
#include "db/catalog_agent.h"
#include "db/catalog_counters.h"
#include "db/catalog_import.h"
#include "db/catalog_runbook.h"

/* db/catalog_agent.h: the agent's heartbeat, jobs, probe state,
 * notifications and alarm marks. */
struct catalog_agent_ops {
	int (*agent_beat)(void *self, const struct catalog_agent *a,
	                  char **err);
	int (*agent_latest)(void *self, struct catalog_agent *out, char **err);
	int (*agent_list)(void *self, struct catalog_agent **out, size_t *n,
	                  char **err);
	int (*job_get)(void *self, const char *name, struct catalog_job *out,
	               char **err);
	int (*job_start)(void *self, const char *name, int64_t now,
	                 int64_t seen, char **err);
	int (*job_finish)(void *self, const char *name, int64_t now,
	                  const char *status, const char *message, char **err);
	int (*job_list)(void *self, struct catalog_job **out, size_t *n,
	                char **err);
	int (*probe_state_get)(void *self, const char *service,
	                       const char *probe,
	                       struct catalog_probe_state *out, char **err);
	int (*probe_state_put)(void *self, const struct catalog_probe_state *s,
	                       char **err);
	int (*probe_state_list)(void *self, struct catalog_probe_state **out,
	                        size_t *n, char **err);
	int (*notify_state_get)(void *self, const char *key, char state[32],
	                        int64_t *changed_at, char **err);
	int (*notify_state_put)(void *self, const char *key, const char *state,
	                        int64_t at, char **err);
	int (*notify_insert)(void *self, struct catalog_notify *n, char **err);
	int (*notify_update)(void *self, const struct catalog_notify *n,
	                     char **err);
	int (*notify_last_told)(void *self, const char *channel,
	                        const char *event_key, char state[32],
	                        char status[16], int64_t *at, char **err);
	int (*notify_count_since)(void *self, const char *channel,
	                          int64_t since, int drill, int64_t *count,
	                          char **err);
	int (*notify_due)(void *self, int64_t now, size_t limit,
	                  struct catalog_notify **out, size_t *n, char **err);
	int (*notify_list)(void *self, size_t limit,
	                   struct catalog_notify **out, size_t *n, char **err);
	int (*notify_held)(void *self, struct catalog_notify **out, size_t *n,
	                   char **err);
	int (*notify_latest)(void *self, const char *event_key,
	                     const char *state, struct catalog_notify *out,
	                     char **err);
	int (*notify_undelivered)(void *self, struct catalog_notify **out,
	                          size_t *n, char **err);
	int (*notify_state_list)(void *self, struct catalog_notify_state **out,
	                         size_t *n, char **err);
	int (*alarm_mark_put)(void *self, const struct catalog_alarm_mark *m,
	                      char **err);
	int (*alarm_mark_delete)(void *self, const char *event_key,
	                         const char *kind, int *deleted, char **err);
	int (*alarm_mark_list)(void *self, struct catalog_alarm_mark **out,
	                       size_t *n, char **err);
};

/* db/catalog_runbook.h: runbook executions and their variables. */
struct catalog_runbook_ops {
	int (*runbook_exec_insert)(void *self,
	                           const struct catalog_runbook_exec *x,
	                           struct catalog_runbook_exec *holder,
	                           char **err);
	int (*runbook_exec_get)(void *self, const char *recovery_id,
	                        struct catalog_runbook_exec *out, char **err);
	int (*runbook_exec_hold)(void *self,
	                         const struct catalog_runbook_exec *x,
	                         const struct catalog_runbook_exec *from,
	                         char **err);
	int (*runbook_exec_set_child)(void *self, const char *recovery_id,
	                              int64_t pgid, char **err);
	int (*runbook_exec_beat)(void *self, const char *recovery_id,
	                         const char *host, int64_t pid, char **err);
	int (*runbook_exec_close)(void *self, const char *recovery_id,
	                          char **err);
	int (*runbook_exec_list_open)(void *self,
	                              struct catalog_runbook_exec **out,
	                              size_t *n, char **err);
	int (*runbook_var_put)(void *self, const char *recovery_id,
	                       const char *name, const char *value, char **err);
	int (*runbook_var_list)(void *self, const char *recovery_id,
	                        char ***names, char ***values, size_t *n,
	                        char **err);
};

/* db/catalog_import.h.  import_begin() makes the state of one import;
 * put and expire get it, and import_end() releases it (never given
 * NULL). */
struct catalog_import_ops {
	int (*import_begin)(void *self, void **state, char **err);
	int (*import_put)(void *state, const struct catalog_backup *b,
	                  int *outcome, char other_service[64], char **err);
	int (*import_expire)(void *state, const char *service, const char *tool,
	                     const char *repository, int64_t *expired,
	                     char **err);
	void (*import_end)(void *state);
};

struct catalog_backend_ops {
	const char *name; /* "sqlite", "postgresql" */

	int (*open)(const char *where, int flags, void **self, char **err);
	void (*close)(void *self);
	const char *(*notice)(void *self); /* may be NULL */
	int (*schema_version)(void *self, int *version, char **err);
	int (*begin)(void *self, char **err);
	int (*commit)(void *self, char **err);
	void (*rollback)(void *self);
	int (*lost)(void *self);
	int (*data_version)(void *self, int64_t *version, char **err);
	int (*last_change)(void *self, int64_t *at, char **err);
	/* out arrives zeroed, with backend set and the -1 defaults. */
	int (*info)(void *self, struct catalog_info *out, char **err);
	int (*watch)(void *self, int *fd, char **err);
	int (*watch_read)(void *self, int *changed, char **err);
	int (*grants)(void *self, enum catalog_grant_kind kind,
	              const char *role, int apply, char **sql, char **err);
	/* Table by table, for catalog_copy() (db/catalog_copy.c): every row
	 * of `table` (one of the schema's, named by the front, never by a
	 * user) as text, every column but generated ones and PostgreSQL's
	 * rid, oldest first where the table keeps an order (fn returns
	 * non-zero to stop early: rows_each then returns CATALOG_OK); rows_put
	 * inserts one such row; rows_clear empties a table; rows_end is
	 * called after the last row of a table (PostgreSQL moves its
	 * identity past the copied ids). */
	int (*rows_each)(void *self, const char *table,
	                 int (*fn)(void *arg, size_t n,
	                           const char *const *names,
	                           const char *const *values),
	                 void *arg, char **err);
	int (*rows_put)(void *self, const char *table, size_t n,
	                const char *const *names, const char *const *values,
	                char **err);
	int (*rows_clear)(void *self, const char *table, char **err);
	int (*rows_end)(void *self, const char *table, char **err);

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
	int (*recovery_page)(void *self,
	                     const struct catalog_recovery_filter *f,
	                     size_t offset, size_t limit,
	                     struct catalog_recovery **out, size_t *n,
	                     size_t *total, char **err);

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
	int (*test_note_put)(void *self, const struct catalog_test_note *n,
	                     char **err);
	int (*test_note_get)(void *self, const char *run_id,
	                     struct catalog_test_note *out, char **err);
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
	int (*audit_subject)(void *self, const char *subject,
	                     struct catalog_audit **out, size_t *n, char **err);

	int (*check_integrity)(void *self, char **err);

	int (*service_counters)(void *self,
	                        struct catalog_service_counters **out,
	                        size_t *n, char **err);

	const struct catalog_agent_ops *agent;
	const struct catalog_runbook_ops *runbook;
	const struct catalog_import_ops *import;
};

extern const struct catalog_backend_ops sqlite_backend_ops;
extern const struct catalog_backend_ops pg_backend_ops;

#endif
