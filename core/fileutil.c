/* See fileutil.h. */
#include "core/fileutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "core/error.h"
#include "core/xmalloc.h"

int file_write_atomic(const char *path, const char *text, int mode, char **err)
{
	char *tmp = xasprintf("%s.%ld.tmp", path, (long)getpid());
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	size_t len = strlen(text), off = 0;
	int fd, rc = DR_OK;

	if (slash != NULL)
		*(slash == dir ? slash + 1 : slash) = '\0';
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	          (mode_t)mode);
	if (fd < 0) {
		*err = xasprintf("cannot create %s: %s", tmp, strerror(errno));
		rc = DR_EIO;
		goto out;
	}
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			*err =
			    xasprintf("writing %s: %s", tmp, strerror(errno));
			rc = DR_EIO;
			break;
		}
		off += (size_t)w;
	}
	if (rc == DR_OK && fsync(fd) != 0) {
		*err = xasprintf("fsync %s: %s", tmp, strerror(errno));
		rc = DR_EIO;
	}
	if (close(fd) != 0 && rc == DR_OK) {
		*err = xasprintf("closing %s: %s", tmp, strerror(errno));
		rc = DR_EIO;
	}
	if (rc == DR_OK && rename(tmp, path) != 0) {
		*err = xasprintf("renaming %s to %s: %s", tmp, path,
		                 strerror(errno));
		rc = DR_EIO;
	}
	if (rc != DR_OK) {
		unlink(tmp);
		goto out;
	}
	/* The rename itself lasts once the directory is on disk. */
	int dfd = open(slash != NULL ? dir : ".", O_RDONLY | O_DIRECTORY);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
out:
	free(dir);
	free(tmp);
	return rc;
}
