/* Restore tests of imported backups: the config's import entry names a
 * command that restores a backup with the tool itself (pgBackRest,
 * Barman, restic, ...) into a scratch directory and checks the result
 * (start PostgreSQL there, run a query, stop it).  drconsole picks the
 * backup (the newest good backup of the import's service that this tool
 * listed), makes the scratch directory fresh, runs the command under its
 * timeout, times it, counts the bytes it left in the scratch directory,
 * removes the directory, and records the test in the restores table (kind
 * restore-test, target "import:NAME") with its audit row: the service's
 * RTO evidence when it passed, a failed restore test (the service AT RISK
 * until a later one passes) when the command failed.
 *
 * The scratch directory is drconsole's: it carries a marker file, and a
 * lock file beside it is held while a test runs.  A scratch directory
 * left by a run that died (marker present, lock free) is removed before
 * the next test; one without the marker is never touched. */
#ifndef DR_IMPORT_RESTORE_H
#define DR_IMPORT_RESTORE_H

#include <stdint.h>

#include "core/config.h"
#include "core/import_config.h"
#include "db/catalog.h"

/* "import:NAME", or NAME when that is an import with a restore_test;
 * NULL when target names none. */
const struct import_spec *import_restore_find(const struct config *cfg,
                                              const char *target);

struct import_restore_outcome {
	char service[64];
	char backup_id[40];
	char label[128];
	double seconds;
	int64_t bytes;  /* what the command left in the scratch directory */
	char note[256]; /* e.g. a stale scratch directory was removed */
	int recorded;   /* a restores row was written */
};

/* DR_OK when the test passed; DR_ENOTFOUND when there is no backup to
 * test (nothing recorded); DR_EBUSY when another test holds the scratch
 * directory; otherwise the failure, recorded as a failed test when the
 * command ran (out->recorded). */
int import_restore_test(struct catalog *cat, const struct config *cfg,
                        const struct import_spec *sp,
                        struct import_restore_outcome *out, char **err);

#endif
