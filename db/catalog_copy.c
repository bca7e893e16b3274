/* catalog_copy(): a catalog moved between backends, row by row, through
 * the backend table's rows_* entries.  Both backends keep the same
 * tables, columns and text forms (times as 'YYYY-MM-DDTHH:MM:SSZ'), so a
 * row read as text from one is a row the other accepts.
 *
 * The order matters twice.  Rows that refer to others come after them
 * (services before backups, recoveries before their steps).  And the
 * tables triggers maintain (health, newest backup, the key and link
 * tables) are filled by the triggers as the base rows go in, then
 * emptied and copied as the original had them: the copy holds what the
 * original held, not what a replay would compute. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/backend.h"
#include "db/catalog.h"
#include "db/catalog_int.h"
#include "lib/xmalloc.h"

static const char *const base_tables[] = {
    "tiers",
    "services",
    "backup_management",
    "restores",
    "replication_history",
    "health_history",
    "disaster_recovery_log",
    "recovery_steps",
    "recovery_services",
    "runbook_executions",
    "runbook_variables",
    "agent_heartbeat",
    "agent_jobs",
    "probe_state",
    "notify_state",
    "notify_outbox",
    "alarm_marks",
    "verdict_transitions",
    "test_notes",
    "audit_log",
};

/* Kept by triggers: emptied in the copy, then copied. */
static const char *const derived_tables[] = {
    "backup_health_monitoring", "backup_newest", "replication_keys",
    "replication_links",        "health_keys",
};

struct copy_state {
	struct catalog *to;
	const char *table;
	int64_t rows;
	int rc;    /* the target's refusal of a row */
	char *err; /* and its message */
};

static int put_row(void *arg, size_t n, const char *const *names,
                   const char *const *values)
{
	struct copy_state *cs = arg;
	int rc = cs->to->ops->rows_put(cs->to->self, cs->table, n, names,
	                               values, &cs->err);

	if (rc != CATALOG_OK) {
		cs->rc = rc;
		return 1; /* stop */
	}
	cs->rows++;
	return 0;
}

static int copy_table(struct catalog *from, struct copy_state *cs,
                      const char *table, char **err)
{
	const struct catalog_backend_ops *src = from->ops;
	const struct catalog_backend_ops *dst = cs->to->ops;
	int rc;

	cs->table = table;
	rc = src->rows_each(from->self, table, put_row, cs, err);
	if (cs->err != NULL) {
		/* The target refused a row: its message, with the table. */
		free(*err);
		*err = xasprintf("copying %s: %s", table, cs->err);
		free(cs->err);
		cs->err = NULL;
		return cs->rc != CATALOG_OK ? cs->rc : CATALOG_EDB;
	}
	if (rc != CATALOG_OK)
		return rc;
	return dst->rows_end(cs->to->self, table, err);
}

static int count_row(void *arg, size_t n, const char *const *names,
                     const char *const *values)
{
	struct copy_state *cs = arg;

	(void)n;
	(void)names;
	(void)values;
	cs->rows++;
	return 1; /* one is enough */
}

/* A catalog that already holds work must not be merged into. */
static int check_empty(struct catalog *to, char **err)
{
	static const char *const kept[] = {"services", "backup_management",
	                                   "disaster_recovery_log",
	                                   "audit_log"};
	const struct catalog_backend_ops *dst = to->ops;

	for (size_t i = 0; i < sizeof kept / sizeof *kept; i++) {
		struct copy_state probe = {0};
		int rc;

		probe.table = kept[i];
		rc = dst->rows_each(to->self, kept[i], count_row, &probe, err);
		if (rc != CATALOG_OK)
			return rc;
		if (probe.rows > 0) {
			free(*err);
			*err =
			    xasprintf("catalog %s is not new: its table %s has "
			              "rows; copy into a new catalog",
			              catalog_where(to), kept[i]);
			return CATALOG_EEXIST;
		}
	}
	return CATALOG_OK;
}

int catalog_copy(struct catalog *from, struct catalog *to, int64_t *rows,
                 char **err)
{
	const struct catalog_backend_ops *dst = to->ops;
	struct copy_state cs = {0};
	int rc;

	*rows = 0;
	cs.to = to;
	rc = check_empty(to, err);
	if (rc != CATALOG_OK)
		return rc;
	/* The new catalog's default tiers give way to the original's. */
	rc = dst->rows_clear(to->self, "tiers", err);
	for (size_t i = 0;
	     rc == CATALOG_OK && i < sizeof base_tables / sizeof *base_tables;
	     i++)
		rc = copy_table(from, &cs, base_tables[i], err);
	for (size_t i = 0; rc == CATALOG_OK &&
	                   i < sizeof derived_tables / sizeof *derived_tables;
	     i++) {
		rc = dst->rows_clear(to->self, derived_tables[i], err);
		if (rc == CATALOG_OK)
			rc = copy_table(from, &cs, derived_tables[i], err);
	}
	if (rc == CATALOG_OK)
		*rows = cs.rows;
	return rc;
}
