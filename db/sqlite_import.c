/* The SQLite side of db/catalog_import.h.  The ids an import listed go to
 * a scratch database of their own, a file attached for the import and
 * removed after it, so the expiry is one statement however long the
 * listing.  Not a TEMP table: the catalog keeps temp_store in memory, and
 * a million ids would then be tens of megabytes of our memory.  The
 * scratch file needs no journal: it is thrown away whatever happens. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/backend.h"
#include "db/catalog_import.h"
#include "db/sqlite_int.h"

#define DEFAULT_TENANT "00000000-0000-0000-0000-000000000000"

struct sqlite_import {
	struct sqlite_catalog *sc;
	char *path; /* the scratch database */
	sqlite3_stmt *insert, *update, *owner, *seen, *expire;
};

/* The status a re-import leaves: drconsole's own verdict on a completed
 * backup (verified, corrupt, restore_failed) outlives the tool's
 * "completed". */
#define NEW_STATUS                                                             \
	"CASE WHEN ?5 = 'completed' AND backup_status IN ('verified', "        \
	"'corrupt', 'restore_failed') THEN backup_status ELSE ?5 END"

/* The metadata a re-import leaves: the tool's part ("import") replaced,
 * drconsole's own facts about the backup (verified_at,
 * restore_test_seconds, error) kept. */
#define NEW_METADATA                                                           \
	"CASE WHEN json_valid(metadata) AND json_valid(?11) AND "              \
	"json_type(metadata) = 'object' THEN json_set(metadata, '$.import', "  \
	"json_extract(?11, '$.import')) ELSE ?11 END"

static const char insert_sql[] =
    "INSERT INTO backup_management (backup_id, tenant_id, service_name, "
    "backup_type, backup_status, backup_location, backup_size, "
    "compression_ratio, started_at, completed_at, metadata, created_at, "
    "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
    "?12, ?12) ON CONFLICT (backup_id) DO NOTHING";
static const char update_sql[] =
    "UPDATE backup_management SET backup_type = ?4, backup_status = "
    "" NEW_STATUS ", backup_location = ?6, backup_size = ?7, "
    "compression_ratio = ?8, started_at = ?9, completed_at = ?10, "
    "metadata = " NEW_METADATA ", updated_at = ?12 WHERE backup_id = ?1 "
    "AND "
    "service_name = ?3 AND (backup_type IS NOT ?4 OR backup_status IS NOT "
    "" NEW_STATUS " OR backup_location IS NOT ?6 OR backup_size IS NOT ?7 "
    "OR compression_ratio IS NOT ?8 OR started_at IS NOT ?9 OR "
    "completed_at IS NOT ?10 OR metadata IS NOT " NEW_METADATA ")";
static const char owner_sql[] =
    "SELECT service_name FROM backup_management WHERE backup_id = ?1";
static const char seen_sql[] =
    "INSERT OR IGNORE INTO import_scratch.seen (backup_id) VALUES (?1)";
static const char expire_sql[] =
    "UPDATE backup_management SET backup_status = 'expired', updated_at = "
    "?4 WHERE service_name = ?1 AND backup_status <> 'expired' AND "
    "json_valid(metadata) AND json_extract(metadata, '$.import.tool') = ?2 "
    "AND json_extract(metadata, '$.import.repository') = ?3 AND backup_id "
    "NOT IN (SELECT backup_id FROM import_scratch.seen)";

static void sqlite_import_end_impl(void *state)
{
	struct sqlite_import *imp = state;

	if (imp == NULL)
		return;
	sqlite3_finalize(imp->insert);
	sqlite3_finalize(imp->update);
	sqlite3_finalize(imp->owner);
	sqlite3_finalize(imp->seen);
	sqlite3_finalize(imp->expire);
	if (imp->path != NULL) {
		sqlite3_exec(imp->sc->db, "DETACH DATABASE import_scratch",
		             NULL, NULL, NULL);
		unlink(imp->path);
		free(imp->path);
	}
	free(imp);
}

static int sqlite_import_begin_impl(void *self, void **out, char **err)
{
	struct sqlite_catalog *sc = self;
	struct sqlite_import *imp;
	int rc;

	*out = NULL;
	if ((rc = sqlite_check_writable(sc, err)) != CATALOG_OK)
		return rc;
	if (sc->in_tx) {
		sqlite_seterr(err, "an import starts before its transaction");
		return CATALOG_EINVAL;
	}
	const char *tmpdir = getenv("TMPDIR");
	char *path = xasprintf("%s/drconsole-import-XXXXXX",
	                       tmpdir && *tmpdir ? tmpdir : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0) {
		sqlite_seterr(err, "cannot make a scratch file for the import");
		free(path);
		return CATALOG_EIO;
	}
	close(fd);
	imp = xcalloc(1, sizeof(*imp));
	imp->sc = sc;
	imp->path = path;
	char *sql =
	    sqlite3_mprintf("ATTACH DATABASE %Q AS import_scratch; "
	                    "PRAGMA import_scratch.journal_mode = OFF; "
	                    "PRAGMA import_scratch.synchronous = OFF; "
	                    "CREATE TABLE import_scratch.seen "
	                    "(backup_id TEXT PRIMARY KEY) WITHOUT ROWID",
	                    path);
	if (sql == NULL)
		xmalloc_oom(0);
	rc = sqlite_exec(sc, sql, "preparing an import", err);
	sqlite3_free(sql);
	if (rc != CATALOG_OK) {
		sqlite_import_end_impl(imp);
		return rc;
	}
	if ((rc = sqlite_prepare(sc, insert_sql, &imp->insert, err)) ||
	    (rc = sqlite_prepare(sc, update_sql, &imp->update, err)) ||
	    (rc = sqlite_prepare(sc, owner_sql, &imp->owner, err)) ||
	    (rc = sqlite_prepare(sc, seen_sql, &imp->seen, err)) ||
	    (rc = sqlite_prepare(sc, expire_sql, &imp->expire, err))) {
		sqlite_import_end_impl(imp);
		return rc;
	}
	*out = imp;
	return CATALOG_OK;
}

static void bind_row(sqlite3_stmt *st, const struct catalog_backup *b,
                     int64_t now)
{
	sqlite3_bind_text(st, 1, b->backup_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2,
	                  b->tenant_id[0] ? b->tenant_id : DEFAULT_TENANT, -1,
	                  SQLITE_STATIC);
	sqlite3_bind_text(st, 3, b->service, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, b->type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, b->status, -1, SQLITE_STATIC);
	sqlite_bind_text(st, 6, b->location);
	if (b->size_bytes < 0)
		sqlite3_bind_null(st, 7);
	else
		sqlite3_bind_int64(st, 7, b->size_bytes);
	if (b->compression_ratio == 0)
		sqlite3_bind_null(st, 8);
	else
		sqlite3_bind_double(st, 8, b->compression_ratio);
	sqlite_bind_time(st, 9, b->started_at);
	sqlite_bind_time(st, 10, b->completed_at);
	sqlite_bind_text(st, 11, b->metadata);
	sqlite_bind_time(st, 12, now);
}

static int step_done(struct sqlite_catalog *sc, sqlite3_stmt *st,
                     const char *what, char **err)
{
	int rc = sqlite3_step(st);
	rc = rc == SQLITE_DONE ? CATALOG_OK
	                       : sqlite_status(sc->db, rc, what, err);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

static int sqlite_import_put_impl(void *state, const struct catalog_backup *b,
                                  int *outcome, char other_service[64],
                                  char **err)
{
	struct sqlite_import *imp = state;
	struct sqlite_catalog *sc = imp->sc;
	int64_t now = catalog_now();
	int rc;

	other_service[0] = '\0';
	bind_row(imp->insert, b, now);
	if ((rc = step_done(sc, imp->insert, "importing a backup", err)))
		return rc;
	if (sqlite3_changes(sc->db) == 1) {
		*outcome = CATALOG_IMPORT_INSERTED;
	} else {
		bind_row(imp->update, b, now);
		if ((rc = step_done(sc, imp->update, "updating a backup", err)))
			return rc;
		if (sqlite3_changes(sc->db) == 1) {
			*outcome = CATALOG_IMPORT_UPDATED;
		} else {
			sqlite3_bind_text(imp->owner, 1, b->backup_id, -1,
			                  SQLITE_STATIC);
			rc = sqlite3_step(imp->owner);
			*outcome = CATALOG_IMPORT_UNCHANGED;
			if (rc == SQLITE_ROW) {
				sqlite_column_copy(imp->owner, 0, other_service,
				                   64);
				if (strcmp(other_service, b->service) != 0)
					*outcome = CATALOG_IMPORT_CONFLICT;
				rc = SQLITE_DONE;
			}
			rc = rc == SQLITE_DONE
			         ? CATALOG_OK
			         : sqlite_status(sc->db, rc, "reading a backup",
			                         err);
			sqlite3_reset(imp->owner);
			sqlite3_clear_bindings(imp->owner);
			if (rc != CATALOG_OK)
				return rc;
		}
	}
	sqlite3_bind_text(imp->seen, 1, b->backup_id, -1, SQLITE_STATIC);
	return step_done(sc, imp->seen, "importing a backup", err);
}

static int sqlite_import_expire_impl(void *state, const char *service,
                                     const char *tool, const char *repository,
                                     int64_t *expired, char **err)
{
	struct sqlite_import *imp = state;
	struct sqlite_catalog *sc = imp->sc;
	int rc;

	*expired = 0;
	sqlite3_bind_text(imp->expire, 1, service, -1, SQLITE_STATIC);
	sqlite3_bind_text(imp->expire, 2, tool, -1, SQLITE_STATIC);
	sqlite3_bind_text(imp->expire, 3, repository, -1, SQLITE_STATIC);
	sqlite_bind_time(imp->expire, 4, catalog_now());
	rc = step_done(sc, imp->expire, "expiring imported backups", err);
	if (rc == CATALOG_OK)
		*expired = sqlite3_changes(sc->db);
	return rc;
}

const struct catalog_import_ops sqlite_import_ops = {
    .import_begin = sqlite_import_begin_impl,
    .import_put = sqlite_import_put_impl,
    .import_expire = sqlite_import_expire_impl,
    .import_end = sqlite_import_end_impl,
};
