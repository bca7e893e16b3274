#include "core/safe_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"

/* Length of the UTF-8 sequence that starts with c, or 0 for a byte that
 * cannot start one. */
static size_t seq_len(unsigned char c)
{
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef)
		return 3;
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	return 0;
}

/* The code point of a complete sequence, or -1 when it is not valid
 * (overlong, surrogate, beyond U+10FFFF, bad continuation). */
static long decode(const unsigned char *s, size_t n)
{
	long cp;

	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return -1;
	if (n == 2)
		cp = ((long)(s[0] & 0x1f) << 6) | (s[1] & 0x3f);
	else if (n == 3)
		cp = ((long)(s[0] & 0x0f) << 12) | ((long)(s[1] & 0x3f) << 6) |
		     (s[2] & 0x3f);
	else
		cp = ((long)(s[0] & 0x07) << 18) | ((long)(s[1] & 0x3f) << 12) |
		     ((long)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return -1;
	return cp;
}

static void put_hex(unsigned char c,
                    void (*put)(void *arg, const char *s, size_t n), void *arg)
{
	char buf[8];
	int n = snprintf(buf, sizeof buf, "\\x%02x", c);
	put(arg, buf, (size_t)n);
}

/* One complete unit: an ASCII byte or a whole sequence of n bytes. */
static void emit(const unsigned char *s, size_t n, int flags,
                 void (*put)(void *arg, const char *s, size_t n), void *arg)
{
	char buf[16];

	if (n == 1) {
		unsigned char c = s[0];
		if ((c == '\n' && (flags & SAFE_KEEP_NEWLINE)) ||
		    (c == '\t' && (flags & SAFE_KEEP_TAB))) {
			put(arg, (const char *)s, 1);
		} else if (c < 0x20) {
			buf[0] = '^';
			buf[1] = (char)(c + 0x40);
			put(arg, buf, 2);
		} else if (c == 0x7f) {
			put(arg, "^?", 2);
		} else if (c >= 0x80) {
			put_hex(c, put, arg);
		} else {
			put(arg, (const char *)s, 1);
		}
		return;
	}
	long cp = decode(s, n);
	if (cp < 0) {
		/* Show the first byte, then look at the rest afresh. */
		put_hex(s[0], put, arg);
		for (size_t i = 1; i < n; i++)
			emit(s + i, 1, flags, put, arg);
		return;
	}
	if (cp >= 0x80 && cp <= 0x9f) {
		int k = snprintf(buf, sizeof buf, "\\u%04lx", cp);
		put(arg, buf, (size_t)k);
		return;
	}
	put(arg, (const char *)s, n);
}

void safe_text_escape(const char *in, size_t len, int flags,
                      struct safe_text_state *st,
                      void (*put)(void *arg, const char *s, size_t n),
                      void *arg)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t i = 0;

	/* Finish a sequence the last chunk began. */
	while (st != NULL && st->n_pending > 0 && i < len) {
		size_t want = seq_len(st->pending[0]);
		if ((p[i] & 0xc0) != 0x80) {
			/* Cut short: what was pending is no sequence. */
			for (size_t k = 0; k < st->n_pending; k++)
				emit(st->pending + k, 1, flags, put, arg);
			st->n_pending = 0;
			break;
		}
		st->pending[st->n_pending++] = p[i++];
		if (st->n_pending == want) {
			emit(st->pending, want, flags, put, arg);
			st->n_pending = 0;
		}
	}
	size_t run = i; /* start of a run of plain printable ASCII */
	while (i < len) {
		unsigned char c = p[i];
		if (c >= 0x20 && c < 0x7f) {
			i++;
			continue;
		}
		if (i > run)
			put(arg, (const char *)p + run, i - run);
		size_t n = c >= 0x80 ? seq_len(c) : 1;
		if (n == 0) {
			emit(p + i, 1, flags, put, arg);
			i++;
		} else if (i + n > len) {
			if (st != NULL) {
				memcpy(st->pending, p + i, len - i);
				st->n_pending = len - i;
			} else {
				for (size_t k = i; k < len; k++)
					emit(p + k, 1, flags, put, arg);
			}
			i = len;
		} else {
			/* A bad continuation is shown byte by byte: emit()
			 * decides, then the scan goes on after the lead. */
			if (n > 1 && decode(p + i, n) < 0) {
				put_hex(c, put, arg);
				i++;
			} else {
				emit(p + i, n, flags, put, arg);
				i += n;
			}
		}
		run = i;
	}
	if (i > run)
		put(arg, (const char *)p + run, i - run);
}

void safe_text_flush(struct safe_text_state *st,
                     void (*put)(void *arg, const char *s, size_t n), void *arg)
{
	for (size_t k = 0; k < st->n_pending; k++)
		emit(st->pending + k, 1, 0, put, arg);
	st->n_pending = 0;
}

/* The length of the valid UTF-8 sequence at p (at most n bytes), or 0. */
size_t safe_utf8_len(const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t len;
	long cp;

	if (u[0] >= 0xc2 && u[0] <= 0xdf)
		len = 2, cp = u[0] & 0x1f;
	else if (u[0] >= 0xe0 && u[0] <= 0xef)
		len = 3, cp = u[0] & 0x0f;
	else if (u[0] >= 0xf0 && u[0] <= 0xf4)
		len = 4, cp = u[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (u[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

struct sbuf {
	char *buf;
	size_t len, cap;
};

static void sbuf_put(void *arg, const char *s, size_t n)
{
	struct sbuf *b = arg;

	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->buf = xrealloc(b->buf, b->cap);
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

char *safe_text(const char *s)
{
	struct sbuf b = {0};

	sbuf_put(&b, "", 0);
	if (s != NULL)
		safe_text_escape(s, strlen(s), 0, NULL, sbuf_put, &b);
	return b.buf;
}

struct cmp {
	const char *orig;
	size_t at;
	int same;
};

static void cmp_put(void *arg, const char *s, size_t n)
{
	struct cmp *c = arg;

	if (c->same &&
	    (c->at + n > strlen(c->orig) || memcmp(c->orig + c->at, s, n) != 0))
		c->same = 0;
	c->at += n;
}

int safe_text_clean(const char *s, int flags)
{
	size_t len = strlen(s);
	struct cmp c = {s, 0, 1};

	/* Escaping only ever lengthens: a clean text maps to itself. */
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch < 0x20 || ch >= 0x7f)
			goto slow;
	}
	return 1;
slow:
	safe_text_escape(s, len, flags, NULL, cmp_put, &c);
	return c.same && c.at == len;
}
