/* The "restore" action: one of drconsole's own backups of a service into
 * a path ("to") or a command fed on stdin ("to_command", shell text that
 * sees the runbook's variables as DR_VAR_NAME).  "backup" says which:
 * "within-rpo" (the default: the newest verified backup inside the RPO),
 * "latest" or a backup id.  The restore is recorded with the run's
 * recovery id, so the recovery's data loss counts from the backup that was
 * restored (core/runbook_exec.c).
 *
 * In a drill it restores the same backup for real, as a restore test of
 * its target (into the target's restore_test command or a scratch file,
 * never "to" or "to_command"): the drill is RTO evidence of its own. */
#include <stdlib.h>
#include <string.h>

#include "core/backup.h"
#include "core/childenv.h"
#include "core/error.h"
#include "core/ops.h"
#include "core/ops_backup.h"
#include "core/runbook_action.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

static const char *const restore_keys[] = {"service", "backup", "to",
                                           "to_command", NULL};

static void restore_validate(struct json_errors *errs,
                             const struct json_doc *doc, const cJSON *obj,
                             struct runbook_step *step)
{
	runbook_action_get(errs, doc, obj, "service", 1, &step->service);
	runbook_action_get(errs, doc, obj, "backup", 0, &step->backup);
	int to = runbook_action_get(errs, doc, obj, "to", 0, &step->to);
	int cmd = runbook_action_get(errs, doc, obj, "to_command", 0,
	                             &step->to_command);
	if (to >= 0 && cmd >= 0 && (to == 1) == (cmd == 1))
		json_errors_add(errs, doc, obj,
		                "a restore step needs exactly one of \"to\" "
		                "(a path) and \"to_command\" (a command fed "
		                "the backup on stdin)");
	if (step->command != NULL)
		json_errors_add(
		    errs, doc, cJSON_GetObjectItemCaseSensitive(obj, "command"),
		    "a restore step takes \"to\" or \"to_command\", not a "
		    "\"command\"");
}

static void say_outcome(const struct runbook_action_ctx *ctx, const char *what,
                        const struct backup_outcome *out)
{
	char bytes[32];
	ops_bytes_human((double)out->plain_bytes, bytes, sizeof bytes);
	char *line = xasprintf("%s: %s in %.1fs%s%s", what, bytes, out->seconds,
	                       out->repository[0] ? " from repository " : "",
	                       out->repository);
	ctx->say(ctx->engine, line);
	free(line);
	if (out->note[0] != '\0')
		ctx->say(ctx->engine, out->note);
}

/* The drill: a restore test of the chosen backup, through its target. */
static int restore_drill(const struct runbook_action_ctx *ctx, const char *id,
                         char **err)
{
	char target[64], service[64];
	int64_t at = 0;
	struct backup_outcome out;
	int rc = backup_target_of(ctx->ses->cat, id, target, service, &at, err);

	if (rc != DR_OK)
		return rc;
	if (target[0] == '\0') {
		*err = xasprintf("backup %s was not made by drconsole (no "
		                 "backup target): a drill cannot restore it",
		                 id);
		return DR_EINVAL;
	}
	struct backup_restore_opts opts = {.recovery_id = ctx->recovery_id,
	                                   .backup_id = id};
	rc = ops_backup_restore_test(ctx->ses, target, &opts, &out, err);
	if (rc != DR_OK)
		return rc;
	char *what = xasprintf("[drill] restored backup %s as a restore test "
	                       "of target %s",
	                       id, target);
	say_outcome(ctx, what, &out);
	free(what);
	return DR_OK;
}

static int restore_real(const struct runbook_action_ctx *ctx, const char *id,
                        char **err)
{
	const struct runbook_step *st = ctx->step;
	char *to = runbook_action_text(ctx, st->to);
	char **env = st->to_command && ctx->env ? ctx->env(ctx->engine) : NULL;
	struct backup_sink sink = {
	    .path = to, .shell = st->to_command, .env = env};
	struct backup_restore_opts opts = {.recovery_id = ctx->recovery_id};
	struct backup_outcome out;
	int rc = ops_backup_restore(ctx->ses, id, &sink, &opts, &out, err);

	if (rc == DR_OK) {
		char *what = xasprintf("restored backup %s into %s", id,
		                       to ? to : "the command");
		say_outcome(ctx, what, &out);
		free(what);
	}
	childenv_free(env);
	free(to);
	return rc;
}

static int restore_run(const struct runbook_action_ctx *ctx, int *exit_code,
                       char **err)
{
	const struct runbook_step *st = ctx->step;
	char *service = runbook_action_text(ctx, st->service);
	char *spec =
	    runbook_action_text(ctx, st->backup ? st->backup : "within-rpo");
	char id[40];
	int rc = runbook_action_pick(ctx, service, spec, id, err);

	*exit_code = -1;
	if (rc == DR_OK) {
		char *line =
		    xasprintf("%sbackup %s of %s (%s)",
		              ctx->drill ? "[drill] " : "", id, service, spec);
		ctx->say(ctx->engine, line);
		free(line);
		rc = ctx->drill ? restore_drill(ctx, id, err)
		                : restore_real(ctx, id, err);
	}
	if (rc == DR_OK)
		*exit_code = 0;
	free(service);
	free(spec);
	return rc;
}

const struct runbook_action runbook_action_restore = {
    .name = "restore",
    .keys = restore_keys,
    .validate = restore_validate,
    .run = restore_run,
};
