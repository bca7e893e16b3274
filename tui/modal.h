/* Full-screen work that owns the terminal until it ends (a runbook run, a
 * backup started from the console): the console's main loop waits, so
 * these read keys and signals themselves. */
#ifndef DR_TUI_MODAL_H
#define DR_TUI_MODAL_H

#include <stddef.h>
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

/* Ends a full-screen frame: `message` in bold on the second-last row
 * (NULL: none), `keys` in the footer, then the screen is updated. */
void modal_frame_end(const char *message, const char *keys);

/* A command's output as it streams in: the last MODAL_OUTPUT_LINES
 * complete lines (a ring) and the line being written.  Zeroed is empty. */
#define MODAL_OUTPUT_LINES 200
struct modal_output {
	char *lines[MODAL_OUTPUT_LINES];
	size_t first, n;
	char partial[512]; /* NUL-terminated by modal_output_feed */
	size_t partial_len;
	int cr; /* a CR came last: it rewrites the line unless LF follows */
};

/* Splits buf into lines (tabs as spaces).  A CR not followed by LF starts
 * the line again, as on a terminal: a progress line rewritten in place
 * stays one line. */
void modal_output_feed(struct modal_output *o, const char *buf, size_t len);
/* Adds a whole line; the oldest goes when the ring is full. */
void modal_output_push(struct modal_output *o, const char *line);
/* Line i, 0 the oldest kept. */
const char *modal_output_line(const struct modal_output *o, size_t i);
/* Empties it (the partial line too). */
void modal_output_clear(struct modal_output *o);

/* Text laid out in rows for a full-screen page: each row malloc'd.
 * Zeroed is empty. */
struct modal_lines {
	char **row;
	size_t n, cap;
};
/* Adds one row as it is. */
void modal_lines_push(struct modal_lines *l, const char *text);
/* Adds text word-wrapped to w columns (at spaces; a word wider than w is
 * cut), each newline starting a row; rows after the first of a paragraph
 * start with indent.  Nothing is left out. */
void modal_lines_wrap(struct modal_lines *l, const char *text, int w,
                      const char *indent);
void modal_lines_free(struct modal_lines *l);

#endif
