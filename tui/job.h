/* A line command run from the console (back up now, verify a backup): this
 * same binary, started with the console's catalog and config, its output
 * streamed onto a full screen of its own until it ends; a/Ctrl-C stops
 * it.  The command does the work and its bookkeeping exactly as it does
 * from a shell, and the console sees the result through the catalog. */
#ifndef DR_TUI_JOB_H
#define DR_TUI_JOB_H

#include "tui/view.h"

/* Runs `drconsole ARGS...` (args NULL-terminated, at most 4) and waits for
 * a key once it has ended.  Returns the command's exit status, or -1 when
 * it could not be started or was stopped.  *summary (may be NULL) gets
 * one line for the footer (malloc'd). */
int job_screen(const struct view_ctx *ctx, const char *title,
               const char *const *args, char **summary);
/* Asks a yes/no question on a screen of its own: 1 for y, 0 for anything
 * else (n, Enter, Esc, a quit signal). */
int job_confirm(const char *title, const char *question);

#endif
