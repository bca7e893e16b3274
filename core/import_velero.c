/* Velero: `velero backup get -o json`.  One backup prints as a bare Backup
 * object, several as a list {"kind": "BackupList", "items": [...]}.  A
 * Backup: metadata.name (the label), metadata.labels
 * ("velero.io/schedule-name"), spec.includedNamespaces,
 * spec.storageLocation (the repository), status.phase, startTimestamp and
 * completionTimestamp, which Velero sets even when the backup failed.
 * Its names, tried in order: the schedule, the included namespaces, the
 * backup's own name.  Velero listings are small (one object per backup in
 * the cluster), so the document is read whole. */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/import.h"
#include "core/import_field.h"
#include "core/xmalloc.h"

static const char *velero_status(const char *phase)
{
	static const struct {
		const char *phase, *status;
	} map[] = {
	    {"Completed", "completed"},
	    {"PartiallyFailed", "failed"},
	    {"Failed", "failed"},
	    {"FailedValidation", "failed"},
	    {"New", "pending"},
	    {"InProgress", "running"},
	    {"WaitingForPluginOperations", "running"},
	    {"WaitingForPluginOperationsPartiallyFailed", "running"},
	    {"Finalizing", "running"},
	    {"FinalizingPartiallyFailed", "running"},
	    {"Deleting", "expired"},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].phase, phase) == 0)
			return map[i].status;
	return NULL;
}

static int backup_entry(const struct json_doc *d, const cJSON *b, int alone,
                        const struct import_sink *sink, char **err)
{
	const cJSON *meta = cJSON_GetObjectItem(b, "metadata");
	const cJSON *spec = cJSON_GetObjectItem(b, "spec");
	const cJSON *status = cJSON_GetObjectItem(b, "status");
	const cJSON *ns, *v;
	const char *name = NULL, *phase = "New", *loc = "default";
	const char *sched = NULL;
	const char **names = NULL;
	struct import_entry e = {.alone = alone};
	char where[160];
	int rc = DR_EINVAL;

	if (!cJSON_IsObject(b) || !cJSON_IsObject(meta)) {
		*err = json_doc_msg(d, b,
		                    "expected a Velero Backup object with "
		                    "\"metadata\"");
		return DR_EINVAL;
	}
	if (import_string(d, meta, "name", 1, &name, err) < 0 ||
	    import_string(d, cJSON_GetObjectItem(meta, "labels"),
	                  "velero.io/schedule-name", 0, &sched, err) < 0 ||
	    import_string(d, spec, "storageLocation", 0, &loc, err) < 0 ||
	    import_string(d, status, "phase", 0, &phase, err) < 0 ||
	    import_iso(d, status, "startTimestamp", &e.started_at, err) < 0 ||
	    import_iso(d, status, "completionTimestamp", &e.completed_at, err) <
	        0)
		return DR_EINVAL;
	e.status = velero_status(phase);
	if (e.status == NULL) {
		*err = json_doc_msg(d, cJSON_GetObjectItem(status, "phase"),
		                    "unknown Velero phase \"%s\"", phase);
		return DR_EINVAL;
	}
	if (sched != NULL) {
		names = xreallocarray(names, e.n_names + 1, sizeof(*names));
		names[e.n_names++] = sched;
	}
	ns = cJSON_GetObjectItem(spec, "includedNamespaces");
	if (!cJSON_IsArray(ns))
		ns = NULL;
	cJSON_ArrayForEach(v, ns)
	{
		if (!cJSON_IsString(v) || strcmp(v->valuestring, "*") == 0)
			continue;
		names = xreallocarray(names, e.n_names + 1, sizeof(*names));
		names[e.n_names++] = v->valuestring;
	}
	names = xreallocarray(names, e.n_names + 1, sizeof(*names));
	names[e.n_names++] = name;
	if (strcmp(e.status, "running") == 0 ||
	    strcmp(e.status, "pending") == 0)
		e.completed_at = 0;
	if (e.started_at == 0)
		e.started_at = e.completed_at;
	e.names = names;
	e.type = "full";
	e.size_bytes = e.stored_bytes = -1;
	e.repository = loc;
	e.label = name;
	import_where(d, b, where, sizeof(where));
	e.where = where;
	rc = sink->entry(sink->arg, &e, err);
	free(names);
	return rc;
}

static int velero_parse(struct json_stream *in, const struct import_sink *sink,
                        char **err)
{
	struct json_doc *d = NULL;
	const cJSON *root, *items, *b;
	int rc;

	if (json_stream_peek(in) != '{') {
		char *m = json_stream_msg(in, "expected a Velero Backup or "
		                              "BackupList object (velero "
		                              "backup get -o json)");
		*err = m;
		return DR_EINVAL;
	}
	rc = json_stream_value(in, &d, err);
	if (rc == DR_OK)
		rc = json_stream_finish(in, err);
	if (rc != DR_OK) {
		json_doc_free(d);
		return rc;
	}
	root = json_doc_root(d);
	items = cJSON_GetObjectItem(root, "items");
	if (items == NULL) {
		/* A bare Backup is `velero backup get NAME` as often as the
		 * whole listing of a location with one backup: it never
		 * expires the location's others. */
		rc = backup_entry(d, root, 1, sink, err);
	} else if (!cJSON_IsArray(items)) {
		*err = json_doc_msg(d, items,
		                    "expected an array of Backups for "
		                    "\"items\"");
		rc = DR_EINVAL;
	} else {
		cJSON_ArrayForEach(b, items)
		{
			if ((rc = backup_entry(d, b, 0, sink, err)) != DR_OK)
				break;
		}
	}
	json_doc_free(d);
	return rc;
}

const struct import_format import_velero_format = {
    .name = "velero",
    .names_what = "schedule, namespace or backup name",
    .parse = velero_parse,
};
