/* The PostgreSQL backend's restores, replication and probe history, recoveries, service states, verdicts, test notes and counters (db/pg_int.h).  NOT BUILT YET: every entry refuses. */
#include "db/pg_int.h"

#include "db/catalog.h"

int pg_restore_record_impl(void *self, struct catalog_restore *r, char **err)
{
	(void)self;
	(void)r;
	(void)err;
	pg_seterr(err, "restore_record: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_restore_list_impl(void *self, const char *service, size_t limit, struct catalog_restore **out, size_t *n, char **err)
{
	(void)self;
	(void)service;
	(void)limit;
	(void)out;
	(void)n;
	(void)err;
	pg_seterr(err, "restore_list: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_replication_record_impl(void *self, const struct catalog_replication *r, char **err)
{
	(void)self;
	(void)r;
	(void)err;
	pg_seterr(err, "replication_record: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_replication_latest_impl(void *self, struct catalog_replication **out, size_t *n, char **err)
{
	(void)self;
	(void)out;
	(void)n;
	(void)err;
	pg_seterr(err, "replication_latest: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_replication_history_impl(void *self, const char *source, const char *target, int64_t since, struct catalog_replication **out, size_t *n, char **err)
{
	(void)self;
	(void)source;
	(void)target;
	(void)since;
	(void)out;
	(void)n;
	(void)err;
	pg_seterr(err, "replication_history: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_replication_prune_impl(void *self, int64_t before, int64_t *deleted, char **err)
{
	(void)self;
	(void)before;
	(void)deleted;
	(void)err;
	pg_seterr(err, "replication_prune: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_probe_record_impl(void *self, const struct catalog_probe_result *r, char **err)
{
	(void)self;
	(void)r;
	(void)err;
	pg_seterr(err, "probe_record: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_probe_latest_impl(void *self, struct catalog_probe_result **out, size_t *n, char **err)
{
	(void)self;
	(void)out;
	(void)n;
	(void)err;
	pg_seterr(err, "probe_latest: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_probe_prune_impl(void *self, int64_t before, int64_t *deleted, char **err)
{
	(void)self;
	(void)before;
	(void)deleted;
	(void)err;
	pg_seterr(err, "probe_prune: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_recovery_insert_impl(void *self, const struct catalog_recovery *r, char **err)
{
	(void)self;
	(void)r;
	(void)err;
	pg_seterr(err, "recovery_insert: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_recovery_update_impl(void *self, const struct catalog_recovery *r, char **err)
{
	(void)self;
	(void)r;
	(void)err;
	pg_seterr(err, "recovery_update: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_recovery_get_impl(void *self, const char *recovery_id, struct catalog_recovery *out, char **err)
{
	(void)self;
	(void)recovery_id;
	(void)out;
	(void)err;
	pg_seterr(err, "recovery_get: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_recovery_list_impl(void *self, size_t limit, struct catalog_recovery **out, size_t *n, char **err)
{
	(void)self;
	(void)limit;
	(void)out;
	(void)n;
	(void)err;
	pg_seterr(err, "recovery_list: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_recovery_step_put_impl(void *self, const struct catalog_recovery_step *s, char **err)
{
	(void)self;
	(void)s;
	(void)err;
	pg_seterr(err, "recovery_step_put: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_recovery_step_list_impl(void *self, const char *recovery_id, struct catalog_recovery_step **out, size_t *n, char **err)
{
	(void)self;
	(void)recovery_id;
	(void)out;
	(void)n;
	(void)err;
	pg_seterr(err, "recovery_step_list: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_recovery_page_impl(void *self, const struct catalog_recovery_filter *f, size_t offset, size_t limit, struct catalog_recovery **out, size_t *n, size_t *total, char **err)
{
	(void)self;
	(void)f;
	(void)offset;
	(void)limit;
	(void)out;
	(void)n;
	(void)total;
	(void)err;
	pg_seterr(err, "recovery_page: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_service_states_impl(void *self, int64_t now, struct catalog_service_state **out, size_t *n, char **err)
{
	(void)self;
	(void)now;
	(void)out;
	(void)n;
	(void)err;
	pg_seterr(err, "service_states: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_verdict_record_impl(void *self, const struct catalog_verdict *v, char **err)
{
	(void)self;
	(void)v;
	(void)err;
	pg_seterr(err, "verdict_record: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_verdict_latest_impl(void *self, struct catalog_verdict **out, size_t *n, char **err)
{
	(void)self;
	(void)out;
	(void)n;
	(void)err;
	pg_seterr(err, "verdict_latest: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_verdict_history_impl(void *self, const char *service, int64_t since, struct catalog_verdict **out, size_t *n, char **err)
{
	(void)self;
	(void)service;
	(void)since;
	(void)out;
	(void)n;
	(void)err;
	pg_seterr(err, "verdict_history: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_test_note_put_impl(void *self, const struct catalog_test_note *n, char **err)
{
	(void)self;
	(void)n;
	(void)err;
	pg_seterr(err, "test_note_put: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_test_note_get_impl(void *self, const char *run_id, struct catalog_test_note *out, char **err)
{
	(void)self;
	(void)run_id;
	(void)out;
	(void)err;
	pg_seterr(err, "test_note_get: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_backup_counts_impl(void *self, const char *service, int64_t since, int64_t until, struct catalog_backup_counts *out, char **err)
{
	(void)self;
	(void)service;
	(void)since;
	(void)until;
	(void)out;
	(void)err;
	pg_seterr(err, "backup_counts: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_service_counters_impl(void *self, struct catalog_service_counters **out, size_t *n, char **err)
{
	(void)self;
	(void)out;
	(void)n;
	(void)err;
	pg_seterr(err, "service_counters: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

