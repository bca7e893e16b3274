/* Built-in runbook actions: one file each (core/action_*.c) exporting a
 * const entry, listed in core/runbook_action.c.  A step says
 * "kind": "<action name>"; the action names the extra keys it accepts,
 * validates them, and runs through the engine's context. */
#ifndef DR_RUNBOOK_ACTION_H
#define DR_RUNBOOK_ACTION_H

#include <stddef.h>
#include <stdint.h>

#include "core/json.h"
#include "core/runbook.h"

/* What the engine hands an action when it runs. */
struct ops_session;

struct runbook_action_ctx {
	const struct runbook_step *step;
	int drill;
	/* step->message with ${NAME} expanded (notify), or NULL. */
	const char *message;
	/* Runs shell text as a step command does (own process group,
	 * variables in the environment, output streamed); *exit_code is the
	 * command's status, -1 when it was killed.  DR_ETIMEOUT after
	 * timeout_s, DR_EBUSY when the operator stopped it. */
	int (*run)(void *engine, const char *command, int64_t timeout_s,
	           int *exit_code, char **err);
	/* Streams a line of output to the front end and the step's record. */
	void (*say)(void *engine, const char *text);
	/* Delivers a notification; may be NULL (then say() is all). */
	void (*notify)(void *engine, const char *message);
	/* Nonzero when the operator asked to stop. */
	int (*stopped)(void *engine);
	/* The actions that use the rest of drconsole (restore, verify,
	 * backup, probe, compliance): the run's session (its catalog and
	 * config; NULL when the front end gave none), text with ${NAME}
	 * expanded (malloc'd), the environment of a step's command
	 * (childenv_free), the recovery the run records. */
	const struct ops_session *ses;
	char *(*expand)(void *engine, const char *text);
	char **(*env)(void *engine);
	const char *recovery_id;
	void *engine;
};

/* For an action's run: the step's text field expanded, or NULL. */
char *runbook_action_text(const struct runbook_action_ctx *ctx,
                          const char *text);
/* The backup a restore or verify step means: "within-rpo" or "latest" of
 * the service, or an id (or unique prefix) that must be the service's. */
int runbook_action_pick(const struct runbook_action_ctx *ctx,
                        const char *service, const char *spec,
                        char backup_id[40], char **err);
/* For an action's validate: the string key into *out (malloc'd); 1 when
 * present, 0 when absent (an error when required), -1 when not a string
 * or empty. */
int runbook_action_get(struct json_errors *errs, const struct json_doc *doc,
                       const cJSON *obj, const char *key, int required,
                       char **out);

struct runbook_action {
	const char *name;
	/* Step keys the action accepts beyond the common ones; NULL-ended. */
	const char *const *keys;
	/* Reads and checks its keys into step (message, duration_s,
	 * interval_s, command, drill); reports into errs. */
	void (*validate)(struct json_errors *errs, const struct json_doc *doc,
	                 const cJSON *obj, struct runbook_step *step);
	/* DR_OK when the step succeeded; otherwise a status and *err.
	 * *exit_code: the last command's status, or -1. */
	int (*run)(const struct runbook_action_ctx *ctx, int *exit_code,
	           char **err);
};

/* The action with that name, or NULL. */
const struct runbook_action *runbook_action_find(const char *name);
/* The registered actions, NULL-terminated. */
const struct runbook_action *const *runbook_action_all(void);

#endif
