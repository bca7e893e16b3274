/* The Log view: every runbook run (disaster_recovery_log), a page of
 * LOG_PAGE at a time however many there are, then the newest audit rows.
 *
 * The runs come from the catalog already filtered and paged
 * (catalog_recovery_page), so "runs 51-100 of 312" is the catalog's
 * count, not what happens to be loaded.  The filter (`/`, `:log`) takes
 * words: service:NAME, incident:TYPE, drill, real; any other words are
 * text matched in the runs and the audit rows.  `d` steps through all
 * runs, drills only and real runs only.
 *
 * Enter on a run replaces the list with its record (core/runbook_report.h,
 * the same content as `drconsole runbook report ID`), scrolled in the
 * view; Esc or Backspace goes back to the list. */
#include "tui/view_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/runbook_report.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "tui/listnav.h"
#include "tui/screen.h"

#define LOG_PAGE  50
#define LOG_AUDIT 200

#define KEY_ESC 27

/* Two sections: a page of runs, then the audit log.  A row is either a
 * section title or an entry (index into its array). */
struct log_row {
	int kind; /* 0 title runs, 1 run, 2 title audit, 3 audit */
	size_t index;
};

/* One run's record on screen: its lines as written, and where the view
 * is scrolled to (in wrapped rows). */
struct log_details {
	char recovery_id[40];
	char **lines;
	size_t n_lines;
	size_t top;
};

struct logview {
	struct listnav nav;
	struct catalog_recovery *recs;
	size_t n_recs;
	size_t offset; /* of the first run on this page */
	size_t total;  /* runs that match the filter */
	struct catalog_audit *audit;
	size_t n_audit;
	struct log_row *rows;
	size_t n_rows;
	/* The filter: the text as typed, and its parts. */
	char filter[160];
	char service[64];
	char incident[64];
	char text[128];
	int drill; /* -1 all, 0 real runs, 1 drills */
	char error[256];
	int page;
	struct log_details *details; /* NULL: the list */
	int details_rows;            /* rows of the last draw */
};

static int audit_matches(const struct catalog_audit *a, const char *f)
{
	return !f[0] || strcasestr(a->actor, f) || strcasestr(a->action, f) ||
	       strcasestr(a->subject, f) ||
	       (a->details && strcasestr(a->details, f));
}

static void build_rows(struct logview *lv)
{
	size_t cap = lv->n_recs + lv->n_audit + 2;
	lv->rows = xreallocarray(lv->rows, cap, sizeof *lv->rows);
	lv->n_rows = 0;
	lv->rows[lv->n_rows++] = (struct log_row){0, 0};
	for (size_t i = 0; i < lv->n_recs; i++)
		lv->rows[lv->n_rows++] = (struct log_row){1, i};
	lv->rows[lv->n_rows++] = (struct log_row){2, 0};
	for (size_t i = 0; i < lv->n_audit; i++)
		if (audit_matches(&lv->audit[i], lv->text))
			lv->rows[lv->n_rows++] = (struct log_row){3, i};
	lv->nav.n = lv->n_rows;
	listnav_fit(&lv->nav, lv->page);
}

static void set_error(struct logview *lv, char *err)
{
	snprintf(lv->error, sizeof lv->error, "%s", err ? err : "");
	free(err);
}

static void load_page(struct logview *lv, struct view_ctx *ctx)
{
	struct catalog_recovery_filter f;
	char *err = NULL;

	catalog_recoveries_free(lv->recs, lv->n_recs);
	lv->recs = NULL;
	lv->n_recs = 0;
	lv->total = 0;
	if (ctx->cat == NULL)
		return;
	memset(&f, 0, sizeof f);
	f.service = lv->service[0] ? lv->service : NULL;
	f.incident = lv->incident[0] ? lv->incident : NULL;
	f.text = lv->text[0] ? lv->text : NULL;
	f.drill = lv->drill;
	if (catalog_recovery_page(ctx->cat, &f, lv->offset, LOG_PAGE, &lv->recs,
	                          &lv->n_recs, &lv->total,
	                          &err) != CATALOG_OK) {
		set_error(lv, err);
		return;
	}
	/* Fewer runs than before (a filter, a purge): the last page. */
	if (lv->n_recs == 0 && lv->offset > 0 && lv->total > 0) {
		lv->offset = (lv->total - 1) / LOG_PAGE * LOG_PAGE;
		load_page(lv, ctx);
	}
}

static void details_free(struct log_details *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->n_lines; i++)
		free(d->lines[i]);
	free(d->lines);
	free(d);
}

/* The record of one run as lines; NULL (and the error set) when it cannot
 * be read. */
static struct log_details *details_load(struct logview *lv,
                                        struct view_ctx *ctx, const char *id)
{
	struct runbook_report *rep = NULL;
	struct log_details *d;
	char *text = NULL, *err = NULL;
	size_t len = 0;
	FILE *f;

	if (ctx->cat == NULL ||
	    runbook_report_build(ctx->cat, id, ctx->now, &rep, &err) != DR_OK) {
		set_error(lv, err ? err : xstrdup("the catalog is not open"));
		return NULL;
	}
	f = open_memstream(&text, &len);
	if (f == NULL) {
		fputs("drconsole: out of memory\n", stderr);
		abort();
	}
	runbook_report_write(rep, RUNBOOK_REPORT_TEXT, f);
	fclose(f);
	runbook_report_free(rep);
	d = xcalloc(1, sizeof *d);
	strlcpy_dr(d->recovery_id, id, sizeof d->recovery_id);
	for (char *p = text; *p;) {
		size_t n = strcspn(p, "\n");
		d->lines =
		    xreallocarray(d->lines, d->n_lines + 1, sizeof *d->lines);
		d->lines[d->n_lines++] = xstrndup(p, n);
		p += n;
		if (*p == '\n')
			p++;
	}
	/* The record starts with a blank line (before its title). */
	if (d->n_lines > 0 && d->lines[0][0] == '\0') {
		free(d->lines[0]);
		memmove(d->lines, d->lines + 1,
		        (d->n_lines - 1) * sizeof *d->lines);
		d->n_lines--;
	}
	free(text);
	return d;
}

static void load(struct logview *lv, struct view_ctx *ctx)
{
	char *err = NULL;
	catalog_audits_free(lv->audit, lv->n_audit);
	lv->audit = NULL;
	lv->n_audit = 0;
	lv->error[0] = '\0';
	load_page(lv, ctx);
	if (ctx->cat != NULL &&
	    catalog_audit_list(ctx->cat, LOG_AUDIT, &lv->audit, &lv->n_audit,
	                       &err) != CATALOG_OK) {
		set_error(lv, err);
		lv->audit = NULL;
		lv->n_audit = 0;
	}
	build_rows(lv);
	if (lv->details != NULL) {
		/* A run still going: its record follows, where it was
		 * scrolled to. */
		struct log_details *d =
		    details_load(lv, ctx, lv->details->recovery_id);
		if (d != NULL) {
			d->top = lv->details->top;
			details_free(lv->details);
			lv->details = d;
		}
	}
}

static void *log_open(struct view_ctx *ctx)
{
	struct logview *lv = xcalloc(1, sizeof *lv);
	lv->page = 10;
	lv->drill = -1;
	load(lv, ctx);
	return lv;
}

static void log_close(void *state)
{
	struct logview *lv = state;
	if (lv == NULL)
		return;
	catalog_recoveries_free(lv->recs, lv->n_recs);
	catalog_audits_free(lv->audit, lv->n_audit);
	details_free(lv->details);
	free(lv->rows);
	free(lv);
}

static void log_reload(void *state, struct view_ctx *ctx, unsigned change)
{
	if (change & VIEW_CHANGE_DATA)
		load(state, ctx);
}

/* ---- the record of one run ------------------------------------------ */

/* The next wrapped row of line from *pos, at most width columns; breaks
 * at the last blank that fits, else where it must (never inside a UTF-8
 * sequence).  Returns the bytes taken. */
static size_t wrap_row(const char *line, size_t pos, int width)
{
	size_t len = strlen(line + pos), cut = 0, blank = 0;
	int cols = 0;

	if (width < 8)
		width = 8;
	while (cut < len) {
		size_t next = cut + 1;
		while (next < len &&
		       ((unsigned char)line[pos + next] & 0xC0) == 0x80)
			next++;
		if (cols + 1 > width)
			break;
		cols++;
		if (line[pos + cut] == ' ')
			blank = next;
		cut = next;
	}
	if (cut < len && blank > 0)
		cut = blank;
	return cut;
}

/* Columns a continuation of line is indented by: its own indent and two
 * more, so that a wrapped item still reads as one. */
static int cont_indent(const char *line, int width)
{
	int lead = (int)strspn(line, " ") + 2;
	return lead > width / 2 ? width / 2 : lead;
}

/* Wrapped rows of the whole record at width. */
static size_t details_rows(const struct log_details *d, int width)
{
	size_t rows = 0;
	for (size_t i = 0; i < d->n_lines; i++) {
		const char *line = d->lines[i];
		size_t pos = 0, len = strlen(line);
		int in = cont_indent(line, width);
		do {
			pos += wrap_row(line, pos, pos ? width - in : width);
			rows++;
		} while (pos < len);
	}
	return rows;
}

static void draw_details(struct logview *lv, WINDOW *win, struct view_rect r)
{
	struct log_details *d = lv->details;
	int body = r.h - 1, y = 0;
	size_t total = details_rows(d, r.w), row = 0;
	char foot[160];

	lv->details_rows = body;
	if (body < 1)
		return;
	if (d->top + (size_t)body > total)
		d->top = total > (size_t)body ? total - (size_t)body : 0;
	for (size_t i = 0; i < d->n_lines && y < body; i++) {
		const char *line = d->lines[i];
		size_t pos = 0, len = strlen(line);
		int in = cont_indent(line, r.w);
		/* Headings (no indent) stand out from their items. */
		attr_t a = line[0] && line[0] != ' '
		               ? screen_attr(THEME_COLUMN_HEADER)
		               : screen_attr(THEME_NORMAL);
		do {
			int first = pos == 0;
			size_t n = wrap_row(line, pos, first ? r.w : r.w - in);
			if (row >= d->top && y < body) {
				char *part = xstrndup(line + pos, n);
				if (first)
					screen_put(win, r.y + y, r.x, r.w, a,
					           part);
				else {
					screen_put(win, r.y + y, r.x, in, a,
					           "");
					screen_put(win, r.y + y, r.x + in,
					           r.w - in, a, part);
				}
				free(part);
				y++;
			}
			pos += n;
			row++;
		} while (pos < len);
	}
	snprintf(foot, sizeof foot,
	         "lines %zu-%zu of %zu   Up/Down PgUp/PgDn:scroll  "
	         "Esc/Backspace:back to the runs",
	         total ? d->top + 1 : 0,
	         d->top + (size_t)body < total ? d->top + (size_t)body : total,
	         total);
	screen_put(win, r.y + r.h - 1, r.x, r.w, screen_attr(THEME_DIM), foot);
}

static unsigned details_key(struct logview *lv, int key)
{
	struct log_details *d = lv->details;
	size_t page = lv->details_rows > 1 ? (size_t)lv->details_rows - 1 : 1;

	switch (key) {
	case KEY_ESC:
	case KEY_BACKSPACE:
	case 127:
	case '\b':
	case KEY_LEFT:
	case 'h':
		details_free(lv->details);
		lv->details = NULL;
		return VIEW_HANDLED | VIEW_REDRAW;
	case KEY_UP:
	case 'k':
		if (d->top > 0)
			d->top--;
		break;
	case KEY_DOWN:
	case 'j':
	case '\n':
	case '\r':
	case KEY_ENTER:
		d->top++; /* clamped when drawn */
		break;
	case KEY_PPAGE:
	case 'b':
		d->top = d->top > page ? d->top - page : 0;
		break;
	case KEY_NPAGE:
	case ' ':
		d->top += page;
		break;
	case KEY_HOME:
	case 'g':
		d->top = 0;
		break;
	case KEY_END:
	case 'G':
		d->top = (size_t)-1 / 2;
		break;
	default:
		return VIEW_HANDLED; /* the list's keys do nothing here */
	}
	return VIEW_HANDLED | VIEW_REDRAW;
}

/* ---- the list -------------------------------------------------------- */

static const char *log_active_filter(void *state);

static void runs_title(struct logview *lv, char *line, size_t size)
{
	const char *what = log_active_filter(lv);

	if (lv->total == 0)
		snprintf(line, size, "RUNS: none %s%s%s",
		         what[0] ? "match [" : "yet", what, what[0] ? "]" : "");
	else
		snprintf(line, size,
		         "RUNS %zu-%zu of %zu%s%s%s, newest first  ]:next %d "
		         "[:previous",
		         lv->offset + 1, lv->offset + lv->n_recs, lv->total,
		         what[0] ? " [" : "", what, what[0] ? "]" : "",
		         LOG_PAGE);
}

static void log_draw(void *state, struct view_ctx *ctx, WINDOW *win,
                     struct view_rect r)
{
	struct logview *lv = state;
	attr_t hdr = screen_attr(THEME_COLUMN_HEADER);
	char t[32], line[512];
	int err_row = lv->error[0] ? 1 : 0;

	if (lv->error[0])
		screen_put(win, r.y + r.h - 1, r.x, r.w,
		           screen_attr(THEME_ERROR), lv->error);
	if (lv->details != NULL) {
		struct view_rect b = r;
		b.h -= err_row;
		draw_details(lv, win, b);
		return;
	}
	lv->page = r.h - err_row;
	listnav_fit(&lv->nav, lv->page);
	for (int i = 0; i < lv->page; i++) {
		size_t row = lv->nav.top + (size_t)i;
		if (row >= lv->n_rows)
			break;
		const struct log_row *lr = &lv->rows[row];
		int is_sel = !ctx->wall && row == lv->nav.sel;
		attr_t base = is_sel ? screen_attr(THEME_SELECTION)
		                     : screen_attr(THEME_NORMAL);
		int y = r.y + i;
		switch (lr->kind) {
		case 0:
			runs_title(lv, line, sizeof line);
			screen_put(win, y, r.x, r.w, is_sel ? base : hdr, line);
			break;
		case 2:
			snprintf(
			    line, sizeof line,
			    "AUDIT LOG (newest %d; `drconsole audit verify` "
			    "verifies the chain)",
			    LOG_AUDIT);
			screen_put(win, y, r.x, r.w, is_sel ? base : hdr, line);
			break;
		case 1: {
			const struct catalog_recovery *rc =
			    &lv->recs[lr->index];
			time_format_short(rc->initiated_at, t);
			snprintf(
			    line, sizeof line, "%s %-8s %-11s %-20s %s  %s", t,
			    rc->is_drill ? "drill" : "incident",
			    rc->recovery_status, rc->incident_type,
			    rc->recovery_procedure,
			    rc->affected_services ? rc->affected_services : "");
			attr_t a = base;
			if (!is_sel &&
			    (strcmp(rc->recovery_status, "failed") == 0 ||
			     strcmp(rc->recovery_status, "aborted") == 0))
				a = screen_attr(THEME_BAR_BAD);
			screen_put(win, y, r.x, r.w, a, line);
			break;
		}
		default: {
			const struct catalog_audit *au = &lv->audit[lr->index];
			time_format_short(au->at, t);
			snprintf(line, sizeof line, "%s #%-5lld %-10s %-18s %s",
			         t, (long long)au->seq, au->actor, au->action,
			         au->subject);
			screen_put(win, y, r.x, r.w, base, line);
			break;
		}
		}
	}
}

static void turn_page(struct logview *lv, struct view_ctx *ctx, int forward)
{
	if (forward && lv->offset + LOG_PAGE < lv->total)
		lv->offset += LOG_PAGE;
	else if (!forward && lv->offset > 0)
		lv->offset = lv->offset > LOG_PAGE ? lv->offset - LOG_PAGE : 0;
	else {
		view_message(ctx, 0,
		             forward ? "this is the last page of runs"
		                     : "this is the first page of runs");
		return;
	}
	load_page(lv, ctx);
	build_rows(lv);
	lv->nav.sel = lv->n_recs > 0 ? 1 : 0; /* the page's first run */
	lv->nav.top = 0;
}

static void audit_details(struct view_ctx *ctx, const struct catalog_audit *au)
{
	struct view_details *d = &ctx->details;
	char t[32];

	view_details_clear(d);
	snprintf(d->title, sizeof d->title, "Audit record #%lld",
	         (long long)au->seq);
	time_format_iso(au->at, t);
	view_details_add(d, "At       %s", t);
	view_details_add(d, "Actor    %s%s%s", au->actor,
	                 au->origin[0] ? " from " : "", au->origin);
	view_details_add(d, "Action   %s", au->action);
	view_details_add(d, "Subject  %s", au->subject);
	view_details_add(d, "Details  %s", au->details ? au->details : "-");
	view_details_add(d, "Hash     %.16s... (prev %.16s...)", au->hash,
	                 au->prev_hash);
	ctx->details_open = 1;
}

static unsigned log_key(void *state, struct view_ctx *ctx, int key)
{
	struct logview *lv = state;

	if (lv->details != NULL)
		return details_key(lv, key);
	if (key == ']' || key == '[') {
		turn_page(lv, ctx, key == ']');
		return VIEW_HANDLED | VIEW_REDRAW;
	}
	if (key == 'd') {
		/* all -> drills -> real runs -> all */
		lv->drill = lv->drill < 0 ? 1 : lv->drill == 1 ? 0 : -1;
		lv->offset = 0;
		lv->nav.sel = lv->nav.top = 0;
		load_page(lv, ctx);
		build_rows(lv);
		view_message(ctx, 0, "%s",
		             lv->drill == 1   ? "drills only"
		             : lv->drill == 0 ? "real runs only"
		                              : "drills and real runs");
		return VIEW_HANDLED | VIEW_REDRAW;
	}
	unsigned res = listnav_key(&lv->nav, key, lv->page);
	if (res)
		return res;
	if (key != '\n' && key != '\r' && key != KEY_ENTER)
		return 0;
	if (lv->n_rows == 0)
		return VIEW_HANDLED;
	const struct log_row *lr = &lv->rows[lv->nav.sel];
	if (lr->kind == 1) {
		lv->error[0] = '\0';
		lv->details =
		    details_load(lv, ctx, lv->recs[lr->index].recovery_id);
	} else if (lr->kind == 3) {
		audit_details(ctx, &lv->audit[lr->index]);
	}
	return VIEW_HANDLED | VIEW_REDRAW;
}

/* The words of the filter: service:NAME, incident:TYPE, drill, real;
 * the rest is text. */
static void apply_filter(struct logview *lv, struct view_ctx *ctx,
                         const char *text)
{
	char buf[160], *save = NULL;

	strlcpy_dr(lv->filter, text, sizeof lv->filter);
	lv->service[0] = lv->incident[0] = lv->text[0] = '\0';
	lv->drill = -1;
	strlcpy_dr(buf, text, sizeof buf);
	for (char *w = strtok_r(buf, " \t", &save); w;
	     w = strtok_r(NULL, " \t", &save)) {
		if (strncmp(w, "service:", 8) == 0)
			strlcpy_dr(lv->service, w + 8, sizeof lv->service);
		else if (strncmp(w, "incident:", 9) == 0)
			strlcpy_dr(lv->incident, w + 9, sizeof lv->incident);
		else if (strcmp(w, "drill") == 0 || strcmp(w, "drills") == 0)
			lv->drill = 1;
		else if (strcmp(w, "real") == 0)
			lv->drill = 0;
		else {
			size_t len = strlen(lv->text);
			snprintf(lv->text + len, sizeof lv->text - len, "%s%s",
			         len ? " " : "", w);
		}
	}
	lv->offset = 0;
	lv->nav.sel = lv->nav.top = 0;
	load_page(lv, ctx);
	build_rows(lv);
}

static void log_filter(void *state, struct view_ctx *ctx, const char *text)
{
	struct logview *lv = state;

	/* Esc on a run's record goes back to the list, filter kept. */
	if (lv->details != NULL && text[0] == '\0') {
		details_free(lv->details);
		lv->details = NULL;
		return;
	}
	details_free(lv->details);
	lv->details = NULL;
	apply_filter(lv, ctx, text);
}

static const char *log_active_filter(void *state)
{
	struct logview *lv = state;
	static char shown[320];

	/* From its parts: `d` changes one without a word typed. */
	snprintf(shown, sizeof shown, "%s%s%s%s%s%s%s",
	         lv->drill == 1   ? "drill "
	         : lv->drill == 0 ? "real "
	                          : "",
	         lv->service[0] ? "service:" : "", lv->service,
	         lv->service[0] ? " " : "", lv->incident[0] ? "incident:" : "",
	         lv->incident, lv->incident[0] ? " " : "");
	strlcpy_dr(shown + strlen(shown), lv->text,
	           sizeof shown - strlen(shown));
	size_t len = strlen(shown);
	while (len > 0 && shown[len - 1] == ' ')
		shown[--len] = '\0';
	return shown;
}

const struct view_ops view_log_ops = {
    .name = "Log",
    .hints = "Enter:record ]/[:page d:drill/real",
    .open = log_open,
    .close = log_close,
    .reload = log_reload,
    .draw = log_draw,
    .key = log_key,
    .filter = log_filter,
    .command = log_filter,
    .active_filter = log_active_filter,
};
