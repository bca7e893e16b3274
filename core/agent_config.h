/* The "agent" section of the config (drconsole.conf(5)):
 *
 *   "agent": {
 *     "name": "dc1-agent",
 *     "heartbeat": "10s",
 *     "metrics_listen": "127.0.0.1:9477",
 *     "metrics_textfile": "/var/lib/node_exporter/drconsole.prom",
 *     "parallel_jobs": 2,
 *     "restore_tests_at_once": 1,
 *     "heartbeat_url": "https://hc-ping.com/UUID",
 *     "jobs": [
 *       {"name": "orders-dump", "schedule": "0 2 * * *",
 *        "command": ["/usr/local/bin/orders-dump"], "timeout": "1h"}
 *     ]
 *   }
 *
 * Jobs are commands the agent runs on a schedule (an interval such as
 * "15m" or a 5-field cron expression, in UTC), for backup scripts that
 * report through `drconsole record`.  Backups, verifications, retention and
 * copies of the backup module join them through the agent's hook table.
 * At most parallel_jobs of them run at once (1 to 16), and of those at most
 * restore_tests_at_once restore tests (1 to 16).  heartbeat_url, an
 * http(s) URL, gets a GET every heartbeat: a dead man's switch for a
 * monitor outside (healthchecks and the like) that alarms when the pings
 * stop.  "name" is how the agent is known in the catalog (its heartbeat,
 * the checks pinned to it with a check's "agent"); the host name when
 * unset.  Agents on many hosts may share one PostgreSQL catalog. */
#ifndef DR_AGENT_CONFIG_H
#define DR_AGENT_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/json.h"
#include "core/schedule.h"

struct agent_job_spec {
	char name[96];
	struct schedule schedule;
	char **argv; /* a string runs under /bin/sh -c */
	int64_t timeout_s;
};

struct agent_config {
	char name[64];       /* "": the host name (agent_name()) */
	int64_t heartbeat_s; /* default 10 s */
	struct agent_job_spec *jobs;
	size_t n_jobs;
	char *metrics_listen;      /* "127.0.0.1:9477", or NULL: not served */
	char *metrics_textfile;    /* node_exporter textfile, or NULL */
	int parallel_jobs;         /* jobs running at once; default 2 */
	int restore_tests_at_once; /* of them restore tests; default 1 */
	char *heartbeat_url;       /* pinged every heartbeat, or NULL */
};

int agent_config_parse(struct config *cfg, const struct json_doc *doc,
                       const cJSON *node, struct json_errors *errs);
void agent_config_free(struct config *cfg);
struct agent_config *agent_config_read(const struct json_doc *doc,
                                       const cJSON *node,
                                       struct json_errors *errs);
void agent_config_destroy(struct agent_config *ac);
/* Whether s can name an agent: 1 to 63 of A-Z a-z 0-9 . _ - (a host
 * name fits). */
int agent_name_valid(const char *s);
/* The agent's name: the config's "name", else the host name. */
void agent_name(const struct config *cfg, char out[128]);

#endif
