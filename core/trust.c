#include "core/trust.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/xmalloc.h"

static void user_name(uid_t uid, char *buf, size_t size)
{
	struct passwd *pw = getpwuid(uid);

	if (pw != NULL && pw->pw_name != NULL)
		snprintf(buf, size, "%s", pw->pw_name);
	else
		snprintf(buf, size, "uid %u", (unsigned)uid);
}

static int owner_ok(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

/* One object (the file or its directory) against the rules; `kind` says
 * which it is in the message. */
static int check_stat(const struct stat *st, const char *path, const char *what,
                      const char *file, int is_dir, char **err)
{
	char owner[64], me[64];

	if (!owner_ok(st->st_uid)) {
		user_name(st->st_uid, owner, sizeof owner);
		user_name(geteuid(), me, sizeof me);
		if (is_dir)
			*err = xasprintf(
			    "%s %s: its directory %s is owned by %s, not by "
			    "you (%s) or root, so %s could replace it; "
			    "refusing it: chown %s %s",
			    what, file, path, owner, me, owner, me, path);
		else
			*err = xasprintf(
			    "%s %s is owned by %s, not by you (%s) or root; "
			    "drconsole runs the commands it holds, so it "
			    "refuses it: chown %s %s",
			    what, path, owner, me, me, path);
		return DR_EUNSAFE;
	}
	/* A sticky directory (/tmp) lets no one else replace the file. */
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0 &&
	    !(is_dir && (st->st_mode & S_ISVTX) != 0)) {
		const char *who =
		    (st->st_mode & S_IWOTH) ? "everyone" : "its group";
		if (is_dir)
			*err =
			    xasprintf("%s %s: its directory %s is writable "
			              "by %s (mode %04o), so others could "
			              "replace it; refusing it: chmod go-w %s",
			              what, file, path, who,
			              (unsigned)(st->st_mode & 07777), path);
		else
			*err = xasprintf(
			    "%s %s is writable by %s (mode %04o); drconsole "
			    "runs the commands it holds, so it refuses it: "
			    "chmod go-w %s",
			    what, path, who, (unsigned)(st->st_mode & 07777),
			    path);
		return DR_EUNSAFE;
	}
	return DR_OK;
}

int trust_check_fd(int fd, const char *path, const char *what, char **err)
{
	struct stat st;

	if (fstat(fd, &st) != 0) {
		*err = xasprintf("%s %s: %s", what, path, strerror(errno));
		return DR_EIO;
	}
	if (!S_ISREG(st.st_mode)) {
		*err = xasprintf("%s %s: not a regular file", what, path);
		return DR_EINVAL;
	}
	int rc = check_stat(&st, path, what, path, 0, err);
	if (rc != DR_OK)
		return rc;

	char *copy = xstrdup(path);
	char *dir = dirname(copy);
	if (stat(dir, &st) != 0) {
		*err = xasprintf("%s %s: its directory %s: %s", what, path, dir,
		                 strerror(errno));
		free(copy);
		return DR_EIO;
	}
	rc = check_stat(&st, dir, what, path, 1, err);
	free(copy);
	return rc;
}

int trust_read_file(const char *path, const char *what, size_t max, char **text,
                    size_t *len, char **err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	*text = NULL;
	*len = 0;
	if (fd < 0) {
		int e = errno;
		*err = xasprintf("%s %s: cannot open: %s", what, path,
		                 strerror(e));
		return e == ENOENT ? DR_ENOTFOUND : DR_EIO;
	}
	int rc = trust_check_fd(fd, path, what, err);
	if (rc != DR_OK) {
		close(fd);
		return rc;
	}
	if (fstat(fd, &st) == 0 && (size_t)st.st_size > max) {
		*err = xasprintf("%s %s: %lld bytes, more than the %zu a %s "
		                 "may have",
		                 what, path, (long long)st.st_size, max, what);
		close(fd);
		return DR_EINVAL;
	}
	size_t cap = 8192, got = 0;
	char *buf = xmalloc(cap + 1);
	for (;;) {
		if (got == cap) {
			if (cap > max) {
				*err = xasprintf("%s %s: more than the %zu "
				                 "bytes a %s may have",
				                 what, path, max, what);
				free(buf);
				close(fd);
				return DR_EINVAL;
			}
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
		ssize_t r = read(fd, buf + got, cap - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			*err = xasprintf("%s %s: cannot read: %s", what, path,
			                 strerror(errno));
			free(buf);
			close(fd);
			return DR_EIO;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (got > max) {
		*err = xasprintf("%s %s: more than the %zu bytes a %s may have",
		                 what, path, max, what);
		free(buf);
		return DR_EINVAL;
	}
	buf[got] = '\0';
	*text = buf;
	*len = got;
	return DR_OK;
}
