/* Wall-clock time as Unix seconds (UTC), and the text forms people and
 * files use for it. */
#ifndef DR_TIMEUTIL_H
#define DR_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

/* The latest time drconsole accepts or stores: 9999-12-31T23:59:59Z.  The
 * earliest is 0, 1970-01-01T00:00:00Z. */
#define TIME_MAX INT64_C(253402300799)

/* Now.  DRCONSOLE_NOW (any form time_parse accepts, or Unix seconds)
 * overrides it, so tests and demos can pin the clock; a value that is not
 * a time in range is ignored here, and refused by time_now_check.  This is
 * the one "now" of drconsole: the catalog's too (catalog_set_clock is
 * given it before main runs), so every row a pinned run writes is dated
 * by the pinned clock. */
int64_t time_now(void);
/* DR_EINVAL, naming the value, when DRCONSOLE_NOW is set but is not a time
 * in range (programs check it once at start). */
int time_now_check(char **err);

/* The real clock, never pinned: the time of the audit trail
 * (DRCONSOLE_NOW moves the evidence clock, never the record of who did
 * what when), and what "ahead of the real clock" is measured against. */
int64_t time_real_now(void);
/* The same to the nanosecond, for schedules that fall due within a
 * second. */
double time_real_exact(void);
/* Seconds, and milliseconds, on the monotonic clock: for durations and
 * deadlines, never for a date. */
double time_mono(void);
int64_t time_mono_ms(void);

/* Accepts "2026-11-22T03:04:05Z", "2026-11-22T03:04:05+01:00",
 * "2026-11-22 03:04:05" (UTC), "2026-11-22" (midnight UTC), "@1763780645"
 * (Unix seconds), "now", and "now-15m" / "-15m" (a duration before now).
 * Every form must give a time from 1970-01-01T00:00:00Z to TIME_MAX.
 * Returns DR_EINVAL with a message naming the text and saying what was
 * expected. */
int time_parse(const char *text, int64_t now, int64_t *out, char **err);

/* "2026-11-22T03:04:05Z", the year always 4 digits; "-" for 0. */
void time_format_iso(int64_t t, char buf[32]);
/* "2026-11-22 03:04" in UTC: for tables. "-" for 0. */
void time_format_short(int64_t t, char buf[32]);

#endif
