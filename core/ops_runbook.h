/* Runbook executions (core/ops.h): the one place that decides when the
 * webhooks hear of a run, for line mode, the console and the agent's
 * automatic failover alike.  The engine (core/runbook_exec.h) does the
 * steps; its questions go to the front end's struct runbook_ui. */
#ifndef DR_OPS_RUNBOOK_H
#define DR_OPS_RUNBOOK_H

#include "core/ops.h"
#include "core/runbook_exec.h"

/* Starts an execution; once it exists the webhooks hear "started".
 * DR_EINVAL for a bad variable or start (nothing recorded). */
int ops_runbook_start(const struct ops_session *s,
                      const struct runbook_start *start,
                      const struct runbook_ui *ui, struct runbook_exec **x,
                      char **err);

/* Takes over a paused (or orphaned) execution. */
int ops_runbook_resume(const struct ops_session *s, const char *recovery_id,
                       const struct runbook_ui *ui, struct runbook_exec **x,
                       char **err);

/* Runs it to its end or a pause.  The webhooks hear "finished" when it
 * ended and, for an unattended run (nobody to answer), "paused" when it
 * stopped to wait for an operator.  DR_OK unless the catalog failed. */
int ops_runbook_run(const struct ops_session *s, struct runbook_exec *x,
                    int unattended, char **err);

/* A notify step's message to the configured channels; a failure to send
 * is a note on the session, not the step's failure. */
void ops_runbook_notify(const struct ops_session *s,
                        const struct runbook_exec *x, const char *message);

/* Notes, lessons learned and data loss (minutes, < 0: unchanged) on a
 * recovery record ("recovery.note"). */
int ops_runbook_note(const struct ops_session *s, const char *recovery_id,
                     const char *notes, const char *lessons,
                     double data_loss_minutes, char **err);

/* Unattended (the agent's failover, `runbook run --unattended`), the
 * config answers every confirmation, except a manual step's: nobody is
 * there to do it.  0 for such a step (the run pauses), 1 otherwise.  A
 * failed or interrupted step is never retried unattended: it pauses. */
int ops_runbook_unattended_answers(const struct runbook_exec *x, size_t step);

/* 1 when the execution ran to completion (not paused, not failed). */
int ops_runbook_completed(const struct runbook_exec *x);

#endif
