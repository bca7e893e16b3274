/* The postgres probe kind's reading of what its servers answered, apart
 * from the asking, so that it can be tested without a server. */
#ifndef DR_PROBE_POSTGRES_H
#define DR_PROBE_POSTGRES_H

#include <stddef.h>

#include "core/probe.h"
#include "db/pg_probe.h"

/* Fills out[0..n) from st[0..n), the answers of specs[0..n) in one
 * round: role, message, replication samples (core/probe_postgres.c says
 * how links are named and lag measured). */
void probe_postgres_interpret(struct probe_spec *const *specs,
                              const struct pg_status *st,
                              struct probe_outcome *out, size_t n);

#endif
