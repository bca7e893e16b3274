/* A consistent copy of a live SQLite database, for the "sqlite" backup
 * source.  Independent of the catalog; here because db/ is the only place
 * that may include sqlite3.h. */
#ifndef DR_SQLITE_SNAPSHOT_H
#define DR_SQLITE_SNAPSHOT_H

/* Copies the database at src into the file dst (replaced) with the online
 * backup API, retrying while writers hold locks.  Returns 0 (CATALOG_OK) or
 * a catalog_rc with *err set. */
int sqlite_snapshot_copy(const char *src, const char *dst, char **err);

#endif
