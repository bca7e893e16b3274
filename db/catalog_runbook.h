/* The catalog's part for runbook executions (db/sqlite_runbook.c, schema
 * migration 3): who holds an execution, the runbook text it runs, and the
 * values of its variables.  The recovery record and its steps stay in
 * disaster_recovery_log and its step table (db/catalog.h).
 *
 * An execution is "open" from its start until it completes, fails, is
 * aborted or rolled back; at most one open execution exists per
 * incident_key (runbook name + incident type + drill or not), enforced by
 * a unique index.  While a process works on it, holder/host/pid name that
 * process; pid 0 means nobody holds it (paused, resumable).  pid_start
 * is that process's start time (core/procid.h), so that a process that got
 * the same pid later is not taken for the holder (column pid_start,
 * migration 8).
 *
 * Same conventions as db/catalog.h: catalog_rc codes, *err malloc'd. */
#ifndef DR_CATALOG_RUNBOOK_H
#define DR_CATALOG_RUNBOOK_H

#include <stdint.h>

#include "db/catalog.h"

struct catalog_runbook_exec {
	char recovery_id[40];
	char runbook[128];
	char incident_key[256];
	char holder[128];   /* login name of the operator */
	char origin[64];    /* SSH client address, or "" */
	char host[128];     /* where the holding process runs */
	int64_t pid;        /* 0: nobody holds it */
	uint64_t pid_start; /* start time of pid (core/procid.h); 0 unknown */
	int64_t held_since;
	int open;           /* 1 until the execution ends */
	int64_t child_pgid; /* process group of the running command, or 0 */
	char *runbook_path; /* owned; may be NULL */
	char *runbook_text; /* owned: the runbook as it was started */
	int64_t updated_at;
};

/* Inserts the execution.  CATALOG_EBUSY when another open execution has
 * the same incident_key; then *holder (when not NULL) is filled with it. */
int catalog_runbook_exec_insert(struct catalog *cat,
                                const struct catalog_runbook_exec *x,
                                struct catalog_runbook_exec *holder,
                                char **err);
int catalog_runbook_exec_get(struct catalog *cat, const char *recovery_id,
                             struct catalog_runbook_exec *out, char **err);
/* Sets holder, origin, host, pid, pid_start, held_since (a resume or a
 * takeover; pid 0 releases it).  With `from`, only while the hold is
 * still the one read there (its host, pid and pid_start): CATALOG_EBUSY
 * when another session has taken or released it since, so two consoles
 * that resume at once cannot both hold it. */
int catalog_runbook_exec_hold(struct catalog *cat,
                              const struct catalog_runbook_exec *x,
                              const struct catalog_runbook_exec *from,
                              char **err);
/* The holder's heartbeat: updated_at set to now while host and pid still
 * hold the open execution; CATALOG_ENOTFOUND once they do not (released,
 * ended, or taken over). */
int catalog_runbook_exec_beat(struct catalog *cat, const char *recovery_id,
                              const char *host, int64_t pid, char **err);
int catalog_runbook_exec_set_child(struct catalog *cat, const char *recovery_id,
                                   int64_t pgid, char **err);
/* The execution ends: open = 0, pid = 0. */
int catalog_runbook_exec_close(struct catalog *cat, const char *recovery_id,
                               char **err);
/* Open executions, oldest first. */
int catalog_runbook_exec_list_open(struct catalog *cat,
                                   struct catalog_runbook_exec **out, size_t *n,
                                   char **err);
void catalog_runbook_exec_clear(struct catalog_runbook_exec *x);
void catalog_runbook_execs_free(struct catalog_runbook_exec *list, size_t n);

/* Variable values of an execution, in the runbook's order. */
int catalog_runbook_var_put(struct catalog *cat, const char *recovery_id,
                            const char *name, const char *value, char **err);
/* *names and *values: n malloc'd strings each; free both arrays and
 * their strings. */
int catalog_runbook_var_list(struct catalog *cat, const char *recovery_id,
                             char ***names, char ***values, size_t *n,
                             char **err);

#endif
