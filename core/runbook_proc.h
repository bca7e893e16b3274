/* Running one shell command for a runbook step: /bin/sh -c COMMAND in a
 * process group of its own, with a given environment, stdin from
 * /dev/null, stdout and stderr captured through one pipe and streamed to a
 * callback, a timeout, and a stop request that kills the whole group
 * (SIGTERM, then SIGKILL after a grace period). */
#ifndef DR_RUNBOOK_PROC_H
#define DR_RUNBOOK_PROC_H

#include <stdint.h>
#include <sys/types.h>

struct runbook_proc_opts {
	const char *command;
	char *const *env;  /* NULL-terminated, the child's whole environment */
	int64_t timeout_s; /* 0: none */
	/* Output as it arrives (stdout and stderr interleaved). */
	void (*on_output)(void *arg, const char *buf, size_t len);
	/* Polled at least every 200 ms; nonzero stops the command. */
	int (*should_stop)(void *arg);
	/* Called once the group exists, e.g. to record it. */
	void (*on_start)(void *arg, pid_t pgid);
	/* Detachable: when set, the command runs in a session of its own
	 * (no terminal's hang-up reaches it) under a keeper process, its
	 * output goes to this file (truncated first) and is followed from
	 * there, and the keeper writes "<spool>.exit" ("exit N" or "signal
	 * N") when it ends, whether or not drconsole is still there. */
	const char *spool;
	/* Polled with should_stop (spool only); nonzero returns at once,
	 * leaving the command running (res->detached). */
	int (*should_detach)(void *arg);
	void *arg;
};

struct runbook_proc_result {
	int exit_code; /* the command's exit status; -1 when signalled */
	int signal;    /* the signal that ended it, or 0 */
	int timed_out; /* killed because the timeout passed */
	int stopped;   /* killed because should_stop asked */
	int detached;  /* left running because should_detach asked */
};

/* The outcome a keeper wrote to "<spool>.exit": 1 and *exit_code (-1 and
 * *signal for a signal) when it is there, 0 when not (still running, or
 * gone without a word). */
int runbook_proc_spool_exit(const char *spool, int *exit_code, int *signal);

/* Follows a detached command's spool from `offset` (its output so far to
 * on_output, then what comes) until its keeper wrote the exit file or its
 * group is gone, a timeout (timeout_s from now; 0: none) or a stop kills
 * the group, or a detach leaves it.  *gone is 1 when the group ended
 * without an exit file (outcome unknown). */
int runbook_proc_follow(const struct runbook_proc_opts *opts, pid_t pgid,
                        struct runbook_proc_result *res, int *gone, char **err);

/* DR_OK when the command ran (whatever its status); DR_EIO when it could
 * not be started. */
int runbook_proc_run(const struct runbook_proc_opts *opts,
                     struct runbook_proc_result *res, char **err);

/* 1 while some process of a detachable command still holds its spool
 * (the keeper takes a lock before the command exists; it goes with the
 * last of them). */
int runbook_proc_spool_busy(const char *spool);
/* The keeper's group as it wrote it down, or 0. */
pid_t runbook_proc_spool_pgid(const char *spool);

#endif
