/* Loading and validating runbooks.
 *
 * The validator reads the whole file and reports every problem it finds,
 * each with file:line:col, rather than stopping at the first: someone
 * fixing a runbook under pressure should see them all at once.  Only a
 * runbook without a single error is handed out.  References to variables
 * are checked last, once every variable is known (see runbook.h for the
 * two reference forms). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/json.h"
#include "core/runbook.h"
#include "core/runbook_action.h"
#include "core/trust.h"
#include "core/xmalloc.h"

#ifndef DRCONSOLE_DATADIR
#define DRCONSOLE_DATADIR "/usr/local/share/drconsole"
#endif

#define RUNBOOK_DEFAULT_TIMEOUT_S 600
#define RUNBOOK_MAX_TIMEOUT_S     (24 * 3600)
#define RUNBOOK_MAX_RETRIES       10
#define RUNBOOK_MAX_RETRY_DELAY_S 3600
#define RUNBOOK_MAX_VALUE         1024
#define RUNBOOK_MAX_STEPS         500
#define RUNBOOK_DEFAULT_SETTLE_S  60
#define RUNBOOK_DEFAULT_CHECK_S   30
#define RUNBOOK_MAX_CHECKS        20

static const char *const root_keys[] = {
    "name", "title",        "scenario",     "description",     "incident_type",
    "rto",  "rpo",          "services",     "variables",       "phases",
    "env",  "steady_state", "update_every", "update_template", NULL,
};
static const char *const steady_keys[] = {"checks", "settle", "interval", NULL};
static const char *const check_keys[] = {"name", "command", "timeout", NULL};
static const char *const var_keys[] = {"name", "prompt", "default", "pattern",
                                       NULL};
static const char *const phase_keys[] = {"name", "steps", NULL};
static const char *const step_keys[] = {
    "id",       "title",          "kind",    "instructions",
    "command",  "drill",          "verify",  "verify_drill",
    "rollback", "rollback_drill", "confirm", "confirm_word",
    "timeout",  "retries",        "undo",    "retry_delay",
    NULL,
};

const char *runbook_kind_label(enum runbook_kind kind)
{
	switch (kind) {
	case RUNBOOK_KIND_COMMAND:
		return "command";
	case RUNBOOK_KIND_CHECK:
		return "check";
	case RUNBOOK_KIND_MANUAL:
		return "manual";
	case RUNBOOK_KIND_ACTION:
		return "action";
	case RUNBOOK_KIND_FAULT:
		return "fault";
	}
	return "?";
}

const char *runbook_confirm_label(enum runbook_confirm level)
{
	switch (level) {
	case RUNBOOK_CONFIRM_NONE:
		return "none";
	case RUNBOOK_CONFIRM_YES:
		return "yes";
	case RUNBOOK_CONFIRM_TYPED:
		return "typed";
	}
	return "?";
}

/* ---- small checks ------------------------------------------------------ */

static int is_ident_char(int c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* [a-z0-9][a-z0-9-]* for names, with extra characters allowed. */
static int valid_slug(const char *s, const char *extra, size_t max)
{
	size_t len = strlen(s);

	if (len == 0 || len > max)
		return 0;
	if (!(islower((unsigned char)s[0]) || isdigit((unsigned char)s[0])))
		return 0;
	for (const char *p = s; *p; p++) {
		if (islower((unsigned char)*p) || isdigit((unsigned char)*p) ||
		    *p == '-')
			continue;
		if (extra != NULL && strchr(extra, *p) != NULL)
			continue;
		return 0;
	}
	return 1;
}

static int valid_env_name(const char *s)
{
	if (s[0] == '\0' || isdigit((unsigned char)s[0]) || strlen(s) > 128)
		return 0;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return 0;
	return 1;
}

static int valid_var_name(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > 48 || !isupper((unsigned char)s[0]))
		return 0;
	for (const char *p = s; *p; p++)
		if (!(isupper((unsigned char)*p) ||
		      isdigit((unsigned char)*p) || *p == '_'))
			return 0;
	return 1;
}

static const cJSON *member(const cJSON *obj, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/* ---- freeing ------------------------------------------------------------ */

static void step_clear(struct runbook_step *s)
{
	free(s->id);
	free(s->title);
	free(s->instructions);
	free(s->command);
	free(s->drill);
	free(s->verify);
	free(s->verify_drill);
	free(s->rollback);
	free(s->rollback_drill);
	free(s->undo);
	free(s->confirm_word);
	free(s->message);
	free(s->service);
	free(s->backup);
	free(s->to);
	free(s->to_command);
	free(s->target);
}

void runbook_free(struct runbook *rb)
{
	if (rb == NULL)
		return;
	free(rb->path);
	free(rb->name);
	free(rb->title);
	free(rb->update_template);
	free(rb->scenario);
	free(rb->description);
	free(rb->incident_type);
	runbook_values_free(rb->services, rb->n_services);
	runbook_values_free(rb->env, rb->n_env);
	for (size_t i = 0; i < rb->n_vars; i++) {
		free(rb->vars[i].name);
		free(rb->vars[i].prompt);
		free(rb->vars[i].def);
		free(rb->vars[i].pattern);
	}
	free(rb->vars);
	for (size_t i = 0; i < rb->n_steady; i++) {
		free(rb->steady[i].name);
		free(rb->steady[i].command);
	}
	free(rb->steady);
	for (size_t i = 0; i < rb->n_phases; i++)
		free(rb->phases[i].name);
	free(rb->phases);
	for (size_t i = 0; i < rb->n_steps; i++)
		step_clear(&rb->steps[i]);
	free(rb->steps);
	free(rb->text);
	free(rb);
}

void runbook_values_free(char **values, size_t n)
{
	if (values == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(values[i]);
	free(values);
}

long runbook_step_index(const struct runbook *rb, const char *id)
{
	for (size_t i = 0; i < rb->n_steps; i++)
		if (strcmp(rb->steps[i].id, id) == 0)
			return (long)i;
	return -1;
}

long runbook_var_index(const struct runbook *rb, const char *name)
{
	for (size_t i = 0; i < rb->n_vars; i++)
		if (strcmp(rb->vars[i].name, name) == 0)
			return (long)i;
	return -1;
}

/* ---- patterns ----------------------------------------------------------- */

/* Compiles "^(pattern)$" so a pattern always speaks of the whole value.
 * On failure returns nonzero and fills msg. */
static int pattern_compile(const char *pattern, regex_t *re, char *msg,
                           size_t size)
{
	char *anchored = xasprintf("^(%s)$", pattern);
	int rc = regcomp(re, anchored, REG_EXTENDED | REG_NOSUB);

	free(anchored);
	if (rc != 0) {
		regerror(rc, re, msg, size);
		return -1;
	}
	return 0;
}

static int value_has_control(const char *value)
{
	for (const char *p = value; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return 1;
	return 0;
}

int runbook_var_check(const struct runbook_var *var, const char *value,
                      char **err)
{
	regex_t re;
	char msg[256];
	int ok;

	if (strlen(value) > RUNBOOK_MAX_VALUE) {
		*err = xasprintf("variable %s: value longer than %d bytes",
		                 var->name, RUNBOOK_MAX_VALUE);
		return DR_EINVAL;
	}
	if (value_has_control(value)) {
		*err = xasprintf("variable %s: value holds a control "
		                 "character (newline, tab, escape, ...)",
		                 var->name);
		return DR_EINVAL;
	}
	if (var->pattern == NULL)
		return DR_OK;
	if (pattern_compile(var->pattern, &re, msg, sizeof msg) != 0) {
		*err =
		    xasprintf("variable %s: bad pattern: %s", var->name, msg);
		return DR_EINVAL;
	}
	ok = regexec(&re, value, 0, NULL, 0) == 0;
	regfree(&re);
	if (!ok) {
		*err = xasprintf("variable %s: \"%s\" does not match the "
		                 "pattern %s",
		                 var->name, value, var->pattern);
		return DR_EINVAL;
	}
	return DR_OK;
}

/* ---- references ------------------------------------------------------- */

/* ${NAME} in text the program reads. */
int runbook_run_name(const char *name)
{
	static const char *const names[] = {"ELAPSED",  "RTO_LEFT", "STEP",
	                                    "INCIDENT", "OPERATOR", NULL};
	for (size_t i = 0; names[i] != NULL; i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

/* ${NAME} in text the program reads; run names only where run_ok (the
 * texts filled when they are sent). */
static void check_refs(struct json_errors *errs, const struct json_doc *doc,
                       const cJSON *node, const char *field, const char *text,
                       const struct runbook *rb, int run_ok)
{
	for (const char *p = strstr(text, "${"); p != NULL;
	     p = strstr(p + 2, "${")) {
		const char *name = p + 2, *end = strchr(name, '}');

		if (end == NULL) {
			json_errors_add(errs, doc, node,
			                "unterminated \"${\" in \"%s\" "
			                "(expected ${NAME})",
			                field);
			return;
		}
		char *ref = xstrndup(name, (size_t)(end - name));
		if (runbook_var_index(rb, ref) >= 0 ||
		    (run_ok && runbook_run_name(ref)))
			;
		else if (runbook_run_name(ref))
			json_errors_add(errs, doc, node,
			                "${%s} is filled when a message is "
			                "sent: only a notify step's "
			                "\"message\" and \"update_template\" "
			                "may use it, not \"%s\"",
			                ref, field);
		else
			json_errors_add(errs, doc, node,
			                "undefined variable \"%s\" in \"%s\"",
			                ref, field);
		free(ref);
	}
}

static void check_text_refs(struct json_errors *errs,
                            const struct json_doc *doc, const cJSON *node,
                            const char *field, const char *text,
                            const struct runbook *rb)
{
	check_refs(errs, doc, node, field, text, rb, 0);
}

/* $DR_VAR_NAME / ${DR_VAR_NAME...} in shell text, and runbook variables
 * named directly (they are not in the environment under that name). */
static void check_shell_refs(struct json_errors *errs,
                             const struct json_doc *doc, const cJSON *node,
                             const char *field, const char *text,
                             const struct runbook *rb)
{
	for (const char *p = strchr(text, '$'); p != NULL;
	     p = strchr(p + 1, '$')) {
		const char *name = p + 1;
		size_t len = 0;

		if (*name == '{')
			name++;
		while (is_ident_char((unsigned char)name[len]))
			len++;
		if (len == 0)
			continue;
		char *ref = xstrndup(name, len);
		if (strncmp(ref, "DR_VAR_", 7) == 0) {
			if (runbook_var_index(rb, ref + 7) < 0)
				json_errors_add(errs, doc, node,
				                "undefined variable \"%s\" "
				                "in \"%s\" (via $%s)",
				                ref + 7, field, ref);
		} else if (runbook_var_index(rb, ref) >= 0) {
			json_errors_add(errs, doc, node,
			                "\"%s\" names variable %s as $%s; in "
			                "shell text write \"$DR_VAR_%s\" "
			                "(variables reach commands only as "
			                "environment variables)",
			                field, ref, ref, ref);
		}
		free(ref);
	}
}

/* ---- variables ------------------------------------------------------ */

static void parse_vars(struct json_errors *errs, const struct json_doc *doc,
                       const cJSON *arr, struct runbook *rb)
{
	const cJSON *v;

	if (!cJSON_IsArray(arr)) {
		json_errors_add(errs, doc, arr,
		                "expected an array for \"variables\"");
		return;
	}
	rb->vars =
	    xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof *rb->vars);
	cJSON_ArrayForEach(v, arr)
	{
		const char *name = NULL, *prompt = NULL, *def = NULL,
		           *pattern = NULL;
		int has_pattern, has_def;

		if (!cJSON_IsObject(v)) {
			json_errors_add(errs, doc, v,
			                "expected an object for a variable");
			continue;
		}
		json_check_keys(errs, doc, v, "a variable", var_keys);
		if (json_get_string(errs, doc, v, "name", 1, &name) != 1)
			continue;
		json_get_string(errs, doc, v, "prompt", 1, &prompt);
		has_def = json_get_string(errs, doc, v, "default", 0, &def);
		has_pattern =
		    json_get_string(errs, doc, v, "pattern", 0, &pattern);
		if (!valid_var_name(name)) {
			json_errors_add(errs, doc, member(v, "name"),
			                "bad variable name \"%s\" (expected "
			                "upper case letters, digits and _, "
			                "starting with a letter)",
			                name);
			continue;
		}
		if (strncmp(name, "DR_", 3) == 0) {
			json_errors_add(errs, doc, member(v, "name"),
			                "variable name \"%s\" may not start "
			                "with DR_ (reserved for drconsole)",
			                name);
			continue;
		}
		if (runbook_run_name(name)) {
			json_errors_add(errs, doc, member(v, "name"),
			                "variable name \"%s\" is taken: the "
			                "run fills %s",
			                name, RUNBOOK_RUN_NAMES);
			continue;
		}
		if (runbook_var_index(rb, name) >= 0) {
			json_errors_add(errs, doc, member(v, "name"),
			                "duplicate variable \"%s\"", name);
			continue;
		}
		struct runbook_var *var = &rb->vars[rb->n_vars++];
		var->name = xstrdup(name);
		var->prompt = xstrdup(prompt ? prompt : name);
		var->def = has_def == 1 ? xstrdup(def) : NULL;
		if (has_pattern == 1) {
			regex_t re;
			char msg[256];

			if (pattern_compile(pattern, &re, msg, sizeof msg) !=
			    0) {
				json_errors_add(errs, doc, member(v, "pattern"),
				                "bad pattern for variable "
				                "%s: %s",
				                name, msg);
				continue;
			}
			regfree(&re);
			var->pattern = xstrdup(pattern);
		}
		if (var->def != NULL) {
			char *why = NULL;

			if (runbook_var_check(var, var->def, &why) != DR_OK) {
				json_errors_add(errs, doc, member(v, "default"),
				                "default: %s", why);
				free(why);
			}
		}
	}
}

/* update_every: how often the incident commander owes a status update;
 * update_template: the text offered then (run names allowed). */
static void parse_updates(struct json_errors *errs, const struct json_doc *doc,
                          const cJSON *root, struct runbook *rb)
{
	long long every = 0;
	const char *tmpl = NULL;
	int has_every =
	    json_get_duration(errs, doc, root, "update_every", 0, &every);

	if (has_every == 1 && (every < 60 || every > 24 * 3600))
		json_errors_add(errs, doc, member(root, "update_every"),
		                "\"update_every\" must be between 1m and 24h");
	else if (has_every == 1)
		rb->update_every_s = every;
	if (json_get_string(errs, doc, root, "update_template", 0, &tmpl) ==
	    1) {
		if (has_every != 1)
			json_errors_add(
			    errs, doc, member(root, "update_template"),
			    "\"update_template\" is the text of the "
			    "reminder: give \"update_every\" too");
		else if (tmpl[0] == '\0' || strlen(tmpl) > 1000)
			json_errors_add(errs, doc,
			                member(root, "update_template"),
			                "\"update_template\" must have 1 to "
			                "1000 bytes");
		rb->update_template = xstrdup(tmpl);
	}
}

/* ---- steady state ------------------------------------------------- */

static void parse_steady(struct json_errors *errs, const struct json_doc *doc,
                         const cJSON *obj, struct runbook *rb)
{
	const cJSON *arr, *c;
	long long secs;

	rb->settle_s = RUNBOOK_DEFAULT_SETTLE_S;
	rb->steady_interval_s = 2;
	if (!cJSON_IsObject(obj)) {
		json_errors_add(errs, doc, obj,
		                "expected an object for \"steady_state\" "
		                "(with \"checks\", \"settle\", \"interval\")");
		return;
	}
	json_check_keys(errs, doc, obj, "\"steady_state\"", steady_keys);
	if (json_get_duration(errs, doc, obj, "settle", 0, &secs) == 1) {
		if (secs < 0 || secs > 3600)
			json_errors_add(errs, doc, member(obj, "settle"),
			                "\"settle\" must be between 0s and 1h");
		rb->settle_s = secs;
	}
	if (json_get_duration(errs, doc, obj, "interval", 0, &secs) == 1) {
		if (secs < 1 || secs > 600)
			json_errors_add(errs, doc, member(obj, "interval"),
			                "\"interval\" must be between 1s and "
			                "10m");
		rb->steady_interval_s = secs;
	}
	arr = member(obj, "checks");
	if (arr == NULL) {
		json_errors_add(errs, doc, obj,
		                "missing \"checks\" in \"steady_state\"");
		return;
	}
	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0 ||
	    cJSON_GetArraySize(arr) > RUNBOOK_MAX_CHECKS) {
		json_errors_add(errs, doc, arr,
		                "expected an array of 1 to %d checks for "
		                "\"checks\"",
		                RUNBOOK_MAX_CHECKS);
		return;
	}
	rb->steady =
	    xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof *rb->steady);
	cJSON_ArrayForEach(c, arr)
	{
		const char *name = NULL, *command = NULL;
		long long timeout = RUNBOOK_DEFAULT_CHECK_S;
		int line, col;

		if (!cJSON_IsObject(c)) {
			json_errors_add(errs, doc, c,
			                "expected an object for a steady-state "
			                "check");
			continue;
		}
		json_check_keys(errs, doc, c, "a steady-state check",
		                check_keys);
		if (json_get_string(errs, doc, c, "name", 1, &name) != 1)
			continue;
		if (!valid_slug(name, "_.", 63)) {
			json_errors_add(
			    errs, doc, member(c, "name"),
			    "bad check name \"%s\" (expected lower "
			    "case letters, digits, '-', '_' and '.')",
			    name);
			continue;
		}
		if (json_get_string(errs, doc, c, "command", 1, &command) != 1)
			continue;
		if (command[0] == '\0') {
			json_errors_add(errs, doc, member(c, "command"),
			                "\"command\" is empty");
			continue;
		}
		if (json_get_duration(errs, doc, c, "timeout", 0, &timeout) ==
		        1 &&
		    (timeout < 1 || timeout > 3600)) {
			json_errors_add(
			    errs, doc, member(c, "timeout"),
			    "\"timeout\" must be between 1s and 1h");
			continue;
		}
		for (size_t i = 0; i < rb->n_steady; i++)
			if (strcmp(rb->steady[i].name, name) == 0)
				json_errors_add(errs, doc, member(c, "name"),
				                "duplicate check \"%s\"", name);
		json_doc_where(doc, c, &line, &col);
		struct runbook_check *chk = &rb->steady[rb->n_steady++];
		chk->name = xstrdup(name);
		chk->command = xstrdup(command);
		chk->timeout_s = timeout;
		chk->line = line;
	}
}

/* ---- steps ---------------------------------------------------------- */

static void allowed_keys(const struct runbook_action *action, const char **out,
                         size_t size)
{
	size_t n = 0;

	for (size_t i = 0; step_keys[i] != NULL && n + 1 < size; i++)
		out[n++] = step_keys[i];
	if (action != NULL)
		for (size_t i = 0; action->keys[i] != NULL && n + 1 < size; i++)
			out[n++] = action->keys[i];
	out[n] = NULL;
}

static int parse_kind(const char *kind, struct runbook_step *st)
{
	if (strcmp(kind, "command") == 0)
		st->kind = RUNBOOK_KIND_COMMAND;
	else if (strcmp(kind, "check") == 0)
		st->kind = RUNBOOK_KIND_CHECK;
	else if (strcmp(kind, "manual") == 0)
		st->kind = RUNBOOK_KIND_MANUAL;
	else if (strcmp(kind, "fault") == 0)
		st->kind = RUNBOOK_KIND_FAULT;
	else if ((st->action = runbook_action_find(kind)) != NULL)
		st->kind = RUNBOOK_KIND_ACTION;
	else
		return -1;
	st->kind_name =
	    st->action ? st->action->name : runbook_kind_label(st->kind);
	return 0;
}

static void kinds_list(char *buf, size_t size)
{
	const struct runbook_action *const *all = runbook_action_all();
	size_t len;

	strlcpy_dr(buf, "command, check, manual, fault", size);
	for (size_t i = 0; all[i] != NULL; i++) {
		len = strlen(buf);
		if (len + strlen(all[i]->name) + 3 < size) {
			buf[len] = ',';
			buf[len + 1] = ' ';
			strlcpy_dr(buf + len + 2, all[i]->name, size - len - 2);
		}
	}
}

static void get_opt_string(struct json_errors *errs, const struct json_doc *doc,
                           const cJSON *obj, const char *key, char **out)
{
	const char *s = NULL;

	if (json_get_string(errs, doc, obj, key, 0, &s) != 1)
		return;
	if (s[0] == '\0') {
		json_errors_add(errs, doc, member(obj, key),
		                "\"%s\" is empty (leave it out instead)", key);
		return;
	}
	*out = xstrdup(s);
}

static void parse_step(struct json_errors *errs, const struct json_doc *doc,
                       const cJSON *obj, struct runbook_step *st)
{
	const char *id = NULL, *title = NULL, *kind = "command",
	           *confirm = NULL, *allowed[40];
	char kinds[160];
	long long timeout = RUNBOOK_DEFAULT_TIMEOUT_S;
	double retries = 0;
	int line, col, kind_ok = 1;

	json_doc_where(doc, obj, &line, &col);
	st->line = line;
	st->timeout_s = RUNBOOK_DEFAULT_TIMEOUT_S;
	if (json_get_string(errs, doc, obj, "kind", 0, &kind) == 1 &&
	    parse_kind(kind, st) != 0) {
		kind_ok = 0;
		kinds_list(kinds, sizeof kinds);
		json_errors_add(errs, doc, member(obj, "kind"),
		                "unknown kind \"%s\" (expected one of: %s)",
		                kind, kinds);
	}
	if (st->kind_name == NULL)
		parse_kind("command", st);
	allowed_keys(st->action, allowed, sizeof allowed / sizeof *allowed);
	json_check_keys(errs, doc, obj, "a step", allowed);

	if (json_get_string(errs, doc, obj, "id", 1, &id) == 1) {
		if (!valid_slug(id, "_.", 63))
			json_errors_add(errs, doc, member(obj, "id"),
			                "bad step id \"%s\" (expected lower "
			                "case letters, digits, '-', '_' and "
			                "'.', at most 63)",
			                id);
		st->id = xstrdup(id);
	}
	if (json_get_string(errs, doc, obj, "title", 1, &title) == 1) {
		if (title[0] == '\0' || strlen(title) > 159)
			json_errors_add(errs, doc, member(obj, "title"),
			                "a step's \"title\" must have 1 to "
			                "159 bytes");
		st->title = xstrdup(title);
	}
	get_opt_string(errs, doc, obj, "instructions", &st->instructions);
	get_opt_string(errs, doc, obj, "command", &st->command);
	get_opt_string(errs, doc, obj, "drill", &st->drill);
	get_opt_string(errs, doc, obj, "verify", &st->verify);
	get_opt_string(errs, doc, obj, "verify_drill", &st->verify_drill);
	get_opt_string(errs, doc, obj, "rollback", &st->rollback);
	get_opt_string(errs, doc, obj, "rollback_drill", &st->rollback_drill);
	get_opt_string(errs, doc, obj, "undo", &st->undo);
	get_opt_string(errs, doc, obj, "confirm_word", &st->confirm_word);

	if (json_get_duration(errs, doc, obj, "timeout", 0, &timeout) == 1) {
		if (timeout < 1 || timeout > RUNBOOK_MAX_TIMEOUT_S)
			json_errors_add(errs, doc, member(obj, "timeout"),
			                "\"timeout\" must be between 1s and "
			                "24h");
		st->timeout_s = timeout;
	}
	if (json_get_number(errs, doc, obj, "retries", 0, &retries) == 1) {
		if (retries < 0 || retries > RUNBOOK_MAX_RETRIES ||
		    retries != (double)(int)retries)
			json_errors_add(errs, doc, member(obj, "retries"),
			                "\"retries\" must be a whole number "
			                "from 0 to %d",
			                RUNBOOK_MAX_RETRIES);
		else
			st->retries = (int)retries;
	}
	long long delay = 0;
	if (json_get_duration(errs, doc, obj, "retry_delay", 0, &delay) == 1) {
		if (delay < 1 || delay > RUNBOOK_MAX_RETRY_DELAY_S)
			json_errors_add(errs, doc, member(obj, "retry_delay"),
			                "\"retry_delay\" must be between 1s "
			                "and 1h");
		else if (st->retries == 0)
			json_errors_add(errs, doc, member(obj, "retry_delay"),
			                "\"retry_delay\" is the pause between "
			                "retries: give \"retries\" too");
		st->retry_delay_s = delay;
	}

	/* The default confirmation: a command changes things, so it asks;
	 * the others only look or are asked for anyway. */
	st->confirm =
	    (st->kind == RUNBOOK_KIND_COMMAND ||
	     st->kind == RUNBOOK_KIND_MANUAL || st->kind == RUNBOOK_KIND_FAULT)
	        ? RUNBOOK_CONFIRM_YES
	        : RUNBOOK_CONFIRM_NONE;
	if (json_get_string(errs, doc, obj, "confirm", 0, &confirm) == 1) {
		if (strcmp(confirm, "none") == 0)
			st->confirm = RUNBOOK_CONFIRM_NONE;
		else if (strcmp(confirm, "yes") == 0)
			st->confirm = RUNBOOK_CONFIRM_YES;
		else if (strcmp(confirm, "typed") == 0)
			st->confirm = RUNBOOK_CONFIRM_TYPED;
		else
			json_errors_add(errs, doc, member(obj, "confirm"),
			                "bad confirmation level \"%s\" "
			                "(expected none, yes or typed)",
			                confirm);
	}
	if (st->confirm == RUNBOOK_CONFIRM_TYPED && st->confirm_word == NULL &&
	    member(obj, "confirm_word") == NULL)
		json_errors_add(errs, doc, member(obj, "confirm"),
		                "a typed confirmation needs \"confirm_word\" "
		                "(the word the operator must type, e.g. "
		                "${SERVICE})");
	if (st->confirm_word != NULL) {
		const char *w = st->confirm_word;

		if (st->confirm != RUNBOOK_CONFIRM_TYPED)
			json_errors_add(errs, doc, member(obj, "confirm_word"),
			                "\"confirm_word\" needs \"confirm\": "
			                "\"typed\"");
		if (strcasecmp(w, "y") == 0 || strcasecmp(w, "yes") == 0 ||
		    strcasecmp(w, "n") == 0 || strcasecmp(w, "no") == 0)
			json_errors_add(errs, doc, member(obj, "confirm_word"),
			                "\"confirm_word\" may not be \"%s\": "
			                "a typed confirmation must not be "
			                "answerable with yes or no",
			                w);
	}

	/* What each kind needs and refuses. */
	if (st->drill != NULL && st->command == NULL)
		json_errors_add(errs, doc, member(obj, "drill"),
		                "\"drill\" is the safe form of \"command\", "
		                "but the step has no \"command\"");
	if (st->verify_drill != NULL && st->verify == NULL)
		json_errors_add(errs, doc, member(obj, "verify_drill"),
		                "\"verify_drill\" without \"verify\"");
	if (st->rollback_drill != NULL && st->rollback == NULL)
		json_errors_add(errs, doc, member(obj, "rollback_drill"),
		                "\"rollback_drill\" without \"rollback\"");
	if (!kind_ok)
		return; /* its own checks would only add noise */
	if (st->undo != NULL && st->kind != RUNBOOK_KIND_FAULT)
		json_errors_add(errs, doc, member(obj, "undo"),
		                "\"undo\" belongs to a fault step (\"kind\": "
		                "\"fault\"); a %s step has \"rollback\"",
		                st->kind_name);
	switch (st->kind) {
	case RUNBOOK_KIND_COMMAND:
	case RUNBOOK_KIND_CHECK:
		if (st->command == NULL && member(obj, "command") == NULL)
			json_errors_add(errs, doc, obj,
			                "missing \"command\" in a %s step",
			                st->kind_name);
		if (st->kind == RUNBOOK_KIND_CHECK && st->rollback != NULL)
			json_errors_add(errs, doc, member(obj, "rollback"),
			                "a check step changes nothing, so it "
			                "has no \"rollback\"");
		break;
	case RUNBOOK_KIND_MANUAL:
		if (st->command != NULL)
			json_errors_add(errs, doc, member(obj, "command"),
			                "a manual step has no \"command\"; "
			                "say what to do in \"instructions\"");
		if (st->instructions == NULL &&
		    member(obj, "instructions") == NULL)
			json_errors_add(errs, doc, obj,
			                "missing \"instructions\" in a manual "
			                "step");
		if (st->verify != NULL)
			json_errors_add(errs, doc, member(obj, "verify"),
			                "a manual step has no \"verify\"");
		break;
	case RUNBOOK_KIND_ACTION:
		st->action->validate(errs, doc, obj, st);
		break;
	case RUNBOOK_KIND_FAULT:
		/* A game day is a drill: the fault is the point of it, so it
		 * has no safe form, and its undo is not optional. */
		if (st->command == NULL && member(obj, "command") == NULL)
			json_errors_add(errs, doc, obj,
			                "missing \"command\" in a fault step "
			                "(the fault to inject)");
		if (st->undo == NULL && member(obj, "undo") == NULL)
			json_errors_add(errs, doc, obj,
			                "missing \"undo\" in a fault step (the "
			                "command that puts the fault right; it "
			                "always runs once the fault ran)");
		if (st->drill != NULL)
			json_errors_add(
			    errs, doc, member(obj, "drill"),
			    "a fault step runs as it is in a drill, "
			    "so it has no \"drill\"");
		if (st->rollback != NULL)
			json_errors_add(errs, doc, member(obj, "rollback"),
			                "a fault step has \"undo\", not "
			                "\"rollback\"");
		break;
	}
}

static void check_step_refs(struct json_errors *errs,
                            const struct json_doc *doc, const cJSON *obj,
                            const struct runbook_step *st,
                            const struct runbook *rb)
{
	static const char *const shell[] = {
	    "command",  "drill",          "verify", "verify_drill",
	    "rollback", "rollback_drill", "undo",   "to_command"};
	const char *const shell_val[] = {
	    st->command,  st->drill,          st->verify, st->verify_drill,
	    st->rollback, st->rollback_drill, st->undo,   st->to_command};
	static const char *const text[] = {"service", "backup", "to", "target"};
	const char *const text_val[] = {st->service, st->backup, st->to,
	                                st->target};

	for (size_t i = 0; i < sizeof text / sizeof *text; i++)
		if (text_val[i] != NULL)
			check_text_refs(errs, doc, member(obj, text[i]),
			                text[i], text_val[i], rb);

	for (size_t i = 0; i < sizeof shell / sizeof *shell; i++)
		if (shell_val[i] != NULL)
			check_shell_refs(errs, doc, member(obj, shell[i]),
			                 shell[i], shell_val[i], rb);
	if (st->title)
		check_text_refs(errs, doc, member(obj, "title"), "title",
		                st->title, rb);
	if (st->instructions)
		check_text_refs(errs, doc, member(obj, "instructions"),
		                "instructions", st->instructions, rb);
	if (st->confirm_word)
		check_text_refs(errs, doc, member(obj, "confirm_word"),
		                "confirm_word", st->confirm_word, rb);
	if (st->message)
		check_refs(errs, doc, member(obj, "message"), "message",
		           st->message, rb, 1);
}

/* ---- the whole document --------------------------------------------- */

static void parse_phases(struct json_errors *errs, const struct json_doc *doc,
                         const cJSON *arr, struct runbook *rb)
{
	const cJSON *ph, *st;
	size_t total = 0;

	if (!cJSON_IsArray(arr)) {
		json_errors_add(errs, doc, arr,
		                "expected an array for \"phases\"");
		return;
	}
	if (cJSON_GetArraySize(arr) == 0) {
		json_errors_add(errs, doc, arr, "\"phases\" is empty");
		return;
	}
	cJSON_ArrayForEach(ph, arr)
	{
		const cJSON *steps = member(ph, "steps");
		if (cJSON_IsArray(steps))
			total += (size_t)cJSON_GetArraySize(steps);
	}
	if (total > RUNBOOK_MAX_STEPS) {
		/* Checked before any step is: a runbook of 200,000 steps
		 * must not take minutes to refuse. */
		json_errors_add(errs, doc, arr,
		                "%zu steps: a runbook may have at most %d "
		                "(split it into several runbooks)",
		                total, RUNBOOK_MAX_STEPS);
		return;
	}
	rb->phases =
	    xcalloc((size_t)cJSON_GetArraySize(arr), sizeof *rb->phases);
	rb->steps = xcalloc(total + 1, sizeof *rb->steps);
	cJSON_ArrayForEach(ph, arr)
	{
		const char *name = NULL;
		const cJSON *steps;

		if (!cJSON_IsObject(ph)) {
			json_errors_add(errs, doc, ph,
			                "expected an object for a phase");
			continue;
		}
		json_check_keys(errs, doc, ph, "a phase", phase_keys);
		if (json_get_string(errs, doc, ph, "name", 1, &name) == 1 &&
		    (name[0] == '\0' || strlen(name) > 63))
			json_errors_add(errs, doc, member(ph, "name"),
			                "a phase's \"name\" must have 1 to 63 "
			                "bytes");
		steps = member(ph, "steps");
		if (steps == NULL) {
			json_errors_add(errs, doc, ph,
			                "missing \"steps\" in a phase");
			continue;
		}
		if (!cJSON_IsArray(steps)) {
			json_errors_add(errs, doc, steps,
			                "expected an array for \"steps\"");
			continue;
		}
		if (cJSON_GetArraySize(steps) == 0)
			json_errors_add(errs, doc, steps,
			                "\"steps\" of phase \"%s\" is empty",
			                name ? name : "?");
		struct runbook_phase *phase = &rb->phases[rb->n_phases];
		phase->name = xstrdup(name ? name : "");
		phase->first = rb->n_steps;
		cJSON_ArrayForEach(st, steps)
		{
			if (!cJSON_IsObject(st)) {
				json_errors_add(errs, doc, st,
				                "expected an object for a "
				                "step");
				continue;
			}
			struct runbook_step *step = &rb->steps[rb->n_steps];
			parse_step(errs, doc, st, step);
			step->phase = phase->name;
			step->phase_index = rb->n_phases;
			if (step->id != NULL) {
				long prev = runbook_step_index(rb, step->id);
				if (prev >= 0)
					json_errors_add(
					    errs, doc, member(st, "id"),
					    "duplicate step id \"%s\" (first "
					    "at line %d)",
					    step->id, rb->steps[prev].line);
			} else {
				step->id = xstrdup("");
			}
			if (step->title == NULL)
				step->title = xstrdup("");
			rb->n_steps++;
			phase->count++;
		}
		rb->n_phases++;
	}
}

static void parse_root(struct json_errors *errs, const struct json_doc *doc,
                       struct runbook *rb)
{
	const cJSON *root = json_doc_root(doc), *node;
	const char *s;
	long long secs;

	if (!cJSON_IsObject(root)) {
		json_errors_add(errs, doc, root,
		                "expected an object at the top of a runbook");
		return;
	}
	json_check_keys(errs, doc, root, "a runbook", root_keys);
	if (json_get_string(errs, doc, root, "name", 1, &s) == 1) {
		if (!valid_slug(s, NULL, 127))
			json_errors_add(errs, doc, member(root, "name"),
			                "bad runbook name \"%s\" (expected "
			                "lower case letters, digits and '-')",
			                s);
		rb->name = xstrdup(s);
	}
	if (json_get_string(errs, doc, root, "title", 1, &s) == 1)
		rb->title = xstrdup(s);
	if (json_get_string(errs, doc, root, "scenario", 1, &s) == 1) {
		if (!valid_slug(s, NULL, 32))
			json_errors_add(errs, doc, member(root, "scenario"),
			                "bad scenario \"%s\" (expected a word "
			                "such as partial, complete, "
			                "regional)",
			                s);
		rb->scenario = xstrdup(s);
	}
	if (json_get_string(errs, doc, root, "description", 0, &s) == 1)
		rb->description = xstrdup(s);
	if (json_get_string(errs, doc, root, "incident_type", 0, &s) == 1) {
		if (s[0] == '\0' || strlen(s) > 63)
			json_errors_add(errs, doc,
			                member(root, "incident_type"),
			                "\"incident_type\" must have 1 to 63 "
			                "bytes");
		rb->incident_type = xstrdup(s);
	}
	if (json_get_duration(errs, doc, root, "rto", 1, &secs) == 1) {
		if (secs <= 0)
			json_errors_add(errs, doc, member(root, "rto"),
			                "\"rto\" must be more than 0s");
		rb->rto_s = secs;
	}
	if (json_get_duration(errs, doc, root, "rpo", 1, &secs) == 1) {
		if (secs < 0)
			json_errors_add(errs, doc, member(root, "rpo"),
			                "\"rpo\" must not be negative");
		rb->rpo_s = secs;
	}
	node = member(root, "variables");
	if (node != NULL)
		parse_vars(errs, doc, node, rb);
	node = member(root, "services");
	if (node != NULL && !cJSON_IsArray(node)) {
		json_errors_add(errs, doc, node,
		                "expected an array of service names for "
		                "\"services\"");
	} else if (node != NULL) {
		const cJSON *sv;

		rb->services = xcalloc((size_t)cJSON_GetArraySize(node) + 1,
		                       sizeof *rb->services);
		cJSON_ArrayForEach(sv, node)
		{
			if (!cJSON_IsString(sv) || sv->valuestring[0] == 0) {
				json_errors_add(errs, doc, sv,
				                "expected a service name (a "
				                "non-empty string) in "
				                "\"services\"");
				continue;
			}
			check_text_refs(errs, doc, sv, "services",
			                sv->valuestring, rb);
			rb->services[rb->n_services++] =
			    xstrdup(sv->valuestring);
		}
	}
	node = member(root, "env");
	if (node != NULL && !cJSON_IsArray(node)) {
		json_errors_add(errs, doc, node,
		                "expected an array of environment variable "
		                "names for \"env\"");
	} else if (node != NULL) {
		const cJSON *ev;

		rb->env = xcalloc((size_t)cJSON_GetArraySize(node) + 1,
		                  sizeof *rb->env);
		cJSON_ArrayForEach(ev, node)
		{
			if (!cJSON_IsString(ev) ||
			    !valid_env_name(ev->valuestring)) {
				json_errors_add(
				    errs, doc, ev,
				    "expected an environment variable "
				    "name (letters, digits, '_') in "
				    "\"env\"");
				continue;
			}
			rb->env[rb->n_env++] = xstrdup(ev->valuestring);
		}
	}
	node = member(root, "steady_state");
	if (node != NULL)
		parse_steady(errs, doc, node, rb);
	parse_updates(errs, doc, root, rb);
	node = member(root, "phases");
	if (node == NULL)
		json_errors_add(errs, doc, root,
		                "missing required key \"phases\"");
	else
		parse_phases(errs, doc, node, rb);

	/* References, now that every variable is known. */
	if (rb->title)
		check_text_refs(errs, doc, member(root, "title"), "title",
		                rb->title, rb);
	if (rb->update_template)
		check_refs(errs, doc, member(root, "update_template"),
		           "update_template", rb->update_template, rb, 1);
	if (rb->n_steady > 0) {
		const cJSON *c;
		size_t i = 0;

		cJSON_ArrayForEach(
		    c, member(member(root, "steady_state"), "checks"))
		{
			const cJSON *cmd = member(c, "command");
			if (i < rb->n_steady && cJSON_IsString(cmd))
				check_shell_refs(errs, doc, cmd, "command",
				                 cmd->valuestring, rb);
			i++;
		}
	}
	if (cJSON_IsArray(node)) {
		size_t i = 0;
		const cJSON *ph, *st;

		cJSON_ArrayForEach(ph, node)
		{
			const cJSON *steps = member(ph, "steps");
			if (!cJSON_IsArray(steps))
				continue;
			cJSON_ArrayForEach(st, steps)
			{
				if (!cJSON_IsObject(st))
					continue;
				if (i < rb->n_steps)
					check_step_refs(errs, doc, st,
					                &rb->steps[i], rb);
				i++;
			}
		}
	}
}

int runbook_parse(const char *name, const char *text, size_t len,
                  struct runbook **out, char **err)
{
	struct json_doc *doc = NULL;
	struct json_errors errs = {0};
	struct runbook *rb;
	int rc;

	*out = NULL;
	rc = json_doc_parse(name, text, len, &doc, err);
	if (rc != DR_OK)
		return rc;
	rb = xcalloc(1, sizeof *rb);
	rb->path = xstrdup(name);
	rb->text = xstrndup(text, len);
	parse_root(&errs, doc, rb);
	json_doc_free(doc);
	if (errs.count > 0) {
		*err = json_errors_take(&errs);
		runbook_free(rb);
		return DR_EINVAL;
	}
	free(json_errors_take(&errs));
	*out = rb;
	return DR_OK;
}

int runbook_load(const char *path, struct runbook **out, char **err)
{
	char *text = NULL;
	size_t len = 0;

	*out = NULL;
	/* A runbook's steps run as the operator, unattended under
	 * auto_failover: trusted only as ssh trusts its files. */
	int rc =
	    trust_read_file(path, "runbook", TRUST_FILE_MAX, &text, &len, err);
	if (rc != DR_OK)
		return rc;
	rc = runbook_parse(path, text, len, out, err);
	free(text);
	return rc;
}

/* ---- values --------------------------------------------------------- */

int runbook_resolve_vars(const struct runbook *rb, char *const *assign,
                         size_t n_assign, char ***values, char **err)
{
	char **vals = xcalloc(rb->n_vars + 1, sizeof *vals);
	char *msgs = NULL;

	for (size_t i = 0; i < n_assign; i++) {
		const char *eq = strchr(assign[i], '=');
		char *name;
		long idx;

		if (eq == NULL || eq == assign[i]) {
			char *m = xasprintf("%s--var %s: expected NAME=VALUE",
			                    msgs ? msgs : "", assign[i]);
			free(msgs);
			msgs = xasprintf("%s\n", m);
			free(m);
			continue;
		}
		name = xstrndup(assign[i], (size_t)(eq - assign[i]));
		idx = runbook_var_index(rb, name);
		if (idx < 0) {
			char *m = xasprintf("%sunknown variable %s (runbook "
			                    "%s has:",
			                    msgs ? msgs : "", name, rb->name);
			for (size_t j = 0; j < rb->n_vars; j++) {
				char *m2 =
				    xasprintf("%s %s", m, rb->vars[j].name);
				free(m);
				m = m2;
			}
			free(msgs);
			msgs =
			    xasprintf("%s%s)\n", m, rb->n_vars ? "" : " none");
			free(m);
		} else {
			free(vals[idx]);
			vals[idx] = xstrdup(eq + 1);
		}
		free(name);
	}
	for (size_t i = 0; i < rb->n_vars; i++) {
		char *why = NULL, *m;

		if (vals[i] == NULL && rb->vars[i].def != NULL)
			vals[i] = xstrdup(rb->vars[i].def);
		if (vals[i] == NULL) {
			m = xasprintf("%svariable %s (%s) has no default: give "
			              "--var %s=VALUE\n",
			              msgs ? msgs : "", rb->vars[i].name,
			              rb->vars[i].prompt, rb->vars[i].name);
			free(msgs);
			msgs = m;
			continue;
		}
		if (runbook_var_check(&rb->vars[i], vals[i], &why) != DR_OK) {
			m = xasprintf("%s%s\n", msgs ? msgs : "", why);
			free(msgs);
			msgs = m;
			free(why);
		}
	}
	if (msgs != NULL) {
		size_t l = strlen(msgs);
		if (l > 0 && msgs[l - 1] == '\n')
			msgs[l - 1] = '\0';
		*err = msgs;
		runbook_values_free(vals, rb->n_vars);
		*values = NULL;
		return DR_EINVAL;
	}
	*values = vals;
	return DR_OK;
}

char *runbook_expand(const struct runbook *rb, char *const *values,
                     const char *text)
{
	return runbook_expand_with(rb, values, NULL, NULL, text);
}

char *runbook_expand_with(const struct runbook *rb, char *const *values,
                          runbook_lookup_fn lookup, void *arg, const char *text)
{
	char buf[256];
	size_t cap = strlen(text) + 1, len = 0;
	char *out = xmalloc(cap);

	for (const char *p = text; *p;) {
		const char *value = NULL, *end = NULL;
		size_t add;

		if (p[0] == '$' && p[1] == '{' &&
		    (end = strchr(p + 2, '}')) != NULL) {
			char *name = xstrndup(p + 2, (size_t)(end - p - 2));
			long idx = runbook_var_index(rb, name);
			if (idx >= 0 && values != NULL && values[idx] != NULL)
				value = values[idx];
			else if (idx < 0 && lookup != NULL &&
			         runbook_run_name(name))
				value = lookup(arg, name, buf, sizeof buf);
			free(name);
		}
		if (value != NULL) {
			add = strlen(value);
			p = end + 1;
		} else {
			value = p;
			add = 1;
			p++;
		}
		if (len + add + 1 > cap) {
			cap = (len + add + 1) * 2;
			out = xrealloc(out, cap);
		}
		memcpy(out + len, value, add);
		len += add;
	}
	out[len] = '\0';
	return out;
}

/* ---- finding runbooks ------------------------------------------------ */

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void add_dir(char ***dirs, size_t *n, const char *path)
{
	if (path == NULL || !is_dir(path))
		return;
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*dirs)[i], path) == 0)
			return;
	*dirs = xreallocarray(*dirs, *n + 1, sizeof **dirs);
	(*dirs)[(*n)++] = xstrdup(path);
}

/* The source tree's runbooks/, when this binary is the one built in that
 * tree (not an installed copy): `make run` finds the shipped runbooks
 * without installing them.  Never the current directory: a runbooks/
 * folder someone else prepared must not replace the configured ones. */
static void add_build_tree_dir(char ***dirs, size_t *n)
{
#ifdef DRCONSOLE_SRCDIR
	char exe[4096];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
	size_t top = strlen(DRCONSOLE_SRCDIR);

	if (len <= 0)
		return;
	exe[len] = '\0';
	if (strncmp(exe, DRCONSOLE_SRCDIR, top) != 0 || exe[top] != '/')
		return;
	add_dir(dirs, n, DRCONSOLE_SRCDIR "/runbooks");
#else
	(void)dirs;
	(void)n;
#endif
}

void runbook_search_dirs(const char *config_dir, char ***dirs, size_t *n)
{
	*dirs = NULL;
	*n = 0;
	add_dir(dirs, n, config_dir);
	add_dir(dirs, n, DRCONSOLE_DATADIR "/runbooks");
	add_build_tree_dir(dirs, n);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_json_suffix(const char *name)
{
	size_t len = strlen(name);

	return len > 5 && strcmp(name + len - 5, ".json") == 0;
}

void runbook_list_files(char *const *dirs, size_t n_dirs, char ***paths,
                        size_t *n)
{
	char **names = NULL;
	size_t n_names = 0;

	*paths = NULL;
	*n = 0;
	for (size_t d = 0; d < n_dirs; d++) {
		DIR *dir = opendir(dirs[d]);
		struct dirent *ent;
		char **here = NULL;
		size_t n_here = 0;

		if (dir == NULL)
			continue;
		while ((ent = readdir(dir)) != NULL) {
			if (ent->d_name[0] == '.' ||
			    !has_json_suffix(ent->d_name))
				continue;
			here = xreallocarray(here, n_here + 1, sizeof *here);
			here[n_here++] = xstrdup(ent->d_name);
		}
		closedir(dir);
		if (n_here > 1)
			qsort(here, n_here, sizeof *here, cmp_str);
		for (size_t i = 0; i < n_here; i++) {
			int seen = 0;
			for (size_t j = 0; j < n_names; j++)
				if (strcmp(names[j], here[i]) == 0)
					seen = 1;
			if (!seen) {
				names = xreallocarray(names, n_names + 1,
				                      sizeof *names);
				names[n_names++] = xstrdup(here[i]);
				*paths = xreallocarray(*paths, *n + 1,
				                       sizeof **paths);
				(*paths)[(*n)++] =
				    xasprintf("%s/%s", dirs[d], here[i]);
			}
			free(here[i]);
		}
		free(here);
	}
	runbook_values_free(names, n_names);
}

int runbook_find(const char *name, char *const *dirs, size_t n_dirs,
                 char **path, char **err)
{
	char **files = NULL, *where = NULL;
	size_t n_files = 0;

	*path = NULL;
	if (strchr(name, '/') != NULL || has_json_suffix(name)) {
		if (access(name, R_OK) != 0) {
			*err = xasprintf("%s: no such runbook file", name);
			return DR_ENOTFOUND;
		}
		*path = xstrdup(name);
		return DR_OK;
	}
	for (size_t i = 0; i < n_dirs; i++) {
		char *p = xasprintf("%s/%s.json", dirs[i], name);
		if (access(p, R_OK) == 0) {
			*path = p;
			return DR_OK;
		}
		free(p);
	}
	/* A file whose "name" differs from its file name. */
	runbook_list_files(dirs, n_dirs, &files, &n_files);
	for (size_t i = 0; i < n_files && *path == NULL; i++) {
		struct runbook *rb = NULL;
		char *e = NULL;

		if (runbook_load(files[i], &rb, &e) == DR_OK &&
		    strcmp(rb->name, name) == 0)
			*path = xstrdup(files[i]);
		runbook_free(rb);
		free(e);
	}
	runbook_values_free(files, n_files);
	if (*path != NULL)
		return DR_OK;
	for (size_t i = 0; i < n_dirs; i++) {
		char *w = xasprintf("%s%s%s", where ? where : "",
		                    where ? ", " : "", dirs[i]);
		free(where);
		where = w;
	}
	*err = xasprintf("no runbook named \"%s\" (searched: %s)", name,
	                 where ? where : "no runbook directory exists");
	free(where);
	return DR_ENOTFOUND;
}
