/* See job.h.  The command runs through core/runbook_proc.c (a process
 * group of its own, output through one pipe, a stop that kills the
 * group); its arguments travel as environment variables that the shell
 * text only names, so no value is ever parsed as shell. */
#include "tui/job.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/runbook_proc.h"
#include "core/xmalloc.h"
#include "tui/cmd.h"
#include "tui/modal.h"
#include "tui/screen.h"

#define JOB_ARGS 4

extern char **environ;

struct job {
	const char *title;
	struct modal_output out;
	char status[160]; /* under the output */
	int64_t last_draw_ms;
	int64_t started_ms; /* 0: ended (no clock in the status) */
};

/* Rows a line takes, wrapped at `w` columns (bytes stand for columns:
 * the commands print ASCII). */
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

static void job_draw(struct job *j, const char *keys)
{
	int h, w, rows, used = 0, y = 2;
	size_t from = j->out.n;

	getmaxyx(stdscr, h, w);
	werase(stdscr);
	screen_fill(stdscr, 0, 0, 1, w, screen_attr(THEME_HEADER));
	screen_put(stdscr, 0, 0, w, screen_attr(THEME_HEADER), j->title);
	rows = h - 4;
	if (j->out.partial_len > 0)
		used = job_rows(j->out.partial, w - 2);
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
	if (j->out.partial_len > 0 && used <= rows && w > 2)
		job_put(y, w - 2, j->out.partial);
	char status[200];
	if (j->started_ms > 0) {
		int64_t s = (modal_ms() - j->started_ms) / 1000;
		snprintf(status, sizeof status, "%s  (%lld:%02lld elapsed)",
		         j->status, (long long)(s / 60), (long long)(s % 60));
	} else {
		snprintf(status, sizeof status, "%s", j->status);
	}
	modal_frame_end(status, keys);
	j->last_draw_ms = modal_ms();
}

static void job_output(void *arg, const char *buf, size_t len)
{
	struct job *j = arg;

	modal_output_feed(&j->out, buf, len);
	if (modal_ms() - j->last_draw_ms >= 100)
		job_draw(j, " a/Ctrl-C: stop");
}

static int job_should_stop(void *arg)
{
	struct job *j = arg;
	int key = modal_key(0);

	if (key == KEY_RESIZE || modal_ms() - j->last_draw_ms >= 1000)
		job_draw(j, " a/Ctrl-C: stop");
	return key == 'a' || key == 'A' || key == MODAL_CTRL('c');
}

/* The child's environment: ours, and the values the shell text names. */
static char **job_env(const struct view_ctx *ctx, const char *self,
                      const char *const *args, size_t n_args)
{
	size_t n = 0, cap = 8 + JOB_ARGS;
	char **env;

	for (char **e = environ; *e; e++)
		cap++;
	env = xcalloc(cap, sizeof *env);
	for (char **e = environ; *e; e++)
		if (strncmp(*e, "DR_JOB_", 7) != 0)
			env[n++] = xstrdup(*e);
	env[n++] = xasprintf("DR_JOB_SELF=%s", self);
	/* A backup says how far it got (bytes, rate, elapsed) on one line
	 * it rewrites; the job screen shows that line as it changes. */
	env[n++] = xstrdup("DR_JOB_PROGRESS=1");
	env[n++] = xasprintf("DR_JOB_CATALOG=%s", ctx->catalog_path);
	if (ctx->config_path != NULL)
		env[n++] = xasprintf("DR_JOB_CONFIG=%s", ctx->config_path);
	for (size_t i = 0; i < n_args; i++)
		env[n++] = xasprintf("DR_JOB_%zu=%s", i + 1, args[i]);
	return env;
}

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

int job_screen(const struct view_ctx *ctx, const char *title,
               const char *const *args, char **summary)
{
	struct job j;
	struct runbook_proc_result res;
	struct runbook_proc_opts opts;
	char self[4096], command[256], *err = NULL;
	char **env;
	size_t n_args = 0, at;
	int rc, key;

	while (args[n_args] != NULL && n_args < JOB_ARGS)
		n_args++;
	if (cli_self_exe(self, sizeof self) != 0) {
		if (summary)
			*summary = xstrdup("cannot find this program's binary");
		return -1;
	}
	/* Only names here; the values are in the environment. */
	at = (size_t)snprintf(command, sizeof command,
	                      "exec \"$DR_JOB_SELF\" --catalog "
	                      "\"$DR_JOB_CATALOG\" ${DR_JOB_CONFIG:+--config "
	                      "\"$DR_JOB_CONFIG\"}");
	for (size_t i = 0; i < n_args && at < sizeof command; i++)
		at += (size_t)snprintf(command + at, sizeof command - at,
		                       " \"$DR_JOB_%zu\"", i + 1);
	env = job_env(ctx, self, args, n_args);

	memset(&j, 0, sizeof j);
	j.title = title;
	at = (size_t)snprintf(j.status, sizeof j.status, "running: drconsole");
	for (size_t i = 0; i < n_args && at < sizeof j.status; i++)
		at += (size_t)snprintf(j.status + at, sizeof j.status - at,
		                       " %s", args[i]);
	j.started_ms = modal_ms();
	job_draw(&j, " a/Ctrl-C: stop");

	memset(&opts, 0, sizeof opts);
	opts.command = command;
	opts.env = env;
	opts.on_output = job_output;
	opts.should_stop = job_should_stop;
	opts.arg = &j;
	memset(&res, 0, sizeof res);
	rc = runbook_proc_run(&opts, &res, &err);
	for (size_t i = 0; env[i] != NULL; i++)
		free(env[i]);
	free(env);
	if (j.out.partial_len > 0) {
		modal_output_push(&j.out, j.out.partial);
		j.out.partial_len = 0;
		j.out.partial[0] = '\0';
	}

	int status;
	int64_t took = (modal_ms() - j.started_ms) / 1000;
	j.started_ms = 0;
	if (rc != DR_OK) {
		snprintf(j.status, sizeof j.status, "could not start: %s",
		         err ? err : "unknown error");
		status = -1;
	} else if (res.stopped) {
		snprintf(j.status, sizeof j.status, "stopped");
		status = -1;
	} else if (res.signal != 0) {
		snprintf(j.status, sizeof j.status, "ended by signal %d",
		         res.signal);
		status = -1;
	} else {
		snprintf(j.status, sizeof j.status,
		         "%s (exit %d) in %lld:%02lld",
		         res.exit_code == 0 ? "done" : "FAILED", res.exit_code,
		         (long long)(took / 60), (long long)(took % 60));
		status = res.exit_code;
	}
	free(err);
	if (summary != NULL) {
		const char *last =
		    j.out.n > 0 ? modal_output_line(&j.out, j.out.n - 1) : "";
		*summary = xasprintf("%s: %s%s%s", title, j.status,
		                     last[0] ? "; " : "", last);
	}
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
	modal_reraise();
	return status;
}
