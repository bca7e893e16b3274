#ifndef DR_UUID_H
#define DR_UUID_H

/* A random (version 4) UUID in its 36-character text form. */
void uuid_v4(char out[37]);
/* 1 when s is a UUID in text form (any version, lower or upper case). */
int uuid_valid(const char *s);

#endif
