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

#include <stdlib.h>
#include <string.h>

#include "core/backup_format.h"
#include "core/crypto.h"
#include "core/error.h"
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
		                            BACKUP_FORMAT_HEADER_LEN, s[i].secret,
		                            s[i].len, &e) == DR_OK)
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
		char *one = s[i].secret != NULL
		                ? xasprintf("%s (key %s)", s[i].path,
		                            slot_id(&s[i]))
		                : xasprintf("%s (unreadable: %s)", s[i].path,
		                            s[i].why);
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
	k->note = want != NULL
	              ? xasprintf("it needs key %s%s%s%s; tried %s", want,
	                          was_in ? " (last found in " : "",
	                          was_in ? was_in : "", was_in ? ")" : "",
	                          tried)
	              : xasprintf("tried %s", tried);
	free(tried);
	key_take(k, &s[first]);
	slots_free(s, n);
	return DR_OK;
}
