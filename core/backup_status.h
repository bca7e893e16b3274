/* Which backups count.  A good backup, a recovery point, is completed or
 * verified: what latest: restores, what retention keeps generations of,
 * what the age of the recovery point is measured from.  One definition, in
 * C here and in SQL beside the names it is built from
 * (db/catalog_status.h). */
#ifndef DR_BACKUP_STATUS_H
#define DR_BACKUP_STATUS_H

#include <stddef.h>

#include "db/catalog_status.h"

#define BACKUP_GOOD_COUNT CATALOG_BACKUP_GOOD_COUNT

/* The good statuses, verified first (the better evidence: where two good
 * backups complete at the same time, the verified one is the newer). */
extern const char *const backup_good_statuses[BACKUP_GOOD_COUNT];
/* The statuses verify reads back: the good ones and corrupt (a corrupt
 * backup verified again may turn out intact), completed first. */
extern const char *const backup_verifiable_statuses[BACKUP_GOOD_COUNT + 1];

/* 1 when status is a good backup's (completed or verified); NULL is not. */
int backup_status_is_good(const char *status);
/* 1 when verify may read a backup of status. */
int backup_status_is_verifiable(const char *status);

#endif
