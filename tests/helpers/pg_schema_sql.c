/* Prints the SQL of one PostgreSQL catalog migration (db/pg_schema.h), so a
 * shell test can apply it to a real server with psql:
 *     pg_schema_sql [VERSION]     (default: every one in order, the
 *                                  schema a new database gets)
 * Exits 1 when the table has no such version. */
#include <stdio.h>
#include <stdlib.h>

#include "db/pg_schema.h"

int main(int argc, char **argv)
{
	size_t n, i;
	const struct pg_migration *m = pg_migrations_table(&n);
	int version = 0;
	char *end;

	if (argc > 2) {
		fprintf(stderr, "usage: pg_schema_sql [VERSION]\n");
		return 2;
	}
	if (argc == 2) {
		version = (int)strtol(argv[1], &end, 10);
		if (*argv[1] == '\0' || *end != '\0') {
			fprintf(stderr, "pg_schema_sql: not a version: %s\n",
			        argv[1]);
			return 2;
		}
	}
	for (i = 0; i < n; i++) {
		if (version == 0) {
			fputs(m[i].sql, stdout);
			fputs("\n", stdout);
		} else if (m[i].version == version) {
			fputs(m[i].sql, stdout);
			return fflush(stdout) == 0 ? 0 : 1;
		}
	}
	if (version == 0)
		return fflush(stdout) == 0 ? 0 : 1;
	fprintf(stderr, "pg_schema_sql: no migration %d\n", version);
	return 1;
}
