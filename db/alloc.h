/* Allocation that aborts on failure, for db/ (which includes nothing of
 * core/, so not core/xmalloc.h either). */
#ifndef DR_DB_ALLOC_H
#define DR_DB_ALLOC_H

#include <stddef.h>

/* Says "out of memory" on stderr and aborts. */
void db_oom(void) __attribute__((noreturn));
void *db_xcalloc(size_t nmemb, size_t size);
void *db_xreallocarray(void *ptr, size_t nmemb, size_t size);
char *db_xstrdup(const char *s);
char *db_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
