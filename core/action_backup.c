/* The "backup" action: a fresh backup of a configured target now (e.g.
 * of the new primary right after a failover, so that its first recovery
 * point does not wait for the schedule).  A drill checks the target is
 * configured and takes none. */
#include <stdlib.h>

#include "core/backup_config.h"
#include "core/error.h"
#include "core/ops.h"
#include "core/ops_backup.h"
#include "core/runbook_action.h"
#include "core/xmalloc.h"

static const char *const backup_keys[] = {"target", NULL};

static void backup_validate(struct json_errors *errs,
                            const struct json_doc *doc, const cJSON *obj,
                            struct runbook_step *step)
{
	runbook_action_get(errs, doc, obj, "target", 1, &step->target);
	if (step->command != NULL)
		json_errors_add(
		    errs, doc, cJSON_GetObjectItemCaseSensitive(obj, "command"),
		    "a backup step takes a \"target\", not a \"command\"");
}

static int backup_step_run(const struct runbook_action_ctx *ctx, int *exit_code,
                           char **err)
{
	char *target = runbook_action_text(ctx, ctx->step->target);
	struct backup_outcome out;
	int rc = DR_OK;

	*exit_code = -1;
	if (ctx->ses == NULL || ctx->ses->cfg == NULL ||
	    backup_config_target(ctx->ses->cfg, target) == NULL) {
		*err = xasprintf("no backup target \"%s\" in the config (see "
		                 "drconsole-backup(5))",
		                 target);
		rc = DR_ENOTFOUND;
	} else if (ctx->drill) {
		char *line =
		    xasprintf("[drill] would back up target %s now", target);
		ctx->say(ctx->engine, line);
		free(line);
	} else {
		char *e = NULL;
		rc = ops_backup_run(ctx->ses, target, &out, &e);
		char *line = ops_backup_run_line(target, rc, &out, e);
		ctx->say(ctx->engine, line);
		if (rc != DR_OK)
			*err = line;
		else
			free(line);
		free(e);
	}
	if (rc == DR_OK)
		*exit_code = 0;
	free(target);
	return rc;
}

const struct runbook_action runbook_action_backup = {
    .name = "backup",
    .keys = backup_keys,
    .validate = backup_validate,
    .run = backup_step_run,
};
