/* See modal.h. */
#include "tui/modal.h"

#include <curses.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "tui/screen.h"

static int quit_sig;

int64_t modal_ms(void)
{
	return time_mono_ms();
}

int modal_key(int ms)
{
	int key;
	unsigned sig;

	if (quit_sig)
		return MODAL_CTRL('c');
	sig = screen_take_signals();
	if (sig & SCREEN_SIG_CONT)
		screen_resume();
	if (sig & SCREEN_SIG_RESIZE) {
		screen_follow_resize();
		return KEY_RESIZE;
	}
	if (sig & SCREEN_SIG_CONT)
		return KEY_RESIZE; /* a full repaint */
	if (sig & SCREEN_SIG_INT)
		return MODAL_CTRL('c');
	if (sig & SCREEN_SIG_QUIT) {
		quit_sig = screen_quit_signal();
		return MODAL_CTRL('c');
	}
	wtimeout(stdscr, ms);
	key = wgetch(stdscr);
	nodelay(stdscr, TRUE);
	return key;
}

int modal_quitting(void)
{
	return quit_sig != 0;
}

void modal_reraise(void)
{
	if (quit_sig) {
		int sig = quit_sig;
		quit_sig = 0;
		raise(sig); /* the console's handler: it quits as usual */
	}
}

void modal_frame_end(const char *message, const char *keys)
{
	int h, w;

	getmaxyx(stdscr, h, w);
	if (message != NULL)
		screen_put(stdscr, h - 2, 0, w,
		           screen_attr(THEME_MESSAGE) | A_BOLD, message);
	screen_fill(stdscr, h - 1, 0, 1, w, screen_attr(THEME_FOOTER));
	screen_put(stdscr, h - 1, 0, w, screen_attr(THEME_FOOTER), keys);
	wnoutrefresh(stdscr);
	doupdate();
}

void modal_output_push(struct modal_output *o, const char *line)
{
	if (o->n == MODAL_OUTPUT_LINES) {
		free(o->lines[o->first]);
		o->lines[o->first] = NULL;
		o->first = (o->first + 1) % MODAL_OUTPUT_LINES;
		o->n--;
	}
	o->lines[(o->first + o->n) % MODAL_OUTPUT_LINES] = xstrdup(line);
	o->n++;
}

void modal_output_feed(struct modal_output *o, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (o->cr && buf[i] != '\n')
			o->partial_len = 0;
		o->cr = buf[i] == '\r';
		if (buf[i] == '\n' || o->partial_len + 1 >= sizeof o->partial) {
			o->partial[o->partial_len] = '\0';
			modal_output_push(o, o->partial);
			o->partial_len = 0;
			if (buf[i] == '\n')
				continue;
		}
		if (buf[i] != '\r')
			o->partial[o->partial_len++] =
			    buf[i] == '\t' ? ' ' : buf[i];
	}
	o->partial[o->partial_len] = '\0';
}

const char *modal_output_line(const struct modal_output *o, size_t i)
{
	return o->lines[(o->first + i) % MODAL_OUTPUT_LINES];
}

void modal_output_clear(struct modal_output *o)
{
	for (size_t i = 0; i < MODAL_OUTPUT_LINES; i++)
		free(o->lines[i]);
	memset(o, 0, sizeof *o);
}
