/* Repositories: where backup objects live.  A repository kind (file, s3)
 * is one file, core/repo_<kind>.c, exporting a const repo_kind; repo.c
 * picks the kind from the URL's scheme.
 *
 * Objects are written through a put that becomes visible under its final
 * name only on commit: a crash or an abort before commit leaves at most a
 * hidden partial (a temporary file, an unfinished multipart upload) that
 * repo_cleanup_partial() removes. */
#ifndef DR_REPO_H
#define DR_REPO_H

#include <stddef.h>
#include <stdint.h>

/* What the config says about a repository beyond its URL. */
struct repo_options {
	const char *endpoint;         /* s3: "http://127.0.0.1:4569" */
	const char *region;           /* s3: default "us-east-1" */
	int path_style;               /* s3: bucket in the path, not host */
	const char *credentials_file; /* s3: 0600 file, else environment */
	int retries;                  /* network retries; -1: the default */
	long timeout_s;               /* network stall limit; 0: default */
	long request_limit_s; /* s3: one request, retries and abort included
	                         (core/s3_budget.h); 0: default */
};

struct repo_object {
	char *name;
	int64_t size;
};

/* The interface a kind implements; `impl`, `put` and `get` are the kind's
 * own objects. */
struct repo_ops {
	int (*put_begin)(void *impl, const char *name, void **put, char **err);
	int (*put_write)(void *put, const void *buf, size_t n, char **err);
	/* Makes the object visible and durable; frees put either way. */
	int (*put_commit)(void *put, char **err);
	void (*put_abort)(void *put);
	int (*get_open)(void *impl, const char *name, void **get, char **err);
	/* *got 0: end of object. */
	int (*get_read)(void *get, void *buf, size_t cap, size_t *got,
	                char **err);
	void (*get_close)(void *get);
	/* DR_ENOTFOUND when there is no such object. */
	int (*remove)(void *impl, const char *name, char **err);
	int (*list)(void *impl, const char *prefix, struct repo_object **out,
	            size_t *n, char **err);
	int (*cleanup_partial)(void *impl, const char *name, char **err);
	/* Removes every stale partial (repo_partial_stale()); NULL for a
	 * kind whose partials carry no pid. */
	int (*sweep_partials)(void *impl, int64_t now, int64_t max_age_s,
	                      size_t *removed, char **err);
	void (*close)(void *impl);
};

struct repo_kind {
	const char *scheme; /* "file" for file:///..., "s3" for s3://... */
	int (*open)(const char *url, const struct repo_options *opt,
	            void **impl, char **err);
	const struct repo_ops *ops;
};

struct repo;
struct repo_put;
struct repo_get;

int repo_open(const char *url, const struct repo_options *opt,
              struct repo **out, char **err);
void repo_close(struct repo *repo);
const char *repo_url(const struct repo *repo);
/* 1 when a kind handles url's scheme (for config checking). */
int repo_url_supported(const char *url);

int repo_put_begin(struct repo *repo, const char *name, struct repo_put **out,
                   char **err);
int repo_put_write(struct repo_put *put, const void *buf, size_t n, char **err);
int repo_put_commit(struct repo_put *put, char **err);
void repo_put_abort(struct repo_put *put);

int repo_get_open(struct repo *repo, const char *name, struct repo_get **out,
                  char **err);
int repo_get_read(struct repo_get *get, void *buf, size_t cap, size_t *got,
                  char **err);
void repo_get_close(struct repo_get *get);

int repo_remove(struct repo *repo, const char *name, char **err);
int repo_list(struct repo *repo, const char *prefix, struct repo_object **out,
              size_t *n, char **err);
void repo_objects_free(struct repo_object *list, size_t n);
int repo_cleanup_partial(struct repo *repo, const char *name, char **err);

/* Whether a partial named "<name>.partial-<pid>[-<rand>]" (base: its last
 * path component) was left by a process that is gone: its pid does not
 * run (alive(pid) == 0; NULL: ask the system), or it is older than
 * max_age_s (<= 0: age does not count).  Names without a pid are never
 * stale. */
int repo_partial_stale(const char *base, int64_t mtime, int64_t now,
                       int64_t max_age_s, int (*alive)(long pid));
/* Removes the stale partials of every object, so a killed put of another
 * process leaves nothing for long; a live put's partial stays.  *removed:
 * how many.  A kind whose partials carry no pid removes none. */
int repo_sweep_partials(struct repo *repo, int64_t now, int64_t max_age_s,
                        size_t *removed, char **err);

extern const struct repo_kind repo_file_kind;
extern const struct repo_kind repo_s3_kind;

#endif
