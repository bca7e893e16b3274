/* Which key opens a backup, when keys change (issue 19).
 *
 * A target lists its key files newest first; new backups are encrypted
 * with the first, and each records the id of its key (backup_format.h) and
 * the file it came from.  Reading picks the file whose key has the
 * recorded id; a backup older than ids (or whose id no file has) is opened
 * by the first key whose check passes on the object's header, which costs
 * one short read of the object.  Rekey does that for every backup of a
 * target and records what it found, so that `backup list` can say which
 * backups need a key that is no longer configured before a restore finds
 * out. */
#include "core/backup_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/backup_format.h"
#include "core/crypto.h"
#include "core/error.h"
#include "core/ops.h"
#include "core/xmalloc.h"

/* One configured key file, read once. */
struct key_slot {
	const char *path;
	uint8_t *secret; /* NULL: unreadable (why) */
	size_t len;
	int rc;
	char *why;
	char id[BACKUP_FORMAT_KEY_ID_LEN + 1]; /* "" until computed */
};

static void slots_load(const struct backup_target *t, struct key_slot *s)
{
	for (size_t i = 0; i < t->n_key_files; i++) {
		memset(&s[i], 0, sizeof s[i]);
		s[i].path = t->key_files[i];
		s[i].rc = crypto_key_file_read(s[i].path, &s[i].secret,
		                               &s[i].len, &s[i].why);
	}
}

static void slots_free(struct key_slot *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		crypto_secret_free(s[i].secret, s[i].len);
		free(s[i].why);
	}
	free(s);
}

/* The slot's key id ("" when it cannot be computed). */
static const char *slot_id(struct key_slot *s)
{
	char *e = NULL;
	if (s->secret != NULL && s->id[0] == '\0' &&
	    backup_format_key_id(s->secret, s->len, s->id, &e) != DR_OK) {
		s->id[0] = '\0';
		free(e);
	}
	return s->id;
}

/* Reads the first bytes of the backup's object into head. */
static int read_head(const struct config *cfg, const cJSON *m,
                     uint8_t head[BACKUP_FORMAT_HEADER_LEN], char **err)
{
	const char *object = backup_meta_str(m, "object");
	struct repo *repo = NULL;
	struct repo_get *get = NULL;
	size_t have = 0;
	if (object == NULL) {
		*err = xstrdup("no object recorded");
		return DR_ENOTFOUND;
	}
	int rc = backup_open_repo_of(cfg, m, &repo, err);
	if (rc == DR_OK)
		rc = repo_get_open(repo, object, &get, err);
	while (rc == DR_OK && have < BACKUP_FORMAT_HEADER_LEN) {
		size_t got = 0;
		rc = repo_get_read(get, head + have,
		                   BACKUP_FORMAT_HEADER_LEN - have, &got, err);
		if (rc == DR_OK && got == 0) {
			*err = xasprintf("the object %s ends inside its header",
			                 object);
			rc = DR_ECORRUPT;
		}
		have += got;
	}
	repo_get_close(get);
	repo_close(repo);
	return rc;
}

/* The first loaded slot whose key opens the header, or -1. */
static long slot_opening(const struct catalog_backup *b, const uint8_t *head,
                         struct key_slot *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *e = NULL;
		if (s[i].secret != NULL &&
		    backup_format_key_opens(b->backup_id, head,
		                            BACKUP_FORMAT_HEADER_LEN,
		                            s[i].secret, s[i].len, &e) == DR_OK)
			return (long)i;
		free(e);
	}
	return -1;
}

/* "A (key 0123...), B (unreadable: why)" */
static char *slots_tried(struct key_slot *s, size_t n)
{
	char *out = xstrdup("");
	for (size_t i = 0; i < n; i++) {
		char *one =
		    s[i].secret != NULL
		        ? xasprintf("%s (key %s)", s[i].path, slot_id(&s[i]))
		        : xasprintf("%s (unreadable: %s)", s[i].path, s[i].why);
		char *both = xasprintf("%s%s%s", out, i > 0 ? ", " : "", one);
		free(one);
		free(out);
		out = both;
	}
	return out;
}

void backup_key_clear(struct backup_key *k)
{
	crypto_secret_free(k->secret, k->len);
	free(k->who);
	free(k->note);
	memset(k, 0, sizeof *k);
}

/* Moves slot i's secret into k. */
static void key_take(struct backup_key *k, struct key_slot *s)
{
	k->secret = s->secret;
	k->len = s->len;
	k->path = s->path;
	s->secret = NULL;
}

int backup_key_of(const struct config *cfg, const struct catalog_backup *b,
                  const cJSON *m, const char *key_file, struct backup_key *k,
                  char **err)
{
	const char *target = backup_meta_str(m, "target");
	const struct backup_target *t =
	    target ? backup_config_target(cfg, target) : NULL;
	const char *want = backup_meta_str(m, "key_id");
	const char *was_in = backup_meta_str(m, "key_file");
	memset(k, 0, sizeof *k);
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "encrypted")))
		return DR_OK;
	if (key_file != NULL) {
		k->path = key_file;
		return backup_load_key(key_file, &k->secret, &k->len, err);
	}
	if (t == NULL || t->n_key_files == 0) {
		*err = xasprintf("backup %s is encrypted and target \"%s\" has "
		                 "no key_files in the config (give one with "
		                 "--key-file)",
		                 b->backup_id, target ? target : "");
		return DR_EPERM;
	}
	size_t n = t->n_key_files;
	/* One key and no id to check it against: as before key rotation. */
	if (n == 1 && want == NULL) {
		k->path = t->key_files[0];
		return backup_load_key(k->path, &k->secret, &k->len, err);
	}
	struct key_slot *s = xcalloc(n, sizeof *s);
	long pick = -1, first = -1;
	slots_load(t, s);
	for (size_t i = 0; i < n; i++) {
		if (s[i].secret == NULL)
			continue;
		if (first < 0)
			first = (long)i;
		if (want != NULL && strcmp(slot_id(&s[i]), want) == 0) {
			pick = (long)i;
			break;
		}
	}
	if (first < 0) {
		/* None can be read: the first one's error, as with one. */
		int rc = s[0].rc;
		*err = s[0].why;
		s[0].why = NULL;
		slots_free(s, n);
		return rc;
	}
	if (pick < 0 && want == NULL) {
		uint8_t head[BACKUP_FORMAT_HEADER_LEN];
		char *e = NULL;
		if (read_head(cfg, m, head, &e) == DR_OK)
			pick = slot_opening(b, head, s, n);
		free(e); /* the read itself will say what is wrong */
	}
	if (pick >= 0) {
		key_take(k, &s[pick]);
		slots_free(s, n);
		return DR_OK;
	}
	/* No file is known to hold the key: the first readable one is
	 * tried, and if it is refused the message says what was needed. */
	char *tried = slots_tried(s, n);
	if (n > 1)
		k->who = xasprintf("no key file of target %s opens", t->name);
	k->note =
	    want != NULL
	        ? xasprintf("it needs key %s%s%s%s; tried %s", want,
	                    was_in ? " (last found in " : "",
	                    was_in ? was_in : "", was_in ? ")" : "", tried)
	        : xasprintf("tried %s", tried);
	free(tried);
	key_take(k, &s[first]);
	slots_free(s, n);
	return DR_OK;
}

/* ---- rekey ----------------------------------------------------------------
 */

/* Rows that have an object to read. */
static int has_object(const char *status)
{
	return strcmp(status, "pending") != 0 &&
	       strcmp(status, "running") != 0 &&
	       strcmp(status, "failed") != 0 && strcmp(status, "expired") != 0;
}

static void rekey_one(const struct config *cfg, const struct catalog_backup *b,
                      struct key_slot *s, size_t n,
                      struct backup_rekey_item *it)
{
	cJSON *m = backup_meta_parse(b);
	const char *was = backup_meta_str(m, "key_id");
	uint8_t head[BACKUP_FORMAT_HEADER_LEN];
	char *e = NULL;
	memset(it, 0, sizeof *it);
	strlcpy_dr(it->backup_id, b->backup_id, sizeof it->backup_id);
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "encrypted"))) {
		it->state = BACKUP_REKEY_UNENCRYPTED;
	} else if (read_head(cfg, m, head, &e) != DR_OK) {
		it->state = BACKUP_REKEY_UNREADABLE;
		strlcpy_dr(it->error, e, sizeof it->error);
	} else {
		long i = slot_opening(b, head, s, n);
		if (i >= 0) {
			it->state = BACKUP_REKEY_FOUND;
			strlcpy_dr(it->key_id, slot_id(&s[i]),
			           sizeof it->key_id);
			strlcpy_dr(it->key_file, s[i].path,
			           sizeof it->key_file);
		} else {
			it->state = BACKUP_REKEY_MISSING;
			strlcpy_dr(it->key_id, was ? was : "",
			           sizeof it->key_id);
		}
	}
	free(e);
	cJSON_Delete(m);
}

struct rekey_save {
	const struct backup_rekey_item *items;
	size_t n;
	const char *target;
	size_t changed;
};

/* Records what each found backup needs, re-reading each row inside the
 * transaction so a change made meanwhile is kept. */
static int rekey_change(struct catalog *cat, void *arg, char **details,
                        char **err)
{
	struct rekey_save *rs = arg;
	size_t found = 0, missing = 0;

	rs->changed = 0; /* counted afresh if the change is made again */
	for (size_t i = 0; i < rs->n; i++) {
		const struct backup_rekey_item *it = &rs->items[i];
		missing += it->state == BACKUP_REKEY_MISSING;
		if (it->state != BACKUP_REKEY_FOUND)
			continue;
		found++;
		struct catalog_backup b;
		int rc = catalog_backup_get(cat, it->backup_id, &b, err);
		if (rc == DR_ENOTFOUND) {
			free(*err);
			*err = NULL;
			continue; /* pruned meanwhile */
		}
		if (rc != DR_OK)
			return rc;
		cJSON *m = backup_meta_parse(&b);
		const char *id = backup_meta_str(m, "key_id");
		const char *file = backup_meta_str(m, "key_file");
		if (id == NULL || strcmp(id, it->key_id) != 0 || file == NULL ||
		    strcmp(file, it->key_file) != 0) {
			backup_meta_set_str(m, "key_id", it->key_id);
			backup_meta_set_str(m, "key_file", it->key_file);
			backup_meta_store(&b, m);
			rc = catalog_backup_update(cat, &b, err);
			rs->changed++;
		}
		cJSON_Delete(m);
		catalog_backup_clear(&b);
		if (rc != DR_OK)
			return rc;
	}
	*details = xasprintf("target %s: %zu backups checked, %zu keys found "
	                     "(%zu recorded anew), %zu need a key no key file "
	                     "has",
	                     rs->target, rs->n, found, rs->changed, missing);
	return DR_OK;
}

int backup_rekey(struct catalog *cat, const struct config *cfg,
                 const char *target, struct backup_rekey_item **items,
                 size_t *n, char **err)
{
	const struct backup_target *t = backup_config_target(cfg, target);
	*items = NULL;
	*n = 0;
	if (t == NULL) {
		*err =
		    xasprintf("no backup target \"%s\" in the config", target);
		return DR_EINVAL;
	}
	struct catalog_backup_filter f = {.service = t->service,
	                                  .oldest_first = 1};
	struct catalog_backup *list = NULL;
	size_t k = 0;
	int rc = catalog_backup_list(cat, &f, &list, &k, err);
	if (rc != DR_OK)
		return rc;
	struct key_slot *s = xcalloc(t->n_key_files + 1, sizeof *s);
	slots_load(t, s);
	*items = xcalloc(k + 1, sizeof **items);
	for (size_t i = 0; i < k; i++)
		if (has_object(list[i].status) &&
		    backup_of_target(&list[i], target))
			rekey_one(cfg, &list[i], s, t->n_key_files,
			          &(*items)[(*n)++]);
	slots_free(s, t->n_key_files);
	catalog_backups_free(list, k);
	struct rekey_save rs = {*items, *n, target, 0};
	return ops_audited(cat, "backup.rekey", target, rekey_change, &rs, err);
}

/* ---- what a listing says about keys ---------------------------------------
 */

struct target_keys {
	const struct backup_target *t;
	struct key_slot *s;
};

void backup_key_notes(const struct config *cfg,
                      const struct catalog_backup *list, size_t n,
                      struct backup_key_note *notes)
{
	const struct backup_config *bc = cfg != NULL ? cfg->backup : NULL;
	size_t nt = bc != NULL ? bc->n_targets : 0;
	struct target_keys *tk = xcalloc(nt + 1, sizeof *tk);
	for (size_t i = 0; i < n; i++) {
		struct backup_key_note *kn = &notes[i];
		cJSON *m = backup_meta_parse(&list[i]);
		const char *target = backup_meta_str(m, "target");
		const char *id = backup_meta_str(m, "key_id");
		const char *was = backup_meta_str(m, "key_file");
		memset(kn, 0, sizeof *kn);
		kn->encrypted = cJSON_IsTrue(
		    cJSON_GetObjectItemCaseSensitive(m, "encrypted"));
		if (kn->encrypted && id != NULL && has_object(list[i].status)) {
			strlcpy_dr(kn->key_id, id, sizeof kn->key_id);
			size_t ti = 0;
			while (ti < nt &&
			       (target == NULL ||
			        strcmp(bc->targets[ti].name, target) != 0))
				ti++;
			const struct backup_target *t =
			    ti < nt ? &bc->targets[ti] : NULL;
			size_t nk = t != NULL ? t->n_key_files : 0;
			if (t != NULL && tk[ti].s == NULL) {
				tk[ti].t = t;
				tk[ti].s = xcalloc(nk + 1, sizeof *tk[ti].s);
				slots_load(t, tk[ti].s);
			}
			const struct key_slot *bad = NULL;
			for (size_t j = 0; j < nk; j++) {
				struct key_slot *ks = &tk[ti].s[j];
				if (was != NULL && strcmp(ks->path, was) == 0 &&
				    ks->secret == NULL)
					bad = ks;
				if (strcmp(slot_id(ks), id) == 0) {
					strlcpy_dr(kn->key_file, ks->path,
					           sizeof kn->key_file);
					break;
				}
			}
			if (kn->key_file[0] != '\0')
				kn->warning[0] = '\0';
			else if (bad != NULL)
				snprintf(kn->warning, sizeof kn->warning,
				         "needs key %s, and its key file is "
				         "unreadable: %s",
				         id, bad->why);
			else
				snprintf(
				    kn->warning, sizeof kn->warning,
				    "needs key %s%s%s%s, which no key file "
				    "of target %s has",
				    id, was ? " (last found in " : "",
				    was ? was : "", was ? ")" : "",
				    target ? target : "-");
		}
		cJSON_Delete(m);
	}
	for (size_t i = 0; i < nt; i++)
		if (tk[i].s != NULL)
			slots_free(tk[i].s, tk[i].t->n_key_files);
	free(tk);
}

/* ---- config check -----------------------------------------------------------
 */

int backup_check_key_files(const struct config *cfg, char **report)
{
	const struct backup_config *bc = cfg != NULL ? cfg->backup : NULL;
	int rc = DR_OK;
	*report = NULL;
	for (size_t i = 0; bc != NULL && i < bc->n_targets; i++) {
		const struct backup_target *t = &bc->targets[i];
		for (size_t j = 0; j < t->n_key_files; j++) {
			uint8_t *secret = NULL;
			size_t len = 0;
			char *why = NULL;
			int r = crypto_key_file_read(t->key_files[j], &secret,
			                             &len, &why);
			crypto_secret_free(secret, len);
			if (r == DR_OK)
				continue;
			char *line =
			    xasprintf("%s%sbackup target \"%s\": %s",
			              *report ? *report : "",
			              *report ? "\n" : "", t->name, why);
			free(*report);
			free(why);
			*report = line;
			if (rc == DR_OK)
				rc = r;
		}
	}
	return rc;
}
