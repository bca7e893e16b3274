/* The time arithmetic of one S3 request, kept apart from libcurl so that it
 * can be tested on its own.
 *
 * A repository has a request limit L (the "request_limit" key, default
 * 120 s): the most time one request may take from its first attempt to its
 * last, backoff included, and the abort after it.  Every request gets
 * L - A; when a request of an upload fails, the abort that cleans up after
 * it gets the remaining A = min(L / 6, 20 s).  So no request, with the
 * abort after it, takes more than L (a copy that reads from one S3
 * repository and writes to another included).  Within the budget each
 * attempt's timeouts are clipped to the time left, and no attempt starts
 * once the budget is spent. */
#ifndef DR_S3_BUDGET_H
#define DR_S3_BUDGET_H

#include <stdint.h>

#define S3_BUDGET_DEFAULT_LIMIT_MS 120000
#define S3_BUDGET_ABORT_MAX_MS     20000
/* Less than this left: no attempt is worth starting. */
#define S3_BUDGET_MIN_ATTEMPT_MS 50

/* The share of limit_ms kept for the abort after a failed upload. */
int64_t s3_budget_abort_ms(int64_t limit_ms);

/* The budget of a request: limit_ms less the abort's share. */
int64_t s3_budget_request_ms(int64_t limit_ms);

/* The limits of one attempt when left_ms remain of the budget and the
 * repository's stall limit is stall_s. */
struct s3_attempt_limits {
	long total_ms;   /* CURLOPT_TIMEOUT_MS */
	long connect_ms; /* CURLOPT_CONNECTTIMEOUT_MS */
	long stall_s;    /* CURLOPT_LOW_SPEED_TIME (whole seconds, >= 1) */
};

/* 1 and the limits when an attempt may start; 0 when too little is left. */
int s3_budget_attempt(int64_t left_ms, long stall_s,
                      struct s3_attempt_limits *out);

/* The pause before retry number `retry` (0 for the first retry): 100 ms,
 * 200, 400, ... up to 3.2 s, plus up to half of that again from jitter. */
long s3_budget_backoff_ms(int retry, unsigned jitter);

/* 1 when a retry after a pause of backoff_ms may still start with left_ms
 * of the budget remaining. */
int s3_budget_may_retry(int64_t left_ms, long backoff_ms);

#endif
