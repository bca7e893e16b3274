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

#include "core/alarm.h"
#include "core/error.h"
#include "core/http.h"
#include "core/json.h"
#include "core/ops.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

/* States that are not news when first seen. */
static const char *const quiet_states[] = {"up", "ok", "OK", "running", NULL};
/* States that call for attention. */
static const char *const critical_states[] = {
    "down", "BREACH", "failed", "corrupt", "over", NULL,
};
static const char *const warning_states[] = {
    "AT RISK",
    "paused",
    "stopping",
    NULL,
};

static int notify_in(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

const char *notify_severity(const char *state)
{
	if (state == NULL)
		return "info";
	if (notify_in(critical_states, state))
		return "critical";
	if (notify_in(warning_states, state))
		return "warning";
	return "info";
}

static int notify_sev_bad(const char *severity)
{
	return strcmp(severity, "warning") == 0 ||
	       strcmp(severity, "critical") == 0;
}

int notify_is_change(const char *prev, const char *state)
{
	if (prev == NULL || prev[0] == '\0')
		return !notify_in(quiet_states, state);
	return strcmp(prev, state) != 0;
}

enum notify_decision notify_decide(const struct notify_config *nc, int64_t now,
                                   const char *state,
                                   const struct notify_seen *seen)
{
	if (seen->silenced_until > now)
		return NOTIFY_SILENCED;
	/* A duplicate only when the channel's newest word on the subject is
	 * this very state: a held-back change in between makes it news. */
	if (seen->last_state != NULL && seen->last_state[0] != '\0' &&
	    strcmp(seen->last_state, state) == 0 &&
	    (seen->last_status == NULL ||
	     strcmp(seen->last_status, "rate_limited") != 0) &&
	    seen->last_at > 0 && now - seen->last_at < nc->dedup_window_s)
		return NOTIFY_DEDUP;
	if (!seen->bad_news && seen->in_window >= nc->rate_limit)
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

/* One name of a comma-separated list. */
static int notify_list_has(const char *list, const char *name)
{
	size_t len = strlen(name);
	const char *p = list;

	while (p != NULL && *p != '\0') {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		while (n > 0 && *p == ' ') {
			p++;
			n--;
		}
		if (n == len && strncmp(p, name, len) == 0)
			return 1;
		p = end ? end + 1 : NULL;
	}
	return 0;
}

int notify_channel_wants(const struct notify_channel *ch,
                         const struct notify_event *ev)
{
	int ok;

	if (strcmp(ev->type, "test") == 0 || strcmp(ev->type, "digest") == 0)
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
	/* A runbook's event names every service it touches. */
	for (size_t i = 0; i < ch->n_services; i++)
		if (notify_list_has(ev->service, ch->services[i]))
			return 1;
	return 0;
}

char *notify_slack_escape(const char *s)
{
	size_t n = 0;
	char *out, *o;

	for (const char *p = s; *p; p++)
		n += *p == '&' ? 5 : (*p == '<' || *p == '>') ? 4 : 1;
	out = o = xmalloc(n + 1);
	for (const char *p = s; *p; p++) {
		const char *rep = *p == '&'   ? "&amp;"
		                  : *p == '<' ? "&lt;"
		                  : *p == '>' ? "&gt;"
		                              : NULL;
		if (rep != NULL) {
			memcpy(o, rep, strlen(rep));
			o += strlen(rep);
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return out;
}

/* Length of the valid UTF-8 sequence at s (1 to 4), or 0 when invalid. */
static size_t notify_utf8_len(const unsigned char *s)
{
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0 && s[0] >= 0xc2)
		n = 2;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3;
	else if ((s[0] & 0xf8) == 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

static void notify_b64(const unsigned char *in, size_t n, char *out)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	                          "qrstuvwxyz0123456789+/";
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = tab[(v >> 18) & 63];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? tab[v & 63] : '=';
	}
	out[o] = '\0';
}

void notify_header_text(char *dst, size_t size, const char *src)
{
	unsigned char clean[512];
	size_t n = 0, j = 0, i = 0;
	int ascii = 1;

	/* First the text as valid UTF-8 on one line. */
	for (const unsigned char *p = (const unsigned char *)src;
	     *p != '\0' && n + 4 < sizeof(clean);) {
		size_t len = notify_utf8_len(p);
		if (len == 0) {
			memcpy(clean + n, "\xef\xbf\xbd", 3);
			n += 3;
			p++;
			ascii = 0;
		} else if (len == 1) {
			clean[n++] = (*p < 0x20 || *p == 0x7f) ? ' ' : *p;
			p++;
		} else {
			memcpy(clean + n, p, len);
			n += len;
			p += len;
			ascii = 0;
		}
	}
	clean[n] = '\0';
	if (size == 0)
		return;
	if (ascii) {
		strlcpy_dr(dst, (const char *)clean, size);
		return;
	}
	/* Encoded-words of at most 75 characters: 45 bytes of text each,
	 * cut between characters, separated by a space (RFC 2047 2, 5). */
	dst[0] = '\0';
	while (i < n) {
		size_t take = 0;
		char b64[64], word[96];
		while (i + take < n) {
			size_t len = notify_utf8_len(clean + i + take);
			if (len == 0)
				len = 1;
			if (take + len > 45)
				break;
			take += len;
		}
		notify_b64(clean + i, take, b64);
		snprintf(word, sizeof(word), "%s=?UTF-8?B?%s?=", j ? " " : "",
		         b64);
		if (j + strlen(word) + 1 > size)
			break;
		memcpy(dst + j, word, strlen(word) + 1);
		j += strlen(word);
		i += take;
	}
}

static const char *notify_row_severity(const struct catalog_notify *msg)
{
	return msg->severity[0] ? msg->severity : notify_severity(msg->state);
}

/* PagerDuty's severities are ours, and "error" which we do not use. */
static char *notify_render_pagerduty(const struct notify_channel *ch,
                                     const struct catalog_notify *msg,
                                     const char *environment)
{
	const char *sev = notify_row_severity(msg);
	int trigger = notify_sev_bad(sev) || strcmp(msg->type, "test") == 0;
	char dedup[256], at[32], host[64] = "";
	cJSON *o = cJSON_CreateObject(), *p, *d;
	char *printed, *body;

	snprintf(dedup, sizeof(dedup), "drconsole:%s:%s",
	         environment && environment[0] ? environment : "-",
	         msg->event_key);
	cJSON_AddStringToObject(o, "routing_key",
	                        ch->routing_key ? ch->routing_key : "");
	cJSON_AddStringToObject(o, "event_action",
	                        trigger ? "trigger" : "resolve");
	cJSON_AddStringToObject(o, "dedup_key", dedup);
	if (trigger) {
		gethostname(host, sizeof(host) - 1);
		time_format_iso(msg->created_at, at);
		p = cJSON_AddObjectToObject(o, "payload");
		cJSON_AddStringToObject(p, "summary", msg->title);
		cJSON_AddStringToObject(p, "source",
		                        host[0] ? host : "drconsole");
		cJSON_AddStringToObject(p, "severity",
		                        notify_sev_bad(sev) ? sev : "info");
		cJSON_AddStringToObject(p, "timestamp", at);
		if (msg->service[0])
			cJSON_AddStringToObject(p, "component", msg->service);
		if (environment && environment[0])
			cJSON_AddStringToObject(p, "group", environment);
		cJSON_AddStringToObject(p, "class", msg->type);
		d = cJSON_AddObjectToObject(p, "custom_details");
		cJSON_AddStringToObject(d, "message", msg->message);
		cJSON_AddStringToObject(d, "state", msg->state);
		cJSON_AddStringToObject(d, "subject", msg->event_key);
		cJSON_AddBoolToObject(d, "drill", msg->drill != 0);
	}
	cJSON_AddStringToObject(o, "client", "drconsole");
	printed = json_print_text(o, 0);
	cJSON_Delete(o);
	body = xstrdup(printed ? printed : "{}");
	cJSON_free(printed);
	return body;
}

/* The whole message, CRLF line ends; the body is UTF-8 as is (8bit). */
static char *notify_render_email(const struct notify_channel *ch,
                                 const struct catalog_notify *msg)
{
	char subject[512], date[64], host[64] = "localhost";
	char *to = xstrdup(""), *body, *out;
	struct tm tm;
	time_t t = (time_t)msg->created_at;

	gethostname(host, sizeof(host) - 1);
	notify_header_text(subject, sizeof(subject), msg->title);
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	for (size_t i = 0; i < ch->n_to; i++) {
		char *next = xasprintf("%s%s%s", to, i ? ", " : "", ch->to[i]);
		free(to);
		to = next;
	}
	/* Bare LFs of the message become CRLF. */
	{
		size_t n = 0;
		char *o;
		for (const char *p = msg->message; *p; p++)
			n += *p == '\n' ? 2 : 1;
		body = o = xmalloc(n + 1);
		for (const char *p = msg->message; *p; p++) {
			if (*p == '\r')
				continue;
			if (*p == '\n')
				*o++ = '\r';
			*o++ = *p;
		}
		*o = '\0';
	}
	out = xasprintf("Date: %s\r\n"
	                "From: drconsole <%s>\r\n"
	                "To: %s\r\n"
	                "Subject: %s\r\n"
	                "Message-ID: <drconsole.%lld.%lld@%s>\r\n"
	                "MIME-Version: 1.0\r\n"
	                "Content-Type: text/plain; charset=utf-8\r\n"
	                "Content-Transfer-Encoding: 8bit\r\n"
	                "X-Drconsole-Subject: %s\r\n"
	                "X-Drconsole-State: %s\r\n"
	                "X-Drconsole-Severity: %s\r\n"
	                "\r\n"
	                "%s\r\n",
	                date, ch->from ? ch->from : "drconsole@localhost", to,
	                subject, (long long)msg->created_at, (long long)msg->id,
	                host, msg->event_key, msg->state,
	                notify_row_severity(msg), body);
	free(to);
	free(body);
	return out;
}

char *notify_render(const struct notify_channel *ch,
                    const struct catalog_notify *msg, const char *environment,
                    const char *headers[8], char hdr_buf[3][512])
{
	size_t nh = 0;
	char *body = NULL;
	char at[32];
	const char *sev = notify_row_severity(msg);
	int bad = notify_sev_bad(sev);

	for (size_t i = 0; i < ch->n_headers && nh < 4; i++)
		headers[nh++] = ch->headers[i];
	if (ch->kind == NOTIFY_EMAIL) {
		headers[nh] = NULL;
		return notify_render_email(ch, msg);
	}
	if (ch->kind == NOTIFY_NTFY) {
		char title[400];
		const char *prio = ch->priority[0] ? ch->priority
		                   : bad           ? "high"
		                                   : "default";
		notify_header_text(title, sizeof(title), msg->title);
		snprintf(hdr_buf[0], 512, "Title: %s", title);
		snprintf(hdr_buf[1], 512, "Priority: %s", prio);
		snprintf(hdr_buf[2], 512, "Tags: %s",
		         bad ? "warning" : "white_check_mark");
		headers[nh++] = hdr_buf[0];
		headers[nh++] = hdr_buf[1];
		headers[nh++] = hdr_buf[2];
		headers[nh] = NULL;
		return xstrdup(msg->message);
	}
	headers[nh++] = "Content-Type: application/json";
	headers[nh] = NULL;
	if (ch->kind == NOTIFY_PAGERDUTY)
		return notify_render_pagerduty(ch, msg, environment);
	cJSON *o = cJSON_CreateObject();
	if (ch->kind == NOTIFY_SLACK) {
		char *title = notify_slack_escape(msg->title);
		char *message = notify_slack_escape(msg->message);
		char *text = xasprintf("%s *%s*\n%s", bad ? ":warning:" : "",
		                       title, message);
		cJSON_AddStringToObject(o, "text", text);
		free(text);
		free(title);
		free(message);
	} else {
		time_format_iso(msg->created_at, at);
		cJSON_AddStringToObject(o, "source", "drconsole");
		cJSON_AddStringToObject(o, "environment",
		                        environment ? environment : "");
		cJSON_AddStringToObject(o, "type", msg->type);
		cJSON_AddStringToObject(o, "service", msg->service);
		cJSON_AddStringToObject(o, "subject", msg->event_key);
		cJSON_AddStringToObject(o, "state", msg->state);
		cJSON_AddStringToObject(o, "severity", sev);
		cJSON_AddBoolToObject(o, "drill", msg->drill != 0);
		cJSON_AddStringToObject(o, "title", msg->title);
		cJSON_AddStringToObject(o, "message", msg->message);
		cJSON_AddStringToObject(o, "at", at);
		cJSON_AddNumberToObject(o, "id", (double)msg->id);
	}
	char *printed = json_print_text(o, 0);
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

/* One email; the credentials are read now, so a file made loose since the
 * config was read is refused too. */
static int notify_mail(const struct notify_channel *ch, const char *message,
                       long timeout_ms, char error[256])
{
	struct http_mail m = {
	    .url = ch->url,
	    .starttls = ch->starttls,
	    .ca_file = ch->ca_file,
	    .from = ch->from ? ch->from : "drconsole@localhost",
	    .to = (const char *const *)ch->to,
	    .message = message,
	    .timeout_ms = timeout_ms,
	};
	char *cred = NULL, *why = NULL;
	int rc;

	if (ch->credentials_file != NULL) {
		char *colon;
		cred = notify_secret_read(ch->credentials_file, 1, &why);
		if (cred == NULL || (colon = strchr(cred, ':')) == NULL) {
			snprintf(error, 256, "%s",
			         why ? why
			             : "credentials: expected "
			               "\"user:password\"");
			free(why);
			free(cred);
			return DR_EPERM;
		}
		*colon = '\0';
		m.user = cred;
		m.password = colon + 1;
	}
	rc = http_mail_send(&m, error);
	if (cred != NULL) {
		explicit_bzero(cred, strlen(cred) + strlen(m.password) + 1);
		free(cred);
	}
	return rc;
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
	char(*hbuf)[3][512] = xcalloc(n, sizeof(*hbuf));
	char(*mail_err)[256] = xcalloc(n, sizeof(*mail_err));
	int *mail_rc = xcalloc(n, sizeof(*mail_rc));
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
		if (ch->kind == NOTIFY_EMAIL) {
			/* SMTP, one at a time, outside the HTTP batch. */
			mail_rc[i] = notify_mail(ch, bodies[i], nc->timeout_ms,
			                         mail_err[i]);
			reqs[i].url = NULL;
			continue;
		}
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
		if (reqs[i].url == NULL && bodies[i] != NULL) {
			/* An email: mail_rc and mail_err say how it went. */
			resps[i].status = mail_rc[i];
			resps[i].code = mail_rc[i] == DR_OK ? 250 : 0;
			strlcpy_dr(resps[i].error, mail_err[i],
			           sizeof(resps[i].error));
		}
		if (reqs[i].url == NULL && bodies[i] == NULL) {
			strlcpy_dr(m->status, "failed", sizeof(m->status));
			strlcpy_dr(m->last_error,
			           "the channel is no longer configured",
			           sizeof(m->last_error));
		} else if (resps[i].status == DR_OK &&
		           (resps[i].code == 250 ||
		            (resps[i].code >= 200 && resps[i].code < 300))) {
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
	free(mail_err);
	free(mail_rc);
	return rc;
}

static void notify_key(const struct notify_event *ev, char *key, size_t size)
{
	snprintf(key, size, "%s:%s:%s", ev->type,
	         ev->service && ev->service[0] ? ev->service : "-",
	         ev->subject && ev->subject[0] ? ev->subject : "-");
}

static void notify_prefix(int drill, const char *environment, char *buf,
                          size_t size)
{
	snprintf(buf, size, "%s%s%s%s", drill ? "[DRILL] " : "",
	         environment && environment[0] ? "[" : "",
	         environment ? environment : "",
	         environment && environment[0] ? "] " : "");
}

static void notify_title(const struct notify_event *ev, const char *environment,
                         char *buf, size_t size)
{
	char env[96];

	notify_prefix(ev->drill, environment, env, sizeof(env));
	if (ev->service && ev->service[0] && ev->subject && ev->subject[0])
		snprintf(buf, size, "%s%s: %s %s %s", env, ev->service,
		         ev->type, ev->subject, ev->state);
	else if (ev->service && ev->service[0])
		snprintf(buf, size, "%s%s: %s %s", env, ev->service, ev->type,
		         ev->state);
	else
		snprintf(buf, size, "%s%s %s", env, ev->type, ev->state);
}

/* The outbox row for one channel and what it knows; no writes. */
static int notify_row(struct catalog *cat, const struct notify_config *nc,
                      const char *environment, const struct notify_channel *ch,
                      const char *key, const struct notify_event *ev,
                      const char *severity, int64_t silenced_until, int64_t now,
                      struct catalog_notify *m, char **err)
{
	char last_state[32], last_status[16];
	struct notify_seen seen;
	int rc;

	memset(&seen, 0, sizeof(seen));
	rc = catalog_notify_last_told(cat, ch->name, key, last_state,
	                              last_status, &seen.last_at, err);
	if (rc == CATALOG_OK)
		rc = catalog_notify_count_since(
		    cat, ch->name, now - nc->rate_window_s, ev->drill,
		    &seen.in_window, err);
	if (rc != CATALOG_OK)
		return rc;
	seen.last_state = last_state;
	seen.last_status = last_status;
	/* PagerDuty hears only of alerts and their recoveries: a resolve
	 * held back would leave the incident open, so none is. */
	seen.bad_news =
	    (notify_sev_bad(severity) || ch->kind == NOTIFY_PAGERDUTY) &&
	    !ev->drill;
	seen.silenced_until = silenced_until;
	memset(m, 0, sizeof(*m));
	strlcpy_dr(m->event_key, key, sizeof(m->event_key));
	strlcpy_dr(m->channel, ch->name, sizeof(m->channel));
	strlcpy_dr(m->service, ev->service ? ev->service : "",
	           sizeof(m->service));
	strlcpy_dr(m->type, ev->type, sizeof(m->type));
	strlcpy_dr(m->state, ev->state, sizeof(m->state));
	strlcpy_dr(m->severity, severity, sizeof(m->severity));
	m->drill = ev->drill != 0;
	notify_title(ev, environment, m->title, sizeof(m->title));
	strlcpy_dr(m->message, ev->message ? ev->message : m->title,
	           sizeof(m->message));
	m->created_at = now;
	m->next_attempt_at = now;
	switch (notify_decide(nc, now, ev->state, &seen)) {
	case NOTIFY_SEND:
		strlcpy_dr(m->status, "pending", sizeof(m->status));
		break;
	case NOTIFY_DEDUP:
		strlcpy_dr(m->status, "deduplicated", sizeof(m->status));
		break;
	case NOTIFY_RATE_LIMITED:
		strlcpy_dr(m->status, "rate_limited", sizeof(m->status));
		snprintf(m->last_error, sizeof(m->last_error),
		         "held back: %lld %smessages within the rate window; "
		         "a digest will tell of it",
		         (long long)seen.in_window, ev->drill ? "drill " : "");
		break;
	case NOTIFY_SILENCED:
		strlcpy_dr(m->status, "silenced", sizeof(m->status));
		strlcpy_dr(m->last_error, "silenced by an operator",
		           sizeof(m->last_error));
		break;
	}
	return CATALOG_OK;
}

/* PagerDuty hears of alerts: bad news (trigger) and the recovery from it
 * (resolve), not of runs starting or finishing. */
static int notify_pd_wants(const struct notify_channel *ch,
                           const char *severity, const char *prev)
{
	if (ch->kind != NOTIFY_PAGERDUTY)
		return 1;
	return notify_sev_bad(severity) ||
	       (prev != NULL && prev[0] != '\0' &&
	        notify_sev_bad(notify_severity(prev)));
}

struct event_change {
	const struct notify_config *nc;
	const char *environment;
	const struct notify_event *ev;
	const char *key;
	const char *severity;
	int64_t now;
	struct catalog_notify *fresh; /* the pending rows queued */
	size_t nfresh;
};

/* The event's state and, on a change, its rows, in one transaction. */
static int event_change(struct catalog *cat, void *arg, char **details,
                        char **err)
{
	struct event_change *x = arg;
	const struct notify_event *ev = x->ev;
	char prev[32] = "";
	int64_t changed_at = 0, silenced_until = 0;
	int rc, acked = 0;

	(void)details;
	/* Made again after a lost connection: the rows queued by the try
	 * that was rolled back are none. */
	free(x->fresh);
	x->fresh = NULL;
	x->nfresh = 0;
	rc = catalog_notify_state_get(cat, x->key, prev, &changed_at, err);
	if (rc == CATALOG_ENOTFOUND) {
		free(*err);
		*err = NULL;
		prev[0] = '\0';
		rc = CATALOG_OK;
	}
	if (rc != CATALOG_OK || !notify_is_change(prev, ev->state)) {
		if (rc == CATALOG_OK && prev[0] == '\0')
			rc = catalog_notify_state_put(cat, x->key, ev->state,
			                              x->now, err);
		return rc;
	}
	rc = catalog_notify_state_put(cat, x->key, ev->state, x->now, err);
	if (rc == CATALOG_OK && alarm_marks(cat, x->key, x->now, x->now, &acked,
	                                    &silenced_until, err) != DR_OK)
		rc = CATALOG_EINVAL;
	for (size_t i = 0;
	     rc == CATALOG_OK && x->nc != NULL && i < x->nc->n_channels; i++) {
		const struct notify_channel *ch = &x->nc->channels[i];
		struct catalog_notify m;

		if (!notify_channel_wants(ch, ev) ||
		    !notify_pd_wants(ch, x->severity, prev))
			continue;
		rc = notify_row(cat, x->nc, x->environment, ch, x->key, ev,
		                x->severity, silenced_until, x->now, &m, err);
		if (rc == CATALOG_OK)
			rc = catalog_notify_insert(cat, &m, err);
		if (rc == CATALOG_OK && strcmp(m.status, "pending") == 0) {
			x->fresh = xreallocarray(x->fresh, x->nfresh + 1,
			                         sizeof(*x->fresh));
			x->fresh[x->nfresh++] = m;
		}
	}
	return rc;
}

int notify_event(struct catalog *cat, const struct notify_config *nc,
                 const char *environment, const struct notify_event *ev,
                 int64_t now, int send_now, int *queued, char **err)
{
	char key[160];
	struct event_change x = {
	    .nc = nc,
	    .environment = environment,
	    .ev = ev,
	    .key = key,
	    .severity =
	        ev->severity ? ev->severity : notify_severity(ev->state),
	    .now = now,
	};
	int rc;

	if (queued != NULL)
		*queued = 0;
	notify_key(ev, key, sizeof(key));
	rc = ops_txn(cat, event_change, &x, err);
	if (rc == CATALOG_OK && queued != NULL)
		*queued = (int)x.nfresh;
	if (rc == CATALOG_OK && send_now && x.nfresh > 0)
		rc = notify_deliver(cat, nc, environment, x.fresh, x.nfresh,
		                    now, NULL, NULL, err);
	free(x.fresh);
	return rc;
}

/* ---- repeats and digests ---------------------------------------------- */

#define REPEAT_TAIL " --reason ...). "

struct repeat_change {
	const struct notify_config *nc;
	const struct catalog_notify *last; /* the message told last */
	const char *state;
	const char *message; /* the repeat's text */
	int64_t now;
};

/* The repeat of one state, a row for each channel that wants it. */
static int repeat_change(struct catalog *cat, void *arg, char **details,
                         char **err)
{
	const struct repeat_change *x = arg;
	int rc = CATALOG_OK;

	(void)details;
	for (size_t c = 0; rc == CATALOG_OK && c < x->nc->n_channels; c++) {
		const struct notify_channel *ch = &x->nc->channels[c];
		struct notify_event ev = {
		    .type = x->last->type,
		    .service = x->last->service,
		    .state = x->state,
		};
		struct catalog_notify m = *x->last;
		if (!notify_channel_wants(ch, &ev))
			continue;
		m.id = 0;
		strlcpy_dr(m.channel, ch->name, sizeof(m.channel));
		strlcpy_dr(m.message, x->message, sizeof(m.message));
		if (strncmp(m.title, "(repeat) ", 9) != 0) {
			char t[sizeof(m.title)];
			snprintf(t, sizeof(t), "(repeat) %.150s", m.title);
			strlcpy_dr(m.title, t, sizeof(m.title));
		}
		strlcpy_dr(m.status, "pending", sizeof(m.status));
		m.attempts = 0;
		m.created_at = x->now;
		m.next_attempt_at = x->now;
		m.sent_at = 0;
		m.last_error[0] = '\0';
		m.digest_id = 0;
		rc = catalog_notify_insert(cat, &m, err);
	}
	return rc;
}

/* Every unacknowledged, unsilenced bad state (not of a drill) whose last
 * message is `repeat` old is told again, to the channels that heard it. */
static int notify_repeats(struct catalog *cat, const struct notify_config *nc,
                          const char *environment, int64_t now, char **err)
{
	struct catalog_notify_state *st = NULL;
	size_t ns = 0;
	int rc;

	if (nc == NULL || nc->repeat_s <= 0 || nc->n_channels == 0)
		return CATALOG_OK;
	rc = catalog_notify_state_list(cat, &st, &ns, err);
	for (size_t i = 0; rc == CATALOG_OK && i < ns; i++) {
		struct catalog_notify last;
		int acked = 0;
		int64_t silenced = 0;
		char since[32], *msg;
		const char *orig;

		if (!notify_sev_bad(notify_severity(st[i].state)))
			continue;
		rc = catalog_notify_latest(cat, st[i].event_key, st[i].state,
		                           &last, err);
		if (rc == CATALOG_ENOTFOUND) {
			free(*err);
			*err = NULL;
			rc = CATALOG_OK;
			continue;
		}
		if (rc != CATALOG_OK)
			break;
		if (last.drill || now - last.created_at < nc->repeat_s ||
		    last.created_at < st[i].changed_at)
			continue;
		if (alarm_marks(cat, st[i].event_key, st[i].changed_at, now,
		                &acked, &silenced, err) != DR_OK) {
			rc = CATALOG_EINVAL;
			break;
		}
		if (acked || silenced > now)
			continue;
		time_format_iso(st[i].changed_at, since);
		orig = last.message;
		if (strncmp(orig, "Still ", 6) == 0 &&
		    strstr(orig, REPEAT_TAIL) != NULL)
			orig = strstr(orig, REPEAT_TAIL) + strlen(REPEAT_TAIL);
		msg = xasprintf("Still %s since %s, not acknowledged "
		                "(drconsole alarm ack %s" REPEAT_TAIL "%s",
		                st[i].state, since, st[i].event_key, orig);
		struct repeat_change x = {nc, &last, st[i].state, msg, now};
		rc = ops_txn(cat, repeat_change, &x, err);
		free(msg);
	}
	(void)environment;
	free(st);
	return rc;
}

struct digest_change {
	struct catalog_notify *digest;
	struct catalog_notify *held;
	size_t from, to;
};

/* The digest's row and the held rows marked as told in it. */
static int digest_change(struct catalog *cat, void *arg, char **details,
                         char **err)
{
	const struct digest_change *x = arg;
	struct catalog_notify *held = x->held;
	int rc = catalog_notify_insert(cat, x->digest, err);

	(void)details;
	for (size_t i = x->from; rc == CATALOG_OK && i < x->to; i++) {
		held[i].digest_id = x->digest->id;
		snprintf(held[i].last_error, sizeof(held[i].last_error),
		         "held back; told in digest #%lld",
		         (long long)x->digest->id);
		rc = catalog_notify_update(cat, &held[i], err);
	}
	return rc;
}

/* One digest for the rows [from, to) of one channel and budget. */
static int notify_digest_one(struct catalog *cat,
                             const struct notify_config *nc,
                             const char *environment,
                             struct catalog_notify *held, size_t from,
                             size_t to, int64_t now, char **err)
{
	struct catalog_notify d;
	char prefix[96], text[sizeof(d.message)];
	size_t used = 0, listed = 0, count = to - from;

	(void)nc;
	memset(&d, 0, sizeof(d));
	notify_prefix(held[from].drill, environment, prefix, sizeof(prefix));
	snprintf(d.event_key, sizeof(d.event_key), "digest:-:%lld",
	         (long long)held[from].id);
	strlcpy_dr(d.channel, held[from].channel, sizeof(d.channel));
	strlcpy_dr(d.type, "digest", sizeof(d.type));
	strlcpy_dr(d.state, "digest", sizeof(d.state));
	strlcpy_dr(d.severity, "info", sizeof(d.severity));
	d.drill = held[from].drill;
	snprintf(d.title, sizeof(d.title), "%s%zu message%s held back", prefix,
	         count, count == 1 ? "" : "s");
	text[0] = '\0';
	used = (size_t)snprintf(text, sizeof(text),
	                        "%zu message%s held back "
	                        "by the rate limit: ",
	                        count, count == 1 ? "" : "s");
	for (size_t i = from; i < to; i++) {
		char at[32], now_state[32] = "", item[300];
		int64_t ch_at = 0;
		char *e2 = NULL;
		int n;
		if (catalog_notify_state_get(cat, held[i].event_key, now_state,
		                             &ch_at, &e2) != CATALOG_OK) {
			free(e2);
			now_state[0] = '\0';
		}
		time_format_iso(held[i].created_at, at);
		n = snprintf(
		    item, sizeof(item), "%s%s %s at %s%s%s%s",
		    listed ? "; " : "", held[i].event_key, held[i].state,
		    at + 11,
		    now_state[0] && strcmp(now_state, held[i].state) ? " (now "
		                                                     : "",
		    now_state[0] && strcmp(now_state, held[i].state) ? now_state
		                                                     : "",
		    now_state[0] && strcmp(now_state, held[i].state) ? ")"
		                                                     : "");
		if (n < 0 || used + (size_t)n + 60 >= sizeof(text))
			break;
		memcpy(text + used, item, (size_t)n + 1);
		used += (size_t)n;
		listed++;
	}
	if (listed < count)
		snprintf(text + used, sizeof(text) - used,
		         "; and %zu more (drconsole notify log)",
		         count - listed);
	strlcpy_dr(d.message, text, sizeof(d.message));
	strlcpy_dr(d.status, "pending", sizeof(d.status));
	d.created_at = now;
	d.next_attempt_at = now;
	struct digest_change x = {&d, held, from, to};
	return ops_txn(cat, digest_change, &x, err);
}

/* A channel's held-back messages are told once the window that began with
 * the first of them has passed. */
static int notify_digests(struct catalog *cat, const struct notify_config *nc,
                          const char *environment, int64_t now, char **err)
{
	struct catalog_notify *held = NULL;
	size_t n = 0, from = 0;
	int rc;

	if (nc == NULL)
		return CATALOG_OK;
	rc = catalog_notify_held(cat, &held, &n, err);
	while (rc == CATALOG_OK && from < n) {
		size_t to = from + 1;
		while (to < n &&
		       strcmp(held[to].channel, held[from].channel) == 0 &&
		       held[to].drill == held[from].drill)
			to++;
		if (notify_channel_find(nc, held[from].channel) != NULL &&
		    now - held[from].created_at >= nc->rate_window_s)
			rc = notify_digest_one(cat, nc, environment, held, from,
			                       to, now, err);
		from = to;
	}
	free(held);
	return rc;
}

int notify_agent_state(struct catalog *cat, const struct notify_config *nc,
                       const char *environment, const char *host,
                       const char *state, const char *message, char **err)
{
	struct notify_event ev = {
	    .type = "agent",
	    .subject = host,
	    .state = state,
	    .message = message,
	};

	return notify_event(cat, nc, environment, &ev, time_now(), 0, NULL,
	                    err);
}

int notify_undelivered(struct catalog *cat, struct catalog_notify **out,
                       size_t *n, char **err)
{
	return catalog_notify_undelivered(cat, out, n, err) == CATALOG_OK
	           ? DR_OK
	           : DR_EDB;
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
	rc = notify_repeats(cat, nc, environment, now, err);
	if (rc == CATALOG_OK)
		rc = notify_digests(cat, nc, environment, now, err);
	if (rc != CATALOG_OK)
		return rc;
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
