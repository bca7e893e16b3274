/* The SQLite side of db/catalog_runbook.h: runbook executions (who holds
 * them, the runbook text they run) and their variables; their tables are
 * migration 3 in db/migrations.c.
 *
 * "At most one open execution per incident" is kept twice: the insert
 * first looks for one inside its write transaction (so the caller learns
 * who holds it), and a partial unique index refuses a second one should
 * two writers ever race past that look. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/backend.h"
#include "db/catalog_runbook.h"
#include "db/sqlite_int.h"

#define EXEC_COLUMNS                                                           \
	"recovery_id, runbook, incident_key, holder, origin, host, pid, "      \
	"held_since, is_open, child_pgid, runbook_path, runbook_text, "        \
	"updated_at, pid_start"
#define EXEC_SELECT "SELECT " EXEC_COLUMNS " FROM runbook_executions"

static void now_text(char out[SQLITE_TIME_TEXT])
{
	sqlite_time_text(catalog_now(), out);
}

static void read_exec(sqlite3_stmt *st, struct catalog_runbook_exec *x)
{
	memset(x, 0, sizeof *x);
	sqlite_column_copy(st, 0, x->recovery_id, sizeof x->recovery_id);
	sqlite_column_copy(st, 1, x->runbook, sizeof x->runbook);
	sqlite_column_copy(st, 2, x->incident_key, sizeof x->incident_key);
	sqlite_column_copy(st, 3, x->holder, sizeof x->holder);
	sqlite_column_copy(st, 4, x->origin, sizeof x->origin);
	sqlite_column_copy(st, 5, x->host, sizeof x->host);
	x->pid = sqlite_column_int64_or(st, 6, 0);
	x->held_since = sqlite_column_time(st, 7);
	x->open = (int)sqlite_column_int64_or(st, 8, 0);
	x->child_pgid = sqlite_column_int64_or(st, 9, 0);
	x->runbook_path = sqlite_column_dup(st, 10);
	x->runbook_text = sqlite_column_dup(st, 11);
	x->updated_at = sqlite_column_time(st, 12);
	x->pid_start = (uint64_t)sqlite_column_int64_or(st, 13, 0);
}

/* The open execution of an incident: CATALOG_OK (found), ENOTFOUND. */
static int find_open(struct sqlite_catalog *sc, const char *incident_key,
                     struct catalog_runbook_exec *out, char **err)
{
	sqlite3_stmt *st;
	int rc = sqlite_prepare(sc,
	                        EXEC_SELECT " WHERE incident_key = ?1 AND "
	                                    "is_open = 1",
	                        &st, err);

	if (rc != CATALOG_OK)
		return rc;
	sqlite3_bind_text(st, 1, incident_key, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_exec(st, out);
		rc = CATALOG_OK;
	} else if (rc == SQLITE_DONE) {
		rc = CATALOG_ENOTFOUND;
	} else {
		rc = sqlite_status(sc->db, rc, "looking for an open execution",
		                   err);
	}
	sqlite3_finalize(st);
	return rc;
}

static int sqlite_runbook_exec_insert_impl(void *self,
                                           const struct catalog_runbook_exec *x,
                                           struct catalog_runbook_exec *holder,
                                           char **err)
{
	struct sqlite_catalog *sc = self;
	struct catalog_runbook_exec other;
	char since[SQLITE_TIME_TEXT], now[SQLITE_TIME_TEXT];
	sqlite3_stmt *st;
	int rc;

	rc = sqlite_write_begin(sc, err);
	if (rc != CATALOG_OK)
		return rc;
	rc = find_open(sc, x->incident_key, &other, err);
	if (rc == CATALOG_OK) {
		sqlite_seterr(err, "an execution of %s is already open (%s)",
		              other.runbook, other.recovery_id);
		if (holder != NULL)
			*holder = other;
		else
			catalog_runbook_exec_clear(&other);
		return sqlite_write_end(sc, CATALOG_EBUSY, err);
	}
	if (rc != CATALOG_ENOTFOUND)
		return sqlite_write_end(sc, rc, err);
	rc = sqlite_prepare(sc,
	                    "INSERT INTO runbook_executions (" EXEC_COLUMNS
	                    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, "
	                    "?9, ?10, ?11, ?12, ?13)",
	                    &st, err);
	if (rc == CATALOG_OK) {
		sqlite_time_text(x->held_since, since);
		now_text(now);
		sqlite3_bind_text(st, 1, x->recovery_id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, x->runbook, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, x->incident_key, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 4, x->holder, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 5, x->origin, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 6, x->host, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 7, x->pid);
		sqlite_bind_time(st, 8, x->held_since);
		sqlite3_bind_int64(st, 9, x->child_pgid);
		sqlite_bind_text(st, 10, x->runbook_path);
		sqlite3_bind_text(st, 11,
		                  x->runbook_text ? x->runbook_text : "", -1,
		                  SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 12, now, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 13, (sqlite3_int64)x->pid_start);
		rc = sqlite_run(sc, st, "recording a runbook execution", err);
		if (rc == CATALOG_EINVAL || rc == CATALOG_EEXIST) {
			/* Raced past find_open: the index said no. */
			if (holder != NULL &&
			    find_open(sc, x->incident_key, holder, NULL) ==
			        CATALOG_OK)
				rc = CATALOG_EBUSY;
		}
	}
	return sqlite_write_end(sc, rc, err);
}

static int sqlite_runbook_exec_get_impl(void *self, const char *recovery_id,
                                        struct catalog_runbook_exec *out,
                                        char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof *out);
	rc =
	    sqlite_prepare(sc, EXEC_SELECT " WHERE recovery_id = ?1", &st, err);
	if (rc != CATALOG_OK)
		return rc;
	sqlite3_bind_text(st, 1, recovery_id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_exec(st, out);
		rc = CATALOG_OK;
	} else if (rc == SQLITE_DONE) {
		sqlite_seterr(err, "no runbook execution %s", recovery_id);
		rc = CATALOG_ENOTFOUND;
	} else {
		rc = sqlite_status(sc->db, rc, "reading a runbook execution",
		                   err);
	}
	sqlite3_finalize(st);
	return rc;
}

/* Runs one UPDATE of a single execution; ENOTFOUND when no row changed. */
static int update_one(struct sqlite_catalog *sc, sqlite3_stmt *st,
                      const char *recovery_id, const char *what, char **err)
{
	int rc = sqlite_run(sc, st, what, err);

	if (rc == CATALOG_OK && sqlite3_changes(sc->db) == 0) {
		sqlite_seterr(err, "no runbook execution %s", recovery_id);
		rc = CATALOG_ENOTFOUND;
	}
	return rc;
}

/* A hold update that changed nothing: the execution is gone, or its hold
 * is no longer the one the caller read. */
static int hold_moved(struct sqlite_catalog *sc, const char *recovery_id,
                      char **err)
{
	struct catalog_runbook_exec now;
	int rc;

	free(*err);
	*err = NULL;
	rc = sqlite_runbook_exec_get_impl(sc, recovery_id, &now, err);
	if (rc != CATALOG_OK)
		return rc;
	catalog_runbook_exec_clear(&now);
	sqlite_seterr(err,
	              "the hold of runbook execution %s changed meanwhile "
	              "(another session took or released it)",
	              recovery_id);
	return CATALOG_EBUSY;
}

static int
sqlite_runbook_exec_hold_impl(void *self, const struct catalog_runbook_exec *x,
                              const struct catalog_runbook_exec *from,
                              char **err)
{
	struct sqlite_catalog *sc = self;
	char now[SQLITE_TIME_TEXT];
	sqlite3_stmt *st;
	int rc;

	rc = sqlite_write_begin(sc, err);
	if (rc != CATALOG_OK)
		return rc;
	rc = sqlite_prepare(sc,
	                    "UPDATE runbook_executions SET holder = ?2, "
	                    "origin = ?3, host = ?4, pid = ?5, held_since = "
	                    "?6, child_pgid = ?7, updated_at = ?8, pid_start "
	                    "= ?9 WHERE recovery_id = ?1 AND (?10 = 0 OR "
	                    "(COALESCE(host, '') = ?11 AND pid = ?12 AND "
	                    "pid_start = ?13))",
	                    &st, err);
	if (rc == CATALOG_OK) {
		now_text(now);
		sqlite3_bind_text(st, 1, x->recovery_id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, x->holder, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, x->origin, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 4, x->host, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 5, x->pid);
		sqlite_bind_time(st, 6, x->held_since);
		sqlite3_bind_int64(st, 7, x->child_pgid);
		sqlite3_bind_text(st, 8, now, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 9, (sqlite3_int64)x->pid_start);
		sqlite3_bind_int(st, 10, from != NULL);
		sqlite3_bind_text(st, 11, from ? from->host : "", -1,
		                  SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 12, from ? from->pid : 0);
		sqlite3_bind_int64(st, 13,
		                   from ? (sqlite3_int64)from->pid_start : 0);
		rc = update_one(sc, st, x->recovery_id,
		                "recording who holds an execution", err);
		if (rc == CATALOG_ENOTFOUND && from != NULL)
			rc = hold_moved(sc, x->recovery_id, err);
	}
	return sqlite_write_end(sc, rc, err);
}

static int sqlite_runbook_exec_set_child_impl(void *self,
                                              const char *recovery_id,
                                              int64_t pgid, char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc;

	rc = sqlite_write_begin(sc, err);
	if (rc != CATALOG_OK)
		return rc;
	rc = sqlite_prepare(sc,
	                    "UPDATE runbook_executions SET child_pgid = ?2 "
	                    "WHERE recovery_id = ?1",
	                    &st, err);
	if (rc == CATALOG_OK) {
		sqlite3_bind_text(st, 1, recovery_id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, pgid);
		rc = update_one(sc, st, recovery_id,
		                "recording a step's process group", err);
	}
	return sqlite_write_end(sc, rc, err);
}

static int sqlite_runbook_exec_beat_impl(void *self, const char *recovery_id,
                                         const char *host, int64_t pid,
                                         char **err)
{
	struct sqlite_catalog *sc = self;
	char now[SQLITE_TIME_TEXT];
	sqlite3_stmt *st;
	int rc;

	rc = sqlite_write_begin(sc, err);
	if (rc != CATALOG_OK)
		return rc;
	rc = sqlite_prepare(sc,
	                    "UPDATE runbook_executions SET updated_at = ?4 "
	                    "WHERE recovery_id = ?1 AND host = ?2 AND pid = ?3 "
	                    "AND is_open = 1",
	                    &st, err);
	if (rc == CATALOG_OK) {
		now_text(now);
		sqlite3_bind_text(st, 1, recovery_id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, host, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 3, pid);
		sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
		rc = update_one(sc, st, recovery_id,
		                "beating for an execution held", err);
	}
	return sqlite_write_end(sc, rc, err);
}

static int sqlite_runbook_exec_close_impl(void *self, const char *recovery_id,
                                          char **err)
{
	struct sqlite_catalog *sc = self;
	char now[SQLITE_TIME_TEXT];
	sqlite3_stmt *st;
	int rc;

	rc = sqlite_write_begin(sc, err);
	if (rc != CATALOG_OK)
		return rc;
	rc = sqlite_prepare(sc,
	                    "UPDATE runbook_executions SET is_open = 0, pid "
	                    "= 0, child_pgid = 0, updated_at = ?2 WHERE "
	                    "recovery_id = ?1",
	                    &st, err);
	if (rc == CATALOG_OK) {
		now_text(now);
		sqlite3_bind_text(st, 1, recovery_id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
		rc = update_one(sc, st, recovery_id,
		                "closing a runbook execution", err);
	}
	return sqlite_write_end(sc, rc, err);
}

static int sqlite_runbook_exec_list_open_impl(void *self,
                                              struct catalog_runbook_exec **out,
                                              size_t *n, char **err)
{
	struct sqlite_catalog *sc = self;
	struct catalog_runbook_exec *list = NULL;
	size_t count = 0;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	rc = sqlite_prepare(sc,
	                    EXEC_SELECT " WHERE is_open = 1 ORDER BY "
	                                "held_since, rowid",
	                    &st, err);
	if (rc != CATALOG_OK)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		list = xreallocarray(list, count + 1, sizeof *list);
		read_exec(st, &list[count++]);
	}
	if (rc != SQLITE_DONE) {
		rc = sqlite_status(sc->db, rc, "listing open executions", err);
		sqlite3_finalize(st);
		catalog_runbook_execs_free(list, count);
		return rc;
	}
	sqlite3_finalize(st);
	*out = list;
	*n = count;
	return CATALOG_OK;
}

static int sqlite_runbook_var_put_impl(void *self, const char *recovery_id,
                                       const char *name, const char *value,
                                       char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc;

	rc = sqlite_write_begin(sc, err);
	if (rc != CATALOG_OK)
		return rc;
	rc = sqlite_prepare(sc,
	                    "INSERT INTO runbook_variables (recovery_id, "
	                    "name, value) VALUES (?1, ?2, ?3) ON CONFLICT "
	                    "(recovery_id, name) DO UPDATE SET value = "
	                    "excluded.value",
	                    &st, err);
	if (rc == CATALOG_OK) {
		sqlite3_bind_text(st, 1, recovery_id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, value ? value : "", -1,
		                  SQLITE_TRANSIENT);
		rc = sqlite_run(sc, st, "recording a runbook variable", err);
	}
	return sqlite_write_end(sc, rc, err);
}

static int sqlite_runbook_var_list_impl(void *self, const char *recovery_id,
                                        char ***names, char ***values,
                                        size_t *n, char **err)
{
	struct sqlite_catalog *sc = self;
	char **nm = NULL, **vl = NULL;
	size_t count = 0;
	sqlite3_stmt *st;
	int rc;

	*names = *values = NULL;
	*n = 0;
	rc = sqlite_prepare(sc,
	                    "SELECT name, value FROM runbook_variables WHERE "
	                    "recovery_id = ?1 ORDER BY rowid",
	                    &st, err);
	if (rc != CATALOG_OK)
		return rc;
	sqlite3_bind_text(st, 1, recovery_id, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		nm = xreallocarray(nm, count + 1, sizeof *nm);
		vl = xreallocarray(vl, count + 1, sizeof *vl);
		nm[count] = sqlite_column_dup(st, 0);
		vl[count] = sqlite_column_dup(st, 1);
		if (vl[count] == NULL)
			vl[count] = xstrdup("");
		count++;
	}
	if (rc != SQLITE_DONE) {
		rc =
		    sqlite_status(sc->db, rc, "reading runbook variables", err);
		sqlite3_finalize(st);
		for (size_t i = 0; i < count; i++) {
			free(nm[i]);
			free(vl[i]);
		}
		free(nm);
		free(vl);
		return rc;
	}
	sqlite3_finalize(st);
	*names = nm;
	*values = vl;
	*n = count;
	return CATALOG_OK;
}

const struct catalog_runbook_ops sqlite_runbook_ops = {
    .runbook_exec_insert = sqlite_runbook_exec_insert_impl,
    .runbook_exec_get = sqlite_runbook_exec_get_impl,
    .runbook_exec_hold = sqlite_runbook_exec_hold_impl,
    .runbook_exec_set_child = sqlite_runbook_exec_set_child_impl,
    .runbook_exec_beat = sqlite_runbook_exec_beat_impl,
    .runbook_exec_close = sqlite_runbook_exec_close_impl,
    .runbook_exec_list_open = sqlite_runbook_exec_list_open_impl,
    .runbook_var_put = sqlite_runbook_var_put_impl,
    .runbook_var_list = sqlite_runbook_var_list_impl,
};
