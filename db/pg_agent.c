/* The PostgreSQL backend's agent tables (db/catalog_agent.h): heartbeat,
 * job runs, probe state, notifications and alarm marks, with the SQLite
 * backend's statements (db/sqlite_agent.c) in PostgreSQL's words.
 *
 * SQLite's INSERT OR REPLACE deletes the old row and inserts a new one;
 * here it is an upsert on the primary key that rewrites every column.
 * The heartbeat's upsert also takes a new rid, as the replacing row takes
 * a new rowid there, so "the newest beat" breaks ties alike.
 *
 * A job run is claimed by one statement, INSERT ... ON CONFLICT (name) DO
 * UPDATE ... WHERE the start is still the one the claimer saw: two agents
 * claiming at once take the row's lock in turn (the second upsert waits
 * for the first to commit, then checks its condition on the committed
 * row), so each due run is claimed once, as under SQLite's single writer. */
#include "db/pg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/catalog.h"
#include "db/catalog_agent.h"

/* Runs one write statement, already bound, as its own write; the rows it
 * changed go to *changes when that is not NULL.  Finalizes st. */
static int agent_write(struct pg_catalog *pc, struct pg_stmt *st,
                       const char *what, int64_t *changes, char **err)
{
	int rc = pg_write_begin(pc, err);

	if (rc == CATALOG_OK) {
		rc = pg_run(st, what, err);
		if (rc == CATALOG_OK && changes != NULL)
			*changes = pg_changes(st);
		rc = pg_write_end(pc, rc, err);
	}
	pg_finalize(st);
	return rc;
}

/* A list's end: CATALOG_OK after its last row, or the failure with
 * nothing kept. */
#define LIST_END(rc, out, n)                                                   \
	do {                                                                   \
		if ((rc) != PG_DONE) {                                         \
			free(*(out));                                          \
			*(out) = NULL;                                         \
			*(n) = 0;                                              \
			return (rc);                                           \
		}                                                              \
		return CATALOG_OK;                                             \
	} while (0)

/* ---- agent heartbeat -------------------------------------------------- */

#define AGENT_COLUMNS                                                          \
	"host, pid, version, started_at, beat_at, interval_s, state, note"

static void read_agent(const struct pg_stmt *st, struct catalog_agent *out)
{
	memset(out, 0, sizeof(*out));
	pg_column_copy(st, 0, out->host, sizeof(out->host));
	out->pid = pg_column_int64(st, 1);
	pg_column_copy(st, 2, out->version, sizeof(out->version));
	out->started_at = pg_column_time(st, 3);
	out->beat_at = pg_column_time(st, 4);
	out->interval_s = pg_column_int64(st, 5);
	pg_column_copy(st, 6, out->state, sizeof(out->state));
	pg_column_copy(st, 7, out->note, sizeof(out->note));
}

static int pg_agent_beat_impl(void *self, const struct catalog_agent *a,
                              char **err)
{
	struct pg_catalog *pc = self;
	struct pg_stmt *st = pg_prepare(
	    pc, "INSERT INTO agent_heartbeat (" AGENT_COLUMNS ") VALUES "
	        "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (host, pid) DO "
	        "UPDATE SET version = excluded.version, started_at = "
	        "excluded.started_at, beat_at = excluded.beat_at, interval_s "
	        "= excluded.interval_s, state = excluded.state, note = "
	        "excluded.note, rid = DEFAULT");

	pg_bind_text(st, 1, a->host);
	pg_bind_int64(st, 2, a->pid);
	pg_bind_text(st, 3, a->version);
	pg_bind_time(st, 4, a->started_at);
	pg_bind_time(st, 5, a->beat_at);
	pg_bind_int64(st, 6, a->interval_s);
	pg_bind_text(st, 7, a->state);
	pg_bind_text(st, 8, a->note);
	return agent_write(pc, st, "recording the agent's heartbeat", NULL,
	                   err);
}

static int pg_agent_latest_impl(void *self, struct catalog_agent *out,
                                char **err)
{
	struct pg_stmt *st =
	    pg_prepare(self, "SELECT " AGENT_COLUMNS " FROM agent_heartbeat "
	                     "ORDER BY beat_at DESC, rid DESC LIMIT 1");
	int rc = pg_step_row(st, "reading the heartbeat", err);

	memset(out, 0, sizeof(*out));
	if (rc == CATALOG_OK)
		read_agent(st, out);
	else if (rc == CATALOG_ENOTFOUND)
		pg_seterr(err, "no agent has run on this catalog");
	pg_finalize(st);
	return rc;
}

static int pg_agent_list_impl(void *self, struct catalog_agent **out, size_t *n,
                              char **err)
{
	/* SQLite takes the bare columns beside max(beat_at) from the first
	 * row of the host holding the maximum, in its primary key's order:
	 * on a tie, the smallest pid. */
	struct pg_stmt *st = pg_prepare(
	    self, "SELECT DISTINCT ON (host) " AGENT_COLUMNS
	          " FROM agent_heartbeat ORDER BY host, beat_at DESC, pid");
	struct catalog_agent *list = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	*n = 0;
	while ((rc = pg_step(st, "reading the heartbeats", err)) == PG_ROW) {
		list = xreallocarray(list, len + 1, sizeof(*list));
		read_agent(st, &list[len++]);
	}
	pg_finalize(st);
	if (rc != PG_DONE) {
		free(list);
		return rc;
	}
	*out = list;
	*n = len;
	return CATALOG_OK;
}

/* ---- jobs ------------------------------------------------------------- */

static void read_job(const struct pg_stmt *st, struct catalog_job *j)
{
	memset(j, 0, sizeof(*j));
	pg_column_copy(st, 0, j->name, sizeof(j->name));
	j->last_started_at = pg_column_time(st, 1);
	j->last_finished_at = pg_column_time(st, 2);
	pg_column_copy(st, 3, j->last_status, sizeof(j->last_status));
	pg_column_copy(st, 4, j->last_message, sizeof(j->last_message));
	j->runs = pg_column_int64(st, 5);
}

#define JOB_COLUMNS                                                            \
	"name, last_started_at, last_finished_at, last_status, "               \
	"last_message, runs"

static int pg_job_get_impl(void *self, const char *name,
                           struct catalog_job *out, char **err)
{
	struct pg_stmt *st = pg_prepare(
	    self, "SELECT " JOB_COLUMNS " FROM agent_jobs WHERE name = ?1");
	int rc;

	pg_bind_text(st, 1, name);
	rc = pg_step_row(st, "reading a job", err);
	if (rc == CATALOG_OK)
		read_job(st, out);
	else if (rc == CATALOG_ENOTFOUND)
		pg_seterr(err, "job %s never ran", name);
	pg_finalize(st);
	return rc;
}

/* The claim: one statement, so concurrent claims queue on the row, and
 * the update's condition is checked again on the row the first claim
 * committed (READ COMMITTED's ON CONFLICT DO UPDATE): of two agents that
 * saw the same start, one changes the row and the other changes nothing. */
static int pg_job_start_impl(void *self, const char *name, int64_t now,
                             int64_t seen, char **err)
{
	struct pg_catalog *pc = self;
	struct pg_stmt *st = pg_prepare(
	    pc, "INSERT INTO agent_jobs (name, last_started_at, last_status, "
	        "last_message, runs) VALUES (?1, ?2, 'running', '', 1) "
	        "ON CONFLICT (name) DO UPDATE SET last_started_at = ?2, "
	        "last_status = 'running', last_message = '', runs = "
	        "agent_jobs.runs + 1 WHERE agent_jobs.last_started_at IS NOT "
	        "DISTINCT FROM ?3");
	int64_t changed = 0;
	int rc;

	pg_bind_text(st, 1, name);
	pg_bind_time(st, 2, now);
	pg_bind_time(st, 3, seen);
	rc = agent_write(pc, st, "starting a job", &changed, err);
	if (rc == CATALOG_OK && changed == 0) {
		rc = CATALOG_EBUSY;
		pg_seterr(
		    err,
		    "job %s: this run was already claimed by another agent",
		    name);
	}
	return rc;
}

static int pg_job_finish_impl(void *self, const char *name, int64_t now,
                              const char *status, const char *message,
                              char **err)
{
	struct pg_catalog *pc = self;
	struct pg_stmt *st =
	    pg_prepare(pc, "UPDATE agent_jobs SET last_finished_at = ?2, "
	                   "last_status = ?3, last_message = ?4 WHERE name = "
	                   "?1");

	pg_bind_text(st, 1, name);
	pg_bind_time(st, 2, now);
	pg_bind_text(st, 3, status);
	pg_bind_text(st, 4, message ? message : "");
	return agent_write(pc, st, "finishing a job", NULL, err);
}

static int pg_job_list_impl(void *self, struct catalog_job **out, size_t *n,
                            char **err)
{
	struct pg_stmt *st = pg_prepare(self, "SELECT " JOB_COLUMNS
	                                      " FROM agent_jobs ORDER BY name");
	int rc;

	*out = NULL;
	*n = 0;
	while ((rc = pg_step(st, "listing jobs", err)) == PG_ROW) {
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		read_job(st, &(*out)[(*n)++]);
	}
	pg_finalize(st);
	LIST_END(rc, out, n);
}

/* ---- probe state ------------------------------------------------------ */

#define PSTATE_COLUMNS                                                         \
	"service_name, probe, consecutive_failures, down, changed_at, "        \
	"last_ok_at, last_run_at, message"

static void read_pstate(const struct pg_stmt *st, struct catalog_probe_state *s)
{
	memset(s, 0, sizeof(*s));
	pg_column_copy(st, 0, s->service, sizeof(s->service));
	pg_column_copy(st, 1, s->probe, sizeof(s->probe));
	s->consecutive_failures = (int)pg_column_int64(st, 2);
	s->down = (int)pg_column_int64(st, 3);
	s->changed_at = pg_column_time(st, 4);
	s->last_ok_at = pg_column_time(st, 5);
	s->last_run_at = pg_column_time(st, 6);
	pg_column_copy(st, 7, s->message, sizeof(s->message));
}

static int pg_probe_state_get_impl(void *self, const char *service,
                                   const char *probe,
                                   struct catalog_probe_state *out, char **err)
{
	struct pg_stmt *st =
	    pg_prepare(self, "SELECT " PSTATE_COLUMNS " FROM probe_state "
	                     "WHERE service_name = ?1 AND probe = ?2");
	int rc;

	pg_bind_text(st, 1, service);
	pg_bind_text(st, 2, probe);
	rc = pg_step_row(st, "reading a probe state", err);
	if (rc == CATALOG_OK)
		read_pstate(st, out);
	else if (rc == CATALOG_ENOTFOUND)
		pg_seterr(err, "probe %s/%s has no state", service, probe);
	pg_finalize(st);
	return rc;
}

static int pg_probe_state_put_impl(void *self,
                                   const struct catalog_probe_state *s,
                                   char **err)
{
	struct pg_catalog *pc = self;
	struct pg_stmt *st = pg_prepare(
	    pc, "INSERT INTO probe_state (" PSTATE_COLUMNS ") VALUES "
	        "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (service_name, "
	        "probe) DO UPDATE SET consecutive_failures = "
	        "excluded.consecutive_failures, down = excluded.down, "
	        "changed_at = excluded.changed_at, last_ok_at = "
	        "excluded.last_ok_at, last_run_at = excluded.last_run_at, "
	        "message = excluded.message");

	pg_bind_text(st, 1, s->service);
	pg_bind_text(st, 2, s->probe);
	pg_bind_int64(st, 3, s->consecutive_failures);
	pg_bind_int64(st, 4, s->down != 0);
	pg_bind_time(st, 5, s->changed_at);
	pg_bind_time(st, 6, s->last_ok_at);
	pg_bind_time(st, 7, s->last_run_at);
	pg_bind_text(st, 8, s->message);
	return agent_write(pc, st, "recording a probe state", NULL, err);
}

static int pg_probe_state_list_impl(void *self,
                                    struct catalog_probe_state **out, size_t *n,
                                    char **err)
{
	struct pg_stmt *st =
	    pg_prepare(self, "SELECT " PSTATE_COLUMNS
	                     " FROM probe_state ORDER BY service_name, probe");
	int rc;

	*out = NULL;
	*n = 0;
	while ((rc = pg_step(st, "listing probe states", err)) == PG_ROW) {
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		read_pstate(st, &(*out)[(*n)++]);
	}
	pg_finalize(st);
	LIST_END(rc, out, n);
}

/* ---- notifications ---------------------------------------------------- */

/* Inside a change the row is locked until it commits: agents on other
 * hosts that saw the same verdict change at once read it in turn, so the
 * second reads the first's new state and queues nothing (two agents once
 * both read the old state and each told the channels).  SQLite's
 * transactions are one writer at a time already. */
static int pg_notify_state_get_impl(void *self, const char *key, char state[32],
                                    int64_t *changed_at, char **err)
{
	struct pg_catalog *pc = self;
	struct pg_stmt *st =
	    pg_prepare(pc, pc->in_tx && !pc->readonly
	                       ? "SELECT state, changed_at FROM notify_state "
	                         "WHERE event_key = ?1 FOR UPDATE"
	                       : "SELECT state, changed_at FROM notify_state "
	                         "WHERE event_key = ?1");
	int rc;

	pg_bind_text(st, 1, key);
	rc = pg_step_row(st, "reading a notify state", err);
	if (rc == CATALOG_OK) {
		pg_column_copy(st, 0, state, 32);
		*changed_at = pg_column_time(st, 1);
	} else if (rc == CATALOG_ENOTFOUND) {
		pg_seterr(err, "no state for %s", key);
	}
	pg_finalize(st);
	return rc;
}

static int pg_notify_state_put_impl(void *self, const char *key,
                                    const char *state, int64_t at, char **err)
{
	struct pg_catalog *pc = self;
	struct pg_stmt *st = pg_prepare(
	    pc, "INSERT INTO notify_state (event_key, state, changed_at) "
	        "VALUES (?1, ?2, ?3) ON CONFLICT (event_key) DO UPDATE SET "
	        "state = excluded.state, changed_at = excluded.changed_at");

	pg_bind_text(st, 1, key);
	pg_bind_text(st, 2, state);
	pg_bind_time(st, 3, at);
	return agent_write(pc, st, "recording a notify state", NULL, err);
}

#define NOTIFY_COLUMNS                                                         \
	"id, event_key, channel, service_name, type, state, title, message, "  \
	"status, attempts, next_attempt_at, created_at, sent_at, last_error, " \
	"severity, drill, digest_id"

static void read_notify(const struct pg_stmt *st, struct catalog_notify *m)
{
	memset(m, 0, sizeof(*m));
	m->id = pg_column_int64(st, 0);
	pg_column_copy(st, 1, m->event_key, sizeof(m->event_key));
	pg_column_copy(st, 2, m->channel, sizeof(m->channel));
	pg_column_copy(st, 3, m->service, sizeof(m->service));
	pg_column_copy(st, 4, m->type, sizeof(m->type));
	pg_column_copy(st, 5, m->state, sizeof(m->state));
	pg_column_copy(st, 6, m->title, sizeof(m->title));
	pg_column_copy(st, 7, m->message, sizeof(m->message));
	pg_column_copy(st, 8, m->status, sizeof(m->status));
	m->attempts = (int)pg_column_int64(st, 9);
	m->next_attempt_at = pg_column_time(st, 10);
	m->created_at = pg_column_time(st, 11);
	m->sent_at = pg_column_time(st, 12);
	pg_column_copy(st, 13, m->last_error, sizeof(m->last_error));
	pg_column_copy(st, 14, m->severity, sizeof(m->severity));
	m->drill = (int)pg_column_int64(st, 15);
	m->digest_id = pg_column_int64(st, 16);
}

static void bind_notify(struct pg_stmt *st, const struct catalog_notify *m)
{
	pg_bind_text(st, 2, m->event_key);
	pg_bind_text(st, 3, m->channel);
	pg_bind_text(st, 4, m->service);
	pg_bind_text(st, 5, m->type);
	pg_bind_text(st, 6, m->state);
	pg_bind_text(st, 7, m->title);
	pg_bind_text(st, 8, m->message);
	pg_bind_text(st, 9, m->status);
	pg_bind_int64(st, 10, m->attempts);
	pg_bind_time(st, 11, m->next_attempt_at);
	pg_bind_time(st, 12, m->created_at);
	pg_bind_time(st, 13, m->sent_at);
	pg_bind_text(st, 14, m->last_error);
	pg_bind_text(st, 15, m->severity[0] ? m->severity : "info");
	pg_bind_int64(st, 16, m->drill ? 1 : 0);
	if (m->digest_id > 0)
		pg_bind_int64(st, 17, m->digest_id);
	else
		pg_bind_null(st, 17);
}

/* SQLite's NULL id takes the next rowid; the identity column's DEFAULT
 * takes the next id, which RETURNING gives back. */
static int pg_notify_insert_impl(void *self, struct catalog_notify *m,
                                 char **err)
{
	struct pg_catalog *pc = self;
	struct pg_stmt *st;
	int rc = pg_write_begin(pc, err);

	if (rc != CATALOG_OK)
		return rc;
	st = pg_prepare(pc, "INSERT INTO notify_outbox (" NOTIFY_COLUMNS
	                    ") VALUES (DEFAULT, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
	                    "?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17) "
	                    "RETURNING id");
	bind_notify(st, m);
	rc = pg_step_row(st, "queueing a notification", err);
	if (rc == CATALOG_OK)
		m->id = pg_column_int64(st, 0);
	pg_finalize(st);
	return pg_write_end(pc, rc, err);
}

static int pg_notify_update_impl(void *self, const struct catalog_notify *m,
                                 char **err)
{
	struct pg_catalog *pc = self;
	struct pg_stmt *st = pg_prepare(
	    pc, "UPDATE notify_outbox SET event_key = ?2, channel = ?3, "
	        "service_name = ?4, type = ?5, state = ?6, title = ?7, "
	        "message = ?8, status = ?9, attempts = ?10, next_attempt_at = "
	        "?11, created_at = ?12, sent_at = ?13, last_error = ?14, "
	        "severity = ?15, drill = ?16, digest_id = ?17 WHERE id = ?1");

	pg_bind_int64(st, 1, m->id);
	bind_notify(st, m);
	return agent_write(pc, st, "updating a notification", NULL, err);
}

static int pg_notify_last_told_impl(void *self, const char *channel,
                                    const char *event_key, char state[32],
                                    char status[16], int64_t *at, char **err)
{
	struct pg_stmt *st = pg_prepare(
	    self,
	    "SELECT state, created_at, status FROM notify_outbox WHERE "
	    "channel = ?1 AND event_key = ?2 AND status IN ('pending', "
	    "'sent', 'failed', 'rate_limited') ORDER BY created_at DESC, id "
	    "DESC LIMIT 1");
	int rc;

	state[0] = '\0';
	status[0] = '\0';
	*at = 0;
	pg_bind_text(st, 1, channel);
	pg_bind_text(st, 2, event_key);
	rc = pg_step_row(st, "reading notifications", err);
	if (rc == CATALOG_OK) {
		pg_column_copy(st, 0, state, 32);
		*at = pg_column_time(st, 1);
		pg_column_copy(st, 2, status, 16);
	} else if (rc == CATALOG_ENOTFOUND) {
		rc = CATALOG_OK; /* never told: empty */
	}
	pg_finalize(st);
	return rc;
}

static int pg_notify_count_since_impl(void *self, const char *channel,
                                      int64_t since, int drill, int64_t *count,
                                      char **err)
{
	struct pg_stmt *st =
	    pg_prepare(self, "SELECT count(*) FROM notify_outbox WHERE channel "
	                     "= ?1 AND created_at >= ?2 AND status IN "
	                     "('pending', 'sent', 'failed') AND type NOT IN "
	                     "('test', 'digest') AND drill = ?3");
	int rc;

	*count = 0;
	pg_bind_text(st, 1, channel);
	pg_bind_time(st, 2, since);
	pg_bind_int64(st, 3, drill ? 1 : 0);
	rc = pg_step_row(st, "counting notifications", err);
	if (rc == CATALOG_OK)
		*count = pg_column_int64(st, 0);
	pg_finalize(st);
	return rc;
}

/* Every row of st (finalized). */
static int agent_notify_rows(struct pg_stmt *st, struct catalog_notify **out,
                             size_t *n, char **err)
{
	int rc;

	*out = NULL;
	*n = 0;
	while ((rc = pg_step(st, "reading notifications", err)) == PG_ROW) {
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		read_notify(st, &(*out)[(*n)++]);
	}
	pg_finalize(st);
	if (rc != PG_DONE) {
		free(*out);
		*out = NULL;
		*n = 0;
		return rc;
	}
	return CATALOG_OK;
}

/* A LIMIT of 0 means all: SQLite's LIMIT -1, PostgreSQL's LIMIT NULL. */
static void bind_limit(struct pg_stmt *st, int idx, size_t limit)
{
	if (limit)
		pg_bind_int64(st, idx, (int64_t)limit);
	else
		pg_bind_null(st, idx);
}

static int pg_notify_due_impl(void *self, int64_t now, size_t limit,
                              struct catalog_notify **out, size_t *n,
                              char **err)
{
	struct pg_stmt *st = pg_prepare(
	    self, "SELECT " NOTIFY_COLUMNS
	          " FROM notify_outbox WHERE status = 'pending' AND "
	          "next_attempt_at <= ?1 ORDER BY id LIMIT ?2::bigint");

	pg_bind_time(st, 1, now);
	bind_limit(st, 2, limit);
	return agent_notify_rows(st, out, n, err);
}

static int pg_notify_list_impl(void *self, size_t limit,
                               struct catalog_notify **out, size_t *n,
                               char **err)
{
	struct pg_stmt *st =
	    pg_prepare(self, "SELECT " NOTIFY_COLUMNS
	                     " FROM notify_outbox ORDER BY id DESC LIMIT "
	                     "?1::bigint");

	bind_limit(st, 1, limit);
	return agent_notify_rows(st, out, n, err);
}

static int pg_notify_held_impl(void *self, struct catalog_notify **out,
                               size_t *n, char **err)
{
	struct pg_stmt *st = pg_prepare(
	    self, "SELECT " NOTIFY_COLUMNS
	          " FROM notify_outbox WHERE status = 'rate_limited' "
	          "AND digest_id IS NULL ORDER BY channel, drill, id");

	return agent_notify_rows(st, out, n, err);
}

static int pg_notify_latest_impl(void *self, const char *event_key,
                                 const char *state, struct catalog_notify *out,
                                 char **err)
{
	struct catalog_notify *rows = NULL;
	size_t n = 0;
	struct pg_stmt *st =
	    pg_prepare(self, "SELECT " NOTIFY_COLUMNS
	                     " FROM notify_outbox WHERE event_key = ?1 AND "
	                     "state = ?2 AND type <> 'digest' ORDER BY "
	                     "created_at DESC, id DESC LIMIT 1");
	int rc;

	pg_bind_text(st, 1, event_key);
	pg_bind_text(st, 2, state);
	rc = agent_notify_rows(st, &rows, &n, err);
	if (rc == CATALOG_OK && n == 0) {
		pg_seterr(err, "nothing was sent about %s", event_key);
		rc = CATALOG_ENOTFOUND;
	}
	if (rc == CATALOG_OK)
		*out = rows[0];
	free(rows);
	return rc;
}

static int pg_notify_undelivered_impl(void *self, struct catalog_notify **out,
                                      size_t *n, char **err)
{
	/* The newest bad-news row of each subject still in that state, when
	 * no row of that episode was delivered or is still untried. */
	struct pg_stmt *st = pg_prepare(
	    self,
	    "SELECT " NOTIFY_COLUMNS
	    " FROM notify_outbox o WHERE o.id IN (SELECT max(x.id) FROM "
	    "notify_outbox x JOIN notify_state s ON s.event_key = x.event_key "
	    "AND s.state = x.state WHERE x.severity IN ('warning', "
	    "'critical') AND x.drill = 0 AND x.created_at >= s.changed_at "
	    "AND x.status IN ('pending', 'failed') AND x.attempts > 0 AND NOT "
	    "EXISTS (SELECT 1 FROM notify_outbox p WHERE p.event_key = "
	    "x.event_key AND p.state = x.state AND p.created_at >= "
	    "s.changed_at AND (p.status = 'sent' OR (p.status = 'pending' AND "
	    "p.attempts = 0))) GROUP BY x.event_key) ORDER BY o.id");

	return agent_notify_rows(st, out, n, err);
}

static int pg_notify_state_list_impl(void *self,
                                     struct catalog_notify_state **out,
                                     size_t *n, char **err)
{
	struct pg_stmt *st = pg_prepare(self, "SELECT event_key, state, "
	                                      "changed_at FROM notify_state "
	                                      "ORDER BY event_key");
	int rc;

	*out = NULL;
	*n = 0;
	while ((rc = pg_step(st, "reading notify states", err)) == PG_ROW) {
		struct catalog_notify_state *s;
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		s = &(*out)[(*n)++];
		memset(s, 0, sizeof(*s));
		pg_column_copy(st, 0, s->event_key, sizeof(s->event_key));
		pg_column_copy(st, 1, s->state, sizeof(s->state));
		s->changed_at = pg_column_time(st, 2);
	}
	pg_finalize(st);
	LIST_END(rc, out, n);
}

/* ---- alarm marks -------------------------------------------------------- */

static int pg_alarm_mark_put_impl(void *self,
                                  const struct catalog_alarm_mark *m,
                                  char **err)
{
	struct pg_catalog *pc = self;
	struct pg_stmt *st = pg_prepare(
	    pc, "INSERT INTO alarm_marks (event_key, kind, state, episode_at, "
	        "until, actor, at, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
	        "?7, ?8) ON CONFLICT (event_key, kind) DO UPDATE SET state = "
	        "excluded.state, episode_at = excluded.episode_at, until = "
	        "excluded.until, actor = excluded.actor, at = excluded.at, "
	        "reason = excluded.reason");

	pg_bind_text(st, 1, m->event_key);
	pg_bind_text(st, 2, m->kind);
	pg_bind_text(st, 3, m->state);
	pg_bind_time(st, 4, m->episode_at);
	pg_bind_time(st, 5, m->until);
	pg_bind_text(st, 6, m->actor);
	pg_bind_time(st, 7, m->at);
	pg_bind_text(st, 8, m->reason);
	return agent_write(pc, st, "recording an alarm mark", NULL, err);
}

static int pg_alarm_mark_delete_impl(void *self, const char *event_key,
                                     const char *kind, int *deleted, char **err)
{
	struct pg_catalog *pc = self;
	struct pg_stmt *st = pg_prepare(
	    pc, "DELETE FROM alarm_marks WHERE event_key = ?1 AND kind = ?2");
	int64_t changes = 0;
	int rc;

	*deleted = 0;
	pg_bind_text(st, 1, event_key);
	pg_bind_text(st, 2, kind);
	rc = agent_write(pc, st, "removing an alarm mark", &changes, err);
	if (rc == CATALOG_OK)
		*deleted = changes > 0;
	return rc;
}

static int pg_alarm_mark_list_impl(void *self, struct catalog_alarm_mark **out,
                                   size_t *n, char **err)
{
	struct pg_stmt *st = pg_prepare(
	    self, "SELECT event_key, kind, state, episode_at, until, actor, "
	          "at, reason FROM alarm_marks ORDER BY event_key, kind");
	int rc;

	*out = NULL;
	*n = 0;
	while ((rc = pg_step(st, "reading alarm marks", err)) == PG_ROW) {
		struct catalog_alarm_mark *m;
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		m = &(*out)[(*n)++];
		memset(m, 0, sizeof(*m));
		pg_column_copy(st, 0, m->event_key, sizeof(m->event_key));
		pg_column_copy(st, 1, m->kind, sizeof(m->kind));
		pg_column_copy(st, 2, m->state, sizeof(m->state));
		m->episode_at = pg_column_time(st, 3);
		m->until = pg_column_time(st, 4);
		pg_column_copy(st, 5, m->actor, sizeof(m->actor));
		m->at = pg_column_time(st, 6);
		pg_column_copy(st, 7, m->reason, sizeof(m->reason));
	}
	pg_finalize(st);
	LIST_END(rc, out, n);
}

const struct catalog_agent_ops pg_agent_ops = {
    .agent_beat = pg_agent_beat_impl,
    .agent_latest = pg_agent_latest_impl,
    .agent_list = pg_agent_list_impl,
    .job_get = pg_job_get_impl,
    .job_start = pg_job_start_impl,
    .job_finish = pg_job_finish_impl,
    .job_list = pg_job_list_impl,
    .probe_state_get = pg_probe_state_get_impl,
    .probe_state_put = pg_probe_state_put_impl,
    .probe_state_list = pg_probe_state_list_impl,
    .notify_state_get = pg_notify_state_get_impl,
    .notify_state_put = pg_notify_state_put_impl,
    .notify_insert = pg_notify_insert_impl,
    .notify_update = pg_notify_update_impl,
    .notify_last_told = pg_notify_last_told_impl,
    .notify_count_since = pg_notify_count_since_impl,
    .notify_due = pg_notify_due_impl,
    .notify_list = pg_notify_list_impl,
    .notify_held = pg_notify_held_impl,
    .notify_latest = pg_notify_latest_impl,
    .notify_undelivered = pg_notify_undelivered_impl,
    .notify_state_list = pg_notify_state_list_impl,
    .alarm_mark_put = pg_alarm_mark_put_impl,
    .alarm_mark_delete = pg_alarm_mark_delete_impl,
    .alarm_mark_list = pg_alarm_mark_list_impl,
};
