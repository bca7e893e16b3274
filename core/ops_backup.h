/* Backing up now and verifying a backup (core/ops.h), for line mode and
 * the console's B and v alike.  The pipeline is core/backup.h; this adds
 * the session's rules: refused when read-only, progress and stop through
 * the session's events, and the one-line account of how it ended. */
#ifndef DR_OPS_BACKUP_H
#define DR_OPS_BACKUP_H

#include "core/backup.h"
#include "core/ops.h"

/* Runs one target.  A stop asked through the events fails the row as
 * "interrupted" and leaves nothing in the repository. */
int ops_backup_run(const struct ops_session *s, const char *target,
                   struct backup_outcome *out, char **err);

/* Verifies one backup (key_file: an operator's old key, or NULL).  A stop
 * leaves the row as it was. */
int ops_backup_verify(const struct ops_session *s, const char *backup_id,
                      const char *key_file, struct backup_outcome *out,
                      char **err);

/* Re-reads the copies of one backup (backup_verify_copies()). */
int ops_backup_verify_copies(const struct ops_session *s, const char *backup_id,
                             const char *key_file,
                             struct backup_copy_check **items, size_t *n,
                             char **err);

/* A restore into sink, a restore test of one target (core/backup.h).  A
 * restore that came from a copy says so as a note (out->note). */
int ops_backup_restore(const struct ops_session *s, const char *backup_id,
                       const struct backup_sink *sink,
                       const struct backup_restore_opts *opts,
                       struct backup_outcome *out, char **err);
int ops_backup_restore_test(const struct ops_session *s, const char *target,
                            const struct backup_restore_opts *opts,
                            struct backup_outcome *out, char **err);

/* Retention of every target; a dry run decides only and may run in a
 * read-only session. */
int ops_backup_prune(const struct ops_session *s, int dry_run, int64_t now,
                     struct backup_prune_item **items, size_t *n, char **err);

/* Copies to each target's copy repository (target NULL: all), with the
 * bytes of each object as progress; the partials of killed copies it
 * removed are a note. */
int ops_backup_copy(const struct ops_session *s, const char *target,
                    int64_t now, struct backup_copy_item **items, size_t *n,
                    char **err);

/* Records which key each backup of target needs (core/backup.h); reads
 * headers only, re-encrypts nothing. */
int ops_backup_rekey(const struct ops_session *s, const char *target,
                     struct backup_rekey_item **items, size_t *n, char **err);

/* How it ended, in one line (malloc'd): the words line mode prints and
 * the console shows.  err is the op's message when rc is not DR_OK. */
char *ops_backup_run_line(const char *target, int rc,
                          const struct backup_outcome *out, const char *err);
char *ops_backup_verify_line(const char *backup_id, int rc,
                             const struct backup_outcome *out, const char *err);

/* bytes as "1.5 MiB" into buf. */
void ops_bytes_human(double bytes, char *buf, size_t size);

/* A progress report as one line: "12.0 MiB read, 4.1 MiB/s" and, when
 * total is known, ", ETA 0:05" (line mode and the console's job screen). */
void ops_progress_text(char *buf, size_t size, uint64_t done, uint64_t total,
                       double elapsed_s);

#endif
