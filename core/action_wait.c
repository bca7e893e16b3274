/* The "wait" action: either a fixed pause ("duration"), or polling a
 * command every "interval" until it exits 0 or the step's timeout passes
 * (e.g. until a restored pod reports ready).  In a drill the polled
 * command is its drill form, and a fixed pause lasts at most
 * ACTION_WAIT_DRILL_MAX_S seconds, so drills stay quick. */
#include <stdlib.h>
#include <time.h>

#include "core/error.h"
#include "core/runbook_action.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

#define ACTION_WAIT_DRILL_MAX_S 2

static const char *const wait_keys[] = {"duration", "interval", NULL};

static void wait_validate(struct json_errors *errs, const struct json_doc *doc,
                          const cJSON *obj, struct runbook_step *step)
{
	long long duration = 0, interval = 10;
	int has_duration =
	    json_get_duration(errs, doc, obj, "duration", 0, &duration);
	int has_interval =
	    json_get_duration(errs, doc, obj, "interval", 0, &interval);

	if (has_duration == 1 && step->command != NULL)
		json_errors_add(
		    errs, doc,
		    cJSON_GetObjectItemCaseSensitive(obj, "duration"),
		    "a wait step takes either \"duration\" or "
		    "\"command\", not both");
	else if (has_duration == 0 && step->command == NULL)
		json_errors_add(errs, doc, obj,
		                "a wait step needs \"duration\" (a fixed "
		                "pause) or \"command\" (polled until it "
		                "exits 0)");
	if (has_duration == 1 && duration <= 0)
		json_errors_add(
		    errs, doc,
		    cJSON_GetObjectItemCaseSensitive(obj, "duration"),
		    "\"duration\" must be more than 0s");
	if (has_interval == 1 && (interval < 1 || interval > 3600))
		json_errors_add(
		    errs, doc,
		    cJSON_GetObjectItemCaseSensitive(obj, "interval"),
		    "\"interval\" must be between 1s and 1h");
	if (has_interval == 1 && step->command == NULL)
		json_errors_add(
		    errs, doc,
		    cJSON_GetObjectItemCaseSensitive(obj, "interval"),
		    "\"interval\" only applies to a wait with a "
		    "\"command\"");
	step->duration_s = has_duration == 1 ? duration : 0;
	step->interval_s = interval;
}

/* Sleeps up to seconds, in slices, so a stop request is honoured. */
static int wait_sleep(const struct runbook_action_ctx *ctx, double seconds)
{
	double end = time_mono() + seconds;
	struct timespec slice = {0, 100 * 1000 * 1000};

	while (time_mono() < end) {
		if (ctx->stopped(ctx->engine))
			return DR_EBUSY;
		nanosleep(&slice, NULL);
	}
	return DR_OK;
}

static int wait_run(const struct runbook_action_ctx *ctx, int *exit_code,
                    char **err)
{
	const struct runbook_step *step = ctx->step;
	const char *command = ctx->drill ? step->drill : step->command;
	double deadline = time_mono() + (double)step->timeout_s;
	int rc, attempt = 0;
	char *line;

	*exit_code = -1;
	if (command == NULL) {
		double pause = (double)step->duration_s;

		if (ctx->drill && pause > ACTION_WAIT_DRILL_MAX_S)
			pause = ACTION_WAIT_DRILL_MAX_S;
		line = xasprintf("%swaiting %.0fs",
		                 ctx->drill ? "[drill] " : "", pause);
		ctx->say(ctx->engine, line);
		free(line);
		rc = wait_sleep(ctx, pause);
		if (rc != DR_OK) {
			*err = xstrdup("stopped by the operator");
			return rc;
		}
		*exit_code = 0;
		return DR_OK;
	}
	for (;;) {
		double left = deadline - time_mono();
		char *run_err = NULL;

		if (left < 1) {
			*err = xasprintf("still not ready after %d attempts "
			                 "(timeout)",
			                 attempt);
			return DR_ETIMEOUT;
		}
		attempt++;
		rc = ctx->run(ctx->engine, command, (int64_t)left, exit_code,
		              &run_err);
		if (rc == DR_OK && *exit_code == 0)
			return DR_OK;
		if (rc == DR_EBUSY) {
			*err = run_err ? run_err
			               : xstrdup("stopped by the operator");
			return rc;
		}
		free(run_err);
		line =
		    xasprintf("not ready yet (attempt %d, exit %d); next "
		              "check in %llds",
		              attempt, *exit_code, (long long)step->interval_s);
		ctx->say(ctx->engine, line);
		free(line);
		if (deadline - time_mono() < (double)step->interval_s) {
			*err = xasprintf("still not ready after %d attempts "
			                 "(timeout)",
			                 attempt);
			return DR_ETIMEOUT;
		}
		rc = wait_sleep(ctx, (double)step->interval_s);
		if (rc != DR_OK) {
			*err = xstrdup("stopped by the operator");
			return rc;
		}
	}
}

const struct runbook_action runbook_action_wait = {
    .name = "wait",
    .keys = wait_keys,
    .validate = wait_validate,
    .run = wait_run,
};
