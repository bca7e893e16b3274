/* core/procid.c: the start time from /proc/PID/stat, and "is this the
 * process that was recorded". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/error.h"
#include "core/procid.h"

/* Fields 3..21, then starttime (22) = 4242, then more. */
#define AFTER_COMM                                                             \
	" S 1 2 3 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 4242 1000 10 "       \
	"18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"

static unsigned long long start_of(const char *stat)
{
	unsigned long long start = 7;
	assert_int_equal(procid_parse_stat(stat, &start), DR_OK);
	return start;
}

static void test_parse_plain(void **state)
{
	(void)state;
	assert_int_equal(start_of("123 (drconsole)" AFTER_COMM), 4242);
}

static void test_parse_comm_with_spaces_and_parens(void **state)
{
	(void)state;
	/* A command may name itself anything: only the last ')' ends it. */
	assert_int_equal(start_of("123 (a b) c)" AFTER_COMM), 4242);
	assert_int_equal(start_of("123 ()) ) (x"
	                          ")" AFTER_COMM),
	                 4242);
	assert_int_equal(start_of("123 (1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 "
	                          "16 17 18 19 20 21 22 23)" AFTER_COMM),
	                 4242);
}

static void test_parse_refuses_short_or_odd(void **state)
{
	(void)state;
	unsigned long long start = 7;
	assert_int_equal(procid_parse_stat("123 (x) S 1 2 3", &start),
	                 DR_EINVAL);
	assert_int_equal(procid_parse_stat("no parenthesis at all", &start),
	                 DR_EINVAL);
	assert_int_equal(procid_parse_stat("123 (x) S 1 2 3 0 -1 4194560 100 "
	                                   "0 0 0 1 2 0 0 20 0 1 0 x4 1000",
	                                   &start),
	                 DR_EINVAL);
	assert_int_equal(start, 7);
}

static void test_self_is_alive_a_reused_pid_is_not(void **state)
{
	(void)state;
	struct procid self, other;

	procid_self(&self);
	assert_int_equal(self.pid, getpid());
	assert_true(self.start > 0); /* field 22, not the 0 of field 21 */
	assert_true(procid_alive(&self));
	/* Our pid with another start time: a different process. */
	other = self;
	other.start = self.start + 1;
	assert_false(procid_alive(&other));
	/* No start time recorded: only the pid to go by. */
	other.start = 0;
	assert_true(procid_alive(&other));
	other.pid = 0;
	assert_false(procid_alive(&other));
}

static void test_a_dead_process_is_not_alive(void **state)
{
	(void)state;
	struct procid child;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(procid_of(pid, &child), DR_OK);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	assert_false(procid_alive(&child));
	assert_int_equal(procid_of(pid, &child), DR_ENOTFOUND);
}

static void test_start_text_round_trip(void **state)
{
	(void)state;
	struct procid p = {1, 0};
	char buf[24];

	procid_start_text(&p, buf, sizeof buf);
	assert_string_equal(buf, "");
	p.start = 123456789ULL;
	procid_start_text(&p, buf, sizeof buf);
	assert_string_equal(buf, "123456789");
	assert_int_equal(procid_start_parse(buf), 123456789ULL);
	assert_int_equal(procid_start_parse(""), 0);
	assert_int_equal(procid_start_parse(NULL), 0);
	assert_int_equal(procid_start_parse("12x"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_plain),
	    cmocka_unit_test(test_parse_comm_with_spaces_and_parens),
	    cmocka_unit_test(test_parse_refuses_short_or_odd),
	    cmocka_unit_test(test_self_is_alive_a_reused_pid_is_not),
	    cmocka_unit_test(test_a_dead_process_is_not_alive),
	    cmocka_unit_test(test_start_text_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
