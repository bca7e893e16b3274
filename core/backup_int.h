/* What the files of the backup module share, and nothing else includes.
 * The module is split by operation, each file one thing a person asks
 * for:
 *
 *   backup.c            the plumbing: a row's JSON metadata, opening the
 *                       repository a backup lives in, keys, saving a row
 *                       with its audit row, choosing good backups
 *   backup_run.c        running a backup, and reaping rows of dead runs
 *   backup_read.c       reading an object back through the checking
 *                       reader into a sink (verify, restore, restore test)
 *   backup_verify.c     verify
 *   backup_resolve.c    which backup "latest:SERVICE" and friends mean
 *   backup_restore.c    restore and restore test, one path for both
 *   backup_retention.c  prune
 *   backup_copy.c       copies to a second repository
 *   backup_keys.c       which key file opens a backup; rekey
 *   backup_list.c       the JSON form of a listing */
#ifndef DR_BACKUP_INT_H
#define DR_BACKUP_INT_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "core/backup.h"
#include "core/repo.h"
#include "core/spawn.h"

#define BACKUP_IO_BUF (1u << 20)

/* This host's name ("localhost" when it has none). */
void backup_host_name(char out[128]);

/* The row's metadata as an object (an empty one when it has none or it is
 * not an object); the caller deletes it. */
cJSON *backup_meta_parse(const struct catalog_backup *b);
/* A string member, or NULL. */
const char *backup_meta_str(const cJSON *m, const char *key);
void backup_meta_set_str(cJSON *m, const char *key, const char *value);
void backup_meta_set_num(cJSON *m, const char *key, double value);
/* Replaces the row's metadata text with m's. */
void backup_meta_store(struct catalog_backup *b, cJSON *m);
/* Whether a backup belongs to the target (recorded in its metadata). */
int backup_of_target(const struct catalog_backup *b, const char *target);

/* Fills the identity part of an outcome from the row. */
void backup_outcome_from(struct backup_outcome *out,
                         const struct catalog_backup *b, const cJSON *m);

/* Opens the named repository of the config, else the URL recorded in the
 * backup's metadata (file:// only). */
int backup_open_repo(const struct config *cfg, const char *name,
                     const char *url_fallback, struct repo **out, char **err);
/* The repository a backup's metadata names. */
int backup_open_repo_of(const struct config *cfg, const cJSON *m,
                        struct repo **out, char **err);
/* ---- copies (metadata "copies": {REPO: {at, url[, failed, failed_at]
 * [, verified_at]}}) ------------------------------------------------------- */

/* Whether the backup has a copy in repository name that no verification
 * found bad. */
int backup_copy_good(const cJSON *m, const char *name);
/* The first copy no verification found bad, or NULL (borrowed). */
const char *backup_copy_first_good(const cJSON *m);
/* A duplicate of m whose "repository" and "repo_url" are the copy's in
 * name, so that backup_read_back() reads the copy; NULL when it has no
 * copy there.  The caller deletes it. */
cJSON *backup_meta_for_copy(const cJSON *m, const char *name);

/* Records target t's copy lag afresh from the catalog: the age of its
 * oldest good backup without a good copy (backup_copy.c). */
int backup_copy_lag_refresh(struct catalog *cat, const struct config *cfg,
                            const struct backup_target *t, int64_t now,
                            char **err);

/* Reads a key file (NULL: no key, *secret NULL). */
int backup_load_key(const char *key_file, uint8_t **secret, size_t *len,
                    char **err);
/* The key chosen to open a backup, and what to say if it does not. */
struct backup_key {
	uint8_t *secret; /* NULL: unencrypted */
	size_t len;
	const char *path; /* the key file, borrowed; NULL: none */
	/* When the key was not known to be right: who was asked ("key file
	 * K does not open" or "no key file of target T opens") and what
	 * follows the verdict ("it needs key ID ...; tried: ..."), both
	 * malloc'd or NULL. */
	char *who;
	char *note;
};
/* Chooses the key that opens the backup: the operator's (key_file), else
 * the one of its target's key_files whose id the backup records, else the
 * first of them that opens the object's header, else the first readable
 * one (the read then says "wrong key").  A key file that cannot be read is
 * an error only when no other can be. */
int backup_key_of(const struct config *cfg, const struct catalog_backup *b,
                  const cJSON *m, const char *key_file, struct backup_key *k,
                  char **err);
void backup_key_clear(struct backup_key *k);

/* Writes the row's new state and the audit row in one transaction. */
int backup_save_with_audit(struct catalog *cat, const struct catalog_backup *b,
                           const char *action, const char *details, char **err);
/* The row of id; DR_ENOTFOUND saying "no backup ID in the catalog". */
int backup_get_row(struct catalog *cat, const char *id,
                   struct catalog_backup *b, char **err);

/* Every good backup of service, in no particular order. */
int backup_good_list(struct catalog *cat, const char *service,
                     struct catalog_backup **out, size_t *n, char **err);
/* qsort order: newest completed_at first. */
int backup_by_completed_desc(const void *a, const void *b);
/* The newest good backup of service (of target too, unless NULL):
 * verified only, or any good one; completed at or after since.  id ""
 * when there is none. */
int backup_newest_good(struct catalog *cat, const char *service,
                       const char *target, int verified_only, int64_t since,
                       char id[40], char **err);

/* ---- reading an object back (backup_read.c) ----------------------------- */

/* Where restored bytes go.  A command sink starts only when the first plain
 * byte comes out (or at the end, for an empty backup), so a wrong key or a
 * missing object never runs it.  A command that stops reading does not stop
 * the read: the rest of the object is still checked, so the report can say
 * whether the backup itself is sound, and the command's own exit status and
 * stderr are reported instead of a broken pipe. */
struct backup_reader_sink {
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
	/* Progress, as the plain bytes come out (NULL: none). */
	backup_progress_fn progress;
	void *progress_arg;
	uint64_t expected; /* the backup's plain size; 0: unknown */
	double t0;         /* time_mono() at the start */
};

/* Starts a command sink (nothing for a file or nowhere). */
void backup_sink_start(struct backup_reader_sink *c);

/* Reads the backup's object through the checking reader into the sink;
 * checks the SHA-256 against the catalog.  DR_ECORRUPT when anything is
 * wrong with the object; DR_EKEY when the key does not open an object
 * whose SHA-256 matches the catalog (the header's key check cannot tell a
 * wrong key from a changed header; the SHA-256 can). */
int backup_read_back(const struct config *cfg, const struct catalog_backup *b,
                     const cJSON *m, const struct backup_key *key,
                     struct backup_reader_sink *sink, uint64_t *stored,
                     char **err);

#endif
