/* The "probe" action: runs the service's probes (drconsole.conf's
 * "probes") every "interval" (default 10s) until every one of them passes
 * in the same round, or the step's timeout passes (e.g. after a restore,
 * wait until the API answers and the replica streams again).  The rounds
 * are recorded like `probe run`'s.  A drill runs them for real: probing
 * changes nothing. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "core/ops.h"
#include "core/ops_probe.h"
#include "core/runbook_action.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

static const char *const probe_keys[] = {"service", "interval", NULL};

static void probe_validate(struct json_errors *errs, const struct json_doc *doc,
                           const cJSON *obj, struct runbook_step *step)
{
	long long interval = 10;
	runbook_action_get(errs, doc, obj, "service", 1, &step->service);
	if (json_get_duration(errs, doc, obj, "interval", 0, &interval) == 1 &&
	    (interval < 1 || interval > 3600))
		json_errors_add(
		    errs, doc,
		    cJSON_GetObjectItemCaseSensitive(obj, "interval"),
		    "\"interval\" must be between 1s and 1h");
	step->interval_s = interval;
	if (step->command != NULL)
		json_errors_add(
		    errs, doc, cJSON_GetObjectItemCaseSensitive(obj, "command"),
		    "a probe step takes a \"service\", not a \"command\"");
}

/* One round; 1 when every probe passed, 0 when one did not (*failing
 * names it), -1 on an error (*err). */
static int probe_round(const struct runbook_action_ctx *ctx,
                       const char *service, char *failing, size_t size,
                       char **err)
{
	struct probe_round_item *items = NULL;
	size_t n = probe_round_select(ctx->ses->cfg->probes, service, &items);
	int all = 1;

	if (n == 0) {
		*err = xasprintf("service %s has no probes in drconsole.conf: "
		                 "nothing to wait for",
		                 service);
		probe_round_free(items, n);
		return -1;
	}
	if (ops_probe_run(ctx->ses, items, n, time_now(), err) != DR_OK) {
		probe_round_free(items, n);
		return -1;
	}
	failing[0] = '\0';
	for (size_t i = 0; i < n; i++)
		if (!items[i].outcome.ok && all) {
			all = 0;
			snprintf(failing, size, "%s: %s", items[i].spec->name,
			         items[i].outcome.message);
		}
	probe_round_free(items, n);
	return all;
}

static int probe_step_run(const struct runbook_action_ctx *ctx, int *exit_code,
                          char **err)
{
	const struct runbook_step *st = ctx->step;
	char *service = runbook_action_text(ctx, st->service);
	double deadline = time_mono() + (double)st->timeout_s;
	char failing[400];
	int rc = DR_OK, round = 0;

	*exit_code = -1;
	if (ctx->ses == NULL || ctx->ses->cfg == NULL) {
		*err = xstrdup("this front end gives the step no config");
		free(service);
		return DR_EINVAL;
	}
	for (;;) {
		int ok =
		    probe_round(ctx, service, failing, sizeof failing, err);
		round++;
		if (ok < 0) {
			rc = DR_EINVAL;
			break;
		}
		if (ok) {
			char *line = xasprintf("%sprobes of %s pass (round %d)",
			                       ctx->drill ? "[drill] " : "",
			                       service, round);
			ctx->say(ctx->engine, line);
			free(line);
			*exit_code = 0;
			break;
		}
		char *line = xasprintf("round %d: %s; again in %llds", round,
		                       failing, (long long)st->interval_s);
		ctx->say(ctx->engine, line);
		free(line);
		double next = time_mono() + (double)st->interval_s;
		if (next > deadline) {
			*err = xasprintf("the probes of %s did not pass within "
			                 "%llds: %s",
			                 service, (long long)st->timeout_s,
			                 failing);
			rc = DR_ETIMEOUT;
			break;
		}
		struct timespec slice = {0, 100 * 1000 * 1000};
		while (time_mono() < next && !ctx->stopped(ctx->engine))
			nanosleep(&slice, NULL);
		if (ctx->stopped(ctx->engine)) {
			*err = xstrdup("stopped by the operator");
			rc = DR_EBUSY;
			break;
		}
	}
	free(service);
	return rc;
}

const struct runbook_action runbook_action_probe = {
    .name = "probe",
    .keys = probe_keys,
    .validate = probe_validate,
    .run = probe_step_run,
};
