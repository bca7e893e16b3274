/* The PostgreSQL schema keeps up with the SQLite one: the same latest
 * version, and a table, index and trigger of every name an SQLite catalog
 * has after its migrations.  That the triggers behave alike is
 * tests/integration/catalog_pg_triggers.sh's part. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "db/catalog.h"
#include "db/migrations.h"
#include "db/pg_schema.h"

/* Every migration's SQL, in order: the schema a new database gets (the
 * whole of SQLite's 12, then what came after). */
static const char *latest_sql(void)
{
	static char *all;
	size_t n, i, len = 0;
	const struct pg_migration *m = pg_migrations_table(&n);

	if (all != NULL)
		return all;
	for (i = 0; i < n; i++)
		len += strlen(m[i].sql) + 1;
	all = calloc(len + 1, 1);
	assert_non_null(all);
	for (i = 0; i < n; i++) {
		strcat(all, m[i].sql);
		strcat(all, "\n");
	}
	return all;
}

/* "KIND NAME" followed by a blank or "(" somewhere in sql. */
static int declares(const char *sql, const char *kind, const char *name)
{
	char needle[256];
	const char *p = sql;
	size_t len;

	snprintf(needle, sizeof(needle), "%s %s", kind, name);
	len = strlen(needle);
	while ((p = strstr(p, needle)) != NULL) {
		if (p[len] == ' ' || p[len] == '\n' || p[len] == '(')
			return 1;
		p += len;
	}
	return 0;
}

static void test_versions(void **state)
{
	size_t n, i, j;
	const struct pg_migration *m = pg_migrations_table(&n);

	(void)state;
	assert_true(n >= 1);
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			assert_int_not_equal(m[i].version, m[j].version);
	assert_int_equal(pg_migrations_latest(), migrations_latest());
	assert_int_equal(m[0].version, 12);
	assert_string_equal(m[0].name,
	                    "the whole schema of SQLite migration 12");
}

static void test_every_sqlite_object(void **state)
{
	const char *sql = latest_sql();
	sqlite3 *db;
	sqlite3_stmt *st;
	char *err = NULL;
	int objects = 0;

	(void)state;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(migrations_apply(db, 0, &err), CATALOG_OK);
	assert_int_equal(
	    sqlite3_prepare_v2(db,
	                       "SELECT type, name FROM sqlite_schema WHERE "
	                       "name NOT LIKE 'sqlite_%' ORDER BY name",
	                       -1, &st, NULL),
	    SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		const char *kind = strcmp(type, "table") == 0     ? "TABLE"
		                   : strcmp(type, "index") == 0   ? "INDEX"
		                   : strcmp(type, "trigger") == 0 ? "TRIGGER"
		                                                  : NULL;

		if (kind == NULL)
			fail_msg("%s %s: no PostgreSQL counterpart", type,
			         name);
		if (!declares(sql, kind, name))
			fail_msg("%s %s is missing from the PostgreSQL schema",
			         type, name);
		objects++;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	assert_true(objects > 50);
}

/* SQLite-only spellings that PostgreSQL would refuse or read otherwise. */
static void test_no_sqlite_dialect(void **state)
{
	const char *sql = latest_sql();
	static const char *const sqlite_only[] = {
	    "rowid",           "INSERT OR", "WITHOUT ROWID", "RAISE(",
	    "INTEGER PRIMARY", "VIRTUAL",   " IS NOT (",     "IF NOT EXISTS",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sqlite_only) / sizeof(sqlite_only[0]); i++)
		if (strstr(sql, sqlite_only[i]) != NULL)
			fail_msg("the PostgreSQL schema says \"%s\"",
			         sqlite_only[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_versions),
	    cmocka_unit_test(test_every_sqlite_object),
	    cmocka_unit_test(test_no_sqlite_dialect),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
