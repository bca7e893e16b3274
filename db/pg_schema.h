/* The PostgreSQL catalog's schema as numbered migrations compiled into the
 * binary, beside the SQLite ones (db/migrations.h).  The numbers are the
 * SQLite catalog's: a PostgreSQL catalog at version N has the tables,
 * indexes and triggers, with the same behaviour, that an SQLite catalog
 * has after its migrations up to N.  The first entry, 12, creates all of
 * it at once; later ones follow SQLite's one for one.  A published
 * migration is never edited: add a new one. */
#ifndef DR_PG_SCHEMA_H
#define DR_PG_SCHEMA_H

#include <stddef.h>

struct pg_migration {
	int version;
	const char *name;
	const char *sql; /* one or more statements, for PQexec */
};

/* The table, in the order written (not necessarily by version). */
const struct pg_migration *pg_migrations_table(size_t *n);
/* The highest version in the table; equal to migrations_latest(). */
int pg_migrations_latest(void);

#endif
