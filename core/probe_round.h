/* One round of probes with its consequences: run them all at once, store
 * the results and replication samples, fold them into each probe's
 * consecutive-failure state, and report changes (probe down or up,
 * replication lag over or back under its threshold) to notifications.
 * `drconsole probe run` does one round; the agent does one whenever some
 * probe's interval has come. */
#ifndef DR_PROBE_ROUND_H
#define DR_PROBE_ROUND_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/probe.h"
#include "core/probe_config.h"
#include "db/catalog.h"
#include "db/catalog_agent.h"

struct probe_round_item {
	struct probe_spec *spec; /* borrowed from the config */
	const struct probe_service *svc;
	struct probe_outcome outcome;
	struct catalog_probe_state state; /* after this run */
	int went_down;
	int came_up;
	int unknown_service; /* not in the catalog: run, not stored */
};

/* The checks of every service, or of one (NULL: all).  *items is
 * malloc'd; returns the count.  DR_ENOTFOUND (via *n == 0 and a message)
 * is the caller's to report. */
size_t probe_round_select(const struct probe_config *pc, const char *service,
                          struct probe_round_item **items);
/* Runs items[0..n) and does everything above.  send_now: deliver new
 * notifications at once (commands); the agent flushes them itself. */
int probe_round_run(struct catalog *cat, const struct config *cfg,
                    struct probe_round_item *items, size_t n, int64_t now,
                    int send_now, char **err);
void probe_round_free(struct probe_round_item *items, size_t n);
/* Drops history older than the config's "keep". */
int probe_round_prune(struct catalog *cat, const struct probe_config *pc,
                      int64_t now, int64_t *deleted, char **err);

#endif
