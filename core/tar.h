/* POSIX tar (pax interchange format) headers, as the directory source
 * writes them.  An entry is a 512-byte ustar header, preceded by a pax
 * extended header ('x') only when a value does not fit ustar: a path that
 * cannot be split into prefix (155) and name (100), a link target over
 * 100 bytes, a size of 8 GiB or more, an mtime before 1970 or after 2242,
 * a uid or gid over 2097151.  Numeric fields are zero-padded octal ending
 * in NUL; the checksum is the sum of the header's bytes with its own field
 * as spaces, written as six octal digits, NUL and space.  uname and gname
 * are left empty: an extracting tar uses the numbers. */
#ifndef DR_TAR_H
#define DR_TAR_H

#include <stddef.h>
#include <stdint.h>

#define TAR_BLOCK 512
/* GNU tar and bsdtar write and expect whole records of 20 blocks. */
#define TAR_RECORD (20 * TAR_BLOCK)

enum tar_type {
	TAR_REGULAR = '0',
	TAR_SYMLINK = '2',
	TAR_DIRECTORY = '5',
};

struct tar_entry {
	const char *name; /* the path in the archive; a directory's ends in / */
	enum tar_type type;
	unsigned mode; /* permission bits, 07777 at most */
	uint64_t uid, gid;
	uint64_t size;        /* a regular file's; 0 for the others */
	int64_t mtime;        /* seconds since the epoch */
	const char *linkname; /* a symlink's target; NULL otherwise */
};

/* The header blocks of e (pax extended header first when needed): malloc'd,
 * *len bytes, a multiple of TAR_BLOCK. */
unsigned char *tar_header_encode(const struct tar_entry *e, size_t *len);

/* Writes v into a field of width bytes as width-1 octal digits and a NUL.
 * Returns 0, or -1 (field untouched) when v needs more digits. */
int tar_octal(char *field, size_t width, uint64_t v);

/* One pax record "LEN KEY=VALUE\n", LEN counting the whole record:
 * malloc'd, *len bytes (no NUL counted). */
char *tar_pax_record(const char *key, const char *value, size_t *len);

/* Zero bytes that follow size bytes of data to the end of their block. */
size_t tar_padding(uint64_t size);

/* The end of an archive of written bytes so far: two zero blocks, then
 * zeros to the end of the record. */
size_t tar_trailer_len(uint64_t written);

#endif
