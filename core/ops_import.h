/* Imports from the backup tools teams already run (core/ops.h): a
 * listing into the catalog, and a restore test through the tool. */
#ifndef DR_OPS_IMPORT_H
#define DR_OPS_IMPORT_H

#include <stdio.h>

#include "core/import.h"
#include "core/import_restore.h"
#include "core/ops.h"

int ops_import_run(const struct ops_session *s,
                   const struct import_options *opt, FILE *in,
                   struct import_result *res, char **err);
int ops_import_restore_test(const struct ops_session *s,
                            const struct import_spec *sp,
                            struct import_restore_outcome *out, char **err);

#endif
