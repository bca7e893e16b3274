/* The SQLite side of db/catalog_agent.h: agent heartbeat, job runs, probe
 * state and notifications (tables of migration 5 in db/migrations.c).
 * Times are stored as ISO-8601 UTC text like the rest of the catalog. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/backend.h"
#include "db/catalog.h"
#include "db/catalog_agent.h"
#include "db/sqlite_int.h"
#include "lib/xmalloc.h"

/* Runs one write statement, already bound, as its own write. */
static int agent_write(struct sqlite_catalog *sc, sqlite3_stmt *st,
                       const char *what, char **err)
{
	int rc = sqlite_write_begin(sc, err);

	if (rc != CATALOG_OK) {
		sqlite3_finalize(st);
		return rc;
	}
	rc = sqlite_run(sc, st, what, err);
	return sqlite_write_end(sc, rc, err);
}

/* ---- agent heartbeat -------------------------------------------------- */

static int sqlite_agent_beat_impl(void *self, const struct catalog_agent *a,
                                  char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc;

	rc = sqlite_prepare(
	    sc,
	    "INSERT OR REPLACE INTO agent_heartbeat (host, pid, version, "
	    "started_at, beat_at, interval_s, state, note) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	    &st, err);
	if (rc != CATALOG_OK)
		return rc;
	sqlite3_bind_text(st, 1, a->host, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, a->pid);
	sqlite3_bind_text(st, 3, a->version, -1, SQLITE_TRANSIENT);
	sqlite_bind_time(st, 4, a->started_at);
	sqlite_bind_time(st, 5, a->beat_at);
	sqlite3_bind_int64(st, 6, a->interval_s);
	sqlite3_bind_text(st, 7, a->state, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 8, a->note, -1, SQLITE_TRANSIENT);
	return agent_write(sc, st, "recording the agent's heartbeat", err);
}

static int sqlite_agent_latest_impl(void *self, struct catalog_agent *out,
                                    char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc;

	rc = sqlite_prepare(sc,
	                    "SELECT host, pid, version, started_at, beat_at, "
	                    "interval_s, state, note FROM agent_heartbeat "
	                    "ORDER BY beat_at DESC, rowid DESC LIMIT 1",
	                    &st, err);
	if (rc != CATALOG_OK)
		return rc;
	memset(out, 0, sizeof(*out));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		sqlite_column_copy(st, 0, out->host, sizeof(out->host));
		out->pid = sqlite3_column_int64(st, 1);
		sqlite_column_copy(st, 2, out->version, sizeof(out->version));
		out->started_at = sqlite_column_time(st, 3);
		out->beat_at = sqlite_column_time(st, 4);
		out->interval_s = sqlite3_column_int64(st, 5);
		sqlite_column_copy(st, 6, out->state, sizeof(out->state));
		sqlite_column_copy(st, 7, out->note, sizeof(out->note));
		rc = CATALOG_OK;
	} else if (rc == SQLITE_DONE) {
		sqlite_seterr(err, "no agent has run on this catalog");
		rc = CATALOG_ENOTFOUND;
	} else {
		rc = sqlite_status(sc->db, rc, "reading the heartbeat", err);
	}
	sqlite3_finalize(st);
	return rc;
}

static void read_agent(sqlite3_stmt *st, struct catalog_agent *out)
{
	memset(out, 0, sizeof(*out));
	sqlite_column_copy(st, 0, out->host, sizeof(out->host));
	out->pid = sqlite3_column_int64(st, 1);
	sqlite_column_copy(st, 2, out->version, sizeof(out->version));
	out->started_at = sqlite_column_time(st, 3);
	out->beat_at = sqlite_column_time(st, 4);
	out->interval_s = sqlite3_column_int64(st, 5);
	sqlite_column_copy(st, 6, out->state, sizeof(out->state));
	sqlite_column_copy(st, 7, out->note, sizeof(out->note));
}

static int sqlite_agent_list_impl(void *self, struct catalog_agent **out,
                                  size_t *n, char **err)
{
	struct sqlite_catalog *sc = self;
	struct catalog_agent *list = NULL;
	size_t len = 0, cap = 0;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	/* SQLite takes the bare columns from the row holding max(). */
	rc = sqlite_prepare(sc,
	                    "SELECT host, pid, version, started_at, "
	                    "max(beat_at), interval_s, state, note FROM "
	                    "agent_heartbeat GROUP BY host ORDER BY host",
	                    &st, err);
	if (rc != CATALOG_OK)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 4;
			list = xreallocarray(list, cap, sizeof(*list));
		}
		read_agent(st, &list[len++]);
	}
	if (rc != SQLITE_DONE) {
		rc = sqlite_status(sc->db, rc, "reading the heartbeats", err);
		sqlite3_finalize(st);
		free(list);
		return rc;
	}
	sqlite3_finalize(st);
	*out = list;
	*n = len;
	return CATALOG_OK;
}

/* ---- jobs ------------------------------------------------------------- */

static void read_job(sqlite3_stmt *st, struct catalog_job *j)
{
	memset(j, 0, sizeof(*j));
	sqlite_column_copy(st, 0, j->name, sizeof(j->name));
	j->last_started_at = sqlite_column_time(st, 1);
	j->last_finished_at = sqlite_column_time(st, 2);
	sqlite_column_copy(st, 3, j->last_status, sizeof(j->last_status));
	sqlite_column_copy(st, 4, j->last_message, sizeof(j->last_message));
	j->runs = sqlite3_column_int64(st, 5);
}

#define JOB_COLUMNS                                                            \
	"name, last_started_at, last_finished_at, last_status, "               \
	"last_message, runs"

static int sqlite_job_get_impl(void *self, const char *name,
                               struct catalog_job *out, char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc;

	rc = sqlite_prepare(
	    sc, "SELECT " JOB_COLUMNS " FROM agent_jobs WHERE name = ?1", &st,
	    err);
	if (rc != CATALOG_OK)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_job(st, out);
		rc = CATALOG_OK;
	} else if (rc == SQLITE_DONE) {
		sqlite_seterr(err, "job %s never ran", name);
		rc = CATALOG_ENOTFOUND;
	} else {
		rc = sqlite_status(sc->db, rc, "reading a job", err);
	}
	sqlite3_finalize(st);
	return rc;
}

/* The claim: one upsert that changes the row only while its start is still
 * the one the caller saw (?3), compared as a time so that any spelling the
 * parser reads compares equal; a claim that lost changes nothing. */
static int sqlite_job_start_impl(void *self, const char *name, int64_t now,
                                 int64_t seen, char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc;

	rc = sqlite_write_begin(sc, err);
	if (rc != CATALOG_OK)
		return rc;
	rc = sqlite_prepare(
	    sc,
	    "INSERT INTO agent_jobs (name, last_started_at, last_status, "
	    "last_message, runs) VALUES (?1, ?2, 'running', '', 1) "
	    "ON CONFLICT (name) DO UPDATE SET last_started_at = ?2, "
	    "last_status = 'running', last_message = '', runs = runs + 1 "
	    "WHERE strftime('%s', agent_jobs.last_started_at) IS "
	    "strftime('%s', ?3)",
	    &st, err);
	if (rc == CATALOG_OK) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
		sqlite_bind_time(st, 2, now);
		sqlite_bind_time(st, 3, seen);
		rc = sqlite_run(sc, st, "starting a job", err);
		if (rc == CATALOG_OK && sqlite3_changes(sc->db) == 0) {
			rc = CATALOG_EBUSY;
			sqlite_seterr(err,
			              "job %s: this run was already claimed by "
			              "another agent",
			              name);
		}
	}
	return sqlite_write_end(sc, rc, err);
}

static int sqlite_job_finish_impl(void *self, const char *name, int64_t now,
                                  const char *status, const char *message,
                                  char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc;

	rc = sqlite_prepare(sc,
	                    "UPDATE agent_jobs SET last_finished_at = ?2, "
	                    "last_status = ?3, last_message = ?4 WHERE name = "
	                    "?1",
	                    &st, err);
	if (rc != CATALOG_OK)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite_bind_time(st, 2, now);
	sqlite3_bind_text(st, 3, status, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, message ? message : "", -1, SQLITE_TRANSIENT);
	return agent_write(sc, st, "finishing a job", err);
}

static int sqlite_job_list_impl(void *self, struct catalog_job **out, size_t *n,
                                char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	rc = sqlite_prepare(
	    sc, "SELECT " JOB_COLUMNS " FROM agent_jobs ORDER BY name", &st,
	    err);
	if (rc != CATALOG_OK)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		read_job(st, &(*out)[(*n)++]);
	}
	rc = sqlite_status(sc->db, rc, "listing jobs", err);
	sqlite3_finalize(st);
	return rc;
}

/* ---- probe state ------------------------------------------------------ */

#define PSTATE_COLUMNS                                                         \
	"service_name, probe, consecutive_failures, down, changed_at, "        \
	"last_ok_at, last_run_at, message"

static void read_pstate(sqlite3_stmt *st, struct catalog_probe_state *s)
{
	memset(s, 0, sizeof(*s));
	sqlite_column_copy(st, 0, s->service, sizeof(s->service));
	sqlite_column_copy(st, 1, s->probe, sizeof(s->probe));
	s->consecutive_failures = sqlite3_column_int(st, 2);
	s->down = sqlite3_column_int(st, 3);
	s->changed_at = sqlite_column_time(st, 4);
	s->last_ok_at = sqlite_column_time(st, 5);
	s->last_run_at = sqlite_column_time(st, 6);
	sqlite_column_copy(st, 7, s->message, sizeof(s->message));
}

static int sqlite_probe_state_get_impl(void *self, const char *service,
                                       const char *probe,
                                       struct catalog_probe_state *out,
                                       char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc;

	rc = sqlite_prepare(sc,
	                    "SELECT " PSTATE_COLUMNS " FROM probe_state "
	                    "WHERE service_name = ?1 AND probe = ?2",
	                    &st, err);
	if (rc != CATALOG_OK)
		return rc;
	sqlite3_bind_text(st, 1, service, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, probe, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_pstate(st, out);
		rc = CATALOG_OK;
	} else if (rc == SQLITE_DONE) {
		sqlite_seterr(err, "probe %s/%s has no state", service, probe);
		rc = CATALOG_ENOTFOUND;
	} else {
		rc = sqlite_status(sc->db, rc, "reading a probe state", err);
	}
	sqlite3_finalize(st);
	return rc;
}

static int sqlite_probe_state_put_impl(void *self,
                                       const struct catalog_probe_state *s,
                                       char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc;

	rc = sqlite_prepare(sc,
	                    "INSERT OR REPLACE INTO probe_state "
	                    "(" PSTATE_COLUMNS ") VALUES "
	                    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	                    &st, err);
	if (rc != CATALOG_OK)
		return rc;
	sqlite3_bind_text(st, 1, s->service, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, s->probe, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 3, s->consecutive_failures);
	sqlite3_bind_int(st, 4, s->down != 0);
	sqlite_bind_time(st, 5, s->changed_at);
	sqlite_bind_time(st, 6, s->last_ok_at);
	sqlite_bind_time(st, 7, s->last_run_at);
	sqlite3_bind_text(st, 8, s->message, -1, SQLITE_TRANSIENT);
	return agent_write(sc, st, "recording a probe state", err);
}

static int sqlite_probe_state_list_impl(void *self,
                                        struct catalog_probe_state **out,
                                        size_t *n, char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	rc = sqlite_prepare(sc,
	                    "SELECT " PSTATE_COLUMNS
	                    " FROM probe_state ORDER BY service_name, probe",
	                    &st, err);
	if (rc != CATALOG_OK)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		read_pstate(st, &(*out)[(*n)++]);
	}
	rc = sqlite_status(sc->db, rc, "listing probe states", err);
	sqlite3_finalize(st);
	return rc;
}

/* ---- notifications ---------------------------------------------------- */

static int sqlite_notify_state_get_impl(void *self, const char *key,
                                        char state[32], int64_t *changed_at,
                                        char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc;

	rc = sqlite_prepare(sc,
	                    "SELECT state, changed_at FROM notify_state "
	                    "WHERE event_key = ?1",
	                    &st, err);
	if (rc != CATALOG_OK)
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		sqlite_column_copy(st, 0, state, 32);
		*changed_at = sqlite_column_time(st, 1);
		rc = CATALOG_OK;
	} else if (rc == SQLITE_DONE) {
		sqlite_seterr(err, "no state for %s", key);
		rc = CATALOG_ENOTFOUND;
	} else {
		rc = sqlite_status(sc->db, rc, "reading a notify state", err);
	}
	sqlite3_finalize(st);
	return rc;
}

static int sqlite_notify_state_put_impl(void *self, const char *key,
                                        const char *state, int64_t at,
                                        char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc;

	rc = sqlite_prepare(sc,
	                    "INSERT OR REPLACE INTO notify_state (event_key, "
	                    "state, changed_at) VALUES (?1, ?2, ?3)",
	                    &st, err);
	if (rc != CATALOG_OK)
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, state, -1, SQLITE_TRANSIENT);
	sqlite_bind_time(st, 3, at);
	return agent_write(sc, st, "recording a notify state", err);
}

#define NOTIFY_COLUMNS                                                         \
	"id, event_key, channel, service_name, type, state, title, message, "  \
	"status, attempts, next_attempt_at, created_at, sent_at, last_error, " \
	"severity, drill, digest_id"

static void read_notify(sqlite3_stmt *st, struct catalog_notify *m)
{
	memset(m, 0, sizeof(*m));
	m->id = sqlite3_column_int64(st, 0);
	sqlite_column_copy(st, 1, m->event_key, sizeof(m->event_key));
	sqlite_column_copy(st, 2, m->channel, sizeof(m->channel));
	sqlite_column_copy(st, 3, m->service, sizeof(m->service));
	sqlite_column_copy(st, 4, m->type, sizeof(m->type));
	sqlite_column_copy(st, 5, m->state, sizeof(m->state));
	sqlite_column_copy(st, 6, m->title, sizeof(m->title));
	sqlite_column_copy(st, 7, m->message, sizeof(m->message));
	sqlite_column_copy(st, 8, m->status, sizeof(m->status));
	m->attempts = sqlite3_column_int(st, 9);
	m->next_attempt_at = sqlite_column_time(st, 10);
	m->created_at = sqlite_column_time(st, 11);
	m->sent_at = sqlite_column_time(st, 12);
	sqlite_column_copy(st, 13, m->last_error, sizeof(m->last_error));
	sqlite_column_copy(st, 14, m->severity, sizeof(m->severity));
	m->drill = sqlite3_column_int(st, 15);
	m->digest_id = sqlite3_column_int64(st, 16);
}

static void bind_notify(sqlite3_stmt *st, const struct catalog_notify *m)
{
	sqlite3_bind_text(st, 2, m->event_key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, m->channel, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, m->service, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, m->type, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, m->state, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, m->title, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 8, m->message, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 9, m->status, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 10, m->attempts);
	sqlite_bind_time(st, 11, m->next_attempt_at);
	sqlite_bind_time(st, 12, m->created_at);
	sqlite_bind_time(st, 13, m->sent_at);
	sqlite3_bind_text(st, 14, m->last_error, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 15, m->severity[0] ? m->severity : "info", -1,
	                  SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 16, m->drill ? 1 : 0);
	if (m->digest_id > 0)
		sqlite3_bind_int64(st, 17, m->digest_id);
	else
		sqlite3_bind_null(st, 17);
}

static int sqlite_notify_insert_impl(void *self, struct catalog_notify *m,
                                     char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc;

	rc = sqlite_write_begin(sc, err);
	if (rc != CATALOG_OK)
		return rc;
	rc = sqlite_prepare(sc,
	                    "INSERT INTO notify_outbox (" NOTIFY_COLUMNS
	                    ") VALUES (NULL, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
	                    "?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
	                    &st, err);
	if (rc == CATALOG_OK) {
		bind_notify(st, m);
		rc = sqlite_run(sc, st, "queueing a notification", err);
		if (rc == CATALOG_OK)
			m->id = sqlite3_last_insert_rowid(sc->db);
	}
	return sqlite_write_end(sc, rc, err);
}

static int sqlite_notify_update_impl(void *self, const struct catalog_notify *m,
                                     char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc;

	rc = sqlite_prepare(
	    sc,
	    "UPDATE notify_outbox SET event_key = ?2, channel = ?3, "
	    "service_name = ?4, type = ?5, state = ?6, title = ?7, "
	    "message = ?8, status = ?9, attempts = ?10, next_attempt_at = "
	    "?11, created_at = ?12, sent_at = ?13, last_error = ?14, "
	    "severity = ?15, drill = ?16, digest_id = ?17 WHERE id = ?1",
	    &st, err);
	if (rc != CATALOG_OK)
		return rc;
	sqlite3_bind_int64(st, 1, m->id);
	bind_notify(st, m);
	return agent_write(sc, st, "updating a notification", err);
}

static int agent_scalar(struct sqlite_catalog *sc, sqlite3_stmt *st,
                        const char *what, int64_t *out, char **err)
{
	int rc = sqlite3_step(st);

	*out = 0;
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_type(st, 0) == SQLITE_TEXT
		           ? sqlite_column_time(st, 0)
		           : sqlite3_column_int64(st, 0);
		rc = CATALOG_OK;
	} else if (rc == SQLITE_DONE) {
		rc = CATALOG_OK;
	} else {
		rc = sqlite_status(sc->db, rc, what, err);
	}
	sqlite3_finalize(st);
	return rc;
}

static int sqlite_notify_last_told_impl(void *self, const char *channel,
                                        const char *event_key, char state[32],
                                        char status[16], int64_t *at,
                                        char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc;

	state[0] = '\0';
	status[0] = '\0';
	*at = 0;
	rc = sqlite_prepare(
	    sc,
	    "SELECT state, created_at, status FROM notify_outbox WHERE "
	    "channel = ?1 AND event_key = ?2 AND status IN ('pending', "
	    "'sent', 'failed', 'rate_limited') ORDER BY created_at DESC, id "
	    "DESC LIMIT 1",
	    &st, err);
	if (rc != CATALOG_OK)
		return rc;
	sqlite3_bind_text(st, 1, channel, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, event_key, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		sqlite_column_copy(st, 0, state, 32);
		*at = sqlite_column_time(st, 1);
		sqlite_column_copy(st, 2, status, 16);
		rc = CATALOG_OK;
	} else {
		rc = sqlite_status(sc->db, rc, "reading notifications", err);
	}
	sqlite3_finalize(st);
	return rc;
}

static int sqlite_notify_count_since_impl(void *self, const char *channel,
                                          int64_t since, int drill,
                                          int64_t *count, char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc;

	rc = sqlite_prepare(sc,
	                    "SELECT count(*) FROM notify_outbox WHERE channel "
	                    "= ?1 AND created_at >= ?2 AND status IN "
	                    "('pending', 'sent', 'failed') AND type NOT IN "
	                    "('test', 'digest') AND drill = ?3",
	                    &st, err);
	if (rc != CATALOG_OK)
		return rc;
	sqlite3_bind_text(st, 1, channel, -1, SQLITE_TRANSIENT);
	sqlite_bind_time(st, 2, since);
	sqlite3_bind_int(st, 3, drill ? 1 : 0);
	return agent_scalar(sc, st, "counting notifications", count, err);
}

static int agent_notify_rows(struct sqlite_catalog *sc, sqlite3_stmt *st,
                             struct catalog_notify **out, size_t *n, char **err)
{
	int rc;

	*out = NULL;
	*n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		read_notify(st, &(*out)[(*n)++]);
	}
	rc = sqlite_status(sc->db, rc, "reading notifications", err);
	sqlite3_finalize(st);
	return rc;
}

static int sqlite_notify_due_impl(void *self, int64_t now, size_t limit,
                                  struct catalog_notify **out, size_t *n,
                                  char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	rc = sqlite_prepare(sc,
	                    "SELECT " NOTIFY_COLUMNS
	                    " FROM notify_outbox WHERE status = 'pending' AND "
	                    "next_attempt_at <= ?1 ORDER BY id LIMIT ?2",
	                    &st, err);
	if (rc != CATALOG_OK)
		return rc;
	sqlite_bind_time(st, 1, now);
	sqlite3_bind_int64(st, 2, limit ? (int64_t)limit : -1);
	return agent_notify_rows(sc, st, out, n, err);
}

static int sqlite_notify_list_impl(void *self, size_t limit,
                                   struct catalog_notify **out, size_t *n,
                                   char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	rc = sqlite_prepare(sc,
	                    "SELECT " NOTIFY_COLUMNS
	                    " FROM notify_outbox ORDER BY id DESC LIMIT ?1",
	                    &st, err);
	if (rc != CATALOG_OK)
		return rc;
	sqlite3_bind_int64(st, 1, limit ? (int64_t)limit : -1);
	return agent_notify_rows(sc, st, out, n, err);
}

static int sqlite_notify_held_impl(void *self, struct catalog_notify **out,
                                   size_t *n, char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	rc = sqlite_prepare(sc,
	                    "SELECT " NOTIFY_COLUMNS
	                    " FROM notify_outbox WHERE status = 'rate_limited' "
	                    "AND digest_id IS NULL ORDER BY channel, drill, id",
	                    &st, err);
	if (rc != CATALOG_OK)
		return rc;
	return agent_notify_rows(sc, st, out, n, err);
}

static int sqlite_notify_latest_impl(void *self, const char *event_key,
                                     const char *state,
                                     struct catalog_notify *out, char **err)
{
	struct sqlite_catalog *sc = self;
	struct catalog_notify *rows = NULL;
	sqlite3_stmt *st;
	size_t n = 0;
	int rc;

	rc = sqlite_prepare(sc,
	                    "SELECT " NOTIFY_COLUMNS
	                    " FROM notify_outbox WHERE event_key = ?1 AND "
	                    "state = ?2 AND type <> 'digest' ORDER BY "
	                    "created_at DESC, id DESC LIMIT 1",
	                    &st, err);
	if (rc != CATALOG_OK)
		return rc;
	sqlite3_bind_text(st, 1, event_key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, state, -1, SQLITE_TRANSIENT);
	rc = agent_notify_rows(sc, st, &rows, &n, err);
	if (rc == CATALOG_OK && n == 0) {
		sqlite_seterr(err, "nothing was sent about %s", event_key);
		rc = CATALOG_ENOTFOUND;
	}
	if (rc == CATALOG_OK)
		*out = rows[0];
	free(rows);
	return rc;
}

static int sqlite_notify_undelivered_impl(void *self,
                                          struct catalog_notify **out,
                                          size_t *n, char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	/* The newest bad-news row of each subject still in that state, when
	 * no row of that episode was delivered or is still untried. */
	rc = sqlite_prepare(
	    sc,
	    "SELECT " NOTIFY_COLUMNS
	    " FROM notify_outbox o WHERE o.id IN (SELECT max(x.id) FROM "
	    "notify_outbox x JOIN notify_state s ON s.event_key = x.event_key "
	    "AND s.state = x.state WHERE x.severity IN ('warning', "
	    "'critical') AND x.drill = 0 AND x.created_at >= s.changed_at "
	    "AND x.status IN ('pending', 'failed') AND x.attempts > 0 AND NOT "
	    "EXISTS (SELECT 1 FROM notify_outbox p WHERE p.event_key = "
	    "x.event_key AND p.state = x.state AND p.created_at >= "
	    "s.changed_at AND (p.status = 'sent' OR (p.status = 'pending' AND "
	    "p.attempts = 0))) GROUP BY x.event_key) ORDER BY o.id",
	    &st, err);
	if (rc != CATALOG_OK)
		return rc;
	return agent_notify_rows(sc, st, out, n, err);
}

static int sqlite_notify_state_list_impl(void *self,
                                         struct catalog_notify_state **out,
                                         size_t *n, char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	rc = sqlite_prepare(sc,
	                    "SELECT event_key, state, changed_at FROM "
	                    "notify_state ORDER BY event_key",
	                    &st, err);
	if (rc != CATALOG_OK)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct catalog_notify_state *s;
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		s = &(*out)[(*n)++];
		memset(s, 0, sizeof(*s));
		sqlite_column_copy(st, 0, s->event_key, sizeof(s->event_key));
		sqlite_column_copy(st, 1, s->state, sizeof(s->state));
		s->changed_at = sqlite_column_time(st, 2);
	}
	rc = sqlite_status(sc->db, rc, "reading notify states", err);
	sqlite3_finalize(st);
	return rc;
}

/* ---- alarm marks -------------------------------------------------------- */

static int sqlite_alarm_mark_put_impl(void *self,
                                      const struct catalog_alarm_mark *m,
                                      char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc;

	rc = sqlite_prepare(sc,
	                    "INSERT OR REPLACE INTO alarm_marks (event_key, "
	                    "kind, state, episode_at, until, actor, at, "
	                    "reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	                    &st, err);
	if (rc != CATALOG_OK)
		return rc;
	sqlite3_bind_text(st, 1, m->event_key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, m->kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, m->state, -1, SQLITE_TRANSIENT);
	sqlite_bind_time(st, 4, m->episode_at);
	sqlite_bind_time(st, 5, m->until);
	sqlite3_bind_text(st, 6, m->actor, -1, SQLITE_TRANSIENT);
	sqlite_bind_time(st, 7, m->at);
	sqlite3_bind_text(st, 8, m->reason, -1, SQLITE_TRANSIENT);
	return agent_write(sc, st, "recording an alarm mark", err);
}

static int sqlite_alarm_mark_delete_impl(void *self, const char *event_key,
                                         const char *kind, int *deleted,
                                         char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc;

	*deleted = 0;
	rc = sqlite_prepare(sc,
	                    "DELETE FROM alarm_marks WHERE event_key = ?1 AND "
	                    "kind = ?2",
	                    &st, err);
	if (rc != CATALOG_OK)
		return rc;
	sqlite3_bind_text(st, 1, event_key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT);
	rc = agent_write(sc, st, "removing an alarm mark", err);
	if (rc == CATALOG_OK)
		*deleted = sqlite3_changes(sc->db) > 0;
	return rc;
}

static int sqlite_alarm_mark_list_impl(void *self,
                                       struct catalog_alarm_mark **out,
                                       size_t *n, char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	rc = sqlite_prepare(sc,
	                    "SELECT event_key, kind, state, episode_at, until, "
	                    "actor, at, reason FROM alarm_marks ORDER BY "
	                    "event_key, kind",
	                    &st, err);
	if (rc != CATALOG_OK)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct catalog_alarm_mark *m;
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		m = &(*out)[(*n)++];
		memset(m, 0, sizeof(*m));
		sqlite_column_copy(st, 0, m->event_key, sizeof(m->event_key));
		sqlite_column_copy(st, 1, m->kind, sizeof(m->kind));
		sqlite_column_copy(st, 2, m->state, sizeof(m->state));
		m->episode_at = sqlite_column_time(st, 3);
		m->until = sqlite_column_time(st, 4);
		sqlite_column_copy(st, 5, m->actor, sizeof(m->actor));
		m->at = sqlite_column_time(st, 6);
		sqlite_column_copy(st, 7, m->reason, sizeof(m->reason));
	}
	rc = sqlite_status(sc->db, rc, "reading alarm marks", err);
	sqlite3_finalize(st);
	return rc;
}

const struct catalog_agent_ops sqlite_agent_ops = {
    .agent_beat = sqlite_agent_beat_impl,
    .agent_latest = sqlite_agent_latest_impl,
    .agent_list = sqlite_agent_list_impl,
    .job_get = sqlite_job_get_impl,
    .job_start = sqlite_job_start_impl,
    .job_finish = sqlite_job_finish_impl,
    .job_list = sqlite_job_list_impl,
    .probe_state_get = sqlite_probe_state_get_impl,
    .probe_state_put = sqlite_probe_state_put_impl,
    .probe_state_list = sqlite_probe_state_list_impl,
    .notify_state_get = sqlite_notify_state_get_impl,
    .notify_state_put = sqlite_notify_state_put_impl,
    .notify_insert = sqlite_notify_insert_impl,
    .notify_update = sqlite_notify_update_impl,
    .notify_last_told = sqlite_notify_last_told_impl,
    .notify_count_since = sqlite_notify_count_since_impl,
    .notify_due = sqlite_notify_due_impl,
    .notify_list = sqlite_notify_list_impl,
    .notify_held = sqlite_notify_held_impl,
    .notify_latest = sqlite_notify_latest_impl,
    .notify_undelivered = sqlite_notify_undelivered_impl,
    .notify_state_list = sqlite_notify_state_list_impl,
    .alarm_mark_put = sqlite_alarm_mark_put_impl,
    .alarm_mark_delete = sqlite_alarm_mark_delete_impl,
    .alarm_mark_list = sqlite_alarm_mark_list_impl,
};
