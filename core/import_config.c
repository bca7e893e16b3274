/* Reading the "imports" section; the shape is in import_config.h. */
#include "core/import_config.h"

#include <stdlib.h>
#include <string.h>

#include "core/import.h"
#include "core/xmalloc.h"

static const char *const spec_keys[] = {
    "name",    "format",   "service", "repository", "map",
    "command", "schedule", "timeout", NULL,
};

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
