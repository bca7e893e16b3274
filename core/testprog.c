/* The DR test programme; see testprog.h. */
#include "core/testprog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/backup_config.h"
#include "core/config.h"
#include "core/error.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "db/catalog_agent.h"

static const char *const test_keys[] = {"name", "kind",   "every",   "service",
                                        "tier", "target", "runbook", NULL};

static int name_ok(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_' || *s == '.'))
			return 0;
	return 1;
}

static const cJSON *member(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return v != NULL ? v : obj;
}

/* The service or tier a test names must be configured. */
static void check_scope(const struct config *cfg, const struct json_doc *doc,
                        const cJSON *it, struct json_errors *errs,
                        const char *service, const char *tier)
{
	if (service != NULL && cfg->n_services > 0) {
		int found = 0;
		for (size_t i = 0; i < cfg->n_services; i++)
			found |= strcmp(cfg->services[i].name, service) == 0;
		if (!found)
			json_errors_add(errs, doc, member(it, "service"),
			                "no service \"%s\" in \"services\"",
			                service);
	}
	if (tier != NULL) {
		int found = 0;
		for (size_t i = 0; i < cfg->n_tiers; i++)
			found |= strcmp(cfg->tiers[i].name, tier) == 0;
		if (!found)
			json_errors_add(errs, doc, member(it, "tier"),
			                "no tier \"%s\"", tier);
	}
}

/* One test object into *t; 0, or -1 after adding its errors. */
static int read_test(struct config *cfg, const struct json_doc *doc,
                     const cJSON *it, struct json_errors *errs,
                     struct test_spec *t)
{
	size_t before = errs->count;
	const char *name = NULL, *kind = NULL, *service = NULL, *tier = NULL,
	           *target = NULL, *runbook = NULL;
	long long every = 0;

	memset(t, 0, sizeof *t);
	if (!cJSON_IsObject(it)) {
		json_errors_add(errs, doc, it,
		                "expected an object for a test ({\"name\": "
		                "..., \"kind\": \"restore\", \"every\": "
		                "\"30d\", \"service\": ...})");
		return -1;
	}
	json_check_keys(errs, doc, it, "a test", test_keys);
	json_get_string(errs, doc, it, "name", 1, &name);
	json_get_string(errs, doc, it, "kind", 1, &kind);
	json_get_duration(errs, doc, it, "every", 1, &every);
	json_get_string(errs, doc, it, "service", 0, &service);
	json_get_string(errs, doc, it, "tier", 0, &tier);
	json_get_string(errs, doc, it, "target", 0, &target);
	json_get_string(errs, doc, it, "runbook", 0, &runbook);
	if (name != NULL && (!name_ok(name) || strlen(name) >= sizeof t->name))
		json_errors_add(errs, doc, member(it, "name"),
		                "bad test name \"%s\": use 1 to 63 of a-z, "
		                "0-9, '-', '_' and '.'",
		                name);
	if (kind != NULL && strcmp(kind, "restore") != 0 &&
	    strcmp(kind, "drill") != 0)
		json_errors_add(
		    errs, doc, member(it, "kind"),
		    "unknown test kind \"%s\" (expected \"restore\" "
		    "or \"drill\")",
		    kind);
	if (every < 0 || (every == 0 && cJSON_GetObjectItemCaseSensitive(
	                                    it, "every") != NULL))
		json_errors_add(errs, doc, member(it, "every"),
		                "\"every\" must be longer than 0s");
	if ((service != NULL) == (tier != NULL))
		json_errors_add(errs, doc, it,
		                "a test needs exactly one of \"service\" and "
		                "\"tier\"");
	check_scope(cfg, doc, it, errs, service, tier);
	if (kind != NULL && strcmp(kind, "drill") == 0) {
		if (runbook == NULL)
			json_errors_add(errs, doc, it,
			                "a drill test needs the \"runbook\" it "
			                "drills");
		if (target != NULL)
			json_errors_add(errs, doc, member(it, "target"),
			                "\"target\" is for restore tests");
	}
	if (runbook != NULL && strlen(runbook) >= sizeof t->runbook)
		json_errors_add(errs, doc, member(it, "runbook"),
		                "runbook name of %zu bytes; at most %zu",
		                strlen(runbook), sizeof t->runbook - 1);
	if (target != NULL && strlen(target) >= sizeof t->target)
		json_errors_add(errs, doc, member(it, "target"),
		                "backup target name of %zu bytes; at most %zu",
		                strlen(target), sizeof t->target - 1);
	if (target != NULL && tier != NULL)
		json_errors_add(errs, doc, member(it, "target"),
		                "\"target\" needs a \"service\": a tier's "
		                "services have backup targets of their own");
	if (kind != NULL && strcmp(kind, "restore") == 0 && runbook != NULL)
		json_errors_add(errs, doc, member(it, "runbook"),
		                "\"runbook\" is for drill tests");
	if (errs->count > before)
		return -1;
	strlcpy_dr(t->name, name, sizeof t->name);
	strlcpy_dr(t->kind, kind, sizeof t->kind);
	t->every_s = every;
	strlcpy_dr(t->service, service ? service : "", sizeof t->service);
	strlcpy_dr(t->tier, tier ? tier : "", sizeof t->tier);
	strlcpy_dr(t->target, target ? target : "", sizeof t->target);
	strlcpy_dr(t->runbook, runbook ? runbook : "", sizeof t->runbook);
	return 0;
}

int testprog_config_parse(struct config *cfg, const struct json_doc *doc,
                          const cJSON *node, struct json_errors *errs)
{
	size_t before = errs->count;
	struct test_programme *p;
	const cJSON *it;

	if (!cJSON_IsArray(node)) {
		json_errors_add(errs, doc, node,
		                "expected an array of tests for \"tests\"");
		return -1;
	}
	testprog_config_free(cfg);
	p = xcalloc(1, sizeof *p);
	cJSON_ArrayForEach(it, node)
	{
		struct test_spec t;
		if (read_test(cfg, doc, it, errs, &t) != 0)
			continue;
		/* One name per service: a tier's test and a service's test
		 * may not share a name either, as they may meet. */
		int dup = 0;
		for (size_t i = 0; i < p->n; i++)
			dup |= strcmp(p->specs[i].name, t.name) == 0;
		if (dup) {
			json_errors_add(errs, doc, member(it, "name"),
			                "a second test named \"%s\"", t.name);
			continue;
		}
		p->specs = xreallocarray(p->specs, p->n + 1, sizeof *p->specs);
		p->specs[p->n++] = t;
	}
	cfg->tests = p;
	cfg->policy.programme = p;
	return errs->count > before ? -1 : 0;
}

void testprog_free(struct test_programme *prog)
{
	if (prog == NULL)
		return;
	free(prog->specs);
	free(prog);
}

struct test_programme *testprog_dup(const struct test_programme *prog)
{
	if (prog == NULL)
		return NULL;
	struct test_programme *p = xcalloc(1, sizeof *p);
	if (prog->n > 0) {
		p->specs = xreallocarray(NULL, prog->n, sizeof *p->specs);
		memcpy(p->specs, prog->specs, prog->n * sizeof *p->specs);
	}
	p->n = prog->n;
	return p;
}

void testprog_config_check(struct config *cfg, const struct json_doc *doc,
                           const cJSON *node, struct json_errors *errs)
{
	const cJSON *it;

	if (cfg->tests == NULL || !cJSON_IsArray(node))
		return;
	cJSON_ArrayForEach(it, node)
	{
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(it, "name");
		const cJSON *tg =
		    cJSON_GetObjectItemCaseSensitive(it, "target");
		if (!cJSON_IsString(n) || !cJSON_IsString(tg))
			continue;
		for (size_t i = 0; i < cfg->tests->n; i++) {
			const struct test_spec *sp = &cfg->tests->specs[i];
			char *e = NULL;
			if (strcmp(sp->name, n->valuestring) != 0 ||
			    sp->target[0] == '\0' || sp->service[0] == '\0')
				continue;
			if (testprog_target(cfg, sp, sp->service, &e) == NULL) {
				json_errors_add(errs, doc, tg, "%s", e);
				free(e);
			}
		}
	}
}

void testprog_config_free(struct config *cfg)
{
	testprog_free(cfg->tests);
	cfg->tests = NULL;
	cfg->policy.programme = NULL;
}

int testprog_applies(const struct test_spec *spec, const char *service,
                     const char *tier)
{
	if (spec->service[0] != '\0')
		return strcmp(spec->service, service) == 0;
	return tier != NULL && strcmp(spec->tier, tier) == 0;
}

/* Whether the comma-separated list holds name. */
static int list_has(const char *list, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = list; p != NULL && *p != '\0';) {
		while (*p == ' ')
			p++;
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (n == len && strncmp(p, name, len) == 0)
			return 1;
		p = end ? end + 1 : NULL;
	}
	return 0;
}

static void stand_restore(struct test_status *st,
                          const struct catalog_restore *rs, size_t n)
{
	/* rs newest first. */
	for (size_t i = 0; i < n; i++) {
		const struct catalog_restore *r = &rs[i];
		if (strcmp(r->kind, "restore-test") != 0 ||
		    (st->spec->target[0] != '\0' &&
		     strcmp(r->target, st->spec->target) != 0))
			continue;
		if (st->last_at == 0) {
			st->last_at = r->ended_at;
			st->last_ok = r->ok;
			snprintf(st->last_id, sizeof st->last_id, "%lld",
			         (long long)r->id);
			strlcpy_dr(st->last_error, r->error,
			           sizeof st->last_error);
		}
		if (r->ok) {
			st->last_pass_at = r->ended_at;
			break;
		}
	}
}

static const char *const drill_ended[] = {"completed", "failed", "aborted",
                                          "rolled_back", NULL};

static void stand_drill(struct test_status *st,
                        const struct catalog_recovery *rs, size_t n)
{
	/* rs newest first. */
	for (size_t i = 0; i < n; i++) {
		const struct catalog_recovery *r = &rs[i];
		int ended = 0;
		for (size_t k = 0; drill_ended[k] != NULL; k++)
			ended |=
			    strcmp(r->recovery_status, drill_ended[k]) == 0;
		if (!r->is_drill || !ended ||
		    strcmp(r->recovery_procedure, st->spec->runbook) != 0 ||
		    !list_has(r->affected_services, st->service))
			continue;
		int ok = strcmp(r->recovery_status, "completed") == 0;
		int64_t at =
		    r->completed_at > 0 ? r->completed_at : r->updated_at;
		if (st->last_at == 0) {
			st->last_at = at;
			st->last_ok = ok;
			strlcpy_dr(st->last_id, r->recovery_id,
			           sizeof st->last_id);
			if (!ok)
				snprintf(st->last_error, sizeof st->last_error,
				         "the drill ended %s",
				         r->recovery_status);
		}
		if (ok) {
			st->last_pass_at = at;
			break;
		}
	}
}

int testprog_eval(struct catalog *cat, const struct test_programme *prog,
                  const char *service, int64_t now, struct test_status **out,
                  size_t *n, char **err)
{
	struct catalog_service *svcs = NULL;
	struct catalog_recovery *recs = NULL;
	size_t ns = 0, nr = 0, k = 0;
	int have_recs = 0, rc;

	*out = NULL;
	*n = 0;
	if (prog == NULL || prog->n == 0)
		return DR_OK;
	rc = catalog_service_list(cat, &svcs, &ns, err);
	if (rc != CATALOG_OK)
		return rc;
	for (size_t i = 0; i < ns && rc == DR_OK; i++) {
		struct catalog_restore *rs = NULL;
		size_t nrs = 0;
		int have_rs = 0;
		if (service != NULL && strcmp(svcs[i].name, service) != 0)
			continue;
		for (size_t j = 0; j < prog->n && rc == DR_OK; j++) {
			const struct test_spec *sp = &prog->specs[j];
			if (!testprog_applies(sp, svcs[i].name, svcs[i].tier))
				continue;
			*out = xreallocarray(*out, k + 1, sizeof **out);
			struct test_status *st = &(*out)[k++];
			memset(st, 0, sizeof *st);
			st->spec = sp;
			strlcpy_dr(st->service, svcs[i].name,
			           sizeof st->service);
			if (strcmp(sp->kind, "restore") == 0) {
				if (!have_rs) {
					rc = catalog_restore_list(
					    cat, svcs[i].name, 0, &rs, &nrs,
					    err);
					have_rs = rc == CATALOG_OK;
				}
				if (have_rs)
					stand_restore(st, rs, nrs);
			} else {
				if (!have_recs) {
					rc = catalog_recovery_list(
					    cat, 0, &recs, &nr, err);
					have_recs = rc == CATALOG_OK;
				}
				if (have_recs)
					stand_drill(st, recs, nr);
			}
			st->due_at = st->last_pass_at > 0
			                 ? st->last_pass_at + sp->every_s
			                 : 0;
			st->overdue = st->due_at == 0 || st->due_at < now;
		}
		free(rs);
	}
	if (have_recs)
		catalog_recoveries_free(recs, nr);
	free(svcs);
	if (rc != DR_OK) {
		free(*out);
		*out = NULL;
		return rc;
	}
	*n = k;
	return DR_OK;
}

char *testprog_json(const struct test_status *ts, size_t n, int64_t now)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddNumberToObject(root, "schema", 1);
	json_add_time(root, "generated_at", now);
	cJSON *arr = cJSON_AddArrayToObject(root, "tests");
	for (size_t i = 0; i < n; i++) {
		const struct test_status *t = &ts[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "service", t->service);
		cJSON_AddStringToObject(o, "name", t->spec->name);
		cJSON_AddStringToObject(o, "kind", t->spec->kind);
		cJSON_AddNumberToObject(o, "every_s", (double)t->spec->every_s);
		json_add_text(o, "target", t->spec->target);
		json_add_text(o, "runbook", t->spec->runbook);
		json_add_time(o, "last_at", t->last_at);
		if (t->last_at > 0)
			cJSON_AddBoolToObject(o, "last_ok", t->last_ok);
		else
			cJSON_AddNullToObject(o, "last_ok");
		json_add_text(o, "last_id", t->last_id);
		json_add_text(o, "last_error", t->last_error);
		json_add_time(o, "last_pass_at", t->last_pass_at);
		json_add_time(o, "due_at", t->due_at);
		cJSON_AddBoolToObject(o, "overdue", t->overdue);
		cJSON_AddItemToArray(arr, o);
	}
	char *text = json_print_text(root, 0);
	cJSON_Delete(root);
	return text ? text : xstrdup("{}");
}

const struct backup_target *testprog_target(const struct config *cfg,
                                            const struct test_spec *sp,
                                            const char *service, char **err)
{
	const struct backup_config *bc = cfg->backup;
	const struct backup_target *found = NULL;
	size_t count = 0;

	if (sp->target[0] != '\0') {
		found = backup_config_target(cfg, sp->target);
		if (found == NULL) {
			*err =
			    xasprintf("test %s names backup target %s, which "
			              "the config does not have",
			              sp->name, sp->target);
		} else if (found->service == NULL ||
		           strcmp(found->service, service) != 0) {
			*err = xasprintf(
			    "test %s names backup target %s, which "
			    "backs up %s, not %s",
			    sp->name, sp->target,
			    found->service ? found->service : "nothing",
			    service);
			found = NULL;
		}
		return found;
	}
	for (size_t i = 0; bc != NULL && i < bc->n_targets; i++)
		if (bc->targets[i].service != NULL &&
		    strcmp(bc->targets[i].service, service) == 0) {
			found = found ? found : &bc->targets[i];
			count++;
		}
	if (count == 1)
		return found;
	if (count == 0)
		*err = xasprintf("%s has no backup target to restore-test (the "
		                 "config's \"backups\")",
		                 service);
	else
		*err = xasprintf("%s has %zu backup targets: give test %s a "
		                 "\"target\"",
		                 service, count, sp->name);
	return NULL;
}

/* ---- post-test records --------------------------------------------- */

static int by_end_desc(const void *a, const void *b)
{
	const struct test_run *x = a, *y = b;

	if (x->ended_at != y->ended_at)
		return x->ended_at > y->ended_at ? -1 : 1;
	return strcmp(y->id, x->id);
}

/* The service's targets: its own, else its tier's. */
static void targets_of(const struct catalog_service *svcs, size_t ns,
                       const struct catalog_tier *tiers, size_t nt,
                       const char *service, int64_t *rto, int64_t *rpo)
{
	*rto = *rpo = 0;
	for (size_t i = 0; i < ns; i++) {
		if (strcmp(svcs[i].name, service) != 0)
			continue;
		*rto = svcs[i].rto_s;
		*rpo = svcs[i].rpo_s;
		for (size_t j = 0; j < nt; j++)
			if (strcmp(tiers[j].name, svcs[i].tier) == 0) {
				if (*rto <= 0)
					*rto = tiers[j].rto_s;
				if (*rpo <= 0)
					*rpo = tiers[j].rpo_s;
			}
	}
	if (*rto < 0)
		*rto = 0;
	if (*rpo < 0)
		*rpo = 0;
}

static int within(int64_t value, int64_t target)
{
	if (value < 0 || target <= 0)
		return -1;
	return value <= target;
}

/* What the channels were told while the run ran. */
/* The alerts that fired while the run ran: one per subject and state
 * (the outbox holds a row per channel), not the silenced ones, nor the
 * tests' own results (subjects test:NAME and restore-test:TARGET). */
static void alerts_of(const struct catalog_notify *ns, size_t nn,
                      struct test_run *r)
{
	size_t len = 0;

	for (size_t i = 0; i < nn; i++) {
		const struct catalog_notify *m = &ns[i];
		if (m->created_at < r->started_at ||
		    m->created_at > r->ended_at ||
		    (m->service[0] != '\0' &&
		     strcmp(m->service, r->service) != 0) ||
		    strcmp(m->status, "deduplicated") == 0 ||
		    strcmp(m->status, "silenced") == 0 ||
		    strstr(m->event_key, ":test:") != NULL ||
		    strstr(m->event_key, ":restore-test:") != NULL)
			continue;
		int seen = 0;
		for (size_t j = 0; j < i && !seen; j++)
			seen = ns[j].created_at >= r->started_at &&
			       ns[j].created_at <= r->ended_at &&
			       strcmp(ns[j].event_key, m->event_key) == 0 &&
			       strcmp(ns[j].state, m->state) == 0 &&
			       strcmp(ns[j].status, "silenced") != 0 &&
			       strcmp(ns[j].status, "deduplicated") != 0;
		if (seen)
			continue;
		r->alerts++;
		char one[200];
		snprintf(one, sizeof one, "%s%s %s", len ? ", " : "",
		         m->event_key, m->state);
		if (len + strlen(one) < sizeof r->alert_list) {
			memcpy(r->alert_list + len, one, strlen(one) + 1);
			len += strlen(one);
		}
	}
}

/* A new, zeroed run at the end of *runs. */
static struct test_run *run_push(struct test_run **runs, size_t *k)
{
	*runs = xreallocarray(*runs, *k + 1, sizeof **runs);
	struct test_run *t = &(*runs)[(*k)++];
	memset(t, 0, sizeof *t);
	return t;
}

/* One run per restore test, its data loss from the backup it restored. */
static void restore_runs(struct catalog *cat, const struct catalog_restore *rs,
                         size_t nrs, struct test_run **runs, size_t *k)
{
	for (size_t i = 0; i < nrs; i++) {
		const struct catalog_restore *r = &rs[i];
		if (strcmp(r->kind, "restore-test") != 0)
			continue;
		struct test_run *t = run_push(runs, k);
		snprintf(t->id, sizeof t->id, "%lld", (long long)r->id);
		strlcpy_dr(t->kind, "restore-test", sizeof t->kind);
		strlcpy_dr(t->service, r->service, sizeof t->service);
		snprintf(t->what, sizeof t->what, "%s%sbackup %.12s", r->target,
		         r->target[0] ? " " : "",
		         r->backup_id[0] ? r->backup_id : "?");
		t->ended_at = r->ended_at;
		t->started_at = r->started_at > 0
		                    ? r->started_at
		                    : r->ended_at - (int64_t)r->duration_s;
		t->passed = r->ok;
		strlcpy_dr(t->error, r->error, sizeof t->error);
		t->recovery_s =
		    r->duration_s >= 0 ? (int64_t)(r->duration_s + 0.999) : -1;
		/* Had the disaster struck when the test began, the data since
		 * the restored backup was taken would be lost. */
		t->data_loss_s = -1;
		struct catalog_backup b;
		char *e = NULL;
		if (r->backup_id[0] != '\0' &&
		    catalog_backup_get(cat, r->backup_id, &b, &e) ==
		        CATALOG_OK) {
			if (b.completed_at > 0 &&
			    b.completed_at <= t->started_at)
				t->data_loss_s = t->started_at - b.completed_at;
			catalog_backup_clear(&b);
		}
		free(e);
	}
}

/* One run per ended drill and service it covered (only `service`'s when
 * one is given). */
static void drill_runs(const struct catalog_recovery *recs, size_t nrec,
                       const struct catalog_service *svcs, size_t nsv,
                       const char *service, struct test_run **runs, size_t *k)
{
	for (size_t i = 0; i < nrec; i++) {
		const struct catalog_recovery *r = &recs[i];
		int ended = 0;
		for (size_t j = 0; drill_ended[j] != NULL; j++)
			ended |=
			    strcmp(r->recovery_status, drill_ended[j]) == 0;
		if (!r->is_drill || !ended)
			continue;
		for (size_t s = 0; s < nsv; s++) {
			if (!list_has(r->affected_services, svcs[s].name) ||
			    (service != NULL &&
			     strcmp(service, svcs[s].name) != 0))
				continue;
			struct test_run *t = run_push(runs, k);
			strlcpy_dr(t->id, r->recovery_id, sizeof t->id);
			strlcpy_dr(t->kind, "drill", sizeof t->kind);
			strlcpy_dr(t->service, svcs[s].name, sizeof t->service);
			snprintf(t->what, sizeof t->what, "runbook %s",
			         r->recovery_procedure);
			t->started_at = r->initiated_at;
			t->ended_at = r->completed_at > 0 ? r->completed_at
			                                  : r->updated_at;
			t->passed =
			    strcmp(r->recovery_status, "completed") == 0;
			if (!t->passed)
				snprintf(t->error, sizeof t->error,
				         "the drill ended %s",
				         r->recovery_status);
			t->recovery_s = r->actual_recovery_s;
			t->data_loss_s =
			    r->data_loss_minutes >= 0
			        ? (int64_t)(r->data_loss_minutes * 60 + 0.5)
			        : -1;
		}
	}
}

/* Targets, the verdicts against them, the alerts and the follow-ups. */
static void judge_run(struct catalog *cat, const struct catalog_service *svcs,
                      size_t nsv, const struct catalog_tier *tiers, size_t nt,
                      const struct catalog_notify *ns, size_t nn,
                      struct test_run *t)
{
	targets_of(svcs, nsv, tiers, nt, t->service, &t->rto_target_s,
	           &t->rpo_target_s);
	t->within_rto = t->passed ? within(t->recovery_s, t->rto_target_s) : 0;
	t->within_rpo = within(t->data_loss_s, t->rpo_target_s);
	alerts_of(ns, nn, t);
	struct catalog_test_note note;
	char *e = NULL;
	if (catalog_test_note_get(cat, t->id, &note, &e) == CATALOG_OK) {
		strlcpy_dr(t->followups, note.text, sizeof t->followups);
		strlcpy_dr(t->followups_by, note.actor, sizeof t->followups_by);
	}
	free(e);
}

int testprog_runs(struct catalog *cat, const char *service, size_t limit,
                  struct test_run **out, size_t *n, char **err)
{
	struct catalog_service *svcs = NULL;
	struct catalog_tier *tiers = NULL;
	struct catalog_restore *rs = NULL;
	struct catalog_recovery *recs = NULL;
	struct catalog_notify *ns = NULL;
	size_t nsv = 0, nt = 0, nrs = 0, nrec = 0, nn = 0, k = 0;
	struct test_run *runs = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = catalog_service_list(cat, &svcs, &nsv, err)) != CATALOG_OK ||
	    (rc = catalog_tier_list(cat, &tiers, &nt, err)) != CATALOG_OK ||
	    (rc = catalog_restore_list(cat, service, 0, &rs, &nrs, err)) !=
	        CATALOG_OK ||
	    (rc = catalog_recovery_list(cat, 0, &recs, &nrec, err)) !=
	        CATALOG_OK ||
	    (rc = catalog_notify_list(cat, 5000, &ns, &nn, err)) != CATALOG_OK)
		goto out;
	restore_runs(cat, rs, nrs, &runs, &k);
	drill_runs(recs, nrec, svcs, nsv, service, &runs, &k);
	if (k > 1)
		qsort(runs, k, sizeof *runs, by_end_desc);
	if (limit > 0 && k > limit)
		k = limit;
	for (size_t i = 0; i < k; i++)
		judge_run(cat, svcs, nsv, tiers, nt, ns, nn, &runs[i]);
	*out = runs;
	*n = k;
	runs = NULL;
	rc = DR_OK;
out:
	free(runs);
	free(svcs);
	free(tiers);
	free(rs);
	if (recs != NULL)
		catalog_recoveries_free(recs, nrec);
	free(ns);
	return rc;
}

static void add_tri(cJSON *o, const char *key, int v)
{
	if (v < 0)
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddBoolToObject(o, key, v);
}

static void add_secs(cJSON *o, const char *key, int64_t v)
{
	if (v < 0)
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddNumberToObject(o, key, (double)v);
}

cJSON *testprog_run_json(const struct test_run *t)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", t->id);
	cJSON_AddStringToObject(o, "kind", t->kind);
	cJSON_AddStringToObject(o, "service", t->service);
	cJSON_AddStringToObject(o, "what", t->what);
	json_add_time(o, "started_at", t->started_at);
	json_add_time(o, "ended_at", t->ended_at);
	cJSON_AddBoolToObject(o, "passed", t->passed);
	json_add_text(o, "error", t->error);
	add_secs(o, "recovery_s", t->recovery_s);
	add_secs(o, "rto_target_s", t->rto_target_s > 0 ? t->rto_target_s : -1);
	add_tri(o, "within_rto", t->within_rto);
	add_secs(o, "data_loss_s", t->data_loss_s);
	add_secs(o, "rpo_target_s", t->rpo_target_s > 0 ? t->rpo_target_s : -1);
	add_tri(o, "within_rpo", t->within_rpo);
	cJSON_AddNumberToObject(o, "alerts", t->alerts);
	json_add_text(o, "alert_list", t->alert_list);
	json_add_text(o, "followups", t->followups);
	json_add_text(o, "followups_by", t->followups_by);
	return o;
}

char *testprog_runs_json(const struct test_run *runs, size_t n, int64_t now)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddNumberToObject(root, "schema", 1);
	json_add_time(root, "generated_at", now);
	cJSON *arr = cJSON_AddArrayToObject(root, "runs");
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, testprog_run_json(&runs[i]));
	char *text = json_print_text(root, 0);
	cJSON_Delete(root);
	return text ? text : xstrdup("{}");
}
