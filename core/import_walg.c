/* WAL-G: `wal-g backup-list --detail --json`, an array of
 * {"backup_name", "start_time", "finish_time", "hostname", "data_dir",
 *  "uncompressed_size", "compressed_size", ...}.  A delta backup's name
 * holds "_D_" and the name of its base.  WAL-G lists only backups that
 * finished (their sentinel was written).  The listing does not name its
 * storage: the import's "repository" (or "default") does. */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/import.h"
#include "core/import_field.h"

static int backup_entry(const struct json_doc *d,
                        const struct import_sink *sink, char **err)
{
	const cJSON *b = json_doc_root(d);
	const char *name = NULL, *host = NULL, *dir = NULL;
	const char *names[2];
	struct import_entry e = {.names = names};
	char where[160];

	if (!cJSON_IsObject(b)) {
		*err = json_doc_msg(d, b, "expected a backup object");
		return DR_EINVAL;
	}
	if (import_string(d, b, "backup_name", 1, &name, err) < 0 ||
	    import_string(d, b, "hostname", 0, &host, err) < 0 ||
	    import_string(d, b, "data_dir", 0, &dir, err) < 0 ||
	    import_iso(d, b, "start_time", &e.started_at, err) < 0 ||
	    import_iso(d, b, "finish_time", &e.completed_at, err) < 0)
		return DR_EINVAL;
	if (e.completed_at == 0 &&
	    import_iso(d, b, "time", &e.completed_at, err) < 0)
		return DR_EINVAL;
	if (e.completed_at == 0) {
		*err = json_doc_msg(d, b,
		                    "missing \"finish_time\" (and \"time\") "
		                    "for backup %s",
		                    name);
		return DR_EINVAL;
	}
	e.size_bytes = e.stored_bytes = -1;
	if (import_bytes(d, b, "uncompressed_size", &e.size_bytes, err) < 0 ||
	    import_bytes(d, b, "compressed_size", &e.stored_bytes, err) < 0)
		return DR_EINVAL;
	if (host != NULL)
		names[e.n_names++] = host;
	if (dir != NULL)
		names[e.n_names++] = dir;
	e.type = strstr(name, "_D_") != NULL ? "incremental" : "full";
	e.status = "completed";
	e.label = name;
	import_where(d, b, where, sizeof(where));
	e.where = where;
	return sink->entry(sink->arg, &e, err);
}

static int walg_parse(struct json_stream *in, const struct import_sink *sink,
                      char **err)
{
	int more, rc;

	rc = json_stream_enter(in, '[',
	                       "an array of backups (wal-g backup-list "
	                       "--detail --json)",
	                       err);
	while (rc == DR_OK &&
	       (rc = json_stream_next(in, &more, NULL, err)) == DR_OK && more) {
		struct json_doc *d = NULL;
		rc = json_stream_value(in, &d, err);
		if (rc == DR_OK)
			rc = backup_entry(d, sink, err);
		json_doc_free(d);
	}
	if (rc == DR_OK)
		rc = json_stream_finish(in, err);
	return rc;
}

const struct import_format import_walg_format = {
    .name = "walg",
    .names_what = "host name or data directory",
    .parse = walg_parse,
};
