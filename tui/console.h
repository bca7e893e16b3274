/* The full-screen console: `drconsole` with no command on a terminal.
 *
 * One thread, one poll() loop over the terminal and the signal self-pipe,
 * waking at least once a second.  Each wake-up asks the catalog for its
 * data version (cheap) and re-evaluates compliance only when the catalog
 * changed or the minute rolled over, since the screen shows times to the
 * minute.  Keys go to the prompt, an overlay, the console or the current
 * view, in that order, and come back as VIEW_* bits; the screen is drawn
 * only when a bit or a change asked for it, and curses then sends only the
 * cells that differ, so an idle console sends almost nothing. */
#ifndef DR_CONSOLE_H
#define DR_CONSOLE_H

#include "tui/cmd.h"

/* On a terminal runs the console; otherwise prints `status`.  Returns the
 * exit code. */
int console_main(const struct cmd_globals *g);

#endif
