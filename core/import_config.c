/* Reading the "imports" section; the shape is in import_config.h. */
#include "core/import_config.h"

#include <stdlib.h>
#include <string.h>

#include "core/import.h"
#include "core/xmalloc.h"

static const char *const spec_keys[] = {
    "name",    "format",   "service", "repository",   "map",
    "command", "schedule", "timeout", "restore_test", NULL,
};

static const char *const restore_keys[] = {
    "command", "scratch", "service", "timeout", "schedule", NULL,
};

/* The placeholders a restore test's arguments may hold. */
static const char *const placeholders[] = {
    "{scratch}", "{label}", "{backup_id}", "{service}", NULL,
};

static int known_placeholders(const char *arg, const char **bad_at)
{
	for (const char *p = strchr(arg, '{'); p != NULL;
	     p = strchr(p + 1, '{')) {
		size_t i;
		for (i = 0; placeholders[i] != NULL; i++)
			if (strncmp(p, placeholders[i],
			            strlen(placeholders[i])) == 0)
				break;
		if (placeholders[i] == NULL) {
			*bad_at = p;
			return 0;
		}
	}
	return 1;
}

const char *import_restore_service(const struct import_spec *sp)
{
	const char *one = NULL;

	if (sp->restore_test != NULL && sp->restore_test->service != NULL)
		return sp->restore_test->service;
	if (sp->service != NULL)
		return sp->service;
	for (size_t i = 0; i < sp->n_map; i++) {
		if (one != NULL && strcmp(one, sp->map[i].service) != 0)
			return NULL;
		one = sp->map[i].service;
	}
	return one;
}

static void read_restore_test(struct import_spec *sp,
                              const struct json_doc *doc, const cJSON *obj,
                              struct json_errors *errs)
{
	struct import_restore_spec *rt;
	const cJSON *cmd, *a;
	const char *s = NULL;
	long long secs;
	char *err = NULL;
	size_t n = 0;

	if (!cJSON_IsObject(obj)) {
		json_errors_add(errs, doc, obj,
		                "expected an object with \"command\" for "
		                "\"restore_test\"");
		return;
	}
	rt = xcalloc(1, sizeof(*rt));
	sp->restore_test = rt;
	rt->timeout_s = 1800;
	json_check_keys(errs, doc, obj, "a restore_test", restore_keys);
	cmd = cJSON_GetObjectItemCaseSensitive(obj, "command");
	if (!cJSON_IsArray(cmd) || cJSON_GetArraySize(cmd) == 0) {
		json_errors_add(errs, doc, cmd ? cmd : obj,
		                "expected a non-empty array of arguments for "
		                "the restore_test's \"command\" (values "
		                "travel as {placeholders} or DR_* environment "
		                "variables, never as shell text)");
	} else {
		rt->argv = xcalloc((size_t)cJSON_GetArraySize(cmd) + 1,
		                   sizeof(char *));
		cJSON_ArrayForEach(a, cmd)
		{
			const char *bad = NULL;
			if (!cJSON_IsString(a)) {
				json_errors_add(errs, doc, a,
				                "expected a string argument");
				continue;
			}
			if (!known_placeholders(a->valuestring, &bad))
				json_errors_add(
				    errs, doc, a,
				    "unknown placeholder at \"%.24s\" "
				    "(expected {scratch}, {label}, "
				    "{backup_id} or {service})",
				    bad);
			rt->argv[n++] = xstrdup(a->valuestring);
		}
	}
	if (json_get_string(errs, doc, obj, "scratch", 0, &s) == 1) {
		if (s[0] != '/' || strcmp(s, "/") == 0)
			json_errors_add(
			    errs, doc,
			    cJSON_GetObjectItemCaseSensitive(obj, "scratch"),
			    "expected an absolute path below / for "
			    "\"scratch\"");
		rt->scratch = xstrdup(s);
	}
	if (json_get_string(errs, doc, obj, "service", 0, &s) == 1)
		rt->service = xstrdup(s);
	if (json_get_duration(errs, doc, obj, "timeout", 0, &secs) == 1) {
		if (secs < 1)
			json_errors_add(
			    errs, doc,
			    cJSON_GetObjectItemCaseSensitive(obj, "timeout"),
			    "\"timeout\" must be at least 1s");
		else
			rt->timeout_s = secs;
	}
	if (json_get_string(errs, doc, obj, "schedule", 0, &s) == 1) {
		if (schedule_parse(s, &rt->schedule, &err) != 0) {
			json_errors_add(
			    errs, doc,
			    cJSON_GetObjectItemCaseSensitive(obj, "schedule"),
			    "%s", err);
			free(err);
		} else {
			rt->has_schedule = 1;
		}
	}
}

static void read_map(struct import_spec *sp, const struct json_doc *doc,
                     const cJSON *map, struct json_errors *errs)
{
	const cJSON *m;

	if (!cJSON_IsObject(map)) {
		json_errors_add(errs, doc, map,
		                "expected an object for \"map\" (the tool's "
		                "name: a service name)");
		return;
	}
	for (m = map->child; m != NULL; m = m->next) {
		if (!cJSON_IsString(m) || m->valuestring[0] == '\0') {
			json_errors_add(errs, doc, m,
			                "expected a service name for \"%s\"",
			                m->string);
			continue;
		}
		sp->map =
		    xreallocarray(sp->map, sp->n_map + 1, sizeof(*sp->map));
		sp->map[sp->n_map].from = xstrdup(m->string);
		sp->map[sp->n_map].service = xstrdup(m->valuestring);
		sp->n_map++;
	}
}

static void read_command(struct import_spec *sp, const struct json_doc *doc,
                         const cJSON *cmd, struct json_errors *errs)
{
	if (cJSON_IsString(cmd) && cmd->valuestring[0] != '\0') {
		sp->argv = xcalloc(4, sizeof(char *));
		sp->argv[0] = xstrdup("/bin/sh");
		sp->argv[1] = xstrdup("-c");
		sp->argv[2] = xstrdup(cmd->valuestring);
	} else if (cJSON_IsArray(cmd) && cJSON_GetArraySize(cmd) > 0) {
		const cJSON *a;
		size_t n = 0;
		sp->argv = xcalloc((size_t)cJSON_GetArraySize(cmd) + 1,
		                   sizeof(char *));
		cJSON_ArrayForEach(a, cmd)
		{
			if (cJSON_IsString(a))
				sp->argv[n++] = xstrdup(a->valuestring);
			else
				json_errors_add(errs, doc, a,
				                "expected a string argument");
		}
	} else {
		json_errors_add(errs, doc, cmd,
		                "expected a non-empty string or array for "
		                "\"command\"");
	}
}

static void read_spec(struct import_config *ic, const struct json_doc *doc,
                      const cJSON *obj, struct json_errors *errs)
{
	struct import_spec *sp;
	const char *s = NULL;
	const cJSON *v;
	long long secs;
	char *err = NULL;

	if (!cJSON_IsObject(obj)) {
		json_errors_add(errs, doc, obj,
		                "expected an import object with \"format\"");
		return;
	}
	ic->specs =
	    xreallocarray(ic->specs, ic->n_specs + 1, sizeof(*ic->specs));
	sp = &ic->specs[ic->n_specs++];
	memset(sp, 0, sizeof(*sp));
	sp->timeout_s = 600;
	json_check_keys(errs, doc, obj, "an import", spec_keys);
	if (json_get_string(errs, doc, obj, "format", 1, &s) == 1) {
		if (import_format_find(s) == NULL)
			json_errors_add(
			    errs, doc,
			    cJSON_GetObjectItemCaseSensitive(obj, "format"),
			    "unknown import format \"%s\" (expected one of: "
			    "%s)",
			    s, import_format_names());
		strlcpy_dr(sp->format, s, sizeof(sp->format));
	}
	strlcpy_dr(sp->name, sp->format, sizeof(sp->name));
	if (json_get_string(errs, doc, obj, "name", 0, &s) == 1) {
		if (s[0] == '\0' || strlen(s) >= sizeof(sp->name))
			json_errors_add(
			    errs, doc,
			    cJSON_GetObjectItemCaseSensitive(obj, "name"),
			    "expected an import name of 1 to %zu characters",
			    sizeof(sp->name) - 1);
		strlcpy_dr(sp->name, s, sizeof(sp->name));
	}
	for (size_t i = 0; i + 1 < ic->n_specs; i++)
		if (strcmp(ic->specs[i].name, sp->name) == 0)
			json_errors_add(errs, doc, obj,
			                "two imports are named \"%s\" (give "
			                "each a \"name\")",
			                sp->name);
	if (json_get_string(errs, doc, obj, "service", 0, &s) == 1)
		sp->service = xstrdup(s);
	if (json_get_string(errs, doc, obj, "repository", 0, &s) == 1) {
		if (s[0] == '\0')
			json_errors_add(
			    errs, doc,
			    cJSON_GetObjectItemCaseSensitive(obj, "repository"),
			    "\"repository\" must not be empty");
		sp->repository = xstrdup(s);
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(obj, "map")) != NULL)
		read_map(sp, doc, v, errs);
	if ((v = cJSON_GetObjectItemCaseSensitive(obj, "command")) != NULL)
		read_command(sp, doc, v, errs);
	if (json_get_string(errs, doc, obj, "schedule", 0, &s) == 1) {
		if (schedule_parse(s, &sp->schedule, &err) != 0) {
			json_errors_add(
			    errs, doc,
			    cJSON_GetObjectItemCaseSensitive(obj, "schedule"),
			    "%s", err);
			free(err);
		} else {
			sp->has_schedule = 1;
		}
	}
	if (json_get_duration(errs, doc, obj, "timeout", 0, &secs) == 1) {
		if (secs < 1)
			json_errors_add(
			    errs, doc,
			    cJSON_GetObjectItemCaseSensitive(obj, "timeout"),
			    "\"timeout\" must be at least 1s");
		else
			sp->timeout_s = secs;
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(obj, "restore_test")) !=
	    NULL) {
		read_restore_test(sp, doc, v, errs);
		if (sp->restore_test != NULL &&
		    import_restore_service(sp) == NULL)
			json_errors_add(errs, doc, v,
			                "a restore_test of an import that maps "
			                "to several services (or none) needs "
			                "its \"service\"");
	}
	if (sp->has_schedule && sp->argv == NULL)
		json_errors_add(errs, doc, obj,
		                "an import with a \"schedule\" needs the "
		                "\"command\" that prints the listing");
	if (sp->argv != NULL && !sp->has_schedule)
		json_errors_add(errs, doc, obj,
		                "an import with a \"command\" needs a "
		                "\"schedule\" (such as \"15m\")");
}

static void import_config_destroy(struct import_config *ic)
{
	if (ic == NULL)
		return;
	for (size_t i = 0; i < ic->n_specs; i++) {
		struct import_spec *sp = &ic->specs[i];
		for (size_t j = 0; j < sp->n_map; j++) {
			free(sp->map[j].from);
			free(sp->map[j].service);
		}
		free(sp->map);
		for (char **a = sp->argv; a != NULL && *a != NULL; a++)
			free(*a);
		free(sp->argv);
		free(sp->service);
		free(sp->repository);
		if (sp->restore_test != NULL) {
			for (char **a = sp->restore_test->argv;
			     a != NULL && *a != NULL; a++)
				free(*a);
			free(sp->restore_test->argv);
			free(sp->restore_test->scratch);
			free(sp->restore_test->service);
			free(sp->restore_test);
		}
	}
	free(ic->specs);
	free(ic);
}

int import_config_parse(struct config *cfg, const struct json_doc *doc,
                        const cJSON *node, struct json_errors *errs)
{
	size_t before = errs->count;
	struct import_config *ic = xcalloc(1, sizeof(*ic));
	const cJSON *j;

	import_config_destroy(cfg->imports);
	cfg->imports = ic;
	if (!cJSON_IsArray(node)) {
		json_errors_add(errs, doc, node,
		                "expected an array of imports for "
		                "\"imports\"");
		return -1;
	}
	cJSON_ArrayForEach(j, node) read_spec(ic, doc, j, errs);
	return errs->count > before ? -1 : 0;
}

void import_config_free(struct config *cfg)
{
	import_config_destroy(cfg->imports);
	cfg->imports = NULL;
}
