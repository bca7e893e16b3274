/* Terminal-safe standard output and error for line-mode commands. */
#ifndef DR_SAFE_STDIO_H
#define DR_SAFE_STDIO_H

#include <stdio.h>

/* Where standard output or error is a terminal, replaces stdout or stderr
 * with a stream that escapes control characters (core/safe_text.h); tabs
 * and newlines pass.  Call once, before the command prints anything. */
void safe_stdio_install(void);
/* The unfiltered standard error, for drconsole's own cursor control (the
 * carriage returns of a progress line); stderr when nothing was
 * installed. */
FILE *safe_stdio_raw_stderr(void);

#endif
