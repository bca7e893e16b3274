/* The PostgreSQL backend's runbook executions and their variables
 * (db/catalog_runbook.h), with the SQLite backend's statements
 * (db/sqlite_runbook.c).
 *
 * "At most one open execution per incident": SQLite looks for the open
 * one inside its write transaction, and its single writer makes the look
 * and the insert one step.  Here two connections can both look and find
 * none, so the insert is INSERT ... ON CONFLICT (incident_key) WHERE
 * is_open = 1 DO NOTHING on the partial unique index
 * runbook_executions_one_open: the second waits for the first to commit,
 * inserts nothing, and then finds the holder, as if it had come second
 * under SQLite's lock.  (A failed INSERT would instead abort the
 * transaction, and the holder could not be read after it.) */
#include "db/pg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/catalog_runbook.h"

#define EXEC_COLUMNS                                                           \
	"recovery_id, runbook, incident_key, holder, origin, host, pid, "      \
	"held_since, is_open, child_pgid, runbook_path, runbook_text, "        \
	"updated_at, pid_start"
#define EXEC_SELECT "SELECT " EXEC_COLUMNS " FROM runbook_executions"

/* How often an insert that met an open execution looks for it again when
 * that one closed before it could be read. */
#define INSERT_TRIES 3

static void read_exec(const struct pg_stmt *st, struct catalog_runbook_exec *x)
{
	memset(x, 0, sizeof *x);
	pg_column_copy(st, 0, x->recovery_id, sizeof x->recovery_id);
	pg_column_copy(st, 1, x->runbook, sizeof x->runbook);
	pg_column_copy(st, 2, x->incident_key, sizeof x->incident_key);
	pg_column_copy(st, 3, x->holder, sizeof x->holder);
	pg_column_copy(st, 4, x->origin, sizeof x->origin);
	pg_column_copy(st, 5, x->host, sizeof x->host);
	x->pid = pg_column_int64_or(st, 6, 0);
	x->held_since = pg_column_time(st, 7);
	x->open = (int)pg_column_int64_or(st, 8, 0);
	x->child_pgid = pg_column_int64_or(st, 9, 0);
	x->runbook_path = pg_column_dup(st, 10);
	x->runbook_text = pg_column_dup(st, 11);
	x->updated_at = pg_column_time(st, 12);
	x->pid_start = (uint64_t)pg_column_int64_or(st, 13, 0);
}

/* The open execution of an incident: CATALOG_OK (found), ENOTFOUND. */
static int find_open(struct pg_catalog *pc, const char *incident_key,
                     struct catalog_runbook_exec *out, char **err)
{
	struct pg_stmt *st = pg_prepare(
	    pc, EXEC_SELECT " WHERE incident_key = ?1 AND is_open = 1");
	int rc;

	pg_bind_text(st, 1, incident_key);
	rc = pg_step_row(st, "looking for an open execution", err);
	if (rc == CATALOG_OK)
		read_exec(st, out);
	pg_finalize(st);
	return rc;
}

/* The answer to an insert that found `other` open. */
static int held(struct catalog_runbook_exec *other,
                struct catalog_runbook_exec *holder, char **err)
{
	pg_seterr(err, "an execution of %s is already open (%s)",
	          other->runbook, other->recovery_id);
	if (holder != NULL)
		*holder = *other;
	else
		catalog_runbook_exec_clear(other);
	return CATALOG_EBUSY;
}

/* Inserts x open; *inserted 0 when the incident has an open execution. */
static int insert_open(struct pg_catalog *pc,
                       const struct catalog_runbook_exec *x, int *inserted,
                       char **err)
{
	struct pg_stmt *st = pg_prepare(
	    pc, "INSERT INTO runbook_executions (" EXEC_COLUMNS
	        ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?9, ?10, ?11, "
	        "?12, ?13) ON CONFLICT (incident_key) WHERE is_open = 1 DO "
	        "NOTHING");
	int rc;

	pg_bind_text(st, 1, x->recovery_id);
	pg_bind_text(st, 2, x->runbook);
	pg_bind_text(st, 3, x->incident_key);
	pg_bind_text(st, 4, x->holder);
	pg_bind_text(st, 5, x->origin);
	pg_bind_text(st, 6, x->host);
	pg_bind_int64(st, 7, x->pid);
	pg_bind_time(st, 8, x->held_since);
	pg_bind_int64(st, 9, x->child_pgid);
	pg_bind_text(st, 10, x->runbook_path);
	pg_bind_text(st, 11, x->runbook_text ? x->runbook_text : "");
	pg_bind_time(st, 12, pg_now());
	pg_bind_int64(st, 13, (int64_t)x->pid_start);
	rc = pg_run(st, "recording a runbook execution", err);
	*inserted = rc == CATALOG_OK && pg_changes(st) == 1;
	pg_finalize(st);
	return rc;
}

static int pg_runbook_exec_insert_impl(void *self,
                                       const struct catalog_runbook_exec *x,
                                       struct catalog_runbook_exec *holder,
                                       char **err)
{
	struct pg_catalog *pc = self;
	struct catalog_runbook_exec other;
	int rc = pg_write_begin(pc, err), inserted = 0;

	if (rc != CATALOG_OK)
		return rc;
	for (int i = 0; i < INSERT_TRIES; i++) {
		rc = find_open(pc, x->incident_key, &other, err);
		if (rc == CATALOG_OK) {
			rc = held(&other, holder, err);
			break;
		}
		if (rc != CATALOG_ENOTFOUND)
			break;
		rc = insert_open(pc, x, &inserted, err);
		if (rc != CATALOG_OK || inserted)
			break;
		/* Raced: another connection's open execution came first. */
		rc = CATALOG_EBUSY;
		pg_seterr(err, "an execution of incident %s is already open",
		          x->incident_key);
	}
	return pg_write_end(pc, rc, err);
}

static int pg_runbook_exec_get_impl(void *self, const char *recovery_id,
                                    struct catalog_runbook_exec *out,
                                    char **err)
{
	struct pg_stmt *st =
	    pg_prepare(self, EXEC_SELECT " WHERE recovery_id = ?1");
	int rc;

	memset(out, 0, sizeof *out);
	pg_bind_text(st, 1, recovery_id);
	rc = pg_step_row(st, "reading a runbook execution", err);
	if (rc == CATALOG_OK)
		read_exec(st, out);
	else if (rc == CATALOG_ENOTFOUND)
		pg_seterr(err, "no runbook execution %s", recovery_id);
	pg_finalize(st);
	return rc;
}

/* Runs one UPDATE of a single execution as its own write (finalizing
 * st); ENOTFOUND when no row changed. */
static int update_one(struct pg_catalog *pc, struct pg_stmt *st,
                      const char *recovery_id, const char *what, char **err)
{
	int rc = pg_write_begin(pc, err);

	if (rc == CATALOG_OK) {
		rc = pg_run(st, what, err);
		if (rc == CATALOG_OK && pg_changes(st) == 0) {
			pg_seterr(err, "no runbook execution %s", recovery_id);
			rc = CATALOG_ENOTFOUND;
		}
		rc = pg_write_end(pc, rc, err);
	}
	pg_finalize(st);
	return rc;
}

/* A hold update that changed nothing: the execution is gone, or its hold
 * is no longer the one the caller read. */
static int hold_moved(struct pg_catalog *pc, const char *recovery_id,
                      char **err)
{
	struct catalog_runbook_exec now;
	int rc;

	free(*err);
	*err = NULL;
	rc = pg_runbook_exec_get_impl(pc, recovery_id, &now, err);
	if (rc != CATALOG_OK)
		return rc;
	catalog_runbook_exec_clear(&now);
	pg_seterr(err,
	          "the hold of runbook execution %s changed meanwhile "
	          "(another session took or released it)",
	          recovery_id);
	return CATALOG_EBUSY;
}

static int pg_runbook_exec_hold_impl(void *self,
                                     const struct catalog_runbook_exec *x,
                                     const struct catalog_runbook_exec *from,
                                     char **err)
{
	struct pg_catalog *pc = self;
	struct pg_stmt *st = pg_prepare(
	    pc, from == NULL
	            ? "UPDATE runbook_executions SET holder = ?2, origin = ?3, "
	              "host = ?4, pid = ?5, held_since = ?6, child_pgid = ?7, "
	              "updated_at = ?8, pid_start = ?9 WHERE recovery_id = ?1"
	            : "UPDATE runbook_executions SET holder = ?2, origin = ?3, "
	              "host = ?4, pid = ?5, held_since = ?6, child_pgid = ?7, "
	              "updated_at = ?8, pid_start = ?9 WHERE recovery_id = ?1 "
	              "AND COALESCE(host, '') = ?10 AND pid = ?11 AND "
	              "pid_start = ?12");
	int rc;

	pg_bind_text(st, 1, x->recovery_id);
	pg_bind_text(st, 2, x->holder);
	pg_bind_text(st, 3, x->origin);
	pg_bind_text(st, 4, x->host);
	pg_bind_int64(st, 5, x->pid);
	pg_bind_time(st, 6, x->held_since);
	pg_bind_int64(st, 7, x->child_pgid);
	pg_bind_time(st, 8, pg_now());
	pg_bind_int64(st, 9, (int64_t)x->pid_start);
	if (from != NULL) {
		pg_bind_text(st, 10, from->host);
		pg_bind_int64(st, 11, from->pid);
		pg_bind_int64(st, 12, (int64_t)from->pid_start);
	}
	rc = update_one(pc, st, x->recovery_id,
	                "recording who holds an execution", err);
	if (rc == CATALOG_ENOTFOUND && from != NULL)
		rc = hold_moved(pc, x->recovery_id, err);
	return rc;
}

static int pg_runbook_exec_set_child_impl(void *self, const char *recovery_id,
                                          int64_t pgid, char **err)
{
	struct pg_catalog *pc = self;
	struct pg_stmt *st =
	    pg_prepare(pc, "UPDATE runbook_executions SET child_pgid = ?2 "
	                   "WHERE recovery_id = ?1");

	pg_bind_text(st, 1, recovery_id);
	pg_bind_int64(st, 2, pgid);
	return update_one(pc, st, recovery_id,
	                  "recording a step's process group", err);
}

static int pg_runbook_exec_beat_impl(void *self, const char *recovery_id,
                                     const char *host, int64_t pid, char **err)
{
	struct pg_catalog *pc = self;
	struct pg_stmt *st =
	    pg_prepare(pc, "UPDATE runbook_executions SET updated_at = ?4 "
	                   "WHERE recovery_id = ?1 AND host = ?2 AND pid = ?3 "
	                   "AND is_open = 1");

	pg_bind_text(st, 1, recovery_id);
	pg_bind_text(st, 2, host);
	pg_bind_int64(st, 3, pid);
	pg_bind_time(st, 4, pg_now());
	return update_one(pc, st, recovery_id, "beating for an execution held",
	                  err);
}

static int pg_runbook_exec_close_impl(void *self, const char *recovery_id,
                                      char **err)
{
	struct pg_catalog *pc = self;
	struct pg_stmt *st = pg_prepare(
	    pc, "UPDATE runbook_executions SET is_open = 0, pid = 0, "
	        "child_pgid = 0, updated_at = ?2 WHERE recovery_id = ?1");

	pg_bind_text(st, 1, recovery_id);
	pg_bind_time(st, 2, pg_now());
	return update_one(pc, st, recovery_id, "closing a runbook execution",
	                  err);
}

static int pg_runbook_exec_list_open_impl(void *self,
                                          struct catalog_runbook_exec **out,
                                          size_t *n, char **err)
{
	/* SQLite sorts a NULL held_since first. */
	struct pg_stmt *st =
	    pg_prepare(self, EXEC_SELECT " WHERE is_open = 1 ORDER BY "
	                                 "held_since NULLS FIRST, rid");
	struct catalog_runbook_exec *list = NULL;
	size_t count = 0;
	int rc;

	*out = NULL;
	*n = 0;
	while ((rc = pg_step(st, "listing open executions", err)) == PG_ROW) {
		list = xreallocarray(list, count + 1, sizeof *list);
		read_exec(st, &list[count++]);
	}
	pg_finalize(st);
	if (rc != PG_DONE) {
		catalog_runbook_execs_free(list, count);
		return rc;
	}
	*out = list;
	*n = count;
	return CATALOG_OK;
}

static int pg_runbook_var_put_impl(void *self, const char *recovery_id,
                                   const char *name, const char *value,
                                   char **err)
{
	struct pg_catalog *pc = self;
	struct pg_stmt *st;
	int rc = pg_write_begin(pc, err);

	if (rc != CATALOG_OK)
		return rc;
	st = pg_prepare(pc, "INSERT INTO runbook_variables (recovery_id, "
	                    "name, value) VALUES (?1, ?2, ?3) ON CONFLICT "
	                    "(recovery_id, name) DO UPDATE SET value = "
	                    "excluded.value");
	pg_bind_text(st, 1, recovery_id);
	pg_bind_text(st, 2, name);
	pg_bind_text(st, 3, value ? value : "");
	rc = pg_run(st, "recording a runbook variable", err);
	pg_finalize(st);
	return pg_write_end(pc, rc, err);
}

static int pg_runbook_var_list_impl(void *self, const char *recovery_id,
                                    char ***names, char ***values, size_t *n,
                                    char **err)
{
	struct pg_stmt *st =
	    pg_prepare(self, "SELECT name, value FROM runbook_variables WHERE "
	                     "recovery_id = ?1 ORDER BY rid");
	char **nm = NULL, **vl = NULL;
	size_t count = 0;
	int rc;

	*names = *values = NULL;
	*n = 0;
	pg_bind_text(st, 1, recovery_id);
	while ((rc = pg_step(st, "reading runbook variables", err)) == PG_ROW) {
		nm = xreallocarray(nm, count + 1, sizeof *nm);
		vl = xreallocarray(vl, count + 1, sizeof *vl);
		nm[count] = pg_column_dup(st, 0);
		vl[count] = pg_column_dup(st, 1);
		if (vl[count] == NULL)
			vl[count] = xstrdup("");
		count++;
	}
	pg_finalize(st);
	if (rc != PG_DONE) {
		for (size_t i = 0; i < count; i++) {
			free(nm[i]);
			free(vl[i]);
		}
		free(nm);
		free(vl);
		return rc;
	}
	*names = nm;
	*values = vl;
	*n = count;
	return CATALOG_OK;
}

const struct catalog_runbook_ops pg_runbook_ops = {
    .runbook_exec_insert = pg_runbook_exec_insert_impl,
    .runbook_exec_get = pg_runbook_exec_get_impl,
    .runbook_exec_hold = pg_runbook_exec_hold_impl,
    .runbook_exec_set_child = pg_runbook_exec_set_child_impl,
    .runbook_exec_beat = pg_runbook_exec_beat_impl,
    .runbook_exec_close = pg_runbook_exec_close_impl,
    .runbook_exec_list_open = pg_runbook_exec_list_open_impl,
    .runbook_var_put = pg_runbook_var_put_impl,
    .runbook_var_list = pg_runbook_var_list_impl,
};
