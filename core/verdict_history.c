/* See verdict_history.h. */
#include "core/verdict_history.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
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

int verdict_history_record(struct catalog *cat,
                           const struct compliance_report *rep,
                           size_t *recorded, char **err)
{
	struct catalog_verdict *latest = NULL;
	size_t n_latest = 0, written = 0;
	int rc, in_tx = 0;

	if (recorded != NULL)
		*recorded = 0;
	rc = catalog_verdict_latest(cat, &latest, &n_latest, err);
	if (rc != CATALOG_OK)
		return rc;
	for (size_t i = 0; i < rep->n && rc == CATALOG_OK; i++) {
		const struct compliance_service *s = &rep->services[i];
		const char *verdict = verdict_name(s->verdict);
		const struct catalog_verdict *last =
		    latest_of(latest, n_latest, s->name);

		if (last != NULL && (strcmp(last->verdict, verdict) == 0 ||
		                     rep->now < last->at))
			continue;
		if (!in_tx) {
			rc = catalog_begin(cat, err);
			if (rc != CATALOG_OK)
				break;
			in_tx = 1;
		}
		struct catalog_verdict v;
		memset(&v, 0, sizeof(v));
		strlcpy_dr(v.service, s->name, sizeof(v.service));
		strlcpy_dr(v.verdict, verdict, sizeof(v.verdict));
		strlcpy_dr(v.reason, s->reason, sizeof(v.reason));
		v.at = rep->now;
		rc = catalog_verdict_record(cat, &v, err);
		if (rc == CATALOG_OK)
			written++;
	}
	if (in_tx) {
		if (rc == CATALOG_OK)
			rc = catalog_commit(cat, err);
		else
			catalog_rollback(cat);
	}
	free(latest);
	if (rc != CATALOG_OK)
		written = 0;
	if (recorded != NULL)
		*recorded = written;
	return rc;
}
