/* Reading the configuration file.  Every check appends to one json_errors
 * list and reading carries on, so `config check` shows all the mistakes in
 * a file at once; the config is handed out only when the list is empty.
 * Tiers are read before services whatever their order in the file, so a
 * service can name a tier declared further down. */
#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/agent_config.h"
#include "core/backup_config.h"
#include "core/childenv.h"
#include "core/error.h"
#include "core/import_config.h"
#include "core/json.h"
#include "core/notify_config.h"
#include "core/probe_config.h"
#include "core/testprog.h"
#include "core/trust.h"
#include "core/xmalloc.h"

/* A top-level member owned by another module.  parse adds its errors to
 * errs and stores its result in cfg; free releases it (called with a cfg
 * whose parse may not have run). */
struct config_section {
	const char *key;
	int (*parse)(struct config *cfg, const struct json_doc *doc,
	             const cJSON *node, struct json_errors *errs);
	void (*free)(struct config *cfg);
};

/* Modules that own a section register it here, e.g.
 *	{"repositories", backup_config_parse_repositories, backup_config_free},
 *	{"backups", backup_config_parse_backups, NULL},
 *	{"probes", probe_config_parse, probe_config_free},
 *	{"notifications", notify_config_parse, notify_config_free},
 * Until then the key is unknown, and an error. */
static const struct config_section config_sections[] = {
    {"repositories", backup_config_parse_repositories, backup_config_free},
    {"backups", backup_config_parse_backups, NULL},
    {"probes", probe_config_parse, probe_config_free},
    {"notifications", notify_config_parse, notify_config_free},
    {"agent", agent_config_parse, agent_config_free},
    {"imports", import_config_parse, import_config_free},
    {"tests", testprog_config_parse, testprog_config_free},
    {NULL, NULL, NULL},
};

static const char *const config_base_keys[] = {
    "environment", "catalog", "theme",          "runbook_dir", "tiers",
    "services",    "policy",  "audit_key_file", "child_env",   NULL,
};

static const char *const tier_keys[] = {"rto", "rpo", NULL};
static const char *const service_keys[] = {
    "name",         "tier", "owner", "rto", "rpo", "backup_frequency",
    "drill_policy", NULL,
};
static const char *const policy_keys[] = {
    "drill_policy",         "at_risk_fraction", "restore_throughput",
    "clock_skew_tolerance", "replica_max_age",  NULL};

static const struct catalog_tier default_tiers[] = {
    {"critical", 15 * 60, 5 * 60},
    {"standard", 60 * 60, 30 * 60},
    {"low", 4 * 3600, 4 * 3600},
};

void config_default_tiers(struct catalog_tier **out, size_t *n)
{
	*n = sizeof default_tiers / sizeof default_tiers[0];
	*out = xmalloc(sizeof default_tiers);
	memcpy(*out, default_tiers, sizeof default_tiers);
}

char *config_data_dir(void)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");

	if (xdg != NULL && xdg[0] == '/')
		return xasprintf("%s/drconsole", xdg);
	if (home == NULL || home[0] == '\0') {
		/* A service started without HOME: the account's own. */
		struct passwd *pw = getpwuid(getuid());
		home = pw != NULL ? pw->pw_dir : NULL;
	}
	return xasprintf("%s/.local/share/drconsole",
	                 home != NULL && home[0] != '\0' ? home : ".");
}

char *config_default_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");

	/* The XDG spec says to ignore a relative XDG_CONFIG_HOME. */
	if (xdg != NULL && xdg[0] == '/')
		return xasprintf("%s/drconsole/config.json", xdg);
	if (home == NULL || home[0] == '\0') {
		struct passwd *pw = getpwuid(getuid());
		home = pw != NULL ? pw->pw_dir : NULL;
	}
	if (home == NULL || home[0] == '\0')
		return NULL;
	return xasprintf("%s/.config/drconsole/config.json", home);
}

static struct config *config_new_default(void)
{
	struct config *cfg = xcalloc(1, sizeof *cfg);
	config_default_tiers(&cfg->tiers, &cfg->n_tiers);
	/* The defaults of compliance_policy_default(), set here so config
	 * does not depend on the compliance module. */
	cfg->policy.drill_policy_s = 30 * 86400;
	cfg->policy.at_risk_fraction = 0.8;
	cfg->policy.restore_bytes_per_s = 0;
	cfg->policy.skew_tolerance_s = 60;
	/* 0: 3 probe intervals, derived once the probes are read (and 90 s,
	 * compliance's own default, with no config at all). */
	cfg->policy.replica_max_age_s = 0;
	return cfg;
}

void config_free(struct config *cfg)
{
	if (cfg == NULL)
		return;
	for (size_t i = 0; config_sections[i].key != NULL; i++)
		if (config_sections[i].free != NULL)
			config_sections[i].free(cfg);
	free(cfg->path);
	free(cfg->catalog);
	free(cfg->theme);
	free(cfg->runbook_dir);
	free(cfg->audit_key_file);
	for (size_t i = 0; i < cfg->n_child_env; i++)
		free(cfg->child_env[i]);
	free(cfg->child_env);
	free(cfg->tiers);
	free(cfg->services);
	free(cfg);
}

const struct catalog_tier *config_tier(const struct config *cfg,
                                       const char *name)
{
	for (size_t i = 0; i < cfg->n_tiers; i++)
		if (strcmp(cfg->tiers[i].name, name) == 0)
			return &cfg->tiers[i];
	return NULL;
}

/* ---- reading ---------------------------------------------------------- */

struct reader {
	const struct json_doc *doc;
	struct json_errors errs;
};

static int valid_name(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n == 0 || n > max)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' &&
		    *s != '-')
			return 0;
	return 1;
}

static const char *type_name(const cJSON *v)
{
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v) ? "true" : "false";
	if (cJSON_IsNull(v))
		return "null";
	if (cJSON_IsObject(v))
		return "an object";
	return "an array";
}

/* A non-empty string of at most max bytes, copied to *out (freeing what
 * was there). */
static void read_text(struct reader *r, const cJSON *obj, const char *key,
                      size_t max, char **out)
{
	const char *s;
	if (json_get_string(&r->errs, r->doc, obj, key, 0, &s) != 1)
		return;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (s[0] == '\0') {
		json_errors_add(&r->errs, r->doc, v, "\"%s\" must not be empty",
		                key);
		return;
	}
	if (strlen(s) > max) {
		json_errors_add(&r->errs, r->doc, v,
		                "\"%s\" is too long (at most %zu bytes)", key,
		                max);
		return;
	}
	free(*out);
	*out = xstrdup(s);
}

/* A duration > 0 (or >= 0 when zero_ok); 1 when read. */
static int read_duration(struct reader *r, const cJSON *obj, const char *key,
                         int required, int zero_ok, int64_t *out)
{
	long long s;
	int rc = json_get_duration(&r->errs, r->doc, obj, key, required, &s);
	if (rc != 1)
		return rc;
	if (s == 0 && !zero_ok) {
		json_errors_add(&r->errs, r->doc,
		                cJSON_GetObjectItemCaseSensitive(obj, key),
		                "\"%s\" must be longer than 0s", key);
		return -1;
	}
	*out = (int64_t)s;
	return 1;
}

static void read_tiers(struct reader *r, struct config *cfg, const cJSON *tiers)
{
	if (!cJSON_IsObject(tiers)) {
		json_errors_add(&r->errs, r->doc, tiers,
		                "expected an object for \"tiers\" (tier name: "
		                "{\"rto\": ..., \"rpo\": ...}), found %s",
		                type_name(tiers));
		return;
	}
	for (const cJSON *t = tiers->child; t != NULL; t = t->next) {
		if (!valid_name(t->string, sizeof cfg->tiers[0].name - 1)) {
			json_errors_add(&r->errs, r->doc, t,
			                "tier name \"%s\" is not valid (1-31 "
			                "characters of A-Z a-z 0-9 . _ -)",
			                t->string);
			continue;
		}
		if (!cJSON_IsObject(t)) {
			json_errors_add(&r->errs, r->doc, t,
			                "expected an object for tier \"%s\" "
			                "({\"rto\": ..., \"rpo\": ...}), found "
			                "%s",
			                t->string, type_name(t));
			continue;
		}
		char what[64];
		snprintf(what, sizeof what, "tier \"%s\"", t->string);
		json_check_keys(&r->errs, r->doc, t, what, tier_keys);

		struct catalog_tier *known =
		    (struct catalog_tier *)config_tier(cfg, t->string);
		struct catalog_tier tier = {0};
		if (known != NULL)
			tier = *known;
		else
			strlcpy_dr(tier.name, t->string, sizeof tier.name);
		/* A new tier needs both targets; a built-in one keeps what
		 * the file leaves out. */
		int ok = read_duration(r, t, "rto", known == NULL, 0,
		                       &tier.rto_s) >= 0;
		ok &= read_duration(r, t, "rpo", known == NULL, 0,
		                    &tier.rpo_s) >= 0;
		if (!ok)
			continue;
		if (known != NULL) {
			*known = tier;
		} else {
			cfg->tiers = xreallocarray(cfg->tiers, cfg->n_tiers + 1,
			                           sizeof *cfg->tiers);
			cfg->tiers[cfg->n_tiers++] = tier;
		}
	}
}

static char *tier_list(const struct config *cfg)
{
	char *list = NULL;
	for (size_t i = 0; i < cfg->n_tiers; i++) {
		char *next = list
		                 ? xasprintf("%s, %s", list, cfg->tiers[i].name)
		                 : xstrdup(cfg->tiers[i].name);
		free(list);
		list = next;
	}
	return list ? list : xstrdup("none");
}

/* seen: the "name" members of the services read so far whose names are
 * valid, whether or not the rest of them was, so a duplicate is reported
 * even when the first one had other mistakes. */
static void read_service(struct reader *r, struct config *cfg, const cJSON *svc,
                         const cJSON **seen, size_t *n_seen)
{
	struct catalog_service s = {0};
	const char *name = NULL, *tier = NULL, *owner = NULL;
	char what[96] = "a service";
	int ok = 1;

	if (!cJSON_IsObject(svc)) {
		json_errors_add(&r->errs, r->doc, svc,
		                "expected an object for each service "
		                "({\"name\": ..., \"tier\": ...}), found %s",
		                type_name(svc));
		return;
	}
	int rc = json_get_string(&r->errs, r->doc, svc, "name", 1, &name);
	if (rc == 1) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(svc, "name");
		if (!valid_name(name, sizeof s.name - 1)) {
			json_errors_add(
			    &r->errs, r->doc, v,
			    "service name \"%s\" is not valid (1-63 "
			    "characters of A-Z a-z 0-9 . _ -)",
			    name);
			ok = 0;
		} else {
			snprintf(what, sizeof what, "service \"%s\"", name);
			for (size_t i = 0; i < *n_seen; i++) {
				if (strcmp(seen[i]->valuestring, name) != 0)
					continue;
				int l, c;
				json_doc_where(r->doc, seen[i], &l, &c);
				json_errors_add(&r->errs, r->doc, v,
				                "duplicate service \"%s\" "
				                "(first declared at line %d, "
				                "column %d)",
				                name, l, c);
				ok = 0;
				break;
			}
			if (ok)
				seen[(*n_seen)++] = v;
			strlcpy_dr(s.name, name, sizeof s.name);
		}
	} else {
		ok = 0;
	}
	json_check_keys(&r->errs, r->doc, svc, what, service_keys);

	if (json_get_string(&r->errs, r->doc, svc, "tier", 0, &tier) == 1) {
		if (config_tier(cfg, tier) == NULL) {
			char *list = tier_list(cfg);
			json_errors_add(
			    &r->errs, r->doc,
			    cJSON_GetObjectItemCaseSensitive(svc, "tier"),
			    "unknown tier \"%s\" for %s (defined tiers: %s)",
			    tier, what, list);
			free(list);
			ok = 0;
		} else {
			strlcpy_dr(s.tier, tier, sizeof s.tier);
		}
	} else if (cJSON_GetObjectItemCaseSensitive(svc, "tier") != NULL) {
		ok = 0;
	}
	rc = json_get_string(&r->errs, r->doc, svc, "owner", 0, &owner);
	if (rc == 1 && strlen(owner) >= sizeof s.owner) {
		json_errors_add(&r->errs, r->doc,
		                cJSON_GetObjectItemCaseSensitive(svc, "owner"),
		                "\"owner\" is too long (at most %zu bytes)",
		                sizeof s.owner - 1);
		ok = 0;
	} else if (rc == 1) {
		strlcpy_dr(s.owner, owner, sizeof s.owner);
	} else if (rc < 0) {
		ok = 0;
	}
	ok &= read_duration(r, svc, "rto", 0, 0, &s.rto_s) >= 0;
	ok &= read_duration(r, svc, "rpo", 0, 0, &s.rpo_s) >= 0;
	ok &= read_duration(r, svc, "backup_frequency", 0, 0,
	                    &s.backup_frequency_s) >= 0;
	ok &=
	    read_duration(r, svc, "drill_policy", 0, 0, &s.drill_policy_s) >= 0;
	if (!ok)
		return;
	cfg->services = xreallocarray(cfg->services, cfg->n_services + 1,
	                              sizeof *cfg->services);
	cfg->services[cfg->n_services++] = s;
}

static void read_services(struct reader *r, struct config *cfg,
                          const cJSON *services)
{
	if (!cJSON_IsArray(services)) {
		json_errors_add(
		    &r->errs, r->doc, services,
		    "expected an array for \"services\" ([{\"name\": "
		    "...}, ...]), found %s",
		    type_name(services));
		return;
	}
	int n = cJSON_GetArraySize(services);
	const cJSON **seen = xcalloc((size_t)n + 1, sizeof *seen);
	size_t n_seen = 0;
	for (const cJSON *svc = services->child; svc; svc = svc->next)
		read_service(r, cfg, svc, seen, &n_seen);
	free(seen);
}

/* "200MB/s", "1.5 GiB/s", "500kB": bytes per second, or -1. */
static double parse_throughput(const char *text)
{
	static const struct {
		const char *unit;
		double mult;
	} units[] = {
	    {"B", 1},           {"KB", 1e3},           {"MB", 1e6},
	    {"GB", 1e9},        {"TB", 1e12},          {"KiB", 1024.0},
	    {"MiB", 1048576.0}, {"GiB", 1073741824.0}, {"TiB", 1099511627776.0},
	};
	/* Plain decimal only: strtod alone would take "0x10" or "1e3". */
	size_t nlen = strspn(text, "0123456789.");
	if (nlen == 0 || !isdigit((unsigned char)text[0]) || nlen > 40)
		return -1;
	char num[48];
	memcpy(num, text, nlen);
	num[nlen] = '\0';
	char *stop;
	double v = strtod(num, &stop);
	if (*stop != '\0' || !isfinite(v))
		return -1;
	const char *end = text + nlen;
	while (*end == ' ')
		end++;
	size_t ulen = strcspn(end, "/");
	if (end[ulen] != '\0' && strcmp(end + ulen, "/s") != 0)
		return -1;
	if (ulen == 0)
		return v;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strlen(units[i].unit) == ulen &&
		    strncasecmp(end, units[i].unit, ulen) == 0)
			return v * units[i].mult;
	return -1;
}

static void read_policy(struct reader *r, struct config *cfg,
                        const cJSON *policy)
{
	if (!cJSON_IsObject(policy)) {
		json_errors_add(&r->errs, r->doc, policy,
		                "expected an object for \"policy\", found %s",
		                type_name(policy));
		return;
	}
	json_check_keys(&r->errs, r->doc, policy, "\"policy\"", policy_keys);
	read_duration(r, policy, "drill_policy", 0, 0,
	              &cfg->policy.drill_policy_s);
	read_duration(r, policy, "clock_skew_tolerance", 0, 1,
	              &cfg->policy.skew_tolerance_s);
	read_duration(r, policy, "replica_max_age", 0, 0,
	              &cfg->policy.replica_max_age_s);

	double frac;
	if (json_get_number(&r->errs, r->doc, policy, "at_risk_fraction", 0,
	                    &frac) == 1) {
		if (frac > 0 && frac < 1)
			cfg->policy.at_risk_fraction = frac;
		else
			json_errors_add(
			    &r->errs, r->doc,
			    cJSON_GetObjectItemCaseSensitive(
			        policy, "at_risk_fraction"),
			    "\"at_risk_fraction\" must be between 0 and 1 "
			    "(exclusive), found %g",
			    frac);
	}

	const cJSON *tp =
	    cJSON_GetObjectItemCaseSensitive(policy, "restore_throughput");
	if (tp == NULL)
		return;
	double bps = -1;
	if (cJSON_IsNumber(tp) && isfinite(tp->valuedouble) &&
	    tp->valuedouble >= 0)
		bps = tp->valuedouble;
	else if (cJSON_IsString(tp))
		bps = parse_throughput(tp->valuestring);
	if (bps < 0)
		json_errors_add(&r->errs, r->doc, tp,
		                "bad \"restore_throughput\": expected bytes "
		                "per second, such as \"200MB/s\", "
		                "\"1.5GiB/s\" or a number, found %s%s%s%s",
		                type_name(tp), cJSON_IsString(tp) ? " \"" : "",
		                cJSON_IsString(tp) ? tp->valuestring : "",
		                cJSON_IsString(tp) ? "\"" : "");
	else
		cfg->policy.restore_bytes_per_s = bps;
}

/* "child_env": names of environment variables every child command gets
 * beyond the allowlist (core/childenv.h). */
static void read_child_env(struct reader *r, struct config *cfg,
                           const cJSON *node)
{
	const cJSON *v;

	if (node == NULL)
		return;
	if (!cJSON_IsArray(node)) {
		json_errors_add(&r->errs, r->doc, node,
		                "expected an array of environment variable "
		                "names for \"child_env\", found %s",
		                type_name(node));
		return;
	}
	cJSON_ArrayForEach(v, node)
	{
		const char *s = cJSON_IsString(v) ? v->valuestring : NULL;
		int ok = s != NULL && s[0] != '\0' && strlen(s) <= 128 &&
		         !isdigit((unsigned char)s[0]);
		for (const char *p = s; ok && *p; p++)
			ok = isalnum((unsigned char)*p) || *p == '_';
		if (!ok) {
			json_errors_add(&r->errs, r->doc, v,
			                "expected an environment variable name "
			                "(letters, digits, '_') in "
			                "\"child_env\"");
			continue;
		}
		cfg->child_env =
		    xreallocarray(cfg->child_env, cfg->n_child_env + 1,
		                  sizeof *cfg->child_env);
		cfg->child_env[cfg->n_child_env++] = xstrdup(s);
	}
}

static const struct config_section *find_section(const char *key)
{
	for (size_t i = 0; config_sections[i].key != NULL; i++)
		if (strcmp(config_sections[i].key, key) == 0)
			return &config_sections[i];
	return NULL;
}

static void read_config(struct reader *r, struct config *cfg)
{
	const cJSON *root = json_doc_root(r->doc);
	if (!cJSON_IsObject(root)) {
		json_errors_add(&r->errs, r->doc, root,
		                "expected an object at the top level "
		                "({\"environment\": ..., \"services\": "
		                "[...]}), found %s",
		                type_name(root));
		return;
	}

	/* The allowed keys: ours, then the registered sections'. */
	size_t n_base = sizeof config_base_keys / sizeof config_base_keys[0];
	size_t n_sec = sizeof config_sections / sizeof config_sections[0];
	const char **allowed = xcalloc(n_base + n_sec, sizeof *allowed);
	size_t k = 0;
	for (size_t i = 0; config_base_keys[i] != NULL; i++)
		allowed[k++] = config_base_keys[i];
	for (size_t i = 0; config_sections[i].key != NULL; i++)
		allowed[k++] = config_sections[i].key;
	allowed[k] = NULL;
	json_check_keys(&r->errs, r->doc, root, "the configuration", allowed);
	free(allowed);

	char *env = NULL;
	read_text(r, root, "environment", sizeof cfg->environment - 1, &env);
	if (env != NULL)
		strlcpy_dr(cfg->environment, env, sizeof cfg->environment);
	free(env);
	read_text(r, root, "catalog", 4096, &cfg->catalog);
	read_text(r, root, "theme", 255, &cfg->theme);
	read_text(r, root, "runbook_dir", 4096, &cfg->runbook_dir);
	read_text(r, root, "audit_key_file", 4096, &cfg->audit_key_file);
	read_child_env(r, cfg,
	               cJSON_GetObjectItemCaseSensitive(root, "child_env"));

	const cJSON *v;
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "tiers")) != NULL)
		read_tiers(r, cfg, v);
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "services")) != NULL)
		read_services(r, cfg, v);
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "policy")) != NULL)
		read_policy(r, cfg, v);

	for (const cJSON *m = root->child; m != NULL; m = m->next) {
		const struct config_section *sec = find_section(m->string);
		if (sec != NULL)
			sec->parse(cfg, r->doc, m, &r->errs);
	}
	/* What a section can check only once all are read. */
	testprog_config_check(cfg, r->doc,
	                      cJSON_GetObjectItemCaseSensitive(root, "tests"),
	                      &r->errs);
	/* A replica sample stays evidence for 3 probe intervals unless the
	 * policy says how long (docs/EVIDENCE.md). */
	if (cfg->policy.replica_max_age_s <= 0)
		cfg->policy.replica_max_age_s =
		    probe_config_replica_window(cfg->probes);
}

/* The configuration in doc (read from `name`); every error is reported. */
static int config_from_doc(const char *name, const struct json_doc *doc,
                           struct config **out, char **err)
{
	struct config *cfg = config_new_default();
	cfg->path = xstrdup(name);
	struct reader r = {.doc = doc};
	read_config(&r, cfg);
	if (r.errs.count > 0) {
		*err = json_errors_take(&r.errs);
		config_free(cfg);
		return DR_EINVAL;
	}
	*out = cfg;
	return DR_OK;
}

int config_load(const char *path, struct config **out, char **err)
{
	char *default_path = NULL;
	struct stat st;

	*out = NULL;
	if (path == NULL) {
		default_path = config_default_path();
		if (default_path == NULL || stat(default_path, &st) != 0) {
			/* No file where we look by default: defaults. */
			free(default_path);
			*out = config_new_default();
			return DR_OK;
		}
		path = default_path;
	}
	/* The config names commands (sources, probes, notify hooks) that
	 * drconsole runs: trusted only as ssh trusts its files. */
	char *text = NULL;
	size_t len = 0;
	int rc =
	    trust_read_file(path, "config", TRUST_FILE_MAX, &text, &len, err);
	if (rc == DR_OK) {
		rc = config_parse(path, text, len, out, err);
		free(text);
	}
	free(default_path);
	if (rc == DR_OK)
		childenv_set_config((*out)->child_env, (*out)->n_child_env);
	return rc;
}

int config_parse(const char *name, const char *text, size_t len,
                 struct config **out, char **err)
{
	struct json_doc *doc = NULL;

	*out = NULL;
	int rc = json_doc_parse(name, text, len, &doc, err);
	if (rc == DR_OK)
		rc = config_from_doc(name, doc, out, err);
	json_doc_free(doc);
	return rc;
}

const char *config_example(void)
{
	return "{\n"
	       "  \"environment\": \"prod-eu-west\",\n"
	       "  \"theme\": \"default\",\n"
	       "  \"tiers\": {\n"
	       "    \"critical\": {\"rto\": \"15m\", \"rpo\": \"5m\"},\n"
	       "    \"standard\": {\"rto\": \"1h\", \"rpo\": \"30m\"},\n"
	       "    \"low\": {\"rto\": \"4h\", \"rpo\": \"4h\"}\n"
	       "  },\n"
	       "  \"services\": [\n"
	       "    {\n"
	       "      \"name\": \"payments-db\",\n"
	       "      \"tier\": \"critical\",\n"
	       "      \"owner\": \"payments-oncall\",\n"
	       "      \"backup_frequency\": \"1h\",\n"
	       "      \"drill_policy\": \"14d\"\n"
	       "    },\n"
	       "    {\n"
	       "      \"name\": \"orders-api\",\n"
	       "      \"tier\": \"standard\",\n"
	       "      \"owner\": \"commerce-team\",\n"
	       "      \"backup_frequency\": \"6h\"\n"
	       "    },\n"
	       "    {\n"
	       "      \"name\": \"reporting-warehouse\",\n"
	       "      \"tier\": \"low\",\n"
	       "      \"owner\": \"data-platform\",\n"
	       "      \"rpo\": \"1d\",\n"
	       "      \"backup_frequency\": \"1d\"\n"
	       "    }\n"
	       "  ],\n"
	       "  \"policy\": {\n"
	       "    \"drill_policy\": \"30d\",\n"
	       "    \"at_risk_fraction\": 0.8,\n"
	       "    \"restore_throughput\": \"200MB/s\",\n"
	       "    \"clock_skew_tolerance\": \"60s\"\n"
	       "  }\n"
	       "}\n";
}
