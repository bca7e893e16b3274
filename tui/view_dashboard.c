#include "tui/view_dashboard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/backup_config.h"
#include "core/duration.h"
#include "core/error.h"
#include "core/ops_backup.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "tui/job.h"
#include "tui/listnav.h"
#include "tui/screen.h"
#include "tui/widget.h"

/* The sort orders `s` steps through; worst first is the report's own. */
enum dash_sort { SORT_WORST = 0, SORT_NAME, SORT_RPO, SORT_RTO, SORT_N };
static const char *const sort_names[SORT_N] = {"worst first", "name", "RPO age",
                                               "RTO estimate"};

struct dashboard {
	struct listnav nav;
	char filter[128];
	size_t *rows; /* indices into the report that pass the filter */
	size_t n_rows;
	int page;
	enum dash_sort sort;
};

static const struct compliance_report *sort_rep;

static int cmp_rows(const void *a, const void *b, enum dash_sort sort)
{
	const struct compliance_service
	    *x = &sort_rep->services[*(const size_t *)a],
	    *y = &sort_rep->services[*(const size_t *)b];
	int c = 0;
	if (sort == SORT_NAME)
		c = strcmp(x->name, y->name);
	else if (sort == SORT_RPO)
		c = (x->rpo_age_s < y->rpo_age_s) -
		    (x->rpo_age_s > y->rpo_age_s);
	else if (sort == SORT_RTO)
		c = (x->rto_estimate_s < y->rto_estimate_s) -
		    (x->rto_estimate_s > y->rto_estimate_s);
	if (c == 0)
		c = (*(const size_t *)a > *(const size_t *)b) -
		    (*(const size_t *)a < *(const size_t *)b);
	return c;
}
static int cmp_name(const void *a, const void *b)
{
	return cmp_rows(a, b, SORT_NAME);
}
static int cmp_rpo(const void *a, const void *b)
{
	return cmp_rows(a, b, SORT_RPO);
}
static int cmp_rto(const void *a, const void *b)
{
	return cmp_rows(a, b, SORT_RTO);
}

static int matches(const struct compliance_service *s, const char *filter)
{
	if (filter[0] == '\0')
		return 1;
	return strcasestr(s->name, filter) || strcasestr(s->tier, filter) ||
	       strcasestr(s->owner, filter) ||
	       strcasestr(verdict_name(s->verdict), filter) ||
	       strcasestr(s->health, filter);
}

static void rebuild(struct dashboard *d, struct view_ctx *ctx)
{
	const struct compliance_report *rep = ctx->report;
	size_t n = rep ? rep->n : 0;
	d->rows = xreallocarray(d->rows, n ? n : 1, sizeof *d->rows);
	d->n_rows = 0;
	for (size_t i = 0; i < n; i++)
		if (matches(&rep->services[i], d->filter))
			d->rows[d->n_rows++] = i;
	if (d->sort != SORT_WORST && d->n_rows > 1) {
		sort_rep = rep;
		qsort(d->rows, d->n_rows, sizeof *d->rows,
		      d->sort == SORT_NAME  ? cmp_name
		      : d->sort == SORT_RPO ? cmp_rpo
		                            : cmp_rto);
	}
	d->nav.n = d->n_rows;
	listnav_fit(&d->nav, d->page);
}

static void *dashboard_open(struct view_ctx *ctx)
{
	struct dashboard *d = xcalloc(1, sizeof *d);
	d->page = 1;
	rebuild(d, ctx);
	return d;
}

static void dashboard_close(void *state)
{
	struct dashboard *d = state;
	if (d == NULL)
		return;
	free(d->rows);
	free(d);
}

static void dashboard_reload(void *state, struct view_ctx *ctx, unsigned change)
{
	(void)change;
	rebuild(state, ctx);
}

static const struct compliance_service *selected(struct dashboard *d,
                                                 struct view_ctx *ctx)
{
	if (ctx->report == NULL || d->n_rows == 0)
		return NULL;
	return &ctx->report->services[d->rows[d->nav.sel]];
}

/* Column widths; the service name takes what is left. */
enum {
	W_TIER = 8,
	W_HEALTH = 8,
	W_BAR = 6,
	W_AGE = 5,
	W_LAG = 12,
	W_RTO = 9,
	W_TEST = 5,
	W_VERDICT = 7,
	W_FIXED = W_TIER + W_HEALTH + W_BAR + 1 + W_AGE + W_LAG + W_RTO +
	          W_TEST + W_VERDICT + 7,
};

static void draw_row(WINDOW *win, int y, int x, int w_name,
                     const struct compliance_service *s, int is_sel,
                     double at_risk)
{
	attr_t base =
	    is_sel ? screen_attr(THEME_SELECTION) : screen_attr(THEME_NORMAL);
	char a[32], b[32], buf[64];
	int cx = x;

	screen_cell(win, y, cx, w_name + 1, base, s->name);
	cx += w_name + 1;
	screen_cell(win, y, cx, W_TIER + 1, base, s->tier[0] ? s->tier : "-");
	cx += W_TIER + 1;
	attr_t hattr = base;
	if (!is_sel && (strcmp(s->health, "warning") == 0 ||
	                strcmp(s->health, "degraded") == 0))
		hattr = screen_attr(THEME_BAR_WARN);
	else if (!is_sel && strcmp(s->health, "critical") == 0)
		hattr = screen_attr(THEME_BAR_BAD);
	screen_cell(win, y, cx, W_HEALTH + 1, hattr,
	            s->health[0] ? s->health : "-");
	cx += W_HEALTH + 1;
	widget_bar(win, y, cx, W_BAR, s->rpo_fraction, at_risk);
	cx += W_BAR;
	screen_put(win, y, cx, 1, base, "");
	cx += 1;
	/* The bar carries the colour; the age, which changes every minute,
	 * stays plain unless breached, so its update is a few bytes without
	 * colour changes (an idle dashboard should send almost nothing). */
	screen_cell(win, y, cx, W_AGE + 1,
	            (!is_sel && s->rpo_status == COMP_BREACH)
	                ? screen_attr(THEME_BAR_BAD)
	                : base,
	            s->rpo_age_s < 0 ? "never"
	                             : widget_age(s->rpo_age_s, a, sizeof a));
	cx += W_AGE + 1;
	attr_t lattr = base;
	if (s->has_replica && s->repl_stale) {
		/* No live sample: no figure, and no recovery point. */
		snprintf(buf, sizeof buf, "stale");
		if (!is_sel)
			lattr = screen_attr(THEME_BAR_WARN);
	} else if (s->has_replica &&
	           (s->repl_lag_s < 0 ||
	            (strcmp(s->repl_state, "streaming") != 0 &&
	             strcmp(s->repl_state, "catchup") != 0))) {
		snprintf(buf, sizeof buf, "%s", s->repl_state);
		if (!is_sel)
			lattr = screen_attr(THEME_BAR_BAD);
	} else if (s->has_replica) {
		snprintf(buf, sizeof buf, "%s %s",
		         widget_seconds(s->repl_lag_s, a, sizeof a),
		         widget_bytes(s->repl_lag_bytes, b, sizeof b));
	} else {
		snprintf(buf, sizeof buf, "-");
	}
	screen_cell(win, y, cx, W_LAG + 1, lattr, buf);
	cx += W_LAG + 1;
	if (s->rto_estimate_s < 0)
		snprintf(a, sizeof a, "?");
	else
		duration_format_short(s->rto_estimate_s, a, sizeof a);
	snprintf(buf, sizeof buf, "%s/%s", a,
	         s->rto_target_s > 0
	             ? duration_format_short(s->rto_target_s, b, sizeof b)
	             : "-");
	screen_cell(win, y, cx, W_RTO + 1,
	            is_sel ? base : widget_status_attr(s->rto_status), buf);
	cx += W_RTO + 1;
	screen_cell(win, y, cx, W_TEST + 1,
	            (!is_sel && s->untested) ? screen_attr(THEME_BAR_WARN)
	                                     : base,
	            widget_age_coarse(s->test_age_s, a, sizeof a));
	cx += W_TEST + 1;
	/* A service its probes mark down says so in its own row; the
	 * colour is still its verdict's. */
	screen_put(win, y, cx, W_VERDICT, widget_verdict_attr(s->verdict),
	           s->probes_down ? "DOWN" : verdict_name(s->verdict));
}

static void dashboard_draw(void *state, struct view_ctx *ctx, WINDOW *win,
                           struct view_rect r)
{
	struct dashboard *d = state;
	const struct compliance_report *rep = ctx->report;
	double at_risk = ctx->cfg ? ctx->cfg->policy.at_risk_fraction : 0.8;
	if (at_risk <= 0)
		at_risk = 0.8;
	int w_name = r.w - W_FIXED;
	if (w_name < 8)
		w_name = 8;
	attr_t hdr = screen_attr(THEME_COLUMN_HEADER);
	const struct screen_glyphs *gl = screen_glyphs();
	char lab[5][40];
	/* The sorted column carries the mark ("SERVICE\u25bc", "RPO AGE v"). */
	const char *mark = screen_utf8() ? "\u25bc" : " v";
	snprintf(lab[0], sizeof lab[0], "SERVICE%s",
	         d->sort == SORT_NAME ? (screen_utf8() ? "\u25b2" : " ^") : "");
	snprintf(lab[1], sizeof lab[1], "RPO  AGE%s",
	         d->sort == SORT_RPO ? mark : "");
	snprintf(lab[2], sizeof lab[2], "RTO EST%s",
	         d->sort == SORT_RTO ? mark : "");
	snprintf(lab[3], sizeof lab[3], "VERDICT%s",
	         d->sort == SORT_WORST ? mark : "");
	int cx = r.x;
	screen_cell(win, r.y, cx, w_name + 1, hdr, lab[0]);
	cx += w_name + 1;
	screen_cell(win, r.y, cx, W_TIER + 1, hdr, "TIER");
	cx += W_TIER + 1;
	screen_cell(win, r.y, cx, W_HEALTH + 1, hdr, "BACKUPS");
	cx += W_HEALTH + 1;
	screen_put(win, r.y, cx, W_BAR + W_AGE + 2, hdr, lab[1]);
	cx += W_BAR + W_AGE + 2;
	screen_cell(win, r.y, cx, W_LAG + 1, hdr, "REPL LAG");
	cx += W_LAG + 1;
	screen_cell(win, r.y, cx, W_RTO + 1, hdr, lab[2]);
	cx += W_RTO + 1;
	screen_cell(win, r.y, cx, W_TEST + 1, hdr, "TEST");
	cx += W_TEST + 1;
	screen_put(win, r.y, cx, r.x + r.w - cx, hdr, lab[3]);

	int avail = r.h - 1;
	if (avail < 1)
		avail = 1;
	/* Rows that do not fit: the last line says how many more there are,
	 * so a second bad service is never silently below the edge. */
	int more_line = d->n_rows > (size_t)avail;
	d->page = more_line ? avail - 1 : avail;
	if (d->page < 1)
		d->page = 1;
	d->nav.n = d->n_rows;
	listnav_fit(&d->nav, d->page);
	if (rep == NULL || rep->n == 0) {
		screen_put(win, r.y + 2, r.x + 2, r.w - 4,
		           screen_attr(THEME_DIM),
		           rep == NULL ? "No data yet."
		                       : "No services in the catalog.");
		if (rep != NULL) {
			screen_put(win, r.y + 3, r.x + 2, r.w - 4,
			           screen_attr(THEME_DIM),
			           "Add one with `drconsole service add NAME "
			           "--tier critical`,");
			screen_put(win, r.y + 4, r.x + 2, r.w - 4,
			           screen_attr(THEME_DIM),
			           "or look around first: `drconsole demo`.");
		}
		return;
	}
	if (d->n_rows == 0) {
		screen_putf(win, r.y + 2, r.x + 2, r.w - 4,
		            screen_attr(THEME_DIM),
		            "No service matches \"%s\" (/ to change the "
		            "filter).",
		            d->filter);
		return;
	}
	/* The rows the services leave empty go to the why of the services
	 * that are not OK, worst first: one line under each. */
	int spare = more_line ? 0 : avail - (int)d->n_rows;
	int y = r.y + 1;
	for (int i = 0; i < d->page && y < r.y + 1 + avail; i++) {
		size_t row = d->nav.top + (size_t)i;
		if (row >= d->n_rows)
			break;
		const struct compliance_service *sv =
		    &rep->services[d->rows[row]];
		draw_row(win, y++, r.x, w_name, sv,
		         !ctx->wall && row == d->nav.sel, at_risk);
		if (spare <= 0 || sv->verdict == VERDICT_OK ||
		    !sv->reason_fixed[0])
			continue;
		char why[400];
		snprintf(why, sizeof why, "  %s %s%s%s", gl->arrow,
		         sv->reason_fixed,
		         sv->probes_down && !strstr(sv->reason_fixed, "down")
		             ? "; DOWN: "
		             : "",
		         sv->probes_down && !strstr(sv->reason_fixed, "down")
		             ? sv->probes_down_names
		             : "");
		/* Two rows when there is room for them, the worst first; a
		 * longer reason is whole on the service's page. */
		const char *rest = why;
		for (int k = 0; k < 2 && spare > 0 && *rest; k++) {
			char seg[400];
			size_t cut = strlen(rest);
			if (k == 0 && spare > 1 &&
			    screen_width(rest) > r.w - 1) {
				cut = 0;
				for (size_t j = 1; rest[j]; j++) {
					if (rest[j] != ' ')
						continue;
					memcpy(seg, rest, j);
					seg[j] = '\0';
					if (screen_width(seg) > r.w - 1)
						break;
					cut = j;
				}
				if (cut == 0)
					cut = strlen(rest);
			}
			snprintf(seg, sizeof seg, "%s%.*s", k ? "    " : "",
			         (int)cut, rest);
			/* The colour of the row's breached age, so the
			 * minute's new figures need no colour change. */
			screen_cell(win, y++, r.x, r.w,
			            screen_attr(sv->verdict == VERDICT_BREACH
			                            ? THEME_BAR_BAD
			                            : THEME_BAR_WARN),
			            seg);
			spare--;
			rest += cut;
			while (*rest == ' ')
				rest++;
		}
	}
	if (more_line) {
		size_t below = d->n_rows - d->nav.top - (size_t)d->page;
		size_t bad_below = 0;
		for (size_t i = d->nav.top + (size_t)d->page; i < d->n_rows;
		     i++)
			bad_below +=
			    rep->services[d->rows[i]].verdict != VERDICT_OK;
		char more[160], above[48] = "";
		if (d->nav.top > 0)
			snprintf(above, sizeof above, ", %zu above",
			         d->nav.top);
		if (below == 0)
			snprintf(more, sizeof more, " %s %zu above%s",
			         gl->updown, d->nav.top,
			         ctx->wall ? "" : "  PgUp, Home");
		else if (bad_below)
			snprintf(more, sizeof more,
			         " %s %zu more below (%zu not OK)%s%s",
			         gl->updown, below, bad_below, above,
			         ctx->wall ? "" : "  PgDn, End");
		else
			snprintf(more, sizeof more,
			         " %s %zu more below (all OK)%s%s", gl->updown,
			         below, above, ctx->wall ? "" : "  PgDn, End");
		screen_cell(win, r.y + avail, r.x, r.w,
		            bad_below ? screen_attr(THEME_BAR_WARN)
		                      : screen_attr(THEME_DIM),
		            more);
	}
}

/* B: every backup target of the service in the config, one after the
 * other, each on a job screen (tui/job.h), after a confirmation. */
/* B: one target, on the job screen's thread (tui/job.h). */
static int backup_work(const struct ops_session *s, void *arg, char **line)
{
	const char *target = arg;
	struct backup_outcome out;
	char *err = NULL;
	int rc = ops_backup_run(s, target, &out, &err);

	*line = ops_backup_run_line(target, rc, &out, err);
	free(err);
	return rc;
}

static void back_up_now(struct view_ctx *ctx, const char *service)
{
	const struct backup_config *bc = ctx->cfg ? ctx->cfg->backup : NULL;
	size_t n = 0, done = 0;
	char question[256], title[160], *summary = NULL;
	int failed = 0;

	for (size_t i = 0; bc != NULL && i < bc->n_targets; i++)
		n += strcmp(bc->targets[i].service, service) == 0;
	if (n == 0) {
		view_message(ctx, 1,
		             "%s has no backup target in the config "
		             "(see drconsole-backup(5))",
		             service);
		return;
	}
	snprintf(question, sizeof question,
	         "Back up %s now (%zu target%s)?  [y/N]", service, n,
	         n == 1 ? "" : "s");
	snprintf(title, sizeof title, " Back up %s", service);
	if (!job_confirm(title, question))
		return;
	for (size_t i = 0; i < bc->n_targets; i++) {
		const struct backup_target *t = &bc->targets[i];
		char what[128];
		if (strcmp(t->service, service) != 0)
			continue;
		snprintf(title, sizeof title,
		         " Back up %s: target %s (%zu/%zu)", service, t->name,
		         ++done, n);
		snprintf(what, sizeof what, "back up %s", t->name);
		free(summary);
		summary = NULL;
		if (job_run(ctx, title, what, backup_work, (void *)t->name,
		            &summary) != 0) {
			failed = 1;
			break;
		}
	}
	view_message(ctx, failed, "%s", summary ? summary : "");
	free(summary);
}

static unsigned dashboard_key(void *state, struct view_ctx *ctx, int key)
{
	struct dashboard *d = state;
	unsigned res = listnav_key(&d->nav, key, d->page);
	if (res)
		return res;
	const struct compliance_service *s = selected(d, ctx);
	switch (key) {
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (s == NULL)
			return VIEW_HANDLED;
		view_open_service(ctx, s->name);
		return VIEW_HANDLED | VIEW_REDRAW;
	case 's':
		d->sort = (d->sort + 1) % SORT_N;
		rebuild(d, ctx);
		d->nav.sel = d->nav.top = 0;
		view_message(ctx, 0, "sorted by %s (s: next order)",
		             sort_names[d->sort]);
		return VIEW_HANDLED | VIEW_REDRAW;
	case 'w':
		/* The worst service's page, whatever the sort or filter. */
		if (ctx->report == NULL || ctx->report->n == 0)
			return VIEW_HANDLED;
		view_open_service(ctx, ctx->report->services[0].name);
		return VIEW_HANDLED | VIEW_REDRAW;
	case 'b':
		if (s == NULL)
			return VIEW_HANDLED;
		ctx->switch_to = VIEW_BACKUPS;
		strlcpy_dr(ctx->switch_args, s->name, sizeof ctx->switch_args);
		return VIEW_HANDLED | VIEW_REDRAW;
	case 'B':
		if (s == NULL)
			return VIEW_HANDLED;
		if (ctx->read_only)
			return view_refuse_action(ctx, "back up now");
		back_up_now(ctx, s->name);
		clearok(curscr, TRUE);
		return VIEW_HANDLED | VIEW_REDRAW;
	}
	return 0;
}

static void dashboard_filter(void *state, struct view_ctx *ctx,
                             const char *text)
{
	struct dashboard *d = state;
	strlcpy_dr(d->filter, text, sizeof d->filter);
	d->nav.sel = d->nav.top = 0;
	rebuild(d, ctx);
}

static void dashboard_command(void *state, struct view_ctx *ctx,
                              const char *args)
{
	dashboard_filter(state, ctx, args);
}

static const char *dashboard_active_filter(void *state)
{
	return ((struct dashboard *)state)->filter;
}

const struct view_ops view_dashboard_ops = {
    .active_filter = dashboard_active_filter,
    .name = "Dashboard",
    .hints = "Enter:page w:worst b/B:backups s:sort",
    .open = dashboard_open,
    .close = dashboard_close,
    .reload = dashboard_reload,
    .draw = dashboard_draw,
    .key = dashboard_key,
    .filter = dashboard_filter,
    .command = dashboard_command,
};
