/* Bulk writes of imported backups (core/import.c), inside one catalog
 * transaction: an insert-or-update by backup id that leaves unchanged rows
 * alone (a re-import of a million backups rewrites none of them, and fires
 * no trigger), a record of the ids this import listed, and the expiry of
 * the rows a tool no longer lists.  An imported row says where it came
 * from in its metadata: {"import": {"tool": ..., "repository": ...,
 * "label": ...}}. */
#ifndef DR_CATALOG_IMPORT_H
#define DR_CATALOG_IMPORT_H

#include <stdint.h>

#include "db/catalog.h"

enum catalog_import_outcome {
	CATALOG_IMPORT_INSERTED = 1,
	CATALOG_IMPORT_UPDATED,
	CATALOG_IMPORT_UNCHANGED,
	CATALOG_IMPORT_CONFLICT, /* the id is another service's backup */
};

struct catalog_import;

/* Call before catalog_begin(); put and expire inside the transaction;
 * catalog_import_end() after its commit or rollback. */
int catalog_import_begin(struct catalog *cat, struct catalog_import **out,
                         char **err);
/* Inserts b, or updates the row with its id when anything differs (a
 * completed backup that drconsole verified, or found corrupt, keeps that
 * status).  *other_service names the owner on a conflict. */
int catalog_import_put(struct catalog_import *imp,
                       const struct catalog_backup *b, int *outcome,
                       char other_service[64], char **err);
/* Marks expired every backup of service imported from (tool, repository)
 * that this import did not put, and that is not expired already. */
int catalog_import_expire(struct catalog_import *imp, const char *service,
                          const char *tool, const char *repository,
                          int64_t *expired, char **err);
void catalog_import_end(struct catalog_import *imp);

#endif
