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
	void *arg;
};

struct runbook_proc_result {
	int exit_code; /* the command's exit status; -1 when signalled */
	int signal;    /* the signal that ended it, or 0 */
	int timed_out; /* killed because the timeout passed */
	int stopped;   /* killed because should_stop asked */
};

/* DR_OK when the command ran (whatever its status); DR_EIO when it could
 * not be started. */
int runbook_proc_run(const struct runbook_proc_opts *opts,
                     struct runbook_proc_result *res, char **err);

#endif
