/* Compliance: the model is docs/EVIDENCE.md, summarised in
 * core/compliance.h.  Choices the model leaves open:
 *
 *  - Boundaries: "ok" includes the boundary.  At exactly the target the
 *    RPO is ok (breach only when age > target) and at exactly 80 % it is
 *    ok (at risk only when the fraction is strictly greater).
 *  - No good backup ever (and no replica to stand in) is a breach when
 *    there is an RPO target: the recovery point is unbounded.
 *  - A good backup completed up to skew_tolerance_s in the future counts as
 *    fresh (age 0); further ahead it is clock skew: flagged and ignored.
 *  - The worst live replica link stands for the service: a link that is
 *    not streaming/catchup or has no lag in seconds is worse than any
 *    measured one; among measured ones the larger age is worse, then the
 *    larger lag in bytes, then the names.  Its recovery point is
 *    sampled_at - lag_s, so a sample that stopped arriving ages by itself.
 *  - When a restore test and a recovery ended at the same second, the
 *    restore test is the evidence.
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
#include "core/json.h"
#include "core/testprog.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "db/catalog_agent.h"

void compliance_policy_default(struct compliance_policy *policy)
{
	policy->drill_policy_s = 30 * 86400;
	policy->at_risk_fraction = 0.8;
	policy->restore_bytes_per_s = 0;
	policy->skew_tolerance_s = 60;
	policy->replica_max_age_s = 90;
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
	case RTO_SRC_RECOVERY:
		return "recovery";
	}
	return "?";
}

/* ---- reasons ---------------------------------------------------------- */

#define REASON_MAX 8

struct reasons {
	int n;
	int breach[REASON_MAX];
	char text[REASON_MAX][96];
	char fixed[REASON_MAX][96]; /* text with times for ages */
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
	memcpy(r->fixed[r->n], r->text[r->n], sizeof r->fixed[r->n]);
	r->breach[r->n] = breach;
	r->n++;
}

static void reason_fix(struct reasons *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The last reason added, with its age given as a time instead. */
static void reason_fix(struct reasons *r, const char *fmt, ...)
{
	va_list ap;

	if (r->n == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(r->fixed[r->n - 1], sizeof(r->fixed[r->n - 1]), fmt, ap);
	va_end(ap);
}

/* "at 01:14 UTC" on the day of now, "on 2026-11-20" before. */
static const char *when(int64_t at, int64_t now, char buf[32])
{
	char iso[32], today[32];

	time_format_iso(at, iso);
	time_format_iso(now, today);
	if (strncmp(iso, today, 10) == 0)
		snprintf(buf, 32, "at %.5s UTC", iso + 11);
	else
		snprintf(buf, 32, "on %.10s", iso);
	return buf;
}

/* Breaches first, each group in the order the checks added them. */
static void reasons_join(const struct reasons *r, int fixed, char *out,
                         size_t size)
{
	size_t len = 0;

	out[0] = '\0';
	for (int pass = 1; pass >= 0; pass--) {
		for (int i = 0; i < r->n; i++) {
			if (r->breach[i] != pass)
				continue;
			const char *sep = len > 0 ? "; " : "";
			const char *t = fixed ? r->fixed[i] : r->text[i];
			size_t need = strlen(sep) + strlen(t);
			if (len + need >= size)
				return;
			snprintf(out + len, size - len, "%s%s", sep, t);
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

static int link_usable(const struct compliance_link *l)
{
	return l->lag_s >= 0 && l->sampled_at > 0 &&
	       (strcmp(l->state, "streaming") == 0 ||
	        strcmp(l->state, "catchup") == 0);
}

/* now - (sampled_at - lag_s), rounded up: never flatter than measured. */
static int64_t link_age(const struct compliance_link *l, int64_t now)
{
	int64_t lag = (int64_t)l->lag_s;

	if ((double)lag < l->lag_s)
		lag++;
	int64_t age = now - l->sampled_at + lag;
	return age < 0 ? 0 : age;
}

/* > 0 when a is worse than b (see the top of the file). */
static int link_worse(const struct compliance_link *a,
                      const struct compliance_link *b, int64_t now)
{
	int ua = link_usable(a), ub = link_usable(b);

	if (ua != ub)
		return ua ? -1 : 1;
	if (ua) {
		int64_t aa = link_age(a, now), ab = link_age(b, now);
		if (aa != ab)
			return aa > ab ? 1 : -1;
		if (a->lag_bytes != b->lag_bytes)
			return a->lag_bytes > b->lag_bytes ? 1 : -1;
	}
	int c = strcmp(a->source, b->source);
	if (c == 0)
		c = strcmp(a->target, b->target);
	return -c;
}

static int link_order(const void *pa, const void *pb)
{
	const struct compliance_link *a = pa, *b = pb;
	int ka = strcmp(a->kind, "copy") == 0,
	    kb = strcmp(b->kind, "copy") == 0;

	if (ka != kb)
		return ka - kb;
	int c = strcmp(a->source, b->source);
	return c != 0 ? c : strcmp(a->target, b->target);
}

/* Copies the service's links, marks which are live, and picks the one
 * that stands for the service. */
static void eval_links(const struct catalog_service_state *st,
                       const struct compliance_policy *policy, int64_t now,
                       struct compliance_service *out)
{
	const struct compliance_link *worst = NULL, *stale = NULL;
	int64_t window =
	    policy->replica_max_age_s > 0 ? policy->replica_max_age_s : 90;

	out->n_links = st->n_links;
	out->links =
	    st->n_links ? xcalloc(st->n_links, sizeof(*out->links)) : NULL;
	for (size_t i = 0; i < st->n_links; i++) {
		const struct catalog_replication *r = &st->links[i];
		struct compliance_link *l = &out->links[i];
		strlcpy_dr(l->source, r->source, sizeof(l->source));
		strlcpy_dr(l->target, r->target, sizeof(l->target));
		strlcpy_dr(l->kind, r->kind[0] ? r->kind : "replica",
		           sizeof(l->kind));
		strlcpy_dr(l->state, r->state, sizeof(l->state));
		l->lag_s = r->lag_s;
		l->lag_bytes = r->lag_bytes;
		l->sampled_at = r->sampled_at;
		l->live = r->sampled_at > 0 && now - r->sampled_at <= window;
	}
	if (out->n_links > 1)
		qsort(out->links, out->n_links, sizeof(*out->links),
		      link_order);
	for (size_t i = 0; i < out->n_links; i++) {
		const struct compliance_link *l = &out->links[i];
		if (strcmp(l->kind, "replica") != 0)
			continue;
		if (!l->live) {
			if (stale == NULL || l->sampled_at > stale->sampled_at)
				stale = l;
			continue;
		}
		if (worst == NULL || link_worse(l, worst, now) > 0)
			worst = l;
	}
	const struct compliance_link *shown = worst != NULL ? worst : stale;
	if (shown == NULL)
		return;
	out->has_replica = 1;
	out->repl_stale = worst == NULL;
	strlcpy_dr(out->repl_source, shown->source, sizeof(out->repl_source));
	strlcpy_dr(out->repl_target, shown->target, sizeof(out->repl_target));
	strlcpy_dr(out->repl_state, shown->state, sizeof(out->repl_state));
	out->repl_lag_s = shown->lag_s;
	out->repl_lag_bytes = shown->lag_bytes;
	out->repl_sampled_at = shown->sampled_at;
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
		/* The evidence is the backup the age was read from: the
		 * newest good one before now, or the tolerated future one. */
		strlcpy_dr(out->rpo_evidence_id,
		           out->last_good_backup_at == st->last_good_backup_at
		               ? st->last_good_backup_id
		               : st->future_backup_id,
		           sizeof(out->rpo_evidence_id));
		out->rpo_evidence_at = out->last_good_backup_at;
	}

	out->rpo_age_s = backup_age;
	if (out->has_replica && !out->repl_stale) {
		struct compliance_link l = {0};
		strlcpy_dr(l.state, out->repl_state, sizeof(l.state));
		l.lag_s = out->repl_lag_s;
		l.sampled_at = out->repl_sampled_at;
		if (link_usable(&l)) {
			int64_t ra = link_age(&l, now);
			if (backup_age < 0 || ra < backup_age) {
				out->rpo_age_s = ra;
				out->rpo_from_replica = 1;
				snprintf(out->rpo_evidence_id,
				         sizeof(out->rpo_evidence_id),
				         "%.70s -> %.70s", out->repl_source,
				         out->repl_target);
				out->rpo_evidence_at = now - ra;
			}
		}
	}

	/* Skew explains a missing recovery point, so it comes first. */
	if (out->clock_skew)
		reason_add(why, out->rpo_age_s < 0 && out->rpo_target_s > 0,
		           "clock skew: backup completed %s in the future",
		           dur(out->future_backup_at - now, a));
	if (out->clock_skew) {
		char w[32];
		reason_fix(why,
		           "clock skew: backup completed %s, in the "
		           "future",
		           when(out->future_backup_at, now, w));
	}

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
		char w[32];
		when(now - out->rpo_age_s, now, w);
		if (out->rpo_status == COMP_BREACH) {
			reason_add(why, 1,
			           "RPO breached: %s %s ago (target %s)", what,
			           dur(out->rpo_age_s, a), dur(target, b));
			reason_fix(why, "RPO breached: %s %s (target %s)", what,
			           w, b);
		} else if (out->rpo_status == COMP_AT_RISK) {
			reason_add(why, 0, "RPO at risk: %s %s ago (target %s)",
			           what, dur(out->rpo_age_s, a),
			           dur(target, b));
			reason_fix(why, "RPO at risk: %s %s (target %s)", what,
			           w, b);
		}
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
	strlcpy_dr(out->last_attempt_id, st->last_attempt_id,
	           sizeof(out->last_attempt_id));

	if (strcmp(out->health, "warning") != 0 &&
	    strcmp(out->health, "critical") != 0)
		return;
	if (out->failure_count > 0)
		reason_add(why, 0, "backups failing: %d in a row (health %s)",
		           out->failure_count, out->health);
	else
		reason_add(why, 0, "backup health %s", out->health);
}

/* The newest RTO evidence: an ok restore test, or a completed recovery
 * that restored the service; a restore test wins a tie. */
static void pick_evidence(const struct catalog_service_state *st,
                          struct compliance_service *out)
{
	const struct catalog_restore *t = &st->last_test;
	int has_test = t->id != 0;
	int has_rec =
	    st->evidence_recovery_id[0] != '\0' && st->evidence_recovery_at > 0;

	out->rto_bytes = -1;
	out->rto_duration_s = -1;
	if (has_test && (!has_rec || t->ended_at >= st->evidence_recovery_at)) {
		/* A test of unknown length (carried over from before the
		 * restores table) is a test, and no estimate. */
		double d = t->duration_s;
		int64_t whole = (int64_t)d;
		out->rto_duration_s = d < 0               ? -1
		                      : (double)whole < d ? whole + 1
		                                          : whole;
		if (d >= 0 && out->rto_duration_s < 1)
			out->rto_duration_s = 1;
		out->rto_source = RTO_SRC_RESTORE_TEST;
		snprintf(out->rto_evidence_id, sizeof(out->rto_evidence_id),
		         "%lld", (long long)t->id);
		strlcpy_dr(out->rto_backup_id, t->backup_id,
		           sizeof(out->rto_backup_id));
		out->rto_bytes = t->bytes;
		out->rto_evidence_at = t->ended_at;
	} else if (has_rec) {
		out->rto_duration_s = st->evidence_recovery_s;
		out->rto_source = st->evidence_recovery_drill
		                      ? RTO_SRC_DRILL
		                      : RTO_SRC_RECOVERY;
		strlcpy_dr(out->rto_evidence_id, st->evidence_recovery_id,
		           sizeof(out->rto_evidence_id));
		strlcpy_dr(out->rto_backup_id, st->evidence_restore.backup_id,
		           sizeof(out->rto_backup_id));
		out->rto_bytes = st->evidence_restore.bytes;
		out->rto_evidence_at = st->evidence_recovery_at;
	}
}

static void eval_rto(const struct catalog_service_state *st,
                     const struct compliance_policy *policy,
                     struct compliance_service *out, struct reasons *why)
{
	char a[32], b[32];

	out->rto_estimate_s = -1;
	out->rto_source = RTO_SRC_NONE;
	pick_evidence(st, out);
	if (out->rto_source != RTO_SRC_NONE)
		out->rto_estimate_s = out->rto_duration_s;
	/* The size estimate reads the backup the RPO counts: a future one
	 * within the skew tolerance counts as the newest (eval_rpo). */
	int tolerated = out->last_good_backup_at > 0 &&
	                out->last_good_backup_at != st->last_good_backup_at;
	/* Throughput is of plain bytes (what a restore writes), so the
	 * estimate needs the backup's plain size; the stored size of a
	 * compressed backup would understate it (a backup of zeros many
	 * times over).  Without a plain size there is no estimate. */
	int64_t size =
	    tolerated ? st->future_backup_plain : st->last_good_backup_plain;
	const char *size_id =
	    tolerated ? st->future_backup_id : st->last_good_backup_id;
	if (out->rto_source == RTO_SRC_NONE && size > 0 &&
	    policy->restore_bytes_per_s > 0) {
		double s = (double)size / policy->restore_bytes_per_s;
		int64_t whole = (int64_t)s;
		out->rto_estimate_s = (double)whole < s ? whole + 1 : whole;
		out->rto_source = RTO_SRC_SIZE_ESTIMATE;
		strlcpy_dr(out->rto_backup_id, size_id,
		           sizeof(out->rto_backup_id));
		out->rto_bytes = size;
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
	out->last_drill_at = st->last_drill_at;
	/* Only evidence is a test: a size estimate tested nothing. */
	out->last_test_at =
	    out->rto_source == RTO_SRC_SIZE_ESTIMATE ? 0 : out->rto_evidence_at;
	if (out->last_test_at > 0) {
		out->test_age_s = now - out->last_test_at;
		if (out->test_age_s < 0)
			out->test_age_s = 0;
	} else {
		out->test_age_s = -1;
	}

	out->restore_failures = st->restore_failures;
	if (st->newest_test.id != 0 && !st->newest_test.ok) {
		out->restore_test_failed = 1;
		strlcpy_dr(out->restore_test_error, st->newest_test.error,
		           sizeof(out->restore_test_error));
		char w[32];
		reason_add(why, 0, "restore test failed %s ago (backup %.12s)",
		           dur(now - st->newest_test.ended_at, a),
		           st->newest_test.backup_id);
		reason_fix(why, "restore test failed %s (backup %.12s)",
		           when(st->newest_test.ended_at, now, w),
		           st->newest_test.backup_id);
	}

	if (out->test_age_s < 0) {
		out->untested = 1;
		reason_add(why, 0,
		           "never tested (no restore test or recovery that "
		           "restored data)");
	} else if (out->test_age_s > out->drill_policy_s) {
		out->untested = 1;
		char w[32];
		reason_add(why, 0,
		           "untested: last test %s ago "
		           "(policy %s)",
		           dur(out->test_age_s, a),
		           dur(out->drill_policy_s, b));
		reason_fix(why, "untested: last test %s (policy %s)",
		           when(now - out->test_age_s, now, w), b);
	}
}

static void eval_probes(const struct compliance_probes *probes,
                        struct compliance_service *out, struct reasons *why)
{
	if (probes == NULL || probes->n_down == 0)
		return;
	out->probes_down = probes->n_down;
	strlcpy_dr(out->probes_down_names, probes->names,
	           sizeof(out->probes_down_names));
	reason_add(why, 0, "probe down: %.80s", probes->names);
}

void compliance_eval_service(const struct catalog_service_state *st,
                             const struct compliance_probes *probes,
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
	eval_links(st, policy, now, out);
	eval_probes(probes, out, &why);
	eval_rpo(st, policy, now, out, &why);
	eval_health(st, out, &why);
	eval_rto(st, policy, out, &why);
	eval_tests(st, policy, now, out, &why);

	if (out->rpo_status == COMP_BREACH || out->rto_status == COMP_BREACH)
		out->verdict = VERDICT_BREACH;
	else if (why.n > 0)
		out->verdict = VERDICT_AT_RISK;
	else
		out->verdict = VERDICT_OK;
	reasons_join(&why, 0, out->reason, sizeof(out->reason));
	reasons_join(&why, 1, out->reason_fixed, sizeof(out->reason_fixed));
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

/* The down probes of one service from every probe's state (by service,
 * then probe). */
static void probes_of(const struct catalog_probe_state *ps, size_t n,
                      const char *service, struct compliance_probes *out)
{
	size_t len = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		if (!ps[i].down || strcmp(ps[i].service, service) != 0)
			continue;
		out->n_down++;
		size_t need = (len ? 2 : 0) + strlen(ps[i].probe);
		if (len + need >= sizeof(out->names))
			continue; /* only whole names; n_down counts them all */
		if (len)
			memcpy(out->names + len, ", ", 2);
		memcpy(out->names + len + (len ? 2 : 0), ps[i].probe,
		       strlen(ps[i].probe) + 1);
		len += need;
	}
}

/* Appends "; text" (or text) to a reason line, whole or not at all. */
static void reason_append(char *line, size_t size, const char *text)
{
	size_t len = strlen(line);
	size_t need = (len ? 2 : 0) + strlen(text);

	if (len + need >= size)
		return;
	snprintf(line + len, size - len, "%s%s", len ? "; " : "", text);
}

/* The programme's overdue tests of one service make it untested: at least
 * AT RISK, with the tests named in its reasons. */
static void apply_programme(const struct test_status *ts, size_t n, int64_t now,
                            struct compliance_service *s)
{
	char first[200] = "", fixed[200] = "", a[32], w[32];

	for (size_t i = 0; i < n; i++) {
		const struct test_status *t = &ts[i];
		if (!t->overdue || strcmp(t->service, s->name) != 0)
			continue;
		s->tests_overdue++;
		size_t len = strlen(s->tests_overdue_names);
		size_t need = (len ? 2 : 0) + strlen(t->spec->name);
		if (len + need < sizeof s->tests_overdue_names)
			snprintf(s->tests_overdue_names + len,
			         sizeof s->tests_overdue_names - len, "%s%s",
			         len ? ", " : "", t->spec->name);
		if (first[0] != '\0')
			continue;
		if (t->due_at == 0) {
			snprintf(first, sizeof first, "test %s never passed",
			         t->spec->name);
			strlcpy_dr(fixed, first, sizeof fixed);
		} else {
			snprintf(first, sizeof first, "test %s overdue by %s",
			         t->spec->name, dur(now - t->due_at, a));
			snprintf(fixed, sizeof fixed,
			         "test %s overdue since %s", t->spec->name,
			         when(t->due_at, now, w));
		}
	}
	if (s->tests_overdue == 0)
		return;
	s->untested = 1;
	if (s->tests_overdue > 1) {
		size_t lf = strlen(first), lx = strlen(fixed);
		snprintf(first + lf, sizeof first - lf, " (+%d more)",
		         s->tests_overdue - 1);
		snprintf(fixed + lx, sizeof fixed - lx, " (+%d more)",
		         s->tests_overdue - 1);
	}
	reason_append(s->reason, sizeof s->reason, first);
	reason_append(s->reason_fixed, sizeof s->reason_fixed, fixed);
	if (s->verdict < VERDICT_AT_RISK)
		s->verdict = VERDICT_AT_RISK;
}

int compliance_eval(struct catalog *cat, const struct compliance_policy *policy,
                    int64_t now, struct compliance_report *out, char **err)
{
	struct catalog_service_state *states = NULL;
	struct catalog_probe_state *ps = NULL;
	size_t n = 0, n_ps = 0;

	memset(out, 0, sizeof(*out));
	out->now = now;
	int rc = catalog_service_states(cat, now, &states, &n, err);
	if (rc != CATALOG_OK)
		return rc;
	rc = catalog_probe_state_list(cat, &ps, &n_ps, err);
	if (rc != CATALOG_OK) {
		catalog_service_states_free(states, n);
		return rc;
	}
	out->services = xcalloc(n, sizeof(*out->services));
	out->n = n;
	for (size_t i = 0; i < n; i++) {
		struct compliance_probes probes;
		probes_of(ps, n_ps, states[i].service.name, &probes);
		compliance_eval_service(&states[i], &probes, policy, now,
		                        &out->services[i]);
	}
	free(ps);
	catalog_service_states_free(states, n);
	if (policy->programme != NULL) {
		struct test_status *ts = NULL;
		size_t nts = 0;
		rc = testprog_eval(cat, policy->programme, NULL, now, &ts, &nts,
		                   err);
		if (rc != DR_OK) {
			compliance_report_free(out);
			return rc;
		}
		for (size_t i = 0; i < out->n; i++)
			apply_programme(ts, nts, now, &out->services[i]);
		free(ts);
	}
	report_count(out);
	return DR_OK;
}

void compliance_service_clear(struct compliance_service *s)
{
	free(s->links);
	s->links = NULL;
	s->n_links = 0;
}

void compliance_report_free(struct compliance_report *report)
{
	if (report == NULL)
		return;
	for (size_t i = 0; i < report->n; i++)
		compliance_service_clear(&report->services[i]);
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

/* Non-negative numbers; the "unknown" value (negative, or 0 for a target)
 * becomes null. */
static void add_num(cJSON *obj, const char *key, double v, double none_below)
{
	if (v < none_below)
		cJSON_AddNullToObject(obj, key);
	else
		cJSON_AddNumberToObject(obj, key, v);
}

static cJSON *link_json(const struct compliance_link *l)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "source", l->source);
	cJSON_AddStringToObject(o, "target", l->target);
	json_add_text(o, "state", l->state);
	add_num(o, "lag_s", l->lag_s, 0);
	add_num(o, "lag_bytes", (double)l->lag_bytes, 0);
	json_add_time(o, "sampled_at", l->sampled_at);
	cJSON_AddBoolToObject(o, "live", l->live);
	return o;
}

static cJSON *evidence_json(const struct compliance_service *s)
{
	cJSON *ev = cJSON_CreateObject();

	cJSON *rpo = cJSON_AddObjectToObject(ev, "rpo");
	if (s->rpo_age_s < 0) {
		cJSON_AddNullToObject(rpo, "kind");
		cJSON_AddNullToObject(rpo, "id");
		cJSON_AddNullToObject(rpo, "at");
	} else {
		cJSON_AddStringToObject(
		    rpo, "kind", s->rpo_from_replica ? "replica" : "backup");
		json_add_text(rpo, "id", s->rpo_evidence_id);
		json_add_time(rpo, "at", s->rpo_evidence_at);
	}

	cJSON *rto = cJSON_AddObjectToObject(ev, "rto");
	if (s->rto_source == RTO_SRC_NONE)
		cJSON_AddNullToObject(rto, "kind");
	else
		cJSON_AddStringToObject(rto, "kind",
		                        rto_source_name(s->rto_source));
	json_add_text(rto, "id", s->rto_evidence_id);
	json_add_text(rto, "backup_id", s->rto_backup_id);
	add_num(rto, "bytes", (double)s->rto_bytes, 0);
	add_num(rto, "duration_s", (double)s->rto_duration_s, 0);
	json_add_time(rto, "at", s->rto_evidence_at);

	cJSON *health = cJSON_AddObjectToObject(ev, "health");
	if (s->last_attempt_id[0] == '\0')
		cJSON_AddNullToObject(health, "kind");
	else
		cJSON_AddStringToObject(health, "kind", "backup");
	json_add_text(health, "id", s->last_attempt_id);
	json_add_time(health, "at", s->last_attempt_at);

	cJSON *down = cJSON_AddArrayToObject(ev, "probes_down");
	const char *p = s->probes_down_names;
	while (*p != '\0') {
		const char *end = strstr(p, ", ");
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char name[64];
		snprintf(name, sizeof name, "%.*s", (int)len, p);
		cJSON_AddItemToArray(down, cJSON_CreateString(name));
		p += len;
		if (*p != '\0')
			p += 2;
	}
	return ev;
}

static cJSON *service_json(const struct compliance_service *s)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "name", s->name);
	json_add_text(o, "tier", s->tier);
	json_add_text(o, "owner", s->owner);
	cJSON_AddStringToObject(o, "verdict", verdict_name(s->verdict));
	cJSON_AddStringToObject(o, "reason", s->reason);

	cJSON *rpo = cJSON_AddObjectToObject(o, "rpo");
	add_num(rpo, "target_s", (double)s->rpo_target_s, 1);
	add_num(rpo, "age_s", (double)s->rpo_age_s, 0);
	cJSON_AddStringToObject(rpo, "status", comp_status_name(s->rpo_status));
	cJSON_AddBoolToObject(rpo, "from_replica", s->rpo_from_replica);
	json_add_time(rpo, "last_good_backup", s->last_good_backup_at);
	cJSON_AddBoolToObject(rpo, "clock_skew", s->clock_skew);

	cJSON *rto = cJSON_AddObjectToObject(o, "rto");
	add_num(rto, "target_s", (double)s->rto_target_s, 1);
	add_num(rto, "estimate_s", (double)s->rto_estimate_s, 0);
	cJSON_AddStringToObject(rto, "status", comp_status_name(s->rto_status));
	cJSON_AddStringToObject(rto, "source", rto_source_name(s->rto_source));

	cJSON *tests = cJSON_AddObjectToObject(o, "tests");
	json_add_time(tests, "last_at", s->last_test_at);
	add_num(tests, "age_s", (double)s->test_age_s, 0);
	cJSON_AddNumberToObject(tests, "policy_s", (double)s->drill_policy_s);
	cJSON_AddBoolToObject(tests, "untested", s->untested);
	cJSON_AddNumberToObject(tests, "restore_failures", s->restore_failures);
	cJSON_AddBoolToObject(tests, "restore_test_failed",
	                      s->restore_test_failed);
	json_add_time(tests, "last_drill_at", s->last_drill_at);
	cJSON_AddNumberToObject(tests, "programme_overdue", s->tests_overdue);

	cJSON *health = cJSON_AddObjectToObject(o, "health");
	json_add_text(health, "status", s->health);
	cJSON_AddNumberToObject(health, "failure_count", s->failure_count);
	json_add_time(health, "last_attempt_at", s->last_attempt_at);
	json_add_text(health, "last_attempt_status", s->last_attempt_status);

	cJSON_AddItemToObject(o, "evidence", evidence_json(s));

	if (!s->has_replica && s->n_links == 0) {
		cJSON_AddNullToObject(o, "replication");
		return o;
	}
	cJSON *repl = cJSON_AddObjectToObject(o, "replication");
	if (s->has_replica) {
		json_add_text(repl, "state",
		              s->repl_stale ? "stale" : s->repl_state);
		add_num(repl, "lag_s", s->repl_lag_s, 0);
		add_num(repl, "lag_bytes", (double)s->repl_lag_bytes, 0);
		json_add_time(repl, "sampled_at", s->repl_sampled_at);
	} else {
		cJSON_AddNullToObject(repl, "state");
		cJSON_AddNullToObject(repl, "lag_s");
		cJSON_AddNullToObject(repl, "lag_bytes");
		cJSON_AddNullToObject(repl, "sampled_at");
	}
	cJSON *links = cJSON_AddArrayToObject(repl, "links");
	cJSON *copies = cJSON_AddArrayToObject(repl, "copies");
	for (size_t i = 0; i < s->n_links; i++) {
		const struct compliance_link *l = &s->links[i];
		cJSON_AddItemToArray(strcmp(l->kind, "copy") == 0 ? copies
		                                                  : links,
		                     link_json(l));
	}
	return o;
}

char *compliance_report_json(const struct compliance_report *report,
                             const char *environment, const char *catalog)
{
	cJSON *root = cJSON_CreateObject();

	cJSON_AddNumberToObject(root, "schema", 1);
	json_add_time(root, "generated_at", report->now);
	json_add_text(root, "environment", environment);
	json_add_text(root, "catalog", catalog);
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

	char *text = json_print_text(root, 1);
	cJSON_Delete(root);
	if (text == NULL)
		abort(); /* cJSON fails only when memory runs out */
	return text;
}
