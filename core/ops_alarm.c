/* See ops_alarm.h. */
#include "core/ops_alarm.h"

#include "core/alarm.h"
#include "core/error.h"

int ops_alarm_ack(const struct ops_session *s, const char *subject,
                  const char *reason, int64_t now, char **err)
{
	int rc = ops_writable(s, "the acknowledgement", err);

	if (rc == DR_OK)
		rc = alarm_ack(s->cat, subject, reason, now, err);
	ops_report(s, "alarm.ack", subject, rc, rc == DR_OK ? NULL : *err);
	return rc;
}

int ops_alarm_silence(const struct ops_session *s, const char *subject,
                      int64_t until, const char *reason, int64_t now,
                      char **err)
{
	int rc = ops_writable(s, "the silence", err);

	if (rc == DR_OK)
		rc = alarm_silence(s->cat, subject, until, reason, now, err);
	ops_report(s, "alarm.silence", subject, rc, rc == DR_OK ? NULL : *err);
	return rc;
}

int ops_alarm_unsilence(const struct ops_session *s, const char *subject,
                        char **err)
{
	int rc = ops_writable(s, "the end of the silence", err);

	if (rc == DR_OK)
		rc = alarm_unsilence(s->cat, subject, err);
	ops_report(s, "alarm.unsilence", subject, rc,
	           rc == DR_OK ? NULL : *err);
	return rc;
}
