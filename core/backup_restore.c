/* Restore and restore test: one path for both.  A restore names its
 * backup and its sink (a new file, or a command fed on stdin); a restore
 * test picks its target's newest good backup and a scratch file or the
 * target's restore_test command, then takes the same path: the backup is
 * streamed through the checking reader into the sink (backup_read.c), the
 * outcome is judged (whose fault a failure is), and the row, the restores
 * row and the audit row are written in one transaction. */
#include "core/backup_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/audit.h"
#include "core/backup_status.h"
#include "core/crypto.h"
#include "core/error.h"
#include "core/ops.h"
#include "core/procid.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

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
	const char *copy;   /* the copy repository it read, NULL: the primary */
	int primary_failed; /* it read the copy because the primary failed */
};

/* What one restore is for: its kind ("restore" or "restore-test"), what
 * the audit row names, and the sink as people read it. */
struct restore_req {
	const char *kind;
	const struct backup_sink *sink;
	const struct backup_restore_opts *opts;
	const char *audit_target;
	const char *where;
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
static void command_outcome(struct backup_reader_sink *sink,
                            struct restore_run *run)
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
	enum restore_fault f = blames_backup ? FAULT_BACKUP : FAULT_DEST;
	if (sink->closed_early && sink->taken >= 0)
		run_fail(run, DR_EIO, f,
		         xasprintf("%s stopped reading after %lld of %llu "
		                   "bytes and %s",
		                   name, (long long)sink->taken,
		                   (unsigned long long)sink->plain, how));
	else if (sink->closed_early)
		run_fail(run, DR_EIO, f,
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

/* Removes the "PATH.partial-PID" files that killed restores (pids that no
 * longer run) left beside path; how many. */
static size_t sweep_restore_partials(const char *path)
{
	char *dcopy = xstrdup(path), *bcopy = xstrdup(path);
	const char *dir = dirname(dcopy);
	char *prefix = xasprintf("%s.partial-", basename(bcopy));
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t removed = 0;
	while (d != NULL && (de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
			continue;
		char *p = xasprintf("%s/%s", dir, de->d_name);
		struct stat st;
		if (lstat(p, &st) == 0 && S_ISREG(st.st_mode) &&
		    repo_partial_stale(de->d_name, (int64_t)st.st_mtime,
		                       time_now(), 0, NULL) &&
		    unlink(p) == 0)
			removed++;
		free(p);
	}
	if (d != NULL)
		closedir(d);
	free(prefix);
	free(bcopy);
	free(dcopy);
	return removed;
}

/* A file sink writes to "PATH.partial-PID", never to PATH itself. */
static int file_sink_open(const struct backup_sink *def,
                          struct backup_reader_sink *sink, char **tmp,
                          struct restore_run *run)
{
	*tmp = xasprintf("%s.partial-%ld", def->path, (long)getpid());
	int fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		run_fail(
		    run, DR_EIO, FAULT_DEST,
		    xasprintf("cannot create %s: %s", *tmp, strerror(errno)));
		return -1;
	}
	sink->fd = fd;
	sink->what = def->path;
	return fd;
}

/* The file appears under its name only when everything checked out. */
static void file_sink_close(int fd, const char *tmp, const char *path,
                            struct restore_run *run)
{
	if (run->rc == DR_OK && fsync(fd) != 0)
		run_fail(run, DR_EIO, FAULT_DEST,
		         xasprintf("cannot sync %s: %s", tmp, strerror(errno)));
	close(fd);
	if (run->rc == DR_OK && rename(tmp, path) != 0)
		run_fail(
		    run, DR_EIO, FAULT_DEST,
		    xasprintf("cannot rename %s: %s", tmp, strerror(errno)));
	if (run->rc != DR_OK)
		unlink(tmp);
}

/* Streams backup b into the sink (a file sink's path must not exist; it
 * appears only when everything checked out) and says what happened. */
static void restore_stream(const struct config *cfg,
                           const struct catalog_backup *b, const cJSON *m,
                           const struct backup_sink *def,
                           const struct backup_key *key,
                           const struct backup_restore_opts *opts,
                           struct restore_run *run)
{
	struct backup_reader_sink sink = {.def = def, .fd = -1};
	char *tmp = NULL, *e = NULL;
	int file_fd = -1;
	const cJSON *plain = cJSON_GetObjectItemCaseSensitive(m, "plain_bytes");

	memset(run, 0, sizeof *run);
	run->started_at = time_now();
	double t0 = time_mono();
	if (opts != NULL) {
		sink.progress = opts->progress;
		sink.progress_arg = opts->progress_arg;
	}
	sink.t0 = t0;
	if (cJSON_IsNumber(plain) && plain->valuedouble > 0)
		sink.expected = (uint64_t)plain->valuedouble;
	if (def->path != NULL &&
	    (file_fd = file_sink_open(def, &sink, &tmp, run)) < 0)
		goto out;
	/* A restore command that exits early must not kill us. */
	signal(SIGPIPE, SIG_IGN);
	int rc = backup_read_back(cfg, b, m, key, &sink, &run->stored, &e);
	if (rc == DR_OK && !sink.started)
		backup_sink_start(&sink); /* an empty backup still reaches it */
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
	if (file_fd >= 0)
		file_sink_close(file_fd, tmp, def->path, run);
out:
	free(e);
	free(tmp);
	run->seconds = time_mono() - t0;
	run->ended_at = time_now();
}

/* The backup's new state: verified after a success, restore_failed after
 * a fault of the backup; 0 when it stays as it was. */
static int restore_mark(const char *kind, struct catalog_backup *b, cJSON *m,
                        const struct restore_run *run)
{
	char iso[32];
	time_format_iso(run->ended_at, iso);
	if (run->copy != NULL) {
		/* The copy's state, never the primary's. */
		cJSON *copies = cJSON_GetObjectItemCaseSensitive(m, "copies");
		cJSON *c = cJSON_GetObjectItemCaseSensitive(copies, run->copy);
		if (run->rc == DR_OK || run->fault != FAULT_BACKUP || c == NULL)
			return 0;
		cJSON_DeleteItemFromObjectCaseSensitive(c, "failed");
		cJSON_DeleteItemFromObjectCaseSensitive(c, "failed_at");
		cJSON_AddStringToObject(c, "failed", run->error);
		cJSON_AddStringToObject(c, "failed_at", iso);
		/* Neither the primary nor the copy reads back. */
		if (run->primary_failed) {
			strlcpy_dr(b->status, "restore_failed",
			           sizeof b->status);
			backup_meta_set_str(m, "error", run->error);
			backup_meta_set_str(m, "restore_failed_at", iso);
		}
		backup_meta_store(b, m);
		return 1;
	}
	if (run->rc == DR_OK) {
		strlcpy_dr(b->status, CATALOG_BACKUP_VERIFIED,
		           sizeof b->status);
		cJSON_DeleteItemFromObjectCaseSensitive(m, "error");
		backup_meta_set_str(m, "verified_at", iso);
		if (strcmp(kind, "restore-test") == 0)
			backup_meta_set_num(m, "restore_test_seconds",
			                    run->seconds);
		backup_meta_store(b, m);
		return 1;
	}
	if (run->fault == FAULT_BACKUP) {
		strlcpy_dr(b->status, "restore_failed", sizeof b->status);
		backup_meta_set_str(m, "error", run->error);
		backup_meta_set_str(m, "restore_failed_at", iso);
		backup_meta_store(b, m);
		return 1;
	}
	return 0;
}

static void restore_row(const char *kind, const struct catalog_backup *b,
                        const cJSON *m, const struct restore_run *run,
                        const struct backup_restore_opts *opts,
                        struct catalog_restore *r)
{
	const char *target = backup_meta_str(m, "target");
	memset(r, 0, sizeof *r);
	strlcpy_dr(r->kind, kind, sizeof r->kind);
	strlcpy_dr(r->service, b->service, sizeof r->service);
	strlcpy_dr(r->backup_id, b->backup_id, sizeof r->backup_id);
	strlcpy_dr(r->target, target ? target : "", sizeof r->target);
	if (opts != NULL && opts->recovery_id != NULL)
		strlcpy_dr(r->recovery_id, opts->recovery_id,
		           sizeof r->recovery_id);
	r->started_at = run->started_at;
	r->ended_at = run->ended_at;
	r->duration_s = run->seconds;
	r->bytes = (int64_t)run->plain;
	r->ok = run->rc == DR_OK;
	strlcpy_dr(r->error, run->error ? run->error : "", sizeof r->error);
}

/* The row's new state, the restores row and the audit row: one
 * transaction (core/ops.h). */
struct restore_save {
	const struct catalog_backup *b; /* NULL: the row stays as it is */
	struct catalog_restore *r;
	const char *details;
};

static int restore_save_change(struct catalog *cat, void *arg, char **details,
                               char **err)
{
	struct restore_save *rs = arg;
	int rc = DR_OK;

	*details = xstrdup(rs->details);
	if (rs->b != NULL)
		rc = catalog_backup_update(cat, rs->b, err);
	if (rc == DR_OK)
		rc = catalog_restore_record(cat, rs->r, err);
	return rc;
}

/* Records a restore that ran, in one transaction: the backup's new state,
 * the restores row and the audit row. */
static int restore_save(struct catalog *cat, const struct restore_req *req,
                        struct catalog_backup *b, cJSON *m,
                        const struct restore_run *run, char **err)
{
	struct catalog_restore r;
	int change = restore_mark(req->kind, b, m, run);
	restore_row(req->kind, b, m, run, req->opts, &r);
	/* The restores table has no column for the repository: the audit
	 * row says it. */
	char *from = run->copy ? xasprintf(" from the copy in %s", run->copy)
	                       : xstrdup("");
	char *details =
	    run->rc == DR_OK
	        ? xasprintf("backup %s%s to %s, %llu bytes in %.3fs",
	                    b->backup_id, from, req->where,
	                    (unsigned long long)run->plain, run->seconds)
	        : xasprintf("backup %s%s to %s failed%s: %s", b->backup_id,
	                    from, req->where,
	                    run->fault != FAULT_BACKUP ? ""
	                    : run->copy != NULL        ? " (copy failed)"
	                                               : " (restore_failed)",
	                    run->error);
	free(from);
	char *action = xasprintf("backup.%s%s", req->kind,
	                         run->rc == DR_OK ? "" : "-failed");
	struct restore_save rs = {change ? b : NULL, &r, details};
	int rc = ops_audited(cat, action, req->audit_target,
	                     restore_save_change, &rs, err);
	free(action);
	free(details);
	return rc;
}

/* The repository to read b from: *asked (the one the operator named), or
 * the first good copy when verify found the primary corrupt; *cm is the
 * metadata for a copy (NULL for the primary). */
static int restore_source(const struct catalog_backup *b, const cJSON *m,
                          struct backup_outcome *out, const char **asked,
                          cJSON **cm, char **err)
{
	const char *primary = backup_meta_str(m, "repository");
	const char *copy = backup_copy_first_good(m);

	if (*asked != NULL &&
	    (primary == NULL || strcmp(*asked, primary) != 0)) {
		*cm = backup_meta_for_copy(m, *asked);
		if (*cm == NULL) {
			*err = xasprintf("backup %s is in repository %s and "
			                 "has no copy in %s",
			                 b->backup_id, primary ? primary : "?",
			                 *asked);
			return DR_EINVAL;
		}
	}
	if (*asked == NULL && strcmp(b->status, "corrupt") == 0 &&
	    copy != NULL) {
		/* Verify found the primary bad: read the copy at once. */
		const char *why = backup_meta_str(m, "error");
		snprintf(out->note, sizeof out->note,
		         "primary object of %s in %s is corrupt (%s); "
		         "restoring from the copy in %s",
		         b->backup_id, primary ? primary : "its repository",
		         why ? why : "verify", copy);
		*asked = copy;
		*cm = backup_meta_for_copy(m, copy);
	}
	return DR_OK;
}

/* The restore's status: its own error first, the catalog's after. */
static int restore_outcome(struct restore_run *run, int save_rc, char *se,
                           char **err)
{
	int rc = run->rc;
	if (rc != DR_OK) {
		*err = run->error;
		if (save_rc != DR_OK) {
			char *both = xasprintf("%s (and it could not be "
			                       "recorded: %s)",
			                       *err, se);
			free(*err);
			*err = both;
		}
		free(se);
	} else if (save_rc != DR_OK) {
		*err = se;
		rc = save_rc;
	}
	return rc;
}

/* Runs one restore of b and records it; *err is the restore's own error
 * when it failed (its status), else a catalog error. */
static int restore_and_save(struct catalog *cat, const struct config *cfg,
                            const struct restore_req *req,
                            struct catalog_backup *b, cJSON *m,
                            struct backup_outcome *out, char **err)
{
	struct restore_run run;
	struct backup_key key = {0};
	/* A key file that cannot be used refuses the restore before it
	 * starts; a key that does not open the backup fails it. */
	int rc = backup_key_of(
	    cfg, b, m, req->opts ? req->opts->key_file : NULL, &key, err);
	if (rc != DR_OK)
		return rc;
	const char *primary = backup_meta_str(m, "repository");
	const char *asked = req->opts ? req->opts->repository : NULL;
	const char *copy = backup_copy_first_good(m);
	cJSON *cm = NULL;
	rc = restore_source(b, m, out, &asked, &cm, err);
	if (rc != DR_OK) {
		backup_key_clear(&key);
		return rc;
	}
	restore_stream(cfg, b, cm ? cm : m, req->sink, &key, req->opts, &run);
	if (cm != NULL)
		run.copy = asked;
	/* The primary object is missing or does not read back: a copy that
	 * did not fail verification is the same backup.  A command that
	 * already took bytes of the primary cannot start over. */
	if (asked == NULL && run.rc != DR_OK && run.fault == FAULT_BACKUP &&
	    copy != NULL && (req->sink->path != NULL || run.plain == 0)) {
		snprintf(out->note, sizeof out->note,
		         "primary object of %s in %s: %s; restoring from the "
		         "copy in %s",
		         b->backup_id, primary ? primary : "its repository",
		         run.error, copy);
		free(run.error);
		cm = backup_meta_for_copy(m, copy);
		restore_stream(cfg, b, cm, req->sink, &key, req->opts, &run);
		run.copy = copy;
		run.primary_failed = 1;
	}
	strlcpy_dr(out->repository,
	           run.copy  ? run.copy
	           : primary ? primary
	                     : "",
	           sizeof out->repository);
	backup_key_clear(&key);
	out->seconds = run.seconds;
	out->plain_bytes = run.plain;
	out->stored_bytes = run.stored;
	char *se = NULL;
	int src = restore_save(cat, req, b, m, &run, &se);
	cJSON_Delete(cm);
	return restore_outcome(&run, src, se, err);
}

/* Whether backup b may be restored into the sink. */
static int restore_allowed(const struct catalog_backup *b, const cJSON *m,
                           const struct restore_req *req, char **err)
{
	const struct backup_sink *sink = req->sink;
	const char *asked = req->opts ? req->opts->repository : NULL;
	const char *primary = backup_meta_str(m, "repository");
	struct stat st;
	/* A corrupt backup whose copy is good: the copy is the same
	 * backup. */
	int copy_of_corrupt =
	    strcmp(b->status, "corrupt") == 0 &&
	    (asked != NULL ? primary == NULL || strcmp(asked, primary) != 0
	                   : backup_copy_first_good(m) != NULL);
	/* restore_failed by id: an operator trying again (a restore that
	 * succeeds makes it good again); latest: never picks it. */
	if (!backup_status_is_good(b->status) && !copy_of_corrupt &&
	    strcmp(b->status, "restore_failed") != 0) {
		*err = xasprintf("backup %s is %s: only completed or verified "
		                 "backups are restored",
		                 b->backup_id, b->status);
		return DR_EINVAL;
	}
	if (sink->path != NULL && lstat(sink->path, &st) == 0) {
		*err = xasprintf("%s exists; restore never overwrites",
		                 sink->path);
		return DR_EEXIST;
	}
	return DR_OK;
}

/* The one way a backup is restored, for restore and restore test. */
static int restore_one(struct catalog *cat, const struct config *cfg,
                       const char *backup_id, const struct restore_req *req,
                       struct backup_outcome *out, char **err)
{
	struct catalog_backup b;
	int rc = backup_get_row(cat, backup_id, &b, err);
	if (rc != DR_OK)
		return rc;
	cJSON *m = backup_meta_parse(&b);
	backup_outcome_from(out, &b, m);
	size_t swept =
	    req->sink->path ? sweep_restore_partials(req->sink->path) : 0;
	if (swept > 0)
		snprintf(out->note, sizeof out->note,
		         "removed %zu %s.partial-PID file%s left by killed "
		         "restores",
		         swept, req->sink->path, swept == 1 ? "" : "s");
	rc = restore_allowed(&b, m, req, err);
	if (rc == DR_OK)
		rc = restore_and_save(cat, cfg, req, &b, m, out, err);
	backup_outcome_from(out, &b, m);
	cJSON_Delete(m);
	catalog_backup_clear(&b);
	return rc;
}

int backup_restore(struct catalog *cat, const struct config *cfg,
                   const char *backup_id, const struct backup_sink *sinkdef,
                   const struct backup_restore_opts *opts,
                   struct backup_outcome *out, char **err)
{
	struct restore_req req = {
	    .kind = "restore",
	    .sink = sinkdef,
	    .opts = opts,
	    .audit_target = backup_id,
	    .where = sinkdef->path ? sinkdef->path : "a command",
	};
	memset(out, 0, sizeof *out);
	return restore_one(cat, cfg, backup_id, &req, out, err);
}

/* ---- restore tests ------------------------------------------------------ */

/* The target's newest verified backup, else its newest completed one
 * (saying so in note).  This target's backups only: another target of the
 * same service holds other data, which this target's command cannot
 * read. */
static int test_pick(struct catalog *cat, const struct backup_target *t,
                     char id[40], char *note, size_t note_size, char **err)
{
	int rc = backup_newest_good(cat, t->service, t->name, 1, 0, id, err);
	if (rc == DR_OK && id[0] == '\0') {
		rc =
		    backup_newest_good(cat, t->service, t->name, 0, 0, id, err);
		if (rc == DR_OK && id[0] != '\0')
			snprintf(
			    note, note_size,
			    "target %s has no verified backup; testing its "
			    "newest completed one",
			    t->name);
	}
	if (rc == DR_OK && id[0] == '\0') {
		*err = xasprintf("target %s has no completed or verified "
		                 "backup to test",
		                 t->name);
		rc = DR_ENOTFOUND;
	}
	return rc;
}

/* A named backup for a restore test: one of the target's, completed or
 * verified. */
static int test_named(struct catalog *cat, const struct backup_target *t,
                      const char *want, char id[40], char **err)
{
	char target[64], service[64];
	int64_t at = 0;
	int rc = backup_target_of(cat, want, target, service, &at, err);
	if (rc != DR_OK)
		return rc;
	if (strcmp(target, t->name) != 0) {
		*err = xasprintf("backup %s is not one of target %s's", want,
		                 t->name);
		return DR_EINVAL;
	}
	strlcpy_dr(id, want, 40);
	return DR_OK;
}

#define SCRATCH_PREFIX "drconsole-restore-test-"

/* Removes the scratch directories of restore tests whose process is gone
 * (killed, crashed): SCRATCH_PREFIX PID-START-XXXXXX, holding at most the
 * file "restored" or the restore's partial of it ("restored.partial-…"). */
static void test_scratch_reap(const char *parent)
{
	DIR *d = opendir(parent);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		struct procid who = {0};
		long long pid = 0;
		unsigned long long start = 0;
		if (strncmp(e->d_name, SCRATCH_PREFIX,
		            strlen(SCRATCH_PREFIX)) != 0 ||
		    sscanf(e->d_name + strlen(SCRATCH_PREFIX), "%lld-%llu-",
		           &pid, &start) != 2 ||
		    pid <= 0)
			continue;
		who.pid = (pid_t)pid;
		who.start = start;
		if (procid_alive(&who))
			continue;
		/* Only a real directory of ours (in a shared /tmp a link or
		 * another user's directory may wear the name): opened without
		 * following a link, its files removed through that handle. */
		int pfd = dirfd(d);
		struct stat st;
		if (fstatat(pfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISDIR(st.st_mode) || st.st_uid != geteuid())
			continue;
		int fd =
		    openat(pfd, e->d_name,
		           O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		DIR *in = fd >= 0 ? fdopendir(fd) : NULL;
		if (in == NULL) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		/* Its files: "restored" or the restore's partial of it. */
		struct dirent *f;
		while ((f = readdir(in)) != NULL)
			if (strncmp(f->d_name, "restored", 8) == 0)
				unlinkat(dirfd(in), f->d_name, 0);
		closedir(in);
		unlinkat(pfd, e->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}

/* A scratch directory for a target without a restore_test command; *dir
 * and *file malloc'd.  It is named for this process, so the next test
 * removes it if this one is killed; it is never inside the directory the
 * target backs up (a restore test must not add to production data). */
static int test_scratch(const struct backup_target *t, char **dir, char **file,
                        char **err)
{
	const char *tmpdir = getenv("TMPDIR");
	const char *parent = tmpdir && *tmpdir ? tmpdir : "/tmp";
	struct procid self;
	struct stat st;
	char *p = realpath(parent, NULL);
	char *q = t->source.path ? realpath(t->source.path, NULL) : NULL;

	*dir = NULL;
	if (p != NULL && q != NULL && stat(q, &st) == 0 &&
	    S_ISDIR(st.st_mode) &&
	    (strcmp(p, q) == 0 || strcmp(q, "/") == 0 ||
	     (strncmp(p, q, strlen(q)) == 0 && p[strlen(q)] == '/'))) {
		*err = xasprintf("the scratch place %s is inside %s, which "
		                 "target %s backs up; set TMPDIR elsewhere",
		                 p, q, t->name);
		free(p);
		free(q);
		return DR_EINVAL;
	}
	free(p);
	free(q);
	test_scratch_reap(parent);
	procid_self(&self);
	*dir = xasprintf("%s/" SCRATCH_PREFIX "%lld-%llu-XXXXXX", parent,
	                 (long long)self.pid, self.start);
	if (mkdtemp(*dir) == NULL) {
		*err = xasprintf("cannot create a scratch directory in %s: %s",
		                 parent, strerror(errno));
		free(*dir);
		*dir = NULL;
		return DR_EIO;
	}
	*file = xasprintf("%s/restored", *dir);
	return DR_OK;
}

int backup_restore_test(struct catalog *cat, const struct config *cfg,
                        const char *target,
                        const struct backup_restore_opts *opts,
                        struct backup_outcome *out, char **err)
{
	const struct backup_target *t = backup_config_target(cfg, target);
	char id[40], *dir = NULL, *file = NULL;

	memset(out, 0, sizeof *out);
	if (t == NULL) {
		*err =
		    xasprintf("no backup target \"%s\" in the config", target);
		return DR_ENOTFOUND;
	}
	int rc = opts && opts->backup_id
	             ? test_named(cat, t, opts->backup_id, id, err)
	             : test_pick(cat, t, id, out->note, sizeof out->note, err);
	if (rc != DR_OK)
		return rc;
	struct backup_sink sink = {.argv = t->test_argv,
	                           .shell = t->test_shell};
	if (t->test_argv == NULL && t->test_shell == NULL) {
		rc = test_scratch(t, &dir, &file, err);
		sink.path = file;
	}
	struct restore_req req = {
	    .kind = "restore-test",
	    .sink = &sink,
	    .opts = opts,
	    .audit_target = t->service,
	    .where = file ? "a scratch file" : "the restore_test command",
	};
	if (rc != DR_OK) {
		strlcpy_dr(out->backup_id, id, sizeof out->backup_id);
		strlcpy_dr(out->service, t->service, sizeof out->service);
		strlcpy_dr(out->target, t->name, sizeof out->target);
	} else if ((rc = restore_one(cat, cfg, id, &req, out, err)) != DR_OK) {
		char *e = xasprintf("restore test of %s failed: %s", id, *err);
		free(*err);
		*err = e;
	}
	if (file != NULL)
		unlink(file);
	if (dir != NULL)
		rmdir(dir);
	free(file);
	free(dir);
	return rc;
}
