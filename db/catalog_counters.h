/* Counts over the catalog's facts that only ever grow, for counters that
 * monitoring reads as `_total` (core/metrics.c).  A backup row is never
 * deleted (retention marks it expired and deletes its object), and a
 * restore is appended and never changed, so these counts never decrease
 * while the service exists; only `service remove --purge` drops them,
 * which Prometheus reads as the series ending.  Conventions as in
 * db/catalog.h. */
#ifndef DR_CATALOG_COUNTERS_H
#define DR_CATALOG_COUNTERS_H

#include <stddef.h>
#include <stdint.h>

#include "db/catalog.h"

struct catalog_service_counters {
	char service[64];
	int64_t backup_attempts;      /* every backup recorded, any status */
	int64_t restore_tests;        /* every restore test, ok or not */
	int64_t restore_tests_failed; /* the restore tests that failed */
};

/* One row per service, by name. */
int catalog_service_counters(struct catalog *cat,
                             struct catalog_service_counters **out, size_t *n,
                             char **err);

#endif
