/* See verdict_history.h. */
#include "core/verdict_history.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "core/ops.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

/* The newest transition of `name` in the list (sorted by service name),
 * or NULL. */
static const struct catalog_verdict *
latest_of(const struct catalog_verdict *list, size_t n, const char *name)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(list[mid].service, name);
		if (c == 0)
			return &list[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Whether service s's verdict differs from its newest recorded one (and
 * the evaluation is not older than that one: history is never rewritten). */
static int changed(const struct catalog_verdict *latest, size_t n_latest,
                   const struct compliance_service *s, int64_t now)
{
	const struct catalog_verdict *last =
	    latest_of(latest, n_latest, s->name);

	return last == NULL ||
	       (strcmp(last->verdict, verdict_name(s->verdict)) != 0 &&
	        now >= last->at);
}

struct record_changes {
	const struct compliance_report *rep;
	size_t written;
};

/* The changed verdicts of rep, each as a transition. */
static int record_changes(struct catalog *cat, void *arg, char **details,
                          char **err)
{
	struct record_changes *x = arg;
	const struct compliance_report *rep = x->rep;
	struct catalog_verdict *latest = NULL;
	size_t n_latest = 0;
	int rc = catalog_verdict_latest(cat, &latest, &n_latest, err);

	(void)details;
	x->written = 0; /* counted afresh if the change is made again */
	for (size_t i = 0; i < rep->n && rc == CATALOG_OK; i++) {
		const struct compliance_service *s = &rep->services[i];
		if (!changed(latest, n_latest, s, rep->now))
			continue;
		struct catalog_verdict v;
		memset(&v, 0, sizeof(v));
		strlcpy_dr(v.service, s->name, sizeof(v.service));
		strlcpy_dr(v.verdict, verdict_name(s->verdict),
		           sizeof(v.verdict));
		strlcpy_dr(v.reason, s->reason, sizeof(v.reason));
		v.at = rep->now;
		rc = catalog_verdict_record(cat, &v, err);
		if (rc == CATALOG_OK)
			x->written++;
	}
	free(latest);
	return rc;
}

int verdict_history_record(struct catalog *cat,
                           const struct compliance_report *rep,
                           size_t *recorded, char **err)
{
	struct catalog_verdict *latest = NULL;
	size_t n_latest = 0, i;
	struct record_changes x = {rep, 0};
	int rc;

	if (recorded != NULL)
		*recorded = 0;
	/* An evaluation dated ahead of the real clock (DRCONSOLE_NOW asking
	 * "what if") is not history yet: recorded, it would hide every real
	 * change until that time came. */
	if (rep->now > time_real_now() + 60)
		return DR_OK;
	rc = catalog_verdict_latest(cat, &latest, &n_latest, err);
	if (rc != CATALOG_OK)
		return rc;
	for (i = 0; i < rep->n; i++)
		if (changed(latest, n_latest, &rep->services[i], rep->now))
			break;
	free(latest);
	if (i == rep->n)
		return DR_OK; /* the common case: nothing changed, nothing
		                 written */
	/* Read again under the write lock: another evaluation (the agent, a
	 * cron check) may have recorded the same change meanwhile. */
	rc = ops_txn(cat, record_changes, &x, err);
	if (recorded != NULL && rc == CATALOG_OK)
		*recorded = x.written;
	return rc;
}
