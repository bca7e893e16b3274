/* The deadline rules of core/s3_budget.h. */
#include "core/s3_budget.h"

int64_t s3_budget_abort_ms(int64_t limit_ms)
{
	if (limit_ms <= 0)
		return 0;
	int64_t a = limit_ms / 6;
	return a < S3_BUDGET_ABORT_MAX_MS ? a : S3_BUDGET_ABORT_MAX_MS;
}

int64_t s3_budget_request_ms(int64_t limit_ms)
{
	return limit_ms - s3_budget_abort_ms(limit_ms);
}

int s3_budget_attempt(int64_t left_ms, long stall_s,
                      struct s3_attempt_limits *out)
{
	if (left_ms < S3_BUDGET_MIN_ATTEMPT_MS)
		return 0;
	if (stall_s < 1)
		stall_s = 1;
	/* libcurl takes a long, which may be 32 bits: 2^31 - 1 ms is
	 * about 24 days, more than any limit the config accepts. */
	long total = left_ms > 2147483647 ? 2147483647 : (long)left_ms;
	out->total_ms = total;
	out->connect_ms = stall_s <= total / 1000 ? stall_s * 1000 : total;
	/* In whole seconds, rounded up: TIMEOUT_MS ends the attempt at the
	 * deadline whatever this says. */
	long left_s = (total + 999) / 1000;
	out->stall_s = stall_s < left_s ? stall_s : left_s;
	return 1;
}

long s3_budget_backoff_ms(int retry, unsigned jitter)
{
	if (retry < 0)
		retry = 0;
	long ms = 100L << (retry < 5 ? retry : 5);
	return ms + (long)(jitter % (unsigned)(ms / 2 + 1));
}

int s3_budget_may_retry(int64_t left_ms, long backoff_ms)
{
	return left_ms - backoff_ms >= S3_BUDGET_MIN_ATTEMPT_MS;
}
