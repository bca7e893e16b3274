/* Notifications: webhooks (Slack, ntfy, generic JSON), PagerDuty and
 * email on changes of state.
 *
 * Other modules report a state with notify_event(): "probe orders-db/api
 * is down", "the verdict is AT RISK", "backup of orders-db failed",
 * "runbook failover started".  The last state of every subject is kept in
 * the catalog; only a change produces messages (a first sighting of a
 * healthy state produces none).  Each channel that wants the event gets one
 * row in the outbox:
 *   - silenced while an operator's silence of the subject lasts;
 *   - deduplicated when the channel's newest message about the subject
 *     (told or held back) is already this state, within dedup_window;
 *   - rate_limited (held back) when the channel has sent rate_limit
 *     messages within rate_window -- never for bad news (a warning or
 *     critical state outside a drill), which always goes out.  What was
 *     held back is told in one digest per channel and window;
 *   - else pending.
 * Drills are labelled "[DRILL]" and counted in their own budget.
 * notify_flush() queues the repeats of unacknowledged bad states (every
 * `repeat`) and the digests that are due, then delivers due rows, all at
 * once, and reschedules failures with exponential backoff (backoff,
 * doubling, capped at backoff_max) until `retries` are used up (failed). */
#ifndef DR_NOTIFY_H
#define DR_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "core/notify_config.h"
#include "db/catalog.h"
#include "db/catalog_agent.h"

struct notify_event {
	const char *type;     /* verdict | backup | replication | probe |
	                         runbook | test */
	const char *service;  /* NULL or "": not about one service */
	const char *subject;  /* probe name, pair, runbook, … or NULL */
	const char *state;    /* the new state: down, up, OK, AT RISK,
	                         BREACH, failed, corrupt, ok, over, started,
	                         finished, … */
	const char *message;  /* one line for people */
	int drill;            /* from a drill: labelled, its own budget */
	const char *severity; /* NULL: by state (notify_severity) */
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

/* The agent's own news, for core/agent.c: state "stopping" (a warning,
 * never held back) when it drains on SIGTERM, "running" when it starts
 * (news only after a "stopping").  Subject: the host.  Queued, not sent
 * here: the agent's delivery thread sends it, and flushes once more on its
 * way out, so a hanging channel never holds up the agent's loop. */
int notify_agent_state(struct catalog *cat, const struct notify_config *nc,
                       const char *environment, const char *host,
                       const char *state, const char *message, char **err);

/* Subjects still in a warning or critical state whose every delivery
 * failed (or is failing, retries pending): the bad news nobody heard.
 * *out: malloc'd outbox rows, one per subject. */
int notify_undelivered(struct catalog *cat, struct catalog_notify **out,
                       size_t *n, char **err);

/* ---- the rules, pure (unit-tested) ------------------------------------ */

enum notify_decision {
	NOTIFY_SEND = 0,
	NOTIFY_DEDUP,
	NOTIFY_RATE_LIMITED,
	NOTIFY_SILENCED,
};

/* "critical" (down, BREACH, failed, corrupt, over), "warning" (AT RISK,
 * paused, stopping) or "info". */
const char *notify_severity(const char *state);
/* prev: the last recorded state or NULL.  1 when moving to state is worth
 * telling people. */
int notify_is_change(const char *prev, const char *state);

/* What one channel knows of the subject, for notify_decide(). */
struct notify_seen {
	const char *last_state;  /* newest told or held back; "" or NULL */
	const char *last_status; /* its status */
	int64_t last_at;         /* its time */
	int64_t in_window;       /* told within rate_window, same budget */
	int bad_news;            /* warning/critical, not a drill */
	int64_t silenced_until;  /* 0: not silenced */
};
enum notify_decision notify_decide(const struct notify_config *nc, int64_t now,
                                   const char *state,
                                   const struct notify_seen *seen);
/* Seconds to wait after the attempts-th failed attempt (from 1). */
int64_t notify_backoff_s(const struct notify_config *nc, int attempts);
int notify_channel_wants(const struct notify_channel *ch,
                         const struct notify_event *ev);
/* The request body for a message on a channel (malloc'd) and up to 6
 * extra headers (static or in hdr_buf); returns the body.  An email's
 * body is the whole RFC 5322 message. */
char *notify_render(const struct notify_channel *ch,
                    const struct catalog_notify *msg, const char *environment,
                    const char *headers[8], char hdr_buf[3][512]);
/* Slack's escaping of & < > (malloc'd). */
char *notify_slack_escape(const char *s);
/* A header value: printable ASCII as is, else RFC 2047 encoded-words
 * (=?UTF-8?B?...?=), never splitting a UTF-8 sequence; control bytes and
 * invalid UTF-8 become spaces or U+FFFD.  Truncated to fit size. */
void notify_header_text(char *dst, size_t size, const char *src);

#endif
