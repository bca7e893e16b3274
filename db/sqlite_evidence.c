/* The SQLite backend's evidence area (docs/EVIDENCE.md): the restores
 * table, and what catalog_service_states adds to each service's row
 * beyond the backups — its links (the newest sample of each, replicas and
 * copies), its restore tests and the newest recovery that restored it.
 *
 * Each service costs a handful of index lookups through statements
 * prepared once per catalog_service_states call; recoveries are scanned
 * per service (there are few), backups and samples never. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/catalog.h"
#include "db/sqlite_int.h"

#define RESTORE_COLUMNS                                                        \
	"id, kind, service_name, backup_id, target, recovery_id, started_at, " \
	"ended_at, duration_s, bytes, ok, error"

static void read_restore(sqlite3_stmt *st, int col, struct catalog_restore *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, col + 0);
	sqlite_column_copy(st, col + 1, r->kind, sizeof(r->kind));
	sqlite_column_copy(st, col + 2, r->service, sizeof(r->service));
	sqlite_column_copy(st, col + 3, r->backup_id, sizeof(r->backup_id));
	sqlite_column_copy(st, col + 4, r->target, sizeof(r->target));
	sqlite_column_copy(st, col + 5, r->recovery_id, sizeof(r->recovery_id));
	r->started_at = sqlite_column_time(st, col + 6);
	r->ended_at = sqlite_column_time(st, col + 7);
	r->duration_s = sqlite_column_double_or(st, col + 8, -1);
	r->bytes = sqlite_column_int64_or(st, col + 9, -1);
	r->ok = sqlite3_column_int(st, col + 10);
	sqlite_column_copy(st, col + 11, r->error, sizeof(r->error));
}

int sqlite_restore_record_impl(void *self, struct catalog_restore *r,
                               char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc;

	if (strcmp(r->kind, "restore") != 0 &&
	    strcmp(r->kind, "restore-test") != 0) {
		sqlite_seterr(err,
		              "restore: kind '%s' must be restore or "
		              "restore-test",
		              r->kind);
		return CATALOG_EINVAL;
	}
	if (r->ended_at <= 0) {
		sqlite_seterr(err, "restore: no end time");
		return CATALOG_EINVAL;
	}
	rc = sqlite_write_begin(sc, err);
	if (rc != CATALOG_OK)
		return rc;
	/* A recovery id names the run the restore served only when that run
	 * exists and is still going: an id from a stray environment, or of a
	 * run that already ended, is no evidence for it. */
	rc = sqlite_prepare(
	    sc,
	    "INSERT INTO restores (kind, service_name, backup_id, target, "
	    "recovery_id, started_at, ended_at, duration_s, bytes, ok, error) "
	    "VALUES (?1, ?2, ?3, ?4, coalesce((SELECT recovery_id FROM "
	    "disaster_recovery_log WHERE recovery_id = ?5 AND recovery_status "
	    "IN ('initiated', 'in_progress')), ''), ?6, ?7, ?8, ?9, ?10, ?11)",
	    &st, err);
	if (rc == CATALOG_OK) {
		sqlite3_bind_text(st, 1, r->kind, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, r->service, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, r->backup_id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 4, r->target, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 5, r->recovery_id, -1, SQLITE_TRANSIENT);
		sqlite_bind_time(st, 6, r->started_at);
		sqlite_bind_time(st, 7, r->ended_at);
		if (r->duration_s < 0)
			sqlite3_bind_null(st, 8);
		else
			sqlite3_bind_double(st, 8, r->duration_s);
		if (r->bytes < 0)
			sqlite3_bind_null(st, 9);
		else
			sqlite3_bind_int64(st, 9, r->bytes);
		sqlite3_bind_int(st, 10, r->ok ? 1 : 0);
		sqlite3_bind_text(st, 11, r->error, -1, SQLITE_TRANSIENT);
		rc = sqlite_run(sc, st, "recording a restore", err);
		if (rc == CATALOG_EINVAL) {
			sqlite_seterr(err, "no service named %s", r->service);
			rc = CATALOG_ENOTFOUND;
		}
	}
	if (rc == CATALOG_OK)
		r->id = sqlite3_last_insert_rowid(sc->db);
	return sqlite_write_end(sc, rc, err);
}

int sqlite_restore_list_impl(void *self, const char *service, size_t limit,
                             struct catalog_restore **out, size_t *n,
                             char **err)
{
	struct sqlite_catalog *sc = self;
	struct catalog_restore *list = NULL;
	size_t count = 0;
	sqlite3_stmt *st;
	int rc = sqlite_prepare(sc,
	                        "SELECT " RESTORE_COLUMNS
	                        " FROM restores WHERE (?1 IS NULL OR "
	                        "service_name = ?1) ORDER BY ended_at DESC, "
	                        "id DESC LIMIT ?2",
	                        &st, err);

	*out = NULL;
	*n = 0;
	if (rc != CATALOG_OK)
		return rc;
	sqlite_bind_text(st, 1, service);
	sqlite3_bind_int64(st, 2, limit > 0 ? (sqlite3_int64)limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		list = xreallocarray(list, count + 1, sizeof(*list));
		read_restore(st, 0, &list[count++]);
	}
	rc = sqlite_status(sc->db, rc, "reading restores", err);
	sqlite3_finalize(st);
	if (rc != CATALOG_OK) {
		free(list);
		return rc;
	}
	*out = list;
	*n = count;
	return CATALOG_OK;
}

/* ---- per-service evidence --------------------------------------------- */

enum { Q_LINKS, Q_TEST_OK, Q_TEST_ANY, Q_TEST_FAILURES, Q_RECOVERY, Q_COUNT };

static const char *const evidence_sql[Q_COUNT] = {
    [Q_LINKS] = "SELECT " SQLITE_REPLICATION_COLUMNS
                " FROM replication_links l JOIN replication_history h ON "
                "h.id = l.last_id WHERE l.service_name = ?1 ORDER BY "
                "l.source, l.target",
    [Q_TEST_OK] = "SELECT " RESTORE_COLUMNS
                  " FROM restores WHERE service_name = ?1 AND kind = "
                  "'restore-test' AND ok = 1 ORDER BY ended_at DESC, id "
                  "DESC LIMIT 1",
    /* At the same second the one recorded later is the newer: a test
     * that failed right after one that passed is the news (bad news is
     * never hidden by a tie). */
    [Q_TEST_ANY] = "SELECT " RESTORE_COLUMNS
                   " FROM restores WHERE service_name = ?1 AND kind = "
                   "'restore-test' ORDER BY ended_at DESC, id DESC LIMIT 1",
    /* The failures after the newest success, in the same order. */
    [Q_TEST_FAILURES] = "SELECT count(*) FROM restores WHERE service_name "
                        "= ?1 AND kind = 'restore-test' AND ok = 0 AND "
                        "(ended_at > coalesce(?2, '') OR (ended_at = ?2 "
                        "AND id > ?3))",
    [Q_RECOVERY] =
        "SELECT r.recovery_id, r.is_drill, r.completed_at, "
        "r.actual_recovery_s, x.id, x.kind, x.service_name, x.backup_id, "
        "x.target, x.recovery_id, x.started_at, x.ended_at, x.duration_s, "
        "x.bytes, x.ok, x.error FROM recovery_services rs JOIN "
        "disaster_recovery_log r ON r.recovery_id = rs.recovery_id JOIN "
        "restores x ON x.id = (SELECT y.id FROM restores y WHERE "
        "y.recovery_id = r.recovery_id AND y.service_name = ?1 AND y.ok = 1 "
        "ORDER BY y.ended_at DESC, y.id DESC LIMIT 1) WHERE "
        "rs.service_name = ?1 AND r.recovery_status = 'completed' AND "
        "r.completed_at IS NOT NULL ORDER BY r.completed_at DESC LIMIT 1",
};

struct sqlite_evidence {
	sqlite3_stmt *q[Q_COUNT];
};

int sqlite_evidence_open(struct sqlite_catalog *sc,
                         struct sqlite_evidence **out, char **err)
{
	struct sqlite_evidence *ev = xcalloc(1, sizeof(*ev));

	for (int i = 0; i < Q_COUNT; i++) {
		int rc = sqlite_prepare(sc, evidence_sql[i], &ev->q[i], err);
		if (rc != CATALOG_OK) {
			sqlite_evidence_close(ev);
			return rc;
		}
	}
	*out = ev;
	return CATALOG_OK;
}

void sqlite_evidence_close(struct sqlite_evidence *ev)
{
	if (ev == NULL)
		return;
	for (int i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(ev->q[i]);
	free(ev);
}

/* Binds the service (and an optional time) to query i, ready to step. */
static sqlite3_stmt *bound(struct sqlite_evidence *ev, int i,
                           const char *service)
{
	sqlite3_stmt *st = ev->q[i];

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	sqlite3_bind_text(st, 1, service, -1, SQLITE_TRANSIENT);
	return st;
}

/* One row into r when there is one; r->id stays 0 otherwise. */
static int one_restore(struct sqlite_catalog *sc, sqlite3_stmt *st,
                       struct catalog_restore *r, char **err)
{
	int rc = sqlite3_step(st);

	memset(r, 0, sizeof(*r));
	if (rc == SQLITE_ROW)
		read_restore(st, 0, r);
	else if (rc != SQLITE_DONE)
		return sqlite_status(sc->db, rc, "reading restores", err);
	return CATALOG_OK;
}

static int read_links(struct sqlite_catalog *sc, struct sqlite_evidence *ev,
                      struct catalog_service_state *s, char **err)
{
	sqlite3_stmt *st = bound(ev, Q_LINKS, s->service.name);
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		s->links =
		    xreallocarray(s->links, s->n_links + 1, sizeof(*s->links));
		sqlite_read_replication(st, 0, &s->links[s->n_links++]);
	}
	if (rc != SQLITE_DONE)
		return sqlite_status(sc->db, rc, "reading replication links",
		                     err);
	return CATALOG_OK;
}

static int read_tests(struct sqlite_catalog *sc, struct sqlite_evidence *ev,
                      struct catalog_service_state *s, char **err)
{
	int rc = one_restore(sc, bound(ev, Q_TEST_OK, s->service.name),
	                     &s->last_test, err);

	if (rc == CATALOG_OK)
		rc = one_restore(sc, bound(ev, Q_TEST_ANY, s->service.name),
		                 &s->newest_test, err);
	if (rc != CATALOG_OK)
		return rc;
	sqlite3_stmt *st = bound(ev, Q_TEST_FAILURES, s->service.name);
	sqlite_bind_time(st, 2, s->last_test.id ? s->last_test.ended_at : 0);
	sqlite3_bind_int64(st, 3, s->last_test.id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		return sqlite_status(sc->db, rc, "counting restore tests", err);
	s->restore_failures = sqlite3_column_int(st, 0);
	return CATALOG_OK;
}

static int read_recovery(struct sqlite_catalog *sc, struct sqlite_evidence *ev,
                         struct catalog_service_state *s, char **err)
{
	sqlite3_stmt *st = bound(ev, Q_RECOVERY, s->service.name);
	int rc = sqlite3_step(st);

	s->evidence_recovery_s = -1;
	if (rc == SQLITE_DONE)
		return CATALOG_OK;
	if (rc != SQLITE_ROW)
		return sqlite_status(sc->db, rc, "reading recoveries", err);
	sqlite_column_copy(st, 0, s->evidence_recovery_id,
	                   sizeof(s->evidence_recovery_id));
	s->evidence_recovery_drill = sqlite3_column_int(st, 1);
	s->evidence_recovery_at = sqlite_column_time(st, 2);
	s->evidence_recovery_s = sqlite_column_int64_or(st, 3, -1);
	read_restore(st, 4, &s->evidence_restore);
	return CATALOG_OK;
}

int sqlite_evidence_fill(struct sqlite_catalog *sc, struct sqlite_evidence *ev,
                         struct catalog_service_state *s, char **err)
{
	int rc = read_links(sc, ev, s, err);

	if (rc == CATALOG_OK)
		rc = read_tests(sc, ev, s, err);
	if (rc == CATALOG_OK)
		rc = read_recovery(sc, ev, s, err);
	return rc;
}
