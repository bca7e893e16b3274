/* Files written whole or not at all. */
#ifndef DR_FILEUTIL_H
#define DR_FILEUTIL_H

/* Writes text to path atomically: a new temporary file beside it
 * (O_EXCL, never through a symlink, `mode`), fsync, rename over path,
 * fsync of the directory.  A reader sees the old file or the new one,
 * never part of one; a crash leaves at most the temporary file.  DR_OK, or
 * DR_EIO with *err saying which step failed. */
int file_write_atomic(const char *path, const char *text, int mode, char **err);

#endif
