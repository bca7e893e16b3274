/* See ops_runbook.h. */
#include "core/ops_runbook.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/runbook_notify.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

static void news(const struct ops_session *s, const struct runbook_exec *x,
                 const char *state)
{
	char *err = NULL;

	if (runbook_notify_state(s->cat, s->cfg, x, state, &err) != DR_OK)
		ops_note(s, "notification not sent: %s",
		         err ? err : "unknown error");
	free(err);
}

void ops_runbook_notify(const struct ops_session *s,
                        const struct runbook_exec *x, const char *message)
{
	char *err = NULL;

	if (runbook_notify_message(s->cat, s->cfg, x, message, &err) != DR_OK)
		ops_note(s, "notification not sent: %s",
		         err ? err : "unknown error");
	free(err);
}

int ops_runbook_start(const struct ops_session *s,
                      const struct runbook_start *start,
                      const struct runbook_ui *ui, struct runbook_exec **x,
                      char **err)
{
	int rc = ops_writable(s, "a runbook run", err);

	if (rc == DR_OK)
		rc = runbook_exec_start(s->cat, start, ui, x, err);
	if (rc == DR_OK)
		news(s, *x, "started");
	return rc;
}

int ops_runbook_resume(const struct ops_session *s, const char *recovery_id,
                       const struct runbook_ui *ui, struct runbook_exec **x,
                       char **err)
{
	int rc = ops_writable(s, "a runbook resume", err);

	if (rc == DR_OK)
		rc = runbook_exec_resume(s->cat, recovery_id, ui, x, err);
	return rc;
}

int ops_runbook_run(const struct ops_session *s, struct runbook_exec *x,
                    int unattended, char **err)
{
	runbook_exec_set_session(x, s);
	int rc = runbook_exec_run(x, err);
	runbook_exec_set_session(x, NULL);

	if (rc != DR_OK)
		return rc;
	if (!runbook_exec_paused(x))
		news(s, x, "finished");
	else if (unattended)
		news(s, x, "paused");
	return DR_OK;
}

int ops_runbook_unattended_answers(const struct runbook_exec *x, size_t step)
{
	const struct runbook *rb = runbook_exec_runbook(x);

	return step >= rb->n_steps ||
	       rb->steps[step].kind != RUNBOOK_KIND_MANUAL;
}

int ops_runbook_completed(const struct runbook_exec *x)
{
	return !runbook_exec_paused(x) &&
	       strcmp(runbook_exec_record(x)->recovery_status, "completed") ==
	           0;
}

struct note {
	const char *id;
	const char *notes, *lessons;
	double loss;
};

static int note_change(struct catalog *cat, void *arg, char **details,
                       char **err)
{
	const struct note *n = arg;
	struct catalog_recovery rec;
	int rc;

	memset(&rec, 0, sizeof rec);
	rc = catalog_recovery_get(cat, n->id, &rec, err);
	if (rc != DR_OK)
		return rc;
	if (n->notes) {
		free(rec.recovery_notes);
		rec.recovery_notes = xstrdup(n->notes);
	}
	if (n->lessons) {
		free(rec.lessons_learned);
		rec.lessons_learned = xstrdup(n->lessons);
	}
	if (n->loss >= 0)
		rec.data_loss_minutes = n->loss;
	rec.updated_at = time_now();
	*details = xasprintf("%s%s%s", n->notes ? "notes " : "",
	                     n->lessons ? "lessons " : "",
	                     n->loss >= 0 ? "data_loss" : "");
	rc = catalog_recovery_update(cat, &rec, err);
	catalog_recovery_clear(&rec);
	return rc;
}

int ops_runbook_note(const struct ops_session *s, const char *recovery_id,
                     const char *notes, const char *lessons,
                     double data_loss_minutes, char **err)
{
	struct note n = {recovery_id, notes, lessons, data_loss_minutes};

	if (notes == NULL && lessons == NULL && data_loss_minutes < 0) {
		*err = xstrdup("nothing to note: give notes, lessons or the "
		               "data loss");
		return DR_EINVAL;
	}
	return ops_change(s, "recovery.note", recovery_id, note_change, &n,
	                  err);
}
