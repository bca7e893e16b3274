/* Each source -> target pair: state, lag in seconds and bytes against
 * the service's RPO, and a sparkline of the last hour. */
#ifndef DR_VIEW_REPLICATION_H
#define DR_VIEW_REPLICATION_H

#include "tui/view.h"

extern const struct view_ops view_replication_ops;

#endif
