/* The one "stop what you are doing" flag of a process: set by a signal
 * handler (line mode's SIGINT/SIGTERM) or by a front end's stop key (the
 * console's a/Ctrl-C), read by long work at its natural pauses (each
 * chunk a backup reads from its source or its repository).  A command
 * source waiting for output notices it within 200 ms. */
#ifndef DR_CANCEL_H
#define DR_CANCEL_H

/* Async-signal-safe. */
void cancel_request(void);
int cancel_requested(void);
/* Before new work, once the last request has been honoured. */
void cancel_reset(void);

#endif
