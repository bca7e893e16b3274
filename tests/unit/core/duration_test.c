#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/duration.h"
#include "core/error.h"

static int64_t parse_ok(const char *text)
{
	int64_t s = -1;
	char *err = NULL;
	assert_int_equal(duration_parse(text, &s, &err), DR_OK);
	assert_null(err);
	return s;
}

static void parse_fails(const char *text, const char *want)
{
	int64_t s = 12345;
	char *err = NULL;
	assert_int_equal(duration_parse(text, &s, &err), DR_EINVAL);
	assert_non_null(err);
	assert_string_equal(err, want);
	assert_int_equal(s, 12345);
	free(err);
}

static void test_parse_forms(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("90s"), 90);
	assert_int_equal(parse_ok("15m"), 900);
	assert_int_equal(parse_ok("1h30m"), 5400);
	assert_int_equal(parse_ok("36500d"), 36500LL * 86400);
	assert_int_equal(parse_ok("4h"), 14400);
	assert_int_equal(parse_ok("7d"), 604800);
	assert_int_equal(parse_ok("2w"), 1209600);
	assert_int_equal(parse_ok("90"), 90);
	assert_int_equal(parse_ok("0"), 0);
	assert_int_equal(parse_ok("0s"), 0);
	assert_int_equal(parse_ok("1d2h3m4s"), 93784);
}

static void test_parse_errors(void **state)
{
	(void)state;
	parse_fails("", "empty duration (expected e.g. 90s, 15m, 1h30m, 7d)");
	parse_fails("15x", "15x: unknown unit 'x' (use s, m, h, d, w)");
	parse_fails("15min", "15min: unknown unit 'min' (use s, m, h, d, w)");
	parse_fails("-5m", "-5m: negative duration");
	parse_fails("h", "h: missing number before 'h'");
	parse_fails("1h30", "1h30: missing unit after 30 (use s, m, h, d, w)");
	parse_fails("15m ", "15m : unexpected ' ' (expected a number followed "
	                    "by s, m, h, d or w)");
	parse_fails("1.5h", "1.5h: unexpected '.' after 1 (expected a unit: s, "
	                    "m, h, d, w)");
	parse_fails("99999999999999999999s",
	            "99999999999999999999s: too large");
	parse_fails("9999999999999999w", "9999999999999999w: too large");
	parse_fails("9223372036854775807s1s",
	            "9223372036854775807s1s: too large (at most 36500d, a "
	            "hundred years)");
	parse_fails("36500d1s",
	            "36500d1s: too large (at most 36500d, a hundred years)");
	parse_fails("9223372036854775807",
	            "9223372036854775807: too large (at most 36500d, a "
	            "hundred years)");
}

static void test_parse_null_err(void **state)
{
	(void)state;
	int64_t s;
	assert_int_equal(duration_parse("x", &s, NULL), DR_EINVAL);
}

static void test_format(void **state)
{
	(void)state;
	char buf[32];
	assert_string_equal(duration_format(5400, buf, sizeof buf), "1h30m");
	assert_string_equal(duration_format(604800, buf, sizeof buf), "7d");
	assert_string_equal(duration_format(0, buf, sizeof buf), "0s");
	assert_string_equal(duration_format(-1, buf, sizeof buf), "-");
	assert_string_equal(duration_format(90, buf, sizeof buf), "1m30s");
	assert_string_equal(duration_format(93784, buf, sizeof buf),
	                    "1d2h3m4s");
	assert_string_equal(duration_format(86401, buf, sizeof buf), "1d1s");
	char tiny[4];
	assert_string_equal(duration_format(93784, tiny, sizeof tiny), "1d");
}

static void test_format_roundtrip(void **state)
{
	(void)state;
	char buf[32];
	int64_t values[] = {1, 59, 60, 61, 3599, 3600, 86399, 86400, 1234567};
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
		assert_int_equal(
		    parse_ok(duration_format(values[i], buf, sizeof buf)),
		    values[i]);
}

static void test_format_short(void **state)
{
	(void)state;
	char buf[32];
	assert_string_equal(duration_format_short(93784, buf, sizeof buf),
	                    "1d2h");
	assert_string_equal(duration_format_short(5400, buf, sizeof buf),
	                    "1h30m");
	assert_string_equal(duration_format_short(3661, buf, sizeof buf),
	                    "1h1m");
	assert_string_equal(duration_format_short(86460, buf, sizeof buf),
	                    "1d");
	assert_string_equal(duration_format_short(45, buf, sizeof buf), "45s");
	assert_string_equal(duration_format_short(0, buf, sizeof buf), "0s");
	assert_string_equal(duration_format_short(-5, buf, sizeof buf), "-");
	assert_string_equal(duration_format_short(90, buf, sizeof buf),
	                    "1m30s");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_forms),
	    cmocka_unit_test(test_parse_errors),
	    cmocka_unit_test(test_parse_null_err),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_format_roundtrip),
	    cmocka_unit_test(test_format_short),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
