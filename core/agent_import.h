/* The agent's side of imports: every "imports" entry of the config with a
 * "command" and a "schedule" is a job ("import:NAME") the agent claims,
 * runs and imports (core/import.h).  A command that fails, times out or
 * prints something that is not the tool's listing is a failed import:
 * audited ("backup.import.failed") and notified (event "backup", subject
 * "import:NAME", state "failed"), never an empty listing that would
 * expire everything.  The next good import notifies "ok". */
#ifndef DR_AGENT_IMPORT_H
#define DR_AGENT_IMPORT_H

#include <stdint.h>

#include "core/config.h"
#include "core/import_config.h"
#include "db/catalog.h"

/* Runs one import of sp as job "import:NAME" (the agent has claimed the
 * run); *message says how it went (malloc'd). */
int agent_import_run(struct catalog *cat, const struct config *cfg,
                     const struct import_spec *sp, const char *job,
                     char **message);

/* Runs the restore test of sp ("restore_test" with a "schedule", job
 * "restore-test:import:NAME"); *message says how it went (malloc'd). */
int agent_restore_test_run(struct catalog *cat, const struct config *cfg,
                           const struct import_spec *sp, char **message);

#endif
