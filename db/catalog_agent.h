/* The catalog's tables for live signals (migration 5): the agent's
 * heartbeat, the last run of every scheduled job, the consecutive-failure
 * state of every probe, and notifications (last state per subject, and an
 * outbox recording every message with its delivery).  Conventions as in
 * db/catalog.h: catalog_rc return values, *err malloc'd, Unix seconds. */
#ifndef DR_CATALOG_AGENT_H
#define DR_CATALOG_AGENT_H

#include <stddef.h>
#include <stdint.h>

#include "db/catalog.h"

/* ---- agent heartbeat -------------------------------------------------- */

struct catalog_agent {
	char host[128];
	int64_t pid;
	char version[32];
	int64_t started_at;
	int64_t beat_at;
	int64_t interval_s; /* how often it beats; stale past 3 of them */
	char state[16];     /* running | stopping | stopped */
	char note[256];     /* e.g. "backups: hook not wired" */
};

/* Insert or replace the row of (host, pid). */
int catalog_agent_beat(struct catalog *cat, const struct catalog_agent *a,
                       char **err);
/* The agent that beat last; CATALOG_ENOTFOUND when none ever ran. */
int catalog_agent_latest(struct catalog *cat, struct catalog_agent *out,
                         char **err);
/* The newest row of every host that ever ran an agent on this catalog,
 * by host (malloc'd; free()). */
int catalog_agent_list(struct catalog *cat, struct catalog_agent **out,
                       size_t *n, char **err);

/* ---- scheduled jobs --------------------------------------------------- */

struct catalog_job {
	char name[128]; /* e.g. "backup:orders-db", "prune" */
	int64_t last_started_at;
	int64_t last_finished_at;
	char last_status[16]; /* running | ok | failed | skipped | "" */
	char last_message[256];
	int64_t runs;
};

/* CATALOG_ENOTFOUND when the job never ran. */
int catalog_job_get(struct catalog *cat, const char *name,
                    struct catalog_job *out, char **err);
/* Claims a run: sets last_started_at and status running, counts it, but
 * only while last_started_at is still `seen` (0: the job never ran), the
 * start the caller decided on.  When another agent sharing the catalog
 * claimed the run first, nothing changes and CATALOG_EBUSY comes back:
 * each due run is claimed once however many agents look at it. */
int catalog_job_start(struct catalog *cat, const char *name, int64_t now,
                      int64_t seen, char **err);
int catalog_job_finish(struct catalog *cat, const char *name, int64_t now,
                       const char *status, const char *message, char **err);
int catalog_job_list(struct catalog *cat, struct catalog_job **out, size_t *n,
                     char **err);

/* ---- probe state ------------------------------------------------------ */

struct catalog_probe_state {
	char service[64];
	char probe[64];
	int consecutive_failures;
	int down;
	int64_t changed_at; /* when down last changed */
	int64_t last_ok_at;
	int64_t last_run_at;
	char message[256]; /* of the newest run */
};

int catalog_probe_state_get(struct catalog *cat, const char *service,
                            const char *probe, struct catalog_probe_state *out,
                            char **err);
int catalog_probe_state_put(struct catalog *cat,
                            const struct catalog_probe_state *s, char **err);
/* Every probe's state, by service and probe. */
int catalog_probe_state_list(struct catalog *cat,
                             struct catalog_probe_state **out, size_t *n,
                             char **err);

/* ---- notifications ---------------------------------------------------- */

/* The last state seen for a subject ("probe:orders/api", "verdict"). */
int catalog_notify_state_get(struct catalog *cat, const char *key,
                             char state[32], int64_t *changed_at, char **err);
int catalog_notify_state_put(struct catalog *cat, const char *key,
                             const char *state, int64_t at, char **err);

struct catalog_notify {
	int64_t id;
	char event_key[160];
	char channel[64];
	char service[64];
	char type[32];
	char state[32];
	char title[160];
	char message[512];
	char status[16]; /* pending | sent | failed | deduplicated |
	                    rate_limited | silenced */
	int attempts;
	int64_t next_attempt_at;
	int64_t created_at;
	int64_t sent_at;
	char last_error[256];
	char severity[12]; /* info | warning | critical */
	int drill;         /* from a drill: its own label and budget */
	int64_t digest_id; /* rate_limited: the digest that told of it; 0:
	                      not yet */
};

/* Fills n->id. */
int catalog_notify_insert(struct catalog *cat, struct catalog_notify *n,
                          char **err);
int catalog_notify_update(struct catalog *cat, const struct catalog_notify *n,
                          char **err);
/* The channel's newest message about this key that was told (pending,
 * sent or failed) or held back (rate_limited): its state, status and
 * when; state "" and *at 0 when none. */
int catalog_notify_last_told(struct catalog *cat, const char *channel,
                             const char *event_key, char state[32],
                             char status[16], int64_t *at, char **err);
/* The channel's messages sent or queued since `since` from drills (drill
 * 1) or not (0); tests and digests are not counted. */
int catalog_notify_count_since(struct catalog *cat, const char *channel,
                               int64_t since, int drill, int64_t *count,
                               char **err);
/* Pending messages due at `now`, oldest first. */
int catalog_notify_due(struct catalog *cat, int64_t now, size_t limit,
                       struct catalog_notify **out, size_t *n, char **err);
/* Newest first; limit 0: all. */
int catalog_notify_list(struct catalog *cat, size_t limit,
                        struct catalog_notify **out, size_t *n, char **err);
/* Messages held back by the rate limit that no digest has told of yet,
 * by channel and drill, oldest first. */
int catalog_notify_held(struct catalog *cat, struct catalog_notify **out,
                        size_t *n, char **err);
/* The newest message about key in state on any channel, whatever became
 * of it (a silenced one too: the repeats resume when the silence ends);
 * CATALOG_ENOTFOUND when none. */
int catalog_notify_latest(struct catalog *cat, const char *event_key,
                          const char *state, struct catalog_notify *out,
                          char **err);
/* Warning or critical messages of subjects still in that state whose
 * every delivery since the state began has been tried and none went out:
 * one row (the newest) per subject. */
int catalog_notify_undelivered(struct catalog *cat, struct catalog_notify **out,
                               size_t *n, char **err);

struct catalog_notify_state {
	char event_key[160];
	char state[32];
	int64_t changed_at;
};
/* Every subject's last state, by key. */
int catalog_notify_state_list(struct catalog *cat,
                              struct catalog_notify_state **out, size_t *n,
                              char **err);

/* ---- alarm marks (core/alarm.h) ---------------------------------------- */

struct catalog_alarm_mark {
	char event_key[160];
	char kind[8];       /* ack | silence */
	char state[32];     /* ack: the state acknowledged */
	int64_t episode_at; /* ack: that state's changed_at */
	int64_t until;      /* silence: its end */
	char actor[128];
	int64_t at;
	char reason[256];
};

/* Replaces the key's mark of that kind; inside the caller's transaction
 * when one is open. */
int catalog_alarm_mark_put(struct catalog *cat,
                           const struct catalog_alarm_mark *m, char **err);
int catalog_alarm_mark_delete(struct catalog *cat, const char *event_key,
                              const char *kind, int *deleted, char **err);
/* Every mark, by key and kind. */
int catalog_alarm_mark_list(struct catalog *cat,
                            struct catalog_alarm_mark **out, size_t *n,
                            char **err);

#endif
