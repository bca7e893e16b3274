/* The PostgreSQL backend's tiers, services, backups, backup health, audit
 * log and integrity check (db/pg_int.h): the SQLite backend's statements
 * (db/sqlite.c), with the few words PostgreSQL spells otherwise.
 *
 * The audit chain: SQLite's single writer makes "read the last seq, then
 * append" safe; here a transaction-wide advisory lock does, so writers on
 * many hosts append one after another and the chain has no fork. */
#include "db/pg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/catalog.h"

#define ZERO_HASH                                                              \
	"0000000000000000000000000000000000000000000000000000000000000000"
/* The advisory lock audit appends take (any constant of our own). */
#define PG_AUDIT_LOCK "1685218164"

/* Reads every row of st with `read` into a growing array. */
#define READ_ALL(st, what, err, list, count, type, read)                       \
	do {                                                                   \
		int step_;                                                     \
		while ((step_ = pg_step((st), (what), (err))) == PG_ROW) {     \
			(list) =                                               \
			    xreallocarray((list), (count) + 1, sizeof(type));  \
			read((st), &(list)[(count)++]);                        \
		}                                                              \
		rc = step_ == PG_DONE ? CATALOG_OK : step_;                    \
	} while (0)

/* Binds an int64, with `none` (0 or -1, per field) bound as NULL. */
static void bind_int64_none(struct pg_stmt *st, int idx, int64_t v,
                            int64_t none)
{
	if (v == none)
		pg_bind_null(st, idx);
	else
		pg_bind_int64(st, idx, v);
}

/* ---- tiers ------------------------------------------------------------- */

int pg_tier_put_impl(void *self, const struct catalog_tier *tier, char **err)
{
	struct pg_catalog *pc = self;
	struct pg_stmt *st;
	int rc = pg_write_begin(pc, err);

	if (rc != CATALOG_OK)
		return rc;
	st = pg_prepare(pc,
	                "INSERT INTO tiers (name, rto_s, rpo_s) "
	                "VALUES (?1, ?2, ?3) ON CONFLICT (name) DO UPDATE "
	                "SET rto_s = excluded.rto_s, rpo_s = excluded.rpo_s");
	pg_bind_text(st, 1, tier->name);
	pg_bind_int64(st, 2, tier->rto_s);
	pg_bind_int64(st, 3, tier->rpo_s);
	rc = pg_run(st, "saving a tier", err);
	pg_finalize(st);
	return pg_write_end(pc, rc, err);
}

static void read_tier(const struct pg_stmt *st, struct catalog_tier *t)
{
	memset(t, 0, sizeof(*t));
	pg_column_copy(st, 0, t->name, sizeof(t->name));
	t->rto_s = pg_column_int64(st, 1);
	t->rpo_s = pg_column_int64(st, 2);
}

int pg_tier_list_impl(void *self, struct catalog_tier **out, size_t *n,
                      char **err)
{
	struct catalog_tier *list = NULL;
	size_t count = 0;
	struct pg_stmt *st = pg_prepare(
	    self, "SELECT name, rto_s, rpo_s FROM tiers ORDER BY rto_s, name");
	int rc;

	*out = NULL;
	*n = 0;
	READ_ALL(st, "listing tiers", err, list, count, struct catalog_tier,
	         read_tier);
	pg_finalize(st);
	if (rc != CATALOG_OK) {
		free(list);
		return rc;
	}
	*out = list;
	*n = count;
	return CATALOG_OK;
}

/* ---- services ---------------------------------------------------------- */

#define SERVICE_COLUMNS                                                        \
	"name, tier, owner, rto_s, rpo_s, backup_frequency_s, "                \
	"drill_policy_s, "                                                     \
	"created_at"

static void read_service(const struct pg_stmt *st, struct catalog_service *s)
{
	memset(s, 0, sizeof(*s));
	pg_column_copy(st, 0, s->name, sizeof(s->name));
	pg_column_copy(st, 1, s->tier, sizeof(s->tier));
	pg_column_copy(st, 2, s->owner, sizeof(s->owner));
	s->rto_s = pg_column_int64(st, 3);
	s->rpo_s = pg_column_int64(st, 4);
	s->backup_frequency_s = pg_column_int64(st, 5);
	s->drill_policy_s = pg_column_int64(st, 6);
	s->created_at = pg_column_time(st, 7);
}

static int write_service(struct pg_catalog *pc, const struct catalog_service *s,
                         int replace, char **err)
{
	static const char insert[] =
	    "INSERT INTO services (" SERVICE_COLUMNS ", updated_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
	static const char upsert[] =
	    "INSERT INTO services (" SERVICE_COLUMNS ", updated_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
	    "ON CONFLICT (name) DO UPDATE SET tier = excluded.tier, "
	    "owner = excluded.owner, rto_s = excluded.rto_s, "
	    "rpo_s = excluded.rpo_s, "
	    "backup_frequency_s = excluded.backup_frequency_s, "
	    "drill_policy_s = excluded.drill_policy_s, "
	    "updated_at = excluded.updated_at";
	struct pg_stmt *st;
	int64_t now = pg_now();
	int rc = pg_write_begin(pc, err);

	if (rc != CATALOG_OK)
		return rc;
	st = pg_prepare(pc, replace ? upsert : insert);
	pg_bind_text(st, 1, s->name);
	pg_bind_text_or_null(st, 2, s->tier);
	pg_bind_text(st, 3, s->owner);
	pg_bind_int64(st, 4, s->rto_s);
	pg_bind_int64(st, 5, s->rpo_s);
	pg_bind_int64(st, 6, s->backup_frequency_s);
	pg_bind_int64(st, 7, s->drill_policy_s);
	pg_bind_time(st, 8, s->created_at ? s->created_at : now);
	pg_bind_time(st, 9, now);
	rc = pg_run(st, "saving a service", err);
	pg_finalize(st);
	if (rc == CATALOG_EEXIST)
		pg_seterr(err, "service %s already exists", s->name);
	else if (rc == CATALOG_EINVAL)
		pg_seterr(err,
		          "service %s: invalid value (a name of 1 to 63 "
		          "characters and durations >= 0 expected)",
		          s->name);
	return pg_write_end(pc, rc, err);
}

int pg_service_add_impl(void *self, const struct catalog_service *s, char **err)
{
	return write_service(self, s, 0, err);
}

int pg_service_put_impl(void *self, const struct catalog_service *s, char **err)
{
	return write_service(self, s, 1, err);
}

int pg_service_get_impl(void *self, const char *name,
                        struct catalog_service *out, char **err)
{
	struct pg_stmt *st = pg_prepare(self, "SELECT " SERVICE_COLUMNS
	                                      " FROM services WHERE name = ?1");
	int rc;

	pg_bind_text(st, 1, name);
	rc = pg_step_row(st, "reading a service", err);
	if (rc == CATALOG_OK)
		read_service(st, out);
	else if (rc == CATALOG_ENOTFOUND)
		pg_seterr(err, "no service named %s", name);
	pg_finalize(st);
	return rc;
}

int pg_service_list_impl(void *self, struct catalog_service **out, size_t *n,
                         char **err)
{
	struct catalog_service *list = NULL;
	size_t count = 0;
	struct pg_stmt *st = pg_prepare(self, "SELECT " SERVICE_COLUMNS
	                                      " FROM services ORDER BY name");
	int rc;

	*out = NULL;
	*n = 0;
	READ_ALL(st, "listing services", err, list, count,
	         struct catalog_service, read_service);
	pg_finalize(st);
	if (rc != CATALOG_OK) {
		free(list);
		return rc;
	}
	*out = list;
	*n = count;
	return CATALOG_OK;
}

/* Runs one statement with the service name as ?1. */
static int run_for_service(struct pg_catalog *pc, const char *sql,
                           const char *name, const char *what, char **err)
{
	struct pg_stmt *st = pg_prepare(pc, sql);
	int rc;

	pg_bind_text(st, 1, name);
	rc = pg_run(st, what, err);
	pg_finalize(st);
	return rc;
}

int pg_service_remove_impl(void *self, const char *name, int purge, char **err)
{
	static const char history[] =
	    "SELECT EXISTS (SELECT 1 FROM services WHERE name = ?1), "
	    "EXISTS (SELECT 1 FROM backup_management "
	    "        WHERE service_name = ?1) "
	    "OR EXISTS (SELECT 1 FROM replication_history "
	    "           WHERE service_name = ?1) "
	    "OR EXISTS (SELECT 1 FROM health_history "
	    "           WHERE service_name = ?1) "
	    "OR EXISTS (SELECT 1 FROM restores WHERE service_name = ?1)";
	static const char *const purges[] = {
	    "DELETE FROM restores WHERE service_name = ?1",
	    "DELETE FROM backup_management WHERE service_name = ?1",
	    "DELETE FROM replication_history WHERE service_name = ?1",
	    "DELETE FROM replication_links WHERE service_name = ?1",
	    "DELETE FROM health_history WHERE service_name = ?1",
	    "DELETE FROM health_keys WHERE service_name = ?1",
	    "DELETE FROM backup_health_monitoring WHERE service_name = ?1",
	    "DELETE FROM services WHERE name = ?1",
	};
	struct pg_catalog *pc = self;
	struct pg_stmt *st;
	int rc = pg_write_begin(pc, err), exists = 0, has_history = 0;

	if (rc != CATALOG_OK)
		return rc;
	st = pg_prepare(pc, history);
	pg_bind_text(st, 1, name);
	rc = pg_step_row(st, "removing a service", err);
	if (rc == CATALOG_OK) {
		exists = pg_column_int64(st, 0) != 0;
		has_history = pg_column_int64(st, 1) != 0;
	}
	pg_finalize(st);
	if (rc == CATALOG_OK && !exists) {
		pg_seterr(err, "no service named %s", name);
		rc = CATALOG_ENOTFOUND;
	}
	if (rc == CATALOG_OK && has_history && !purge) {
		pg_seterr(err,
		          "service %s has backups or samples recorded; "
		          "removing it needs purge, which deletes them",
		          name);
		rc = CATALOG_EBUSY;
	}
	for (size_t i = 0;
	     rc == CATALOG_OK && i < sizeof(purges) / sizeof(*purges); i++)
		rc = run_for_service(pc, purges[i], name, "removing a service",
		                     err);
	return pg_write_end(pc, rc, err);
}

/* ---- backups ----------------------------------------------------------- */

#define BACKUP_COLUMNS                                                         \
	"backup_id, tenant_id, service_name, backup_type, backup_status, "     \
	"backup_location, backup_size, compression_ratio, started_at, "        \
	"completed_at, checksum, retention_until, metadata, created_at, "      \
	"updated_at"

static void read_backup(const struct pg_stmt *st, struct catalog_backup *b)
{
	memset(b, 0, sizeof(*b));
	pg_column_copy(st, 0, b->backup_id, sizeof(b->backup_id));
	pg_column_copy(st, 1, b->tenant_id, sizeof(b->tenant_id));
	pg_column_copy(st, 2, b->service, sizeof(b->service));
	pg_column_copy(st, 3, b->type, sizeof(b->type));
	pg_column_copy(st, 4, b->status, sizeof(b->status));
	b->location = pg_column_dup(st, 5);
	b->size_bytes = pg_column_int64_or(st, 6, -1);
	b->compression_ratio = pg_column_double_or(st, 7, 0);
	b->started_at = pg_column_time(st, 8);
	b->completed_at = pg_column_time(st, 9);
	pg_column_copy(st, 10, b->checksum, sizeof(b->checksum));
	b->retention_until = pg_column_time(st, 11);
	b->metadata = pg_column_dup(st, 12);
	b->created_at = pg_column_time(st, 13);
	b->updated_at = pg_column_time(st, 14);
}

/* Binds ?2..?14 of an insert or update of backup b (?1 is backup_id). */
static void bind_backup(struct pg_stmt *st, const struct catalog_backup *b,
                        int64_t now)
{
	pg_bind_text(st, 2, b->tenant_id[0] ? b->tenant_id : PG_DEFAULT_TENANT);
	pg_bind_text(st, 3, b->service);
	pg_bind_text(st, 4, b->type);
	pg_bind_text(st, 5, b->status);
	pg_bind_text(st, 6, b->location);
	bind_int64_none(st, 7, b->size_bytes, -1);
	if (b->compression_ratio == 0)
		pg_bind_null(st, 8);
	else
		pg_bind_double(st, 8, b->compression_ratio);
	pg_bind_time(st, 9, b->started_at);
	pg_bind_time(st, 10, b->completed_at);
	pg_bind_text_or_null(st, 11, b->checksum);
	pg_bind_time(st, 12, b->retention_until);
	pg_bind_text(st, 13, b->metadata);
	pg_bind_time(st, 14, now);
}

/* A constraint failure on a backup, said in the caller's terms. */
static int backup_constraint(struct pg_catalog *pc, int rc,
                             const struct catalog_backup *b, char **err)
{
	if (rc == CATALOG_EEXIST) {
		pg_seterr(err, "backup %s already exists", b->backup_id);
	} else if (rc == CATALOG_EINVAL && strcmp(pc->sqlstate, "23503") == 0) {
		pg_seterr(err, "backup %s: no service named %s", b->backup_id,
		          b->service);
		rc = CATALOG_ENOTFOUND;
	} else if (rc == CATALOG_EINVAL) {
		pg_seterr(err,
		          "backup %s: invalid value (type '%s' must be full, "
		          "incremental or differential; status '%s' must be "
		          "pending, running, completed, failed, verified, "
		          "expired or corrupt; size >= 0)",
		          b->backup_id, b->type, b->status);
	}
	return rc;
}

int pg_backup_insert_impl(void *self, const struct catalog_backup *b,
                          char **err)
{
	struct pg_catalog *pc = self;
	struct pg_stmt *st;
	int rc = pg_write_begin(pc, err);

	if (rc != CATALOG_OK)
		return rc;
	st = pg_prepare(pc, "INSERT INTO backup_management (" BACKUP_COLUMNS
	                    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
	                    "?10, ?11, ?12, ?13, ?14, ?14)");
	pg_bind_text(st, 1, b->backup_id);
	bind_backup(st, b, pg_now());
	rc = pg_run(st, "recording a backup", err);
	pg_finalize(st);
	rc = backup_constraint(pc, rc, b, err);
	return pg_write_end(pc, rc, err);
}

int pg_backup_update_impl(void *self, const struct catalog_backup *b,
                          char **err)
{
	struct pg_catalog *pc = self;
	struct pg_stmt *st;
	int rc = pg_write_begin(pc, err);
	int64_t changed = 0;

	if (rc != CATALOG_OK)
		return rc;
	st = pg_prepare(
	    pc, "UPDATE backup_management SET tenant_id = ?2, "
	        "service_name = ?3, backup_type = ?4, backup_status = ?5, "
	        "backup_location = ?6, backup_size = ?7, "
	        "compression_ratio = ?8, started_at = ?9, completed_at = ?10, "
	        "checksum = ?11, retention_until = ?12, metadata = ?13, "
	        "updated_at = ?14 WHERE backup_id = ?1");
	pg_bind_text(st, 1, b->backup_id);
	bind_backup(st, b, pg_now());
	rc = pg_run(st, "updating a backup", err);
	changed = pg_changes(st);
	pg_finalize(st);
	rc = backup_constraint(pc, rc, b, err);
	if (rc == CATALOG_OK && changed == 0) {
		pg_seterr(err, "no backup %s", b->backup_id);
		rc = CATALOG_ENOTFOUND;
	}
	return pg_write_end(pc, rc, err);
}

int pg_backup_get_impl(void *self, const char *backup_id,
                       struct catalog_backup *out, char **err)
{
	struct pg_stmt *st =
	    pg_prepare(self, "SELECT " BACKUP_COLUMNS
	                     " FROM backup_management WHERE backup_id = ?1");
	int rc;

	memset(out, 0, sizeof(*out));
	pg_bind_text(st, 1, backup_id);
	rc = pg_step_row(st, "reading a backup", err);
	if (rc == CATALOG_OK)
		read_backup(st, out);
	else if (rc == CATALOG_ENOTFOUND)
		pg_seterr(err, "no backup %s", backup_id);
	pg_finalize(st);
	return rc;
}

/* SELECT `what` FROM backup_management with the filter's conditions, as
 * ?1 service, ?2 status, ?3 type, ?4 since; ?5 the limit (NULL: none), ?6
 * the offset.  SQLite's rowid is rid here; SQLite sorts a NULL started_at
 * first, so PostgreSQL is told to. */
static char *backup_filter_sql(const char *what,
                               const struct catalog_backup_filter *f,
                               int ordered)
{
	char in[512] = "";
	size_t used = 0;

	for (size_t i = 0; f && i < f->n_services && i < 32; i++) {
		int n = snprintf(in + used, sizeof in - used, "%s?%zu",
		                 i ? ", " : " AND service_name IN (", 7 + i);
		if (n < 0 || (size_t)n >= sizeof in - used)
			break;
		used += (size_t)n;
	}
	if (used > 0 && used + 2 < sizeof in)
		memcpy(in + used, ")", 2);
	return xasprintf(
	    "SELECT %s FROM backup_management WHERE true%s%s%s%s%s%s%s", what,
	    in, f && f->service ? " AND service_name = ?1" : "",
	    f && f->status ? " AND backup_status = ?2" : "",
	    f && f->type ? " AND backup_type = ?3" : "",
	    f && f->since ? " AND started_at >= ?4" : "",
	    !ordered ? ""
	    : f && f->oldest_first
	        ? " ORDER BY started_at NULLS FIRST, rid"
	        : " ORDER BY started_at DESC NULLS LAST, rid DESC",
	    ordered ? " LIMIT ?5::bigint OFFSET ?6::bigint" : "");
}

static void bind_backup_filter(struct pg_stmt *st,
                               const struct catalog_backup_filter *f,
                               int ordered)
{
	if (f != NULL) {
		if (f->service)
			pg_bind_text(st, 1, f->service);
		if (f->status)
			pg_bind_text(st, 2, f->status);
		if (f->type)
			pg_bind_text(st, 3, f->type);
		if (f->since)
			pg_bind_time(st, 4, f->since);
		for (size_t i = 0; i < f->n_services && i < 32; i++)
			pg_bind_text(st, 7 + (int)i, f->services[i]);
	}
	if (ordered) {
		if (f && f->limit)
			pg_bind_int64(st, 5, (int64_t)f->limit);
		else
			pg_bind_null(st, 5);
		pg_bind_int64(st, 6, f ? (int64_t)f->offset : 0);
	}
}

static struct pg_stmt *
backup_filter_prepare(struct pg_catalog *pc, const char *what,
                      const struct catalog_backup_filter *f, int ordered)
{
	char *sql = backup_filter_sql(what, f, ordered);
	struct pg_stmt *st = pg_prepare(pc, sql);

	free(sql);
	bind_backup_filter(st, f, ordered);
	return st;
}

int pg_backup_list_impl(void *self, const struct catalog_backup_filter *f,
                        struct catalog_backup **out, size_t *n, char **err)
{
	struct catalog_backup *list = NULL;
	size_t count = 0;
	struct pg_stmt *st = backup_filter_prepare(self, BACKUP_COLUMNS, f, 1);
	int rc;

	*out = NULL;
	*n = 0;
	READ_ALL(st, "listing backups", err, list, count, struct catalog_backup,
	         read_backup);
	pg_finalize(st);
	if (rc != CATALOG_OK) {
		catalog_backups_free(list, count);
		return rc;
	}
	*out = list;
	*n = count;
	return CATALOG_OK;
}

int pg_backup_count_impl(void *self, const struct catalog_backup_filter *f,
                         int64_t *count, char **err)
{
	struct pg_stmt *st = backup_filter_prepare(self, "count(*)", f, 0);
	int rc = pg_step_row(st, "counting backups", err);

	*count = 0;
	if (rc == CATALOG_OK)
		*count = pg_column_int64(st, 0);
	pg_finalize(st);
	return rc;
}

/* ---- backup health ----------------------------------------------------- */

#define HEALTH_COLUMNS                                                         \
	"service_name, backup_frequency_s, last_successful_backup, "           \
	"backup_streak, failure_count, health_status, storage_usage_gb, "      \
	"storage_quota_gb, estimated_full_recovery_s, last_recovery_test, "    \
	"alerts_enabled, updated_at"

static void read_health(const struct pg_stmt *st, struct catalog_health *h)
{
	memset(h, 0, sizeof(*h));
	pg_column_copy(st, 0, h->service, sizeof(h->service));
	h->backup_frequency_s = pg_column_int64(st, 1);
	h->last_successful_backup = pg_column_time(st, 2);
	h->backup_streak = (int)pg_column_int64(st, 3);
	h->failure_count = (int)pg_column_int64(st, 4);
	pg_column_copy(st, 5, h->health_status, sizeof(h->health_status));
	h->storage_usage_gb = pg_column_double_or(st, 6, 0);
	h->storage_quota_gb = pg_column_double_or(st, 7, 0);
	h->estimated_full_recovery_s = pg_column_int64_or(st, 8, -1);
	h->last_recovery_test = pg_column_time(st, 9);
	h->alerts_enabled = pg_column_int64_or(st, 10, 1) != 0;
	h->updated_at = pg_column_time(st, 11);
}

int pg_health_get_impl(void *self, const char *service,
                       struct catalog_health *out, char **err)
{
	struct pg_stmt *st = pg_prepare(self, "SELECT " HEALTH_COLUMNS
	                                      " FROM backup_health_monitoring "
	                                      "WHERE service_name = ?1");
	int rc;

	pg_bind_text(st, 1, service);
	rc = pg_step_row(st, "reading backup health", err);
	if (rc == CATALOG_OK)
		read_health(st, out);
	else if (rc == CATALOG_ENOTFOUND)
		pg_seterr(err, "no backup health for service %s", service);
	pg_finalize(st);
	return rc;
}

/* ---- audit log --------------------------------------------------------- */

#define AUDIT_COLUMNS                                                          \
	"seq, at, actor, origin, action, subject, details, prev_hash, hash"

static void read_audit(const struct pg_stmt *st, struct catalog_audit *a)
{
	memset(a, 0, sizeof(*a));
	a->seq = pg_column_int64(st, 0);
	a->at = pg_column_time(st, 1);
	pg_column_copy(st, 2, a->actor, sizeof(a->actor));
	pg_column_copy(st, 3, a->origin, sizeof(a->origin));
	pg_column_copy(st, 4, a->action, sizeof(a->action));
	pg_column_copy(st, 5, a->subject, sizeof(a->subject));
	a->details = pg_column_dup(st, 6);
	pg_column_copy(st, 7, a->prev_hash, sizeof(a->prev_hash));
	pg_column_copy(st, 8, a->hash, sizeof(a->hash));
}

/* Under the lock, the chain's end: the next seq and the hash it follows. */
static int audit_tail(struct pg_catalog *pc, struct catalog_audit *rec,
                      char **err)
{
	struct pg_stmt *st;
	int rc = pg_exec(pc, "SELECT pg_advisory_xact_lock(" PG_AUDIT_LOCK ")",
	                 "waiting for the audit log", err);

	if (rc != CATALOG_OK)
		return rc;
	st = pg_prepare(
	    pc, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
	rc = pg_step_row(st, "reading the audit log", err);
	if (rc == CATALOG_OK) {
		rec->seq = pg_column_int64(st, 0) + 1;
		pg_column_copy(st, 1, rec->prev_hash, sizeof(rec->prev_hash));
	} else if (rc == CATALOG_ENOTFOUND) {
		rec->seq = 1;
		snprintf(rec->prev_hash, sizeof(rec->prev_hash), "%s",
		         ZERO_HASH);
		rc = CATALOG_OK;
	}
	pg_finalize(st);
	return rc;
}

int pg_audit_append_impl(void *self, struct catalog_audit *rec,
                         catalog_audit_hasher hasher, char **err)
{
	struct pg_catalog *pc = self;
	struct pg_stmt *st;
	int rc = pg_write_begin(pc, err);

	if (rc != CATALOG_OK)
		return rc;
	rc = audit_tail(pc, rec, err);
	if (rc == CATALOG_OK) {
		if (rec->at == 0)
			rec->at = pg_now();
		memset(rec->hash, 0, sizeof(rec->hash));
		hasher(rec, rec->hash);
		rec->hash[sizeof(rec->hash) - 1] = '\0';
		st = pg_prepare(pc, "INSERT INTO audit_log (" AUDIT_COLUMNS
		                    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
		                    "?9)");
		pg_bind_int64(st, 1, rec->seq);
		pg_bind_time(st, 2, rec->at);
		pg_bind_text(st, 3, rec->actor);
		pg_bind_text(st, 4, rec->origin);
		pg_bind_text(st, 5, rec->action);
		pg_bind_text(st, 6, rec->subject);
		pg_bind_text(st, 7, rec->details);
		pg_bind_text(st, 8, rec->prev_hash);
		pg_bind_text(st, 9, rec->hash);
		rc = pg_run(st, "appending to the audit log", err);
		pg_finalize(st);
	}
	return pg_write_end(pc, rc, err);
}

int pg_audit_each_impl(void *self,
                       int (*fn)(const struct catalog_audit *rec, void *arg),
                       void *arg, char **err)
{
	struct pg_stmt *st = pg_prepare(self, "SELECT " AUDIT_COLUMNS
	                                      " FROM audit_log ORDER BY seq");
	int rc, stop = 0;

	while (!stop &&
	       (rc = pg_step(st, "reading the audit log", err)) == PG_ROW) {
		struct catalog_audit rec;

		read_audit(st, &rec);
		stop = fn(&rec, arg);
		free(rec.details);
	}
	pg_finalize(st);
	if (stop)
		return stop;
	return rc == PG_DONE ? CATALOG_OK : rc;
}

static int audit_rows(struct pg_stmt *st, struct catalog_audit **out, size_t *n,
                      const char *what, char **err)
{
	struct catalog_audit *list = NULL;
	size_t count = 0;
	int rc;

	*out = NULL;
	*n = 0;
	READ_ALL(st, what, err, list, count, struct catalog_audit, read_audit);
	pg_finalize(st);
	if (rc != CATALOG_OK) {
		catalog_audits_free(list, count);
		return rc;
	}
	*out = list;
	*n = count;
	return CATALOG_OK;
}

int pg_audit_list_impl(void *self, size_t limit, struct catalog_audit **out,
                       size_t *n, char **err)
{
	struct pg_stmt *st = pg_prepare(self, "SELECT " AUDIT_COLUMNS
	                                      " FROM audit_log ORDER BY seq "
	                                      "DESC LIMIT ?1::bigint");

	if (limit)
		pg_bind_int64(st, 1, (int64_t)limit);
	else
		pg_bind_null(st, 1);
	return audit_rows(st, out, n, "listing the audit log", err);
}

int pg_audit_subject_impl(void *self, const char *subject,
                          struct catalog_audit **out, size_t *n, char **err)
{
	struct pg_stmt *st =
	    pg_prepare(self, "SELECT " AUDIT_COLUMNS " FROM audit_log "
	                     "WHERE subject = ?1 ORDER BY seq");

	pg_bind_text(st, 1, subject);
	return audit_rows(st, out, n, "reading the audit log", err);
}

/* ---- integrity --------------------------------------------------------- */

/* PostgreSQL keeps its pages and foreign keys itself; what can go wrong
 * under drconsole is a trigger someone disabled (ALTER TABLE ... DISABLE
 * TRIGGER): the health bookkeeping would silently stop, or the audit log
 * could be rewritten.  Those are reported as damage. */
int pg_check_integrity_impl(void *self, char **err)
{
	struct pg_catalog *pc = self;
	struct pg_stmt *st = pg_prepare(
	    pc, "SELECT c.relname || '.' || t.tgname FROM pg_trigger t "
	        "JOIN pg_class c ON c.oid = t.tgrelid "
	        "JOIN pg_namespace n ON n.oid = c.relnamespace "
	        "WHERE NOT t.tgisinternal AND t.tgenabled = 'D' "
	        "AND n.nspname = current_schema() ORDER BY 1");
	char *report = NULL;
	int rc;

	while ((rc = pg_step(st, "checking integrity", err)) == PG_ROW) {
		char *joined = xasprintf(
		    "%s%strigger %s is disabled", report ? report : "",
		    report ? "; " : "", pg_column_text(st, 0));
		free(report);
		report = joined;
	}
	pg_finalize(st);
	rc = rc == PG_DONE ? CATALOG_OK : rc;
	if (rc == CATALOG_OK && report != NULL) {
		pg_seterr(err, "catalog %s is damaged: %s", pc->where, report);
		rc = CATALOG_ECORRUPT;
	}
	free(report);
	return rc;
}

/* ---- least privilege --------------------------------------------------- */

/* A role name as PostgreSQL folds it: lower-case letters, digits and _,
 * not starting with a digit; anything else would need quoting, and a
 * name that needs quoting is more likely a mistake than a role. */
static int plain_identifier(const char *s)
{
	if (s == NULL || s[0] == '\0' || strlen(s) > 63 ||
	    (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (const char *p = s; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '_'))
			return 0;
	return 1;
}

/* The read-only role may read every table and LISTEN (which needs no
 * grant), nothing else; drconsole's read-only sessions (the wall) are
 * read-only transactions besides.  The agent role writes every table but may
 * only append to the audit log (the append-only trigger stands too, and only
 * the owner could disable it).  Neither may create anything. */
static char *grants_sql(enum catalog_grant_kind kind, const char *role,
                        const char *db, const char *schema)
{
	if (kind == CATALOG_GRANT_READONLY)
		return xasprintf(
		    "-- read-only: a wall or a viewer (SELECT and LISTEN)\n"
		    "GRANT CONNECT ON DATABASE %s TO %s;\n"
		    "GRANT USAGE ON SCHEMA %s TO %s;\n"
		    "REVOKE CREATE ON SCHEMA %s FROM %s;\n"
		    "GRANT SELECT ON ALL TABLES IN SCHEMA %s TO %s;\n"
		    "ALTER DEFAULT PRIVILEGES IN SCHEMA %s "
		    "GRANT SELECT ON TABLES TO %s;\n",
		    db, role, schema, role, schema, role, schema, role, schema,
		    role);
	return xasprintf(
	    "-- agent: writes the catalog, may only append to the audit log\n"
	    "GRANT CONNECT ON DATABASE %s TO %s;\n"
	    "GRANT USAGE ON SCHEMA %s TO %s;\n"
	    "REVOKE CREATE ON SCHEMA %s FROM %s;\n"
	    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %s "
	    "TO %s;\n"
	    "REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM %s;\n"
	    "REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_version "
	    "FROM %s;\n"
	    "GRANT USAGE ON ALL SEQUENCES IN SCHEMA %s TO %s;\n",
	    db, role, schema, role, schema, role, schema, role, role, role,
	    schema, role);
}

int pg_grants_impl(void *self, enum catalog_grant_kind kind, const char *role,
                   int apply, char **sql, char **err)
{
	struct pg_catalog *pc = self;
	struct pg_stmt *st;
	char db[128], schema[128];
	int rc;

	*sql = NULL;
	if (!plain_identifier(role)) {
		pg_seterr(
		    err,
		    "role '%s': a role name of lower-case letters, digits "
		    "and _ expected",
		    role != NULL ? role : "");
		return CATALOG_EINVAL;
	}
	st = pg_prepare(pc, "SELECT quote_ident(current_database()), "
	                    "quote_ident(current_schema())");
	rc = pg_step_row(st, "reading the catalog's database", err);
	if (rc == CATALOG_OK) {
		pg_column_copy(st, 0, db, sizeof db);
		pg_column_copy(st, 1, schema, sizeof schema);
	}
	pg_finalize(st);
	if (rc != CATALOG_OK)
		return rc;
	*sql = grants_sql(kind, role, db, schema);
	if (!apply)
		return CATALOG_OK;
	rc = pg_write_begin(pc, err);
	if (rc == CATALOG_OK)
		rc = pg_exec(pc, *sql, "granting", err);
	return pg_write_end(pc, rc, err);
}

/* ---- whole tables, for catalog_copy() ---------------------------------- */

#define ROWS_MAX_COLUMNS 40

/* The table's stored columns, without rid and the generated ones, and
 * what orders its rows as inserted (rid, else id, else nothing). */
static int table_columns(struct pg_catalog *pc, const char *table,
                         char *names[ROWS_MAX_COLUMNS], size_t *n,
                         const char **order, char **err)
{
	struct pg_stmt *st = pg_prepare(
	    pc, "SELECT column_name FROM information_schema.columns "
	        "WHERE table_schema = current_schema() AND table_name = ?1 "
	        "AND is_generated = 'NEVER' ORDER BY ordinal_position");
	int rc, has_rid = 0, has_id = 0;

	*n = 0;
	pg_bind_text(st, 1, table);
	while ((rc = pg_step(st, table, err)) == PG_ROW) {
		const char *c = pg_column_text(st, 0);
		if (strcmp(c, "rid") == 0) {
			has_rid = 1;
			continue;
		}
		has_id |= strcmp(c, "id") == 0;
		if (*n < ROWS_MAX_COLUMNS)
			names[(*n)++] = xstrdup(c);
	}
	pg_finalize(st);
	if (rc != PG_DONE)
		return rc;
	if (*n == 0) {
		pg_seterr(err, "catalog %s has no table %s", pc->where, table);
		return CATALOG_ENOTFOUND;
	}
	*order = has_rid ? " ORDER BY rid" : has_id ? " ORDER BY id" : "";
	return CATALOG_OK;
}

static void free_names(char *names[], size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
}

/* "a"::text, "b"::text: every value as text, in SQLite's forms. */
static char *column_list(char *const names[], size_t n, int as_text)
{
	char *list = xstrdup("");

	for (size_t i = 0; i < n; i++) {
		char *next = xasprintf("%s%s\"%s\"%s", list, i ? ", " : "",
		                       names[i], as_text ? "::text" : "");
		free(list);
		list = next;
	}
	return list;
}

int pg_rows_each_impl(void *self, const char *table,
                      int (*fn)(void *arg, size_t n, const char *const *names,
                                const char *const *values),
                      void *arg, char **err)
{
	struct pg_catalog *pc = self;
	char *names[ROWS_MAX_COLUMNS], *cols, *sql;
	const char *values[ROWS_MAX_COLUMNS];
	const char *order = "";
	size_t n;
	int rc = table_columns(pc, table, names, &n, &order, err), stop = 0;
	struct pg_stmt *st;

	if (rc != CATALOG_OK)
		return rc;
	cols = column_list(names, n, 1);
	sql = xasprintf("SELECT %s FROM \"%s\"%s", cols, table, order);
	st = pg_prepare(pc, sql);
	free(cols);
	free(sql);
	while (!stop && (rc = pg_step(st, table, err)) == PG_ROW) {
		for (size_t i = 0; i < n; i++)
			values[i] = pg_column_text(st, (int)i);
		stop = fn(arg, n, (const char *const *)names, values);
	}
	pg_finalize(st);
	free_names(names, n);
	return stop || rc == PG_DONE ? CATALOG_OK : rc;
}

/* Inside catalog_copy()'s transaction, which undoes everything on a
 * failure: the table's rows stream in through one COPY (the 55k rows of
 * the demo took 9 s as an INSERT each). */
int pg_rows_put_impl(void *self, const char *table, size_t n,
                     const char *const *names, const char *const *values,
                     char **err)
{
	struct pg_catalog *pc = self;
	char *sql;
	int rc;

	if (!pc->in_tx) {
		pg_seterr(err, "rows_put outside a transaction");
		return CATALOG_EINVAL;
	}
	if (strcmp(pc->copying, table) == 0)
		return pg_copy_row(pc, n, values, err);
	rc = pg_copy_end(pc, err);
	if (rc != CATALOG_OK)
		return rc;
	if (strcmp(pc->rows_quiet, table) != 0) {
		/* The triggers would recompute, row by row, what the copy
		 * then replaces: 168 s for the demo's 55k rows, 9 s
		 * without.  Inside the copy's transaction, which holds the
		 * table's lock until it ends; rows_end turns them on. */
		sql =
		    xasprintf("ALTER TABLE \"%s\" DISABLE TRIGGER USER", table);
		rc = pg_exec(pc, sql, table, err);
		free(sql);
		if (rc != CATALOG_OK)
			return rc;
		snprintf(pc->rows_quiet, sizeof pc->rows_quiet, "%s", table);
	}
	char *cols = column_list((char *const *)names, n, 0);
	sql = xasprintf("COPY \"%s\" (%s) FROM STDIN", table, cols);
	free(cols);
	rc = pg_copy_begin(pc, table, sql, err);
	free(sql);
	if (rc == CATALOG_OK)
		rc = pg_copy_row(pc, n, values, err);
	return rc;
}

int pg_rows_clear_impl(void *self, const char *table, char **err)
{
	struct pg_catalog *pc = self;
	char *sql = xasprintf("DELETE FROM \"%s\"", table);
	int rc = pg_copy_end(pc, err);

	if (rc == CATALOG_OK)
		rc = pg_write_begin(pc, err);
	if (rc == CATALOG_OK) {
		rc = pg_exec(pc, sql, table, err);
		rc = pg_write_end(pc, rc, err);
	}
	free(sql);
	return rc;
}

static int table_has_id(struct pg_catalog *pc, const char *table)
{
	struct pg_stmt *st = pg_prepare(
	    pc, "SELECT 1 FROM information_schema.columns "
	        "WHERE table_schema = current_schema() AND table_name = ?1 "
	        "AND column_name = 'id'");
	int found;

	pg_bind_text(st, 1, table);
	found = pg_step_row(st, table, NULL) == CATALOG_OK;
	pg_finalize(st);
	return found;
}

/* Identity columns do not follow ids given explicitly: the next insert
 * would take id 1 again. */
int pg_rows_end_impl(void *self, const char *table, char **err)
{
	struct pg_catalog *pc = self;
	char *sql = xasprintf(
	    "SELECT setval(pg_get_serial_sequence('\"%s\"', 'id'), "
	    "(SELECT max(id) FROM \"%s\")) WHERE pg_get_serial_sequence("
	    "'\"%s\"', 'id') IS NOT NULL AND EXISTS (SELECT 1 FROM \"%s\")",
	    table, table, table, table);
	int rc = pg_copy_end(pc, err);

	if (rc != CATALOG_OK) {
		free(sql);
		return rc;
	}
	if (strcmp(pc->rows_quiet, table) == 0) {
		char *on =
		    xasprintf("ALTER TABLE \"%s\" ENABLE TRIGGER USER", table);
		pc->rows_quiet[0] = '\0';
		rc = pg_exec(pc, on, table, err);
		free(on);
		if (rc != CATALOG_OK) {
			free(sql);
			return rc;
		}
	}
	if (!table_has_id(pc, table)) {
		free(sql);
		return CATALOG_OK;
	}
	rc = pg_write_begin(pc, err);
	if (rc == CATALOG_OK)
		rc = pg_exec(pc, sql, table, err);
	free(sql);
	return pg_write_end(pc, rc, err);
}
