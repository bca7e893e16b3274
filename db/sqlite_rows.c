/* The SQLite backend's rows_* entries (db/backend.h): whole tables as
 * text, for catalog_copy(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/backend.h"
#include "db/catalog.h"
#include "db/sqlite_int.h"

#define ROWS_MAX_COLUMNS 40

/* The table's stored columns (not the generated ones: hidden 2 and 3). */
static int table_columns(struct sqlite_catalog *sc, const char *table,
                         char *names[ROWS_MAX_COLUMNS], size_t *n,
                         int *has_rowid, char **err)
{
	char *sql = xasprintf("PRAGMA table_xinfo(\"%s\")", table);
	sqlite3_stmt *st;
	int rc = sqlite_prepare(sc, sql, &st, err), step;

	free(sql);
	*n = 0;
	if (rc != CATALOG_OK)
		return rc;
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if (sqlite3_column_int(st, 6) == 0 && *n < ROWS_MAX_COLUMNS)
			names[(*n)++] = sqlite_column_dup(st, 1);
	rc = sqlite_status(sc->db, step, table, err);
	sqlite3_finalize(st);
	if (rc == CATALOG_OK && *n == 0) {
		sqlite_seterr(err, "catalog %s has no table %s", sc->path,
		              table);
		rc = CATALOG_ENOTFOUND;
	}
	if (rc != CATALOG_OK)
		return rc;
	/* WITHOUT ROWID tables have none to order by. */
	sql = xasprintf("SELECT rowid FROM \"%s\" LIMIT 0", table);
	*has_rowid =
	    sqlite3_prepare_v2(sc->db, sql, -1, &st, NULL) == SQLITE_OK;
	sqlite3_finalize(st);
	free(sql);
	return CATALOG_OK;
}

static void free_names(char *names[], size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
}

static char *column_list(char *names[], size_t n)
{
	char *list = xstrdup("");

	for (size_t i = 0; i < n; i++) {
		char *next =
		    xasprintf("%s%s\"%s\"", list, i ? ", " : "", names[i]);
		free(list);
		list = next;
	}
	return list;
}

int sqlite_rows_each_impl(void *self, const char *table,
                          int (*fn)(void *arg, size_t n,
                                    const char *const *names,
                                    const char *const *values),
                          void *arg, char **err)
{
	struct sqlite_catalog *sc = self;
	char *names[ROWS_MAX_COLUMNS];
	const char *values[ROWS_MAX_COLUMNS];
	char floats[ROWS_MAX_COLUMNS][32];
	size_t n;
	int has_rowid,
	    rc = table_columns(sc, table, names, &n, &has_rowid, err), step,
	    stop = 0;
	sqlite3_stmt *st;
	char *cols, *sql;

	if (rc != CATALOG_OK)
		return rc;
	cols = column_list(names, n);
	sql = xasprintf("SELECT %s FROM \"%s\"%s", cols, table,
	                has_rowid ? " ORDER BY rowid" : "");
	free(cols);
	rc = sqlite_prepare(sc, sql, &st, err);
	free(sql);
	if (rc != CATALOG_OK) {
		free_names(names, n);
		return rc;
	}
	while (!stop && (step = sqlite3_step(st)) == SQLITE_ROW) {
		for (size_t i = 0; i < n; i++) {
			/* SQLite's own text of a REAL keeps 15 digits: the
			 * copy would not be the same number. */
			if (sqlite3_column_type(st, (int)i) == SQLITE_FLOAT) {
				snprintf(floats[i], sizeof floats[i], "%.17g",
				         sqlite3_column_double(st, (int)i));
				values[i] = floats[i];
				continue;
			}
			values[i] =
			    (const char *)sqlite3_column_text(st, (int)i);
		}
		stop = fn(arg, n, (const char *const *)names, values);
	}
	rc = stop ? CATALOG_OK : sqlite_status(sc->db, step, table, err);
	sqlite3_finalize(st);
	free_names(names, n);
	return rc;
}

/* Inside catalog_copy()'s transaction, which undoes everything on a
 * failure: no savepoint per row. */
int sqlite_rows_put_impl(void *self, const char *table, size_t n,
                         const char *const *names, const char *const *values,
                         char **err)
{
	struct sqlite_catalog *sc = self;
	int rc;

	if (!sc->in_tx) {
		sqlite_seterr(err, "rows_put outside a transaction");
		return CATALOG_EINVAL;
	}
	if (sc->rows_st == NULL || sc->rows_n != n ||
	    strcmp(sc->rows_table, table) != 0) {
		char *cols = column_list((char **)names, n),
		     *marks = xstrdup("");
		char *sql;

		for (size_t i = 0; i < n; i++) {
			char *next =
			    xasprintf("%s%s?%zu", marks, i ? ", " : "", i + 1);
			free(marks);
			marks = next;
		}
		sql = xasprintf("INSERT INTO \"%s\" (%s) VALUES (%s)", table,
		                cols, marks);
		free(cols);
		free(marks);
		sqlite3_finalize(sc->rows_st);
		sc->rows_st = NULL;
		free(sc->rows_table);
		sc->rows_table = xstrdup(table);
		sc->rows_n = n;
		rc = sqlite_prepare(sc, sql, &sc->rows_st, err);
		free(sql);
		if (rc != CATALOG_OK)
			return rc;
	}
	sqlite3_reset(sc->rows_st);
	for (size_t i = 0; i < n; i++)
		sqlite_bind_text(sc->rows_st, (int)i + 1, values[i]);
	rc = sqlite3_step(sc->rows_st);
	rc = rc == SQLITE_DONE ? CATALOG_OK
	                       : sqlite_status(sc->db, rc, table, err);
	sqlite3_reset(sc->rows_st);
	return rc;
}

int sqlite_rows_clear_impl(void *self, const char *table, char **err)
{
	struct sqlite_catalog *sc = self;
	char *sql = xasprintf("DELETE FROM \"%s\"", table);
	int rc = sqlite_write_begin(sc, err);

	if (rc == CATALOG_OK)
		rc = sqlite_exec(sc, sql, table, err);
	free(sql);
	return sqlite_write_end(sc, rc, err);
}

int sqlite_rows_end_impl(void *self, const char *table, char **err)
{
	(void)self;
	(void)table;
	(void)err;
	return CATALOG_OK; /* INTEGER PRIMARY KEY follows max(id) itself */
}
