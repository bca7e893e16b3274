/* See ops_import.h. */
#include "core/ops_import.h"

#include "core/error.h"

int ops_import_run(const struct ops_session *s,
                   const struct import_options *opt, FILE *in,
                   struct import_result *res, char **err)
{
	int rc = opt->dry_run ? DR_OK : ops_writable(s, "the import", err);

	if (rc == DR_OK)
		rc = import_run(s->cat, s->cfg, opt, in, res, err);
	ops_report(s, "backup.import", opt->format ? opt->format : "", rc,
	           rc == DR_OK ? NULL : *err);
	return rc;
}

int ops_import_restore_test(const struct ops_session *s,
                            const struct import_spec *sp,
                            struct import_restore_outcome *out, char **err)
{
	int rc = ops_writable(s, "the restore test", err);

	if (rc == DR_OK)
		rc = import_restore_test(s->cat, s->cfg, sp, out, err);
	ops_report(s, "restore.test", sp->name, rc, rc == DR_OK ? NULL : *err);
	return rc;
}
