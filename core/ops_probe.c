/* See ops_probe.h. */
#include "core/ops_probe.h"

#include "core/error.h"
#include "core/notify.h"

int ops_probe_run(const struct ops_session *s, struct probe_round_item *items,
                  size_t n, int64_t now, char **err)
{
	int rc = ops_writable(s, "the probe run", err);

	if (rc == DR_OK)
		rc = probe_round_run(s->cat, s->cfg, items, n, now, 1, err);
	ops_report(s, "probe.run", "", rc, rc == DR_OK ? NULL : *err);
	return rc;
}

int ops_notify_test(const struct ops_session *s, const char *channel,
                    int64_t now, int *sent, int *failed, char **err)
{
	int rc = ops_writable(s, "the test message", err);

	*sent = *failed = 0;
	if (rc == DR_OK)
		rc = notify_test(s->cat, s->cfg->notify, s->cfg->environment,
		                 channel, now, sent, failed, err);
	ops_report(s, "notify.test", channel ? channel : "", rc,
	           rc == DR_OK ? NULL : *err);
	return rc;
}
