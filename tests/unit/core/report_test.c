/* report_time_in_compliance is pure: each test writes a service's verdict
 * history by hand and checks the time in each verdict and the breaches an
 * auditor would read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/report.h"

#define T0   ((int64_t)1795000000) /* 2026-11-18T11:06:40Z */
#define MIN  60
#define HOUR 3600

static struct catalog_verdict tr(int64_t at, const char *verdict)
{
	struct catalog_verdict v;

	memset(&v, 0, sizeof(v));
	snprintf(v.service, sizeof(v.service), "orders");
	snprintf(v.verdict, sizeof(v.verdict), "%s", verdict);
	snprintf(v.reason, sizeof(v.reason), "%s at %lld", verdict,
	         (long long)at);
	v.at = at;
	return v;
}

struct result {
	struct report_span span;
	struct report_breach *breaches;
	size_t n;
};

static struct result eval(const struct catalog_verdict *t, size_t n,
                          int64_t since, int64_t until)
{
	struct result r;

	report_time_in_compliance(t, n, since, until, &r.span, &r.breaches,
	                          &r.n);
	/* Every second of the period is in exactly one bucket. */
	assert_int_equal(r.span.ok_s + r.span.at_risk_s + r.span.breach_s +
	                     r.span.unknown_s,
	                 r.span.period_s);
	return r;
}

static void test_no_history_is_unknown(void **state)
{
	(void)state;
	struct result r = eval(NULL, 0, T0, T0 + HOUR);

	assert_int_equal(r.span.period_s, HOUR);
	assert_int_equal(r.span.unknown_s, HOUR);
	assert_int_equal(r.span.ok_s, 0);
	assert_int_equal(r.span.known_from, 0);
	assert_true(r.span.ok_share < 0); /* unknown, not 0 % */
	assert_int_equal(r.n, 0);
	free(r.breaches);
}

/* The integration test's story: unknown for 2m, OK, AT RISK at 25m,
 * BREACH at 31m for 30m, OK again; a 2h period. */
static void test_ok_breach_ok(void **state)
{
	(void)state;
	struct catalog_verdict t[] = {
	    tr(T0 + 2 * MIN, "OK"),
	    tr(T0 + 25 * MIN, "AT RISK"),
	    tr(T0 + 31 * MIN, "BREACH"),
	    tr(T0 + 61 * MIN, "OK"),
	};
	struct result r = eval(t, 4, T0, T0 + 2 * HOUR);

	assert_int_equal(r.span.unknown_s, 2 * MIN);
	assert_int_equal(r.span.known_from, T0 + 2 * MIN);
	assert_int_equal(r.span.ok_s, 23 * MIN + 59 * MIN);
	assert_int_equal(r.span.at_risk_s, 6 * MIN);
	assert_int_equal(r.span.breach_s, 30 * MIN);
	assert_true(r.span.ok_share > 0.68333 && r.span.ok_share < 0.68334);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.breaches[0].start, T0 + 31 * MIN);
	assert_int_equal(r.breaches[0].end, T0 + 61 * MIN);
	assert_int_equal(r.breaches[0].duration_s, 30 * MIN);
	assert_string_equal(r.breaches[0].reason, "BREACH at 1795001860");
	free(r.breaches);
}

/* The verdict in force at `since` (recorded before it) covers the start:
 * nothing is unknown. */
static void test_state_before_the_period(void **state)
{
	(void)state;
	struct catalog_verdict t[] = {
	    tr(T0 - 5 * HOUR, "OK"),
	    tr(T0 + 30 * MIN, "AT RISK"),
	};
	struct result r = eval(t, 2, T0, T0 + HOUR);

	assert_int_equal(r.span.unknown_s, 0);
	assert_int_equal(r.span.known_from, T0);
	assert_int_equal(r.span.ok_s, 30 * MIN);
	assert_int_equal(r.span.at_risk_s, 30 * MIN);
	assert_true(r.span.ok_share > 0.4999 && r.span.ok_share < 0.5001);
	free(r.breaches);
}

/* A breach that began before the period and has not ended: shown whole
 * from its real start, ongoing, its duration counted to `until`; only
 * the part inside the period counts as breach time. */
static void test_ongoing_breach_from_before(void **state)
{
	(void)state;
	struct catalog_verdict t[] = {tr(T0 - HOUR, "BREACH")};
	struct result r = eval(t, 1, T0, T0 + HOUR);

	assert_int_equal(r.span.breach_s, HOUR);
	assert_true(r.span.ok_share == 0.0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.breaches[0].start, T0 - HOUR);
	assert_int_equal(r.breaches[0].end, 0);
	assert_int_equal(r.breaches[0].duration_s, 2 * HOUR);
	free(r.breaches);
}

/* A breach that ends after the period has a known end (the history goes
 * on past `until`); breach time is clipped to the period. */
static void test_breach_ending_after_the_period(void **state)
{
	(void)state;
	struct catalog_verdict t[] = {
	    tr(T0, "OK"),
	    tr(T0 + 50 * MIN, "BREACH"),
	    tr(T0 + 80 * MIN, "OK"),
	};
	struct result r = eval(t, 3, T0, T0 + HOUR);

	assert_int_equal(r.span.ok_s, 50 * MIN);
	assert_int_equal(r.span.breach_s, 10 * MIN);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.breaches[0].end, T0 + 80 * MIN);
	assert_int_equal(r.breaches[0].duration_s, 30 * MIN);
	free(r.breaches);
}

/* Breaches wholly outside the period are not the period's; a breach
 * ending exactly at `since` is over, one starting exactly at `until` has
 * not begun. */
static void test_breaches_outside_the_period(void **state)
{
	(void)state;
	struct catalog_verdict t[] = {
	    tr(T0 - HOUR, "BREACH"),
	    tr(T0, "OK"),
	    tr(T0 + HOUR, "BREACH"),
	};
	struct result r = eval(t, 3, T0, T0 + HOUR);

	assert_int_equal(r.span.ok_s, HOUR);
	assert_int_equal(r.span.breach_s, 0);
	assert_int_equal(r.n, 0);
	assert_true(r.span.ok_share == 1.0);
	free(r.breaches);
}

/* Two BREACH rows in a row (the reason changed, or history was recorded
 * by two writers) are one breach, from the first. */
static void test_consecutive_breach_rows_are_one(void **state)
{
	(void)state;
	struct catalog_verdict t[] = {
	    tr(T0 + 10 * MIN, "BREACH"),
	    tr(T0 + 20 * MIN, "BREACH"),
	    tr(T0 + 40 * MIN, "AT RISK"),
	};
	struct result r = eval(t, 3, T0, T0 + HOUR);

	assert_int_equal(r.span.unknown_s, 10 * MIN);
	assert_int_equal(r.span.breach_s, 30 * MIN);
	assert_int_equal(r.span.at_risk_s, 20 * MIN);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.breaches[0].start, T0 + 10 * MIN);
	assert_int_equal(r.breaches[0].end, T0 + 40 * MIN);
	assert_int_equal(r.breaches[0].duration_s, 30 * MIN);
	free(r.breaches);
}

/* A history that starts after the period ended leaves it unknown. */
static void test_history_after_the_period(void **state)
{
	(void)state;
	struct catalog_verdict t[] = {tr(T0 + 2 * HOUR, "OK")};
	struct result r = eval(t, 1, T0, T0 + HOUR);

	assert_int_equal(r.span.unknown_s, HOUR);
	assert_true(r.span.ok_share < 0);
	free(r.breaches);
}

static void test_formats_table(void **state)
{
	(void)state;
	assert_non_null(report_format_find("md"));
	assert_non_null(report_format_find("html"));
	assert_non_null(report_format_find("json"));
	assert_non_null(report_format_find("csv"));
	assert_null(report_format_find("pdf"));
	assert_null(report_format_find(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_no_history_is_unknown),
	    cmocka_unit_test(test_ok_breach_ok),
	    cmocka_unit_test(test_state_before_the_period),
	    cmocka_unit_test(test_ongoing_breach_from_before),
	    cmocka_unit_test(test_breach_ending_after_the_period),
	    cmocka_unit_test(test_breaches_outside_the_period),
	    cmocka_unit_test(test_consecutive_breach_rows_are_one),
	    cmocka_unit_test(test_history_after_the_period),
	    cmocka_unit_test(test_formats_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
