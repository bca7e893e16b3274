/* postgres probes: reachability, role, and replication lag, through
 * db/pg_probe.c's asynchronous libpq.
 *
 * One name per link.  A link is (source, target): source = "SERVICE/CHECK"
 * of the check that probes the primary, target = the standby's
 * application name, as the primary's pg_stat_replication shows it and
 * "standbys" lists it.  A primary names its rows so.  A standby's check
 * finds its primary's check once, when the config is read
 * (postgres_resolve: its "primary", else the service's one other postgres
 * check listing "standbys", else the service's one other postgres check),
 * and its own name from "application_name", else from its WAL receiver
 * (the application_name it connects with, or the fallback PostgreSQL
 * gives it: cluster_name, else "walreceiver").  Both sides of a link
 * therefore write to one pair.
 *
 * Lag is measured, never assumed.  A primary reports one sample per
 * pg_stat_replication row: bytes = pg_wal_lsn_diff(pg_current_wal_lsn(),
 * replay_lsn), seconds = replay_lag (0 when bytes is 0, since PostgreSQL
 * clears replay_lag on an idle link).  "standbys" that are not streaming
 * are reported as down.
 *
 * A standby reports bytes = how far its replay position is behind a
 * reference, and seconds = 0 when that is 0, else the primary's replay_lag
 * for it, else unknown.  The reference is its primary's
 * pg_current_wal_lsn() when that check answered in the same round, else,
 * while the WAL receiver streams, the newest position the receiver has
 * from its upstream (written, flushed, or reported by the sender).  Never
 * now - pg_last_xact_replay_timestamp(): with no writes on the primary
 * that grows although nothing is missing, and a restarted standby has none
 * at all (nor a receive position ahead of its replay one) until the next
 * commit.  Without a reference the lag is unknown: state "unknown" while
 * the receiver streams, "stopped" when it does not.
 *
 * When both checks of a link answer in one round, the standby's figures
 * (its own replay position against the primary's current one) are the
 * link's one sample, and the primary does not store its row again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/probe.h"
#include "core/probe_postgres.h"
#include "core/xmalloc.h"
#include "db/pg_probe.h"

static const char *const postgres_keys[] = {
    "conninfo",      "passfile",         "lag_max",
    "lag_max_bytes", "standbys",         "latency_max",
    "primary",       "application_name", NULL,
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
	probe_json_string(errs, doc, obj, "primary", 0, &spec->primary);
	probe_json_string(errs, doc, obj, "application_name", 0,
	                  &spec->application_name);
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

/* Which check probes this one's primary, once the service is read. */
static void postgres_resolve(struct probe_spec *spec,
                             const struct probe_spec *checks, size_t n,
                             const struct json_doc *doc, const cJSON *obj,
                             struct json_errors *errs)
{
	const struct probe_spec *primary = NULL, *listing = NULL, *other = NULL;
	size_t n_listing = 0, n_other = 0;

	spec->link_source[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const struct probe_spec *c = &checks[i];
		if (c == spec || c->kind != &probe_kind_postgres)
			continue;
		if (spec->primary != NULL) {
			if (strcmp(c->name, spec->primary) == 0)
				primary = c;
			continue;
		}
		other = c;
		n_other++;
		if (c->n_standbys > 0) {
			listing = c;
			n_listing++;
		}
	}
	if (spec->primary != NULL && primary == NULL) {
		json_errors_add(
		    errs, doc, cJSON_GetObjectItemCaseSensitive(obj, "primary"),
		    "\"primary\" must name another postgres check of "
		    "service \"%s\", found \"%s\"",
		    spec->service, spec->primary);
		return;
	}
	if (primary == NULL)
		primary = n_listing == 1 ? listing
		          : n_other == 1 ? other
		                         : NULL;
	if (primary != NULL)
		snprintf(spec->link_source, sizeof(spec->link_source), "%s/%s",
		         primary->service, primary->name);
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
	strlcpy_dr(r->kind, "replica", sizeof(r->kind));
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

/* "SERVICE/CHECK": the source of the links a primary's check samples. */
static void postgres_source(const struct probe_spec *s, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", s->service, s->name);
}

/* The standby's name on its primary. */
static const char *postgres_standby_target(const struct probe_spec *s,
                                           const struct pg_status *st)
{
	if (s->application_name != NULL)
		return s->application_name;
	if (st->receiver_app[0] != '\0')
		return st->receiver_app;
	if (st->standby_name[0] != '\0')
		return st->standby_name;
	return "walreceiver";
}

/* The round's answer of standby j's primary check, or -1. */
static long postgres_primary_of(struct probe_spec *const *specs,
                                const struct pg_status *st, size_t n, size_t j)
{
	char source[128];

	if (specs[j]->link_source[0] == '\0')
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (i == j || st[i].status != 0 || st[i].in_recovery)
			continue;
		postgres_source(specs[i], source, sizeof(source));
		if (strcmp(source, specs[j]->link_source) == 0)
			return (long)i;
	}
	return -1;
}

/* Whether a standby of this round samples primary i's link to target. */
static int postgres_covered(size_t i, const char *target,
                            const long *primary_of, const char *const *targets,
                            size_t n)
{
	for (size_t j = 0; j < n; j++)
		if (primary_of[j] == (long)i && targets[j] != NULL &&
		    strcmp(targets[j], target) == 0)
			return 1;
	return 0;
}

static void postgres_primary(const struct probe_spec *s,
                             const struct pg_status *st, size_t self,
                             const long *primary_of, const char *const *targets,
                             size_t n, struct probe_outcome *o)
{
	double worst_s = 0;
	int64_t worst_b = 0;
	size_t missing = 0;
	char source[128];

	strlcpy_dr(o->role, "primary", sizeof(o->role));
	postgres_source(s, source, sizeof(source));
	for (size_t i = 0; i < st->n_replicas; i++) {
		const struct pg_replica *r = &st->replicas[i];
		double lag_s = r->lag_s;
		if (lag_s < 0 && r->lag_bytes == 0)
			lag_s = 0;
		if (!postgres_covered(self, r->name, primary_of, targets, n))
			postgres_sample(o, source, r->name,
			                postgres_state(r->state), lag_s,
			                r->lag_bytes);
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
		if (!postgres_covered(self, s->standbys[k], primary_of, targets,
		                      n))
			postgres_sample(o, source, s->standbys[k], "down", -1,
			                -1);
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

/* A standby's figures; pri is its primary's answer of this round, or
 * NULL. */
static void postgres_standby(const struct probe_spec *s,
                             const struct pg_status *st,
                             const struct pg_status *pri, const char *target,
                             struct probe_outcome *o)
{
	const struct pg_replica *row = NULL;
	pg_lsn reference = -1;
	int64_t lag_bytes = -1;
	double lag_s = -1;
	const char *state, *source;
	char secs[32] = "unknown", bytes[32] = "unknown";

	strlcpy_dr(o->role, "standby", sizeof(o->role));
	if (pri != NULL && pri->current_lsn < 0)
		pri = NULL;
	if (pri != NULL) {
		reference = pri->current_lsn;
		for (size_t i = 0; i < pri->n_replicas; i++)
			if (strcmp(pri->replicas[i].name, target) == 0)
				row = &pri->replicas[i];
	} else if (st->receiving) {
		reference = st->sender_lsn > st->receive_lsn ? st->sender_lsn
		                                             : st->receive_lsn;
	}
	if (reference >= 0 && st->replay_lsn >= 0)
		lag_bytes =
		    reference > st->replay_lsn ? reference - st->replay_lsn : 0;
	if (lag_bytes == 0)
		lag_s = 0;
	else if (lag_bytes > 0 && row != NULL && row->lag_s >= 0)
		lag_s = row->lag_s;
	if (st->receiving)
		state = lag_bytes < 0 ? "unknown" : "streaming";
	else if (row != NULL)
		state = postgres_state(row->state);
	else
		state = "stopped";
	source = s->link_source[0] != '\0' ? s->link_source
	         : st->upstream[0] != '\0' ? st->upstream
	                                   : "upstream";
	postgres_sample(o, source, target, state, lag_s, lag_bytes);
	o->value = lag_s;
	if (postgres_over(s, lag_s, lag_bytes) ||
	    ((s->lag_max_s > 0 || s->lag_max_bytes > 0) &&
	     strcmp(state, "streaming") != 0 && strcmp(state, "catchup") != 0))
		o->lag_over = 1;
	if (lag_s >= 0)
		snprintf(secs, sizeof(secs), "%.1f s", lag_s);
	if (lag_bytes >= 0)
		snprintf(bytes, sizeof(bytes), "%lld B", (long long)lag_bytes);
	probe_set_message(o, "standby, replay lag %s / %s%s%s%s", secs, bytes,
	                  pri != NULL      ? ", against the primary"
	                  : reference >= 0 ? ", against the WAL received"
	                                   : "",
	                  st->receiving ? "" : ", WAL receiver not streaming",
	                  st->replay_paused ? ", replay paused" : "");
}

void probe_postgres_interpret(struct probe_spec *const *specs,
                              const struct pg_status *st,
                              struct probe_outcome *out, size_t n)
{
	long *primary_of = xcalloc(n + 1, sizeof(*primary_of));
	const char **targets = xcalloc(n + 1, sizeof(*targets));

	for (size_t j = 0; j < n; j++) {
		primary_of[j] = -1;
		if (st[j].status != 0 || !st[j].in_recovery)
			continue;
		targets[j] = postgres_standby_target(specs[j], &st[j]);
		primary_of[j] = postgres_primary_of(specs, st, n, j);
	}
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
			postgres_standby(specs[i], &st[i],
			                 primary_of[i] >= 0 ? &st[primary_of[i]]
			                                    : NULL,
			                 targets[i], o);
		else
			postgres_primary(specs[i], &st[i], i, primary_of,
			                 targets, n, o);
		if (specs[i]->latency_max_ms > 0 &&
		    o->latency_ms > specs[i]->latency_max_ms) {
			o->ok = 0;
			probe_set_message(o,
			                  "slow: answered in %.0f ms, over "
			                  "%.0f ms",
			                  o->latency_ms,
			                  specs[i]->latency_max_ms);
		}
	}
	free(primary_of);
	free(targets);
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
	probe_postgres_interpret(specs, st, out, n);
	for (size_t i = 0; i < n; i++)
		pg_status_clear(&st[i]);
	free(t);
	free(st);
}

const struct probe_kind probe_kind_postgres = {
    .name = "postgres",
    .keys = postgres_keys,
    .parse = postgres_parse,
    .resolve = postgres_resolve,
    .run = postgres_run,
};
