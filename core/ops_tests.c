/* The test programme's change; see ops_tests.h. */
#include "core/ops_tests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/error.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "db/catalog.h"

struct test_note_arg {
	const char *run_id;
	const char *text;
};

/* Whether run_id names a restore test or a drill in the catalog. */
static int run_exists(struct catalog *cat, const char *run_id, char **err)
{
	struct catalog_recovery rec;
	char *e = NULL;
	int rc;

	if (run_id[strspn(run_id, "0123456789")] == '\0') {
		struct catalog_restore *rs = NULL;
		size_t n = 0;
		int found = 0;
		rc = catalog_restore_list(cat, NULL, 0, &rs, &n, err);
		if (rc != CATALOG_OK)
			return rc;
		for (size_t i = 0; i < n && !found; i++)
			found = strcmp(rs[i].kind, "restore-test") == 0 &&
			        rs[i].id == strtoll(run_id, NULL, 10);
		free(rs);
		if (found)
			return DR_OK;
	} else {
		memset(&rec, 0, sizeof rec);
		rc = catalog_recovery_get(cat, run_id, &rec, &e);
		free(e);
		int drill = rc == CATALOG_OK && rec.is_drill;
		catalog_recovery_clear(&rec);
		if (drill)
			return DR_OK;
		if (rc != CATALOG_OK && rc != CATALOG_ENOTFOUND) {
			*err = xasprintf("cannot read recovery %s", run_id);
			return rc;
		}
	}
	*err = xasprintf("no test run %s: give a restore test's id or a "
	                 "drill's recovery id (drconsole tests log)",
	                 run_id);
	return DR_ENOTFOUND;
}

static int note_change(struct catalog *cat, void *arg, char **details,
                       char **err)
{
	const struct test_note_arg *a = arg;
	struct catalog_test_note n;
	char origin[64];
	int rc = run_exists(cat, a->run_id, err);

	if (rc != DR_OK)
		return rc;
	memset(&n, 0, sizeof n);
	/* A restore test's id as tests log shows it: "007" is run 7. */
	if (a->run_id[strspn(a->run_id, "0123456789")] == '\0')
		snprintf(n.run_id, sizeof n.run_id, "%lld",
		         strtoll(a->run_id, NULL, 10));
	else
		strlcpy_dr(n.run_id, a->run_id, sizeof n.run_id);
	strlcpy_dr(n.text, a->text, sizeof n.text);
	char actor[64];
	audit_actor(actor, origin);
	strlcpy_dr(n.actor, actor, sizeof n.actor);
	n.at = time_now();
	*details = xasprintf("follow-ups: %.200s", a->text);
	return catalog_test_note_put(cat, &n, err);
}

int ops_test_note(const struct ops_session *s, const char *run_id,
                  const char *text, char **err)
{
	struct test_note_arg a = {run_id, text};

	if (text == NULL || text[0] == '\0') {
		*err =
		    xstrdup("an empty note: give the follow-ups (the runbook "
		            "or documentation to update)");
		return DR_EINVAL;
	}
	if (strlen(text) >= sizeof(((struct catalog_test_note *)0)->text)) {
		*err = xasprintf(
		    "the note is %zu bytes; at most %zu", strlen(text),
		    sizeof(((struct catalog_test_note *)0)->text) - 1);
		return DR_EINVAL;
	}
	if (run_id == NULL || run_id[0] == '\0' || strlen(run_id) >= 40) {
		*err = xstrdup("a test note needs the run's id");
		return DR_EINVAL;
	}
	return ops_change(s, "tests.note", run_id, note_change, &a, err);
}
