/* The PostgreSQL backend's imports (db/catalog_import.h).  NOT BUILT YET: every entry refuses. */
#include "db/pg_int.h"

#include "db/catalog.h"

static int pg_import_begin_impl(void *self, void **state, char **err)
{
	(void)self;
	(void)state;
	(void)err;
	pg_seterr(err, "import_begin: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

static int pg_import_put_impl(void *state, const struct catalog_backup *b, int *outcome, char other_service[64], char **err)
{
	(void)state;
	(void)b;
	(void)outcome;
	(void)other_service;
	(void)err;
	pg_seterr(err, "import_put: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

static int pg_import_expire_impl(void *state, const char *service, const char *tool, const char *repository, int64_t *expired, char **err)
{
	(void)state;
	(void)service;
	(void)tool;
	(void)repository;
	(void)expired;
	(void)err;
	pg_seterr(err, "import_expire: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

static void pg_import_end_impl(void *state)
{
	(void)state;
}

const struct catalog_import_ops pg_import_ops = {
    .import_begin = pg_import_begin_impl,
    .import_put = pg_import_put_impl,
    .import_expire = pg_import_expire_impl,
    .import_end = pg_import_end_impl,
};
