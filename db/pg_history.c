/* The PostgreSQL backend's histories and evidence (db/pg_int.h):
 * restores, replication and probe samples, recoveries and their steps,
 * catalog_service_states (the dashboard's one query), verdict
 * transitions, test notes and the report's counts.
 *
 * Each function is its SQLite counterpart (db/sqlite.c, sqlite_evidence.c,
 * sqlite_report.c, sqlite_counters.c) with the same SQL; where PostgreSQL
 * needs other words the SQLite text is named beside it.  Habits of SQLite
 * that the answers depend on are written out:
 *  - a row's place in insertion order is the column rid where the SQLite
 *    code says rowid (ordering recoveries, joining the newest drill);
 *  - "the newest" picked by ORDER BY ... LIMIT 1 breaks ties as SQLite's
 *    plan does: a backup index read backwards gives the largest rowid
 *    (rid DESC here); recoveries found through recovery_services come in
 *    recovery_id order and SQLite's sorter keeps the first of equals
 *    (rs.recovery_id here); NULL sorts last descending there (NULLS LAST);
 *  - a foreign key violation is told from a CHECK one by its SQLSTATE, as
 *    the SQLite code tells them by the extended error code.
 * Two things are done differently in catalog_service_states:
 *  - SQLite asks for each service's links, restore tests and recovery in
 *    five small queries per service; against a server across a network
 *    the tests and the recovery are LATERAL joins of the one statement
 *    (the same subqueries, bound to the row's service instead of ?1) and
 *    the links of every service come in one more query, merged by name:
 *    two round trips in all.
 *  - A backup's plain size reads its metadata with SQLite's json_valid,
 *    json_type and json_extract, which have no PostgreSQL 15 equivalent
 *    that does not raise on text that is not JSON (a helper function
 *    would need a schema change, and a standby cannot make one).  The
 *    statement returns the three inputs instead, and SQLite's expression
 *    is evaluated by SQLite itself, in memory: whatever SQLite makes of
 *    odd metadata, both backends make the same. */
#include "db/pg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/catalog.h"
#include "db/catalog_counters.h"
#include "db/catalog_status.h"
#include "db/sqlite_int.h" /* SQLITE_REPLICATION_COLUMNS, time text, sqlite3 */

/* Whether the last statement failed on a foreign key (SQLite:
 * SQLITE_CONSTRAINT_FOREIGNKEY). */
static int is_foreign_key(const struct pg_catalog *pc)
{
	return strcmp(pc->sqlstate, "23503") == 0;
}

/* Binds an int64, with `none` (0 or -1, per field) bound as NULL. */
static void bind_int64_none(struct pg_stmt *st, int idx, int64_t v,
                            int64_t none)
{
	if (v == none)
		pg_bind_null(st, idx);
	else
		pg_bind_int64(st, idx, v);
}

/* ---- replication history ----------------------------------------------- */

static void read_replication(const struct pg_stmt *st, int col,
                             struct catalog_replication *r)
{
	memset(r, 0, sizeof(*r));
	r->id = pg_column_int64(st, col + 0);
	pg_column_copy(st, col + 1, r->service, sizeof(r->service));
	pg_column_copy(st, col + 2, r->source, sizeof(r->source));
	pg_column_copy(st, col + 3, r->target, sizeof(r->target));
	pg_column_copy(st, col + 4, r->state, sizeof(r->state));
	r->lag_s = pg_column_double_or(st, col + 5, -1);
	r->lag_bytes = pg_column_int64_or(st, col + 6, -1);
	r->sampled_at = pg_column_time(st, col + 7);
	pg_column_copy(st, col + 8, r->kind, sizeof(r->kind));
}

int pg_replication_record_impl(void *self, const struct catalog_replication *r,
                               char **err)
{
	struct pg_catalog *pc = self;
	struct pg_stmt *st;
	int rc = pg_write_begin(pc, err);

	if (rc != CATALOG_OK)
		return rc;
	st = pg_prepare(pc, "INSERT INTO replication_history (service_name, "
	                    "source, target, state, lag_s, lag_bytes, "
	                    "sampled_at, kind) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
	                    "?7, ?8)");
	pg_bind_text_or_null(st, 1, r->service);
	pg_bind_text(st, 2, r->source);
	pg_bind_text(st, 3, r->target);
	pg_bind_text(st, 4, r->state[0] ? r->state : "unknown");
	if (r->lag_s < 0)
		pg_bind_null(st, 5);
	else
		pg_bind_double(st, 5, r->lag_s);
	bind_int64_none(st, 6, r->lag_bytes < 0 ? -1 : r->lag_bytes, -1);
	pg_bind_time(st, 7, r->sampled_at ? r->sampled_at : pg_now());
	pg_bind_text(st, 8, r->kind[0] ? r->kind : "replica");
	rc = pg_run(st, "recording a replication sample", err);
	if (rc == CATALOG_EINVAL && is_foreign_key(pc)) {
		pg_seterr(err, "no service named %s", r->service);
		rc = CATALOG_ENOTFOUND;
	} else if (rc == CATALOG_EINVAL) {
		pg_seterr(err,
		          "replication sample: state '%s' must be "
		          "streaming, catchup, stopped, down or "
		          "unknown",
		          r->state);
	}
	pg_finalize(st);
	return pg_write_end(pc, rc, err);
}

static int list_replication(struct pg_stmt *st,
                            struct catalog_replication **out, size_t *n,
                            char **err)
{
	struct catalog_replication *list = NULL;
	size_t count = 0;
	int rc;

	while ((rc = pg_step(st, "reading replication samples", err)) ==
	       PG_ROW) {
		list = xreallocarray(list, count + 1, sizeof(*list));
		read_replication(st, 0, &list[count++]);
	}
	pg_finalize(st);
	if (rc != PG_DONE) {
		free(list);
		return rc;
	}
	*out = list;
	*n = count;
	return CATALOG_OK;
}

int pg_replication_latest_impl(void *self, struct catalog_replication **out,
                               size_t *n, char **err)
{
	struct pg_stmt *st = pg_prepare(
	    self,
	    "SELECT " SQLITE_REPLICATION_COLUMNS " FROM replication_keys k "
	    "JOIN replication_history h ON h.id = (SELECT h2.id FROM "
	    "replication_history h2 WHERE h2.source = k.source AND "
	    "h2.target = k.target ORDER BY h2.sampled_at DESC, h2.id DESC "
	    "LIMIT 1) ORDER BY k.source, k.target");

	*out = NULL;
	*n = 0;
	return list_replication(st, out, n, err);
}

int pg_replication_history_impl(void *self, const char *source,
                                const char *target, int64_t since,
                                struct catalog_replication **out, size_t *n,
                                char **err)
{
	struct pg_stmt *st =
	    pg_prepare(self, "SELECT " SQLITE_REPLICATION_COLUMNS
	                     " FROM replication_history h WHERE source = ?1 "
	                     "AND target = ?2 AND sampled_at >= ?3 "
	                     "ORDER BY sampled_at, id");

	*out = NULL;
	*n = 0;
	pg_bind_text(st, 1, source);
	pg_bind_text(st, 2, target);
	if (since)
		pg_bind_time(st, 3, since);
	else
		pg_bind_text(st, 3, "");
	return list_replication(st, out, n, err);
}

/* Deletes rows sampled before `before`, then the keys left without rows. */
static int prune(struct pg_catalog *pc, const char *delete_sql,
                 const char *keys_sql, int64_t before, int64_t *deleted,
                 char **err)
{
	struct pg_stmt *st;
	int rc = pg_write_begin(pc, err);

	*deleted = 0;
	if (rc != CATALOG_OK)
		return rc;
	st = pg_prepare(pc, delete_sql);
	pg_bind_time(st, 1, before);
	rc = pg_run(st, "pruning history", err);
	if (rc == CATALOG_OK) {
		*deleted = pg_changes(st);
		rc = pg_exec(pc, keys_sql, "pruning history", err);
	}
	pg_finalize(st);
	return pg_write_end(pc, rc, err);
}

int pg_replication_prune_impl(void *self, int64_t before, int64_t *deleted,
                              char **err)
{
	return prune(self,
	             "DELETE FROM replication_history WHERE sampled_at < ?1",
	             "DELETE FROM replication_keys WHERE NOT EXISTS (SELECT 1 "
	             "FROM replication_history h WHERE h.source = "
	             "replication_keys.source AND h.target = "
	             "replication_keys.target)",
	             before, deleted, err);
}

/* ---- probe results (health_history) ----------------------------------- */

static void read_probe(const struct pg_stmt *st, struct catalog_probe_result *r)
{
	memset(r, 0, sizeof(*r));
	r->id = pg_column_int64(st, 0);
	pg_column_copy(st, 1, r->service, sizeof(r->service));
	pg_column_copy(st, 2, r->probe, sizeof(r->probe));
	pg_column_copy(st, 3, r->kind, sizeof(r->kind));
	r->ok = (int)pg_column_int64(st, 4);
	r->latency_ms = pg_column_double_or(st, 5, -1);
	r->value = pg_column_double_or(st, 6, 0);
	pg_column_copy(st, 7, r->message, sizeof(r->message));
	r->sampled_at = pg_column_time(st, 8);
}

int pg_probe_record_impl(void *self, const struct catalog_probe_result *r,
                         char **err)
{
	struct pg_catalog *pc = self;
	struct pg_stmt *st;
	int rc = pg_write_begin(pc, err);

	if (rc != CATALOG_OK)
		return rc;
	st = pg_prepare(pc, "INSERT INTO health_history (service_name, probe, "
	                    "kind, ok, latency_ms, value, message, sampled_at) "
	                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
	pg_bind_text(st, 1, r->service);
	pg_bind_text(st, 2, r->probe);
	pg_bind_text(st, 3, r->kind);
	pg_bind_int64(st, 4, r->ok != 0);
	if (r->latency_ms < 0)
		pg_bind_null(st, 5);
	else
		pg_bind_double(st, 5, r->latency_ms);
	pg_bind_double(st, 6, r->value);
	pg_bind_text(st, 7, r->message);
	pg_bind_time(st, 8, r->sampled_at ? r->sampled_at : pg_now());
	rc = pg_run(st, "recording a probe result", err);
	if (rc == CATALOG_EINVAL && is_foreign_key(pc)) {
		pg_seterr(err, "no service named %s", r->service);
		rc = CATALOG_ENOTFOUND;
	} else if (rc == CATALOG_EINVAL) {
		pg_seterr(err,
		          "probe result: kind '%s' must be http, "
		          "tcp, postgres or command",
		          r->kind);
	}
	pg_finalize(st);
	return pg_write_end(pc, rc, err);
}

int pg_probe_latest_impl(void *self, struct catalog_probe_result **out,
                         size_t *n, char **err)
{
	struct catalog_probe_result *list = NULL;
	size_t count = 0;
	struct pg_stmt *st = pg_prepare(
	    self, "SELECT r.id, r.service_name, r.probe, r.kind, r.ok, "
	          "r.latency_ms, r.value, r.message, r.sampled_at "
	          "FROM health_keys k JOIN health_history r ON r.id = "
	          "(SELECT h.id FROM health_history h WHERE h.service_name = "
	          "k.service_name AND h.probe = k.probe ORDER BY h.sampled_at "
	          "DESC, h.id DESC LIMIT 1) ORDER BY k.service_name, k.probe");
	int rc;

	*out = NULL;
	*n = 0;
	while ((rc = pg_step(st, "reading probe results", err)) == PG_ROW) {
		list = xreallocarray(list, count + 1, sizeof(*list));
		read_probe(st, &list[count++]);
	}
	pg_finalize(st);
	if (rc != PG_DONE) {
		free(list);
		return rc;
	}
	*out = list;
	*n = count;
	return CATALOG_OK;
}

int pg_probe_prune_impl(void *self, int64_t before, int64_t *deleted,
                        char **err)
{
	return prune(self, "DELETE FROM health_history WHERE sampled_at < ?1",
	             "DELETE FROM health_keys WHERE NOT EXISTS (SELECT 1 "
	             "FROM health_history h WHERE h.service_name = "
	             "health_keys.service_name AND h.probe = "
	             "health_keys.probe)",
	             before, deleted, err);
}

/* ---- recoveries -------------------------------------------------------- */

#define RECOVERY_COLUMNS                                                       \
	"recovery_id, tenant_id, incident_type, affected_services, "           \
	"recovery_procedure, recovery_status, rto_target_s, rpo_target_s, "    \
	"actual_recovery_s, data_loss_minutes, initiated_by, "                 \
	"incident_started_at, initiated_at, completed_at, recovery_notes, "    \
	"lessons_learned, is_drill, updated_at"

static void read_recovery(const struct pg_stmt *st, struct catalog_recovery *r)
{
	memset(r, 0, sizeof(*r));
	pg_column_copy(st, 0, r->recovery_id, sizeof(r->recovery_id));
	pg_column_copy(st, 1, r->tenant_id, sizeof(r->tenant_id));
	pg_column_copy(st, 2, r->incident_type, sizeof(r->incident_type));
	r->affected_services = pg_column_dup(st, 3);
	pg_column_copy(st, 4, r->recovery_procedure,
	               sizeof(r->recovery_procedure));
	pg_column_copy(st, 5, r->recovery_status, sizeof(r->recovery_status));
	r->rto_target_s = pg_column_int64_or(st, 6, 0);
	r->rpo_target_s = pg_column_int64_or(st, 7, 0);
	r->actual_recovery_s = pg_column_int64_or(st, 8, -1);
	r->data_loss_minutes = pg_column_double_or(st, 9, -1);
	pg_column_copy(st, 10, r->initiated_by, sizeof(r->initiated_by));
	r->incident_started_at = pg_column_time(st, 11);
	r->initiated_at = pg_column_time(st, 12);
	r->completed_at = pg_column_time(st, 13);
	r->recovery_notes = pg_column_dup(st, 14);
	r->lessons_learned = pg_column_dup(st, 15);
	r->is_drill = (int)pg_column_int64(st, 16);
	r->updated_at = pg_column_time(st, 17);
}

/* Binds ?2..?18 (?1 is recovery_id). */
static void bind_recovery(struct pg_stmt *st, const struct catalog_recovery *r,
                          int64_t now)
{
	pg_bind_text(st, 2, r->tenant_id[0] ? r->tenant_id : PG_DEFAULT_TENANT);
	pg_bind_text(st, 3, r->incident_type);
	pg_bind_text(st, 4, r->affected_services ? r->affected_services : "");
	pg_bind_text(st, 5, r->recovery_procedure);
	pg_bind_text(st, 6,
	             r->recovery_status[0] ? r->recovery_status : "initiated");
	bind_int64_none(st, 7, r->rto_target_s, 0);
	bind_int64_none(st, 8, r->rpo_target_s, 0);
	bind_int64_none(
	    st, 9, r->actual_recovery_s < 0 ? -1 : r->actual_recovery_s, -1);
	if (r->data_loss_minutes < 0)
		pg_bind_null(st, 10);
	else
		pg_bind_double(st, 10, r->data_loss_minutes);
	pg_bind_text(st, 11, r->initiated_by);
	pg_bind_time(st, 12, r->incident_started_at);
	pg_bind_time(st, 13, r->initiated_at ? r->initiated_at : now);
	pg_bind_time(st, 14, r->completed_at);
	pg_bind_text(st, 15, r->recovery_notes);
	pg_bind_text(st, 16, r->lessons_learned);
	pg_bind_int64(st, 17, r->is_drill != 0);
	pg_bind_time(st, 18, now);
}

/* Rewrites the recovery's rows in recovery_services from the
 * comma-separated affected_services. */
static int index_recovery_services(struct pg_catalog *pc,
                                   const struct catalog_recovery *r, char **err)
{
	const char *p = r->affected_services ? r->affected_services : "";
	struct pg_stmt *st = pg_prepare(
	    pc, "DELETE FROM recovery_services WHERE recovery_id = ?1");
	int rc;

	pg_bind_text(st, 1, r->recovery_id);
	rc = pg_run(st, "indexing a recovery", err);
	pg_finalize(st);
	while (rc == CATALOG_OK && *p != '\0') {
		size_t len;

		p += strspn(p, ", \t");
		len = strcspn(p, ",");
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len > 0) {
			char *name = xstrndup(p, len);

			/* SQLite: INSERT OR IGNORE */
			st =
			    pg_prepare(pc, "INSERT INTO recovery_services "
			                   "(service_name, recovery_id) VALUES "
			                   "(?1, ?2) ON CONFLICT DO NOTHING");
			pg_bind_text(st, 1, name);
			pg_bind_text(st, 2, r->recovery_id);
			rc = pg_run(st, "indexing a recovery", err);
			pg_finalize(st);
			free(name);
		}
		p += strcspn(p, ",");
	}
	return rc;
}

static int recovery_constraint(int rc, const struct catalog_recovery *r,
                               char **err)
{
	if (rc == CATALOG_EEXIST)
		pg_seterr(err, "recovery %s already exists", r->recovery_id);
	else if (rc == CATALOG_EINVAL)
		pg_seterr(err,
		          "recovery %s: invalid value (status '%s' must "
		          "be initiated, in_progress, completed, failed, "
		          "aborted or rolled_back; an incident type is "
		          "required)",
		          r->recovery_id, r->recovery_status);
	return rc;
}

int pg_recovery_insert_impl(void *self, const struct catalog_recovery *r,
                            char **err)
{
	struct pg_catalog *pc = self;
	struct pg_stmt *st;
	int64_t now = pg_now();
	int rc = pg_write_begin(pc, err);

	if (rc != CATALOG_OK)
		return rc;
	st = pg_prepare(pc,
	                "INSERT INTO disaster_recovery_log (" RECOVERY_COLUMNS
	                ", created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
	                "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
	                "?17, ?18, ?18)");
	pg_bind_text(st, 1, r->recovery_id);
	bind_recovery(st, r, now);
	rc = pg_run(st, "recording a recovery", err);
	rc = recovery_constraint(rc, r, err);
	pg_finalize(st);
	if (rc == CATALOG_OK)
		rc = index_recovery_services(pc, r, err);
	return pg_write_end(pc, rc, err);
}

int pg_recovery_update_impl(void *self, const struct catalog_recovery *r,
                            char **err)
{
	struct pg_catalog *pc = self;
	struct pg_stmt *st;
	int64_t now = pg_now();
	int rc = pg_write_begin(pc, err);

	if (rc != CATALOG_OK)
		return rc;
	st = pg_prepare(
	    pc, "UPDATE disaster_recovery_log SET tenant_id = ?2, "
	        "incident_type = ?3, affected_services = ?4, "
	        "recovery_procedure = ?5, recovery_status = ?6, "
	        "rto_target_s = ?7, rpo_target_s = ?8, actual_recovery_s = ?9, "
	        "data_loss_minutes = ?10, initiated_by = ?11, "
	        "incident_started_at = ?12, initiated_at = ?13, "
	        "completed_at = ?14, recovery_notes = ?15, "
	        "lessons_learned = ?16, is_drill = ?17, updated_at = ?18 "
	        "WHERE recovery_id = ?1");
	pg_bind_text(st, 1, r->recovery_id);
	bind_recovery(st, r, now);
	rc = pg_run(st, "updating a recovery", err);
	rc = recovery_constraint(rc, r, err);
	if (rc == CATALOG_OK && pg_changes(st) == 0) {
		pg_seterr(err, "no recovery %s", r->recovery_id);
		rc = CATALOG_ENOTFOUND;
	}
	pg_finalize(st);
	if (rc == CATALOG_OK)
		rc = index_recovery_services(pc, r, err);
	return pg_write_end(pc, rc, err);
}

int pg_recovery_get_impl(void *self, const char *recovery_id,
                         struct catalog_recovery *out, char **err)
{
	struct pg_stmt *st = pg_prepare(self, "SELECT " RECOVERY_COLUMNS
	                                      " FROM disaster_recovery_log "
	                                      "WHERE recovery_id = ?1");
	int rc;

	memset(out, 0, sizeof(*out));
	pg_bind_text(st, 1, recovery_id);
	rc = pg_step_row(st, "reading a recovery", err);
	if (rc == CATALOG_OK)
		read_recovery(st, out);
	else if (rc == CATALOG_ENOTFOUND)
		pg_seterr(err, "no recovery %s", recovery_id);
	pg_finalize(st);
	return rc;
}

/* Steps a bound query of RECOVERY_COLUMNS into a list, and finalizes it. */
static int list_recoveries(struct pg_stmt *st, struct catalog_recovery **out,
                           size_t *n, char **err)
{
	struct catalog_recovery *list = NULL;
	size_t count = 0;
	int rc;

	while ((rc = pg_step(st, "listing recoveries", err)) == PG_ROW) {
		list = xreallocarray(list, count + 1, sizeof(*list));
		read_recovery(st, &list[count++]);
	}
	pg_finalize(st);
	if (rc != PG_DONE) {
		catalog_recoveries_free(list, count);
		return rc;
	}
	*out = list;
	*n = count;
	return CATALOG_OK;
}

/* A limit of 0 is all of them: SQLite's LIMIT -1 is LIMIT NULL here. */
static void bind_limit(struct pg_stmt *st, int idx, size_t limit)
{
	if (limit > 0)
		pg_bind_int64(st, idx, (int64_t)limit);
	else
		pg_bind_null(st, idx);
}

int pg_recovery_list_impl(void *self, size_t limit,
                          struct catalog_recovery **out, size_t *n, char **err)
{
	/* SQLite: ORDER BY initiated_at DESC, rowid DESC */
	struct pg_stmt *st =
	    pg_prepare(self, "SELECT " RECOVERY_COLUMNS
	                     " FROM disaster_recovery_log ORDER BY "
	                     "initiated_at DESC, rid DESC LIMIT ?1::bigint");

	*out = NULL;
	*n = 0;
	bind_limit(st, 1, limit);
	return list_recoveries(st, out, n, err);
}

/* The WHERE clause of a filtered list of recoveries: ?1 service, ?2
 * incident, ?3 since, ?4 drill (-1 any), ?5 text; NULL matches all.
 * SQLite's instr(lower(a), lower(b)) > 0 is strpos here; lower() folds
 * ASCII only under COLLATE "C", as SQLite's does. */
#define RECOVERY_FILTER                                                        \
	" WHERE (?1::text IS NULL OR EXISTS (SELECT 1 FROM recovery_services " \
	"s WHERE s.recovery_id = r.recovery_id AND s.service_name = ?1)) "     \
	"AND (?2::text IS NULL OR r.incident_type = ?2) "                      \
	"AND (?3::text IS NULL OR r.initiated_at >= ?3) "                      \
	"AND (?4::bigint < 0 OR r.is_drill = ?4) "                             \
	"AND (?5::text IS NULL OR strpos(lower(r.recovery_id || ' ' || "       \
	"r.recovery_procedure || ' ' || r.incident_type || ' ' || "            \
	"r.recovery_status || ' ' || r.initiated_by || ' ' || "                \
	"r.affected_services), lower(?5 COLLATE \"C\")) > 0)"

static void bind_recovery_filter(struct pg_stmt *st,
                                 const struct catalog_recovery_filter *f)
{
	pg_bind_text_or_null(st, 1, f ? f->service : NULL);
	pg_bind_text_or_null(st, 2, f ? f->incident : NULL);
	pg_bind_time(st, 3, f ? f->since : 0);
	pg_bind_int64(st, 4, f && f->drill >= 0 ? (f->drill != 0) : -1);
	pg_bind_text_or_null(st, 5, f ? f->text : NULL);
}

int pg_recovery_page_impl(void *self, const struct catalog_recovery_filter *f,
                          size_t offset, size_t limit,
                          struct catalog_recovery **out, size_t *n,
                          size_t *total, char **err)
{
	struct pg_stmt *st = pg_prepare(
	    self,
	    "SELECT count(*) FROM disaster_recovery_log r" RECOVERY_FILTER);
	int rc;

	*out = NULL;
	*n = 0;
	*total = 0;
	bind_recovery_filter(st, f);
	rc = pg_step_row(st, "counting recoveries", err);
	if (rc == CATALOG_OK)
		*total = (size_t)pg_column_int64(st, 0);
	pg_finalize(st);
	if (rc != CATALOG_OK)
		return rc;
	/* SQLite: ORDER BY initiated_at DESC, rowid DESC */
	st = pg_prepare(self, "SELECT " RECOVERY_COLUMNS
	                      " FROM disaster_recovery_log r" RECOVERY_FILTER
	                      " ORDER BY initiated_at DESC, rid DESC "
	                      "LIMIT ?6::bigint OFFSET ?7::bigint");
	bind_recovery_filter(st, f);
	bind_limit(st, 6, limit);
	pg_bind_int64(st, 7, (int64_t)offset);
	return list_recoveries(st, out, n, err);
}

/* The length of the well-formed UTF-8 sequence at p (n bytes left, p[0]
 * not ASCII), or 0: PostgreSQL's own rule (no overlong form, no
 * surrogate, nothing past U+10FFFF). */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t len = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 ? 2 : 0;
	unsigned char lo = 0x80, hi = 0xbf;

	if (len == 0 || p[0] > 0xf4 || n < len)
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

/* A step's output is whatever its command printed; a UTF-8 database
 * refuses bytes that are not UTF-8 (SQLite keeps them), which failed the
 * whole step.  They are stored as U+FFFD, which is what the report shows
 * for them on either backend (json_add_text). */
static char *utf8_text(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n, o = 0;
	char *out;

	if (s == NULL)
		return NULL;
	n = strlen(s);
	out = xmalloc(3 * n + 1);
	for (size_t i = 0; i < n;) {
		size_t len = u[i] < 0x80 ? 1 : utf8_len(u + i, n - i);
		if (len == 0) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(out + o, s + i, len);
		o += len;
		i += len;
	}
	out[o] = '\0';
	return out;
}

#define STEP_COLUMNS                                                           \
	"recovery_id, seq, step_id, phase, title, status, started_at, "        \
	"ended_at, exit_code, output_tail, confirmed_by, notes"

int pg_recovery_step_put_impl(void *self, const struct catalog_recovery_step *s,
                              char **err)
{
	struct pg_catalog *pc = self;
	struct pg_stmt *st;
	int rc = pg_write_begin(pc, err);

	if (rc != CATALOG_OK)
		return rc;
	st = pg_prepare(
	    pc, "INSERT INTO recovery_steps (" STEP_COLUMNS ") VALUES (?1, ?2, "
	        "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
	        "ON CONFLICT (recovery_id, seq) DO UPDATE SET "
	        "step_id = excluded.step_id, phase = excluded.phase, "
	        "title = excluded.title, status = excluded.status, "
	        "started_at = excluded.started_at, "
	        "ended_at = excluded.ended_at, exit_code = excluded.exit_code, "
	        "output_tail = excluded.output_tail, "
	        "confirmed_by = excluded.confirmed_by, notes = excluded.notes");
	pg_bind_text(st, 1, s->recovery_id);
	pg_bind_int64(st, 2, s->seq);
	pg_bind_text(st, 3, s->step_id);
	pg_bind_text(st, 4, s->phase);
	pg_bind_text(st, 5, s->title);
	pg_bind_text(st, 6, s->status[0] ? s->status : "pending");
	pg_bind_time(st, 7, s->started_at);
	pg_bind_time(st, 8, s->ended_at);
	bind_int64_none(st, 9, s->exit_code, -1);
	char *tail = utf8_text(s->output_tail);
	pg_bind_text(st, 10, tail);
	free(tail);
	pg_bind_text(st, 11, s->confirmed_by);
	pg_bind_text(st, 12, s->notes);
	rc = pg_run(st, "recording a recovery step", err);
	if (rc == CATALOG_EINVAL && is_foreign_key(pc)) {
		pg_seterr(err, "no recovery %s", s->recovery_id);
		rc = CATALOG_ENOTFOUND;
	} else if (rc == CATALOG_EINVAL) {
		pg_seterr(err,
		          "recovery step %d: invalid value (seq "
		          "from 1; status '%s' must be pending, "
		          "running, completed, failed, skipped, "
		          "interrupted or rolled_back)",
		          s->seq, s->status);
	}
	pg_finalize(st);
	return pg_write_end(pc, rc, err);
}

int pg_recovery_step_list_impl(void *self, const char *recovery_id,
                               struct catalog_recovery_step **out, size_t *n,
                               char **err)
{
	struct catalog_recovery_step *list = NULL;
	size_t count = 0;
	struct pg_stmt *st =
	    pg_prepare(self, "SELECT " STEP_COLUMNS " FROM recovery_steps "
	                     "WHERE recovery_id = ?1 ORDER BY seq");
	int rc;

	*out = NULL;
	*n = 0;
	pg_bind_text(st, 1, recovery_id);
	while ((rc = pg_step(st, "listing recovery steps", err)) == PG_ROW) {
		struct catalog_recovery_step *s;

		list = xreallocarray(list, count + 1, sizeof(*list));
		s = &list[count++];
		memset(s, 0, sizeof(*s));
		pg_column_copy(st, 0, s->recovery_id, sizeof(s->recovery_id));
		s->seq = (int)pg_column_int64(st, 1);
		pg_column_copy(st, 2, s->step_id, sizeof(s->step_id));
		pg_column_copy(st, 3, s->phase, sizeof(s->phase));
		pg_column_copy(st, 4, s->title, sizeof(s->title));
		pg_column_copy(st, 5, s->status, sizeof(s->status));
		s->started_at = pg_column_time(st, 6);
		s->ended_at = pg_column_time(st, 7);
		s->exit_code = (int)pg_column_int64_or(st, 8, -1);
		s->output_tail = pg_column_dup(st, 9);
		pg_column_copy(st, 10, s->confirmed_by,
		               sizeof(s->confirmed_by));
		s->notes = pg_column_dup(st, 11);
	}
	pg_finalize(st);
	if (rc != PG_DONE) {
		catalog_recovery_steps_free(list, count);
		return rc;
	}
	*out = list;
	*n = count;
	return CATALOG_OK;
}

/* ---- verdict history (db/sqlite_report.c) ------------------------------ */

#define VERDICT_COLUMNS "id, service_name, verdict, reason, at"

/* Steps a bound query of VERDICT_COLUMNS into a list, and finalizes it. */
static int read_verdicts(struct pg_stmt *st, struct catalog_verdict **out,
                         size_t *n, char **err)
{
	struct catalog_verdict *list = NULL;
	size_t count = 0;
	int rc;

	while ((rc = pg_step(st, "reading the verdict history", err)) ==
	       PG_ROW) {
		struct catalog_verdict *v;

		list = xreallocarray(list, count + 1, sizeof(*list));
		v = &list[count++];
		memset(v, 0, sizeof(*v));
		v->id = pg_column_int64(st, 0);
		pg_column_copy(st, 1, v->service, sizeof(v->service));
		pg_column_copy(st, 2, v->verdict, sizeof(v->verdict));
		pg_column_copy(st, 3, v->reason, sizeof(v->reason));
		v->at = pg_column_time(st, 4);
	}
	pg_finalize(st);
	if (rc != PG_DONE) {
		free(list);
		return rc;
	}
	*out = list;
	*n = count;
	return CATALOG_OK;
}

int pg_verdict_record_impl(void *self, const struct catalog_verdict *v,
                           char **err)
{
	struct pg_catalog *pc = self;
	struct pg_stmt *st;
	int rc;

	if (v->service[0] == '\0' || v->at <= 0) {
		pg_seterr(err, "verdict history: a transition needs a "
		               "service and a time");
		return CATALOG_EINVAL;
	}
	rc = pg_write_begin(pc, err);
	if (rc != CATALOG_OK)
		return rc;
	st = pg_prepare(pc, "INSERT INTO verdict_transitions (service_name, "
	                    "verdict, reason, at) VALUES (?1, ?2, ?3, ?4)");
	pg_bind_text(st, 1, v->service);
	pg_bind_text(st, 2, v->verdict);
	pg_bind_text(st, 3, v->reason);
	pg_bind_time(st, 4, v->at);
	rc = pg_run(st, "recording a verdict transition", err);
	pg_finalize(st);
	return pg_write_end(pc, rc, err);
}

int pg_verdict_latest_impl(void *self, struct catalog_verdict **out, size_t *n,
                           char **err)
{
	/* One index range per service: the distinct names, then the last
	 * row of each by (at, id). */
	struct pg_stmt *st = pg_prepare(
	    self,
	    "SELECT " VERDICT_COLUMNS " FROM verdict_transitions WHERE id IN "
	    "(SELECT (SELECT t.id FROM verdict_transitions t WHERE "
	    "t.service_name = s.service_name ORDER BY t.at DESC, t.id DESC "
	    "LIMIT 1) FROM (SELECT DISTINCT service_name FROM "
	    "verdict_transitions) s) ORDER BY service_name");

	*out = NULL;
	*n = 0;
	return read_verdicts(st, out, n, err);
}

int pg_verdict_history_impl(void *self, const char *service, int64_t since,
                            struct catalog_verdict **out, size_t *n, char **err)
{
	char since_text[SQLITE_TIME_TEXT];
	struct pg_stmt *st = pg_prepare(
	    self,
	    "SELECT " VERDICT_COLUMNS " FROM verdict_transitions WHERE "
	    "service_name = ?1 AND (at > ?2 OR id = (SELECT t.id FROM "
	    "verdict_transitions t WHERE t.service_name = ?1 AND t.at <= ?2 "
	    "ORDER BY t.at DESC, t.id DESC LIMIT 1)) ORDER BY at, id");

	*out = NULL;
	*n = 0;
	sqlite_time_text(since, since_text);
	pg_bind_text(st, 1, service);
	pg_bind_text(st, 2, since_text);
	return read_verdicts(st, out, n, err);
}

/* ---- the report's counts (db/sqlite_report.c) -------------------------- */

int pg_backup_counts_impl(void *self, const char *service, int64_t since,
                          int64_t until, struct catalog_backup_counts *out,
                          char **err)
{
	char from[SQLITE_TIME_TEXT], to[SQLITE_TIME_TEXT];
	/* The expression of backup_management_service_t, so the index
	 * serves the range.  SQLite sums the comparisons
	 * (coalesce(sum(backup_status IN ...), 0)); a boolean is not a
	 * number here, so each is a count with a FILTER, 0 over no rows
	 * as the coalesce makes it there. */
	struct pg_stmt *st = pg_prepare(
	    self, "SELECT count(*), count(*) FILTER (WHERE backup_status "
	          "IN " CATALOG_BACKUP_GOOD_SQL "), count(*) FILTER (WHERE "
	          "backup_status = '" CATALOG_BACKUP_VERIFIED "'), "
	          "count(*) FILTER (WHERE backup_status IN ('failed', "
	          "'corrupt', 'restore_failed')) FROM backup_management WHERE "
	          "service_name = ?1 AND coalesce(started_at, completed_at, "
	          "created_at) >= ?2 AND coalesce(started_at, completed_at, "
	          "created_at) < ?3");
	int rc;

	memset(out, 0, sizeof(*out));
	sqlite_time_text(since, from);
	sqlite_time_text(until, to);
	pg_bind_text(st, 1, service);
	pg_bind_text(st, 2, from);
	pg_bind_text(st, 3, to);
	rc = pg_step_row(st, "counting backups", err);
	if (rc == CATALOG_OK) {
		out->taken = pg_column_int64(st, 0);
		out->good = pg_column_int64(st, 1);
		out->verified = pg_column_int64(st, 2);
		out->failed = pg_column_int64(st, 3);
	} else if (rc == CATALOG_ENOTFOUND) {
		rc = CATALOG_OK; /* an aggregate always has its row */
	}
	pg_finalize(st);
	return rc;
}

int pg_test_note_put_impl(void *self, const struct catalog_test_note *n,
                          char **err)
{
	struct pg_catalog *pc = self;
	struct pg_stmt *st;
	int rc;

	if (n->run_id[0] == '\0' || n->text[0] == '\0' || n->at <= 0) {
		pg_seterr(err, "test notes: a note needs a run, a text and "
		               "a time");
		return CATALOG_EINVAL;
	}
	rc = pg_write_begin(pc, err);
	if (rc != CATALOG_OK)
		return rc;
	/* SQLite: INSERT OR REPLACE (run_id is the only key). */
	st = pg_prepare(pc, "INSERT INTO test_notes (run_id, text, actor, at) "
	                    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (run_id) DO "
	                    "UPDATE SET text = excluded.text, actor = "
	                    "excluded.actor, at = excluded.at");
	pg_bind_text(st, 1, n->run_id);
	pg_bind_text(st, 2, n->text);
	pg_bind_text(st, 3, n->actor);
	pg_bind_time(st, 4, n->at);
	rc = pg_run(st, "recording a test note", err);
	pg_finalize(st);
	return pg_write_end(pc, rc, err);
}

int pg_test_note_get_impl(void *self, const char *run_id,
                          struct catalog_test_note *out, char **err)
{
	struct pg_stmt *st =
	    pg_prepare(self, "SELECT run_id, text, actor, at FROM test_notes "
	                     "WHERE run_id = ?1");
	int rc;

	memset(out, 0, sizeof(*out));
	pg_bind_text(st, 1, run_id);
	rc = pg_step_row(st, "reading a test note", err);
	if (rc == CATALOG_OK) {
		pg_column_copy(st, 0, out->run_id, sizeof(out->run_id));
		pg_column_copy(st, 1, out->text, sizeof(out->text));
		pg_column_copy(st, 2, out->actor, sizeof(out->actor));
		out->at = pg_column_time(st, 3);
	} else if (rc == CATALOG_ENOTFOUND) {
		pg_seterr(err, "no note on test run %s", run_id);
	}
	pg_finalize(st);
	return rc;
}

/* ---- counters (db/sqlite_counters.c) ----------------------------------- */

int pg_service_counters_impl(void *self, struct catalog_service_counters **out,
                             size_t *n, char **err)
{
	struct catalog_service_counters *list = NULL;
	size_t len = 0, cap = 0;
	struct pg_stmt *st = pg_prepare(
	    self,
	    "SELECT s.name, "
	    " (SELECT count(*) FROM backup_management b "
	    "  WHERE b.service_name = s.name), "
	    " (SELECT count(*) FROM restores r WHERE r.service_name = s.name "
	    "  AND r.kind = 'restore-test'), "
	    " (SELECT count(*) FROM restores r WHERE r.service_name = s.name "
	    "  AND r.kind = 'restore-test' AND r.ok = 0) "
	    "FROM services s ORDER BY s.name");
	int rc;

	*out = NULL;
	*n = 0;
	while ((rc = pg_step(st, "counting backups and restores", err)) ==
	       PG_ROW) {
		struct catalog_service_counters *c;

		if (len == cap) {
			cap = cap ? cap * 2 : 16;
			list = xreallocarray(list, cap, sizeof(*list));
		}
		c = &list[len++];
		memset(c, 0, sizeof(*c));
		pg_column_copy(st, 0, c->service, sizeof(c->service));
		c->backup_attempts = pg_column_int64(st, 1);
		c->restore_tests = pg_column_int64(st, 2);
		c->restore_tests_failed = pg_column_int64(st, 3);
	}
	pg_finalize(st);
	if (rc != PG_DONE) {
		free(list);
		return rc;
	}
	*out = list;
	*n = len;
	return CATALOG_OK;
}

/* ---- restores (db/sqlite_evidence.c) ---------------------------------- */

#define RESTORE_COLUMNS                                                        \
	"id, kind, service_name, backup_id, target, recovery_id, started_at, " \
	"ended_at, duration_s, bytes, ok, error"
/* RESTORE_COLUMNS of the table or subquery t. */
#define RESTORE_OF(t)                                                          \
	t ".id, " t ".kind, " t ".service_name, " t ".backup_id, " t           \
	  ".target, " t ".recovery_id, " t ".started_at, " t ".ended_at, " t   \
	  ".duration_s, " t ".bytes, " t ".ok, " t ".error"

static void read_restore(const struct pg_stmt *st, int col,
                         struct catalog_restore *r)
{
	memset(r, 0, sizeof(*r));
	r->id = pg_column_int64(st, col + 0);
	pg_column_copy(st, col + 1, r->kind, sizeof(r->kind));
	pg_column_copy(st, col + 2, r->service, sizeof(r->service));
	pg_column_copy(st, col + 3, r->backup_id, sizeof(r->backup_id));
	pg_column_copy(st, col + 4, r->target, sizeof(r->target));
	pg_column_copy(st, col + 5, r->recovery_id, sizeof(r->recovery_id));
	r->started_at = pg_column_time(st, col + 6);
	r->ended_at = pg_column_time(st, col + 7);
	r->duration_s = pg_column_double_or(st, col + 8, -1);
	r->bytes = pg_column_int64_or(st, col + 9, -1);
	r->ok = (int)pg_column_int64(st, col + 10);
	pg_column_copy(st, col + 11, r->error, sizeof(r->error));
}

int pg_restore_record_impl(void *self, struct catalog_restore *r, char **err)
{
	struct pg_catalog *pc = self;
	struct pg_stmt *st;
	int rc;

	if (strcmp(r->kind, "restore") != 0 &&
	    strcmp(r->kind, "restore-test") != 0) {
		pg_seterr(err,
		          "restore: kind '%s' must be restore or "
		          "restore-test",
		          r->kind);
		return CATALOG_EINVAL;
	}
	if (r->ended_at <= 0) {
		pg_seterr(err, "restore: no end time");
		return CATALOG_EINVAL;
	}
	rc = pg_write_begin(pc, err);
	if (rc != CATALOG_OK)
		return rc;
	/* A recovery id names the run the restore served only when that run
	 * exists and is still going: an id from a stray environment, or of a
	 * run that already ended, is no evidence for it.  SQLite reads the
	 * new id with last_insert_rowid(); here it is RETURNING id. */
	st = pg_prepare(
	    pc,
	    "INSERT INTO restores (kind, service_name, backup_id, target, "
	    "recovery_id, started_at, ended_at, duration_s, bytes, ok, error) "
	    "VALUES (?1, ?2, ?3, ?4, coalesce((SELECT recovery_id FROM "
	    "disaster_recovery_log WHERE recovery_id = ?5 AND recovery_status "
	    "IN ('initiated', 'in_progress')), ''), ?6, ?7, ?8, ?9, ?10, ?11) "
	    "RETURNING id");
	pg_bind_text(st, 1, r->kind);
	pg_bind_text(st, 2, r->service);
	pg_bind_text(st, 3, r->backup_id);
	pg_bind_text(st, 4, r->target);
	pg_bind_text(st, 5, r->recovery_id);
	pg_bind_time(st, 6, r->started_at);
	pg_bind_time(st, 7, r->ended_at);
	if (r->duration_s < 0)
		pg_bind_null(st, 8);
	else
		pg_bind_double(st, 8, r->duration_s);
	if (r->bytes < 0)
		pg_bind_null(st, 9);
	else
		pg_bind_int64(st, 9, r->bytes);
	pg_bind_int64(st, 10, r->ok ? 1 : 0);
	pg_bind_text(st, 11, r->error);
	rc = pg_step_row(st, "recording a restore", err);
	if (rc == CATALOG_OK) {
		r->id = pg_column_int64(st, 0);
	} else if (rc == CATALOG_EINVAL) {
		pg_seterr(err, "no service named %s", r->service);
		rc = CATALOG_ENOTFOUND;
	}
	pg_finalize(st);
	return pg_write_end(pc, rc, err);
}

int pg_restore_list_impl(void *self, const char *service, size_t limit,
                         struct catalog_restore **out, size_t *n, char **err)
{
	struct catalog_restore *list = NULL;
	size_t count = 0;
	/* SQLite's LIMIT -1 (no limit) is LIMIT NULL here. */
	struct pg_stmt *st =
	    pg_prepare(self, "SELECT " RESTORE_COLUMNS
	                     " FROM restores WHERE (?1::text IS NULL OR "
	                     "service_name = ?1) ORDER BY ended_at DESC, "
	                     "id DESC LIMIT ?2::bigint");
	int rc;

	*out = NULL;
	*n = 0;
	pg_bind_text(st, 1, service);
	if (limit > 0)
		pg_bind_int64(st, 2, (int64_t)limit);
	else
		pg_bind_null(st, 2);
	while ((rc = pg_step(st, "reading restores", err)) == PG_ROW) {
		list = xreallocarray(list, count + 1, sizeof(*list));
		read_restore(st, 0, &list[count++]);
	}
	pg_finalize(st);
	if (rc != PG_DONE) {
		free(list);
		return rc;
	}
	*out = list;
	*n = count;
	return CATALOG_OK;
}

/* ---- per-service state ------------------------------------------------- */

/* The newest good backup before now comes from backup_newest unless that
 * one lies in the future (clock skew): only then are the indexes read.
 * SQLite reads backup_management_service_status_completed backwards, so
 * of two backups completed in the same second the later row wins. */
_Static_assert(CATALOG_BACKUP_GOOD_COUNT == 2,
               "service_states_sql probes each good status");
#define GOOD_BEFORE_NOW(col, status)                                           \
	" (SELECT b." col " FROM backup_management b WHERE"                    \
	"  b.service_name = s.name AND b.backup_status = '" status "' AND"     \
	"  b.completed_at <= ?1 ORDER BY b.completed_at DESC, b.rid DESC"      \
	"  LIMIT 1)"

/* The columns of the statement, by what they hold. */
enum {
	C_SERVICE = 0,       /* 8: read_service */
	C_TIER = 8,          /* rto_s, rpo_s */
	C_GOOD_C = 10,       /* completed: at, size */
	C_GOOD_V = 12,       /* verified: at, size */
	C_FUTURE_AT = 14,    /* NULL unless the newest lies ahead */
	C_ATTEMPT = 15,      /* at, status */
	C_DRILL = 17,        /* completed_at, actual_recovery_s */
	C_HEALTH = 19,       /* 12: read_health */
	C_GOOD_C_ID = 31,    /* then the verified one's, the attempt's */
	C_FUTURE_ID = 34,    /* then its size */
	C_PLAIN_C = 36,      /* 3 each: metadata, backup_size, ratio */
	C_PLAIN_V = 39,      /* of the verified one */
	C_PLAIN_FUTURE = 42, /* of the newest */
	C_TEST_OK = 45,      /* 12: read_restore */
	C_TEST_ANY = 57,     /* 12: read_restore */
	C_TEST_FAILURES = 69,
	C_RECOVERY = 70, /* id, is_drill, completed_at, s, 12: read_restore */
};

// clang-format off
static const char service_states_sql[] =
    "WITH ids AS (SELECT s.*, n.good_at AS newest_at,"
    " n.good_id AS newest_id, n.good_size AS newest_size,"
    " n.attempt_at AS a_at, n.attempt_status AS a_st,"
    " n.attempt_id AS a_id,"
    " CASE WHEN n.good_at IS NULL OR n.good_at <= ?1 THEN n.good_at ELSE"
    GOOD_BEFORE_NOW("completed_at", CATALOG_BACKUP_COMPLETED) " END AS gc_at,"
    " CASE WHEN n.good_at IS NULL OR n.good_at <= ?1 THEN n.good_size ELSE"
    GOOD_BEFORE_NOW("backup_size", CATALOG_BACKUP_COMPLETED) " END AS gc_size,"
    " CASE WHEN n.good_at IS NULL OR n.good_at <= ?1 THEN NULL ELSE"
    GOOD_BEFORE_NOW("completed_at", CATALOG_BACKUP_VERIFIED) " END AS gv_at,"
    " CASE WHEN n.good_at IS NULL OR n.good_at <= ?1 THEN NULL ELSE"
    GOOD_BEFORE_NOW("backup_size", CATALOG_BACKUP_VERIFIED) " END AS gv_size,"
    " CASE WHEN n.good_at IS NULL OR n.good_at <= ?1 THEN n.good_id ELSE"
    GOOD_BEFORE_NOW("backup_id", CATALOG_BACKUP_COMPLETED) " END AS gc_id,"
    " CASE WHEN n.good_at IS NULL OR n.good_at <= ?1 THEN NULL ELSE"
    GOOD_BEFORE_NOW("backup_id", CATALOG_BACKUP_VERIFIED) " END AS gv_id,"
    /* SQLite: SELECT r.rowid ... ORDER BY r.completed_at DESC LIMIT 1 */
    " (SELECT r.rid FROM recovery_services rs JOIN"
    "  disaster_recovery_log r ON r.recovery_id = rs.recovery_id WHERE"
    "  rs.service_name = s.name AND r.is_drill = 1 AND"
    "  r.recovery_status = 'completed' ORDER BY r.completed_at DESC"
    "  NULLS LAST, rs.recovery_id LIMIT 1) AS drill"
    " FROM services s LEFT JOIN backup_newest n ON n.service_name = s.name)"
    " SELECT ids.name, ids.tier, ids.owner, ids.rto_s, ids.rpo_s,"
    "  ids.backup_frequency_s, ids.drill_policy_s, ids.created_at," /* 0 */
    "  t.rto_s, t.rpo_s," /* 8 */
    "  ids.gc_at, ids.gc_size," /* 10 */
    "  ids.gv_at, ids.gv_size," /* 12 */
    "  CASE WHEN ids.newest_at > ?1 THEN ids.newest_at END," /* 14 */
    "  ids.a_at, ids.a_st," /* 15 */
    "  d.completed_at, d.actual_recovery_s," /* 17 */
    "  h.service_name, h.backup_frequency_s, h.last_successful_backup,"
    "  h.backup_streak, h.failure_count, h.health_status,"
    "  h.storage_usage_gb, h.storage_quota_gb,"
    "  h.estimated_full_recovery_s, h.last_recovery_test,"
    "  h.alerts_enabled, h.updated_at," /* 19 */
    "  ids.gc_id, ids.gv_id, ids.a_id," /* 31 */
    "  CASE WHEN ids.newest_at > ?1 THEN ids.newest_id END,"
    "  CASE WHEN ids.newest_at > ?1 THEN ids.newest_size END," /* 34 */
    /* SQLite: PLAIN_OF(ids.gc_id), PLAIN_OF(ids.gv_id), and
     * PLAIN_OF(ids.newest_id) when newest_at > ?1 (plain_size()) */
    "  pc.metadata, pc.backup_size, pc.compression_ratio," /* 36 */
    "  pv.metadata, pv.backup_size, pv.compression_ratio," /* 39 */
    "  pn.metadata, pn.backup_size, pn.compression_ratio," /* 42 */
    /* SQLite: the queries of db/sqlite_evidence.c, one service each */
    "  " RESTORE_OF("tok") "," /* 45 */
    "  " RESTORE_OF("tany") "," /* 57 */
    "  fails.n," /* 69 */
    "  ev.*" /* 70 */
    " FROM ids LEFT JOIN tiers t ON t.name = ids.tier"
    " LEFT JOIN disaster_recovery_log d ON d.rid = ids.drill"
    " LEFT JOIN backup_health_monitoring h ON h.service_name = ids.name"
    " LEFT JOIN backup_management pc ON pc.backup_id = ids.gc_id"
    " LEFT JOIN backup_management pv ON pv.backup_id = ids.gv_id"
    " LEFT JOIN backup_management pn ON pn.backup_id = ids.newest_id"
    " LEFT JOIN LATERAL (SELECT " RESTORE_COLUMNS " FROM restores"
    "  WHERE service_name = ids.name AND kind = 'restore-test' AND ok = 1"
    "  ORDER BY ended_at DESC, id DESC LIMIT 1) tok ON true"
    /* At the same second the one recorded later is the newer: a test
     * that failed right after one that passed is the news (bad news is
     * never hidden by a tie). */
    " LEFT JOIN LATERAL (SELECT " RESTORE_COLUMNS " FROM restores"
    "  WHERE service_name = ids.name AND kind = 'restore-test'"
    "  ORDER BY ended_at DESC, id DESC LIMIT 1) tany ON true"
    /* The failures after the newest success, in the same order. */
    " CROSS JOIN LATERAL (SELECT count(*) AS n FROM restores f"
    "  WHERE f.service_name = ids.name AND f.kind = 'restore-test' AND"
    "  f.ok = 0 AND (f.ended_at > coalesce(tok.ended_at, '') OR"
    "  (f.ended_at = tok.ended_at AND f.id > coalesce(tok.id, 0)))) fails"
    " LEFT JOIN LATERAL (SELECT r.recovery_id, r.is_drill, r.completed_at,"
    "  r.actual_recovery_s, " RESTORE_OF("x") " FROM recovery_services rs"
    "  JOIN disaster_recovery_log r ON r.recovery_id = rs.recovery_id"
    "  JOIN restores x ON x.id = (SELECT y.id FROM restores y WHERE"
    "  y.recovery_id = r.recovery_id AND y.service_name = ids.name AND"
    "  y.ok = 1 ORDER BY y.ended_at DESC, y.id DESC LIMIT 1) WHERE"
    "  rs.service_name = ids.name AND r.recovery_status = 'completed' AND"
    "  r.completed_at IS NOT NULL ORDER BY r.completed_at DESC,"
    "  rs.recovery_id LIMIT 1) ev ON true"
    " ORDER BY ids.name";

/* SQLite's PLAIN_OF (db/sqlite.c) word for word, with the backup's
 * metadata, backup_size and compression_ratio as ?1, ?2 and ?3: a
 * backup's plain (uncompressed) size, where the catalog has it — the
 * plain_bytes drconsole's own backups record, the size an import records,
 * or size x compression ratio; NULL when none of these is known. */
#define PLAIN_BY_RATIO                                                         \
	" WHEN ?3 > 0 THEN"                                                    \
	"  CAST(round(?2 * ?3) AS INTEGER)"
static const char plain_sql[] =
    "SELECT CASE WHEN json_valid(?1) THEN CASE"
    "  WHEN json_type(?1, '$.plain_bytes') IN ('integer', 'real')"
    "  THEN CAST(json_extract(?1, '$.plain_bytes') AS INTEGER)"
    "  WHEN json_type(?1, '$.import') = 'object'"
    "  THEN ?2" PLAIN_BY_RATIO " END" PLAIN_BY_RATIO " END";
// clang-format on

/* The in-memory SQLite that evaluates plain_sql, made on first use. */
struct plain_eval {
	sqlite3 *db;
	sqlite3_stmt *st;
};

static void plain_close(struct plain_eval *pe)
{
	sqlite3_finalize(pe->st);
	sqlite3_close(pe->db);
}

/* The plain size of the backup whose metadata, backup_size and
 * compression_ratio are columns col..col+2 of st; -1 when unknown. */
static int plain_size(struct plain_eval *pe, const struct pg_stmt *st, int col,
                      int64_t *plain, char **err)
{
	int rc;

	*plain = -1;
	if (pe->db == NULL) {
		rc = sqlite3_open_v2(":memory:", &pe->db,
		                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
		                     NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_prepare_v2(pe->db, plain_sql, -1, &pe->st,
			                        NULL);
		if (rc != SQLITE_OK) {
			pg_seterr(err, "reading service states: %s",
			          pe->db != NULL ? sqlite3_errmsg(pe->db)
			                         : sqlite3_errstr(rc));
			return CATALOG_EDB;
		}
	}
	sqlite3_reset(pe->st);
	sqlite3_clear_bindings(pe->st);
	if (!pg_column_null(st, col))
		sqlite3_bind_text(pe->st, 1, pg_column_text(st, col), -1,
		                  SQLITE_TRANSIENT);
	if (!pg_column_null(st, col + 1))
		sqlite3_bind_int64(pe->st, 2, pg_column_int64(st, col + 1));
	if (!pg_column_null(st, col + 2))
		sqlite3_bind_double(pe->st, 3, pg_column_double(st, col + 2));
	rc = sqlite3_step(pe->st);
	if (rc != SQLITE_ROW) {
		pg_seterr(err, "reading service states: %s",
		          sqlite3_errmsg(pe->db));
		return CATALOG_EDB;
	}
	if (sqlite3_column_type(pe->st, 0) != SQLITE_NULL)
		*plain = sqlite3_column_int64(pe->st, 0);
	return CATALOG_OK;
}

static void read_service(const struct pg_stmt *st, int col,
                         struct catalog_service *s)
{
	memset(s, 0, sizeof(*s));
	pg_column_copy(st, col + 0, s->name, sizeof(s->name));
	pg_column_copy(st, col + 1, s->tier, sizeof(s->tier));
	pg_column_copy(st, col + 2, s->owner, sizeof(s->owner));
	s->rto_s = pg_column_int64(st, col + 3);
	s->rpo_s = pg_column_int64(st, col + 4);
	s->backup_frequency_s = pg_column_int64(st, col + 5);
	s->drill_policy_s = pg_column_int64(st, col + 6);
	s->created_at = pg_column_time(st, col + 7);
}

static void read_health(const struct pg_stmt *st, int col,
                        struct catalog_health *h)
{
	memset(h, 0, sizeof(*h));
	pg_column_copy(st, col + 0, h->service, sizeof(h->service));
	h->backup_frequency_s = pg_column_int64(st, col + 1);
	h->last_successful_backup = pg_column_time(st, col + 2);
	h->backup_streak = (int)pg_column_int64(st, col + 3);
	h->failure_count = (int)pg_column_int64(st, col + 4);
	pg_column_copy(st, col + 5, h->health_status, sizeof(h->health_status));
	h->storage_usage_gb = pg_column_double_or(st, col + 6, 0);
	h->storage_quota_gb = pg_column_double_or(st, col + 7, 0);
	h->estimated_full_recovery_s = pg_column_int64_or(st, col + 8, -1);
	h->last_recovery_test = pg_column_time(st, col + 9);
	h->alerts_enabled = pg_column_int64_or(st, col + 10, 1) != 0;
	h->updated_at = pg_column_time(st, col + 11);
}

/* The restore tests and the recovery (db/sqlite_evidence.c's read_tests
 * and read_recovery). */
static void read_evidence(const struct pg_stmt *st,
                          struct catalog_service_state *s)
{
	if (!pg_column_null(st, C_TEST_OK))
		read_restore(st, C_TEST_OK, &s->last_test);
	if (!pg_column_null(st, C_TEST_ANY))
		read_restore(st, C_TEST_ANY, &s->newest_test);
	s->restore_failures = (int)pg_column_int64(st, C_TEST_FAILURES);
	s->evidence_recovery_s = -1;
	if (pg_column_null(st, C_RECOVERY))
		return;
	pg_column_copy(st, C_RECOVERY, s->evidence_recovery_id,
	               sizeof(s->evidence_recovery_id));
	s->evidence_recovery_drill = (int)pg_column_int64(st, C_RECOVERY + 1);
	s->evidence_recovery_at = pg_column_time(st, C_RECOVERY + 2);
	s->evidence_recovery_s = pg_column_int64_or(st, C_RECOVERY + 3, -1);
	read_restore(st, C_RECOVERY + 4, &s->evidence_restore);
}

static int read_state(struct plain_eval *pe, const struct pg_stmt *st,
                      struct catalog_service_state *s, char **err)
{
	int64_t c_at, v_at;
	int rc = CATALOG_OK;

	memset(s, 0, sizeof(*s));
	read_service(st, C_SERVICE, &s->service);
	s->tier_rto_s = pg_column_int64_or(st, C_TIER, 0);
	s->tier_rpo_s = pg_column_int64_or(st, C_TIER + 1, 0);
	c_at = pg_column_time(st, C_GOOD_C);
	v_at = pg_column_time(st, C_GOOD_V);
	if (c_at == 0 && v_at == 0) {
		s->last_good_backup_size = -1;
		s->last_good_backup_plain = -1;
	} else if (c_at >= v_at) {
		s->last_good_backup_at = c_at;
		s->last_good_backup_size =
		    pg_column_int64_or(st, C_GOOD_C + 1, -1);
		rc = plain_size(pe, st, C_PLAIN_C, &s->last_good_backup_plain,
		                err);
		pg_column_copy(st, C_GOOD_C_ID, s->last_good_backup_id,
		               sizeof(s->last_good_backup_id));
	} else {
		s->last_good_backup_at = v_at;
		s->last_good_backup_size =
		    pg_column_int64_or(st, C_GOOD_V + 1, -1);
		rc = plain_size(pe, st, C_PLAIN_V, &s->last_good_backup_plain,
		                err);
		pg_column_copy(st, C_GOOD_C_ID + 1, s->last_good_backup_id,
		               sizeof(s->last_good_backup_id));
	}
	pg_column_copy(st, C_GOOD_C_ID + 2, s->last_attempt_id,
	               sizeof(s->last_attempt_id));
	s->future_backup_at = pg_column_time(st, C_FUTURE_AT);
	pg_column_copy(st, C_FUTURE_ID, s->future_backup_id,
	               sizeof(s->future_backup_id));
	s->future_backup_size = pg_column_int64_or(st, C_FUTURE_ID + 1, -1);
	s->future_backup_plain = -1;
	if (rc == CATALOG_OK && !pg_column_null(st, C_FUTURE_AT))
		rc = plain_size(pe, st, C_PLAIN_FUTURE, &s->future_backup_plain,
		                err);
	if (s->last_good_backup_plain < 0)
		s->last_good_backup_plain = -1;
	if (s->future_backup_plain < 0)
		s->future_backup_plain = -1;
	s->last_attempt_at = pg_column_time(st, C_ATTEMPT);
	pg_column_copy(st, C_ATTEMPT + 1, s->last_attempt_status,
	               sizeof(s->last_attempt_status));
	s->last_drill_at = pg_column_time(st, C_DRILL);
	s->last_drill_duration_s = pg_column_int64_or(st, C_DRILL + 1, -1);
	if (!pg_column_null(st, C_HEALTH)) {
		read_health(st, C_HEALTH, &s->health);
	} else {
		snprintf(s->health.service, sizeof(s->health.service), "%s",
		         s->service.name);
		snprintf(s->health.health_status,
		         sizeof(s->health.health_status), "healthy");
		s->health.estimated_full_recovery_s = -1;
		s->health.alerts_enabled = 1;
	}
	read_evidence(st, s);
	return rc;
}

/* The newest sample of every link, of every service at once, by service
 * name, source and target, merged into the list (by name too: under
 * COLLATE "C" the server orders text as strcmp does). */
static int read_links(struct pg_catalog *pc, struct catalog_service_state *list,
                      size_t count, char **err)
{
	struct pg_stmt *st = pg_prepare(
	    pc, "SELECT l.service_name, " SQLITE_REPLICATION_COLUMNS
	        " FROM replication_links l JOIN replication_history h ON "
	        "h.id = l.last_id ORDER BY l.service_name, l.source, l.target");
	size_t i = 0;
	int rc;

	while ((rc = pg_step(st, "reading replication links", err)) == PG_ROW) {
		const char *name = pg_column_text(st, 0);
		struct catalog_service_state *s;

		while (i < count && strcmp(list[i].service.name, name) < 0)
			i++;
		if (i == count || strcmp(list[i].service.name, name) != 0)
			continue;
		s = &list[i];
		s->links =
		    xreallocarray(s->links, s->n_links + 1, sizeof(*s->links));
		read_replication(st, 1, &s->links[s->n_links++]);
	}
	pg_finalize(st);
	return rc == PG_DONE ? CATALOG_OK : rc;
}

int pg_service_states_impl(void *self, int64_t now,
                           struct catalog_service_state **out, size_t *n,
                           char **err)
{
	struct pg_catalog *pc = self;
	struct catalog_service_state *list = NULL;
	struct plain_eval pe = {NULL, NULL};
	size_t count = 0;
	struct pg_stmt *st = pg_prepare(pc, service_states_sql);
	int rc;

	*out = NULL;
	*n = 0;
	pg_bind_time(st, 1, now);
	while ((rc = pg_step(st, "reading service states", err)) == PG_ROW) {
		list = xreallocarray(list, count + 1, sizeof(*list));
		rc = read_state(&pe, st, &list[count++], err);
		if (rc != CATALOG_OK)
			break;
	}
	pg_finalize(st);
	plain_close(&pe);
	if (rc == PG_DONE)
		rc = read_links(pc, list, count, err);
	if (rc != CATALOG_OK) {
		catalog_service_states_free(list, count);
		return rc;
	}
	*out = list;
	*n = count;
	return CATALOG_OK;
}
