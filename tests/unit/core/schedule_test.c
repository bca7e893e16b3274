/* core/schedule.c: intervals and 5-field cron, next-run and due logic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/error.h"
#include "core/schedule.h"

static int64_t at(int y, int mo, int d, int h, int mi)
{
	struct tm tm = {0};
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return (int64_t)timegm(&tm);
}

static struct schedule parse_ok(const char *text)
{
	struct schedule s;
	char *err = NULL;
	int rc = schedule_parse(text, &s, &err);
	if (rc != DR_OK)
		fail_msg("parse \"%s\": %s", text, err);
	return s;
}

static char *parse_err(const char *text)
{
	struct schedule s;
	char *err = NULL;
	assert_int_equal(schedule_parse(text, &s, &err), DR_EINVAL);
	assert_non_null(err);
	return err;
}

static void test_interval(void **state)
{
	(void)state;
	struct schedule s = parse_ok("15m");
	assert_int_equal(s.kind, SCHEDULE_INTERVAL);
	assert_int_equal(s.interval_s, 900);
	assert_int_equal(schedule_next(&s, 1000), 1900);
	s = parse_ok("every 1h30m");
	assert_int_equal(s.interval_s, 5400);
	s = parse_ok("@every 90s");
	assert_int_equal(s.interval_s, 90);
	assert_string_equal(s.text, "@every 90s");
}

static void test_every_six_hours(void **state)
{
	(void)state;
	/* The seed design's backup CronJob. */
	struct schedule s = parse_ok("0 */6 * * *");
	assert_int_equal(s.kind, SCHEDULE_CRON);
	assert_int_equal(schedule_next(&s, at(2026, 11, 22, 3, 56)),
	                 at(2026, 11, 22, 6, 0));
	/* Strictly after: exactly on a firing time goes to the next one. */
	assert_int_equal(schedule_next(&s, at(2026, 11, 22, 6, 0)),
	                 at(2026, 11, 22, 12, 0));
	assert_int_equal(schedule_next(&s, at(2026, 11, 22, 18, 30)),
	                 at(2026, 11, 23, 0, 0));
}

static void test_seconds_inside_minute(void **state)
{
	(void)state;
	struct schedule s = parse_ok("* * * * *");
	int64_t t = at(2026, 1, 1, 0, 0);
	assert_int_equal(schedule_next(&s, t), t + 60);
	assert_int_equal(schedule_next(&s, t + 59), t + 60);
	assert_int_equal(schedule_next(&s, t + 1), t + 60);
}

static void test_lists_ranges_steps(void **state)
{
	(void)state;
	struct schedule s = parse_ok("5,35 9-17/4 * * mon-fri");
	/* Sunday 2026-11-22 -> Monday 09:05. */
	assert_int_equal(schedule_next(&s, at(2026, 11, 22, 10, 0)),
	                 at(2026, 11, 23, 9, 5));
	assert_int_equal(schedule_next(&s, at(2026, 11, 23, 9, 5)),
	                 at(2026, 11, 23, 9, 35));
	assert_int_equal(schedule_next(&s, at(2026, 11, 23, 9, 35)),
	                 at(2026, 11, 23, 13, 5));
	assert_int_equal(schedule_next(&s, at(2026, 11, 23, 17, 35)),
	                 at(2026, 11, 24, 9, 5));
	/* Friday evening -> Monday. */
	assert_int_equal(schedule_next(&s, at(2026, 11, 27, 18, 0)),
	                 at(2026, 11, 30, 9, 5));
	s = parse_ok("10/20 * * * *");
	assert_int_equal(schedule_next(&s, at(2026, 1, 1, 0, 31)),
	                 at(2026, 1, 1, 0, 50));
}

static void test_names_and_sunday_seven(void **state)
{
	(void)state;
	struct schedule a = parse_ok("0 3 * JAN,jul sun");
	struct schedule b = parse_ok("0 3 * 1,7 7");
	assert_int_equal(a.wdays, b.wdays);
	assert_int_equal(a.months, b.months);
	/* 2027-01-03 is a Sunday. */
	assert_int_equal(schedule_next(&a, at(2026, 11, 22, 4, 0)),
	                 at(2027, 1, 3, 3, 0));
}

static void test_dom_dow_either(void **state)
{
	(void)state;
	/* Vixie cron: both restricted -> either matches. */
	struct schedule s = parse_ok("0 0 1 * fri");
	/* From Sunday 2026-11-22: Friday 27th comes before Dec 1. */
	assert_int_equal(schedule_next(&s, at(2026, 11, 22, 0, 0)),
	                 at(2026, 11, 27, 0, 0));
	assert_int_equal(schedule_next(&s, at(2026, 11, 28, 0, 0)),
	                 at(2026, 12, 1, 0, 0));
	/* dow "*" -> only the day of month counts. */
	s = parse_ok("0 0 1 * *");
	assert_int_equal(schedule_next(&s, at(2026, 11, 22, 0, 0)),
	                 at(2026, 12, 1, 0, 0));
}

static void test_leap_day_and_never(void **state)
{
	(void)state;
	struct schedule s = parse_ok("0 0 29 2 *");
	assert_int_equal(schedule_next(&s, at(2026, 11, 22, 0, 0)),
	                 at(2028, 2, 29, 0, 0));
	s = parse_ok("0 0 31 2 *");
	assert_int_equal(schedule_next(&s, at(2026, 1, 1, 0, 0)), -1);
	s = parse_ok("0 0 31 * *");
	assert_int_equal(schedule_next(&s, at(2026, 11, 22, 0, 0)),
	                 at(2026, 12, 31, 0, 0));
}

static void test_macros(void **state)
{
	(void)state;
	struct schedule s = parse_ok("@daily");
	assert_int_equal(schedule_next(&s, at(2026, 11, 22, 3, 0)),
	                 at(2026, 11, 23, 0, 0));
	s = parse_ok("@hourly");
	assert_int_equal(schedule_next(&s, at(2026, 11, 22, 3, 0)),
	                 at(2026, 11, 22, 4, 0));
	s = parse_ok("@weekly");
	assert_int_equal(schedule_next(&s, at(2026, 11, 22, 3, 0)),
	                 at(2026, 11, 29, 0, 0));
	s = parse_ok("@monthly");
	assert_int_equal(schedule_next(&s, at(2026, 11, 22, 3, 0)),
	                 at(2026, 12, 1, 0, 0));
	s = parse_ok("@yearly");
	assert_int_equal(schedule_next(&s, at(2026, 11, 22, 3, 0)),
	                 at(2027, 1, 1, 0, 0));
}

static void test_errors(void **state)
{
	(void)state;
	struct schedule s;
	char *e;
	e = parse_err("");
	assert_non_null(strstr(e, "empty"));
	free(e);
	e = parse_err("* * * *");
	assert_non_null(strstr(e, "found 4 fields"));
	free(e);
	e = parse_err("* * * * * *");
	assert_non_null(strstr(e, "5 cron fields"));
	free(e);
	e = parse_err("60 * * * *");
	assert_non_null(strstr(e, "minute \"60\" is out of range"));
	free(e);
	e = parse_err("0 24 * * *");
	assert_non_null(strstr(e, "hour"));
	free(e);
	e = parse_err("0 0 0 * *");
	assert_non_null(strstr(e, "day of month"));
	free(e);
	e = parse_err("0 0 * 13 *");
	assert_non_null(strstr(e, "month"));
	free(e);
	e = parse_err("0 0 * * 8");
	assert_non_null(strstr(e, "day of week"));
	free(e);
	e = parse_err("0 0 * foo *");
	assert_non_null(strstr(e, "bad month field \"foo\""));
	free(e);
	e = parse_err("*/0 * * * *");
	assert_non_null(strstr(e, "step"));
	free(e);
	e = parse_err("30-10 * * * *");
	assert_non_null(strstr(e, "backwards"));
	free(e);
	e = parse_err("1,,2 * * * *");
	assert_non_null(strstr(e, "bad minute field"));
	free(e);
	e = parse_err("15x");
	free(e);
	e = parse_err("0s");
	free(e);
	e = parse_err("@fortnightly");
	free(e);
	e = parse_err("367d");
	assert_non_null(strstr(e, "at most 366d"));
	free(e);
	e = parse_err("9223372036854775807");
	free(e);
	s = parse_ok("366d");
	assert_int_equal(schedule_next(&s, 1000), 1000 + 366LL * 86400);
}

static void test_due(void **state)
{
	(void)state;
	struct schedule iv = parse_ok("1h");
	struct schedule cr = parse_ok("0 * * * *");
	int64_t start = at(2026, 11, 22, 3, 30);

	/* A never-run interval job runs at once; a cron job waits. */
	assert_true(schedule_due(&iv, 0, start, start));
	assert_false(schedule_due(&cr, 0, start, start));
	assert_true(schedule_due(&cr, 0, start, at(2026, 11, 22, 4, 0)));
	/* Ran at 04:00: not again until 05:00. */
	assert_false(schedule_due(&cr, at(2026, 11, 22, 4, 0), start,
	                          at(2026, 11, 22, 4, 59)));
	assert_true(schedule_due(&cr, at(2026, 11, 22, 4, 0), start,
	                         at(2026, 11, 22, 5, 0)));
	/* Down for a day: one run is due (the caller then records it). */
	assert_true(schedule_due(&cr, at(2026, 11, 22, 4, 0), start,
	                         at(2026, 11, 23, 4, 17)));
	assert_false(schedule_due(&iv, start, start, start + 3599));
	assert_true(schedule_due(&iv, start, start, start + 3600));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_interval),
	    cmocka_unit_test(test_every_six_hours),
	    cmocka_unit_test(test_seconds_inside_minute),
	    cmocka_unit_test(test_lists_ranges_steps),
	    cmocka_unit_test(test_names_and_sunday_seven),
	    cmocka_unit_test(test_dom_dow_either),
	    cmocka_unit_test(test_leap_day_and_never),
	    cmocka_unit_test(test_macros),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_due),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
