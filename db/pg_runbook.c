/* The PostgreSQL backend's runbook executions (db/catalog_runbook.h).  NOT BUILT YET: every entry refuses. */
#include "db/pg_int.h"

#include "db/catalog.h"

static int pg_runbook_exec_insert_impl(void *self, const struct catalog_runbook_exec *x, struct catalog_runbook_exec *holder, char **err)
{
	(void)self;
	(void)x;
	(void)holder;
	(void)err;
	pg_seterr(err, "runbook_exec_insert: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

static int pg_runbook_exec_get_impl(void *self, const char *recovery_id, struct catalog_runbook_exec *out, char **err)
{
	(void)self;
	(void)recovery_id;
	(void)out;
	(void)err;
	pg_seterr(err, "runbook_exec_get: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

static int pg_runbook_exec_hold_impl(void *self, const struct catalog_runbook_exec *x, char **err)
{
	(void)self;
	(void)x;
	(void)err;
	pg_seterr(err, "runbook_exec_hold: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

static int pg_runbook_exec_set_child_impl(void *self, const char *recovery_id, int64_t pgid, char **err)
{
	(void)self;
	(void)recovery_id;
	(void)pgid;
	(void)err;
	pg_seterr(err, "runbook_exec_set_child: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

static int pg_runbook_exec_close_impl(void *self, const char *recovery_id, char **err)
{
	(void)self;
	(void)recovery_id;
	(void)err;
	pg_seterr(err, "runbook_exec_close: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

static int pg_runbook_exec_list_open_impl(void *self, struct catalog_runbook_exec **out, size_t *n, char **err)
{
	(void)self;
	(void)out;
	(void)n;
	(void)err;
	pg_seterr(err, "runbook_exec_list_open: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

static int pg_runbook_var_put_impl(void *self, const char *recovery_id, const char *name, const char *value, char **err)
{
	(void)self;
	(void)recovery_id;
	(void)name;
	(void)value;
	(void)err;
	pg_seterr(err, "runbook_var_put: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

static int pg_runbook_var_list_impl(void *self, const char *recovery_id, char ***names, char ***values, size_t *n, char **err)
{
	(void)self;
	(void)recovery_id;
	(void)names;
	(void)values;
	(void)n;
	(void)err;
	pg_seterr(err, "runbook_var_list: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

const struct catalog_runbook_ops pg_runbook_ops = {
    .runbook_exec_insert = pg_runbook_exec_insert_impl,
    .runbook_exec_get = pg_runbook_exec_get_impl,
    .runbook_exec_hold = pg_runbook_exec_hold_impl,
    .runbook_exec_set_child = pg_runbook_exec_set_child_impl,
    .runbook_exec_close = pg_runbook_exec_close_impl,
    .runbook_exec_list_open = pg_runbook_exec_list_open_impl,
    .runbook_var_put = pg_runbook_var_put_impl,
    .runbook_var_list = pg_runbook_var_list_impl,
};
