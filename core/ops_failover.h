/* The agent's automatic failover (core/ops.h): when a service whose
 * config says "auto_failover" goes down, its failover runbook runs
 * unattended on a thread of the agent's own, with a catalog connection of
 * its own, through the same runbook ops as line mode and the console.
 *
 * Unattended means the config is the standing authorisation: every
 * confirmation is answered (recorded as "USER (unattended)"), but a
 * manual step, or a step that fails, is never done or retried by guess:
 * the run pauses for an operator and the webhooks say so.  A stop of the
 * agent stops the step in hand and pauses the run the same way, so
 * nothing half done is recorded as done; `drconsole runbook resume`
 * picks it up. */
#ifndef DR_OPS_FAILOVER_H
#define DR_OPS_FAILOVER_H

#include <stdint.h>

#include "core/config.h"
#include "db/catalog.h"

struct ops_failover_req {
	const char *catalog_path;
	const char *config_path;  /* NULL: the default config */
	const struct config *cfg; /* the agent's, for the checks */
	const char *service;
	const char *runbook;
	int64_t up_at; /* when the service was last seen up (0: never) */
	/* Where the run says what it does (one line each), from its own
	 * thread: it must be safe to call from any thread. */
	void (*log)(void *arg, const char *line);
	void *log_arg;
	/* Polled while a step runs: nonzero stops it (the agent stops). */
	int (*stopping)(void);
};

/* Checks that the runbook can start with nobody to answer (its variables
 * have defaults; the service fits its service variable) and that no
 * failover of the service is open, then starts the run and returns once
 * it exists.  *message says how it went: "started unattended: recovery
 * ID", or why it was not started.  cat is the caller's, for the check of
 * open runs only. */
int ops_failover_start(struct catalog *cat, const struct ops_failover_req *r,
                       char **message);

/* Waits until every failover run started here has ended or paused. */
void ops_failover_wait(void);

#endif
