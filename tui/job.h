/* An action started from the console (back up now, verify a backup): the
 * operation (core/ops.h) runs on a thread of the console's own, with a
 * catalog connection of its own, while this screen shows its output and
 * progress; a/Ctrl-C asks it to stop (core/cancel.h), and a hang-up does
 * too, waiting for it to leave its row failed ("interrupted") rather
 * than half done.  The console sees the result through the catalog. */
#ifndef DR_TUI_JOB_H
#define DR_TUI_JOB_H

#include "core/ops.h"
#include "tui/view.h"

/* The work: one op with the job's session.  Returns DR_OK or the op's
 * failure; *line (malloc'd) says how it ended, in one line. */
typedef int (*job_work_fn)(const struct ops_session *s, void *arg, char **line);

/* Runs work on a screen titled title, status "running: WHAT", and waits
 * for a key once it has ended.  Returns 0 when it succeeded, else -1.
 * *summary (may be NULL) gets one line for the footer (malloc'd). */
int job_run(const struct view_ctx *ctx, const char *title, const char *what,
            job_work_fn work, void *arg, char **summary);
/* Asks a yes/no question on a screen of its own: 1 for y, 0 for anything
 * else (n, Enter, Esc, a quit signal). */
int job_confirm(const char *title, const char *question);

#endif
