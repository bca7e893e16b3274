/* Probing now and testing the notification channels (core/ops.h): the
 * probes' results and state changes are recorded (core/probe_round.h),
 * a test message is logged (core/notify.h). */
#ifndef DR_OPS_PROBE_H
#define DR_OPS_PROBE_H

#include "core/ops.h"
#include "core/probe_round.h"

/* Runs items[0..n) and records them; notifications go out at once. */
int ops_probe_run(const struct ops_session *s, struct probe_round_item *items,
                  size_t n, int64_t now, char **err);

/* One message to every channel, or the one named. */
int ops_notify_test(const struct ops_session *s, const char *channel,
                    int64_t now, int *sent, int *failed, char **err);

#endif
