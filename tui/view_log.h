/* Recoveries (disaster_recovery_log) and the audit log, newest first. */
#ifndef DR_VIEW_LOG_H
#define DR_VIEW_LOG_H

#include "tui/view.h"

extern const struct view_ops view_log_ops;

#endif
