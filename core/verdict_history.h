/* The verdict history: when each service entered OK, AT RISK or BREACH.
 * Every evaluation of a whole catalog that can write (the agent's loop,
 * `status`, `check`) hands its report here; a service whose verdict
 * differs from its newest recorded one gets one transition, dated by the
 * evaluation's `now`.  A change is therefore dated by the first
 * evaluation that saw it: the agent's interval bounds the error.
 * `drconsole report` reads the history (core/report.h). */
#ifndef DR_VERDICT_HISTORY_H
#define DR_VERDICT_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "core/compliance.h"
#include "db/catalog.h"

/* Records the changes in `rep` (evaluated at rep->now), all in one
 * transaction; one compare per service, a write only on change.  An
 * evaluation older than a service's newest transition records nothing for
 * it (history is never rewritten backwards).  *recorded (may be NULL) is
 * the number of transitions written.  Callers that must not fail because
 * of the history ignore the status (and free *err). */
int verdict_history_record(struct catalog *cat,
                           const struct compliance_report *rep,
                           size_t *recorded, char **err);

#endif
