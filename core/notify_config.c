/* Reading the "notifications" section; the shape is in notify_config.h. */
#include "core/notify_config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/xmalloc.h"

char *notify_secret_read(const char *path, int private_only, char **why)
{
	struct stat st;
	char buf[1024];
	size_t len;
	FILE *f;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0) {
		*why = xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		*why = xasprintf("%s: not a regular file", path);
		close(fd);
		return NULL;
	}
	if (private_only && (st.st_mode & 077) != 0) {
		*why = xasprintf("%s: refused: the file holds a password and "
		                 "is readable by others (mode %04o); chmod 600 "
		                 "it",
		                 path, (unsigned)(st.st_mode & 07777));
		close(fd);
		return NULL;
	}
	f = fdopen(fd, "r");
	if (f == NULL) {
		*why = xasprintf("%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = '\0';
	/* One line: the first, without its line end. */
	buf[strcspn(buf, "\r\n")] = '\0';
	return xstrdup(buf);
}

static const char *const section_keys[] = {
    "channels", "dedup_window", "rate_limit", "rate_window", "retries",
    "backoff",  "backoff_max",  "timeout",    "repeat",      NULL,
};
static const char *const channel_keys[] = {
    "name",     "kind",        "url",
    "priority", "services",    "events",
    "headers",  "routing_key", "routing_key_file",
    "from",     "to",          "credentials_file",
    "starttls", "ca_file",     NULL,
};
static const char *const event_types[] = {
    "verdict", "backup", "replication", "probe",
    "runbook", "agent",  "audit",       NULL,
};
static const char *const ntfy_priorities[] = {
    "min", "low", "default", "high", "urgent", "max", NULL,
};

const char *notify_kind_name(enum notify_kind kind)
{
	switch (kind) {
	case NOTIFY_SLACK:
		return "slack";
	case NOTIFY_NTFY:
		return "ntfy";
	case NOTIFY_JSON:
		return "json";
	case NOTIFY_PAGERDUTY:
		return "pagerduty";
	case NOTIFY_EMAIL:
		return "email";
	}
	return "?";
}

static int in_list(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

static char **read_strings(const struct json_doc *doc, const cJSON *obj,
                           const char *key, size_t *n,
                           const char *const *allowed, struct json_errors *errs)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, key);
	const cJSON *a;
	char **out;

	*n = 0;
	if (arr == NULL)
		return NULL;
	if (!cJSON_IsArray(arr)) {
		json_errors_add(errs, doc, arr,
		                "expected an array of strings for \"%s\"", key);
		return NULL;
	}
	out = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(char *));
	cJSON_ArrayForEach(a, arr)
	{
		if (!cJSON_IsString(a) || a->valuestring[0] == '\0') {
			json_errors_add(errs, doc, a,
			                "expected a non-empty string in \"%s\"",
			                key);
			continue;
		}
		if (allowed != NULL && !in_list(allowed, a->valuestring)) {
			json_errors_add(errs, doc, a,
			                "unknown event type \"%s\" (expected "
			                "one of: verdict, backup, replication, "
			                "probe, runbook, agent)",
			                a->valuestring);
			continue;
		}
		out[(*n)++] = xstrdup(a->valuestring);
	}
	return out;
}

/* The keys of one kind only, and the kind's required ones. */
static void read_kind_keys(struct notify_channel *ch,
                           const struct json_doc *doc, const cJSON *obj,
                           struct json_errors *errs)
{
	static const char *const pd_only[] = {"routing_key", "routing_key_file",
	                                      NULL};
	static const char *const mail_only[] = {
	    "from", "to", "credentials_file", "starttls", "ca_file", NULL};
	const char *s = NULL, *file = NULL;
	const cJSON *node;

	for (size_t i = 0; pd_only[i] != NULL; i++)
		if (ch->kind != NOTIFY_PAGERDUTY &&
		    (node = cJSON_GetObjectItemCaseSensitive(obj, pd_only[i])))
			json_errors_add(errs, doc, node,
			                "\"%s\" is for pagerduty channels",
			                pd_only[i]);
	for (size_t i = 0; mail_only[i] != NULL; i++)
		if (ch->kind != NOTIFY_EMAIL &&
		    (node =
		         cJSON_GetObjectItemCaseSensitive(obj, mail_only[i])))
			json_errors_add(errs, doc, node,
			                "\"%s\" is for email channels",
			                mail_only[i]);
	if (ch->kind == NOTIFY_PAGERDUTY) {
		int has_key =
		    json_get_string(errs, doc, obj, "routing_key", 0, &s) == 1;
		int has_file =
		    json_get_string(errs, doc, obj, "routing_key_file", 0,
		                    &file) == 1;
		if (has_key == has_file) {
			json_errors_add(errs, doc, obj,
			                "a pagerduty channel needs one of "
			                "\"routing_key\" or "
			                "\"routing_key_file\"");
		} else if (has_key) {
			ch->routing_key = xstrdup(s);
		} else {
			char *why = NULL;
			ch->routing_key = notify_secret_read(file, 0, &why);
			if (ch->routing_key == NULL) {
				json_errors_add(
				    errs, doc,
				    cJSON_GetObjectItemCaseSensitive(
				        obj, "routing_key_file"),
				    "%s", why);
				free(why);
			}
		}
		if (ch->routing_key != NULL &&
		    (ch->routing_key[0] == '\0' ||
		     strpbrk(ch->routing_key, "\r\n\"\\") != NULL))
			json_errors_add(errs, doc, obj,
			                "the routing key is empty or not one "
			                "plain line");
	}
	if (ch->kind != NOTIFY_EMAIL)
		return;
	if (json_get_string(errs, doc, obj, "from", 1, &s) == 1) {
		if (strchr(s, '@') == NULL || strpbrk(s, "\r\n<>") != NULL)
			json_errors_add(
			    errs, doc,
			    cJSON_GetObjectItemCaseSensitive(obj, "from"),
			    "expected an address like ops@example.com for "
			    "\"from\"");
		ch->from = xstrdup(s);
	}
	ch->to = read_strings(doc, obj, "to", &ch->n_to, NULL, errs);
	for (size_t i = 0; i < ch->n_to; i++)
		if (strchr(ch->to[i], '@') == NULL ||
		    strpbrk(ch->to[i], "\r\n<>,") != NULL)
			json_errors_add(
			    errs, doc,
			    cJSON_GetObjectItemCaseSensitive(obj, "to"),
			    "expected addresses like oncall@example.com in "
			    "\"to\", found \"%s\"",
			    ch->to[i]);
	if (ch->n_to == 0)
		json_errors_add(errs, doc, obj,
		                "an email channel needs \"to\": an array of "
		                "addresses");
	node = cJSON_GetObjectItemCaseSensitive(obj, "starttls");
	if (node != NULL && !cJSON_IsBool(node))
		json_errors_add(errs, doc, node,
		                "expected true or false for \"starttls\"");
	ch->starttls = node != NULL && cJSON_IsTrue(node);
	if (json_get_string(errs, doc, obj, "ca_file", 0, &s) == 1)
		ch->ca_file = xstrdup(s);
	if (json_get_string(errs, doc, obj, "credentials_file", 0, &file) ==
	    1) {
		char *why = NULL;
		char *cred = notify_secret_read(file, 1, &why);
		if (cred == NULL) {
			json_errors_add(errs, doc,
			                cJSON_GetObjectItemCaseSensitive(
			                    obj, "credentials_file"),
			                "%s", why);
			free(why);
		} else if (strchr(cred, ':') == NULL) {
			json_errors_add(
			    errs, doc,
			    cJSON_GetObjectItemCaseSensitive(
			        obj, "credentials_file"),
			    "%s: expected one line \"user:password\"", file);
		}
		free(cred);
		ch->credentials_file = xstrdup(file);
	}
}

static void read_channel(struct notify_config *nc, const struct json_doc *doc,
                         const cJSON *obj, struct json_errors *errs)
{
	struct notify_channel *ch;
	const char *name = NULL, *kind = NULL, *url = NULL, *prio = NULL;
	const cJSON *headers;

	if (!cJSON_IsObject(obj)) {
		json_errors_add(errs, doc, obj,
		                "expected a channel object with \"name\", "
		                "\"kind\" and \"url\"");
		return;
	}
	nc->channels = xreallocarray(nc->channels, nc->n_channels + 1,
	                             sizeof(*nc->channels));
	ch = &nc->channels[nc->n_channels++];
	memset(ch, 0, sizeof(*ch));
	json_check_keys(errs, doc, obj, "a channel", channel_keys);
	if (json_get_string(errs, doc, obj, "name", 1, &name) == 1) {
		if (name[0] == '\0' || strlen(name) >= sizeof(ch->name))
			json_errors_add(
			    errs, doc,
			    cJSON_GetObjectItemCaseSensitive(obj, "name"),
			    "expected a channel name of 1 to %zu characters",
			    sizeof(ch->name) - 1);
		strlcpy_dr(ch->name, name, sizeof(ch->name));
		for (size_t i = 0; i + 1 < nc->n_channels; i++)
			if (strcmp(nc->channels[i].name, ch->name) == 0)
				json_errors_add(
				    errs, doc,
				    cJSON_GetObjectItemCaseSensitive(obj,
				                                     "name"),
				    "two channels are named \"%s\"", ch->name);
	}
	if (json_get_string(errs, doc, obj, "kind", 1, &kind) == 1) {
		if (strcmp(kind, "slack") == 0)
			ch->kind = NOTIFY_SLACK;
		else if (strcmp(kind, "ntfy") == 0)
			ch->kind = NOTIFY_NTFY;
		else if (strcmp(kind, "json") == 0)
			ch->kind = NOTIFY_JSON;
		else if (strcmp(kind, "pagerduty") == 0)
			ch->kind = NOTIFY_PAGERDUTY;
		else if (strcmp(kind, "email") == 0)
			ch->kind = NOTIFY_EMAIL;
		else
			json_errors_add(
			    errs, doc,
			    cJSON_GetObjectItemCaseSensitive(obj, "kind"),
			    "unknown channel kind \"%s\" (expected one of: "
			    "slack, ntfy, json, pagerduty, email)",
			    kind);
	}
	if (json_get_string(errs, doc, obj, "url", ch->kind != NOTIFY_PAGERDUTY,
	                    &url) == 1) {
		int smtp = strncmp(url, "smtp://", 7) == 0 ||
		           strncmp(url, "smtps://", 8) == 0;
		int http = strncmp(url, "http://", 7) == 0 ||
		           strncmp(url, "https://", 8) == 0;
		if (ch->kind == NOTIFY_EMAIL && !smtp)
			json_errors_add(
			    errs, doc,
			    cJSON_GetObjectItemCaseSensitive(obj, "url"),
			    "expected an smtp:// or smtps:// URL for \"url\" "
			    "of an email channel");
		else if (ch->kind != NOTIFY_EMAIL && !http)
			json_errors_add(
			    errs, doc,
			    cJSON_GetObjectItemCaseSensitive(obj, "url"),
			    "expected an http:// or https:// URL for \"url\"");
		ch->url = xstrdup(url);
	} else if (ch->kind == NOTIFY_PAGERDUTY) {
		ch->url = xstrdup(NOTIFY_PAGERDUTY_URL);
	}
	read_kind_keys(ch, doc, obj, errs);
	if (json_get_string(errs, doc, obj, "priority", 0, &prio) == 1) {
		if (!in_list(ntfy_priorities, prio))
			json_errors_add(
			    errs, doc,
			    cJSON_GetObjectItemCaseSensitive(obj, "priority"),
			    "unknown priority \"%s\" (expected one of: min, "
			    "low, default, high, urgent, max)",
			    prio);
		strlcpy_dr(ch->priority, prio, sizeof(ch->priority));
	}
	ch->services =
	    read_strings(doc, obj, "services", &ch->n_services, NULL, errs);
	ch->events =
	    read_strings(doc, obj, "events", &ch->n_events, event_types, errs);
	headers = cJSON_GetObjectItemCaseSensitive(obj, "headers");
	if (headers != NULL) {
		const cJSON *h;
		if (!cJSON_IsObject(headers)) {
			json_errors_add(errs, doc, headers,
			                "expected an object of header names "
			                "and values for \"headers\"");
			return;
		}
		ch->headers = xcalloc((size_t)cJSON_GetArraySize(headers) + 1,
		                      sizeof(char *));
		cJSON_ArrayForEach(h, headers)
		{
			if (!cJSON_IsString(h) ||
			    strpbrk(h->valuestring, "\r\n") != NULL ||
			    strpbrk(h->string, ": \r\n") != NULL) {
				json_errors_add(errs, doc, h,
				                "expected a header name and a "
				                "one-line string value");
				continue;
			}
			ch->headers[ch->n_headers++] =
			    xasprintf("%s: %s", h->string, h->valuestring);
		}
	}
}

static void get_secs(struct json_errors *errs, const struct json_doc *doc,
                     const cJSON *obj, const char *key, int64_t min,
                     int64_t *out)
{
	long long secs;
	if (json_get_duration(errs, doc, obj, key, 0, &secs) != 1)
		return;
	if (secs < min) {
		json_errors_add(
		    errs, doc, cJSON_GetObjectItemCaseSensitive(obj, key),
		    "\"%s\" must be at least %llds", key, (long long)min);
		return;
	}
	*out = secs;
}

static void get_count(struct json_errors *errs, const struct json_doc *doc,
                      const cJSON *obj, const char *key, int min, int max,
                      int *out)
{
	double v;
	if (json_get_number(errs, doc, obj, key, 0, &v) != 1)
		return;
	if (v < min || v > max || v != (int)v) {
		json_errors_add(errs, doc,
		                cJSON_GetObjectItemCaseSensitive(obj, key),
		                "expected a whole number from %d to %d for "
		                "\"%s\", found %g",
		                min, max, key, v);
		return;
	}
	*out = (int)v;
}

struct notify_config *notify_config_read(const struct json_doc *doc,
                                         const cJSON *node,
                                         struct json_errors *errs)
{
	struct notify_config *nc = xcalloc(1, sizeof(*nc));
	const cJSON *channels, *c;
	int64_t timeout_s = 10;

	nc->dedup_window_s = 300;
	nc->rate_limit = 20;
	nc->rate_window_s = 3600;
	nc->retries = 5;
	nc->backoff_s = 10;
	nc->backoff_max_s = 600;
	nc->timeout_ms = 10000;
	nc->repeat_s = 3600;
	if (node == NULL)
		return nc;
	if (!cJSON_IsObject(node)) {
		json_errors_add(errs, doc, node,
		                "expected an object for \"notifications\"");
		return nc;
	}
	json_check_keys(errs, doc, node, "\"notifications\"", section_keys);
	get_secs(errs, doc, node, "dedup_window", 0, &nc->dedup_window_s);
	get_count(errs, doc, node, "rate_limit", 1, 100000, &nc->rate_limit);
	get_secs(errs, doc, node, "rate_window", 1, &nc->rate_window_s);
	get_count(errs, doc, node, "retries", 0, 100, &nc->retries);
	get_secs(errs, doc, node, "backoff", 1, &nc->backoff_s);
	get_secs(errs, doc, node, "backoff_max", 1, &nc->backoff_max_s);
	get_secs(errs, doc, node, "timeout", 1, &timeout_s);
	get_secs(errs, doc, node, "repeat", 0, &nc->repeat_s);
	nc->timeout_ms = (long)timeout_s * 1000;
	channels = cJSON_GetObjectItemCaseSensitive(node, "channels");
	if (channels == NULL)
		return nc;
	if (!cJSON_IsArray(channels)) {
		json_errors_add(errs, doc, channels,
		                "expected an array of channels for "
		                "\"channels\"");
		return nc;
	}
	cJSON_ArrayForEach(c, channels) read_channel(nc, doc, c, errs);
	return nc;
}

static void free_strings(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

void notify_config_destroy(struct notify_config *nc)
{
	if (nc == NULL)
		return;
	for (size_t i = 0; i < nc->n_channels; i++) {
		struct notify_channel *ch = &nc->channels[i];
		free(ch->url);
		free_strings(ch->services, ch->n_services);
		free_strings(ch->events, ch->n_events);
		free_strings(ch->headers, ch->n_headers);
		free(ch->routing_key);
		free(ch->from);
		free_strings(ch->to, ch->n_to);
		free(ch->credentials_file);
		free(ch->ca_file);
	}
	free(nc->channels);
	free(nc);
}

int notify_config_parse(struct config *cfg, const struct json_doc *doc,
                        const cJSON *node, struct json_errors *errs)
{
	size_t before = errs->count;

	notify_config_destroy(cfg->notify);
	cfg->notify = notify_config_read(doc, node, errs);
	return errs->count > before ? -1 : 0;
}

void notify_config_free(struct config *cfg)
{
	notify_config_destroy(cfg->notify);
	cfg->notify = NULL;
}
