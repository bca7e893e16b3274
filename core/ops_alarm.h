/* Acknowledging and silencing alarms (core/ops.h), from line mode and the
 * console's :ack / :silence / :unsilence alike.  The rules and the audit
 * rows are core/alarm.h's. */
#ifndef DR_OPS_ALARM_H
#define DR_OPS_ALARM_H

#include "core/ops.h"

int ops_alarm_ack(const struct ops_session *s, const char *subject,
                  const char *reason, int64_t now, char **err);
int ops_alarm_silence(const struct ops_session *s, const char *subject,
                      int64_t until, const char *reason, int64_t now,
                      char **err);
int ops_alarm_unsilence(const struct ops_session *s, const char *subject,
                        char **err);

#endif
