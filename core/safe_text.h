/* Text from data (a backup source's stderr, an owner, an incident name, a
 * probe's output, an S3 error) made safe for a terminal: control
 * characters are shown as cat -v shows them (ESC as ^[, DEL as ^?), C1
 * controls as \u0080..\u009f, bytes that are not UTF-8 as \xNN.  Valid
 * UTF-8 text passes unchanged. */
#ifndef DR_SAFE_TEXT_H
#define DR_SAFE_TEXT_H

#include <stddef.h>

enum safe_text_flags {
	SAFE_KEEP_NEWLINE = 1 << 0, /* \n passes (a stream of lines) */
	SAFE_KEEP_TAB = 1 << 1,     /* \t passes */
};

/* The state of a stream cut into chunks: a UTF-8 sequence may straddle
 * two of them. */
struct safe_text_state {
	unsigned char pending[4];
	size_t n_pending;
};

/* Escapes len bytes of in, calling put(arg, bytes, n) with the result, in
 * order.  st carries a sequence cut at the end of one call into the next;
 * NULL means the input is whole.  safe_text_flush() ends a stream. */
void safe_text_escape(const char *in, size_t len, int flags,
                      struct safe_text_state *st,
                      void (*put)(void *arg, const char *s, size_t n),
                      void *arg);
void safe_text_flush(struct safe_text_state *st,
                     void (*put)(void *arg, const char *s, size_t n),
                     void *arg);

/* The length of the valid UTF-8 sequence at p (at most n bytes; p[0] is
 * not ASCII), or 0 when it is not one (overlong, surrogate, beyond
 * U+10FFFF, cut short).  The one UTF-8 check: JSON input, arguments. */
size_t safe_utf8_len(const char *p, size_t n);

/* The escaped copy of s, malloc'd; newlines and tabs escaped too (for a
 * row or a field). */
char *safe_text(const char *s);
/* 1 when s would be unchanged by safe_text() with these flags. */
int safe_text_clean(const char *s, int flags);

#endif
