/* Alarms, acknowledgements and silences: the model is in alarm.h. */
#include "core/alarm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/error.h"
#include "core/notify.h"
#include "core/ops.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "db/catalog_agent.h"

static int alarm_state_of(struct catalog *cat, const char *subject,
                          char state[32], int64_t *changed_at, char **err)
{
	int rc = catalog_notify_state_get(cat, subject, state, changed_at, err);

	if (rc == CATALOG_ENOTFOUND) {
		free(*err);
		*err = xasprintf("no subject \"%s\" (see 'drconsole alarm "
		                 "list' for the subjects)",
		                 subject);
		return DR_ENOTFOUND;
	}
	return rc == CATALOG_OK ? DR_OK : DR_EDB;
}

int alarm_marks(struct catalog *cat, const char *subject, int64_t changed_at,
                int64_t now, int *acked, int64_t *silenced_until, char **err)
{
	struct catalog_alarm_mark *m = NULL;
	size_t n = 0;
	int rc = catalog_alarm_mark_list(cat, &m, &n, err);

	*acked = 0;
	*silenced_until = 0;
	if (rc != CATALOG_OK)
		return DR_EDB;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(m[i].event_key, subject) != 0)
			continue;
		if (strcmp(m[i].kind, "ack") == 0 &&
		    m[i].episode_at == changed_at)
			*acked = 1;
		if (strcmp(m[i].kind, "silence") == 0 && m[i].until > now)
			*silenced_until = m[i].until;
	}
	free(m);
	return DR_OK;
}

int alarm_list(struct catalog *cat, int64_t now, struct alarm **out, size_t *n,
               char **err)
{
	struct catalog_notify_state *st = NULL;
	struct catalog_alarm_mark *m = NULL;
	size_t ns = 0, nm = 0;

	*out = NULL;
	*n = 0;
	if (catalog_notify_state_list(cat, &st, &ns, err) != CATALOG_OK)
		return DR_EDB;
	if (catalog_alarm_mark_list(cat, &m, &nm, err) != CATALOG_OK) {
		free(st);
		return DR_EDB;
	}
	for (size_t i = 0; i < ns; i++) {
		const char *sev = notify_severity(st[i].state);
		struct alarm a;
		int bad = strcmp(sev, "info") != 0;

		memset(&a, 0, sizeof(a));
		strlcpy_dr(a.subject, st[i].event_key, sizeof(a.subject));
		strlcpy_dr(a.state, st[i].state, sizeof(a.state));
		a.since = st[i].changed_at;
		a.severity = sev;
		for (size_t j = 0; j < nm; j++) {
			if (strcmp(m[j].event_key, a.subject) != 0)
				continue;
			if (strcmp(m[j].kind, "ack") == 0 && bad &&
			    m[j].episode_at == a.since) {
				a.acked = 1;
				strlcpy_dr(a.ack_by, m[j].actor,
				           sizeof(a.ack_by));
				a.ack_at = m[j].at;
				strlcpy_dr(a.ack_reason, m[j].reason,
				           sizeof(a.ack_reason));
			} else if (strcmp(m[j].kind, "silence") == 0 &&
			           m[j].until > now) {
				a.silenced_until = m[j].until;
				strlcpy_dr(a.silence_by, m[j].actor,
				           sizeof(a.silence_by));
				strlcpy_dr(a.silence_reason, m[j].reason,
				           sizeof(a.silence_reason));
			}
		}
		if (!bad && a.silenced_until == 0)
			continue;
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		(*out)[(*n)++] = a;
	}
	free(st);
	free(m);
	return DR_OK;
}

static void alarm_actor_text(char out[128])
{
	char actor[64], origin[64];

	audit_actor(actor, origin);
	if (origin[0] != '\0')
		snprintf(out, 128, "%.60s (%.60s)", actor, origin);
	else
		snprintf(out, 128, "%s", actor);
}

struct alarm_put_arg {
	const struct catalog_alarm_mark *mark;
	const char *details; /* for the audit row */
};

static int put_mark(struct catalog *cat, void *arg, char **details, char **err)
{
	const struct alarm_put_arg *a = arg;
	int rc = catalog_alarm_mark_put(cat, a->mark, err);

	if (rc == CATALOG_OK && a->details != NULL)
		*details = xstrdup(a->details);
	return rc;
}

/* The mark and its audit row in one transaction; every failure of the
 * catalog's is DR_EDB. */
static int alarm_put(struct catalog *cat, const struct catalog_alarm_mark *m,
                     const char *action, const char *details, char **err)
{
	struct alarm_put_arg a = {m, details};

	return ops_audited(cat, action, m->event_key, put_mark, &a, err) ==
	               DR_OK
	           ? DR_OK
	           : DR_EDB;
}

static int alarm_reason_ok(const char *reason, char **err)
{
	if (reason == NULL || reason[0] == '\0') {
		*err = xstrdup("a reason is required (--reason TEXT): the "
		               "next person on call reads it");
		return 0;
	}
	return 1;
}

int alarm_ack(struct catalog *cat, const char *subject, const char *reason,
              int64_t now, char **err)
{
	struct catalog_alarm_mark m;
	char state[32] = "", *details;
	int64_t changed_at = 0;
	int rc;

	if (!alarm_reason_ok(reason, err))
		return DR_EINVAL;
	rc = alarm_state_of(cat, subject, state, &changed_at, err);
	if (rc != DR_OK)
		return rc;
	if (strcmp(notify_severity(state), "info") == 0) {
		*err = xasprintf("%s is %s: no alarm to acknowledge", subject,
		                 state);
		return DR_ENOTFOUND;
	}
	memset(&m, 0, sizeof(m));
	strlcpy_dr(m.event_key, subject, sizeof(m.event_key));
	strlcpy_dr(m.kind, "ack", sizeof(m.kind));
	strlcpy_dr(m.state, state, sizeof(m.state));
	m.episode_at = changed_at;
	alarm_actor_text(m.actor);
	m.at = now;
	strlcpy_dr(m.reason, reason, sizeof(m.reason));
	details = xasprintf("state %s; reason: %s", state, reason);
	rc = alarm_put(cat, &m, "alarm.ack", details, err);
	free(details);
	return rc;
}

int alarm_silence(struct catalog *cat, const char *subject, int64_t until,
                  const char *reason, int64_t now, char **err)
{
	struct catalog_alarm_mark m;
	char state[32] = "", at[32], *details;
	int64_t changed_at = 0;
	int rc;

	if (!alarm_reason_ok(reason, err))
		return DR_EINVAL;
	if (until <= now) {
		*err = xstrdup("a silence must end in the future");
		return DR_EINVAL;
	}
	rc = alarm_state_of(cat, subject, state, &changed_at, err);
	if (rc != DR_OK)
		return rc;
	memset(&m, 0, sizeof(m));
	strlcpy_dr(m.event_key, subject, sizeof(m.event_key));
	strlcpy_dr(m.kind, "silence", sizeof(m.kind));
	m.until = until;
	alarm_actor_text(m.actor);
	m.at = now;
	strlcpy_dr(m.reason, reason, sizeof(m.reason));
	time_format_iso(until, at);
	details = xasprintf("until %s; reason: %s", at, reason);
	rc = alarm_put(cat, &m, "alarm.silence", details, err);
	free(details);
	return rc;
}

struct unsilence_arg {
	const char *subject;
	int not_silenced; /* set when there was no silence to delete */
};

static int delete_silence(struct catalog *cat, void *arg, char **details,
                          char **err)
{
	struct unsilence_arg *a = arg;
	int deleted = 0;
	int rc = catalog_alarm_mark_delete(cat, a->subject, "silence", &deleted,
	                                   err);

	(void)details;
	if (rc == CATALOG_OK && !deleted) {
		a->not_silenced = 1;
		*err = xasprintf("%s is not silenced", a->subject);
		return DR_ENOTFOUND;
	}
	return rc;
}

int alarm_unsilence(struct catalog *cat, const char *subject, char **err)
{
	struct unsilence_arg a = {subject, 0};
	int rc = ops_audited(cat, "alarm.unsilence", subject, delete_silence,
	                     &a, err);

	if (a.not_silenced)
		return DR_ENOTFOUND;
	return rc == DR_OK ? DR_OK : DR_EDB;
}
