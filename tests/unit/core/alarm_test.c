/* core/notify.c and core/alarm.c against a real catalog: what is queued,
 * held back, deduplicated, silenced and repeated, the digest, drills'
 * budget, acknowledgements and their audit rows, and the undelivered bad
 * news agent status and the console show.  Deliveries go to a closed
 * port on loopback, so every attempt fails at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/alarm.h"
#include "core/audit.h"
#include "core/error.h"
#include "core/notify.h"
#include "db/catalog_agent.h"

#define T0 1795000000

struct fixture {
	char dir[64];
	char path[96];
	struct catalog *cat;
	struct notify_config nc;
	struct notify_channel ch;
};

static int open_catalog(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char *err = NULL;

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/draalarmXXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/catalog.db", f->dir);
	if (catalog_open(f->path, CATALOG_CREATE, &f->cat, &err) != CATALOG_OK)
		fail_msg("catalog_open: %s", err);
	audit_attach(f->cat);
	setenv("DRCONSOLE_NOW", "1795000000", 1);
	snprintf(f->ch.name, sizeof(f->ch.name), "ops");
	f->ch.kind = NOTIFY_JSON;
	f->ch.url = "http://127.0.0.1:1/hook";
	f->nc.channels = &f->ch;
	f->nc.n_channels = 1;
	f->nc.dedup_window_s = 3600;
	f->nc.rate_limit = 2;
	f->nc.rate_window_s = 600;
	f->nc.retries = 0;
	f->nc.backoff_s = 1;
	f->nc.backoff_max_s = 1;
	f->nc.timeout_ms = 1000;
	f->nc.repeat_s = 0;
	*state = f;
	return 0;
}

static int close_catalog(void **state)
{
	struct fixture *f = *state;
	char p[160];

	catalog_close(f->cat);
	snprintf(p, sizeof(p), "%s/catalog.db", f->dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/catalog.db-wal", f->dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/catalog.db-shm", f->dir);
	unlink(p);
	rmdir(f->dir);
	free(f);
	unsetenv("DRCONSOLE_NOW");
	return 0;
}

static void event(struct fixture *f, const char *subject, const char *state,
                  int drill, int64_t at)
{
	struct notify_event ev = {
	    .type = "probe",
	    .service = "app",
	    .subject = subject,
	    .state = state,
	    .drill = drill,
	};
	char *err = NULL;

	if (notify_event(f->cat, &f->nc, NULL, &ev, at, 0, NULL, &err) != DR_OK)
		fail_msg("notify_event: %s", err);
}

/* The outbox, oldest first, as "state/status" words. */
static void outbox(struct fixture *f, char *buf, size_t size)
{
	struct catalog_notify *rows = NULL;
	size_t n = 0, used = 0;
	char *err = NULL;

	assert_int_equal(catalog_notify_list(f->cat, 0, &rows, &n, &err),
	                 CATALOG_OK);
	buf[0] = '\0';
	for (size_t i = n; i-- > 0;)
		used += (size_t)snprintf(buf + used, size - used, "%s%s/%s",
		                         used ? " " : "", rows[i].state,
		                         rows[i].status);
	free(rows);
}

static void flapping_keeps_every_down(void **state)
{
	struct fixture *f = *state;
	char got[512];
	const char *flap[] = {"down", "up", "down", "up", "down"};

	for (int i = 0; i < 5; i++)
		event(f, "health", flap[i], 0, T0 + i);
	outbox(f, got, sizeof(got));
	/* rate_limit 2: the second up is held back, no down ever is, and
	 * the down after the held-back up is no duplicate. */
	assert_string_equal(got, "down/pending up/pending down/pending "
	                         "up/rate_limited down/pending");
}

static void digest_tells_what_was_held(void **state)
{
	struct fixture *f = *state;
	struct catalog_notify *rows = NULL;
	size_t n = 0;
	char *err = NULL;
	int64_t digest = 0, held = 0;

	event(f, "a", "down", 0, T0);
	event(f, "b", "down", 0, T0);
	event(f, "a", "up", 0, T0 + 1);
	event(f, "b", "up", 0, T0 + 2);
	/* Within the window: no digest yet. */
	assert_int_equal(
	    notify_flush(f->cat, &f->nc, "prod", T0 + 599, NULL, NULL, &err),
	    DR_OK);
	assert_int_equal(catalog_notify_list(f->cat, 0, &rows, &n, &err),
	                 CATALOG_OK);
	free(rows);
	assert_int_equal(n, 4);
	assert_int_equal(
	    notify_flush(f->cat, &f->nc, "prod", T0 + 601, NULL, NULL, &err),
	    DR_OK);
	assert_int_equal(
	    notify_flush(f->cat, &f->nc, "prod", T0 + 1300, NULL, NULL, &err),
	    DR_OK);
	assert_int_equal(catalog_notify_list(f->cat, 0, &rows, &n, &err),
	                 CATALOG_OK);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(rows[i].type, "digest") == 0) {
			assert_int_equal(digest, 0); /* one per window */
			digest = rows[i].id;
			assert_string_equal(rows[i].title,
			                    "[prod] 2 messages held back");
			assert_non_null(
			    strstr(rows[i].message, "probe:app:a up at "));
			assert_non_null(
			    strstr(rows[i].message, "probe:app:b up at "));
		}
	}
	assert_true(digest > 0);
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].status, "rate_limited") == 0) {
			assert_int_equal(rows[i].digest_id, digest);
			held++;
		}
	assert_int_equal(held, 2);
	free(rows);
}

static void drills_have_their_own_budget(void **state)
{
	struct fixture *f = *state;
	char got[512];

	/* Drill messages spend the drill budget... */
	event(f, "d1", "started", 1, T0);
	event(f, "d2", "started", 1, T0);
	event(f, "d3", "started", 1, T0);
	/* ...and an incident's news still goes out. */
	event(f, "real", "started", 0, T0 + 1);
	event(f, "real2", "started", 0, T0 + 1);
	outbox(f, got, sizeof(got));
	assert_string_equal(got, "started/pending started/pending "
	                         "started/rate_limited started/pending "
	                         "started/pending");
}

static void ack_stops_repeats_silence_holds(void **state)
{
	struct fixture *f = *state;
	struct alarm *a = NULL;
	size_t n = 0;
	char *err = NULL, got[1024];
	int64_t rows_before, verified = 0, first_bad = 0;
	struct catalog_notify *rows = NULL;
	size_t nr = 0;

	f->nc.repeat_s = 60;
	event(f, "health", "down", 0, T0);
	assert_int_equal(
	    notify_flush(f->cat, &f->nc, NULL, T0 + 61, NULL, NULL, &err),
	    DR_OK);
	assert_int_equal(catalog_notify_list(f->cat, 0, &rows, &nr, &err),
	                 CATALOG_OK);
	assert_int_equal(nr, 2);
	assert_string_equal(rows[0].title, "(repeat) app: probe health down");
	free(rows);
	rows_before = (int64_t)nr;

	assert_int_equal(alarm_ack(f->cat, "probe:app:health", "", T0, &err),
	                 DR_EINVAL);
	free(err);
	err = NULL;
	assert_int_equal(alarm_ack(f->cat, "probe:app:nope", "x", T0, &err),
	                 DR_ENOTFOUND);
	free(err);
	err = NULL;
	assert_int_equal(
	    alarm_ack(f->cat, "probe:app:health", "on it", T0 + 62, &err),
	    DR_OK);
	assert_int_equal(
	    notify_flush(f->cat, &f->nc, NULL, T0 + 200, NULL, NULL, &err),
	    DR_OK);
	assert_int_equal(catalog_notify_list(f->cat, 0, &rows, &nr, &err),
	                 CATALOG_OK);
	free(rows);
	assert_int_equal((int64_t)nr, rows_before); /* no repeat after ack */
	assert_int_equal(alarm_list(f->cat, T0 + 200, &a, &n, &err), DR_OK);
	assert_int_equal(n, 1);
	assert_true(a[0].acked);
	assert_string_equal(a[0].ack_reason, "on it");
	free(a);

	/* A silence: the next messages are recorded, not sent. */
	assert_int_equal(alarm_silence(f->cat, "probe:app:health", T0 + 7200,
	                               "maintenance", T0 + 300, &err),
	                 DR_OK);
	event(f, "health", "up", 0, T0 + 301);
	event(f, "health", "down", 0, T0 + 302);
	outbox(f, got, sizeof(got));
	assert_non_null(strstr(got, "up/silenced down/silenced"));
	assert_int_equal(alarm_unsilence(f->cat, "probe:app:health", &err),
	                 DR_OK);
	assert_int_equal(alarm_unsilence(f->cat, "probe:app:health", &err),
	                 DR_ENOTFOUND);
	free(err);
	err = NULL;
	/* Three audited changes, and the chain holds. */
	assert_int_equal(audit_verify(f->cat, &verified, &first_bad, &err),
	                 DR_OK);
	assert_int_equal(verified, 3);
}

static void undelivered_bad_news(void **state)
{
	struct fixture *f = *state;
	struct catalog_notify *lost = NULL;
	size_t n = 0;
	char *err = NULL;

	event(f, "health", "down", 0, T0);
	event(f, "other", "started", 0, T0);
	assert_int_equal(notify_undelivered(f->cat, &lost, &n, &err), DR_OK);
	assert_int_equal(n, 0); /* not tried yet */
	free(lost);
	/* retries 0: one refused attempt and the down has failed. */
	assert_int_equal(
	    notify_flush(f->cat, &f->nc, NULL, T0 + 1, NULL, NULL, &err),
	    DR_OK);
	assert_int_equal(notify_undelivered(f->cat, &lost, &n, &err), DR_OK);
	assert_int_equal(n, 1); /* the down, not the info */
	assert_string_equal(lost[0].event_key, "probe:app:health");
	assert_string_equal(lost[0].status, "failed");
	free(lost);
	/* Recovered: no longer an alarm nobody heard. */
	event(f, "health", "up", 0, T0 + 2);
	assert_int_equal(notify_undelivered(f->cat, &lost, &n, &err), DR_OK);
	assert_int_equal(n, 0);
	free(lost);
}

static void repeats_do_not_nest_and_resume(void **state)
{
	struct fixture *f = *state;
	struct catalog_notify *rows = NULL;
	size_t n = 0;
	char *err = NULL;

	f->nc.repeat_s = 60;
	event(f, "health", "down", 0, T0);
	for (int i = 1; i <= 2; i++)
		assert_int_equal(notify_flush(f->cat, &f->nc, NULL, T0 + 61 * i,
		                              NULL, NULL, &err),
		                 DR_OK);
	assert_int_equal(catalog_notify_list(f->cat, 0, &rows, &n, &err),
	                 CATALOG_OK);
	assert_int_equal(n, 3);
	/* The second repeat says "Still down" once, then the original. */
	assert_int_equal(strncmp(rows[0].message, "Still down since ", 17), 0);
	assert_null(strstr(rows[0].message + 1, "Still down"));
	assert_non_null(
	    strstr(rows[0].message, "--reason ...). app: probe health down"));
	free(rows);
	/* Silenced: no repeat; once the silence is over, they resume. */
	assert_int_equal(alarm_silence(f->cat, "probe:app:health", T0 + 400,
	                               "window", T0 + 130, &err),
	                 DR_OK);
	assert_int_equal(
	    notify_flush(f->cat, &f->nc, NULL, T0 + 300, NULL, NULL, &err),
	    DR_OK);
	assert_int_equal(catalog_notify_list(f->cat, 0, &rows, &n, &err),
	                 CATALOG_OK);
	free(rows);
	assert_int_equal(n, 3);
	assert_int_equal(
	    notify_flush(f->cat, &f->nc, NULL, T0 + 401, NULL, NULL, &err),
	    DR_OK);
	assert_int_equal(catalog_notify_list(f->cat, 0, &rows, &n, &err),
	                 CATALOG_OK);
	assert_int_equal(n, 4);
	assert_string_equal(rows[0].status, "failed"); /* tried, refused */
	free(rows);
}

static void pagerduty_recoveries_are_never_held(void **state)
{
	struct fixture *f = *state;
	char got[512];

	f->ch.kind = NOTIFY_PAGERDUTY;
	f->ch.routing_key = "k";
	f->nc.rate_limit = 1;
	event(f, "health", "down", 0, T0);
	event(f, "health", "up", 0, T0 + 1);
	event(f, "health", "down", 0, T0 + 2);
	event(f, "health", "up", 0, T0 + 3);
	/* A run starting is no alert: PagerDuty does not hear of it. */
	event(f, "run", "started", 0, T0 + 4);
	outbox(f, got, sizeof(got));
	assert_string_equal(got, "down/pending up/pending down/pending "
	                         "up/pending");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(flapping_keeps_every_down,
	                                    open_catalog, close_catalog),
	    cmocka_unit_test_setup_teardown(digest_tells_what_was_held,
	                                    open_catalog, close_catalog),
	    cmocka_unit_test_setup_teardown(drills_have_their_own_budget,
	                                    open_catalog, close_catalog),
	    cmocka_unit_test_setup_teardown(ack_stops_repeats_silence_holds,
	                                    open_catalog, close_catalog),
	    cmocka_unit_test_setup_teardown(undelivered_bad_news, open_catalog,
	                                    close_catalog),
	    cmocka_unit_test_setup_teardown(repeats_do_not_nest_and_resume,
	                                    open_catalog, close_catalog),
	    cmocka_unit_test_setup_teardown(pagerduty_recoveries_are_never_held,
	                                    open_catalog, close_catalog),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
