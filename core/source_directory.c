/* The "directory" source: a tree as a POSIX tar stream (pax format,
 * core/tar.h) that drconsole writes itself, so that `tar -x` restores it.
 *
 * The tree is listed when the source opens (each directory's names sorted
 * bytewise, a directory before what it holds), so the same tree always
 * gives the same archive, and the progress line knows the total.  Each
 * entry is looked at again when its turn comes: what is archived is the
 * entry as it is then.  Paths are "./" and the path under the root, as
 * `tar -c -C DIR .` writes them.
 *
 * Kept: regular files, directories and symlinks (never followed), with
 * their permission bits, mtime (seconds) and numeric uid and gid.  Hard
 * links are archived as separate files.  Sockets, fifos and devices are
 * skipped, and so is an entry that vanished since the listing; both are
 * noted.  A file whose size changes while it is read still has exactly
 * the bytes its header announced (cut short, or padded with zeros) and a
 * note says so: the archive stays well-formed, the file's copy is not to
 * be trusted.  A file or directory that cannot be read fails the backup:
 * a backup that silently lacks files is worse than none. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cancel.h"
#include "core/error.h"
#include "core/source.h"
#include "core/tar.h"
#include "core/xmalloc.h"

/* Notes kept word for word; past them only a count. */
#define NOTES_MAX 20

struct dir_source {
	char *root;
	char **rel; /* paths under root, "" for the root itself */
	size_t n, cap, next;
	uint64_t expected;

	unsigned char *hdr; /* the current entry's header blocks */
	size_t hdr_len, hdr_off;
	int fd;    /* the regular file being read, or -1 */
	char *cur; /* its archive name */
	struct stat cur_st;
	uint64_t remain; /* its bytes still to come from the file */
	uint64_t padded; /* zeros in place of the bytes a shrunk file lacked */
	uint64_t zeros;  /* zero bytes still to write (padding, trailer) */
	uint64_t written;
	int trailer_done;

	char **notes;
	size_t n_notes, n_more;
};

static void dir_note(struct dir_source *d, char *text)
{
	if (d->n_notes == NOTES_MAX) {
		d->n_more++;
		free(text);
		return;
	}
	d->notes = xreallocarray(d->notes, d->n_notes + 1, sizeof *d->notes);
	d->notes[d->n_notes++] = text;
}

static char *join(const char *root, const char *rel)
{
	return *rel ? xasprintf("%s/%s", root, rel) : xstrdup(root);
}

static void list_add(struct dir_source *d, char *rel)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 64;
		d->rel = xreallocarray(d->rel, d->cap, sizeof *d->rel);
	}
	d->rel[d->n++] = rel;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends what directory rel holds, sorted, each directory followed by
 * its own contents. */
static int list_tree(struct dir_source *d, const char *rel, char **err)
{
	char *path = join(d->root, rel);
	DIR *dir = opendir(path);
	if (dir == NULL) {
		*err = xasprintf("directory source: cannot read %s: %s", path,
		                 strerror(errno));
		free(path);
		return DR_EIO;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	errno = 0;
	while ((e = readdir(dir)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			names = xreallocarray(names, cap, sizeof *names);
		}
		names[n++] = xstrdup(e->d_name);
	}
	int rc = DR_OK;
	if (errno != 0) {
		*err = xasprintf("directory source: cannot read %s: %s", path,
		                 strerror(errno));
		rc = DR_EIO;
	}
	closedir(dir);
	if (n > 1)
		qsort(names, n, sizeof *names, cmp_name);
	for (size_t i = 0; i < n; i++) {
		char *child = *rel ? xasprintf("%s/%s", rel, names[i])
		                   : xstrdup(names[i]);
		free(names[i]);
		/* A stop is heard while a big tree is being listed. */
		if (rc == DR_OK && cancel_requested()) {
			*err =
			    xasprintf("interrupted while listing %s", d->root);
			rc = DR_EIO;
		}
		if (rc != DR_OK) {
			free(child);
			continue;
		}
		char *full = join(d->root, child);
		struct stat st;
		int ok = lstat(full, &st) == 0;
		free(full);
		if (!ok && errno == ENOENT) {
			free(child); /* gone already: not in the listing */
			continue;
		}
		list_add(d, child);
		if (ok && S_ISREG(st.st_mode))
			d->expected += (uint64_t)st.st_size;
		if (ok && S_ISDIR(st.st_mode))
			rc = list_tree(d, child, err);
	}
	free(names);
	free(path);
	return rc;
}

static void dir_free(struct dir_source *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->rel[i]);
	free(d->rel);
	for (size_t i = 0; i < d->n_notes; i++)
		free(d->notes[i]);
	free(d->notes);
	if (d->fd >= 0)
		close(d->fd);
	free(d->hdr);
	free(d->cur);
	free(d->root);
	free(d);
}

static int dir_check(const struct source_spec *spec, char **err)
{
	struct stat st;
	if (spec->path == NULL) {
		*err = xasprintf("directory source: no path given");
		return DR_EINVAL;
	}
	if (stat(spec->path, &st) != 0) {
		*err = xasprintf("directory source: %s: %s", spec->path,
		                 strerror(errno));
		return errno == ENOENT ? DR_ENOTFOUND : DR_EIO;
	}
	if (!S_ISDIR(st.st_mode)) {
		*err = xasprintf("directory source: %s is not a directory",
		                 spec->path);
		return DR_EINVAL;
	}
	return DR_OK;
}

static int dir_open(const struct source_spec *spec, void **impl, char **err)
{
	int rc = dir_check(spec, err);
	if (rc != DR_OK)
		return rc;
	struct dir_source *d = xcalloc(1, sizeof *d);
	d->fd = -1;
	d->root = xstrdup(spec->path);
	size_t len = strlen(d->root);
	while (len > 1 && d->root[len - 1] == '/')
		d->root[--len] = '\0';
	list_add(d, xstrdup(""));
	rc = list_tree(d, "", err);
	if (rc != DR_OK) {
		dir_free(d);
		return rc;
	}
	*impl = d;
	return DR_OK;
}

static const char *type_name(mode_t mode)
{
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISFIFO(mode))
		return "a fifo";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	return "of an unknown type";
}

static char *read_link(const char *path, const struct stat *st)
{
	size_t cap = st->st_size > 0 ? (size_t)st->st_size + 1 : 256;
	for (;;) {
		char *buf = xmalloc(cap);
		ssize_t n = readlink(path, buf, cap);
		if (n < 0) {
			free(buf);
			return NULL;
		}
		if ((size_t)n < cap) {
			buf[n] = '\0';
			return buf;
		}
		free(buf);
		cap *= 2;
	}
}

static void note_vanished(struct dir_source *d, const char *name)
{
	dir_note(
	    d, xasprintf("%s vanished before it was read, not archived", name));
}

/* Opens the regular file full: into *fd, with *st as it is now open.
 * O_NONBLOCK: should it have become a fifo since, open must not wait for
 * a writer. */
static int open_file(struct dir_source *d, const char *full, const char *name,
                     struct stat *st, int *fd, int *skip, char **err)
{
	*fd = open(full, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (*fd < 0 && errno == ENOENT) {
		note_vanished(d, name);
		*skip = 1;
		return DR_OK;
	}
	if (*fd < 0 || fstat(*fd, st) != 0) {
		*err = xasprintf("directory source: cannot read %s: %s", full,
		                 strerror(errno));
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return DR_EIO;
	}
	if (!S_ISREG(st->st_mode)) {
		dir_note(d, xasprintf("%s stopped being a regular file before "
		                      "it was read, not archived",
		                      name));
		close(*fd);
		*fd = -1;
		*skip = 1;
	}
	return DR_OK;
}

/* What entry full is now, into e and *st (a file open in d->fd, a link's
 * target in *target); *skip when it is not archived. */
static int dir_look(struct dir_source *d, const char *full, const char *name,
                    struct stat *st, struct tar_entry *e, char **target,
                    int *skip, char **err)
{
	if (lstat(full, st) != 0) {
		if (errno == ENOENT) {
			note_vanished(d, name);
			*skip = 1;
			return DR_OK;
		}
		*err = xasprintf("directory source: %s: %s", full,
		                 strerror(errno));
		return DR_EIO;
	}
	if (S_ISREG(st->st_mode)) {
		e->type = TAR_REGULAR;
		int rc = open_file(d, full, name, st, &d->fd, skip, err);
		e->size = (uint64_t)st->st_size;
		return rc;
	}
	if (S_ISDIR(st->st_mode)) {
		e->type = TAR_DIRECTORY;
		return DR_OK;
	}
	if (S_ISLNK(st->st_mode)) {
		e->type = TAR_SYMLINK;
		*target = read_link(full, st);
		if (*target == NULL && errno == ENOENT) {
			note_vanished(d, name);
			*skip = 1;
		} else if (*target == NULL) {
			*err = xasprintf("directory source: cannot read the "
			                 "link %s: %s",
			                 full, strerror(errno));
			return DR_EIO;
		}
		e->linkname = *target;
		return DR_OK;
	}
	dir_note(d, xasprintf("%s is %s, not archived", name,
	                      type_name(st->st_mode)));
	*skip = 1;
	return DR_OK;
}

/* Prepares the header of entry i (and opens it, for a file); *skip when
 * it is not archived. */
static int dir_begin(struct dir_source *d, size_t i, int *skip, char **err)
{
	const char *rel = d->rel[i];
	char *full = join(d->root, rel);
	char *name = *rel ? xasprintf("./%s", rel) : xstrdup("./");
	char *target = NULL;
	struct stat st;
	struct tar_entry e = {.name = name};

	*skip = 0;
	int rc = dir_look(d, full, name, &st, &e, &target, skip, err);
	if (rc == DR_OK && !*skip) {
		if (e.type == TAR_DIRECTORY && *rel) {
			free(name);
			name = xasprintf("./%s/", rel);
			e.name = name;
		}
		e.mode = (unsigned)(st.st_mode & 07777);
		e.uid = (uint64_t)st.st_uid;
		e.gid = (uint64_t)st.st_gid;
		e.mtime = (int64_t)st.st_mtime;
		free(d->hdr);
		d->hdr = tar_header_encode(&e, &d->hdr_len);
		d->hdr_off = 0;
		d->remain = e.type == TAR_REGULAR ? e.size : 0;
		d->cur_st = st;
		free(d->cur);
		d->cur = name;
		name = NULL;
	}
	free(target);
	free(name);
	free(full);
	return rc;
}

/* The file's bytes are all out: pad the block and say whether the file
 * changed meanwhile. */
static void dir_end_file(struct dir_source *d)
{
	struct stat now;
	uint64_t size = (uint64_t)d->cur_st.st_size;
	int seen = fstat(d->fd, &now) == 0;
	if (d->padded > 0)
		dir_note(d, xasprintf("%s shrank while it was read: the last "
		                      "%llu of its %llu bytes are zeros in "
		                      "the archive",
		                      d->cur, (unsigned long long)d->padded,
		                      (unsigned long long)size));
	else if (seen && (uint64_t)now.st_size != size)
		dir_note(d, xasprintf("%s grew while it was read (%llu bytes, "
		                      "then %llu): archived its first %llu",
		                      d->cur, (unsigned long long)size,
		                      (unsigned long long)now.st_size,
		                      (unsigned long long)size));
	else if (seen && (now.st_mtim.tv_sec != d->cur_st.st_mtim.tv_sec ||
	                  now.st_mtim.tv_nsec != d->cur_st.st_mtim.tv_nsec))
		dir_note(d, xasprintf("%s changed while it was read", d->cur));
	close(d->fd);
	d->fd = -1;
	d->padded = 0;
	d->zeros += tar_padding(size);
}

static int dir_read(void *impl, void *buf, size_t cap, size_t *got, char **err)
{
	struct dir_source *d = impl;
	*got = 0;
	while (*got == 0) {
		if (d->hdr_off < d->hdr_len) {
			size_t n = d->hdr_len - d->hdr_off;
			n = n < cap ? n : cap;
			memcpy(buf, d->hdr + d->hdr_off, n);
			d->hdr_off += n;
			*got = n;
		} else if (d->fd >= 0 && d->remain > 0) {
			size_t want = d->remain < cap ? (size_t)d->remain : cap;
			ssize_t n = read(d->fd, buf, want);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				*err = xasprintf("directory source: cannot "
				                 "read %s: %s",
				                 d->cur, strerror(errno));
				return DR_EIO;
			}
			if (n == 0) {
				d->padded = d->remain;
				d->zeros += d->remain;
				d->remain = 0;
				continue;
			}
			d->remain -= (uint64_t)n;
			*got = (size_t)n;
		} else if (d->fd >= 0) {
			dir_end_file(d);
		} else if (d->zeros > 0) {
			size_t n = d->zeros < cap ? (size_t)d->zeros : cap;
			memset(buf, 0, n);
			d->zeros -= n;
			*got = n;
		} else if (d->next < d->n) {
			int skip;
			int rc = dir_begin(d, d->next++, &skip, err);
			if (rc != DR_OK)
				return rc;
		} else if (!d->trailer_done) {
			d->trailer_done = 1;
			d->zeros = tar_trailer_len(d->written);
		} else {
			return DR_OK; /* the end */
		}
	}
	d->written += *got;
	return DR_OK;
}

static int dir_close(void *impl, int ok, char **err)
{
	(void)ok;
	(void)err;
	dir_free(impl);
	return DR_OK;
}

static uint64_t dir_expected(void *impl)
{
	const struct dir_source *d = impl;
	/* The headers and padding make it a little more: an estimate. */
	return d->expected + (uint64_t)d->n * TAR_BLOCK;
}

static char *dir_notes(void *impl)
{
	const struct dir_source *d = impl;
	if (d->n_notes == 0)
		return NULL;
	size_t len = 0;
	for (size_t i = 0; i < d->n_notes; i++)
		len += strlen(d->notes[i]) + 2;
	char *out = xmalloc(len + 64);
	size_t at = 0;
	for (size_t i = 0; i < d->n_notes; i++) {
		size_t n = strlen(d->notes[i]);
		if (i > 0) {
			memcpy(out + at, "; ", 2);
			at += 2;
		}
		memcpy(out + at, d->notes[i], n);
		at += n;
	}
	out[at] = '\0';
	if (d->n_more > 0) {
		char *all = xasprintf("%s; and %zu more", out, d->n_more);
		free(out);
		out = all;
	}
	return out;
}

const struct source_kind source_directory_kind = {
    .name = "directory",
    .check = dir_check,
    .open = dir_open,
    .read = dir_read,
    .close = dir_close,
    .expected = dir_expected,
    .notes = dir_notes,
};
