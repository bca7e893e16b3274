#include "tui/view_backups.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/backup.h"
#include "core/duration.h"
#include "core/error.h"
#include "core/ops_backup.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "tui/job.h"
#include "tui/listnav.h"
#include "tui/screen.h"
#include "tui/widget.h"

/* Only the rows on screen are held: a catalog with a million backups costs
 * one page of them.  A page far down the list is read from the other end
 * (the reverse order, a small offset) so End is as quick as Home. */
struct backups {
	struct listnav nav;
	char service[64], status[16], type[16];
	char filter_text[256]; /* as typed, for the console's tab line */
	/* A service word matches as on the Dashboard (a substring of the
	 * name, any case): the services it names. */
	char match[32][64];
	const char *match_ptr[32];
	size_t n_match;
	int oldest_first;
	int64_t total;
	struct catalog_backup *page;
	size_t page_n;
	size_t page_off; /* row number of page[0] */
	int page_valid;
	int rows; /* rows of the list on screen */
	char error[256];
};

static const char *const statuses[] = {
    "pending",  "running", "completed", "failed",
    "verified", "expired", "corrupt",   NULL,
};
static const char *const types[] = {"full", "incremental", "differential",
                                    NULL};

static int in_list(const char *const *list, const char *word)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(list[i], word) == 0)
			return 1;
	return 0;
}

static void drop_page(struct backups *b)
{
	catalog_backups_free(b->page, b->page_n);
	b->page = NULL;
	b->page_n = 0;
	b->page_valid = 0;
}

static void make_filter(const struct backups *b,
                        struct catalog_backup_filter *f)
{
	memset(f, 0, sizeof *f);
	f->service = b->service[0] && b->n_match == 0 ? b->service : NULL;
	f->services = b->match_ptr;
	f->n_services = b->n_match;
	f->status = b->status[0] ? b->status : NULL;
	f->type = b->type[0] ? b->type : NULL;
	f->oldest_first = b->oldest_first;
}

static void recount(struct backups *b, struct view_ctx *ctx)
{
	drop_page(b);
	b->error[0] = '\0';
	b->total = 0;
	if (ctx->cat == NULL)
		return;
	struct catalog_backup_filter f;
	char *err = NULL;
	make_filter(b, &f);
	if (catalog_backup_count(ctx->cat, &f, &b->total, &err) != CATALOG_OK) {
		snprintf(b->error, sizeof b->error, "%s", err);
		free(err);
		b->total = 0;
	}
	b->nav.n = (size_t)b->total;
	listnav_fit(&b->nav, b->rows);
}

/* Makes page[] hold rows [top, top + rows). */
static void load_page(struct backups *b, struct view_ctx *ctx)
{
	size_t want = (size_t)(b->rows > 0 ? b->rows : 1);
	size_t top = b->nav.top, total = (size_t)b->total;
	if (b->page_valid && top == b->page_off &&
	    (b->page_n == want || top + b->page_n == total))
		return;
	drop_page(b);
	if (ctx->cat == NULL || total == 0)
		return;
	if (top + want > total)
		want = total - top;
	struct catalog_backup_filter f;
	make_filter(b, &f);
	int reverse = top > total / 2;
	if (reverse) {
		f.oldest_first = !f.oldest_first;
		f.offset = total - (top + want);
	} else {
		f.offset = top;
	}
	f.limit = want;
	char *err = NULL;
	if (catalog_backup_list(ctx->cat, &f, &b->page, &b->page_n, &err) !=
	    CATALOG_OK) {
		snprintf(b->error, sizeof b->error, "%s", err);
		free(err);
		b->page = NULL;
		b->page_n = 0;
		return;
	}
	if (reverse) {
		for (size_t i = 0; i < b->page_n / 2; i++) {
			struct catalog_backup t = b->page[i];
			b->page[i] = b->page[b->page_n - 1 - i];
			b->page[b->page_n - 1 - i] = t;
		}
	}
	b->page_off = top;
	b->page_valid = 1;
}

static void *backups_open(struct view_ctx *ctx)
{
	(void)ctx;
	struct backups *b = xcalloc(1, sizeof *b);
	b->rows = 10;
	return b;
}

static void backups_close(void *state)
{
	struct backups *b = state;
	if (b == NULL)
		return;
	drop_page(b);
	free(b);
}

static void backups_reload(void *state, struct view_ctx *ctx, unsigned change)
{
	if (change & VIEW_CHANGE_DATA)
		recount(state, ctx);
}

static const struct catalog_backup *selected(struct backups *b)
{
	if (!b->page_valid || b->nav.sel < b->page_off ||
	    b->nav.sel >= b->page_off + b->page_n)
		return NULL;
	return &b->page[b->nav.sel - b->page_off];
}

static attr_t status_attr(const char *status)
{
	if (strcmp(status, "failed") == 0 || strcmp(status, "corrupt") == 0)
		return screen_attr(THEME_BAR_BAD);
	if (strcmp(status, "running") == 0 || strcmp(status, "pending") == 0)
		return screen_attr(THEME_BAR_WARN);
	if (strcmp(status, "expired") == 0)
		return screen_attr(THEME_DIM);
	return screen_attr(THEME_BAR_OK);
}

enum {
	W_START = 16,
	W_TYPE = 5,
	W_STATUS = 9,
	W_SIZE = 8,
	W_RATIO = 5,
	W_DUR = 6,
	PANE = 4
};

static void backups_draw(void *state, struct view_ctx *ctx, WINDOW *win,
                         struct view_rect r)
{
	struct backups *b = state;
	char t[32], s1[32], s2[32], line[512];
	int fixed = W_START + W_TYPE + W_STATUS + W_SIZE + W_RATIO + W_DUR + 6;
	int w_svc = r.w - fixed;
	/* Room at the end for "TOOK / ERROR": a failed attempt's error
	 * runs from SIZE to the edge. */
	if (w_svc > 18 && w_svc - 18 < 7)
		w_svc = 18;
	else if (w_svc > 18)
		w_svc -= 7;
	attr_t hdr = screen_attr(THEME_COLUMN_HEADER);

	b->rows = r.h - 2 - PANE;
	if (b->rows < 1)
		b->rows = 1;
	b->nav.n = (size_t)b->total;
	listnav_fit(&b->nav, b->rows);
	load_page(b, ctx);

	char filt[200];
	snprintf(filt, sizeof filt, "%s%s%s%s%s%s%s",
	         b->service[0] ? (b->n_match ? " service~" : " service=") : "",
	         b->service, b->n_match > 1 ? " (several services)" : "",
	         b->status[0] ? " status=" : "", b->status,
	         b->type[0] ? " type=" : "", b->type);
	snprintf(line, sizeof line, " %lld backup%s%s%s, %s first",
	         (long long)b->total, b->total == 1 ? "" : "s",
	         filt[0] ? " where" : "", filt,
	         b->oldest_first ? "oldest" : "newest");
	screen_put(win, r.y, r.x, r.w, screen_attr(THEME_TITLE), line);

	int y = r.y + 1, x = r.x;
	/* The sorted column carries the mark (s turns it round). */
	screen_cell(
	    win, y, x, W_START + 1, hdr,
	    b->oldest_first
	        ? (screen_utf8() ? "STARTED (UTC)\u25b2" : "STARTED (UTC)^")
	        : (screen_utf8() ? "STARTED (UTC)\u25bc" : "STARTED (UTC)v"));
	x += W_START + 1;
	screen_cell(win, y, x, w_svc + 1, hdr, "SERVICE");
	x += w_svc + 1;
	screen_cell(win, y, x, W_TYPE + 1, hdr, "TYPE");
	x += W_TYPE + 1;
	screen_cell(win, y, x, W_STATUS + 1, hdr, "STATUS");
	x += W_STATUS + 1;
	screen_cell(win, y, x, W_SIZE + 1, hdr, "    SIZE");
	x += W_SIZE + 1;
	screen_cell(win, y, x, W_RATIO + 1, hdr, "RATIO");
	x += W_RATIO + 1;
	screen_put(win, y, x, r.x + r.w - x, hdr, "TOOK / ERROR");

	if (b->error[0])
		screen_put(win, y + 1, r.x + 1, r.w - 2,
		           screen_attr(THEME_ERROR), b->error);
	else if (b->total == 0)
		screen_put(win, y + 1, r.x + 1, r.w - 2, screen_attr(THEME_DIM),
		           "No backups match. / filters by service, status "
		           "and type; Esc clears.");
	for (size_t i = 0; i < b->page_n && (int)i < b->rows; i++) {
		const struct catalog_backup *bk = &b->page[i];
		int is_sel = b->page_off + i == b->nav.sel;
		attr_t base = is_sel ? screen_attr(THEME_SELECTION)
		                     : screen_attr(THEME_NORMAL);
		int ry = y + 1 + (int)i;
		x = r.x;
		time_format_short(bk->started_at, t);
		screen_cell(win, ry, x, W_START + 1, base, t);
		x += W_START + 1;
		screen_cell(win, ry, x, w_svc + 1, base, bk->service);
		x += w_svc + 1;
		screen_cell(win, ry, x, W_TYPE + 1, base,
		            strcmp(bk->type, "incremental") == 0    ? "incr"
		            : strcmp(bk->type, "differential") == 0 ? "diff"
		                                                    : bk->type);
		x += W_TYPE + 1;
		screen_cell(win, ry, x, W_STATUS + 1,
		            is_sel ? base : status_attr(bk->status),
		            bk->status);
		x += W_STATUS + 1;
		char target[64], error[256];
		backup_meta_summary(bk, target, error);
		if (error[0] && bk->size_bytes < 0) {
			/* A failed attempt has no size, ratio or time to
			 * show: its error takes their place. */
			screen_cell(win, ry, x, r.x + r.w - x,
			            is_sel ? base : screen_attr(THEME_BAR_BAD),
			            error);
			continue;
		}
		snprintf(line, sizeof line, "%8s",
		         widget_bytes(bk->size_bytes, s1, sizeof s1));
		screen_cell(win, ry, x, W_SIZE + 1, base, line);
		x += W_SIZE + 1;
		if (bk->compression_ratio > 0)
			snprintf(line, sizeof line, "%.1fx",
			         bk->compression_ratio);
		else
			snprintf(line, sizeof line, "-");
		screen_cell(win, ry, x, W_RATIO + 1, base, line);
		x += W_RATIO + 1;
		if (bk->completed_at > 0 && bk->started_at > 0 &&
		    bk->completed_at >= bk->started_at)
			duration_format_short(bk->completed_at - bk->started_at,
			                      s2, sizeof s2);
		else
			snprintf(s2, sizeof s2, "-");
		screen_put(win, ry, x, r.x + r.w - x, base, s2);
	}

	/* The detail pane. */
	int py = r.y + r.h - PANE;
	screen_hline(win, py, r.x, r.w, screen_attr(THEME_BORDER));
	const struct catalog_backup *bk = selected(b);
	if (bk == NULL)
		return;
	screen_putf(win, py + 1, r.x + 1, r.w - 2, screen_attr(THEME_NORMAL),
	            "%s  %s", bk->backup_id,
	            bk->location ? bk->location : "(no location)");
	time_format_short(bk->retention_until, t);
	char target[64], error[256];
	backup_meta_summary(bk, target, error);
	if (error[0])
		screen_putf(win, py + 2, r.x + 1, r.w - 2,
		            screen_attr(THEME_BAR_BAD), "%s%s%s: %s",
		            bk->status, target[0] ? " to " : "", target, error);
	else
		screen_putf(win, py + 2, r.x + 1, r.w - 2,
		            screen_attr(THEME_NORMAL),
		            "size %s  ratio %s  retained until %s",
		            bk->size_bytes >= 0
		                ? widget_bytes(bk->size_bytes, s1, sizeof s1)
		                : "unknown",
		            bk->compression_ratio > 0
		                ? (snprintf(s2, sizeof s2, "%.2f",
		                            bk->compression_ratio),
		                   s2)
		                : "-",
		            t);
	screen_putf(win, py + 3, r.x + 1, r.w - 2, screen_attr(THEME_DIM),
	            "sha256 %s", bk->checksum[0] ? bk->checksum : "-");
}

static void fill_details(const struct catalog_backup *bk, struct view_ctx *ctx)
{
	struct view_details *d = &ctx->details;
	char t[32], s[32];
	view_details_clear(d);
	snprintf(d->title, sizeof d->title, "Backup %s", bk->backup_id);
	view_details_add(d, "Service      %s", bk->service);
	view_details_add(d, "Type         %s", bk->type);
	view_details_add(d, "Status       %s", bk->status);
	if (bk->tenant_id[0])
		view_details_add(d, "Tenant       %s", bk->tenant_id);
	view_details_add(d, "Location     %s",
	                 bk->location ? bk->location : "-");
	char target[64], error[256];
	backup_meta_summary(bk, target, error);
	if (error[0])
		view_details_add(d, "Error        %s", error);
	if (target[0])
		view_details_add(d, "Target       %s", target);
	if (bk->size_bytes >= 0)
		view_details_add(d, "Size         %s (%lld bytes)",
		                 widget_bytes(bk->size_bytes, s, sizeof s),
		                 (long long)bk->size_bytes);
	else
		view_details_add(d, "Size         unknown");
	if (bk->compression_ratio > 0)
		view_details_add(d, "Compression  %.2f", bk->compression_ratio);
	else
		view_details_add(d, "Compression  unknown");
	view_details_add(d, "Checksum     %s",
	                 bk->checksum[0] ? bk->checksum : "-");
	time_format_iso(bk->started_at, t);
	view_details_add(d, "Started      %s", t);
	time_format_iso(bk->completed_at, t);
	view_details_add(d, "Completed    %s", t);
	time_format_iso(bk->retention_until, t);
	view_details_add(d, "Retained     until %s", t);
	if (bk->metadata && !error[0] && !target[0])
		view_details_add(d, "Metadata     %s", bk->metadata);
	view_details_add(d, "%s", "");
	view_details_add(d, "p: the service's page   Esc: close");
	ctx->details_open = 1;
}

/* v: the verification, on the job screen's thread (tui/job.h). */
static int verify_work(const struct ops_session *s, void *arg, char **line)
{
	const char *id = arg;
	struct backup_outcome out;
	char *err = NULL;
	int rc = ops_backup_verify(s, id, NULL, &out, &err);

	*line = ops_backup_verify_line(id, rc, &out, err);
	free(err);
	return rc;
}

/* c: copies the target's backups to its copy repository, on the job
 * screen's thread, with the bytes of each as progress. */
static int copy_work(const struct ops_session *s, void *arg, char **line)
{
	const char *target = arg;
	struct backup_copy_item *items = NULL;
	size_t n = 0, ok = 0;
	char *err = NULL;
	int rc = ops_backup_copy(s, target, time_now(), &items, &n, &err);

	for (size_t i = 0; i < n; i++)
		ok += items[i].ok != 0;
	if (rc != DR_OK)
		*line = xasprintf("copy of %s: %s", target,
		                  err ? err : dr_status_name(rc));
	else
		*line =
		    xasprintf("%zu of %zu backups of %s copied", ok, n, target);
	if (rc == DR_OK && ok != n)
		rc = DR_EIO;
	free(items);
	free(err);
	return rc;
}

static unsigned backups_key(void *state, struct view_ctx *ctx, int key)
{
	struct backups *b = state;
	load_page(b, ctx); /* keys can come before the first draw */
	unsigned res = listnav_key(&b->nav, key, b->rows);
	if (res)
		return res;
	const struct catalog_backup *bk = selected(b);
	switch (key) {
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (bk)
			fill_details(bk, ctx);
		return VIEW_HANDLED | VIEW_REDRAW;
	case 'p':
		if (bk)
			view_open_service(ctx, bk->service);
		return VIEW_HANDLED | VIEW_REDRAW;
	case 's':
		b->oldest_first = !b->oldest_first;
		b->nav.sel = b->nav.top = 0;
		recount(b, ctx);
		return VIEW_HANDLED | VIEW_REDRAW;
	case 'v': {
		if (bk == NULL)
			return VIEW_HANDLED;
		if (ctx->read_only)
			return view_refuse_action(ctx, "verify backup");
		/* Reads the object back: the line command does the work,
		 * on a screen of its own (tui/job.h). */
		char title[128], what[64], id[40], *summary = NULL;
		strlcpy_dr(id, bk->backup_id, sizeof id);
		snprintf(title, sizeof title, " Verify backup %.8s of %s",
		         bk->backup_id, bk->service);
		snprintf(what, sizeof what, "verify %.8s", bk->backup_id);
		int st = job_run(ctx, title, what, verify_work, id, &summary);
		view_message(ctx, st != 0, "%s", summary ? summary : "");
		free(summary);
		b->page_valid = 0;
		clearok(curscr, TRUE);
		return VIEW_HANDLED | VIEW_REDRAW;
	}
	case 'c': {
		char target[64], error[256], title[128], what[96];
		char *summary = NULL;
		if (bk == NULL)
			return VIEW_HANDLED;
		if (ctx->read_only)
			return view_refuse_action(ctx, "copy backups");
		backup_meta_summary(bk, target, error);
		if (target[0] == '\0') {
			view_message(ctx, 1, "backup %.8s has no target",
			             bk->backup_id);
			return VIEW_HANDLED | VIEW_REDRAW;
		}
		snprintf(title, sizeof title,
		         " Copy the backups of %s to its copy repository",
		         target);
		snprintf(what, sizeof what, "copy %s", target);
		int st = job_run(ctx, title, what, copy_work, target, &summary);
		view_message(ctx, st != 0, "%s", summary ? summary : "");
		free(summary);
		b->page_valid = 0;
		clearok(curscr, TRUE);
		return VIEW_HANDLED | VIEW_REDRAW;
	}
	}
	return 0;
}

/* Words name a status, a type, or else the service. */
static void backups_filter(void *state, struct view_ctx *ctx, const char *text)
{
	struct backups *b = state;
	char buf[256], *save = NULL;
	b->service[0] = b->status[0] = b->type[0] = '\0';
	strlcpy_dr(buf, text, sizeof buf);
	strlcpy_dr(b->filter_text, text, sizeof b->filter_text);
	for (char *w = strtok_r(buf, " \t", &save); w;
	     w = strtok_r(NULL, " \t", &save)) {
		if (in_list(statuses, w))
			strlcpy_dr(b->status, w, sizeof b->status);
		else if (in_list(types, w))
			strlcpy_dr(b->type, w, sizeof b->type);
		else
			strlcpy_dr(b->service, w, sizeof b->service);
	}
	b->n_match = 0;
	const struct compliance_report *rep = ctx->report;
	int exact = 0;
	for (size_t i = 0; b->service[0] && rep && i < rep->n; i++)
		exact |= strcmp(rep->services[i].name, b->service) == 0;
	for (size_t i = 0;
	     b->service[0] && !exact && rep && i < rep->n && b->n_match < 32;
	     i++) {
		if (!strcasestr(rep->services[i].name, b->service))
			continue;
		strlcpy_dr(b->match[b->n_match], rep->services[i].name,
		           sizeof b->match[0]);
		b->match_ptr[b->n_match] = b->match[b->n_match];
		b->n_match++;
	}
	b->nav.sel = b->nav.top = 0;
	recount(b, ctx);
}

static const char *backups_active_filter(void *state)
{
	return ((struct backups *)state)->filter_text;
}

const struct view_ops view_backups_ops = {
    .active_filter = backups_active_filter,
    .name = "Backups",
    .hints = "Enter:details p:page s:sort v:verify c:copy",
    .open = backups_open,
    .close = backups_close,
    .reload = backups_reload,
    .draw = backups_draw,
    .key = backups_key,
    .filter = backups_filter,
    .command = backups_filter,
};
