/* Backups end to end: run a target through the pipeline into its
 * repository, record it in the catalog, verify it, restore it, test it,
 * prune by retention and copy to a second repository.
 *
 * Crash safety: a run inserts its row as pending, marks it running with the
 * host, pid and process start time in the metadata, and marks it completed
 * only after the repository confirmed the whole object, in the same
 * transaction as the audit row.  backup_reap_stale(), called by every
 * command that changes backups, marks failed the rows whose process on this
 * host is gone, and removes what that process left in the repository. */
#ifndef DR_BACKUP_H
#define DR_BACKUP_H

#include <stddef.h>
#include <stdint.h>

#include "core/backup_config.h"
#include "core/config.h"
#include "db/catalog.h"

struct backup_progress {
	uint64_t plain_bytes;
	uint64_t stored_bytes;
	uint64_t expected_bytes; /* 0: unknown (a command's output) */
	double elapsed_s;
};
typedef void (*backup_progress_fn)(void *arg, const struct backup_progress *p);

struct backup_outcome {
	char backup_id[40];
	char service[64];
	char target[64];
	char status[16]; /* the row's status afterwards */
	uint64_t plain_bytes;
	uint64_t stored_bytes;
	double seconds;
	char checksum[65];
	char location[512];
	char note[256];      /* something the operator should know, or "" */
	char repository[64]; /* where a restore read it from, or "" */
};

/* Marks failed the running/pending rows of dead processes on this host. */
int backup_reap_stale(struct catalog *cat, const struct config *cfg,
                      int *reaped, char **err);

/* Runs one target.  On a failure after the row exists, the row is failed
 * with the reason and out->status says so. */
int backup_run(struct catalog *cat, const struct config *cfg,
               const char *target, backup_progress_fn progress,
               void *progress_arg, struct backup_outcome *out, char **err);

/* Asks a running backup_run() to stop: the row becomes failed
 * ("interrupted") and nothing is left in the repository.  Async-signal-safe:
 * meant for a SIGINT/SIGTERM handler. */
void backup_cancel(void);

/* Reads the object back, checking every chunk and the SHA-256.  Marks the
 * row verified, or corrupt (DR_ECORRUPT with what is wrong).  key_file: an
 * operator's key file (an old key) instead of the target's; NULL: the
 * target's.  A key that does not open an intact object is DR_EKEY ("wrong
 * key: ... key file X") and changes nothing. */
int backup_verify(struct catalog *cat, const struct config *cfg,
                  const char *backup_id, const char *key_file,
                  struct backup_outcome *out, char **err);

/* The newest completed or verified backup of one target of service
 * (DR_ENOTFOUND saying so when it has none). */
int backup_latest_of_target(struct catalog *cat, const char *service,
                            const char *target, char backup_id[40], char **err);
/* The backup target (drconsole's own backups) or "" (an imported or
 * recorded one) of a backup, and its service and completion time. */
int backup_target_of(struct catalog *cat, const char *backup_id,
                     char target[64], char service[64], int64_t *completed_at,
                     char **err);
/* ID, "latest:SERVICE" (newest completed or verified) or
 * "within-rpo:SERVICE" (newest verified inside the service's RPO). */
int backup_resolve(struct catalog *cat, const char *spec, int64_t now,
                   char backup_id[40], char **err);

struct backup_sink {
	const char *path;  /* a new file (never overwritten) */
	char *const *argv; /* a command fed on stdin */
	const char *shell; /* a shell command fed on stdin */
	/* A command's stdout goes to the program's own stdout, and its
	 * stderr to the program's stderr as well as into the error message
	 * (line mode's restore --to-command); 0: its stdout is discarded. */
	int pass_output;
	/* The command's environment; NULL: the program's own. */
	char *const *env;
};

struct backup_restore_opts {
	const char *key_file;    /* an operator's key file; NULL: target's */
	const char *recovery_id; /* the recovery (runbook run) it serves */
	/* The repository to read from, by its config name: the backup's
	 * own or one of its copies'.  NULL: its own, falling back to a copy
	 * that did not fail verification when the object there is missing
	 * or does not read back (saying so in out->note). */
	const char *repository;
	/* How far it got (plain bytes out of the backup's plain size, as
	 * backup_run reports it); NULL: nobody asks. */
	backup_progress_fn progress;
	void *progress_arg;
	/* A restore test of this backup (one of the target's) instead of
	 * the target's newest verified one; NULL: the newest. */
	const char *backup_id;
};

/* Restores and restore tests, ok or not, are audited and recorded in the
 * restores table.  A failure that is the backup's (its object cannot be
 * read back whole, or the command stopped reading before the end) marks it
 * restore_failed, so latest: and within-rpo: fall back to the next good
 * backup; a wrong key (DR_EKEY) or a command that fails after reading the
 * whole backup leaves it as it was.  A success marks it verified.  A
 * command's failure is reported with its exit status and the tail of its
 * stderr.  A restore read from a copy leaves the row's status as it was
 * (the copy says nothing about the primary), but a copy that does not read
 * back is marked failed.  A file sink first removes the PATH.partial-PID
 * a killed restore (a pid that no longer runs) left.  opts may be NULL. */

/* Streams a backup into the sink, checking as it goes; a file target
 * appears only when the whole backup checked out; a command starts only
 * once the key opened the object.  A restore_failed backup is restored
 * when named by id, and so is a corrupt one with a good copy (from the
 * copy). */
int backup_restore(struct catalog *cat, const struct config *cfg,
                   const char *backup_id, const struct backup_sink *sink,
                   const struct backup_restore_opts *opts,
                   struct backup_outcome *out, char **err);

/* Restores the target's newest verified backup (else its newest completed
 * one, saying so in out->note) into a scratch file, or into its
 * restore_test command, and times it. */
int backup_restore_test(struct catalog *cat, const struct config *cfg,
                        const char *target,
                        const struct backup_restore_opts *opts,
                        struct backup_outcome *out, char **err);

struct backup_prune_item {
	char backup_id[40];
	char service[64];
	char status[16]; /* the backup's status before the prune */
	int64_t completed_at;
	int keep;            /* 1: kept */
	char reason[48];     /* "hourly", "newest verified", "expired", ... */
	int deleted;         /* object removed (or already gone) everywhere */
	char repository[64]; /* the primary repository */
	char copies[128];    /* the copy repositories, ", " between; "" */
	char error[160];     /* why the delete failed; retried next time */
};

/* Whether a backup completed at completed_at is still inside the span
 * retention r keeps at now: one of the last r->hourly hours (the current
 * one counts), r->daily days, r->weekly weeks or r->monthly months.  A
 * corrupt backup is kept that long, or while it is no older than the
 * oldest good backup retention keeps, and never takes a generation's
 * place. */
int backup_retention_within(const struct backup_retention *r,
                            int64_t completed_at, int64_t now);

/* Applies every target's retention, to its repository and to its copies
 * in the copy repository alike: a backup that goes loses its copies too.
 * The newest verified backup of a service stays, and so does the newest
 * backup with a verified copy.  Corrupt and restore_failed backups go
 * when their age says so (backup_retention_within() and the oldest good
 * backup kept).  dry_run: decide only. */
int backup_prune(struct catalog *cat, const struct config *cfg, int dry_run,
                 int64_t now, struct backup_prune_item **items, size_t *n,
                 char **err);

struct backup_copy_item {
	char backup_id[40];
	char target[64];
	char repository[64];
	int ok;
	uint64_t bytes; /* stored bytes copied */
	double seconds;
	char error[256];
};

/* Copies not-yet-copied good backups of target (NULL: all targets with a
 * copy_repository), and again those whose copy failed its verification,
 * and records the copy lag per service.  First it removes the partials
 * that killed copies left in the copy repository (of pids that no longer
 * run, or older than a day; *partials_removed counts them, NULL: nobody
 * asks).  progress: bytes of each object as they are copied (NULL:
 * none). */
int backup_copy(struct catalog *cat, const struct config *cfg,
                const char *target, int64_t now, backup_progress_fn progress,
                void *progress_arg, struct backup_copy_item **items, size_t *n,
                size_t *partials_removed, char **err);

struct backup_copy_check {
	char backup_id[40];
	char service[64];
	char repository[64];
	int ok;
	uint64_t plain_bytes;
	double seconds;
	char error[256];
};

/* Re-reads every copy of the backup the way backup_verify() reads the
 * primary (every chunk, the authentication tag and the catalog's SHA-256).
 * A copy that fails is marked failed in the metadata: it no longer counts
 * as a copy (nor in `backup list`), the copy lag counts its backup as not
 * copied, and the next `copy` copies it again.  DR_ECORRUPT when a copy
 * failed (*err names it), DR_EKEY when the key opens none; DR_OK when all
 * are good or there are none (*n 0); DR_EINVAL for an expired backup,
 * whose copies prune deleted. */
int backup_verify_copies(struct catalog *cat, const struct config *cfg,
                         const char *backup_id, const char *key_file,
                         struct backup_copy_check **items, size_t *n,
                         char **err);

/* What `backup rekey` found about one backup's key. */
enum backup_rekey_state {
	BACKUP_REKEY_FOUND,       /* a configured key file opens it */
	BACKUP_REKEY_MISSING,     /* encrypted, and no key file opens it */
	BACKUP_REKEY_UNENCRYPTED, /* needs no key */
	BACKUP_REKEY_UNREADABLE,  /* its object's header cannot be read */
};

struct backup_rekey_item {
	char backup_id[40];
	enum backup_rekey_state state;
	char key_id[20];    /* found: its key; missing: the one recorded */
	char key_file[512]; /* found: the key file that has it now */
	char error[256];    /* unreadable: why */
};

/* Re-encrypts nothing: reads the header of each backup of target with
 * each of its key files and records, in the metadata of each backup a
 * key opens, that key's id and file ("key_id", "key_file"), with one audit
 * row.  Items are in the order the backups were made. */
int backup_rekey(struct catalog *cat, const struct config *cfg,
                 const char *target, struct backup_rekey_item **items,
                 size_t *n, char **err);

/* What a listing says about the key each backup needs. */
struct backup_key_note {
	int encrypted;
	char key_id[20];    /* recorded; "" unencrypted or not yet known */
	char key_file[512]; /* the configured, readable key file with it */
	char warning[256];  /* when none has it, or its file is unreadable */
};
/* notes[i] for list[i].  Reads the targets' key files (once each). */
void backup_key_notes(const struct config *cfg,
                      const struct catalog_backup *list, size_t n,
                      struct backup_key_note *notes);

/* Reads every key file of every target, as a backup would: missing,
 * unreadable, not a regular file, open to group or others, empty.  The
 * first failure's status, and one line per bad file in *report (malloc'd,
 * NULL when all are good). */
int backup_check_key_files(const struct config *cfg, char **report);

/* The stable JSON form of `backup list --json`: an array of objects with
 * backup_id, service, target, status, type, started_at, completed_at (ISO
 * 8601 or null), size_bytes, plain_bytes, compression_ratio, checksum,
 * location, encrypted, key_id, key_file, key_warning (null when none;
 * keys may be NULL: all null), copies (names of the repositories holding
 * a copy that did not fail verification) and error.  malloc'd. */
char *backup_list_json(const struct catalog_backup *list, size_t n,
                       const struct backup_key_note *keys);
/* The target and the error recorded in a backup's metadata ("" if none). */
void backup_meta_summary(const struct catalog_backup *b, char target[64],
                         char error[256]);

#endif
