/* See runbook_notify.h. */
#include "core/runbook_notify.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/notify.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

int runbook_notify_state(struct catalog *cat, const struct config *cfg,
                         const struct runbook_exec *x, const char *state,
                         char **err)
{
	const struct catalog_recovery *r = runbook_exec_record(x);
	int paused = strcmp(state, "paused") == 0;
	char *msg;
	int rc;

	if (cat == NULL || cfg == NULL || cfg->notify == NULL)
		return DR_OK;
	msg = xasprintf(
	    "%s %s %s: %s (recovery %s, services %s)%s%s",
	    r->is_drill ? "Drill of" : "Runbook", r->recovery_procedure,
	    paused ? "paused, waiting for an operator" : state,
	    r->recovery_status, r->recovery_id, r->affected_services,
	    paused ? "; resume with: drconsole runbook resume " : "",
	    paused ? r->recovery_id : "");
	struct notify_event ev = {
	    .type = "runbook",
	    .subject = r->recovery_id,
	    .state = state,
	    .message = msg,
	};
	rc = notify_event(cat, cfg->notify, cfg->environment, &ev, time_now(),
	                  1, NULL, err);
	free(msg);
	return rc;
}

int runbook_notify_message(struct catalog *cat, const struct config *cfg,
                           const struct runbook_exec *x, const char *message,
                           char **err)
{
	const struct catalog_recovery *r = runbook_exec_record(x);
	char *subject;
	int rc;

	if (cat == NULL || cfg == NULL || cfg->notify == NULL)
		return DR_OK;
	/* Its own subject, with the message as the state: each distinct
	 * message of the run goes out once. */
	subject = xasprintf("%s/notify", r->recovery_id);
	struct notify_event ev = {
	    .type = "runbook",
	    .subject = subject,
	    .state = message,
	    .message = message,
	};
	rc = notify_event(cat, cfg->notify, cfg->environment, &ev, time_now(),
	                  1, NULL, err);
	free(subject);
	return rc;
}
