/* Adding and removing services (core/ops.h). */
#ifndef DR_OPS_SERVICE_H
#define DR_OPS_SERVICE_H

#include "core/ops.h"

/* Adds svc (name, owner, targets; created_at is set here; svc->tier is
 * ignored) in the tier named tier (NULL for none), which must be one of
 * the config's: the tier row is written with it.  DR_EINVAL for a bad name or
 * an unknown tier (the message lists the known ones), DR_EEXIST when the
 * service exists. */
int ops_service_add(const struct ops_session *s,
                    const struct catalog_service *svc, const char *tier,
                    char **err);

/* Removes a service; purge deletes its history too.  DR_ENOTFOUND when
 * there is none, DR_EBUSY when it has history and purge is 0. */
int ops_service_remove(const struct ops_session *s, const char *name, int purge,
                       char **err);

#endif
