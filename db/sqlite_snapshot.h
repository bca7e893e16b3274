/* A consistent copy of a live SQLite database, for the "sqlite" backup
 * source.  Independent of the catalog; here because db/ is the only place
 * that may include sqlite3.h. */
#ifndef DR_SQLITE_SNAPSHOT_H
#define DR_SQLITE_SNAPSHOT_H

/* Copies the database at src into the file dst (replaced) with the online
 * backup API, as of one point in time while writers go on.  stop (may be
 * NULL) is asked between steps and while the source is locked; when it
 * returns nonzero the copy ends with "interrupted".  Returns 0
 * (CATALOG_OK) or a catalog_rc with *err set. */
int sqlite_snapshot_copy(const char *src, const char *dst, int (*stop)(void),
                         char **err);

#endif
