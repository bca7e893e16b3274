/* See ops_service.h. */
#include "core/ops_service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/service.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

struct add {
	struct catalog_service svc;
	const struct catalog_tier *tier; /* NULL: none */
};

static int add_change(struct catalog *cat, void *arg, char **details,
                      char **err)
{
	struct add *a = arg;
	int rc = DR_OK;

	if (a->tier != NULL)
		rc = catalog_tier_put(cat, a->tier, err);
	if (rc == DR_OK)
		rc = catalog_service_add(cat, &a->svc, err);
	if (rc == DR_EEXIST) {
		free(*err);
		*err = xasprintf("service '%s' already exists", a->svc.name);
	}
	*details = xasprintf("tier=%s owner=%s rto=%lld rpo=%lld", a->svc.tier,
	                     a->svc.owner, (long long)a->svc.rto_s,
	                     (long long)a->svc.rpo_s);
	return rc;
}

int ops_service_add(const struct ops_session *s,
                    const struct catalog_service *svc, const char *tier,
                    char **err)
{
	struct add a = {.svc = *svc};
	int rc = service_name_check(svc->name, err);

	if (rc != DR_OK)
		return rc;
	strlcpy_dr(a.svc.tier, tier != NULL ? tier : "", sizeof a.svc.tier);
	if (tier != NULL) {
		a.tier = s->cfg != NULL ? config_tier(s->cfg, tier) : NULL;
		if (a.tier == NULL) {
			char *known = s->cfg != NULL
			                  ? service_tier_list(s->cfg->tiers,
			                                      s->cfg->n_tiers)
			                  : xstrdup("none");
			*err = xasprintf("unknown tier '%s' (known: %s)", tier,
			                 known);
			free(known);
			return DR_EINVAL;
		}
	}
	a.svc.created_at = time_now();
	return ops_change(s, "service.add", svc->name, add_change, &a, err);
}

struct removal {
	const char *name;
	int purge;
};

static int remove_change(struct catalog *cat, void *arg, char **details,
                         char **err)
{
	struct removal *r = arg;
	int rc = catalog_service_remove(cat, r->name, r->purge, err);

	if (rc == DR_ENOTFOUND) {
		free(*err);
		*err = xasprintf("no service '%s' in the catalog", r->name);
	} else if (rc == DR_EBUSY) {
		char *with = xasprintf(
		    "%s (use --purge to delete its history too)", *err);
		free(*err);
		*err = with;
	}
	if (r->purge)
		*details = xstrdup("purge");
	return rc;
}

int ops_service_remove(const struct ops_session *s, const char *name, int purge,
                       char **err)
{
	struct removal r = {name, purge};

	return ops_change(s, "service.remove", name, remove_change, &r, err);
}
