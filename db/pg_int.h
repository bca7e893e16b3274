/* Private to the PostgreSQL backend: what db/pg.c shares with the files
 * that add areas to it (db/pg_<area>.c).  Nothing outside db/ includes
 * this.
 *
 * The statements are the SQLite backend's, nearly word for word: the same
 * tables and columns (db/pg_schema.c), times as the same TEXT, and `?N`
 * parameters, which pg_prepare() turns into `$N`.  A statement is run
 * with its parameters as text when first stepped; its rows are then read
 * one by one as SQLite's are.  Keeping the SQL the same is what keeps
 * the two backends' answers the same; where the dialects differ, the
 * PostgreSQL text is written out beside the SQLite one.
 *
 * A write is wrapped in pg_write_begin()/pg_write_end(): outside a
 * catalog_begin() transaction that is its own BEGIN ... COMMIT; inside one
 * it is a SAVEPOINT, so a call that fails half-way undoes its own part and
 * leaves the caller's transaction usable. */
#ifndef DR_PG_INT_H
#define DR_PG_INT_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "db/backend.h"
#include "lib/xmalloc.h"

#define PG_MAX_PARAMS 24

struct pg_catalog {
	PGconn *conn;
	char *where;   /* as given, for messages (never holds a password) */
	int readonly;  /* CATALOG_READONLY, or a hot standby */
	int standby;   /* connected to a server in recovery */
	char *notice;  /* catalog_notice(), or NULL */
	int in_tx;     /* inside catalog_begin() */
	int idle;      /* the server said: no transaction open (see revive) */
	int listening; /* LISTEN is on: the watcher reconnects, not we */
	int tx_failed; /* a statement failed inside it */
	int lost;      /* enum catalog_lost, since the last begin */
	int64_t own_commits;
	char sqlstate[6]; /* of the last failed statement, or "" */
	/* catalog_copy()'s table whose triggers are off while its rows go
	 * in (the tables they keep are copied after, as they were). */
	char rows_quiet[64];
	/* The table whose rows catalog_copy() is streaming in (COPY ...
	 * FROM STDIN), or "": nothing else runs on the connection until
	 * pg_copy_end(). */
	char copying[64];
};

#define PG_DEFAULT_TENANT "00000000-0000-0000-0000-000000000000"

enum { PG_ROW = 100, PG_DONE = 101 };

struct pg_stmt {
	struct pg_catalog *pc;
	char *sql; /* with $N */
	int nparams;
	char *values[PG_MAX_PARAMS];
	unsigned char used[PG_MAX_PARAMS]; /* $N appears in the SQL */
	PGresult *res;
	int row; /* the current row, after pg_step returned PG_ROW */
	int ran;
};

void pg_seterr(char **err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A statement of `sql` with `?N` parameters (never fails: the server
 * checks it when it runs). */
struct pg_stmt *pg_prepare(struct pg_catalog *pc, const char *sql);
void pg_finalize(struct pg_stmt *st);
/* Parameters, numbered from 1 as in the SQL; text NULL binds NULL. */
void pg_bind_text(struct pg_stmt *st, int idx, const char *s);
void pg_bind_text_or_null(struct pg_stmt *st, int idx, const char *s);
void pg_bind_int64(struct pg_stmt *st, int idx, int64_t v);
void pg_bind_double(struct pg_stmt *st, int idx, double v);
void pg_bind_null(struct pg_stmt *st, int idx);
void pg_bind_time(struct pg_stmt *st, int idx, int64_t t);
/* Runs the statement on the first call; PG_ROW while rows are left,
 * PG_DONE after them, or a catalog_rc with *err filled (`what` names the
 * work for the message). */
int pg_step(struct pg_stmt *st, const char *what, char **err);
/* Runs a statement that returns no rows: CATALOG_OK or a catalog_rc. */
int pg_run(struct pg_stmt *st, const char *what, char **err);
/* Runs a statement that must return a row: CATALOG_OK with the row
 * current, CATALOG_ENOTFOUND without one. */
int pg_step_row(struct pg_stmt *st, const char *what, char **err);
int64_t pg_changes(const struct pg_stmt *st);

int pg_column_null(const struct pg_stmt *st, int col);
const char *pg_column_text(const struct pg_stmt *st, int col); /* or NULL */
int64_t pg_column_int64(const struct pg_stmt *st, int col);
int64_t pg_column_int64_or(const struct pg_stmt *st, int col, int64_t null);
double pg_column_double(const struct pg_stmt *st, int col);
double pg_column_double_or(const struct pg_stmt *st, int col, double null);
int64_t pg_column_time(const struct pg_stmt *st, int col); /* 0: NULL */
void pg_column_copy(const struct pg_stmt *st, int col, char *dst, size_t size);
char *pg_column_dup(const struct pg_stmt *st, int col); /* NULL: NULL */

/* Runs SQL without parameters or rows (several statements allowed). */
int pg_exec(struct pg_catalog *pc, const char *sql, const char *what,
            char **err);
int pg_check_writable(struct pg_catalog *pc, char **err);
int pg_write_begin(struct pg_catalog *pc, char **err);
int pg_write_end(struct pg_catalog *pc, int status, char **err);

/* COPY FROM STDIN, for catalog_copy(): `sql` starts it, each row goes
 * in as text (NULL values as NULL), and pg_copy_end() ends it with the
 * server's verdict on all of them (one round trip for the table, where
 * an INSERT a row took one each). */
int pg_copy_begin(struct pg_catalog *pc, const char *table, const char *sql,
                  char **err);
int pg_copy_row(struct pg_catalog *pc, size_t n, const char *const *values,
                char **err);
int pg_copy_end(struct pg_catalog *pc, char **err);

/* Times are written and read as the SQLite backend's text
 * (sqlite_time_text, sqlite_time_parse): one format in both catalogs. */
int64_t pg_now(void);

/* The function table's entries, by the file that holds them (each has
 * the meaning of the catalog_* function of its name). */
/* db/pg.c */
int pg_open_impl(const char *where, int flags, void **self, char **err);
void pg_close_impl(void *self);
const char *pg_notice_impl(void *self);
int pg_schema_version_impl(void *self, int *version, char **err);
int pg_begin_impl(void *self, char **err);
int pg_commit_impl(void *self, char **err);
void pg_rollback_impl(void *self);
int pg_lost_impl(void *self);
int pg_data_version_impl(void *self, int64_t *version, char **err);
int pg_last_change_impl(void *self, int64_t *at, char **err);
int pg_info_impl(void *self, struct catalog_info *out, char **err);
int pg_watch_impl(void *self, int *fd, char **err);
int pg_watch_read_impl(void *self, int *changed, char **err);
int pg_rows_each_impl(void *self, const char *table,
                      int (*fn)(void *arg, size_t n, const char *const *names,
                                const char *const *values),
                      void *arg, char **err);
int pg_rows_put_impl(void *self, const char *table, size_t n,
                     const char *const *names, const char *const *values,
                     char **err);
int pg_rows_clear_impl(void *self, const char *table, char **err);
int pg_rows_end_impl(void *self, const char *table, char **err);
int pg_grants_impl(void *self, enum catalog_grant_kind kind, const char *role,
                   int apply, char **sql, char **err);
/* db/pg_core.c */
int pg_tier_put_impl(void *self, const struct catalog_tier *tier, char **err);
int pg_tier_list_impl(void *self, struct catalog_tier **out, size_t *n,
                      char **err);
int pg_service_add_impl(void *self, const struct catalog_service *s,
                        char **err);
int pg_service_put_impl(void *self, const struct catalog_service *s,
                        char **err);
int pg_service_get_impl(void *self, const char *name,
                        struct catalog_service *out, char **err);
int pg_service_list_impl(void *self, struct catalog_service **out, size_t *n,
                         char **err);
int pg_service_remove_impl(void *self, const char *name, int purge, char **err);
int pg_backup_insert_impl(void *self, const struct catalog_backup *b,
                          char **err);
int pg_backup_update_impl(void *self, const struct catalog_backup *b,
                          char **err);
int pg_backup_get_impl(void *self, const char *backup_id,
                       struct catalog_backup *out, char **err);
int pg_backup_list_impl(void *self, const struct catalog_backup_filter *f,
                        struct catalog_backup **out, size_t *n, char **err);
int pg_backup_count_impl(void *self, const struct catalog_backup_filter *f,
                         int64_t *count, char **err);
int pg_health_get_impl(void *self, const char *service,
                       struct catalog_health *out, char **err);
int pg_audit_append_impl(void *self, struct catalog_audit *rec,
                         catalog_audit_hasher hasher, char **err);
int pg_audit_each_impl(void *self,
                       int (*fn)(const struct catalog_audit *rec, void *arg),
                       void *arg, char **err);
int pg_audit_list_impl(void *self, size_t limit, struct catalog_audit **out,
                       size_t *n, char **err);
int pg_audit_subject_impl(void *self, const char *subject,
                          struct catalog_audit **out, size_t *n, char **err);
int pg_check_integrity_impl(void *self, char **err);
/* db/pg_history.c */
int pg_restore_record_impl(void *self, struct catalog_restore *r, char **err);
int pg_restore_list_impl(void *self, const char *service, size_t limit,
                         struct catalog_restore **out, size_t *n, char **err);
int pg_replication_record_impl(void *self, const struct catalog_replication *r,
                               char **err);
int pg_replication_latest_impl(void *self, struct catalog_replication **out,
                               size_t *n, char **err);
int pg_replication_history_impl(void *self, const char *source,
                                const char *target, int64_t since,
                                struct catalog_replication **out, size_t *n,
                                char **err);
int pg_replication_prune_impl(void *self, int64_t before, int64_t *deleted,
                              char **err);
int pg_probe_record_impl(void *self, const struct catalog_probe_result *r,
                         char **err);
int pg_probe_latest_impl(void *self, struct catalog_probe_result **out,
                         size_t *n, char **err);
int pg_probe_prune_impl(void *self, int64_t before, int64_t *deleted,
                        char **err);
int pg_recovery_insert_impl(void *self, const struct catalog_recovery *r,
                            char **err);
int pg_recovery_update_impl(void *self, const struct catalog_recovery *r,
                            char **err);
int pg_recovery_get_impl(void *self, const char *recovery_id,
                         struct catalog_recovery *out, char **err);
int pg_recovery_list_impl(void *self, size_t limit,
                          struct catalog_recovery **out, size_t *n, char **err);
int pg_recovery_step_put_impl(void *self, const struct catalog_recovery_step *s,
                              char **err);
int pg_recovery_step_list_impl(void *self, const char *recovery_id,
                               struct catalog_recovery_step **out, size_t *n,
                               char **err);
int pg_recovery_page_impl(void *self, const struct catalog_recovery_filter *f,
                          size_t offset, size_t limit,
                          struct catalog_recovery **out, size_t *n,
                          size_t *total, char **err);
int pg_service_states_impl(void *self, int64_t now,
                           struct catalog_service_state **out, size_t *n,
                           char **err);
int pg_verdict_record_impl(void *self, const struct catalog_verdict *v,
                           char **err);
int pg_verdict_latest_impl(void *self, struct catalog_verdict **out, size_t *n,
                           char **err);
int pg_verdict_history_impl(void *self, const char *service, int64_t since,
                            struct catalog_verdict **out, size_t *n,
                            char **err);
int pg_test_note_put_impl(void *self, const struct catalog_test_note *n,
                          char **err);
int pg_test_note_get_impl(void *self, const char *run_id,
                          struct catalog_test_note *out, char **err);
int pg_backup_counts_impl(void *self, const char *service, int64_t since,
                          int64_t until, struct catalog_backup_counts *out,
                          char **err);
int pg_service_counters_impl(void *self, struct catalog_service_counters **out,
                             size_t *n, char **err);
/* db/pg_agent.c, db/pg_runbook.c, db/pg_import.c */
extern const struct catalog_agent_ops pg_agent_ops;
extern const struct catalog_runbook_ops pg_runbook_ops;
extern const struct catalog_import_ops pg_import_ops;

#endif
