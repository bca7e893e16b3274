/* Durations are a run of <digits><unit> pairs ("1h30m"); a text of digits
 * alone is seconds.  Formatting never uses weeks, so 604800 reads "7d" as
 * people say it. */
#include "core/duration.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/xmalloc.h"

static int64_t unit_seconds(char unit)
{
	switch (unit) {
	case 's':
		return 1;
	case 'm':
		return 60;
	case 'h':
		return 3600;
	case 'd':
		return 86400;
	case 'w':
		return 7 * 86400;
	}
	return 0;
}

static int fail(char **err, char *msg)
{
	if (err != NULL)
		*err = msg;
	else
		free(msg);
	return DR_EINVAL;
}

int duration_parse(const char *text, int64_t *seconds, char **err)
{
	const char *p = text;
	int64_t total = 0;

	if (text == NULL || *text == '\0')
		return fail(err, xstrdup("empty duration (expected e.g. 90s, "
		                         "15m, 1h30m, 7d)"));
	if (*p == '-')
		return fail(err, xasprintf("%s: negative duration", text));
	while (*p != '\0') {
		int64_t n = 0, mult;
		const char *num = p;

		while (isdigit((unsigned char)*p)) {
			int d = *p - '0';
			if (n > (INT64_MAX - d) / 10)
				return fail(err,
				            xasprintf("%s: too large", text));
			n = n * 10 + d;
			p++;
		}
		if (p == num) {
			if (isalpha((unsigned char)*p))
				return fail(err, xasprintf("%s: missing number "
				                           "before '%c'",
				                           text, *p));
			return fail(err,
			            xasprintf("%s: unexpected '%c' (expected "
			                      "a number followed by s, m, h, "
			                      "d or w)",
			                      text, *p));
		}
		if (*p == '\0') {
			if (num != text)
				return fail(
				    err, xasprintf("%s: missing unit after "
				                   "%.*s (use s, m, h, d, "
				                   "w)",
				                   text, (int)(p - num), num));
			mult = 1;
		} else {
			const char *unit = p;
			while (isalpha((unsigned char)*p))
				p++;
			if (p == unit)
				return fail(err,
				            xasprintf("%s: unexpected '%c' "
				                      "after %.*s (expected "
				                      "a unit: s, m, h, d, w)",
				                      text, *p, (int)(p - num),
				                      num));
			if (p - unit != 1 || unit_seconds(*unit) == 0)
				return fail(err,
				            xasprintf("%s: unknown unit '%.*s' "
				                      "(use s, m, h, d, w)",
				                      text, (int)(p - unit),
				                      unit));
			mult = unit_seconds(*unit);
		}
		if (n > INT64_MAX / mult || total > INT64_MAX - n * mult)
			return fail(err, xasprintf("%s: too large", text));
		total += n * mult;
		if (total > DURATION_MAX)
			return fail(err, xasprintf("%s: too large (at most "
			                           "36500d, a hundred years)",
			                           text));
	}
	*seconds = total;
	return DR_OK;
}

static const struct {
	char unit;
	int64_t secs;
} format_units[] = {{'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}};

#define N_UNITS (sizeof(format_units) / sizeof(format_units[0]))

char *duration_format(int64_t seconds, char *buf, size_t size)
{
	size_t used = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (seconds < 0) {
		strlcpy_dr(buf, "-", size);
		return buf;
	}
	if (seconds == 0) {
		strlcpy_dr(buf, "0s", size);
		return buf;
	}
	for (size_t i = 0; i < N_UNITS && seconds > 0; i++) {
		int64_t n = seconds / format_units[i].secs;
		if (n == 0)
			continue;
		seconds -= n * format_units[i].secs;
		int w = snprintf(buf + used, size - used, "%lld%c",
		                 (long long)n, format_units[i].unit);
		if (w < 0 || (size_t)w >= size - used) {
			buf[used] = '\0'; /* whole units only */
			break;
		}
		used += (size_t)w;
	}
	return buf;
}

char *duration_format_short(int64_t seconds, char *buf, size_t size)
{
	if (size == 0)
		return buf;
	if (seconds < 0) {
		strlcpy_dr(buf, "-", size);
		return buf;
	}
	for (size_t i = 0; i < N_UNITS; i++) {
		int64_t n = seconds / format_units[i].secs;
		if (n == 0 && format_units[i].secs > 1)
			continue;
		int64_t rest = seconds - n * format_units[i].secs;
		if (i + 1 < N_UNITS && rest / format_units[i + 1].secs > 0)
			snprintf(buf, size, "%lld%c%lld%c", (long long)n,
			         format_units[i].unit,
			         (long long)(rest / format_units[i + 1].secs),
			         format_units[i + 1].unit);
		else
			snprintf(buf, size, "%lld%c", (long long)n,
			         format_units[i].unit);
		return buf;
	}
	return buf;
}
