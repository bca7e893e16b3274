#include "db/sqlite_snapshot.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/catalog.h"
#include "lib/xmalloc.h"

int sqlite_snapshot_copy(const char *src, const char *dst, char **err)
{
	sqlite3 *from = NULL, *to = NULL;
	int rc = CATALOG_OK;
	if (sqlite3_open_v2(src, &from, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		*err = xasprintf("cannot open SQLite database %s: %s", src,
		                 from ? sqlite3_errmsg(from) : "out of memory");
		sqlite3_close(from);
		return CATALOG_EIO;
	}
	sqlite3_busy_timeout(from, 5000);
	if (sqlite3_open_v2(dst, &to,
	                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
	                    NULL) != SQLITE_OK) {
		*err = xasprintf("cannot create %s: %s", dst,
		                 to ? sqlite3_errmsg(to) : "out of memory");
		sqlite3_close(to);
		sqlite3_close(from);
		return CATALOG_EIO;
	}
	sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
	if (b == NULL) {
		*err = xasprintf("cannot start the backup of %s: %s", src,
		                 sqlite3_errmsg(to));
		rc = CATALOG_EIO;
	} else {
		int step;
		/* Small steps let writers in between; a change by another
		 * connection restarts the copy, so the result is one
		 * consistent state. */
		do {
			step = sqlite3_backup_step(b, 256);
			if (step == SQLITE_BUSY || step == SQLITE_LOCKED)
				sqlite3_sleep(20);
		} while (step == SQLITE_OK || step == SQLITE_BUSY ||
		         step == SQLITE_LOCKED);
		sqlite3_backup_finish(b);
		if (step != SQLITE_DONE) {
			*err = xasprintf("backup of %s failed: %s", src,
			                 sqlite3_errstr(step));
			rc = CATALOG_EIO;
		}
	}
	sqlite3_close(to);
	sqlite3_close(from);
	return rc;
}
