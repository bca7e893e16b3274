/* See job.h.  One thread does the work; this one owns the terminal.  They
 * share struct job under its lock: the work's events write into it, the
 * screen reads from it. */
#include "tui/job.h"

#include <curses.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/cancel.h"
#include "core/error.h"
#include "core/ops_backup.h"
#include "core/xmalloc.h"
#include "tui/modal.h"
#include "tui/screen.h"

struct job {
	const char *title;
	const struct view_ctx *ctx;
	job_work_fn work;
	void *arg;

	pthread_mutex_t lock;
	struct modal_output out; /* under lock */
	char progress[160];      /* under lock: "" until the first report */
	int dirty;               /* under lock: something new to draw */
	int finished;            /* under lock */
	int rc;                  /* the work's, once finished */
	char *line;              /* the work's last word, once finished */
	atomic_int stop;         /* set by this thread, read by the work's */

	char status[200]; /* under the output; the screen's own */
	int64_t last_draw_ms;
	int64_t started_ms; /* 0: ended (no clock in the status) */
};

/* Rows a line takes, wrapped at `w` columns. */
static int job_rows(const char *line, int w)
{
	size_t len = strlen(line);
	return len == 0 ? 1 : (int)((len + (size_t)w - 1) / (size_t)w);
}

/* Draws `line` wrapped from row y; returns the next row. */
static int job_put(int y, int w, const char *line)
{
	size_t len = strlen(line), at = 0;
	char chunk[512];

	do {
		size_t n = len - at < (size_t)w ? len - at : (size_t)w;
		if (n >= sizeof chunk)
			n = sizeof chunk - 1;
		memcpy(chunk, line + at, n);
		chunk[n] = '\0';
		screen_put(stdscr, y++, 1, w, screen_attr(THEME_NORMAL), chunk);
		at += n;
	} while (at < len);
	return y;
}

/* Called with j->lock held. */
static void job_draw(struct job *j, const char *keys)
{
	int h, w, rows, used = 0, y = 2;
	size_t from = j->out.n;
	const char *tail = j->progress[0] ? j->progress : NULL;

	getmaxyx(stdscr, h, w);
	werase(stdscr);
	screen_fill(stdscr, 0, 0, 1, w, screen_attr(THEME_HEADER));
	screen_put(stdscr, 0, 0, w, screen_attr(THEME_HEADER), j->title);
	rows = h - 4;
	if (tail != NULL)
		used = job_rows(tail, w - 2);
	/* The newest lines that fit, wrapped, oldest of them first. */
	while (from > 0 && w > 2) {
		int r = job_rows(modal_output_line(&j->out, from - 1), w - 2);
		if (used + r > rows)
			break;
		used += r;
		from--;
	}
	for (size_t i = from; i < j->out.n; i++)
		y = job_put(y, w - 2, modal_output_line(&j->out, i));
	if (tail != NULL && used <= rows && w > 2)
		job_put(y, w - 2, tail);
	char status[240];
	if (j->started_ms > 0) {
		int64_t s = (modal_ms() - j->started_ms) / 1000;
		snprintf(status, sizeof status, "%s  (%lld:%02lld elapsed)",
		         j->status, (long long)(s / 60), (long long)(s % 60));
	} else {
		snprintf(status, sizeof status, "%s", j->status);
	}
	modal_frame_end(status, keys);
	j->last_draw_ms = modal_ms();
	j->dirty = 0;
}

/* ---- the work's side ------------------------------------------------- */

static void ev_progress(void *arg, uint64_t done, uint64_t total,
                        double elapsed_s)
{
	struct job *j = arg;
	char line[sizeof j->progress];

	ops_progress_text(line, sizeof line, done, total, elapsed_s);
	pthread_mutex_lock(&j->lock);
	memcpy(j->progress, line, sizeof j->progress);
	j->dirty = 1;
	pthread_mutex_unlock(&j->lock);
}

static void ev_output(void *arg, const char *buf, size_t len)
{
	struct job *j = arg;

	pthread_mutex_lock(&j->lock);
	modal_output_feed(&j->out, buf, len);
	j->dirty = 1;
	pthread_mutex_unlock(&j->lock);
}

static void ev_note(void *arg, const char *text)
{
	struct job *j = arg;

	pthread_mutex_lock(&j->lock);
	modal_output_push(&j->out, text);
	j->dirty = 1;
	pthread_mutex_unlock(&j->lock);
}

static int ev_should_stop(void *arg)
{
	return ((struct job *)arg)->stop != 0;
}

static void *job_thread(void *arg)
{
	struct job *j = arg;
	const struct ops_events ev = {
	    .arg = j,
	    .progress = ev_progress,
	    .output = ev_output,
	    .note = ev_note,
	    .should_stop = ev_should_stop,
	};
	struct ops_session s = {
	    .cfg = j->ctx->cfg,
	    .read_only = j->ctx->read_only,
	    .ev = &ev,
	};
	char *err = NULL, *line = NULL;
	int rc = catalog_open(j->ctx->catalog_path, 0, &s.cat, &err);

	if (rc == DR_OK) {
		audit_attach(s.cat);
		rc = j->work(&s, j->arg, &line);
	} else {
		line = xasprintf("cannot open the catalog: %s", err);
	}
	free(err);
	catalog_close(s.cat);
	pthread_mutex_lock(&j->lock);
	j->rc = rc;
	j->line = line;
	j->finished = 1;
	j->dirty = 1;
	pthread_mutex_unlock(&j->lock);
	return NULL;
}

/* ---- the screen's side ----------------------------------------------- */

int job_confirm(const char *title, const char *question)
{
	int w, key;

	for (;;) {
		w = getmaxx(stdscr);
		werase(stdscr);
		screen_fill(stdscr, 0, 0, 1, w, screen_attr(THEME_HEADER));
		screen_put(stdscr, 0, 0, w, screen_attr(THEME_HEADER), title);
		screen_put(stdscr, 3, 2, w - 4,
		           screen_attr(THEME_TITLE) | A_BOLD, question);
		modal_frame_end(NULL, " y: yes   n/Enter/Esc: no");
		if (modal_quitting())
			break;
		key = modal_key(1000);
		if (key == ERR || key == KEY_RESIZE)
			continue;
		if (key == 'y' || key == 'Y')
			return 1;
		break;
	}
	modal_reraise();
	return 0;
}

/* Starts the thread with every signal blocked in it: the terminal's
 * signals (resize, suspend, hang-up) stay this thread's. */
static int job_start(struct job *j, pthread_t *t)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(t, NULL, job_thread, j);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/* Until the work ends: draws what it reports, at most 10 times a second
 * and at least once a second (the clock), and passes a stop on. */
static void job_watch(struct job *j)
{
	static const char *const keys = " a/Ctrl-C: stop";

	for (;;) {
		int key = modal_key(100);
		int asked = key == 'a' || key == 'A' ||
		            key == MODAL_CTRL('c') || modal_quitting();

		if (asked && !j->stop) {
			j->stop = 1;
			cancel_request();
			snprintf(j->status, sizeof j->status,
			         "stopping: waiting for it to leave its row "
			         "failed");
		}
		pthread_mutex_lock(&j->lock);
		int done = j->finished;
		if (!done && (j->dirty || key == KEY_RESIZE || asked ||
		              modal_ms() - j->last_draw_ms >= 1000))
			job_draw(j, keys);
		pthread_mutex_unlock(&j->lock);
		if (done)
			return;
	}
}

int job_run(const struct view_ctx *ctx, const char *title, const char *what,
            job_work_fn work, void *arg, char **summary)
{
	struct job j;
	pthread_t t;
	int key, ok;

	memset(&j, 0, sizeof j);
	j.title = title;
	j.ctx = ctx;
	j.work = work;
	j.arg = arg;
	pthread_mutex_init(&j.lock, NULL);
	snprintf(j.status, sizeof j.status, "running: %s", what);
	j.started_ms = modal_ms();
	job_draw(&j, " a/Ctrl-C: stop");
	cancel_reset();
	if (job_start(&j, &t) != 0) {
		j.rc = DR_EIO;
		j.line = xstrdup("could not start: no thread for it");
	} else {
		job_watch(&j);
		pthread_join(t, NULL);
	}
	cancel_reset();

	int64_t took = (modal_ms() - j.started_ms) / 1000;
	j.started_ms = 0;
	ok = j.rc == DR_OK;
	j.progress[0] = '\0';
	if (j.line != NULL)
		modal_output_push(&j.out, j.line);
	snprintf(j.status, sizeof j.status, "%s in %lld:%02lld",
	         ok       ? "done"
	         : j.stop ? "stopped"
	                  : "FAILED",
	         (long long)(took / 60), (long long)(took % 60));
	if (summary != NULL)
		*summary = xasprintf("%s: %s%s%s", title, j.status,
		                     j.line ? "; " : "", j.line ? j.line : "");
	free(j.line);
	/* Until a key: the operator reads how it ended. */
	for (;;) {
		job_draw(&j, " x/Enter/Esc: close");
		if (modal_quitting())
			break;
		key = modal_key(1000);
		if (key == 'x' || key == 'X' || key == '\n' || key == '\r' ||
		    key == KEY_ENTER || key == MODAL_KEY_ESCAPE || key == 'q' ||
		    key == MODAL_CTRL('c'))
			break;
	}
	modal_output_clear(&j.out);
	pthread_mutex_destroy(&j.lock);
	modal_reraise();
	return ok ? 0 : -1;
}
