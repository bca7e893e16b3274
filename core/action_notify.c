/* The "notify" action: tells people what is happening.  The message goes
 * to the step's output and to the engine's notifier (the front end, and
 * the notification channels once they are configured).  In a drill it is
 * only shown, marked as a drill. */
#include <stdlib.h>

#include "core/error.h"
#include "core/runbook_action.h"
#include "core/xmalloc.h"

static const char *const notify_keys[] = {"message", NULL};

static void notify_validate(struct json_errors *errs,
                            const struct json_doc *doc, const cJSON *obj,
                            struct runbook_step *step)
{
	const char *message = NULL;

	if (json_get_string(errs, doc, obj, "message", 1, &message) == 1) {
		if (message[0] == '\0')
			json_errors_add(
			    errs, doc,
			    cJSON_GetObjectItemCaseSensitive(obj, "message"),
			    "\"message\" of a notify step is empty");
		step->message = xstrdup(message);
	}
	if (step->command != NULL)
		json_errors_add(
		    errs, doc, cJSON_GetObjectItemCaseSensitive(obj, "command"),
		    "a notify step takes a \"message\", not a \"command\"");
}

static int notify_run(const struct runbook_action_ctx *ctx, int *exit_code,
                      char **err)
{
	const char *message = ctx->message ? ctx->message : "";
	char *line;

	(void)err;
	*exit_code = 0;
	if (ctx->drill) {
		line = xasprintf("[drill] would notify: %s", message);
		ctx->say(ctx->engine, line);
		free(line);
		return DR_OK;
	}
	line = xasprintf("notify: %s", message);
	ctx->say(ctx->engine, line);
	free(line);
	if (ctx->notify != NULL)
		ctx->notify(ctx->engine, message);
	return DR_OK;
}

const struct runbook_action runbook_action_notify = {
    .name = "notify",
    .keys = notify_keys,
    .validate = notify_validate,
    .run = notify_run,
};
