/* The agent: one long-running process per catalog that runs probes on
 * their intervals, scheduled jobs (commands from the "agent" section, and
 * backups, verifications, retention and copies through the backup hooks),
 * prunes history, evaluates the verdict for notifications, delivers queued
 * notifications, and writes a heartbeat the console shows.
 *
 * One agent per catalog: agent_lock() takes an exclusive flock on
 * "<catalog>.agent.lock", named from the catalog's resolved path
 * (realpath: symlinks, "." and ".." followed) so that two spellings of one
 * file share one lock (released by the kernel even after kill -9), and
 * refuses while another host's agent beats on the same catalog.  A job run
 * is claimed in the catalog before it starts, so a restarted agent never
 * runs it again for the same scheduled time.
 *
 * SIGTERM/SIGINT (agent_request_stop) start no new job, finish the work in
 * hand (the heartbeat says "stopping" and which jobs it waits for) and
 * return;
 * SIGHUP (agent_request_reload) asks the reload callback for a new config
 * and keeps the old one when it fails. */
#ifndef DR_AGENT_H
#define DR_AGENT_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/schedule.h"
#include "db/catalog.h"
#include "db/catalog_agent.h"

/* What the backup module plugs in.  jobs() lists its scheduled work in
 * cfg (names unique, e.g. "backup:orders-db"); run() does one. */
struct agent_hook_job {
	char name[128];
	char kind[16]; /* backup | verify | retention | copy | restore-test */
	char target[96];
	struct schedule schedule;
};
struct agent_hooks {
	const char *name;
	size_t (*jobs)(const struct config *cfg, struct agent_hook_job **out);
	int (*run)(struct catalog *cat, const struct config *cfg,
	           const struct agent_hook_job *job, char **message);
	/* Starts a runbook for automatic failover without waiting for it
	 * (*message says how it went); up_at: when the service was last
	 * seen up (0: never), the incident's start.  NULL: not wired. */
	int (*failover)(struct catalog *cat, const struct config *cfg,
	                const char *service, const char *runbook, int64_t up_at,
	                char **message);
};

struct agent_options {
	const char *catalog_path;        /* the lock file lives next to it */
	const struct agent_hooks *hooks; /* NULL: backups not wired */
	/* A fresh config for SIGHUP; NULL and *err on failure. */
	struct config *(*reload)(void *arg, char **err);
	void *reload_arg;
	/* Where the agent says what it does (one line each, no newline). */
	void (*log)(void *arg, const char *line);
	void *log_arg;
	int max_ticks; /* 0: run until stopped (tests use a few) */
};

/* Takes the single-agent lock of an SQLite catalog; DR_EBUSY naming the
 * holder.  A PostgreSQL catalog is shared by agents on many hosts (each
 * due run claimed once): no lock, and *note (malloc'd, or NULL) says who
 * else runs there. */
int agent_lock(struct catalog *cat, const struct config *cfg,
               const char *catalog_path, int *lock_fd, char **note, char **err);
void agent_unlock(int lock_fd);

/* Runs until stopped.  *cfg may be replaced by a reload (the old one is
 * freed).  The caller holds the lock. */
int agent_run(struct catalog *cat, struct config **cfg,
              const struct agent_options *opt, char **err);

/* Async-signal-safe. */
void agent_request_stop(void);
/* Nonzero once a stop was asked (the failover runs poll it). */
int agent_stopping(void);
void agent_request_reload(void);

/* The heartbeat as people read it: "running on host (pid 42), last beat
 * 4s ago" or "STOPPED ...".  Returns 1 when the agent is not alive (stopped,
 * or no beat for three intervals): an agent that has stopped is itself an
 * alarm. */
int agent_describe(const struct catalog_agent *a, int64_t now, char *buf,
                   size_t size);
/* Every agent of the catalog in one line: agent_describe() of the only
 * one (an SQLite catalog's: the one that beat last), or, on a shared
 * catalog, "N of M agents running (a, b)" after the first that is stale.
 * Returns -1 when none ever ran (or the catalog cannot say; buf tells),
 * 1 when one is stale or none runs, else 0. */
int agent_summary(struct catalog *cat, int64_t now, char *buf, size_t size);
/* The same of a list of heartbeats (a shared catalog's, one per host): of
 * those silent for more than a day only the newest counts, when nothing
 * newer is left.  Reorders all[]. */
int agent_summary_list(struct catalog_agent *all, size_t n, int64_t now,
                       char *buf, size_t size);

#endif
