/* The DR test programme (issue 18): the tests a team owes, each with how
 * often it falls due, and where each stands.  The config's "tests" array
 * (drconsole.conf(5), TESTS):
 *
 *   "tests": [
 *     {"name": "monthly-restore", "kind": "restore", "every": "30d",
 *      "service": "billing", "target": "billing-nightly"},
 *     {"name": "quarterly-db-failover", "kind": "drill",
 *      "runbook": "database-corruption", "every": "90d", "tier": "critical"}
 *   ]
 *
 * A test is for one service ("service") or for every service of a tier
 * ("tier").  A restore test's result is the service's newest restore test
 * (of "target" when given); a drill's, the newest drill of "runbook" that
 * took in the service and ended.  A test falls due "every" after its last
 * pass (one that never passed is due already) and is overdue past that:
 * the service is then untested (core/compliance.c).  Nothing here writes:
 * the agent runs due restore tests and announces due drills
 * (core/agent_backup.c); `drconsole tests` lists them. */
#ifndef DR_TESTPROG_H
#define DR_TESTPROG_H

#include <stddef.h>
#include <stdint.h>

#include "core/json.h"
#include "db/catalog.h"

struct config;
struct backup_target;

struct test_spec {
	char name[64];
	char kind[8]; /* restore | drill */
	int64_t every_s;
	char service[64]; /* "" when for a tier */
	char tier[32];    /* "" when for a service */
	char target[96];  /* restore: the backup target, or "" (any) */
	char runbook[96]; /* drill: the runbook */
};

struct test_programme {
	struct test_spec *specs;
	size_t n;
};

/* One test of one service, and where it stands at `now`. */
struct test_status {
	const struct test_spec *spec;
	char service[64];
	int64_t last_at;      /* the newest run's end; 0: never run */
	int last_ok;          /* the newest run passed */
	char last_id[40];     /* restore id (as text) or recovery id */
	char last_error[160]; /* why the newest run failed */
	int64_t last_pass_at; /* 0: never passed */
	int64_t due_at;       /* last_pass_at + every; 0: due since ever */
	int overdue;          /* due_at is past (or it never passed) */
};

/* The "tests" section parser for core/config.c's table, and its free. */
int testprog_config_parse(struct config *cfg, const struct json_doc *doc,
                          const cJSON *node, struct json_errors *errs);
void testprog_config_free(struct config *cfg);
/* After every section is read: each test's "target" is a backup target of
 * its service (at the target's line and column when not). */
void testprog_config_check(struct config *cfg, const struct json_doc *doc,
                           const cJSON *node, struct json_errors *errs);

/* Every test of every service in the catalog (by service, then in the
 * config's order), with its standing at now; service non-NULL: that
 * service's only.  *out malloc'd (free()); its specs point into prog. */
int testprog_eval(struct catalog *cat, const struct test_programme *prog,
                  const char *service, int64_t now, struct test_status **out,
                  size_t *n, char **err);

/* The post-test record of one run (DR plan section 6.3): a restore test
 * or a drill of one service, with the checklist an on-call engineer
 * fills in after a test, from the catalog's facts; -1 where a fact is
 * unknown. */
struct test_run {
	char id[40];   /* restore test id (as text) or recovery id */
	char kind[16]; /* restore-test | drill */
	char service[64];
	char what[160]; /* the backup target and backup, or the runbook */
	int64_t started_at;
	int64_t ended_at;
	int passed;
	char error[160];
	int64_t recovery_s;   /* the restore's or drill's time; -1 unknown */
	int64_t rto_target_s; /* 0: none */
	int within_rto;       /* 1, 0, -1 unknown */
	int64_t data_loss_s;  /* -1 unknown */
	int64_t rpo_target_s; /* 0: none */
	int within_rpo;       /* 1, 0, -1 unknown */
	int alerts;           /* notifications queued while it ran */
	char alert_list[256]; /* "probe:db:api down, ..." */
	char followups[1024]; /* tests note; "" none */
	char followups_by[128];
};

/* The newest `limit` runs (0: all) of restore tests and ended drills,
 * newest first; service NULL: every service's. */
int testprog_runs(struct catalog *cat, const char *service, size_t limit,
                  struct test_run **out, size_t *n, char **err);
char *testprog_runs_json(const struct test_run *runs, size_t n, int64_t now);
/* One run as an object of that array. */
cJSON *testprog_run_json(const struct test_run *t);

/* The JSON form `drconsole tests --json` prints (drconsole(1)); malloc'd.
 * {"schema": 1, "generated_at": ISO, "tests": [{"service", "name", "kind",
 *  "every_s", "target" | null, "runbook" | null, "last_at" | null,
 *  "last_ok" | null, "last_id" | null, "last_error" | null,
 *  "last_pass_at" | null, "due_at" | null, "overdue"}]} */
char *testprog_json(const struct test_status *ts, size_t n, int64_t now);

/* A copy of prog (NULL for NULL) that outlives its config; freed with
 * testprog_free. */
struct test_programme *testprog_dup(const struct test_programme *prog);
void testprog_free(struct test_programme *prog);

/* The backup target a restore test of service uses: the test's own
 * "target", else the service's only one; NULL with *err saying why. */
const struct backup_target *testprog_target(const struct config *cfg,
                                            const struct test_spec *spec,
                                            const char *service, char **err);

/* Whether spec applies to the service of that tier. */
int testprog_applies(const struct test_spec *spec, const char *service,
                     const char *tier);

#endif
