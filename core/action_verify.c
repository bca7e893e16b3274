/* The "verify" action: re-reads one of drconsole's own backups (every
 * chunk and the SHA-256), named by "backup" (an id, "latest" or
 * "within-rpo") of "service"; without "backup", the service's newest.  A
 * drill names the backup it would verify and leaves its state alone. */
#include <stdlib.h>

#include "core/error.h"
#include "core/ops_backup.h"
#include "core/runbook_action.h"
#include "core/xmalloc.h"

static const char *const verify_keys[] = {"service", "backup", NULL};

static void verify_validate(struct json_errors *errs,
                            const struct json_doc *doc, const cJSON *obj,
                            struct runbook_step *step)
{
	runbook_action_get(errs, doc, obj, "service", 1, &step->service);
	runbook_action_get(errs, doc, obj, "backup", 0, &step->backup);
	if (step->command != NULL)
		json_errors_add(
		    errs, doc, cJSON_GetObjectItemCaseSensitive(obj, "command"),
		    "a verify step takes \"service\" and \"backup\", not a "
		    "\"command\"");
}

static int verify_run(const struct runbook_action_ctx *ctx, int *exit_code,
                      char **err)
{
	const struct runbook_step *st = ctx->step;
	char *service = runbook_action_text(ctx, st->service);
	char *spec =
	    runbook_action_text(ctx, st->backup ? st->backup : "latest");
	char id[40];
	struct backup_outcome out;
	int rc = runbook_action_pick(ctx, service, spec, id, err);

	*exit_code = -1;
	if (rc == DR_OK && ctx->drill) {
		char *line = xasprintf("[drill] would verify backup %s of %s "
		                       "(%s)",
		                       id, service, spec);
		ctx->say(ctx->engine, line);
		free(line);
	} else if (rc == DR_OK) {
		char *e = NULL;
		rc = ops_backup_verify(ctx->ses, id, NULL, &out, &e);
		char *line = ops_backup_verify_line(id, rc, &out, e);
		ctx->say(ctx->engine, line);
		if (rc != DR_OK)
			*err = line;
		else
			free(line);
		free(e);
	}
	if (rc == DR_OK)
		*exit_code = 0;
	free(service);
	free(spec);
	return rc;
}

const struct runbook_action runbook_action_verify = {
    .name = "verify",
    .keys = verify_keys,
    .validate = verify_validate,
    .run = verify_run,
};
