/* Copies of good backups to a target's second repository (its
 * copy_repository).  A copy counts only once it reads back with the
 * catalog's SHA-256; it is recorded in the backup's metadata ("copies"),
 * and the link's copy lag, the age of the oldest backup not yet copied, in
 * the replication history. */
#include "core/backup_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"
#include "core/error.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

/* Streams object from one repository to the other, hashing what it read;
 * committed only when the hash is the catalog's. */
struct copy_progress {
	backup_progress_fn fn;
	void *arg;
	uint64_t expected, done;
	double t0;
};

static int copy_stream(struct repo *from, struct repo *to, const char *object,
                       const char *want_sha, uint8_t *buf,
                       struct copy_progress *pr, char **err)
{
	struct repo_get *get = NULL;
	struct repo_put *put = NULL;
	char hex[65];
	int rc = repo_get_open(from, object, &get, err);
	if (rc != DR_OK)
		return rc;
	rc = repo_put_begin(to, object, &put, err);
	if (rc != DR_OK) {
		repo_get_close(get);
		return rc;
	}
	struct sha256_ctx *sha = sha256_new();
	for (;;) {
		size_t got = 0;
		rc = repo_get_read(get, buf, BACKUP_IO_BUF, &got, err);
		if (rc != DR_OK || got == 0)
			break;
		sha256_update(sha, buf, got);
		rc = repo_put_write(put, buf, got, err);
		if (rc != DR_OK)
			break;
		pr->done += got;
		if (pr->fn != NULL) {
			struct backup_progress p = {
			    .plain_bytes = pr->done,
			    .stored_bytes = pr->done,
			    .expected_bytes = pr->expected,
			    .elapsed_s = time_mono() - pr->t0,
			};
			pr->fn(pr->arg, &p);
		}
	}
	repo_get_close(get);
	sha256_final_hex(sha, hex);
	if (rc == DR_OK && strcmp(hex, want_sha) != 0) {
		*err = xasprintf("the source object's SHA-256 %s does not "
		                 "match the catalog's %s; not copied",
		                 hex, want_sha);
		rc = DR_ECORRUPT;
	}
	if (rc == DR_OK)
		return repo_put_commit(put, err);
	repo_put_abort(put);
	return rc;
}

/* Reads the copy back: the copy counts only when its bytes match. */
static int copy_check(struct repo *to, const char *object, const char *want_sha,
                      uint8_t *buf, char **err)
{
	struct repo_get *get = NULL;
	char hex[65];
	int rc = repo_get_open(to, object, &get, err);
	if (rc != DR_OK)
		return rc;
	struct sha256_ctx *sha = sha256_new();
	for (;;) {
		size_t got = 0;
		rc = repo_get_read(get, buf, BACKUP_IO_BUF, &got, err);
		if (rc != DR_OK || got == 0)
			break;
		sha256_update(sha, buf, got);
	}
	repo_get_close(get);
	sha256_final_hex(sha, hex);
	if (rc == DR_OK && strcmp(hex, want_sha) != 0) {
		*err = xasprintf("the copy reads back with SHA-256 %s, "
		                 "expected %s",
		                 hex, want_sha);
		rc = DR_ECORRUPT;
	}
	return rc;
}

static int copy_object(struct repo *from, struct repo *to, const char *object,
                       const char *want_sha, struct copy_progress *pr,
                       char **err)
{
	uint8_t *buf = xmalloc(BACKUP_IO_BUF);
	int rc = copy_stream(from, to, object, want_sha, buf, pr, err);
	if (rc == DR_OK)
		rc = copy_check(to, object, want_sha, buf, err);
	free(buf);
	return rc;
}

/* One copy link under way: a target, its destination and what is still
 * not copied. */
struct copy_link {
	const struct backup_target *t;
	const struct backup_repository *dst;
	struct repo *to; /* NULL when it could not be opened */
	int open_rc;
	char *open_err;
	int64_t oldest_uncopied, pending_bytes;
	backup_progress_fn progress;
	void *progress_arg;
};

/* Records the copy in the backup's metadata, with its audit row. */
static int copy_record(struct catalog *cat, const struct copy_link *l,
                       struct catalog_backup *b, cJSON *m, cJSON *copies,
                       int64_t now, char **e)
{
	char iso[32];
	if (copies == NULL)
		copies = cJSON_AddObjectToObject(m, "copies");
	/* A copy that failed its verification is replaced. */
	cJSON_DeleteItemFromObjectCaseSensitive(copies, l->t->copy_repository);
	cJSON *c = cJSON_AddObjectToObject(copies, l->t->copy_repository);
	time_format_iso(now, iso);
	cJSON_AddStringToObject(c, "at", iso);
	cJSON_AddStringToObject(c, "url", l->dst->url);
	backup_meta_store(b, m);
	char *d =
	    xasprintf("to %s, sha256 %s", l->t->copy_repository, b->checksum);
	int rc = backup_save_with_audit(cat, b, "backup.copy", d, e);
	free(d);
	return rc;
}

static struct backup_copy_item *add_item(struct backup_copy_item **items,
                                         size_t *n,
                                         const struct catalog_backup *b,
                                         const struct backup_target *t)
{
	*items = xreallocarray(*items, *n + 1, sizeof **items);
	struct backup_copy_item *it = &(*items)[(*n)++];
	memset(it, 0, sizeof *it);
	strlcpy_dr(it->backup_id, b->backup_id, sizeof it->backup_id);
	strlcpy_dr(it->target, t->name, sizeof it->target);
	strlcpy_dr(it->repository, t->copy_repository, sizeof it->repository);
	return it;
}

/* Copies one backup unless the link has it already. */
static void copy_one(struct catalog *cat, const struct config *cfg,
                     struct copy_link *l, struct catalog_backup *b, int64_t now,
                     struct backup_copy_item **items, size_t *n)
{
	cJSON *m = backup_meta_parse(b);
	cJSON *copies = cJSON_GetObjectItemCaseSensitive(m, "copies");
	if (backup_copy_good(m, l->t->copy_repository)) {
		cJSON_Delete(m);
		return;
	}
	struct backup_copy_item *it = add_item(items, n, b, l->t);
	char *e = NULL;
	int crc = l->open_rc;
	if (crc != DR_OK) {
		e = xstrdup(l->open_err);
	} else {
		struct repo *from = NULL;
		struct copy_progress pr = {
		    .fn = l->progress,
		    .arg = l->progress_arg,
		    .expected = b->size_bytes > 0 ? (uint64_t)b->size_bytes : 0,
		    .t0 = time_mono(),
		};
		crc = backup_open_repo_of(cfg, m, &from, &e);
		if (crc == DR_OK)
			crc = copy_object(from, l->to,
			                  backup_meta_str(m, "object"),
			                  b->checksum, &pr, &e);
		repo_close(from);
		it->bytes = pr.done;
		it->seconds = time_mono() - pr.t0;
	}
	if (crc == DR_OK)
		crc = copy_record(cat, l, b, m, copies, now, &e);
	if (crc == DR_OK) {
		it->ok = 1;
	} else {
		strlcpy_dr(it->error, e ? e : "copy failed", sizeof it->error);
		if (l->oldest_uncopied == 0 ||
		    b->completed_at < l->oldest_uncopied)
			l->oldest_uncopied = b->completed_at;
		l->pending_bytes += b->size_bytes > 0 ? b->size_bytes : 0;
	}
	free(e);
	cJSON_Delete(m);
}

/* Copy lag: the age of the oldest backup not yet copied. */
static int copy_lag_record(struct catalog *cat, const struct copy_link *l,
                           int64_t now, char **err)
{
	struct catalog_replication rep;
	memset(&rep, 0, sizeof rep);
	strlcpy_dr(rep.service, l->t->service, sizeof rep.service);
	snprintf(rep.source, sizeof rep.source, "backup:%s", l->t->repository);
	snprintf(rep.target, sizeof rep.target, "backup:%s",
	         l->t->copy_repository);
	/* A copy is the same recovery point as its backup: its lag is copy
	 * lag, never a replica's (docs/EVIDENCE.md). */
	strlcpy_dr(rep.kind, "copy", sizeof rep.kind);
	rep.lag_s = l->oldest_uncopied ? (double)(now - l->oldest_uncopied) : 0;
	rep.lag_bytes = l->pending_bytes;
	strlcpy_dr(rep.state,
	           l->open_rc != DR_OK  ? "down"
	           : l->oldest_uncopied ? "catchup"
	                                : "streaming",
	           sizeof rep.state);
	rep.sampled_at = now;
	return catalog_replication_record(cat, &rep, err);
}

int backup_copy_lag_refresh(struct catalog *cat, const struct config *cfg,
                            const struct backup_target *t, int64_t now,
                            char **err)
{
	struct copy_link l = {.t = t};
	struct catalog_backup *all = NULL;
	size_t na = 0;
	if (t->copy_repository == NULL ||
	    (l.dst = backup_config_repository(cfg, t->copy_repository)) == NULL)
		return DR_OK;
	int rc = backup_good_list(cat, t->service, &all, &na, err);
	for (size_t i = 0; rc == DR_OK && i < na; i++) {
		const struct catalog_backup *b = &all[i];
		if (!backup_of_target(b, t->name))
			continue;
		cJSON *m = backup_meta_parse(b);
		if (!backup_copy_good(m, t->copy_repository)) {
			if (l.oldest_uncopied == 0 ||
			    b->completed_at < l.oldest_uncopied)
				l.oldest_uncopied = b->completed_at;
			l.pending_bytes +=
			    b->size_bytes > 0 ? b->size_bytes : 0;
		}
		cJSON_Delete(m);
	}
	if (rc == DR_OK)
		rc = copy_lag_record(cat, &l, now, err);
	catalog_backups_free(all, na);
	return rc;
}

/* Copies the target's good backups not yet copied, oldest first. */
static int copy_target(struct catalog *cat, const struct config *cfg,
                       struct copy_link *lp, int64_t now,
                       struct backup_copy_item **items, size_t *n,
                       size_t *swept, char **err)
{
	struct copy_link l = *lp;
	const struct backup_target *t = l.t;
	struct catalog_backup *all = NULL;
	struct repo_options opt;
	size_t na = 0;
	int rc = backup_good_list(cat, t->service, &all, &na, err);
	if (rc != DR_OK)
		return rc;
	qsort(all, na, sizeof *all, backup_by_completed_desc);
	backup_config_repo_options(l.dst, &opt);
	l.open_rc = repo_open(l.dst->url, &opt, &l.to, &l.open_err);
	if (l.open_rc == DR_OK) {
		/* What killed copies left behind: pids that are gone, or a
		 * day old (a pid may be reused). */
		size_t k = 0;
		char *se = NULL;
		if (repo_sweep_partials(l.to, now, 86400, &k, &se) == DR_OK)
			*swept += k;
		free(se);
	}
	for (size_t i = na; i-- > 0;)
		if (backup_of_target(&all[i], t->name))
			copy_one(cat, cfg, &l, &all[i], now, items, n);
	rc = copy_lag_record(cat, &l, now, err);
	free(l.open_err);
	repo_close(l.to);
	catalog_backups_free(all, na);
	return rc;
}

int backup_copy(struct catalog *cat, const struct config *cfg,
                const char *target, int64_t now, backup_progress_fn progress,
                void *progress_arg, struct backup_copy_item **items, size_t *n,
                size_t *partials_removed, char **err)
{
	const struct backup_config *bc = cfg->backup;
	int rc = DR_OK, any = 0;
	size_t swept = 0;
	*items = NULL;
	*n = 0;
	for (size_t ti = 0; bc != NULL && ti < bc->n_targets && rc == DR_OK;
	     ti++) {
		const struct backup_target *t = &bc->targets[ti];
		if (target != NULL && strcmp(t->name, target) != 0)
			continue;
		if (t->copy_repository == NULL) {
			if (target != NULL) {
				*err = xasprintf("backup target \"%s\" has no "
				                 "copy_repository",
				                 target);
				return DR_EINVAL;
			}
			continue;
		}
		any = 1;
		const struct backup_repository *dst =
		    backup_config_repository(cfg, t->copy_repository);
		if (dst == NULL) {
			*err = xasprintf("backup target \"%s\": copy "
			                 "repository \"%s\" is not in the "
			                 "config",
			                 t->name, t->copy_repository);
			return DR_EINVAL;
		}
		struct copy_link l = {.t = t,
		                      .dst = dst,
		                      .progress = progress,
		                      .progress_arg = progress_arg};
		rc = copy_target(cat, cfg, &l, now, items, n, &swept, err);
	}
	if (partials_removed != NULL)
		*partials_removed = swept;
	if (rc == DR_OK && !any) {
		*err = xasprintf("no backup target has a copy_repository");
		return DR_ENOTFOUND;
	}
	return rc;
}
