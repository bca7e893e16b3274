/* Placeholder until the schema lands: no migrations. */
#include "db/pg_schema.h"

const struct pg_migration *pg_migrations_table(size_t *n)
{
	*n = 0;
	return NULL;
}

int pg_migrations_latest(void)
{
	return 0;
}
