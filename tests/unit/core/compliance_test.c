/* compliance_eval_service is pure: each test builds the catalog state of
 * one service by hand and checks what an on-call engineer would read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "core/compliance.h"
#include "core/error.h"
#include "core/uuid.h"

#define NOW  ((int64_t)1795000000) /* 2026-11-18T11:06:40Z */
#define MIN  60
#define HOUR 3600
#define DAY  86400

static struct compliance_policy policy;

static int setup(void **state)
{
	(void)state;
	compliance_policy_default(&policy);
	return 0;
}

/* A healthy standard-tier service: RPO 30m, RTO 1h, a backup 10 minutes
 * ago, a restore test of 20 minutes yesterday. */
/* The newest restore test: ok, ended at `at` after `duration_s`; at 0:
 * none. */
static void set_test(struct catalog_service_state *st, int64_t at,
                     int64_t duration_s)
{
	memset(&st->last_test, 0, sizeof(st->last_test));
	if (at > 0) {
		st->last_test.id = 7;
		snprintf(st->last_test.kind, sizeof(st->last_test.kind),
		         "restore-test");
		snprintf(st->last_test.backup_id,
		         sizeof(st->last_test.backup_id), "b-tested");
		st->last_test.ended_at = at;
		st->last_test.duration_s = (double)duration_s;
		st->last_test.bytes = 1000;
		st->last_test.ok = 1;
	}
	st->newest_test = st->last_test;
}

static struct catalog_service_state healthy(const char *name)
{
	struct catalog_service_state st;

	memset(&st, 0, sizeof(st));
	snprintf(st.service.name, sizeof(st.service.name), "%s", name);
	snprintf(st.service.tier, sizeof(st.service.tier), "standard");
	snprintf(st.service.owner, sizeof(st.service.owner), "team");
	st.tier_rto_s = HOUR;
	st.tier_rpo_s = 30 * MIN;
	st.last_good_backup_at = NOW - 10 * MIN;
	st.last_good_backup_size = -1;
	st.last_good_backup_plain = -1;
	st.last_attempt_at = NOW - 11 * MIN;
	snprintf(st.last_attempt_status, sizeof(st.last_attempt_status),
	         "completed");
	snprintf(st.health.service, sizeof(st.health.service), "%s", name);
	snprintf(st.health.health_status, sizeof(st.health.health_status),
	         "healthy");
	st.health.estimated_full_recovery_s = 20 * MIN;
	st.health.last_recovery_test = NOW - DAY;
	st.last_drill_duration_s = -1;
	set_test(&st, NOW - DAY, 20 * MIN);
	st.evidence_recovery_s = -1;
	return st;
}

/* The last evaluation; its links are freed by the next one. */
static struct compliance_service last;

static struct compliance_service eval(const struct catalog_service_state *st)
{
	compliance_service_clear(&last);
	compliance_eval_service(st, NULL, &policy, NOW, &last);
	return last;
}

static int teardown(void **state)
{
	(void)state;
	compliance_service_clear(&last);
	return 0;
}

/* One replica link of the service, for the tests that need one. */
static struct catalog_replication link1;

static void set_link(struct catalog_service_state *st, const char *state,
                     double lag_s, int64_t lag_bytes, int64_t sampled_at)
{
	memset(&link1, 0, sizeof(link1));
	snprintf(link1.source, sizeof(link1.source), "db-primary");
	snprintf(link1.target, sizeof(link1.target), "db-replica");
	snprintf(link1.kind, sizeof(link1.kind), "replica");
	snprintf(link1.state, sizeof(link1.state), "%s", state);
	link1.lag_s = lag_s;
	link1.lag_bytes = lag_bytes;
	link1.sampled_at = sampled_at;
	st->links = &link1;
	st->n_links = 1;
}

static void healthy_service_is_ok(void **state)
{
	(void)state;
	struct catalog_service_state st = healthy("api");
	struct compliance_service c = eval(&st);

	assert_int_equal(c.verdict, VERDICT_OK);
	assert_string_equal(c.reason, "");
	assert_int_equal(c.rpo_status, COMP_OK);
	assert_int_equal(c.rpo_age_s, 10 * MIN);
	assert_int_equal(c.rpo_target_s, 30 * MIN);
	assert_int_equal(c.rto_target_s, HOUR);
	assert_int_equal(c.rto_status, COMP_OK);
	assert_int_equal(c.rto_source, RTO_SRC_RESTORE_TEST);
	assert_int_equal(c.rto_estimate_s, 20 * MIN);
	assert_false(c.untested);
	assert_false(c.clock_skew);
	assert_false(c.rpo_from_replica);
}

static void no_backup_ever_is_a_breach(void **state)
{
	(void)state;
	struct catalog_service_state st = healthy("new");
	st.last_good_backup_at = 0;
	st.last_attempt_at = 0;
	st.last_attempt_status[0] = '\0';
	struct compliance_service c = eval(&st);

	assert_int_equal(c.verdict, VERDICT_BREACH);
	assert_int_equal(c.rpo_status, COMP_BREACH);
	assert_int_equal(c.rpo_age_s, -1);
	assert_true(c.rpo_fraction < 0);
	assert_int_equal(c.last_good_backup_at, 0);
	assert_string_equal(c.reason, "no good backup ever");
}

static void only_failed_backups(void **state)
{
	(void)state;
	struct catalog_service_state st = healthy("broken");
	st.last_good_backup_at = 0;
	st.last_attempt_at = NOW - 5 * MIN;
	snprintf(st.last_attempt_status, sizeof(st.last_attempt_status),
	         "failed");
	st.health.failure_count = 3;
	snprintf(st.health.health_status, sizeof(st.health.health_status),
	         "critical");
	struct compliance_service c = eval(&st);

	assert_int_equal(c.verdict, VERDICT_BREACH);
	assert_string_equal(c.health, "critical");
	assert_int_equal(c.failure_count, 3);
	assert_string_equal(c.last_attempt_status, "failed");
	assert_string_equal(c.reason, "no good backup ever; backups failing: 3 "
	                              "in a row (health critical)");
}

static void failing_backups_put_a_fresh_service_at_risk(void **state)
{
	(void)state;
	struct catalog_service_state st = healthy("flaky");
	st.health.failure_count = 2;
	snprintf(st.health.health_status, sizeof(st.health.health_status),
	         "warning");
	struct compliance_service c = eval(&st);

	assert_int_equal(c.rpo_status, COMP_OK);
	assert_int_equal(c.verdict, VERDICT_AT_RISK);
	assert_string_equal(c.reason,
	                    "backups failing: 2 in a row (health warning)");

	snprintf(st.health.health_status, sizeof(st.health.health_status),
	         "degraded");
	st.health.failure_count = 1;
	c = eval(&st);
	assert_int_equal(c.verdict, VERDICT_OK);
}

static void backup_completed_in_the_future_is_flagged_not_fresh(void **state)
{
	(void)state;
	struct catalog_service_state st = healthy("skewed");
	st.last_good_backup_at = NOW - 2 * HOUR;
	st.future_backup_at = NOW + 3 * HOUR;
	struct compliance_service c = eval(&st);

	assert_true(c.clock_skew);
	assert_int_equal(c.future_backup_at, NOW + 3 * HOUR);
	assert_int_equal(c.last_good_backup_at, NOW - 2 * HOUR);
	assert_int_equal(c.rpo_age_s, 2 * HOUR);
	assert_int_equal(c.verdict, VERDICT_BREACH);
	assert_string_equal(
	    c.reason, "RPO breached: last good backup 2h ago (target 30m); "
	              "clock skew: backup completed 3h in the future");

	/* With only the skewed backup, there is no recovery point at all. */
	st.last_good_backup_at = 0;
	c = eval(&st);
	assert_true(c.clock_skew);
	assert_int_equal(c.rpo_age_s, -1);
	assert_int_equal(c.rpo_status, COMP_BREACH);
	assert_string_equal(c.reason,
	                    "clock skew: backup completed 3h in the future; "
	                    "no good backup before it");

	/* Skew alone, with a fresh older backup: at risk, not OK. */
	st.last_good_backup_at = NOW - 10 * MIN;
	c = eval(&st);
	assert_int_equal(c.rpo_status, COMP_OK);
	assert_int_equal(c.verdict, VERDICT_AT_RISK);
	assert_string_equal(c.reason,
	                    "clock skew: backup completed 3h in the future");
}

static void small_skew_within_tolerance_is_fresh(void **state)
{
	(void)state;
	struct catalog_service_state st = healthy("close");
	st.last_good_backup_at = NOW - 2 * HOUR;
	st.future_backup_at = NOW + policy.skew_tolerance_s;
	struct compliance_service c = eval(&st);

	assert_false(c.clock_skew);
	assert_int_equal(c.rpo_age_s, 0);
	assert_int_equal(c.last_good_backup_at, NOW + policy.skew_tolerance_s);
	assert_int_equal(c.verdict, VERDICT_OK);

	st.future_backup_at = NOW + policy.skew_tolerance_s + 1;
	c = eval(&st);
	assert_true(c.clock_skew);
	assert_int_equal(c.rpo_age_s, 2 * HOUR);
}

/* The tolerated future backup is the evidence: its id backs the RPO age
 * and its size the RTO estimate (found by the scenario test: both were
 * unknown when it was the only good backup). */
static void tolerated_future_backup_is_the_evidence(void **state)
{
	(void)state;
	struct catalog_service_state st = healthy("ahead");
	set_test(&st, 0, 0); /* no restore test: the size is the estimate */
	st.last_good_backup_at = 0;
	st.last_good_backup_size = -1;
	st.last_good_backup_plain = -1;
	st.last_good_backup_id[0] = '\0';
	st.future_backup_at = NOW + policy.skew_tolerance_s;
	snprintf(st.future_backup_id, sizeof st.future_backup_id, "%s",
	         "a7926222-5c7b-4357-9e31-36aabe884960");
	st.future_backup_size = 10; /* stored; the estimate reads plain */
	st.future_backup_plain = 1000;
	double saved = policy.restore_bytes_per_s;
	policy.restore_bytes_per_s = 10;
	struct compliance_service c = eval(&st);
	policy.restore_bytes_per_s = saved;

	assert_int_equal(c.rpo_age_s, 0);
	assert_string_equal(c.rpo_evidence_id,
	                    "a7926222-5c7b-4357-9e31-36aabe884960");
	assert_int_equal(c.rto_source, RTO_SRC_SIZE_ESTIMATE);
	assert_int_equal(c.rto_estimate_s, 100);
	assert_string_equal(c.rto_backup_id,
	                    "a7926222-5c7b-4357-9e31-36aabe884960");
}

static void
exactly_on_the_rpo_boundary_is_ok_one_second_past_breach(void **state)
{
	(void)state;
	policy.at_risk_fraction = 1.0; /* look at the breach boundary alone */
	struct catalog_service_state st = healthy("edge");
	st.last_good_backup_at = NOW - 30 * MIN;
	struct compliance_service c = eval(&st);

	assert_int_equal(c.rpo_age_s, 30 * MIN);
	assert_int_equal(c.rpo_status, COMP_OK);
	assert_int_equal(c.verdict, VERDICT_OK);

	st.last_good_backup_at = NOW - 30 * MIN - 1;
	c = eval(&st);
	assert_int_equal(c.rpo_status, COMP_BREACH);
	assert_int_equal(c.verdict, VERDICT_BREACH);
	assert_string_equal(
	    c.reason, "RPO breached: last good backup 30m1s ago (target 30m)");
	/* The board's form names the time, which does not move while
	 * nothing happens (the age has a column of its own). */
	assert_string_equal(c.reason_fixed, "RPO breached: last good backup at "
	                                    "10:36 UTC (target 30m)");
	char fixed[160];
	snprintf(fixed, sizeof fixed, "%s", c.reason_fixed);
	compliance_service_clear(&last);
	compliance_eval_service(&st, NULL, &policy, NOW + 5 * MIN, &last);
	assert_string_equal(last.reason,
	                    "RPO breached: last good backup 35m1s ago (target "
	                    "30m)");
	assert_string_equal(last.reason_fixed, fixed);

	/* With the default 80 %, exactly on the target is "at risk". */
	compliance_policy_default(&policy);
	st.last_good_backup_at = NOW - 30 * MIN;
	c = eval(&st);
	assert_int_equal(c.rpo_status, COMP_AT_RISK);
}

static void eighty_percent_boundary(void **state)
{
	(void)state;
	struct catalog_service_state st = healthy("eighty");
	st.last_good_backup_at = NOW - 24 * MIN; /* 80 % of 30m */
	struct compliance_service c = eval(&st);

	assert_int_equal(c.rpo_status, COMP_OK);
	assert_int_equal(c.verdict, VERDICT_OK);

	st.last_good_backup_at = NOW - 24 * MIN - 1;
	c = eval(&st);
	assert_int_equal(c.rpo_status, COMP_AT_RISK);
	assert_int_equal(c.verdict, VERDICT_AT_RISK);
	assert_string_equal(
	    c.reason, "RPO at risk: last good backup 24m1s ago (target 30m)");
}

static void no_tier_and_no_own_targets(void **state)
{
	(void)state;
	struct catalog_service_state st = healthy("orphan");
	st.service.tier[0] = '\0';
	st.tier_rpo_s = 0;
	st.tier_rto_s = 0;
	struct compliance_service c = eval(&st);

	assert_string_equal(c.tier, "");
	assert_int_equal(c.rpo_target_s, 0);
	assert_int_equal(c.rto_target_s, 0);
	assert_int_equal(c.rpo_status, COMP_UNKNOWN);
	assert_int_equal(c.rto_status, COMP_UNKNOWN);
	assert_int_equal(c.rpo_age_s, 10 * MIN);
	assert_true(c.rpo_fraction < 0);
	assert_int_equal(c.verdict, VERDICT_AT_RISK);
	assert_string_equal(c.reason, "no RPO target; no RTO target");
}

static void own_targets_override_the_tier(void **state)
{
	(void)state;
	struct catalog_service_state st = healthy("strict");
	st.service.rpo_s = 5 * MIN;
	st.service.rto_s = 15 * MIN;
	struct compliance_service c = eval(&st);

	assert_int_equal(c.rpo_target_s, 5 * MIN);
	assert_int_equal(c.rto_target_s, 15 * MIN);
	assert_int_equal(c.rpo_status, COMP_BREACH);
	assert_int_equal(c.rto_status, COMP_BREACH);
	assert_string_equal(
	    c.reason, "RPO breached: last good backup 10m ago (target 5m); "
	              "RTO breached: estimated 20m by restore test "
	              "(target 15m)");

	/* A looser own target: the tier's 30m would be breached. */
	st = healthy("lax");
	st.last_good_backup_at = NOW - HOUR;
	st.service.rpo_s = 2 * HOUR;
	c = eval(&st);
	assert_int_equal(c.rpo_target_s, 2 * HOUR);
	assert_int_equal(c.rpo_status, COMP_OK);
}

static void replica_makes_the_age_smaller(void **state)
{
	(void)state;
	struct catalog_service_state st = healthy("db");
	st.last_good_backup_at = NOW - 2 * HOUR;
	set_link(&st, "streaming", 2.5, 4096, NOW - 30);
	struct compliance_service c = eval(&st);

	assert_true(c.rpo_from_replica);
	assert_int_equal(c.rpo_age_s, 33); /* 30 s + 2.5 s, rounded up */
	assert_int_equal(c.rpo_status, COMP_OK);
	assert_int_equal(c.verdict, VERDICT_OK);
	assert_int_equal(c.last_good_backup_at, NOW - 2 * HOUR);
	assert_true(c.has_replica);
	assert_string_equal(c.repl_state, "streaming");
	assert_int_equal(c.repl_lag_bytes, 4096);
	assert_string_equal(c.rpo_evidence_id, "db-primary -> db-replica");

	snprintf(link1.state, sizeof(link1.state), "catchup");
	c = eval(&st);
	assert_true(c.rpo_from_replica);

	/* A stopped replica, or one of unknown lag, does not count. */
	snprintf(link1.state, sizeof(link1.state), "stopped");
	c = eval(&st);
	assert_false(c.rpo_from_replica);
	assert_int_equal(c.rpo_age_s, 2 * HOUR);
	assert_int_equal(c.rpo_status, COMP_BREACH);
	assert_true(c.has_replica);

	/* Bytes but no seconds: no recovery point. */
	snprintf(link1.state, sizeof(link1.state), "streaming");
	link1.lag_s = -1;
	c = eval(&st);
	assert_false(c.rpo_from_replica);
	assert_int_equal(c.rpo_age_s, 2 * HOUR);
}

static void stale_replica_sample_does_not_help(void **state)
{
	(void)state;
	struct catalog_service_state st = healthy("db");
	st.last_good_backup_at = NOW - 3 * HOUR;
	/* Within the window (90 s by default) the sample ages by itself. */
	set_link(&st, "streaming", 1, 0, NOW - 80);
	struct compliance_service c = eval(&st);
	assert_true(c.rpo_from_replica);
	assert_int_equal(c.rpo_age_s, 81);

	/* Past it the link is stale: shown, and no recovery point. */
	link1.sampled_at = NOW - 91;
	c = eval(&st);
	assert_false(c.rpo_from_replica);
	assert_true(c.has_replica);
	assert_true(c.repl_stale);
	assert_int_equal(c.rpo_age_s, 3 * HOUR);
	assert_int_equal(c.rpo_status, COMP_BREACH);
	assert_string_equal(
	    c.reason, "RPO breached: last good backup 3h ago (target 30m)");

	/* The window follows the policy. */
	policy.replica_max_age_s = 10 * MIN;
	c = eval(&st);
	assert_true(c.rpo_from_replica);
	assert_int_equal(c.rpo_age_s, 92);
}

static void worst_live_link_stands_for_the_service(void **state)
{
	(void)state;
	struct catalog_service_state st = healthy("db");
	struct catalog_replication links[3];

	memset(links, 0, sizeof(links));
	for (int i = 0; i < 3; i++) {
		snprintf(links[i].source, sizeof(links[i].source), "primary");
		snprintf(links[i].target, sizeof(links[i].target), "r%d", i);
		snprintf(links[i].kind, sizeof(links[i].kind), "replica");
		snprintf(links[i].state, sizeof(links[i].state), "streaming");
		links[i].lag_s = 1;
		links[i].lag_bytes = 10;
		links[i].sampled_at = NOW - 5;
	}
	links[1].lag_s = 20 * MIN; /* the second replica lags */
	/* A copy with no lag is no recovery point. */
	snprintf(links[2].source, sizeof(links[2].source), "backup:local");
	snprintf(links[2].target, sizeof(links[2].target), "backup:second");
	snprintf(links[2].kind, sizeof(links[2].kind), "copy");
	links[2].lag_s = 0;
	st.links = links;
	st.n_links = 3;
	st.last_good_backup_at = NOW - 31 * MIN;
	struct compliance_service c = eval(&st);

	assert_true(c.rpo_from_replica);
	assert_string_equal(c.repl_target, "r1");
	assert_int_equal(c.rpo_age_s, 20 * MIN + 5);
	assert_int_equal(c.rpo_status, COMP_OK);
	assert_int_equal(c.n_links, 3);
	assert_string_equal(c.links[2].kind, "copy");

	/* Whichever order the samples come in, the same link is worst. */
	struct catalog_replication swap = links[0];
	links[0] = links[1];
	links[1] = swap;
	c = eval(&st);
	assert_string_equal(c.repl_target, "r1");

	/* A down link is worse than any measured one: no replica point. */
	snprintf(links[1].state, sizeof(links[1].state), "down");
	c = eval(&st);
	assert_false(c.rpo_from_replica);
	assert_string_equal(c.repl_state, "down");
	assert_int_equal(c.rpo_status, COMP_BREACH);

	/* Only copies: the backup alone is the recovery point. */
	st.links = &links[2];
	st.n_links = 1;
	c = eval(&st);
	assert_false(c.has_replica);
	assert_false(c.rpo_from_replica);
	assert_int_equal(c.rpo_age_s, 31 * MIN);
	assert_int_equal(c.rpo_status, COMP_BREACH);
}

/* A completed recovery that restored the service, ended at `at`. */
static void set_recovery(struct catalog_service_state *st, int drill,
                         int64_t at, int64_t duration_s)
{
	snprintf(st->evidence_recovery_id, sizeof(st->evidence_recovery_id),
	         "rec-1");
	st->evidence_recovery_drill = drill;
	st->evidence_recovery_at = at;
	st->evidence_recovery_s = duration_s;
	memset(&st->evidence_restore, 0, sizeof(st->evidence_restore));
	snprintf(st->evidence_restore.backup_id,
	         sizeof(st->evidence_restore.backup_id), "b-restored");
	st->evidence_restore.bytes = 5000;
	st->evidence_restore.ok = 1;
}

static void rto_newest_of_restore_test_and_drill(void **state)
{
	(void)state;
	struct catalog_service_state st = healthy("rto");
	set_test(&st, NOW - 10 * DAY, 20 * MIN);
	set_recovery(&st, 1, NOW - 2 * DAY, 50 * MIN);
	struct compliance_service c = eval(&st);

	assert_int_equal(c.rto_source, RTO_SRC_DRILL);
	assert_int_equal(c.rto_estimate_s, 50 * MIN);
	assert_int_equal(c.rto_status, COMP_AT_RISK);
	assert_int_equal(c.last_test_at, NOW - 2 * DAY);
	assert_string_equal(c.rto_evidence_id, "rec-1");
	assert_string_equal(c.rto_backup_id, "b-restored");
	assert_int_equal(c.rto_bytes, 5000);
	assert_int_equal(c.verdict, VERDICT_AT_RISK);
	assert_string_equal(c.reason,
	                    "RTO at risk: estimated 50m by drill (target 1h)");

	set_test(&st, NOW - DAY, 20 * MIN);
	c = eval(&st);
	assert_int_equal(c.rto_source, RTO_SRC_RESTORE_TEST);
	assert_int_equal(c.rto_estimate_s, 20 * MIN);
	assert_int_equal(c.rto_status, COMP_OK);
	assert_int_equal(c.last_test_at, NOW - DAY);
	assert_string_equal(c.rto_backup_id, "b-tested");

	/* An incident recovery that restored data counts too. */
	set_recovery(&st, 0, NOW - HOUR, 2 * HOUR);
	c = eval(&st);
	assert_int_equal(c.rto_source, RTO_SRC_RECOVERY);
	assert_int_equal(c.rto_status, COMP_BREACH);
	assert_int_equal(c.verdict, VERDICT_BREACH);
	assert_string_equal(
	    c.reason, "RTO breached: estimated 2h by recovery (target 1h)");
}

static void drill_that_restored_nothing_is_no_evidence(void **state)
{
	(void)state;
	struct catalog_service_state st = healthy("echo");
	set_test(&st, 0, 0);
	/* A completed drill, but no restore in it: shown, no evidence. */
	st.last_drill_at = NOW - HOUR;
	st.last_drill_duration_s = 3;
	struct compliance_service c = eval(&st);

	assert_int_equal(c.rto_source, RTO_SRC_NONE);
	assert_int_equal(c.rto_estimate_s, -1);
	assert_true(c.untested);
	assert_int_equal(c.last_test_at, 0);
	assert_int_equal(c.last_drill_at, NOW - HOUR);
	assert_int_equal(c.verdict, VERDICT_AT_RISK);
}

static void failed_restore_test_is_at_risk(void **state)
{
	(void)state;
	struct catalog_service_state st = healthy("fails");
	st.newest_test = st.last_test;
	st.newest_test.id = 8;
	st.newest_test.ok = 0;
	st.newest_test.ended_at = NOW - HOUR;
	snprintf(st.newest_test.backup_id, sizeof(st.newest_test.backup_id),
	         "0123456789abcdef");
	st.restore_failures = 2;
	struct compliance_service c = eval(&st);

	/* The older success is still the measured time... */
	assert_int_equal(c.rto_source, RTO_SRC_RESTORE_TEST);
	assert_int_equal(c.rto_estimate_s, 20 * MIN);
	/* ...but the newest test failed. */
	assert_true(c.restore_test_failed);
	assert_int_equal(c.restore_failures, 2);
	assert_int_equal(c.verdict, VERDICT_AT_RISK);
	assert_string_equal(c.reason,
	                    "restore test failed 1h ago (backup 0123456789ab)");
}

static void probe_down_is_at_risk(void **state)
{
	(void)state;
	struct catalog_service_state st = healthy("probed");
	struct compliance_probes probes = {.n_down = 1};
	snprintf(probes.names, sizeof(probes.names), "api");

	compliance_service_clear(&last);
	compliance_eval_service(&st, &probes, &policy, NOW, &last);
	assert_int_equal(last.verdict, VERDICT_AT_RISK);
	assert_int_equal(last.probes_down, 1);
	assert_string_equal(last.reason, "probe down: api");
}

static void rto_from_size_and_throughput_else_unknown(void **state)
{
	(void)state;
	struct catalog_service_state st = healthy("sized");
	set_test(&st, 0, 0);
	st.last_drill_at = 0;
	/* 10 GB of data stored in 1 GB: the estimate reads the 10 GB. */
	st.last_good_backup_size = 1000LL * 1000 * 1000;
	st.last_good_backup_plain = 10LL * 1000 * 1000 * 1000;

	/* No throughput measured: unknown. */
	struct compliance_service c = eval(&st);
	assert_int_equal(c.rto_source, RTO_SRC_NONE);
	assert_int_equal(c.rto_estimate_s, -1);
	assert_int_equal(c.rto_status, COMP_UNKNOWN);
	assert_int_equal(c.verdict, VERDICT_AT_RISK);
	assert_string_equal(c.reason,
	                    "RTO never measured; never tested (no restore test "
	                    "or recovery that restored data)");

	policy.restore_bytes_per_s = 3e6; /* 3333.3 s, rounded up */
	c = eval(&st);
	assert_int_equal(c.rto_source, RTO_SRC_SIZE_ESTIMATE);
	assert_int_equal(c.rto_estimate_s, 3334);
	assert_int_equal(c.rto_status, COMP_AT_RISK);

	/* Plain size unknown: unknown even with a throughput and a stored
	 * size. */
	st.last_good_backup_plain = -1;
	c = eval(&st);
	assert_int_equal(c.rto_status, COMP_UNKNOWN);
	assert_int_equal(c.rto_estimate_s, -1);
	assert_int_equal(c.rto_source, RTO_SRC_NONE);
	st.last_good_backup_size = -1;
	c = eval(&st);
	assert_int_equal(c.rto_status, COMP_UNKNOWN);
	assert_int_equal(c.rto_estimate_s, -1);
	compliance_policy_default(&policy);
}

static void untested_past_the_drill_policy(void **state)
{
	(void)state;
	struct catalog_service_state st = healthy("drills");
	set_test(&st, NOW - 30 * DAY, 20 * MIN);
	struct compliance_service c = eval(&st);

	assert_int_equal(c.drill_policy_s, 30 * DAY);
	assert_int_equal(c.test_age_s, 30 * DAY);
	assert_false(c.untested);
	assert_int_equal(c.verdict, VERDICT_OK);

	set_test(&st, NOW - 30 * DAY - 1, 20 * MIN);
	c = eval(&st);
	assert_true(c.untested);
	assert_int_equal(c.verdict, VERDICT_AT_RISK);
	assert_string_equal(c.reason,
	                    "untested: last test 30d ago (policy 30d)");

	/* The service's own policy wins over the default. */
	st.service.drill_policy_s = 60 * DAY;
	c = eval(&st);
	assert_int_equal(c.drill_policy_s, 60 * DAY);
	assert_false(c.untested);

	/* Never tested at all. */
	st.service.drill_policy_s = 0;
	set_test(&st, 0, 0);
	c = eval(&st);
	assert_true(c.untested);
	assert_int_equal(c.test_age_s, -1);
	assert_int_equal(c.last_test_at, 0);
}

static struct compliance_report three_services(void)
{
	struct compliance_report r;
	struct catalog_service_state ok = healthy("c-ok");
	struct catalog_service_state risk = healthy("a-risk");
	struct catalog_service_state breach = healthy("b-breach");
	struct catalog_service_state never = healthy("d-never");

	risk.last_good_backup_at = NOW - 25 * MIN;
	breach.last_good_backup_at = NOW - HOUR;
	never.last_good_backup_at = 0;

	memset(&r, 0, sizeof(r));
	r.now = NOW;
	r.n = 4;
	r.services = calloc(r.n, sizeof(*r.services));
	assert_non_null(r.services);
	compliance_eval_service(&risk, NULL, &policy, NOW, &r.services[0]);
	compliance_eval_service(&breach, NULL, &policy, NOW, &r.services[1]);
	compliance_eval_service(&ok, NULL, &policy, NOW, &r.services[2]);
	compliance_eval_service(&never, NULL, &policy, NOW, &r.services[3]);
	return r;
}

static void sort_worst_first(void **state)
{
	(void)state;
	struct compliance_report r = three_services();

	compliance_sort_worst_first(&r);
	/* No recovery point is the farthest past the target. */
	assert_string_equal(r.services[0].name, "d-never");
	assert_string_equal(r.services[1].name, "b-breach");
	assert_string_equal(r.services[2].name, "a-risk");
	assert_string_equal(r.services[3].name, "c-ok");

	/* Equal verdict and fraction: by name. */
	struct catalog_service_state x = healthy("zeta"), y = healthy("alpha");
	compliance_eval_service(&x, NULL, &policy, NOW, &r.services[0]);
	compliance_eval_service(&y, NULL, &policy, NOW, &r.services[1]);
	r.n = 2;
	compliance_sort_worst_first(&r);
	assert_string_equal(r.services[0].name, "alpha");
	assert_string_equal(r.services[1].name, "zeta");
	compliance_report_free(&r);
	assert_null(r.services);
	compliance_report_free(NULL);
}

static const cJSON *get(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (v == NULL)
		fail_msg("missing key \"%s\"", key);
	return v;
}

static void json_shape(void **state)
{
	(void)state;
	struct compliance_report r = three_services();
	/* Give b-breach a replica sample, and count by hand (what
	 * compliance_eval does after evaluating). */
	r.services[1].has_replica = 1;
	snprintf(r.services[1].repl_state, sizeof(r.services[1].repl_state),
	         "stopped");
	r.services[1].repl_lag_s = -1;
	r.services[1].repl_lag_bytes = 123;
	r.services[1].repl_sampled_at = NOW - 60;
	r.verdict = VERDICT_BREACH;
	r.n_ok = 1;
	r.n_at_risk = 1;
	r.n_breach = 2;

	char *text = compliance_report_json(&r, "prod", NULL);
	cJSON *root = cJSON_Parse(text);
	assert_non_null(root);

	assert_int_equal(get(root, "schema")->valuedouble, 1);
	assert_string_equal(get(root, "generated_at")->valuestring,
	                    "2026-11-18T11:06:40Z");
	assert_string_equal(get(root, "environment")->valuestring, "prod");
	assert_true(cJSON_IsNull(get(root, "catalog")));
	assert_string_equal(get(root, "verdict")->valuestring, "BREACH");
	const cJSON *counts = get(root, "counts");
	assert_int_equal(get(counts, "services")->valuedouble, 4);
	assert_int_equal(get(counts, "ok")->valuedouble, 1);
	assert_int_equal(get(counts, "at_risk")->valuedouble, 1);
	assert_int_equal(get(counts, "breach")->valuedouble, 2);

	const cJSON *services = get(root, "services");
	assert_true(cJSON_IsArray(services));
	assert_int_equal(cJSON_GetArraySize(services), 4);

	/* a-risk: every field of a service with a backup and a test */
	const cJSON *s = cJSON_GetArrayItem(services, 0);
	assert_string_equal(get(s, "name")->valuestring, "a-risk");
	assert_string_equal(get(s, "tier")->valuestring, "standard");
	assert_string_equal(get(s, "owner")->valuestring, "team");
	assert_string_equal(get(s, "verdict")->valuestring, "AT RISK");
	assert_string_equal(get(s, "reason")->valuestring,
	                    "RPO at risk: last good backup 25m ago "
	                    "(target 30m)");
	const cJSON *rpo = get(s, "rpo");
	assert_int_equal(get(rpo, "target_s")->valuedouble, 1800);
	assert_int_equal(get(rpo, "age_s")->valuedouble, 1500);
	assert_string_equal(get(rpo, "status")->valuestring, "at risk");
	assert_true(cJSON_IsFalse(get(rpo, "from_replica")));
	assert_string_equal(get(rpo, "last_good_backup")->valuestring,
	                    "2026-11-18T10:41:40Z");
	assert_true(cJSON_IsFalse(get(rpo, "clock_skew")));
	const cJSON *rto = get(s, "rto");
	assert_int_equal(get(rto, "target_s")->valuedouble, 3600);
	assert_int_equal(get(rto, "estimate_s")->valuedouble, 1200);
	assert_string_equal(get(rto, "status")->valuestring, "ok");
	assert_string_equal(get(rto, "source")->valuestring, "restore test");
	const cJSON *tests = get(s, "tests");
	assert_string_equal(get(tests, "last_at")->valuestring,
	                    "2026-11-17T11:06:40Z");
	assert_int_equal(get(tests, "age_s")->valuedouble, DAY);
	assert_int_equal(get(tests, "policy_s")->valuedouble, 30 * DAY);
	assert_true(cJSON_IsFalse(get(tests, "untested")));
	const cJSON *health = get(s, "health");
	assert_string_equal(get(health, "status")->valuestring, "healthy");
	assert_int_equal(get(health, "failure_count")->valuedouble, 0);
	assert_string_equal(get(health, "last_attempt_at")->valuestring,
	                    "2026-11-18T10:55:40Z");
	assert_string_equal(get(health, "last_attempt_status")->valuestring,
	                    "completed");
	assert_true(cJSON_IsNull(get(s, "replication")));

	/* b-breach: a replication object with its nulls */
	s = cJSON_GetArrayItem(services, 1);
	assert_string_equal(get(s, "verdict")->valuestring, "BREACH");
	const cJSON *repl = get(s, "replication");
	assert_true(cJSON_IsObject(repl));
	assert_string_equal(get(repl, "state")->valuestring, "stopped");
	assert_true(cJSON_IsNull(get(repl, "lag_s")));
	assert_int_equal(get(repl, "lag_bytes")->valuedouble, 123);
	assert_string_equal(get(repl, "sampled_at")->valuestring,
	                    "2026-11-18T11:05:40Z");

	/* c-ok */
	s = cJSON_GetArrayItem(services, 2);
	assert_string_equal(get(s, "verdict")->valuestring, "OK");
	assert_string_equal(get(s, "reason")->valuestring, "");

	/* d-never: no recovery point */
	s = cJSON_GetArrayItem(services, 3);
	rpo = get(s, "rpo");
	assert_true(cJSON_IsNull(get(rpo, "age_s")));
	assert_true(cJSON_IsNull(get(rpo, "last_good_backup")));
	assert_string_equal(get(rpo, "status")->valuestring, "breach");

	cJSON_Delete(root);
	free(text);
	compliance_report_free(&r);
}

static void json_nulls_of_an_unknown_service(void **state)
{
	(void)state;
	struct catalog_service_state st;
	struct compliance_report r;

	memset(&st, 0, sizeof(st));
	snprintf(st.service.name, sizeof(st.service.name), "bare");
	st.last_good_backup_size = -1;
	st.last_good_backup_plain = -1;
	st.health.estimated_full_recovery_s = -1;
	st.last_drill_duration_s = -1;
	memset(&r, 0, sizeof(r));
	r.now = NOW;
	r.n = 1;
	r.services = calloc(1, sizeof(*r.services));
	assert_non_null(r.services);
	compliance_eval_service(&st, NULL, &policy, NOW, &r.services[0]);
	r.verdict = r.services[0].verdict;

	char *text = compliance_report_json(&r, NULL, "/tmp/c.db");
	cJSON *root = cJSON_Parse(text);
	assert_non_null(root);
	assert_true(cJSON_IsNull(get(root, "environment")));
	assert_string_equal(get(root, "catalog")->valuestring, "/tmp/c.db");
	assert_string_equal(get(root, "verdict")->valuestring, "AT RISK");
	const cJSON *s = cJSON_GetArrayItem(get(root, "services"), 0);
	assert_true(cJSON_IsNull(get(s, "tier")));
	assert_true(cJSON_IsNull(get(s, "owner")));
	assert_true(cJSON_IsNull(get(get(s, "rpo"), "target_s")));
	assert_true(cJSON_IsNull(get(get(s, "rpo"), "age_s")));
	assert_string_equal(get(get(s, "rpo"), "status")->valuestring,
	                    "unknown");
	assert_true(cJSON_IsNull(get(get(s, "rto"), "target_s")));
	assert_true(cJSON_IsNull(get(get(s, "rto"), "estimate_s")));
	assert_string_equal(get(get(s, "rto"), "source")->valuestring, "none");
	assert_true(cJSON_IsNull(get(get(s, "tests"), "last_at")));
	assert_true(cJSON_IsNull(get(get(s, "tests"), "age_s")));
	assert_true(cJSON_IsTrue(get(get(s, "tests"), "untested")));
	assert_true(cJSON_IsNull(get(get(s, "health"), "status")));
	assert_true(cJSON_IsNull(get(get(s, "health"), "last_attempt_at")));
	assert_true(cJSON_IsNull(get(get(s, "health"), "last_attempt_status")));
	assert_true(cJSON_IsNull(get(s, "replication")));
	cJSON_Delete(root);
	free(text);
	compliance_report_free(&r);
}

/* compliance_eval over a real catalog: every service, by name, counted. */
static void eval_reads_the_catalog(void **state)
{
	(void)state;
	char dir[] = "/tmp/drcompXXXXXX", path[64];
	struct catalog *cat = NULL;
	char *err = NULL;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/catalog.db", dir);
	if (catalog_open(path, CATALOG_CREATE, &cat, &err) != CATALOG_OK)
		fail_msg("catalog_open: %s", err);

	struct catalog_tier tier = {
	    .name = "standard", .rto_s = HOUR, .rpo_s = 30 * MIN};
	assert_int_equal(catalog_tier_put(cat, &tier, &err), CATALOG_OK);
	const char *names[] = {"web", "ledger", "cache"};
	for (int i = 0; i < 3; i++) {
		struct catalog_service s;
		memset(&s, 0, sizeof(s));
		snprintf(s.name, sizeof(s.name), "%s", names[i]);
		snprintf(s.tier, sizeof(s.tier), "standard");
		if (catalog_service_add(cat, &s, &err) != CATALOG_OK)
			fail_msg("catalog_service_add: %s", err);
	}
	/* web: backed up 10 minutes ago and restore-tested yesterday; ledger:
	 * backed up 2 hours ago; cache: never. */
	const struct {
		const char *service;
		int64_t completed_at;
	} backups[] = {{"web", NOW - 10 * MIN}, {"ledger", NOW - 2 * HOUR}};
	for (size_t i = 0; i < 2; i++) {
		struct catalog_backup b;
		memset(&b, 0, sizeof(b));
		uuid_v4(b.backup_id);
		snprintf(b.service, sizeof(b.service), "%s",
		         backups[i].service);
		snprintf(b.type, sizeof(b.type), "full");
		snprintf(b.status, sizeof(b.status), "completed");
		b.size_bytes = 1000;
		b.started_at = backups[i].completed_at - 60;
		b.completed_at = backups[i].completed_at;
		if (catalog_backup_insert(cat, &b, &err) != CATALOG_OK)
			fail_msg("catalog_backup_insert: %s", err);
	}
	struct catalog_restore test = {.ok = 1, .bytes = 1000};
	snprintf(test.kind, sizeof(test.kind), "restore-test");
	snprintf(test.service, sizeof(test.service), "web");
	test.ended_at = NOW - DAY;
	test.duration_s = 20 * MIN;
	assert_int_equal(catalog_restore_record(cat, &test, &err), CATALOG_OK);

	struct compliance_report r;
	assert_int_equal(compliance_eval(cat, &policy, NOW, &r, &err), DR_OK);
	assert_int_equal(r.now, NOW);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.services[0].name, "cache");
	assert_string_equal(r.services[1].name, "ledger");
	assert_string_equal(r.services[2].name, "web");
	assert_int_equal(r.services[0].verdict, VERDICT_BREACH);
	assert_int_equal(r.services[1].verdict, VERDICT_BREACH);
	assert_int_equal(r.services[1].rpo_age_s, 2 * HOUR);
	assert_int_equal(r.services[2].verdict, VERDICT_OK);
	assert_int_equal(r.services[2].rpo_age_s, 10 * MIN);
	assert_int_equal(r.services[2].rto_source, RTO_SRC_RESTORE_TEST);
	assert_int_equal(r.verdict, VERDICT_BREACH);
	assert_int_equal(r.n_ok, 1);
	assert_int_equal(r.n_at_risk, 0);
	assert_int_equal(r.n_breach, 2);
	compliance_report_free(&r);

	catalog_close(cat);
	const char *files[] = {"catalog.db", "catalog.db-wal",
	                       "catalog.db-shm"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

static void names(void **state)
{
	(void)state;
	assert_string_equal(verdict_name(VERDICT_OK), "OK");
	assert_string_equal(verdict_name(VERDICT_AT_RISK), "AT RISK");
	assert_string_equal(verdict_name(VERDICT_BREACH), "BREACH");
	assert_string_equal(comp_status_name(COMP_OK), "ok");
	assert_string_equal(comp_status_name(COMP_AT_RISK), "at risk");
	assert_string_equal(comp_status_name(COMP_BREACH), "breach");
	assert_string_equal(comp_status_name(COMP_UNKNOWN), "unknown");
	assert_string_equal(rto_source_name(RTO_SRC_SIZE_ESTIMATE),
	                    "size estimate");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(healthy_service_is_ok, setup),
	    cmocka_unit_test_setup(no_backup_ever_is_a_breach, setup),
	    cmocka_unit_test_setup(only_failed_backups, setup),
	    cmocka_unit_test_setup(failing_backups_put_a_fresh_service_at_risk,
	                           setup),
	    cmocka_unit_test_setup(
	        backup_completed_in_the_future_is_flagged_not_fresh, setup),
	    cmocka_unit_test_setup(small_skew_within_tolerance_is_fresh, setup),
	    cmocka_unit_test_setup(tolerated_future_backup_is_the_evidence,
	                           setup),
	    cmocka_unit_test_setup(
	        exactly_on_the_rpo_boundary_is_ok_one_second_past_breach,
	        setup),
	    cmocka_unit_test_setup(eighty_percent_boundary, setup),
	    cmocka_unit_test_setup(no_tier_and_no_own_targets, setup),
	    cmocka_unit_test_setup(own_targets_override_the_tier, setup),
	    cmocka_unit_test_setup(replica_makes_the_age_smaller, setup),
	    cmocka_unit_test_setup(stale_replica_sample_does_not_help, setup),
	    cmocka_unit_test_setup(worst_live_link_stands_for_the_service,
	                           setup),
	    cmocka_unit_test_setup(drill_that_restored_nothing_is_no_evidence,
	                           setup),
	    cmocka_unit_test_setup(failed_restore_test_is_at_risk, setup),
	    cmocka_unit_test_setup(probe_down_is_at_risk, setup),
	    cmocka_unit_test_setup(rto_newest_of_restore_test_and_drill, setup),
	    cmocka_unit_test_setup(rto_from_size_and_throughput_else_unknown,
	                           setup),
	    cmocka_unit_test_setup(untested_past_the_drill_policy, setup),
	    cmocka_unit_test_setup(sort_worst_first, setup),
	    cmocka_unit_test_setup(json_shape, setup),
	    cmocka_unit_test_setup(json_nulls_of_an_unknown_service, setup),
	    cmocka_unit_test_setup(eval_reads_the_catalog, setup),
	    cmocka_unit_test_setup(names, setup),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
