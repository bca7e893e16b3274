/* Rules for service names and tiers shared by the commands, the config
 * and the importers. */
#ifndef DR_SERVICE_H
#define DR_SERVICE_H

#include <stddef.h>

#include "db/catalog.h"

/* 1 to 63 characters of A-Z a-z 0-9 . _ -, starting with a letter or
 * digit.  DR_EINVAL with a message saying which character is wrong. */
int service_name_check(const char *name, char **err);
/* "critical, standard, low": the tier names, malloc'd. */
char *service_tier_list(const struct catalog_tier *tiers, size_t n);

#endif
