/* The table of built-in runbook actions. */
#include <stdlib.h>
#include <string.h>

#include "core/backup.h"
#include "core/error.h"
#include "core/ops.h"
#include "core/runbook_action.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

extern const struct runbook_action runbook_action_notify;
extern const struct runbook_action runbook_action_wait;
extern const struct runbook_action runbook_action_restore;
extern const struct runbook_action runbook_action_verify;
extern const struct runbook_action runbook_action_backup;
extern const struct runbook_action runbook_action_probe;
extern const struct runbook_action runbook_action_compliance;

static const struct runbook_action *const actions[] = {
    &runbook_action_notify,     &runbook_action_wait,
    &runbook_action_restore,    &runbook_action_verify,
    &runbook_action_backup,     &runbook_action_probe,
    &runbook_action_compliance, NULL,
};

char *runbook_action_text(const struct runbook_action_ctx *ctx,
                          const char *text)
{
	if (text == NULL)
		return NULL;
	return ctx->expand ? ctx->expand(ctx->engine, text) : xstrdup(text);
}

int runbook_action_get(struct json_errors *errs, const struct json_doc *doc,
                       const cJSON *obj, const char *key, int required,
                       char **out)
{
	const char *v = NULL;
	int rc = json_get_string(errs, doc, obj, key, required, &v);

	if (rc != 1)
		return rc;
	if (v[0] == '\0') {
		json_errors_add(errs, doc,
		                cJSON_GetObjectItemCaseSensitive(obj, key),
		                "\"%s\" is empty", key);
		return -1;
	}
	*out = xstrdup(v);
	return 1;
}

const struct runbook_action *runbook_action_find(const char *name)
{
	for (size_t i = 0; actions[i] != NULL; i++)
		if (strcmp(actions[i]->name, name) == 0)
			return actions[i];
	return NULL;
}

const struct runbook_action *const *runbook_action_all(void)
{
	return actions;
}

int runbook_action_pick(const struct runbook_action_ctx *ctx,
                        const char *service, const char *spec,
                        char backup_id[40], char **err)
{
	if (ctx->ses == NULL || ctx->ses->cat == NULL) {
		*err = xstrdup("this front end gives the step no catalog");
		return DR_EINVAL;
	}
	if (strcmp(spec, "within-rpo") == 0 || strcmp(spec, "latest") == 0) {
		char *full = xasprintf("%s:%s", spec, service);
		int rc = backup_resolve(ctx->ses->cat, full, time_now(),
		                        backup_id, err);
		free(full);
		return rc;
	}
	char target[64], of[64];
	int64_t at = 0;
	int rc =
	    backup_resolve(ctx->ses->cat, spec, time_now(), backup_id, err);
	if (rc == DR_OK)
		rc = backup_target_of(ctx->ses->cat, backup_id, target, of, &at,
		                      err);
	if (rc == DR_OK && strcmp(of, service) != 0) {
		*err = xasprintf("backup %s is of service %s, not %s",
		                 backup_id, of, service);
		rc = DR_EINVAL;
	}
	return rc;
}
