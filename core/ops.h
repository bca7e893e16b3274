/* The operations layer: the only way state changes (DESIGN.md).
 *
 * Every front end (line mode in tui/cmd_*.c, the console's views, the
 * agent) reaches an action by calling an ops_* function with a session:
 * the open catalog, the config, whether the session is read-only, and the
 * callbacks through which the op reports what happens.  An op validates
 * its input, refuses every change in a read-only session (DR_EPERM,
 * nothing done), and writes its rows and their audit row in one
 * transaction through ops_audited() (or, for the machine's own
 * bookkeeping, ops_txn()): ops.c is the one caller of catalog_begin() and
 * audit_record() outside db/.
 *
 * Files: ops.c (this), ops_service.c (service add/remove), ops_record.c
 * (record backup/replication), ops_catalog.c (init, config apply, demo,
 * audit seal), ops_backup.c (run, verify, restore, restore test,
 * retention, copy), ops_runbook.c (run, resume, note, notify steps),
 * ops_failover.c (the agent's unattended failover), ops_alarm.c (ack,
 * silence), ops_import.c (imports, their restore tests), ops_probe.c
 * (probe run, notify test). */
#ifndef DR_OPS_H
#define DR_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "db/catalog.h"

/* How an op ended, for the front end's last line and the console's
 * footer. */
struct ops_outcome {
	const char *action;  /* the audit action, e.g. "service.add" */
	const char *subject; /* what it was done to */
	int status;          /* DR_OK or the failure's code */
	const char *message; /* the failure's message, or NULL */
};

/* What an op tells its front end, and asks it.  Every member may be
 * NULL; an op without a way to ask treats the question as unanswered. */
struct ops_events {
	void *arg;
	/* How far long work got: done and total in bytes (total 0:
	 * unknown), seconds since it started. */
	void (*progress)(void *arg, uint64_t done, uint64_t total,
	                 double elapsed_s);
	/* Text the work produces as it goes (a step's command output). */
	void (*output)(void *arg, const char *buf, size_t len);
	/* Something the operator should read that does not fail the op,
	 * e.g. "notification not sent: ...". */
	void (*note)(void *arg, const char *text);
	/* A yes/no question: 1 yes, 0 no, -1 nobody is there to answer. */
	int (*confirm)(void *arg, const char *question);
	/* Polled during long work; nonzero asks the op to stop cleanly. */
	int (*should_stop)(void *arg);
	/* Once, when an op that changes state has ended. */
	void (*outcome)(void *arg, const struct ops_outcome *o);
};

struct ops_session {
	struct catalog *cat;
	const struct config *cfg; /* NULL where no op of the caller needs it */
	int read_only; /* --read-only, --wall: every change refused */
	const struct ops_events *ev; /* NULL: nobody listens */
};

/* The change inside an audited transaction: does its writes and may set
 * *details (malloc'd) for the audit row.  Returns DR_OK or a failure,
 * with *err set. */
typedef int (*ops_change_fn)(struct catalog *cat, void *arg, char **details,
                             char **err);

/* begin; change(); the audit row (action, subject, details); commit.  Any
 * failure rolls the whole back: no row without its audit row, no audit
 * row for a change that did not happen.  When the catalog's server went
 * away with nothing committed (catalog_lost()), the whole is made again
 * from begin, for up to 15 s: so change() must only write the catalog and
 * must do the same when called again (reset what it counts into arg at
 * its top).  A commit whose outcome stays unknown is said so in *err. */
int ops_audited(struct catalog *cat, const char *action, const char *subject,
                ops_change_fn change, void *arg, char **err);
/* ops_audited() made once: for a change that consumes its input (an
 * import reading a stream) and cannot be made again. */
int ops_audited_once(struct catalog *cat, const char *action,
                     const char *subject, ops_change_fn change, void *arg,
                     char **err);

/* ops_audited() as a dry run: begin; change(); the audit row; and then a
 * rollback whatever happened, so that the caller learns everything a real
 * run would have met (counts, conflicts, a failing write) and keeps
 * nothing.  Made once. */
int ops_trial(struct catalog *cat, const char *action, const char *subject,
              ops_change_fn change, void *arg, char **err);

/* begin; change(); commit, with no audit row: for the machine's own
 * bookkeeping that no person asked for (probe samples, verdicts, the
 * notification queue).  details is NULL and ignored.  Any failure rolls
 * back. */
int ops_txn(struct catalog *cat, ops_change_fn change, void *arg, char **err);

/* ops_audited() for a session: refused with DR_EPERM in a read-only one,
 * and the outcome reported through the session's events. */
int ops_change(const struct ops_session *s, const char *action,
               const char *subject, ops_change_fn change, void *arg,
               char **err);

/* DR_EPERM with a message naming the action when s is read-only. */
int ops_writable(const struct ops_session *s, const char *what, char **err);

/* The session's events, for ops' own use (never NULL members to check
 * twice): each does nothing when its callback is missing. */
void ops_note(const struct ops_session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void ops_output(const struct ops_session *s, const char *buf, size_t len);
void ops_progress(const struct ops_session *s, uint64_t done, uint64_t total,
                  double elapsed_s);
int ops_should_stop(const struct ops_session *s);
int ops_confirm(const struct ops_session *s, const char *question);
void ops_report(const struct ops_session *s, const char *action,
                const char *subject, int status, const char *message);

#endif
