/* One row per service, worst first: tier, backup health, recovery-point
 * age against the RPO as a bar, replication lag, RTO estimate against
 * target, age of the last restore test, verdict. */
#ifndef DR_VIEW_DASHBOARD_H
#define DR_VIEW_DASHBOARD_H

#include "tui/view.h"

extern const struct view_ops view_dashboard_ops;

#endif
