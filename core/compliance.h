/* Compliance, exactly as docs/EVIDENCE.md defines it (DESIGN.md
 * "Compliance, precisely" is the short form).
 *
 * For each service:
 *  - recovery-point age = now - completed_at of its newest completed or
 *    verified backup (one completed in the future is clock skew: flagged,
 *    never fresh); where the worst of its live replica links is usable
 *    (streaming or catchup, lag in seconds known), the smaller of that and
 *    the link's age, now - (sampled_at - lag_s).  Copies are never
 *    recovery points; links whose newest sample is older than
 *    replica_max_age_s are stale and count for nothing.
 *  - RPO ok when age <= target, at risk past 80 % of it, breach past it.
 *  - RTO estimate = the newest evidence: an ok restore test (its
 *    duration) or a completed recovery during which a restore of the
 *    service succeeded (its recovery time); else the last good backup's
 *    plain (uncompressed) size / restore throughput, where its plain size
 *    is known; ok when <= target, at risk past 80 %, breach past it;
 *    unknown otherwise.
 *  - untested when the newest evidence is older than the drill policy
 *    (default 30 days) or there is none.
 *  - verdict: BREACH when RPO or RTO is breached; AT RISK when either is at
 *    risk or unknown, the service is untested, its backups are failing
 *    (health warning or critical), its clock is skewed, a probe is down or
 *    its newest restore test failed; else OK.
 * Overall: BREACH if any service is in breach, else AT RISK if any is at
 * risk, else OK. */
#ifndef DR_COMPLIANCE_H
#define DR_COMPLIANCE_H

#include <stddef.h>
#include <stdint.h>

#include "db/catalog.h"

enum comp_status {
	COMP_OK = 0,
	COMP_AT_RISK,
	COMP_BREACH,
	COMP_UNKNOWN, /* no target, or nothing to measure */
};

enum verdict {
	VERDICT_OK = 0,
	VERDICT_AT_RISK,
	VERDICT_BREACH,
};

struct test_programme;

struct compliance_policy {
	int64_t drill_policy_s;     /* default 30 days */
	double at_risk_fraction;    /* default 0.8 */
	double restore_bytes_per_s; /* for size-based RTO estimates; 0: none */
	int64_t skew_tolerance_s;   /* completed_at this far ahead is fine */
	int64_t replica_max_age_s;  /* a link's sample is evidence this long */
	/* The config's test programme (core/testprog.h), or NULL: an overdue
	 * test makes its service untested. */
	const struct test_programme *programme;
};

enum rto_source {
	RTO_SRC_NONE = 0,
	RTO_SRC_RESTORE_TEST,
	RTO_SRC_DRILL,
	RTO_SRC_SIZE_ESTIMATE,
	RTO_SRC_RECOVERY, /* an incident recovery that restored data */
};

/* One replication link of a service as the console shows it. */
struct compliance_link {
	char source[128];
	char target[128];
	char kind[8];   /* replica | copy */
	char state[16]; /* streaming | catchup | stopped | down | unknown */
	double lag_s;   /* -1: unknown */
	int64_t lag_bytes;
	int64_t sampled_at;
	int live; /* sampled within replica_max_age_s */
};

struct compliance_service {
	char name[64];
	char tier[32];
	char owner[64];
	int64_t rpo_target_s; /* 0: none */
	int64_t rto_target_s; /* 0: none */

	int64_t last_good_backup_at; /* 0: never */
	int64_t rpo_age_s;           /* -1: no recovery point */
	int rpo_from_replica;
	double rpo_fraction; /* age / target; -1 when either is unknown */
	enum comp_status rpo_status;
	int clock_skew;
	int64_t future_backup_at;

	int64_t rto_estimate_s; /* -1: unknown */
	enum rto_source rto_source;
	double rto_fraction;
	enum comp_status rto_status;

	int64_t last_test_at; /* newest restore test or drill; 0: never */
	int64_t test_age_s;   /* -1: never */
	int64_t drill_policy_s;
	int untested;

	char health[16]; /* healthy | degraded | warning | critical */
	int failure_count;
	int64_t last_attempt_at;
	char last_attempt_status[16];

	/* The worst live replica link (has_replica), or, with none live, the
	 * newest stale one (repl_stale). */
	int has_replica;
	int repl_stale;
	char repl_source[128];
	char repl_target[128];
	char repl_state[16];
	double repl_lag_s;
	int64_t repl_lag_bytes;
	int64_t repl_sampled_at;
	/* Every link, replicas then copies (owned by the report). */
	struct compliance_link *links;
	size_t n_links;

	/* What each figure stands on (docs/EVIDENCE.md); "" / 0: nothing. */
	char rpo_evidence_id[160]; /* backup id, or "source -> target" */
	int64_t rpo_evidence_at;
	char rto_evidence_id[40]; /* restore id (as text) or recovery id */
	char rto_backup_id[40];
	int64_t rto_bytes;      /* -1: unknown */
	int64_t rto_duration_s; /* -1: unknown */
	int64_t rto_evidence_at;
	char last_attempt_id[40];
	int restore_failures;    /* failed restore tests since the last ok */
	int restore_test_failed; /* the newest restore test failed */
	char restore_test_error[160];
	int64_t last_drill_at; /* newest completed drill, evidence or not */
	int probes_down;
	char probes_down_names[160]; /* "api, db" */
	/* Tests of the programme past their due date (policy.programme). */
	int tests_overdue;
	char tests_overdue_names[160]; /* "monthly-restore, ..." */

	enum verdict verdict;
	char reason[160]; /* why it is not OK; "" when OK */
	/* The same with its ages as times ("last good backup at 01:14
	 * UTC"): for a board that must not change while nothing happens
	 * (the Dashboard's reason lines); the age is in its own column. */
	char reason_fixed[160];
};

struct compliance_report {
	int64_t now;
	struct compliance_service *services; /* by name */
	size_t n;
	enum verdict verdict;
	size_t n_ok, n_at_risk, n_breach;
};

void compliance_policy_default(struct compliance_policy *policy);
/* Pure: evaluates one service from its catalog state. */
/* The probes of a service that are down, for compliance_eval_service. */
struct compliance_probes {
	int n_down;
	char names[160]; /* "api, db" */
};
void compliance_eval_service(const struct catalog_service_state *st,
                             const struct compliance_probes *probes,
                             const struct compliance_policy *policy,
                             int64_t now, struct compliance_service *out);
/* Frees what compliance_eval_service allocated in one service. */
void compliance_service_clear(struct compliance_service *s);
/* Reads every service's state and probe states from the catalog and
 * evaluates them. */
int compliance_eval(struct catalog *cat, const struct compliance_policy *policy,
                    int64_t now, struct compliance_report *out, char **err);
void compliance_report_free(struct compliance_report *report);
/* Orders services worst first (breach, at risk, ok), then by how far past
 * the RPO target, then by name. */
void compliance_sort_worst_first(struct compliance_report *report);

const char *verdict_name(enum verdict v); /* "OK", "AT RISK", "BREACH" */
const char *comp_status_name(enum comp_status s); /* "ok", "at risk", ... */
const char *rto_source_name(enum rto_source s);

/* The stable JSON form documented in drconsole(1) (status --json).
 * Returns malloc'd text (free()).  Schema 1; fields are only ever added,
 * and a change of meaning bumps "schema".  Times are ISO-8601 UTC
 * ("2026-11-22T03:04:05Z"), durations whole seconds; null means none or
 * unknown.  Services come in the report's order.
 *
 * {
 *   "schema": 1,
 *   "generated_at": "2026-11-22T03:04:05Z",   (the evaluation's "now")
 *   "environment": "prod" | null,
 *   "catalog": "/path/catalog.db" | null,
 *   "verdict": "OK" | "AT RISK" | "BREACH",
 *   "counts": { "services": N, "ok": N, "at_risk": N, "breach": N },
 *   "services": [ {
 *     "name": "billing",
 *     "tier": "critical" | null,
 *     "owner": "payments" | null,
 *     "verdict": "OK" | "AT RISK" | "BREACH",
 *     "reason": "RPO breached: last good backup 2h10m ago (target 30m)"
 *               ("" when OK; worst first, items separated by "; "),
 *     "rpo": {
 *       "target_s": 1800 | null,              (null: no target)
 *       "age_s": 7800 | null,                 (null: no recovery point)
 *       "status": "ok" | "at risk" | "breach" | "unknown",
 *       "from_replica": false,                (age comes from a replica)
 *       "last_good_backup": ISO | null,
 *       "clock_skew": false                   (a backup completed in the
 *                                              future beyond tolerance)
 *     },
 *     "rto": {
 *       "target_s": 3600 | null,
 *       "estimate_s": 1200 | null,
 *       "status": "ok" | "at risk" | "breach" | "unknown",
 *       "source": "restore test" | "drill" | "size estimate" | "none"
 *     },
 *     "tests": {
 *       "last_at": ISO | null,                (newest restore test or drill)
 *       "age_s": 86400 | null,
 *       "policy_s": 2592000,
 *       "untested": false
 *     },
 *     "health": {
 *       "status": "healthy" | "degraded" | "warning" | "critical" | null,
 *       "failure_count": 0,
 *       "last_attempt_at": ISO | null,        (newest backup of any status)
 *       "last_attempt_status": "completed" | "failed" | ... | null
 *     },
 *     "replication": null | {
 *       "state": "streaming" | "catchup" | "stopped" | "down" | "unknown",
 *       "lag_s": 1.5 | null,
 *       "lag_bytes": 4096 | null,
 *       "sampled_at": ISO | null
 *     }
 *   } ]
 * } */
char *compliance_report_json(const struct compliance_report *report,
                             const char *environment, const char *catalog);

#endif
