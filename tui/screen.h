/* The terminal: curses set-up and tear-down, signals, colours from a
 * theme, and the glyphs to draw with.
 *
 * Every way out restores the terminal.  SIGTERM, SIGHUP, SIGINT and
 * SIGWINCH only write a byte to a self-pipe that the console's poll() loop
 * watches, so endwin() runs from the main loop, never from a handler.  A
 * crash (SIGSEGV, SIGABRT from a failed allocation, ...) cannot call curses
 * safely, so its handler writes a reset sequence prepared at start-up and
 * puts back the saved termios (both async-signal-safe) before dying. */
#ifndef DR_SCREEN_H
#define DR_SCREEN_H

#include <curses.h>

#include "core/theme.h"

#define SCREEN_MIN_COLS 80
/* 80x20 and up; 80x23 is an 80x24 terminal inside tmux with its status
 * line.  Views give fewer rows to lists below 24 rows. */
#define SCREEN_MIN_ROWS 20
/* screen_open(): the terminal cannot address the cursor (TERM=dumb). */
#define SCREEN_NO_CURSOR 1

struct screen_glyphs {
	const char *hline, *vline, *ul, *ur, *ll, *lr;
	const char *bar_full, *bar_empty;
	const char *bar_half; /* the left half of a cell; "" without UTF-8 */
	const char *spark[8]; /* lowest .. highest */
	const char *arrow, *ellipsis, *block, *sep, *updown;
};

struct screen_opts {
	int ascii; /* --ascii: ASCII even in a UTF-8 locale */
	const struct theme *theme;
};

/* Bits screen_take_signals() returns. */
enum screen_signal {
	SCREEN_SIG_QUIT = 1 << 0,   /* SIGTERM, SIGHUP */
	SCREEN_SIG_RESIZE = 1 << 1, /* SIGWINCH */
	SCREEN_SIG_INT = 1 << 2,    /* SIGINT (Ctrl-C): the caller decides */
	SCREEN_SIG_CONT = 1 << 3,   /* SIGCONT: call screen_resume() */
};

/* Sets the locale, installs the handlers and starts curses.  Returns 0,
 * SCREEN_NO_CURSOR (with *err) for a terminal that cannot address the
 * cursor, or -1 with *err set when the terminal cannot be used.  Flow
 * control (Ctrl-S, Ctrl-Q) is off while the screen is open. */
int screen_open(const struct screen_opts *opts, char **err);
/* Ends curses and restores the terminal; safe to call twice. */
void screen_close(void);
/* The read end of the self-pipe, for poll(). */
int screen_signal_fd(void);
/* Drains the pipe; returns the screen_signal bits seen since last time. */
unsigned screen_take_signals(void);
/* Follows a new terminal size (after SIGWINCH). */
void screen_follow_resize(void);
/* After SIGCONT: program modes, keypad and flow control again, and a
 * full repaint at the next refresh. */
void screen_resume(void);
/* Records SIGINT as the reason the caller is leaving. */
void screen_note_interrupt(int sig);
/* The signal number that asked us to quit, or 0. */
int screen_quit_signal(void);

/* 1 when lines are drawn with Unicode, 0 for ASCII. */
int screen_utf8(void);
/* 1 when colours are in use (a colour terminal and no NO_COLOR). */
int screen_colors(void);
const struct screen_glyphs *screen_glyphs(void);
/* The curses attributes (colour pair included) of a theme element. */
attr_t screen_attr(enum theme_element e);

/* Draws text at (y, x), clipped to `width` columns and padded with blanks
 * to exactly `width`; returns the columns the text took.  width < 0: no
 * clipping beyond the window, no padding. */
int screen_put(WINDOW *win, int y, int x, int width, attr_t attr,
               const char *text);
int screen_putf(WINDOW *win, int y, int x, int width, attr_t attr,
                const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* A table cell: text clipped to width - 1 columns (a cut one ends in the
 * ellipsis glyph), then blanks to width, so neighbouring cells never run
 * together. */
void screen_cell(WINDOW *win, int y, int x, int width, attr_t attr,
                 const char *text);
/* Columns `text` takes on the screen. */
int screen_width(const char *text);
/* A box of line glyphs with its corners at (y, x), h x w. */
void screen_box(WINDOW *win, int y, int x, int h, int w, attr_t attr);
void screen_hline(WINDOW *win, int y, int x, int w, attr_t attr);
/* Fills a region with blanks of attr. */
void screen_fill(WINDOW *win, int y, int x, int h, int w, attr_t attr);

#endif
