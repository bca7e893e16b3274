/* pgBackRest: `pgbackrest info --output=json`, an array of stanzas, each
 * {"backup": [...], "name": ..., "repo": [...], "status": {...}}.
 *
 * pgBackRest prints members in alphabetical order, so a stanza's backups
 * come before its name.  A listing can hold a million backups, so it is
 * not kept: the first pass reads every stanza's name, repositories and
 * lock and moves past the backups; the second reads the backups one at a
 * time, knowing whose they are. */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/import.h"
#include "core/import_field.h"
#include "core/xmalloc.h"

struct stanza {
	char *name;
	int running;    /* status.lock.backup.held */
	int64_t *repos; /* repo[].key */
	size_t n_repos;
};

static void stanzas_free(struct stanza *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(s[i].name);
		free(s[i].repos);
	}
	free(s);
}

/* The members of one stanza but its backups. */
static int read_stanza(struct json_stream *in, struct stanza *s, char **err)
{
	char *at = json_stream_msg(in, "a stanza without a \"name\"");
	int more, rc;
	const char *key;

	rc = json_stream_enter(in, '{', "a stanza object", err);
	while (rc == DR_OK &&
	       (rc = json_stream_next(in, &more, &key, err)) == DR_OK && more) {
		struct json_doc *d = NULL;
		const cJSON *v;
		if (strcmp(key, "name") != 0 && strcmp(key, "status") != 0 &&
		    strcmp(key, "repo") != 0) {
			rc = json_stream_skip(in, err);
			continue;
		}
		if ((rc = json_stream_value(in, &d, err)) != DR_OK)
			break;
		v = json_doc_root(d);
		if (strcmp(key, "name") == 0) {
			if (!cJSON_IsString(v) || v->valuestring[0] == '\0') {
				*err =
				    json_doc_msg(d, v,
				                 "expected the stanza's name "
				                 "as a string");
				rc = DR_EINVAL;
			} else {
				free(s->name);
				s->name = xstrdup(v->valuestring);
			}
		} else if (strcmp(key, "status") == 0) {
			const cJSON *lock = cJSON_GetObjectItem(v, "lock");
			const cJSON *bk = cJSON_GetObjectItem(lock, "backup");
			s->running =
			    cJSON_IsTrue(cJSON_GetObjectItem(bk, "held"));
		} else if (cJSON_IsArray(v)) {
			const cJSON *r;
			cJSON_ArrayForEach(r, v)
			{
				int64_t k;
				if (import_bytes(d, r, "key", &k, err) < 0) {
					rc = DR_EINVAL;
					break;
				}
				s->repos =
				    xreallocarray(s->repos, s->n_repos + 1,
				                  sizeof(*s->repos));
				s->repos[s->n_repos++] = k;
			}
		}
		json_doc_free(d);
	}
	if (rc == DR_OK && s->name == NULL) {
		*err = at;
		return DR_EINVAL;
	}
	free(at);
	return rc;
}

static int backup_entry(const struct json_doc *d, const struct stanza *s,
                        const struct import_sink *sink, char **err)
{
	const cJSON *b = json_doc_root(d), *v;
	const char *label = NULL, *type = NULL;
	const char *names[1] = {s->name};
	struct import_entry e = {.names = names, .n_names = 1};
	int64_t key = 1;
	char repo[160], where[160];

	if (!cJSON_IsObject(b)) {
		*err = json_doc_msg(d, b, "expected a backup object");
		return DR_EINVAL;
	}
	if (import_string(d, b, "label", 1, &label, err) < 0 ||
	    import_string(d, b, "type", 1, &type, err) < 0)
		return DR_EINVAL;
	if (strcmp(type, "full") == 0)
		e.type = "full";
	else if (strcmp(type, "diff") == 0)
		e.type = "differential";
	else if (strcmp(type, "incr") == 0)
		e.type = "incremental";
	else {
		*err = json_doc_msg(d, cJSON_GetObjectItem(b, "type"),
		                    "expected backup type full, diff or incr, "
		                    "found \"%s\"",
		                    type);
		return DR_EINVAL;
	}
	v = cJSON_GetObjectItem(b, "timestamp");
	if (!cJSON_IsObject(v)) {
		*err = json_doc_msg(d, v ? v : b,
		                    "expected \"timestamp\": {\"start\": ..., "
		                    "\"stop\": ...}");
		return DR_EINVAL;
	}
	if (import_epoch(d, v, "start", &e.started_at, err) < 0 ||
	    import_epoch(d, v, "stop", &e.completed_at, err) < 0)
		return DR_EINVAL;
	e.size_bytes = e.stored_bytes = -1;
	v = cJSON_GetObjectItem(b, "info");
	if (import_bytes(d, v, "size", &e.size_bytes, err) < 0 ||
	    import_bytes(d, cJSON_GetObjectItem(v, "repository"), "size",
	                 &e.stored_bytes, err) < 0)
		return DR_EINVAL;
	if (import_bytes(d, cJSON_GetObjectItem(b, "database"), "repo-key",
	                 &key, err) < 0)
		return DR_EINVAL;
	v = cJSON_GetObjectItem(b, "error");
	e.status = cJSON_IsTrue(v) ? "failed" : "completed";
	snprintf(repo, sizeof(repo), "%s/repo%lld", s->name, (long long)key);
	import_where(d, b, where, sizeof(where));
	e.repository = repo;
	e.label = label;
	e.where = where;
	return sink->entry(sink->arg, &e, err);
}

static int pgbackrest_parse(struct json_stream *in,
                            const struct import_sink *sink, char **err)
{
	struct stanza *st = NULL;
	size_t n = 0;
	int more, rc;
	const char *key;

	/* Pass 1: who the stanzas are. */
	rc = json_stream_enter(in, '[',
	                       "an array of stanzas (pgbackrest info "
	                       "--output=json)",
	                       err);
	while (rc == DR_OK &&
	       (rc = json_stream_next(in, &more, NULL, err)) == DR_OK && more) {
		st = xreallocarray(st, n + 1, sizeof(*st));
		memset(&st[n], 0, sizeof(*st));
		rc = read_stanza(in, &st[n++], err);
	}
	if (rc == DR_OK)
		rc = json_stream_finish(in, err);
	for (size_t i = 0; rc == DR_OK && i < n; i++) {
		const char *names[1] = {st[i].name};
		char repo[160];
		if (st[i].n_repos == 0) {
			st[i].repos = xcalloc(1, sizeof(*st[i].repos));
			st[i].repos[0] = 1;
			st[i].n_repos = 1;
		}
		for (size_t r = 0; rc == DR_OK && r < st[i].n_repos; r++) {
			struct import_scope sc = {names, 1, repo};
			snprintf(repo, sizeof(repo), "%s/repo%lld", st[i].name,
			         (long long)st[i].repos[r]);
			rc = sink->scope(sink->arg, &sc, err);
		}
	}
	/* Pass 2: their backups. */
	if (rc == DR_OK)
		rc = json_stream_rewind(in, err);
	if (rc == DR_OK)
		rc = json_stream_enter(in, '[', "an array of stanzas", err);
	for (size_t i = 0; rc == DR_OK && i < n; i++) {
		rc = json_stream_next(in, &more, NULL, err);
		if (rc == DR_OK)
			rc = json_stream_enter(in, '{', "a stanza", err);
		while (rc == DR_OK &&
		       (rc = json_stream_next(in, &more, &key, err)) == DR_OK &&
		       more) {
			if (strcmp(key, "backup") != 0) {
				rc = json_stream_skip(in, err);
				continue;
			}
			rc = json_stream_enter(in, '[',
			                       "an array of backups for "
			                       "\"backup\"",
			                       err);
			while (rc == DR_OK &&
			       (rc = json_stream_next(in, &more, NULL, err)) ==
			           DR_OK &&
			       more) {
				struct json_doc *d = NULL;
				rc = json_stream_value(in, &d, err);
				if (rc == DR_OK)
					rc = backup_entry(d, &st[i], sink, err);
				json_doc_free(d);
			}
		}
		if (rc == DR_OK && st[i].running) {
			/* A backup in progress is not listed until it ends;
			 * the lock says one runs.  One row per stanza stands
			 * for it, and is expired when the lock is gone. */
			const char *names[1] = {st[i].name};
			char repo[160], where[160];
			struct import_entry e = {
			    .names = names,
			    .n_names = 1,
			    .repository = repo,
			    .label = "(running)",
			    .type = "full",
			    .status = "running",
			    .size_bytes = -1,
			    .stored_bytes = -1,
			    .where = where,
			};
			snprintf(repo, sizeof(repo), "%s/repo%lld", st[i].name,
			         (long long)st[i].repos[0]);
			snprintf(where, sizeof(where), "stanza %s", st[i].name);
			rc = sink->entry(sink->arg, &e, err);
		}
	}
	stanzas_free(st, n);
	return rc;
}

const struct import_format import_pgbackrest_format = {
    .name = "pgbackrest",
    .names_what = "stanza",
    .parse = pgbackrest_parse,
};
