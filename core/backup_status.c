/* The definition of a good backup; the model is in backup_status.h. */
#include "core/backup_status.h"

#include <string.h>

const char *const backup_good_statuses[BACKUP_GOOD_COUNT] = {
    CATALOG_BACKUP_VERIFIED,
    CATALOG_BACKUP_COMPLETED,
};

const char *const backup_verifiable_statuses[BACKUP_GOOD_COUNT + 1] = {
    CATALOG_BACKUP_COMPLETED,
    CATALOG_BACKUP_VERIFIED,
    "corrupt",
};

int backup_status_is_good(const char *status)
{
	if (status == NULL)
		return 0;
	for (size_t i = 0; i < BACKUP_GOOD_COUNT; i++)
		if (strcmp(status, backup_good_statuses[i]) == 0)
			return 1;
	return 0;
}

int backup_status_is_verifiable(const char *status)
{
	if (status == NULL)
		return 0;
	for (size_t i = 0; i < BACKUP_GOOD_COUNT + 1; i++)
		if (strcmp(status, backup_verifiable_statuses[i]) == 0)
			return 1;
	return 0;
}
