/* The SQLite side of db/catalog_counters.h. */
#include <stdlib.h>
#include <string.h>

#include "db/backend.h"
#include "db/catalog_counters.h"
#include "db/sqlite_int.h"
#include "lib/xmalloc.h"

int sqlite_service_counters_impl(void *self,
                                 struct catalog_service_counters **out,
                                 size_t *n, char **err)
{
	struct sqlite_catalog *sc = self;
	struct catalog_service_counters *list = NULL;
	size_t len = 0, cap = 0;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	rc = sqlite_prepare(
	    sc,
	    "SELECT s.name, "
	    " (SELECT count(*) FROM backup_management b "
	    "  WHERE b.service_name = s.name), "
	    " (SELECT count(*) FROM restores r WHERE r.service_name = s.name "
	    "  AND r.kind = 'restore-test'), "
	    " (SELECT count(*) FROM restores r WHERE r.service_name = s.name "
	    "  AND r.kind = 'restore-test' AND r.ok = 0) "
	    "FROM services s ORDER BY s.name",
	    &st, err);
	if (rc != CATALOG_OK)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 16;
			list = xreallocarray(list, cap, sizeof(*list));
		}
		struct catalog_service_counters *c = &list[len++];
		memset(c, 0, sizeof(*c));
		sqlite_column_copy(st, 0, c->service, sizeof(c->service));
		c->backup_attempts = sqlite3_column_int64(st, 1);
		c->restore_tests = sqlite3_column_int64(st, 2);
		c->restore_tests_failed = sqlite3_column_int64(st, 3);
	}
	if (rc != SQLITE_DONE) {
		rc = sqlite_status(sc->db, rc, "counting backups and restores",
		                   err);
		sqlite3_finalize(st);
		free(list);
		return rc;
	}
	sqlite3_finalize(st);
	*out = list;
	*n = len;
	return CATALOG_OK;
}
