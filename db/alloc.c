/* See alloc.h. */
#include "db/alloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void db_oom(void)
{
	fputs("drconsole: out of memory\n", stderr);
	abort();
}

void *db_xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		db_oom();
	return p;
}

void *db_xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	void *p;

	if (size != 0 && nmemb > SIZE_MAX / size)
		db_oom();
	p = realloc(ptr, nmemb * size != 0 ? nmemb * size : 1);
	if (p == NULL)
		db_oom();
	return p;
}

char *db_xstrdup(const char *s)
{
	char *copy = strdup(s);

	if (copy == NULL)
		db_oom();
	return copy;
}

char *db_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		db_oom();
	va_end(ap);
	return s;
}
