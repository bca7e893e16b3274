/* See ops_record.h. */
#include "core/ops_record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/backup_status.h"
#include "core/crypto.h"
#include "core/error.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "core/uuid.h"
#include "core/xmalloc.h"

static int one_of(const char *opt, const char *value,
                  const char *const *allowed, char **err)
{
	char list[256] = "";

	for (size_t i = 0; allowed[i] != NULL; i++)
		if (strcmp(value, allowed[i]) == 0)
			return DR_OK;
	for (size_t i = 0; allowed[i] != NULL; i++) {
		if (i > 0)
			strncat(list, ", ", sizeof list - strlen(list) - 1);
		strncat(list, allowed[i], sizeof list - strlen(list) - 1);
	}
	*err = xasprintf("--%s: '%s' is not one of: %s", opt, value, list);
	return DR_EINVAL;
}

static int bad_order(const char *later_flag, int64_t later,
                     const char *earlier_flag, int64_t earlier, char **err)
{
	char a[32], b[32];

	time_format_iso(earlier, a);
	time_format_iso(later, b);
	*err = xasprintf("--%s (%s) is before %s (%s)", later_flag, b,
	                 earlier_flag, a);
	return DR_EINVAL;
}

static int metadata_check(const char *metadata, char **err)
{
	struct json_doc *doc = NULL;
	int object;

	if (json_doc_parse("--metadata", metadata, strlen(metadata), &doc,
	                   err) != DR_OK)
		return DR_EINVAL;
	object = cJSON_IsObject(json_doc_root(doc));
	json_doc_free(doc);
	if (object)
		return DR_OK;
	*err = xasprintf("--metadata: expected a JSON object such as "
	                 "{\"error\": \"...\"}, found '%.40s'",
	                 metadata);
	return DR_EINVAL;
}

/* The flags one by one, then how they fit together; *completed may be
 * set to now (a finished backup reported without --completed). */
static int report_check(const struct ops_backup_report *r, int64_t *completed,
                        char **err)
{
	static const char *const types[] = {"full", "incremental",
	                                    "differential", NULL};
	static const char *const statuses[] = {
	    "pending",  "running", "completed", "failed",
	    "verified", "expired", "corrupt",   NULL};

	if (one_of("type", r->type, types, err) != DR_OK ||
	    one_of("status", r->status, statuses, err) != DR_OK)
		return DR_EINVAL;
	if (r->checksum[0] != '\0' && !sha256_hex_valid(r->checksum)) {
		*err = xasprintf(
		    "--checksum: expected 64 hexadecimal digits (SHA-256), "
		    "found '%s' (%zu characters)",
		    r->checksum, strlen(r->checksum));
		return DR_EINVAL;
	}
	if (r->id != NULL && !uuid_valid(r->id)) {
		*err = xasprintf("--id: expected a UUID such as "
		                 "0b0d6c1e-5f0a-4c1e-9a51-3f1b2c3d4e5f, found "
		                 "'%s'",
		                 r->id);
		return DR_EINVAL;
	}
	if (r->metadata != NULL && metadata_check(r->metadata, err) != DR_OK)
		return DR_EINVAL;
	*completed = r->completed;
	if (backup_status_is_good(r->status) && *completed == 0)
		*completed = time_now();
	if ((strcmp(r->status, "pending") == 0 ||
	     strcmp(r->status, "running") == 0) &&
	    *completed != 0) {
		*err = xasprintf("--completed: a %s backup has not completed",
		                 r->status);
		return DR_EINVAL;
	}
	if (r->started != 0 && *completed != 0 && *completed < r->started)
		return bad_order("completed", *completed, "--started",
		                 r->started, err);
	if (r->retention_until != 0 && *completed != 0 &&
	    r->retention_until < *completed)
		return bad_order("retention-until", r->retention_until,
		                 "the backup completed", *completed, err);
	return DR_OK;
}

/* The start a report without --started means: the one already recorded
 * for this backup (an update keeps when it started), else its completion,
 * else now.  The completion may not lie before it. */
static int settle_start(struct catalog_backup *b, int64_t recorded, char **err)
{
	if (b->started_at < 0)
		b->started_at = recorded > 0           ? recorded
		                : b->completed_at != 0 ? b->completed_at
		                                       : time_now();
	if (b->completed_at != 0 && b->completed_at < b->started_at) {
		char a[32], c[32];
		time_format_iso(b->started_at, a);
		time_format_iso(b->completed_at, c);
		*err =
		    xasprintf("--completed (%s) is before the backup's start "
		              "(%s); nothing was changed",
		              c, a);
		return DR_EINVAL;
	}
	return DR_OK;
}

struct backup_write {
	struct catalog_backup b;
	int64_t started; /* as given; -1: settle_start decides */
};

static int backup_change(struct catalog *cat, void *arg, char **details,
                         char **err)
{
	struct backup_write *w = arg;
	struct catalog_backup *b = &w->b, old = {0};
	struct catalog_service svc;
	int st;

	b->started_at = w->started; /* the same decision if made again */
	*details = xasprintf("id=%s status=%s type=%s size=%lld", b->backup_id,
	                     b->status, b->type, (long long)b->size_bytes);
	st = catalog_service_get(cat, b->service, &svc, err);
	if (st == DR_ENOTFOUND) {
		free(*err);
		*err = xasprintf("unknown service '%s' (add it with "
		                 "'drconsole service add')",
		                 b->service);
		return DR_ENOTFOUND;
	}
	if (st != DR_OK)
		return st;
	st = catalog_backup_get(cat, b->backup_id, &old, err);
	if (st == DR_ENOTFOUND) {
		free(*err);
		*err = NULL;
		st = settle_start(b, 0, err);
		return st != DR_OK ? st : catalog_backup_insert(cat, b, err);
	}
	if (st != DR_OK)
		return st;
	/* An id names one backup of one service: reporting it for another
	 * service would move its history there. */
	if (strcmp(old.service, b->service) != 0) {
		*err = xasprintf("--id %s is a backup of service '%s', not of "
		                 "'%s'; nothing was changed",
		                 b->backup_id, old.service, b->service);
		catalog_backup_clear(&old);
		return DR_EINVAL;
	}
	st = settle_start(b, old.started_at, err);
	catalog_backup_clear(&old);
	return st != DR_OK ? st : catalog_backup_update(cat, b, err);
}

int ops_record_backup(const struct ops_session *s,
                      const struct ops_backup_report *r, char backup_id[40],
                      char **err)
{
	struct backup_write w;
	struct catalog_backup *b = &w.b;
	int64_t completed;
	int rc = report_check(r, &completed, err);

	if (rc != DR_OK)
		return rc;
	memset(&w, 0, sizeof w);
	if (r->id != NULL)
		strlcpy_dr(b->backup_id, r->id, sizeof b->backup_id);
	else
		uuid_v4(b->backup_id);
	strlcpy_dr(b->service, r->service, sizeof b->service);
	strlcpy_dr(b->type, r->type, sizeof b->type);
	strlcpy_dr(b->status, r->status, sizeof b->status);
	strlcpy_dr(b->checksum, r->checksum, sizeof b->checksum);
	b->location = (char *)r->location;
	b->metadata = (char *)r->metadata;
	b->size_bytes = r->size;
	b->compression_ratio = r->compression_ratio;
	w.started = r->started != 0 ? r->started : -1; /* settle_start */
	b->completed_at = completed;
	b->retention_until = r->retention_until;
	rc = ops_change(s, "backup.record", r->service, backup_change, &w, err);
	if (rc == DR_OK)
		strlcpy_dr(backup_id, b->backup_id, 40);
	return rc;
}

static int replication_change(struct catalog *cat, void *arg, char **details,
                              char **err)
{
	const struct catalog_replication *r = arg;
	struct catalog_service svc;

	*details = xasprintf("state=%s lag_s=%.3f lag_bytes=%lld", r->state,
	                     r->lag_s, (long long)r->lag_bytes);
	if (r->service[0] != '\0' &&
	    catalog_service_get(cat, r->service, &svc, err) != DR_OK) {
		free(*err);
		*err = xasprintf("unknown service '%s'", r->service);
		return DR_ENOTFOUND;
	}
	return catalog_replication_record(cat, r, err);
}

int ops_record_replication(const struct ops_session *s,
                           const struct catalog_replication *r, char **err)
{
	static const char *const states[] = {"streaming", "catchup", "stopped",
	                                     "down",      "unknown", NULL};
	char subject[272];

	if (one_of("state", r->state, states, err) != DR_OK)
		return DR_EINVAL;
	if (r->sampled_at > time_now() + 60) {
		*err = xstrdup("--at: a sample cannot come from the future");
		return DR_EINVAL;
	}
	snprintf(subject, sizeof subject, "%s -> %s", r->source, r->target);
	return ops_change(s, "replication.record", subject, replication_change,
	                  (void *)r, err);
}
