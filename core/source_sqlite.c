/* The "sqlite" source: a consistent copy of a live database taken with
 * SQLite's online backup API into a private temporary file, then read and
 * removed.  The SQLite call itself lives in db/ (db/sqlite_snapshot.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/source.h"
#include "core/xmalloc.h"
#include "db/sqlite_snapshot.h"

struct sqlite_source {
	int fd;
	char *tmp;
};

static int sqlite_open(const struct source_spec *spec, void **impl, char **err)
{
	if (spec->path == NULL) {
		*err = xasprintf("sqlite source: no path given");
		return DR_EINVAL;
	}
	const char *tmpdir = getenv("TMPDIR");
	char *tmp = xasprintf("%s/drconsole-snap-XXXXXX",
	                      tmpdir && *tmpdir ? tmpdir : "/tmp");
	int fd = mkstemp(tmp);
	if (fd < 0) {
		*err = xasprintf("cannot create a temporary file: %s",
		                 strerror(errno));
		free(tmp);
		return DR_EIO;
	}
	close(fd);
	int rc = sqlite_snapshot_copy(spec->path, tmp, err);
	if (rc != 0) {
		unlink(tmp);
		free(tmp);
		return rc;
	}
	fd = open(tmp, O_RDONLY | O_CLOEXEC);
	/* Unlinked at once: the copy goes away with us, even on a crash. */
	unlink(tmp);
	if (fd < 0) {
		*err = xasprintf("cannot open %s: %s", tmp, strerror(errno));
		free(tmp);
		return DR_EIO;
	}
	struct sqlite_source *s = xcalloc(1, sizeof *s);
	s->fd = fd;
	s->tmp = tmp;
	*impl = s;
	return DR_OK;
}

static int sqlite_read(void *impl, void *buf, size_t cap, size_t *got,
                       char **err)
{
	struct sqlite_source *s = impl;
	for (;;) {
		ssize_t n = read(s->fd, buf, cap);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*err = xasprintf("cannot read the snapshot: %s",
			                 strerror(errno));
			return DR_EIO;
		}
		*got = (size_t)n;
		return DR_OK;
	}
}

static int sqlite_close(void *impl, int ok, char **err)
{
	struct sqlite_source *s = impl;
	(void)ok;
	(void)err;
	close(s->fd);
	free(s->tmp);
	free(s);
	return DR_OK;
}

const struct source_kind source_sqlite_kind = {
    .name = "sqlite",
    .open = sqlite_open,
    .read = sqlite_read,
    .close = sqlite_close,
};
