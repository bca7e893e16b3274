/* Times are Unix seconds in UTC throughout; text forms are converted with
 * timegm/gmtime_r so the local time zone never leaks in. */
#include "core/timeutil.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/duration.h"
#include "core/error.h"
#include "core/xmalloc.h"
#include "db/catalog.h"

#define TIME_RANGE                                                             \
	"expected a time from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z"

#define TIME_FORMS                                                             \
	"expected e.g. 2026-11-22T03:04:05Z, 2026-11-22 03:04:05, "            \
	"2026-11-22, @1763780645, now or now-15m"

static int fail(char **err, char *msg)
{
	if (err != NULL)
		*err = msg;
	else
		free(msg);
	return DR_EINVAL;
}

/* The value of DRCONSOLE_NOW: any TIME, or a bare number of Unix
 * seconds. */
static int parse_pin(const char *pin, int64_t real, int64_t *out, char **err)
{
	char *perr = NULL, *end;
	long long v;

	if (time_parse(pin, real, out, &perr) == DR_OK)
		return DR_OK;
	if (pin[0] == '-' || !isdigit((unsigned char)pin[0]))
		return fail(err, perr);
	errno = 0;
	v = strtoll(pin, &end, 10);
	if (*end != '\0')
		return fail(err, perr);
	free(perr);
	if (errno == ERANGE || v > TIME_MAX)
		return fail(
		    err, xasprintf("%s: out of range (%s)", pin, TIME_RANGE));
	*out = (int64_t)v;
	return DR_OK;
}

int64_t time_real_now(void)
{
	return (int64_t)time(NULL);
}

double time_real_exact(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double time_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int64_t time_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t time_now(void)
{
	const char *pin = getenv("DRCONSOLE_NOW");
	int64_t real = time_real_now(), t;

	if (pin != NULL && *pin != '\0' &&
	    parse_pin(pin, real, &t, NULL) == DR_OK)
		return t;
	return real;
}

/* Every program linked with core/ (drconsole, the unit tests, the
 * helpers) dates catalog rows by time_now, so a pinned clock is pinned for
 * the catalog too; none has to remember to say so. */
__attribute__((constructor)) static void time_install_catalog_clock(void)
{
	catalog_set_clock(time_now);
}

int time_now_check(char **err)
{
	const char *pin = getenv("DRCONSOLE_NOW");
	char *perr = NULL;
	int64_t t;

	if (pin == NULL || *pin == '\0')
		return DR_OK;
	if (parse_pin(pin, time_real_now(), &t, &perr) == DR_OK)
		return DR_OK;
	char *msg = xasprintf("DRCONSOLE_NOW: %s", perr);
	free(perr);
	return fail(err, msg);
}

/* Reads exactly `n` digits. */
static int digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int days_in_month(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30,
	                           31, 31, 30, 31, 30, 31};
	if (month == 2 &&
	    ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
		return 29;
	return days[month - 1];
}

static int parse_iso(const char *text, int64_t *out, char **err)
{
	const char *p = text;
	int year, mon, day, hour = 0, min = 0, sec = 0, offset = 0;

	if (digits(&p, 4, &year) || *p++ != '-' || digits(&p, 2, &mon) ||
	    *p++ != '-' || digits(&p, 2, &day))
		return fail(err,
		            xasprintf("%s: not a time (%s)", text, TIME_FORMS));
	if (mon < 1 || mon > 12)
		return fail(err, xasprintf("%s: month %d does not exist "
		                           "(expected 01-12)",
		                           text, mon));
	if (day < 1 || day > days_in_month(year, mon))
		return fail(err,
		            xasprintf("%s: %04d-%02d has no day %d (it has "
		                      "%d days)",
		                      text, year, mon, day,
		                      days_in_month(year, mon)));
	if (*p == 'T' || *p == ' ') {
		p++;
		if (digits(&p, 2, &hour) || *p++ != ':' || digits(&p, 2, &min))
			return fail(err, xasprintf("%s: expected a time of "
			                           "day HH:MM[:SS] after the "
			                           "date",
			                           text));
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &sec))
				return fail(err,
				            xasprintf("%s: expected two digits "
				                      "of seconds",
				                      text));
			if (*p == '.' || *p == ',') {
				/* Fractions of a second are dropped. */
				p++;
				if (!isdigit((unsigned char)*p))
					return fail(err,
					            xasprintf("%s: expected "
					                      "digits after "
					                      "'.'",
					                      text));
				while (isdigit((unsigned char)*p))
					p++;
			}
		}
		if (hour > 23 || min > 59 || sec > 60)
			return fail(err, xasprintf("%s: %02d:%02d:%02d is not "
			                           "a time of day",
			                           text, hour, min, sec));
		if (sec == 60)
			sec = 59; /* a leap second: as close as time_t gets */
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p++ == '-' ? -1 : 1, oh, om;
			if (digits(&p, 2, &oh))
				return fail(err,
				            xasprintf("%s: expected a UTC "
				                      "offset such as +01:00",
				                      text));
			if (*p == ':')
				p++;
			if (digits(&p, 2, &om) || oh > 23 || om > 59)
				return fail(err,
				            xasprintf("%s: expected a UTC "
				                      "offset such as +01:00",
				                      text));
			offset = sign * (oh * 3600 + om * 60);
		}
	}
	if (*p != '\0')
		return fail(err, xasprintf("%s: unexpected \"%s\" at the end "
		                           "(%s)",
		                           text, p, TIME_FORMS));

	struct tm tm = {0};
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	*out = (int64_t)timegm(&tm) - offset;
	return DR_OK;
}

static int parse_any(const char *text, int64_t now, int64_t *out, char **err)
{
	if (text == NULL || *text == '\0')
		return fail(err, xasprintf("empty time (%s)", TIME_FORMS));

	if (strcmp(text, "now") == 0) {
		*out = now;
		return DR_OK;
	}
	if (strncmp(text, "now-", 4) == 0 || text[0] == '-') {
		const char *dur = text[0] == '-' ? text + 1 : text + 4;
		int64_t ago;
		char *derr = NULL;
		if (duration_parse(dur, &ago, &derr) != DR_OK) {
			int rc = fail(
			    err, xasprintf("%s: bad duration: %s", text, derr));
			free(derr);
			return rc;
		}
		if (now < ago) /* before 1970, and safe from overflow */
			return fail(err, xasprintf("%s: out of range (%s)",
			                           text, TIME_RANGE));
		*out = now - ago;
		return DR_OK;
	}
	if (text[0] == '@') {
		char *end;
		const char *num = text + 1;
		if (!isdigit((unsigned char)*num) && *num != '-')
			return fail(err, xasprintf("%s: expected Unix seconds "
			                           "after '@'",
			                           text));
		errno = 0;
		long long v = strtoll(num, &end, 10);
		if (*end != '\0' || end == num)
			return fail(err, xasprintf("%s: expected Unix seconds "
			                           "after '@'",
			                           text));
		if (errno == ERANGE)
			return fail(err, xasprintf("%s: out of range (%s)",
			                           text, TIME_RANGE));
		*out = (int64_t)v;
		return DR_OK;
	}
	return parse_iso(text, out, err);
}

/* One range check for every form, so every caller gets it: a time before
 * 1970 or past year 9999 is a typing error or an overflow, never a fact,
 * and the catalog's text form cannot hold it. */
int time_parse(const char *text, int64_t now, int64_t *out, char **err)
{
	int64_t t;
	int rc = parse_any(text, now, &t, err);

	if (rc != DR_OK)
		return rc;
	if (t < 0 || t > TIME_MAX)
		return fail(
		    err, xasprintf("%s: out of range (%s)", text, TIME_RANGE));
	*out = t;
	return DR_OK;
}

/* Four-digit years (strftime's %Y writes 999 for 999), so the text sorts
 * as the time does.  The modulos only tell the compiler the widths: the
 * fields of a time in range already fit. */
static void format_tm(const struct tm *tm, int iso, char buf[32])
{
	unsigned year = (unsigned)(tm->tm_year + 1900) % 10000u;
	unsigned mon = (unsigned)(tm->tm_mon + 1) % 100u;
	unsigned day = (unsigned)tm->tm_mday % 100u;
	unsigned hour = (unsigned)tm->tm_hour % 100u;
	unsigned min = (unsigned)tm->tm_min % 100u;
	unsigned sec = (unsigned)tm->tm_sec % 100u;

	if (iso)
		snprintf(buf, 32, "%04u-%02u-%02uT%02u:%02u:%02uZ", year, mon,
		         day, hour, min, sec);
	else
		snprintf(buf, 32, "%04u-%02u-%02u %02u:%02u", year, mon, day,
		         hour, min);
}

void time_format_iso(int64_t t, char buf[32])
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t == 0 || gmtime_r(&tt, &tm) == NULL) {
		strlcpy_dr(buf, "-", 32);
		return;
	}
	format_tm(&tm, 1, buf);
}

void time_format_short(int64_t t, char buf[32])
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t == 0 || gmtime_r(&tt, &tm) == NULL) {
		strlcpy_dr(buf, "-", 32);
		return;
	}
	format_tm(&tm, 0, buf);
}
