#include "tui/screen.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>

#include "core/safe_text.h"
#include "core/xmalloc.h"

static const struct screen_glyphs glyphs_utf8 = {
    .hline = "\u2500",
    .vline = "\u2502",
    .ul = "\u250c",
    .ur = "\u2510",
    .ll = "\u2514",
    .lr = "\u2518",
    .bar_full = "\u2588",
    .bar_empty = "\u00b7",
    .bar_half = "\u258c",
    .spark = {"\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586",
              "\u2587", "\u2588"},
    .arrow = "\u2192",
    .ellipsis = "\u2026",
    .block = "\u2588",
    .sep = "\u2502",
    .updown = "\u2191\u2193",
};

static const struct screen_glyphs glyphs_ascii = {
    .hline = "-",
    .vline = "|",
    .ul = "+",
    .ur = "+",
    .ll = "+",
    .lr = "+",
    .bar_full = "#",
    .bar_empty = ".",
    .bar_half = "",
    .spark = {"_", ".", ",", "-", "~", "=", "*", "#"},
    .arrow = "->",
    .ellipsis = "...",
    .block = "#",
    .sep = "|",
    .updown = "Up/Dn",
};

static struct {
	int active;
	int utf8;
	int colors;
	const struct screen_glyphs *glyphs;
	attr_t attr[THEME_N_ELEMENTS];
	int pipe_rd, pipe_wr;
	struct termios saved_tios;
	int have_tios;
	char reset_seq[256];
	size_t reset_len;
} scr = {.pipe_rd = -1, .pipe_wr = -1, .glyphs = &glyphs_ascii};

static volatile sig_atomic_t pending_quit, pending_resize, pending_int,
    pending_cont, quit_signal;

static void on_signal(int sig)
{
	int saved = errno;
	if (sig == SIGWINCH) {
		pending_resize = 1;
	} else if (sig == SIGCONT) {
		pending_cont = 1;
	} else if (sig == SIGINT) {
		pending_int = 1;
	} else {
		pending_quit = 1;
		quit_signal = sig;
	}
	if (scr.pipe_wr >= 0) {
		char c = 0;
		ssize_t w = write(scr.pipe_wr, &c, 1);
		(void)w; /* a full pipe already holds a wake-up */
	}
	errno = saved;
}

/* Runs inside a crash: only async-signal-safe calls. */
static void on_fatal(int sig)
{
	if (scr.active) {
		ssize_t w = write(STDOUT_FILENO, scr.reset_seq, scr.reset_len);
		(void)w;
		if (scr.have_tios)
			tcsetattr(STDIN_FILENO, TCSAFLUSH, &scr.saved_tios);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void add_reset(const char *capname)
{
	char *s = tigetstr(capname);
	if (s == NULL || s == (char *)-1)
		return;
	size_t n = strlen(s);
	if (scr.reset_len + n >= sizeof scr.reset_seq)
		return;
	memcpy(scr.reset_seq + scr.reset_len, s, n);
	scr.reset_len += n;
}

/* Maps a 0-255 colour to what the terminal has. */
static void map_color(int c, int is_fg, short *out, attr_t *extra)
{
	if (c < 0 || COLORS >= 256 || c < COLORS) {
		*out = (short)c;
		return;
	}
	if (c < 16) {
		if (c == 8) { /* bright black: a dim white reads as grey */
			*out = COLOR_WHITE;
			if (is_fg)
				*extra |= A_DIM;
			return;
		}
		*out = (short)(c - 8);
		if (is_fg)
			*extra |= A_BOLD;
		return;
	}
	if (c >= 232) {
		*out = c >= 244 ? COLOR_WHITE : COLOR_BLACK;
		if (is_fg && c < 244) {
			*out = COLOR_WHITE;
			*extra |= A_DIM;
		}
		return;
	}
	int n = c - 16, r = n / 36, g = (n / 6) % 6, b = n % 6;
	*out = (short)((r >= 2 ? 1 : 0) | (g >= 2 ? 2 : 0) | (b >= 2 ? 4 : 0));
}

static attr_t theme_attrs(unsigned bits)
{
	attr_t a = 0;
	if (bits & THEME_ATTR_BOLD)
		a |= A_BOLD;
	if (bits & THEME_ATTR_DIM)
		a |= A_DIM;
	if (bits & THEME_ATTR_REVERSE)
		a |= A_REVERSE;
	if (bits & THEME_ATTR_UNDERLINE)
		a |= A_UNDERLINE;
	if (bits & THEME_ATTR_ITALIC)
		a |= A_ITALIC;
	if (bits & THEME_ATTR_BLINK)
		a |= A_BLINK;
	return a;
}

static void setup_colors(const struct theme *theme)
{
	const char *no_color = getenv("NO_COLOR");
	scr.colors = has_colors() && !(no_color && no_color[0]);
	if (scr.colors && start_color() == ERR)
		scr.colors = 0;
	if (scr.colors && COLOR_PAIRS <= THEME_N_ELEMENTS)
		scr.colors = 0;
	int defaults = scr.colors && use_default_colors() == OK;
	for (int e = 0; e < THEME_N_ELEMENTS; e++) {
		const struct theme_style *st = &theme->style[e];
		if (!scr.colors) {
			scr.attr[e] =
			    theme_attrs(st->attrs | theme_mono_attrs(e));
			continue;
		}
		attr_t extra = 0;
		short fg, bg;
		map_color(st->fg, 1, &fg, &extra);
		map_color(st->bg, 0, &bg, &extra);
		if (!defaults) {
			if (fg < 0)
				fg = COLOR_WHITE;
			if (bg < 0)
				bg = COLOR_BLACK;
		}
		init_pair((short)(e + 1), fg, bg);
		scr.attr[e] =
		    theme_attrs(st->attrs) | extra | (attr_t)COLOR_PAIR(e + 1);
	}
}

/* Ctrl-S would stop our output (and with it every update of a wall)
 * until Ctrl-Q: flow control off, so both are ordinary keys.  The saved
 * shell modes keep it, so it comes back at exit; curses' program mode
 * takes it, so it stays off after a suspend. */
static void flow_control_off(void)
{
	struct termios t;
	if (tcgetattr(STDIN_FILENO, &t) != 0)
		return;
	t.c_iflag &= ~(tcflag_t)(IXON | IXOFF);
	tcsetattr(STDIN_FILENO, TCSANOW, &t);
	def_prog_mode();
}

static void restore_at_exit(void)
{
	screen_close();
}

int screen_open(const struct screen_opts *opts, char **err)
{
	setlocale(LC_ALL, "");
	const char *codeset = nl_langinfo(CODESET);
	scr.utf8 = !opts->ascii && codeset &&
	           (strcasecmp(codeset, "UTF-8") == 0 ||
	            strcasecmp(codeset, "utf8") == 0);
	scr.glyphs = scr.utf8 ? &glyphs_utf8 : &glyphs_ascii;

	int fds[2];
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
		*err = xasprintf("cannot create a pipe: %m");
		return -1;
	}
	scr.pipe_rd = fds[0];
	scr.pipe_wr = fds[1];
	scr.have_tios = tcgetattr(STDIN_FILENO, &scr.saved_tios) == 0;

	/* Ours before initscr(), so curses leaves SIGWINCH and SIGINT to us. */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sigaction(SIGWINCH, &sa, NULL);
	sigaction(SIGCONT, &sa, NULL);
	sa.sa_handler = on_fatal;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	const char *term = getenv("TERM");
	/* A terminal that cannot move the cursor (TERM=dumb, an emacs
	 * shell buffer) would get a blank or garbled screen: the caller
	 * prints the line-mode status instead. */
	int errret = 0;
	if (setupterm(term && *term ? term : "dumb", STDOUT_FILENO, &errret) !=
	    OK) {
		*err = xasprintf("cannot use terminal type \"%s\"",
		                 term ? term : "");
		return -1;
	}
	char *cup = tigetstr("cup");
	int can_address = cup != NULL && cup != (char *)-1;
	del_curterm(cur_term);
	if (!can_address) {
		*err = xasprintf("terminal type \"%s\" cannot address the "
		                 "cursor",
		                 term && *term ? term : "dumb");
		return SCREEN_NO_CURSOR;
	}
	if (newterm(term && *term ? term : "dumb", stdout, stdin) == NULL) {
		*err = xasprintf("cannot use terminal type \"%s\"",
		                 term ? term : "");
		return -1;
	}
	scr.active = 1;
	atexit(restore_at_exit);
	add_reset("sgr0");
	add_reset("cnorm");
	add_reset("rmkx");
	add_reset("rmcup");

	cbreak();
	noecho();
	nonl();
	flow_control_off();
	keypad(stdscr, TRUE);
	/* Arrows in either form, so that a terminal left in (or put back
	 * into) normal cursor mode still sends arrows, never Esc [ B. */
	define_key("\033[A", KEY_UP);
	define_key("\033[B", KEY_DOWN);
	define_key("\033[C", KEY_RIGHT);
	define_key("\033[D", KEY_LEFT);
	define_key("\033OA", KEY_UP);
	define_key("\033OB", KEY_DOWN);
	define_key("\033OC", KEY_RIGHT);
	define_key("\033OD", KEY_LEFT);
	nodelay(stdscr, TRUE);
	set_escdelay(50);
	curs_set(0);
	leaveok(stdscr, TRUE);
	setup_colors(opts->theme);
	return 0;
}

void screen_close(void)
{
	if (!scr.active)
		return;
	scr.active = 0;
	curs_set(1);
	endwin();
	fflush(stdout);
}

int screen_signal_fd(void)
{
	return scr.pipe_rd;
}

unsigned screen_take_signals(void)
{
	char buf[64];
	while (scr.pipe_rd >= 0 && read(scr.pipe_rd, buf, sizeof buf) > 0)
		;
	unsigned bits = 0;
	if (pending_quit)
		bits |= SCREEN_SIG_QUIT;
	if (pending_int) {
		pending_int = 0;
		bits |= SCREEN_SIG_INT;
	}
	if (pending_cont) {
		pending_cont = 0;
		bits |= SCREEN_SIG_CONT;
	}
	if (pending_resize) {
		pending_resize = 0;
		bits |= SCREEN_SIG_RESIZE;
	}
	return bits;
}

void screen_resume(void)
{
	if (!scr.active)
		return;
	/* Back from a suspend: the shell had the terminal, with its own
	 * modes and (often) the keypad in normal mode.  Program mode again,
	 * flow control off, the keypad in application mode, a full repaint. */
	reset_prog_mode();
	flow_control_off();
	keypad(stdscr, FALSE);
	keypad(stdscr, TRUE);
	char *smkx = tigetstr("smkx");
	if (smkx != NULL && smkx != (char *)-1)
		putp(smkx);
	fflush(stdout);
	clearok(curscr, TRUE);
}

void screen_note_interrupt(int sig)
{
	quit_signal = sig;
}

int screen_quit_signal(void)
{
	return quit_signal;
}

void screen_follow_resize(void)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
}

int screen_utf8(void)
{
	return scr.utf8;
}

int screen_colors(void)
{
	return scr.colors;
}

const struct screen_glyphs *screen_glyphs(void)
{
	return scr.glyphs;
}

attr_t screen_attr(enum theme_element e)
{
	if ((int)e < 0 || e >= THEME_N_ELEMENTS)
		return A_NORMAL;
	return scr.attr[e];
}

/* Bytes of `text` that fit in `width` columns; *cols gets their width. */
static size_t fit(const char *text, int width, int *cols)
{
	size_t i = 0, len = strlen(text);
	int used = 0;
	if (!scr.utf8) {
		for (; i < len && (width < 0 || used < width); i++)
			used++;
		*cols = used;
		return i;
	}
	mbstate_t st;
	memset(&st, 0, sizeof st);
	while (i < len) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, text + i, len - i, &st);
		int w = 1;
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			n = 1;
			memset(&st, 0, sizeof st);
		} else {
			w = wcwidth(wc);
			if (w < 0)
				w = 1;
		}
		if (width >= 0 && used + w > width)
			break;
		used += w;
		i += n;
	}
	*cols = used;
	return i;
}

int screen_width(const char *text)
{
	int cols;
	fit(text, -1, &cols);
	return cols;
}

int screen_put(WINDOW *win, int y, int x, int width, attr_t attr,
               const char *text)
{
	int maxy, maxx;
	getmaxyx(win, maxy, maxx);
	if (y < 0 || y >= maxy || x >= maxx)
		return 0;
	int pad = width >= 0;
	if (width < 0 || x + width > maxx)
		width = maxx - x;
	/* Data drawn as the terminal-safe text of core/safe_text: a line
	 * break in a name must not split a row, nor a byte start an escape. */
	char *safe = safe_text_clean(text, 0) ? NULL : safe_text(text);
	if (safe != NULL)
		text = safe;
	int cols;
	size_t bytes = fit(text, width, &cols);
	wattrset(win, attr);
	mvwaddnstr(win, y, x, text, (int)bytes);
	free(safe);
	for (int i = cols; pad && i < width; i++)
		waddch(win, ' ');
	wattrset(win, A_NORMAL);
	return cols;
}

void screen_cell(WINDOW *win, int y, int x, int width, attr_t attr,
                 const char *text)
{
	if (width <= 0)
		return;
	int room = width - 1;
	int ell = screen_width(scr.glyphs->ellipsis);
	/* The terminal-safe text, as screen_put draws it (core/safe_text). */
	char *safe = safe_text_clean(text, 0) ? NULL : safe_text(text);
	if (safe != NULL)
		text = safe;
	if (screen_width(text) > room && room > ell + 1) {
		/* Cut, and say so: "analytics-wa…", never "analytics-wa". */
		int cols;
		size_t bytes = fit(text, room - ell, &cols);
		wattrset(win, attr);
		mvwaddnstr(win, y, x, text, (int)bytes);
		waddstr(win, scr.glyphs->ellipsis);
		wattrset(win, A_NORMAL);
		screen_put(win, y, x + cols + ell, width - cols - ell, attr,
		           "");
		free(safe);
		return;
	}
	int used = screen_put(win, y, x, room, attr, text);
	screen_put(win, y, x + used, width - used, attr, "");
	free(safe);
}

int screen_putf(WINDOW *win, int y, int x, int width, attr_t attr,
                const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return screen_put(win, y, x, width, attr, buf);
}

void screen_hline(WINDOW *win, int y, int x, int w, attr_t attr)
{
	wattrset(win, attr);
	for (int i = 0; i < w; i++)
		mvwaddstr(win, y, x + i, scr.glyphs->hline);
	wattrset(win, A_NORMAL);
}

void screen_box(WINDOW *win, int y, int x, int h, int w, attr_t attr)
{
	if (h < 2 || w < 2)
		return;
	wattrset(win, attr);
	mvwaddstr(win, y, x, scr.glyphs->ul);
	mvwaddstr(win, y, x + w - 1, scr.glyphs->ur);
	mvwaddstr(win, y + h - 1, x, scr.glyphs->ll);
	mvwaddstr(win, y + h - 1, x + w - 1, scr.glyphs->lr);
	for (int i = 1; i < w - 1; i++) {
		mvwaddstr(win, y, x + i, scr.glyphs->hline);
		mvwaddstr(win, y + h - 1, x + i, scr.glyphs->hline);
	}
	for (int i = 1; i < h - 1; i++) {
		mvwaddstr(win, y + i, x, scr.glyphs->vline);
		mvwaddstr(win, y + i, x + w - 1, scr.glyphs->vline);
	}
	wattrset(win, A_NORMAL);
}

void screen_fill(WINDOW *win, int y, int x, int h, int w, attr_t attr)
{
	wattrset(win, attr);
	for (int i = 0; i < h; i++) {
		wmove(win, y + i, x);
		for (int j = 0; j < w; j++)
			waddch(win, ' ');
	}
	wattrset(win, A_NORMAL);
}
