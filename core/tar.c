#include "core/tar.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"

/* Offsets and widths of the ustar header fields (POSIX.1-2008, pax). */
#define F_NAME     0
#define F_MODE     100
#define F_UID      108
#define F_GID      116
#define F_SIZE     124
#define F_MTIME    136
#define F_CHKSUM   148
#define F_TYPE     156
#define F_LINKNAME 157
#define F_MAGIC    257
#define F_VERSION  263
#define F_DEVMAJOR 329
#define F_DEVMINOR 337
#define F_PREFIX   345
#define W_NAME     100
#define W_PREFIX   155

int tar_octal(char *field, size_t width, uint64_t v)
{
	size_t digits = width - 1;
	if (digits < 22 && v >> (3 * digits) != 0)
		return -1;
	for (size_t i = digits; i > 0; i--) {
		field[i - 1] = (char)('0' + (v & 7));
		v >>= 3;
	}
	field[digits] = '\0';
	return 0;
}

static size_t decimal_digits(size_t n)
{
	size_t d = 1;
	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

char *tar_pax_record(const char *key, const char *value, size_t *len)
{
	/* " KEY=VALUE\n" plus the length's own digits, which may carry it
	 * over a power of ten. */
	size_t base = strlen(key) + strlen(value) + 3;
	size_t d = decimal_digits(base);
	while (decimal_digits(base + d) > d)
		d++;
	size_t total = base + d;
	char *rec = xasprintf("%zu %s=%s\n", total, key, value);
	*len = total;
	return rec;
}

size_t tar_padding(uint64_t size)
{
	return (size_t)((TAR_BLOCK - size % TAR_BLOCK) % TAR_BLOCK);
}

size_t tar_trailer_len(uint64_t written)
{
	uint64_t end = written + 2 * TAR_BLOCK;
	return (size_t)(2 * TAR_BLOCK +
	                (TAR_RECORD - end % TAR_RECORD) % TAR_RECORD);
}

/* Splits name into ustar's prefix and name: at a '/' with at most 155
 * bytes before it and 1 to 100 after.  Returns the slash's index, or -1. */
static long ustar_split(const char *name, size_t len)
{
	/* The rightmost slash that leaves a prefix of at most 155 bytes;
	 * a directory's trailing slash is part of the name, not a split. */
	size_t last = len > 0 && name[len - 1] == '/' ? len - 1 : len;
	for (size_t i = last; i > 0; i--) {
		size_t at = i - 1;
		if (name[at] != '/')
			continue;
		if (at > W_PREFIX)
			continue;
		if (len - at - 1 > W_NAME || len - at - 1 == 0)
			return -1;
		return (long)at;
	}
	return -1;
}

static void set_checksum(unsigned char *h)
{
	unsigned sum = 0;
	memset(h + F_CHKSUM, ' ', 8);
	for (size_t i = 0; i < TAR_BLOCK; i++)
		sum += h[i];
	tar_octal((char *)h + F_CHKSUM, 7, sum);
	h[F_CHKSUM + 7] = ' ';
}

/* One ustar header block.  Fields that do not fit are left at zero: the
 * pax header in front of it carries them. */
static void ustar_block(unsigned char *h, const char *name, char type,
                        unsigned mode, uint64_t uid, uint64_t gid,
                        uint64_t size, int64_t mtime, const char *linkname)
{
	size_t len = strlen(name);
	char *f = (char *)h;
	memset(h, 0, TAR_BLOCK);
	if (len <= W_NAME) {
		memcpy(f + F_NAME, name, len);
	} else {
		long at = ustar_split(name, len);
		if (at >= 0) {
			memcpy(f + F_PREFIX, name, (size_t)at);
			memcpy(f + F_NAME, name + at + 1, len - (size_t)at - 1);
		} else {
			memcpy(f + F_NAME, name, W_NAME);
		}
	}
	tar_octal(f + F_MODE, 8, mode & 07777);
	if (tar_octal(f + F_UID, 8, uid) != 0)
		tar_octal(f + F_UID, 8, 0);
	if (tar_octal(f + F_GID, 8, gid) != 0)
		tar_octal(f + F_GID, 8, 0);
	if (tar_octal(f + F_SIZE, 12, size) != 0)
		tar_octal(f + F_SIZE, 12, 0);
	if (mtime < 0 || tar_octal(f + F_MTIME, 12, (uint64_t)mtime) != 0)
		tar_octal(f + F_MTIME, 12, 0);
	f[F_TYPE] = type;
	if (linkname != NULL) {
		size_t ll = strlen(linkname);
		memcpy(f + F_LINKNAME, linkname, ll < W_NAME ? ll : W_NAME);
	}
	memcpy(f + F_MAGIC, "ustar", 6);
	memcpy(f + F_VERSION, "00", 2);
	tar_octal(f + F_DEVMAJOR, 8, 0);
	tar_octal(f + F_DEVMINOR, 8, 0);
	set_checksum(h);
}

struct pax {
	char *buf;
	size_t len;
};

static void pax_add(struct pax *p, const char *key, const char *value)
{
	size_t n;
	char *rec = tar_pax_record(key, value, &n);
	p->buf = xrealloc(p->buf, p->len + n + 1);
	memcpy(p->buf + p->len, rec, n + 1);
	p->len += n;
	free(rec);
}

static void pax_add_num(struct pax *p, const char *key, uint64_t v)
{
	char num[32];
	snprintf(num, sizeof num, "%" PRIu64, v);
	pax_add(p, key, num);
}

/* The records of e that ustar cannot hold. */
static void pax_collect(const struct tar_entry *e, struct pax *p)
{
	char probe[12];
	size_t len = strlen(e->name);
	if (len > W_NAME && ustar_split(e->name, len) < 0)
		pax_add(p, "path", e->name);
	if (e->linkname != NULL && strlen(e->linkname) > W_NAME)
		pax_add(p, "linkpath", e->linkname);
	if (tar_octal(probe, 12, e->size) != 0)
		pax_add_num(p, "size", e->size);
	if (e->mtime < 0) {
		char num[32];
		snprintf(num, sizeof num, "%" PRId64, e->mtime);
		pax_add(p, "mtime", num);
	} else if (tar_octal(probe, 12, (uint64_t)e->mtime) != 0) {
		pax_add_num(p, "mtime", (uint64_t)e->mtime);
	}
	if (tar_octal(probe, 8, e->uid) != 0)
		pax_add_num(p, "uid", e->uid);
	if (tar_octal(probe, 8, e->gid) != 0)
		pax_add_num(p, "gid", e->gid);
}

/* The pax header's own name: PaxHeaders/ and the entry's last component,
 * cut to fit ustar's name field (readers do not use it). */
static char *pax_name(const char *name)
{
	size_t len = strlen(name);
	while (len > 1 && name[len - 1] == '/')
		len--;
	size_t start = len;
	while (start > 0 && name[start - 1] != '/')
		start--;
	size_t base = len - start;
	const size_t room = W_NAME - strlen("./PaxHeaders/");
	if (base > room)
		base = room;
	return xasprintf("./PaxHeaders/%.*s", (int)base, name + start);
}

unsigned char *tar_header_encode(const struct tar_entry *e, size_t *len)
{
	struct pax p = {NULL, 0};
	pax_collect(e, &p);
	size_t pax_blocks =
	    p.len > 0 ? 1 + (p.len + TAR_BLOCK - 1) / TAR_BLOCK : 0;
	size_t total = (pax_blocks + 1) * TAR_BLOCK;
	unsigned char *out = xcalloc(1, total);
	unsigned char *h = out;
	if (p.len > 0) {
		char *pn = pax_name(e->name);
		int64_t mt = e->mtime;
		char probe[12];
		if (mt < 0 || tar_octal(probe, 12, (uint64_t)mt) != 0)
			mt = 0;
		ustar_block(h, pn, 'x', 0644, e->uid, e->gid, p.len, mt, NULL);
		memcpy(h + TAR_BLOCK, p.buf, p.len);
		h += pax_blocks * TAR_BLOCK;
		free(pn);
	}
	ustar_block(h, e->name, (char)e->type, e->mode, e->uid, e->gid, e->size,
	            e->mtime, e->linkname);
	free(p.buf);
	*len = total;
	return out;
}
