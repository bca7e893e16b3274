/* Private to the catalog front (db/catalog.c and the db/catalog_<area>.c
 * files beside it): the open catalog.  Backends never see it; they get
 * their own state (`self`) through the table in db/backend.h. */
#ifndef DR_CATALOG_INT_H
#define DR_CATALOG_INT_H

#include "db/backend.h"

struct catalog {
	const struct catalog_backend_ops *ops;
	void *self;
	char *where;
	catalog_audit_hasher hasher;
};

#endif
