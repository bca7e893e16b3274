/* file:///PATH repositories.  A put writes "<name>.partial-<pid>-<rand>"
 * in the object's directory, fsyncs it, renames it to the final name and
 * fsyncs the directory, so the final name appears only for a whole, durable
 * object. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/crypto.h"
#include "core/error.h"
#include "core/repo.h"
#include "core/xmalloc.h"

#define PARTIAL ".partial-"

struct file_repo {
	char *root;
};

struct file_put {
	char *tmp;
	char *final;
	int fd;
};

struct file_get {
	int fd;
	char *path;
};

static int name_ok(const char *name)
{
	if (name[0] == '\0' || name[0] == '/' || strstr(name, "..") != NULL)
		return 0;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' ||
		      *p == '_' || *p == '/'))
			return 0;
	return 1;
}

static int bad_name(const char *name, char **err)
{
	*err = xasprintf("object name \"%s\" is not allowed", name);
	return DR_EINVAL;
}

static int mkdirs(const char *dir, char **err)
{
	char *p = xstrdup(dir);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST)
			goto fail;
		*s = '/';
	}
	if (mkdir(p, 0700) != 0 && errno != EEXIST)
		goto fail;
	free(p);
	return DR_OK;
fail:
	*err = xasprintf("cannot create %s: %s", p, strerror(errno));
	free(p);
	return DR_EIO;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash == NULL ? xstrdup(".")
	                     : xstrndup(path, (size_t)(slash - path));
}

static int fsync_dir(const char *dir, char **err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0) {
		*err = xasprintf("cannot sync directory %s: %s", dir,
		                 strerror(errno));
		if (fd >= 0)
			close(fd);
		return DR_EIO;
	}
	close(fd);
	return DR_OK;
}

static int file_open(const char *url, const struct repo_options *opt,
                     void **impl, char **err)
{
	(void)opt;
	const char *path = url + strlen("file://");
	if (path[0] != '/') {
		*err = xasprintf(
		    "repository %s: expected file:///ABSOLUTE/PATH", url);
		return DR_EINVAL;
	}
	struct file_repo *r = xcalloc(1, sizeof *r);
	r->root = xstrdup(path);
	size_t n = strlen(r->root);
	while (n > 1 && r->root[n - 1] == '/')
		r->root[--n] = '\0';
	*impl = r;
	return DR_OK;
}

static void file_close(void *impl)
{
	struct file_repo *r = impl;
	if (r == NULL)
		return;
	free(r->root);
	free(r);
}

static int file_put_begin(void *impl, const char *name, void **out, char **err)
{
	struct file_repo *r = impl;
	uint32_t rnd;
	if (!name_ok(name))
		return bad_name(name, err);
	struct file_put *p = xcalloc(1, sizeof *p);
	p->final = xasprintf("%s/%s", r->root, name);
	crypto_random(&rnd, sizeof rnd);
	p->tmp =
	    xasprintf("%s" PARTIAL "%ld-%08x", p->final, (long)getpid(), rnd);
	char *dir = dir_of(p->final);
	int rc = mkdirs(dir, err);
	free(dir);
	if (rc == DR_OK) {
		p->fd =
		    open(p->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (p->fd < 0) {
			*err = xasprintf("cannot create %s: %s", p->tmp,
			                 strerror(errno));
			rc = DR_EIO;
		}
	}
	if (rc != DR_OK) {
		free(p->tmp);
		free(p->final);
		free(p);
		return rc;
	}
	*out = p;
	return DR_OK;
}

static int file_put_write(void *put, const void *buf, size_t n, char **err)
{
	struct file_put *p = put;
	const char *b = buf;
	while (n > 0) {
		ssize_t w = write(p->fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			*err = xasprintf("cannot write %s: %s", p->tmp,
			                 strerror(errno));
			return DR_EIO;
		}
		b += w;
		n -= (size_t)w;
	}
	return DR_OK;
}

static void put_free(struct file_put *p)
{
	free(p->tmp);
	free(p->final);
	free(p);
}

static void file_put_abort(void *put)
{
	struct file_put *p = put;
	if (p == NULL)
		return;
	if (p->fd >= 0)
		close(p->fd);
	unlink(p->tmp);
	put_free(p);
}

static int file_put_commit(void *put, char **err)
{
	struct file_put *p = put;
	int rc = DR_OK;
	if (fsync(p->fd) != 0) {
		*err = xasprintf("cannot sync %s: %s", p->tmp, strerror(errno));
		rc = DR_EIO;
	}
	if (close(p->fd) != 0 && rc == DR_OK) {
		*err =
		    xasprintf("cannot close %s: %s", p->tmp, strerror(errno));
		rc = DR_EIO;
	}
	p->fd = -1;
	if (rc == DR_OK && rename(p->tmp, p->final) != 0) {
		*err =
		    xasprintf("cannot rename %s: %s", p->tmp, strerror(errno));
		rc = DR_EIO;
	}
	if (rc == DR_OK) {
		char *dir = dir_of(p->final);
		rc = fsync_dir(dir, err);
		free(dir);
		if (rc == DR_OK) {
			put_free(p);
			return DR_OK;
		}
	}
	unlink(p->tmp);
	put_free(p);
	return rc;
}

static int file_get_open(void *impl, const char *name, void **out, char **err)
{
	struct file_repo *r = impl;
	if (!name_ok(name))
		return bad_name(name, err);
	struct file_get *g = xcalloc(1, sizeof *g);
	g->path = xasprintf("%s/%s", r->root, name);
	g->fd = open(g->path, O_RDONLY | O_CLOEXEC);
	if (g->fd < 0) {
		int e = errno;
		*err = xasprintf("cannot open %s: %s", g->path, strerror(e));
		free(g->path);
		free(g);
		return e == ENOENT ? DR_ENOTFOUND : DR_EIO;
	}
	*out = g;
	return DR_OK;
}

static int file_get_read(void *get, void *buf, size_t cap, size_t *got,
                         char **err)
{
	struct file_get *g = get;
	for (;;) {
		ssize_t r = read(g->fd, buf, cap);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			*err = xasprintf("cannot read %s: %s", g->path,
			                 strerror(errno));
			return DR_EIO;
		}
		*got = (size_t)r;
		return DR_OK;
	}
}

static void file_get_close(void *get)
{
	struct file_get *g = get;
	if (g == NULL)
		return;
	close(g->fd);
	free(g->path);
	free(g);
}

static int file_remove(void *impl, const char *name, char **err)
{
	struct file_repo *r = impl;
	if (!name_ok(name))
		return bad_name(name, err);
	char *path = xasprintf("%s/%s", r->root, name);
	int rc = DR_OK;
	if (unlink(path) != 0) {
		int e = errno;
		*err = xasprintf("cannot remove %s: %s", path, strerror(e));
		rc = e == ENOENT ? DR_ENOTFOUND : DR_EIO;
	} else {
		char *dir = dir_of(path);
		rc = fsync_dir(dir, err);
		free(dir);
	}
	free(path);
	return rc;
}

struct listing {
	struct repo_object *v;
	size_t n, cap;
};

static void walk(const char *root, const char *rel, const char *prefix,
                 struct listing *out)
{
	char *dir = rel[0] ? xasprintf("%s/%s", root, rel) : xstrdup(root);
	DIR *d = opendir(dir);
	struct dirent *de;
	if (d == NULL) {
		free(dir);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char *name = rel[0] ? xasprintf("%s/%s", rel, de->d_name)
		                    : xstrdup(de->d_name);
		char *path = xasprintf("%s/%s", dir, de->d_name);
		struct stat st;
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			walk(root, name, prefix, out);
		} else if (S_ISREG(st.st_mode) &&
		           strstr(de->d_name, PARTIAL) == NULL &&
		           strncmp(name, prefix, strlen(prefix)) == 0) {
			if (out->n == out->cap) {
				out->cap = out->cap ? out->cap * 2 : 16;
				out->v = xreallocarray(out->v, out->cap,
				                       sizeof *out->v);
			}
			out->v[out->n].name = name;
			out->v[out->n].size = st.st_size;
			out->n++;
			name = NULL;
		}
		free(name);
		free(path);
	}
	closedir(d);
	free(dir);
}

static int file_list(void *impl, const char *prefix, struct repo_object **out,
                     size_t *n, char **err)
{
	struct file_repo *r = impl;
	struct listing l = {0};
	(void)err;
	walk(r->root, "", prefix != NULL ? prefix : "", &l);
	*out = l.v;
	*n = l.n;
	return DR_OK;
}

static int file_cleanup_partial(void *impl, const char *name, char **err)
{
	struct file_repo *r = impl;
	if (!name_ok(name))
		return bad_name(name, err);
	char *final = xasprintf("%s/%s", r->root, name);
	char *dir = dir_of(final);
	const char *base = strrchr(final, '/') + 1;
	char *pat = xasprintf("%s" PARTIAL, base);
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d != NULL && (de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, pat, strlen(pat)) != 0)
			continue;
		char *path = xasprintf("%s/%s", dir, de->d_name);
		unlink(path);
		free(path);
	}
	if (d != NULL)
		closedir(d);
	free(pat);
	free(dir);
	free(final);
	return DR_OK;
}

/* Removes the stale partials under dir, recursively. */
static void sweep_dir(const char *dir, int64_t now, int64_t max_age_s,
                      size_t *removed)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d != NULL && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		char *path = xasprintf("%s/%s", dir, de->d_name);
		struct stat st;
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			sweep_dir(path, now, max_age_s, removed);
		else if (S_ISREG(st.st_mode) &&
		         repo_partial_stale(de->d_name, (int64_t)st.st_mtime,
		                            now, max_age_s, NULL) &&
		         unlink(path) == 0)
			(*removed)++;
		free(path);
	}
	if (d != NULL)
		closedir(d);
}

static int file_sweep_partials(void *impl, int64_t now, int64_t max_age_s,
                               size_t *removed, char **err)
{
	struct file_repo *r = impl;
	(void)err;
	sweep_dir(r->root, now, max_age_s, removed);
	return DR_OK;
}

static const struct repo_ops file_ops = {
    .put_begin = file_put_begin,
    .put_write = file_put_write,
    .put_commit = file_put_commit,
    .put_abort = file_put_abort,
    .get_open = file_get_open,
    .get_read = file_get_read,
    .get_close = file_get_close,
    .remove = file_remove,
    .list = file_list,
    .cleanup_partial = file_cleanup_partial,
    .sweep_partials = file_sweep_partials,
    .close = file_close,
};

const struct repo_kind repo_file_kind = {
    .scheme = "file",
    .open = file_open,
    .ops = &file_ops,
};
