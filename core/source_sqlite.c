/* The "sqlite" source: a consistent copy of a live database taken with
 * SQLite's online backup API into a private temporary file, then read and
 * removed.  The SQLite call itself lives in db/ (db/sqlite_snapshot.h).
 *
 * The copy is plain text even for an encrypted target, so it must not
 * outlive the run: it is made 0600, unlinked as soon as it is open for
 * reading (and at once on failure or a stop), and its name,
 * drconsole-snap-PID-START-XXXXXX, says which process made it, so that a
 * later run removes the copies of a run that was killed before it could. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cancel.h"
#include "core/error.h"
#include "core/procid.h"
#include "core/source.h"
#include "core/xmalloc.h"
#include "db/sqlite_snapshot.h"

#define SNAP_PREFIX "drconsole-snap-"

/* Removes our copies whose process no longer runs.  Best effort: a copy
 * that cannot be removed is no reason to refuse a backup. */
static void sqlite_sweep(const char *dir)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		const char *name = e->d_name;
		if (strncmp(name, SNAP_PREFIX, strlen(SNAP_PREFIX)) != 0)
			continue;
		long long pid;
		unsigned long long start;
		char rest[32];
		if (sscanf(name + strlen(SNAP_PREFIX), "%lld-%llu-%31s", &pid,
		           &start, rest) != 3 ||
		    pid <= 0 || strlen(rest) < 6)
			continue;
		struct procid p = {.pid = (pid_t)pid, .start = start};
		if (procid_alive(&p))
			continue;
		struct stat st;
		if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode) && st.st_uid == geteuid())
			unlinkat(dirfd(d), name, 0);
	}
	closedir(d);
}

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
	if (tmpdir == NULL || *tmpdir == '\0')
		tmpdir = "/tmp";
	sqlite_sweep(tmpdir);
	struct procid self;
	procid_self(&self);
	char *tmp = xasprintf("%s/" SNAP_PREFIX "%lld-%llu-XXXXXX", tmpdir,
	                      (long long)self.pid, self.start);
	/* mkstemp creates it 0600 whatever the umask. */
	int fd = mkstemp(tmp);
	if (fd < 0) {
		*err = xasprintf("cannot create a temporary file: %s",
		                 strerror(errno));
		free(tmp);
		return DR_EIO;
	}
	close(fd);
	int rc = sqlite_snapshot_copy(spec->path, tmp, cancel_requested, err);
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
