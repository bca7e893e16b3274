/* See runbook_notify.h. */
#include "core/runbook_notify.h"
#include "core/config.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/notify.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

/* One event of the run's, sent at once; DR_OK when nothing is
 * configured. */
static int send(struct catalog *cat, const struct config *cfg,
                const struct catalog_recovery *r, const char *subject,
                const char *state, const char *message, const char *severity,
                char **err)
{
	struct notify_event ev = {
	    .type = "runbook",
	    .service = r->affected_services,
	    .subject = subject,
	    .state = state,
	    .message = message,
	    .drill = r->is_drill,
	    .severity = severity,
	};

	if (cat == NULL || cfg == NULL || cfg->notify == NULL)
		return DR_OK;
	return notify_event(cat, cfg->notify, cfg->environment, &ev, time_now(),
	                    1, NULL, err);
}

/* s for a shell: as is when plain, else in single quotes. */
static char *shell_word(const char *s)
{
	size_t n = 3;
	char *out, *o;

	if (s[0] != '\0' &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLM"
	              "NOPQRSTUVWXYZ0123456789/._-+:=@,") == strlen(s))
		return xstrdup(s);
	for (const char *p = s; *p; p++)
		n += *p == '\'' ? 4 : 1;
	out = o = xmalloc(n);
	*o++ = '\'';
	for (const char *p = s; *p; p++) {
		if (*p == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *p;
		}
	}
	*o++ = '\'';
	*o = '\0';
	return out;
}

static char *default_catalog(void)
{
	char *dir = config_data_dir();
	char *path = xasprintf("%s/catalog.db", dir);

	free(dir);
	return path;
}

char *runbook_notify_resume_hint(struct catalog *cat, const struct config *cfg,
                                 const char *recovery_id)
{
	char *hint = xstrdup("drconsole");
	const char *where = cat ? catalog_where(cat) : NULL;
	char *def_cat = default_catalog();
	char *def_cfg = config_default_path();

	if (cfg != NULL && cfg->path != NULL &&
	    (def_cfg == NULL || strcmp(cfg->path, def_cfg) != 0)) {
		char *w = shell_word(cfg->path);
		char *next = xasprintf("%s --config %s", hint, w);
		free(w);
		free(hint);
		hint = next;
	}
	if (where != NULL && where[0] != '\0' && strcmp(where, def_cat) != 0) {
		char *w = shell_word(where);
		char *next = xasprintf("%s --catalog %s", hint, w);
		free(w);
		free(hint);
		hint = next;
	}
	{
		char *next =
		    xasprintf("%s runbook resume %s", hint, recovery_id);
		free(hint);
		hint = next;
	}
	free(def_cat);
	free(def_cfg);
	return hint;
}

int runbook_notify_state(struct catalog *cat, const struct config *cfg,
                         const struct runbook_exec *x, const char *state,
                         char **err)
{
	const struct catalog_recovery *r = runbook_exec_record(x);
	int paused = strcmp(state, "paused") == 0;

	/* A run that ended badly is bad news (never held back), not a
	 * plain "finished". */
	if (strcmp(state, "finished") == 0 &&
	    (strcmp(r->recovery_status, "failed") == 0 ||
	     strcmp(r->recovery_status, "aborted") == 0 ||
	     strcmp(r->recovery_status, "rolled_back") == 0))
		state = "failed";
	char *hint = paused
	                 ? runbook_notify_resume_hint(cat, cfg, r->recovery_id)
	                 : NULL;
	char *msg = xasprintf(
	    "%s %s %s: %s (recovery %s, services %s)%s%s",
	    r->is_drill ? "Drill of" : "Runbook", r->recovery_procedure,
	    paused ? "paused, waiting for an operator" : state,
	    r->recovery_status, r->recovery_id, r->affected_services,
	    paused ? "; resume with: " : "", paused ? hint : "");
	int rc = send(cat, cfg, r, r->recovery_id, state, msg, NULL, err);

	free(hint);
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
	/* A step's words are news, not an alarm. */
	int rc = send(cat, cfg, runbook_exec_record(x), subject, message,
	              message, "info", err);

	free(subject);
	return rc;
}
