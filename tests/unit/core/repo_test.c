/* core/repo.c: which partials a put left are stale (repo_partial_stale). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/repo.h"

#define NOW 1800000000
#define DAY 86400

/* Pid 42 runs; every other pid is gone. */
static int only_42_alive(long pid)
{
	return pid == 42;
}

static int stale(const char *name, int64_t mtime, int64_t max_age)
{
	return repo_partial_stale(name, mtime, NOW, max_age, only_42_alive);
}

static void test_dead_pid_is_stale(void **state)
{
	(void)state;
	assert_true(stale("id.drb.partial-7-0badf00d", NOW, DAY));
	assert_true(stale("restored.txt.partial-7", NOW, 0));
}

static void test_live_pid_stays_until_too_old(void **state)
{
	(void)state;
	assert_false(stale("id.drb.partial-42-0badf00d", NOW, DAY));
	assert_false(stale("id.drb.partial-42-0badf00d", NOW - DAY, DAY));
	assert_true(stale("id.drb.partial-42-0badf00d", NOW - DAY - 1, DAY));
	/* No age limit: a live pid's partial always stays. */
	assert_false(stale("restored.txt.partial-42", NOW - 30 * DAY, 0));
}

static void test_names_without_a_pid_are_never_stale(void **state)
{
	(void)state;
	assert_false(stale("id.drb", NOW - 30 * DAY, DAY));
	assert_false(stale("id.drb.partial-", NOW - 30 * DAY, DAY));
	assert_false(stale("id.drb.partial-x7", NOW - 30 * DAY, DAY));
	assert_false(stale("id.drb.partial-7x", NOW - 30 * DAY, DAY));
	assert_false(stale("id.drb.partial-0-abc", NOW - 30 * DAY, DAY));
	assert_false(stale("id.drb.partial-99999999999999-a", NOW, DAY));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dead_pid_is_stale),
	    cmocka_unit_test(test_live_pid_stays_until_too_old),
	    cmocka_unit_test(test_names_without_a_pid_are_never_stale),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
