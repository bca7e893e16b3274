/* See ops_catalog.h. */
#include "core/ops_catalog.h"

#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/demo.h"
#include "core/error.h"
#include "core/xmalloc.h"

static int tiers_change(struct catalog *cat, void *arg, char **details,
                        char **err)
{
	const struct config *cfg = arg;
	int rc = DR_OK;

	(void)details;
	for (size_t i = 0; rc == DR_OK && i < cfg->n_tiers; i++)
		rc = catalog_tier_put(cat, &cfg->tiers[i], err);
	return rc;
}

int ops_catalog_init(const struct ops_session *s, char **err)
{
	return ops_change(s, "catalog.init", catalog_where(s->cat),
	                  tiers_change, (void *)s->cfg, err);
}

static int apply_change(struct catalog *cat, void *arg, char **details,
                        char **err)
{
	const struct config *cfg = arg;
	int rc = tiers_change(cat, arg, details, err);

	for (size_t i = 0; rc == DR_OK && i < cfg->n_services; i++)
		rc = catalog_service_put(cat, &cfg->services[i], err);
	*details =
	    xasprintf("%zu tiers, %zu services", cfg->n_tiers, cfg->n_services);
	return rc;
}

int ops_config_apply(const struct ops_session *s, char **summary, char **err)
{
	const struct config *cfg = s->cfg;
	int rc;

	if (cfg == NULL || cfg->path == NULL) {
		*err = xstrdup("no config file to apply");
		return DR_EINVAL;
	}
	rc = ops_change(s, "config.apply", cfg->path, apply_change, (void *)cfg,
	                err);
	if (rc == DR_OK && summary != NULL)
		*summary = xasprintf("%zu tiers, %zu services", cfg->n_tiers,
		                     cfg->n_services);
	return rc;
}

static int demo_change(struct catalog *cat, void *arg, char **details,
                       char **err)
{
	(void)details;
	return demo_build(cat, *(const int64_t *)arg, err);
}

int ops_demo_create(const struct ops_session *s, const char *where, int64_t now,
                    char **err)
{
	return ops_change(s, "demo.create", where, demo_change, &now, err);
}

static int seal_change(struct catalog *cat, void *arg, char **details,
                       char **err)
{
	(void)cat;
	(void)arg;
	(void)err;
	*details = xstrdup(audit_keyed() ? "keyed" : "unkeyed");
	return DR_OK;
}

int ops_audit_seal(const struct ops_session *s, char **err)
{
	return ops_change(s, "audit.seal", "", seal_change, NULL, err);
}

struct copy_arg {
	struct catalog *from;
	int64_t rows;
};

static int copy_change(struct catalog *cat, void *arg, char **details,
                       char **err)
{
	struct copy_arg *a = arg;
	int rc = catalog_copy(a->from, cat, &a->rows, err);

	if (rc == DR_OK)
		*details = xasprintf("{\"rows\":%lld}", (long long)a->rows);
	return rc;
}

int ops_catalog_copy(const struct ops_session *to, struct catalog *from,
                     struct ops_copy_result *res, char **err)
{
	struct copy_arg a = {from, 0};
	int64_t bad = 0;
	int rc;

	memset(res, 0, sizeof(*res));
	rc = audit_verify(from, &res->audit_rows_before, &bad, err);
	if (rc != DR_OK) {
		char *why = *err;
		*err = xasprintf("%s: its audit chain does not verify (%s); "
		                 "nothing was copied",
		                 catalog_where(from), why ? why : "?");
		free(why);
		return rc;
	}
	rc = ops_change(to, "catalog.copy", catalog_where(from), copy_change,
	                &a, err);
	if (rc != DR_OK)
		return rc;
	res->rows = a.rows;
	rc = audit_verify(to->cat, &res->audit_rows_after, &bad, err);
	if (rc == DR_OK &&
	    res->audit_rows_after != res->audit_rows_before + 1) {
		*err = xasprintf("the copy's audit chain has %lld rows, the "
		                 "original's %lld and the copy's own row",
		                 (long long)res->audit_rows_after,
		                 (long long)res->audit_rows_before);
		rc = DR_ECORRUPT;
	}
	return rc;
}
