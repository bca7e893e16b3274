/* The agent's threads besides its main loop, so that nothing slow ever
 * holds up a probe or a heartbeat:
 *
 * - the job pool: a scheduler thread finds the jobs that are due (pruning,
 *   command jobs, imports, and the backup hook's backups, verifications,
 *   retention and copies) and hands each to one of at most parallel_jobs
 *   worker threads.  A job whose target (a backup target, or the job's
 *   name) is still running waits for it: a target never runs twice at
 *   once.  A job that starts later than its time (the pool was full) is
 *   logged with how late.
 * - delivery: one thread delivers queued notifications (notify_flush),
 *   so a receiver that hangs until its timeout delays only other messages.
 * - the dead man's switch: one thread pings agent.heartbeat_url when the
 *   main loop beats; a ping still in flight when the next beat comes is
 *   not doubled.
 *
 * Every thread that touches the catalog opens a connection of its own (a
 * SQLite connection is never shared between threads).  The config is
 * shared through an agent_cfgbox: a reload replaces it, and each config is
 * freed by whichever thread lets go of it last. */
#ifndef DR_AGENT_POOL_H
#define DR_AGENT_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "core/agent.h"
#include "core/config.h"

struct agent_cfgbox;

/* The box owns cfg from here on, until agent_cfgbox_free hands the
 * current one back. */
struct agent_cfgbox *agent_cfgbox_new(struct config *cfg);
/* The current config, held until agent_cfgbox_put. */
struct config *agent_cfgbox_get(struct agent_cfgbox *box);
void agent_cfgbox_put(struct agent_cfgbox *box, struct config *cfg);
/* Makes fresh the current config; the old one is freed once unused. */
void agent_cfgbox_set(struct agent_cfgbox *box, struct config *fresh);
/* Frees the box (every get must have been put) and returns the current
 * config, the caller's again. */
struct config *agent_cfgbox_free(struct agent_cfgbox *box);

struct agent_pool;

/* Starts the scheduler; NULL with *err when its catalog connection
 * cannot be opened (then the caller runs jobs itself). */
struct agent_pool *agent_pool_start(const struct agent_options *opt,
                                    struct agent_cfgbox *box, int64_t since,
                                    char **err);
/* Jobs running now; names (may be NULL) gets theirs, comma-separated. */
size_t agent_pool_busy(struct agent_pool *pool, char *names, size_t size);
/* Starts no more jobs; those running go on. */
void agent_pool_drain(struct agent_pool *pool);
/* Drains, waits for the jobs running, and frees. */
void agent_pool_stop(struct agent_pool *pool);

struct agent_delivery;

/* Starts the delivery thread (and the pinger when the config has a
 * heartbeat_url); NULL with *err when its catalog cannot be opened. */
struct agent_delivery *agent_delivery_start(const struct agent_options *opt,
                                            struct agent_cfgbox *box,
                                            char **err);
/* Wakes delivery now (new messages were queued). */
void agent_delivery_poke(struct agent_delivery *d);
/* A heartbeat: ping heartbeat_url unless a ping is in flight. */
void agent_delivery_beat(struct agent_delivery *d);
/* One last delivery of what is due, then joins and frees. */
void agent_delivery_stop(struct agent_delivery *d);

#endif
