/* The SQLite catalog backend: one file, WAL, foreign keys on, schema
 * migrated forward on open (db/migrations.c).
 *
 * Reads are single statements, so each sees one consistent snapshot.
 * Writes go through sqlite_write_begin()/_end() (db/sqlite_int.h), which
 * make a call atomic on its own and nest inside catalog_begin().
 *
 * The per-service state is one statement of correlated subqueries, each an
 * index probe "newest X of this service" (ORDER BY ... DESC LIMIT 1), so
 * its cost follows the number of services and not the length of history. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db/backend.h"
#include "db/catalog.h"
#include "db/catalog_status.h"
#include "db/migrations.h"
#include "db/sqlite_int.h"

#define DEFAULT_TENANT "00000000-0000-0000-0000-000000000000"
#define ZERO_HASH                                                              \
	"0000000000000000000000000000000000000000000000000000000000000000"
#define BUSY_TIMEOUT_MS 5000

/* ---- allocation and messages ------------------------------------------ */

void sqlite_seterr(char **err, const char *fmt, ...)
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

int sqlite_status(sqlite3 *db, int sqlite_rc, const char *what, char **err)
{
	int primary = sqlite_rc & 0xff;
	int extended = db != NULL ? sqlite3_extended_errcode(db) : sqlite_rc;
	const char *msg =
	    db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(sqlite_rc);

	switch (primary) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return CATALOG_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		sqlite_seterr(err, "%s: catalog is locked by another process",
		              what);
		return CATALOG_EBUSY;
	case SQLITE_CONSTRAINT:
		sqlite_seterr(err, "%s: %s", what, msg);
		if (extended == SQLITE_CONSTRAINT_PRIMARYKEY ||
		    extended == SQLITE_CONSTRAINT_UNIQUE)
			return CATALOG_EEXIST;
		return CATALOG_EINVAL;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		sqlite_seterr(err, "%s: %s", what, msg);
		return CATALOG_ECORRUPT;
	case SQLITE_READONLY:
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_FULL:
	case SQLITE_PERM: {
		/* The system's reason ("Permission denied") says more to an
		 * operator than "unable to open database file" alone; only
		 * where the failure was the system's (elsewhere the errno
		 * may be an earlier, expected one). */
		int sys = db != NULL && (primary == SQLITE_CANTOPEN ||
		                         primary == SQLITE_IOERR)
		              ? sqlite3_system_errno(db)
		              : 0;
		if (sys != 0)
			sqlite_seterr(err, "%s: %s (%s)", what, msg,
			              strerror(sys));
		else
			sqlite_seterr(err, "%s: %s", what, msg);
		return CATALOG_EIO;
	}
	default:
		sqlite_seterr(err, "%s: %s", what, msg);
		return CATALOG_EDB;
	}
}

/* ---- statements -------------------------------------------------------- */

sqlite3 *sqlite_handle(struct sqlite_catalog *sc)
{
	return sc->db;
}

int sqlite_prepare(struct sqlite_catalog *sc, const char *sql,
                   sqlite3_stmt **st, char **err)
{
	int rc = sqlite3_prepare_v2(sc->db, sql, -1, st, NULL);

	if (rc != SQLITE_OK) {
		*st = NULL;
		return sqlite_status(sc->db, rc, "preparing a catalog query",
		                     err);
	}
	return CATALOG_OK;
}

int sqlite_prepare_cached(struct sqlite_catalog *sc, const char *sql,
                          sqlite3_stmt **st, char **err)
{
	for (int i = 0; i < sc->n_cache; i++) {
		if (sc->cache[i].sql == sql) {
			*st = sc->cache[i].st;
			return CATALOG_OK;
		}
	}
	int rc = sqlite_prepare(sc, sql, st, err);
	if (rc == CATALOG_OK &&
	    sc->n_cache < (int)(sizeof sc->cache / sizeof sc->cache[0])) {
		sc->cache[sc->n_cache].sql = sql;
		sc->cache[sc->n_cache].st = *st;
		sc->n_cache++;
	}
	return rc;
}

void sqlite_done(struct sqlite_catalog *sc, sqlite3_stmt *st)
{
	for (int i = 0; i < sc->n_cache; i++) {
		if (sc->cache[i].st == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return;
		}
	}
	sqlite3_finalize(st);
}

int sqlite_run(struct sqlite_catalog *sc, sqlite3_stmt *st, const char *what,
               char **err)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE) {
		int status = sqlite_status(sc->db, rc, what, err);

		sqlite_done(sc, st);
		return status;
	}
	sqlite_done(sc, st);
	return CATALOG_OK;
}

/* A statement without parameters run through the cache. */
static int sqlite_exec_cached(struct sqlite_catalog *sc, const char *sql,
                              const char *what, char **err)
{
	sqlite3_stmt *st;
	int rc = sqlite_prepare_cached(sc, sql, &st, err);
	if (rc != CATALOG_OK)
		return rc;
	return sqlite_run(sc, st, what, err);
}

int sqlite_exec(struct sqlite_catalog *sc, const char *sql, const char *what,
                char **err)
{
	int rc = sqlite3_exec(sc->db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return sqlite_status(sc->db, rc, what, err);
	return CATALOG_OK;
}

int sqlite_check_writable(struct sqlite_catalog *sc, char **err)
{
	if (sc->readonly) {
		sqlite_seterr(err, "catalog %s is open read-only", sc->path);
		return CATALOG_EIO;
	}
	return CATALOG_OK;
}

int sqlite_write_begin(struct sqlite_catalog *sc, char **err)
{
	int rc = sqlite_check_writable(sc, err);

	if (rc != CATALOG_OK)
		return rc;
	if (sc->in_tx)
		return sqlite_exec_cached(sc, "SAVEPOINT catalog_call",
		                          "starting a change", err);
	return sqlite_exec(sc, "BEGIN IMMEDIATE", "starting a change", err);
}

int sqlite_write_end(struct sqlite_catalog *sc, int status, char **err)
{
	int rc;

	if (sc->in_tx) {
		if (status != CATALOG_OK)
			sqlite3_exec(sc->db, "ROLLBACK TO catalog_call", NULL,
			             NULL, NULL);
		rc = sqlite_exec_cached(sc, "RELEASE catalog_call",
		                        "ending a change",
		                        status == CATALOG_OK ? err : NULL);
		return status != CATALOG_OK ? status : rc;
	}
	if (status != CATALOG_OK) {
		sqlite3_exec(sc->db, "ROLLBACK", NULL, NULL, NULL);
		return status;
	}
	rc = sqlite_exec(sc, "COMMIT", "committing a change", err);
	if (rc != CATALOG_OK) {
		sqlite3_exec(sc->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	sc->own_commits++;
	return CATALOG_OK;
}

/* ---- values ------------------------------------------------------------ */

void sqlite_time_text(int64_t t, char out[SQLITE_TIME_TEXT])
{
	time_t tt = (time_t)t;
	struct tm tm;

	/* Four-digit years, so that the text sorts as the time does.  Years
	 * past 9999 do not fit the format; callers refuse them first (core's
	 * time_parse), so this clamp is a last resort. */
	if (gmtime_r(&tt, &tm) == NULL || tm.tm_year + 1900 > 9999 ||
	    tm.tm_year + 1900 < 0)
		snprintf(out, SQLITE_TIME_TEXT, "%s",
		         t < 0 ? "0000-01-01T00:00:00Z"
		               : "9999-12-31T23:59:59Z");
	else
		/* The modulos only tell the compiler the widths. */
		snprintf(
		    out, SQLITE_TIME_TEXT, "%04u-%02u-%02uT%02u:%02u:%02uZ",
		    (unsigned)(tm.tm_year + 1900) % 10000u,
		    (unsigned)(tm.tm_mon + 1) % 100u,
		    (unsigned)tm.tm_mday % 100u, (unsigned)tm.tm_hour % 100u,
		    (unsigned)tm.tm_min % 100u, (unsigned)tm.tm_sec % 100u);
}

int64_t sqlite_time_parse(const char *text)
{
	struct tm tm;
	int year, mon, day, hour, min, sec, used = 0;
	char sep;

	if (text == NULL ||
	    sscanf(text, "%4d-%2d-%2d%c%2d:%2d:%2d%n", &year, &mon, &day, &sep,
	           &hour, &min, &sec, &used) != 7 ||
	    (sep != 'T' && sep != ' '))
		return -1;
	if (text[used] != '\0' && strcmp(text + used, "Z") != 0)
		return -1;
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 ||
	    min > 59 || sec > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	return (int64_t)timegm(&tm);
}

int sqlite_bind_time(sqlite3_stmt *st, int idx, int64_t t)
{
	char text[SQLITE_TIME_TEXT];

	if (t == 0)
		return sqlite3_bind_null(st, idx);
	sqlite_time_text(t, text);
	return sqlite3_bind_text(st, idx, text, -1, SQLITE_TRANSIENT);
}

int64_t sqlite_column_time(sqlite3_stmt *st, int col)
{
	int64_t t;

	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return 0;
	t = sqlite_time_parse((const char *)sqlite3_column_text(st, col));
	return t < 0 ? 0 : t;
}

int sqlite_bind_text_or_null(sqlite3_stmt *st, int idx, const char *s)
{
	if (s == NULL || s[0] == '\0')
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT);
}

int sqlite_bind_text(sqlite3_stmt *st, int idx, const char *s)
{
	if (s == NULL)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT);
}

void sqlite_column_copy(sqlite3_stmt *st, int col, char *dst, size_t size)
{
	const unsigned char *text = sqlite3_column_text(st, col);
	size_t len;

	if (size == 0)
		return;
	if (text == NULL) {
		dst[0] = '\0';
		return;
	}
	len = strlen((const char *)text);
	if (len >= size)
		len = size - 1;
	memcpy(dst, text, len);
	dst[len] = '\0';
}

char *sqlite_column_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *text = sqlite3_column_text(st, col);

	return text == NULL ? NULL : xstrdup((const char *)text);
}

int64_t sqlite_column_int64_or(sqlite3_stmt *st, int col, int64_t null_value)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return null_value;
	return sqlite3_column_int64(st, col);
}

double sqlite_column_double_or(sqlite3_stmt *st, int col, double null_value)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return null_value;
	return sqlite3_column_double(st, col);
}

static int64_t now_s(void)
{
	return catalog_now();
}

/* Binds an int64, with `none` (0 or -1, per field) bound as NULL. */
static void bind_int64_none(sqlite3_stmt *st, int idx, int64_t v, int64_t none)
{
	if (v == none)
		sqlite3_bind_null(st, idx);
	else
		sqlite3_bind_int64(st, idx, v);
}

/* Steps a query that returns at most one row: CATALOG_OK with a row,
 * CATALOG_ENOTFOUND (no message) without. */
static int step_row(struct sqlite_catalog *sc, sqlite3_stmt *st,
                    const char *what, char **err)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return CATALOG_OK;
	if (rc == SQLITE_DONE)
		return CATALOG_ENOTFOUND;
	return sqlite_status(sc->db, rc, what, err);
}

/* ---- open and close ---------------------------------------------------- */

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The file a "file:" URI names, or NULL for an in-memory database. */
static char *uri_path(const char *uri)
{
	const char *p = uri + strlen("file:");
	size_t len;
	char *path, *out;

	if (strstr(uri, "mode=memory") != NULL)
		return NULL;
	if (strncmp(p, "//", 2) == 0) {
		p += 2;
		if (strncmp(p, "localhost", 9) == 0)
			p += 9;
		if (*p != '/')
			return xstrdup(p);
	}
	len = strcspn(p, "?#");
	path = xcalloc(len + 1, 1);
	for (out = path; len > 0; p++, len--) {
		if (*p == '%' && len >= 3 && hex_value(p[1]) >= 0 &&
		    hex_value(p[2]) >= 0) {
			*out++ = (char)(hex_value(p[1]) * 16 + hex_value(p[2]));
			p += 2;
			len -= 2;
		} else {
			*out++ = *p;
		}
	}
	*out = '\0';
	if (strcmp(path, ":memory:") == 0 || path[0] == '\0') {
		free(path);
		return NULL;
	}
	return path;
}

/* mkdir -p with 0700 for every directory it creates (and only those). */
static int make_parents(const char *path, char **err)
{
	char *dir = xstrdup(path), *slash;
	int rc = CATALOG_OK;

	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir) {
		free(dir);
		return CATALOG_OK;
	}
	*slash = '\0';
	for (slash = dir + 1;; slash++) {
		char saved = *slash;

		if (saved != '/' && saved != '\0')
			continue;
		*slash = '\0';
		if (mkdir(dir, 0700) == 0) {
			/* The umask may have taken bits we want. */
			chmod(dir, 0700);
		} else if (errno != EEXIST) {
			sqlite_seterr(err, "cannot create directory %s: %s",
			              dir, strerror(errno));
			rc = CATALOG_EIO;
			break;
		}
		*slash = saved;
		if (saved == '\0')
			break;
	}
	free(dir);
	return rc;
}

/* Makes sure `path` exists (when allowed to create it) as a regular file of
 * mode 0600, before SQLite opens it: SQLite would create it with 0644. */
static int prepare_file(const char *path, int flags, char **err)
{
	struct stat sb;
	int fd, rc;

	if (stat(path, &sb) == 0) {
		if (S_ISDIR(sb.st_mode)) {
			sqlite_seterr(err, "catalog %s is a directory", path);
			return CATALOG_EINVAL;
		}
		if (!S_ISREG(sb.st_mode)) {
			/* /dev/null would get a /dev/null-journal beside it. */
			sqlite_seterr(err,
			              "catalog %s is not a regular file; name "
			              "a catalog file",
			              path);
			return CATALOG_EINVAL;
		}
		if (sb.st_size == 0 && !(flags & CATALOG_ADOPT_EMPTY)) {
			sqlite_seterr(err,
			              "catalog %s is an empty file, not a "
			              "drconsole catalog (a truncated copy?); "
			              "nothing was written.  Restore it from a "
			              "copy, or remove it and run 'drconsole "
			              "init' to start a new one",
			              path);
			return CATALOG_EINVAL;
		}
		return CATALOG_OK;
	}
	if (errno != ENOENT) {
		sqlite_seterr(err, "catalog %s: %s", path, strerror(errno));
		return CATALOG_EIO;
	}
	if (!(flags & CATALOG_CREATE) || (flags & CATALOG_READONLY)) {
		sqlite_seterr(err, "catalog %s does not exist", path);
		return CATALOG_ENOTFOUND;
	}
	rc = make_parents(path, err);
	if (rc != CATALOG_OK)
		return rc;
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			return CATALOG_OK;
		sqlite_seterr(err, "cannot create catalog %s: %s", path,
		              strerror(errno));
		return CATALOG_EIO;
	}
	fchmod(fd, 0600);
	close(fd);
	return CATALOG_OK;
}

/* "file:PATH?immutable=1", PATH percent-encoded where SQLite's URI
 * syntax needs it. */
static char *immutable_uri(const char *path)
{
	size_t len = strlen(path), cap = len * 3 + 32, at = 0;
	char *uri = xcalloc(cap, 1);

	at += (size_t)snprintf(uri, cap, "file:");
	for (const char *p = path; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '%' || c == '?' || c == '#' || c <= ' ' || c >= 0x7f)
			at += (size_t)snprintf(uri + at, cap - at, "%%%02X", c);
		else
			uri[at++] = (char)c;
	}
	snprintf(uri + at, cap - at, "?immutable=1");
	return uri;
}

static int read_int_pragma(struct sqlite_catalog *sc, const char *sql,
                           int64_t *value, char **err)
{
	sqlite3_stmt *st;
	int rc = sqlite_prepare(sc, sql, &st, err);

	if (rc != CATALOG_OK)
		return rc;
	rc = step_row(sc, st, sql, err);
	if (rc == CATALOG_OK)
		*value = sqlite3_column_int64(st, 0);
	else if (rc == CATALOG_ENOTFOUND)
		*value = 0, rc = CATALOG_OK;
	sqlite3_finalize(st);
	return rc;
}

/* The schema version, after checking that the file is a drconsole catalog
 * at all: a database with tables but no version is someone else's. */
static int check_schema(struct sqlite_catalog *sc, int *version, char **err)
{
	int64_t v, tables;
	int rc;

	rc = read_int_pragma(sc, "PRAGMA user_version", &v, err);
	if (rc == CATALOG_ECORRUPT) {
		sqlite_seterr(err,
		              "%s is not a drconsole catalog (not an "
		              "SQLite database)",
		              sc->path);
		return rc;
	}
	if (rc != CATALOG_OK)
		return rc;
	if (v == 0) {
		rc = read_int_pragma(sc,
		                     "SELECT count(*) FROM sqlite_schema "
		                     "WHERE name NOT LIKE 'sqlite_%'",
		                     &tables, err);
		if (rc != CATALOG_OK)
			return rc;
		if (tables > 0) {
			sqlite_seterr(err,
			              "%s is an SQLite database but not a "
			              "drconsole catalog (no schema version)",
			              sc->path);
			return CATALOG_EINVAL;
		}
	}
	*version = (int)v;
	return CATALOG_OK;
}

static void sqlite_close_impl(void *self);

static int sqlite_open_impl(const char *where, int flags, void **self,
                            char **err)
{
	struct sqlite_catalog *sc = xcalloc(1, sizeof(*sc));
	int uri = strncmp(where, "file:", 5) == 0;
	char *path =
	    uri ? uri_path(where)
	        : (strcmp(where, ":memory:") == 0 ? NULL : xstrdup(where));
	int open_flags, rc, version, latest = migrations_latest();

	*self = NULL;
	sc->path = xstrdup(path != NULL ? path : where);
	sc->readonly = (flags & CATALOG_READONLY) != 0;
	if (path != NULL) {
		rc = prepare_file(path, flags, err);
		free(path);
		if (rc != CATALOG_OK)
			goto fail;
	}
	open_flags = sc->readonly ? SQLITE_OPEN_READONLY
	                          : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (uri)
		open_flags |= SQLITE_OPEN_URI;
	rc = sqlite3_open_v2(where, &sc->db, open_flags, NULL);
	if (rc != SQLITE_OK) {
		rc = sqlite_status(sc->db, rc, sc->path, err);
		goto fail;
	}
	sqlite3_extended_result_codes(sc->db, 1);
	sqlite3_busy_timeout(sc->db, BUSY_TIMEOUT_MS);

	rc = check_schema(sc, &version, err);
	if (rc == CATALOG_EIO && sc->readonly && !uri) {
		/* A read-only connection to a WAL catalog needs its -shm
		 * file; on a read-only file system, a full disk, or a
		 * directory the reader cannot write, it cannot be made.
		 * Immutable mode reads the database file alone: everything
		 * checkpointed, nothing still in the -wal file. */
		char *im = immutable_uri(sc->path);
		sqlite3_close_v2(sc->db);
		sc->db = NULL;
		rc = sqlite3_open_v2(
		    im, &sc->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
		free(im);
		if (rc != SQLITE_OK) {
			rc = sqlite_status(sc->db, rc, sc->path, err);
			goto fail;
		}
		free(*err);
		*err = NULL;
		sqlite3_extended_result_codes(sc->db, 1);
		sqlite3_busy_timeout(sc->db, BUSY_TIMEOUT_MS);
		rc = check_schema(sc, &version, err);
		if (rc == CATALOG_OK)
			sc->notice = xstrdup(
			    "opened immutable: its -shm file could not be "
			    "made (read-only file system, full disk or a "
			    "directory you cannot write), so changes still "
			    "in its -wal file are not shown");
	}
	if (rc != CATALOG_OK)
		goto fail;
	if (version > latest) {
		sqlite_seterr(err,
		              "catalog %s has schema version %d, newer than "
		              "this drconsole understands (%d); upgrade "
		              "drconsole",
		              sc->path, version, latest);
		rc = CATALOG_ESCHEMA;
		goto fail;
	}
	if (!sc->readonly && sqlite3_db_readonly(sc->db, "main") == 1) {
		/* SQLite quietly opened it read-only; every write would
		 * fail later, after the work it was to record. */
		int denied = access(sc->path, W_OK) != 0 ? errno : 0;
		sqlite_seterr(err, "catalog %s cannot be written (%s)",
		              sc->path,
		              denied != 0 ? strerror(denied)
		                          : "SQLite opened it read-only");
		rc = CATALOG_EIO;
		goto fail;
	}
	if (!sc->readonly) {
		/* WAL: the wall view and agents read while one writer
		 * writes.  synchronous=FULL rather than NORMAL: NORMAL may
		 * lose the last commits at a power cut, and a recorded
		 * backup result or audit row that silently disappears is
		 * exactly the evidence this catalog exists to keep; commits
		 * are few, so the extra fsync costs little. */
		rc = sqlite_exec(sc,
		                 "PRAGMA journal_mode = WAL;"
		                 "PRAGMA synchronous = FULL;",
		                 sc->path, err);
		if (rc != CATALOG_OK)
			goto fail;
	}
	/* Every call inside a transaction is a savepoint, and every
	 * statement of a trigger body opens a statement journal: in memory
	 * rather than on disk they keep a recorded backup from costing a
	 * millisecond of file system calls.  The page cache stays at
	 * SQLite's 2 MiB default: a larger one made no write faster and kept
	 * 6 MB more resident in a console paging through a long history. */
	rc = sqlite_exec(sc,
	                 "PRAGMA foreign_keys = ON;"
	                 "PRAGMA temp_store = MEMORY;",
	                 sc->path, err);
	if (rc != CATALOG_OK)
		goto fail;
	if (version < latest) {
		if (sc->readonly) {
			sqlite_seterr(err,
			              "catalog %s has schema version %d and "
			              "needs migration to %d; open it once "
			              "read-write to migrate it",
			              sc->path, version, latest);
			rc = CATALOG_ESCHEMA;
			goto fail;
		}
		rc = migrations_apply(sc->db, 0, err);
		if (rc != CATALOG_OK)
			goto fail;
		/* Another process may have moved it past us meanwhile. */
		rc = check_schema(sc, &version, err);
		if (rc != CATALOG_OK)
			goto fail;
		if (version > latest) {
			sqlite_seterr(err,
			              "catalog %s has schema version %d, newer "
			              "than this drconsole understands (%d); "
			              "upgrade drconsole",
			              sc->path, version, latest);
			rc = CATALOG_ESCHEMA;
			goto fail;
		}
	}
	*self = sc;
	return CATALOG_OK;
fail:
	sqlite_close_impl(sc);
	return rc;
}

static void sqlite_close_impl(void *self)
{
	struct sqlite_catalog *sc = self;

	if (sc == NULL)
		return;
	if (sc->in_tx)
		sqlite3_exec(sc->db, "ROLLBACK", NULL, NULL, NULL);
	for (int i = 0; i < sc->n_cache; i++)
		sqlite3_finalize(sc->cache[i].st);
	sqlite3_finalize(sc->rows_st);
	free(sc->rows_table);
	sc->n_cache = 0;
	sqlite3_close_v2(sc->db);
	free(sc->notice);
	free(sc->path);
	free(sc);
}

static const char *sqlite_notice_impl(void *self)
{
	return ((struct sqlite_catalog *)self)->notice;
}

static int sqlite_schema_version_impl(void *self, int *version, char **err)
{
	int64_t v;
	int rc = read_int_pragma(self, "PRAGMA user_version", &v, err);

	if (rc == CATALOG_OK)
		*version = (int)v;
	return rc;
}

/* ---- transactions and change tracking --------------------------------- */

static int sqlite_begin_impl(void *self, char **err)
{
	struct sqlite_catalog *sc = self;
	int rc;

	if (sc->in_tx) {
		sqlite_seterr(err, "a catalog transaction is already open");
		return CATALOG_EINVAL;
	}
	rc = sqlite_check_writable(sc, err);
	if (rc == CATALOG_OK)
		rc = sqlite_exec(sc, "BEGIN IMMEDIATE",
		                 "starting a transaction", err);
	if (rc == CATALOG_OK)
		sc->in_tx = 1;
	return rc;
}

static int sqlite_commit_impl(void *self, char **err)
{
	struct sqlite_catalog *sc = self;
	int rc;

	if (!sc->in_tx) {
		sqlite_seterr(err, "no catalog transaction is open");
		return CATALOG_EINVAL;
	}
	sc->in_tx = 0;
	if (sqlite3_get_autocommit(sc->db)) {
		/* SQLite rolled it back itself after an error. */
		sqlite_seterr(err, "the transaction was rolled back after an "
		                   "earlier error");
		return CATALOG_EDB;
	}
	rc = sqlite_exec(sc, "COMMIT", "committing", err);
	if (rc != CATALOG_OK) {
		sqlite3_exec(sc->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	sc->own_commits++;
	return CATALOG_OK;
}

/* A file has no connection to lose. */
static int sqlite_lost_impl(void *self)
{
	(void)self;
	return CATALOG_LOST_NONE;
}

static void sqlite_rollback_impl(void *self)
{
	struct sqlite_catalog *sc = self;

	if (!sc->in_tx)
		return;
	sc->in_tx = 0;
	sqlite3_exec(sc->db, "ROLLBACK", NULL, NULL, NULL);
}

static int sqlite_data_version_impl(void *self, int64_t *version, char **err)
{
	struct sqlite_catalog *sc = self;
	int64_t v;
	int rc = read_int_pragma(sc, "PRAGMA data_version", &v, err);

	if (rc == CATALOG_OK)
		*version = v + sc->own_commits;
	return rc;
}

static int sqlite_last_change_impl(void *self, int64_t *at, char **err)
{
	/* Each max() is answered from the end of an index.  The audit log
	 * is not data: its rows carry the real time even under a pinned
	 * clock, and every change it records touches one of these. */
	static const char sql[] =
	    "SELECT max("
	    " coalesce((SELECT max(updated_at) FROM services), ''),"
	    " coalesce((SELECT max(updated_at) FROM backup_management), ''),"
	    " coalesce((SELECT max(sampled_at) FROM replication_history),"
	    "  ''),"
	    " coalesce((SELECT max(sampled_at) FROM health_history), ''),"
	    " coalesce((SELECT max(updated_at) FROM disaster_recovery_log),"
	    "  ''))";
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc = sqlite_prepare(sc, sql, &st, err);

	if (rc != CATALOG_OK)
		return rc;
	rc = step_row(sc, st, "reading the time of the last change", err);
	*at = 0;
	if (rc == CATALOG_OK)
		*at = sqlite_column_time(st, 0);
	else if (rc == CATALOG_ENOTFOUND)
		rc = CATALOG_OK;
	sqlite3_finalize(st);
	return rc;
}

static int sqlite_info_impl(void *self, struct catalog_info *out, char **err)
{
	struct sqlite_catalog *sc = self;
	struct stat st;
	char wal[4096];
	int rc = sqlite_schema_version_impl(sc, &out->schema_version, err);

	snprintf(out->connection, sizeof out->connection, "%s", sc->path);
	snprintf(out->server, sizeof out->server, "SQLite %s",
	         sqlite3_libversion());
	out->read_only = access(sc->path, W_OK) != 0;
	if (stat(sc->path, &st) == 0) {
		out->size_bytes = (int64_t)st.st_size;
		snprintf(wal, sizeof wal, "%s-wal", sc->path);
		if (stat(wal, &st) == 0)
			out->size_bytes += (int64_t)st.st_size;
	}
	return rc;
}

/* SQLite has no notifications: the console polls data_version. */
static int sqlite_watch_impl(void *self, int *fd, char **err)
{
	(void)self;
	(void)err;
	*fd = -1;
	return CATALOG_OK;
}

static int sqlite_watch_read_impl(void *self, int *changed, char **err)
{
	(void)self;
	(void)err;
	*changed = 0;
	return CATALOG_OK;
}

static int sqlite_grants_impl(void *self, enum catalog_grant_kind kind,
                              const char *role, int apply, char **sql,
                              char **err)
{
	struct sqlite_catalog *sc = self;

	(void)kind;
	(void)role;
	(void)apply;
	*sql = NULL;
	sqlite_seterr(err,
	              "catalog %s is an SQLite file: it has no roles; its "
	              "file's permissions decide who reads and writes it "
	              "(roles are for a PostgreSQL catalog)",
	              sc->path);
	return CATALOG_EINVAL;
}

/* ---- tiers ------------------------------------------------------------- */

static int sqlite_tier_put_impl(void *self, const struct catalog_tier *tier,
                                char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc = sqlite_write_begin(sc, err);

	if (rc != CATALOG_OK)
		return rc;
	rc =
	    sqlite_prepare(sc,
	                   "INSERT INTO tiers (name, rto_s, rpo_s) "
	                   "VALUES (?1, ?2, ?3) ON CONFLICT (name) DO UPDATE "
	                   "SET rto_s = excluded.rto_s, rpo_s = excluded.rpo_s",
	                   &st, err);
	if (rc == CATALOG_OK) {
		sqlite3_bind_text(st, 1, tier->name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, tier->rto_s);
		sqlite3_bind_int64(st, 3, tier->rpo_s);
		rc = sqlite_run(sc, st, "saving a tier", err);
	}
	return sqlite_write_end(sc, rc, err);
}

static int sqlite_tier_list_impl(void *self, struct catalog_tier **out,
                                 size_t *n, char **err)
{
	struct sqlite_catalog *sc = self;
	struct catalog_tier *list = NULL;
	size_t count = 0;
	sqlite3_stmt *st;
	int rc = sqlite_prepare(
	    sc, "SELECT name, rto_s, rpo_s FROM tiers ORDER BY rto_s, name",
	    &st, err);

	*out = NULL;
	*n = 0;
	if (rc != CATALOG_OK)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct catalog_tier *t;

		list = xreallocarray(list, count + 1, sizeof(*list));
		t = &list[count++];
		memset(t, 0, sizeof(*t));
		sqlite_column_copy(st, 0, t->name, sizeof(t->name));
		t->rto_s = sqlite3_column_int64(st, 1);
		t->rpo_s = sqlite3_column_int64(st, 2);
	}
	rc = sqlite_status(sc->db, rc, "listing tiers", err);
	sqlite3_finalize(st);
	if (rc != CATALOG_OK) {
		free(list);
		return rc;
	}
	*out = list;
	*n = count;
	return CATALOG_OK;
}

/* ---- services ---------------------------------------------------------- */

#define SERVICE_COLUMNS                                                        \
	"name, tier, owner, rto_s, rpo_s, backup_frequency_s, "                \
	"drill_policy_s, "                                                     \
	"created_at"

static void read_service(sqlite3_stmt *st, int col, struct catalog_service *s)
{
	memset(s, 0, sizeof(*s));
	sqlite_column_copy(st, col + 0, s->name, sizeof(s->name));
	sqlite_column_copy(st, col + 1, s->tier, sizeof(s->tier));
	sqlite_column_copy(st, col + 2, s->owner, sizeof(s->owner));
	s->rto_s = sqlite3_column_int64(st, col + 3);
	s->rpo_s = sqlite3_column_int64(st, col + 4);
	s->backup_frequency_s = sqlite3_column_int64(st, col + 5);
	s->drill_policy_s = sqlite3_column_int64(st, col + 6);
	s->created_at = sqlite_column_time(st, col + 7);
}

static int write_service(struct sqlite_catalog *sc,
                         const struct catalog_service *s, int replace,
                         char **err)
{
	static const char insert[] =
	    "INSERT INTO services (" SERVICE_COLUMNS ", updated_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
	static const char upsert[] =
	    "INSERT INTO services (" SERVICE_COLUMNS ", updated_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
	    "ON CONFLICT (name) DO UPDATE SET tier = excluded.tier, "
	    "owner = excluded.owner, rto_s = excluded.rto_s, "
	    "rpo_s = excluded.rpo_s, "
	    "backup_frequency_s = excluded.backup_frequency_s, "
	    "drill_policy_s = excluded.drill_policy_s, "
	    "updated_at = excluded.updated_at";
	sqlite3_stmt *st;
	int64_t now = now_s();
	int rc = sqlite_write_begin(sc, err);

	if (rc != CATALOG_OK)
		return rc;
	rc = sqlite_prepare(sc, replace ? upsert : insert, &st, err);
	if (rc == CATALOG_OK) {
		sqlite3_bind_text(st, 1, s->name, -1, SQLITE_TRANSIENT);
		sqlite_bind_text_or_null(st, 2, s->tier);
		sqlite3_bind_text(st, 3, s->owner, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 4, s->rto_s);
		sqlite3_bind_int64(st, 5, s->rpo_s);
		sqlite3_bind_int64(st, 6, s->backup_frequency_s);
		sqlite3_bind_int64(st, 7, s->drill_policy_s);
		sqlite_bind_time(st, 8, s->created_at ? s->created_at : now);
		sqlite_bind_time(st, 9, now);
		rc = sqlite_run(sc, st, "saving a service", err);
		if (rc == CATALOG_EEXIST)
			sqlite_seterr(err, "service %s already exists",
			              s->name);
		else if (rc == CATALOG_EINVAL)
			sqlite_seterr(err,
			              "service %s: invalid value (a name of 1 "
			              "to 63 characters and durations >= 0 "
			              "expected)",
			              s->name);
	}
	return sqlite_write_end(sc, rc, err);
}

static int sqlite_service_add_impl(void *self, const struct catalog_service *s,
                                   char **err)
{
	return write_service(self, s, 0, err);
}

static int sqlite_service_put_impl(void *self, const struct catalog_service *s,
                                   char **err)
{
	return write_service(self, s, 1, err);
}

static int sqlite_service_get_impl(void *self, const char *name,
                                   struct catalog_service *out, char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc = sqlite_prepare(
	    sc, "SELECT " SERVICE_COLUMNS " FROM services WHERE name = ?1", &st,
	    err);

	if (rc != CATALOG_OK)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	rc = step_row(sc, st, "reading a service", err);
	if (rc == CATALOG_OK)
		read_service(st, 0, out);
	else if (rc == CATALOG_ENOTFOUND)
		sqlite_seterr(err, "no service named %s", name);
	sqlite3_finalize(st);
	return rc;
}

static int sqlite_service_list_impl(void *self, struct catalog_service **out,
                                    size_t *n, char **err)
{
	struct sqlite_catalog *sc = self;
	struct catalog_service *list = NULL;
	size_t count = 0;
	sqlite3_stmt *st;
	int rc = sqlite_prepare(
	    sc, "SELECT " SERVICE_COLUMNS " FROM services ORDER BY name", &st,
	    err);

	*out = NULL;
	*n = 0;
	if (rc != CATALOG_OK)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		list = xreallocarray(list, count + 1, sizeof(*list));
		read_service(st, 0, &list[count++]);
	}
	rc = sqlite_status(sc->db, rc, "listing services", err);
	sqlite3_finalize(st);
	if (rc != CATALOG_OK) {
		free(list);
		return rc;
	}
	*out = list;
	*n = count;
	return CATALOG_OK;
}

/* Runs one statement with the service name as ?1. */
static int run_for_service(struct sqlite_catalog *sc, const char *sql,
                           const char *name, const char *what, char **err)
{
	sqlite3_stmt *st;
	int rc = sqlite_prepare(sc, sql, &st, err);

	if (rc != CATALOG_OK)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	return sqlite_run(sc, st, what, err);
}

static int sqlite_service_remove_impl(void *self, const char *name, int purge,
                                      char **err)
{
	static const char history[] =
	    "SELECT EXISTS (SELECT 1 FROM services WHERE name = ?1), "
	    "EXISTS (SELECT 1 FROM backup_management "
	    "        WHERE service_name = ?1) "
	    "OR EXISTS (SELECT 1 FROM replication_history "
	    "           WHERE service_name = ?1) "
	    "OR EXISTS (SELECT 1 FROM health_history "
	    "           WHERE service_name = ?1) "
	    "OR EXISTS (SELECT 1 FROM restores WHERE service_name = ?1)";
	static const char *const purges[] = {
	    "DELETE FROM restores WHERE service_name = ?1",
	    "DELETE FROM backup_management WHERE service_name = ?1",
	    "DELETE FROM replication_history WHERE service_name = ?1",
	    "DELETE FROM replication_links WHERE service_name = ?1",
	    "DELETE FROM health_history WHERE service_name = ?1",
	    "DELETE FROM health_keys WHERE service_name = ?1",
	    "DELETE FROM backup_health_monitoring WHERE service_name = ?1",
	    "DELETE FROM services WHERE name = ?1",
	};
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc = sqlite_write_begin(sc, err), exists = 0, has_history = 0;
	size_t i;

	if (rc != CATALOG_OK)
		return rc;
	rc = sqlite_prepare(sc, history, &st, err);
	if (rc == CATALOG_OK) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
		rc = step_row(sc, st, "removing a service", err);
		if (rc == CATALOG_OK) {
			exists = sqlite3_column_int(st, 0);
			has_history = sqlite3_column_int(st, 1);
		}
		sqlite3_finalize(st);
	}
	if (rc == CATALOG_OK && !exists) {
		sqlite_seterr(err, "no service named %s", name);
		rc = CATALOG_ENOTFOUND;
	}
	if (rc == CATALOG_OK && has_history && !purge) {
		sqlite_seterr(err,
		              "service %s has backups or samples recorded; "
		              "removing it needs purge, which deletes them",
		              name);
		rc = CATALOG_EBUSY;
	}
	for (i = 0; rc == CATALOG_OK && i < sizeof(purges) / sizeof(*purges);
	     i++)
		rc = run_for_service(sc, purges[i], name, "removing a service",
		                     err);
	return sqlite_write_end(sc, rc, err);
}

/* ---- backups ----------------------------------------------------------- */

#define BACKUP_COLUMNS                                                         \
	"backup_id, tenant_id, service_name, backup_type, backup_status, "     \
	"backup_location, backup_size, compression_ratio, started_at, "        \
	"completed_at, checksum, retention_until, metadata, created_at, "      \
	"updated_at"

static void read_backup(sqlite3_stmt *st, struct catalog_backup *b)
{
	memset(b, 0, sizeof(*b));
	sqlite_column_copy(st, 0, b->backup_id, sizeof(b->backup_id));
	sqlite_column_copy(st, 1, b->tenant_id, sizeof(b->tenant_id));
	sqlite_column_copy(st, 2, b->service, sizeof(b->service));
	sqlite_column_copy(st, 3, b->type, sizeof(b->type));
	sqlite_column_copy(st, 4, b->status, sizeof(b->status));
	b->location = sqlite_column_dup(st, 5);
	b->size_bytes = sqlite_column_int64_or(st, 6, -1);
	b->compression_ratio = sqlite_column_double_or(st, 7, 0);
	b->started_at = sqlite_column_time(st, 8);
	b->completed_at = sqlite_column_time(st, 9);
	sqlite_column_copy(st, 10, b->checksum, sizeof(b->checksum));
	b->retention_until = sqlite_column_time(st, 11);
	b->metadata = sqlite_column_dup(st, 12);
	b->created_at = sqlite_column_time(st, 13);
	b->updated_at = sqlite_column_time(st, 14);
}

/* Binds ?2..?14 of an insert or update of backup b (?1 is backup_id). */
static void bind_backup(sqlite3_stmt *st, const struct catalog_backup *b,
                        int64_t now)
{
	sqlite3_bind_text(st, 2,
	                  b->tenant_id[0] ? b->tenant_id : DEFAULT_TENANT, -1,
	                  SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, b->service, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, b->type, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, b->status, -1, SQLITE_TRANSIENT);
	sqlite_bind_text(st, 6, b->location);
	bind_int64_none(st, 7, b->size_bytes, -1);
	if (b->compression_ratio == 0)
		sqlite3_bind_null(st, 8);
	else
		sqlite3_bind_double(st, 8, b->compression_ratio);
	sqlite_bind_time(st, 9, b->started_at);
	sqlite_bind_time(st, 10, b->completed_at);
	sqlite_bind_text_or_null(st, 11, b->checksum);
	sqlite_bind_time(st, 12, b->retention_until);
	sqlite_bind_text(st, 13, b->metadata);
	sqlite_bind_time(st, 14, now);
}

/* A constraint failure on a backup, said in the caller's terms. */
static int backup_constraint(struct sqlite_catalog *sc, int rc,
                             const struct catalog_backup *b, char **err)
{
	if (rc == CATALOG_EEXIST) {
		sqlite_seterr(err, "backup %s already exists", b->backup_id);
	} else if (rc == CATALOG_EINVAL && sqlite3_extended_errcode(sc->db) ==
	                                       SQLITE_CONSTRAINT_FOREIGNKEY) {
		sqlite_seterr(err, "backup %s: no service named %s",
		              b->backup_id, b->service);
		rc = CATALOG_ENOTFOUND;
	} else if (rc == CATALOG_EINVAL) {
		sqlite_seterr(err,
		              "backup %s: invalid value (type '%s' must be "
		              "full, incremental or differential; status "
		              "'%s' must be pending, running, completed, "
		              "failed, verified, expired or corrupt; size "
		              ">= 0)",
		              b->backup_id, b->type, b->status);
	}
	return rc;
}

static int sqlite_backup_insert_impl(void *self, const struct catalog_backup *b,
                                     char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int64_t now = now_s();
	int rc = sqlite_write_begin(sc, err);

	if (rc != CATALOG_OK)
		return rc;
	rc = sqlite_prepare_cached(
	    sc,
	    "INSERT INTO backup_management (" BACKUP_COLUMNS
	    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
	    "?10, ?11, ?12, ?13, ?14, ?14)",
	    &st, err);
	if (rc == CATALOG_OK) {
		sqlite3_bind_text(st, 1, b->backup_id, -1, SQLITE_TRANSIENT);
		bind_backup(st, b, now);
		rc = sqlite_run(sc, st, "recording a backup", err);
		rc = backup_constraint(sc, rc, b, err);
	}
	return sqlite_write_end(sc, rc, err);
}

static int sqlite_backup_update_impl(void *self, const struct catalog_backup *b,
                                     char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int64_t now = now_s();
	int rc = sqlite_write_begin(sc, err);

	if (rc != CATALOG_OK)
		return rc;
	rc = sqlite_prepare(
	    sc,
	    "UPDATE backup_management SET tenant_id = ?2, "
	    "service_name = ?3, backup_type = ?4, backup_status = ?5, "
	    "backup_location = ?6, backup_size = ?7, "
	    "compression_ratio = ?8, started_at = ?9, completed_at = ?10, "
	    "checksum = ?11, retention_until = ?12, metadata = ?13, "
	    "updated_at = ?14 WHERE backup_id = ?1",
	    &st, err);
	if (rc == CATALOG_OK) {
		sqlite3_bind_text(st, 1, b->backup_id, -1, SQLITE_TRANSIENT);
		bind_backup(st, b, now);
		rc = sqlite_run(sc, st, "updating a backup", err);
		rc = backup_constraint(sc, rc, b, err);
	}
	if (rc == CATALOG_OK && sqlite3_changes(sc->db) == 0) {
		sqlite_seterr(err, "no backup %s", b->backup_id);
		rc = CATALOG_ENOTFOUND;
	}
	return sqlite_write_end(sc, rc, err);
}

static int sqlite_backup_get_impl(void *self, const char *backup_id,
                                  struct catalog_backup *out, char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc = sqlite_prepare(sc,
	                        "SELECT " BACKUP_COLUMNS
	                        " FROM backup_management WHERE backup_id = ?1",
	                        &st, err);

	memset(out, 0, sizeof(*out));
	if (rc != CATALOG_OK)
		return rc;
	sqlite3_bind_text(st, 1, backup_id, -1, SQLITE_TRANSIENT);
	rc = step_row(sc, st, "reading a backup", err);
	if (rc == CATALOG_OK)
		read_backup(st, out);
	else if (rc == CATALOG_ENOTFOUND)
		sqlite_seterr(err, "no backup %s", backup_id);
	sqlite3_finalize(st);
	return rc;
}

/* SELECT `what` FROM backup_management with the filter's conditions, as
 * ?1 service, ?2 status, ?3 type, ?4 since. */
static char *backup_filter_sql(const char *what,
                               const struct catalog_backup_filter *f,
                               int ordered)
{
	/* Any of a list of services: ?7, ?8, ... */
	char in[512] = "";
	size_t used = 0;
	for (size_t i = 0; f && i < f->n_services && i < 32; i++) {
		int n = snprintf(in + used, sizeof in - used, "%s?%zu",
		                 i ? ", " : " AND service_name IN (", 7 + i);
		if (n < 0 || (size_t)n >= sizeof in - used)
			break;
		used += (size_t)n;
	}
	if (used > 0 && used + 2 < sizeof in)
		memcpy(in + used, ")", 2);
	return xasprintf(
	    "SELECT %s FROM backup_management WHERE 1%s%s%s%s%s%s%s", what, in,
	    f && f->service ? " AND service_name = ?1" : "",
	    f && f->status ? " AND backup_status = ?2" : "",
	    f && f->type ? " AND backup_type = ?3" : "",
	    f && f->since ? " AND started_at >= ?4" : "",
	    !ordered               ? ""
	    : f && f->oldest_first ? " ORDER BY started_at, rowid"
	                           : " ORDER BY started_at DESC, rowid DESC",
	    ordered ? " LIMIT ?5 OFFSET ?6" : "");
}

static void bind_backup_filter(sqlite3_stmt *st,
                               const struct catalog_backup_filter *f,
                               int ordered)
{
	if (f != NULL) {
		if (f->service)
			sqlite3_bind_text(st, 1, f->service, -1,
			                  SQLITE_TRANSIENT);
		if (f->status)
			sqlite3_bind_text(st, 2, f->status, -1,
			                  SQLITE_TRANSIENT);
		if (f->type)
			sqlite3_bind_text(st, 3, f->type, -1, SQLITE_TRANSIENT);
		if (f->since)
			sqlite_bind_time(st, 4, f->since);
		for (size_t i = 0; i < f->n_services && i < 32; i++)
			sqlite3_bind_text(st, 7 + (int)i, f->services[i], -1,
			                  SQLITE_TRANSIENT);
	}
	if (ordered) {
		sqlite3_bind_int64(st, 5,
		                   f && f->limit ? (int64_t)f->limit : -1);
		sqlite3_bind_int64(st, 6, f ? (int64_t)f->offset : 0);
	}
}

static int sqlite_backup_list_impl(void *self,
                                   const struct catalog_backup_filter *f,
                                   struct catalog_backup **out, size_t *n,
                                   char **err)
{
	struct sqlite_catalog *sc = self;
	struct catalog_backup *list = NULL;
	size_t count = 0;
	sqlite3_stmt *st;
	char *sql = backup_filter_sql(BACKUP_COLUMNS, f, 1);
	int rc = sqlite_prepare(sc, sql, &st, err);

	free(sql);
	*out = NULL;
	*n = 0;
	if (rc != CATALOG_OK)
		return rc;
	bind_backup_filter(st, f, 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		list = xreallocarray(list, count + 1, sizeof(*list));
		read_backup(st, &list[count++]);
	}
	rc = sqlite_status(sc->db, rc, "listing backups", err);
	sqlite3_finalize(st);
	if (rc != CATALOG_OK) {
		catalog_backups_free(list, count);
		return rc;
	}
	*out = list;
	*n = count;
	return CATALOG_OK;
}

static int sqlite_backup_count_impl(void *self,
                                    const struct catalog_backup_filter *f,
                                    int64_t *count, char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	char *sql = backup_filter_sql("count(*)", f, 0);
	int rc = sqlite_prepare(sc, sql, &st, err);

	free(sql);
	*count = 0;
	if (rc != CATALOG_OK)
		return rc;
	bind_backup_filter(st, f, 0);
	rc = step_row(sc, st, "counting backups", err);
	if (rc == CATALOG_OK)
		*count = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc;
}

/* ---- backup health ----------------------------------------------------- */

#define HEALTH_COLUMNS                                                         \
	"service_name, backup_frequency_s, last_successful_backup, "           \
	"backup_streak, failure_count, health_status, storage_usage_gb, "      \
	"storage_quota_gb, estimated_full_recovery_s, last_recovery_test, "    \
	"alerts_enabled, updated_at"

static void read_health(sqlite3_stmt *st, int col, struct catalog_health *h)
{
	memset(h, 0, sizeof(*h));
	sqlite_column_copy(st, col + 0, h->service, sizeof(h->service));
	h->backup_frequency_s = sqlite3_column_int64(st, col + 1);
	h->last_successful_backup = sqlite_column_time(st, col + 2);
	h->backup_streak = sqlite3_column_int(st, col + 3);
	h->failure_count = sqlite3_column_int(st, col + 4);
	sqlite_column_copy(st, col + 5, h->health_status,
	                   sizeof(h->health_status));
	h->storage_usage_gb = sqlite_column_double_or(st, col + 6, 0);
	h->storage_quota_gb = sqlite_column_double_or(st, col + 7, 0);
	h->estimated_full_recovery_s = sqlite_column_int64_or(st, col + 8, -1);
	h->last_recovery_test = sqlite_column_time(st, col + 9);
	h->alerts_enabled = sqlite_column_int64_or(st, col + 10, 1) != 0;
	h->updated_at = sqlite_column_time(st, col + 11);
}

static int sqlite_health_get_impl(void *self, const char *service,
                                  struct catalog_health *out, char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc = sqlite_prepare(sc,
	                        "SELECT " HEALTH_COLUMNS
	                        " FROM backup_health_monitoring "
	                        "WHERE service_name = ?1",
	                        &st, err);

	if (rc != CATALOG_OK)
		return rc;
	sqlite3_bind_text(st, 1, service, -1, SQLITE_TRANSIENT);
	rc = step_row(sc, st, "reading backup health", err);
	if (rc == CATALOG_OK)
		read_health(st, 0, out);
	else if (rc == CATALOG_ENOTFOUND)
		sqlite_seterr(err, "no backup health for service %s", service);
	sqlite3_finalize(st);
	return rc;
}

/* ---- replication history ----------------------------------------------- */

void sqlite_read_replication(sqlite3_stmt *st, int col,
                             struct catalog_replication *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, col + 0);
	sqlite_column_copy(st, col + 1, r->service, sizeof(r->service));
	sqlite_column_copy(st, col + 2, r->source, sizeof(r->source));
	sqlite_column_copy(st, col + 3, r->target, sizeof(r->target));
	sqlite_column_copy(st, col + 4, r->state, sizeof(r->state));
	r->lag_s = sqlite_column_double_or(st, col + 5, -1);
	r->lag_bytes = sqlite_column_int64_or(st, col + 6, -1);
	r->sampled_at = sqlite_column_time(st, col + 7);
	sqlite_column_copy(st, col + 8, r->kind, sizeof(r->kind));
}

static int sqlite_replication_record_impl(void *self,
                                          const struct catalog_replication *r,
                                          char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc = sqlite_write_begin(sc, err);

	if (rc != CATALOG_OK)
		return rc;
	rc = sqlite_prepare(sc,
	                    "INSERT INTO replication_history (service_name, "
	                    "source, target, state, lag_s, lag_bytes, "
	                    "sampled_at, kind) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
	                    "?7, ?8)",
	                    &st, err);
	if (rc == CATALOG_OK) {
		sqlite_bind_text_or_null(st, 1, r->service);
		sqlite3_bind_text(st, 2, r->source, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, r->target, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 4, r->state[0] ? r->state : "unknown", -1,
		                  SQLITE_TRANSIENT);
		if (r->lag_s < 0)
			sqlite3_bind_null(st, 5);
		else
			sqlite3_bind_double(st, 5, r->lag_s);
		bind_int64_none(st, 6, r->lag_bytes < 0 ? -1 : r->lag_bytes,
		                -1);
		sqlite_bind_time(st, 7,
		                 r->sampled_at ? r->sampled_at : now_s());
		sqlite3_bind_text(st, 8, r->kind[0] ? r->kind : "replica", -1,
		                  SQLITE_TRANSIENT);
		rc = sqlite_run(sc, st, "recording a replication sample", err);
		if (rc == CATALOG_EINVAL && sqlite3_extended_errcode(sc->db) ==
		                                SQLITE_CONSTRAINT_FOREIGNKEY) {
			sqlite_seterr(err, "no service named %s", r->service);
			rc = CATALOG_ENOTFOUND;
		} else if (rc == CATALOG_EINVAL) {
			sqlite_seterr(err,
			              "replication sample: state '%s' must be "
			              "streaming, catchup, stopped, down or "
			              "unknown",
			              r->state);
		}
	}
	return sqlite_write_end(sc, rc, err);
}

static int list_replication(struct sqlite_catalog *sc, sqlite3_stmt *st,
                            struct catalog_replication **out, size_t *n,
                            char **err)
{
	struct catalog_replication *list = NULL;
	size_t count = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		list = xreallocarray(list, count + 1, sizeof(*list));
		sqlite_read_replication(st, 0, &list[count++]);
	}
	rc = sqlite_status(sc->db, rc, "reading replication samples", err);
	sqlite3_finalize(st);
	if (rc != CATALOG_OK) {
		free(list);
		return rc;
	}
	*out = list;
	*n = count;
	return CATALOG_OK;
}

static int sqlite_replication_latest_impl(void *self,
                                          struct catalog_replication **out,
                                          size_t *n, char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc = sqlite_prepare(
	    sc,
	    "SELECT " SQLITE_REPLICATION_COLUMNS " FROM replication_keys k "
	    "JOIN replication_history h ON h.id = (SELECT h2.id FROM "
	    "replication_history h2 WHERE h2.source = k.source AND "
	    "h2.target = k.target ORDER BY h2.sampled_at DESC, h2.id DESC "
	    "LIMIT 1) ORDER BY k.source, k.target",
	    &st, err);

	*out = NULL;
	*n = 0;
	if (rc != CATALOG_OK)
		return rc;
	return list_replication(sc, st, out, n, err);
}

static int sqlite_replication_history_impl(void *self, const char *source,
                                           const char *target, int64_t since,
                                           struct catalog_replication **out,
                                           size_t *n, char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc = sqlite_prepare(sc,
	                        "SELECT " SQLITE_REPLICATION_COLUMNS
	                        " FROM replication_history h WHERE source = ?1 "
	                        "AND target = ?2 AND sampled_at >= ?3 "
	                        "ORDER BY sampled_at, id",
	                        &st, err);

	*out = NULL;
	*n = 0;
	if (rc != CATALOG_OK)
		return rc;
	sqlite3_bind_text(st, 1, source, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, target, -1, SQLITE_TRANSIENT);
	if (since)
		sqlite_bind_time(st, 3, since);
	else
		sqlite3_bind_text(st, 3, "", -1, SQLITE_STATIC);
	return list_replication(sc, st, out, n, err);
}

/* Deletes rows sampled before `before`, then the keys left without rows. */
static int prune(struct sqlite_catalog *sc, const char *delete_sql,
                 const char *keys_sql, int64_t before, int64_t *deleted,
                 char **err)
{
	sqlite3_stmt *st;
	int rc = sqlite_write_begin(sc, err);

	*deleted = 0;
	if (rc != CATALOG_OK)
		return rc;
	rc = sqlite_prepare(sc, delete_sql, &st, err);
	if (rc == CATALOG_OK) {
		sqlite_bind_time(st, 1, before);
		rc = sqlite_run(sc, st, "pruning history", err);
	}
	if (rc == CATALOG_OK) {
		*deleted = sqlite3_changes(sc->db);
		rc = sqlite_exec(sc, keys_sql, "pruning history", err);
	}
	return sqlite_write_end(sc, rc, err);
}

static int sqlite_replication_prune_impl(void *self, int64_t before,
                                         int64_t *deleted, char **err)
{
	return prune(self,
	             "DELETE FROM replication_history WHERE sampled_at < ?1",
	             "DELETE FROM replication_keys WHERE NOT EXISTS (SELECT 1 "
	             "FROM replication_history h WHERE h.source = "
	             "replication_keys.source AND h.target = "
	             "replication_keys.target)",
	             before, deleted, err);
}

/* ---- probe results (health_history) ----------------------------------- */

#define PROBE_COLUMNS                                                          \
	"id, service_name, probe, kind, ok, latency_ms, value, message, "      \
	"sampled_at"

static void read_probe(sqlite3_stmt *st, struct catalog_probe_result *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	sqlite_column_copy(st, 1, r->service, sizeof(r->service));
	sqlite_column_copy(st, 2, r->probe, sizeof(r->probe));
	sqlite_column_copy(st, 3, r->kind, sizeof(r->kind));
	r->ok = sqlite3_column_int(st, 4);
	r->latency_ms = sqlite_column_double_or(st, 5, -1);
	r->value = sqlite_column_double_or(st, 6, 0);
	sqlite_column_copy(st, 7, r->message, sizeof(r->message));
	r->sampled_at = sqlite_column_time(st, 8);
}

static int sqlite_probe_record_impl(void *self,
                                    const struct catalog_probe_result *r,
                                    char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc = sqlite_write_begin(sc, err);

	if (rc != CATALOG_OK)
		return rc;
	rc = sqlite_prepare(sc,
	                    "INSERT INTO health_history (service_name, probe, "
	                    "kind, ok, latency_ms, value, message, sampled_at) "
	                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	                    &st, err);
	if (rc == CATALOG_OK) {
		sqlite3_bind_text(st, 1, r->service, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, r->probe, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, r->kind, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 4, r->ok != 0);
		if (r->latency_ms < 0)
			sqlite3_bind_null(st, 5);
		else
			sqlite3_bind_double(st, 5, r->latency_ms);
		sqlite3_bind_double(st, 6, r->value);
		sqlite3_bind_text(st, 7, r->message, -1, SQLITE_TRANSIENT);
		sqlite_bind_time(st, 8,
		                 r->sampled_at ? r->sampled_at : now_s());
		rc = sqlite_run(sc, st, "recording a probe result", err);
		if (rc == CATALOG_EINVAL && sqlite3_extended_errcode(sc->db) ==
		                                SQLITE_CONSTRAINT_FOREIGNKEY) {
			sqlite_seterr(err, "no service named %s", r->service);
			rc = CATALOG_ENOTFOUND;
		} else if (rc == CATALOG_EINVAL) {
			sqlite_seterr(err,
			              "probe result: kind '%s' must be http, "
			              "tcp, postgres or command",
			              r->kind);
		}
	}
	return sqlite_write_end(sc, rc, err);
}

static int sqlite_probe_latest_impl(void *self,
                                    struct catalog_probe_result **out,
                                    size_t *n, char **err)
{
	struct sqlite_catalog *sc = self;
	struct catalog_probe_result *list = NULL;
	size_t count = 0;
	sqlite3_stmt *st;
	int rc = sqlite_prepare(
	    sc,
	    "SELECT r.id, r.service_name, r.probe, r.kind, r.ok, "
	    "r.latency_ms, r.value, r.message, r.sampled_at "
	    "FROM health_keys k JOIN health_history r ON r.id = "
	    "(SELECT h.id FROM health_history h WHERE h.service_name = "
	    "k.service_name AND h.probe = k.probe ORDER BY h.sampled_at "
	    "DESC, h.id DESC LIMIT 1) ORDER BY k.service_name, k.probe",
	    &st, err);

	*out = NULL;
	*n = 0;
	if (rc != CATALOG_OK)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		list = xreallocarray(list, count + 1, sizeof(*list));
		read_probe(st, &list[count++]);
	}
	rc = sqlite_status(sc->db, rc, "reading probe results", err);
	sqlite3_finalize(st);
	if (rc != CATALOG_OK) {
		free(list);
		return rc;
	}
	*out = list;
	*n = count;
	return CATALOG_OK;
}

static int sqlite_probe_prune_impl(void *self, int64_t before, int64_t *deleted,
                                   char **err)
{
	return prune(self, "DELETE FROM health_history WHERE sampled_at < ?1",
	             "DELETE FROM health_keys WHERE NOT EXISTS (SELECT 1 "
	             "FROM health_history h WHERE h.service_name = "
	             "health_keys.service_name AND h.probe = "
	             "health_keys.probe)",
	             before, deleted, err);
}

/* ---- recoveries -------------------------------------------------------- */

#define RECOVERY_COLUMNS                                                       \
	"recovery_id, tenant_id, incident_type, affected_services, "           \
	"recovery_procedure, recovery_status, rto_target_s, rpo_target_s, "    \
	"actual_recovery_s, data_loss_minutes, initiated_by, "                 \
	"incident_started_at, initiated_at, completed_at, recovery_notes, "    \
	"lessons_learned, is_drill, updated_at"

static void read_recovery(sqlite3_stmt *st, struct catalog_recovery *r)
{
	memset(r, 0, sizeof(*r));
	sqlite_column_copy(st, 0, r->recovery_id, sizeof(r->recovery_id));
	sqlite_column_copy(st, 1, r->tenant_id, sizeof(r->tenant_id));
	sqlite_column_copy(st, 2, r->incident_type, sizeof(r->incident_type));
	r->affected_services = sqlite_column_dup(st, 3);
	sqlite_column_copy(st, 4, r->recovery_procedure,
	                   sizeof(r->recovery_procedure));
	sqlite_column_copy(st, 5, r->recovery_status,
	                   sizeof(r->recovery_status));
	r->rto_target_s = sqlite_column_int64_or(st, 6, 0);
	r->rpo_target_s = sqlite_column_int64_or(st, 7, 0);
	r->actual_recovery_s = sqlite_column_int64_or(st, 8, -1);
	r->data_loss_minutes = sqlite_column_double_or(st, 9, -1);
	sqlite_column_copy(st, 10, r->initiated_by, sizeof(r->initiated_by));
	r->incident_started_at = sqlite_column_time(st, 11);
	r->initiated_at = sqlite_column_time(st, 12);
	r->completed_at = sqlite_column_time(st, 13);
	r->recovery_notes = sqlite_column_dup(st, 14);
	r->lessons_learned = sqlite_column_dup(st, 15);
	r->is_drill = sqlite3_column_int(st, 16);
	r->updated_at = sqlite_column_time(st, 17);
}

/* Binds ?2..?18 (?1 is recovery_id). */
static void bind_recovery(sqlite3_stmt *st, const struct catalog_recovery *r,
                          int64_t now)
{
	sqlite3_bind_text(st, 2,
	                  r->tenant_id[0] ? r->tenant_id : DEFAULT_TENANT, -1,
	                  SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, r->incident_type, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4,
	                  r->affected_services ? r->affected_services : "", -1,
	                  SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, r->recovery_procedure, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(
	    st, 6, r->recovery_status[0] ? r->recovery_status : "initiated", -1,
	    SQLITE_TRANSIENT);
	bind_int64_none(st, 7, r->rto_target_s, 0);
	bind_int64_none(st, 8, r->rpo_target_s, 0);
	bind_int64_none(
	    st, 9, r->actual_recovery_s < 0 ? -1 : r->actual_recovery_s, -1);
	if (r->data_loss_minutes < 0)
		sqlite3_bind_null(st, 10);
	else
		sqlite3_bind_double(st, 10, r->data_loss_minutes);
	sqlite3_bind_text(st, 11, r->initiated_by, -1, SQLITE_TRANSIENT);
	sqlite_bind_time(st, 12, r->incident_started_at);
	sqlite_bind_time(st, 13, r->initiated_at ? r->initiated_at : now);
	sqlite_bind_time(st, 14, r->completed_at);
	sqlite_bind_text(st, 15, r->recovery_notes);
	sqlite_bind_text(st, 16, r->lessons_learned);
	sqlite3_bind_int(st, 17, r->is_drill != 0);
	sqlite_bind_time(st, 18, now);
}

/* Rewrites the recovery's rows in recovery_services from the
 * comma-separated affected_services. */
static int index_recovery_services(struct sqlite_catalog *sc,
                                   const struct catalog_recovery *r, char **err)
{
	sqlite3_stmt *st;
	const char *p = r->affected_services ? r->affected_services : "";
	int rc = sqlite_prepare(
	    sc, "DELETE FROM recovery_services WHERE recovery_id = ?1", &st,
	    err);

	if (rc != CATALOG_OK)
		return rc;
	sqlite3_bind_text(st, 1, r->recovery_id, -1, SQLITE_TRANSIENT);
	rc = sqlite_run(sc, st, "indexing a recovery", err);
	while (rc == CATALOG_OK && *p != '\0') {
		size_t len;

		p += strspn(p, ", \t");
		len = strcspn(p, ",");
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len > 0) {
			rc = sqlite_prepare(sc,
			                    "INSERT OR IGNORE INTO "
			                    "recovery_services (service_name, "
			                    "recovery_id) VALUES (?1, ?2)",
			                    &st, err);
			if (rc != CATALOG_OK)
				break;
			sqlite3_bind_text(st, 1, p, (int)len, SQLITE_TRANSIENT);
			sqlite3_bind_text(st, 2, r->recovery_id, -1,
			                  SQLITE_TRANSIENT);
			rc = sqlite_run(sc, st, "indexing a recovery", err);
		}
		p += strcspn(p, ",");
	}
	return rc;
}

static int recovery_constraint(int rc, const struct catalog_recovery *r,
                               char **err)
{
	if (rc == CATALOG_EEXIST)
		sqlite_seterr(err, "recovery %s already exists",
		              r->recovery_id);
	else if (rc == CATALOG_EINVAL)
		sqlite_seterr(err,
		              "recovery %s: invalid value (status '%s' must "
		              "be initiated, in_progress, completed, failed, "
		              "aborted or rolled_back; an incident type is "
		              "required)",
		              r->recovery_id, r->recovery_status);
	return rc;
}

static int sqlite_recovery_insert_impl(void *self,
                                       const struct catalog_recovery *r,
                                       char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int64_t now = now_s();
	int rc = sqlite_write_begin(sc, err);

	if (rc != CATALOG_OK)
		return rc;
	rc = sqlite_prepare(
	    sc,
	    "INSERT INTO disaster_recovery_log (" RECOVERY_COLUMNS
	    ", created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
	    "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
	    "?17, ?18, ?18)",
	    &st, err);
	if (rc == CATALOG_OK) {
		sqlite3_bind_text(st, 1, r->recovery_id, -1, SQLITE_TRANSIENT);
		bind_recovery(st, r, now);
		rc = sqlite_run(sc, st, "recording a recovery", err);
		rc = recovery_constraint(rc, r, err);
	}
	if (rc == CATALOG_OK)
		rc = index_recovery_services(sc, r, err);
	return sqlite_write_end(sc, rc, err);
}

static int sqlite_recovery_update_impl(void *self,
                                       const struct catalog_recovery *r,
                                       char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int64_t now = now_s();
	int rc = sqlite_write_begin(sc, err);

	if (rc != CATALOG_OK)
		return rc;
	rc = sqlite_prepare(
	    sc,
	    "UPDATE disaster_recovery_log SET tenant_id = ?2, "
	    "incident_type = ?3, affected_services = ?4, "
	    "recovery_procedure = ?5, recovery_status = ?6, "
	    "rto_target_s = ?7, rpo_target_s = ?8, actual_recovery_s = ?9, "
	    "data_loss_minutes = ?10, initiated_by = ?11, "
	    "incident_started_at = ?12, initiated_at = ?13, "
	    "completed_at = ?14, recovery_notes = ?15, "
	    "lessons_learned = ?16, is_drill = ?17, updated_at = ?18 "
	    "WHERE recovery_id = ?1",
	    &st, err);
	if (rc == CATALOG_OK) {
		sqlite3_bind_text(st, 1, r->recovery_id, -1, SQLITE_TRANSIENT);
		bind_recovery(st, r, now);
		rc = sqlite_run(sc, st, "updating a recovery", err);
		rc = recovery_constraint(rc, r, err);
	}
	if (rc == CATALOG_OK && sqlite3_changes(sc->db) == 0) {
		sqlite_seterr(err, "no recovery %s", r->recovery_id);
		rc = CATALOG_ENOTFOUND;
	}
	if (rc == CATALOG_OK)
		rc = index_recovery_services(sc, r, err);
	return sqlite_write_end(sc, rc, err);
}

static int sqlite_recovery_get_impl(void *self, const char *recovery_id,
                                    struct catalog_recovery *out, char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc = sqlite_prepare(sc,
	                        "SELECT " RECOVERY_COLUMNS
	                        " FROM disaster_recovery_log "
	                        "WHERE recovery_id = ?1",
	                        &st, err);

	memset(out, 0, sizeof(*out));
	if (rc != CATALOG_OK)
		return rc;
	sqlite3_bind_text(st, 1, recovery_id, -1, SQLITE_TRANSIENT);
	rc = step_row(sc, st, "reading a recovery", err);
	if (rc == CATALOG_OK)
		read_recovery(st, out);
	else if (rc == CATALOG_ENOTFOUND)
		sqlite_seterr(err, "no recovery %s", recovery_id);
	sqlite3_finalize(st);
	return rc;
}

static int sqlite_recovery_list_impl(void *self, size_t limit,
                                     struct catalog_recovery **out, size_t *n,
                                     char **err)
{
	struct sqlite_catalog *sc = self;
	struct catalog_recovery *list = NULL;
	size_t count = 0;
	sqlite3_stmt *st;
	int rc = sqlite_prepare(sc,
	                        "SELECT " RECOVERY_COLUMNS
	                        " FROM disaster_recovery_log ORDER BY "
	                        "initiated_at DESC, rowid DESC LIMIT ?1",
	                        &st, err);

	*out = NULL;
	*n = 0;
	if (rc != CATALOG_OK)
		return rc;
	sqlite3_bind_int64(st, 1, limit ? (int64_t)limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		list = xreallocarray(list, count + 1, sizeof(*list));
		read_recovery(st, &list[count++]);
	}
	rc = sqlite_status(sc->db, rc, "listing recoveries", err);
	sqlite3_finalize(st);
	if (rc != CATALOG_OK) {
		catalog_recoveries_free(list, count);
		return rc;
	}
	*out = list;
	*n = count;
	return CATALOG_OK;
}

/* The WHERE clause of a filtered list of recoveries: ?1 service, ?2
 * incident, ?3 since, ?4 drill (-1 any), ?5 text; NULL matches all. */
#define RECOVERY_FILTER                                                        \
	" WHERE (?1 IS NULL OR EXISTS (SELECT 1 FROM recovery_services s "     \
	"WHERE s.recovery_id = r.recovery_id AND s.service_name = ?1)) "       \
	"AND (?2 IS NULL OR r.incident_type = ?2) "                            \
	"AND (?3 IS NULL OR r.initiated_at >= ?3) "                            \
	"AND (?4 < 0 OR r.is_drill = ?4) "                                     \
	"AND (?5 IS NULL OR instr(lower(r.recovery_id || ' ' || "              \
	"r.recovery_procedure || ' ' || r.incident_type || ' ' || "            \
	"r.recovery_status || ' ' || r.initiated_by || ' ' || "                \
	"r.affected_services), lower(?5)) > 0)"

static void bind_recovery_filter(sqlite3_stmt *st,
                                 const struct catalog_recovery_filter *f)
{
	sqlite_bind_text_or_null(st, 1, f ? f->service : NULL);
	sqlite_bind_text_or_null(st, 2, f ? f->incident : NULL);
	sqlite_bind_time(st, 3, f ? f->since : 0);
	sqlite3_bind_int(st, 4, f && f->drill >= 0 ? (f->drill != 0) : -1);
	sqlite_bind_text_or_null(st, 5, f ? f->text : NULL);
}

static int sqlite_recovery_page_impl(void *self,
                                     const struct catalog_recovery_filter *f,
                                     size_t offset, size_t limit,
                                     struct catalog_recovery **out, size_t *n,
                                     size_t *total, char **err)
{
	struct sqlite_catalog *sc = self;
	struct catalog_recovery *list = NULL;
	size_t count = 0;
	sqlite3_stmt *st;
	int rc = sqlite_prepare(
	    sc, "SELECT count(*) FROM disaster_recovery_log r" RECOVERY_FILTER,
	    &st, err);

	*out = NULL;
	*n = 0;
	*total = 0;
	if (rc != CATALOG_OK)
		return rc;
	bind_recovery_filter(st, f);
	rc = step_row(sc, st, "counting recoveries", err);
	if (rc == CATALOG_OK)
		*total = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != CATALOG_OK)
		return rc;
	rc = sqlite_prepare(sc,
	                    "SELECT " RECOVERY_COLUMNS
	                    " FROM disaster_recovery_log r" RECOVERY_FILTER
	                    " ORDER BY initiated_at DESC, rowid DESC "
	                    "LIMIT ?6 OFFSET ?7",
	                    &st, err);
	if (rc != CATALOG_OK)
		return rc;
	bind_recovery_filter(st, f);
	sqlite3_bind_int64(st, 6, limit ? (int64_t)limit : -1);
	sqlite3_bind_int64(st, 7, (int64_t)offset);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		list = xreallocarray(list, count + 1, sizeof(*list));
		read_recovery(st, &list[count++]);
	}
	rc = sqlite_status(sc->db, rc, "listing recoveries", err);
	sqlite3_finalize(st);
	if (rc != CATALOG_OK) {
		catalog_recoveries_free(list, count);
		return rc;
	}
	*out = list;
	*n = count;
	return CATALOG_OK;
}

#define STEP_COLUMNS                                                           \
	"recovery_id, seq, step_id, phase, title, status, started_at, "        \
	"ended_at, exit_code, output_tail, confirmed_by, notes"

static int sqlite_recovery_step_put_impl(void *self,
                                         const struct catalog_recovery_step *s,
                                         char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc = sqlite_write_begin(sc, err);

	if (rc != CATALOG_OK)
		return rc;
	rc = sqlite_prepare(
	    sc,
	    "INSERT INTO recovery_steps (" STEP_COLUMNS ") VALUES (?1, ?2, "
	    "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
	    "ON CONFLICT (recovery_id, seq) DO UPDATE SET "
	    "step_id = excluded.step_id, phase = excluded.phase, "
	    "title = excluded.title, status = excluded.status, "
	    "started_at = excluded.started_at, "
	    "ended_at = excluded.ended_at, exit_code = excluded.exit_code, "
	    "output_tail = excluded.output_tail, "
	    "confirmed_by = excluded.confirmed_by, notes = excluded.notes",
	    &st, err);
	if (rc == CATALOG_OK) {
		sqlite3_bind_text(st, 1, s->recovery_id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 2, s->seq);
		sqlite3_bind_text(st, 3, s->step_id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 4, s->phase, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 5, s->title, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 6, s->status[0] ? s->status : "pending",
		                  -1, SQLITE_TRANSIENT);
		sqlite_bind_time(st, 7, s->started_at);
		sqlite_bind_time(st, 8, s->ended_at);
		bind_int64_none(st, 9, s->exit_code, -1);
		sqlite_bind_text(st, 10, s->output_tail);
		sqlite3_bind_text(st, 11, s->confirmed_by, -1,
		                  SQLITE_TRANSIENT);
		sqlite_bind_text(st, 12, s->notes);
		rc = sqlite_run(sc, st, "recording a recovery step", err);
		if (rc == CATALOG_EINVAL && sqlite3_extended_errcode(sc->db) ==
		                                SQLITE_CONSTRAINT_FOREIGNKEY) {
			sqlite_seterr(err, "no recovery %s", s->recovery_id);
			rc = CATALOG_ENOTFOUND;
		} else if (rc == CATALOG_EINVAL) {
			sqlite_seterr(err,
			              "recovery step %d: invalid value (seq "
			              "from 1; status '%s' must be pending, "
			              "running, completed, failed, skipped, "
			              "interrupted or rolled_back)",
			              s->seq, s->status);
		}
	}
	return sqlite_write_end(sc, rc, err);
}

static int sqlite_recovery_step_list_impl(void *self, const char *recovery_id,
                                          struct catalog_recovery_step **out,
                                          size_t *n, char **err)
{
	struct sqlite_catalog *sc = self;
	struct catalog_recovery_step *list = NULL;
	size_t count = 0;
	sqlite3_stmt *st;
	int rc = sqlite_prepare(sc,
	                        "SELECT " STEP_COLUMNS " FROM recovery_steps "
	                        "WHERE recovery_id = ?1 ORDER BY seq",
	                        &st, err);

	*out = NULL;
	*n = 0;
	if (rc != CATALOG_OK)
		return rc;
	sqlite3_bind_text(st, 1, recovery_id, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct catalog_recovery_step *s;

		list = xreallocarray(list, count + 1, sizeof(*list));
		s = &list[count++];
		memset(s, 0, sizeof(*s));
		sqlite_column_copy(st, 0, s->recovery_id,
		                   sizeof(s->recovery_id));
		s->seq = sqlite3_column_int(st, 1);
		sqlite_column_copy(st, 2, s->step_id, sizeof(s->step_id));
		sqlite_column_copy(st, 3, s->phase, sizeof(s->phase));
		sqlite_column_copy(st, 4, s->title, sizeof(s->title));
		sqlite_column_copy(st, 5, s->status, sizeof(s->status));
		s->started_at = sqlite_column_time(st, 6);
		s->ended_at = sqlite_column_time(st, 7);
		s->exit_code = (int)sqlite_column_int64_or(st, 8, -1);
		s->output_tail = sqlite_column_dup(st, 9);
		sqlite_column_copy(st, 10, s->confirmed_by,
		                   sizeof(s->confirmed_by));
		s->notes = sqlite_column_dup(st, 11);
	}
	rc = sqlite_status(sc->db, rc, "listing recovery steps", err);
	sqlite3_finalize(st);
	if (rc != CATALOG_OK) {
		catalog_recovery_steps_free(list, count);
		return rc;
	}
	*out = list;
	*n = count;
	return CATALOG_OK;
}

/* ---- per-service state ------------------------------------------------- */

/* One row per service.  Every subquery in `ids` is an index probe that reads
 * the newest matching row of one service (the statuses are probed one at a
 * time so that each is a plain range of
 * backup_management_service_status_completed read from its end); the outer
 * query joins those rows back by rowid. */
/* The newest good backup before now comes from backup_newest unless that
 * one lies in the future (clock skew): only then are the indexes read. */
_Static_assert(CATALOG_BACKUP_GOOD_COUNT == 2,
               "sqlite_service_states_sql probes each good status");
#define GOOD_BEFORE_NOW(col, status)                                           \
	" (SELECT b." col " FROM backup_management b WHERE"                    \
	"  b.service_name = s.name AND b.backup_status = '" status "' AND"     \
	"  b.completed_at <= ?1 ORDER BY b.completed_at DESC LIMIT 1)"

/* A backup's plain (uncompressed) size, where the catalog has it: the
 * plain_bytes drconsole's own backups record, the size an import records
 * (the data backed up, import.h), or size x compression ratio as `record
 * backup` reports them; NULL when none of these is known. */
#define PLAIN_BY_RATIO                                                         \
	" WHEN p.compression_ratio > 0 THEN"                                   \
	"  CAST(round(p.backup_size * p.compression_ratio) AS INTEGER)"
#define PLAIN_OF(id)                                                           \
	" (SELECT CASE WHEN json_valid(p.metadata) THEN CASE"                  \
	"  WHEN json_type(p.metadata, '$.plain_bytes') IN ('integer', 'real')" \
	"  THEN CAST(json_extract(p.metadata, '$.plain_bytes') AS INTEGER)"    \
	"  WHEN json_type(p.metadata, '$.import') = 'object'"                  \
	"  THEN p.backup_size" PLAIN_BY_RATIO " END" PLAIN_BY_RATIO " END"     \
	"  FROM backup_management p WHERE p.backup_id = " id ")"

// clang-format off
const char sqlite_service_states_sql[] =
    "WITH ids AS (SELECT s.*, n.good_at AS newest_at,"
    " n.good_id AS newest_id, n.good_size AS newest_size,"
    " n.attempt_at AS a_at, n.attempt_status AS a_st,"
    " n.attempt_id AS a_id,"
    " CASE WHEN n.good_at IS NULL OR n.good_at <= ?1 THEN n.good_at ELSE"
    GOOD_BEFORE_NOW("completed_at", CATALOG_BACKUP_COMPLETED) " END AS gc_at,"
    " CASE WHEN n.good_at IS NULL OR n.good_at <= ?1 THEN n.good_size ELSE"
    GOOD_BEFORE_NOW("backup_size", CATALOG_BACKUP_COMPLETED) " END AS gc_size,"
    " CASE WHEN n.good_at IS NULL OR n.good_at <= ?1 THEN NULL ELSE"
    GOOD_BEFORE_NOW("completed_at", CATALOG_BACKUP_VERIFIED) " END AS gv_at,"
    " CASE WHEN n.good_at IS NULL OR n.good_at <= ?1 THEN NULL ELSE"
    GOOD_BEFORE_NOW("backup_size", CATALOG_BACKUP_VERIFIED) " END AS gv_size,"
    " CASE WHEN n.good_at IS NULL OR n.good_at <= ?1 THEN n.good_id ELSE"
    GOOD_BEFORE_NOW("backup_id", CATALOG_BACKUP_COMPLETED) " END AS gc_id,"
    " CASE WHEN n.good_at IS NULL OR n.good_at <= ?1 THEN NULL ELSE"
    GOOD_BEFORE_NOW("backup_id", CATALOG_BACKUP_VERIFIED) " END AS gv_id,"
    " (SELECT r.rowid FROM recovery_services rs JOIN"
    "  disaster_recovery_log r ON r.recovery_id = rs.recovery_id WHERE"
    "  rs.service_name = s.name AND r.is_drill = 1 AND"
    "  r.recovery_status = 'completed' ORDER BY r.completed_at DESC"
    "  LIMIT 1) AS drill"
    " FROM services s LEFT JOIN backup_newest n ON n.service_name = s.name)"
    " SELECT ids.name, ids.tier, ids.owner, ids.rto_s, ids.rpo_s,"
    "  ids.backup_frequency_s, ids.drill_policy_s, ids.created_at," /* 0 */
    "  t.rto_s, t.rpo_s," /* 8 */
    "  ids.gc_at, ids.gc_size," /* 10 */
    "  ids.gv_at, ids.gv_size," /* 12 */
    "  CASE WHEN ids.newest_at > ?1 THEN ids.newest_at END," /* 14 */
    "  ids.a_at, ids.a_st," /* 15 */
    "  d.completed_at, d.actual_recovery_s," /* 17 */
    "  h.service_name, h.backup_frequency_s, h.last_successful_backup,"
    "  h.backup_streak, h.failure_count, h.health_status,"
    "  h.storage_usage_gb, h.storage_quota_gb,"
    "  h.estimated_full_recovery_s, h.last_recovery_test,"
    "  h.alerts_enabled, h.updated_at," /* 19 */
    "  ids.gc_id, ids.gv_id, ids.a_id," /* 31 */
    "  CASE WHEN ids.newest_at > ?1 THEN ids.newest_id END,"
    "  CASE WHEN ids.newest_at > ?1 THEN ids.newest_size END," /* 34 */
    PLAIN_OF("ids.gc_id") "," PLAIN_OF("ids.gv_id") "," /* 36 */
    " CASE WHEN ids.newest_at > ?1 THEN" PLAIN_OF("ids.newest_id") " END"
    " FROM ids LEFT JOIN tiers t ON t.name = ids.tier"
    " LEFT JOIN disaster_recovery_log d ON d.rowid = ids.drill"
    " LEFT JOIN backup_health_monitoring h ON h.service_name = ids.name"
    " ORDER BY ids.name";
// clang-format on

static void read_state(sqlite3_stmt *st, struct catalog_service_state *s)
{
	int64_t c_at, v_at;

	memset(s, 0, sizeof(*s));
	read_service(st, 0, &s->service);
	s->tier_rto_s = sqlite_column_int64_or(st, 8, 0);
	s->tier_rpo_s = sqlite_column_int64_or(st, 9, 0);
	c_at = sqlite_column_time(st, 10);
	v_at = sqlite_column_time(st, 12);
	if (c_at == 0 && v_at == 0) {
		s->last_good_backup_size = -1;
		s->last_good_backup_plain = -1;
	} else if (c_at >= v_at) {
		s->last_good_backup_at = c_at;
		s->last_good_backup_size = sqlite_column_int64_or(st, 11, -1);
		s->last_good_backup_plain = sqlite_column_int64_or(st, 36, -1);
		sqlite_column_copy(st, 31, s->last_good_backup_id,
		                   sizeof(s->last_good_backup_id));
	} else {
		s->last_good_backup_at = v_at;
		s->last_good_backup_size = sqlite_column_int64_or(st, 13, -1);
		s->last_good_backup_plain = sqlite_column_int64_or(st, 37, -1);
		sqlite_column_copy(st, 32, s->last_good_backup_id,
		                   sizeof(s->last_good_backup_id));
	}
	sqlite_column_copy(st, 33, s->last_attempt_id,
	                   sizeof(s->last_attempt_id));
	s->future_backup_at = sqlite_column_time(st, 14);
	sqlite_column_copy(st, 34, s->future_backup_id,
	                   sizeof(s->future_backup_id));
	s->future_backup_size = sqlite_column_int64_or(st, 35, -1);
	s->future_backup_plain = sqlite_column_int64_or(st, 38, -1);
	if (s->last_good_backup_plain < 0)
		s->last_good_backup_plain = -1;
	if (s->future_backup_plain < 0)
		s->future_backup_plain = -1;
	s->last_attempt_at = sqlite_column_time(st, 15);
	sqlite_column_copy(st, 16, s->last_attempt_status,
	                   sizeof(s->last_attempt_status));
	s->last_drill_at = sqlite_column_time(st, 17);
	s->last_drill_duration_s = sqlite_column_int64_or(st, 18, -1);
	if (sqlite3_column_type(st, 19) != SQLITE_NULL) {
		read_health(st, 19, &s->health);
	} else {
		snprintf(s->health.service, sizeof(s->health.service), "%s",
		         s->service.name);
		snprintf(s->health.health_status,
		         sizeof(s->health.health_status), "healthy");
		s->health.estimated_full_recovery_s = -1;
		s->health.alerts_enabled = 1;
	}
}

static int sqlite_service_states_impl(void *self, int64_t now,
                                      struct catalog_service_state **out,
                                      size_t *n, char **err)
{
	struct sqlite_catalog *sc = self;
	struct catalog_service_state *list = NULL;
	size_t count = 0;
	sqlite3_stmt *st;
	int rc = sqlite_prepare(sc, sqlite_service_states_sql, &st, err);

	*out = NULL;
	*n = 0;
	if (rc != CATALOG_OK)
		return rc;
	sqlite_bind_time(st, 1, now);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		list = xreallocarray(list, count + 1, sizeof(*list));
		read_state(st, &list[count++]);
	}
	rc = sqlite_status(sc->db, rc, "reading service states", err);
	sqlite3_finalize(st);
	struct sqlite_evidence *ev = NULL;
	if (rc == CATALOG_OK)
		rc = sqlite_evidence_open(sc, &ev, err);
	for (size_t i = 0; rc == CATALOG_OK && i < count; i++)
		rc = sqlite_evidence_fill(sc, ev, &list[i], err);
	sqlite_evidence_close(ev);
	if (rc != CATALOG_OK) {
		catalog_service_states_free(list, count);
		return rc;
	}
	*out = list;
	*n = count;
	return CATALOG_OK;
}

/* ---- audit log --------------------------------------------------------- */

#define AUDIT_COLUMNS                                                          \
	"seq, at, actor, origin, action, subject, details, prev_hash, hash"

static void read_audit(sqlite3_stmt *st, struct catalog_audit *a)
{
	memset(a, 0, sizeof(*a));
	a->seq = sqlite3_column_int64(st, 0);
	a->at = sqlite_column_time(st, 1);
	sqlite_column_copy(st, 2, a->actor, sizeof(a->actor));
	sqlite_column_copy(st, 3, a->origin, sizeof(a->origin));
	sqlite_column_copy(st, 4, a->action, sizeof(a->action));
	sqlite_column_copy(st, 5, a->subject, sizeof(a->subject));
	a->details = sqlite_column_dup(st, 6);
	sqlite_column_copy(st, 7, a->prev_hash, sizeof(a->prev_hash));
	sqlite_column_copy(st, 8, a->hash, sizeof(a->hash));
}

static int sqlite_audit_append_impl(void *self, struct catalog_audit *rec,
                                    catalog_audit_hasher hasher, char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc = sqlite_write_begin(sc, err);

	if (rc != CATALOG_OK)
		return rc;
	/* Under the write lock, so no one else can take the same seq. */
	rc = sqlite_prepare(
	    sc, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
	    &st, err);
	if (rc == CATALOG_OK) {
		rc = step_row(sc, st, "reading the audit log", err);
		if (rc == CATALOG_OK) {
			rec->seq = sqlite3_column_int64(st, 0) + 1;
			sqlite_column_copy(st, 1, rec->prev_hash,
			                   sizeof(rec->prev_hash));
		} else if (rc == CATALOG_ENOTFOUND) {
			rec->seq = 1;
			snprintf(rec->prev_hash, sizeof(rec->prev_hash), "%s",
			         ZERO_HASH);
			rc = CATALOG_OK;
		}
		sqlite3_finalize(st);
	}
	if (rc == CATALOG_OK) {
		if (rec->at == 0)
			rec->at = now_s();
		memset(rec->hash, 0, sizeof(rec->hash));
		hasher(rec, rec->hash);
		rec->hash[sizeof(rec->hash) - 1] = '\0';
		rc = sqlite_prepare(sc,
		                    "INSERT INTO audit_log (" AUDIT_COLUMNS
		                    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
		                    "?9)",
		                    &st, err);
	}
	if (rc == CATALOG_OK) {
		sqlite3_bind_int64(st, 1, rec->seq);
		sqlite_bind_time(st, 2, rec->at);
		sqlite3_bind_text(st, 3, rec->actor, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 4, rec->origin, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 5, rec->action, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 6, rec->subject, -1, SQLITE_TRANSIENT);
		sqlite_bind_text(st, 7, rec->details);
		sqlite3_bind_text(st, 8, rec->prev_hash, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 9, rec->hash, -1, SQLITE_TRANSIENT);
		rc = sqlite_run(sc, st, "appending to the audit log", err);
	}
	return sqlite_write_end(sc, rc, err);
}

static int sqlite_audit_each_impl(void *self,
                                  int (*fn)(const struct catalog_audit *rec,
                                            void *arg),
                                  void *arg, char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc = sqlite_prepare(
	    sc, "SELECT " AUDIT_COLUMNS " FROM audit_log ORDER BY seq", &st,
	    err);
	int stop = 0;

	if (rc != CATALOG_OK)
		return rc;
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct catalog_audit rec;

		read_audit(st, &rec);
		stop = fn(&rec, arg);
		free(rec.details);
	}
	if (stop) {
		sqlite3_finalize(st);
		return stop;
	}
	rc = sqlite_status(sc->db, rc, "reading the audit log", err);
	sqlite3_finalize(st);
	return rc;
}

static int sqlite_audit_list_impl(void *self, size_t limit,
                                  struct catalog_audit **out, size_t *n,
                                  char **err)
{
	struct sqlite_catalog *sc = self;
	struct catalog_audit *list = NULL;
	size_t count = 0;
	sqlite3_stmt *st;
	int rc = sqlite_prepare(sc,
	                        "SELECT " AUDIT_COLUMNS
	                        " FROM audit_log ORDER BY seq DESC LIMIT ?1",
	                        &st, err);

	*out = NULL;
	*n = 0;
	if (rc != CATALOG_OK)
		return rc;
	sqlite3_bind_int64(st, 1, limit ? (int64_t)limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		list = xreallocarray(list, count + 1, sizeof(*list));
		read_audit(st, &list[count++]);
	}
	rc = sqlite_status(sc->db, rc, "listing the audit log", err);
	sqlite3_finalize(st);
	if (rc != CATALOG_OK) {
		catalog_audits_free(list, count);
		return rc;
	}
	*out = list;
	*n = count;
	return CATALOG_OK;
}

static int sqlite_audit_subject_impl(void *self, const char *subject,
                                     struct catalog_audit **out, size_t *n,
                                     char **err)
{
	struct sqlite_catalog *sc = self;
	struct catalog_audit *list = NULL;
	size_t count = 0;
	sqlite3_stmt *st;
	int rc = sqlite_prepare(sc,
	                        "SELECT " AUDIT_COLUMNS
	                        " FROM audit_log WHERE subject = ?1 "
	                        "ORDER BY seq",
	                        &st, err);

	*out = NULL;
	*n = 0;
	if (rc != CATALOG_OK)
		return rc;
	sqlite3_bind_text(st, 1, subject, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		list = xreallocarray(list, count + 1, sizeof(*list));
		read_audit(st, &list[count++]);
	}
	rc = sqlite_status(sc->db, rc, "reading the audit log", err);
	sqlite3_finalize(st);
	if (rc != CATALOG_OK) {
		catalog_audits_free(list, count);
		return rc;
	}
	*out = list;
	*n = count;
	return CATALOG_OK;
}

/* ---- integrity --------------------------------------------------------- */

static int sqlite_check_integrity_impl(void *self, char **err)
{
	struct sqlite_catalog *sc = self;
	sqlite3_stmt *st;
	int rc = sqlite_prepare(sc, "PRAGMA integrity_check", &st, err);
	char *report = NULL;

	if (rc != CATALOG_OK)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *line = (const char *)sqlite3_column_text(st, 0);
		char *joined;

		if (line == NULL || strcmp(line, "ok") == 0)
			continue;
		joined = xasprintf("%s%s%s", report ? report : "",
		                   report ? "; " : "", line);
		free(report);
		report = joined;
	}
	rc = sqlite_status(sc->db, rc, "checking integrity", err);
	sqlite3_finalize(st);
	if (rc != CATALOG_OK) {
		free(report);
		return rc;
	}
	rc = sqlite_prepare(sc, "PRAGMA foreign_key_check", &st, err);
	if (rc != CATALOG_OK) {
		free(report);
		return rc;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char *joined =
		    xasprintf("%s%s%s row %lld refers to a missing %s row",
		              report ? report : "", report ? "; " : "",
		              (const char *)sqlite3_column_text(st, 0),
		              (long long)sqlite3_column_int64(st, 1),
		              (const char *)sqlite3_column_text(st, 2));

		free(report);
		report = joined;
	}
	rc = sqlite_status(sc->db, rc, "checking foreign keys", err);
	sqlite3_finalize(st);
	if (rc == CATALOG_OK && report != NULL) {
		sqlite_seterr(err, "catalog %s is damaged: %s", sc->path,
		              report);
		rc = CATALOG_ECORRUPT;
	}
	free(report);
	return rc;
}

const struct catalog_backend_ops sqlite_backend_ops = {
    .name = "sqlite",
    .open = sqlite_open_impl,
    .close = sqlite_close_impl,
    .notice = sqlite_notice_impl,
    .schema_version = sqlite_schema_version_impl,
    .begin = sqlite_begin_impl,
    .commit = sqlite_commit_impl,
    .rollback = sqlite_rollback_impl,
    .lost = sqlite_lost_impl,
    .data_version = sqlite_data_version_impl,
    .last_change = sqlite_last_change_impl,
    .info = sqlite_info_impl,
    .watch = sqlite_watch_impl,
    .watch_read = sqlite_watch_read_impl,
    .grants = sqlite_grants_impl,
    .rows_each = sqlite_rows_each_impl,
    .rows_put = sqlite_rows_put_impl,
    .rows_clear = sqlite_rows_clear_impl,
    .rows_end = sqlite_rows_end_impl,
    .tier_put = sqlite_tier_put_impl,
    .tier_list = sqlite_tier_list_impl,
    .service_add = sqlite_service_add_impl,
    .service_put = sqlite_service_put_impl,
    .service_get = sqlite_service_get_impl,
    .service_list = sqlite_service_list_impl,
    .service_remove = sqlite_service_remove_impl,
    .backup_insert = sqlite_backup_insert_impl,
    .backup_update = sqlite_backup_update_impl,
    .backup_get = sqlite_backup_get_impl,
    .backup_list = sqlite_backup_list_impl,
    .backup_count = sqlite_backup_count_impl,
    .health_get = sqlite_health_get_impl,
    .restore_record = sqlite_restore_record_impl,
    .restore_list = sqlite_restore_list_impl,
    .replication_record = sqlite_replication_record_impl,
    .replication_latest = sqlite_replication_latest_impl,
    .replication_history = sqlite_replication_history_impl,
    .replication_prune = sqlite_replication_prune_impl,
    .probe_record = sqlite_probe_record_impl,
    .probe_latest = sqlite_probe_latest_impl,
    .probe_prune = sqlite_probe_prune_impl,
    .recovery_insert = sqlite_recovery_insert_impl,
    .recovery_update = sqlite_recovery_update_impl,
    .recovery_get = sqlite_recovery_get_impl,
    .recovery_list = sqlite_recovery_list_impl,
    .recovery_step_put = sqlite_recovery_step_put_impl,
    .recovery_step_list = sqlite_recovery_step_list_impl,
    .recovery_page = sqlite_recovery_page_impl,
    .service_states = sqlite_service_states_impl,
    .verdict_record = sqlite_verdict_record_impl,
    .verdict_latest = sqlite_verdict_latest_impl,
    .verdict_history = sqlite_verdict_history_impl,
    .test_note_put = sqlite_test_note_put_impl,
    .test_note_get = sqlite_test_note_get_impl,
    .backup_counts = sqlite_backup_counts_impl,
    .audit_append = sqlite_audit_append_impl,
    .audit_each = sqlite_audit_each_impl,
    .audit_list = sqlite_audit_list_impl,
    .audit_subject = sqlite_audit_subject_impl,
    .check_integrity = sqlite_check_integrity_impl,
    .service_counters = sqlite_service_counters_impl,
    .agent = &sqlite_agent_ops,
    .runbook = &sqlite_runbook_ops,
    .import = &sqlite_import_ops,
};
