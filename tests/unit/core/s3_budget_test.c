/* core/s3_budget.c: the time one S3 request may take.  With the defaults
 * (request limit 120 s, stall limit 30 s, 5 retries) a hung server is given
 * up on within the limit, abort included: the walk below replays the
 * request loop of core/repo_s3.c on a simulated clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "core/s3_budget.h"

static void abort_share(void **state)
{
	(void)state;
	assert_int_equal(s3_budget_abort_ms(120000), 20000);
	assert_int_equal(s3_budget_request_ms(120000), 100000);
	assert_int_equal(s3_budget_abort_ms(6000), 1000);
	assert_int_equal(s3_budget_request_ms(6000), 5000);
	/* Capped at 20 s however long the limit. */
	assert_int_equal(s3_budget_abort_ms(3600000), 20000);
	assert_int_equal(s3_budget_abort_ms(0), 0);
}

static void attempt_clipped(void **state)
{
	(void)state;
	struct s3_attempt_limits l;
	/* Plenty left: the stall limit is the repository's. */
	assert_true(s3_budget_attempt(100000, 30, &l));
	assert_int_equal(l.total_ms, 100000);
	assert_int_equal(l.connect_ms, 30000);
	assert_int_equal(l.stall_s, 30);
	/* 9.5 s left: everything clipped to it (stall rounded up, the total
	 * ends the attempt on time). */
	assert_true(s3_budget_attempt(9500, 30, &l));
	assert_int_equal(l.total_ms, 9500);
	assert_int_equal(l.connect_ms, 9500);
	assert_int_equal(l.stall_s, 10);
	/* A stall limit of 0 is taken as 1 s. */
	assert_true(s3_budget_attempt(5000, 0, &l));
	assert_int_equal(l.stall_s, 1);
	assert_int_equal(l.connect_ms, 1000);
	/* Nothing, or almost nothing, left: no attempt. */
	assert_false(s3_budget_attempt(0, 30, &l));
	assert_false(s3_budget_attempt(-5, 30, &l));
	assert_false(s3_budget_attempt(S3_BUDGET_MIN_ATTEMPT_MS - 1, 30, &l));
	assert_true(s3_budget_attempt(S3_BUDGET_MIN_ATTEMPT_MS, 30, &l));
}

static void backoff_grows_and_caps(void **state)
{
	(void)state;
	assert_int_equal(s3_budget_backoff_ms(0, 0), 100);
	assert_int_equal(s3_budget_backoff_ms(1, 0), 200);
	assert_int_equal(s3_budget_backoff_ms(4, 0), 1600);
	assert_int_equal(s3_budget_backoff_ms(5, 0), 3200);
	assert_int_equal(s3_budget_backoff_ms(9, 0), 3200);
	/* Jitter adds at most half. */
	assert_int_equal(s3_budget_backoff_ms(0, 50), 150);
	assert_int_equal(s3_budget_backoff_ms(0, 51), 100);
	assert_true(s3_budget_backoff_ms(5, 65535) <= 4800);
	/* A retry whose pause would eat the rest of the budget is not made. */
	assert_true(s3_budget_may_retry(10000, 3200));
	assert_false(s3_budget_may_retry(3200, 3200));
	assert_false(s3_budget_may_retry(100, 100));
}

/* A server that never answers: every attempt runs until its stall limit or
 * the deadline.  Returns the simulated time spent and the attempts made. */
static int64_t hung(int64_t budget_ms, long stall_s, int retries,
                    unsigned jitter, int *attempts)
{
	int64_t now = 0, deadline = budget_ms;
	*attempts = 0;
	while (*attempts < retries + 1) {
		if (*attempts > 0) {
			long pause =
			    s3_budget_backoff_ms(*attempts - 1, jitter);
			if (!s3_budget_may_retry(deadline - now, pause))
				break;
			now += pause;
		}
		struct s3_attempt_limits l;
		if (!s3_budget_attempt(deadline - now, stall_s, &l))
			break;
		(*attempts)++;
		int64_t stall = (int64_t)l.stall_s * 1000;
		now += stall < l.total_ms ? stall : l.total_ms;
	}
	return now;
}

static void hung_server_within_limit(void **state)
{
	(void)state;
	int n;
	/* Defaults: the upload request and its abort together stay within
	 * 120 s (it was six 30 s stalls plus backoff, twice, before). */
	int64_t t = hung(s3_budget_request_ms(120000), 30, 5, 65535, &n);
	assert_true(t <= 100000);
	assert_int_equal(n, 4); /* three full stalls and a clipped fourth */
	int64_t a = hung(s3_budget_abort_ms(120000), 30, 5, 65535, &n);
	assert_true(t + a <= 120000);
	/* A small limit: 6 s in all. */
	t = hung(s3_budget_request_ms(6000), 2, 5, 0, &n);
	a = hung(s3_budget_abort_ms(6000), 2, 5, 0, &n);
	assert_true(t + a <= 6000);
	/* Few retries end before the limit does. */
	t = hung(120000, 2, 1, 0, &n);
	assert_int_equal(n, 2);
	assert_int_equal(t, 2000 + 100 + 2000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(abort_share),
	    cmocka_unit_test(attempt_clipped),
	    cmocka_unit_test(backoff_grows_and_caps),
	    cmocka_unit_test(hung_server_within_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
