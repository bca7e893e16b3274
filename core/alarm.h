/* Alarms: the subjects whose last notified state is bad (warning or
 * critical: a probe down, lag over, a verdict AT RISK or BREACH, a backup
 * failed, a runbook paused or failed), with what operators did about them.
 *
 * An acknowledgement belongs to one episode of a bad state: it stops the
 * repeats (notify_flush re-sends an unacknowledged bad state every
 * `repeat`) until the subject changes state; the alarm stays listed with
 * who acknowledged it, when and why.  A silence holds every message about
 * the subject (recorded as "silenced" in notify log) until its end.  Both
 * are audited in the transaction of the change.  A subject is its
 * notification key: "probe:orders-db:api", "verdict:orders-db:-",
 * "verdict:-:-" (the overall verdict), as `alarm list` shows it. */
#ifndef DR_ALARM_H
#define DR_ALARM_H

#include <stddef.h>
#include <stdint.h>

#include "db/catalog.h"

struct alarm {
	char subject[160];
	char state[32];
	int64_t since;
	const char *severity; /* "warning" | "critical" */
	int acked;
	char ack_by[128];
	int64_t ack_at;
	char ack_reason[256];
	int64_t silenced_until; /* 0: not silenced (or the silence ended) */
	char silence_by[128];
	char silence_reason[256];
};

/* Every subject in a bad state, and every subject under a silence that
 * has not ended, by subject. */
int alarm_list(struct catalog *cat, int64_t now, struct alarm **out, size_t *n,
               char **err);
/* Acknowledges the subject's current bad state.  DR_ENOTFOUND when the
 * subject is not in a bad state; DR_EINVAL for an empty reason. */
int alarm_ack(struct catalog *cat, const char *subject, const char *reason,
              int64_t now, char **err);
/* Silences every message about a known subject until `until`. */
int alarm_silence(struct catalog *cat, const char *subject, int64_t until,
                  const char *reason, int64_t now, char **err);
/* Ends a silence; DR_ENOTFOUND when there was none. */
int alarm_unsilence(struct catalog *cat, const char *subject, char **err);

/* For notify: whether the subject's episode that began at changed_at is
 * acknowledged, and until when it is silenced (0: not). */
int alarm_marks(struct catalog *cat, const char *subject, int64_t changed_at,
                int64_t now, int *acked, int64_t *silenced_until, char **err);

#endif
