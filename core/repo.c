#include "core/repo.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/procid.h"
#include "core/xmalloc.h"

static const struct repo_kind *const kinds[] = {
    &repo_file_kind,
    &repo_s3_kind,
    NULL,
};

struct repo {
	const struct repo_kind *kind;
	void *impl;
	char *url;
};

struct repo_put {
	const struct repo_ops *ops;
	void *impl;
};

struct repo_get {
	const struct repo_ops *ops;
	void *impl;
};

static const struct repo_kind *kind_for(const char *url)
{
	for (size_t i = 0; kinds[i] != NULL; i++) {
		size_t n = strlen(kinds[i]->scheme);
		if (strncmp(url, kinds[i]->scheme, n) == 0 &&
		    strncmp(url + n, "://", 3) == 0)
			return kinds[i];
	}
	return NULL;
}

int repo_url_supported(const char *url)
{
	return kind_for(url) != NULL;
}

int repo_open(const char *url, const struct repo_options *opt,
              struct repo **out, char **err)
{
	const struct repo_kind *kind = kind_for(url);
	struct repo_options none = {.retries = -1};
	void *impl = NULL;
	if (kind == NULL) {
		*err = xasprintf("repository %s: expected file:///PATH or "
		                 "s3://BUCKET/PREFIX",
		                 url);
		return DR_EINVAL;
	}
	int rc = kind->open(url, opt != NULL ? opt : &none, &impl, err);
	if (rc != DR_OK)
		return rc;
	struct repo *r = xcalloc(1, sizeof *r);
	r->kind = kind;
	r->impl = impl;
	r->url = xstrdup(url);
	*out = r;
	return DR_OK;
}

void repo_close(struct repo *repo)
{
	if (repo == NULL)
		return;
	repo->kind->ops->close(repo->impl);
	free(repo->url);
	free(repo);
}

const char *repo_url(const struct repo *repo)
{
	return repo->url;
}

int repo_put_begin(struct repo *repo, const char *name, struct repo_put **out,
                   char **err)
{
	void *impl = NULL;
	int rc = repo->kind->ops->put_begin(repo->impl, name, &impl, err);
	if (rc != DR_OK)
		return rc;
	struct repo_put *p = xcalloc(1, sizeof *p);
	p->ops = repo->kind->ops;
	p->impl = impl;
	*out = p;
	return DR_OK;
}

int repo_put_write(struct repo_put *put, const void *buf, size_t n, char **err)
{
	return put->ops->put_write(put->impl, buf, n, err);
}

int repo_put_commit(struct repo_put *put, char **err)
{
	int rc = put->ops->put_commit(put->impl, err);
	free(put);
	return rc;
}

void repo_put_abort(struct repo_put *put)
{
	if (put == NULL)
		return;
	put->ops->put_abort(put->impl);
	free(put);
}

int repo_get_open(struct repo *repo, const char *name, struct repo_get **out,
                  char **err)
{
	void *impl = NULL;
	int rc = repo->kind->ops->get_open(repo->impl, name, &impl, err);
	if (rc != DR_OK)
		return rc;
	struct repo_get *g = xcalloc(1, sizeof *g);
	g->ops = repo->kind->ops;
	g->impl = impl;
	*out = g;
	return DR_OK;
}

int repo_get_read(struct repo_get *get, void *buf, size_t cap, size_t *got,
                  char **err)
{
	return get->ops->get_read(get->impl, buf, cap, got, err);
}

void repo_get_close(struct repo_get *get)
{
	if (get == NULL)
		return;
	get->ops->get_close(get->impl);
	free(get);
}

int repo_remove(struct repo *repo, const char *name, char **err)
{
	return repo->kind->ops->remove(repo->impl, name, err);
}

int repo_list(struct repo *repo, const char *prefix, struct repo_object **out,
              size_t *n, char **err)
{
	return repo->kind->ops->list(repo->impl, prefix, out, n, err);
}

void repo_objects_free(struct repo_object *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i].name);
	free(list);
}

int repo_cleanup_partial(struct repo *repo, const char *name, char **err)
{
	return repo->kind->ops->cleanup_partial(repo->impl, name, err);
}

/* A pid the system runs (its start time unknown, so the pid alone). */
static int pid_runs(long pid)
{
	struct procid p = {(pid_t)pid, 0};
	return procid_alive(&p);
}

int repo_partial_stale(const char *base, int64_t mtime, int64_t now,
                       int64_t max_age_s, int (*alive)(long pid))
{
	const char *p = strstr(base, ".partial-");
	long pid = 0;
	int digits = 0;
	if (p == NULL)
		return 0;
	for (p += strlen(".partial-"); *p >= '0' && *p <= '9'; p++) {
		if (pid > 99999999)
			return 0;
		pid = pid * 10 + (*p - '0');
		digits++;
	}
	if (digits == 0 || pid <= 0 || (*p != '\0' && *p != '-'))
		return 0;
	if (max_age_s > 0 && now - mtime > max_age_s)
		return 1;
	return !(alive != NULL ? alive : pid_runs)(pid);
}

int repo_sweep_partials(struct repo *repo, int64_t now, int64_t max_age_s,
                        size_t *removed, char **err)
{
	*removed = 0;
	if (repo->kind->ops->sweep_partials == NULL)
		return DR_OK;
	return repo->kind->ops->sweep_partials(repo->impl, now, max_age_s,
	                                       removed, err);
}
