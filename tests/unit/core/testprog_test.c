/* core/testprog.c against a real catalog: which runs count for which test
 * (restore tests by target, drills by runbook, service and end), and when
 * each test falls due. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/error.h"
#include "core/testprog.h"
#include "db/catalog.h"

#define T0  1795000000
#define DAY 86400

struct fixture {
	char dir[64];
	char path[96];
	struct catalog *cat;
};

static int open_catalog(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char *err = NULL;

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/drtestprogXXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/catalog.db", f->dir);
	if (catalog_open(f->path, CATALOG_CREATE, &f->cat, &err) != CATALOG_OK)
		fail_msg("catalog_open: %s", err);
	const char *names[] = {"db", "web"};
	const char *tiers[] = {"critical", "low"};
	for (int i = 0; i < 2; i++) {
		struct catalog_service s;
		memset(&s, 0, sizeof s);
		snprintf(s.name, sizeof s.name, "%s", names[i]);
		snprintf(s.tier, sizeof s.tier, "%s", tiers[i]);
		if (catalog_service_add(f->cat, &s, &err) != CATALOG_OK)
			fail_msg("service_add: %s", err);
	}
	*state = f;
	return 0;
}

static int close_catalog(void **state)
{
	struct fixture *f = *state;
	char p[160];

	catalog_close(f->cat);
	const char *ext[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/catalog.db%s", f->dir, ext[i]);
		unlink(p);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

static void put_test(struct catalog *cat, const char *service,
                     const char *target, int64_t at, int ok)
{
	struct catalog_restore r;
	char *err = NULL;

	memset(&r, 0, sizeof r);
	snprintf(r.kind, sizeof r.kind, "restore-test");
	snprintf(r.service, sizeof r.service, "%s", service);
	snprintf(r.target, sizeof r.target, "%s", target);
	r.started_at = at - 10;
	r.ended_at = at;
	r.duration_s = 10;
	r.bytes = 100;
	r.ok = ok;
	if (!ok)
		snprintf(r.error, sizeof r.error, "SHA-256 mismatch");
	if (catalog_restore_record(cat, &r, &err) != CATALOG_OK)
		fail_msg("restore_record: %s", err);
}

static void put_drill(struct catalog *cat, const char *id, const char *runbook,
                      const char *services, const char *status, int64_t at)
{
	struct catalog_recovery r;
	char *err = NULL;

	memset(&r, 0, sizeof r);
	snprintf(r.recovery_id, sizeof r.recovery_id, "%s", id);
	snprintf(r.incident_type, sizeof r.incident_type, "drill");
	snprintf(r.recovery_procedure, sizeof r.recovery_procedure, "%s",
	         runbook);
	snprintf(r.recovery_status, sizeof r.recovery_status, "%s", status);
	r.affected_services = (char *)services;
	r.is_drill = 1;
	r.actual_recovery_s = 600;
	r.data_loss_minutes = -1;
	r.initiated_at = at - 600;
	r.incident_started_at = at - 600;
	r.completed_at = strcmp(status, "in_progress") == 0 ? 0 : at;
	if (catalog_recovery_insert(cat, &r, &err) != CATALOG_OK)
		fail_msg("recovery_insert: %s", err);
}

static const struct test_status *find(const struct test_status *ts, size_t n,
                                      const char *service, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(ts[i].service, service) == 0 &&
		    strcmp(ts[i].spec->name, name) == 0)
			return &ts[i];
	fail_msg("no status of %s for %s", name, service);
	return NULL;
}

static void test_restore_by_target(void **state)
{
	struct fixture *f = *state;
	struct test_spec specs[2];
	struct test_programme prog = {specs, 2};
	struct test_status *ts = NULL;
	size_t n = 0;
	char *err = NULL;

	memset(specs, 0, sizeof specs);
	snprintf(specs[0].name, sizeof specs[0].name, "any-restore");
	snprintf(specs[0].kind, sizeof specs[0].kind, "restore");
	snprintf(specs[0].service, sizeof specs[0].service, "db");
	specs[0].every_s = 7 * DAY;
	specs[1] = specs[0];
	snprintf(specs[1].name, sizeof specs[1].name, "nightly-restore");
	snprintf(specs[1].target, sizeof specs[1].target, "db-nightly");

	/* Never run: due now, overdue. */
	assert_int_equal(testprog_eval(f->cat, &prog, NULL, T0, &ts, &n, &err),
	                 DR_OK);
	assert_int_equal(n, 2); /* db only: web has no test */
	assert_true(find(ts, n, "db", "any-restore")->overdue);
	assert_int_equal(find(ts, n, "db", "any-restore")->due_at, 0);
	free(ts);

	put_test(f->cat, "db", "db-nightly", T0 - 3 * DAY, 1);
	put_test(f->cat, "db", "db-hourly", T0 - 1 * DAY, 1);
	put_test(f->cat, "db", "db-nightly", T0 - 2 * DAY, 0);
	assert_int_equal(testprog_eval(f->cat, &prog, NULL, T0, &ts, &n, &err),
	                 DR_OK);
	const struct test_status *any = find(ts, n, "db", "any-restore");
	const struct test_status *nightly =
	    find(ts, n, "db", "nightly-restore");
	/* Any target: the newest run is the hourly one, passed. */
	assert_int_equal(any->last_at, T0 - DAY);
	assert_true(any->last_ok);
	assert_int_equal(any->due_at, T0 + 6 * DAY);
	assert_false(any->overdue);
	/* The nightly one: its newest run failed; due from its last pass. */
	assert_int_equal(nightly->last_at, T0 - 2 * DAY);
	assert_false(nightly->last_ok);
	assert_string_equal(nightly->last_error, "SHA-256 mismatch");
	assert_int_equal(nightly->last_pass_at, T0 - 3 * DAY);
	assert_int_equal(nightly->due_at, T0 + 4 * DAY);
	free(ts);
	/* Eight days on both are overdue. */
	assert_int_equal(
	    testprog_eval(f->cat, &prog, "db", T0 + 8 * DAY, &ts, &n, &err),
	    DR_OK);
	assert_true(find(ts, n, "db", "any-restore")->overdue);
	assert_true(find(ts, n, "db", "nightly-restore")->overdue);
	free(ts);
}

static void test_drill_by_runbook_and_tier(void **state)
{
	struct fixture *f = *state;
	struct test_spec spec;
	struct test_programme prog = {&spec, 1};
	struct test_status *ts = NULL;
	size_t n = 0;
	char *err = NULL;

	memset(&spec, 0, sizeof spec);
	snprintf(spec.name, sizeof spec.name, "quarterly-failover");
	snprintf(spec.kind, sizeof spec.kind, "drill");
	snprintf(spec.tier, sizeof spec.tier, "critical");
	snprintf(spec.runbook, sizeof spec.runbook, "database-corruption");
	spec.every_s = 90 * DAY;

	/* Another runbook, another service, one still running, one of a
	 * name that only starts like the service's: none counts. */
	put_drill(f->cat, "r1", "regional-failover", "db", "completed",
	          T0 - 10 * DAY);
	put_drill(f->cat, "r2", "database-corruption", "web", "completed",
	          T0 - 9 * DAY);
	put_drill(f->cat, "r3", "database-corruption", "db", "in_progress",
	          T0 - 8 * DAY);
	put_drill(f->cat, "r4", "database-corruption", "dbx, web", "completed",
	          T0 - 7 * DAY);
	assert_int_equal(testprog_eval(f->cat, &prog, NULL, T0, &ts, &n, &err),
	                 DR_OK);
	assert_int_equal(n, 1); /* the tier's one service */
	assert_string_equal(ts[0].service, "db");
	assert_int_equal(ts[0].last_at, 0);
	assert_true(ts[0].overdue);
	free(ts);

	/* A completed drill of it with db in its list passes; an aborted
	 * one after it is the newest run, failed. */
	put_drill(f->cat, "r5", "database-corruption", "web, db", "completed",
	          T0 - 6 * DAY);
	put_drill(f->cat, "r6", "database-corruption", "db", "aborted",
	          T0 - 5 * DAY);
	assert_int_equal(testprog_eval(f->cat, &prog, NULL, T0, &ts, &n, &err),
	                 DR_OK);
	assert_int_equal(ts[0].last_at, T0 - 5 * DAY);
	assert_false(ts[0].last_ok);
	assert_string_equal(ts[0].last_id, "r6");
	assert_string_equal(ts[0].last_error, "the drill ended aborted");
	assert_int_equal(ts[0].last_pass_at, T0 - 6 * DAY);
	assert_int_equal(ts[0].due_at, T0 + 84 * DAY);
	assert_false(ts[0].overdue);
	free(ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_restore_by_target,
	                                    open_catalog, close_catalog),
	    cmocka_unit_test_setup_teardown(test_drill_by_runbook_and_tier,
	                                    open_catalog, close_catalog),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
