/* The stable JSON form of a listing of backups (`backup list --json`). */
#include "core/backup_int.h"

#include <stdlib.h>

#include "core/json.h"
#include "core/timeutil.h"

static void add_time(cJSON *o, const char *key, int64_t t)
{
	char iso[32];
	if (t == 0) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	time_format_iso(t, iso);
	cJSON_AddStringToObject(o, key, iso);
}

static void add_str_or_null(cJSON *o, const char *key, const char *value)
{
	if (value != NULL)
		cJSON_AddStringToObject(o, key, value);
	else
		cJSON_AddNullToObject(o, key);
}

/* The names of the repositories the backup was copied to, but for a copy
 * that failed its verification: that one no longer counts. */
static void add_copies(cJSON *o, const cJSON *m)
{
	cJSON *names = cJSON_AddArrayToObject(o, "copies");
	const cJSON *copies = cJSON_GetObjectItemCaseSensitive(m, "copies");
	const cJSON *c;
	cJSON_ArrayForEach(c, copies)
	{
		if (backup_copy_good(m, c->string))
			cJSON_AddItemToArray(names,
			                     cJSON_CreateString(c->string));
	}
}

/* One backup, its members in the documented order. */
static cJSON *backup_json(const struct catalog_backup *b,
                          const struct backup_key_note *kn)
{
	cJSON *m = backup_meta_parse(b), *o = cJSON_CreateObject();
	const cJSON *plain = cJSON_GetObjectItemCaseSensitive(m, "plain_bytes");
	cJSON_AddStringToObject(o, "backup_id", b->backup_id);
	cJSON_AddStringToObject(o, "service", b->service);
	add_str_or_null(o, "target", backup_meta_str(m, "target"));
	cJSON_AddStringToObject(o, "status", b->status);
	cJSON_AddStringToObject(o, "type", b->type);
	add_time(o, "started_at", b->started_at);
	add_time(o, "completed_at", b->completed_at);
	if (b->size_bytes >= 0)
		cJSON_AddNumberToObject(o, "size_bytes", (double)b->size_bytes);
	else
		cJSON_AddNullToObject(o, "size_bytes");
	if (cJSON_IsNumber(plain))
		cJSON_AddNumberToObject(o, "plain_bytes", plain->valuedouble);
	else
		cJSON_AddNullToObject(o, "plain_bytes");
	cJSON_AddNumberToObject(o, "compression_ratio", b->compression_ratio);
	cJSON_AddStringToObject(o, "checksum", b->checksum);
	add_str_or_null(o, "location", b->location);
	cJSON_AddBoolToObject(
	    o, "encrypted",
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "encrypted")));
	add_str_or_null(o, "key_id",
	                kn && kn->key_id[0] ? kn->key_id
	                                    : backup_meta_str(m, "key_id"));
	add_str_or_null(o, "key_file",
	                kn && kn->key_file[0] ? kn->key_file : NULL);
	add_str_or_null(o, "key_warning",
	                kn && kn->warning[0] ? kn->warning : NULL);
	add_copies(o, m);
	add_str_or_null(o, "error", backup_meta_str(m, "error"));
	cJSON_Delete(m);
	return o;
}

char *backup_list_json(const struct catalog_backup *list, size_t n,
                       const struct backup_key_note *keys)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(
		    arr, backup_json(&list[i], keys ? &keys[i] : NULL));
	char *text = json_print_text(arr, 1);
	cJSON_Delete(arr);
	if (text == NULL)
		abort();
	return text;
}
