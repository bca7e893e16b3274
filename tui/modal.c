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

void modal_lines_push(struct modal_lines *l, const char *text)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 32;
		l->row = xrealloc(l->row, l->cap * sizeof *l->row);
	}
	l->row[l->n++] = xstrdup(text);
}

/* Columns of the first len bytes (UTF-8: continuation bytes take none). */
static int cols_of(const char *s, size_t len)
{
	int c = 0;

	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	return c;
}

/* Bytes of the longest prefix of s[0..len) at most cols wide that ends
 * at a space (or, when none does, at a character boundary). */
static size_t cut_at(const char *s, size_t len, int cols)
{
	size_t end = 0, space = 0;
	int c = 0;

	while (end < len) {
		size_t next = end + 1;
		while (next < len && ((unsigned char)s[next] & 0xc0) == 0x80)
			next++;
		if (c + 1 > cols)
			break;
		c++;
		end = next;
		if (end < len && s[end] == ' ')
			space = end;
	}
	if (end >= len)
		return len;
	return space > 0 ? space : (end > 0 ? end : 1);
}

void modal_lines_wrap(struct modal_lines *l, const char *text, int w,
                      const char *indent)
{
	const char *p = text;

	if (w < cols_of(indent, strlen(indent)) + 8)
		indent = ""; /* too narrow to indent */
	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *lead = "";

		do {
			int room = w - cols_of(lead, strlen(lead));
			size_t take = cut_at(p, len, room > 0 ? room : 1);
			char *row = xasprintf("%s%.*s", lead, (int)take, p);

			modal_lines_push(l, row);
			free(row);
			p += take;
			len -= take;
			while (len > 0 && *p == ' ') {
				p++;
				len--;
			}
			lead = indent;
		} while (len > 0);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

void modal_lines_free(struct modal_lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->row[i]);
	free(l->row);
	memset(l, 0, sizeof *l);
}
