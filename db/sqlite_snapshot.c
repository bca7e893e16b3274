/* The copy holds one read transaction on the source from the first page to
 * the last.  sqlite3_backup_step() uses a read transaction the source
 * connection already has instead of opening its own per step, so no write
 * by another connection becomes visible to it: the copy is one point in
 * time and never restarts, however fast writers commit.  In WAL mode the
 * writers go on meanwhile; with a rollback journal they wait for the copy
 * (their busy timeout), as they would for any reader. */
#include "db/sqlite_snapshot.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/catalog.h"
#include "lib/xmalloc.h"

/* Pages per step: 4 MiB of 4 KiB pages, so a stop is heard within one. */
#define SNAPSHOT_STEP_PAGES 1024
/* How long a lock held by someone else is waited for, in 10 ms naps. */
#define SNAPSHOT_BUSY_NAPS 1000

struct snapshot_wait {
	int (*stop)(void);
	int stopped;
};

static int snapshot_busy(void *arg, int count)
{
	struct snapshot_wait *w = arg;
	if (w->stop && w->stop()) {
		w->stopped = 1;
		return 0;
	}
	if (count >= SNAPSHOT_BUSY_NAPS)
		return 0;
	sqlite3_sleep(10);
	return 1;
}

static int snapshot_stopped(struct snapshot_wait *w)
{
	if (w->stop && w->stop())
		w->stopped = 1;
	return w->stopped;
}

/* Opens the read transaction the whole copy runs in. */
static int snapshot_begin(sqlite3 *from, const char *src, char **err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_exec(from, "BEGIN", NULL, NULL, NULL);
	/* BEGIN is deferred: the first read takes the snapshot. */
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(
		    from, "SELECT count(*) FROM sqlite_master", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		*err = xasprintf("cannot read SQLite database %s: %s", src,
		                 sqlite3_errmsg(from));
	return rc;
}

static int snapshot_steps(sqlite3 *from, sqlite3 *to, const char *src,
                          struct snapshot_wait *w, char **err)
{
	sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
	if (b == NULL) {
		*err = xasprintf("cannot start the backup of %s: %s", src,
		                 sqlite3_errmsg(to));
		return CATALOG_EIO;
	}
	int step = SQLITE_OK, busy = 0;
	do {
		if (snapshot_stopped(w))
			break;
		step = sqlite3_backup_step(b, SNAPSHOT_STEP_PAGES);
		/* Only the destination can be busy here (the source is
		 * already read-locked), and it is ours alone; bounded all
		 * the same. */
		if (step == SQLITE_BUSY || step == SQLITE_LOCKED) {
			if (++busy > SNAPSHOT_BUSY_NAPS)
				break;
			sqlite3_sleep(10);
		}
	} while (step == SQLITE_OK || step == SQLITE_BUSY ||
	         step == SQLITE_LOCKED);
	sqlite3_backup_finish(b);
	if (w->stopped) {
		*err =
		    xasprintf("interrupted: the copy of %s was stopped", src);
		return CATALOG_EIO;
	}
	if (step != SQLITE_DONE) {
		*err = xasprintf("backup of %s failed: %s", src,
		                 step == SQLITE_BUSY || step == SQLITE_LOCKED
		                     ? "still locked after 10 seconds"
		                     : sqlite3_errstr(step));
		return CATALOG_EIO;
	}
	return CATALOG_OK;
}

int sqlite_snapshot_copy(const char *src, const char *dst, int (*stop)(void),
                         char **err)
{
	sqlite3 *from = NULL, *to = NULL;
	struct snapshot_wait w = {.stop = stop};
	int rc = CATALOG_OK;
	if (sqlite3_open_v2(src, &from, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		*err = xasprintf("cannot open SQLite database %s: %s", src,
		                 from ? sqlite3_errmsg(from) : "out of memory");
		sqlite3_close(from);
		return CATALOG_EIO;
	}
	sqlite3_busy_handler(from, snapshot_busy, &w);
	if (sqlite3_open_v2(dst, &to,
	                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
	                    NULL) != SQLITE_OK) {
		*err = xasprintf("cannot create %s: %s", dst,
		                 to ? sqlite3_errmsg(to) : "out of memory");
		sqlite3_close(to);
		sqlite3_close(from);
		return CATALOG_EIO;
	}
	/* No journal beside the copy: it is ours alone and thrown away on
	 * any failure, and a journal file would be one more plain-text
	 * leftover. */
	sqlite3_exec(to, "PRAGMA journal_mode=OFF", NULL, NULL, NULL);
	if (snapshot_begin(from, src, err) != SQLITE_OK) {
		if (w.stopped) {
			free(*err);
			*err = xasprintf(
			    "interrupted: the copy of %s was stopped", src);
		}
		rc = CATALOG_EIO;
	} else {
		rc = snapshot_steps(from, to, src, &w, err);
		sqlite3_exec(from, "COMMIT", NULL, NULL, NULL);
	}
	sqlite3_close(to);
	sqlite3_close(from);
	return rc;
}
