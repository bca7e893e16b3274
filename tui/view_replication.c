#include "tui/view_replication.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/duration.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "tui/listnav.h"
#include "tui/screen.h"
#include "tui/widget.h"

#define SPARK_CELLS  12
#define SPARK_SPAN_S 3600

struct pair {
	struct catalog_replication latest;
	int64_t rpo_s;   /* the service's RPO: the lag threshold; 0: none */
	double fraction; /* lag / RPO; -1 unknown */
	double spark[SPARK_CELLS]; /* max lag per 3-minute slot; -1: none */
	double hour_max, hour_sum;
	size_t hour_n;
};

struct replication {
	struct listnav nav;
	struct pair *pairs;
	size_t n;
	size_t *rows; /* pairs passing the filter */
	size_t n_rows;
	char filter[128];
	char error[256];
	int page;
};

static int state_rank(const char *state)
{
	if (strcmp(state, "down") == 0)
		return 0;
	if (strcmp(state, "stopped") == 0)
		return 1;
	if (strcmp(state, "unknown") == 0)
		return 2;
	if (strcmp(state, "catchup") == 0)
		return 3;
	return 4;
}

static int worst_first(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int rx = state_rank(x->latest.state), ry = state_rank(y->latest.state);
	if (rx != ry)
		return rx - ry;
	if (x->fraction != y->fraction)
		return x->fraction > y->fraction ? -1 : 1;
	return strcmp(x->latest.source, y->latest.source);
}

static void apply_filter(struct replication *rp)
{
	rp->rows = xreallocarray(rp->rows, rp->n ? rp->n : 1, sizeof *rp->rows);
	rp->n_rows = 0;
	for (size_t i = 0; i < rp->n; i++) {
		const struct catalog_replication *l = &rp->pairs[i].latest;
		if (rp->filter[0] && !strcasestr(l->source, rp->filter) &&
		    !strcasestr(l->target, rp->filter) &&
		    !strcasestr(l->service, rp->filter) &&
		    !strcasestr(l->state, rp->filter))
			continue;
		rp->rows[rp->n_rows++] = i;
	}
	rp->nav.n = rp->n_rows;
	listnav_fit(&rp->nav, rp->page);
}

static void load(struct replication *rp, struct view_ctx *ctx)
{
	free(rp->pairs);
	rp->pairs = NULL;
	rp->n = 0;
	rp->error[0] = '\0';
	if (ctx->cat == NULL)
		goto out;
	struct catalog_replication *latest = NULL;
	size_t n = 0;
	char *err = NULL;
	if (catalog_replication_latest(ctx->cat, &latest, &n, &err) !=
	    CATALOG_OK) {
		snprintf(rp->error, sizeof rp->error, "%s", err);
		free(err);
		goto out;
	}
	rp->pairs = xcalloc(n ? n : 1, sizeof *rp->pairs);
	rp->n = n;
	int64_t since = ctx->now - SPARK_SPAN_S;
	for (size_t i = 0; i < n; i++) {
		struct pair *p = &rp->pairs[i];
		p->latest = latest[i];
		p->fraction = -1;
		for (size_t k = 0; ctx->report && k < ctx->report->n; k++)
			if (strcmp(ctx->report->services[k].name,
			           p->latest.service) == 0)
				p->rpo_s =
				    ctx->report->services[k].rpo_target_s;
		if (p->rpo_s > 0 && p->latest.lag_s >= 0)
			p->fraction = p->latest.lag_s / (double)p->rpo_s;
		for (int c = 0; c < SPARK_CELLS; c++)
			p->spark[c] = -1;
		struct catalog_replication *hist = NULL;
		size_t nh = 0;
		if (catalog_replication_history(ctx->cat, p->latest.source,
		                                p->latest.target, since, &hist,
		                                &nh, &err) != CATALOG_OK) {
			free(err);
			err = NULL;
			continue;
		}
		for (size_t h = 0; h < nh; h++) {
			if (hist[h].lag_s < 0)
				continue;
			int64_t off = hist[h].sampled_at - since;
			int cell = (int)(off * SPARK_CELLS / SPARK_SPAN_S);
			if (cell < 0)
				cell = 0;
			if (cell >= SPARK_CELLS)
				cell = SPARK_CELLS - 1;
			if (hist[h].lag_s > p->spark[cell])
				p->spark[cell] = hist[h].lag_s;
			if (hist[h].lag_s > p->hour_max)
				p->hour_max = hist[h].lag_s;
			p->hour_sum += hist[h].lag_s;
			p->hour_n++;
		}
		free(hist);
	}
	free(latest);
	qsort(rp->pairs, rp->n, sizeof *rp->pairs, worst_first);
out:
	apply_filter(rp);
}

static void *replication_open(struct view_ctx *ctx)
{
	struct replication *rp = xcalloc(1, sizeof *rp);
	rp->page = 10;
	load(rp, ctx);
	return rp;
}

static void replication_close(void *state)
{
	struct replication *rp = state;
	if (rp == NULL)
		return;
	free(rp->pairs);
	free(rp->rows);
	free(rp);
}

static void replication_reload(void *state, struct view_ctx *ctx,
                               unsigned change)
{
	(void)change;
	load(state, ctx);
}

enum { W_STATE = 9, W_LAGS = 7, W_LAGB = 8, W_THR = 9 };

static void replication_draw(void *state, struct view_ctx *ctx, WINDOW *win,
                             struct view_rect r)
{
	struct replication *rp = state;
	const struct screen_glyphs *g = screen_glyphs();
	attr_t hdr = screen_attr(THEME_COLUMN_HEADER);
	char a[32], b[32], line[320];
	int fixed = W_STATE + W_LAGS + W_LAGB + SPARK_CELLS + W_THR + 5;
	int w_pair = r.w - fixed;
	int x = r.x;

	screen_put(win, r.y, x, w_pair, hdr, "SOURCE -> TARGET");
	x += w_pair;
	screen_cell(win, r.y, x, W_STATE + 1, hdr, "STATE");
	x += W_STATE + 1;
	screen_cell(win, r.y, x, W_LAGS + 1, hdr, "LAG");
	x += W_LAGS + 1;
	screen_cell(win, r.y, x, W_LAGB + 1, hdr, "BYTES");
	x += W_LAGB + 1;
	screen_cell(win, r.y, x, SPARK_CELLS + 1, hdr, "LAST HOUR");
	x += SPARK_CELLS + 1;
	screen_put(win, r.y, x, r.x + r.w - x, hdr, "LAG/RPO");

	rp->page = r.h - 1;
	listnav_fit(&rp->nav, rp->page);
	if (rp->error[0]) {
		screen_put(win, r.y + 1, r.x + 1, r.w - 2,
		           screen_attr(THEME_ERROR), rp->error);
		return;
	}
	if (rp->n_rows == 0) {
		screen_put(win, r.y + 2, r.x + 2, r.w - 4,
		           screen_attr(THEME_DIM),
		           rp->n ? "No pair matches the filter."
		                 : "No replication samples in the catalog.");
		return;
	}
	for (int i = 0; i < rp->page && rp->nav.top + (size_t)i < rp->n_rows;
	     i++) {
		size_t row = rp->nav.top + (size_t)i;
		const struct pair *p = &rp->pairs[rp->rows[row]];
		const struct catalog_replication *l = &p->latest;
		int is_sel = !ctx->wall && row == rp->nav.sel;
		attr_t base = is_sel ? screen_attr(THEME_SELECTION)
		                     : screen_attr(THEME_NORMAL);
		attr_t level = screen_attr(THEME_BAR_OK);
		if (p->fraction > 1 || state_rank(l->state) <= 1)
			level = screen_attr(THEME_BAR_BAD);
		else if (p->fraction > 0.8 || state_rank(l->state) == 2)
			level = screen_attr(THEME_BAR_WARN);
		int y = r.y + 1 + i;
		x = r.x;
		/* "payments-db-primary -> ...-replica": the target without
		 * the prefix it shares with the source. */
		size_t common = 0, cut = 0;
		while (l->source[common] &&
		       l->source[common] == l->target[common]) {
			if (l->source[common] == '-' ||
			    l->source[common] == '.')
				cut = common;
			common++;
		}
		if (cut > 2)
			snprintf(line, sizeof line, "%s %s %s%s", l->source,
			         g->arrow, g->ellipsis, l->target + cut);
		else
			snprintf(line, sizeof line, "%s %s %s", l->source,
			         g->arrow, l->target);
		/* A copy of backups to a second repository is no replica:
		 * its lag is copy lag and it is never a recovery point. */
		int copy = strcmp(l->kind, "copy") == 0;
		if (copy) {
			size_t len = strlen(line);
			snprintf(line + len, sizeof line - len, " (copy lag)");
		}
		screen_cell(win, y, x, w_pair, base, line);
		x += w_pair;
		const char *st = l->state;
		if (copy)
			st = strcmp(l->state, "streaming") == 0 ? "copied"
			     : strcmp(l->state, "catchup") == 0 ? "copying"
			                                        : "copy down";
		screen_cell(win, y, x, W_STATE + 1, is_sel ? base : level, st);
		x += W_STATE + 1;
		snprintf(line, sizeof line, "%7s",
		         widget_seconds(l->lag_s, a, sizeof a));
		screen_cell(win, y, x, W_LAGS + 1, is_sel ? base : level, line);
		x += W_LAGS + 1;
		snprintf(line, sizeof line, "%8s",
		         widget_bytes(l->lag_bytes, a, sizeof a));
		screen_cell(win, y, x, W_LAGB + 1, base, line);
		x += W_LAGB + 1;
		/* Scaled to the hour's peak (at least a tenth of the RPO, so
		 * noise stays flat): the shape shows spikes, the colour how
		 * close to the RPO the lag is now. */
		double max = p->hour_max;
		if (max < p->rpo_s * 0.1)
			max = p->rpo_s * 0.1;
		if (max < 1.0)
			max = 1.0;
		widget_spark(win, y, x, SPARK_CELLS, p->spark, SPARK_CELLS, max,
		             level);
		screen_put(win, y, x + SPARK_CELLS, 1, base, "");
		x += SPARK_CELLS + 1;
		if (p->rpo_s > 0 && p->fraction >= 0)
			snprintf(line, sizeof line, "%3.0f%% %s",
			         p->fraction * 100,
			         duration_format_short(p->rpo_s, b, sizeof b));
		else if (p->rpo_s > 0)
			snprintf(line, sizeof line, "   - %s",
			         duration_format_short(p->rpo_s, b, sizeof b));
		else
			snprintf(line, sizeof line, "no RPO");
		screen_put(win, y, x, r.x + r.w - x, is_sel ? base : level,
		           line);
	}
}

static unsigned replication_key(void *state, struct view_ctx *ctx, int key)
{
	struct replication *rp = state;
	unsigned res = listnav_key(&rp->nav, key, rp->page);
	if (res)
		return res;
	if ((key == '\n' || key == '\r' || key == KEY_ENTER) && rp->n_rows &&
	    rp->pairs[rp->rows[rp->nav.sel]].latest.service[0]) {
		/* A pair of a service: that service's page (its lag history
		 * and evidence are there). */
		view_open_service(
		    ctx, rp->pairs[rp->rows[rp->nav.sel]].latest.service);
		return VIEW_HANDLED | VIEW_REDRAW;
	}
	if ((key == '\n' || key == '\r' || key == KEY_ENTER) && rp->n_rows) {
		const struct pair *p = &rp->pairs[rp->rows[rp->nav.sel]];
		const struct catalog_replication *l = &p->latest;
		struct view_details *d = &ctx->details;
		char t[32], a[32], b[32];
		view_details_clear(d);
		snprintf(d->title, sizeof d->title, "%s -> %s", l->source,
		         l->target);
		view_details_add(d, "Service     %s",
		                 l->service[0] ? l->service : "-");
		view_details_add(d, "State       %s", l->state);
		view_details_add(d, "Lag         %s, %s behind",
		                 widget_seconds(l->lag_s, a, sizeof a),
		                 widget_bytes(l->lag_bytes, b, sizeof b));
		time_format_iso(l->sampled_at, t);
		view_details_add(d, "Sampled     %s", t);
		view_details_add(d,
		                 "Threshold   %s (the service's RPO; "
		                 "amber past 80%%)",
		                 p->rpo_s > 0
		                     ? duration_format(p->rpo_s, a, sizeof a)
		                     : "none");
		if (p->hour_n)
			view_details_add(
			    d,
			    "Last hour   %zu samples, max %s, "
			    "mean %s",
			    p->hour_n, widget_seconds(p->hour_max, a, sizeof a),
			    widget_seconds(p->hour_sum / (double)p->hour_n, b,
			                   sizeof b));
		ctx->details_open = 1;
		return VIEW_HANDLED | VIEW_REDRAW;
	}
	return 0;
}

static void replication_filter(void *state, struct view_ctx *ctx,
                               const char *text)
{
	(void)ctx;
	struct replication *rp = state;
	strlcpy_dr(rp->filter, text, sizeof rp->filter);
	rp->nav.sel = rp->nav.top = 0;
	apply_filter(rp);
}

const struct view_ops view_replication_ops = {
    .name = "Replication",
    .hints = "Enter:page",
    .open = replication_open,
    .close = replication_close,
    .reload = replication_reload,
    .draw = replication_draw,
    .key = replication_key,
    .filter = replication_filter,
    .command = replication_filter,
};
