/* restic: `restic snapshots --json`, an array of snapshots {"id", "time",
 * "hostname", "paths", "tags", ...}.  Since 0.17 a snapshot may carry a
 * "summary" with backup_start, backup_end and total_bytes_processed; older
 * ones have only "time", and nothing here requires more.  A snapshot is a
 * whole restore point (its data is deduplicated, never a delta to
 * restore), so every one is full.  Its names, tried in order against the
 * map: its tags, its host name, its paths.  The listing does not name its
 * repository: the import's "repository" (or "default") does. */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/import.h"
#include "core/import_field.h"
#include "core/xmalloc.h"

static int add_strings(const struct json_doc *d, const cJSON *b,
                       const char *key, const char ***names, size_t *n,
                       char **err)
{
	const cJSON *arr = cJSON_GetObjectItem(b, key), *v;

	if (arr == NULL || cJSON_IsNull(arr))
		return 0;
	if (!cJSON_IsArray(arr)) {
		*err = json_doc_msg(d, arr,
		                    "expected an array of strings for "
		                    "\"%s\"",
		                    key);
		return -1;
	}
	cJSON_ArrayForEach(v, arr)
	{
		if (!cJSON_IsString(v)) {
			*err = json_doc_msg(d, v, "expected a string in \"%s\"",
			                    key);
			return -1;
		}
		*names = xreallocarray(*names, *n + 1, sizeof(**names));
		(*names)[(*n)++] = v->valuestring;
	}
	return 0;
}

static int snapshot_entry(const struct json_doc *d,
                          const struct import_sink *sink, char **err)
{
	const cJSON *b = json_doc_root(d), *sum;
	const char *id = NULL, *host = NULL;
	const char **names = NULL;
	struct import_entry e = {0};
	int64_t t = 0;
	char where[160];
	int rc = DR_EINVAL;

	if (!cJSON_IsObject(b)) {
		*err = json_doc_msg(d, b, "expected a snapshot object");
		return DR_EINVAL;
	}
	if (import_string(d, b, "id", 1, &id, err) < 0 ||
	    import_string(d, b, "hostname", 0, &host, err) < 0 ||
	    import_iso(d, b, "time", &t, err) < 0)
		return DR_EINVAL;
	if (t == 0) {
		*err =
		    json_doc_msg(d, b, "missing \"time\" for snapshot %s", id);
		return DR_EINVAL;
	}
	if (add_strings(d, b, "tags", &names, &e.n_names, err) < 0)
		goto out;
	if (host != NULL) {
		names = xreallocarray(names, e.n_names + 1, sizeof(*names));
		names[e.n_names++] = host;
	}
	if (add_strings(d, b, "paths", &names, &e.n_names, err) < 0)
		goto out;
	e.started_at = e.completed_at = t;
	e.size_bytes = e.stored_bytes = -1;
	sum = cJSON_GetObjectItem(b, "summary");
	if (cJSON_IsObject(sum) &&
	    (import_iso(d, sum, "backup_start", &e.started_at, err) < 0 ||
	     import_iso(d, sum, "backup_end", &e.completed_at, err) < 0 ||
	     import_bytes(d, sum, "total_bytes_processed", &e.size_bytes, err) <
	         0))
		goto out;
	if (e.started_at > e.completed_at)
		e.started_at = e.completed_at;
	e.names = names;
	e.type = "full";
	e.status = "completed";
	e.label = id;
	import_where(d, b, where, sizeof(where));
	e.where = where;
	rc = sink->entry(sink->arg, &e, err);
out:
	free(names);
	return rc;
}

static int restic_parse(struct json_stream *in, const struct import_sink *sink,
                        char **err)
{
	int more, rc;

	rc = json_stream_enter(in, '[',
	                       "an array of snapshots (restic snapshots "
	                       "--json)",
	                       err);
	while (rc == DR_OK &&
	       (rc = json_stream_next(in, &more, NULL, err)) == DR_OK && more) {
		struct json_doc *d = NULL;
		rc = json_stream_value(in, &d, err);
		if (rc == DR_OK)
			rc = snapshot_entry(d, sink, err);
		json_doc_free(d);
	}
	if (rc == DR_OK)
		rc = json_stream_finish(in, err);
	return rc;
}

const struct import_format import_restic_format = {
    .name = "restic",
    .names_what = "tag, host name or path",
    .parse = restic_parse,
};
