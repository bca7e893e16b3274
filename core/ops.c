/* See ops.h. */
#include "core/ops.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/audit.h"
#include "core/error.h"
#include "core/xmalloc.h"

/* How long a change waits for a catalog server that went away (a
 * restart, a failover) before it gives up, in all; and its first pause,
 * doubled each time. */
#define OPS_RETRY_FOR_MS   15000
#define OPS_RETRY_FIRST_MS 500

static int64_t ops_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int transaction_once(struct catalog *cat, const char *action,
                            const char *subject, ops_change_fn change,
                            void *arg, int keep, char **err)
{
	char *details = NULL;
	int rc = catalog_begin(cat, err);

	if (rc != DR_OK)
		return rc;
	if (change != NULL)
		rc = change(cat, arg, &details, err);
	if (rc == DR_OK && action != NULL)
		rc = audit_record(cat, action, subject, details, err);
	if (rc == DR_OK && keep)
		rc = catalog_commit(cat, err);
	if (rc != DR_OK || !keep)
		catalog_rollback(cat);
	free(details);
	return rc;
}

/* The one begin of core/: with action NULL, no audit row; with keep 0,
 * rolled back even when everything succeeded (a dry run).  A change whose
 * catalog server went away with nothing committed is made again from the
 * start (change() runs again: it only writes the catalog), with pauses of
 * 0.5, 1, 2, 4 s... for 15 s in all; then, or when a commit's
 * outcome is unknown, the message says so. */
static int transaction(struct catalog *cat, const char *action,
                       const char *subject, ops_change_fn change, void *arg,
                       int keep, int again, char **err)
{
	int64_t start = ops_ms(), pause = OPS_RETRY_FIRST_MS;
	int rc, lost, tries = 0;
	char *why;

	for (;;) {
		rc = transaction_once(cat, action, subject, change, arg, keep,
		                      err);
		tries++;
		if (rc == DR_OK)
			return rc;
		lost = catalog_lost(cat);
		int64_t left = OPS_RETRY_FOR_MS - (ops_ms() - start);
		if (lost != CATALOG_LOST_UNDONE || left <= 0 || !again)
			break;
		if (pause > left)
			pause = left;
		struct timespec nap = {pause / 1000, (pause % 1000) * 1000000L};
		nanosleep(&nap, NULL);
		pause *= 2;
		free(*err);
		*err = NULL;
	}
	if (lost == CATALOG_LOST_UNDONE && !again)
		why =
		    xasprintf("%s (the connection to the catalog's server was "
		              "lost; nothing was changed: do it again once the "
		              "server is back)",
		              *err ? *err : "the catalog went away");
	else if (lost == CATALOG_LOST_UNDONE)
		why = xasprintf(
		    "%s (the catalog's server could not be reached: "
		    "tried %d time%s over %.1f s; nothing was "
		    "changed)",
		    *err ? *err : "the catalog went away", tries,
		    tries == 1 ? "" : "s", (double)(ops_ms() - start) / 1000.0);
	else if (lost == CATALOG_LOST_UNKNOWN)
		why = xasprintf("%s (the connection to the catalog was lost "
		                "while the change was committed, and whether "
		                "it took is unknown: 'drconsole audit list' "
		                "shows it if it did)",
		                *err ? *err : "the catalog went away");
	else
		return rc;
	free(*err);
	*err = why;
	return rc;
}

static int audited(struct catalog *cat, const char *action, const char *subject,
                   ops_change_fn change, void *arg, int keep, int again,
                   char **err)
{
	if (action == NULL || action[0] == '\0') {
		*err = xstrdup("an audited change needs an action");
		return DR_EINVAL;
	}
	return transaction(cat, action, subject, change, arg, keep, again, err);
}

int ops_audited(struct catalog *cat, const char *action, const char *subject,
                ops_change_fn change, void *arg, char **err)
{
	return audited(cat, action, subject, change, arg, 1, 1, err);
}

int ops_audited_once(struct catalog *cat, const char *action,
                     const char *subject, ops_change_fn change, void *arg,
                     char **err)
{
	return audited(cat, action, subject, change, arg, 1, 0, err);
}

int ops_trial(struct catalog *cat, const char *action, const char *subject,
              ops_change_fn change, void *arg, char **err)
{
	return audited(cat, action, subject, change, arg, 0, 0, err);
}

int ops_txn(struct catalog *cat, ops_change_fn change, void *arg, char **err)
{
	return transaction(cat, NULL, NULL, change, arg, 1, 1, err);
}

int ops_writable(const struct ops_session *s, const char *what, char **err)
{
	if (!s->read_only)
		return DR_OK;
	*err = xasprintf("refused: the session is read-only (--read-only or "
	                 "--wall); %s was not done and nothing was changed",
	                 what);
	return DR_EPERM;
}

int ops_change(const struct ops_session *s, const char *action,
               const char *subject, ops_change_fn change, void *arg, char **err)
{
	int rc = ops_writable(s, action, err);

	if (rc == DR_OK)
		rc = ops_audited(s->cat, action, subject, change, arg, err);
	ops_report(s, action, subject, rc, rc == DR_OK ? NULL : *err);
	return rc;
}

void ops_note(const struct ops_session *s, const char *fmt, ...)
{
	va_list ap;
	char *text;

	if (s->ev == NULL || s->ev->note == NULL)
		return;
	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	s->ev->note(s->ev->arg, text);
	free(text);
}

void ops_output(const struct ops_session *s, const char *buf, size_t len)
{
	if (s->ev != NULL && s->ev->output != NULL)
		s->ev->output(s->ev->arg, buf, len);
}

void ops_progress(const struct ops_session *s, uint64_t done, uint64_t total,
                  double elapsed_s)
{
	if (s->ev != NULL && s->ev->progress != NULL)
		s->ev->progress(s->ev->arg, done, total, elapsed_s);
}

int ops_should_stop(const struct ops_session *s)
{
	return s->ev != NULL && s->ev->should_stop != NULL &&
	       s->ev->should_stop(s->ev->arg);
}

int ops_confirm(const struct ops_session *s, const char *question)
{
	if (s->ev == NULL || s->ev->confirm == NULL)
		return -1;
	return s->ev->confirm(s->ev->arg, question);
}

void ops_report(const struct ops_session *s, const char *action,
                const char *subject, int status, const char *message)
{
	struct ops_outcome o = {action, subject, status, message};

	if (s->ev != NULL && s->ev->outcome != NULL)
		s->ev->outcome(s->ev->arg, &o);
}
