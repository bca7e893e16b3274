/* See runbook_notify.h. */
#include "core/runbook_notify.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/notify.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

/* One event of the run's, sent at once; DR_OK when nothing is
 * configured. */
static int send(struct catalog *cat, const struct config *cfg,
                const char *subject, const char *state, const char *message,
                char **err)
{
	struct notify_event ev = {
	    .type = "runbook",
	    .subject = subject,
	    .state = state,
	    .message = message,
	};

	if (cat == NULL || cfg == NULL || cfg->notify == NULL)
		return DR_OK;
	return notify_event(cat, cfg->notify, cfg->environment, &ev, time_now(),
	                    1, NULL, err);
}

int runbook_notify_state(struct catalog *cat, const struct config *cfg,
                         const struct runbook_exec *x, const char *state,
                         char **err)
{
	const struct catalog_recovery *r = runbook_exec_record(x);
	int paused = strcmp(state, "paused") == 0;
	char *msg = xasprintf(
	    "%s %s %s: %s (recovery %s, services %s)%s%s",
	    r->is_drill ? "Drill of" : "Runbook", r->recovery_procedure,
	    paused ? "paused, waiting for an operator" : state,
	    r->recovery_status, r->recovery_id, r->affected_services,
	    paused ? "; resume with: drconsole runbook resume " : "",
	    paused ? r->recovery_id : "");
	int rc = send(cat, cfg, r->recovery_id, state, msg, err);

	free(msg);
	return rc;
}

int runbook_notify_message(struct catalog *cat, const struct config *cfg,
                           const struct runbook_exec *x, const char *message,
                           char **err)
{
	/* Its own subject, with the message as the state: each distinct
	 * message of the run goes out once. */
	char *subject =
	    xasprintf("%s/notify", runbook_exec_record(x)->recovery_id);
	int rc = send(cat, cfg, subject, message, message, err);

	free(subject);
	return rc;
}
