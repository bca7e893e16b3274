#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"
#include "core/timeutil.h"
#include "db/catalog.h"

/* 2025-11-22T03:04:05Z */
#define T0 1763780645LL

static int64_t parse_ok(const char *text)
{
	int64_t t = -1;
	char *err = NULL;
	assert_int_equal(time_parse(text, T0, &t, &err), DR_OK);
	assert_null(err);
	return t;
}

static void parse_fails(const char *text, const char *want)
{
	int64_t t = 42;
	char *err = NULL;
	assert_int_equal(time_parse(text, T0, &t, &err), DR_EINVAL);
	assert_non_null(err);
	if (want != NULL)
		assert_string_equal(err, want);
	assert_int_equal(t, 42);
	free(err);
}

static void test_parse_forms(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("2025-11-22T03:04:05Z"), T0);
	assert_int_equal(parse_ok("2025-11-22T04:04:05+01:00"), T0);
	assert_int_equal(parse_ok("2025-11-22T04:04:05+0100"), T0);
	assert_int_equal(parse_ok("2025-11-21T22:04:05-05:00"), T0);
	assert_int_equal(parse_ok("2025-11-22 03:04:05"), T0);
	assert_int_equal(parse_ok("2025-11-22T03:04:05.250Z"), T0);
	assert_int_equal(parse_ok("2025-11-22T03:04Z"), T0 - 5);
	assert_int_equal(parse_ok("2025-11-22"), T0 - 3 * 3600 - 4 * 60 - 5);
	assert_int_equal(parse_ok("@1763780645"), T0);
	assert_int_equal(parse_ok("now"), T0);
	assert_int_equal(parse_ok("now-15m"), T0 - 900);
	assert_int_equal(parse_ok("-15m"), T0 - 900);
	assert_int_equal(parse_ok("now-1h30m"), T0 - 5400);
	assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(parse_ok("2024-02-29"), 1709164800);
}

static void test_parse_errors(void **state)
{
	(void)state;
	parse_fails("2026-02-30",
	            "2026-02-30: 2026-02 has no day 30 (it has 28 days)");
	parse_fails("2025-02-29",
	            "2025-02-29: 2025-02 has no day 29 (it has 28 days)");
	parse_fails("2026-13-01",
	            "2026-13-01: month 13 does not exist (expected 01-12)");
	parse_fails("2026-11-22T25:00:00Z",
	            "2026-11-22T25:00:00Z: 25:00:00 is not a time of day");
	parse_fails("2026-11-22T03:04:05Q",
	            "2026-11-22T03:04:05Q: unexpected \"Q\" at the end "
	            "(expected e.g. 2026-11-22T03:04:05Z, 2026-11-22 03:04:05, "
	            "2026-11-22, @1763780645, now or now-15m)");
	parse_fails("yesterday", NULL);
	parse_fails("", NULL);
	parse_fails("now-15x", "now-15x: bad duration: 15x: unknown unit 'x' "
	                       "(use s, m, h, d, w)");
	parse_fails("@12x", "@12x: expected Unix seconds after '@'");
	parse_fails("2026-11-22T03", "2026-11-22T03: expected a time of day "
	                             "HH:MM[:SS] after the date");
}

#define RANGE                                                                  \
	"out of range (expected a time from 1970-01-01T00:00:00Z to "          \
	"9999-12-31T23:59:59Z)"

static void test_range(void **state)
{
	(void)state;
	/* The ends are in range. */
	assert_int_equal(parse_ok("@0"), 0);
	assert_int_equal(parse_ok("9999-12-31T23:59:59Z"), 253402300799LL);
	assert_int_equal(parse_ok("@253402300799"), 253402300799LL);
	/* Every form is checked, and the message names the value. */
	parse_fails("@-99999999999999", "@-99999999999999: " RANGE);
	parse_fails("@-1", "@-1: " RANGE);
	parse_fails("@253402300800", "@253402300800: " RANGE);
	parse_fails("@99999999999999999999", "@99999999999999999999: " RANGE);
	parse_fails("0999-12-31T00:00:00Z", "0999-12-31T00:00:00Z: " RANGE);
	parse_fails("1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z: " RANGE);
	parse_fails("1970-01-01T00:30:00+01:00",
	            "1970-01-01T00:30:00+01:00: " RANGE);
	parse_fails("9999-12-31T23:59:59-00:01",
	            "9999-12-31T23:59:59-00:01: " RANGE);
	parse_fails("now-60y", NULL); /* no such unit */
	parse_fails("now-5000w", "now-5000w: " RANGE);
	parse_fails("-3153600000s", "-3153600000s: " RANGE);
	parse_fails("-999999999999999s", "-999999999999999s: bad duration: "
	                                 "999999999999999s: too large (at most "
	                                 "36500d, a hundred years)");
}

static void test_now_override_range(void **state)
{
	(void)state;
	char *err = NULL;
	assert_int_equal(time_now_check(&err), DR_OK);
	setenv("DRCONSOLE_NOW", "@-99999999999999", 1);
	assert_int_equal(time_now_check(&err), DR_EINVAL);
	assert_string_equal(err, "DRCONSOLE_NOW: @-99999999999999: " RANGE);
	free(err);
	err = NULL;
	assert_true(time_now() > T0 - 86400 * 365); /* ignored */
	setenv("DRCONSOLE_NOW", "99999999999999", 1);
	assert_int_equal(time_now_check(&err), DR_EINVAL);
	assert_string_equal(err, "DRCONSOLE_NOW: 99999999999999: " RANGE);
	free(err);
	err = NULL;
	setenv("DRCONSOLE_NOW", "yesterday", 1);
	assert_int_equal(time_now_check(&err), DR_EINVAL);
	assert_non_null(strstr(err, "DRCONSOLE_NOW: yesterday: not a time"));
	free(err);
	err = NULL;
	setenv("DRCONSOLE_NOW", "1763780645", 1);
	assert_int_equal(time_now_check(&err), DR_OK);
	unsetenv("DRCONSOLE_NOW");
}

static void test_now_override(void **state)
{
	(void)state;
	setenv("DRCONSOLE_NOW", "2025-11-22T03:04:05Z", 1);
	assert_int_equal(time_now(), T0);
	setenv("DRCONSOLE_NOW", "@1000", 1);
	assert_int_equal(time_now(), 1000);
	setenv("DRCONSOLE_NOW", "1763780645", 1);
	assert_int_equal(time_now(), T0);
	unsetenv("DRCONSOLE_NOW");
	assert_true(time_now() > T0 - 86400 * 365);
}

/* One "now": a pinned clock dates the catalog's rows too, while the real
 * clock (the audit trail's) and the monotonic one are never pinned. */
static void test_one_now(void **state)
{
	(void)state;
	setenv("DRCONSOLE_NOW", "2026-11-22T12:30:00Z", 1);
	assert_int_equal(time_now(), 1795350600LL);
	assert_int_equal(catalog_now(), 1795350600LL);
	int64_t real = time_real_now();
	assert_true(real != 1795350600LL);
	assert_true(time_real_exact() >= (double)real - 1.0);
	double m0 = time_mono();
	int64_t ms0 = time_mono_ms();
	assert_true(time_mono() >= m0);
	assert_true(time_mono_ms() >= ms0);
	unsetenv("DRCONSOLE_NOW");
	int64_t after = catalog_now();
	assert_true(after >= real && after <= time_real_now());
}

static void test_format(void **state)
{
	(void)state;
	char buf[32];
	time_format_iso(T0, buf);
	assert_string_equal(buf, "2025-11-22T03:04:05Z");
	time_format_short(T0, buf);
	assert_string_equal(buf, "2025-11-22 03:04");
	time_format_iso(0, buf);
	assert_string_equal(buf, "-");
	time_format_short(0, buf);
	assert_string_equal(buf, "-");
	time_format_iso(T0, buf);
	assert_int_equal(parse_ok(buf), T0);
	/* Four-digit years, even below 1000 (strftime's %Y writes "987"). */
	time_format_iso(-31000000000LL, buf);
	assert_string_equal(buf, "0987-08-25T16:53:20Z");
	time_format_short(-31000000000LL, buf);
	assert_string_equal(buf, "0987-08-25 16:53");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_forms),
	    cmocka_unit_test(test_parse_errors),
	    cmocka_unit_test(test_range),
	    cmocka_unit_test(test_now_override_range),
	    cmocka_unit_test(test_now_override),
	    cmocka_unit_test(test_one_now),
	    cmocka_unit_test(test_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
