#include "core/backup_config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/backup_format.h"
#include "core/error.h"
#include "core/xmalloc.h"

static struct backup_config *section(struct config *cfg)
{
	if (cfg->backup == NULL)
		cfg->backup = xcalloc(1, sizeof *cfg->backup);
	return cfg->backup;
}

static char *dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* An integer member within [lo, hi]; 0 missing, 1 read, -1 wrong. */
static int get_int(struct json_errors *errs, const struct json_doc *doc,
                   const cJSON *obj, const char *key, long lo, long hi,
                   long *out)
{
	double d;
	int rc = json_get_number(errs, doc, obj, key, 0, &d);
	if (rc <= 0)
		return rc;
	if (d != floor(d) || d < (double)lo || d > (double)hi) {
		json_errors_add(errs, doc,
		                cJSON_GetObjectItemCaseSensitive(obj, key),
		                "expected a whole number from %ld to %ld for "
		                "\"%s\", found %g",
		                lo, hi, key, d);
		return -1;
	}
	*out = (long)d;
	return 1;
}

/* An array of strings; NULL-terminated copy. */
static char **get_strv(struct json_errors *errs, const struct json_doc *doc,
                       const cJSON *arr, const char *key)
{
	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0) {
		json_errors_add(errs, doc, arr,
		                "expected a non-empty array of strings for "
		                "\"%s\"",
		                key);
		return NULL;
	}
	size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
	char **v = xcalloc(n + 1, sizeof *v);
	const cJSON *it;
	cJSON_ArrayForEach(it, arr)
	{
		if (!cJSON_IsString(it)) {
			json_errors_add(errs, doc, it,
			                "expected a string in \"%s\"", key);
			for (size_t k = 0; k < i; k++)
				free(v[k]);
			free(v);
			return NULL;
		}
		v[i++] = xstrdup(it->valuestring);
	}
	return v;
}

int backup_config_parse_repositories(struct config *cfg,
                                     const struct json_doc *doc,
                                     const cJSON *node,
                                     struct json_errors *errs)
{
	static const char *const keys[] = {
	    "url",        "endpoint", "region",  "credentials_file",
	    "path_style", "retries",  "timeout", "request_limit",
	    NULL};
	size_t before = errs->count;
	struct backup_config *bc = section(cfg);
	const cJSON *it;

	if (!cJSON_IsObject(node)) {
		json_errors_add(errs, doc, node,
		                "expected an object of repositories by name "
		                "for \"repositories\"");
		return -1;
	}
	cJSON_ArrayForEach(it, node)
	{
		const char *url = NULL, *endpoint = NULL, *region = NULL,
		           *cred = NULL;
		int path_style = 1;
		long retries = -1; /* not given: the default */
		long long timeout = 0, request_limit = 0;
		if (!cJSON_IsObject(it)) {
			json_errors_add(errs, doc, it,
			                "expected an object for repository "
			                "\"%s\"",
			                it->string);
			continue;
		}
		json_check_keys(errs, doc, it, "a repository", keys);
		json_get_string(errs, doc, it, "url", 1, &url);
		json_get_string(errs, doc, it, "endpoint", 0, &endpoint);
		json_get_string(errs, doc, it, "region", 0, &region);
		json_get_string(errs, doc, it, "credentials_file", 0, &cred);
		json_get_bool(errs, doc, it, "path_style", 0, &path_style);
		get_int(errs, doc, it, "retries", 0, 20, &retries);
		json_get_duration(errs, doc, it, "timeout", 0, &timeout);
		if (json_get_duration(errs, doc, it, "request_limit", 0,
		                      &request_limit) > 0 &&
		    (request_limit < 1 || request_limit > 86400))
			json_errors_add(errs, doc,
			                cJSON_GetObjectItemCaseSensitive(
			                    it, "request_limit"),
			                "expected a duration from 1s to 1d for "
			                "\"request_limit\", found %llds",
			                request_limit);
		if (url != NULL && !repo_url_supported(url))
			json_errors_add(
			    errs, doc,
			    cJSON_GetObjectItemCaseSensitive(it, "url"),
			    "expected file:///PATH or s3://BUCKET/PREFIX for "
			    "\"url\", found \"%s\"",
			    url);
		if (url != NULL && strncmp(url, "s3://", 5) == 0 &&
		    endpoint == NULL)
			json_errors_add(errs, doc, it,
			                "repository \"%s\": an s3:// URL needs "
			                "an \"endpoint\"",
			                it->string);
		if (url == NULL)
			continue;
		bc->repos = xreallocarray(bc->repos, bc->n_repos + 1,
		                          sizeof *bc->repos);
		struct backup_repository *r = &bc->repos[bc->n_repos++];
		memset(r, 0, sizeof *r);
		r->name = xstrdup(it->string);
		r->url = xstrdup(url);
		r->endpoint = dup_or_null(endpoint);
		r->region = dup_or_null(region);
		r->credentials_file = dup_or_null(cred);
		r->path_style = path_style;
		r->retries = (int)retries;
		r->timeout_s = (long)timeout;
		r->request_limit_s = (long)request_limit;
	}
	return errs->count > before ? -1 : 0;
}

/* "key_files": a non-empty list of distinct, non-empty paths. */
static char **get_key_files(struct json_errors *errs,
                            const struct json_doc *doc, const cJSON *arr)
{
	char **v = get_strv(errs, doc, arr, "key_files");
	for (size_t i = 0; v != NULL && v[i] != NULL; i++) {
		const cJSON *at = cJSON_GetArrayItem(arr, (int)i);
		if (v[i][0] == '\0')
			json_errors_add(errs, doc, at,
			                "expected a path in \"key_files\", "
			                "found an empty string");
		for (size_t k = 0; k < i; k++)
			if (strcmp(v[k], v[i]) == 0)
				json_errors_add(errs, doc, at,
				                "\"key_files\" lists %s twice",
				                v[i]);
	}
	return v;
}

static void parse_source(struct json_errors *errs, const struct json_doc *doc,
                         const cJSON *src, struct source_spec *out)
{
	static const char *const keys[] = {"kind", "argv", "shell",
	                                   "env",  "path", NULL};
	const char *kind = NULL, *shell = NULL, *path = NULL;
	if (!cJSON_IsObject(src)) {
		json_errors_add(errs, doc, src,
		                "expected an object for \"source\"");
		return;
	}
	json_check_keys(errs, doc, src, "a source", keys);
	if (json_get_string(errs, doc, src, "kind", 1, &kind) != 1)
		return;
	if (!source_kind_known(kind)) {
		json_errors_add(errs, doc,
		                cJSON_GetObjectItemCaseSensitive(src, "kind"),
		                "expected command, directory, file or "
		                "sqlite for "
		                "\"kind\", found \"%s\"",
		                kind);
		return;
	}
	out->kind = xstrdup(kind);
	json_get_string(errs, doc, src, "shell", 0, &shell);
	json_get_string(errs, doc, src, "path", 0, &path);
	const cJSON *argv = cJSON_GetObjectItemCaseSensitive(src, "argv");
	const cJSON *env = cJSON_GetObjectItemCaseSensitive(src, "env");
	if (strcmp(kind, "command") == 0) {
		if ((argv != NULL) == (shell != NULL))
			json_errors_add(errs, doc, src,
			                "a command source needs exactly one "
			                "of \"argv\" (run directly) and "
			                "\"shell\" (run with /bin/sh -c)");
		if (argv != NULL)
			out->argv = get_strv(errs, doc, argv, "argv");
		out->shell = dup_or_null(shell);
		if (env != NULL && !cJSON_IsObject(env)) {
			json_errors_add(errs, doc, env,
			                "expected an object of strings for "
			                "\"env\"");
		} else if (env != NULL) {
			size_t n = (size_t)cJSON_GetArraySize(env), i = 0;
			const cJSON *e;
			out->env = xcalloc(n + 1, sizeof *out->env);
			cJSON_ArrayForEach(e, env)
			{
				if (!cJSON_IsString(e)) {
					json_errors_add(
					    errs, doc, e,
					    "expected a string for \"%s\"",
					    e->string);
					continue;
				}
				out->env[i++] = xasprintf("%s=%s", e->string,
				                          e->valuestring);
			}
		}
		if (path != NULL)
			json_errors_add(errs, doc, src,
			                "a command source takes no \"path\"");
	} else {
		if (path == NULL)
			json_errors_add(errs, doc, src,
			                "a %s source needs a \"path\"", kind);
		if (argv != NULL || shell != NULL || env != NULL)
			json_errors_add(errs, doc, src,
			                "a %s source takes only \"path\"",
			                kind);
		out->path = dup_or_null(path);
	}
}

static void parse_retention(struct json_errors *errs,
                            const struct json_doc *doc, const cJSON *node,
                            struct backup_retention *r)
{
	static const char *const keys[] = {"hourly", "daily", "weekly",
	                                   "monthly", NULL};
	long v;
	if (!cJSON_IsObject(node)) {
		json_errors_add(errs, doc, node,
		                "expected an object for \"retention\"");
		return;
	}
	json_check_keys(errs, doc, node, "retention", keys);
	if (get_int(errs, doc, node, "hourly", 0, 100000, &v) == 1)
		r->hourly = (int)v;
	if (get_int(errs, doc, node, "daily", 0, 100000, &v) == 1)
		r->daily = (int)v;
	if (get_int(errs, doc, node, "weekly", 0, 100000, &v) == 1)
		r->weekly = (int)v;
	if (get_int(errs, doc, node, "monthly", 0, 100000, &v) == 1)
		r->monthly = (int)v;
}

static void target_clear(struct backup_target *t);

static void parse_restore_test(struct json_errors *errs,
                               const struct json_doc *doc, const cJSON *it,
                               struct backup_target *t)
{
	static const char *const rkeys[] = {"argv", "shell", NULL};
	const cJSON *rt = cJSON_GetObjectItemCaseSensitive(it, "restore_test");
	const char *shell = NULL, *rts = NULL;

	if (rt != NULL) {
		json_check_keys(errs, doc, rt, "restore_test", rkeys);
		json_get_string(errs, doc, rt, "shell", 0, &shell);
		const cJSON *argv =
		    cJSON_GetObjectItemCaseSensitive(rt, "argv");
		if ((argv != NULL) == (shell != NULL))
			json_errors_add(errs, doc, rt,
			                "restore_test needs exactly "
			                "one of \"argv\" and "
			                "\"shell\"");
		else if (argv != NULL)
			t->test_argv = get_strv(errs, doc, argv, "argv");
		t->test_shell = dup_or_null(shell);
	}
	if (json_get_string(errs, doc, it, "restore_test_schedule", 0, &rts) !=
	    1)
		return;
	char *serr = NULL;
	if (schedule_parse(rts, &t->test_schedule, &serr) != DR_OK) {
		json_errors_add(errs, doc,
		                cJSON_GetObjectItemCaseSensitive(
		                    it, "restore_test_schedule"),
		                "%s", serr);
		free(serr);
	} else {
		t->has_test_schedule = 1;
	}
}

/* The key: "key_file" (one) or "key_files" (newest first), never both. */
static void parse_keys(struct json_errors *errs, const struct json_doc *doc,
                       const cJSON *it, struct backup_target *t)
{
	const char *key = NULL;
	json_get_string(errs, doc, it, "key_file", 0, &key);
	const cJSON *keys_node =
	    cJSON_GetObjectItemCaseSensitive(it, "key_files");
	if (keys_node != NULL && key != NULL)
		json_errors_add(errs, doc, keys_node,
		                "backup target \"%s\" has both "
		                "\"key_file\" and \"key_files\": give "
		                "one (\"key_files\", newest first)",
		                it->string);
	else if (keys_node != NULL)
		t->key_files = get_key_files(errs, doc, keys_node);
	else if (key != NULL) {
		t->key_files = xcalloc(2, sizeof *t->key_files);
		t->key_files[0] = xstrdup(key);
	}
	while (t->key_files != NULL && t->key_files[t->n_key_files] != NULL)
		t->n_key_files++;
}

/* One target into *t; its errors are added to errs. */
static void parse_target(struct json_errors *errs, const struct json_doc *doc,
                         const cJSON *it, struct backup_target *t)
{
	static const char *const keys[] = {"service",
	                                   "source",
	                                   "repository",
	                                   "copy_repository",
	                                   "schedule",
	                                   "retention",
	                                   "compression_level",
	                                   "key_file",
	                                   "key_files",
	                                   "chunk_size",
	                                   "restore_test",
	                                   "restore_test_schedule",
	                                   NULL};
	const char *service = NULL, *repo = NULL, *copy = NULL;
	long long schedule = 0;
	long level = 1, chunk = BACKUP_FORMAT_CHUNK_DEFAULT;

	json_check_keys(errs, doc, it, "a backup target", keys);
	json_get_string(errs, doc, it, "service", 1, &service);
	json_get_string(errs, doc, it, "repository", 1, &repo);
	json_get_string(errs, doc, it, "copy_repository", 0, &copy);
	parse_keys(errs, doc, it, t);
	json_get_duration(errs, doc, it, "schedule", 0, &schedule);
	get_int(errs, doc, it, "compression_level", 0, 9, &level);
	get_int(errs, doc, it, "chunk_size", 4096, BACKUP_FORMAT_CHUNK_MAX,
	        &chunk);
	const cJSON *src = cJSON_GetObjectItemCaseSensitive(it, "source");
	if (src == NULL)
		json_errors_add(errs, doc, it,
		                "backup target \"%s\" needs a "
		                "\"source\"",
		                it->string);
	else
		parse_source(errs, doc, src, &t->source);
	const cJSON *ret = cJSON_GetObjectItemCaseSensitive(it, "retention");
	if (ret != NULL)
		parse_retention(errs, doc, ret, &t->retention);
	parse_restore_test(errs, doc, it, t);
	if (copy != NULL && repo != NULL && strcmp(copy, repo) == 0)
		json_errors_add(errs, doc, it,
		                "\"copy_repository\" must differ from "
		                "\"repository\"");
	t->name = xstrdup(it->string);
	t->service = dup_or_null(service);
	t->repository = dup_or_null(repo);
	t->copy_repository = dup_or_null(copy);
	t->schedule_s = schedule;
	t->level = (int)level;
	t->chunk_size = (uint32_t)chunk;
}

int backup_config_parse_backups(struct config *cfg, const struct json_doc *doc,
                                const cJSON *node, struct json_errors *errs)
{
	size_t before = errs->count;
	struct backup_config *bc = section(cfg);
	const cJSON *it;

	if (!cJSON_IsObject(node)) {
		json_errors_add(errs, doc, node,
		                "expected an object of backup targets by "
		                "name for \"backups\"");
		return -1;
	}
	cJSON_ArrayForEach(it, node)
	{
		size_t here = errs->count;
		struct backup_target t;
		memset(&t, 0, sizeof t);
		t.retention = (struct backup_retention){24, 7, 4, 12};
		if (!cJSON_IsObject(it)) {
			json_errors_add(errs, doc, it,
			                "expected an object for backup target "
			                "\"%s\"",
			                it->string);
			continue;
		}
		parse_target(errs, doc, it, &t);
		if (errs->count > here) {
			target_clear(&t);
			continue;
		}
		bc->targets = xreallocarray(bc->targets, bc->n_targets + 1,
		                            sizeof *bc->targets);
		bc->targets[bc->n_targets++] = t;
	}
	return errs->count > before ? -1 : 0;
}

static void strv_free(char **v)
{
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

static void target_clear(struct backup_target *t)
{
	free(t->name);
	free(t->service);
	source_spec_clear(&t->source);
	free(t->repository);
	free(t->copy_repository);
	strv_free(t->key_files);
	strv_free(t->test_argv);
	free(t->test_shell);
}

void backup_config_free(struct config *cfg)
{
	struct backup_config *bc = cfg != NULL ? cfg->backup : NULL;
	if (bc == NULL)
		return;
	for (size_t i = 0; i < bc->n_repos; i++) {
		struct backup_repository *r = &bc->repos[i];
		free(r->name);
		free(r->url);
		free(r->endpoint);
		free(r->region);
		free(r->credentials_file);
	}
	free(bc->repos);
	for (size_t i = 0; i < bc->n_targets; i++)
		target_clear(&bc->targets[i]);
	free(bc->targets);
	free(bc);
	cfg->backup = NULL;
}

const struct backup_target *backup_config_target(const struct config *cfg,
                                                 const char *name)
{
	const struct backup_config *bc = cfg != NULL ? cfg->backup : NULL;
	for (size_t i = 0; bc != NULL && i < bc->n_targets; i++)
		if (strcmp(bc->targets[i].name, name) == 0)
			return &bc->targets[i];
	return NULL;
}

const struct backup_repository *
backup_config_repository(const struct config *cfg, const char *name)
{
	const struct backup_config *bc = cfg != NULL ? cfg->backup : NULL;
	for (size_t i = 0; bc != NULL && name != NULL && i < bc->n_repos; i++)
		if (strcmp(bc->repos[i].name, name) == 0)
			return &bc->repos[i];
	return NULL;
}

void backup_config_repo_options(const struct backup_repository *r,
                                struct repo_options *opt)
{
	memset(opt, 0, sizeof *opt);
	opt->endpoint = r->endpoint;
	opt->region = r->region;
	opt->path_style = r->path_style;
	opt->credentials_file = r->credentials_file;
	opt->retries = r->retries;
	opt->timeout_s = r->timeout_s;
	opt->request_limit_s = r->request_limit_s;
}
