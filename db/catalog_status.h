/* The names of the backup statuses that make a good backup, as stored in
 * backup_management.backup_status, and the SQL form of "a good backup"
 * built from them.  A good backup, a recovery point, is completed or
 * verified (docs/EVIDENCE.md).  C code asks backup_status_is_good()
 * (core/backup_status.h), which is built from the same two names; SQL that
 * runs now uses CATALOG_BACKUP_GOOD_SQL.  Past migrations keep the SQL they
 * ran with (db/migrations.c ties theirs to this one at compile time), so a
 * new good status takes a new migration for the triggers too. */
#ifndef DR_CATALOG_STATUS_H
#define DR_CATALOG_STATUS_H

#define CATALOG_BACKUP_COMPLETED "completed"
#define CATALOG_BACKUP_VERIFIED  "verified"
/* How many statuses are good: the names above. */
#define CATALOG_BACKUP_GOOD_COUNT 2

/* The list for "backup_status IN " CATALOG_BACKUP_GOOD_SQL. */
#define CATALOG_BACKUP_GOOD_SQL                                                \
	"('" CATALOG_BACKUP_COMPLETED "', '" CATALOG_BACKUP_VERIFIED "')"

#endif
