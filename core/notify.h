/* Notifications: webhooks (Slack, ntfy, generic JSON) on changes of state.
 *
 * Other modules report a state with notify_event(): "probe orders-db/api
 * is down", "the verdict is AT RISK", "backup of orders-db failed",
 * "runbook failover started".  The last state of every subject is kept in
 * the catalog; only a change produces messages (a first sighting of a
 * healthy state produces none).  Each channel that wants the event gets one
 * row in the outbox, unless the same subject reached the same state on that
 * channel within dedup_window (deduplicated) or the channel has sent
 * rate_limit messages within rate_window (rate_limited) -- both recorded,
 * neither sent.  notify_flush() delivers due rows, all at once, and
 * reschedules failures with exponential backoff (backoff, doubling, capped
 * at backoff_max) until `retries` are used up (failed). */
#ifndef DR_NOTIFY_H
#define DR_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "core/notify_config.h"
#include "db/catalog.h"
#include "db/catalog_agent.h"

struct notify_event {
	const char *type;    /* verdict | backup | replication | probe |
	                        runbook | test */
	const char *service; /* NULL or "": not about one service */
	const char *subject; /* probe name, pair, runbook, … or NULL */
	const char *state;   /* the new state: down, up, OK, AT RISK,
	                        BREACH, failed, corrupt, ok, over, started,
	                        finished, … */
	const char *message; /* one line for people */
};

/* Records ev's state and queues messages when it changed.  With send_now
 * the new messages get their first attempt before this returns (retries
 * are the agent's).  *queued (may be NULL) is the number of messages
 * queued for delivery. */
int notify_event(struct catalog *cat, const struct notify_config *nc,
                 const char *environment, const struct notify_event *ev,
                 int64_t now, int send_now, int *queued, char **err);

/* Delivers every message due at `now`; *sent and *failed (may be NULL)
 * count this call's deliveries and final failures. */
int notify_flush(struct catalog *cat, const struct notify_config *nc,
                 const char *environment, int64_t now, int *sent, int *failed,
                 char **err);

/* `drconsole notify test`: one message to every channel (or the one
 * named), bypassing state, dedup and rate limits, retried with backoff
 * until it is delivered or its retries are used up (waits). */
int notify_test(struct catalog *cat, const struct notify_config *nc,
                const char *environment, const char *channel, int64_t now,
                int *sent, int *failed, char **err);

/* ---- the rules, pure (unit-tested) ------------------------------------ */

enum notify_decision {
	NOTIFY_SEND = 0,
	NOTIFY_DEDUP,
	NOTIFY_RATE_LIMITED,
};

/* prev: the last recorded state or NULL.  1 when moving to state is worth
 * telling people. */
int notify_is_change(const char *prev, const char *state);
/* last_same_at: when this channel last queued the same subject in the same
 * state (0: never); in_window: messages it queued within rate_window. */
enum notify_decision notify_decide(const struct notify_config *nc, int64_t now,
                                   int64_t last_same_at, int64_t in_window);
/* Seconds to wait after the attempts-th failed attempt (from 1). */
int64_t notify_backoff_s(const struct notify_config *nc, int attempts);
int notify_channel_wants(const struct notify_channel *ch,
                         const struct notify_event *ev);
/* The request body for a message on a channel (malloc'd) and up to 6
 * extra headers (static or in hdr_buf); returns the body. */
char *notify_render(const struct notify_channel *ch,
                    const struct catalog_notify *msg, const char *environment,
                    const char *headers[8], char hdr_buf[3][192]);

#endif
