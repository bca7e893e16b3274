/* Schedules: intervals and 5-field cron expressions (see schedule.h).
 *
 * A cron expression becomes one bit set per field; schedule_next() then
 * walks forward from the minute after `after`, jumping a whole month, day
 * or hour whenever that field does not match, so even a sparse expression
 * ("0 0 29 2 *") is found in a few hundred steps.  The walk gives up after
 * eight years of calendar, which covers every leap-year cycle. */
#include "core/schedule.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/duration.h"
#include "core/error.h"
#include "core/xmalloc.h"

struct cron_field {
	const char *what;
	int lo, hi;
	const char *const *names; /* names[i] stands for lo + i, or NULL */
};

static const char *const month_names[] = {"jan", "feb", "mar", "apr",
                                          "may", "jun", "jul", "aug",
                                          "sep", "oct", "nov", "dec"};
static const char *const wday_names[] = {"sun", "mon", "tue", "wed",
                                         "thu", "fri", "sat"};

static const struct cron_field cron_fields[5] = {
    {"minute", 0, 59, NULL},
    {"hour", 0, 23, NULL},
    {"day of month", 1, 31, NULL},
    {"month", 1, 12, month_names},
    /* 7 is accepted as Sunday and folded onto 0 afterwards. */
    {"day of week", 0, 7, wday_names},
};

static const struct {
	const char *name;
	const char *expr;
} cron_macros[] = {
    {"@yearly", "0 0 1 1 *"},  {"@annually", "0 0 1 1 *"},
    {"@monthly", "0 0 1 * *"}, {"@weekly", "0 0 * * 0"},
    {"@daily", "0 0 * * *"},   {"@midnight", "0 0 * * *"},
    {"@hourly", "0 * * * *"},
};

/* Reads a number or (where the field has them) a three-letter name. */
static int cron_value(const struct cron_field *f, const char **p, int *out)
{
	const char *s = *p;

	if (isdigit((unsigned char)*s)) {
		long v = 0;
		while (isdigit((unsigned char)*s)) {
			v = v * 10 + (*s - '0');
			if (v > 1000)
				return -1;
			s++;
		}
		*out = (int)v;
		*p = s;
		return 0;
	}
	if (f->names != NULL && isalpha((unsigned char)s[0])) {
		for (int i = 0; i <= f->hi - f->lo && i < 12; i++) {
			if (f == &cron_fields[4] && i > 6)
				break;
			if (strncasecmp(s, f->names[i], 3) == 0 &&
			    !isalpha((unsigned char)s[3])) {
				*out = f->lo + i;
				*p = s + 3;
				return 0;
			}
		}
	}
	return -1;
}

/* One field: a comma-separated list of "*", "N", "N-M", each with an
 * optional "/STEP".  Sets bits lo..hi of *bits. */
static int cron_parse_field(const struct cron_field *f, const char *text,
                            uint64_t *bits, int *any, char **err)
{
	const char *p = text;

	*bits = 0;
	*any = 0;
	for (;;) {
		int lo, hi, step = 1, star = 0;
		const char *item = p;

		if (*p == '*') {
			lo = f->lo;
			hi = f->hi == 7 ? 6 : f->hi;
			star = 1;
			p++;
		} else {
			if (cron_value(f, &p, &lo) != 0)
				goto bad;
			hi = lo;
			if (*p == '-') {
				p++;
				if (cron_value(f, &p, &hi) != 0)
					goto bad;
			}
			if (lo < f->lo || lo > f->hi || hi < f->lo ||
			    hi > f->hi) {
				*err = xasprintf(
				    "%s \"%.*s\" is out of range (expected "
				    "%d to %d)",
				    f->what, (int)strcspn(item, ","), item,
				    f->lo, f->hi);
				return DR_EINVAL;
			}
			if (hi < lo) {
				*err = xasprintf(
				    "%s range \"%.*s\" runs backwards", f->what,
				    (int)strcspn(item, ","), item);
				return DR_EINVAL;
			}
		}
		if (*p == '/') {
			int v;
			p++;
			if (!isdigit((unsigned char)*p) ||
			    cron_value(f, &p, &v) != 0 || v < 1 || v > f->hi) {
				*err = xasprintf("%s step in \"%s\" must be a "
				                 "number from 1 to %d",
				                 f->what, text, f->hi);
				return DR_EINVAL;
			}
			step = v;
			if (!star && hi == lo)
				hi = f->hi == 7 ? 6 : f->hi;
		}
		if (star && step == 1)
			*any = 1;
		for (int v = lo; v <= hi; v += step)
			*bits |= (uint64_t)1 << (v == 7 && f->hi == 7 ? 0 : v);
		if (*p == '\0')
			return DR_OK;
		if (*p != ',')
			goto bad;
		p++;
	}
bad:
	*err = xasprintf("bad %s field \"%s\": expected *, a number from %d "
	                 "to %d%s, a range N-M, a step /N or a list",
	                 f->what, text, f->lo, f->hi,
	                 f->names ? " or a name" : "");
	return DR_EINVAL;
}

static int schedule_parse_cron(const char *expr, struct schedule *out,
                               char **err)
{
	char buf[128];
	char *fields[6];
	int n = 0;
	char *save = NULL;
	uint64_t bits[5];
	int any[5];

	if (strlen(expr) >= sizeof(buf)) {
		*err = xstrdup("schedule is too long");
		return DR_EINVAL;
	}
	strlcpy_dr(buf, expr, sizeof(buf));
	for (char *tok = strtok_r(buf, " \t", &save); tok != NULL;
	     tok = strtok_r(NULL, " \t", &save)) {
		if (n == 6)
			break;
		fields[n++] = tok;
	}
	if (n != 5) {
		*err = xasprintf("schedule \"%s\": expected an interval such "
		                 "as \"15m\" or 5 cron fields (minute hour "
		                 "day-of-month month day-of-week), found %d "
		                 "field%s",
		                 expr, n, n == 1 ? "" : "s");
		return DR_EINVAL;
	}
	for (int i = 0; i < 5; i++) {
		char *ferr = NULL;
		if (cron_parse_field(&cron_fields[i], fields[i], &bits[i],
		                     &any[i], &ferr) != DR_OK) {
			*err = xasprintf("schedule \"%s\": %s", expr, ferr);
			free(ferr);
			return DR_EINVAL;
		}
	}
	out->kind = SCHEDULE_CRON;
	out->minutes = bits[0];
	out->hours = (uint32_t)bits[1];
	out->mdays = (uint32_t)bits[2];
	out->months = (uint16_t)bits[3];
	out->wdays = (uint8_t)(bits[4] & 0x7f);
	out->mday_any = any[2];
	out->wday_any = any[4];
	return DR_OK;
}

int schedule_parse(const char *text, struct schedule *out, char **err)
{
	const char *p = text;
	int64_t secs;
	char *derr = NULL;

	memset(out, 0, sizeof(*out));
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '\0') {
		*err = xstrdup("empty schedule: expected an interval such as "
		               "\"15m\" or a cron expression such as "
		               "\"0 */6 * * *\"");
		return DR_EINVAL;
	}
	strlcpy_dr(out->text, p, sizeof(out->text));
	for (size_t i = 0; i < sizeof(cron_macros) / sizeof(cron_macros[0]);
	     i++)
		if (strcasecmp(p, cron_macros[i].name) == 0)
			return schedule_parse_cron(cron_macros[i].expr, out,
			                           err);
	if (strncasecmp(p, "@every ", 7) == 0)
		p += 7;
	else if (strncasecmp(p, "every ", 6) == 0)
		p += 6;
	else if (strchr(p, ' ') != NULL || strchr(p, '\t') != NULL ||
	         *p == '@' || *p == '*')
		return schedule_parse_cron(p, out, err);
	while (isspace((unsigned char)*p))
		p++;
	if (duration_parse(p, &secs, &derr) != DR_OK) {
		*err = xasprintf("schedule \"%s\": %s", text, derr);
		free(derr);
		return DR_EINVAL;
	}
	if (secs < 1) {
		*err = xasprintf("schedule \"%s\": the interval must be at "
		                 "least 1s",
		                 text);
		return DR_EINVAL;
	}
	if (secs > SCHEDULE_INTERVAL_MAX) {
		*err = xasprintf("schedule \"%s\": the interval must be at "
		                 "most 366d",
		                 text);
		return DR_EINVAL;
	}
	out->kind = SCHEDULE_INTERVAL;
	out->interval_s = secs;
	return DR_OK;
}

static int cron_day_matches(const struct schedule *s, const struct tm *tm)
{
	int mday = (s->mdays >> tm->tm_mday) & 1;
	int wday = (s->wdays >> tm->tm_wday) & 1;

	if (s->mday_any && s->wday_any)
		return 1;
	if (s->mday_any)
		return wday;
	if (s->wday_any)
		return mday;
	return mday || wday;
}

int64_t schedule_next(const struct schedule *s, int64_t after)
{
	struct tm tm;
	time_t t;
	int64_t limit;

	if (s->kind == SCHEDULE_INTERVAL)
		return after > INT64_MAX - s->interval_s
		           ? INT64_MAX
		           : after + s->interval_s;
	if (s->kind != SCHEDULE_CRON)
		return -1;
	/* The next whole minute after `after`. */
	t = (time_t)(after - (after % 60 + 60) % 60 + 60);
	limit = (int64_t)t + 8LL * 366 * 86400;
	gmtime_r(&t, &tm);
	while ((int64_t)t <= limit) {
		if (!((s->months >> (tm.tm_mon + 1)) & 1)) {
			tm.tm_mon++;
			tm.tm_mday = 1;
			tm.tm_hour = 0;
			tm.tm_min = 0;
		} else if (!cron_day_matches(s, &tm)) {
			tm.tm_mday++;
			tm.tm_hour = 0;
			tm.tm_min = 0;
		} else if (!((s->hours >> tm.tm_hour) & 1)) {
			tm.tm_hour++;
			tm.tm_min = 0;
		} else if (!((s->minutes >> tm.tm_min) & 1)) {
			tm.tm_min++;
		} else {
			return (int64_t)t;
		}
		tm.tm_sec = 0;
		tm.tm_isdst = 0;
		t = timegm(&tm); /* normalises overflowing fields */
		gmtime_r(&t, &tm);
	}
	return -1;
}

int schedule_due(const struct schedule *s, int64_t last_run, int64_t since,
                 int64_t now)
{
	int64_t next;

	if (last_run == 0 && s->kind == SCHEDULE_INTERVAL)
		return 1;
	next = schedule_next(s, last_run != 0 ? last_run : since);
	return next >= 0 && next <= now;
}
