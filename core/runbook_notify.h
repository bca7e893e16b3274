/* A runbook execution's news for the configured webhooks, the same from
 * every front end (line mode, the console, the agent's unattended runs):
 * the run started, finished, or paused waiting for an operator, and the
 * messages of its notify steps.  Each is a change of state of the run (its
 * subject is the recovery id), so it goes out once, and a webhook that
 * fails never stops the run: the caller shows *err and goes on. */
#ifndef DR_RUNBOOK_NOTIFY_H
#define DR_RUNBOOK_NOTIFY_H

#include "core/config.h"
#include "core/runbook_exec.h"
#include "db/catalog.h"

/* state: "started", "finished" or "paused".  DR_OK when there is nothing
 * to send (no notifications configured). */
int runbook_notify_state(struct catalog *cat, const struct config *cfg,
                         const struct runbook_exec *x, const char *state,
                         char **err);
/* "drconsole [--config PATH] [--catalog WHERE] runbook resume ID", with
 * the options when they are not the defaults (malloc'd). */
char *runbook_notify_resume_hint(struct catalog *cat, const struct config *cfg,
                                 const char *recovery_id);
/* A notify step's message. */
int runbook_notify_message(struct catalog *cat, const struct config *cfg,
                           const struct runbook_exec *x, const char *message,
                           char **err);

#endif
