/* When a job runs: every so often ("15m", "every 1h") or at the times a
 * 5-field cron expression names (every six hours is "0 *\/6 * * *" in
 * a crontab; "@daily").  Cron fields
 * are evaluated in UTC, like every time in the catalog.
 *
 * Cron syntax: minute hour day-of-month month day-of-week, each field a
 * list of "*", "N", "N-M", with an optional "/STEP"; month and day names
 * (jan..dec, sun..sat) are accepted, and 7 is Sunday as 0 is.  As in Vixie
 * cron, when both day-of-month and day-of-week are restricted a day matches
 * when either does.  Macros: @hourly @daily @midnight @weekly @monthly
 * @yearly @annually. */
#ifndef DR_SCHEDULE_H
#define DR_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

/* The longest interval schedule: a year and a day. */
#define SCHEDULE_INTERVAL_MAX (366LL * 86400)

enum schedule_kind {
	SCHEDULE_INTERVAL = 1,
	SCHEDULE_CRON,
};

struct schedule {
	enum schedule_kind kind;
	int64_t interval_s; /* SCHEDULE_INTERVAL */
	uint64_t minutes;   /* bit m: minute m matches (0..59) */
	uint32_t hours;     /* bit h (0..23) */
	uint32_t mdays;     /* bit d (1..31) */
	uint16_t months;    /* bit m (1..12) */
	uint8_t wdays;      /* bit d (0..6, Sunday 0) */
	int mday_any;       /* the field was "*" (or a "*" step) */
	int wday_any;
	char text[96]; /* as written, for messages and listings */
};

/* Parses "15m", "every 15m", "@every 15m", a cron expression or a macro.
 * DR_EINVAL with a message naming the bad field and what was expected. */
int schedule_parse(const char *text, struct schedule *out, char **err);

/* The first time strictly after `after` at which the schedule fires.  For
 * an interval that is after + interval.  -1 when a cron expression can
 * never match (e.g. "0 0 31 2 *"). */
int64_t schedule_next(const struct schedule *s, int64_t after);

/* Whether a job last started at last_run (0: never) is due at `now`.
 * Never-run interval jobs are due at once; never-run cron jobs wait for
 * their next time after `since` (the agent's start).  However many times
 * were missed while nothing ran, one run is due, not one per miss. */
int schedule_due(const struct schedule *s, int64_t last_run, int64_t since,
                 int64_t now);

#endif
