/* See modal.h. */
#include "tui/modal.h"

#include <curses.h>
#include <signal.h>
#include <time.h>

#include "tui/screen.h"

static int quit_sig;

int64_t modal_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int modal_key(int ms)
{
	int key;
	unsigned sig;

	if (quit_sig)
		return MODAL_CTRL('c');
	sig = screen_take_signals();
	if (sig & SCREEN_SIG_RESIZE) {
		screen_follow_resize();
		return KEY_RESIZE;
	}
	if (sig & SCREEN_SIG_QUIT) {
		if (screen_quit_signal() != SIGINT)
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
