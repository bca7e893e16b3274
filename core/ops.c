/* See ops.h. */
#include "core/ops.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/audit.h"
#include "core/error.h"
#include "core/xmalloc.h"

/* The one begin of core/: with action NULL, no audit row; with keep 0,
 * rolled back even when everything succeeded (a dry run). */
static int transaction(struct catalog *cat, const char *action,
                       const char *subject, ops_change_fn change, void *arg,
                       int keep, char **err)
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

static int audited(struct catalog *cat, const char *action, const char *subject,
                   ops_change_fn change, void *arg, int keep, char **err)
{
	if (action == NULL || action[0] == '\0') {
		*err = xstrdup("an audited change needs an action");
		return DR_EINVAL;
	}
	return transaction(cat, action, subject, change, arg, keep, err);
}

int ops_audited(struct catalog *cat, const char *action, const char *subject,
                ops_change_fn change, void *arg, char **err)
{
	return audited(cat, action, subject, change, arg, 1, err);
}

int ops_trial(struct catalog *cat, const char *action, const char *subject,
              ops_change_fn change, void *arg, char **err)
{
	return audited(cat, action, subject, change, arg, 0, err);
}

int ops_txn(struct catalog *cat, ops_change_fn change, void *arg, char **err)
{
	return transaction(cat, NULL, NULL, change, arg, 1, err);
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
