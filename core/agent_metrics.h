/* What the agent exports for monitoring (drconsole.conf(5) "agent"):
 *  - agent.metrics_listen: GET /metrics on that address, answered from
 *    the server's own thread with a fresh evaluation on a read-only
 *    connection of its own (core/httpd.c);
 *  - agent.metrics_textfile: the same text for node_exporter's textfile
 *    collector, rewritten every heartbeat through a temporary file in the
 *    same directory, fsync'd and renamed over it, so a reader sees the
 *    old file or the new one, never a part.
 * A changed metrics_listen takes a restart; the policy and the textfile
 * follow a reload at the next heartbeat. */
#ifndef DR_AGENT_METRICS_H
#define DR_AGENT_METRICS_H

#include "core/config.h"
#include "db/catalog.h"

struct agent_metrics;

/* The agent's log: one line, no newline. */
typedef void (*agent_metrics_log)(void *arg, const char *line);

/* Starts the listener when cfg asks for one (and says so in the log).
 * DR_OK with *out, else a status and *err (the address is taken). */
int agent_metrics_start(const char *catalog_path, const struct config *cfg,
                        agent_metrics_log log, void *log_arg,
                        struct agent_metrics **out, char **err);
/* Once per heartbeat: takes cfg's policy for the listener and writes the
 * textfile; a failure is logged, and the agent goes on. */
void agent_metrics_beat(struct agent_metrics *m, struct catalog *cat,
                        const struct config *cfg);
/* NULL is fine. */
void agent_metrics_stop(struct agent_metrics *m);

#endif
