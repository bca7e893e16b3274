/* The Runbooks view: the runbooks found, with scenario, targets and last
 * run; a wizard that asks for the incident type, the affected services and
 * the variables; and the step view of a running execution.
 *
 * While a runbook runs, the engine (core/runbook_exec.h) drives: it calls
 * back for output, confirmations and decisions, and each callback draws
 * the step view and reads keys in a loop of its own until it has an
 * answer.  The console's main loop is paused meanwhile, which is what an
 * operator expects: the run owns the screen until it ends or is paused.
 * The run uses a read-write connection of its own to the catalog (the
 * console's is read-only only under --read-only and --wall), and goes
 * through the runbook ops (core/ops_runbook.h), as line mode does. */
#include "tui/view_runbooks.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/duration.h"
#include "core/error.h"
#include "core/ops_runbook.h"
#include "core/runbook.h"
#include "core/runbook_exec.h"
#include "core/runbook_notify.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "db/catalog_runbook.h"
#include "tui/listnav.h"
#include "tui/modal.h"
#include "tui/screen.h"

#define RB_FIELD_MAX 256

struct rb_entry {
	char *path;
	struct runbook *rb; /* NULL when invalid */
	char last[64];      /* last run, from the catalog */
};

/* One run on screen. */
struct rb_run {
	struct runbook_exec *x;
	struct modal_output out; /* the step's output */
	char prompt[300];        /* the question, when one is asked */
	char note[300];          /* the newest note from the engine */
	int64_t last_draw_ms;
	int stop; /* the operator asked to stop the command */
	/* The step's command and instructions scroll when they do not fit:
	 * the first row shown, and the rows and page of the last frame. */
	size_t body_top, body_n, body_page;
	/* The operator confirmed a rollback: the engine's notes join the
	 * output, which is shown again when the run has ended. */
	int rolling_back;
	/* The session the run belongs to: its notes land in note. */
	struct ops_events ev;
	struct ops_session ses;
};

struct runbooks {
	struct listnav nav;
	struct rb_entry *entries;
	size_t n;
	char filter[128];
	int page;
	struct rb_run *run; /* while a run is on screen */
	size_t n_open;      /* unfinished runs, for the hint */
};

static void entries_free(struct runbooks *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->entries[i].path);
		runbook_free(v->entries[i].rb);
	}
	free(v->entries);
	v->entries = NULL;
	v->n = 0;
}

static void load(struct runbooks *v, struct view_ctx *ctx)
{
	char **dirs = NULL, **files = NULL, *err = NULL;
	size_t n_dirs = 0, n_files = 0, n_recs = 0;
	struct catalog_recovery *recs = NULL;

	entries_free(v);
	runbook_search_dirs(ctx->cfg ? ctx->cfg->runbook_dir : NULL, &dirs,
	                    &n_dirs);
	runbook_list_files(dirs, n_dirs, &files, &n_files);
	if (ctx->cat != NULL &&
	    catalog_recovery_list(ctx->cat, 0, &recs, &n_recs, &err) !=
	        CATALOG_OK) {
		free(err);
		n_recs = 0;
	}
	v->entries = xcalloc(n_files + 1, sizeof *v->entries);
	for (size_t i = 0; i < n_files; i++) {
		struct rb_entry *e = &v->entries[v->n];
		char *why = NULL;

		if (v->filter[0] && !strcasestr(files[i], v->filter))
			continue;
		e->path = xstrdup(files[i]);
		if (runbook_load(files[i], &e->rb, &why) != DR_OK)
			free(why);
		strlcpy_dr(e->last, "-", sizeof e->last);
		for (size_t j = 0; e->rb && j < n_recs; j++) {
			char at[32];

			if (strcmp(recs[j].recovery_procedure, e->rb->name))
				continue;
			time_format_short(recs[j].initiated_at, at);
			/* Without the year, so that it fits 80 columns. */
			snprintf(e->last, sizeof e->last, "%s %s%s",
			         strlen(at) > 5 ? at + 5 : at,
			         recs[j].is_drill ? "drill " : "",
			         recs[j].recovery_status);
			break;
		}
		v->n++;
	}
	catalog_recoveries_free(recs, n_recs);
	v->n_open = 0;
	if (ctx->cat != NULL) {
		struct catalog_runbook_exec *open = NULL;

		if (catalog_runbook_exec_list_open(ctx->cat, &open, &v->n_open,
		                                   &err) != CATALOG_OK) {
			free(err);
			v->n_open = 0;
		}
		catalog_runbook_execs_free(open, v->n_open);
	}
	runbook_values_free(files, n_files);
	runbook_values_free(dirs, n_dirs);
	v->nav.n = v->n;
	listnav_fit(&v->nav, v->page);
}

static void *runbooks_open(struct view_ctx *ctx)
{
	struct runbooks *v = xcalloc(1, sizeof *v);

	v->page = 10;
	load(v, ctx);
	return v;
}

static void runbooks_close(void *state)
{
	struct runbooks *v = state;

	if (v == NULL)
		return;
	entries_free(v);
	free(v);
}

static void runbooks_reload(void *state, struct view_ctx *ctx, unsigned change)
{
	if (change & VIEW_CHANGE_DATA)
		load(state, ctx);
}

static void runbooks_draw(void *state, struct view_ctx *ctx, WINDOW *win,
                          struct view_rect r)
{
	struct runbooks *v = state;

	screen_put(win, r.y, r.x, r.w, screen_attr(THEME_COLUMN_HEADER),
	           "RUNBOOK               SCENARIO     RTO   RPO STEPS  "
	           "LAST RUN");
	v->page = r.h - 4;
	listnav_fit(&v->nav, v->page);
	if (v->n == 0 && v->filter[0])
		screen_put(win, r.y + 2, r.x + 2, r.w - 4,
		           screen_attr(THEME_DIM),
		           "No runbook matches the filter.");
	else if (v->n == 0) {
		/* Where it looked, on a line of its own: 80 columns. */
		screen_put(win, r.y + 2, r.x + 2, r.w - 4,
		           screen_attr(THEME_DIM), "No runbooks found.");
		screen_put(win, r.y + 3, r.x + 2, r.w - 4,
		           screen_attr(THEME_DIM),
		           "Looked in the config's runbook_dir and the "
		           "installed ones.");
	}
	for (int i = 0; i < v->page && v->nav.top + (size_t)i < v->n; i++) {
		size_t row = v->nav.top + (size_t)i;
		const struct rb_entry *e = &v->entries[row];
		attr_t a = !ctx->wall && row == v->nav.sel
		               ? screen_attr(THEME_SELECTION)
		               : screen_attr(THEME_NORMAL);
		char rto[16], rpo[16];

		if (e->rb == NULL) {
			screen_putf(win, r.y + 1 + i, r.x, r.w, a,
			            "%-21.21s (invalid: drconsole runbook "
			            "check %s)",
			            e->path, e->path);
			continue;
		}
		duration_format(e->rb->rto_s, rto, sizeof rto);
		duration_format(e->rb->rpo_s, rpo, sizeof rpo);
		screen_putf(win, r.y + 1 + i, r.x, r.w, a,
		            "%-21.21s %-10.10s %5s %5s %5zu  %s", e->rb->name,
		            e->rb->scenario, rto, rpo, e->rb->n_steps, e->last);
	}
	if (v->n_open > 0)
		screen_putf(win, r.y + r.h - 2, r.x, r.w,
		            screen_attr(THEME_MESSAGE),
		            " %zu runbook run%s interrupted or paused: R "
		            "resumes at the step where it stopped",
		            v->n_open, v->n_open == 1 ? " is" : "s are");
	else if (v->n > 0 && v->nav.sel < v->n && v->entries[v->nav.sel].rb)
		screen_putf(win, r.y + r.h - 2, r.x, r.w,
		            screen_attr(THEME_DIM), " %s",
		            v->entries[v->nav.sel].rb->title);
	screen_put(win, r.y + r.h - 1, r.x, r.w, screen_attr(THEME_DIM),
	           " Enter preview  r run  d drill  R resume an interrupted "
	           "run");
}

/* ---- pages that scroll, and the run screen --------------------------- */

/* Says where the page stands when it does not fit: the operator must know
 * there is more before answering a question about it. */
static void page_marker(int y, int x, int w, size_t top, size_t rows, size_t n)
{
	size_t last = top + rows < n ? top + rows : n;

	if (n <= rows)
		return;
	/* Short enough for the step view's right pane at 80 columns. */
	if (last < n)
		screen_putf(
		    stdscr, y, x, w, screen_attr(THEME_MESSAGE),
		    "%s-- more below: PgDn/Down (rows %zu-%zu of %zu) --",
		    x == 0 ? " " : "", top + 1, last, n);
	else
		screen_putf(
		    stdscr, y, x, w, screen_attr(THEME_DIM),
		    "%s-- the end (rows %zu-%zu of %zu); PgUp/Up: above",
		    x == 0 ? " " : "", top + 1, last, n);
}

/* Scrolls *top by key over n rows with a page of rows; 1 when it was a
 * scrolling key. */
static int page_scroll(int key, size_t *top, size_t rows, size_t n)
{
	size_t max = n > rows ? n - rows : 0;

	switch (key) {
	case KEY_DOWN:
	case 'j':
		*top += 1;
		break;
	case KEY_UP:
	case 'k':
		*top = *top > 0 ? *top - 1 : 0;
		break;
	case KEY_NPAGE:
	case ' ':
	case MODAL_CTRL('f'):
		*top += rows > 1 ? rows - 1 : 1;
		break;
	case KEY_PPAGE:
	case MODAL_CTRL('b'):
		*top = *top > rows - 1 ? *top - (rows > 1 ? rows - 1 : 1) : 0;
		break;
	case KEY_HOME:
	case 'g':
		*top = 0;
		break;
	case KEY_END:
	case 'G':
		*top = max;
		break;
	default:
		return 0;
	}
	if (*top > max)
		*top = max;
	return 1;
}

static attr_t clock_attr(enum runbook_clock c)
{
	switch (c) {
	case RUNBOOK_CLOCK_OK:
		return screen_attr(THEME_BAR_OK);
	case RUNBOOK_CLOCK_AT_RISK:
		return screen_attr(THEME_BAR_WARN);
	case RUNBOOK_CLOCK_OVER:
		return screen_attr(THEME_BAR_BAD);
	}
	return screen_attr(THEME_NORMAL);
}

static const char *status_mark(const char *status)
{
	if (strcmp(status, "completed") == 0)
		return "[x]";
	if (strcmp(status, "running") == 0)
		return "[>]";
	if (strcmp(status, "failed") == 0)
		return "[!]";
	if (strcmp(status, "skipped") == 0)
		return "[-]";
	if (strcmp(status, "interrupted") == 0)
		return "[?]";
	if (strcmp(status, "rolled_back") == 0)
		return "[<]";
	return "[ ]";
}

/* Word-wraps text into at most max_rows rows at (y, x), w wide. */
static int draw_wrapped(int y, int x, int w, int max_rows, attr_t a,
                        const char *text)
{
	int rows = 0;
	const char *p = text;

	while (*p && rows < max_rows) {
		size_t len = strlen(p), take = len;
		const char *nl = strchr(p, '\n');

		if (nl && (size_t)(nl - p) < take)
			take = (size_t)(nl - p);
		if (take > (size_t)w) {
			take = (size_t)w;
			while (take > 0 && p[take] != ' ')
				take--;
			if (take == 0)
				take = (size_t)w;
		}
		char *line = xstrndup(p, take);
		screen_put(stdscr, y + rows, x, w, a, line);
		free(line);
		rows++;
		p += take;
		while (*p == ' ' || *p == '\n')
			p++;
	}
	return rows;
}

/* Fills l with the page's rows for a screen w columns wide. */
typedef void (*page_build_fn)(void *arg, int w, struct modal_lines *l);

/* A full-screen page of rows under a title, scrolled with the arrows,
 * PgUp/PgDn, Space, Home/End; prompt (may be NULL) on the second-last
 * row, keys in the footer.  Returns the first other key. */
static int page_show(const char *title, page_build_fn build, void *arg,
                     size_t *top, const char *prompt, const char *keys)
{
	for (;;) {
		struct modal_lines l = {0};
		int h, w, key;
		size_t rows;

		if (modal_quitting())
			return MODAL_CTRL('c');
		getmaxyx(stdscr, h, w);
		rows = h > 5 ? (size_t)(h - 4) : 1;
		build(arg, w - 2, &l);
		if (*top + rows > l.n)
			*top = l.n > rows ? l.n - rows : 0;
		werase(stdscr);
		screen_fill(stdscr, 0, 0, 1, w, screen_attr(THEME_HEADER));
		screen_put(stdscr, 0, 0, w, screen_attr(THEME_HEADER), title);
		for (size_t i = 0; i < rows && *top + i < l.n; i++)
			screen_put(stdscr, 1 + (int)i, 1, w - 2,
			           screen_attr(THEME_NORMAL), l.row[*top + i]);
		page_marker(h - 3, 0, w, *top, rows, l.n);
		modal_frame_end(prompt, keys);
		key = modal_key(1000);
		if (key != ERR && key != KEY_RESIZE &&
		    !page_scroll(key, top, rows, l.n)) {
			modal_lines_free(&l);
			return key;
		}
		modal_lines_free(&l);
	}
}

/* The rows of the current step's text: its command (the drill form in a
 * drill), then its instructions with the variables filled in. */
static size_t body_rows(const struct rb_run *run, struct modal_lines *body,
                        const char *cmd, const char *instructions, int w)
{
	const struct catalog_recovery *rec = runbook_exec_record(run->x);
	size_t cmd_rows = 0;

	if (cmd != NULL) {
		char *text =
		    xasprintf("%s$ %s%s", run->rolling_back ? "rollback " : "",
		              cmd, rec->is_drill ? "  (drill form)" : "");
		modal_lines_wrap(body, text, w, "  ");
		free(text);
		cmd_rows = body->n;
	}
	if (instructions != NULL) {
		char *ins = runbook_exec_expand(run->x, instructions);
		modal_lines_wrap(body, ins, w, "");
		free(ins);
	}
	return cmd_rows;
}

static void draw_steps(struct rb_run *run, const char *keys)
{
	const struct runbook_exec *x = run->x;
	const struct runbook *rb = runbook_exec_runbook(x);
	const struct catalog_recovery *rec = runbook_exec_record(x);
	size_t cur = runbook_exec_current(x);
	int h, w, tree_w, y, rx, rw;
	int64_t elapsed;
	enum runbook_clock c = runbook_exec_clock(x, time_now(), &elapsed);
	char e[32], t[32], line[512];

	getmaxyx(stdscr, h, w);
	werase(stdscr);
	/* Header: what runs, and the RTO clock. */
	screen_fill(stdscr, 0, 0, 1, w, screen_attr(THEME_HEADER));
	screen_putf(stdscr, 0, 0, w, screen_attr(THEME_HEADER),
	            " %s%s  %s  incident %s  services %s",
	            rec->is_drill ? "DRILL " : "", rb->name,
	            rec->recovery_status, rec->incident_type,
	            rec->affected_services ? rec->affected_services : "-");
	duration_format(elapsed, e, sizeof e);
	duration_format(rec->rto_target_s, t, sizeof t);
	snprintf(line, sizeof line, " RTO %s / %s%s ", e, t,
	         c == RUNBOOK_CLOCK_OVER      ? " OVER RTO"
	         : c == RUNBOOK_CLOCK_AT_RISK ? " AT RISK"
	                                      : "");
	screen_put(stdscr, 1, 0, -1, clock_attr(c) | A_BOLD, line);
	screen_putf(stdscr, 1, screen_width(line) + 1,
	            w - screen_width(line) - 1, screen_attr(THEME_DIM),
	            "recovery %s", rec->recovery_id);

	/* Left: phases and steps with their status. */
	tree_w = w >= 100 ? 34 : 28;
	y = 3;
	for (size_t p = 0; p < rb->n_phases && y < h - 2; p++) {
		const struct runbook_phase *ph = &rb->phases[p];

		screen_putf(stdscr, y++, 0, tree_w, screen_attr(THEME_TITLE),
		            "%zu %s", p + 1, ph->name);
		for (size_t i = ph->first;
		     i < ph->first + ph->count && y < h - 2; i++) {
			const struct catalog_recovery_step *rs =
			    runbook_exec_step(x, i);
			attr_t a = i == cur ? screen_attr(THEME_SELECTION)
			                    : screen_attr(THEME_NORMAL);
			screen_putf(stdscr, y++, 0, tree_w, a, " %s %s",
			            status_mark(rs->status), rb->steps[i].id);
		}
	}

	/* Right: the current step, its command and instructions, output. */
	rx = tree_w + 1;
	rw = w - rx;
	y = 3;
	if (cur < rb->n_steps) {
		struct modal_lines body = {0};
		const struct runbook_step *st = &rb->steps[cur];
		const struct catalog_recovery_step *rs =
		    runbook_exec_step(x, cur);
		const char *cmd = !run->rolling_back
		                      ? runbook_exec_command(x, cur)
		                  : rec->is_drill ? st->rollback_drill
		                                  : st->rollback;
		char *title = runbook_exec_expand(x, st->title);

		screen_putf(stdscr, y++, rx, rw, screen_attr(THEME_TITLE),
		            "Step %zu/%zu %s: %s", cur + 1, rb->n_steps, st->id,
		            title);
		free(title);
		screen_putf(stdscr, y++, rx, rw, screen_attr(THEME_DIM),
		            "%s, confirm %s, timeout %llds - %s", st->kind_name,
		            runbook_confirm_label(st->confirm),
		            (long long)st->timeout_s, rs->status);
		size_t cmd_rows =
		    body_rows(run, &body, cmd, st->instructions, rw);
		{
			/* The command shown whole: what does not fit scrolls,
			 * and the last row says so.  While a question is asked
			 * it may take all but a few rows of output. */
			size_t shown =
			    run->out.n + (run->out.partial_len ? 1 : 0);
			int out_min = run->prompt[0] ? (shown ? 3 : 0) : 6;
			int room =
			    h - 2 - y - 2 - (run->note[0] ? 1 : 0) - out_min;
			size_t rows = room > 2 ? (size_t)room : 2;

			if (body.n > rows)
				rows--; /* the marker's row */
			if (run->body_top + rows > body.n)
				run->body_top =
				    body.n > rows ? body.n - rows : 0;
			for (size_t i = 0;
			     i < rows && run->body_top + i < body.n; i++)
				screen_put(stdscr, y++, rx, rw,
				           run->body_top + i < cmd_rows
				               ? screen_attr(THEME_NORMAL) |
				                     A_BOLD
				               : screen_attr(THEME_NORMAL),
				           body.row[run->body_top + i]);
			if (body.n > rows)
				page_marker(y++, rx, rw, run->body_top, rows,
				            body.n);
			run->body_n = body.n;
			run->body_page = rows;
		}
		modal_lines_free(&body);
	}
	if (run->note[0])
		screen_putf(stdscr, y++, rx, rw, screen_attr(THEME_MESSAGE),
		            "! %s", run->note);
	screen_hline(stdscr, y++, rx, rw, screen_attr(THEME_BORDER));
	/* Live output: the newest lines that fit. */
	{
		int rows = h - 2 - y;
		size_t shown = run->out.n + (run->out.partial_len ? 1 : 0);
		size_t skip = shown > (size_t)(rows > 0 ? rows : 0)
		                  ? shown - (size_t)rows
		                  : 0;
		for (size_t i = skip; i < run->out.n && y < h - 2; i++)
			screen_put(stdscr, y++, rx, rw,
			           screen_attr(THEME_NORMAL),
			           modal_output_line(&run->out, i));
		if (run->out.partial_len && y < h - 2) {
			screen_put(stdscr, y++, rx, rw,
			           screen_attr(THEME_NORMAL), run->out.partial);
		}
	}
	/* The question, and the keys. */
	modal_frame_end(run->prompt, keys);
	run->last_draw_ms = modal_ms();
}

/* The step view; before the run exists (resume asks its takeover
 * question first) there are no steps to draw, only the question. */
static void draw_run(struct rb_run *run, const char *keys)
{
	if (run->x == NULL) {
		werase(stdscr);
		modal_frame_end(run->prompt, keys);
		return;
	}
	draw_steps(run, keys);
}

/* ---- the engine's callbacks ----------------------------------------- */

/* PgUp/PgDn, the arrows, Home/End scroll the step's command and
 * instructions (only keys no one types, so that a typed confirmation
 * can hold any letter); 1 when key was one of them. */
static int body_scroll(struct rb_run *run, int key)
{
	if (key < KEY_MIN)
		return 0;
	return page_scroll(key, &run->body_top, run->body_page, run->body_n);
}

static void cb_event(void *arg, const struct runbook_exec *x,
                     enum runbook_event ev, size_t step, const char *text)
{
	struct rb_run *run = arg;

	(void)step;
	run->x = (struct runbook_exec *)x;
	if (ev == RUNBOOK_EV_NOTE && !run->rolling_back)
		snprintf(run->note, sizeof run->note, "%s", text);
	/* While rolling back, the engine's notes go with the output, where
	 * they stay in order with what each rollback printed. */
	if (ev == RUNBOOK_EV_NOTE && run->rolling_back) {
		char *line = xasprintf("== %s", text);
		if (run->out.partial_len > 0)
			modal_output_feed(&run->out, "\n", 1);
		modal_output_push(&run->out, line);
		free(line);
	}
	if (ev == RUNBOOK_EV_STEP_BEGIN) {
		modal_output_clear(&run->out);
		run->note[0] = '\0';
		run->body_top = 0;
	}
	run->prompt[0] = '\0';
	draw_run(run, " a/Ctrl-C: stop the command");
}

static void cb_output(void *arg, const struct runbook_exec *x, size_t step,
                      const char *buf, size_t len)
{
	struct rb_run *run = arg;

	(void)x;
	(void)step;
	modal_output_feed(&run->out, buf, len);
	if (modal_ms() - run->last_draw_ms >= 100)
		draw_run(run, " a/Ctrl-C: stop the command");
}

/* A webhook that could not be told: said on screen, never stopping the
 * run. */
/* The session's notes (a notification not sent) under the steps. */
static void run_note(void *arg, const char *text)
{
	struct rb_run *run = arg;

	snprintf(run->note, sizeof run->note, "%s", text);
}

/* A notify step: on screen first (sending may take a webhook's timeout),
 * then to the configured channels. */
static void cb_notify(void *arg, const struct runbook_exec *x,
                      const char *message)
{
	struct rb_run *run = arg;
	char *line = xasprintf("NOTIFY: %s", message);

	modal_output_push(&run->out, line);
	free(line);
	draw_run(run, " a/Ctrl-C: stop the command");
	run->note[0] = '\0';
	ops_runbook_notify(&run->ses, x, message);
	if (run->note[0] != '\0')
		draw_run(run, " a/Ctrl-C: stop the command");
}

/* The terminal hung up (SIGHUP): the step runs on by itself and the run
 * is left detached for `runbook resume`; other quit signals stop it. */
static int hung_up(void)
{
	return modal_quitting() && screen_quit_signal() == SIGHUP;
}

static int cb_detach(void *arg)
{
	(void)arg;
	return hung_up();
}

static int cb_stop(void *arg)
{
	struct rb_run *run = arg;
	int key = modal_key(0);

	if (hung_up())
		return 0;

	if (key == 'a' || key == 'A' || key == MODAL_CTRL('c'))
		run->stop = 1;
	if (key == KEY_RESIZE || body_scroll(run, key) ||
	    modal_ms() - run->last_draw_ms >= 1000)
		draw_run(run, " a/Ctrl-C: stop the command");
	if (run->stop) {
		run->stop = 0;
		return 1;
	}
	return 0;
}

static int cb_yes(void *arg, const struct runbook_exec *x, size_t step,
                  const char *question)
{
	struct rb_run *run = arg;

	(void)x;
	(void)step;
	snprintf(run->prompt, sizeof run->prompt, " %s  y: yes   n: no",
	         question);
	for (;;) {
		draw_run(run, " y yes  n no  PgUp/PgDn the command  Ctrl-C "
		              "leave (the run pauses)");
		int key = modal_key(1000);
		if (body_scroll(run, key))
			continue;
		if (key == 'y' || key == 'Y')
			return 1;
		if (key == 'n' || key == 'N' || key == MODAL_KEY_ESCAPE)
			return 0;
		if (key == MODAL_CTRL('c'))
			return -1;
	}
}

/* A question asked before the run exists (resume's takeover of a run
 * whose holder died): there are no steps to draw yet, so the question
 * takes the screen, whole, with the answer being typed under it. */
static void draw_question(const char *question, const char *text,
                          const char *keys)
{
	struct modal_lines l = {0};
	int h, w, y = 2;

	getmaxyx(stdscr, h, w);
	werase(stdscr);
	screen_fill(stdscr, 0, 0, 1, w, screen_attr(THEME_HEADER));
	screen_put(stdscr, 0, 0, w, screen_attr(THEME_HEADER),
	           " Resume a runbook run");
	modal_lines_wrap(&l, question, w - 4, "");
	for (size_t i = 0; i < l.n && y < h - 4; i++)
		screen_put(stdscr, y++, 2, w - 4, screen_attr(THEME_TITLE),
		           l.row[i]);
	modal_lines_free(&l);
	screen_putf(stdscr, y + 1, 2, w - 4, screen_attr(THEME_NORMAL) | A_BOLD,
	            "> %s_", text);
	modal_frame_end(NULL, keys);
}

/* Edits a line at the bottom; NULL when the operator left with Ctrl-C. */
static char *edit_line(struct rb_run *run, const char *question,
                       const char *keys)
{
	char text[RB_FIELD_MAX] = "";
	size_t len = 0;

	for (;;) {
		snprintf(run->prompt, sizeof run->prompt, " %s: %s_", question,
		         text);
		if (run->x == NULL)
			draw_question(question, text, keys);
		else
			draw_run(run, keys);
		int key = modal_key(1000);
		if (run->x != NULL && body_scroll(run, key))
			continue;
		if (key == '\n' || key == '\r' || key == KEY_ENTER)
			return xstrdup(text);
		if (key == MODAL_CTRL('c'))
			return NULL;
		if (key == MODAL_KEY_ESCAPE)
			return xstrdup("");
		if ((key == KEY_BACKSPACE || key == 127 ||
		     key == MODAL_CTRL('h')) &&
		    len > 0)
			text[--len] = '\0';
		else if (key >= ' ' && key < 127 && len + 1 < sizeof text) {
			text[len++] = (char)key;
			text[len] = '\0';
		}
	}
}

static char *cb_word(void *arg, const struct runbook_exec *x, size_t step,
                     const char *question, const char *word)
{
	(void)x;
	(void)step;
	(void)word;
	return edit_line(arg, question,
	                 step == (size_t)-1
	                     ? " type the word, Enter  Esc decline  Ctrl-C "
	                       "leave"
	                     : " type the word, Enter  Esc decline  "
	                       "PgUp/PgDn the command  Ctrl-C leave");
}

struct rollback_plan {
	const struct runbook_exec *x;
	size_t upto; /* the step the decision is about */
	size_t n;    /* rollback commands that would run */
};

/* What a rollback from here would do: the engine undoes the completed
 * steps before this one that have a rollback, newest first. */
static void build_rollbacks(void *arg, int w, struct modal_lines *l)
{
	struct rollback_plan *plan = arg;
	const struct runbook *rb = runbook_exec_runbook(plan->x);
	int drill = runbook_exec_is_drill(plan->x);
	char *kept = xstrdup("");

	plan->n = 0;
	modal_lines_wrap(l,
	                 "Rolling back ends this run as rolled back.  These "
	                 "rollbacks run, newest first:",
	                 w, "");
	modal_lines_push(l, "");
	for (size_t j = plan->upto; j-- > 0;) {
		const struct runbook_step *st = &rb->steps[j];
		const char *status = runbook_exec_step(plan->x, j)->status;
		char *row;

		if (strcmp(status, "completed") != 0)
			continue;
		if (st->rollback == NULL) {
			char *both = xasprintf("%s%s%s", kept,
			                       kept[0] ? ", " : "", st->id);
			free(kept);
			kept = both;
			continue;
		}
		if (drill && st->rollback_drill == NULL)
			row = xasprintf("%s: no drill form: not run, only "
			                "marked rolled back",
			                st->id);
		else {
			row =
			    xasprintf("%s: $ %s%s", st->id,
			              drill ? st->rollback_drill : st->rollback,
			              drill ? "  (drill form)" : "");
			plan->n++;
		}
		modal_lines_wrap(l, row, w, "    ");
		free(row);
	}
	if (plan->n == 0)
		modal_lines_push(l, "(none: no rollback command runs)");
	if (kept[0]) {
		char *row = xasprintf("Completed without a rollback, left as "
		                      "they are: %s",
		                      kept);
		modal_lines_push(l, "");
		modal_lines_wrap(l, row, w, "  ");
		free(row);
	}
	free(kept);
}

/* b at a decision: the rollbacks listed, then a yes/no (no by default). */
static int confirm_rollback(const struct runbook_exec *x, size_t step)
{
	struct rollback_plan plan = {.x = x, .upto = step};
	struct modal_lines l = {0};
	char title[200], *q;
	size_t top = 0;
	int key;

	build_rollbacks(&plan, 78, &l); /* counts them */
	modal_lines_free(&l);
	snprintf(title, sizeof title, " Roll back %s",
	         runbook_exec_runbook(x)->name);
	q = plan.n == 1   ? xstrdup(" Run this rollback and end the run? y/n "
	                              "(Enter: no)")
	    : plan.n == 0 ? xstrdup(" End the run as rolled back? y/n "
	                            "(Enter: no)")
	                  : xasprintf(" Run these %zu rollbacks and end the "
	                              "run? y/n (Enter: no)",
	                              plan.n);
	do
		key = page_show(title, build_rollbacks, &plan, &top, q,
		                " y roll back   n Enter Esc: no, back to the "
		                "step");
	while (key != 'y' && key != 'Y' && key != 'n' && key != 'N' &&
	       key != '\n' && key != '\r' && key != KEY_ENTER &&
	       key != MODAL_KEY_ESCAPE && key != MODAL_CTRL('c'));
	free(q);
	return key == 'y' || key == 'Y';
}

static enum runbook_decision cb_decide(void *arg, const struct runbook_exec *x,
                                       size_t step, enum runbook_ask why,
                                       char **reason)
{
	struct rb_run *run = arg;
	const struct runbook *rb = runbook_exec_runbook(x);
	const char *id = step < rb->n_steps ? rb->steps[step].id : "?";

	snprintf(run->prompt, sizeof run->prompt, " Step %s %s.", id,
	         why == RUNBOOK_ASK_FAILED        ? "failed"
	         : why == RUNBOOK_ASK_INTERRUPTED ? "was interrupted"
	                                          : "was not confirmed");
	for (;;) {
		draw_run(
		    run,
		    why == RUNBOOK_ASK_INTERRUPTED
		        ? " r run again  d mark done  s skip  b rollback"
		          "  a abort  p pause"
		        : " r retry  s skip  b rollback  a abort  p pause  "
		          "PgUp/PgDn the command");
		int key = modal_key(1000);
		if (body_scroll(run, key))
			continue;
		switch (key) {
		case 'r':
			return RUNBOOK_DO_RETRY;
		case 'b':
			if (!confirm_rollback(x, step))
				continue;
			run->rolling_back = 1;
			run->note[0] = '\0';
			modal_output_clear(&run->out);
			return RUNBOOK_DO_ROLLBACK;
		case 'a':
			return RUNBOOK_DO_ABORT;
		case 'p':
		case MODAL_CTRL('c'):
			return RUNBOOK_DO_PAUSE;
		case 'd':
			if (why != RUNBOOK_ASK_INTERRUPTED)
				continue;
			*reason =
			    edit_line(run, "How do you know it is done",
			              " what you checked, Enter  Ctrl-C pause");
			if (*reason == NULL)
				return RUNBOOK_DO_PAUSE;
			if ((*reason)[0] == '\0') {
				free(*reason);
				*reason = NULL;
				continue;
			}
			return RUNBOOK_DO_DONE;
		case 's':
			*reason = edit_line(run, "Why skip it",
			                    " the reason, Enter  Ctrl-C pause");
			if (*reason == NULL)
				return RUNBOOK_DO_PAUSE;
			if ((*reason)[0] == '\0') {
				free(*reason);
				*reason = NULL;
				continue;
			}
			return RUNBOOK_DO_SKIP;
		}
	}
}

/* ---- the preview ---------------------------------------------------- */

/* "label: text" wrapped, the text's rows indented under it. */
static void wrap_field(struct modal_lines *l, int w, const char *indent,
                       const char *label, const char *text)
{
	char *row = xasprintf("%s%s%s", indent, label, text);
	char *more = xasprintf("%s    ", indent);

	modal_lines_wrap(l, row, w, more);
	free(row);
	free(more);
}

/* The services a run would start against, as the yes/no names them: the
 * runbook's, with the variables' defaults filled in where they have one. */
static char *start_services(const struct runbook *rb)
{
	char **values = NULL, *err = NULL, *all = xstrdup("");

	if (runbook_resolve_vars(rb, NULL, 0, &values, &err) != DR_OK) {
		free(err);
		values = NULL;
	}
	for (size_t i = 0; i < rb->n_services; i++) {
		char *one = values ? runbook_expand(rb, values, rb->services[i])
		                   : xstrdup(rb->services[i]);
		char *both = xasprintf("%s%s%s", all, i ? ", " : "", one);
		free(one);
		free(all);
		all = both;
	}
	if (values)
		runbook_values_free(values, rb->n_vars);
	return all;
}

/* What one step does, as the preview shows it. */
static void preview_step(struct modal_lines *l, int w,
                         const struct runbook_step *st, size_t n)
{
	char timeout[32], row[512];

	duration_format(st->timeout_s, timeout, sizeof timeout);
	snprintf(row, sizeof row, "  %zu %s  %s, confirm %s%s%s, timeout %s", n,
	         st->id, st->kind_name, runbook_confirm_label(st->confirm),
	         st->confirm == RUNBOOK_CONFIRM_TYPED ? ": " : "",
	         st->confirm == RUNBOOK_CONFIRM_TYPED && st->confirm_word
	             ? st->confirm_word
	             : "",
	         timeout);
	modal_lines_wrap(l, row, w, "      ");
	if (st->retries > 0) {
		snprintf(row, sizeof row, "      retries %d", st->retries);
		modal_lines_push(l, row);
	}
	wrap_field(l, w, "      ", "", st->title);
	if (st->command)
		wrap_field(l, w, "      ", "$ ", st->command);
	if (st->command && st->kind != RUNBOOK_KIND_MANUAL)
		wrap_field(l, w, "      ", "drill: ",
		           st->drill ? st->drill
		                     : "(none: skipped in a drill)");
	if (st->message)
		wrap_field(l, w, "      ", "message: ", st->message);
	if (st->verify)
		wrap_field(l, w, "      ", "verify: ", st->verify);
	if (st->undo)
		wrap_field(l, w, "      ", "undo: ", st->undo);
	if (st->rollback)
		wrap_field(l, w, "      ", "rollback: ", st->rollback);
	if (st->instructions)
		wrap_field(l, w, "      ", "", st->instructions);
}

/* The preview: everything a run would do, before anything does. */
static void build_preview(void *arg, int w, struct modal_lines *l)
{
	const struct runbook *rb = arg;
	char rto[32], rpo[32], row[512];
	size_t n_rollback = 0;

	duration_format(rb->rto_s, rto, sizeof rto);
	duration_format(rb->rpo_s, rpo, sizeof rpo);
	wrap_field(l, w, "", "", rb->title);
	snprintf(row, sizeof row,
	         "scenario %s   RTO %s   RPO %s   %zu steps in %zu phases",
	         rb->scenario, rto, rpo, rb->n_steps, rb->n_phases);
	modal_lines_wrap(l, row, w, "  ");
	{
		char *all = xstrdup("");
		for (size_t i = 0; i < rb->n_services; i++) {
			char *both = xasprintf("%s%s%s", all, i ? ", " : "",
			                       rb->services[i]);
			free(all);
			all = both;
		}
		char *filled = start_services(rb);
		if (strcmp(filled, all) != 0) {
			char *both = xasprintf("%s (with the defaults: %s)",
			                       all, filled);
			free(all);
			all = both;
		}
		free(filled);
		wrap_field(l, w, "", "services: ", all[0] ? all : "(none)");
		free(all);
	}
	if (rb->description)
		modal_lines_wrap(l, rb->description, w, "");
	modal_lines_push(l, "");
	if (rb->n_vars > 0)
		modal_lines_push(l, "Variables (the wizard asks for each)");
	for (size_t i = 0; i < rb->n_vars; i++) {
		const struct runbook_var *var = &rb->vars[i];

		snprintf(row, sizeof row, "  %s  %s", var->name, var->prompt);
		modal_lines_wrap(l, row, w, "      ");
		snprintf(row, sizeof row, "      pattern %s   default %s",
		         var->pattern ? var->pattern : "(any)",
		         var->def ? var->def : "(none: a value is required)");
		modal_lines_wrap(l, row, w, "        ");
	}
	for (size_t i = 0; i < rb->n_steady; i++) {
		if (i == 0)
			modal_lines_push(l, "Steady state (checked between "
			                    "steps)");
		snprintf(row, sizeof row, "  %s: ", rb->steady[i].name);
		wrap_field(l, w, "", row, rb->steady[i].command);
	}
	for (size_t p = 0; p < rb->n_phases; p++) {
		const struct runbook_phase *ph = &rb->phases[p];

		snprintf(row, sizeof row, "Phase %zu: %s", p + 1, ph->name);
		modal_lines_push(l, "");
		modal_lines_wrap(l, row, w, "  ");
		for (size_t i = ph->first; i < ph->first + ph->count; i++)
			preview_step(l, w, &rb->steps[i], i + 1);
	}
	modal_lines_push(l, "");
	for (size_t i = rb->n_steps; i-- > 0;)
		if (rb->steps[i].rollback)
			n_rollback++;
	if (n_rollback == 0)
		modal_lines_push(l, "Rollbacks: none (no step has one)");
	else
		modal_lines_push(l, "Rollbacks (those of the completed steps "
		                    "run, newest first)");
	for (size_t i = rb->n_steps; i-- > 0;) {
		const struct runbook_step *st = &rb->steps[i];

		if (st->rollback == NULL)
			continue;
		snprintf(row, sizeof row, "  %s: $ ", st->id);
		wrap_field(l, w, "", row, st->rollback);
		if (st->rollback_drill)
			wrap_field(l, w, "    ", "drill: ", st->rollback_drill);
	}
}

/* The yes/no before a run or a drill starts, over the preview; it names
 * which one in words, and anything but y is no.  1 when it is to start. */
static int ask_start(const struct runbook *rb, int drill, size_t *top)
{
	char title[200], *services = start_services(rb), *q;
	int key;

	snprintf(title, sizeof title, " Runbook %s (preview)", rb->name);
	q = xasprintf(" Start a %s of %s%s%s? y/n (Enter: no)",
	              drill ? "DRILL" : "REAL RUN", rb->name,
	              services[0] ? " against " : "", services);
	free(services);
	for (;;) {
		key = page_show(title, build_preview, (void *)rb, top, q,
		                drill ? " y start the drill   n Enter Esc: no"
		                      : " y start the REAL RUN   n Enter Esc: "
		                        "no, nothing runs");
		if (key == 'y' || key == 'Y' || key == 'n' || key == 'N' ||
		    key == '\n' || key == '\r' || key == KEY_ENTER ||
		    key == MODAL_KEY_ESCAPE || key == 'q' ||
		    key == MODAL_CTRL('c'))
			break;
	}
	free(q);
	return key == 'y' || key == 'Y';
}

/* The preview on its own; 'r' or 'd' when the operator asked to start a
 * run or a drill (not yet confirmed), 0 when they went back. */
static int preview(const struct runbook *rb, size_t *top)
{
	char title[200];

	snprintf(title, sizeof title,
	         " Runbook %s (preview: nothing runs from here)", rb->name);
	for (;;) {
		int key = page_show(title, build_preview, (void *)rb, top, NULL,
		                    " Up/Down PgUp/PgDn scroll  r real run  d "
		                    "drill  Esc back");
		if (key == 'r' || key == 'd')
			return key;
		if (key == MODAL_KEY_ESCAPE || key == 'q' || key == KEY_LEFT ||
		    key == MODAL_CTRL('c'))
			return 0;
	}
}

/* ---- the wizard ------------------------------------------------------ */

/* A simple full-screen form, one question at a time; NULL on Esc.
 * refused (may be NULL): why the last answer was not taken. */
static char *ask_field(const char *title, const char *question, const char *def,
                       const char *refused)
{
	char text[RB_FIELD_MAX] = "";
	size_t len = 0;
	int h, w;

	for (;;) {
		getmaxyx(stdscr, h, w);
		werase(stdscr);
		screen_fill(stdscr, 0, 0, 1, w, screen_attr(THEME_HEADER));
		screen_put(stdscr, 0, 0, w, screen_attr(THEME_HEADER), title);
		screen_put(stdscr, 3, 2, w - 4, screen_attr(THEME_TITLE),
		           question);
		screen_putf(stdscr, 4, 2, w - 4, screen_attr(THEME_DIM),
		            "default: %s", def && def[0] ? def : "(none)");
		screen_putf(stdscr, 6, 2, w - 4,
		            screen_attr(THEME_NORMAL) | A_BOLD, "> %s_", text);
		if (refused != NULL) {
			char *why = xasprintf("Refused: %s.  Type another "
			                      "value.",
			                      refused);
			draw_wrapped(8, 2, w - 4, h - 10,
			             screen_attr(THEME_ERROR) | A_BOLD, why);
			free(why);
		}
		screen_fill(stdscr, h - 1, 0, 1, w, screen_attr(THEME_FOOTER));
		screen_put(stdscr, h - 1, 0, w, screen_attr(THEME_FOOTER),
		           " Enter accept (empty: the default)  Esc cancel");
		wnoutrefresh(stdscr);
		doupdate();
		int key = modal_key(1000);
		if (key == '\n' || key == '\r' || key == KEY_ENTER)
			return xstrdup(len ? text : (def ? def : ""));
		if (key == MODAL_KEY_ESCAPE || key == MODAL_CTRL('c'))
			return NULL;
		if ((key == KEY_BACKSPACE || key == 127 ||
		     key == MODAL_CTRL('h')) &&
		    len > 0)
			text[--len] = '\0';
		else if (key >= ' ' && key < 127 && len + 1 < sizeof text) {
			text[len++] = (char)key;
			text[len] = '\0';
		}
	}
}

/* Shows a message until a key; returns the key. */
static int show_message(const char *title, const char *text)
{
	int h, w, key;

	if (modal_quitting())
		return MODAL_CTRL('c');
	getmaxyx(stdscr, h, w);
	werase(stdscr);
	screen_fill(stdscr, 0, 0, 1, w, screen_attr(THEME_HEADER));
	screen_put(stdscr, 0, 0, w, screen_attr(THEME_HEADER), title);
	draw_wrapped(2, 2, w - 4, h - 5, screen_attr(THEME_NORMAL), text);
	screen_fill(stdscr, h - 1, 0, 1, w, screen_attr(THEME_FOOTER));
	screen_put(stdscr, h - 1, 0, w, screen_attr(THEME_FOOTER),
	           " press any key");
	wnoutrefresh(stdscr);
	doupdate();
	while ((key = modal_key(1000)) == ERR || key == KEY_RESIZE)
		;
	return key;
}

static struct catalog *open_rw(struct view_ctx *ctx, char **err)
{
	struct catalog *cat = NULL;

	if (catalog_open(ctx->catalog_path, 0, &cat, err) != CATALOG_OK)
		return NULL;
	audit_attach(cat);
	return cat;
}

/* How a rolled-back run ended, and every line its rollbacks printed. */
struct end_page {
	const char *msg;
	const struct modal_output *out;
};

static void build_end(void *arg, int w, struct modal_lines *l)
{
	const struct end_page *end = arg;

	modal_lines_wrap(l, end->msg, w, "");
	modal_lines_push(l, "");
	modal_lines_push(l, "What the rollbacks did and printed:");
	for (size_t i = 0; i < end->out->n; i++)
		modal_lines_wrap(l, modal_output_line(end->out, i), w, "  ");
	if (end->out->partial_len)
		modal_lines_wrap(l, end->out->partial, w, "  ");
	if (end->out->n == 0 && end->out->partial_len == 0)
		modal_lines_push(l, "(nothing)");
}

/* Runs (or resumes) with the step view, then shows how it ended. */
static void run_screen(struct runbooks *v, struct view_ctx *ctx,
                       struct catalog *cat, const struct runbook_start *s,
                       const char *resume_id)
{
	struct rb_run run;
	struct runbook_ui ui = {
	    .arg = &run,
	    .event = cb_event,
	    .output = cb_output,
	    .ask_yes = cb_yes,
	    .ask_word = cb_word,
	    .decide = cb_decide,
	    .stop_requested = cb_stop,
	    .detach_requested = cb_detach,
	    .notify = cb_notify,
	};
	char *err = NULL, *msg;
	int rc;

	memset(&run, 0, sizeof run);
	run.ev.arg = &run;
	run.ev.note = run_note;
	run.ses.cat = cat;
	run.ses.cfg = ctx->cfg;
	run.ses.read_only = ctx->read_only;
	run.ses.ev = &run.ev;
	v->run = &run;
	rc = resume_id
	         ? ops_runbook_resume(&run.ses, resume_id, &ui, &run.x, &err)
	         : ops_runbook_start(&run.ses, s, &ui, &run.x, &err);
	if (rc != DR_OK) {
		show_message(resume_id ? " Resume refused" : " Run refused",
		             err ? err : dr_status_name(rc));
		free(err);
		v->run = NULL;
		return;
	}
	run.note[0] = '\0';
	rc = ops_runbook_run(&run.ses, run.x, 0, &err);
	const struct catalog_recovery *rec = runbook_exec_record(run.x);
	int64_t elapsed;
	char e[32], t[32];

	runbook_exec_clock(run.x, time_now(), &elapsed);
	duration_format(elapsed, e, sizeof e);
	duration_format(rec->rto_target_s, t, sizeof t);
	if (rc != DR_OK)
		msg = xasprintf("The catalog failed: %s.  Recovery %s can be "
		                "resumed once it works again.",
		                err ? err : "unknown error", rec->recovery_id);
	else if (runbook_exec_paused(run.x))
		msg =
		    xasprintf("Recovery %s is paused at step %zu.  Resume it "
		              "here with R, or with 'drconsole runbook "
		              "resume %s'.",
		              rec->recovery_id, runbook_exec_current(run.x) + 1,
		              rec->recovery_id);
	else
		msg = xasprintf("Recovery %s %s%s in %s (RTO %s).  The record "
		                "is in the Log view.",
		                rec->recovery_id, rec->recovery_status,
		                rec->is_drill ? " (drill)" : "", e, t);
	if (run.note[0] != '\0') {
		char *with = xasprintf("%s  (%s)", msg, run.note);
		free(msg);
		msg = with;
	}
	free(err);
	if (run.rolling_back && !modal_quitting()) {
		/* What the rollbacks printed stays readable after the run. */
		struct end_page end = {.msg = msg, .out = &run.out};
		size_t top = 0;
		page_show(" Runbook finished: rolled back", build_end, &end,
		          &top, NULL,
		          " Up/Down PgUp/PgDn scroll  x Enter Esc close");
	} else
		show_message(" Runbook finished", msg);
	modal_output_clear(&run.out);
	runbook_exec_free(run.x);
	v->run = NULL;
	free(msg);
	modal_reraise();
}

static void wizard(struct runbooks *v, struct view_ctx *ctx,
                   const struct runbook *rb, int drill)
{
	char title[200], *incident = NULL, *services = NULL, *err = NULL;
	char **assign = xcalloc(rb->n_vars + 1, sizeof *assign);
	size_t n_assign = 0;
	struct catalog *cat;

	snprintf(title, sizeof title, " %s of %s: %s",
	         drill ? "DRILL" : "REAL RUN", rb->name, rb->title);
	incident = ask_field(
	    title, "Incident type",
	    rb->incident_type ? rb->incident_type : rb->scenario, NULL);
	if (incident == NULL)
		goto out;
	{
		char *def = NULL;
		for (size_t i = 0; i < rb->n_services; i++) {
			char *both = xasprintf("%s%s%s", def ? def : "",
			                       def ? "," : "", rb->services[i]);
			free(def);
			def = both;
		}
		services = ask_field(title,
		                     "Affected services (comma-separated; "
		                     "${NAME} is filled from the variables)",
		                     def, NULL);
		free(def);
		if (services == NULL)
			goto out;
	}
	for (size_t i = 0; i < rb->n_vars; i++) {
		const struct runbook_var *var = &rb->vars[i];
		char q[300];
		snprintf(q, sizeof q, "%s (%s)%s%s", var->prompt, var->name,
		         var->pattern ? ", matching " : "",
		         var->pattern ? var->pattern : "");
		char *val = NULL, *why = NULL;

		/* Each value is checked as it is given, and asked again
		 * until it passes: not after the last question. */
		for (;;) {
			val = ask_field(title, q, var->def, why);
			free(why);
			why = NULL;
			if (val == NULL)
				goto out;
			if (val[0] == '\0' && var->def == NULL)
				why = xasprintf("variable %s needs a value "
				                "(it has no default)",
				                var->name);
			else if (runbook_var_check(var, val, &why) == DR_OK)
				break;
			free(val);
		}
		assign[n_assign++] = xasprintf("%s=%s", var->name, val);
		free(val);
	}
	cat = open_rw(ctx, &err);
	if (cat == NULL) {
		show_message(" Run refused", err ? err
		                                 : "cannot open the "
		                                   "catalog");
		goto out;
	}
	{
		/* Services equal to the runbook's default are expanded by
		 * the engine; others are taken as given. */
		struct runbook_start s = {
		    .rb = rb,
		    .assign = assign,
		    .n_assign = n_assign,
		    .incident_type = incident,
		    .services = strstr(services, "${") ? NULL : services,
		    .drill = drill,
		    .data_loss_minutes = -1,
		};
		run_screen(v, ctx, cat, &s, NULL);
	}
	catalog_close(cat);
out:
	free(err);
	free(incident);
	free(services);
	runbook_values_free(assign, n_assign);
}

/* Resume: the open executions, newest last; the operator picks one. */
static void resume_pick(struct runbooks *v, struct view_ctx *ctx)
{
	struct catalog_runbook_exec *open = NULL;
	size_t n = 0, sel = 0;
	char *err = NULL;
	struct catalog *cat = open_rw(ctx, &err);

	if (cat == NULL || catalog_runbook_exec_list_open(cat, &open, &n,
	                                                  &err) != CATALOG_OK) {
		show_message(" Resume", err ? err : "cannot read the catalog");
		free(err);
		catalog_close(cat);
		return;
	}
	if (n == 0) {
		show_message(" Resume",
		             "No interrupted or paused runbook run.");
		catalog_close(cat);
		return;
	}
	for (;;) {
		int h, w;
		getmaxyx(stdscr, h, w);
		werase(stdscr);
		screen_fill(stdscr, 0, 0, 1, w, screen_attr(THEME_HEADER));
		screen_put(stdscr, 0, 0, w, screen_attr(THEME_HEADER),
		           " Resume a runbook run");
		for (size_t i = 0; i < n && (int)i < h - 4; i++) {
			char since[32];
			time_format_short(open[i].held_since, since);
			screen_putf(stdscr, 2 + (int)i, 1, w - 2,
			            i == sel ? screen_attr(THEME_SELECTION)
			                     : screen_attr(THEME_NORMAL),
			            "%-20.20s %.8s  %s  %s%s", open[i].runbook,
			            open[i].recovery_id, since,
			            open[i].pid ? "held by " : "paused",
			            open[i].pid ? open[i].holder : "");
		}
		screen_fill(stdscr, h - 1, 0, 1, w, screen_attr(THEME_FOOTER));
		screen_put(stdscr, h - 1, 0, w, screen_attr(THEME_FOOTER),
		           " Up/Down choose  Enter resume  Esc back");
		wnoutrefresh(stdscr);
		doupdate();
		int key = modal_key(1000);
		if (key == KEY_UP || key == 'k')
			sel = sel > 0 ? sel - 1 : 0;
		else if ((key == KEY_DOWN || key == 'j') && sel + 1 < n)
			sel++;
		else if (key == MODAL_KEY_ESCAPE || key == 'q' ||
		         key == MODAL_CTRL('c'))
			break;
		else if (key == '\n' || key == '\r' || key == KEY_ENTER) {
			char id[40];
			strlcpy_dr(id, open[sel].recovery_id, sizeof id);
			run_screen(v, ctx, cat, NULL, id);
			break;
		}
	}
	catalog_runbook_execs_free(open, n);
	catalog_close(cat);
}

static unsigned runbooks_key(void *state, struct view_ctx *ctx, int key)
{
	struct runbooks *v = state;
	unsigned res = listnav_key(&v->nav, key, v->page);
	const struct rb_entry *e;

	if (res)
		return res;
	e = v->n > 0 && v->nav.sel < v->n ? &v->entries[v->nav.sel] : NULL;
	switch (key) {
	case '\n':
	case '\r':
	case KEY_ENTER:
	case 'r':
	case 'd': {
		size_t top = 0;
		int from_list = key == 'r' || key == 'd';
		int start = from_list ? key : 0, started = 0;

		if (e == NULL)
			return VIEW_HANDLED;
		if (from_list && ctx->read_only)
			return view_refuse_action(
			    ctx, key == 'd' ? "drill runbook" : "run runbook");
		if (e->rb == NULL) {
			view_message(ctx, 1,
			             "%s is invalid: see 'drconsole "
			             "runbook check %s'",
			             e->path, e->path);
			return VIEW_HANDLED | VIEW_REDRAW;
		}
		/* Enter only shows; a run starts with r or d, then y. */
		for (;;) {
			if (!from_list && (start = preview(e->rb, &top)) == 0)
				break;
			if (ctx->read_only)
				break;
			if (ask_start(e->rb, start == 'd', &top)) {
				wizard(v, ctx, e->rb, start == 'd');
				started = 1;
				break;
			}
			if (from_list)
				break;
		}
		clearok(curscr, TRUE);
		if (started)
			load(v, ctx);
		else if (start && ctx->read_only)
			return view_refuse_action(ctx, start == 'd'
			                                   ? "drill runbook"
			                                   : "run runbook");
		else if (start)
			view_message(ctx, 0, "%s not started: nothing ran",
			             e->rb->name);
		return VIEW_HANDLED | VIEW_REDRAW;
	}
	case 'R':
		if (ctx->read_only)
			return view_refuse_action(ctx, "resume runbook");
		resume_pick(v, ctx);
		load(v, ctx);
		clearok(curscr, TRUE);
		return VIEW_HANDLED | VIEW_REDRAW;
	}
	return 0;
}

static void runbooks_filter(void *state, struct view_ctx *ctx, const char *text)
{
	struct runbooks *v = state;

	strlcpy_dr(v->filter, text, sizeof v->filter);
	v->nav.sel = v->nav.top = 0;
	load(v, ctx);
}

/* `=NAME` selects that runbook in the whole list (the service page and a
 * DOWN service's suggestion open it so); anything else filters. */
static void runbooks_command(void *state, struct view_ctx *ctx,
                             const char *args)
{
	struct runbooks *v = state;

	if (args[0] != '=') {
		runbooks_filter(state, ctx, args);
		return;
	}
	runbooks_filter(state, ctx, "");
	for (size_t i = 0; i < v->n; i++)
		if (v->entries[i].rb &&
		    strcmp(v->entries[i].rb->name, args + 1) == 0) {
			v->nav.sel = i;
			listnav_fit(&v->nav, v->page);
			return;
		}
	view_message(ctx, 1, "no runbook named %s in the runbook directories",
	             args + 1);
}

static const char *runbooks_active_filter(void *state)
{
	return ((struct runbooks *)state)->filter;
}

const struct view_ops view_runbooks_ops = {
    .active_filter = runbooks_active_filter,
    .name = "Runbooks",
    .hints = "Enter:preview r:run d:drill R:resume",
    .open = runbooks_open,
    .close = runbooks_close,
    .reload = runbooks_reload,
    .draw = runbooks_draw,
    .key = runbooks_key,
    .filter = runbooks_filter,
    .command = runbooks_command,
};
