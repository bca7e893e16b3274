/* Running a backup, and reaping the rows of runs that died; the crash
 * safety model is in backup.h. */
#include "core/backup_int.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/backup_format.h"
#include "core/backup_stream.h"
#include "core/cancel.h"
#include "core/crypto.h"
#include "core/error.h"
#include "core/procid.h"
#include "core/source.h"
#include "core/timeutil.h"
#include "core/uuid.h"
#include "core/xmalloc.h"

/* ---- reaping rows of dead processes ------------------------------------- */

/* Removes what a dead run may have left: a partial, or a whole object it
 * had no time to record. */
static void reap_leftovers(const struct config *cfg, const cJSON *m)
{
	const char *object = backup_meta_str(m, "object");
	struct repo *repo = NULL;
	char *rerr = NULL;
	if (object != NULL &&
	    backup_open_repo_of(cfg, m, &repo, &rerr) == DR_OK) {
		char *e = NULL;
		if (repo_cleanup_partial(repo, object, &e) != DR_OK)
			free(e);
		e = NULL;
		if (repo_remove(repo, object, &e) != DR_OK)
			free(e);
		repo_close(repo);
	}
	free(rerr);
}

static int reap_one(struct catalog *cat, const struct config *cfg,
                    struct catalog_backup *b, const char *host, int *reaped,
                    char **err)
{
	cJSON *m = backup_meta_parse(b);
	const char *h = backup_meta_str(m, "host");
	const cJSON *pidv = cJSON_GetObjectItemCaseSensitive(m, "pid");
	const char *start = backup_meta_str(m, "pid_start");
	int rc = DR_OK;

	if (h == NULL || strcmp(h, host) != 0 || !cJSON_IsNumber(pidv)) {
		cJSON_Delete(m);
		return DR_OK; /* another host's, or not ours to judge */
	}
	long pid = (long)pidv->valuedouble;
	/* The same process: the pid runs and started when the row says (a
	 * row without a start time leaves only the pid to go by). */
	struct procid owner = {(pid_t)pid, procid_start_parse(start)};
	if (procid_alive(&owner)) {
		cJSON_Delete(m);
		return DR_OK;
	}
	reap_leftovers(cfg, m);
	char *reason = xasprintf("the backup process (pid %ld on %s) ended "
	                         "before the backup completed",
	                         pid, host);
	backup_meta_set_str(m, "error", reason);
	backup_meta_store(b, m);
	strlcpy_dr(b->status, "failed", sizeof b->status);
	rc = backup_save_with_audit(cat, b, "backup.fail", reason, err);
	free(reason);
	cJSON_Delete(m);
	if (rc == DR_OK)
		(*reaped)++;
	return rc;
}

int backup_reap_stale(struct catalog *cat, const struct config *cfg,
                      int *reaped, char **err)
{
	static const char *const states[] = {"running", "pending"};
	char host[128];
	int rc = DR_OK;
	*reaped = 0;
	backup_host_name(host);
	for (size_t s = 0; s < 2 && rc == DR_OK; s++) {
		struct catalog_backup_filter f = {.status = states[s]};
		struct catalog_backup *list = NULL;
		size_t n = 0;
		rc = catalog_backup_list(cat, &f, &list, &n, err);
		for (size_t i = 0; rc == DR_OK && i < n; i++)
			rc = reap_one(cat, cfg, &list[i], host, reaped, err);
		catalog_backups_free(list, n);
	}
	return rc;
}

/* ---- running a backup --------------------------------------------------- */

struct run_ctx {
	struct source *src;
	struct repo_put *put;
	backup_progress_fn progress;
	void *progress_arg;
	uint64_t expected;
	double t0;
	char *notes; /* the source's, taken before it closes */
};

void backup_cancel(void)
{
	cancel_request();
}

static int run_read(void *arg, void *buf, size_t cap, size_t *got, char **err)
{
	struct run_ctx *c = arg;
	if (cancel_requested()) {
		*err = xasprintf("interrupted");
		return DR_EIO;
	}
	return source_read(c->src, buf, cap, got, err);
}

static int run_write(void *arg, const void *buf, size_t n, char **err)
{
	struct run_ctx *c = arg;
	return repo_put_write(c->put, buf, n, err);
}

static void run_progress(void *arg, uint64_t plain, uint64_t stored)
{
	struct run_ctx *c = arg;
	if (c->progress == NULL)
		return;
	struct backup_progress p = {plain, stored, c->expected,
	                            time_mono() - c->t0};
	c->progress(c->progress_arg, &p);
}

static int fail_row(struct catalog *cat, struct catalog_backup *b, cJSON *m,
                    const char *reason)
{
	char *e = NULL;
	backup_meta_set_str(m, "error", reason);
	backup_meta_store(b, m);
	strlcpy_dr(b->status, "failed", sizeof b->status);
	b->completed_at = time_now();
	int rc = backup_save_with_audit(cat, b, "backup.fail", reason, &e);
	free(e);
	return rc;
}

/* The target and its repository, and its service in the catalog. */
static int run_check(struct catalog *cat, const struct config *cfg,
                     const char *target, const struct backup_target **tp,
                     const struct backup_repository **rp, char **err)
{
	const struct backup_target *t = backup_config_target(cfg, target);
	struct catalog_service svc;
	if (t == NULL) {
		*err =
		    xasprintf("no backup target \"%s\" in the config", target);
		return DR_ENOTFOUND;
	}
	*tp = t;
	*rp = backup_config_repository(cfg, t->repository);
	if (*rp == NULL) {
		*err = xasprintf("backup target \"%s\": repository \"%s\" is "
		                 "not in the config",
		                 target, t->repository);
		return DR_EINVAL;
	}
	int rc = catalog_service_get(cat, t->service, &svc, err);
	if (rc == DR_ENOTFOUND) {
		free(*err);
		*err = xasprintf("backup target \"%s\": service \"%s\" is not "
		                 "in the catalog (add it with `drconsole "
		                 "service add`)",
		                 target, t->service);
		return DR_EINVAL;
	}
	return rc;
}

/* A new pending row of t, and its metadata: where the object goes and
 * which process on which host writes it. */
static cJSON *run_new_row(const struct backup_target *t,
                          const struct backup_repository *r, const char *key_id,
                          struct catalog_backup *b, char **object)
{
	int encrypted = key_id != NULL;
	struct procid self;
	char host[128], start[32];

	uuid_v4(b->backup_id);
	strlcpy_dr(b->service, t->service, sizeof b->service);
	strlcpy_dr(b->type, "full", sizeof b->type);
	strlcpy_dr(b->status, "pending", sizeof b->status);
	b->size_bytes = -1;
	*object = xasprintf("%s/%s/%s.%s", t->service, t->name, b->backup_id,
	                    encrypted ? "drb" : "gz");
	b->location = xasprintf("%s/%s", r->url, *object);
	backup_host_name(host);
	procid_self(&self);
	procid_start_text(&self, start, sizeof start);
	cJSON *m = cJSON_CreateObject();
	backup_meta_set_str(m, "target", t->name);
	backup_meta_set_str(m, "repository", r->name);
	backup_meta_set_str(m, "repo_url", r->url);
	backup_meta_set_str(m, "object", *object);
	cJSON_AddBoolToObject(m, "encrypted", encrypted);
	if (encrypted) {
		/* The key it needs, and where that key was (rekey). */
		backup_meta_set_str(m, "key_id", key_id);
		backup_meta_set_str(m, "key_file", t->key_files[0]);
	}
	backup_meta_set_str(m, "host", host);
	backup_meta_set_num(m, "pid", (double)self.pid);
	backup_meta_set_str(m, "pid_start", start);
	backup_meta_store(b, m);
	return m;
}

/* Encodes the opened source into the object under way; commits it only
 * when the source ended well and no signal asked to stop. */
static int run_encode(const struct backup_format_params *params,
                      struct run_ctx *ctx, struct backup_stream_result *res,
                      char **e)
{
	int rc = backup_stream_encode(params, 0, run_read, ctx, run_write, ctx,
	                              run_progress, ctx, res, e);
	if (rc == DR_OK && cancel_requested()) {
		*e = xasprintf("interrupted");
		rc = DR_EIO;
	}
	char *se = NULL;
	ctx->notes = source_notes(ctx->src);
	int src_rc = source_close(ctx->src, rc == DR_OK, &se);
	ctx->src = NULL;
	if (rc == DR_OK && src_rc != DR_OK) {
		rc = src_rc;
		*e = se;
	} else {
		free(se);
	}
	if (rc == DR_OK)
		rc = repo_put_commit(ctx->put, e);
	else
		repo_put_abort(ctx->put);
	ctx->put = NULL;
	return rc;
}

/* Streams the target's source into object in repo. */
static int run_stream(const struct backup_target *t, const char *backup_id,
                      const uint8_t *secret, size_t secret_len,
                      struct repo *repo, const char *object,
                      struct run_ctx *ctx, struct backup_stream_result *res,
                      char **e)
{
	struct backup_format_params params;
	ctx->t0 = time_mono();
	if (t->source.path != NULL) {
		struct stat st;
		if (stat(t->source.path, &st) == 0 && S_ISREG(st.st_mode))
			ctx->expected = (uint64_t)st.st_size;
	}
	int rc = backup_format_init(&params, backup_id, secret, secret_len,
	                            t->level, t->chunk_size, e);
	if (rc == DR_OK)
		rc = source_open(&t->source, &ctx->src, e);
	if (rc == DR_OK && source_expected(ctx->src) > 0)
		ctx->expected = source_expected(ctx->src);
	if (rc == DR_OK) {
		rc = repo_put_begin(repo, object, &ctx->put, e);
		if (rc != DR_OK) {
			source_close(ctx->src, 0, NULL);
			ctx->src = NULL;
		}
	}
	if (rc == DR_OK)
		rc = run_encode(&params, ctx, res, e);
	backup_format_done(&params);
	return rc;
}

/* The repository has the whole object: now, and only now, complete. */
static int run_complete(struct catalog *cat, const struct backup_target *t,
                        struct catalog_backup *b, cJSON *m,
                        const struct backup_stream_result *res,
                        struct backup_outcome *out, char **err)
{
	b->completed_at = time_now();
	b->size_bytes = (int64_t)res->stored_bytes;
	b->compression_ratio =
	    res->stored_bytes > 0
	        ? (double)res->plain_bytes / (double)res->stored_bytes
	        : 0;
	strlcpy_dr(b->checksum, res->sha256, sizeof b->checksum);
	strlcpy_dr(b->status, "completed", sizeof b->status);
	backup_meta_set_num(m, "chunks", (double)res->chunks);
	backup_meta_set_num(m, "plain_bytes", (double)res->plain_bytes);
	backup_meta_set_num(m, "seconds", out->seconds);
	backup_meta_store(b, m);
	char *details =
	    xasprintf("target %s, %llu bytes stored, sha256 %s", t->name,
	              (unsigned long long)res->stored_bytes, res->sha256);
	int rc = backup_save_with_audit(cat, b, "backup.run", details, err);
	free(details);
	out->plain_bytes = res->plain_bytes;
	out->stored_bytes = res->stored_bytes;
	return rc;
}

/* The source's notes for the operator; cut short, they say where the
 * rest is. */
static void run_note(struct backup_outcome *out, const char *notes)
{
	static const char more[] = " ... (all in the backup's metadata)";
	if (strlen(notes) < sizeof out->note) {
		strlcpy_dr(out->note, notes, sizeof out->note);
		return;
	}
	size_t keep = sizeof out->note - sizeof more;
	memcpy(out->note, notes, keep);
	memcpy(out->note + keep, more, sizeof more);
}

/* Records the row, runs it through the pipeline and completes or fails
 * it. */
static int run_recorded(struct catalog *cat, const struct backup_target *t,
                        const struct backup_repository *r, struct repo *repo,
                        const uint8_t *secret, size_t secret_len,
                        const char *key_id, struct run_ctx *ctx,
                        struct backup_outcome *out, char **err)
{
	struct catalog_backup b;
	struct backup_stream_result res;
	char *object = NULL, *e = NULL;

	memset(&b, 0, sizeof b);
	cJSON *m =
	    run_new_row(t, r, secret != NULL ? key_id : NULL, &b, &object);
	int rc = catalog_backup_insert(cat, &b, err);
	if (rc == DR_OK) {
		b.started_at = time_now();
		strlcpy_dr(b.status, "running", sizeof b.status);
		rc = catalog_backup_update(cat, &b, err);
	}
	if (rc == DR_OK) {
		rc = run_stream(t, b.backup_id, secret, secret_len, repo,
		                object, ctx, &res, &e);
		out->seconds = time_mono() - ctx->t0;
		if (rc != DR_OK) {
			fail_row(cat, &b, m, e);
			*err = e;
			e = NULL;
		} else {
			if (ctx->notes != NULL) {
				backup_meta_set_str(m, "note", ctx->notes);
				run_note(out, ctx->notes);
			}
			rc = run_complete(cat, t, &b, m, &res, out, err);
		}
	}
	backup_outcome_from(out, &b, m);
	cJSON_Delete(m);
	free(object);
	free(e);
	catalog_backup_clear(&b);
	return rc;
}

int backup_run(struct catalog *cat, const struct config *cfg,
               const char *target, backup_progress_fn progress,
               void *progress_arg, struct backup_outcome *out, char **err)
{
	const struct backup_target *t = NULL;
	const struct backup_repository *r = NULL;
	struct repo *repo = NULL;
	struct run_ctx ctx;
	struct repo_options opt;
	uint8_t *secret = NULL;
	size_t secret_len = 0;
	char key_id[BACKUP_FORMAT_KEY_ID_LEN + 1] = "";
	int rc, reaped;

	memset(out, 0, sizeof *out);
	memset(&ctx, 0, sizeof ctx);
	rc = run_check(cat, cfg, target, &t, &r, err);
	if (rc != DR_OK)
		return rc;
	rc = backup_reap_stale(cat, cfg, &reaped, err);
	if (rc != DR_OK)
		return rc;
	/* Refuse a loose or missing key before anything is recorded. */
	rc = backup_load_key(t->n_key_files > 0 ? t->key_files[0] : NULL,
	                     &secret, &secret_len, err);
	if (rc == DR_OK && secret != NULL)
		rc = backup_format_key_id(secret, secret_len, key_id, err);
	if (rc != DR_OK) {
		crypto_secret_free(secret, secret_len);
		return rc;
	}
	backup_config_repo_options(r, &opt);
	rc = repo_open(r->url, &opt, &repo, err);
	if (rc == DR_OK) {
		ctx.progress = progress;
		ctx.progress_arg = progress_arg;
		rc = run_recorded(cat, t, r, repo, secret, secret_len, key_id,
		                  &ctx, out, err);
	}
	repo_close(repo);
	free(ctx.notes);
	crypto_secret_free(secret, secret_len);
	return rc;
}
