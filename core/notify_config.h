/* The "notifications" section of the config (drconsole.conf(5)):
 *
 *   "notifications": {
 *     "channels": [
 *       {"name": "ops", "kind": "slack",
 *        "url": "https://hooks.slack.com/services/…"},
 *       {"name": "orders-phone", "kind": "ntfy",
 *        "url": "https://ntfy.sh/orders-oncall", "priority": "high",
 *        "services": ["orders-db"]},
 *       {"name": "pager", "kind": "json", "url": "https://…",
 *        "headers": {"Authorization": "Bearer …"},
 *        "events": ["probe", "verdict"]}
 *     ],
 *     "dedup_window": "5m", "rate_limit": 20, "rate_window": "1h",
 *     "retries": 5, "backoff": "10s", "backoff_max": "10m",
 *     "timeout": "10s", "repeat": "1h"
 *   }
 *
 * Two more kinds: "pagerduty" (Events API v2; "routing_key" or
 * "routing_key_file", "url" defaults to PagerDuty's enqueue endpoint) and
 * "email" ("url" smtp:// or smtps://, "from", "to", optional "starttls",
 * "credentials_file" of mode 0600 holding "user:password", "ca_file").
 *
 * A channel without "services" is global; with it, it hears only about
 * those services (and about global events such as the overall verdict).
 * "events" limits it to some event types (verdict, backup, replication,
 * probe, runbook); `notify test` reaches every channel. */
#ifndef DR_NOTIFY_CONFIG_H
#define DR_NOTIFY_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/json.h"

enum notify_kind {
	NOTIFY_SLACK = 1, /* incoming webhook: {"text": …} */
	NOTIFY_NTFY,      /* topic URL: plain text, Title/Priority/Tags */
	NOTIFY_JSON,      /* generic JSON document */
	NOTIFY_PAGERDUTY, /* Events API v2: trigger and resolve */
	NOTIFY_EMAIL,     /* SMTP through libcurl */
};

struct notify_channel {
	char name[64];
	enum notify_kind kind;
	char *url;         /* may hold a secret: never logged */
	char priority[16]; /* ntfy: "" = by event */
	char **services;
	size_t n_services;
	char **events;
	size_t n_events;
	char **headers; /* "Name: value" */
	size_t n_headers;
	char *routing_key; /* pagerduty: a secret, never logged */
	char *from;        /* email: the sender address */
	char **to;         /* email: the recipients */
	size_t n_to;
	char *credentials_file; /* email: "user:password", mode 0600 */
	int starttls;           /* email on smtp://: STARTTLS required */
	char *ca_file;          /* email: CA bundle for the server's cert */
};

struct notify_config {
	struct notify_channel *channels;
	size_t n_channels;
	int64_t dedup_window_s; /* same subject and state again: dropped */
	int rate_limit;         /* messages per channel per rate_window */
	int64_t rate_window_s;
	int retries;       /* after the first attempt */
	int64_t backoff_s; /* first retry; doubles each time */
	int64_t backoff_max_s;
	long timeout_ms;
	int64_t repeat_s; /* an unacknowledged bad state again; 0: never */
};

int notify_config_parse(struct config *cfg, const struct json_doc *doc,
                        const cJSON *node, struct json_errors *errs);
void notify_config_free(struct config *cfg);

/* Standalone; the defaults when node is NULL. */
struct notify_config *notify_config_read(const struct json_doc *doc,
                                         const cJSON *node,
                                         struct json_errors *errs);
void notify_config_destroy(struct notify_config *nc);
const char *notify_kind_name(enum notify_kind kind);

#define NOTIFY_PAGERDUTY_URL "https://events.pagerduty.com/v2/enqueue"

/* The first line of a secret file (malloc'd), or NULL and *why.  With
 * private_only a file that group or others may read is refused. */
char *notify_secret_read(const char *path, int private_only, char **why);

#endif
