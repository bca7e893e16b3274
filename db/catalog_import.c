/* The front of db/catalog_import.h: an import holds the backend's import
 * table and the state its import_begin() made (db/backend.h). */
#include "db/catalog_import.h"

#include <stdlib.h>

#include "db/catalog_int.h"
#include "lib/xmalloc.h"

struct catalog_import {
	const struct catalog_import_ops *ops;
	void *self;
};

int catalog_import_begin(struct catalog *cat, struct catalog_import **out,
                         char **err)
{
	struct catalog_import *imp;
	void *state = NULL;
	int rc;

	*out = NULL;
	rc = cat->ops->import->import_begin(cat->self, &state, err);
	if (rc != CATALOG_OK)
		return rc;
	imp = xcalloc(1, sizeof(*imp));
	imp->ops = cat->ops->import;
	imp->self = state;
	*out = imp;
	return CATALOG_OK;
}

int catalog_import_put(struct catalog_import *imp,
                       const struct catalog_backup *b, int *outcome,
                       char other_service[64], char **err)
{
	return imp->ops->import_put(imp->self, b, outcome, other_service, err);
}

int catalog_import_expire(struct catalog_import *imp, const char *service,
                          const char *tool, const char *repository,
                          int64_t *expired, char **err)
{
	return imp->ops->import_expire(imp->self, service, tool, repository,
	                               expired, err);
}

void catalog_import_end(struct catalog_import *imp)
{
	if (imp == NULL)
		return;
	imp->ops->import_end(imp->self);
	free(imp);
}
