/* The "file" source: one file as it is. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/source.h"
#include "core/xmalloc.h"

struct file_source {
	int fd;
	char *path;
};

static int file_open(const struct source_spec *spec, void **impl, char **err)
{
	if (spec->path == NULL) {
		*err = xasprintf("file source: no path given");
		return DR_EINVAL;
	}
	int fd = open(spec->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*err = xasprintf("cannot open %s: %s", spec->path,
		                 strerror(errno));
		return errno == ENOENT ? DR_ENOTFOUND : DR_EIO;
	}
	struct file_source *f = xcalloc(1, sizeof *f);
	f->fd = fd;
	f->path = xstrdup(spec->path);
	*impl = f;
	return DR_OK;
}

static int file_read(void *impl, void *buf, size_t cap, size_t *got, char **err)
{
	struct file_source *f = impl;
	for (;;) {
		ssize_t n = read(f->fd, buf, cap);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*err = xasprintf("cannot read %s: %s", f->path,
			                 strerror(errno));
			return DR_EIO;
		}
		*got = (size_t)n;
		return DR_OK;
	}
}

static int file_close(void *impl, int ok, char **err)
{
	struct file_source *f = impl;
	(void)ok;
	(void)err;
	close(f->fd);
	free(f->path);
	free(f);
	return DR_OK;
}

const struct source_kind source_file_kind = {
    .name = "file",
    .open = file_open,
    .read = file_read,
    .close = file_close,
};
