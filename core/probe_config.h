/* The "probes" section of the config (drconsole.conf(5)):
 *
 *   "probes": {
 *     "interval": "30s", "timeout": "5s", "failures_before_down": 3,
 *     "keep": "30d",
 *     "services": {
 *       "orders-db": {
 *         "failover_runbook": "orders-db-failover", "auto_failover": false,
 *         "checks": [
 *           {"name": "primary", "kind": "postgres",
 *            "conninfo": "host=10.0.0.5 dbname=orders user=monitor",
 *            "passfile": "/etc/drconsole/pgpass", "lag_max": "30s"},
 *           {"name": "api", "kind": "http",
 *            "url": "https://orders/health", "expect_status": 200}
 *         ]
 *       }
 *     }
 *   }
 *
 * Every check takes "name", "kind", and optionally "interval" and
 * "timeout" (overriding the section's); the rest belongs to its kind. */
#ifndef DR_PROBE_CONFIG_H
#define DR_PROBE_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/json.h"
#include "core/probe.h"

struct probe_service {
	char name[64];
	char *failover_runbook; /* NULL: none */
	int auto_failover;      /* run it when the service goes down */
	int failures_before_down;
	struct probe_spec *checks;
	size_t n_checks;
};

struct probe_config {
	int64_t interval_s;       /* default 30 s */
	long timeout_ms;          /* default 5 s */
	int failures_before_down; /* default 3 */
	int64_t keep_s;           /* history kept; default 30 days */
	struct probe_service *services;
	size_t n_services;
};

/* How long a replica sample stays evidence: 3 x the longest PostgreSQL
 * probe interval, else 3 x the section's interval (3 x 30 s for NULL). */
int64_t probe_config_replica_window(const struct probe_config *pc);

/* The config_section hooks: parse cfg's "probes" member, free it. */
int probe_config_parse(struct config *cfg, const struct json_doc *doc,
                       const cJSON *node, struct json_errors *errs);
void probe_config_free(struct config *cfg);

/* The same, standalone.  Always returns a config (the defaults when node
 * is NULL); errors go to errs. */
struct probe_config *probe_config_read(const struct json_doc *doc,
                                       const cJSON *node,
                                       struct json_errors *errs);
void probe_config_destroy(struct probe_config *pc);
/* NULL when the service has no probes. */
const struct probe_service *probe_config_service(const struct probe_config *pc,
                                                 const char *name);

#endif
