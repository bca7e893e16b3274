/* The "compliance" action: fails unless the service is OK against its RPO
 * and RTO as `status` says it (a backup inside the RPO, a recovery
 * estimate inside the RTO, tested, its probes up), naming the reason.
 * A drill runs it for real: it changes nothing. */
#include <stdlib.h>
#include <string.h>

#include "core/compliance.h"
#include "core/config.h"
#include "core/error.h"
#include "core/ops.h"
#include "core/runbook_action.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

static const char *const compliance_keys[] = {"service", NULL};

static void compliance_validate(struct json_errors *errs,
                                const struct json_doc *doc, const cJSON *obj,
                                struct runbook_step *step)
{
	runbook_action_get(errs, doc, obj, "service", 1, &step->service);
	if (step->command != NULL)
		json_errors_add(
		    errs, doc, cJSON_GetObjectItemCaseSensitive(obj, "command"),
		    "a compliance step takes a \"service\", not a "
		    "\"command\"");
}

static int compliance_run(const struct runbook_action_ctx *ctx, int *exit_code,
                          char **err)
{
	char *service = runbook_action_text(ctx, ctx->step->service);
	struct compliance_policy def;
	struct compliance_report rep;
	const struct compliance_service *s = NULL;
	int rc;

	*exit_code = -1;
	if (ctx->ses == NULL || ctx->ses->cat == NULL) {
		*err = xstrdup("this front end gives the step no catalog");
		free(service);
		return DR_EINVAL;
	}
	compliance_policy_default(&def);
	rc = compliance_eval(ctx->ses->cat,
	                     ctx->ses->cfg ? &ctx->ses->cfg->policy : &def,
	                     time_now(), &rep, err);
	if (rc != DR_OK) {
		free(service);
		return rc;
	}
	for (size_t i = 0; i < rep.n && s == NULL; i++)
		if (strcmp(rep.services[i].name, service) == 0)
			s = &rep.services[i];
	if (s == NULL) {
		*err = xasprintf("no service \"%s\" in the catalog", service);
		rc = DR_ENOTFOUND;
	} else if (s->verdict != VERDICT_OK) {
		*err = xasprintf("%s is %s: %s", service,
		                 verdict_name(s->verdict), s->reason);
		rc = DR_EIO;
	} else {
		char *line = xasprintf("%s%s is OK against its RPO and RTO",
		                       ctx->drill ? "[drill] " : "", service);
		ctx->say(ctx->engine, line);
		free(line);
		*exit_code = 0;
	}
	compliance_report_free(&rep);
	free(service);
	return rc;
}

const struct runbook_action runbook_action_compliance = {
    .name = "compliance",
    .keys = compliance_keys,
    .validate = compliance_validate,
    .run = compliance_run,
};
