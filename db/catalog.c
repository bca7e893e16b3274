/* The catalog front: holds the open catalog, picks the backend from the
 * `where` string and dispatches every call through the backend's function
 * table (db/backend.h).  Frees of plain records live here too, since they
 * do not depend on the backend. */
#include "db/catalog.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/catalog_int.h"
#include "db/migrations.h"
#include "lib/xmalloc.h"

static void set_err(char **err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void set_err(char **err, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	free(*err);
	*err = msg;
}

int catalog_schema_latest(void)
{
	return migrations_latest();
}

static int64_t (*catalog_clock)(void);

void catalog_set_clock(int64_t (*now)(void))
{
	catalog_clock = now;
}

int64_t catalog_now(void)
{
	return catalog_clock != NULL ? catalog_clock() : (int64_t)time(NULL);
}

static int has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Which backend a `where` names, by its beginning; anything else is a
 * SQLite file.  A new backend is its function table (db/backend.h) and a
 * line here; ops NULL: reserved for a backend not built yet. */
static const struct {
	const char *prefix;
	const struct catalog_backend_ops *ops;
	const char *label;
} backends[] = {
    {"postgresql://", &pg_backend_ops, "PostgreSQL"},
    {"postgres://", &pg_backend_ops, "PostgreSQL"},
};

int catalog_open(const char *where, int flags, struct catalog **out, char **err)
{
	const struct catalog_backend_ops *ops = &sqlite_backend_ops;
	struct catalog *cat;
	void *self;
	int rc;

	*out = NULL;
	if (where == NULL || where[0] == '\0') {
		set_err(err, "no catalog given");
		return CATALOG_EINVAL;
	}
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		if (!has_prefix(where, backends[i].prefix))
			continue;
		if (backends[i].ops == NULL) {
			set_err(err,
			        "%s: the %s catalog backend is not built yet",
			        where, backends[i].label);
			return CATALOG_EINVAL;
		}
		ops = backends[i].ops;
		break;
	}
	rc = ops->open(where, flags, &self, err);
	if (rc != CATALOG_OK)
		return rc;
	cat = xcalloc(1, sizeof(*cat));
	cat->ops = ops;
	cat->self = self;
	cat->where = xstrdup(where);
	*out = cat;
	return CATALOG_OK;
}

void catalog_close(struct catalog *cat)
{
	if (cat == NULL)
		return;
	cat->ops->close(cat->self);
	free(cat->where);
	free(cat);
}

const char *catalog_where(const struct catalog *cat)
{
	return cat->where;
}

const char *catalog_notice(const struct catalog *cat)
{
	return cat->ops->notice != NULL ? cat->ops->notice(cat->self) : NULL;
}

int catalog_schema_version(struct catalog *cat, int *version, char **err)
{
	return cat->ops->schema_version(cat->self, version, err);
}

int catalog_begin(struct catalog *cat, char **err)
{
	return cat->ops->begin(cat->self, err);
}

int catalog_commit(struct catalog *cat, char **err)
{
	return cat->ops->commit(cat->self, err);
}

void catalog_rollback(struct catalog *cat)
{
	cat->ops->rollback(cat->self);
}

int catalog_where_shared(const char *where)
{
	return where != NULL && (strncmp(where, "postgresql://", 13) == 0 ||
	                         strncmp(where, "postgres://", 11) == 0);
}

int catalog_lost(struct catalog *cat)
{
	return cat->ops->lost(cat->self);
}

int catalog_data_version(struct catalog *cat, int64_t *version, char **err)
{
	return cat->ops->data_version(cat->self, version, err);
}

int catalog_last_change(struct catalog *cat, int64_t *at, char **err)
{
	return cat->ops->last_change(cat->self, at, err);
}

int catalog_info(struct catalog *cat, struct catalog_info *out, char **err)
{
	memset(out, 0, sizeof(*out));
	out->size_bytes = -1;
	out->replay_lag_s = -1;
	out->replay_wal_bytes = -1;
	snprintf(out->backend, sizeof out->backend, "%s", cat->ops->name);
	return cat->ops->info(cat->self, out, err);
}

int catalog_grants(struct catalog *cat, enum catalog_grant_kind kind,
                   const char *role, int apply, char **sql, char **err)
{
	*sql = NULL;
	return cat->ops->grants(cat->self, kind, role, apply, sql, err);
}

int catalog_watch(struct catalog *cat, int *fd, char **err)
{
	*fd = -1;
	return cat->ops->watch(cat->self, fd, err);
}

int catalog_watch_read(struct catalog *cat, int *changed, char **err)
{
	*changed = 0;
	return cat->ops->watch_read(cat->self, changed, err);
}

int catalog_tier_put(struct catalog *cat, const struct catalog_tier *tier,
                     char **err)
{
	return cat->ops->tier_put(cat->self, tier, err);
}

int catalog_tier_list(struct catalog *cat, struct catalog_tier **out, size_t *n,
                      char **err)
{
	return cat->ops->tier_list(cat->self, out, n, err);
}

int catalog_service_add(struct catalog *cat, const struct catalog_service *s,
                        char **err)
{
	return cat->ops->service_add(cat->self, s, err);
}

int catalog_service_put(struct catalog *cat, const struct catalog_service *s,
                        char **err)
{
	return cat->ops->service_put(cat->self, s, err);
}

int catalog_service_get(struct catalog *cat, const char *name,
                        struct catalog_service *out, char **err)
{
	return cat->ops->service_get(cat->self, name, out, err);
}

int catalog_service_list(struct catalog *cat, struct catalog_service **out,
                         size_t *n, char **err)
{
	return cat->ops->service_list(cat->self, out, n, err);
}

int catalog_service_remove(struct catalog *cat, const char *name, int purge,
                           char **err)
{
	return cat->ops->service_remove(cat->self, name, purge, err);
}

int catalog_backup_insert(struct catalog *cat, const struct catalog_backup *b,
                          char **err)
{
	return cat->ops->backup_insert(cat->self, b, err);
}

int catalog_backup_update(struct catalog *cat, const struct catalog_backup *b,
                          char **err)
{
	return cat->ops->backup_update(cat->self, b, err);
}

int catalog_backup_get(struct catalog *cat, const char *backup_id,
                       struct catalog_backup *out, char **err)
{
	return cat->ops->backup_get(cat->self, backup_id, out, err);
}

int catalog_backup_list(struct catalog *cat,
                        const struct catalog_backup_filter *filter,
                        struct catalog_backup **out, size_t *n, char **err)
{
	return cat->ops->backup_list(cat->self, filter, out, n, err);
}

int catalog_backup_count(struct catalog *cat,
                         const struct catalog_backup_filter *filter,
                         int64_t *count, char **err)
{
	return cat->ops->backup_count(cat->self, filter, count, err);
}

void catalog_backup_clear(struct catalog_backup *b)
{
	if (b == NULL)
		return;
	free(b->location);
	free(b->metadata);
	b->location = NULL;
	b->metadata = NULL;
}

void catalog_backups_free(struct catalog_backup *list, size_t n)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; i < n; i++)
		catalog_backup_clear(&list[i]);
	free(list);
}

int catalog_health_get(struct catalog *cat, const char *service,
                       struct catalog_health *out, char **err)
{
	return cat->ops->health_get(cat->self, service, out, err);
}

int catalog_restore_record(struct catalog *cat, struct catalog_restore *r,
                           char **err)
{
	return cat->ops->restore_record(cat->self, r, err);
}

int catalog_restore_list(struct catalog *cat, const char *service, size_t limit,
                         struct catalog_restore **out, size_t *n, char **err)
{
	return cat->ops->restore_list(cat->self, service, limit, out, n, err);
}

int catalog_test_note_put(struct catalog *cat,
                          const struct catalog_test_note *n, char **err)
{
	return cat->ops->test_note_put(cat->self, n, err);
}

int catalog_test_note_get(struct catalog *cat, const char *run_id,
                          struct catalog_test_note *out, char **err)
{
	return cat->ops->test_note_get(cat->self, run_id, out, err);
}

int catalog_verdict_record(struct catalog *cat, const struct catalog_verdict *v,
                           char **err)
{
	return cat->ops->verdict_record(cat->self, v, err);
}

int catalog_verdict_latest(struct catalog *cat, struct catalog_verdict **out,
                           size_t *n, char **err)
{
	return cat->ops->verdict_latest(cat->self, out, n, err);
}

int catalog_verdict_history(struct catalog *cat, const char *service,
                            int64_t since, struct catalog_verdict **out,
                            size_t *n, char **err)
{
	return cat->ops->verdict_history(cat->self, service, since, out, n,
	                                 err);
}

int catalog_backup_counts(struct catalog *cat, const char *service,
                          int64_t since, int64_t until,
                          struct catalog_backup_counts *out, char **err)
{
	return cat->ops->backup_counts(cat->self, service, since, until, out,
	                               err);
}

int catalog_replication_record(struct catalog *cat,
                               const struct catalog_replication *r, char **err)
{
	return cat->ops->replication_record(cat->self, r, err);
}

int catalog_replication_latest(struct catalog *cat,
                               struct catalog_replication **out, size_t *n,
                               char **err)
{
	return cat->ops->replication_latest(cat->self, out, n, err);
}

int catalog_replication_history(struct catalog *cat, const char *source,
                                const char *target, int64_t since,
                                struct catalog_replication **out, size_t *n,
                                char **err)
{
	return cat->ops->replication_history(cat->self, source, target, since,
	                                     out, n, err);
}

int catalog_replication_prune(struct catalog *cat, int64_t before,
                              int64_t *deleted, char **err)
{
	return cat->ops->replication_prune(cat->self, before, deleted, err);
}

int catalog_probe_record(struct catalog *cat,
                         const struct catalog_probe_result *r, char **err)
{
	return cat->ops->probe_record(cat->self, r, err);
}

int catalog_probe_latest(struct catalog *cat, struct catalog_probe_result **out,
                         size_t *n, char **err)
{
	return cat->ops->probe_latest(cat->self, out, n, err);
}

int catalog_probe_prune(struct catalog *cat, int64_t before, int64_t *deleted,
                        char **err)
{
	return cat->ops->probe_prune(cat->self, before, deleted, err);
}

int catalog_recovery_insert(struct catalog *cat,
                            const struct catalog_recovery *r, char **err)
{
	return cat->ops->recovery_insert(cat->self, r, err);
}

int catalog_recovery_update(struct catalog *cat,
                            const struct catalog_recovery *r, char **err)
{
	return cat->ops->recovery_update(cat->self, r, err);
}

int catalog_recovery_get(struct catalog *cat, const char *recovery_id,
                         struct catalog_recovery *out, char **err)
{
	return cat->ops->recovery_get(cat->self, recovery_id, out, err);
}

int catalog_recovery_list(struct catalog *cat, size_t limit,
                          struct catalog_recovery **out, size_t *n, char **err)
{
	return cat->ops->recovery_list(cat->self, limit, out, n, err);
}

int catalog_recovery_page(struct catalog *cat,
                          const struct catalog_recovery_filter *f,
                          size_t offset, size_t limit,
                          struct catalog_recovery **out, size_t *n,
                          size_t *total, char **err)
{
	return cat->ops->recovery_page(cat->self, f, offset, limit, out, n,
	                               total, err);
}

void catalog_recovery_clear(struct catalog_recovery *r)
{
	if (r == NULL)
		return;
	free(r->affected_services);
	free(r->recovery_notes);
	free(r->lessons_learned);
	r->affected_services = NULL;
	r->recovery_notes = NULL;
	r->lessons_learned = NULL;
}

void catalog_recoveries_free(struct catalog_recovery *list, size_t n)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; i < n; i++)
		catalog_recovery_clear(&list[i]);
	free(list);
}

int catalog_recovery_step_put(struct catalog *cat,
                              const struct catalog_recovery_step *s, char **err)
{
	return cat->ops->recovery_step_put(cat->self, s, err);
}

int catalog_recovery_step_list(struct catalog *cat, const char *recovery_id,
                               struct catalog_recovery_step **out, size_t *n,
                               char **err)
{
	return cat->ops->recovery_step_list(cat->self, recovery_id, out, n,
	                                    err);
}

void catalog_recovery_steps_free(struct catalog_recovery_step *list, size_t n)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(list[i].output_tail);
		free(list[i].notes);
	}
	free(list);
}

int catalog_service_states(struct catalog *cat, int64_t now,
                           struct catalog_service_state **out, size_t *n,
                           char **err)
{
	return cat->ops->service_states(cat->self, now, out, n, err);
}

void catalog_service_states_free(struct catalog_service_state *list, size_t n)
{
	if (list == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(list[i].links);
	free(list);
}

void catalog_set_audit_hasher(struct catalog *cat, catalog_audit_hasher fn)
{
	cat->hasher = fn;
}

int catalog_audit_append(struct catalog *cat, struct catalog_audit *rec,
                         char **err)
{
	if (cat->hasher == NULL) {
		set_err(err, "no audit hasher is set: cannot append to the "
		             "audit log");
		return CATALOG_EINVAL;
	}
	return cat->ops->audit_append(cat->self, rec, cat->hasher, err);
}

int catalog_audit_each(struct catalog *cat,
                       int (*fn)(const struct catalog_audit *rec, void *arg),
                       void *arg, char **err)
{
	return cat->ops->audit_each(cat->self, fn, arg, err);
}

int catalog_audit_list(struct catalog *cat, size_t limit,
                       struct catalog_audit **out, size_t *n, char **err)
{
	return cat->ops->audit_list(cat->self, limit, out, n, err);
}

int catalog_audit_subject(struct catalog *cat, const char *subject,
                          struct catalog_audit **out, size_t *n, char **err)
{
	return cat->ops->audit_subject(cat->self, subject, out, n, err);
}

void catalog_audits_free(struct catalog_audit *list, size_t n)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; i < n; i++)
		free(list[i].details);
	free(list);
}

int catalog_check_integrity(struct catalog *cat, char **err)
{
	return cat->ops->check_integrity(cat->self, err);
}

int catalog_service_counters(struct catalog *cat,
                             struct catalog_service_counters **out, size_t *n,
                             char **err)
{
	return cat->ops->service_counters(cat->self, out, n, err);
}
