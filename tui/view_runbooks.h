/* The runbooks on disk, listed by file; running and resuming them comes
 * with the runbook engine. */
#ifndef DR_VIEW_RUNBOOKS_H
#define DR_VIEW_RUNBOOKS_H

#include "tui/view.h"

extern const struct view_ops view_runbooks_ops;

#endif
