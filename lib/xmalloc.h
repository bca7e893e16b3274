/* Allocation that never returns NULL: running out of memory is the one
 * fatal error (STYLE.md), so callers need no NULL checks.  The one such
 * family, below every layer (lib/ includes nothing of ours), so that db/
 * and core/ both use it and there is one out-of-memory exit. */
#ifndef DR_XMALLOC_H
#define DR_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

/* Says "out of memory" on stderr and aborts; also for callers of another
 * library's allocator (sqlite3_mprintf, cJSON).  size 0: not known. */
void xmalloc_oom(size_t size) __attribute__((noreturn));
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Grows an array to hold at least `need` elements of `size` bytes. */
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0)));
/* Copies at most size-1 bytes and always terminates; returns strlen(src). */
size_t strlcpy_dr(char *dst, const char *src, size_t size);

#endif
