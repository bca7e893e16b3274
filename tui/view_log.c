#include "tui/view_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "tui/listnav.h"
#include "tui/screen.h"

#define LOG_RECOVERIES 50
#define LOG_AUDIT      200

/* Two sections, newest first: recoveries, then the audit log.  A row is
 * either a section title or an entry (index into its array). */
struct log_row {
	int kind; /* 0 title recoveries, 1 recovery, 2 title audit, 3 audit */
	size_t index;
};

struct logview {
	struct listnav nav;
	struct catalog_recovery *recs;
	size_t n_recs;
	struct catalog_audit *audit;
	size_t n_audit;
	struct log_row *rows;
	size_t n_rows;
	char filter[128];
	char error[256];
	int page;
};

static int rec_matches(const struct catalog_recovery *r, const char *f)
{
	return !f[0] || strcasestr(r->incident_type, f) ||
	       strcasestr(r->recovery_procedure, f) ||
	       strcasestr(r->recovery_status, f) ||
	       strcasestr(r->initiated_by, f) ||
	       (r->affected_services && strcasestr(r->affected_services, f));
}

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
		if (rec_matches(&lv->recs[i], lv->filter))
			lv->rows[lv->n_rows++] = (struct log_row){1, i};
	lv->rows[lv->n_rows++] = (struct log_row){2, 0};
	for (size_t i = 0; i < lv->n_audit; i++)
		if (audit_matches(&lv->audit[i], lv->filter))
			lv->rows[lv->n_rows++] = (struct log_row){3, i};
	lv->nav.n = lv->n_rows;
	listnav_fit(&lv->nav, lv->page);
}

static void load(struct logview *lv, struct view_ctx *ctx)
{
	char *err = NULL;
	catalog_recoveries_free(lv->recs, lv->n_recs);
	catalog_audits_free(lv->audit, lv->n_audit);
	lv->recs = NULL;
	lv->audit = NULL;
	lv->n_recs = lv->n_audit = 0;
	lv->error[0] = '\0';
	if (ctx->cat != NULL) {
		if (catalog_recovery_list(ctx->cat, LOG_RECOVERIES, &lv->recs,
		                          &lv->n_recs, &err) != CATALOG_OK) {
			snprintf(lv->error, sizeof lv->error, "%s", err);
			free(err);
			err = NULL;
			lv->recs = NULL;
			lv->n_recs = 0;
		}
		if (catalog_audit_list(ctx->cat, LOG_AUDIT, &lv->audit,
		                       &lv->n_audit, &err) != CATALOG_OK) {
			snprintf(lv->error, sizeof lv->error, "%s", err);
			free(err);
			lv->audit = NULL;
			lv->n_audit = 0;
		}
	}
	build_rows(lv);
}

static void *log_open(struct view_ctx *ctx)
{
	struct logview *lv = xcalloc(1, sizeof *lv);
	lv->page = 10;
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
	free(lv->rows);
	free(lv);
}

static void log_reload(void *state, struct view_ctx *ctx, unsigned change)
{
	if (change & VIEW_CHANGE_DATA)
		load(state, ctx);
}

static void log_draw(void *state, struct view_ctx *ctx, WINDOW *win,
                     struct view_rect r)
{
	struct logview *lv = state;
	attr_t hdr = screen_attr(THEME_COLUMN_HEADER);
	char t[32], line[512];
	lv->page = r.h - (lv->error[0] ? 1 : 0);
	listnav_fit(&lv->nav, lv->page);
	if (lv->error[0])
		screen_put(win, r.y + r.h - 1, r.x, r.w,
		           screen_attr(THEME_ERROR), lv->error);
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
			snprintf(
			    line, sizeof line,
			    "RECOVERIES AND DRILLS (disaster_recovery_log, "
			    "newest %d)",
			    LOG_RECOVERIES);
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

static unsigned log_key(void *state, struct view_ctx *ctx, int key)
{
	struct logview *lv = state;
	unsigned res = listnav_key(&lv->nav, key, lv->page);
	if (res)
		return res;
	if (key != '\n' && key != '\r' && key != KEY_ENTER)
		return 0;
	if (lv->n_rows == 0)
		return VIEW_HANDLED;
	const struct log_row *lr = &lv->rows[lv->nav.sel];
	struct view_details *d = &ctx->details;
	char t[32];
	if (lr->kind == 1) {
		const struct catalog_recovery *rc = &lv->recs[lr->index];
		view_details_clear(d);
		snprintf(d->title, sizeof d->title, "%s %s",
		         rc->is_drill ? "Drill" : "Recovery", rc->recovery_id);
		view_details_add(d, "Incident   %s", rc->incident_type);
		view_details_add(d, "Services   %s",
		                 rc->affected_services ? rc->affected_services
		                                       : "-");
		view_details_add(d, "Runbook    %s", rc->recovery_procedure);
		view_details_add(d, "Status     %s", rc->recovery_status);
		view_details_add(d, "By         %s", rc->initiated_by);
		time_format_iso(rc->initiated_at, t);
		view_details_add(d, "Initiated  %s", t);
		time_format_iso(rc->completed_at, t);
		view_details_add(d, "Completed  %s", t);
		if (rc->recovery_notes)
			view_details_add(d, "Notes      %s",
			                 rc->recovery_notes);
		ctx->details_open = 1;
	} else if (lr->kind == 3) {
		const struct catalog_audit *au = &lv->audit[lr->index];
		view_details_clear(d);
		snprintf(d->title, sizeof d->title, "Audit record #%lld",
		         (long long)au->seq);
		time_format_iso(au->at, t);
		view_details_add(d, "At       %s", t);
		view_details_add(d, "Actor    %s%s%s", au->actor,
		                 au->origin[0] ? " from " : "", au->origin);
		view_details_add(d, "Action   %s", au->action);
		view_details_add(d, "Subject  %s", au->subject);
		view_details_add(d, "Details  %s",
		                 au->details ? au->details : "-");
		view_details_add(d, "Hash     %.16s... (prev %.16s...)",
		                 au->hash, au->prev_hash);
		ctx->details_open = 1;
	}
	return VIEW_HANDLED | VIEW_REDRAW;
}

static void log_filter(void *state, struct view_ctx *ctx, const char *text)
{
	(void)ctx;
	struct logview *lv = state;
	strlcpy_dr(lv->filter, text, sizeof lv->filter);
	lv->nav.sel = lv->nav.top = 0;
	build_rows(lv);
}

const struct view_ops view_log_ops = {
    .name = "Log",
    .hints = "Enter:details",
    .open = log_open,
    .close = log_close,
    .reload = log_reload,
    .draw = log_draw,
    .key = log_key,
    .filter = log_filter,
    .command = log_filter,
};
