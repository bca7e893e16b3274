/* The probe engine: groups a round's probes by kind and runs every kind's
 * batch in its own thread, all at once.  Each kind is concurrent inside its
 * batch too (libcurl multi, non-blocking connects, asynchronous libpq,
 * child processes read through poll), so a round takes as long as its
 * slowest probe's timeout, not the sum of them. */
#include "core/probe.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/duration.h"
#include "core/error.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

static const struct probe_kind *const probe_kinds[] = {
    &probe_kind_http,
    &probe_kind_tcp,
    &probe_kind_postgres,
    &probe_kind_command,
};
#define PROBE_NKINDS (sizeof(probe_kinds) / sizeof(probe_kinds[0]))

const struct probe_kind *probe_kind_find(const char *name)
{
	for (size_t i = 0; i < PROBE_NKINDS; i++)
		if (strcmp(probe_kinds[i]->name, name) == 0)
			return probe_kinds[i];
	return NULL;
}

const char *probe_kind_names(void)
{
	return "http, tcp, postgres, command";
}

int64_t probe_now_ms(void)
{
	return time_mono_ms();
}

void probe_set_message(struct probe_outcome *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(o->message, sizeof(o->message), fmt, ap);
	va_end(ap);
}

struct probe_batch {
	const struct probe_kind *kind;
	struct probe_spec **specs;
	struct probe_outcome *out; /* the batch's own outcomes */
	size_t *index;             /* where each goes in the caller's array */
	size_t n;
	pthread_t thread;
	int started;
};

static void *probe_batch_main(void *arg)
{
	struct probe_batch *b = arg;
	b->kind->run(b->specs, b->out, b->n);
	return NULL;
}

void probe_run(struct probe_spec *const *specs, struct probe_outcome *out,
               size_t n)
{
	struct probe_batch batches[PROBE_NKINDS];

	memset(batches, 0, sizeof(batches));
	for (size_t i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].latency_ms = -1;
	}
	for (size_t k = 0; k < PROBE_NKINDS; k++) {
		struct probe_batch *b = &batches[k];
		b->kind = probe_kinds[k];
		for (size_t i = 0; i < n; i++)
			if (specs[i]->kind == b->kind)
				b->n++;
		if (b->n == 0)
			continue;
		b->specs = xcalloc(b->n, sizeof(*b->specs));
		b->out = xcalloc(b->n, sizeof(*b->out));
		b->index = xcalloc(b->n, sizeof(*b->index));
		b->n = 0;
		for (size_t i = 0; i < n; i++) {
			if (specs[i]->kind != b->kind)
				continue;
			b->specs[b->n] = specs[i];
			b->out[b->n].latency_ms = -1;
			b->index[b->n++] = i;
		}
	}
	/* The calling thread runs the last batch itself. */
	size_t last = PROBE_NKINDS;
	for (size_t k = 0; k < PROBE_NKINDS; k++)
		if (batches[k].n > 0)
			last = k;
	for (size_t k = 0; k < PROBE_NKINDS; k++) {
		if (batches[k].n == 0 || k == last)
			continue;
		if (pthread_create(&batches[k].thread, NULL, probe_batch_main,
		                   &batches[k]) == 0)
			batches[k].started = 1;
		else
			probe_batch_main(&batches[k]);
	}
	if (last < PROBE_NKINDS)
		probe_batch_main(&batches[last]);
	for (size_t k = 0; k < PROBE_NKINDS; k++) {
		struct probe_batch *b = &batches[k];
		if (b->started)
			pthread_join(b->thread, NULL);
		for (size_t j = 0; j < b->n; j++)
			out[b->index[j]] = b->out[j];
		free(b->specs);
		free(b->out);
		free(b->index);
	}
}

void probe_outcome_clear(struct probe_outcome *o)
{
	if (o == NULL)
		return;
	free(o->repl);
	o->repl = NULL;
	o->n_repl = 0;
}

void probe_spec_clear(struct probe_spec *spec)
{
	if (spec == NULL)
		return;
	free(spec->url);
	free(spec->body_contains);
	free(spec->ca_file);
	free(spec->client_cert);
	free(spec->client_key);
	free(spec->host);
	free(spec->conninfo);
	free(spec->passfile);
	for (size_t i = 0; i < spec->n_standbys; i++)
		free(spec->standbys[i]);
	free(spec->standbys);
	free(spec->primary);
	free(spec->application_name);
	for (char **a = spec->argv; a != NULL && *a != NULL; a++)
		free(*a);
	free(spec->argv);
	memset(spec, 0, sizeof(*spec));
}

int probe_record(struct catalog *cat, const struct probe_spec *spec,
                 const struct probe_outcome *o, int64_t now, char **err)
{
	struct catalog_probe_result r;
	int rc;

	memset(&r, 0, sizeof(r));
	strlcpy_dr(r.service, spec->service, sizeof(r.service));
	strlcpy_dr(r.probe, spec->name, sizeof(r.probe));
	strlcpy_dr(r.kind, spec->kind->name, sizeof(r.kind));
	r.ok = o->ok;
	r.latency_ms = o->latency_ms;
	r.value = o->value;
	strlcpy_dr(r.message, o->message, sizeof(r.message));
	r.sampled_at = now;
	rc = catalog_probe_record(cat, &r, err);
	for (size_t i = 0; rc == CATALOG_OK && i < o->n_repl; i++) {
		struct catalog_replication rep = o->repl[i];
		if (rep.service[0] == '\0')
			strlcpy_dr(rep.service, spec->service,
			           sizeof(rep.service));
		rep.sampled_at = now;
		rc = catalog_replication_record(cat, &rep, err);
	}
	return rc;
}

int probe_json_ms(struct json_errors *errs, const struct json_doc *doc,
                  const cJSON *obj, const char *key, double *ms)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	int64_t secs;
	char *derr = NULL;
	size_t len;

	if (v == NULL)
		return 0;
	if (cJSON_IsNumber(v)) {
		if (v->valuedouble < 0) {
			json_errors_add(errs, doc, v,
			                "\"%s\" must not be negative", key);
			return -1;
		}
		*ms = v->valuedouble * 1000.0;
		return 1;
	}
	if (!cJSON_IsString(v)) {
		json_errors_add(errs, doc, v,
		                "expected a duration for \"%s\" such as "
		                "\"500ms\" or \"5s\"",
		                key);
		return -1;
	}
	len = strlen(v->valuestring);
	if (len > 2 && strcmp(v->valuestring + len - 2, "ms") == 0) {
		char *end = NULL;
		double d = strtod(v->valuestring, &end);
		if (end == v->valuestring + len - 2 && d >= 0) {
			*ms = d;
			return 1;
		}
	} else if (duration_parse(v->valuestring, &secs, &derr) == DR_OK) {
		*ms = (double)secs * 1000.0;
		return 1;
	}
	json_errors_add(errs, doc, v,
	                "bad duration \"%s\" for \"%s\": expected e.g. "
	                "\"500ms\", \"5s\" or \"1m\"",
	                v->valuestring, key);
	free(derr);
	return -1;
}

int probe_json_string(struct json_errors *errs, const struct json_doc *doc,
                      const cJSON *obj, const char *key, int required,
                      char **out)
{
	const char *s = NULL;
	int rc = json_get_string(errs, doc, obj, key, required, &s);

	if (rc == 1) {
		if (s[0] == '\0') {
			json_errors_add(
			    errs, doc,
			    cJSON_GetObjectItemCaseSensitive(obj, key),
			    "\"%s\" must not be empty", key);
			return -1;
		}
		free(*out);
		*out = xstrdup(s);
	}
	return rc;
}

int probe_track(struct catalog_probe_state *st, int ok,
                int failures_before_down, const char *message, int64_t now)
{
	int was_down = st->down;

	st->last_run_at = now;
	strlcpy_dr(st->message, message, sizeof(st->message));
	if (ok) {
		st->consecutive_failures = 0;
		st->last_ok_at = now;
		st->down = 0;
	} else {
		st->consecutive_failures++;
		if (st->consecutive_failures >= failures_before_down)
			st->down = 1;
	}
	if (st->down != was_down)
		st->changed_at = now;
	return st->down != was_down;
}
