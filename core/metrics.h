/* The Prometheus text exposition format (version 0.0.4) of the catalog's
 * state, as `drconsole metrics` prints it and the agent serves it
 * (drconsole(1) "METRICS" lists the families).
 *
 *  - Base units: seconds and bytes; times are Unix timestamps in seconds.
 *  - One HELP and one TYPE line per family, every family always present.
 *  - A series never vanishes because its value is unknown: it reads NaN
 *    (no good backup yet, no RPO target, RTO never measured, never tested,
 *    a lag not measured, no change in the catalog).
 *  - Counters (`_total`) count facts the catalog never deletes (backup
 *    rows, restore tests); everything else is a gauge.
 *  - Label values are escaped as the format asks: \ " and newline. */
#ifndef DR_METRICS_H
#define DR_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "core/compliance.h"
#include "db/catalog.h"
#include "db/catalog_agent.h"
#include "db/catalog_counters.h"

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* What the text is made of; every list may be empty. */
struct metrics_facts {
	const struct compliance_report *report; /* services by name */
	const struct catalog_probe_state *probes;
	size_t n_probes;
	const struct catalog_agent *agents;
	size_t n_agents;
	const struct catalog_service_counters *counters;
	size_t n_counters;
	int64_t last_change; /* 0: none */
};

/* Pure: the exposition text of facts (malloc'd, ends with a newline). */
char *metrics_format(const struct metrics_facts *facts);

/* Reads the catalog, evaluates compliance at `now` and formats; DR_OK
 * with *text malloc'd, else a status and *err. */
int metrics_render(struct catalog *cat, const struct compliance_policy *policy,
                   int64_t now, char **text, char **err);

/* Appends v to out as a label value, escaped (\\, \", \n). */
void metrics_escape_label(const char *v, char *out, size_t size);

#endif
