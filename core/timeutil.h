/* Wall-clock time as Unix seconds (UTC), and the text forms people and
 * files use for it. */
#ifndef DR_TIMEUTIL_H
#define DR_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

/* Now.  DRCONSOLE_NOW (ISO-8601 or Unix seconds) overrides it, so tests and
 * demos can pin the clock. */
int64_t time_now(void);

/* Accepts "2026-11-22T03:04:05Z", "2026-11-22T03:04:05+01:00",
 * "2026-11-22 03:04:05" (UTC), "2026-11-22" (midnight UTC), "@1763780645"
 * (Unix seconds), "now", and "now-15m" / "-15m" (a duration before now).
 * Returns DR_EINVAL with a message saying what was expected. */
int time_parse(const char *text, int64_t now, int64_t *out, char **err);

/* "2026-11-22T03:04:05Z"; "-" for 0. */
void time_format_iso(int64_t t, char buf[32]);
/* "2026-11-22 03:04" in UTC: for tables. "-" for 0. */
void time_format_short(int64_t t, char buf[32]);

#endif
