/* The PostgreSQL backend's tiers, services, backups, health, audit log and integrity check (db/pg_int.h). */
#include "db/pg_int.h"

#include "db/catalog.h"

int pg_tier_put_impl(void *self, const struct catalog_tier *tier, char **err)
{
	(void)self;
	(void)tier;
	(void)err;
	pg_seterr(err, "tier_put: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_tier_list_impl(void *self, struct catalog_tier **out, size_t *n, char **err)
{
	(void)self;
	(void)out;
	(void)n;
	(void)err;
	pg_seterr(err, "tier_list: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_service_add_impl(void *self, const struct catalog_service *s, char **err)
{
	(void)self;
	(void)s;
	(void)err;
	pg_seterr(err, "service_add: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_service_put_impl(void *self, const struct catalog_service *s, char **err)
{
	(void)self;
	(void)s;
	(void)err;
	pg_seterr(err, "service_put: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_service_get_impl(void *self, const char *name, struct catalog_service *out, char **err)
{
	(void)self;
	(void)name;
	(void)out;
	(void)err;
	pg_seterr(err, "service_get: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_service_list_impl(void *self, struct catalog_service **out, size_t *n, char **err)
{
	(void)self;
	(void)out;
	(void)n;
	(void)err;
	pg_seterr(err, "service_list: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_service_remove_impl(void *self, const char *name, int purge, char **err)
{
	(void)self;
	(void)name;
	(void)purge;
	(void)err;
	pg_seterr(err, "service_remove: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_backup_insert_impl(void *self, const struct catalog_backup *b, char **err)
{
	(void)self;
	(void)b;
	(void)err;
	pg_seterr(err, "backup_insert: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_backup_update_impl(void *self, const struct catalog_backup *b, char **err)
{
	(void)self;
	(void)b;
	(void)err;
	pg_seterr(err, "backup_update: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_backup_get_impl(void *self, const char *backup_id, struct catalog_backup *out, char **err)
{
	(void)self;
	(void)backup_id;
	(void)out;
	(void)err;
	pg_seterr(err, "backup_get: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_backup_list_impl(void *self, const struct catalog_backup_filter *f, struct catalog_backup **out, size_t *n, char **err)
{
	(void)self;
	(void)f;
	(void)out;
	(void)n;
	(void)err;
	pg_seterr(err, "backup_list: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_backup_count_impl(void *self, const struct catalog_backup_filter *f, int64_t *count, char **err)
{
	(void)self;
	(void)f;
	(void)count;
	(void)err;
	pg_seterr(err, "backup_count: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_health_get_impl(void *self, const char *service, struct catalog_health *out, char **err)
{
	(void)self;
	(void)service;
	(void)out;
	(void)err;
	pg_seterr(err, "health_get: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_audit_append_impl(void *self, struct catalog_audit *rec, catalog_audit_hasher hasher, char **err)
{
	(void)self;
	(void)rec;
	(void)hasher;
	(void)err;
	pg_seterr(err, "audit_append: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_audit_each_impl(void *self, int (*fn)(const struct catalog_audit *rec, void *arg), void *arg, char **err)
{
	(void)self;
	(void)fn;
	(void)arg;
	(void)err;
	pg_seterr(err, "audit_each: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_audit_list_impl(void *self, size_t limit, struct catalog_audit **out, size_t *n, char **err)
{
	(void)self;
	(void)limit;
	(void)out;
	(void)n;
	(void)err;
	pg_seterr(err, "audit_list: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_audit_subject_impl(void *self, const char *subject, struct catalog_audit **out, size_t *n, char **err)
{
	(void)self;
	(void)subject;
	(void)out;
	(void)n;
	(void)err;
	pg_seterr(err, "audit_subject: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

int pg_check_integrity_impl(void *self, char **err)
{
	(void)self;
	(void)err;
	pg_seterr(err, "check_integrity: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

