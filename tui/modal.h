/* Full-screen work that owns the terminal until it ends (a runbook run, a
 * backup started from the console): the console's main loop waits, so
 * these read keys and signals themselves. */
#ifndef DR_TUI_MODAL_H
#define DR_TUI_MODAL_H

#include <stdint.h>

#define MODAL_KEY_ESCAPE 27
#define MODAL_CTRL(c)    ((c)&0x1f)

/* Milliseconds of a monotonic clock. */
int64_t modal_ms(void);
/* A key, waiting up to ms (ERR when none).  Ctrl-C and quit signals read
 * as MODAL_CTRL('c'), a resize as KEY_RESIZE.  A quit signal other than
 * SIGINT is kept for modal_reraise(). */
int modal_key(int ms);
/* Nonzero while a quit signal waits to be raised again. */
int modal_quitting(void);
/* Raises the kept quit signal again, once the modal work has ended, so
 * that the console quits as usual. */
void modal_reraise(void);

#endif
