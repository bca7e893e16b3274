#ifndef DR_UUID_H
#define DR_UUID_H

#include <stddef.h>

/* A random (version 4) UUID in its 36-character text form. */
void uuid_v4(char out[37]);
/* A name-based (version 5, SHA-1) UUID of the n name parts in namespace ns
 * (a UUID in text form).  Each part is hashed followed by one NUL byte, so
 * ("ab", "c") and ("a", "bc") differ.  The same inputs always give the same
 * UUID: re-importing a tool's backup finds the row it made before. */
void uuid_v5(const char *ns, const char *const *parts, size_t n, char out[37]);
/* 1 when s is a UUID in text form (any version, lower or upper case). */
int uuid_valid(const char *s);

#endif
