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
