/* The catalog: the one interface to stored state.  db/ is the only place
 * that speaks SQL; the SQLite backend (db/sqlite.c) implements this now and
 * a PostgreSQL backend can fill the same function table (db/backend.h).
 *
 * Conventions
 *  - Every function that can fail returns a catalog_rc and, on failure,
 *    sets *err to a malloc'd message the caller frees.  The values equal
 *    core/error.h's dr_status, so core passes them straight through;
 *    core/error.c checks each pair at compile time (a new code here
 *    needs its DR_ twin and a line there).
 *  - Times are Unix seconds (UTC); 0 means "none" (NULL in the table).
 *    Durations are seconds; -1 means "unknown".
 *  - Lists come back as malloc'd arrays freed with the matching _free().
 *  - State-changing calls made between catalog_begin() and catalog_commit()
 *    land together or not at all.  Outside a transaction each call is its
 *    own transaction.
 *
 * db/ never includes core/ or tui/ headers. */
#ifndef DR_CATALOG_H
#define DR_CATALOG_H

#include <stddef.h>
#include <stdint.h>

/* The schema version this binary writes: the highest migration in
 * db/migrations.c.  Migrations are a table of {version, name, sql}; they
 * run in order of version, each in its own transaction together with the
 * PRAGMA user_version bump, so a crash mid-migration leaves the catalog at
 * the previous version. */
int catalog_schema_latest(void);

enum catalog_rc {
	CATALOG_OK = 0,
	CATALOG_EINVAL = 1,
	CATALOG_ENOTFOUND = 2,
	CATALOG_EEXIST = 3,
	CATALOG_EIO = 4,
	CATALOG_EDB = 5,
	CATALOG_ESCHEMA = 6, /* catalog newer than this binary */
	CATALOG_EBUSY = 7,
	CATALOG_ECORRUPT = 8,
};

enum catalog_flags {
	CATALOG_CREATE = 1 << 0,   /* create file and parents if missing */
	CATALOG_READONLY = 1 << 1, /* never writes, never migrates */
	/* An existing empty file may be given a schema (`init` only): any
	 * other open refuses a 0-byte catalog, which may be a truncated one. */
	CATALOG_ADOPT_EMPTY = 1 << 2,
};

struct catalog;

/* `where` is a file path (or "file:" URI); "postgresql://" is reserved for
 * the shared-catalog backend.  A new file is created 0600 in a 0700
 * directory; WAL, foreign keys and a busy timeout are set; the schema is
 * migrated forward unless CATALOG_READONLY.  A catalog whose schema is
 * newer than catalog_schema_latest() is refused with CATALOG_ESCHEMA. */
int catalog_open(const char *where, int flags, struct catalog **out,
                 char **err);
void catalog_close(struct catalog *cat);
/* The clock the catalog stamps rows with (updated_at, sampled_at, the
 * audit time); time(2) unless set.  The program sets its own (which
 * honours DRCONSOLE_NOW) so every time in a row agrees with the times it
 * compares them to. */
void catalog_set_clock(int64_t (*now)(void));
int64_t catalog_now(void);
const char *catalog_where(const struct catalog *cat);
/* What the reader should know about how the catalog was opened (NULL when
 * nothing): e.g. that it could only be opened immutable, so data still in
 * its write-ahead log is not shown. */
const char *catalog_notice(const struct catalog *cat);
int catalog_schema_version(struct catalog *cat, int *version, char **err);

/* A write transaction, taken at once (BEGIN IMMEDIATE on SQLite). */
int catalog_begin(struct catalog *cat, char **err);
int catalog_commit(struct catalog *cat, char **err);
void catalog_rollback(struct catalog *cat);

/* After a call that failed: whether the connection to the catalog's server
 * went away.  CATALOG_LOST_NONE: no (or a file catalog, which has none);
 * CATALOG_LOST_UNDONE: it went with nothing committed, so the whole change
 * may be made again once the server is back (core/ops.c does, a few
 * times); CATALOG_LOST_UNKNOWN: it went while a commit was on its way and
 * the catalog could not be asked afterwards whether it took. */
enum catalog_lost {
	CATALOG_LOST_NONE = 0,
	CATALOG_LOST_UNDONE = 1,
	CATALOG_LOST_UNKNOWN = 2,
};
int catalog_lost(struct catalog *cat);
/* Whether `where` names a catalog on a server that many hosts may share
 * (postgresql://, postgres://) rather than a file. */
int catalog_where_shared(const char *where);

/* A number that changes whenever anyone commits a change to the catalog;
 * cheap enough to poll once a second. */
int catalog_data_version(struct catalog *cat, int64_t *version, char **err);
/* Unix time of the newest change of data in the catalog (service, backup,
 * sample, recovery; not the audit log, whose rows carry the real time even
 * under a pinned clock): the wall view's "age of the newest data". */
int catalog_last_change(struct catalog *cat, int64_t *at, char **err);

/* What `catalog info` shows of the open catalog. */
struct catalog_info {
	char backend[16]; /* "sqlite", "postgresql" */
	int schema_version;
	int64_t size_bytes;   /* the file, or the database; -1 unknown */
	char connection[256]; /* the file, or host:port/database as user */
	char server[64];      /* "SQLite 3.40.1", "PostgreSQL 15.8" */
	int read_only;        /* this user could not write it (however it
	                       * was opened), or a replica */
	int standby;          /* a hot standby (PostgreSQL) */
	/* A standby's lag behind its primary: 0 when it has replayed all it
	 * received and still receives; otherwise the age of the newest
	 * transaction it replayed; -1 unknown.  wal_bytes: received, not yet
	 * replayed. */
	double replay_lag_s;
	int64_t replay_wal_bytes;
	int receiving; /* a standby's WAL receiver is streaming */
	/* Opened on a hot standby that has since been promoted: the
	 * connection still reads as a replica's (read-only, not listening)
	 * until it is opened again. */
	int promoted;
};
int catalog_info(struct catalog *cat, struct catalog_info *out, char **err);

/* Change notifications without polling.  catalog_watch() starts them and
 * gives the descriptor to poll for them, or -1 when the backend has none
 * (SQLite: poll catalog_data_version() instead).  When the descriptor is
 * readable, catalog_watch_read() says whether a change was committed
 * since the last call (*changed), or fails with CATALOG_EIO when the
 * connection was lost (close and reopen the catalog, then watch again). */
int catalog_watch(struct catalog *cat, int *fd, char **err);

/* Least privilege for a team's catalog: the GRANTs that let `role` only
 * read (SELECT, LISTEN; its sessions read-only: a wall or a viewer), or
 * work as an agent (read and write everything but the audit log, which it
 * may only append to).  *sql (malloc'd) is the SQL; with apply, it is
 * also run through this connection, in one transaction (the catalog's
 * owner must run it).  CATALOG_EINVAL for a role name that is not a plain
 * identifier, or a backend without roles (SQLite: its file's permissions
 * guard it). */
enum catalog_grant_kind { CATALOG_GRANT_READONLY, CATALOG_GRANT_AGENT };

/* Copies every row of catalog `from` into `to`, which must be a new
 * catalog (no services, backups, recoveries or audit rows); call it in a
 * transaction of `to` (catalog_begin), so that a failure leaves `to` as
 * it was once rolled back.  Works
 * between any two backends (an SQLite file to PostgreSQL and back): the
 * rows go as text, and the tables the triggers keep are copied last, as
 * they were, so the copy answers as the original.  *rows counts what
 * was copied.  The caller checks the audit chain on both sides. */
int catalog_copy(struct catalog *from, struct catalog *to, int64_t *rows,
                 char **err);
int catalog_grants(struct catalog *cat, enum catalog_grant_kind kind,
                   const char *role, int apply, char **sql, char **err);
int catalog_watch_read(struct catalog *cat, int *changed, char **err);

/* ---- tiers ------------------------------------------------------------ */

struct catalog_tier {
	char name[32];
	int64_t rto_s;
	int64_t rpo_s;
};

/* Insert or replace. */
int catalog_tier_put(struct catalog *cat, const struct catalog_tier *tier,
                     char **err);
int catalog_tier_list(struct catalog *cat, struct catalog_tier **out, size_t *n,
                      char **err);

/* ---- services --------------------------------------------------------- */

struct catalog_service {
	char name[64];
	char tier[32]; /* "" when the service has no tier */
	char owner[64];
	int64_t rto_s;              /* 0: inherit from the tier */
	int64_t rpo_s;              /* 0: inherit from the tier */
	int64_t backup_frequency_s; /* 0: unknown */
	int64_t drill_policy_s;     /* 0: the default (30 days) */
	int64_t created_at;
};

/* CATALOG_EEXIST when the name is taken.  Creates the service's
 * backup_health_monitoring row too. */
int catalog_service_add(struct catalog *cat, const struct catalog_service *s,
                        char **err);
/* Insert or update everything but created_at. */
int catalog_service_put(struct catalog *cat, const struct catalog_service *s,
                        char **err);
int catalog_service_get(struct catalog *cat, const char *name,
                        struct catalog_service *out, char **err);
int catalog_service_list(struct catalog *cat, struct catalog_service **out,
                         size_t *n, char **err);
/* CATALOG_EBUSY when the service has history and !purge; with purge its
 * backups, samples and health rows go too (recoveries are kept). */
int catalog_service_remove(struct catalog *cat, const char *name, int purge,
                           char **err);

/* ---- backups (backup_management) -------------------------------------- */

struct catalog_backup {
	char backup_id[40];
	char tenant_id[40];
	char service[64];
	char type[16];   /* full | incremental | differential */
	char status[16]; /* pending | running | completed | failed | verified |
	                    expired | corrupt | restore_failed */
	char *location;  /* owned; may be NULL */
	int64_t size_bytes;       /* -1: unknown */
	double compression_ratio; /* 0: unknown */
	int64_t started_at;
	int64_t completed_at;
	char checksum[72]; /* SHA-256 hex, or "" */
	int64_t retention_until;
	char *metadata; /* owned JSON text; may be NULL */
	int64_t created_at;
	int64_t updated_at;
};

/* created_at/updated_at are set by the catalog.  The health row of the
 * service follows from triggers when status is completed or failed. */
int catalog_backup_insert(struct catalog *cat, const struct catalog_backup *b,
                          char **err);
/* Replaces every field but backup_id and created_at. */
int catalog_backup_update(struct catalog *cat, const struct catalog_backup *b,
                          char **err);
int catalog_backup_get(struct catalog *cat, const char *backup_id,
                       struct catalog_backup *out, char **err);

struct catalog_backup_filter {
	const char *service; /* NULL: any */
	/* With n_services > 0: any of these services (and `service` too,
	 * when set). */
	const char *const *services;
	size_t n_services;
	const char *status; /* NULL: any */
	const char *type;   /* NULL: any */
	int64_t since;      /* started_at >= since, 0: any */
	int oldest_first;   /* default: newest first by started_at */
	size_t limit;       /* 0: no limit */
	size_t offset;
};
int catalog_backup_list(struct catalog *cat,
                        const struct catalog_backup_filter *filter,
                        struct catalog_backup **out, size_t *n, char **err);
int catalog_backup_count(struct catalog *cat,
                         const struct catalog_backup_filter *filter,
                         int64_t *count, char **err);
/* Frees the owned strings of one record (not the record itself). */
void catalog_backup_clear(struct catalog_backup *b);
void catalog_backups_free(struct catalog_backup *list, size_t n);

/* ---- backup health (backup_health_monitoring, kept by triggers) ------- */

struct catalog_health {
	char service[64];
	int64_t backup_frequency_s;
	int64_t last_successful_backup;
	int backup_streak;
	int failure_count;
	char health_status[16]; /* healthy | degraded | warning | critical */
	double storage_usage_gb;
	double storage_quota_gb;           /* 0: none */
	int64_t estimated_full_recovery_s; /* -1: unknown */
	int64_t last_recovery_test;
	int alerts_enabled;
	int64_t updated_at;
};
int catalog_health_get(struct catalog *cat, const char *service,
                       struct catalog_health *out, char **err);

/* ---- restores (restore tests and restores: RTO evidence) ------------- */

struct catalog_restore {
	int64_t id;    /* set by catalog_restore_record */
	char kind[16]; /* "restore" | "restore-test" */
	char service[64];
	char backup_id[40];
	char target[64];      /* backup target name, or "" */
	char recovery_id[40]; /* the runbook run it served, or "" */
	int64_t started_at;
	int64_t ended_at;
	double duration_s;
	int64_t bytes; /* plain bytes restored; -1: unknown */
	int ok;
	char error[256];
};
/* Appends one restore; an ok restore test also becomes the service's
 * last_recovery_test and estimated_full_recovery_s.  recovery_id is kept
 * only when that recovery exists and has not ended (else stored as ""). */
int catalog_restore_record(struct catalog *cat, struct catalog_restore *r,
                           char **err);
/* Newest first (by ended_at); service NULL: all; limit 0: all. */
int catalog_restore_list(struct catalog *cat, const char *service, size_t limit,
                         struct catalog_restore **out, size_t *n, char **err);

/* ---- replication history ---------------------------------------------- */

struct catalog_replication {
	int64_t id;
	char service[64]; /* "" when not tied to a service */
	char source[128];
	char target[128];
	char state[16];    /* streaming | catchup | stopped | down | unknown */
	char kind[8];      /* replica | copy ("" on write: replica) */
	double lag_s;      /* -1: unknown */
	int64_t lag_bytes; /* -1: unknown */
	int64_t sampled_at;
};
int catalog_replication_record(struct catalog *cat,
                               const struct catalog_replication *r, char **err);
/* The newest sample of every source -> target pair. */
int catalog_replication_latest(struct catalog *cat,
                               struct catalog_replication **out, size_t *n,
                               char **err);
/* Samples of one pair with sampled_at >= since, oldest first. */
int catalog_replication_history(struct catalog *cat, const char *source,
                                const char *target, int64_t since,
                                struct catalog_replication **out, size_t *n,
                                char **err);
int catalog_replication_prune(struct catalog *cat, int64_t before,
                              int64_t *deleted, char **err);

/* ---- health history (probe results) ---------------------------------- */

struct catalog_probe_result {
	int64_t id;
	char service[64];
	char probe[64]; /* the probe's name in the config */
	char kind[16];  /* http | tcp | postgres | command */
	int ok;
	double latency_ms; /* -1: unknown */
	double value;      /* a command probe's number, or 0 */
	char message[256];
	int64_t sampled_at;
};
int catalog_probe_record(struct catalog *cat,
                         const struct catalog_probe_result *r, char **err);
/* The newest result of every (service, probe). */
int catalog_probe_latest(struct catalog *cat, struct catalog_probe_result **out,
                         size_t *n, char **err);
int catalog_probe_prune(struct catalog *cat, int64_t before, int64_t *deleted,
                        char **err);

/* ---- recoveries (disaster_recovery_log and its steps) ---------------- */

struct catalog_recovery {
	char recovery_id[40];
	char tenant_id[40];
	char incident_type[64];
	char *affected_services;      /* owned; comma-separated service names */
	char recovery_procedure[128]; /* the runbook's name */
	char recovery_status[16];     /* initiated | in_progress | completed |
	                                 failed | aborted | rolled_back */
	int64_t rto_target_s;
	int64_t rpo_target_s;
	int64_t actual_recovery_s; /* -1: not yet */
	double data_loss_minutes;  /* -1: unknown */
	char initiated_by[128];
	int64_t incident_started_at;
	int64_t initiated_at;
	int64_t completed_at;
	char *recovery_notes;  /* owned; may be NULL */
	char *lessons_learned; /* owned; may be NULL */
	int is_drill;
	int64_t updated_at;
};
/* Also fills the per-service index used for drill recency. */
int catalog_recovery_insert(struct catalog *cat,
                            const struct catalog_recovery *r, char **err);
int catalog_recovery_update(struct catalog *cat,
                            const struct catalog_recovery *r, char **err);
int catalog_recovery_get(struct catalog *cat, const char *recovery_id,
                         struct catalog_recovery *out, char **err);
/* Newest first; limit 0: all. */
int catalog_recovery_list(struct catalog *cat, size_t limit,
                          struct catalog_recovery **out, size_t *n, char **err);
void catalog_recovery_clear(struct catalog_recovery *r);
void catalog_recoveries_free(struct catalog_recovery *list, size_t n);

/* Which recoveries catalog_recovery_page() returns; every field set
 * narrows the list.  Zero it (memset) and set drill = -1 for all. */
struct catalog_recovery_filter {
	const char *service;  /* NULL: any; else one of affected_services */
	const char *incident; /* NULL: any; else incident_type, exactly */
	const char *text;     /* NULL: any; else a part (ASCII case ignored) of
	                         the id, runbook, incident, status, operator or
	                         services */
	int64_t since;        /* 0: any; else initiated_at >= since */
	int drill;            /* -1: any; 0: real runs only; 1: drills only */
};
/* One page of the recoveries that match, newest first: at most limit
 * (0: all) after skipping offset; *total is how many match in all. */
int catalog_recovery_page(struct catalog *cat,
                          const struct catalog_recovery_filter *f,
                          size_t offset, size_t limit,
                          struct catalog_recovery **out, size_t *n,
                          size_t *total, char **err);

struct catalog_recovery_step {
	char recovery_id[40];
	int seq; /* order of execution, from 1 */
	char step_id[64];
	char phase[64];
	char title[160];
	char status[16]; /* pending | running | completed | failed | skipped |
	                    interrupted | rolled_back */
	int64_t started_at;
	int64_t ended_at;
	int exit_code;     /* -1: none */
	char *output_tail; /* owned; may be NULL */
	char confirmed_by[128];
	char *notes; /* owned; may be NULL */
};
/* Insert or replace by (recovery_id, seq). */
int catalog_recovery_step_put(struct catalog *cat,
                              const struct catalog_recovery_step *s,
                              char **err);
int catalog_recovery_step_list(struct catalog *cat, const char *recovery_id,
                               struct catalog_recovery_step **out, size_t *n,
                               char **err);
void catalog_recovery_steps_free(struct catalog_recovery_step *list, size_t n);

/* ---- per-service state: everything compliance needs, one row each ---- */

struct catalog_service_state {
	struct catalog_service service;
	int64_t tier_rto_s; /* 0 when the service has no (known) tier */
	int64_t tier_rpo_s;
	/* Newest completed or verified backup with completed_at <= now. */
	int64_t last_good_backup_at;
	int64_t last_good_backup_size; /* stored bytes; -1: unknown */
	/* Its plain (uncompressed) size, where the catalog has one: the
	 * plain_bytes of drconsole's own backups, an import's size, or size x
	 * compression_ratio of a recorded one; -1: unknown. */
	int64_t last_good_backup_plain;
	/* Newest such backup with completed_at > now (clock skew), or 0;
	 * its id ("" when none), size and plain size (-1: unknown). */
	int64_t future_backup_at;
	char future_backup_id[40];
	int64_t future_backup_size;
	int64_t future_backup_plain;
	/* Newest backup of any status, by started_at. */
	int64_t last_attempt_at;
	char last_attempt_status[16];
	struct catalog_health health;
	char last_good_backup_id[40]; /* "" when none */
	char last_attempt_id[40];
	/* Newest completed drill (is_drill) affecting the service, whether
	 * it restored anything or not: shown, never RTO evidence by itself. */
	int64_t last_drill_at;
	int64_t last_drill_duration_s; /* -1: none */
	/* RTO evidence (docs/EVIDENCE.md): the newest ok restore test
	 * (id 0: none), the newest restore test of any outcome, the failed
	 * ones after the newest ok one. */
	struct catalog_restore last_test;
	struct catalog_restore newest_test;
	int restore_failures;
	/* The newest completed recovery (drill or incident) during which a
	 * restore of the service succeeded, and that restore
	 * (recovery_id "": none). */
	char evidence_recovery_id[40];
	int evidence_recovery_drill;
	int64_t evidence_recovery_at;
	int64_t evidence_recovery_s; /* -1: unknown */
	struct catalog_restore evidence_restore;
	/* The newest sample of every link of the service, replicas and
	 * copies, by source and target (owned; catalog_service_states_free). */
	struct catalog_replication *links;
	size_t n_links;
};
/* One row per service, by name.  Cost grows with the number of services
 * and their links, not with the length of history. */
int catalog_service_states(struct catalog *cat, int64_t now,
                           struct catalog_service_state **out, size_t *n,
                           char **err);
void catalog_service_states_free(struct catalog_service_state *list, size_t n);

/* ---- verdict history and reports (db/sqlite_report.c) ---------------- */

/* One change of a service's verdict: from `at` on it was `verdict`. */
struct catalog_verdict {
	int64_t id; /* set by the catalog */
	char service[64];
	char verdict[16]; /* OK | AT RISK | BREACH */
	char reason[160]; /* why it is not OK; "" when OK */
	int64_t at;
};
/* The follow-ups written on a test run after it (issue 18): the runbook
 * or documentation to update.  run_id is a restore test's id (as text)
 * or a drill's recovery id. */
struct catalog_test_note {
	char run_id[40];
	char text[1024];
	char actor[128];
	int64_t at;
};
/* Sets (or replaces) a run's note; CATALOG_EINVAL for an empty id or
 * text. */
int catalog_test_note_put(struct catalog *cat,
                          const struct catalog_test_note *n, char **err);
/* CATALOG_ENOTFOUND when the run has none. */
int catalog_test_note_get(struct catalog *cat, const char *run_id,
                          struct catalog_test_note *out, char **err);

/* Appends one transition. */
int catalog_verdict_record(struct catalog *cat, const struct catalog_verdict *v,
                           char **err);
/* The newest transition of every service that has one (by at, then id),
 * by service name. */
int catalog_verdict_latest(struct catalog *cat, struct catalog_verdict **out,
                           size_t *n, char **err);
/* What a period starting at `since` needs of one service's history: the
 * newest transition at or before since (the verdict in force then), if
 * any, and every later one; oldest first. */
int catalog_verdict_history(struct catalog *cat, const char *service,
                            int64_t since, struct catalog_verdict **out,
                            size_t *n, char **err);

/* A service's backup attempts whose own time (started_at, else
 * completed_at, else created_at) is in [since, until). */
struct catalog_backup_counts {
	int64_t taken;    /* every attempt */
	int64_t good;     /* completed or verified */
	int64_t verified; /* verified */
	int64_t failed;   /* failed, corrupt or restore_failed */
};
int catalog_backup_counts(struct catalog *cat, const char *service,
                          int64_t since, int64_t until,
                          struct catalog_backup_counts *out, char **err);

/* ---- audit log (append-only, hash-chained) ---------------------------- */

struct catalog_audit {
	int64_t seq;
	int64_t at;
	char actor[64];  /* login name */
	char origin[64]; /* SSH client address, or "" */
	char action[64]; /* e.g. "service.add" */
	char subject[128];
	char *details; /* owned; may be NULL */
	char prev_hash[72];
	char hash[72];
};

/* Computes rec->hash (hex SHA-256) from rec->prev_hash and the fields.
 * core/ supplies it (db/ has no hashing of its own). */
typedef void (*catalog_audit_hasher)(const struct catalog_audit *rec,
                                     char hash_hex[72]);
void catalog_set_audit_hasher(struct catalog *cat, catalog_audit_hasher fn);
/* Fills seq, prev_hash and hash, and appends.  Meant to be called inside
 * the transaction of the change it records. */
int catalog_audit_append(struct catalog *cat, struct catalog_audit *rec,
                         char **err);
/* Calls fn for every row in order; stops when fn returns non-zero and
 * returns that value. */
int catalog_audit_each(struct catalog *cat,
                       int (*fn)(const struct catalog_audit *rec, void *arg),
                       void *arg, char **err);
/* Newest first; limit 0: all. */
int catalog_audit_list(struct catalog *cat, size_t limit,
                       struct catalog_audit **out, size_t *n, char **err);
/* The rows about one subject (e.g. a recovery id), oldest first. */
int catalog_audit_subject(struct catalog *cat, const char *subject,
                          struct catalog_audit **out, size_t *n, char **err);
void catalog_audits_free(struct catalog_audit *list, size_t n);

/* Runs PRAGMA integrity_check (or the backend's equivalent). */
int catalog_check_integrity(struct catalog *cat, char **err);

#endif
