/* Migrations run in order of version whatever order the table lists them,
 * tolerate gaps, refuse a repeated number, and stop at the last migration
 * that committed when one fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "db/catalog.h"
#include "db/migrations.h"

static int64_t raw_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int64_t has_table(sqlite3 *db, const char *name)
{
	char *sql = sqlite3_mprintf(
	    "SELECT count(*) FROM sqlite_schema WHERE name = %Q", name);
	int64_t v = raw_int(db, sql);

	sqlite3_free(sql);
	return v;
}

static sqlite3 *memdb(void)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	return db;
}

static void test_order_and_gaps(void **state)
{
	/* Listed out of order, with 2 and 4 missing, as parallel branches
	 * leave it after a merge. */
	static const struct migration table[] = {
	    {5, "five", "CREATE TABLE e (x); INSERT INTO e SELECT x FROM c"},
	    {1, "one", "CREATE TABLE a (x); INSERT INTO a VALUES (1)"},
	    {3, "three", "CREATE TABLE c (x); INSERT INTO c SELECT x FROM a"},
	};
	sqlite3 *db = memdb();
	char *err = NULL;

	(void)state;
	assert_int_equal(migrations_apply_table(db, table, 3, 0, &err),
	                 CATALOG_OK);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 5);
	assert_int_equal(raw_int(db, "SELECT x FROM e"), 1);
	/* Again: nothing to do. */
	assert_int_equal(migrations_apply_table(db, table, 3, 0, &err),
	                 CATALOG_OK);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 5);
	sqlite3_close(db);
}

static void test_upto(void **state)
{
	static const struct migration table[] = {
	    {1, "one", "CREATE TABLE a (x)"},
	    {2, "two", "CREATE TABLE b (x)"},
	};
	sqlite3 *db = memdb();
	char *err = NULL;

	(void)state;
	assert_int_equal(migrations_apply_table(db, table, 2, 1, &err),
	                 CATALOG_OK);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 1);
	assert_int_equal(has_table(db, "b"), 0);
	assert_int_equal(migrations_apply_table(db, table, 2, 0, &err),
	                 CATALOG_OK);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 2);
	sqlite3_close(db);
}

static void test_failure_keeps_previous_version(void **state)
{
	static const struct migration table[] = {
	    {1, "one", "CREATE TABLE a (x)"},
	    {2, "two", "CREATE TABLE b (x); INSERT INTO nosuch VALUES (1)"},
	    {3, "three", "CREATE TABLE c (x)"},
	};
	sqlite3 *db = memdb();
	char *err = NULL;

	(void)state;
	assert_int_not_equal(migrations_apply_table(db, table, 3, 0, &err),
	                     CATALOG_OK);
	assert_non_null(strstr(err, "migration 2 (two)"));
	free(err);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 1);
	assert_int_equal(has_table(db, "a"), 1);
	assert_int_equal(has_table(db, "b"), 0);
	assert_int_equal(has_table(db, "c"), 0);
	sqlite3_close(db);
}

static void test_duplicate_refused(void **state)
{
	static const struct migration table[] = {
	    {1, "one", "CREATE TABLE a (x)"},
	    {2, "two", "CREATE TABLE b (x)"},
	    {2, "two again", "CREATE TABLE c (x)"},
	};
	sqlite3 *db = memdb();
	char *err = NULL;

	(void)state;
	assert_int_equal(migrations_apply_table(db, table, 3, 0, &err),
	                 CATALOG_EDB);
	assert_non_null(strstr(err, "two migrations claim version 2"));
	free(err);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 0);
	assert_int_equal(has_table(db, "a"), 0);
	sqlite3_close(db);
}

static void test_real_table(void **state)
{
	size_t n, i, j;
	const struct migration *table = migrations_table(&n);
	sqlite3 *db = memdb();
	char *err = NULL;

	(void)state;
	assert_true(n >= 2);
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			assert_int_not_equal(table[i].version,
			                     table[j].version);
	assert_int_equal(migrations_latest(), catalog_schema_latest());
	assert_int_equal(migrations_apply(db, 0, &err), CATALOG_OK);
	assert_int_equal(raw_int(db, "PRAGMA user_version"),
	                 migrations_latest());
	assert_int_equal(has_table(db, "backup_management"), 1);
	assert_int_equal(has_table(db, "health_history"), 1);
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_order_and_gaps),
	    cmocka_unit_test(test_upto),
	    cmocka_unit_test(test_failure_keeps_previous_version),
	    cmocka_unit_test(test_duplicate_refused),
	    cmocka_unit_test(test_real_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
