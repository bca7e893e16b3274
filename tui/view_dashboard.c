#include "tui/view_dashboard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/backup_config.h"
#include "core/duration.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "tui/job.h"
#include "tui/listnav.h"
#include "tui/screen.h"
#include "tui/widget.h"

struct dashboard {
	struct listnav nav;
	char filter[128];
	size_t *rows; /* indices into the report that pass the filter */
	size_t n_rows;
	int page;
};

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
	W_LAG = 10,
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
	int cx = r.x;
	screen_cell(win, r.y, cx, w_name + 1, hdr, "SERVICE");
	cx += w_name + 1;
	screen_cell(win, r.y, cx, W_TIER + 1, hdr, "TIER");
	cx += W_TIER + 1;
	screen_cell(win, r.y, cx, W_HEALTH + 1, hdr, "BACKUPS");
	cx += W_HEALTH + 1;
	screen_put(win, r.y, cx, W_BAR + W_AGE + 2, hdr, "RPO  AGE");
	cx += W_BAR + W_AGE + 2;
	screen_cell(win, r.y, cx, W_LAG + 1, hdr, "REPL LAG");
	cx += W_LAG + 1;
	screen_cell(win, r.y, cx, W_RTO + 1, hdr, "RTO EST");
	cx += W_RTO + 1;
	screen_cell(win, r.y, cx, W_TEST + 1, hdr, "TEST");
	cx += W_TEST + 1;
	screen_put(win, r.y, cx, r.x + r.w - cx, hdr, "VERDICT");

	d->page = r.h - 1;
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
	for (int i = 0; i < d->page; i++) {
		size_t row = d->nav.top + (size_t)i;
		if (row >= d->n_rows)
			break;
		draw_row(win, r.y + 1 + i, r.x, w_name,
		         &rep->services[d->rows[row]],
		         !ctx->wall && row == d->nav.sel, at_risk);
	}
}

static void fill_details(const struct compliance_service *s,
                         struct view_ctx *ctx)
{
	struct view_details *dt = &ctx->details;
	char a[64], b[64], t[32];
	view_details_clear(dt);
	snprintf(dt->title, sizeof dt->title, "Service %s", s->name);
	view_details_add(dt, "Verdict        %s%s%s", verdict_name(s->verdict),
	                 s->reason[0] ? " - " : "", s->reason);
	view_details_add(dt, "Tier / owner   %s / %s",
	                 s->tier[0] ? s->tier : "-",
	                 s->owner[0] ? s->owner : "-");
	time_format_short(s->last_good_backup_at, t);
	view_details_add(dt, "Last good      %s UTC", t);
	view_details_add(
	    dt, "RPO            age %s against %s: %s%s",
	    s->rpo_age_s < 0 ? "never"
	                     : duration_format(s->rpo_age_s, a, sizeof a),
	    duration_format(s->rpo_target_s > 0 ? s->rpo_target_s : -1, b,
	                    sizeof b),
	    comp_status_name(s->rpo_status),
	    s->rpo_from_replica ? " (from the replica)" : "");
	view_details_add(
	    dt, "RTO            estimate %s (%s) against %s: %s",
	    duration_format(s->rto_estimate_s, a, sizeof a),
	    rto_source_name(s->rto_source),
	    duration_format(s->rto_target_s > 0 ? s->rto_target_s : -1, b,
	                    sizeof b),
	    comp_status_name(s->rto_status));
	time_format_short(s->last_test_at, t);
	view_details_add(dt, "Restore test   %s UTC, policy every %s%s", t,
	                 duration_format(s->drill_policy_s, a, sizeof a),
	                 s->untested ? " - UNTESTED" : "");
	time_format_short(s->last_attempt_at, t);
	view_details_add(dt,
	                 "Backups        %s, %d failure(s); last attempt %s "
	                 "UTC (%s)",
	                 s->health[0] ? s->health : "-", s->failure_count, t,
	                 s->last_attempt_status[0] ? s->last_attempt_status
	                                           : "-");
	if (s->clock_skew) {
		time_format_short(s->future_backup_at, t);
		view_details_add(dt,
		                 "Clock skew     a backup completes in the "
		                 "future: %s UTC",
		                 t);
	}
	if (s->has_replica) {
		time_format_short(s->repl_sampled_at, t);
		view_details_add(
		    dt,
		    "Replication    %s%s, lag %s / %s (sampled %s "
		    "UTC)",
		    s->repl_stale ? "stale, last " : "", s->repl_state,
		    widget_seconds(s->repl_lag_s, a, sizeof a),
		    widget_bytes(s->repl_lag_bytes, b, sizeof b), t);
		view_details_add(dt, "               %.60s -> %.60s",
		                 s->repl_source, s->repl_target);
	} else {
		view_details_add(dt, "Replication    none recorded");
	}
	if (s->probes_down)
		view_details_add(dt, "Probes         DOWN: %s",
		                 s->probes_down_names);
	/* What the figures stand on (docs/EVIDENCE.md). */
	view_details_add(dt, "Evidence  RPO  %s %s",
	                 s->rpo_age_s < 0      ? "none"
	                 : s->rpo_from_replica ? "replica"
	                                       : "backup",
	                 s->rpo_evidence_id[0] ? s->rpo_evidence_id : "");
	if (s->rto_source == RTO_SRC_NONE) {
		view_details_add(dt,
		                 "          RTO  none (no restore measured)");
	} else {
		time_format_short(s->rto_evidence_at, t);
		view_details_add(
		    dt, "          RTO  %s %s, backup %.12s, %s, %s",
		    rto_source_name(s->rto_source),
		    s->rto_evidence_id[0] ? s->rto_evidence_id : "-",
		    s->rto_backup_id[0] ? s->rto_backup_id : "?",
		    widget_bytes(s->rto_bytes, a, sizeof a),
		    s->rto_source == RTO_SRC_SIZE_ESTIMATE ? "-" : t);
	}
	if (s->restore_test_failed)
		view_details_add(dt,
		                 "          the newest restore test FAILED "
		                 "(%d since the last ok)",
		                 s->restore_failures);
	view_details_add(dt, "%s", "");
	view_details_add(dt, "b: this service's backups   Esc: close");
	ctx->details_open = 1;
}

/* B: every backup target of the service in the config, one after the
 * other, each on a job screen (tui/job.h), after a confirmation. */
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
		const char *args[] = {"backup", "run", t->name, NULL};
		if (strcmp(t->service, service) != 0)
			continue;
		snprintf(title, sizeof title,
		         " Back up %s: target %s (%zu/%zu)", service, t->name,
		         ++done, n);
		free(summary);
		summary = NULL;
		if (job_screen(ctx, title, args, &summary) != 0) {
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
		fill_details(s, ctx);
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

const struct view_ops view_dashboard_ops = {
    .name = "Dashboard",
    .hints = "Enter:details b:backups",
    .open = dashboard_open,
    .close = dashboard_close,
    .reload = dashboard_reload,
    .draw = dashboard_draw,
    .key = dashboard_key,
    .filter = dashboard_filter,
    .command = dashboard_command,
};
