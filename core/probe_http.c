/* http(s) probes: a GET that must answer with the expected status (200 by
 * default), optionally contain a substring, and arrive within the latency
 * threshold.  The whole batch is one libcurl multi loop (core/http.c).
 * https: the server's certificate is checked against ca_file (else
 * $SSL_CERT_FILE, else the system's CAs); client_cert and client_key
 * answer a server that asks for a client certificate. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/http.h"
#include "core/probe.h"
#include "core/xmalloc.h"

static const char *const http_keys[] = {
    "url",     "expect_status", "body_contains", "latency_max",
    "ca_file", "client_cert",   "client_key",    NULL,
};

/* A PEM file the probe reads at every run: it must be readable now (a
 * typo found at `config check`, not at 3 a.m.). */
static void http_parse_file(struct json_errors *errs,
                            const struct json_doc *doc, const cJSON *obj,
                            const char *key, char **out)
{
	if (probe_json_string(errs, doc, obj, key, 0, out) != 1)
		return;
	if ((*out)[0] != '/')
		json_errors_add(
		    errs, doc, cJSON_GetObjectItemCaseSensitive(obj, key),
		    "\"%s\" must be an absolute path, found \"%s\"", key, *out);
	else if (access(*out, R_OK) != 0)
		json_errors_add(
		    errs, doc, cJSON_GetObjectItemCaseSensitive(obj, key),
		    "\"%s\": cannot read %s: %s", key, *out, strerror(errno));
}

static void http_parse(struct probe_spec *spec, const struct json_doc *doc,
                       const cJSON *obj, struct json_errors *errs)
{
	double status = 200;

	if (probe_json_string(errs, doc, obj, "url", 1, &spec->url) == 1 &&
	    strncmp(spec->url, "http://", 7) != 0 &&
	    strncmp(spec->url, "https://", 8) != 0)
		json_errors_add(errs, doc,
		                cJSON_GetObjectItemCaseSensitive(obj, "url"),
		                "expected an http:// or https:// URL, found "
		                "\"%s\"",
		                spec->url);
	if (json_get_number(errs, doc, obj, "expect_status", 0, &status) == 1 &&
	    (status < 100 || status > 599 || status != (long)status))
		json_errors_add(
		    errs, doc,
		    cJSON_GetObjectItemCaseSensitive(obj, "expect_status"),
		    "expected an HTTP status from 100 to 599, found %g",
		    status);
	spec->expect_status = (long)status;
	probe_json_string(errs, doc, obj, "body_contains", 0,
	                  &spec->body_contains);
	probe_json_ms(errs, doc, obj, "latency_max", &spec->latency_max_ms);
	http_parse_file(errs, doc, obj, "ca_file", &spec->ca_file);
	http_parse_file(errs, doc, obj, "client_cert", &spec->client_cert);
	http_parse_file(errs, doc, obj, "client_key", &spec->client_key);
	if ((spec->client_cert == NULL) != (spec->client_key == NULL))
		json_errors_add(errs, doc, obj,
		                "\"client_cert\" and \"client_key\" go "
		                "together: give both or neither");
}

void probe_http_judge(const struct probe_spec *s, const struct http_response *r,
                      struct probe_outcome *o)
{
	o->ok = 0;
	o->latency_ms = r->total_ms;
	o->value = (double)r->code;
	if (r->status != 0) {
		probe_set_message(o, "%s", r->error);
	} else if (r->code != s->expect_status) {
		probe_set_message(o, "HTTP %ld, expected %ld", r->code,
		                  s->expect_status);
	} else if (s->body_contains != NULL &&
	           (r->body == NULL ||
	            memmem(r->body, r->body_len, s->body_contains,
	                   strlen(s->body_contains)) == NULL)) {
		probe_set_message(o,
		                  "HTTP %ld but the body lacks "
		                  "\"%.64s\"",
		                  r->code, s->body_contains);
	} else if (s->latency_max_ms > 0 && r->total_ms > s->latency_max_ms) {
		probe_set_message(o, "slow: %.0f ms, over %.0f ms", r->total_ms,
		                  s->latency_max_ms);
	} else {
		o->ok = 1;
		probe_set_message(o, "HTTP %ld in %.0f ms", r->code,
		                  r->total_ms);
	}
}

static void http_run(struct probe_spec *const *specs, struct probe_outcome *out,
                     size_t n)
{
	struct http_request *reqs = xcalloc(n, sizeof(*reqs));
	struct http_response *resps = xcalloc(n, sizeof(*resps));

	for (size_t i = 0; i < n; i++) {
		reqs[i].url = specs[i]->url;
		reqs[i].timeout_ms = specs[i]->timeout_ms;
		reqs[i].max_body = 64 * 1024;
		reqs[i].ca_file = specs[i]->ca_file;
		reqs[i].client_cert = specs[i]->client_cert;
		reqs[i].client_key = specs[i]->client_key;
	}
	if (http_batch(reqs, n, resps, 0) != 0) {
		for (size_t i = 0; i < n; i++)
			probe_set_message(&out[i], "libcurl unavailable");
		free(reqs);
		free(resps);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct probe_spec *s = specs[i];
		struct http_response *r = &resps[i];
		struct probe_outcome *o = &out[i];

		probe_http_judge(s, r, o);
		http_response_clear(r);
	}
	free(reqs);
	free(resps);
}

const struct probe_kind probe_kind_http = {
    .name = "http",
    .keys = http_keys,
    .parse = http_parse,
    .run = http_run,
};
