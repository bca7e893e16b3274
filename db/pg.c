/* The PostgreSQL catalog backend: the connection, its statements
 * (db/pg_int.h), the schema and transactions.  The areas are in
 * db/pg_<area>.c; the function table is at the end of db/pg_core.c.
 *
 * The address is handed to libpq as it is (a postgresql:// URI, with
 * several hosts and target_session_attrs, or `postgresql:///?service=dr`
 * for a service file entry), so every libpq setting and environment
 * variable works.  A password in the address is refused: it would be seen
 * in ps, in shell history, in the config and in every message that names
 * the catalog; libpq reads it from ~/.pgpass, PGPASSFILE or the service
 * file instead.
 *
 * The schema is versioned in a table of its own, schema_version; opening
 * read-write applies the migrations it lacks (db/pg_schema.c) under a
 * transaction-wide advisory lock, so two hosts starting at once migrate
 * once.  A server in recovery (a hot standby) is opened read-only, and
 * says so in catalog_notice(). */
#include "db/pg_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/catalog.h"
#include "db/pg_schema.h"
#include "db/sqlite_int.h" /* sqlite_time_text/parse: one time format */

/* The advisory lock the migrations take (any constant of our own). */
/* The channel every commit notifies, in its transaction: consoles LISTEN
 * on it and redraw when it fires, instead of polling. */
#define PG_CHANNEL "drconsole"
/* A commit that changed the catalog: counted, told, committed. */
#define PG_COMMIT                                                              \
	"UPDATE catalog_changes SET n = n + 1; NOTIFY " PG_CHANNEL "; COMMIT"
#define PG_MIGRATE_LOCK "1685218163" /* "drcs" */

void pg_seterr(char **err, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		xmalloc_oom(0);
	va_end(ap);
	free(*err);
	*err = s;
}

int64_t pg_now(void)
{
	return catalog_now();
}

/* ---- statements -------------------------------------------------------- */

/* `?N` becomes `$N` outside quotes; `?` alone is not used by the SQL. */
static char *placeholders(const char *sql, int *nparams,
                          unsigned char used[PG_MAX_PARAMS])
{
	size_t len = strlen(sql);
	char *out = xmalloc(len + 1), *o = out;
	char quote = 0;

	*nparams = 0;
	for (const char *p = sql; *p != '\0'; p++) {
		if (quote != 0) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
		} else if (*p == '?' && p[1] >= '0' && p[1] <= '9') {
			/* The digits run on: the '$' replaces only the '?'. */
			int n = (int)strtol(p + 1, NULL, 10);
			if (n > *nparams)
				*nparams = n;
			if (n >= 1 && n <= PG_MAX_PARAMS)
				used[n - 1] = 1;
			*o++ = '$';
			continue;
		}
		*o++ = *p;
	}
	*o = '\0';
	return out;
}

struct pg_stmt *pg_prepare(struct pg_catalog *pc, const char *sql)
{
	struct pg_stmt *st = xcalloc(1, sizeof(*st));

	st->pc = pc;
	st->sql = placeholders(sql, &st->nparams, st->used);
	return st;
}

void pg_finalize(struct pg_stmt *st)
{
	if (st == NULL)
		return;
	for (int i = 0; i < PG_MAX_PARAMS; i++)
		free(st->values[i]);
	PQclear(st->res);
	free(st->sql);
	free(st);
}

static void bind(struct pg_stmt *st, int idx, char *value)
{
	if (idx < 1 || idx > PG_MAX_PARAMS) {
		/* A programming error: the SQL is ours. */
		fprintf(stderr, "drconsole: parameter %d out of range\n", idx);
		abort();
	}
	free(st->values[idx - 1]);
	st->values[idx - 1] = value;
	if (idx > st->nparams)
		st->nparams = idx;
}

void pg_bind_text(struct pg_stmt *st, int idx, const char *s)
{
	bind(st, idx, s != NULL ? xstrdup(s) : NULL);
}

void pg_bind_text_or_null(struct pg_stmt *st, int idx, const char *s)
{
	bind(st, idx, s != NULL && s[0] != '\0' ? xstrdup(s) : NULL);
}

void pg_bind_int64(struct pg_stmt *st, int idx, int64_t v)
{
	bind(st, idx, xasprintf("%lld", (long long)v));
}

void pg_bind_double(struct pg_stmt *st, int idx, double v)
{
	bind(st, idx, xasprintf("%.17g", v));
}

void pg_bind_null(struct pg_stmt *st, int idx)
{
	bind(st, idx, NULL);
}

void pg_bind_time(struct pg_stmt *st, int idx, int64_t t)
{
	char text[SQLITE_TIME_TEXT];

	if (t == 0) {
		bind(st, idx, NULL);
		return;
	}
	sqlite_time_text(t, text);
	bind(st, idx, xstrdup(text));
}

/* libpq's connection messages take a line per host tried, with a tab
 * before a hint: one line of them (the console draws a message on one
 * row, where a line break shows as ^J), without the final newline. */
static char *one_line(const char *m)
{
	char *s = xstrdup(m), *o = s;
	for (const char *p = m; *p != '\0'; p++) {
		if (*p != '\n' && *p != '\t') {
			*o++ = *p;
			continue;
		}
		if (o > s && o[-1] != ' ')
			*o++ = ' ';
	}
	while (o > s && o[-1] == ' ')
		o--;
	*o = '\0';
	return s;
}

/* ---- COPY, for catalog_copy() ------------------------------------------ */

static int result_status(struct pg_catalog *pc, const PGresult *res,
                         const char *what, char **err);

int pg_copy_begin(struct pg_catalog *pc, const char *table, const char *sql,
                  char **err)
{
	PGresult *res = PQexec(pc->conn, sql);
	int rc = CATALOG_OK;

	if (PQresultStatus(res) != PGRES_COPY_IN) {
		rc = result_status(pc, res, table, err);
		pc->tx_failed = 1;
	} else {
		snprintf(pc->copying, sizeof pc->copying, "%s", table);
	}
	PQclear(res);
	return rc;
}

/* One row in COPY's text format: tabs between values, \N for NULL, and
 * a backslash before the characters the format gives meaning to. */
int pg_copy_row(struct pg_catalog *pc, size_t n, const char *const *values,
                char **err)
{
	size_t cap = 256, len = 0;
	char *line = xmalloc(cap);
	int ok;

	for (size_t i = 0; i < n; i++) {
		const char *v = values[i];
		size_t need = (v ? 2 * strlen(v) : 2) + 2;

		if (len + need + 1 > cap) {
			while (len + need + 1 > cap)
				cap *= 2;
			line = xrealloc(line, cap);
		}
		if (i > 0)
			line[len++] = '\t';
		if (v == NULL) {
			line[len++] = '\\';
			line[len++] = 'N';
			continue;
		}
		for (; *v != '\0'; v++) {
			char esc = *v == '\\'   ? '\\'
			           : *v == '\n' ? 'n'
			           : *v == '\r' ? 'r'
			           : *v == '\t' ? 't'
			                        : '\0';
			if (esc != '\0') {
				line[len++] = '\\';
				line[len++] = esc;
			} else {
				line[len++] = *v;
			}
		}
	}
	line[len++] = '\n';
	ok = PQputCopyData(pc->conn, line, (int)len) == 1;
	free(line);
	if (!ok) {
		pg_seterr(err, "%s: the catalog server is unreachable (%.*s)",
		          pc->copying,
		          (int)strcspn(PQerrorMessage(pc->conn), "\n"),
		          PQerrorMessage(pc->conn));
		pc->tx_failed = 1;
		return CATALOG_EIO;
	}
	return CATALOG_OK;
}

/* The server's verdict on the rows; then the connection is free again. */
static int copy_finish(struct pg_catalog *pc, const char *cancel, char **err)
{
	char table[sizeof pc->copying];
	PGresult *res;
	int rc = CATALOG_OK;

	if (pc->copying[0] == '\0')
		return CATALOG_OK;
	memcpy(table, pc->copying, sizeof table);
	pc->copying[0] = '\0';
	if (PQputCopyEnd(pc->conn, cancel) != 1 && err != NULL) {
		pg_seterr(err, "%s: the catalog server is unreachable (%.*s)",
		          table, (int)strcspn(PQerrorMessage(pc->conn), "\n"),
		          PQerrorMessage(pc->conn));
		rc = CATALOG_EIO;
	}
	while ((res = PQgetResult(pc->conn)) != NULL) {
		if (rc == CATALOG_OK && cancel == NULL &&
		    PQresultStatus(res) != PGRES_COMMAND_OK)
			rc = result_status(pc, res, table, err);
		PQclear(res);
	}
	if (rc != CATALOG_OK)
		pc->tx_failed = 1;
	return rc;
}

int pg_copy_end(struct pg_catalog *pc, char **err)
{
	return copy_finish(pc, NULL, err);
}

/* A copy given up (its transaction is rolled back next). */
static void copy_abandon(struct pg_catalog *pc)
{
	copy_finish(pc, "the copy was given up", NULL);
}

/* The catalog_rc of a failed result, with the message in *err. */
static int result_status(struct pg_catalog *pc, const PGresult *res,
                         const char *what, char **err)
{
	const char *state =
	    res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res != NULL
	                      ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
	                      : NULL;

	if (msg == NULL)
		msg = PQerrorMessage(pc->conn);
	snprintf(pc->sqlstate, sizeof pc->sqlstate, "%s",
	         state != NULL ? state : "");
	if (PQstatus(pc->conn) != CONNECTION_OK) {
		/* libpq's own messages end in a newline: one line here. */
		pg_seterr(err, "%s: the catalog server is unreachable (%.*s)",
		          what, (int)strcspn(msg, "\n"), msg);
		return CATALOG_EIO;
	}
	if (state == NULL) {
		pg_seterr(err, "%s: %s", what, msg);
		return CATALOG_EDB;
	}
	if (strcmp(state, "23505") == 0) {
		pg_seterr(err, "%s: %s", what, msg);
		return CATALOG_EEXIST;
	}
	if (strncmp(state, "23", 2) == 0 || strncmp(state, "22", 2) == 0) {
		pg_seterr(err, "%s: %s", what, msg);
		return CATALOG_EINVAL;
	}
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
	    strcmp(state, "55P03") == 0) {
		pg_seterr(err, "%s: catalog is busy (%s)", what, msg);
		return CATALOG_EBUSY;
	}
	if (strcmp(state, "42501") == 0) {
		pg_seterr(err,
		          "%s: the catalog role %s may not do this (%s): a "
		          "read-only role reads only",
		          what, PQuser(pc->conn), msg);
		return CATALOG_EIO;
	}
	if (strcmp(state, "25006") == 0) {
		pg_seterr(err, "%s: the catalog server is read-only (%s)", what,
		          msg);
		return CATALOG_EIO;
	}
	if (strncmp(state, "08", 2) == 0 || strncmp(state, "53", 2) == 0 ||
	    strncmp(state, "57", 2) == 0 || strncmp(state, "58", 2) == 0) {
		pg_seterr(err, "%s: %s", what, msg);
		return CATALOG_EIO;
	}
	if (strcmp(state, "XX001") == 0 || strcmp(state, "XX002") == 0) {
		pg_seterr(err, "%s: %s", what, msg);
		return CATALOG_ECORRUPT;
	}
	pg_seterr(err, "%s: %s", what, msg);
	return CATALOG_EDB;
}

static int session_setup(struct pg_catalog *pc, char **err);

static void copy_abandon(struct pg_catalog *pc);

/* Ends the open transaction, on a live connection or a lost one (where the
 * server has ended it already): no transaction is open after. */
static void pg_abandon(struct pg_catalog *pc)
{
	copy_abandon(pc);
	PQclear(PQexec(pc->conn, "ROLLBACK"));
	pc->idle = 1;
}

/* After a statement: whether a transaction is open, as the server says;
 * on a lost connection the server's transaction is gone once the caller
 * has ended it (COMMIT or ROLLBACK), and unknown until then. */
static void note_idle(struct pg_catalog *pc, const char *sql)
{
	if (PQstatus(pc->conn) == CONNECTION_OK)
		pc->idle = PQtransactionStatus(pc->conn) == PQTRANS_IDLE;
	else if (strncmp(sql, "COMMIT", 6) == 0 ||
	         strncmp(sql, "ROLLBACK", 8) == 0)
		pc->idle = 1;
}

/* A lost connection outside any transaction (a server restarted, a
 * failover) is made again once, as libpq's PQreset does, bounded by the
 * address's connect_timeout; the session's settings are set again.  Inside
 * a transaction nothing is retried: its work is gone, and the call fails.
 * A watched connection is left to its watcher (the console reopens and
 * listens again on the new socket).  Returns whether it is up. */
static int revive(struct pg_catalog *pc)
{
	char *err = NULL;
	int ok;

	if (PQstatus(pc->conn) == CONNECTION_OK)
		return 1;
	if (!pc->idle || pc->in_tx || pc->listening)
		return 0;
	PQreset(pc->conn);
	if (PQstatus(pc->conn) != CONNECTION_OK)
		return 0;
	ok = session_setup(pc, &err) == CATALOG_OK;
	free(err);
	return ok;
}

/* A statement that may be sent again on a new connection: one that opens
 * work or only reads, sent when no transaction was open. */
static int may_retry(const struct pg_catalog *pc, const char *sql, int idle)
{
	return idle && !pc->in_tx && !pc->listening &&
	       (strncmp(sql, "BEGIN", 5) == 0 ||
	        strncmp(sql, "SELECT", 6) == 0);
}

static int run_once(struct pg_stmt *st, const char *what, char **err)
{
	Oid types[PG_MAX_PARAMS];
	ExecStatusType s;
	int idle;

	/* A parameter bound but absent from the SQL (a filter left out)
	 * has no type to infer: it is sent as text, and unused. */
	for (int i = 0; i < st->nparams; i++)
		types[i] = st->used[i] ? 0 : 25 /* text */;
	st->ran = 1;
	st->row = -1;
	idle = st->pc->idle;
	revive(st->pc);
	st->res = PQexecParams(st->pc->conn, st->sql, st->nparams, types,
	                       (const char *const *)st->values, NULL, NULL, 0);
	s = st->res != NULL ? PQresultStatus(st->res) : PGRES_FATAL_ERROR;
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK &&
	    PQstatus(st->pc->conn) != CONNECTION_OK &&
	    may_retry(st->pc, st->sql, idle) && revive(st->pc)) {
		PQclear(st->res);
		st->res = PQexecParams(st->pc->conn, st->sql, st->nparams,
		                       types, (const char *const *)st->values,
		                       NULL, NULL, 0);
		s = st->res != NULL ? PQresultStatus(st->res)
		                    : PGRES_FATAL_ERROR;
	}
	note_idle(st->pc, st->sql);
	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
		return CATALOG_OK;
	if (PQstatus(st->pc->conn) != CONNECTION_OK)
		st->pc->lost = CATALOG_LOST_UNDONE;
	if (st->pc->in_tx)
		st->pc->tx_failed = 1;
	return result_status(st->pc, st->res, what, err);
}

int pg_step(struct pg_stmt *st, const char *what, char **err)
{
	if (!st->ran) {
		int rc = run_once(st, what, err);
		if (rc != CATALOG_OK)
			return rc;
	}
	if (st->res == NULL || PQresultStatus(st->res) != PGRES_TUPLES_OK)
		return PG_DONE;
	if (st->row + 1 < PQntuples(st->res)) {
		st->row++;
		return PG_ROW;
	}
	return PG_DONE;
}

int pg_run(struct pg_stmt *st, const char *what, char **err)
{
	int rc = pg_step(st, what, err);

	return rc == PG_ROW || rc == PG_DONE ? CATALOG_OK : rc;
}

int pg_step_row(struct pg_stmt *st, const char *what, char **err)
{
	int rc = pg_step(st, what, err);

	if (rc == PG_ROW)
		return CATALOG_OK;
	return rc == PG_DONE ? CATALOG_ENOTFOUND : rc;
}

int64_t pg_changes(const struct pg_stmt *st)
{
	const char *n = st->res != NULL ? PQcmdTuples(st->res) : "";

	return n[0] != '\0' ? strtoll(n, NULL, 10) : 0;
}

int pg_column_null(const struct pg_stmt *st, int col)
{
	return st->res == NULL || st->row < 0 ||
	       PQgetisnull(st->res, st->row, col);
}

const char *pg_column_text(const struct pg_stmt *st, int col)
{
	return pg_column_null(st, col) ? NULL
	                               : PQgetvalue(st->res, st->row, col);
}

/* Booleans read as SQLite's 0 and 1. */
int64_t pg_column_int64(const struct pg_stmt *st, int col)
{
	const char *v = pg_column_text(st, col);

	if (v == NULL)
		return 0;
	if (strcmp(v, "t") == 0)
		return 1;
	if (strcmp(v, "f") == 0)
		return 0;
	if (strchr(v, '.') != NULL || strchr(v, 'e') != NULL)
		return (int64_t)strtod(v, NULL);
	return strtoll(v, NULL, 10);
}

int64_t pg_column_int64_or(const struct pg_stmt *st, int col, int64_t null)
{
	return pg_column_null(st, col) ? null : pg_column_int64(st, col);
}

double pg_column_double(const struct pg_stmt *st, int col)
{
	const char *v = pg_column_text(st, col);

	if (v == NULL)
		return 0;
	if (strcmp(v, "t") == 0)
		return 1;
	if (strcmp(v, "f") == 0)
		return 0;
	return strtod(v, NULL);
}

double pg_column_double_or(const struct pg_stmt *st, int col, double null)
{
	return pg_column_null(st, col) ? null : pg_column_double(st, col);
}

int64_t pg_column_time(const struct pg_stmt *st, int col)
{
	int64_t t = sqlite_time_parse(pg_column_text(st, col));

	return t < 0 ? 0 : t;
}

void pg_column_copy(const struct pg_stmt *st, int col, char *dst, size_t size)
{
	const char *v = pg_column_text(st, col);

	snprintf(dst, size, "%s", v != NULL ? v : "");
}

char *pg_column_dup(const struct pg_stmt *st, int col)
{
	const char *v = pg_column_text(st, col);

	return v != NULL ? xstrdup(v) : NULL;
}

int pg_exec(struct pg_catalog *pc, const char *sql, const char *what,
            char **err)
{
	int idle = pc->idle;
	PGresult *res;
	ExecStatusType s;
	int rc = CATALOG_OK;

	revive(pc);
	res = PQexec(pc->conn, sql);
	s = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK &&
	    PQstatus(pc->conn) != CONNECTION_OK && may_retry(pc, sql, idle) &&
	    revive(pc)) {
		PQclear(res);
		res = PQexec(pc->conn, sql);
		s = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	}
	note_idle(pc, sql);

	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
		if (PQstatus(pc->conn) != CONNECTION_OK)
			pc->lost = CATALOG_LOST_UNDONE;
		if (pc->in_tx)
			pc->tx_failed = 1;
		rc = result_status(pc, res, what, err);
	}
	PQclear(res);
	return rc;
}

/* ---- writes and transactions ------------------------------------------ */

/* Commits the open transaction.  When the connection goes while the
 * commit is on its way, the server may or may not have committed: the
 * transaction's id, asked for just before, lets a new connection ask the
 * server (pg_xact_status) what became of it.  Committed, the call
 * succeeds; rolled back, nothing was done (CATALOG_LOST_UNDONE: it may be
 * done again); and when the server cannot be asked, pc->lost says the
 * outcome is unknown.  The transaction is over either way. */
static int pg_commit_checked(struct pg_catalog *pc, const char *what,
                             char **err)
{
	char xid[32] = "";
	const char *state;
	PGresult *res;
	struct pg_stmt *st;
	int rc;

	res = PQexec(pc->conn, "SELECT pg_current_xact_id_if_assigned()");
	if (res != NULL && PQresultStatus(res) == PGRES_TUPLES_OK &&
	    PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		snprintf(xid, sizeof(xid), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	rc = pg_exec(pc, PG_COMMIT, what, err);
	if (rc == CATALOG_OK) {
		pc->own_commits++;
		return CATALOG_OK;
	}
	pg_abandon(pc);
	if (PQstatus(pc->conn) == CONNECTION_OK || xid[0] == '\0')
		return rc; /* refused by the server, or lost before: undone */
	pc->lost = CATALOG_LOST_UNKNOWN;
	if (!revive(pc))
		return rc;
	/* Unknown unless the server answers; a failure of the question
	 * itself (the link gone again) must not read as "undone". */
	int lost = CATALOG_LOST_UNKNOWN;
	st = pg_prepare(pc, "SELECT pg_xact_status(?1::xid8)");
	pg_bind_text(st, 1, xid);
	if (pg_step_row(st, "asking what became of a commit", NULL) ==
	    CATALOG_OK) {
		state = pg_column_text(st, 0);
		if (state != NULL && strcmp(state, "committed") == 0) {
			lost = CATALOG_LOST_NONE;
			pc->own_commits++;
			if (err != NULL) {
				free(*err);
				*err = NULL;
			}
			rc = CATALOG_OK;
		} else if (state != NULL && strcmp(state, "aborted") == 0) {
			lost = CATALOG_LOST_UNDONE;
		}
	}
	pg_finalize(st);
	pc->lost = lost;
	return rc;
}

int pg_lost_impl(void *self)
{
	const struct pg_catalog *pc = self;

	/* A watched connection (the console's) is made again by its
	 * watcher, not by revive(): a change made again at once would only
	 * fail again, holding the screen still for 15 s. */
	if (pc->listening && pc->lost == CATALOG_LOST_UNDONE)
		return CATALOG_LOST_NONE;
	return pc->lost;
}

int pg_check_writable(struct pg_catalog *pc, char **err)
{
	if (pc->standby) {
		pg_seterr(err,
		          "catalog %s is a read-only replica (a hot standby): "
		          "changes go to the primary",
		          pc->where);
		return CATALOG_EIO;
	}
	if (pc->readonly) {
		pg_seterr(err, "catalog %s is open read-only", pc->where);
		return CATALOG_EIO;
	}
	return CATALOG_OK;
}

int pg_write_begin(struct pg_catalog *pc, char **err)
{
	int rc;

	if (!pc->in_tx)
		pc->lost = CATALOG_LOST_NONE;
	rc = pg_check_writable(pc, err);
	if (rc != CATALOG_OK)
		return rc;
	if (pc->in_tx) {
		if (pc->tx_failed) {
			pg_seterr(err, "the transaction failed earlier");
			return CATALOG_EDB;
		}
		return pg_exec(pc, "SAVEPOINT catalog_call",
		               "starting a change", err);
	}
	return pg_exec(pc, "BEGIN", "starting a change", err);
}

int pg_write_end(struct pg_catalog *pc, int status, char **err)
{
	int rc;

	if (pc->in_tx) {
		if (status != CATALOG_OK) {
			PQclear(PQexec(pc->conn, "ROLLBACK TO catalog_call"));
			pc->tx_failed = 0;
		}
		rc = pg_exec(pc, "RELEASE catalog_call", "ending a change",
		             status == CATALOG_OK ? err : NULL);
		return status != CATALOG_OK ? status : rc;
	}
	if (status != CATALOG_OK) {
		pg_abandon(pc);
		return status;
	}
	return pg_commit_checked(pc, "committing a change", err);
}

/* ---- the schema -------------------------------------------------------- */

/* A database with tables but no schema_version is someone else's (an
 * application's, named by mistake): never given a catalog beside them, as
 * an SQLite file with tables but no version is not. */
static int refuse_foreign(struct pg_catalog *pc, char **err)
{
	struct pg_stmt *st = pg_prepare(
	    pc, "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname "
	        "NOT IN ('pg_catalog', 'information_schema')");
	int rc = pg_step_row(st, pc->where, err);
	int64_t tables = rc == CATALOG_OK ? pg_column_int64(st, 0) : 0;

	pg_finalize(st);
	if (rc == CATALOG_OK && tables > 0) {
		pg_seterr(err,
		          "catalog %s is a database but not a drconsole "
		          "catalog (%lld tables, no schema_version); nothing "
		          "was changed.  Name a new or empty database",
		          pc->where, (long long)tables);
		rc = CATALOG_EINVAL;
	}
	return rc;
}

/* The schema version, 0 when the database has no drconsole schema. */
static int read_version(struct pg_catalog *pc, int *version, char **err)
{
	struct pg_stmt *st =
	    pg_prepare(pc, "SELECT to_regclass('schema_version') IS NOT NULL");
	int rc = pg_step_row(st, pc->where, err), exists;

	*version = 0;
	exists = rc == CATALOG_OK && pg_column_int64(st, 0) == 1;
	pg_finalize(st);
	if (rc != CATALOG_OK)
		return rc;
	if (!exists)
		return refuse_foreign(pc, err);
	st = pg_prepare(pc, "SELECT coalesce(max(version), 0) "
	                    "FROM schema_version");
	rc = pg_step_row(st, pc->where, err);
	if (rc == CATALOG_OK)
		*version = (int)pg_column_int64(st, 0);
	pg_finalize(st);
	return rc;
}

static int newer(struct pg_catalog *pc, int version, int latest, char **err)
{
	pg_seterr(err,
	          "catalog %s has schema version %d, newer than this "
	          "drconsole understands (%d); upgrade drconsole",
	          pc->where, version, latest);
	return CATALOG_ESCHEMA;
}

/* Applies the migrations newer than the catalog's, under the lock, in one
 * transaction: a failure leaves it as it was. */
static int migrate(struct pg_catalog *pc, int latest, char **err)
{
	size_t n;
	const struct pg_migration *m = pg_migrations_table(&n);
	int version = 0, rc = pg_exec(pc, "BEGIN", pc->where, err);

	if (rc != CATALOG_OK)
		return rc;
	rc = pg_exec(pc, "SELECT pg_advisory_xact_lock(" PG_MIGRATE_LOCK ")",
	             "waiting for another migration", err);
	if (rc == CATALOG_OK)
		rc = read_version(pc, &version, err);
	if (rc == CATALOG_OK && version > latest)
		rc = newer(pc, version, latest, err);
	if (rc == CATALOG_OK && version == 0)
		rc = pg_exec(pc,
		             "CREATE TABLE schema_version ("
		             " version INTEGER NOT NULL,"
		             " name TEXT NOT NULL,"
		             " applied_at TEXT NOT NULL)",
		             "creating schema_version", err);
	for (int want = version + 1; rc == CATALOG_OK && want <= latest;
	     want++) {
		for (size_t i = 0; i < n && rc == CATALOG_OK; i++) {
			struct pg_stmt *st;
			char what[96];
			char at[SQLITE_TIME_TEXT];

			if (m[i].version != want)
				continue;
			snprintf(what, sizeof what, "migration %d (%s)",
			         m[i].version, m[i].name);
			rc = pg_exec(pc, m[i].sql, what, err);
			if (rc != CATALOG_OK)
				break;
			sqlite_time_text(pg_now(), at);
			st = pg_prepare(pc, "INSERT INTO schema_version "
			                    "VALUES (?1, ?2, ?3)");
			pg_bind_int64(st, 1, m[i].version);
			pg_bind_text(st, 2, m[i].name);
			pg_bind_text(st, 3, at);
			rc = pg_run(st, what, err);
			pg_finalize(st);
		}
	}
	if (rc != CATALOG_OK) {
		pg_abandon(pc);
		return rc;
	}
	return pg_exec(pc, "COMMIT", "committing the migration", err);
}

static int check_schema(struct pg_catalog *pc, int flags, char **err)
{
	int version, latest = pg_migrations_latest();
	int rc = read_version(pc, &version, err);

	if (rc != CATALOG_OK)
		return rc;
	if (version > latest)
		return newer(pc, version, latest, err);
	if (version == latest)
		return CATALOG_OK;
	if (version == 0 && !(flags & CATALOG_CREATE)) {
		pg_seterr(err,
		          "catalog %s holds no drconsole catalog; make one "
		          "with: drconsole init --catalog '%s'",
		          pc->where, pc->where);
		return CATALOG_ENOTFOUND;
	}
	if (pc->readonly) {
		pg_seterr(err,
		          "catalog %s has schema version %d and needs "
		          "migration to %d; open it once read-write (on the "
		          "primary) to migrate it",
		          pc->where, version, latest);
		return CATALOG_ESCHEMA;
	}
	return migrate(pc, latest, err);
}

/* ---- opening ----------------------------------------------------------- */

static void quiet_notices(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Refuses an address with a password in it. */
static int refuse_password(const char *where, char **err)
{
	char *perr = NULL;
	PQconninfoOption *opts = PQconninfoParse(where, &perr);
	int rc = CATALOG_OK;

	if (opts == NULL) {
		pg_seterr(err, "catalog address %s: %s", where,
		          perr != NULL ? perr : "not a PostgreSQL address");
		PQfreemem(perr);
		return CATALOG_EINVAL;
	}
	for (PQconninfoOption *o = opts; o->keyword != NULL; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val != NULL &&
		    o->val[0] != '\0') {
			pg_seterr(err,
			          "the catalog address holds a password: it "
			          "would show in ps, logs and the config; put "
			          "it in ~/.pgpass, PGPASSFILE or a service "
			          "file (pg_service.conf) instead");
			rc = CATALOG_EINVAL;
		}
	PQconninfoFree(opts);
	return rc;
}

/* The database the address names, or NULL (malloc'd). */
static char *address_dbname(const char *where)
{
	PQconninfoOption *opts = PQconninfoParse(where, NULL);
	char *name = NULL;

	for (PQconninfoOption *o = opts; o != NULL && o->keyword != NULL; o++)
		if (strcmp(o->keyword, "dbname") == 0 && o->val != NULL &&
		    o->val[0] != '\0')
			name = xstrdup(o->val);
	PQconninfoFree(opts);
	return name;
}

/* `init` on an address whose database does not exist makes it, as it
 * makes a missing SQLite file: through the server's maintenance database,
 * with the same host, user and settings.  CATALOG_OK when it was made;
 * otherwise the first connection's failure stands. */
static int create_database(struct pg_catalog *pc, const char *where, char **err)
{
	static const char *const keys[] = {"connect_timeout", "dbname",
	                                   "fallback_application_name",
	                                   "dbname", NULL};
	const char *values[] = {"10", where, "drconsole", "postgres", NULL};
	const char *m = PQerrorMessage(pc->conn);
	char *name, *ident, *sql;
	PGconn *maint;
	PGresult *res;
	int rc = CATALOG_EIO;

	if (strstr(m, "database \"") == NULL ||
	    strstr(m, "does not exist") == NULL)
		return CATALOG_ENOTFOUND;
	name = address_dbname(where);
	if (name == NULL)
		return CATALOG_ENOTFOUND;
	maint = PQconnectdbParams(keys, values, 1);
	if (maint != NULL && PQstatus(maint) == CONNECTION_OK) {
		ident = PQescapeIdentifier(maint, name, strlen(name));
		sql = xasprintf("CREATE DATABASE %s", ident);
		res = PQexec(maint, sql);
		if (PQresultStatus(res) == PGRES_COMMAND_OK)
			rc = CATALOG_OK;
		else
			pg_seterr(err, "catalog %s: creating database %s: %s",
			          where, name, PQresultErrorMessage(res));
		PQclear(res);
		free(sql);
		PQfreemem(ident);
	}
	PQfinish(maint);
	free(name);
	return rc;
}

int pg_open_impl(const char *where, int flags, void **self, char **err)
{
	/* Defaults the address may override: a dead link is noticed in
	 * about 25 s instead of the system's two hours. */
	static const char *const keys[] = {"connect_timeout",
	                                   "keepalives_idle",
	                                   "keepalives_interval",
	                                   "keepalives_count",
	                                   "dbname",
	                                   "fallback_application_name",
	                                   NULL};
	const char *values[] = {"10", "10", "5", "3", where, "drconsole", NULL};
	struct pg_catalog *pc;
	int rc = refuse_password(where, err);
	struct pg_stmt *st;

	*self = NULL;
	if (rc != CATALOG_OK)
		return rc;
	pc = xcalloc(1, sizeof(*pc));
	pc->where = xstrdup(where);
	pc->readonly = (flags & CATALOG_READONLY) != 0;
	pc->conn = PQconnectdbParams(keys, values, 1);
	if (pc->conn == NULL)
		xmalloc_oom(0);
	if (PQstatus(pc->conn) != CONNECTION_OK && (flags & CATALOG_CREATE) &&
	    create_database(pc, where, err) == CATALOG_OK) {
		PQfinish(pc->conn);
		pc->conn = PQconnectdbParams(keys, values, 1);
		if (pc->conn == NULL)
			xmalloc_oom(0);
	}
	if (PQstatus(pc->conn) != CONNECTION_OK) {
		char *m = one_line(PQerrorMessage(pc->conn));
		pg_seterr(err, "catalog %s: cannot connect: %s", where, m);
		free(m);
		rc = CATALOG_EIO;
		goto fail;
	}
	PQsetNoticeProcessor(pc->conn, quiet_notices, NULL);
	pc->idle = 1;
	rc = session_setup(pc, err);
	if (rc != CATALOG_OK)
		goto fail;
	st = pg_prepare(pc, "SELECT pg_is_in_recovery()");
	rc = pg_step_row(st, where, err);
	if (rc == CATALOG_OK && pg_column_int64(st, 0) == 1) {
		pc->standby = 1;
		pc->readonly = 1;
		pc->notice = xasprintf(
		    "READ-ONLY REPLICA: %s is a hot standby; changes go to "
		    "the primary",
		    PQhost(pc->conn) != NULL ? PQhost(pc->conn) : where);
	}
	pg_finalize(st);
	if (rc != CATALOG_OK)
		goto fail;
	/* A standby opens for reading whatever was asked: the views work,
	 * and each write is refused with pg_check_writable()'s message. */
	rc = check_schema(pc, flags, err);
	if (rc != CATALOG_OK)
		goto fail;
	*self = pc;
	return CATALOG_OK;
fail:
	pg_close_impl(pc);
	return rc;
}

/* Opened read-only (the wall, a viewer): read-only transactions too, so
 * that no bug of ours could write through it.  Run on every connection. */
static int session_setup(struct pg_catalog *pc, char **err)
{
	PGresult *res =
	    PQexec(pc->conn, pc->readonly || pc->standby
	                         ? "SET client_min_messages = warning; "
	                           "SET default_transaction_read_only = on"
	                         : "SET client_min_messages = warning");
	int ok = res != NULL && PQresultStatus(res) == PGRES_COMMAND_OK;
	int rc = ok ? CATALOG_OK : result_status(pc, res, pc->where, err);

	PQclear(res);
	pc->idle = PQtransactionStatus(pc->conn) == PQTRANS_IDLE;
	return rc;
}

void pg_close_impl(void *self)
{
	struct pg_catalog *pc = self;

	if (pc == NULL)
		return;
	if (pc->in_tx)
		pg_abandon(pc);
	PQfinish(pc->conn);
	free(pc->notice);
	free(pc->where);
	free(pc);
}

const char *pg_notice_impl(void *self)
{
	return ((struct pg_catalog *)self)->notice;
}

int pg_schema_version_impl(void *self, int *version, char **err)
{
	return read_version(self, version, err);
}

int pg_begin_impl(void *self, char **err)
{
	struct pg_catalog *pc = self;
	int rc;

	if (pc->in_tx) {
		pg_seterr(err, "a catalog transaction is already open");
		return CATALOG_EINVAL;
	}
	pc->lost = CATALOG_LOST_NONE;
	rc = pg_check_writable(pc, err);
	if (rc == CATALOG_OK)
		rc = pg_exec(pc, "BEGIN", "starting a transaction", err);
	if (rc == CATALOG_OK) {
		pc->in_tx = 1;
		pc->tx_failed = 0;
	}
	return rc;
}

int pg_commit_impl(void *self, char **err)
{
	struct pg_catalog *pc = self;

	if (!pc->in_tx) {
		pg_seterr(err, "no catalog transaction is open");
		return CATALOG_EINVAL;
	}
	if (pg_copy_end(pc, err) != CATALOG_OK) {
		pc->in_tx = 0;
		pg_abandon(pc);
		return CATALOG_EDB;
	}
	pc->in_tx = 0;
	if (pc->tx_failed) {
		pg_abandon(pc);
		pg_seterr(err, "the transaction was rolled back after an "
		               "earlier error");
		return CATALOG_EDB;
	}
	return pg_commit_checked(pc, "committing", err);
}

void pg_rollback_impl(void *self)
{
	struct pg_catalog *pc = self;

	if (!pc->in_tx)
		return;
	pc->in_tx = 0;
	pc->rows_quiet[0] = '\0'; /* the rollback turned them on again */
	pg_abandon(pc);
}

/* The commits that changed the catalog (catalog_changes, moved in each
 * one's transaction), replicated to a standby like any row. */
int pg_data_version_impl(void *self, int64_t *version, char **err)
{
	struct pg_catalog *pc = self;
	struct pg_stmt *st = pg_prepare(pc, "SELECT n FROM catalog_changes");
	int rc = pg_step_row(st, "reading the catalog's version", err);

	if (rc == CATALOG_OK)
		*version = pg_column_int64(st, 0);
	else if (rc == CATALOG_ENOTFOUND) {
		*version = 0;
		rc = CATALOG_OK;
	}
	pg_finalize(st);
	return rc;
}

int pg_last_change_impl(void *self, int64_t *at, char **err)
{
	static const char sql[] =
	    "SELECT greatest("
	    " coalesce((SELECT max(updated_at) FROM services), ''),"
	    " coalesce((SELECT max(updated_at) FROM backup_management), ''),"
	    " coalesce((SELECT max(sampled_at) FROM replication_history),"
	    "  ''),"
	    " coalesce((SELECT max(sampled_at) FROM health_history), ''),"
	    " coalesce((SELECT max(updated_at) FROM disaster_recovery_log),"
	    "  ''))";
	struct pg_stmt *st = pg_prepare(self, sql);
	int rc = pg_step_row(st, "reading the time of the last change", err);

	*at = 0;
	if (rc == CATALOG_OK)
		*at = pg_column_time(st, 0);
	else if (rc == CATALOG_ENOTFOUND)
		rc = CATALOG_OK;
	pg_finalize(st);
	return rc;
}

/* ---- info and notifications ------------------------------------------ */

int pg_info_impl(void *self, struct catalog_info *out, char **err)
{
	struct pg_catalog *pc = self;
	int v = PQserverVersion(pc->conn);
	struct pg_stmt *st;
	int rc = read_version(pc, &out->schema_version, err);

	snprintf(out->connection, sizeof out->connection, "%s:%s/%s as %s",
	         PQhost(pc->conn), PQport(pc->conn), PQdb(pc->conn),
	         PQuser(pc->conn));
	snprintf(out->server, sizeof out->server, "PostgreSQL %d.%d", v / 10000,
	         v % 10000);
	out->standby = pc->standby;
	if (rc != CATALOG_OK)
		return rc;
	/* A standby that has replayed all it received and still receives is
	 * current, however long ago the primary last wrote; otherwise its
	 * lag is the age of what it last replayed. */
	st = pg_prepare(
	    pc,
	    "SELECT pg_database_size(current_database()), "
	    "CASE WHEN NOT pg_is_in_recovery() THEN NULL "
	    " WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() "
	    "  AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver "
	    "              WHERE status = 'streaming') THEN 0 "
	    " ELSE extract(epoch FROM now() - "
	    "  pg_last_xact_replay_timestamp()) END, "
	    "CASE WHEN pg_is_in_recovery() THEN "
	    " (pg_last_wal_receive_lsn() - pg_last_wal_replay_lsn())::bigint "
	    "END, "
	    "pg_is_in_recovery() AND EXISTS (SELECT 1 FROM "
	    " pg_stat_wal_receiver WHERE status = 'streaming'), "
	    "pg_is_in_recovery() OR NOT has_table_privilege(current_user, "
	    " 'audit_log', 'INSERT'), "
	    "pg_is_in_recovery()");
	rc = pg_step_row(st, "reading the catalog's size", err);
	if (rc == CATALOG_OK) {
		out->size_bytes = pg_column_int64_or(st, 0, -1);
		out->replay_lag_s = pg_column_double_or(st, 1, -1);
		out->replay_wal_bytes = pg_column_int64_or(st, 2, -1);
		out->receiving = (int)pg_column_int64(st, 3);
		/* Whether this role could write, not how it was opened. */
		out->read_only = (int)pg_column_int64(st, 4);
		out->promoted = pc->standby && pg_column_int64(st, 5) == 0;
	}
	pg_finalize(st);
	return rc;
}

/* A hot standby cannot LISTEN: there the caller polls data_version,
 * which follows the replay. */
int pg_watch_impl(void *self, int *fd, char **err)
{
	struct pg_catalog *pc = self;
	int rc;

	*fd = -1;
	if (pc->standby)
		return CATALOG_OK;
	rc = pg_exec(pc, "LISTEN " PG_CHANNEL, "listening for changes", err);
	if (rc == CATALOG_OK) {
		*fd = PQsocket(pc->conn);
		pc->listening = 1;
	}
	return rc;
}

int pg_watch_read_impl(void *self, int *changed, char **err)
{
	struct pg_catalog *pc = self;
	PGnotify *n;

	*changed = 0;
	if (PQconsumeInput(pc->conn) == 0 ||
	    PQstatus(pc->conn) != CONNECTION_OK) {
		const char *m = PQerrorMessage(pc->conn);
		size_t len = strcspn(m, "\n");
		pg_seterr(err, "catalog %s: the connection was lost (%.*s)",
		          pc->where, (int)len, m);
		return CATALOG_EIO;
	}
	while ((n = PQnotifies(pc->conn)) != NULL) {
		*changed = 1;
		PQfreemem(n);
	}
	return CATALOG_OK;
}

const struct catalog_backend_ops pg_backend_ops = {
    .name = "postgresql",
    .open = pg_open_impl,
    .close = pg_close_impl,
    .notice = pg_notice_impl,
    .schema_version = pg_schema_version_impl,
    .begin = pg_begin_impl,
    .commit = pg_commit_impl,
    .rollback = pg_rollback_impl,
    .lost = pg_lost_impl,
    .data_version = pg_data_version_impl,
    .last_change = pg_last_change_impl,
    .info = pg_info_impl,
    .watch = pg_watch_impl,
    .watch_read = pg_watch_read_impl,
    .grants = pg_grants_impl,
    .rows_each = pg_rows_each_impl,
    .rows_put = pg_rows_put_impl,
    .rows_clear = pg_rows_clear_impl,
    .rows_end = pg_rows_end_impl,
    .tier_put = pg_tier_put_impl,
    .tier_list = pg_tier_list_impl,
    .service_add = pg_service_add_impl,
    .service_put = pg_service_put_impl,
    .service_get = pg_service_get_impl,
    .service_list = pg_service_list_impl,
    .service_remove = pg_service_remove_impl,
    .backup_insert = pg_backup_insert_impl,
    .backup_update = pg_backup_update_impl,
    .backup_get = pg_backup_get_impl,
    .backup_list = pg_backup_list_impl,
    .backup_count = pg_backup_count_impl,
    .health_get = pg_health_get_impl,
    .restore_record = pg_restore_record_impl,
    .restore_list = pg_restore_list_impl,
    .replication_record = pg_replication_record_impl,
    .replication_latest = pg_replication_latest_impl,
    .replication_history = pg_replication_history_impl,
    .replication_prune = pg_replication_prune_impl,
    .probe_record = pg_probe_record_impl,
    .probe_latest = pg_probe_latest_impl,
    .probe_prune = pg_probe_prune_impl,
    .recovery_insert = pg_recovery_insert_impl,
    .recovery_update = pg_recovery_update_impl,
    .recovery_get = pg_recovery_get_impl,
    .recovery_list = pg_recovery_list_impl,
    .recovery_step_put = pg_recovery_step_put_impl,
    .recovery_step_list = pg_recovery_step_list_impl,
    .recovery_page = pg_recovery_page_impl,
    .service_states = pg_service_states_impl,
    .verdict_record = pg_verdict_record_impl,
    .verdict_latest = pg_verdict_latest_impl,
    .verdict_history = pg_verdict_history_impl,
    .test_note_put = pg_test_note_put_impl,
    .test_note_get = pg_test_note_get_impl,
    .backup_counts = pg_backup_counts_impl,
    .audit_append = pg_audit_append_impl,
    .audit_each = pg_audit_each_impl,
    .audit_list = pg_audit_list_impl,
    .audit_subject = pg_audit_subject_impl,
    .check_integrity = pg_check_integrity_impl,
    .service_counters = pg_service_counters_impl,
    .agent = &pg_agent_ops,
    .runbook = &pg_runbook_ops,
    .import = &pg_import_ops,
};
