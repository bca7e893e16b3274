/* Verify: read a backup's object back whole and mark the row verified or
 * corrupt. */
#include "core/backup_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/backup_status.h"
#include "core/crypto.h"
#include "core/error.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

/* Marks the row after a read that judged the object (rc DR_OK or
 * DR_ECORRUPT with why); a catalog error replaces an ok rc. */
static int verify_record(struct catalog *cat, struct catalog_backup *b,
                         cJSON *m, int rc, char **why)
{
	int ok = rc == DR_OK;
	char iso[32], *se = NULL;
	strlcpy_dr(b->status, ok ? "verified" : "corrupt", sizeof b->status);
	if (ok)
		cJSON_DeleteItemFromObjectCaseSensitive(m, "error");
	else
		backup_meta_set_str(m, "error", *why);
	time_format_iso(time_now(), iso);
	backup_meta_set_str(m, "verified_at", iso);
	backup_meta_store(b, m);
	int src = backup_save_with_audit(
	    cat, b, ok ? "backup.verify" : "backup.corrupt",
	    ok ? "verified" : *why, &se);
	if (src != DR_OK && ok) {
		rc = src;
		*why = se;
		se = NULL;
	}
	free(se);
	return rc;
}

int backup_verify(struct catalog *cat, const struct config *cfg,
                  const char *backup_id, const char *key_file,
                  struct backup_outcome *out, char **err)
{
	struct catalog_backup b;
	struct backup_reader_sink sink = {.fd = -1};
	uint64_t stored = 0;
	struct backup_key key = {0};
	char *e = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	rc = backup_get_row(cat, backup_id, &b, err);
	if (rc != DR_OK)
		return rc;
	cJSON *m = backup_meta_parse(&b);
	if (!backup_status_is_verifiable(b.status)) {
		*err = xasprintf("backup %s is %s: only completed backups can "
		                 "be verified",
		                 backup_id, b.status);
		backup_outcome_from(out, &b, m);
		cJSON_Delete(m);
		catalog_backup_clear(&b);
		return DR_EINVAL;
	}
	rc = backup_key_of(cfg, &b, m, key_file, &key, &e);
	double t0 = time_mono();
	if (rc == DR_OK)
		rc = backup_read_back(cfg, &b, m, &key, &sink, &stored, &e);
	out->seconds = time_mono() - t0;
	out->plain_bytes = sink.plain;
	out->stored_bytes = stored;
	/* Only the object's own state changes the row: a wrong or missing
	 * key says nothing about the backup. */
	if (rc == DR_OK || rc == DR_ECORRUPT)
		rc = verify_record(cat, &b, m, rc, &e);
	if (rc != DR_OK) {
		*err = e;
		e = NULL;
	}
	backup_outcome_from(out, &b, m);
	backup_key_clear(&key);
	free(e);
	cJSON_Delete(m);
	catalog_backup_clear(&b);
	return rc;
}

/* ---- copies ------------------------------------------------------------- */

/* Marks one copy verified or failed in the row, with its audit row. */
static int copy_mark(struct catalog *cat, struct catalog_backup *b, cJSON *m,
                     const char *repo, int ok, const char *why, char **err)
{
	cJSON *copies = cJSON_GetObjectItemCaseSensitive(m, "copies");
	cJSON *c = cJSON_GetObjectItemCaseSensitive(copies, repo);
	char iso[32];
	time_format_iso(time_now(), iso);
	cJSON_DeleteItemFromObjectCaseSensitive(c, "failed");
	cJSON_DeleteItemFromObjectCaseSensitive(c, "failed_at");
	cJSON_DeleteItemFromObjectCaseSensitive(c, "verified_at");
	if (ok) {
		cJSON_AddStringToObject(c, "verified_at", iso);
	} else {
		cJSON_AddStringToObject(c, "failed", why);
		cJSON_AddStringToObject(c, "failed_at", iso);
	}
	backup_meta_store(b, m);
	char *d = ok ? xasprintf("copy in %s verified", repo)
	             : xasprintf("copy in %s failed: %s", repo, why);
	int rc = backup_save_with_audit(
	    cat, b, ok ? "backup.copy-verify" : "backup.copy-corrupt", d, err);
	free(d);
	return rc;
}

/* Reads the copy in repo back whole. */
static int copy_read(const struct config *cfg, const struct catalog_backup *b,
                     const cJSON *m, const char *repo,
                     const struct backup_key *key, struct backup_copy_check *it,
                     char **e)
{
	struct backup_reader_sink sink = {.fd = -1};
	uint64_t stored = 0;
	cJSON *cm = backup_meta_for_copy(m, repo);
	double t0 = time_mono();
	int rc = backup_read_back(cfg, b, cm, key, &sink, &stored, e);
	it->seconds = time_mono() - t0;
	it->plain_bytes = sink.plain;
	cJSON_Delete(cm);
	return rc;
}

/* Checks the copy in repo into *it and marks it; its status. */
static int copy_check(struct catalog *cat, const struct config *cfg,
                      struct catalog_backup *b, cJSON *m, const char *repo,
                      const struct backup_key *key,
                      struct backup_copy_check *it)
{
	char *e = NULL;
	memset(it, 0, sizeof *it);
	strlcpy_dr(it->backup_id, b->backup_id, sizeof it->backup_id);
	strlcpy_dr(it->service, b->service, sizeof it->service);
	strlcpy_dr(it->repository, repo, sizeof it->repository);
	int crc = copy_read(cfg, b, m, repo, key, it, &e);
	it->ok = crc == DR_OK;
	if (!it->ok)
		strlcpy_dr(it->error, e ? e : dr_status_name(crc),
		           sizeof it->error);
	free(e);
	/* Only the copy's own state changes the row: a wrong key or an
	 * unreachable repository says nothing about the copy. */
	if (crc == DR_OK || crc == DR_ECORRUPT) {
		char *se = NULL;
		if (copy_mark(cat, b, m, repo, crc == DR_OK, it->error, &se) !=
		    DR_OK) {
			strlcpy_dr(it->error, se ? se : "catalog error",
			           sizeof it->error);
			it->ok = 0;
			crc = DR_EIO;
		}
		free(se);
	}
	return crc;
}

int backup_verify_copies(struct catalog *cat, const struct config *cfg,
                         const char *backup_id, const char *key_file,
                         struct backup_copy_check **items, size_t *n,
                         char **err)
{
	struct catalog_backup b;
	struct backup_key key = {0};
	char *why = NULL; /* the worst copy's failure */
	int rc, worst = DR_OK;

	*items = NULL;
	*n = 0;
	rc = backup_get_row(cat, backup_id, &b, err);
	if (rc != DR_OK)
		return rc;
	cJSON *m = backup_meta_parse(&b);
	if (strcmp(b.status, "expired") == 0) {
		*err = xasprintf("backup %s is expired: its copies went with "
		                 "it",
		                 backup_id);
		cJSON_Delete(m);
		catalog_backup_clear(&b);
		return DR_EINVAL;
	}
	const cJSON *copies = cJSON_GetObjectItemCaseSensitive(m, "copies");
	size_t nc = (size_t)cJSON_GetArraySize(copies);
	if (nc > 0)
		rc = backup_key_of(cfg, &b, m, key_file, &key, err);
	/* Names first: marking a copy rewrites the metadata. */
	char(*names)[64] = nc > 0 ? xcalloc(nc, sizeof *names) : NULL;
	size_t k = 0;
	const cJSON *c;
	cJSON_ArrayForEach(c, copies)
	{
		if (k < nc)
			strlcpy_dr(names[k++], c->string, sizeof *names);
	}
	for (size_t i = 0; rc == DR_OK && i < k; i++) {
		*items = xreallocarray(*items, *n + 1, sizeof **items);
		struct backup_copy_check *it = &(*items)[(*n)++];
		int crc = copy_check(cat, cfg, &b, m, names[i], &key, it);
		if (crc != DR_OK && (worst == DR_OK || crc == DR_ECORRUPT)) {
			worst = crc;
			free(why);
			why = xasprintf("copy of %s in %s: %s", b.backup_id,
			                names[i], it->error);
		}
	}
	const char *target = backup_meta_str(m, "target");
	const struct backup_target *t =
	    target ? backup_config_target(cfg, target) : NULL;
	if (rc == DR_OK && t != NULL && worst == DR_ECORRUPT) {
		char *le = NULL;
		if (backup_copy_lag_refresh(cat, cfg, t, time_now(), &le) !=
		    DR_OK)
			free(le);
	}
	if (rc == DR_OK && worst != DR_OK) {
		rc = worst;
		*err = why;
		why = NULL;
	}
	free(why);
	free(names);
	backup_key_clear(&key);
	cJSON_Delete(m);
	catalog_backup_clear(&b);
	return rc;
}
