/* The PostgreSQL backend's imports (db/catalog_import.h), with the SQLite
 * backend's statements (db/sqlite_import.c).
 *
 * The ids an import listed go to a TEMP table of the connection, made by
 * import_begin and dropped by import_end, so the expiry stays one
 * statement however long the listing (SQLite attaches a scratch file for
 * the same reason).  Puts and the expiry run in the caller's transaction
 * as SQLite's do: a failed one fails the import, which is rolled back.
 *
 * What PostgreSQL 15 cannot say as SQLite does is its JSON: there is no
 * json_valid (IS JSON is version 16), and jsonb writes a document back
 * with its keys reordered and spaced, where SQLite's json_set() writes
 * its own compact text.  The metadata a re-import leaves must be that
 * text to the byte, or every re-import would find every row changed; so
 * it is computed by SQLite's own json_set() in a private in-memory SQLite
 * database, from the row's metadata read under a row lock (SELECT ... FOR
 * UPDATE: SQLite's single writer makes read-and-rewrite atomic, here the
 * lock keeps a verifier from writing the row in between), and the UPDATE
 * then compares and stores that text.  The expiry reads the import's tool
 * and repository with a function of the session (pg_temp), which answers
 * NULL for a document that is not JSON, as json_valid() guards it in
 * SQLite. */
#include "db/pg_int.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/catalog_import.h"

struct pg_import {
	struct pg_catalog *pc;
	sqlite3 *json;           /* in memory: SQLite's JSON functions */
	sqlite3_stmt *json_meta; /* the metadata a re-import leaves */
};

/* The session's scratch: the ids listed, and the JSON reader.  A table
 * left by an import that could not end is replaced. */
static const char begin_sql[] =
    "DROP TABLE IF EXISTS pg_temp.import_seen; "
    "CREATE TEMP TABLE import_seen (backup_id TEXT COLLATE \"C\" PRIMARY "
    "KEY); "
    "CREATE OR REPLACE FUNCTION pg_temp.drc_json_text(doc text, path "
    "text[]) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $f$ "
    "DECLARE j json; "
    "BEGIN "
    " IF doc IS NULL THEN RETURN NULL; END IF; "
    " j := doc::json; "
    " IF json_typeof(j #> path) = 'string' THEN RETURN j #>> path; END IF; "
    " RETURN NULL; "
    "EXCEPTION WHEN data_exception THEN RETURN NULL; "
    "END $f$";
static const char end_sql[] =
    "DROP TABLE IF EXISTS pg_temp.import_seen; "
    "DROP FUNCTION IF EXISTS pg_temp.drc_json_text(text, text[])";

/* SQLite's NEW_METADATA (db/sqlite_import.c) with the row's metadata as
 * ?1 and the import's as ?2. */
static const char json_meta_sql[] =
    "SELECT CASE WHEN json_valid(?1) AND json_valid(?2) AND "
    "json_type(?1) = 'object' THEN json_set(?1, '$.import', "
    "json_extract(?2, '$.import')) ELSE ?2 END";

/* The status a re-import leaves: drconsole's own verdict on a completed
 * backup (verified, corrupt, restore_failed) outlives the tool's
 * "completed". */
#define NEW_STATUS                                                             \
	"CASE WHEN ?5::text = 'completed' AND backup_status IN ('verified', "  \
	"'corrupt', 'restore_failed') THEN backup_status ELSE ?5::text END"

static const char insert_sql[] =
    "INSERT INTO backup_management (backup_id, tenant_id, service_name, "
    "backup_type, backup_status, backup_location, backup_size, "
    "compression_ratio, started_at, completed_at, metadata, created_at, "
    "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
    "?12, ?12) ON CONFLICT (backup_id) DO NOTHING";
/* ?11 is the metadata json_meta_sql made. */
static const char update_sql[] =
    "UPDATE backup_management SET backup_type = ?4, backup_status = "
    "" NEW_STATUS ", backup_location = ?6, backup_size = ?7, "
    "compression_ratio = ?8, started_at = ?9, completed_at = ?10, "
    "metadata = ?11, updated_at = ?12 WHERE backup_id = ?1 AND "
    "service_name = ?3 AND (backup_type IS DISTINCT FROM ?4 OR "
    "backup_status IS DISTINCT FROM " NEW_STATUS " OR backup_location IS "
    "DISTINCT FROM ?6 OR backup_size IS DISTINCT FROM ?7 OR "
    "compression_ratio IS DISTINCT FROM ?8 OR started_at IS DISTINCT FROM "
    "?9 OR completed_at IS DISTINCT FROM ?10 OR metadata IS DISTINCT FROM "
    "?11)";
static const char owner_sql[] = "SELECT service_name, metadata FROM "
                                "backup_management WHERE backup_id = ?1 "
                                "FOR UPDATE";
static const char seen_sql[] = "INSERT INTO pg_temp.import_seen (backup_id) "
                               "VALUES (?1) ON CONFLICT DO NOTHING";
static const char expire_sql[] =
    "UPDATE backup_management SET backup_status = 'expired', updated_at = "
    "?4 WHERE service_name = ?1 AND backup_status <> 'expired' AND "
    "pg_temp.drc_json_text(metadata, '{import,tool}') = ?2 AND "
    "pg_temp.drc_json_text(metadata, '{import,repository}') = ?3 AND NOT "
    "EXISTS (SELECT 1 FROM pg_temp.import_seen s WHERE s.backup_id = "
    "backup_management.backup_id)";

static void pg_import_end_impl(void *state)
{
	struct pg_import *imp = state;

	if (imp == NULL)
		return;
	sqlite3_finalize(imp->json_meta);
	sqlite3_close(imp->json);
	/* Inside a failed transaction the drop would fail too; the next
	 * import_begin replaces what is left. */
	if (!(imp->pc->in_tx && imp->pc->tx_failed))
		pg_exec(imp->pc, end_sql, "ending an import", NULL);
	free(imp);
}

static int pg_import_begin_impl(void *self, void **out, char **err)
{
	struct pg_catalog *pc = self;
	struct pg_import *imp;
	int rc;

	*out = NULL;
	if ((rc = pg_check_writable(pc, err)) != CATALOG_OK)
		return rc;
	if (pc->in_tx) {
		pg_seterr(err, "an import starts before its transaction");
		return CATALOG_EINVAL;
	}
	imp = xcalloc(1, sizeof(*imp));
	imp->pc = pc;
	if (sqlite3_open_v2(":memory:", &imp->json,
	                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
	                    NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(imp->json, json_meta_sql, -1, &imp->json_meta,
	                       NULL) != SQLITE_OK) {
		pg_seterr(err, "preparing an import: %s",
		          imp->json != NULL ? sqlite3_errmsg(imp->json)
		                            : "out of memory");
		sqlite3_close(imp->json);
		free(imp);
		return CATALOG_EDB;
	}
	rc = pg_exec(pc, begin_sql, "preparing an import", err);
	if (rc != CATALOG_OK) {
		pg_import_end_impl(imp);
		return rc;
	}
	*out = imp;
	return CATALOG_OK;
}

static void bind_row(struct pg_stmt *st, const struct catalog_backup *b,
                     int64_t now)
{
	pg_bind_text(st, 1, b->backup_id);
	pg_bind_text(st, 2, b->tenant_id[0] ? b->tenant_id : PG_DEFAULT_TENANT);
	pg_bind_text(st, 3, b->service);
	pg_bind_text(st, 4, b->type);
	pg_bind_text(st, 5, b->status);
	pg_bind_text(st, 6, b->location);
	if (b->size_bytes < 0)
		pg_bind_null(st, 7);
	else
		pg_bind_int64(st, 7, b->size_bytes);
	if (b->compression_ratio == 0)
		pg_bind_null(st, 8);
	else
		pg_bind_double(st, 8, b->compression_ratio);
	pg_bind_time(st, 9, b->started_at);
	pg_bind_time(st, 10, b->completed_at);
	pg_bind_text(st, 11, b->metadata);
	pg_bind_time(st, 12, now);
}

/* The metadata a re-import of `incoming` over `stored` leaves (malloc'd,
 * or NULL for SQL NULL). */
static int json_metadata(struct pg_import *imp, const char *stored,
                         const char *incoming, char **out, char **err)
{
	sqlite3_stmt *st = imp->json_meta;
	int rc;

	*out = NULL;
	sqlite3_bind_text(st, 1, stored, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, incoming, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *v = sqlite3_column_text(st, 0);
		if (v != NULL)
			*out = xstrdup((const char *)v);
		rc = CATALOG_OK;
	} else {
		pg_seterr(err, "updating a backup: %s",
		          sqlite3_errmsg(imp->json));
		rc = CATALOG_EDB;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

/* The insert, else the update of the same service's row, else the
 * owner: SQLite's order, with the owner read first (and locked) since
 * the update needs its metadata. */
static int put_row(struct pg_import *imp, const struct catalog_backup *b,
                   int *outcome, char other_service[64], char **err)
{
	struct pg_catalog *pc = imp->pc;
	int64_t now = pg_now();
	struct pg_stmt *st = pg_prepare(pc, insert_sql);
	char *metadata = NULL;
	int rc;

	bind_row(st, b, now);
	rc = pg_run(st, "importing a backup", err);
	if (rc == CATALOG_OK && pg_changes(st) == 1)
		*outcome = CATALOG_IMPORT_INSERTED;
	pg_finalize(st);
	if (rc != CATALOG_OK || *outcome == CATALOG_IMPORT_INSERTED)
		return rc;

	*outcome = CATALOG_IMPORT_UNCHANGED;
	st = pg_prepare(pc, owner_sql);
	pg_bind_text(st, 1, b->backup_id);
	rc = pg_step_row(st, "reading a backup", err);
	if (rc == CATALOG_ENOTFOUND) {
		pg_finalize(st);
		return CATALOG_OK;
	}
	if (rc == CATALOG_OK) {
		pg_column_copy(st, 0, other_service, 64);
		if (strcmp(other_service, b->service) != 0)
			*outcome = CATALOG_IMPORT_CONFLICT;
		else
			rc = json_metadata(imp, pg_column_text(st, 1),
			                   b->metadata, &metadata, err);
	}
	pg_finalize(st);
	if (rc != CATALOG_OK || *outcome == CATALOG_IMPORT_CONFLICT)
		return rc;

	st = pg_prepare(pc, update_sql);
	bind_row(st, b, now);
	pg_bind_text(st, 11, metadata);
	rc = pg_run(st, "updating a backup", err);
	if (rc == CATALOG_OK && pg_changes(st) == 1) {
		*outcome = CATALOG_IMPORT_UPDATED;
		other_service[0] = '\0';
	}
	pg_finalize(st);
	free(metadata);
	return rc;
}

static int pg_import_put_impl(void *state, const struct catalog_backup *b,
                              int *outcome, char other_service[64], char **err)
{
	struct pg_import *imp = state;
	struct pg_catalog *pc = imp->pc;
	/* Outside the caller's transaction a put is one of its own, so the
	 * row lock lasts until the update. */
	int own = !pc->in_tx, rc = CATALOG_OK;
	struct pg_stmt *st;

	other_service[0] = '\0';
	*outcome = 0;
	if (own && (rc = pg_write_begin(pc, err)) != CATALOG_OK)
		return rc;
	rc = put_row(imp, b, outcome, other_service, err);
	if (rc == CATALOG_OK) {
		st = pg_prepare(pc, seen_sql);
		pg_bind_text(st, 1, b->backup_id);
		rc = pg_run(st, "importing a backup", err);
		pg_finalize(st);
	}
	return own ? pg_write_end(pc, rc, err) : rc;
}

static int pg_import_expire_impl(void *state, const char *service,
                                 const char *tool, const char *repository,
                                 int64_t *expired, char **err)
{
	struct pg_import *imp = state;
	struct pg_catalog *pc = imp->pc;
	struct pg_stmt *st = pg_prepare(pc, expire_sql);
	int own = !pc->in_tx, rc = CATALOG_OK;

	*expired = 0;
	pg_bind_text(st, 1, service);
	pg_bind_text(st, 2, tool);
	pg_bind_text(st, 3, repository);
	pg_bind_time(st, 4, pg_now());
	if (own)
		rc = pg_write_begin(pc, err);
	if (rc == CATALOG_OK) {
		rc = pg_run(st, "expiring imported backups", err);
		if (rc == CATALOG_OK)
			*expired = pg_changes(st);
		if (own)
			rc = pg_write_end(pc, rc, err);
	}
	pg_finalize(st);
	return rc;
}

const struct catalog_import_ops pg_import_ops = {
    .import_begin = pg_import_begin_impl,
    .import_put = pg_import_put_impl,
    .import_expire = pg_import_expire_impl,
    .import_end = pg_import_end_impl,
};
