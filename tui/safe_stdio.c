/* Line-mode output to a terminal goes through core/safe_text: every byte
 * a command prints (its own text and the data in it) reaches the terminal
 * with control characters escaped, so a backup source's stderr holding
 * ESC[2J or an OSC title cannot clear the screen or retitle the window.
 * Output to a file or a pipe is left as it is: it is data for a program. */
#include "tui/safe_stdio.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/safe_text.h"

struct filter {
	int fd;
	struct safe_text_state st;
	int failed;
};

static struct filter out_filter, err_filter;
static FILE *raw_err;

static void write_all(void *arg, const char *s, size_t n)
{
	struct filter *f = arg;

	while (n > 0 && !f->failed) {
		ssize_t w = write(f->fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			f->failed = 1;
			return;
		}
		s += w;
		n -= (size_t)w;
	}
}

static ssize_t filter_write(void *cookie, const char *buf, size_t size)
{
	struct filter *f = cookie;

	safe_text_escape(buf, size, SAFE_KEEP_NEWLINE | SAFE_KEEP_TAB, &f->st,
	                 write_all, f);
	if (f->failed) {
		errno = EIO;
		return -1;
	}
	return (ssize_t)size;
}

static int filter_close(void *cookie)
{
	struct filter *f = cookie;

	safe_text_flush(&f->st, write_all, f);
	return 0;
}

static FILE *wrap(int fd, struct filter *f, int mode)
{
	cookie_io_functions_t io = {.read = NULL,
	                            .write = filter_write,
	                            .seek = NULL,
	                            .close = filter_close};

	f->fd = fd;
	FILE *s = fopencookie(f, "w", io);
	if (s != NULL)
		setvbuf(s, NULL, mode, 0);
	return s;
}

void safe_stdio_install(void)
{
	if (isatty(STDOUT_FILENO)) {
		FILE *s = wrap(STDOUT_FILENO, &out_filter, _IOLBF);
		if (s != NULL) {
			fflush(stdout);
			stdout = s;
		}
	}
	if (isatty(STDERR_FILENO)) {
		FILE *s = wrap(STDERR_FILENO, &err_filter, _IONBF);
		if (s != NULL) {
			raw_err = stderr;
			stderr = s;
		}
	}
}

FILE *safe_stdio_raw_stderr(void)
{
	return raw_err != NULL ? raw_err : stderr;
}
