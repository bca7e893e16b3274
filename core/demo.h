#ifndef DR_DEMO_H
#define DR_DEMO_H

#include <stdint.h>

#include "db/catalog.h"

/* Fills an empty catalog with the demo estate as of `now` (see demo.c).
 * Call inside a transaction. */
int demo_build(struct catalog *cat, int64_t now, char **err);

#endif
