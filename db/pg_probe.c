/* Asynchronous libpq probing.  Each server walks a small state machine:
 *
 *   CONNECT  PQconnectPoll until OK (wait on the socket as libpq asks)
 *   ROLE     SELECT pg_is_in_recovery(), cluster_name, and on a primary
 *            its current WAL position
 *   DETAIL   on a primary: pg_stat_replication with lag bytes and seconds;
 *            on a standby: its replay and receive positions, paused, and
 *            the WAL receiver (status, upstream, how far the upstream has
 *            sent, the application name it connects with)
 *   DONE
 *
 * and one poll() loop serves every server of the batch until each is DONE
 * or past its deadline. */
#include "db/pg_probe.h"

#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "db/catalog.h"
#include "lib/xmalloc.h"

enum pg_phase {
	PG_CONNECT,
	PG_ROLE,
	PG_DETAIL,
	PG_DONE,
};

struct pg_conn {
	PGconn *conn;
	enum pg_phase phase;
	int want_write; /* wait for POLLOUT rather than POLLIN */
	int64_t started_ms;
	int64_t deadline_ms;
};

/* snprintf's truncation, without the warning of a format. */
static void pg_copy(char *dst, const char *src, size_t size)
{
	snprintf(dst, size, "%s", src);
}

static int64_t pg_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int pg_conninfo_check(const char *conninfo, char **err)
{
	char *perr = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, &perr);

	if (opts == NULL) {
		/* libpq's message may quote the string; keep only its
		 * first line, which names the problem. */
		char msg[160] = "cannot parse the connection string";
		if (perr != NULL) {
			pg_copy(msg, perr, sizeof(msg));
			msg[strcspn(msg, "\n")] = '\0';
			PQfreemem(perr);
		}
		*err = xasprintf("bad connection string: %s", msg);
		return CATALOG_EINVAL;
	}
	for (PQconninfoOption *o = opts; o->keyword != NULL; o++) {
		if (strcmp(o->keyword, "password") == 0 && o->val != NULL &&
		    o->val[0] != '\0') {
			PQconninfoFree(opts);
			*err =
			    xstrdup("the connection string holds a password; "
			            "put it in a 0600 passfile (\"passfile\") "
			            "or ~/.pgpass instead");
			return CATALOG_EINVAL;
		}
	}
	PQconninfoFree(opts);
	return CATALOG_OK;
}

void pg_conninfo_describe(const char *conninfo, char *buf, size_t size)
{
	PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);
	const char *host = NULL, *port = NULL, *db = NULL;

	if (opts == NULL) {
		pg_copy(buf, "(bad connection string)", size);
		return;
	}
	for (PQconninfoOption *o = opts; o->keyword != NULL; o++) {
		if (o->val == NULL || o->val[0] == '\0')
			continue;
		if (strcmp(o->keyword, "host") == 0 ||
		    (host == NULL && strcmp(o->keyword, "hostaddr") == 0))
			host = o->val;
		else if (strcmp(o->keyword, "port") == 0)
			port = o->val;
		else if (strcmp(o->keyword, "dbname") == 0)
			db = o->val;
	}
	snprintf(buf, size, "%s:%s/%s", host ? host : "localhost",
	         port ? port : "5432", db ? db : "");
	PQconninfoFree(opts);
}

int pg_passfile_check(const char *path, char **err)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		*err = xasprintf("passfile %s: %s", path, strerror(errno));
		return CATALOG_EIO;
	}
	if ((st.st_mode & 077) != 0) {
		*err = xasprintf("passfile %s is open to others (mode %04o); "
		                 "chmod 600 it",
		                 path, (unsigned)(st.st_mode & 07777));
		return CATALOG_EINVAL;
	}
	return CATALOG_OK;
}

static void pg_fail(struct pg_conn *c, struct pg_status *s, int status,
                    const char *what)
{
	const char *msg = c->conn ? PQerrorMessage(c->conn) : "";

	s->status = status;
	if (msg != NULL && msg[0] != '\0')
		snprintf(s->error, sizeof(s->error), "%s: %s", what, msg);
	else
		pg_copy(s->error, what, sizeof(s->error));
	s->error[strcspn(s->error, "\n")] = '\0';
	c->phase = PG_DONE;
	if (c->conn != NULL)
		PQfinish(c->conn);
	c->conn = NULL;
}

static const char pg_sql_role[] =
    "SELECT pg_is_in_recovery(), current_setting('cluster_name'),"
    " CASE WHEN pg_is_in_recovery() THEN NULL"
    " ELSE pg_current_wal_lsn()::text END";

static const char pg_sql_primary[] =
    "SELECT coalesce(application_name, ''),"
    " coalesce(host(client_addr), 'local'), coalesce(state, ''),"
    " pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::int8,"
    " extract(epoch FROM replay_lag)::float8 "
    "FROM pg_stat_replication ORDER BY application_name";

/* The WAL receiver's columns through to_jsonb, so that a server without
 * one of them (written_lsn and flushed_lsn are PostgreSQL 13's; before,
 * received_lsn) answers NULL for it instead of an error.  Without
 * pg_read_all_stats (pg_monitor) the receiver's details read NULL. */
static const char pg_sql_standby[] =
    "SELECT pg_last_wal_replay_lsn()::text,"
    " pg_last_wal_receive_lsn()::text,"
    " pg_is_wal_replay_paused(), w->>'status',"
    /* A Unix-socket upstream is named "local", not by its directory. */
    " nullif(CASE WHEN w->>'sender_host' LIKE '/%' THEN 'local'"
    " ELSE coalesce(w->>'sender_host', '') END || ':' ||"
    " coalesce(w->>'sender_port', ''), ':'),"
    " greatest((w->>'written_lsn')::pg_lsn, (w->>'flushed_lsn')::pg_lsn,"
    " (w->>'received_lsn')::pg_lsn, (w->>'latest_end_lsn')::pg_lsn)::text,"
    " w->>'conninfo' "
    "FROM (SELECT 1) AS one LEFT JOIN"
    " (SELECT to_jsonb(r) AS w FROM pg_stat_wal_receiver r LIMIT 1) AS"
    " rcv ON true";

static int pg_send(struct pg_conn *c, struct pg_status *s, const char *sql)
{
	if (!PQsendQuery(c->conn, sql)) {
		pg_fail(c, s, CATALOG_EIO, "query failed");
		return -1;
	}
	c->want_write = PQflush(c->conn) == 1;
	return 0;
}

static double pg_get_double(PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return -1;
	return strtod(PQgetvalue(r, row, col), NULL);
}

static int64_t pg_get_int(PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return -1;
	return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

/* A pg_lsn's text "16/B374D848": the high and low 32 bits in hex. */
static pg_lsn pg_get_lsn(PGresult *r, int row, int col)
{
	unsigned int hi, lo;

	if (PQgetisnull(r, row, col) ||
	    sscanf(PQgetvalue(r, row, col), "%X/%X", &hi, &lo) != 2)
		return -1;
	return (pg_lsn)(((uint64_t)hi << 32 | lo) & INT64_MAX);
}

/* The name the WAL receiver gives the primary, which is what the
 * primary's pg_stat_replication shows as application_name. */
static void pg_receiver_app(const char *conninfo, char *buf, size_t size)
{
	PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);
	const char *app = NULL, *fallback = NULL;

	buf[0] = '\0';
	if (opts == NULL)
		return;
	for (PQconninfoOption *o = opts; o->keyword != NULL; o++) {
		if (o->val == NULL || o->val[0] == '\0')
			continue;
		if (strcmp(o->keyword, "application_name") == 0)
			app = o->val;
		else if (strcmp(o->keyword, "fallback_application_name") == 0)
			fallback = o->val;
	}
	if (app != NULL || fallback != NULL)
		pg_copy(buf, app != NULL ? app : fallback, size);
	PQconninfoFree(opts);
}

/* A result of the current phase has arrived. */
static void pg_on_result(struct pg_conn *c, struct pg_status *s, PGresult *r)
{
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		char msg[200];
		snprintf(msg, sizeof(msg), "query failed: %s",
		         PQresultErrorMessage(r));
		s->status = CATALOG_EIO;
		pg_copy(s->error, msg, sizeof(s->error));
		s->error[strcspn(s->error, "\n")] = '\0';
		return;
	}
	if (c->phase == PG_ROLE) {
		s->in_recovery =
		    PQntuples(r) > 0 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
		if (PQntuples(r) > 0) {
			pg_copy(s->standby_name, PQgetvalue(r, 0, 1),
			        sizeof(s->standby_name));
			s->current_lsn = pg_get_lsn(r, 0, 2);
		}
		return;
	}
	if (s->in_recovery) {
		if (PQntuples(r) < 1)
			return;
		s->replay_lsn = pg_get_lsn(r, 0, 0);
		s->receive_lsn = pg_get_lsn(r, 0, 1);
		s->replay_paused = strcmp(PQgetvalue(r, 0, 2), "t") == 0;
		s->receiving = strcmp(PQgetvalue(r, 0, 3), "streaming") == 0;
		if (!PQgetisnull(r, 0, 4))
			pg_copy(s->upstream, PQgetvalue(r, 0, 4),
			        sizeof(s->upstream));
		s->sender_lsn = pg_get_lsn(r, 0, 5);
		if (!PQgetisnull(r, 0, 6))
			pg_receiver_app(PQgetvalue(r, 0, 6), s->receiver_app,
			                sizeof(s->receiver_app));
		return;
	}
	s->n_replicas = (size_t)PQntuples(r);
	s->replicas = xcalloc(s->n_replicas + 1, sizeof(*s->replicas));
	for (size_t i = 0; i < s->n_replicas; i++) {
		struct pg_replica *p = &s->replicas[i];
		pg_copy(p->name, PQgetvalue(r, (int)i, 0), sizeof(p->name));
		pg_copy(p->client, PQgetvalue(r, (int)i, 1), sizeof(p->client));
		if (p->name[0] == '\0')
			pg_copy(p->name, p->client, sizeof(p->name));
		pg_copy(p->state, PQgetvalue(r, (int)i, 2), sizeof(p->state));
		p->lag_bytes = pg_get_int(r, (int)i, 3);
		p->lag_s = pg_get_double(r, (int)i, 4);
	}
}

/* Moves one server forward as far as it can go without blocking. */
static void pg_step(struct pg_conn *c, struct pg_status *s)
{
	if (c->phase == PG_CONNECT) {
		switch (PQconnectPoll(c->conn)) {
		case PGRES_POLLING_READING:
			c->want_write = 0;
			return;
		case PGRES_POLLING_WRITING:
			c->want_write = 1;
			return;
		case PGRES_POLLING_FAILED:
			pg_fail(c, s, CATALOG_EIO, "cannot connect");
			return;
		default:
			break;
		}
		s->connect_ms = (double)(pg_now_ms() - c->started_ms);
		snprintf(s->server, sizeof(s->server), "%s:%s/%s",
		         PQhost(c->conn), PQport(c->conn), PQdb(c->conn));
		PQsetnonblocking(c->conn, 1);
		c->phase = PG_ROLE;
		pg_send(c, s, pg_sql_role);
		return;
	}
	if (c->want_write) {
		int f = PQflush(c->conn);
		if (f < 0) {
			pg_fail(c, s, CATALOG_EIO, "connection lost");
			return;
		}
		c->want_write = f == 1;
		if (c->want_write)
			return;
	}
	if (!PQconsumeInput(c->conn)) {
		pg_fail(c, s, CATALOG_EIO, "connection lost");
		return;
	}
	while (!PQisBusy(c->conn)) {
		PGresult *r = PQgetResult(c->conn);
		if (r == NULL) {
			/* The phase's query is complete. */
			if (s->status != CATALOG_OK) {
				c->phase = PG_DONE;
				PQfinish(c->conn);
				c->conn = NULL;
				return;
			}
			if (c->phase == PG_ROLE) {
				c->phase = PG_DETAIL;
				pg_send(c, s,
				        s->in_recovery ? pg_sql_standby
				                       : pg_sql_primary);
				return;
			}
			s->total_ms = (double)(pg_now_ms() - c->started_ms);
			c->phase = PG_DONE;
			PQfinish(c->conn);
			c->conn = NULL;
			return;
		}
		pg_on_result(c, s, r);
		PQclear(r);
	}
}

static void pg_start(const struct pg_target *t, struct pg_conn *c,
                     struct pg_status *s)
{
	const char *keys[4], *vals[4];
	char *err = NULL;
	int k = 0;

	c->started_ms = pg_now_ms();
	c->deadline_ms =
	    c->started_ms + (t->timeout_ms > 0 ? t->timeout_ms : 5000);
	pg_conninfo_describe(t->conninfo, s->server, sizeof(s->server));
	if (pg_conninfo_check(t->conninfo, &err) != CATALOG_OK ||
	    (t->passfile != NULL &&
	     pg_passfile_check(t->passfile, &err) != CATALOG_OK)) {
		pg_copy(s->error, err, sizeof(s->error));
		free(err);
		s->status = CATALOG_EINVAL;
		c->phase = PG_DONE;
		return;
	}
	keys[k] = "dbname";
	vals[k++] = t->conninfo;
	keys[k] = "application_name";
	vals[k++] = "drconsole-probe";
	if (t->passfile != NULL) {
		keys[k] = "passfile";
		vals[k++] = t->passfile;
	}
	keys[k] = NULL;
	vals[k] = NULL;
	/* expand_dbname: libpq expands the string in place of "dbname";
	 * the keys after it override the string's. */
	c->conn = PQconnectStartParams(keys, vals, 1);
	if (c->conn == NULL) {
		pg_fail(c, s, CATALOG_EIO, "out of memory");
		return;
	}
	if (PQstatus(c->conn) == CONNECTION_BAD) {
		pg_fail(c, s, CATALOG_EIO, "cannot connect");
		return;
	}
	c->phase = PG_CONNECT;
	c->want_write = 1; /* libpq: wait for writability first */
}

void pg_probe_batch(const struct pg_target *targets, size_t n,
                    struct pg_status *out)
{
	struct pg_conn *c = xcalloc(n, sizeof(*c));
	struct pollfd *pfd = xcalloc(n, sizeof(*pfd));
	size_t *who = xcalloc(n, sizeof(*who));

	for (size_t i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].current_lsn = -1;
		out[i].replay_lsn = -1;
		out[i].receive_lsn = -1;
		out[i].sender_lsn = -1;
		pg_start(&targets[i], &c[i], &out[i]);
	}
	for (;;) {
		int64_t now = pg_now_ms(), wait = -1;
		size_t np = 0;

		for (size_t i = 0; i < n; i++) {
			if (c[i].phase == PG_DONE)
				continue;
			if (now >= c[i].deadline_ms) {
				char what[64];
				snprintf(what, sizeof(what),
				         "no answer within %ld ms",
				         targets[i].timeout_ms);
				if (c[i].conn != NULL)
					PQfinish(c[i].conn);
				c[i].conn = NULL;
				pg_fail(&c[i], &out[i], CATALOG_EIO, what);
				continue;
			}
			if (wait < 0 || c[i].deadline_ms - now < wait)
				wait = c[i].deadline_ms - now;
			pfd[np].fd = PQsocket(c[i].conn);
			pfd[np].events = c[i].want_write ? POLLOUT : POLLIN;
			pfd[np].revents = 0;
			who[np++] = i;
		}
		if (np == 0)
			break;
		if (poll(pfd, np, (int)wait) < 0 && errno != EINTR)
			break;
		for (size_t j = 0; j < np; j++)
			if (pfd[j].revents != 0)
				pg_step(&c[who[j]], &out[who[j]]);
	}
	for (size_t i = 0; i < n; i++)
		if (c[i].conn != NULL)
			PQfinish(c[i].conn);
	free(c);
	free(pfd);
	free(who);
}

void pg_status_clear(struct pg_status *s)
{
	if (s == NULL)
		return;
	free(s->replicas);
	s->replicas = NULL;
	s->n_replicas = 0;
}
