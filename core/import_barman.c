/* Barman: `barman -f json list-backups SERVER` ({"SERVER": [backups]}) and
 * `barman -f json show-backup SERVER ID` ({"SERVER": {one backup}}).
 *
 * list-backups gives the end as a string epoch (end_time_timestamp) and no
 * begin; show-backup gives both under base_backup_information.  A FAILED
 * backup in list-backups has neither: its start is read from its backup id,
 * which Barman makes from its local time at the start (20240102T030405).
 * A list is the server's whole catalogue (a scope); one shown backup is
 * not. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "core/import.h"
#include "core/import_field.h"
#include "core/xmalloc.h"

static const char *barman_status(const char *s)
{
	if (strcmp(s, "DONE") == 0)
		return "completed";
	if (strcmp(s, "FAILED") == 0)
		return "failed";
	/* WAITING_FOR_WALS: copied, but not consistent until its WAL is
	 * archived; STARTED, SYNCING: still going; EMPTY: not begun. */
	if (strcmp(s, "EMPTY") == 0)
		return "pending";
	if (strcmp(s, "WAITING_FOR_WALS") == 0 || strcmp(s, "STARTED") == 0 ||
	    strcmp(s, "SYNCING") == 0)
		return "running";
	return NULL;
}

static int64_t id_time(const char *id)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(id, "%Y%m%dT%H%M%S", &tm);
	if (end == NULL || *end != '\0')
		return 0;
	tm.tm_isdst = -1;
	time_t t = mktime(&tm);
	return t < 0 ? 0 : (int64_t)t;
}

static int backup_entry(const struct json_doc *d, const cJSON *b,
                        const char *server, int alone,
                        const struct import_sink *sink, char **err)
{
	const char *id = NULL, *status = NULL;
	const char *names[1] = {server};
	struct import_entry e = {.names = names, .n_names = 1, .alone = alone};
	const cJSON *info = cJSON_GetObjectItem(b, "base_backup_information");
	const cJSON *wal_info = cJSON_GetObjectItem(b, "wal_information");
	int64_t wal = -1;
	char where[160];

	if (!cJSON_IsObject(b)) {
		*err = json_doc_msg(d, b, "expected a backup object");
		return DR_EINVAL;
	}
	if (import_string(d, b, "backup_id", 1, &id, err) < 0 ||
	    import_string(d, b, "status", 1, &status, err) < 0)
		return DR_EINVAL;
	e.status = barman_status(status);
	if (e.status == NULL) {
		*err = json_doc_msg(d, cJSON_GetObjectItem(b, "status"),
		                    "unknown Barman status \"%s\" (expected "
		                    "DONE, FAILED, WAITING_FOR_WALS, STARTED, "
		                    "SYNCING or EMPTY)",
		                    status);
		return DR_EINVAL;
	}
	e.size_bytes = e.stored_bytes = -1;
	/* The same sizes from both listings, so that show-backup after
	 * list-backups changes nothing: list-backups' size_bytes is the base
	 * backup with the WAL it needs (show-backup's
	 * disk_usage_with_wals_bytes); its wal_size_bytes is the WAL kept
	 * after it up to the next backup (show-backup's
	 * wal_information.disk_usage_bytes), stored with it. */
	if (info != NULL) {
		int with_wals;
		if (import_epoch(d, info, "begin_time_timestamp", &e.started_at,
		                 err) < 0 ||
		    import_epoch(d, info, "end_time_timestamp", &e.completed_at,
		                 err) < 0 ||
		    (with_wals =
		         import_bytes(d, info, "disk_usage_with_wals_bytes",
		                      &e.size_bytes, err)) < 0 ||
		    (with_wals == 0 && import_bytes(d, info, "disk_usage_bytes",
		                                    &e.size_bytes, err) < 0))
			return DR_EINVAL;
	}
	if (wal_info != NULL &&
	    import_bytes(d, wal_info, "disk_usage_bytes", &wal, err) < 0)
		return DR_EINVAL;
	if (import_epoch(d, b, "end_time_timestamp", &e.completed_at, err) <
	        0 ||
	    import_bytes(d, b, "size_bytes", &e.size_bytes, err) < 0 ||
	    import_bytes(d, b, "wal_size_bytes", &wal, err) < 0)
		return DR_EINVAL;
	if (wal >= 0 && e.size_bytes >= 0)
		e.stored_bytes = e.size_bytes + wal;
	/* The id is the start as both listings give it; show-backup's
	 * begin_time may be a second later, and then list-backups and
	 * show-backup of one backup would disagree (a re-import "updates"
	 * it).  begin_time only where the id is no time. */
	if (id_time(id) > 0)
		e.started_at = id_time(id);
	if (e.completed_at != 0 && e.started_at > e.completed_at)
		e.started_at = e.completed_at;
	if (strcmp(e.status, "running") == 0 ||
	    strcmp(e.status, "pending") == 0)
		e.completed_at = 0;
	e.type = "full";
	e.repository = server;
	e.label = id;
	import_where(d, b, where, sizeof(where));
	e.where = where;
	return sink->entry(sink->arg, &e, err);
}

static int barman_parse(struct json_stream *in, const struct import_sink *sink,
                        char **err)
{
	int more, rc;
	const char *key;

	rc = json_stream_enter(in, '{',
	                       "an object of servers (barman -f json "
	                       "list-backups SERVER)",
	                       err);
	while (rc == DR_OK &&
	       (rc = json_stream_next(in, &more, &key, err)) == DR_OK && more) {
		char *server = xstrdup(key);
		if (json_stream_peek(in) == '[') {
			const char *names[1] = {server};
			struct import_scope sc = {names, 1, server};
			rc = sink->scope(sink->arg, &sc, err);
			if (rc == DR_OK)
				rc = json_stream_enter(in, '[', "a list", err);
			while (rc == DR_OK &&
			       (rc = json_stream_next(in, &more, NULL, err)) ==
			           DR_OK &&
			       more) {
				struct json_doc *d = NULL;
				rc = json_stream_value(in, &d, err);
				if (rc == DR_OK)
					rc = backup_entry(d, json_doc_root(d),
					                  server, 0, sink, err);
				json_doc_free(d);
			}
		} else if (json_stream_peek(in) == '{') {
			struct json_doc *d = NULL;
			rc = json_stream_value(in, &d, err);
			if (rc == DR_OK)
				rc = backup_entry(d, json_doc_root(d), server,
				                  1, sink, err);
			json_doc_free(d);
		} else {
			*err =
			    json_stream_msg(in,
			                    "expected the server's list of "
			                    "backups (list-backups) or one "
			                    "backup (show-backup) for \"%s\"",
			                    server);
			rc = DR_EINVAL;
		}
		free(server);
	}
	if (rc == DR_OK)
		rc = json_stream_finish(in, err);
	return rc;
}

const struct import_format import_barman_format = {
    .name = "barman",
    .names_what = "server",
    .parse = barman_parse,
};
