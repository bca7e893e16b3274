/* Per service the RTO/RPO targets against actuals, the share compliant,
 * drill recency, and recent recoveries against their targets. */
#ifndef DR_VIEW_COMPLIANCE_H
#define DR_VIEW_COMPLIANCE_H

#include "tui/view.h"

extern const struct view_ops view_compliance_ops;

#endif
