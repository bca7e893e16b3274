/* The SQLite catalog's schema as numbered migrations compiled into the
 * binary.  The catalog's PRAGMA user_version is the highest migration it has
 * received; opening it read-write applies every newer one, in order of
 * version, each in its own transaction together with the user_version bump.
 * Versions need not be consecutive (branches add numbers in parallel), but
 * each number appears once and a published migration is never edited: add a
 * new one instead. */
#ifndef DR_MIGRATIONS_H
#define DR_MIGRATIONS_H

#include <sqlite3.h>
#include <stddef.h>

struct migration {
	int version;
	const char *name;
	const char *sql;
};

/* The table, in the order written (not necessarily by version). */
const struct migration *migrations_table(size_t *n);
/* The highest version in the table. */
int migrations_latest(void);
/* Applies every migration newer than the catalog's user_version, oldest
 * first, up to and including `upto` (0: all).  Returns a catalog_rc; on
 * failure the catalog stays at the last version that committed. */
int migrations_apply(sqlite3 *db, int upto, char **err);
/* The same for any table (tests feed their own, with gaps and failures). */
int migrations_apply_table(sqlite3 *db, const struct migration *table, size_t n,
                           int upto, char **err);

#endif
