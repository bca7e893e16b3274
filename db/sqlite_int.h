/* Private to the SQLite backend: what db/sqlite.c shares with the files
 * that add areas to it (db/sqlite_<area>.c) and with db/migrations.c.
 * Nothing outside db/ includes this.
 *
 * A write is wrapped in sqlite_write_begin()/sqlite_write_end(): outside a
 * catalog_begin() transaction that is its own BEGIN IMMEDIATE ... COMMIT;
 * inside one it is a SAVEPOINT, so a call that fails half-way undoes its own
 * part and leaves the caller's transaction usable. */
#ifndef DR_SQLITE_INT_H
#define DR_SQLITE_INT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/xmalloc.h"

struct sqlite_catalog {
	sqlite3 *db;
	char *path;   /* as given to catalog_open */
	int readonly; /* CATALOG_READONLY */
	char *notice; /* catalog_notice(), or NULL */
	int in_tx;    /* inside catalog_begin() */
	/* Commits made through this connection: PRAGMA data_version only
	 * moves for other connections' commits. */
	int64_t own_commits;
	/* Statements kept prepared across calls (sqlite_prepare_cached):
	 * preparing an INSERT compiles its triggers too, which dominates
	 * bulk writes.  Keyed by the address of the SQL text. */
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} cache[16];
	int n_cache;
};

sqlite3 *sqlite_handle(struct sqlite_catalog *sc);

/* Like sqlite_prepare, but `sql` must be a string literal (its address is
 * the key) and the statement stays prepared: hand it back with
 * sqlite_done() (sqlite_run does), never sqlite3_finalize(). */
int sqlite_prepare_cached(struct sqlite_catalog *sc, const char *sql,
                          sqlite3_stmt **st, char **err);
/* Resets a cached statement for its next use, finalizes any other. */
void sqlite_done(struct sqlite_catalog *sc, sqlite3_stmt *st);

/* Sets *err (when err is not NULL) to a new message, freeing the old. */
void sqlite_seterr(char **err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- errors ------------------------------------------------------------ */
/* Maps an SQLite result code to a catalog_rc and sets *err to "WHAT: the
 * SQLite message".  Busy and locked become CATALOG_EBUSY ("catalog is
 * locked by another process"), constraint violations CATALOG_EINVAL (or
 * CATALOG_EEXIST for a key already taken), corruption CATALOG_ECORRUPT,
 * read-only and I/O CATALOG_EIO; everything else CATALOG_EDB. */
int sqlite_status(sqlite3 *db, int sqlite_rc, const char *what, char **err);

/* ---- statements -------------------------------------------------------- */
/* Prepares sql; on failure sets *err and returns a catalog_rc. */
int sqlite_prepare(struct sqlite_catalog *sc, const char *sql,
                   sqlite3_stmt **st, char **err);
/* Steps a statement that returns no rows to completion (SQLITE_DONE ->
 * CATALOG_OK), finalizes it, maps any error with `what`. */
int sqlite_run(struct sqlite_catalog *sc, sqlite3_stmt *st, const char *what,
               char **err);
/* Runs SQL text without parameters. */
int sqlite_exec(struct sqlite_catalog *sc, const char *sql, const char *what,
                char **err);

/* A write of one call: see the comment at the top. */
int sqlite_write_begin(struct sqlite_catalog *sc, char **err);
/* Commits (status == CATALOG_OK) or undoes the call's writes, and returns
 * status, or the commit's failure. */
int sqlite_write_end(struct sqlite_catalog *sc, int status, char **err);
/* CATALOG_EIO with a message when the catalog was opened read-only. */
int sqlite_check_writable(struct sqlite_catalog *sc, char **err);

/* ---- values ------------------------------------------------------------ */
#define SQLITE_TIME_TEXT 24
/* Unix seconds -> "YYYY-MM-DDTHH:MM:SSZ" (UTC). */
void sqlite_time_text(int64_t t, char out[SQLITE_TIME_TEXT]);
/* "YYYY-MM-DDTHH:MM:SSZ" (or "YYYY-MM-DD HH:MM:SS") -> Unix seconds;
 * -1 when the text is not a time. */
int64_t sqlite_time_parse(const char *text);
/* 0 binds NULL. */
int sqlite_bind_time(sqlite3_stmt *st, int idx, int64_t t);
/* NULL reads as 0. */
int64_t sqlite_column_time(sqlite3_stmt *st, int col);
/* "" and NULL bind NULL. */
int sqlite_bind_text_or_null(sqlite3_stmt *st, int idx, const char *s);
/* NULL binds NULL; "" binds "". */
int sqlite_bind_text(sqlite3_stmt *st, int idx, const char *s);
/* Copies a column into a fixed buffer (truncating); NULL reads as "". */
void sqlite_column_copy(sqlite3_stmt *st, int col, char *dst, size_t size);
/* A malloc'd copy of a column, or NULL for NULL. */
char *sqlite_column_dup(sqlite3_stmt *st, int col);
/* An INTEGER column with NULL read as `null_value`. */
int64_t sqlite_column_int64_or(sqlite3_stmt *st, int col, int64_t null_value);
double sqlite_column_double_or(sqlite3_stmt *st, int col, double null_value);

/* ---- shared readers ---------------------------------------------------- */
struct catalog_replication;
struct catalog_restore;
struct catalog_service_state;
#define SQLITE_REPLICATION_COLUMNS                                             \
	"h.id, h.service_name, h.source, h.target, h.state, h.lag_s, "         \
	"h.lag_bytes, h.sampled_at, h.kind"
/* Reads the SQLITE_REPLICATION_COLUMNS starting at col. */
void sqlite_read_replication(sqlite3_stmt *st, int col,
                             struct catalog_replication *r);

/* ---- evidence (db/sqlite_evidence.c) ----------------------------------- */
int sqlite_restore_record_impl(void *self, struct catalog_restore *r,
                               char **err);
int sqlite_restore_list_impl(void *self, const char *service, size_t limit,
                             struct catalog_restore **out, size_t *n,
                             char **err);
/* The per-service evidence queries, prepared once for a pass over the
 * services. */
struct sqlite_evidence;
int sqlite_evidence_open(struct sqlite_catalog *sc,
                         struct sqlite_evidence **out, char **err);
void sqlite_evidence_close(struct sqlite_evidence *ev);
/* Adds links, restore tests and the evidence recovery to s. */
int sqlite_evidence_fill(struct sqlite_catalog *sc, struct sqlite_evidence *ev,
                         struct catalog_service_state *s, char **err);

/* ---- verdict history and reports (db/sqlite_report.c) ----------------- */
struct catalog_verdict;
struct catalog_backup_counts;
int sqlite_verdict_record_impl(void *self, const struct catalog_verdict *v,
                               char **err);
int sqlite_verdict_latest_impl(void *self, struct catalog_verdict **out,
                               size_t *n, char **err);
int sqlite_verdict_history_impl(void *self, const char *service, int64_t since,
                                struct catalog_verdict **out, size_t *n,
                                char **err);
struct catalog_test_note;
int sqlite_test_note_put_impl(void *self, const struct catalog_test_note *n,
                              char **err);
int sqlite_test_note_get_impl(void *self, const char *run_id,
                              struct catalog_test_note *out, char **err);
int sqlite_backup_counts_impl(void *self, const char *service, int64_t since,
                              int64_t until, struct catalog_backup_counts *out,
                              char **err);

/* ---- the other areas' tables (db/sqlite_<area>.c) --------------------- */
struct catalog_agent_ops;
struct catalog_runbook_ops;
struct catalog_import_ops;
struct catalog_service_counters;
extern const struct catalog_agent_ops sqlite_agent_ops;
extern const struct catalog_runbook_ops sqlite_runbook_ops;
extern const struct catalog_import_ops sqlite_import_ops;
int sqlite_service_counters_impl(void *self,
                                 struct catalog_service_counters **out,
                                 size_t *n, char **err);

/* The statement behind catalog_service_states (?1 = now as time text),
 * exported so a test can check its query plan. */
extern const char sqlite_service_states_sql[];

/* db/sqlite_rows.c: the rows_* entries of db/backend.h. */
int sqlite_rows_each_impl(void *self, const char *table,
                          int (*fn)(void *arg, size_t n,
                                    const char *const *names,
                                    const char *const *values),
                          void *arg, char **err);
int sqlite_rows_put_impl(void *self, const char *table, size_t n,
                         const char *const *names, const char *const *values,
                         char **err);
int sqlite_rows_clear_impl(void *self, const char *table, char **err);
int sqlite_rows_end_impl(void *self, const char *table, char **err);

#endif
