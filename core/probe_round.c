/* A round of probes and its consequences; see probe_round.h.  Results and
 * states of a round are written in one transaction, so a thousand probes
 * cost one commit; notifications follow the commit. */
#include "core/probe_round.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/notify.h"
#include "core/ops.h"
#include "core/xmalloc.h"

size_t probe_round_select(const struct probe_config *pc, const char *service,
                          struct probe_round_item **items)
{
	size_t n = 0;

	*items = NULL;
	for (size_t i = 0; pc != NULL && i < pc->n_services; i++) {
		const struct probe_service *svc = &pc->services[i];
		if (service != NULL && strcmp(service, svc->name) != 0)
			continue;
		for (size_t j = 0; j < svc->n_checks; j++) {
			*items = xreallocarray(*items, n + 1, sizeof(**items));
			memset(&(*items)[n], 0, sizeof(**items));
			(*items)[n].spec = &svc->checks[j];
			(*items)[n].svc = svc;
			n++;
		}
	}
	return n;
}

struct round_store {
	struct probe_round_item *items;
	size_t n;
	int64_t now;
};

static int round_store(struct catalog *cat, void *arg, char **details,
                       char **err)
{
	const struct round_store *x = arg;
	struct probe_round_item *items = x->items;
	int64_t now = x->now;
	int rc = CATALOG_OK;

	(void)details;
	for (size_t i = 0; rc == CATALOG_OK && i < x->n; i++) {
		struct probe_round_item *it = &items[i];
		struct catalog_probe_state *st = &it->state;
		int was_down;

		it->unknown_service = it->went_down = it->came_up = 0;
		rc = probe_record(cat, it->spec, &it->outcome, now, err);
		if (rc == CATALOG_ENOTFOUND) {
			/* Probes of a service the catalog does not know yet
			 * are run and shown, not stored. */
			it->unknown_service = 1;
			free(*err);
			*err = NULL;
			rc = CATALOG_OK;
			continue;
		}
		if (rc != CATALOG_OK)
			break;
		rc = catalog_probe_state_get(cat, it->spec->service,
		                             it->spec->name, st, err);
		if (rc == CATALOG_ENOTFOUND) {
			free(*err);
			*err = NULL;
			memset(st, 0, sizeof(*st));
			strlcpy_dr(st->service, it->spec->service,
			           sizeof(st->service));
			strlcpy_dr(st->probe, it->spec->name,
			           sizeof(st->probe));
			rc = CATALOG_OK;
		}
		if (rc != CATALOG_OK)
			break;
		was_down = st->down;
		if (probe_track(st, it->outcome.ok,
		                it->svc->failures_before_down,
		                it->outcome.message, now)) {
			it->went_down = !was_down;
			it->came_up = was_down;
		}
		rc = catalog_probe_state_put(cat, st, err);
	}
	return rc;
}

static int probe_round_store(struct catalog *cat,
                             struct probe_round_item *items, size_t n,
                             int64_t now, char **err)
{
	struct round_store x = {items, n, now};

	return ops_txn(cat, round_store, &x, err);
}

static void probe_round_notify(struct catalog *cat, const struct config *cfg,
                               struct probe_round_item *it, int64_t now,
                               int send_now)
{
	char msg[512];
	char *err = NULL;
	const char *env = cfg->environment;
	struct notify_event ev = {
	    .type = "probe",
	    .service = it->spec->service,
	    .subject = it->spec->name,
	};

	/* Down and up are decided by the consecutive-failure count, so only
	 * a run that crossed the threshold is news. */
	ev.state = it->state.down ? "down" : "up";
	if (it->state.down && it->svc->failover_runbook != NULL)
		snprintf(msg, sizeof(msg),
		         "%s/%s is down after %d failures: %s. Suggested "
		         "runbook: %s%s",
		         it->spec->service, it->spec->name,
		         it->state.consecutive_failures, it->outcome.message,
		         it->svc->failover_runbook,
		         it->svc->auto_failover ? " (automatic failover on)"
		                                : "");
	else if (it->state.down)
		snprintf(msg, sizeof(msg),
		         "%s/%s is down after %d failures: %s",
		         it->spec->service, it->spec->name,
		         it->state.consecutive_failures, it->outcome.message);
	else
		snprintf(msg, sizeof(msg), "%s/%s is up: %s", it->spec->service,
		         it->spec->name, it->outcome.message);
	ev.message = msg;
	if ((it->went_down || it->came_up) &&
	    notify_event(cat, cfg->notify, env, &ev, now, send_now, NULL,
	                 &err) != DR_OK)
		free(err);
	err = NULL;
	/* Replication lag: only a probe that answered knows it. */
	if (!it->outcome.ok && it->outcome.n_repl == 0)
		return;
	if (it->outcome.n_repl == 0 && !it->outcome.lag_over)
		return;
	ev.type = "replication";
	ev.state = it->outcome.lag_over ? "over" : "ok";
	snprintf(msg, sizeof(msg), "%s/%s replication lag %s: %s",
	         it->spec->service, it->spec->name,
	         it->outcome.lag_over ? "over its threshold"
	                              : "back under "
	                                "its threshold",
	         it->outcome.message);
	if (notify_event(cat, cfg->notify, env, &ev, now, send_now, NULL,
	                 &err) != DR_OK)
		free(err);
}

int probe_round_run(struct catalog *cat, const struct config *cfg,
                    struct probe_round_item *items, size_t n, int64_t now,
                    int send_now, char **err)
{
	struct probe_spec **specs = xcalloc(n + 1, sizeof(*specs));
	struct probe_outcome *out = xcalloc(n + 1, sizeof(*out));
	int rc;

	for (size_t i = 0; i < n; i++)
		specs[i] = items[i].spec;
	probe_run(specs, out, n);
	for (size_t i = 0; i < n; i++)
		items[i].outcome = out[i];
	free(specs);
	free(out);
	rc = probe_round_store(cat, items, n, now, err);
	if (rc != CATALOG_OK)
		return rc;
	for (size_t i = 0; i < n; i++)
		if (!items[i].unknown_service)
			probe_round_notify(cat, cfg, &items[i], now, send_now);
	return DR_OK;
}

void probe_round_free(struct probe_round_item *items, size_t n)
{
	for (size_t i = 0; items != NULL && i < n; i++)
		probe_outcome_clear(&items[i].outcome);
	free(items);
}

int probe_round_prune(struct catalog *cat, const struct probe_config *pc,
                      int64_t now, int64_t *deleted, char **err)
{
	int64_t keep = pc != NULL ? pc->keep_s : 30LL * 86400;
	int64_t a = 0, b = 0;
	int rc = catalog_probe_prune(cat, now - keep, &a, err);

	if (rc == CATALOG_OK)
		rc = catalog_replication_prune(cat, now - keep, &b, err);
	*deleted = a + b;
	return rc;
}
