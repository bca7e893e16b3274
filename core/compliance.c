/* Compliance: the model is written down in core/compliance.h and in
 * DESIGN.md "Compliance, precisely".  Choices the model leaves open:
 *
 *  - Boundaries: "ok" includes the boundary.  At exactly the target the
 *    RPO is ok (breach only when age > target) and at exactly 80 % it is
 *    ok (at risk only when the fraction is strictly greater).
 *  - No good backup ever (and no replica to stand in) is a breach when
 *    there is an RPO target: the recovery point is unbounded.
 *  - A good backup completed up to skew_tolerance_s in the future counts as
 *    fresh (age 0); further ahead it is clock skew: flagged and ignored.
 *  - A replica helps only when its state is streaming or catchup and its
 *    lag is known; its recovery point is sampled_at - lag_s, so a sample
 *    that stopped arriving ages by itself.
 *  - When a restore test and a drill happened at the same second, the
 *    restore test's duration is used.
 *
 * The reason text lists what is wrong, breaches first, separated by "; ",
 * cut at a whole item when it does not fit. */
#include "core/compliance.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/duration.h"
#include "core/error.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

void compliance_policy_default(struct compliance_policy *policy)
{
	policy->drill_policy_s = 30 * 86400;
	policy->at_risk_fraction = 0.8;
	policy->restore_bytes_per_s = 0;
	policy->skew_tolerance_s = 60;
}

const char *verdict_name(enum verdict v)
{
	switch (v) {
	case VERDICT_OK:
		return "OK";
	case VERDICT_AT_RISK:
		return "AT RISK";
	case VERDICT_BREACH:
		return "BREACH";
	}
	return "?";
}

const char *comp_status_name(enum comp_status s)
{
	switch (s) {
	case COMP_OK:
		return "ok";
	case COMP_AT_RISK:
		return "at risk";
	case COMP_BREACH:
		return "breach";
	case COMP_UNKNOWN:
		return "unknown";
	}
	return "?";
}

const char *rto_source_name(enum rto_source s)
{
	switch (s) {
	case RTO_SRC_NONE:
		return "none";
	case RTO_SRC_RESTORE_TEST:
		return "restore test";
	case RTO_SRC_DRILL:
		return "drill";
	case RTO_SRC_SIZE_ESTIMATE:
		return "size estimate";
	}
	return "?";
}

/* ---- reasons ---------------------------------------------------------- */

#define REASON_MAX 8

struct reasons {
	int n;
	int breach[REASON_MAX];
	char text[REASON_MAX][96];
};

static void reason_add(struct reasons *r, int breach, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void reason_add(struct reasons *r, int breach, const char *fmt, ...)
{
	va_list ap;

	if (r->n == REASON_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(r->text[r->n], sizeof(r->text[r->n]), fmt, ap);
	va_end(ap);
	r->breach[r->n] = breach;
	r->n++;
}

/* Breaches first, each group in the order the checks added them. */
static void reasons_join(const struct reasons *r, char *out, size_t size)
{
	size_t len = 0;

	out[0] = '\0';
	for (int pass = 1; pass >= 0; pass--) {
		for (int i = 0; i < r->n; i++) {
			if (r->breach[i] != pass)
				continue;
			const char *sep = len > 0 ? "; " : "";
			size_t need = strlen(sep) + strlen(r->text[i]);
			if (len + need >= size)
				return;
			snprintf(out + len, size - len, "%s%s", sep,
			         r->text[i]);
			len += need;
		}
	}
}

static const char *dur(int64_t seconds, char buf[32])
{
	return duration_format_short(seconds, buf, 32);
}

/* ---- one service ------------------------------------------------------ */

static enum comp_status grade(int64_t value, int64_t target,
                              double at_risk_fraction, double *fraction)
{
	*fraction = -1;
	if (target <= 0 || value < 0)
		return COMP_UNKNOWN;
	*fraction = (double)value / (double)target;
	if (value > target)
		return COMP_BREACH;
	if (*fraction > at_risk_fraction)
		return COMP_AT_RISK;
	return COMP_OK;
}

static int replica_usable(const struct catalog_service_state *st)
{
	const struct catalog_replication *r = &st->replica;

	if (!st->has_replica || r->lag_s < 0 || r->sampled_at <= 0)
		return 0;
	return strcmp(r->state, "streaming") == 0 ||
	       strcmp(r->state, "catchup") == 0;
}

/* now - (sampled_at - lag_s), rounded up: never flatter than measured. */
static int64_t replica_age(const struct catalog_replication *r, int64_t now)
{
	int64_t lag = (int64_t)r->lag_s;

	if ((double)lag < r->lag_s)
		lag++;
	int64_t age = now - r->sampled_at + lag;
	return age < 0 ? 0 : age;
}

static void eval_rpo(const struct catalog_service_state *st,
                     const struct compliance_policy *policy, int64_t now,
                     struct compliance_service *out, struct reasons *why)
{
	char a[32], b[32];
	int64_t backup_age = -1;

	out->last_good_backup_at = st->last_good_backup_at;
	if (st->future_backup_at > 0) {
		int64_t ahead = st->future_backup_at - now;
		if (ahead <= policy->skew_tolerance_s) {
			out->last_good_backup_at = st->future_backup_at;
		} else {
			out->clock_skew = 1;
			out->future_backup_at = st->future_backup_at;
		}
	}
	if (out->last_good_backup_at > 0) {
		backup_age = now - out->last_good_backup_at;
		if (backup_age < 0)
			backup_age = 0;
	}

	out->rpo_age_s = backup_age;
	if (replica_usable(st)) {
		int64_t ra = replica_age(&st->replica, now);
		if (backup_age < 0 || ra < backup_age) {
			out->rpo_age_s = ra;
			out->rpo_from_replica = 1;
		}
	}

	/* Skew explains a missing recovery point, so it comes first. */
	if (out->clock_skew)
		reason_add(why, out->rpo_age_s < 0 && out->rpo_target_s > 0,
		           "clock skew: backup completed %s in the future",
		           dur(out->future_backup_at - now, a));

	int64_t target = out->rpo_target_s;
	if (target <= 0) {
		out->rpo_status = COMP_UNKNOWN;
		out->rpo_fraction = -1;
		reason_add(why, 0, "no RPO target");
	} else if (out->rpo_age_s < 0) {
		out->rpo_status = COMP_BREACH;
		out->rpo_fraction = -1;
		if (out->clock_skew)
			reason_add(why, 1, "no good backup before it");
		else
			reason_add(why, 1, "no good backup ever");
	} else {
		out->rpo_status =
		    grade(out->rpo_age_s, target, policy->at_risk_fraction,
		          &out->rpo_fraction);
		const char *what = out->rpo_from_replica
		                       ? "replica recovery point"
		                       : "last good backup";
		if (out->rpo_status == COMP_BREACH)
			reason_add(why, 1,
			           "RPO breached: %s %s ago (target %s)", what,
			           dur(out->rpo_age_s, a), dur(target, b));
		else if (out->rpo_status == COMP_AT_RISK)
			reason_add(why, 0, "RPO at risk: %s %s ago (target %s)",
			           what, dur(out->rpo_age_s, a),
			           dur(target, b));
	}
}

static void eval_health(const struct catalog_service_state *st,
                        struct compliance_service *out, struct reasons *why)
{
	strlcpy_dr(out->health, st->health.health_status, sizeof(out->health));
	out->failure_count = st->health.failure_count;
	out->last_attempt_at = st->last_attempt_at;
	strlcpy_dr(out->last_attempt_status, st->last_attempt_status,
	           sizeof(out->last_attempt_status));

	if (strcmp(out->health, "warning") != 0 &&
	    strcmp(out->health, "critical") != 0)
		return;
	if (out->failure_count > 0)
		reason_add(why, 0, "backups failing: %d in a row (health %s)",
		           out->failure_count, out->health);
	else
		reason_add(why, 0, "backup health %s", out->health);
}

static void eval_rto(const struct catalog_service_state *st,
                     const struct compliance_policy *policy,
                     struct compliance_service *out, struct reasons *why)
{
	char a[32], b[32];
	int64_t test_at = 0;

	out->rto_estimate_s = -1;
	out->rto_source = RTO_SRC_NONE;
	if (st->health.last_recovery_test > 0 &&
	    st->health.estimated_full_recovery_s >= 0) {
		test_at = st->health.last_recovery_test;
		out->rto_estimate_s = st->health.estimated_full_recovery_s;
		out->rto_source = RTO_SRC_RESTORE_TEST;
	}
	if (st->last_drill_at > test_at && st->last_drill_duration_s >= 0) {
		out->rto_estimate_s = st->last_drill_duration_s;
		out->rto_source = RTO_SRC_DRILL;
	}
	if (out->rto_source == RTO_SRC_NONE && st->last_good_backup_size > 0 &&
	    policy->restore_bytes_per_s > 0) {
		double s = (double)st->last_good_backup_size /
		           policy->restore_bytes_per_s;
		int64_t whole = (int64_t)s;
		out->rto_estimate_s = (double)whole < s ? whole + 1 : whole;
		out->rto_source = RTO_SRC_SIZE_ESTIMATE;
	}

	int64_t target = out->rto_target_s;
	out->rto_status = grade(out->rto_estimate_s, target,
	                        policy->at_risk_fraction, &out->rto_fraction);
	if (target <= 0)
		reason_add(why, 0, "no RTO target");
	else if (out->rto_estimate_s < 0)
		reason_add(why, 0, "RTO never measured");
	else if (out->rto_status == COMP_BREACH)
		reason_add(why, 1,
		           "RTO breached: estimated %s by %s (target %s)",
		           dur(out->rto_estimate_s, a),
		           rto_source_name(out->rto_source), dur(target, b));
	else if (out->rto_status == COMP_AT_RISK)
		reason_add(why, 0,
		           "RTO at risk: estimated %s by %s (target %s)",
		           dur(out->rto_estimate_s, a),
		           rto_source_name(out->rto_source), dur(target, b));
}

static void eval_tests(const struct catalog_service_state *st,
                       const struct compliance_policy *policy, int64_t now,
                       struct compliance_service *out, struct reasons *why)
{
	char a[32], b[32];

	out->drill_policy_s = st->service.drill_policy_s > 0
	                          ? st->service.drill_policy_s
	                          : policy->drill_policy_s;
	out->last_test_at = st->health.last_recovery_test;
	if (st->last_drill_at > out->last_test_at)
		out->last_test_at = st->last_drill_at;
	if (out->last_test_at > 0) {
		out->test_age_s = now - out->last_test_at;
		if (out->test_age_s < 0)
			out->test_age_s = 0;
	} else {
		out->test_age_s = -1;
	}

	if (out->test_age_s < 0) {
		out->untested = 1;
		reason_add(why, 0, "never tested (no restore test or drill)");
	} else if (out->test_age_s > out->drill_policy_s) {
		out->untested = 1;
		reason_add(why, 0,
		           "untested: last test %s ago "
		           "(policy %s)",
		           dur(out->test_age_s, a),
		           dur(out->drill_policy_s, b));
	}
}

void compliance_eval_service(const struct catalog_service_state *st,
                             const struct compliance_policy *policy,
                             int64_t now, struct compliance_service *out)
{
	struct reasons why = {0};
	const struct catalog_service *svc = &st->service;

	memset(out, 0, sizeof(*out));
	strlcpy_dr(out->name, svc->name, sizeof(out->name));
	strlcpy_dr(out->tier, svc->tier, sizeof(out->tier));
	strlcpy_dr(out->owner, svc->owner, sizeof(out->owner));
	out->rpo_target_s = svc->rpo_s > 0 ? svc->rpo_s : st->tier_rpo_s;
	out->rto_target_s = svc->rto_s > 0 ? svc->rto_s : st->tier_rto_s;
	if (out->rpo_target_s < 0)
		out->rpo_target_s = 0;
	if (out->rto_target_s < 0)
		out->rto_target_s = 0;

	/* The order of the calls is the order of the reasons. */
	eval_rpo(st, policy, now, out, &why);
	eval_health(st, out, &why);
	eval_rto(st, policy, out, &why);
	eval_tests(st, policy, now, out, &why);

	out->has_replica = st->has_replica;
	if (st->has_replica) {
		strlcpy_dr(out->repl_state, st->replica.state,
		           sizeof(out->repl_state));
		out->repl_lag_s = st->replica.lag_s;
		out->repl_lag_bytes = st->replica.lag_bytes;
		out->repl_sampled_at = st->replica.sampled_at;
	}

	if (out->rpo_status == COMP_BREACH || out->rto_status == COMP_BREACH)
		out->verdict = VERDICT_BREACH;
	else if (why.n > 0)
		out->verdict = VERDICT_AT_RISK;
	else
		out->verdict = VERDICT_OK;
	reasons_join(&why, out->reason, sizeof(out->reason));
}

/* ---- all services ----------------------------------------------------- */

static void report_count(struct compliance_report *report)
{
	report->n_ok = report->n_at_risk = report->n_breach = 0;
	report->verdict = VERDICT_OK;
	for (size_t i = 0; i < report->n; i++) {
		enum verdict v = report->services[i].verdict;
		if (v == VERDICT_BREACH)
			report->n_breach++;
		else if (v == VERDICT_AT_RISK)
			report->n_at_risk++;
		else
			report->n_ok++;
		if (v > report->verdict)
			report->verdict = v;
	}
}

int compliance_eval(struct catalog *cat, const struct compliance_policy *policy,
                    int64_t now, struct compliance_report *out, char **err)
{
	struct catalog_service_state *states = NULL;
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	out->now = now;
	int rc = catalog_service_states(cat, now, &states, &n, err);
	if (rc != CATALOG_OK)
		return rc;
	out->services = xcalloc(n, sizeof(*out->services));
	out->n = n;
	for (size_t i = 0; i < n; i++)
		compliance_eval_service(&states[i], policy, now,
		                        &out->services[i]);
	free(states);
	report_count(out);
	return DR_OK;
}

void compliance_report_free(struct compliance_report *report)
{
	if (report == NULL)
		return;
	free(report->services);
	report->services = NULL;
	report->n = 0;
}

/* How far past the RPO target; no recovery point at all is the farthest. */
static double rpo_overshoot(const struct compliance_service *s)
{
	if (s->rpo_status == COMP_BREACH && s->rpo_fraction < 0)
		return 1e300;
	return s->rpo_fraction;
}

static int worst_first(const void *pa, const void *pb)
{
	const struct compliance_service *a = pa, *b = pb;
	double fa = rpo_overshoot(a), fb = rpo_overshoot(b);

	if (a->verdict != b->verdict)
		return a->verdict > b->verdict ? -1 : 1;
	if (fa != fb)
		return fa > fb ? -1 : 1;
	return strcmp(a->name, b->name);
}

void compliance_sort_worst_first(struct compliance_report *report)
{
	if (report->n > 1)
		qsort(report->services, report->n, sizeof(*report->services),
		      worst_first);
}

/* ---- JSON ------------------------------------------------------------- */

static void add_time(cJSON *obj, const char *key, int64_t t)
{
	char buf[32];

	if (t <= 0) {
		cJSON_AddNullToObject(obj, key);
		return;
	}
	time_format_iso(t, buf);
	cJSON_AddStringToObject(obj, key, buf);
}

/* Non-negative numbers; the "unknown" value (negative, or 0 for a target)
 * becomes null. */
static void add_num(cJSON *obj, const char *key, double v, double none_below)
{
	if (v < none_below)
		cJSON_AddNullToObject(obj, key);
	else
		cJSON_AddNumberToObject(obj, key, v);
}

static void add_str(cJSON *obj, const char *key, const char *s)
{
	if (s == NULL || s[0] == '\0')
		cJSON_AddNullToObject(obj, key);
	else
		cJSON_AddStringToObject(obj, key, s);
}

static cJSON *service_json(const struct compliance_service *s)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "name", s->name);
	add_str(o, "tier", s->tier);
	add_str(o, "owner", s->owner);
	cJSON_AddStringToObject(o, "verdict", verdict_name(s->verdict));
	cJSON_AddStringToObject(o, "reason", s->reason);

	cJSON *rpo = cJSON_AddObjectToObject(o, "rpo");
	add_num(rpo, "target_s", (double)s->rpo_target_s, 1);
	add_num(rpo, "age_s", (double)s->rpo_age_s, 0);
	cJSON_AddStringToObject(rpo, "status", comp_status_name(s->rpo_status));
	cJSON_AddBoolToObject(rpo, "from_replica", s->rpo_from_replica);
	add_time(rpo, "last_good_backup", s->last_good_backup_at);
	cJSON_AddBoolToObject(rpo, "clock_skew", s->clock_skew);

	cJSON *rto = cJSON_AddObjectToObject(o, "rto");
	add_num(rto, "target_s", (double)s->rto_target_s, 1);
	add_num(rto, "estimate_s", (double)s->rto_estimate_s, 0);
	cJSON_AddStringToObject(rto, "status", comp_status_name(s->rto_status));
	cJSON_AddStringToObject(rto, "source", rto_source_name(s->rto_source));

	cJSON *tests = cJSON_AddObjectToObject(o, "tests");
	add_time(tests, "last_at", s->last_test_at);
	add_num(tests, "age_s", (double)s->test_age_s, 0);
	cJSON_AddNumberToObject(tests, "policy_s", (double)s->drill_policy_s);
	cJSON_AddBoolToObject(tests, "untested", s->untested);

	cJSON *health = cJSON_AddObjectToObject(o, "health");
	add_str(health, "status", s->health);
	cJSON_AddNumberToObject(health, "failure_count", s->failure_count);
	add_time(health, "last_attempt_at", s->last_attempt_at);
	add_str(health, "last_attempt_status", s->last_attempt_status);

	if (!s->has_replica) {
		cJSON_AddNullToObject(o, "replication");
		return o;
	}
	cJSON *repl = cJSON_AddObjectToObject(o, "replication");
	add_str(repl, "state", s->repl_state);
	add_num(repl, "lag_s", s->repl_lag_s, 0);
	add_num(repl, "lag_bytes", (double)s->repl_lag_bytes, 0);
	add_time(repl, "sampled_at", s->repl_sampled_at);
	return o;
}

char *compliance_report_json(const struct compliance_report *report,
                             const char *environment, const char *catalog)
{
	cJSON *root = cJSON_CreateObject();

	cJSON_AddNumberToObject(root, "schema", 1);
	add_time(root, "generated_at", report->now);
	add_str(root, "environment", environment);
	add_str(root, "catalog", catalog);
	cJSON_AddStringToObject(root, "verdict", verdict_name(report->verdict));
	cJSON *counts = cJSON_AddObjectToObject(root, "counts");
	cJSON_AddNumberToObject(counts, "services", (double)report->n);
	cJSON_AddNumberToObject(counts, "ok", (double)report->n_ok);
	cJSON_AddNumberToObject(counts, "at_risk", (double)report->n_at_risk);
	cJSON_AddNumberToObject(counts, "breach", (double)report->n_breach);
	cJSON *services = cJSON_AddArrayToObject(root, "services");
	for (size_t i = 0; i < report->n; i++)
		cJSON_AddItemToArray(services,
		                     service_json(&report->services[i]));

	char *text = cJSON_Print(root);
	cJSON_Delete(root);
	if (text == NULL)
		abort(); /* cJSON fails only when memory runs out */
	return text;
}
