/* The backup history (backup_management), a page at a time: filtered by
 * service, status and type, newest or oldest first, with a detail pane. */
#ifndef DR_VIEW_BACKUPS_H
#define DR_VIEW_BACKUPS_H

#include "tui/view.h"

extern const struct view_ops view_backups_ops;

#endif
