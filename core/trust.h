/* Files that hold commands drconsole runs (the config, runbooks) are
 * trusted only as ssh trusts its own files: a regular file owned by the
 * operator or root, that neither group nor others can write, in a
 * directory no one else can change. */
#ifndef DR_TRUST_H
#define DR_TRUST_H

#include <stddef.h>

/* The largest config or runbook file read (1 MiB). */
#define TRUST_FILE_MAX (1024 * 1024)

/* Checks the open file fd, named path, and the directory it is in.  `what`
 * names the file's role in the message ("config", "runbook").  DR_OK, or
 * DR_EUNSAFE with *err naming the file, its mode and owner and the chmod or
 * chown that fixes it. */
int trust_check_fd(int fd, const char *path, const char *what, char **err);

/* Opens path, checks it with trust_check_fd and reads it whole (at most
 * `max` bytes; larger is DR_EINVAL) into a NUL-terminated malloc'd buffer.
 * DR_OK, DR_ENOTFOUND, DR_EIO, DR_EINVAL or DR_EUNSAFE with *err set. */
int trust_read_file(const char *path, const char *what, size_t max, char **text,
                    size_t *len, char **err);

#endif
