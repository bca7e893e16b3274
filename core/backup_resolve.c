/* Which backup a person means: an id, "latest:SERVICE" or
 * "within-rpo:SERVICE". */
#include "core/backup_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/xmalloc.h"

int backup_latest_of_target(struct catalog *cat, const char *service,
                            const char *target, char backup_id[40], char **err)
{
	int rc = backup_newest_good(cat, service, target, 0, 0, backup_id, err);

	if (rc == DR_OK && backup_id[0] == '\0') {
		*err = xasprintf("target %s of service %s has no completed "
		                 "backup",
		                 target, service);
		rc = DR_ENOTFOUND;
	}
	return rc;
}

static int resolve_id(struct catalog *cat, const char *spec, char backup_id[40],
                      char **err)
{
	struct catalog_backup b;
	int rc = backup_get_row(cat, spec, &b, err);
	if (rc == DR_OK) {
		strlcpy_dr(backup_id, b.backup_id, 40);
		catalog_backup_clear(&b);
	}
	return rc;
}

static int resolve_latest(struct catalog *cat, const char *service,
                          char backup_id[40], char **err)
{
	int rc = backup_newest_good(cat, service, NULL, 0, 0, backup_id, err);
	if (rc == DR_OK && backup_id[0] == '\0') {
		*err = xasprintf("service %s has no completed backup", service);
		rc = DR_ENOTFOUND;
	}
	return rc;
}

/* The service's RPO target, else its tier's; 0 when it has none. */
static int64_t service_rpo(struct catalog *cat,
                           const struct catalog_service *svc, char **err)
{
	int64_t rpo = svc->rpo_s;
	if (rpo != 0)
		return rpo;
	struct catalog_tier *tiers = NULL;
	size_t nt = 0;
	if (catalog_tier_list(cat, &tiers, &nt, err) == DR_OK)
		for (size_t i = 0; i < nt; i++)
			if (strcmp(tiers[i].name, svc->tier) == 0)
				rpo = tiers[i].rpo_s;
	free(tiers);
	return rpo;
}

static int resolve_within_rpo(struct catalog *cat, const char *service,
                              const struct catalog_service *svc, int64_t now,
                              char backup_id[40], char **err)
{
	int64_t rpo = service_rpo(cat, svc, err);
	if (rpo <= 0) {
		*err = xasprintf("service %s has no RPO target", service);
		return DR_EINVAL;
	}
	int rc = backup_newest_good(cat, service, NULL, 1, now - rpo, backup_id,
	                            err);
	if (rc == DR_OK && backup_id[0] == '\0') {
		char d[32];
		snprintf(d, sizeof d, "%llds", (long long)rpo);
		*err = xasprintf("service %s has no verified backup inside "
		                 "its RPO (%s); run `drconsole backup "
		                 "verify --service %s`",
		                 service, d, service);
		rc = DR_ENOTFOUND;
	}
	return rc;
}

int backup_resolve(struct catalog *cat, const char *spec, int64_t now,
                   char backup_id[40], char **err)
{
	const char *colon = strchr(spec, ':');
	if (colon == NULL)
		return resolve_id(cat, spec, backup_id, err);
	char *how = xstrndup(spec, (size_t)(colon - spec));
	const char *service = colon + 1;
	struct catalog_service svc;
	int rc = catalog_service_get(cat, service, &svc, err);
	if (rc == DR_ENOTFOUND) {
		free(*err);
		*err = xasprintf("no service \"%s\" in the catalog", service);
	}
	if (rc == DR_OK && strcmp(how, "latest") == 0) {
		rc = resolve_latest(cat, service, backup_id, err);
	} else if (rc == DR_OK && strcmp(how, "within-rpo") == 0) {
		rc =
		    resolve_within_rpo(cat, service, &svc, now, backup_id, err);
	} else if (rc == DR_OK) {
		*err = xasprintf("\"%s\": expected a backup id, "
		                 "latest:SERVICE or within-rpo:SERVICE",
		                 spec);
		rc = DR_EINVAL;
	}
	free(how);
	return rc;
}

int backup_target_of(struct catalog *cat, const char *backup_id,
                     char target[64], char service[64], int64_t *completed_at,
                     char **err)
{
	struct catalog_backup b;
	int rc = backup_get_row(cat, backup_id, &b, err);
	if (rc != DR_OK)
		return rc;
	cJSON *m = backup_meta_parse(&b);
	const char *t = backup_meta_str(m, "target");
	strlcpy_dr(target, t ? t : "", 64);
	strlcpy_dr(service, b.service, 64);
	*completed_at = b.completed_at;
	cJSON_Delete(m);
	catalog_backup_clear(&b);
	return DR_OK;
}
