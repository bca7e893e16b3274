/* The JSON report: the shape documented in drconsole(1) (REPORT), schema
 * 1; fields are only ever added, and a change of meaning bumps "schema".
 * Times are ISO-8601 UTC, durations whole seconds, null means none or
 * unknown; services by name, lists oldest first. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/report.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

/* A count or duration; null when negative (unknown) or, with
 * zero_is_null, zero (no target). */
static void add_int(cJSON *o, const char *key, int64_t v, int zero_is_null)
{
	if (v < 0 || (zero_is_null && v == 0))
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddNumberToObject(o, key, (double)v);
}

static void add_met(cJSON *o, const char *key, int met)
{
	if (met < 0)
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddBoolToObject(o, key, met);
}

static cJSON *restore_json(const struct catalog_restore *x)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", (double)x->id);
	cJSON_AddStringToObject(o, "kind", x->kind);
	json_add_text(o, "backup_id", x->backup_id);
	json_add_text(o, "target", x->target);
	json_add_text(o, "recovery_id", x->recovery_id);
	json_add_time(o, "started_at", x->started_at);
	json_add_time(o, "ended_at", x->ended_at);
	if (x->duration_s < 0)
		cJSON_AddNullToObject(o, "duration_s");
	else
		cJSON_AddNumberToObject(o, "duration_s",
		                        round(x->duration_s * 1000.0) / 1000.0);
	add_int(o, "bytes", x->bytes, 0);
	cJSON_AddBoolToObject(o, "ok", x->ok);
	json_add_text(o, "error", x->ok ? "" : x->error);
	return o;
}

static cJSON *recovery_json(const struct report_recovery *x)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *rto, *rpo, *steps;

	cJSON_AddStringToObject(o, "id", x->rec.recovery_id);
	cJSON_AddStringToObject(o, "kind",
	                        x->rec.is_drill ? "drill" : "incident");
	json_add_text(o, "incident_type", x->rec.incident_type);
	json_add_text(o, "runbook", x->rec.recovery_procedure);
	cJSON_AddStringToObject(o, "status", x->rec.recovery_status);
	json_add_text(o, "operator", x->rec.initiated_by);
	json_add_time(o, "incident_started_at", x->rec.incident_started_at);
	json_add_time(o, "initiated_at", x->rec.initiated_at);
	json_add_time(o, "completed_at", x->rec.completed_at);
	rto = cJSON_AddObjectToObject(o, "rto");
	add_int(rto, "target_s", x->rto_target_s, 1);
	add_int(rto, "actual_s", x->rec.actual_recovery_s, 0);
	add_met(rto, "met", x->rto_met);
	rpo = cJSON_AddObjectToObject(o, "rpo");
	add_int(rpo, "target_s", x->rpo_target_s, 1);
	add_int(rpo, "data_loss_s",
	        x->rec.data_loss_minutes < 0
	            ? -1
	            : (int64_t)(x->rec.data_loss_minutes * 60.0 + 0.5),
	        0);
	add_met(rpo, "met", x->rpo_met);
	cJSON_AddBoolToObject(o, "rto_evidence", x->evidence);
	if (x->restore.id != 0)
		cJSON_AddItemToObject(o, "restore", restore_json(&x->restore));
	else
		cJSON_AddNullToObject(o, "restore");
	json_add_text(o, "lessons_learned", x->rec.lessons_learned);
	json_add_text(o, "notes", x->rec.recovery_notes);
	steps = cJSON_AddArrayToObject(o, "steps");
	for (size_t i = 0; i < x->n_steps; i++) {
		const struct catalog_recovery_step *st = &x->steps[i];
		cJSON *s = cJSON_CreateObject();
		cJSON_AddNumberToObject(s, "seq", st->seq);
		json_add_text(s, "id", st->step_id);
		json_add_text(s, "phase", st->phase);
		json_add_text(s, "title", st->title);
		cJSON_AddStringToObject(s, "status", st->status);
		json_add_time(s, "started_at", st->started_at);
		json_add_time(s, "ended_at", st->ended_at);
		add_int(s, "exit_code", st->exit_code, 0);
		json_add_text(s, "confirmed_by", st->confirmed_by);
		cJSON_AddItemToArray(steps, s);
	}
	return o;
}

static cJSON *service_json(const struct report_service *s)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *t, *c, *list, *b;

	cJSON_AddStringToObject(o, "name", s->name);
	json_add_text(o, "tier", s->tier);
	json_add_text(o, "owner", s->owner);
	t = cJSON_AddObjectToObject(o, "targets");
	add_int(t, "rpo_s", s->rpo_target_s, 1);
	add_int(t, "rto_s", s->rto_target_s, 1);

	c = cJSON_AddObjectToObject(o, "compliance");
	cJSON_AddNumberToObject(c, "period_s", (double)s->time.period_s);
	cJSON_AddNumberToObject(c, "ok_s", (double)s->time.ok_s);
	cJSON_AddNumberToObject(c, "at_risk_s", (double)s->time.at_risk_s);
	cJSON_AddNumberToObject(c, "breach_s", (double)s->time.breach_s);
	cJSON_AddNumberToObject(c, "unknown_s", (double)s->time.unknown_s);
	json_add_time(c, "known_from", s->time.known_from);
	if (s->time.ok_share < 0)
		cJSON_AddNullToObject(c, "ok_share");
	else
		cJSON_AddNumberToObject(c, "ok_share",
		                        round(s->time.ok_share * 1e6) / 1e6);
	json_add_text(c, "verdict_at_end", s->verdict_at_end);

	list = cJSON_AddArrayToObject(o, "breaches");
	for (size_t i = 0; i < s->n_breaches; i++) {
		const struct report_breach *x = &s->breaches[i];
		b = cJSON_CreateObject();
		json_add_time(b, "start", x->start);
		json_add_time(b, "end", x->end);
		cJSON_AddBoolToObject(b, "ongoing", x->end == 0);
		cJSON_AddNumberToObject(b, "duration_s", (double)x->duration_s);
		json_add_text(b, "reason", x->reason);
		cJSON_AddItemToArray(list, b);
	}

	b = cJSON_AddObjectToObject(o, "backups");
	cJSON_AddNumberToObject(b, "taken", (double)s->backups.taken);
	cJSON_AddNumberToObject(b, "good", (double)s->backups.good);
	cJSON_AddNumberToObject(b, "verified", (double)s->backups.verified);
	cJSON_AddNumberToObject(b, "failed", (double)s->backups.failed);

	list = cJSON_AddArrayToObject(o, "restores");
	for (size_t i = 0; i < s->n_restores; i++)
		cJSON_AddItemToArray(list, restore_json(&s->restores[i]));
	list = cJSON_AddArrayToObject(o, "recoveries");
	for (size_t i = 0; i < s->n_recoveries; i++)
		cJSON_AddItemToArray(list, recovery_json(&s->recoveries[i]));
	/* The post-test records, in the shape of `tests log --json`. */
	list = cJSON_AddArrayToObject(o, "post_test");
	for (size_t i = 0; i < s->n_tests; i++)
		cJSON_AddItemToArray(list, testprog_run_json(&s->tests[i]));
	return o;
}

static char *render_json(const struct report *r)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *p, *a, *list;

	cJSON_AddNumberToObject(root, "schema", 1);
	json_add_time(root, "generated_at", r->generated_at);
	p = cJSON_AddObjectToObject(root, "period");
	json_add_time(p, "since", r->since);
	json_add_time(p, "until", r->until);
	cJSON_AddNumberToObject(p, "seconds", (double)(r->until - r->since));
	json_add_text(root, "environment", r->environment);
	json_add_text(root, "catalog", r->catalog);

	a = cJSON_AddObjectToObject(root, "audit");
	cJSON_AddNumberToObject(a, "rows", (double)r->audit.rows);
	cJSON_AddBoolToObject(a, "intact", r->audit.intact);
	if (r->audit.head_seq > 0) {
		cJSON *h = cJSON_AddObjectToObject(a, "head");
		cJSON_AddNumberToObject(h, "seq", (double)r->audit.head_seq);
		cJSON_AddStringToObject(h, "hash", r->audit.head_hash);
		json_add_time(h, "at", r->audit.head_at);
	} else {
		cJSON_AddNullToObject(a, "head");
	}
	add_int(a, "first_bad", r->audit.intact ? -1 : r->audit.first_bad, 0);
	json_add_text(a, "message", r->audit.intact ? "" : r->audit.message);

	list = cJSON_AddArrayToObject(root, "services");
	for (size_t i = 0; i < r->n; i++)
		cJSON_AddItemToArray(list, service_json(&r->services[i]));

	char *printed = json_print_text(root, 1);
	cJSON_Delete(root);
	if (printed == NULL) {
		fputs("drconsole: out of memory\n", stderr);
		abort();
	}
	char *text = xasprintf("%s\n", printed);
	cJSON_free(printed);
	return text;
}

const struct report_format report_format_json = {
    .name = "json",
    .summary = "JSON, schema 1 (drconsole(1), REPORT)",
    .render = render_json,
};
