/* The SQLite side of the verdict history and the report's counts
 * (catalog.h "verdict history and reports"; the table is migration 9 in
 * db/migrations.c).  Times are ISO-8601 UTC text like the rest of the
 * catalog, so they compare as text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/catalog.h"
#include "db/catalog_status.h"
#include "db/sqlite_int.h"

#define VERDICT_COLUMNS "id, service_name, verdict, reason, at"

static void read_verdict(sqlite3_stmt *st, struct catalog_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->id = sqlite3_column_int64(st, 0);
	sqlite_column_copy(st, 1, v->service, sizeof(v->service));
	sqlite_column_copy(st, 2, v->verdict, sizeof(v->verdict));
	sqlite_column_copy(st, 3, v->reason, sizeof(v->reason));
	v->at = sqlite_column_time(st, 4);
}

/* Steps a bound query of VERDICT_COLUMNS into a list, and finalizes it. */
static int read_verdicts(struct sqlite_catalog *sc, sqlite3_stmt *st,
                         struct catalog_verdict **out, size_t *n, char **err)
{
	struct catalog_verdict *list = NULL;
	size_t count = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		list = xreallocarray(list, count + 1, sizeof(*list));
		read_verdict(st, &list[count++]);
	}
	rc = sqlite_status(sc->db, rc, "reading the verdict history", err);
	sqlite3_finalize(st);
	if (rc != CATALOG_OK) {
		free(list);
		return rc;
	}
	*out = list;
	*n = count;
	return CATALOG_OK;
}

int sqlite_verdict_record_impl(void *self, const struct catalog_verdict *v,
                               char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc;

	if (v->service[0] == '\0' || v->at <= 0) {
		sqlite_seterr(err, "verdict history: a transition needs a "
		                   "service and a time");
		return CATALOG_EINVAL;
	}
	rc = sqlite_write_begin(sc, err);
	if (rc != CATALOG_OK)
		return rc;
	rc = sqlite_prepare(sc,
	                    "INSERT INTO verdict_transitions (service_name, "
	                    "verdict, reason, at) VALUES (?1, ?2, ?3, ?4)",
	                    &st, err);
	if (rc == CATALOG_OK) {
		sqlite3_bind_text(st, 1, v->service, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, v->verdict, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, v->reason, -1, SQLITE_TRANSIENT);
		sqlite_bind_time(st, 4, v->at);
		rc = sqlite_run(sc, st, "recording a verdict transition", err);
	}
	return sqlite_write_end(sc, rc, err);
}

int sqlite_verdict_latest_impl(void *self, struct catalog_verdict **out,
                               size_t *n, char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	/* One index range per service: the distinct names, then the last
	 * row of each by (at, id). */
	int rc = sqlite_prepare(
	    sc,
	    "SELECT " VERDICT_COLUMNS " FROM verdict_transitions WHERE id IN "
	    "(SELECT (SELECT t.id FROM verdict_transitions t WHERE "
	    "t.service_name = s.service_name ORDER BY t.at DESC, t.id DESC "
	    "LIMIT 1) FROM (SELECT DISTINCT service_name FROM "
	    "verdict_transitions) s) ORDER BY service_name",
	    &st, err);

	*out = NULL;
	*n = 0;
	if (rc != CATALOG_OK)
		return rc;
	return read_verdicts(sc, st, out, n, err);
}

int sqlite_verdict_history_impl(void *self, const char *service, int64_t since,
                                struct catalog_verdict **out, size_t *n,
                                char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	char since_text[SQLITE_TIME_TEXT];
	int rc = sqlite_prepare(
	    sc,
	    "SELECT " VERDICT_COLUMNS " FROM verdict_transitions WHERE "
	    "service_name = ?1 AND (at > ?2 OR id = (SELECT t.id FROM "
	    "verdict_transitions t WHERE t.service_name = ?1 AND t.at <= ?2 "
	    "ORDER BY t.at DESC, t.id DESC LIMIT 1)) ORDER BY at, id",
	    &st, err);

	*out = NULL;
	*n = 0;
	if (rc != CATALOG_OK)
		return rc;
	sqlite_time_text(since, since_text);
	sqlite3_bind_text(st, 1, service, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, since_text, -1, SQLITE_TRANSIENT);
	return read_verdicts(sc, st, out, n, err);
}

int sqlite_backup_counts_impl(void *self, const char *service, int64_t since,
                              int64_t until, struct catalog_backup_counts *out,
                              char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	char from[SQLITE_TIME_TEXT], to[SQLITE_TIME_TEXT];
	/* The expression of backup_management_service_t, so the index
	 * serves the range. */
	int rc = sqlite_prepare(
	    sc,
	    "SELECT count(*), coalesce(sum(backup_status "
	    "IN " CATALOG_BACKUP_GOOD_SQL
	    "), 0), coalesce(sum(backup_status = '" CATALOG_BACKUP_VERIFIED
	    "'), 0), "
	    "coalesce(sum(backup_status IN ('failed', 'corrupt', "
	    "'restore_failed')), 0) FROM backup_management WHERE "
	    "service_name = ?1 AND coalesce(started_at, completed_at, "
	    "created_at) >= ?2 AND coalesce(started_at, completed_at, "
	    "created_at) < ?3",
	    &st, err);

	memset(out, 0, sizeof(*out));
	if (rc != CATALOG_OK)
		return rc;
	sqlite_time_text(since, from);
	sqlite_time_text(until, to);
	sqlite3_bind_text(st, 1, service, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, from, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, to, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->taken = sqlite3_column_int64(st, 0);
		out->good = sqlite3_column_int64(st, 1);
		out->verified = sqlite3_column_int64(st, 2);
		out->failed = sqlite3_column_int64(st, 3);
		rc = SQLITE_DONE;
	}
	rc = sqlite_status(sc->db, rc, "counting backups", err);
	sqlite3_finalize(st);
	return rc;
}

int sqlite_test_note_put_impl(void *self, const struct catalog_test_note *n,
                              char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc;

	if (n->run_id[0] == '\0' || n->text[0] == '\0' || n->at <= 0) {
		sqlite_seterr(err, "test notes: a note needs a run, a text and "
		                   "a time");
		return CATALOG_EINVAL;
	}
	rc = sqlite_write_begin(sc, err);
	if (rc != CATALOG_OK)
		return rc;
	rc = sqlite_prepare(sc,
	                    "INSERT OR REPLACE INTO test_notes (run_id, text, "
	                    "actor, at) VALUES (?1, ?2, ?3, ?4)",
	                    &st, err);
	if (rc == CATALOG_OK) {
		sqlite3_bind_text(st, 1, n->run_id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, n->text, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, n->actor, -1, SQLITE_TRANSIENT);
		sqlite_bind_time(st, 4, n->at);
		rc = sqlite_run(sc, st, "recording a test note", err);
	}
	return sqlite_write_end(sc, rc, err);
}

int sqlite_test_note_get_impl(void *self, const char *run_id,
                              struct catalog_test_note *out, char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc =
	    sqlite_prepare(sc,
	                   "SELECT run_id, text, actor, at FROM test_notes "
	                   "WHERE run_id = ?1",
	                   &st, err);

	memset(out, 0, sizeof(*out));
	if (rc != CATALOG_OK)
		return rc;
	sqlite3_bind_text(st, 1, run_id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		sqlite_column_copy(st, 0, out->run_id, sizeof(out->run_id));
		sqlite_column_copy(st, 1, out->text, sizeof(out->text));
		sqlite_column_copy(st, 2, out->actor, sizeof(out->actor));
		out->at = sqlite_column_time(st, 3);
		rc = CATALOG_OK;
	} else if (rc == SQLITE_DONE) {
		sqlite_seterr(err, "no note on test run %s", run_id);
		rc = CATALOG_ENOTFOUND;
	} else {
		rc = sqlite_status(sc->db, rc, "reading a test note", err);
	}
	sqlite3_finalize(st);
	return rc;
}
