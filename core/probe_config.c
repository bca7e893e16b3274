/* Reading the "probes" section; the shape is in probe_config.h.  Common
 * keys are read here, the rest by the probe's kind (its entry table's
 * parse), so a new kind brings its own keys. */
#include "core/probe_config.h"

#include <stdlib.h>
#include <string.h>

#include "core/agent_config.h"
#include "core/xmalloc.h"

#define PROBE_DEFAULT_INTERVAL_S 30
#define PROBE_DEFAULT_TIMEOUT_MS 5000
#define PROBE_DEFAULT_FAILURES   3
#define PROBE_DEFAULT_KEEP_S     (30LL * 86400)

static const char *const section_keys[] = {
    "interval", "timeout", "failures_before_down", "keep", "services", NULL,
};
static const char *const service_keys[] = {
    "failover_runbook", "auto_failover", "failures_before_down", "checks", NULL,
};
static const char *const common_keys[] = {"name", "kind", "interval", "timeout",
                                          "agent"};

static int probe_get_failures(struct json_errors *errs,
                              const struct json_doc *doc, const cJSON *obj,
                              int *out)
{
	double v;
	int rc = json_get_number(errs, doc, obj, "failures_before_down", 0, &v);
	if (rc != 1)
		return rc;
	if (v < 1 || v > 1000 || v != (int)v) {
		json_errors_add(errs, doc,
		                cJSON_GetObjectItemCaseSensitive(
		                    obj, "failures_before_down"),
		                "expected a whole number from 1 to 1000 for "
		                "\"failures_before_down\", found %g",
		                v);
		return -1;
	}
	*out = (int)v;
	return 1;
}

static void probe_read_check(const struct probe_config *pc,
                             struct probe_service *svc,
                             const struct json_doc *doc, const cJSON *obj,
                             struct json_errors *errs)
{
	struct probe_spec *spec;
	const char *name = NULL, *kind = NULL, *agent = NULL;
	const char *allowed[32];
	size_t na = 0;
	long long secs;
	double ms;

	if (!cJSON_IsObject(obj)) {
		json_errors_add(errs, doc, obj,
		                "expected a check object with \"name\" and "
		                "\"kind\"");
		return;
	}
	svc->checks =
	    xreallocarray(svc->checks, svc->n_checks + 1, sizeof(*svc->checks));
	spec = &svc->checks[svc->n_checks++];
	memset(spec, 0, sizeof(*spec));
	strlcpy_dr(spec->service, svc->name, sizeof(spec->service));
	spec->interval_s = pc->interval_s;
	spec->timeout_ms = pc->timeout_ms;
	spec->expect_status = 200;
	if (json_get_string(errs, doc, obj, "name", 1, &name) == 1) {
		if (name[0] == '\0' || strlen(name) >= sizeof(spec->name))
			json_errors_add(
			    errs, doc,
			    cJSON_GetObjectItemCaseSensitive(obj, "name"),
			    "expected a check name of 1 to %zu characters",
			    sizeof(spec->name) - 1);
		strlcpy_dr(spec->name, name, sizeof(spec->name));
		for (size_t i = 0; i + 1 < svc->n_checks; i++)
			if (strcmp(svc->checks[i].name, spec->name) == 0)
				json_errors_add(
				    errs, doc,
				    cJSON_GetObjectItemCaseSensitive(obj,
				                                     "name"),
				    "service \"%s\" has two checks named "
				    "\"%s\"",
				    svc->name, spec->name);
	}
	if (json_get_string(errs, doc, obj, "kind", 1, &kind) == 1) {
		spec->kind = probe_kind_find(kind);
		if (spec->kind == NULL)
			json_errors_add(
			    errs, doc,
			    cJSON_GetObjectItemCaseSensitive(obj, "kind"),
			    "unknown probe kind \"%s\" (expected one of: %s)",
			    kind, probe_kind_names());
	}
	if (json_get_duration(errs, doc, obj, "interval", 0, &secs) == 1) {
		if (secs < 1)
			json_errors_add(
			    errs, doc,
			    cJSON_GetObjectItemCaseSensitive(obj, "interval"),
			    "\"interval\" must be at least 1s");
		else
			spec->interval_s = secs;
	}
	if (probe_json_ms(errs, doc, obj, "timeout", &ms) == 1) {
		if (ms < 1)
			json_errors_add(
			    errs, doc,
			    cJSON_GetObjectItemCaseSensitive(obj, "timeout"),
			    "\"timeout\" must be above 0");
		else
			spec->timeout_ms = (long)ms;
	}
	if (json_get_string(errs, doc, obj, "agent", 0, &agent) == 1) {
		if (!agent_name_valid(agent))
			json_errors_add(
			    errs, doc,
			    cJSON_GetObjectItemCaseSensitive(obj, "agent"),
			    "expected the name of an agent (1 to 63 letters, "
			    "digits, '.', '_' or '-') for \"agent\", found "
			    "\"%s\"",
			    agent);
		else
			strlcpy_dr(spec->agent, agent, sizeof(spec->agent));
	}
	if (spec->kind == NULL)
		return;
	for (size_t i = 0; i < sizeof(common_keys) / sizeof(common_keys[0]);
	     i++)
		allowed[na++] = common_keys[i];
	for (const char *const *k = spec->kind->keys; *k != NULL && na < 31;
	     k++)
		allowed[na++] = *k;
	allowed[na] = NULL;
	json_check_keys(errs, doc, obj, "a check", allowed);
	spec->kind->parse(spec, doc, obj, errs);
}

static void probe_read_service(struct probe_config *pc,
                               const struct json_doc *doc, const cJSON *obj,
                               struct json_errors *errs)
{
	struct probe_service *svc;
	const cJSON *checks, *c;
	const char *runbook = NULL;

	if (!cJSON_IsObject(obj)) {
		json_errors_add(errs, doc, obj,
		                "expected an object with \"checks\" for "
		                "service \"%s\"",
		                obj->string);
		return;
	}
	pc->services = xreallocarray(pc->services, pc->n_services + 1,
	                             sizeof(*pc->services));
	svc = &pc->services[pc->n_services++];
	memset(svc, 0, sizeof(*svc));
	if (strlen(obj->string) >= sizeof(svc->name))
		json_errors_add(errs, doc, obj, "service name is too long");
	strlcpy_dr(svc->name, obj->string, sizeof(svc->name));
	svc->failures_before_down = pc->failures_before_down;
	json_check_keys(errs, doc, obj, "a service's probes", service_keys);
	if (json_get_string(errs, doc, obj, "failover_runbook", 0, &runbook) ==
	    1)
		svc->failover_runbook = xstrdup(runbook);
	json_get_bool(errs, doc, obj, "auto_failover", 0, &svc->auto_failover);
	if (svc->auto_failover && svc->failover_runbook == NULL)
		json_errors_add(
		    errs, doc,
		    cJSON_GetObjectItemCaseSensitive(obj, "auto_failover"),
		    "\"auto_failover\" needs a \"failover_runbook\"");
	probe_get_failures(errs, doc, obj, &svc->failures_before_down);
	checks = cJSON_GetObjectItemCaseSensitive(obj, "checks");
	if (checks == NULL) {
		json_errors_add(errs, doc, obj,
		                "service \"%s\" needs \"checks\", an array "
		                "of probes",
		                svc->name);
		return;
	}
	if (!cJSON_IsArray(checks)) {
		json_errors_add(errs, doc, checks,
		                "expected an array of checks for \"checks\"");
		return;
	}
	cJSON_ArrayForEach(c, checks) probe_read_check(pc, svc, doc, c, errs);
	/* probe_read_check keeps exactly the objects, in order. */
	size_t k = 0;
	cJSON_ArrayForEach(c, checks)
	{
		if (!cJSON_IsObject(c) || k >= svc->n_checks)
			continue;
		struct probe_spec *spec = &svc->checks[k++];
		if (spec->kind != NULL && spec->kind->resolve != NULL)
			spec->kind->resolve(spec, svc->checks, svc->n_checks,
			                    doc, c, errs);
	}
}

struct probe_config *probe_config_read(const struct json_doc *doc,
                                       const cJSON *node,
                                       struct json_errors *errs)
{
	struct probe_config *pc = xcalloc(1, sizeof(*pc));
	const cJSON *services, *s;
	long long secs;
	double ms;

	pc->interval_s = PROBE_DEFAULT_INTERVAL_S;
	pc->timeout_ms = PROBE_DEFAULT_TIMEOUT_MS;
	pc->failures_before_down = PROBE_DEFAULT_FAILURES;
	pc->keep_s = PROBE_DEFAULT_KEEP_S;
	if (node == NULL)
		return pc;
	if (!cJSON_IsObject(node)) {
		json_errors_add(errs, doc, node,
		                "expected an object for \"probes\"");
		return pc;
	}
	json_check_keys(errs, doc, node, "\"probes\"", section_keys);
	if (json_get_duration(errs, doc, node, "interval", 0, &secs) == 1) {
		if (secs < 1)
			json_errors_add(
			    errs, doc,
			    cJSON_GetObjectItemCaseSensitive(node, "interval"),
			    "\"interval\" must be at least 1s");
		else
			pc->interval_s = secs;
	}
	if (probe_json_ms(errs, doc, node, "timeout", &ms) == 1) {
		if (ms < 1)
			json_errors_add(
			    errs, doc,
			    cJSON_GetObjectItemCaseSensitive(node, "timeout"),
			    "\"timeout\" must be above 0");
		else
			pc->timeout_ms = (long)ms;
	}
	probe_get_failures(errs, doc, node, &pc->failures_before_down);
	if (json_get_duration(errs, doc, node, "keep", 0, &secs) == 1) {
		if (secs < 3600)
			json_errors_add(
			    errs, doc,
			    cJSON_GetObjectItemCaseSensitive(node, "keep"),
			    "\"keep\" must be at least 1h");
		else
			pc->keep_s = secs;
	}
	services = cJSON_GetObjectItemCaseSensitive(node, "services");
	if (services == NULL)
		return pc;
	if (!cJSON_IsObject(services)) {
		json_errors_add(errs, doc, services,
		                "expected an object of services for "
		                "\"services\"");
		return pc;
	}
	cJSON_ArrayForEach(s, services) probe_read_service(pc, doc, s, errs);
	return pc;
}

void probe_config_destroy(struct probe_config *pc)
{
	if (pc == NULL)
		return;
	for (size_t i = 0; i < pc->n_services; i++) {
		struct probe_service *s = &pc->services[i];
		for (size_t j = 0; j < s->n_checks; j++)
			probe_spec_clear(&s->checks[j]);
		free(s->checks);
		free(s->failover_runbook);
	}
	free(pc->services);
	free(pc);
}

const struct probe_service *probe_config_service(const struct probe_config *pc,
                                                 const char *name)
{
	for (size_t i = 0; pc != NULL && i < pc->n_services; i++)
		if (strcmp(pc->services[i].name, name) == 0)
			return &pc->services[i];
	return NULL;
}

int64_t probe_config_replica_window(const struct probe_config *pc)
{
	int64_t longest = 0;

	if (pc == NULL)
		return 3 * PROBE_DEFAULT_INTERVAL_S;
	for (size_t i = 0; i < pc->n_services; i++) {
		const struct probe_service *ps = &pc->services[i];
		for (size_t j = 0; j < ps->n_checks; j++) {
			const struct probe_spec *c = &ps->checks[j];
			/* A check of an unknown kind (a config being refused)
			 * has none. */
			if (c->kind != NULL &&
			    strcmp(c->kind->name, "postgres") == 0 &&
			    c->interval_s > longest)
				longest = c->interval_s;
		}
	}
	return 3 * (longest > 0 ? longest : pc->interval_s);
}

int probe_config_parse(struct config *cfg, const struct json_doc *doc,
                       const cJSON *node, struct json_errors *errs)
{
	size_t before = errs->count;

	probe_config_destroy(cfg->probes);
	cfg->probes = probe_config_read(doc, node, errs);
	return errs->count > before ? -1 : 0;
}

void probe_config_free(struct config *cfg)
{
	probe_config_destroy(cfg->probes);
	cfg->probes = NULL;
}
