/* postgres probes: reachability, role, and replication lag, through
 * db/pg_probe.c's asynchronous libpq.
 *
 * A primary reports one replication sample per pg_stat_replication row:
 * lag in bytes = pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), lag in
 * seconds = replay_lag (0 when the replica has replayed everything, since
 * PostgreSQL clears replay_lag on an idle link).  Standbys named in
 * "standbys" that are not streaming are reported as down.
 *
 * A standby reports bytes = received - replayed WAL and seconds = now -
 * pg_last_xact_replay_timestamp().  That timestamp is the commit time of
 * the last replayed transaction, so on an idle primary it keeps growing
 * although nothing is missing.  Our choice: when the WAL receiver is
 * streaming and everything received has been replayed, the lag is 0 s;
 * otherwise (replay behind, paused, or no receiver) it is the age of the
 * last replayed transaction, which is an upper bound of what could be
 * lost. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/probe.h"
#include "core/xmalloc.h"
#include "db/pg_probe.h"

static const char *const postgres_keys[] = {
    "conninfo", "passfile",    "lag_max", "lag_max_bytes",
    "standbys", "latency_max", NULL,
};

static void postgres_parse(struct probe_spec *spec, const struct json_doc *doc,
                           const cJSON *obj, struct json_errors *errs)
{
	double ms = 0, bytes = 0;
	const cJSON *sb;
	char *err = NULL;

	if (probe_json_string(errs, doc, obj, "conninfo", 1, &spec->conninfo) ==
	        1 &&
	    pg_conninfo_check(spec->conninfo, &err) != 0) {
		json_errors_add(
		    errs, doc,
		    cJSON_GetObjectItemCaseSensitive(obj, "conninfo"), "%s",
		    err);
		free(err);
	}
	probe_json_string(errs, doc, obj, "passfile", 0, &spec->passfile);
	if (probe_json_ms(errs, doc, obj, "lag_max", &ms) == 1)
		spec->lag_max_s = ms / 1000.0;
	if (json_get_number(errs, doc, obj, "lag_max_bytes", 0, &bytes) == 1) {
		if (bytes < 0)
			json_errors_add(errs, doc,
			                cJSON_GetObjectItemCaseSensitive(
			                    obj, "lag_max_bytes"),
			                "\"lag_max_bytes\" must not be "
			                "negative");
		spec->lag_max_bytes = (int64_t)bytes;
	}
	probe_json_ms(errs, doc, obj, "latency_max", &spec->latency_max_ms);
	sb = cJSON_GetObjectItemCaseSensitive(obj, "standbys");
	if (sb != NULL) {
		const cJSON *a;
		if (!cJSON_IsArray(sb)) {
			json_errors_add(errs, doc, sb,
			                "expected an array of application "
			                "names for \"standbys\"");
			return;
		}
		spec->standbys =
		    xcalloc((size_t)cJSON_GetArraySize(sb) + 1, sizeof(char *));
		cJSON_ArrayForEach(a, sb)
		{
			if (!cJSON_IsString(a) || a->valuestring[0] == '\0')
				json_errors_add(errs, doc, a,
				                "expected an application name");
			else
				spec->standbys[spec->n_standbys++] =
				    xstrdup(a->valuestring);
		}
	}
}

static struct catalog_replication *
postgres_sample(struct probe_outcome *o, const char *source, const char *target,
                const char *state, double lag_s, int64_t lag_bytes)
{
	struct catalog_replication *r;

	o->repl = xreallocarray(o->repl, o->n_repl + 1, sizeof(*o->repl));
	r = &o->repl[o->n_repl++];
	memset(r, 0, sizeof(*r));
	strlcpy_dr(r->source, source, sizeof(r->source));
	strlcpy_dr(r->target, target, sizeof(r->target));
	strlcpy_dr(r->state, state, sizeof(r->state));
	r->lag_s = lag_s;
	r->lag_bytes = lag_bytes;
	return r;
}

static int postgres_over(const struct probe_spec *s, double lag_s,
                         int64_t lag_bytes)
{
	return (s->lag_max_s > 0 && lag_s > s->lag_max_s) ||
	       (s->lag_max_bytes > 0 && lag_bytes > s->lag_max_bytes);
}

static const char *postgres_state(const char *pg_state)
{
	if (strcmp(pg_state, "streaming") == 0)
		return "streaming";
	if (strcmp(pg_state, "catchup") == 0 ||
	    strcmp(pg_state, "startup") == 0 || strcmp(pg_state, "backup") == 0)
		return "catchup";
	if (strcmp(pg_state, "stopping") == 0)
		return "stopped";
	return "unknown";
}

static void postgres_primary(const struct probe_spec *s,
                             const struct pg_status *st,
                             struct probe_outcome *o)
{
	double worst_s = 0;
	int64_t worst_b = 0;
	size_t missing = 0;

	strlcpy_dr(o->role, "primary", sizeof(o->role));
	for (size_t i = 0; i < st->n_replicas; i++) {
		const struct pg_replica *r = &st->replicas[i];
		double lag_s = r->lag_s;
		if (lag_s < 0 && r->lag_bytes == 0)
			lag_s = 0;
		postgres_sample(o, st->server, r->name,
		                postgres_state(r->state), lag_s, r->lag_bytes);
		if (lag_s > worst_s)
			worst_s = lag_s;
		if (r->lag_bytes > worst_b)
			worst_b = r->lag_bytes;
		if (postgres_over(s, lag_s, r->lag_bytes))
			o->lag_over = 1;
	}
	for (size_t k = 0; k < s->n_standbys; k++) {
		size_t i;
		for (i = 0; i < st->n_replicas; i++)
			if (strcmp(st->replicas[i].name, s->standbys[k]) == 0)
				break;
		if (i < st->n_replicas)
			continue;
		postgres_sample(o, st->server, s->standbys[k], "down", -1, -1);
		missing++;
		o->lag_over = 1;
	}
	o->value = worst_s;
	if (missing > 0)
		probe_set_message(o,
		                  "primary, %zu streaming, %zu expected "
		                  "standby%s not connected",
		                  st->n_replicas, missing,
		                  missing == 1 ? "" : "s");
	else
		probe_set_message(o,
		                  "primary, %zu replica%s, worst lag %.1f s / "
		                  "%lld B",
		                  st->n_replicas,
		                  st->n_replicas == 1 ? "" : "s", worst_s,
		                  (long long)worst_b);
}

static void postgres_standby(const struct probe_spec *s,
                             const struct pg_status *st,
                             struct probe_outcome *o)
{
	double lag_s;
	const char *target;

	strlcpy_dr(o->role, "standby", sizeof(o->role));
	if (st->receiving && st->replay_bytes == 0 && !st->replay_paused)
		lag_s = 0;
	else
		lag_s = st->replay_age_s;
	target = st->standby_name[0] ? st->standby_name : st->server;
	postgres_sample(o, st->upstream[0] ? st->upstream : "upstream", target,
	                st->receiving ? "streaming" : "stopped", lag_s,
	                st->replay_bytes);
	o->value = lag_s;
	if (postgres_over(s, lag_s, st->replay_bytes))
		o->lag_over = 1;
	probe_set_message(o, "standby, replay lag %.1f s / %lld B%s%s", lag_s,
	                  (long long)st->replay_bytes,
	                  st->receiving ? "" : ", WAL receiver not streaming",
	                  st->replay_paused ? ", replay paused" : "");
}

static void postgres_run(struct probe_spec *const *specs,
                         struct probe_outcome *out, size_t n)
{
	struct pg_target *t = xcalloc(n, sizeof(*t));
	struct pg_status *st = xcalloc(n, sizeof(*st));

	for (size_t i = 0; i < n; i++) {
		t[i].conninfo = specs[i]->conninfo;
		t[i].passfile = specs[i]->passfile;
		t[i].timeout_ms = specs[i]->timeout_ms;
	}
	pg_probe_batch(t, n, st);
	for (size_t i = 0; i < n; i++) {
		struct probe_outcome *o = &out[i];

		if (st[i].status != 0) {
			o->ok = 0;
			probe_set_message(o, "%s: %s", st[i].server,
			                  st[i].error);
			continue;
		}
		o->ok = 1;
		o->latency_ms = st[i].total_ms;
		if (st[i].in_recovery)
			postgres_standby(specs[i], &st[i], o);
		else
			postgres_primary(specs[i], &st[i], o);
		if (specs[i]->latency_max_ms > 0 &&
		    o->latency_ms > specs[i]->latency_max_ms) {
			o->ok = 0;
			probe_set_message(o,
			                  "slow: answered in %.0f ms, over "
			                  "%.0f ms",
			                  o->latency_ms,
			                  specs[i]->latency_max_ms);
		}
		pg_status_clear(&st[i]);
	}
	free(t);
	free(st);
}

const struct probe_kind probe_kind_postgres = {
    .name = "postgres",
    .keys = postgres_keys,
    .parse = postgres_parse,
    .run = postgres_run,
};
