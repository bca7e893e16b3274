#include "core/backup.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/audit.h"
#include "core/backup_format.h"
#include "core/backup_stream.h"
#include "core/cancel.h"
#include "core/crypto.h"
#include "core/error.h"
#include "core/json.h"
#include "core/procid.h"
#include "core/repo.h"
#include "core/source.h"
#include "core/spawn.h"
#include "core/timeutil.h"
#include "core/uuid.h"
#include "core/xmalloc.h"

#define IO_BUF (1u << 20)

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void host_name(char out[128])
{
	if (gethostname(out, 128) != 0)
		strlcpy_dr(out, "localhost", 128);
	out[127] = '\0';
}

/* ---- metadata (JSON in the row) ----------------------------------------- */

static cJSON *meta_parse(const struct catalog_backup *b)
{
	if (b->metadata == NULL)
		return cJSON_CreateObject();
	cJSON *m = cJSON_Parse(b->metadata);
	if (!cJSON_IsObject(m)) {
		cJSON_Delete(m);
		return cJSON_CreateObject();
	}
	return m;
}

static const char *meta_str(const cJSON *m, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void meta_set_str(cJSON *m, const char *key, const char *value)
{
	cJSON_DeleteItemFromObjectCaseSensitive(m, key);
	cJSON_AddStringToObject(m, key, value);
}

static void meta_set_num(cJSON *m, const char *key, double value)
{
	cJSON_DeleteItemFromObjectCaseSensitive(m, key);
	cJSON_AddNumberToObject(m, key, value);
}

static void meta_store(struct catalog_backup *b, cJSON *m)
{
	free(b->metadata);
	b->metadata = json_print_text(m, 0);
	if (b->metadata == NULL)
		abort();
}

/* Whether a backup belongs to the target (recorded in its metadata). */
static int of_target(const struct catalog_backup *b, const char *target)
{
	cJSON *m = meta_parse(b);
	const char *t = meta_str(m, "target");
	int yes = t != NULL && strcmp(t, target) == 0;
	cJSON_Delete(m);
	return yes;
}

/* ---- shared plumbing ---------------------------------------------------- */

static void outcome_from(struct backup_outcome *out,
                         const struct catalog_backup *b, const cJSON *m)
{
	const char *t = meta_str(m, "target");
	strlcpy_dr(out->backup_id, b->backup_id, sizeof out->backup_id);
	strlcpy_dr(out->service, b->service, sizeof out->service);
	strlcpy_dr(out->target, t ? t : "", sizeof out->target);
	strlcpy_dr(out->status, b->status, sizeof out->status);
	strlcpy_dr(out->checksum, b->checksum, sizeof out->checksum);
	strlcpy_dr(out->location, b->location ? b->location : "",
	           sizeof out->location);
}

/* Opens the named repository of the config, else the URL recorded in the
 * backup's metadata. */
static int open_repo(const struct config *cfg, const char *name,
                     const char *url_fallback, struct repo **out, char **err)
{
	const struct backup_repository *r = backup_config_repository(cfg, name);
	struct repo_options opt;
	if (r != NULL) {
		backup_config_repo_options(r, &opt);
		return repo_open(r->url, &opt, out, err);
	}
	if (url_fallback != NULL && strncmp(url_fallback, "file://", 7) == 0)
		return repo_open(url_fallback, NULL, out, err);
	*err = xasprintf("repository \"%s\" is not in the config",
	                 name ? name : "");
	return DR_ENOTFOUND;
}

static int load_key(const char *key_file, uint8_t **secret, size_t *len,
                    char **err)
{
	*secret = NULL;
	*len = 0;
	if (key_file == NULL)
		return DR_OK;
	return crypto_key_file_read(key_file, secret, len, err);
}

/* Writes the row's new state and the audit row in one transaction. */
static int save_with_audit(struct catalog *cat, const struct catalog_backup *b,
                           const char *action, const char *details, char **err)
{
	int rc = catalog_begin(cat, err);
	if (rc != DR_OK)
		return rc;
	rc = catalog_backup_update(cat, b, err);
	if (rc == DR_OK)
		rc = audit_record(cat, action, b->backup_id, details, err);
	if (rc == DR_OK)
		return catalog_commit(cat, err);
	catalog_rollback(cat);
	return rc;
}

/* ---- reaping rows of dead processes ------------------------------------- */

static int reap_one(struct catalog *cat, const struct config *cfg,
                    struct catalog_backup *b, const char *host, int *reaped,
                    char **err)
{
	cJSON *m = meta_parse(b);
	const char *h = meta_str(m, "host");
	const cJSON *pidv = cJSON_GetObjectItemCaseSensitive(m, "pid");
	const char *start = meta_str(m, "pid_start");
	int rc = DR_OK;

	if (h == NULL || strcmp(h, host) != 0 || !cJSON_IsNumber(pidv)) {
		cJSON_Delete(m);
		return DR_OK; /* another host's, or not ours to judge */
	}
	long pid = (long)pidv->valuedouble;
	/* The same process: the pid runs and started when the row says (a
	 * row without a start time leaves only the pid to go by). */
	struct procid owner = {(pid_t)pid, procid_start_parse(start)};
	int alive = procid_alive(&owner);
	if (alive) {
		cJSON_Delete(m);
		return DR_OK;
	}
	/* Remove what the dead process may have left: a partial, or a whole
	 * object it had no time to record. */
	const char *object = meta_str(m, "object");
	struct repo *repo = NULL;
	char *rerr = NULL;
	if (object != NULL &&
	    open_repo(cfg, meta_str(m, "repository"), meta_str(m, "repo_url"),
	              &repo, &rerr) == DR_OK) {
		char *e = NULL;
		if (repo_cleanup_partial(repo, object, &e) != DR_OK)
			free(e);
		e = NULL;
		if (repo_remove(repo, object, &e) != DR_OK)
			free(e);
		repo_close(repo);
	}
	free(rerr);
	char *reason = xasprintf("the backup process (pid %ld on %s) ended "
	                         "before the backup completed",
	                         pid, host);
	meta_set_str(m, "error", reason);
	meta_store(b, m);
	strlcpy_dr(b->status, "failed", sizeof b->status);
	if (b->completed_at == 0)
		b->completed_at = 0;
	rc = save_with_audit(cat, b, "backup.fail", reason, err);
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
	host_name(host);
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
	                            mono_now() - c->t0};
	c->progress(c->progress_arg, &p);
}

static int fail_row(struct catalog *cat, struct catalog_backup *b, cJSON *m,
                    const char *reason)
{
	char *e = NULL;
	meta_set_str(m, "error", reason);
	meta_store(b, m);
	strlcpy_dr(b->status, "failed", sizeof b->status);
	b->completed_at = time_now();
	int rc = save_with_audit(cat, b, "backup.fail", reason, &e);
	free(e);
	return rc;
}

int backup_run(struct catalog *cat, const struct config *cfg,
               const char *target, backup_progress_fn progress,
               void *progress_arg, struct backup_outcome *out, char **err)
{
	const struct backup_target *t = backup_config_target(cfg, target);
	const struct backup_repository *r;
	struct backup_format_params params;
	struct catalog_backup b;
	struct catalog_service svc;
	struct repo *repo = NULL;
	struct run_ctx ctx;
	struct backup_stream_result res;
	struct repo_options opt;
	uint8_t *secret = NULL;
	size_t secret_len = 0;
	struct procid self;
	char host[128], start[32], *object = NULL, *e = NULL;
	int rc, reaped;

	memset(out, 0, sizeof *out);
	memset(&ctx, 0, sizeof ctx);
	memset(&b, 0, sizeof b);
	if (t == NULL) {
		*err =
		    xasprintf("no backup target \"%s\" in the config", target);
		return DR_ENOTFOUND;
	}
	r = backup_config_repository(cfg, t->repository);
	if (r == NULL) {
		*err = xasprintf("backup target \"%s\": repository \"%s\" is "
		                 "not in the config",
		                 target, t->repository);
		return DR_EINVAL;
	}
	rc = catalog_service_get(cat, t->service, &svc, err);
	if (rc == DR_ENOTFOUND) {
		free(*err);
		*err = xasprintf("backup target \"%s\": service \"%s\" is not "
		                 "in the catalog (add it with `drconsole "
		                 "service add`)",
		                 target, t->service);
		return DR_EINVAL;
	}
	if (rc != DR_OK)
		return rc;
	rc = backup_reap_stale(cat, cfg, &reaped, err);
	if (rc != DR_OK)
		return rc;
	/* Refuse a loose or missing key before anything is recorded. */
	rc = load_key(t->key_file, &secret, &secret_len, err);
	if (rc != DR_OK)
		return rc;
	backup_config_repo_options(r, &opt);
	rc = repo_open(r->url, &opt, &repo, err);
	if (rc != DR_OK) {
		crypto_secret_free(secret, secret_len);
		return rc;
	}

	uuid_v4(b.backup_id);
	strlcpy_dr(b.service, t->service, sizeof b.service);
	strlcpy_dr(b.type, "full", sizeof b.type);
	strlcpy_dr(b.status, "pending", sizeof b.status);
	b.size_bytes = -1;
	object = xasprintf("%s/%s/%s.%s", t->service, t->name, b.backup_id,
	                   secret != NULL ? "drb" : "gz");
	b.location = xasprintf("%s/%s", r->url, object);
	host_name(host);
	procid_self(&self);
	procid_start_text(&self, start, sizeof start);
	cJSON *m = cJSON_CreateObject();
	meta_set_str(m, "target", t->name);
	meta_set_str(m, "repository", r->name);
	meta_set_str(m, "repo_url", r->url);
	meta_set_str(m, "object", object);
	cJSON_AddBoolToObject(m, "encrypted", secret != NULL);
	meta_set_str(m, "host", host);
	meta_set_num(m, "pid", (double)getpid());
	meta_set_str(m, "pid_start", start);
	meta_store(&b, m);
	rc = catalog_backup_insert(cat, &b, err);
	if (rc != DR_OK)
		goto out;

	b.started_at = time_now();
	strlcpy_dr(b.status, "running", sizeof b.status);
	rc = catalog_backup_update(cat, &b, err);
	if (rc != DR_OK)
		goto out;

	ctx.progress = progress;
	ctx.progress_arg = progress_arg;
	ctx.t0 = mono_now();
	if (t->source.path != NULL) {
		struct stat st;
		if (stat(t->source.path, &st) == 0)
			ctx.expected = (uint64_t)st.st_size;
	}
	rc = backup_format_init(&params, b.backup_id, secret, secret_len,
	                        t->level, t->chunk_size, &e);
	if (rc == DR_OK)
		rc = source_open(&t->source, &ctx.src, &e);
	if (rc == DR_OK) {
		rc = repo_put_begin(repo, object, &ctx.put, &e);
		if (rc != DR_OK) {
			source_close(ctx.src, 0, NULL);
			ctx.src = NULL;
		}
	}
	if (rc == DR_OK) {
		rc = backup_stream_encode(&params, 0, run_read, &ctx, run_write,
		                          &ctx, run_progress, &ctx, &res, &e);
		if (rc == DR_OK && cancel_requested()) {
			e = xasprintf("interrupted");
			rc = DR_EIO;
		}
		char *se = NULL;
		int src_rc = source_close(ctx.src, rc == DR_OK, &se);
		if (rc == DR_OK && src_rc != DR_OK) {
			rc = src_rc;
			e = se;
		} else {
			free(se);
		}
		if (rc == DR_OK) {
			rc = repo_put_commit(ctx.put, &e);
		} else {
			repo_put_abort(ctx.put);
		}
	}
	backup_format_done(&params);
	out->seconds = mono_now() - ctx.t0;
	if (rc != DR_OK) {
		fail_row(cat, &b, m, e);
		*err = e;
		e = NULL;
		goto out;
	}

	/* The repository has the whole object: now, and only now, complete. */
	b.completed_at = time_now();
	b.size_bytes = (int64_t)res.stored_bytes;
	b.compression_ratio =
	    res.stored_bytes > 0
	        ? (double)res.plain_bytes / (double)res.stored_bytes
	        : 0;
	strlcpy_dr(b.checksum, res.sha256, sizeof b.checksum);
	strlcpy_dr(b.status, "completed", sizeof b.status);
	meta_set_num(m, "chunks", (double)res.chunks);
	meta_set_num(m, "plain_bytes", (double)res.plain_bytes);
	meta_set_num(m, "seconds", out->seconds);
	meta_store(&b, m);
	char *details =
	    xasprintf("target %s, %llu bytes stored, sha256 %s", t->name,
	              (unsigned long long)res.stored_bytes, res.sha256);
	rc = save_with_audit(cat, &b, "backup.run", details, err);
	free(details);
	out->plain_bytes = res.plain_bytes;
	out->stored_bytes = res.stored_bytes;
out:
	outcome_from(out, &b, m);
	cJSON_Delete(m);
	free(object);
	free(e);
	catalog_backup_clear(&b);
	repo_close(repo);
	crypto_secret_free(secret, secret_len);
	return rc;
}

/* ---- reading an object back ---------------------------------------------- */

/* Where restored bytes go.  A command sink starts only when the first plain
 * byte comes out (or at the end, for an empty backup), so a wrong key or a
 * missing object never runs it.  A command that stops reading does not stop
 * the read: the rest of the object is still checked, so the report can say
 * whether the backup itself is sound, and the command's own exit status and
 * stderr are reported instead of a broken pipe. */
struct read_ctx {
	const struct backup_sink *def; /* NULL: nowhere (verify) */
	struct spawn *sp;
	int fd;           /* where bytes go; -1: nowhere */
	const char *what; /* the sink, for messages */
	int started;
	int closed_early;   /* the command stopped reading */
	uint64_t plain;     /* plain bytes read out of the object */
	uint64_t delivered; /* of which went into the sink */
	int64_t taken;      /* of which a command that stopped early read;
	                       -1: unknown */
	char *sink_err;     /* why the sink failed, or NULL */
};

static void sink_fail(struct read_ctx *c, char *why)
{
	if (c->sink_err == NULL)
		c->sink_err = why;
	else
		free(why);
	c->fd = -1;
}

static void sink_start(struct read_ctx *c)
{
	char *e = NULL;
	c->started = 1;
	if (c->def == NULL || c->def->path != NULL)
		return; /* nowhere, or a file that is open already */
	if (spawn_start(c->def->argv, c->def->shell, NULL, SPAWN_WRITE, &c->sp,
	                &e) != DR_OK) {
		sink_fail(c, e);
		return;
	}
	c->fd = spawn_fd(c->sp);
	c->what = spawn_name(c->sp);
}

static int sink_emit(void *arg, const void *buf, size_t n, char **err)
{
	struct read_ctx *c = arg;
	const char *p = buf;
	(void)err;
	c->plain += n;
	if (!c->started)
		sink_start(c);
	while (c->fd >= 0 && n > 0) {
		ssize_t w = write(c->fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EPIPE) {
			/* What is still in the pipe was never read. */
			int unread = 0;
			c->closed_early = 1;
			c->taken =
			    ioctl(c->fd, FIONREAD, &unread) == 0 &&
			            unread >= 0 &&
			            (uint64_t)unread <= c->delivered
			        ? (int64_t)(c->delivered - (uint64_t)unread)
			        : -1;
			c->fd = -1;
			break;
		}
		if (w < 0) {
			sink_fail(c, xasprintf("writing to %s: %s", c->what,
			                       strerror(errno)));
			break;
		}
		p += w;
		n -= (size_t)w;
		c->delivered += (uint64_t)w;
	}
	return DR_OK;
}

/* The key file that opens the backup: the operator's (key_file), else its
 * target's.  *path is borrowed. */
static int backup_key(const struct config *cfg, const struct catalog_backup *b,
                      const cJSON *m, const char *key_file, uint8_t **secret,
                      size_t *len, const char **path, char **err)
{
	const char *target = meta_str(m, "target");
	const struct backup_target *t =
	    target ? backup_config_target(cfg, target) : NULL;
	*secret = NULL;
	*len = 0;
	*path = NULL;
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "encrypted")))
		return DR_OK;
	*path = key_file != NULL ? key_file : t != NULL ? t->key_file : NULL;
	if (*path == NULL) {
		*err = xasprintf("backup %s is encrypted and target \"%s\" has "
		                 "no key_file in the config (give one with "
		                 "--key-file)",
		                 b->backup_id, target ? target : "");
		return DR_EPERM;
	}
	return load_key(*path, secret, len, err);
}

/* Reads the backup's object through the checking reader into the sink;
 * checks the SHA-256 against the catalog.  DR_ECORRUPT when anything is
 * wrong with the object; DR_EKEY when the key does not open an object
 * whose SHA-256 matches the catalog (the header's key check cannot tell a
 * wrong key from a changed header; the SHA-256 can). */
static int read_back(const struct config *cfg, const struct catalog_backup *b,
                     const cJSON *m, const uint8_t *secret, size_t secret_len,
                     const char *key_path, struct read_ctx *sink,
                     uint64_t *stored, char **err)
{
	const char *object = meta_str(m, "object");
	struct repo *repo = NULL;
	struct repo_get *get = NULL;
	uint8_t *buf = NULL;
	struct backup_format_reader *rd = NULL;
	struct sha256_ctx *sha = NULL;
	char hex[65], *key_err = NULL;
	int rc;

	*stored = 0;
	if (object == NULL) {
		*err =
		    xasprintf("backup %s has no object recorded", b->backup_id);
		return DR_ENOTFOUND;
	}
	rc = open_repo(cfg, meta_str(m, "repository"), meta_str(m, "repo_url"),
	               &repo, err);
	if (rc != DR_OK)
		goto out;
	rc = repo_get_open(repo, object, &get, err);
	if (rc == DR_ENOTFOUND) {
		free(*err);
		*err = xasprintf("the object %s is missing from the repository",
		                 object);
		rc = DR_ECORRUPT;
		goto out;
	}
	if (rc != DR_OK)
		goto out;
	rd = backup_format_reader_new(b->backup_id, secret, secret_len);
	sha = sha256_new();
	buf = xmalloc(IO_BUF);
	for (;;) {
		size_t got = 0;
		if (cancel_requested()) {
			*err = xstrdup("interrupted: the object was not read "
			               "to its end");
			rc = DR_EIO;
			break;
		}
		rc = repo_get_read(get, buf, IO_BUF, &got, err);
		if (rc != DR_OK || got == 0)
			break;
		*stored += got;
		sha256_update(sha, buf, got);
		if (key_err != NULL)
			continue; /* only the SHA-256 can tell why */
		rc = backup_format_reader_feed(rd, buf, got, sink_emit, sink,
		                               err);
		if (rc == DR_EKEY) {
			key_err = *err;
			*err = NULL;
			rc = DR_OK;
		} else if (rc != DR_OK) {
			break;
		}
	}
	if (rc == DR_OK && key_err == NULL)
		rc = backup_format_reader_finish(rd, NULL, NULL, err);
	sha256_final_hex(sha, hex);
	if (rc == DR_OK && b->checksum[0] != '\0' &&
	    strcmp(hex, b->checksum) != 0) {
		*err = xasprintf("checksum mismatch: the object's SHA-256 is "
		                 "%s, the catalog recorded %s",
		                 hex, b->checksum);
		rc = DR_ECORRUPT;
	} else if (rc == DR_OK && key_err != NULL) {
		*err = b->checksum[0] != '\0'
		           ? xasprintf("wrong key: key file %s does not open "
		                       "backup %s (the object is intact: its "
		                       "SHA-256 matches the catalog)",
		                       key_path, b->backup_id)
		           : xasprintf("wrong key: key file %s does not open "
		                       "backup %s (or its header was changed)",
		                       key_path, b->backup_id);
		rc = DR_EKEY;
	}
out:
	free(key_err);
	free(buf);
	backup_format_reader_free(rd);
	repo_get_close(get);
	repo_close(repo);
	return rc;
}

static int get_row(struct catalog *cat, const char *id,
                   struct catalog_backup *b, char **err)
{
	int rc = catalog_backup_get(cat, id, b, err);
	if (rc == DR_ENOTFOUND) {
		free(*err);
		*err = xasprintf("no backup %s in the catalog", id);
	}
	return rc;
}

int backup_verify(struct catalog *cat, const struct config *cfg,
                  const char *backup_id, const char *key_file,
                  struct backup_outcome *out, char **err)
{
	struct catalog_backup b;
	struct read_ctx sink = {.fd = -1};
	uint64_t stored = 0;
	uint8_t *secret = NULL;
	size_t secret_len = 0;
	const char *key_path = NULL;
	char *e = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	rc = get_row(cat, backup_id, &b, err);
	if (rc != DR_OK)
		return rc;
	cJSON *m = meta_parse(&b);
	if (strcmp(b.status, "completed") != 0 &&
	    strcmp(b.status, "verified") != 0 &&
	    strcmp(b.status, "corrupt") != 0) {
		*err = xasprintf("backup %s is %s: only completed backups can "
		                 "be verified",
		                 backup_id, b.status);
		outcome_from(out, &b, m);
		rc = DR_EINVAL;
		goto out;
	}
	rc = backup_key(cfg, &b, m, key_file, &secret, &secret_len, &key_path,
	                &e);
	double t0 = mono_now();
	if (rc == DR_OK)
		rc = read_back(cfg, &b, m, secret, secret_len, key_path, &sink,
		               &stored, &e);
	out->seconds = mono_now() - t0;
	out->plain_bytes = sink.plain;
	out->stored_bytes = stored;
	/* Only the object's own state changes the row: a wrong or missing
	 * key says nothing about the backup. */
	if (rc == DR_OK || rc == DR_ECORRUPT) {
		int ok = rc == DR_OK;
		strlcpy_dr(b.status, ok ? "verified" : "corrupt",
		           sizeof b.status);
		if (ok)
			cJSON_DeleteItemFromObjectCaseSensitive(m, "error");
		else
			meta_set_str(m, "error", e);
		char iso[32];
		time_format_iso(time_now(), iso);
		meta_set_str(m, "verified_at", iso);
		meta_store(&b, m);
		char *se = NULL;
		int src = save_with_audit(
		    cat, &b, ok ? "backup.verify" : "backup.corrupt",
		    ok ? "verified" : e, &se);
		if (src != DR_OK && rc == DR_OK) {
			rc = src;
			e = se;
			se = NULL;
		}
		free(se);
	}
	if (rc != DR_OK) {
		*err = e;
		e = NULL;
	}
	outcome_from(out, &b, m);
out:
	crypto_secret_free(secret, secret_len);
	free(e);
	cJSON_Delete(m);
	catalog_backup_clear(&b);
	return rc;
}

/* ---- choosing and restoring --------------------------------------------- */

/* The newest good backup of service (of target too, unless NULL):
 * verified only, or completed or verified; completed at or after since.
 * id "" when there is none. */
static int newest_good(struct catalog *cat, const char *service,
                       const char *target, int verified_only, int64_t since,
                       char id[40], char **err)
{
	static const char *const good[] = {"verified", "completed"};
	int64_t best_at = -1;
	int rc = DR_OK;
	id[0] = '\0';
	for (size_t s = 0; s < (verified_only ? 1u : 2u) && rc == DR_OK; s++) {
		struct catalog_backup_filter f = {.service = service,
		                                  .status = good[s]};
		struct catalog_backup *list = NULL;
		size_t n = 0;
		rc = catalog_backup_list(cat, &f, &list, &n, err);
		for (size_t i = 0; rc == DR_OK && i < n; i++)
			if (list[i].completed_at > best_at &&
			    list[i].completed_at >= since &&
			    (target == NULL || of_target(&list[i], target))) {
				best_at = list[i].completed_at;
				strlcpy_dr(id, list[i].backup_id, 40);
			}
		catalog_backups_free(list, n);
	}
	return rc;
}

int backup_latest_of_target(struct catalog *cat, const char *service,
                            const char *target, char backup_id[40], char **err)
{
	int rc = newest_good(cat, service, target, 0, 0, backup_id, err);

	if (rc == DR_OK && backup_id[0] == '\0') {
		*err = xasprintf("target %s of service %s has no completed "
		                 "backup",
		                 target, service);
		rc = DR_ENOTFOUND;
	}
	return rc;
}

int backup_resolve(struct catalog *cat, const char *spec, int64_t now,
                   char backup_id[40], char **err)
{
	const char *colon = strchr(spec, ':');
	int rc;
	if (colon == NULL) {
		struct catalog_backup b;
		rc = get_row(cat, spec, &b, err);
		if (rc == DR_OK) {
			strlcpy_dr(backup_id, b.backup_id, 40);
			catalog_backup_clear(&b);
		}
		return rc;
	}
	char *how = xstrndup(spec, (size_t)(colon - spec));
	const char *service = colon + 1;
	struct catalog_service svc;
	rc = catalog_service_get(cat, service, &svc, err);
	if (rc == DR_ENOTFOUND) {
		free(*err);
		*err = xasprintf("no service \"%s\" in the catalog", service);
	}
	if (rc == DR_OK && strcmp(how, "latest") == 0) {
		rc = newest_good(cat, service, NULL, 0, 0, backup_id, err);
		if (rc == DR_OK && backup_id[0] == '\0') {
			*err = xasprintf("service %s has no completed backup",
			                 service);
			rc = DR_ENOTFOUND;
		}
	} else if (rc == DR_OK && strcmp(how, "within-rpo") == 0) {
		int64_t rpo = svc.rpo_s;
		if (rpo == 0) {
			struct catalog_tier *tiers = NULL;
			size_t nt = 0;
			if (catalog_tier_list(cat, &tiers, &nt, err) == DR_OK)
				for (size_t i = 0; i < nt; i++)
					if (strcmp(tiers[i].name, svc.tier) ==
					    0)
						rpo = tiers[i].rpo_s;
			free(tiers);
		}
		if (rpo <= 0) {
			*err =
			    xasprintf("service %s has no RPO target", service);
			rc = DR_EINVAL;
		} else {
			rc = newest_good(cat, service, NULL, 1, now - rpo,
			                 backup_id, err);
			if (rc == DR_OK && backup_id[0] == '\0') {
				char d[32];
				snprintf(d, sizeof d, "%llds", (long long)rpo);
				*err = xasprintf(
				    "service %s has no verified backup inside "
				    "its RPO (%s); run `drconsole backup "
				    "verify --service %s`",
				    service, d, service);
				rc = DR_ENOTFOUND;
			}
		}
	} else if (rc == DR_OK) {
		*err = xasprintf("\"%s\": expected a backup id, "
		                 "latest:SERVICE or within-rpo:SERVICE",
		                 spec);
		rc = DR_EINVAL;
	}
	free(how);
	return rc;
}

/* ---- restoring ---------------------------------------------------------- */

/* Whose fault a failed restore is.  Only a fault of the backup (its object
 * cannot be read back whole, or a command rejected it part way) marks the
 * backup restore_failed, so that latest: and within-rpo: move on to the
 * next good one; a wrong key, or a destination that fails on a backup it
 * read to the end, leaves the backup as it was. */
enum restore_fault {
	FAULT_NONE,
	FAULT_BACKUP,
	FAULT_KEY,
	FAULT_DEST,
};

struct restore_run {
	int rc;
	enum restore_fault fault;
	char *error; /* malloc'd; NULL when ok */
	int64_t started_at, ended_at;
	double seconds;
	uint64_t plain, stored;
};

static void run_fail(struct restore_run *run, int rc, enum restore_fault f,
                     char *why)
{
	if (run->rc != DR_OK) {
		free(why);
		return;
	}
	run->rc = rc;
	run->fault = f;
	run->error = why;
}

/* A command that could not be run at all (not found, not executable). */
static int could_not_run(const struct spawn_exit *ex)
{
	return ex->exited && (ex->code == 126 || ex->code == 127);
}

/* Judges a command sink after the object was read whole. */
static void command_outcome(struct read_ctx *sink, struct restore_run *run)
{
	struct spawn_exit ex;
	char *name = xstrdup(sink->what), *e = NULL;
	int rc = spawn_wait(sink->sp, &ex, &e);
	sink->sp = NULL;
	if (rc != DR_OK) {
		run_fail(run, rc, FAULT_DEST, e);
		free(name);
		return;
	}
	char *how = spawn_exit_describe(&ex);
	/* A command that rejects a backup before its end blames the
	 * backup.  One that could not run, read nothing of it (no database
	 * to restore into), or stops reading and says all is well
	 * (pg_restore -l reads only the table of contents) only fails
	 * itself. */
	int blames_backup = !could_not_run(&ex) && sink->taken != 0 &&
	                    (!ex.exited || ex.code != 0);
	if (sink->closed_early && sink->taken >= 0)
		run_fail(run, DR_EIO, blames_backup ? FAULT_BACKUP : FAULT_DEST,
		         xasprintf("%s stopped reading after %lld of %llu "
		                   "bytes and %s",
		                   name, (long long)sink->taken,
		                   (unsigned long long)sink->plain, how));
	else if (sink->closed_early)
		run_fail(run, DR_EIO, blames_backup ? FAULT_BACKUP : FAULT_DEST,
		         xasprintf("%s stopped reading within the first %llu "
		                   "of %llu bytes and %s",
		                   name, (unsigned long long)sink->delivered,
		                   (unsigned long long)sink->plain, how));
	else if (!ex.exited || ex.code != 0)
		run_fail(
		    run, DR_EIO, FAULT_DEST,
		    xasprintf("%s read the whole backup (%llu bytes) and %s",
		              name, (unsigned long long)sink->plain, how));
	free(how);
	free(name);
}

/* Streams backup b into sinkdef (a file sink's path must not exist; it
 * appears only when everything checked out) and says what happened. */
static void restore_stream(const struct config *cfg,
                           const struct catalog_backup *b, const cJSON *m,
                           const struct backup_sink *sinkdef,
                           const uint8_t *secret, size_t secret_len,
                           const char *key_path, struct restore_run *run)
{
	struct read_ctx sink = {.def = sinkdef, .fd = -1};
	char *tmp = NULL, *e = NULL;
	int file_fd = -1;
	int rc;

	memset(run, 0, sizeof *run);
	run->started_at = time_now();
	double t0 = mono_now();
	if (sinkdef->path != NULL) {
		tmp =
		    xasprintf("%s.partial-%ld", sinkdef->path, (long)getpid());
		file_fd =
		    open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (file_fd < 0) {
			run_fail(run, DR_EIO, FAULT_DEST,
			         xasprintf("cannot create %s: %s", tmp,
			                   strerror(errno)));
			goto out;
		}
		sink.fd = file_fd;
		sink.what = sinkdef->path;
	}
	/* A restore command that exits early must not kill us. */
	signal(SIGPIPE, SIG_IGN);
	rc = read_back(cfg, b, m, secret, secret_len, key_path, &sink,
	               &run->stored, &e);
	if (rc == DR_OK && !sink.started)
		sink_start(&sink); /* an empty backup still reaches the sink */
	run->plain = sink.plain;
	if (rc != DR_OK) {
		run_fail(run, rc, rc == DR_EKEY ? FAULT_KEY : FAULT_BACKUP, e);
		e = NULL;
		/* Never let a command take a part for the whole. */
		spawn_kill(sink.sp);
		sink.sp = NULL;
	}
	if (sink.sp != NULL)
		command_outcome(&sink, run);
	if (sink.sink_err != NULL) {
		run_fail(run, DR_EIO, FAULT_DEST, sink.sink_err);
		sink.sink_err = NULL;
	}
	if (file_fd >= 0) {
		if (run->rc == DR_OK && fsync(file_fd) != 0)
			run_fail(run, DR_EIO, FAULT_DEST,
			         xasprintf("cannot sync %s: %s", tmp,
			                   strerror(errno)));
		close(file_fd);
		if (run->rc == DR_OK && rename(tmp, sinkdef->path) != 0)
			run_fail(run, DR_EIO, FAULT_DEST,
			         xasprintf("cannot rename %s: %s", tmp,
			                   strerror(errno)));
		if (run->rc != DR_OK)
			unlink(tmp);
	}
out:
	free(e);
	free(tmp);
	run->seconds = mono_now() - t0;
	run->ended_at = time_now();
}

/* Records a restore that ran, in one transaction: the backup's new state
 * (verified after a success, restore_failed after a fault of the backup),
 * the restores row and the audit row. */
static int restore_save(struct catalog *cat, const char *kind,
                        struct catalog_backup *b, cJSON *m,
                        const struct restore_run *run,
                        const struct backup_restore_opts *opts,
                        const char *audit_target, const char *where, char **err)
{
	int change = run->rc == DR_OK || run->fault == FAULT_BACKUP;
	char iso[32];
	time_format_iso(run->ended_at, iso);
	if (run->rc == DR_OK) {
		strlcpy_dr(b->status, "verified", sizeof b->status);
		cJSON_DeleteItemFromObjectCaseSensitive(m, "error");
		meta_set_str(m, "verified_at", iso);
		if (strcmp(kind, "restore-test") == 0)
			meta_set_num(m, "restore_test_seconds", run->seconds);
		meta_store(b, m);
	} else if (run->fault == FAULT_BACKUP) {
		strlcpy_dr(b->status, "restore_failed", sizeof b->status);
		meta_set_str(m, "error", run->error);
		meta_set_str(m, "restore_failed_at", iso);
		meta_store(b, m);
	}
	const char *target = meta_str(m, "target");
	struct catalog_restore r;
	memset(&r, 0, sizeof r);
	strlcpy_dr(r.kind, kind, sizeof r.kind);
	strlcpy_dr(r.service, b->service, sizeof r.service);
	strlcpy_dr(r.backup_id, b->backup_id, sizeof r.backup_id);
	strlcpy_dr(r.target, target ? target : "", sizeof r.target);
	if (opts != NULL && opts->recovery_id != NULL)
		strlcpy_dr(r.recovery_id, opts->recovery_id,
		           sizeof r.recovery_id);
	r.started_at = run->started_at;
	r.ended_at = run->ended_at;
	r.duration_s = run->seconds;
	r.bytes = (int64_t)run->plain;
	r.ok = run->rc == DR_OK;
	strlcpy_dr(r.error, run->error ? run->error : "", sizeof r.error);
	char *details =
	    run->rc == DR_OK
	        ? xasprintf("backup %s to %s, %llu bytes in %.3fs",
	                    b->backup_id, where, (unsigned long long)run->plain,
	                    run->seconds)
	        : xasprintf("backup %s to %s failed%s: %s", b->backup_id, where,
	                    run->fault == FAULT_BACKUP ? " (restore_failed)"
	                                               : "",
	                    run->error);
	char *action =
	    xasprintf("backup.%s%s", kind, run->rc == DR_OK ? "" : "-failed");
	int rc = catalog_begin(cat, err);
	if (rc == DR_OK && change)
		rc = catalog_backup_update(cat, b, err);
	if (rc == DR_OK)
		rc = catalog_restore_record(cat, &r, err);
	if (rc == DR_OK)
		rc = audit_record(cat, action, audit_target, details, err);
	if (rc == DR_OK)
		rc = catalog_commit(cat, err);
	else
		catalog_rollback(cat);
	free(action);
	free(details);
	return rc;
}

/* Runs one restore of b and records it; *err is the restore's own error
 * when it failed (its status), else a catalog error. */
static int restore_and_save(struct catalog *cat, const struct config *cfg,
                            const char *kind, struct catalog_backup *b,
                            cJSON *m, const struct backup_sink *sinkdef,
                            const struct backup_restore_opts *opts,
                            const char *audit_target, const char *where,
                            struct backup_outcome *out, char **err)
{
	struct restore_run run;
	uint8_t *secret = NULL;
	size_t secret_len = 0;
	const char *key_path = NULL;
	/* A key file that cannot be used refuses the restore before it
	 * starts; a key that does not open the backup fails it. */
	int rc = backup_key(cfg, b, m, opts ? opts->key_file : NULL, &secret,
	                    &secret_len, &key_path, err);
	if (rc != DR_OK) {
		outcome_from(out, b, m);
		return rc;
	}
	restore_stream(cfg, b, m, sinkdef, secret, secret_len, key_path, &run);
	crypto_secret_free(secret, secret_len);
	out->seconds = run.seconds;
	out->plain_bytes = run.plain;
	out->stored_bytes = run.stored;
	char *se = NULL;
	int src =
	    restore_save(cat, kind, b, m, &run, opts, audit_target, where, &se);
	rc = run.rc;
	if (rc != DR_OK) {
		*err = run.error;
		if (src != DR_OK) {
			char *both = xasprintf("%s (and it could not be "
			                       "recorded: %s)",
			                       *err, se);
			free(*err);
			*err = both;
		}
		free(se);
	} else if (src != DR_OK) {
		*err = se;
		rc = src;
	}
	outcome_from(out, b, m);
	return rc;
}

int backup_restore(struct catalog *cat, const struct config *cfg,
                   const char *backup_id, const struct backup_sink *sinkdef,
                   const struct backup_restore_opts *opts,
                   struct backup_outcome *out, char **err)
{
	struct catalog_backup b;
	int rc;

	memset(out, 0, sizeof *out);
	rc = get_row(cat, backup_id, &b, err);
	if (rc != DR_OK)
		return rc;
	cJSON *m = meta_parse(&b);
	outcome_from(out, &b, m);
	/* restore_failed by id: an operator trying again (a restore that
	 * succeeds makes it good again); latest: never picks it. */
	if (strcmp(b.status, "completed") != 0 &&
	    strcmp(b.status, "verified") != 0 &&
	    strcmp(b.status, "restore_failed") != 0) {
		*err = xasprintf("backup %s is %s: only completed or verified "
		                 "backups are restored",
		                 backup_id, b.status);
		rc = DR_EINVAL;
		goto out;
	}
	struct stat st;
	if (sinkdef->path != NULL && lstat(sinkdef->path, &st) == 0) {
		*err = xasprintf("%s exists; restore never overwrites",
		                 sinkdef->path);
		rc = DR_EEXIST;
		goto out;
	}
	rc = restore_and_save(
	    cat, cfg, "restore", &b, m, sinkdef, opts, b.backup_id,
	    sinkdef->path ? sinkdef->path : "a command", out, err);
out:
	cJSON_Delete(m);
	catalog_backup_clear(&b);
	return rc;
}

/* ---- restore tests ------------------------------------------------------ */

int backup_restore_test(struct catalog *cat, const struct config *cfg,
                        const char *target,
                        const struct backup_restore_opts *opts,
                        struct backup_outcome *out, char **err)
{
	const struct backup_target *t = backup_config_target(cfg, target);
	struct catalog_backup b;
	char id[40], *dir = NULL, *file = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	if (t == NULL) {
		*err =
		    xasprintf("no backup target \"%s\" in the config", target);
		return DR_ENOTFOUND;
	}
	/* This target's backups only: another target of the same service
	 * holds other data, which this target's command cannot read. */
	rc = newest_good(cat, t->service, t->name, 1, 0, id, err);
	if (rc == DR_OK && id[0] == '\0') {
		rc = newest_good(cat, t->service, t->name, 0, 0, id, err);
		if (rc == DR_OK && id[0] != '\0')
			snprintf(
			    out->note, sizeof out->note,
			    "target %s has no verified backup; testing its "
			    "newest completed one",
			    t->name);
	}
	if (rc != DR_OK)
		return rc;
	if (id[0] == '\0') {
		*err = xasprintf("target %s has no completed or verified "
		                 "backup to test",
		                 t->name);
		return DR_ENOTFOUND;
	}
	rc = get_row(cat, id, &b, err);
	if (rc != DR_OK)
		return rc;
	cJSON *m = meta_parse(&b);
	struct backup_sink sink = {.argv = t->test_argv,
	                           .shell = t->test_shell};
	if (t->test_argv == NULL && t->test_shell == NULL) {
		const char *tmpdir = getenv("TMPDIR");
		dir = xasprintf("%s/drconsole-restore-test-XXXXXX",
		                tmpdir && *tmpdir ? tmpdir : "/tmp");
		if (mkdtemp(dir) == NULL) {
			*err = xasprintf("cannot create a scratch directory: "
			                 "%s",
			                 strerror(errno));
			rc = DR_EIO;
			outcome_from(out, &b, m);
			goto out;
		}
		file = xasprintf("%s/restored", dir);
		sink.path = file;
	}
	rc = restore_and_save(cat, cfg, "restore-test", &b, m, &sink, opts,
	                      t->service,
	                      file ? "a scratch file"
	                           : "the restore_test "
	                             "command",
	                      out, err);
	if (rc != DR_OK) {
		char *e = xasprintf("restore test of %s failed: %s", id, *err);
		free(*err);
		*err = e;
	}
out:
	if (file != NULL)
		unlink(file);
	if (dir != NULL)
		rmdir(dir);
	free(file);
	free(dir);
	cJSON_Delete(m);
	catalog_backup_clear(&b);
	return rc;
}

/* ---- listing ------------------------------------------------------------ */

static void add_time(cJSON *o, const char *key, int64_t t)
{
	char iso[32];
	if (t == 0) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	time_format_iso(t, iso);
	cJSON_AddStringToObject(o, key, iso);
}

char *backup_list_json(const struct catalog_backup *list, size_t n)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		const struct catalog_backup *b = &list[i];
		cJSON *m = meta_parse(b), *o = cJSON_CreateObject();
		const char *target = meta_str(m, "target");
		const char *error = meta_str(m, "error");
		const cJSON *plain =
		    cJSON_GetObjectItemCaseSensitive(m, "plain_bytes");
		const cJSON *copies =
		    cJSON_GetObjectItemCaseSensitive(m, "copies");
		cJSON_AddStringToObject(o, "backup_id", b->backup_id);
		cJSON_AddStringToObject(o, "service", b->service);
		if (target != NULL)
			cJSON_AddStringToObject(o, "target", target);
		else
			cJSON_AddNullToObject(o, "target");
		cJSON_AddStringToObject(o, "status", b->status);
		cJSON_AddStringToObject(o, "type", b->type);
		add_time(o, "started_at", b->started_at);
		add_time(o, "completed_at", b->completed_at);
		if (b->size_bytes >= 0)
			cJSON_AddNumberToObject(o, "size_bytes",
			                        (double)b->size_bytes);
		else
			cJSON_AddNullToObject(o, "size_bytes");
		if (cJSON_IsNumber(plain))
			cJSON_AddNumberToObject(o, "plain_bytes",
			                        plain->valuedouble);
		else
			cJSON_AddNullToObject(o, "plain_bytes");
		cJSON_AddNumberToObject(o, "compression_ratio",
		                        b->compression_ratio);
		cJSON_AddStringToObject(o, "checksum", b->checksum);
		if (b->location != NULL)
			cJSON_AddStringToObject(o, "location", b->location);
		else
			cJSON_AddNullToObject(o, "location");
		cJSON_AddBoolToObject(
		    o, "encrypted",
		    cJSON_IsTrue(
		        cJSON_GetObjectItemCaseSensitive(m, "encrypted")));
		cJSON *names = cJSON_AddArrayToObject(o, "copies");
		const cJSON *c;
		cJSON_ArrayForEach(c, copies)
		{
			cJSON_AddItemToArray(names,
			                     cJSON_CreateString(c->string));
		}
		if (error != NULL)
			cJSON_AddStringToObject(o, "error", error);
		else
			cJSON_AddNullToObject(o, "error");
		cJSON_AddItemToArray(arr, o);
		cJSON_Delete(m);
	}
	char *text = json_print_text(arr, 1);
	cJSON_Delete(arr);
	if (text == NULL)
		abort();
	return text;
}

void backup_meta_summary(const struct catalog_backup *b, char target[64],
                         char error[256])
{
	cJSON *m = meta_parse(b);
	const char *t = meta_str(m, "target"), *e = meta_str(m, "error");
	strlcpy_dr(target, t ? t : "", 64);
	strlcpy_dr(error, e ? e : "", 256);
	cJSON_Delete(m);
}

/* ---- retention ---------------------------------------------------------- */

static int good_backups(struct catalog *cat, const char *service,
                        struct catalog_backup **out, size_t *n, char **err)
{
	static const char *const good[] = {"completed", "verified"};
	*out = NULL;
	*n = 0;
	for (size_t s = 0; s < 2; s++) {
		struct catalog_backup_filter f = {.service = service,
		                                  .status = good[s]};
		struct catalog_backup *list = NULL;
		size_t k = 0;
		int rc = catalog_backup_list(cat, &f, &list, &k, err);
		if (rc != DR_OK) {
			catalog_backups_free(*out, *n);
			*out = NULL;
			*n = 0;
			return rc;
		}
		*out = xreallocarray(*out, *n + k + 1, sizeof **out);
		if (k > 0)
			memcpy(*out + *n, list, k * sizeof *list);
		*n += k;
		free(list); /* the records moved; their strings with them */
	}
	return DR_OK;
}

static int by_completed_desc(const void *a, const void *b)
{
	const struct catalog_backup *x = a, *y = b;
	if (x->completed_at != y->completed_at)
		return x->completed_at < y->completed_at ? 1 : -1;
	return strcmp(x->backup_id, y->backup_id);
}

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

static void add_item(struct backup_prune_item **items, size_t *n,
                     const struct catalog_backup *b, int keep,
                     const char *reason)
{
	*items = xreallocarray(*items, *n + 1, sizeof **items);
	struct backup_prune_item *it = &(*items)[(*n)++];
	memset(it, 0, sizeof *it);
	strlcpy_dr(it->backup_id, b->backup_id, sizeof it->backup_id);
	strlcpy_dr(it->service, b->service, sizeof it->service);
	it->completed_at = b->completed_at;
	it->keep = keep;
	strlcpy_dr(it->reason, reason, sizeof it->reason);
}

/* Deletes an expired backup's object; records success, or the error to
 * retry next time. */
static void delete_expired(struct catalog *cat, const struct config *cfg,
                           struct catalog_backup *b,
                           struct backup_prune_item *it)
{
	cJSON *m = meta_parse(b);
	const char *object = meta_str(m, "object");
	struct repo *repo = NULL;
	char *e = NULL;
	int rc = DR_OK;
	if (object != NULL) {
		rc = open_repo(cfg, meta_str(m, "repository"),
		               meta_str(m, "repo_url"), &repo, &e);
		if (rc == DR_OK) {
			rc = repo_remove(repo, object, &e);
			if (rc == DR_ENOTFOUND) {
				rc = DR_OK;
				free(e);
				e = NULL;
			}
		}
		repo_close(repo);
	}
	if (rc == DR_OK) {
		cJSON_DeleteItemFromObjectCaseSensitive(m, "delete_error");
		cJSON_DeleteItemFromObjectCaseSensitive(m, "deleted");
		cJSON_AddBoolToObject(m, "deleted", 1);
		meta_store(b, m);
		char *se = NULL;
		if (save_with_audit(cat, b, "backup.delete", object, &se) !=
		    DR_OK) {
			strlcpy_dr(it->error, se ? se : "catalog error",
			           sizeof it->error);
		} else {
			it->deleted = 1;
		}
		free(se);
	} else {
		strlcpy_dr(it->error, e ? e : "delete failed",
		           sizeof it->error);
		meta_set_str(m, "delete_error", it->error);
		meta_store(b, m);
		char *se = NULL;
		catalog_backup_update(cat, b, &se);
		free(se);
	}
	free(e);
	cJSON_Delete(m);
}

static int deleted_flag(const struct catalog_backup *b)
{
	cJSON *m = meta_parse(b);
	int yes = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "deleted"));
	cJSON_Delete(m);
	return yes;
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
	     ti++) {
		const struct backup_target *t = &bc->targets[ti];
		struct catalog_backup *all = NULL;
		size_t na = 0, nb = 0;
		rc = good_backups(cat, t->service, &all, &na, err);
		if (rc != DR_OK)
			break;
		qsort(all, na, sizeof *all, by_completed_desc);
		/* The newest verified backup of the service, whichever target
		 * made it, is never deleted. */
		const char *newest_verified = NULL;
		for (size_t i = 0; i < na && newest_verified == NULL; i++)
			if (strcmp(all[i].status, "verified") == 0)
				newest_verified = all[i].backup_id;
		/* Pointers into all: updates land in the records that
		 * catalog_backups_free() releases. */
		struct catalog_backup **mine = xcalloc(na + 1, sizeof *mine);
		for (size_t i = 0; i < na; i++)
			if (of_target(&all[i], t->name))
				mine[nb++] = &all[i];
		const int limits[4] = {t->retention.hourly, t->retention.daily,
		                       t->retention.weekly,
		                       t->retention.monthly};
		static const char *const names[4] = {"hourly", "daily",
		                                     "weekly", "monthly"};
		int used[4] = {0, 0, 0, 0};
		int64_t last[4] = {INT64_MIN, INT64_MIN, INT64_MIN, INT64_MIN};
		for (size_t i = 0; i < nb; i++) {
			const char *why = NULL;
			for (int k = 0; k < 4; k++) {
				int64_t bk = bucket(mine[i]->completed_at, k);
				if (bk != last[k] && used[k] < limits[k]) {
					last[k] = bk;
					used[k]++;
					if (why == NULL)
						why = names[k];
				}
			}
			if (why == NULL && newest_verified != NULL &&
			    strcmp(mine[i]->backup_id, newest_verified) == 0)
				why = "newest verified";
			if (mine[i]->completed_at > now)
				why = why ? why : "in the future";
			add_item(items, n, mine[i], why != NULL,
			         why ? why : "expired");
			if (why != NULL || dry_run)
				continue;
			/* Expired in the catalog first, then deleted. */
			struct backup_prune_item *it = &(*items)[*n - 1];
			cJSON *m = meta_parse(mine[i]);
			char iso[32];
			time_format_iso(now, iso);
			meta_set_str(m, "expired_at", iso);
			meta_store(mine[i], m);
			cJSON_Delete(m);
			strlcpy_dr(mine[i]->status, "expired",
			           sizeof mine[i]->status);
			char *se = NULL;
			if (save_with_audit(cat, mine[i], "backup.expire",
			                    "retention", &se) != DR_OK) {
				strlcpy_dr(it->error, se ? se : "catalog",
				           sizeof it->error);
				free(se);
				continue;
			}
			delete_expired(cat, cfg, mine[i], it);
		}
		free(mine);
		catalog_backups_free(all, na);
	}
	/* Expired earlier but not deleted yet: retry. */
	if (rc == DR_OK) {
		struct catalog_backup_filter f = {.status = "expired"};
		struct catalog_backup *list = NULL;
		size_t k = 0;
		rc = catalog_backup_list(cat, &f, &list, &k, err);
		for (size_t i = 0; rc == DR_OK && i < k; i++) {
			if (deleted_flag(&list[i]))
				continue;
			int fresh = 0;
			for (size_t j = 0; j < *n; j++)
				if (strcmp((*items)[j].backup_id,
				           list[i].backup_id) == 0)
					fresh = 1;
			if (fresh)
				continue;
			add_item(items, n, &list[i], 0, "expired earlier");
			if (!dry_run)
				delete_expired(cat, cfg, &list[i],
				               &(*items)[*n - 1]);
		}
		catalog_backups_free(list, k);
	}
	return rc;
}

/* ---- copies to a second repository -------------------------------------- */

struct copy_ctx {
	struct repo_put *put;
	struct sha256_ctx *sha;
};

static int copy_object(struct repo *from, struct repo *to, const char *object,
                       const char *want_sha, char **err)
{
	struct repo_get *get = NULL;
	struct repo_put *put = NULL;
	uint8_t *buf = NULL;
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
	buf = xmalloc(IO_BUF);
	for (;;) {
		size_t got = 0;
		rc = repo_get_read(get, buf, IO_BUF, &got, err);
		if (rc != DR_OK || got == 0)
			break;
		sha256_update(sha, buf, got);
		rc = repo_put_write(put, buf, got, err);
		if (rc != DR_OK)
			break;
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
		rc = repo_put_commit(put, err);
	else
		repo_put_abort(put);
	if (rc != DR_OK) {
		free(buf);
		return rc;
	}
	/* Read the copy back: the copy counts only when its bytes match. */
	rc = repo_get_open(to, object, &get, err);
	if (rc == DR_OK) {
		sha = sha256_new();
		for (;;) {
			size_t got = 0;
			rc = repo_get_read(get, buf, IO_BUF, &got, err);
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
	}
	free(buf);
	return rc;
}

int backup_copy(struct catalog *cat, const struct config *cfg,
                const char *target, int64_t now,
                struct backup_copy_item **items, size_t *n, char **err)
{
	const struct backup_config *bc = cfg->backup;
	int rc = DR_OK, any = 0;
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
		struct catalog_backup *all = NULL;
		size_t na = 0;
		rc = good_backups(cat, t->service, &all, &na, err);
		if (rc != DR_OK)
			break;
		qsort(all, na, sizeof *all, by_completed_desc);
		struct repo *to = NULL;
		struct repo_options opt;
		char *oe = NULL;
		backup_config_repo_options(dst, &opt);
		int open_rc = repo_open(dst->url, &opt, &to, &oe);
		int64_t oldest_uncopied = 0, pending_bytes = 0;
		for (size_t i = na; i-- > 0;) {
			struct catalog_backup *b = &all[i];
			if (!of_target(b, t->name))
				continue;
			cJSON *m = meta_parse(b);
			cJSON *copies =
			    cJSON_GetObjectItemCaseSensitive(m, "copies");
			if (cJSON_GetObjectItemCaseSensitive(
			        copies, t->copy_repository) != NULL) {
				cJSON_Delete(m);
				continue;
			}
			*items = xreallocarray(*items, *n + 1, sizeof **items);
			struct backup_copy_item *it = &(*items)[(*n)++];
			memset(it, 0, sizeof *it);
			strlcpy_dr(it->backup_id, b->backup_id,
			           sizeof it->backup_id);
			strlcpy_dr(it->target, t->name, sizeof it->target);
			strlcpy_dr(it->repository, t->copy_repository,
			           sizeof it->repository);
			char *e = NULL;
			int crc = open_rc;
			if (crc != DR_OK) {
				e = xstrdup(oe);
			} else {
				struct repo *from = NULL;
				crc = open_repo(cfg, meta_str(m, "repository"),
				                meta_str(m, "repo_url"), &from,
				                &e);
				if (crc == DR_OK)
					crc = copy_object(from, to,
					                  meta_str(m, "object"),
					                  b->checksum, &e);
				repo_close(from);
			}
			if (crc == DR_OK) {
				if (copies == NULL)
					copies = cJSON_AddObjectToObject(
					    m, "copies");
				cJSON *c = cJSON_AddObjectToObject(
				    copies, t->copy_repository);
				char iso[32];
				time_format_iso(now, iso);
				cJSON_AddStringToObject(c, "at", iso);
				cJSON_AddStringToObject(c, "url", dst->url);
				meta_store(b, m);
				char *d =
				    xasprintf("to %s, sha256 %s",
				              t->copy_repository, b->checksum);
				crc = save_with_audit(cat, b, "backup.copy", d,
				                      &e);
				free(d);
			}
			if (crc == DR_OK) {
				it->ok = 1;
			} else {
				strlcpy_dr(it->error, e ? e : "copy failed",
				           sizeof it->error);
				if (oldest_uncopied == 0 ||
				    b->completed_at < oldest_uncopied)
					oldest_uncopied = b->completed_at;
				pending_bytes +=
				    b->size_bytes > 0 ? b->size_bytes : 0;
			}
			free(e);
			cJSON_Delete(m);
		}
		/* Copy lag: the age of the oldest backup not yet copied. */
		struct catalog_replication rep;
		memset(&rep, 0, sizeof rep);
		strlcpy_dr(rep.service, t->service, sizeof rep.service);
		snprintf(rep.source, sizeof rep.source, "backup:%s",
		         t->repository);
		snprintf(rep.target, sizeof rep.target, "backup:%s",
		         t->copy_repository);
		/* A copy is the same recovery point as its backup: its lag is
		 * copy lag, never a replica's (docs/EVIDENCE.md). */
		strlcpy_dr(rep.kind, "copy", sizeof rep.kind);
		rep.lag_s =
		    oldest_uncopied ? (double)(now - oldest_uncopied) : 0;
		rep.lag_bytes = pending_bytes;
		strlcpy_dr(rep.state,
		           open_rc != DR_OK  ? "down"
		           : oldest_uncopied ? "catchup"
		                             : "streaming",
		           sizeof rep.state);
		rep.sampled_at = now;
		rc = catalog_replication_record(cat, &rep, err);
		free(oe);
		repo_close(to);
		catalog_backups_free(all, na);
	}
	if (rc == DR_OK && !any) {
		*err = xasprintf("no backup target has a copy_repository");
		return DR_ENOTFOUND;
	}
	return rc;
}
