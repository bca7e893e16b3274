/* Restore tests of imported backups; the model is in import_restore.h. */
#include "core/import_restore.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/backup_status.h"
#include "core/error.h"
#include "core/ops.h"
#include "core/spawn.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

#define MARKER ".drconsole-scratch"

const struct import_spec *import_restore_find(const struct config *cfg,
                                              const char *target)
{
	const char *name = target;

	if (strncmp(target, "import:", 7) == 0)
		name = target + 7;
	for (size_t i = 0; cfg->imports != NULL && i < cfg->imports->n_specs;
	     i++) {
		const struct import_spec *sp = &cfg->imports->specs[i];
		if (sp->restore_test != NULL && strcmp(sp->name, name) == 0)
			return sp;
	}
	return NULL;
}

/* The newest completed or verified backup of service that this import's
 * tool listed (by completed_at); its label from the import metadata. */
static int pick_backup(struct catalog *cat, const struct import_spec *sp,
                       const char *service, struct catalog_backup *best,
                       char label[128], char **err)
{
	char *prefix;
	size_t plen;
	int rc = DR_OK, found = 0;

	/* The tool's backups, of the import's repository when it names one
	 * (location "format:repository"). */
	prefix = xasprintf("%s:%s", sp->format,
	                   sp->repository ? sp->repository : "");
	plen = strlen(prefix);
	memset(best, 0, sizeof(*best));
	label[0] = '\0';
	for (size_t s = 0; s < BACKUP_GOOD_COUNT && rc == DR_OK; s++) {
		struct catalog_backup_filter f = {
		    .service = service, .status = backup_good_statuses[s]};
		struct catalog_backup *list = NULL;
		size_t n = 0;
		rc = catalog_backup_list(cat, &f, &list, &n, err);
		for (size_t i = 0; rc == DR_OK && i < n; i++) {
			struct catalog_backup *b = &list[i];
			if (b->location == NULL ||
			    strncmp(b->location, prefix, plen) != 0 ||
			    (sp->repository != NULL &&
			     b->location[plen] != '\0') ||
			    (found && b->completed_at <= best->completed_at))
				continue;
			catalog_backup_clear(best);
			*best = *b;
			memset(b, 0, sizeof(*b));
			found = 1;
		}
		catalog_backups_free(list, n);
	}
	free(prefix);
	if (rc != DR_OK)
		return rc;
	if (!found) {
		*err = xasprintf("service %s has no completed backup imported "
		                 "from %s to test",
		                 service, sp->format);
		return DR_ENOTFOUND;
	}
	cJSON *m = best->metadata ? cJSON_Parse(best->metadata) : NULL;
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(m, "import"), "label");
	if (cJSON_IsString(l))
		strlcpy_dr(label, l->valuestring, 128);
	cJSON_Delete(m);
	return DR_OK;
}

/* nftw has no argument for its callback; restore tests run one at a time
 * in a process. */
static int64_t walk_bytes;

static int count_one(const char *path, const struct stat *st, int type,
                     struct FTW *ftw)
{
	if (type == FTW_F && strcmp(path + ftw->base, MARKER) != 0)
		walk_bytes += (int64_t)st->st_size;
	return 0;
}

static int remove_one(const char *path, const struct stat *st, int type,
                      struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if ((type == FTW_DP ? rmdir(path) : unlink(path)) != 0 &&
	    errno != ENOENT)
		return -1;
	return 0;
}

static int remove_tree(const char *dir, char **err)
{
	if (nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0 &&
	    errno != ENOENT) {
		*err = xasprintf("cannot remove the scratch directory %s: %s",
		                 dir, strerror(errno));
		return DR_EIO;
	}
	return DR_OK;
}

/* Takes the lock beside the scratch directory, removes a stale one,
 * makes it afresh with its marker. */
static int scratch_make(const char *dir, int *lock_fd, char *note,
                        size_t note_size, char **err)
{
	char *lock = xasprintf("%s.lock", dir), *marker;
	struct stat st;
	int fd, rc;

	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		*err = xasprintf("cannot open %s: %s", lock, strerror(errno));
		free(lock);
		return DR_EIO;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		*err =
		    xasprintf("another restore test holds %s (%s)", dir, lock);
		close(fd);
		free(lock);
		return DR_EBUSY;
	}
	free(lock);
	*lock_fd = fd;
	marker = xasprintf("%s/" MARKER, dir);
	if (lstat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode) || lstat(marker, &st) != 0) {
			*err = xasprintf("%s exists and is not a scratch "
			                 "directory drconsole made; it is left "
			                 "alone (remove it, or choose another "
			                 "\"scratch\")",
			                 dir);
			free(marker);
			return DR_EEXIST;
		}
		if ((rc = remove_tree(dir, err)) != DR_OK) {
			free(marker);
			return rc;
		}
		snprintf(note, note_size,
		         "removed the scratch directory %s left by a restore "
		         "test that did not finish",
		         dir);
	}
	if (mkdir(dir, 0700) != 0) {
		*err = xasprintf("cannot create the scratch directory %s: %s",
		                 dir, strerror(errno));
		free(marker);
		return DR_EIO;
	}
	fd = open(marker, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	free(marker);
	if (fd < 0) {
		*err = xasprintf("cannot mark the scratch directory %s: %s",
		                 dir, strerror(errno));
		char *ignored = NULL;
		remove_tree(dir, &ignored);
		free(ignored);
		return DR_EIO;
	}
	close(fd);
	return DR_OK;
}

/* arg with every placeholder replaced (malloc'd). */
static char *expand(const char *arg, const char *const keys[],
                    const char *const values[])
{
	size_t cap = strlen(arg) + 1, len = 0;
	char *out = xmalloc(cap);

	for (const char *p = arg; *p != '\0';) {
		const char *v = NULL;
		size_t klen = 0;
		for (size_t i = 0; *p == '{' && keys[i] != NULL; i++)
			if (strncmp(p, keys[i], strlen(keys[i])) == 0) {
				v = values[i];
				klen = strlen(keys[i]);
				break;
			}
		const char *piece = v ? v : p;
		size_t plen = v ? strlen(v) : 1;
		if (len + plen + 1 > cap) {
			cap = (len + plen + 1) * 2;
			out = xrealloc(out, cap);
		}
		memcpy(out + len, piece, plen);
		len += plen;
		p += v ? klen : 1;
	}
	out[len] = '\0';
	return out;
}

/* Runs argv until it exits or its timeout; DR_OK when it exited 0. */
static int run_command(char **argv, char **env, int64_t timeout_s, char **err)
{
	struct spawn *child = NULL;
	struct spawn_exit ex;
	double deadline = time_mono() + (double)timeout_s;
	char buf[8192];
	int rc;

	if ((rc = spawn_start_group(argv, NULL, env, SPAWN_READ, &child,
	                            err)) != DR_OK)
		return rc;
	for (;;) {
		struct pollfd p = {.fd = spawn_fd(child), .events = POLLIN};
		double left = deadline - time_mono();
		if (left <= 0) {
			spawn_kill(child);
			*err = xasprintf("%s: killed after %llds (its timeout)",
			                 argv[0], (long long)timeout_s);
			return DR_ETIMEOUT;
		}
		int pr = poll(&p, 1, left > 1 ? 1000 : (int)(left * 1000) + 1);
		if (pr <= 0)
			continue;
		ssize_t n = read(p.fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
	}
	if ((rc = spawn_wait(child, &ex, err)) != DR_OK)
		return rc;
	if (!ex.exited || ex.code != 0) {
		char *why = spawn_exit_describe(&ex);
		*err = xasprintf("%s %s", argv[0], why);
		free(why);
		return DR_EIO;
	}
	return DR_OK;
}

struct record_change {
	const struct catalog_backup *backup;
	struct catalog_restore *restore; /* its id set by the catalog */
	char *details; /* for the audit row; the caller frees it */
	int passed;
};

static int record_rows(struct catalog *cat, void *arg, char **details,
                       char **err)
{
	const struct record_change *ch = arg;
	int rc = DR_OK;

	if (ch->passed)
		rc = catalog_backup_update(cat, ch->backup, err);
	if (rc == DR_OK)
		rc = catalog_restore_record(cat, ch->restore, err);
	if (rc == DR_OK)
		*details = xstrdup(ch->details);
	return rc;
}

/* The restores row, the backup verified after a pass, the audit row: one
 * transaction. */
static int record(struct catalog *cat, const struct import_spec *sp,
                  struct catalog_backup *b, int64_t started, int64_t ended,
                  const struct import_restore_outcome *out, const char *error,
                  char **err)
{
	struct catalog_restore r;
	char iso[32], target[112];
	int rc;

	memset(&r, 0, sizeof(r));
	snprintf(target, sizeof(target), "import:%s", sp->name);
	strlcpy_dr(r.kind, "restore-test", sizeof(r.kind));
	strlcpy_dr(r.service, b->service, sizeof(r.service));
	strlcpy_dr(r.backup_id, b->backup_id, sizeof(r.backup_id));
	strlcpy_dr(r.target, target, sizeof(r.target));
	r.started_at = started;
	r.ended_at = ended;
	r.duration_s = out->seconds;
	r.bytes = out->bytes;
	r.ok = error == NULL;
	strlcpy_dr(r.error, error ? error : "", sizeof(r.error));
	if (error == NULL) {
		cJSON *m = b->metadata ? cJSON_Parse(b->metadata) : NULL;
		if (!cJSON_IsObject(m)) {
			cJSON_Delete(m);
			m = cJSON_CreateObject();
		}
		time_format_iso(ended, iso);
		cJSON_DeleteItemFromObjectCaseSensitive(m, "verified_at");
		cJSON_DeleteItemFromObjectCaseSensitive(m,
		                                        "restore_test_seconds");
		cJSON_AddStringToObject(m, "verified_at", iso);
		cJSON_AddNumberToObject(m, "restore_test_seconds",
		                        out->seconds);
		free(b->metadata);
		b->metadata = cJSON_PrintUnformatted(m);
		cJSON_Delete(m);
		if (b->metadata == NULL) {
			fprintf(stderr, "drconsole: out of memory\n");
			abort();
		}
		strlcpy_dr(b->status, "verified", sizeof(b->status));
	}
	struct record_change ch = {
	    b,
	    &r,
	    error == NULL
	        ? xasprintf("%s: backup %s (%s %s), %lld bytes in %.3fs",
	                    target, b->backup_id, sp->format, out->label,
	                    (long long)out->bytes, out->seconds)
	        : xasprintf("%s: backup %s (%s %s) failed: %s", target,
	                    b->backup_id, sp->format, out->label, error),
	    error == NULL,
	};
	rc = ops_audited(cat,
	                 error == NULL ? "backup.restore-test"
	                               : "backup.restore-test-failed",
	                 b->service, record_rows, &ch, err);
	free(ch.details);
	return rc;
}

int import_restore_test(struct catalog *cat, const struct config *cfg,
                        const struct import_spec *sp,
                        struct import_restore_outcome *out, char **err)
{
	const struct import_restore_spec *rt = sp->restore_test;
	const char *service = import_restore_service(sp);
	struct catalog_backup b;
	char *dir, *run_err = NULL, *rm_err = NULL;
	int lock_fd = -1, rc;

	(void)cfg;
	memset(out, 0, sizeof(*out));
	out->bytes = -1;
	memset(&b, 0, sizeof(b));
	if (rt == NULL || service == NULL) {
		*err = xasprintf("import %s has no restore_test", sp->name);
		return DR_ENOTFOUND;
	}
	strlcpy_dr(out->service, service, sizeof(out->service));
	rc = pick_backup(cat, sp, service, &b, out->label, err);
	if (rc != DR_OK)
		return rc;
	strlcpy_dr(out->backup_id, b.backup_id, sizeof(out->backup_id));
	if (rt->scratch != NULL) {
		dir = xstrdup(rt->scratch);
	} else {
		const char *tmpdir = getenv("TMPDIR");
		dir = xasprintf("%s/drconsole-restore-test-%s",
		                tmpdir && *tmpdir ? tmpdir : "/tmp", sp->name);
		for (char *c = strrchr(dir, '/') + 1; *c != '\0'; c++)
			if (*c == '/')
				*c = '_';
	}
	rc = scratch_make(dir, &lock_fd, out->note, sizeof(out->note), err);
	if (rc != DR_OK)
		goto out;

	const char *const keys[] = {"{scratch}", "{label}", "{backup_id}",
	                            "{service}", NULL};
	const char *const values[] = {dir, out->label, b.backup_id, service,
	                              NULL};
	size_t argc = 0;
	while (rt->argv[argc] != NULL)
		argc++;
	char **argv = xcalloc(argc + 1, sizeof(char *));
	for (size_t i = 0; i < argc; i++)
		argv[i] = expand(rt->argv[i], keys, values);
	char *env[] = {
	    xasprintf("DR_SCRATCH=%s", dir),
	    xasprintf("DR_BACKUP_LABEL=%s", out->label),
	    xasprintf("DR_BACKUP_ID=%s", b.backup_id),
	    xasprintf("DR_SERVICE=%s", service),
	    xasprintf("DR_IMPORT=%s", sp->name),
	    NULL,
	};
	int64_t started = time_now();
	double t0 = time_mono();
	rc = run_command(argv, env, rt->timeout_s, &run_err);
	out->seconds = time_mono() - t0;
	int64_t ended = time_now();
	walk_bytes = 0;
	if (nftw(dir, count_one, 16, FTW_PHYS) == 0)
		out->bytes = walk_bytes;
	if (rc == DR_OK && out->bytes <= 0) {
		run_err = xasprintf("the command passed but restored nothing "
		                    "into %s",
		                    dir);
		rc = DR_EIO;
	}
	for (size_t i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
	for (size_t i = 0; env[i] != NULL; i++)
		free(env[i]);
	/* Removed before it is recorded: a crash in between leaves a stale
	 * scratch directory (cleaned next time), never a restore row whose
	 * scratch is still there. */
	if (remove_tree(dir, &rm_err) != DR_OK) {
		snprintf(out->note, sizeof(out->note), "%s", rm_err);
		free(rm_err);
	}
	char *rec_err = NULL;
	int rrc = record(cat, sp, &b, started, ended, out,
	                 rc == DR_OK ? NULL : run_err, &rec_err);
	if (rrc == DR_OK)
		out->recorded = 1;
	if (rc != DR_OK) {
		*err = xasprintf("restore test of import:%s (backup %s, %s %s) "
		                 "failed: %s%s%s",
		                 sp->name, b.backup_id, sp->format, out->label,
		                 run_err,
		                 rec_err ? " (and it could not be "
		                           "recorded: "
		                         : "",
		                 rec_err ? rec_err : "");
		if (rec_err != NULL) {
			char *e = xasprintf("%s)", *err);
			free(*err);
			*err = e;
		}
		free(rec_err);
	} else if (rrc != DR_OK) {
		*err = rec_err;
		rc = rrc;
	}
	free(run_err);
out:
	if (lock_fd >= 0)
		close(lock_fd);
	free(dir);
	catalog_backup_clear(&b);
	return rc;
}
