/* The runbooks on disk, listed by file, and running, drilling and
 * resuming them (tui/view_runbooks.c). */
#ifndef DR_VIEW_RUNBOOKS_H
#define DR_VIEW_RUNBOOKS_H

#include "tui/view.h"

extern const struct view_ops view_runbooks_ops;

#endif
