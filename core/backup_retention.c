/* Retention: every target keeps hourly, daily, weekly and monthly
 * generations (the newest backup of each bucket, up to the target's
 * limits), and never the newest verified backup of its service, nor the
 * newest one with a verified copy, is deleted.  What is not kept is
 * marked expired in the catalog first and its object deleted after, from
 * the primary repository and from every copy repository; a delete that
 * failed is retried by the next prune.  Corrupt (and restore_failed)
 * backups hold no generation: they stay while their age is inside the
 * span the generations cover, and go after. */
#include "core/backup_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/backup_status.h"
#include "core/error.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

enum { GENERATIONS = 4 };

/* The bucket of t for generation kind: hour, day, week, month. */
static int64_t bucket(int64_t t, int kind)
{
	int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	struct tm tm;
	time_t tt = (time_t)t;
	switch (kind) {
	case 0:
		return t >= 0 ? t / 3600 : (t - 3599) / 3600;
	case 1:
		return days;
	case 2:
		/* 1970-01-01 was a Thursday: weeks start on Monday. */
		return (days + 3) >= 0 ? (days + 3) / 7 : (days + 3 - 6) / 7;
	default:
		gmtime_r(&tt, &tm);
		return (int64_t)tm.tm_year * 12 + tm.tm_mon;
	}
}

int backup_retention_within(const struct backup_retention *r,
                            int64_t completed_at, int64_t now)
{
	const int limits[GENERATIONS] = {r->hourly, r->daily, r->weekly,
	                                 r->monthly};
	for (int g = 0; g < GENERATIONS; g++)
		if (limits[g] > 0 &&
		    bucket(now, g) - bucket(completed_at, g) < limits[g])
			return 1;
	return 0;
}

static void add_item(struct backup_prune_item **items, size_t *n,
                     const struct catalog_backup *b, int keep,
                     const char *reason)
{
	cJSON *m = backup_meta_parse(b);
	const char *repo = backup_meta_str(m, "repository");
	const cJSON *copies = cJSON_GetObjectItemCaseSensitive(m, "copies");
	const cJSON *c;
	*items = xreallocarray(*items, *n + 1, sizeof **items);
	struct backup_prune_item *it = &(*items)[(*n)++];
	memset(it, 0, sizeof *it);
	strlcpy_dr(it->backup_id, b->backup_id, sizeof it->backup_id);
	strlcpy_dr(it->service, b->service, sizeof it->service);
	strlcpy_dr(it->status, b->status, sizeof it->status);
	strlcpy_dr(it->repository, repo ? repo : "", sizeof it->repository);
	cJSON_ArrayForEach(c, copies)
	{
		size_t len = strlen(it->copies);
		snprintf(it->copies + len, sizeof it->copies - len, "%s%s",
		         len ? ", " : "", c->string);
	}
	it->completed_at = b->completed_at;
	it->keep = keep;
	strlcpy_dr(it->reason, reason, sizeof it->reason);
	cJSON_Delete(m);
}

/* Removes the object; one already gone counts as removed. */
static int remove_object(const struct config *cfg, const cJSON *m,
                         const char *object, char **e)
{
	struct repo *repo = NULL;
	int rc = backup_open_repo_of(cfg, m, &repo, e);
	if (rc == DR_OK) {
		rc = repo_remove(repo, object, e);
		if (rc == DR_ENOTFOUND) {
			rc = DR_OK;
			free(*e);
			*e = NULL;
		}
	}
	repo_close(repo);
	return rc;
}

/* Removes the object's copies, each from its copy repository. */
static int remove_copies(const struct config *cfg, const cJSON *m,
                         const char *object, char **e)
{
	const cJSON *copies = cJSON_GetObjectItemCaseSensitive(m, "copies");
	const cJSON *c;
	int rc = DR_OK;
	cJSON_ArrayForEach(c, copies)
	{
		cJSON *cm = backup_meta_for_copy(m, c->string);
		char *ce = NULL;
		int crc = remove_object(cfg, cm, object, &ce);
		if (crc != DR_OK && rc == DR_OK) {
			rc = crc;
			*e = xasprintf("copy in %s: %s", c->string,
			               ce ? ce : "delete failed");
		}
		free(ce);
		cJSON_Delete(cm);
	}
	return rc;
}

/* Deletes an expired backup's object and its copies; records success, or
 * the error to retry next time. */
static void delete_expired(struct catalog *cat, const struct config *cfg,
                           struct catalog_backup *b,
                           struct backup_prune_item *it)
{
	cJSON *m = backup_meta_parse(b);
	const char *object = backup_meta_str(m, "object");
	char *e = NULL, *se = NULL;
	int rc = object != NULL ? remove_copies(cfg, m, object, &e) : DR_OK;
	if (rc == DR_OK && object != NULL)
		rc = remove_object(cfg, m, object, &e);
	if (rc == DR_OK) {
		cJSON_DeleteItemFromObjectCaseSensitive(m, "delete_error");
		cJSON_DeleteItemFromObjectCaseSensitive(m, "deleted");
		cJSON_AddBoolToObject(m, "deleted", 1);
		/* Gone with the object: kept for the record, no longer a
		 * copy anyone counts or restores from. */
		cJSON *copies =
		    cJSON_DetachItemFromObjectCaseSensitive(m, "copies");
		if (copies != NULL) {
			cJSON_DeleteItemFromObjectCaseSensitive(
			    m, "deleted_copies");
			cJSON_AddItemToObject(m, "deleted_copies", copies);
		}
		backup_meta_store(b, m);
		if (backup_save_with_audit(cat, b, "backup.delete", object,
		                           &se) != DR_OK)
			strlcpy_dr(it->error, se ? se : "catalog error",
			           sizeof it->error);
		else
			it->deleted = 1;
	} else {
		strlcpy_dr(it->error, e ? e : "delete failed",
		           sizeof it->error);
		backup_meta_set_str(m, "delete_error", it->error);
		backup_meta_store(b, m);
		catalog_backup_update(cat, b, &se);
	}
	free(se);
	free(e);
	cJSON_Delete(m);
}

static int deleted_flag(const struct catalog_backup *b)
{
	cJSON *m = backup_meta_parse(b);
	int yes = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "deleted"));
	cJSON_Delete(m);
	return yes;
}

/* Expired in the catalog first, then deleted. */
static void expire(struct catalog *cat, const struct config *cfg,
                   struct catalog_backup *b, int64_t now,
                   struct backup_prune_item *it)
{
	cJSON *m = backup_meta_parse(b);
	char iso[32], *se = NULL;
	time_format_iso(now, iso);
	backup_meta_set_str(m, "expired_at", iso);
	backup_meta_store(b, m);
	cJSON_Delete(m);
	strlcpy_dr(b->status, "expired", sizeof b->status);
	if (backup_save_with_audit(cat, b, "backup.expire", "retention", &se) !=
	    DR_OK) {
		strlcpy_dr(it->error, se ? se : "catalog", sizeof it->error);
		free(se);
		return;
	}
	delete_expired(cat, cfg, b, it);
}

/* Which generation keeps each backup as it comes, newest first. */
struct keeper {
	int limits[GENERATIONS];
	int used[GENERATIONS];
	int64_t last[GENERATIONS];
};

static const char *keeper_reason(struct keeper *k, int64_t completed_at)
{
	static const char *const names[GENERATIONS] = {"hourly", "daily",
	                                               "weekly", "monthly"};
	const char *why = NULL;
	for (int g = 0; g < GENERATIONS; g++) {
		int64_t bk = bucket(completed_at, g);
		if (bk != k->last[g] && k->used[g] < k->limits[g]) {
			k->last[g] = bk;
			k->used[g]++;
			if (why == NULL)
				why = names[g];
		}
	}
	return why;
}

/* The newest verified backup of the service, whichever target made it;
 * all sorted newest first. */
static const char *newest_verified(const struct catalog_backup *all, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(all[i].status, CATALOG_BACKUP_VERIFIED) == 0)
			return all[i].backup_id;
	return NULL;
}

/* The newest backup of the service with a copy no verification found
 * bad; all sorted newest first. */
static const char *newest_copied(const struct catalog_backup *all, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		cJSON *m = backup_meta_parse(&all[i]);
		int yes = backup_copy_first_good(m) != NULL;
		cJSON_Delete(m);
		if (yes)
			return all[i].backup_id;
	}
	return NULL;
}

/* Corrupt and restore_failed backups of the target: kept while their age
 * is inside the span retention keeps (the last N hours, days, weeks or
 * months, or no older than the oldest good backup kept), never in a
 * generation's place. */
static int prune_bad(struct catalog *cat, const struct config *cfg,
                     const struct backup_target *t, int dry_run, int64_t now,
                     int64_t oldest_kept, struct backup_prune_item **items,
                     size_t *n, char **err)
{
	static const char *const bad[] = {"corrupt", "restore_failed"};
	int rc = DR_OK;
	for (size_t s = 0; s < 2 && rc == DR_OK; s++) {
		struct catalog_backup_filter f = {.service = t->service,
		                                  .status = bad[s]};
		struct catalog_backup *list = NULL;
		size_t k = 0;
		rc = catalog_backup_list(cat, &f, &list, &k, err);
		for (size_t i = 0; rc == DR_OK && i < k; i++) {
			struct catalog_backup *b = &list[i];
			if (!backup_of_target(b, t->name))
				continue;
			int keep = backup_retention_within(
			               &t->retention, b->completed_at, now) ||
			           (oldest_kept != INT64_MAX &&
			            b->completed_at >= oldest_kept);
			char why[48];
			snprintf(why, sizeof why, "%s, %s", bad[s],
			         keep ? "within retention" : "expired");
			add_item(items, n, b, keep, why);
			if (!keep && !dry_run)
				expire(cat, cfg, b, now, &(*items)[*n - 1]);
		}
		catalog_backups_free(list, k);
	}
	return rc;
}

static int prune_target(struct catalog *cat, const struct config *cfg,
                        const struct backup_target *t, int dry_run, int64_t now,
                        struct backup_prune_item **items, size_t *n, char **err)
{
	struct catalog_backup *all = NULL;
	size_t na = 0;
	int rc = backup_good_list(cat, t->service, &all, &na, err);
	if (rc != DR_OK)
		return rc;
	qsort(all, na, sizeof *all, backup_by_completed_desc);
	const char *keep_verified = newest_verified(all, na);
	const char *keep_copied = newest_copied(all, na);
	int64_t oldest_kept = INT64_MAX;
	struct keeper k = {
	    .limits = {t->retention.hourly, t->retention.daily,
	               t->retention.weekly, t->retention.monthly},
	    .last = {INT64_MIN, INT64_MIN, INT64_MIN, INT64_MIN},
	};
	/* Updates land in the records that catalog_backups_free()
	 * releases. */
	for (size_t i = 0; i < na; i++) {
		struct catalog_backup *b = &all[i];
		if (!backup_of_target(b, t->name))
			continue;
		const char *why = keeper_reason(&k, b->completed_at);
		if (why == NULL && keep_verified != NULL &&
		    strcmp(b->backup_id, keep_verified) == 0)
			why = "newest verified";
		if (why == NULL && keep_copied != NULL &&
		    strcmp(b->backup_id, keep_copied) == 0)
			why = "newest verified copy";
		if (b->completed_at > now)
			why = why ? why : "in the future";
		add_item(items, n, b, why != NULL, why ? why : "expired");
		if (why != NULL && b->completed_at < oldest_kept)
			oldest_kept = b->completed_at;
		if (why == NULL && !dry_run)
			expire(cat, cfg, b, now, &(*items)[*n - 1]);
	}
	catalog_backups_free(all, na);
	return prune_bad(cat, cfg, t, dry_run, now, oldest_kept, items, n, err);
}

/* Expired earlier but not deleted yet: retry. */
static int prune_retry(struct catalog *cat, const struct config *cfg,
                       int dry_run, struct backup_prune_item **items, size_t *n,
                       char **err)
{
	struct catalog_backup_filter f = {.status = "expired"};
	struct catalog_backup *list = NULL;
	size_t k = 0;
	int rc = catalog_backup_list(cat, &f, &list, &k, err);
	for (size_t i = 0; rc == DR_OK && i < k; i++) {
		if (deleted_flag(&list[i]))
			continue;
		int fresh = 0;
		for (size_t j = 0; j < *n; j++)
			if (strcmp((*items)[j].backup_id, list[i].backup_id) ==
			    0)
				fresh = 1;
		if (fresh)
			continue;
		add_item(items, n, &list[i], 0, "expired earlier");
		if (!dry_run)
			delete_expired(cat, cfg, &list[i], &(*items)[*n - 1]);
	}
	catalog_backups_free(list, k);
	return rc;
}

int backup_prune(struct catalog *cat, const struct config *cfg, int dry_run,
                 int64_t now, struct backup_prune_item **items, size_t *n,
                 char **err)
{
	const struct backup_config *bc = cfg->backup;
	int rc = DR_OK, reaped;
	*items = NULL;
	*n = 0;
	if (!dry_run) {
		rc = backup_reap_stale(cat, cfg, &reaped, err);
		if (rc != DR_OK)
			return rc;
	}
	for (size_t ti = 0; bc != NULL && ti < bc->n_targets && rc == DR_OK;
	     ti++)
		rc = prune_target(cat, cfg, &bc->targets[ti], dry_run, now,
		                  items, n, err);
	if (rc == DR_OK)
		rc = prune_retry(cat, cfg, dry_run, items, n, err);
	return rc;
}
