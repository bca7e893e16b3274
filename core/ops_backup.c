/* See ops_backup.h. */
#include "core/ops_backup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cancel.h"
#include "core/error.h"
#include "core/xmalloc.h"

void ops_bytes_human(double bytes, char *buf, size_t size)
{
	static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	int u = 0;

	while (bytes >= 1024 && u < 4) {
		bytes /= 1024;
		u++;
	}
	snprintf(buf, size, u == 0 ? "%.0f %s" : "%.1f %s", bytes, unit[u]);
}

void ops_progress_text(char *buf, size_t size, uint64_t done, uint64_t total,
                       double elapsed_s)
{
	char d[32], rate[32], eta[32] = "";
	double bps = elapsed_s > 0 ? (double)done / elapsed_s : 0;

	ops_bytes_human((double)done, d, sizeof d);
	ops_bytes_human(bps, rate, sizeof rate);
	if (total > done && bps > 0) {
		long s = (long)((double)(total - done) / bps);
		snprintf(eta, sizeof eta, ", ETA %ld:%02ld", s / 60, s % 60);
	}
	snprintf(buf, size, "%s read, %s/s%s", d, rate, eta);
}

/* The pipeline reports each chunk: a stop asked meanwhile is passed on
 * to it (core/cancel.h). */
static void run_progress(void *arg, const struct backup_progress *p)
{
	const struct ops_session *s = arg;

	ops_progress(s, p->plain_bytes, p->expected_bytes, p->elapsed_s);
	if (ops_should_stop(s))
		cancel_request();
}

/* The caller's options, with the progress going to the session. */
static struct backup_restore_opts
with_progress(const struct ops_session *s,
              const struct backup_restore_opts *opts)
{
	struct backup_restore_opts o = {0};

	if (opts != NULL)
		o = *opts;
	o.progress = run_progress;
	o.progress_arg = (void *)s;
	return o;
}

int ops_backup_run(const struct ops_session *s, const char *target,
                   struct backup_outcome *out, char **err)
{
	int rc = ops_writable(s, "the backup", err);

	memset(out, 0, sizeof *out);
	if (rc != DR_OK)
		return rc;
	if (ops_should_stop(s)) {
		*err = xstrdup("stopped before it started");
		return DR_EIO;
	}
	rc = backup_run(s->cat, s->cfg, target, run_progress, (void *)s, out,
	                err);
	ops_report(s, "backup.run", target, rc, rc == DR_OK ? NULL : *err);
	return rc;
}

int ops_backup_verify(const struct ops_session *s, const char *backup_id,
                      const char *key_file, struct backup_outcome *out,
                      char **err)
{
	int rc = ops_writable(s, "the verification", err);

	memset(out, 0, sizeof *out);
	if (rc != DR_OK)
		return rc;
	rc = backup_verify(s->cat, s->cfg, backup_id, key_file, out, err);
	ops_report(s, "backup.verify", backup_id, rc,
	           rc == DR_OK ? NULL : *err);
	return rc;
}

int ops_backup_verify_copies(const struct ops_session *s, const char *backup_id,
                             const char *key_file,
                             struct backup_copy_check **items, size_t *n,
                             char **err)
{
	int rc = ops_writable(s, "the verification", err);

	*items = NULL;
	*n = 0;
	if (rc != DR_OK)
		return rc;
	rc = backup_verify_copies(s->cat, s->cfg, backup_id, key_file, items, n,
	                          err);
	ops_report(s, "backup.verify_copies", backup_id, rc,
	           rc == DR_OK ? NULL : *err);
	return rc;
}

char *ops_backup_run_line(const char *target, int rc,
                          const struct backup_outcome *out, const char *err)
{
	char plain[32], stored[32];

	if (rc != DR_OK && out->backup_id[0] != '\0')
		return xasprintf("backup %s of %s failed: %s", out->backup_id,
		                 target, err ? err : dr_status_name(rc));
	if (rc != DR_OK)
		return xasprintf("backup of %s refused: %s", target,
		                 err ? err : dr_status_name(rc));
	ops_bytes_human((double)out->plain_bytes, plain, sizeof plain);
	ops_bytes_human((double)out->stored_bytes, stored, sizeof stored);
	return xasprintf("%s %s %s: %s -> %s in %.1fs (%.1f MiB/s) sha256 %s",
	                 out->status, target, out->backup_id, plain, stored,
	                 out->seconds,
	                 out->seconds > 0 ? (double)out->plain_bytes /
	                                        1048576.0 / out->seconds
	                                  : 0.0,
	                 out->checksum);
}

char *ops_backup_verify_line(const char *backup_id, int rc,
                             const struct backup_outcome *out, const char *err)
{
	if (rc == DR_OK)
		return xasprintf("verified %s (%s): %llu bytes, every chunk "
		                 "and the SHA-256 check out",
		                 backup_id, out->service,
		                 (unsigned long long)out->plain_bytes);
	if (rc == DR_ECORRUPT)
		return xasprintf("CORRUPT %s (%s): %s", backup_id, out->service,
		                 err ? err : "damaged");
	return xasprintf("verify %s: %s", backup_id,
	                 err ? err : dr_status_name(rc));
}

int ops_backup_restore(const struct ops_session *s, const char *backup_id,
                       const struct backup_sink *sink,
                       const struct backup_restore_opts *opts,
                       struct backup_outcome *out, char **err)
{
	struct backup_restore_opts o = with_progress(s, opts);
	int rc = ops_writable(s, "the restore", err);

	memset(out, 0, sizeof *out);
	if (rc != DR_OK)
		return rc;
	rc = backup_restore(s->cat, s->cfg, backup_id, sink, &o, out, err);
	if (out->note[0] != '\0')
		ops_note(s, "%s", out->note);
	ops_report(s, "backup.restore", backup_id, rc,
	           rc == DR_OK ? NULL : *err);
	return rc;
}

int ops_backup_restore_test(const struct ops_session *s, const char *target,
                            const struct backup_restore_opts *opts,
                            struct backup_outcome *out, char **err)
{
	struct backup_restore_opts o = with_progress(s, opts);
	int rc = ops_writable(s, "the restore test", err);

	memset(out, 0, sizeof *out);
	if (rc != DR_OK)
		return rc;
	rc = backup_restore_test(s->cat, s->cfg, target, &o, out, err);
	ops_report(s, "backup.restore_test", target, rc,
	           rc == DR_OK ? NULL : *err);
	return rc;
}

int ops_backup_prune(const struct ops_session *s, int dry_run, int64_t now,
                     struct backup_prune_item **items, size_t *n, char **err)
{
	int rc = dry_run ? DR_OK : ops_writable(s, "retention", err);

	*items = NULL;
	*n = 0;
	if (rc != DR_OK)
		return rc;
	rc = backup_prune(s->cat, s->cfg, dry_run, now, items, n, err);
	if (!dry_run)
		ops_report(s, "backup.prune", "", rc,
		           rc == DR_OK ? NULL : *err);
	return rc;
}

int ops_backup_copy(const struct ops_session *s, const char *target,
                    int64_t now, struct backup_copy_item **items, size_t *n,
                    char **err)
{
	int rc = ops_writable(s, "the copy", err);

	*items = NULL;
	*n = 0;
	if (rc != DR_OK)
		return rc;
	size_t swept = 0;
	rc = backup_copy(s->cat, s->cfg, target, now, run_progress, (void *)s,
	                 items, n, &swept, err);
	if (swept > 0)
		ops_note(s,
		         "removed %zu partial object%s left by killed copies",
		         swept, swept == 1 ? "" : "s");
	ops_report(s, "backup.copy", target ? target : "", rc,
	           rc == DR_OK ? NULL : *err);
	return rc;
}

int ops_backup_rekey(const struct ops_session *s, const char *target,
                     struct backup_rekey_item **items, size_t *n, char **err)
{
	int rc = ops_writable(s, "rekey", err);

	*items = NULL;
	*n = 0;
	if (rc != DR_OK)
		return rc;
	rc = backup_rekey(s->cat, s->cfg, target, items, n, err);
	ops_report(s, "backup.rekey", target, rc, rc == DR_OK ? NULL : *err);
	return rc;
}
