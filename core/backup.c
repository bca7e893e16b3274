/* The plumbing the backup operations share; the map of the module is in
 * backup_int.h, the model in backup.h. */
#include "core/backup_int.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/audit.h"
#include "core/backup_status.h"
#include "core/crypto.h"
#include "core/error.h"
#include "core/json.h"
#include "core/ops.h"
#include "core/xmalloc.h"

void backup_host_name(char out[128])
{
	if (gethostname(out, 128) != 0)
		strlcpy_dr(out, "localhost", 128);
	out[127] = '\0';
}

/* ---- metadata (JSON in the row) ----------------------------------------- */

cJSON *backup_meta_parse(const struct catalog_backup *b)
{
	if (b->metadata == NULL)
		return cJSON_CreateObject();
	cJSON *m = cJSON_Parse(b->metadata);
	if (!cJSON_IsObject(m)) {
		cJSON_Delete(m);
		return cJSON_CreateObject();
	}
	return m;
}

const char *backup_meta_str(const cJSON *m, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

void backup_meta_set_str(cJSON *m, const char *key, const char *value)
{
	cJSON_DeleteItemFromObjectCaseSensitive(m, key);
	cJSON_AddStringToObject(m, key, value);
}

void backup_meta_set_num(cJSON *m, const char *key, double value)
{
	cJSON_DeleteItemFromObjectCaseSensitive(m, key);
	cJSON_AddNumberToObject(m, key, value);
}

void backup_meta_store(struct catalog_backup *b, cJSON *m)
{
	free(b->metadata);
	b->metadata = json_print_text(m, 0);
	if (b->metadata == NULL)
		abort();
}

int backup_of_target(const struct catalog_backup *b, const char *target)
{
	cJSON *m = backup_meta_parse(b);
	const char *t = backup_meta_str(m, "target");
	int yes = t != NULL && strcmp(t, target) == 0;
	cJSON_Delete(m);
	return yes;
}

void backup_meta_summary(const struct catalog_backup *b, char target[64],
                         char error[256])
{
	cJSON *m = backup_meta_parse(b);
	const char *t = backup_meta_str(m, "target");
	const char *e = backup_meta_str(m, "error");
	strlcpy_dr(target, t ? t : "", 64);
	strlcpy_dr(error, e ? e : "", 256);
	cJSON_Delete(m);
}

/* ---- copies ------------------------------------------------------------ */

int backup_copy_good(const cJSON *m, const char *name)
{
	const cJSON *copies = cJSON_GetObjectItemCaseSensitive(m, "copies");
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(copies, name);
	return cJSON_IsObject(c) &&
	       cJSON_GetObjectItemCaseSensitive(c, "failed") == NULL;
}

const char *backup_copy_first_good(const cJSON *m)
{
	const cJSON *copies = cJSON_GetObjectItemCaseSensitive(m, "copies");
	const cJSON *c;
	cJSON_ArrayForEach(c, copies)
	{
		if (backup_copy_good(m, c->string))
			return c->string;
	}
	return NULL;
}

cJSON *backup_meta_for_copy(const cJSON *m, const char *name)
{
	const cJSON *copies = cJSON_GetObjectItemCaseSensitive(m, "copies");
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(copies, name);
	if (!cJSON_IsObject(c))
		return NULL;
	const char *url = backup_meta_str(c, "url");
	cJSON *d = cJSON_Duplicate(m, 1);
	backup_meta_set_str(d, "repository", name);
	if (url != NULL)
		backup_meta_set_str(d, "repo_url", url);
	else
		cJSON_DeleteItemFromObjectCaseSensitive(d, "repo_url");
	return d;
}

/* ---- shared plumbing ---------------------------------------------------- */

void backup_outcome_from(struct backup_outcome *out,
                         const struct catalog_backup *b, const cJSON *m)
{
	const char *t = backup_meta_str(m, "target");
	strlcpy_dr(out->backup_id, b->backup_id, sizeof out->backup_id);
	strlcpy_dr(out->service, b->service, sizeof out->service);
	strlcpy_dr(out->target, t ? t : "", sizeof out->target);
	strlcpy_dr(out->status, b->status, sizeof out->status);
	strlcpy_dr(out->checksum, b->checksum, sizeof out->checksum);
	strlcpy_dr(out->location, b->location ? b->location : "",
	           sizeof out->location);
}

int backup_open_repo(const struct config *cfg, const char *name,
                     const char *url_fallback, struct repo **out, char **err)
{
	const struct backup_repository *r = backup_config_repository(cfg, name);
	struct repo_options opt;
	if (r != NULL) {
		backup_config_repo_options(r, &opt);
		return repo_open(r->url, &opt, out, err);
	}
	if (url_fallback != NULL && strncmp(url_fallback, "file://", 7) == 0)
		return repo_open(url_fallback, NULL, out, err);
	*err = xasprintf("repository \"%s\" is not in the config",
	                 name ? name : "");
	return DR_ENOTFOUND;
}

int backup_open_repo_of(const struct config *cfg, const cJSON *m,
                        struct repo **out, char **err)
{
	return backup_open_repo(cfg, backup_meta_str(m, "repository"),
	                        backup_meta_str(m, "repo_url"), out, err);
}

int backup_load_key(const char *key_file, uint8_t **secret, size_t *len,
                    char **err)
{
	*secret = NULL;
	*len = 0;
	if (key_file == NULL)
		return DR_OK;
	return crypto_key_file_read(key_file, secret, len, err);
}

struct row_save {
	const struct catalog_backup *b;
	const char *details;
};

static int row_save_change(struct catalog *cat, void *arg, char **details,
                           char **err)
{
	const struct row_save *rs = arg;

	if (rs->details != NULL)
		*details = xstrdup(rs->details);
	return catalog_backup_update(cat, rs->b, err);
}

int backup_save_with_audit(struct catalog *cat, const struct catalog_backup *b,
                           const char *action, const char *details, char **err)
{
	struct row_save rs = {b, details};

	return ops_audited(cat, action, b->backup_id, row_save_change, &rs,
	                   err);
}

int backup_get_row(struct catalog *cat, const char *id,
                   struct catalog_backup *b, char **err)
{
	int rc = catalog_backup_get(cat, id, b, err);
	if (rc == DR_ENOTFOUND) {
		free(*err);
		*err = xasprintf("no backup %s in the catalog", id);
	}
	return rc;
}

/* ---- choosing good backups ---------------------------------------------- */

int backup_good_list(struct catalog *cat, const char *service,
                     struct catalog_backup **out, size_t *n, char **err)
{
	*out = NULL;
	*n = 0;
	for (size_t s = 0; s < BACKUP_GOOD_COUNT; s++) {
		struct catalog_backup_filter f = {
		    .service = service, .status = backup_good_statuses[s]};
		struct catalog_backup *list = NULL;
		size_t k = 0;
		int rc = catalog_backup_list(cat, &f, &list, &k, err);
		if (rc != DR_OK) {
			catalog_backups_free(*out, *n);
			*out = NULL;
			*n = 0;
			return rc;
		}
		*out = xreallocarray(*out, *n + k + 1, sizeof **out);
		if (k > 0)
			memcpy(*out + *n, list, k * sizeof *list);
		*n += k;
		free(list); /* the records moved; their strings with them */
	}
	return DR_OK;
}

int backup_by_completed_desc(const void *a, const void *b)
{
	const struct catalog_backup *x = a, *y = b;
	if (x->completed_at != y->completed_at)
		return x->completed_at < y->completed_at ? 1 : -1;
	return strcmp(x->backup_id, y->backup_id);
}

int backup_newest_good(struct catalog *cat, const char *service,
                       const char *target, int verified_only, int64_t since,
                       char id[40], char **err)
{
	size_t statuses = verified_only ? 1 : BACKUP_GOOD_COUNT;
	int64_t best_at = -1;
	int rc = DR_OK;
	id[0] = '\0';
	/* backup_good_statuses starts with verified. */
	for (size_t s = 0; s < statuses && rc == DR_OK; s++) {
		struct catalog_backup_filter f = {
		    .service = service, .status = backup_good_statuses[s]};
		struct catalog_backup *list = NULL;
		size_t n = 0;
		rc = catalog_backup_list(cat, &f, &list, &n, err);
		for (size_t i = 0; rc == DR_OK && i < n; i++)
			if (list[i].completed_at > best_at &&
			    list[i].completed_at >= since &&
			    (target == NULL ||
			     backup_of_target(&list[i], target))) {
				best_at = list[i].completed_at;
				strlcpy_dr(id, list[i].backup_id, 40);
			}
		catalog_backups_free(list, n);
	}
	return rc;
}
