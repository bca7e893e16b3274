/* The PostgreSQL catalog's schema as numbered migrations (db/pg_schema.c),
 * the counterpart of db/migrations.h: the same versions, the same tables
 * and columns. */
#ifndef DR_PG_SCHEMA_H
#define DR_PG_SCHEMA_H

#include <stddef.h>

struct pg_migration {
	int version;
	const char *name;
	const char *sql;
};

const struct pg_migration *pg_migrations_table(size_t *n);
int pg_migrations_latest(void);

#endif
