/* Notifications: the model is in notify.h.  Everything that decides (is
 * this a change, is it a duplicate, is the channel over its rate, how long
 * to back off, what the request looks like) is a pure function; the rest
 * moves rows between the catalog and core/http.c. */
#include "core/notify.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "core/http.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

/* States that are not news when first seen. */
static const char *const quiet_states[] = {"up", "ok", "OK", NULL};
/* States that call for attention. */
static const char *const bad_states[] = {
    "down", "BREACH", "failed", "corrupt", "over", NULL,
};

static int notify_in(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

int notify_is_change(const char *prev, const char *state)
{
	if (prev == NULL || prev[0] == '\0')
		return !notify_in(quiet_states, state);
	return strcmp(prev, state) != 0;
}

enum notify_decision notify_decide(const struct notify_config *nc, int64_t now,
                                   int64_t last_same_at, int64_t in_window)
{
	if (last_same_at > 0 && now - last_same_at < nc->dedup_window_s)
		return NOTIFY_DEDUP;
	if (in_window >= nc->rate_limit)
		return NOTIFY_RATE_LIMITED;
	return NOTIFY_SEND;
}

int64_t notify_backoff_s(const struct notify_config *nc, int attempts)
{
	int64_t wait = nc->backoff_s;

	for (int i = 1; i < attempts && wait < nc->backoff_max_s; i++)
		wait *= 2;
	return wait < nc->backoff_max_s ? wait : nc->backoff_max_s;
}

int notify_channel_wants(const struct notify_channel *ch,
                         const struct notify_event *ev)
{
	int ok;

	if (strcmp(ev->type, "test") == 0)
		return 1;
	if (ch->n_events > 0) {
		ok = 0;
		for (size_t i = 0; i < ch->n_events; i++)
			if (strcmp(ch->events[i], ev->type) == 0)
				ok = 1;
		if (!ok)
			return 0;
	}
	if (ch->n_services == 0 || ev->service == NULL ||
	    ev->service[0] == '\0')
		return 1;
	for (size_t i = 0; i < ch->n_services; i++)
		if (strcmp(ch->services[i], ev->service) == 0)
			return 1;
	return 0;
}

/* Header values must stay on one line and in ASCII. */
static void notify_header_text(char *dst, size_t size, const char *src)
{
	size_t j = 0;
	for (size_t i = 0; src[i] != '\0' && j + 1 < size; i++) {
		unsigned char c = (unsigned char)src[i];
		dst[j++] = (c < 0x20 || c >= 0x7f) ? ' ' : (char)c;
	}
	dst[j] = '\0';
}

char *notify_render(const struct notify_channel *ch,
                    const struct catalog_notify *msg, const char *environment,
                    const char *headers[8], char hdr_buf[3][192])
{
	size_t nh = 0;
	char *body = NULL;
	char at[32];
	int bad = notify_in(bad_states, msg->state);

	for (size_t i = 0; i < ch->n_headers && nh < 4; i++)
		headers[nh++] = ch->headers[i];
	if (ch->kind == NOTIFY_NTFY) {
		char title[160];
		const char *prio = ch->priority[0] ? ch->priority
		                   : bad           ? "high"
		                                   : "default";
		notify_header_text(title, sizeof(title), msg->title);
		snprintf(hdr_buf[0], 192, "Title: %s", title);
		snprintf(hdr_buf[1], 192, "Priority: %s", prio);
		snprintf(hdr_buf[2], 192, "Tags: %s",
		         bad ? "warning" : "white_check_mark");
		headers[nh++] = hdr_buf[0];
		headers[nh++] = hdr_buf[1];
		headers[nh++] = hdr_buf[2];
		headers[nh] = NULL;
		return xstrdup(msg->message);
	}
	headers[nh++] = "Content-Type: application/json";
	headers[nh] = NULL;
	cJSON *o = cJSON_CreateObject();
	if (ch->kind == NOTIFY_SLACK) {
		char *text = xasprintf("%s *%s*\n%s", bad ? ":warning:" : "",
		                       msg->title, msg->message);
		cJSON_AddStringToObject(o, "text", text);
		free(text);
	} else {
		time_format_iso(msg->created_at, at);
		cJSON_AddStringToObject(o, "source", "drconsole");
		cJSON_AddStringToObject(o, "environment",
		                        environment ? environment : "");
		cJSON_AddStringToObject(o, "type", msg->type);
		cJSON_AddStringToObject(o, "service", msg->service);
		cJSON_AddStringToObject(o, "subject", msg->event_key);
		cJSON_AddStringToObject(o, "state", msg->state);
		cJSON_AddStringToObject(o, "severity",
		                        bad ? "critical" : "info");
		cJSON_AddStringToObject(o, "title", msg->title);
		cJSON_AddStringToObject(o, "message", msg->message);
		cJSON_AddStringToObject(o, "at", at);
		cJSON_AddNumberToObject(o, "id", (double)msg->id);
	}
	char *printed = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (printed == NULL)
		return xstrdup("{}");
	body = xstrdup(printed);
	cJSON_free(printed);
	return body;
}

static const struct notify_channel *
notify_channel_find(const struct notify_config *nc, const char *name)
{
	for (size_t i = 0; nc != NULL && i < nc->n_channels; i++)
		if (strcmp(nc->channels[i].name, name) == 0)
			return &nc->channels[i];
	return NULL;
}

/* One attempt for each row; updates the rows and the catalog. */
static int notify_deliver(struct catalog *cat, const struct notify_config *nc,
                          const char *environment, struct catalog_notify *rows,
                          size_t n, int64_t now, int *sent, int *failed,
                          char **err)
{
	struct http_request *reqs = xcalloc(n, sizeof(*reqs));
	struct http_response *resps = xcalloc(n, sizeof(*resps));
	const char *(*hdrs)[8] = xcalloc(n, sizeof(*hdrs));
	char(*hbuf)[3][192] = xcalloc(n, sizeof(*hbuf));
	char **bodies = xcalloc(n, sizeof(*bodies));
	int rc = DR_OK;

	for (size_t i = 0; i < n; i++) {
		const struct notify_channel *ch =
		    notify_channel_find(nc, rows[i].channel);
		if (ch == NULL) {
			reqs[i].url = NULL;
			continue;
		}
		bodies[i] =
		    notify_render(ch, &rows[i], environment, hdrs[i], hbuf[i]);
		reqs[i].url = ch->url;
		reqs[i].method = "POST";
		reqs[i].body = bodies[i];
		reqs[i].body_len = strlen(bodies[i]);
		reqs[i].headers = hdrs[i];
		reqs[i].timeout_ms = nc->timeout_ms;
		reqs[i].max_body = 1024;
	}
	/* Rows whose channel is gone are not requests. */
	{
		struct http_request *live = xcalloc(n, sizeof(*live));
		struct http_response *lres = xcalloc(n, sizeof(*lres));
		size_t nl = 0;
		for (size_t i = 0; i < n; i++)
			if (reqs[i].url != NULL)
				live[nl++] = reqs[i];
		http_batch(live, nl, lres, 16);
		nl = 0;
		for (size_t i = 0; i < n; i++)
			if (reqs[i].url != NULL)
				resps[i] = lres[nl++];
		free(live);
		free(lres);
	}
	for (size_t i = 0; i < n; i++) {
		struct catalog_notify *m = &rows[i];
		char *uerr = NULL;

		m->attempts++;
		if (reqs[i].url == NULL) {
			strlcpy_dr(m->status, "failed", sizeof(m->status));
			strlcpy_dr(m->last_error,
			           "the channel is no longer configured",
			           sizeof(m->last_error));
		} else if (resps[i].status == DR_OK && resps[i].code >= 200 &&
		           resps[i].code < 300) {
			strlcpy_dr(m->status, "sent", sizeof(m->status));
			m->sent_at = now;
			m->last_error[0] = '\0';
			if (sent != NULL)
				(*sent)++;
		} else {
			if (resps[i].status == DR_OK)
				snprintf(m->last_error, sizeof(m->last_error),
				         "HTTP %ld", resps[i].code);
			else
				strlcpy_dr(m->last_error, resps[i].error,
				           sizeof(m->last_error));
			if (m->attempts > nc->retries) {
				strlcpy_dr(m->status, "failed",
				           sizeof(m->status));
				if (failed != NULL)
					(*failed)++;
			} else {
				m->next_attempt_at =
				    now + notify_backoff_s(nc, m->attempts);
			}
		}
		if (catalog_notify_update(cat, m, &uerr) != CATALOG_OK &&
		    rc == DR_OK) {
			rc = DR_EDB;
			*err = uerr;
			uerr = NULL;
		}
		free(uerr);
		http_response_clear(&resps[i]);
		free(bodies[i]);
	}
	free(reqs);
	free(resps);
	free(hdrs);
	free(hbuf);
	free(bodies);
	return rc;
}

static void notify_key(const struct notify_event *ev, char *key, size_t size)
{
	snprintf(key, size, "%s:%s:%s", ev->type,
	         ev->service && ev->service[0] ? ev->service : "-",
	         ev->subject && ev->subject[0] ? ev->subject : "-");
}

static void notify_title(const struct notify_event *ev, const char *environment,
                         char *buf, size_t size)
{
	char env[80] = "";

	if (environment != NULL && environment[0] != '\0')
		snprintf(env, sizeof(env), "[%s] ", environment);
	if (ev->service && ev->service[0] && ev->subject && ev->subject[0])
		snprintf(buf, size, "%s%s: %s %s %s", env, ev->service,
		         ev->type, ev->subject, ev->state);
	else if (ev->service && ev->service[0])
		snprintf(buf, size, "%s%s: %s %s", env, ev->service, ev->type,
		         ev->state);
	else
		snprintf(buf, size, "%s%s %s", env, ev->type, ev->state);
}

int notify_event(struct catalog *cat, const struct notify_config *nc,
                 const char *environment, const struct notify_event *ev,
                 int64_t now, int send_now, int *queued, char **err)
{
	char key[160], prev[32] = "";
	int64_t changed_at = 0;
	struct catalog_notify *fresh = NULL;
	size_t nfresh = 0;
	int rc;

	if (queued != NULL)
		*queued = 0;
	notify_key(ev, key, sizeof(key));
	rc = catalog_begin(cat, err);
	if (rc != CATALOG_OK)
		return rc;
	rc = catalog_notify_state_get(cat, key, prev, &changed_at, err);
	if (rc == CATALOG_ENOTFOUND) {
		free(*err);
		*err = NULL;
		prev[0] = '\0';
		rc = CATALOG_OK;
	}
	if (rc != CATALOG_OK || !notify_is_change(prev, ev->state)) {
		if (rc == CATALOG_OK && prev[0] == '\0')
			rc = catalog_notify_state_put(cat, key, ev->state, now,
			                              err);
		goto done;
	}
	rc = catalog_notify_state_put(cat, key, ev->state, now, err);
	for (size_t i = 0; rc == CATALOG_OK && nc != NULL && i < nc->n_channels;
	     i++) {
		const struct notify_channel *ch = &nc->channels[i];
		struct catalog_notify m;
		int64_t last = 0, in_window = 0;

		if (!notify_channel_wants(ch, ev))
			continue;
		rc = catalog_notify_last(cat, ch->name, key, ev->state, &last,
		                         err);
		if (rc == CATALOG_OK)
			rc = catalog_notify_count_since(cat, ch->name,
			                                now - nc->rate_window_s,
			                                &in_window, err);
		if (rc != CATALOG_OK)
			break;
		memset(&m, 0, sizeof(m));
		strlcpy_dr(m.event_key, key, sizeof(m.event_key));
		strlcpy_dr(m.channel, ch->name, sizeof(m.channel));
		strlcpy_dr(m.service, ev->service ? ev->service : "",
		           sizeof(m.service));
		strlcpy_dr(m.type, ev->type, sizeof(m.type));
		strlcpy_dr(m.state, ev->state, sizeof(m.state));
		notify_title(ev, environment, m.title, sizeof(m.title));
		strlcpy_dr(m.message, ev->message ? ev->message : m.title,
		           sizeof(m.message));
		m.created_at = now;
		m.next_attempt_at = now;
		switch (notify_decide(nc, now, last, in_window)) {
		case NOTIFY_SEND:
			strlcpy_dr(m.status, "pending", sizeof(m.status));
			break;
		case NOTIFY_DEDUP:
			strlcpy_dr(m.status, "deduplicated", sizeof(m.status));
			break;
		case NOTIFY_RATE_LIMITED:
			strlcpy_dr(m.status, "rate_limited", sizeof(m.status));
			break;
		}
		rc = catalog_notify_insert(cat, &m, err);
		if (rc == CATALOG_OK && strcmp(m.status, "pending") == 0) {
			fresh =
			    xreallocarray(fresh, nfresh + 1, sizeof(*fresh));
			fresh[nfresh++] = m;
			if (queued != NULL)
				(*queued)++;
		}
	}
done:
	if (rc != CATALOG_OK) {
		catalog_rollback(cat);
		free(fresh);
		return rc;
	}
	rc = catalog_commit(cat, err);
	if (rc == CATALOG_OK && send_now && nfresh > 0)
		rc = notify_deliver(cat, nc, environment, fresh, nfresh, now,
		                    NULL, NULL, err);
	free(fresh);
	return rc;
}

int notify_flush(struct catalog *cat, const struct notify_config *nc,
                 const char *environment, int64_t now, int *sent, int *failed,
                 char **err)
{
	struct catalog_notify *rows = NULL;
	size_t n = 0;
	int rc;

	if (sent != NULL)
		*sent = 0;
	if (failed != NULL)
		*failed = 0;
	rc = catalog_notify_due(cat, now, 256, &rows, &n, err);
	if (rc != CATALOG_OK || n == 0) {
		free(rows);
		return rc;
	}
	rc = notify_deliver(cat, nc, environment, rows, n, now, sent, failed,
	                    err);
	free(rows);
	return rc;
}

int notify_test(struct catalog *cat, const struct notify_config *nc,
                const char *environment, const char *channel, int64_t now,
                int *sent, int *failed, char **err)
{
	struct catalog_notify *rows = NULL;
	size_t n = 0;
	int rc = DR_OK;
	char host[64] = "";

	*sent = 0;
	*failed = 0;
	gethostname(host, sizeof(host) - 1);
	for (size_t i = 0; nc != NULL && i < nc->n_channels; i++) {
		const struct notify_channel *ch = &nc->channels[i];
		struct catalog_notify m;

		if (channel != NULL && strcmp(channel, ch->name) != 0)
			continue;
		memset(&m, 0, sizeof(m));
		snprintf(m.event_key, sizeof(m.event_key), "test:-:%lld",
		         (long long)now);
		strlcpy_dr(m.channel, ch->name, sizeof(m.channel));
		strlcpy_dr(m.type, "test", sizeof(m.type));
		strlcpy_dr(m.state, "test", sizeof(m.state));
		snprintf(m.title, sizeof(m.title), "%s%s%sdrconsole test",
		         environment && environment[0] ? "[" : "",
		         environment ? environment : "",
		         environment && environment[0] ? "] " : "");
		snprintf(
		    m.message, sizeof(m.message),
		    "A test message from drconsole on %s, channel %s (%s).",
		    host, ch->name, notify_kind_name(ch->kind));
		strlcpy_dr(m.status, "pending", sizeof(m.status));
		m.created_at = now;
		m.next_attempt_at = now;
		rc = catalog_notify_insert(cat, &m, err);
		if (rc != CATALOG_OK) {
			free(rows);
			return rc;
		}
		rows = xreallocarray(rows, n + 1, sizeof(*rows));
		rows[n++] = m;
	}
	if (n == 0) {
		free(rows);
		*err = channel ? xasprintf("no channel named \"%s\"", channel)
		               : xstrdup("no notification channels are "
		                         "configured");
		return DR_ENOTFOUND;
	}
	/* Attempt, then wait out the backoff of the ones that failed. */
	for (;;) {
		struct catalog_notify *todo = NULL;
		size_t nt = 0;
		int64_t next = 0;

		for (size_t i = 0; i < n; i++) {
			if (strcmp(rows[i].status, "pending") != 0)
				continue;
			if (rows[i].next_attempt_at <= now) {
				todo =
				    xreallocarray(todo, nt + 1, sizeof(*todo));
				todo[nt++] = rows[i];
			} else if (next == 0 ||
			           rows[i].next_attempt_at < next) {
				next = rows[i].next_attempt_at;
			}
		}
		if (nt > 0) {
			rc = notify_deliver(cat, nc, environment, todo, nt, now,
			                    sent, failed, err);
			for (size_t j = 0; j < nt; j++)
				for (size_t i = 0; i < n; i++)
					if (rows[i].id == todo[j].id)
						rows[i] = todo[j];
			free(todo);
			if (rc != DR_OK)
				break;
			continue;
		}
		if (next == 0)
			break;
		while (now < next) {
			int64_t t;
			sleep(1);
			/* A pinned clock (DRCONSOLE_NOW) must not stall. */
			t = time_now();
			now = t > now ? t : now + 1;
		}
	}
	free(rows);
	return rc;
}
