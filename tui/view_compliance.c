#include "tui/view_compliance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/duration.h"
#include "core/error.h"
#include "core/testprog.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "tui/listnav.h"
#include "tui/screen.h"
#include "tui/widget.h"

#define RECENT_RECOVERIES 20

/* Rows: the services (from the report); when the config has a test
 * programme, a section line and its tests; a section line, then the
 * newest recoveries. */
struct compliance {
	struct listnav nav;
	struct catalog_recovery *recs;
	size_t n_recs;
	struct test_status *tests; /* the programme's, filtered by service */
	size_t n_tests;
	size_t n_overdue;
	char error[256];
	char filter[128];
	size_t *svc; /* report indices passing the filter */
	size_t n_svc;
	int page;
};

/* The first row of the recoveries' section line. */
static size_t recs_row(const struct compliance *cp)
{
	return cp->n_svc + (cp->n_tests ? cp->n_tests + 1 : 0);
}

static void load_tests(struct compliance *cp, struct view_ctx *ctx)
{
	struct test_status *all = NULL;
	size_t n = 0;
	char *err = NULL;

	free(cp->tests);
	cp->tests = NULL;
	cp->n_tests = cp->n_overdue = 0;
	if (ctx->cat == NULL || ctx->cfg == NULL || ctx->cfg->tests == NULL)
		return;
	if (testprog_eval(ctx->cat, ctx->cfg->tests, NULL, time_now(), &all, &n,
	                  &err) != DR_OK) {
		snprintf(cp->error, sizeof cp->error, "%s", err);
		free(err);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (cp->filter[0] && !strcasestr(all[i].service, cp->filter))
			continue;
		all[cp->n_tests++] = all[i];
		cp->n_overdue += all[i].overdue != 0;
	}
	cp->tests = all;
}

static void load(struct compliance *cp, struct view_ctx *ctx)
{
	catalog_recoveries_free(cp->recs, cp->n_recs);
	cp->recs = NULL;
	cp->n_recs = 0;
	cp->error[0] = '\0';
	load_tests(cp, ctx);
	if (ctx->cat != NULL) {
		char *err = NULL;
		if (catalog_recovery_list(ctx->cat, RECENT_RECOVERIES,
		                          &cp->recs, &cp->n_recs,
		                          &err) != CATALOG_OK) {
			snprintf(cp->error, sizeof cp->error, "%s", err);
			free(err);
			cp->recs = NULL;
			cp->n_recs = 0;
		}
	}
	size_t n = ctx->report ? ctx->report->n : 0;
	cp->svc = xreallocarray(cp->svc, n ? n : 1, sizeof *cp->svc);
	cp->n_svc = 0;
	for (size_t i = 0; i < n; i++)
		if (!cp->filter[0] ||
		    strcasestr(ctx->report->services[i].name, cp->filter))
			cp->svc[cp->n_svc++] = i;
	cp->nav.n = recs_row(cp) + 1 + cp->n_recs;
	listnav_fit(&cp->nav, cp->page);
}

static void *compliance_open(struct view_ctx *ctx)
{
	struct compliance *cp = xcalloc(1, sizeof *cp);
	cp->page = 10;
	load(cp, ctx);
	return cp;
}

static void compliance_close(void *state)
{
	struct compliance *cp = state;
	if (cp == NULL)
		return;
	catalog_recoveries_free(cp->recs, cp->n_recs);
	free(cp->tests);
	free(cp->svc);
	free(cp);
}

static void compliance_reload(void *state, struct view_ctx *ctx,
                              unsigned change)
{
	(void)change;
	load(state, ctx);
}

static const char *dur(int64_t s, char *buf, size_t size)
{
	if (s < 0)
		return "?";
	return duration_format_short(s, buf, size);
}

static void draw_service(WINDOW *win, int y, int x, int w,
                         const struct compliance_service *s, int is_sel)
{
	attr_t base =
	    is_sel ? screen_attr(THEME_SELECTION) : screen_attr(THEME_NORMAL);
	char a[32], b[32], line[160];
	int w_name = w - 62;
	screen_cell(win, y, x, w_name, base, s->name);
	x += w_name;
	snprintf(line, sizeof line, "%6s %6s",
	         s->rpo_target_s > 0 ? dur(s->rpo_target_s, a, sizeof a) : "-",
	         s->rpo_age_s < 0 ? "never"
	                          : widget_age(s->rpo_age_s, b, sizeof b));
	screen_put(win, y, x, 14,
	           is_sel ? base : widget_status_attr(s->rpo_status), line);
	x += 14;
	snprintf(line, sizeof line, "%6s %6s %-7s",
	         s->rto_target_s > 0 ? dur(s->rto_target_s, a, sizeof a) : "-",
	         dur(s->rto_estimate_s, b, sizeof b),
	         s->rto_source == RTO_SRC_RESTORE_TEST    ? "test"
	         : s->rto_source == RTO_SRC_DRILL         ? "drill"
	         : s->rto_source == RTO_SRC_SIZE_ESTIMATE ? "size"
	                                                  : "-");
	screen_put(win, y, x, 22,
	           is_sel ? base : widget_status_attr(s->rto_status), line);
	x += 22;
	snprintf(line, sizeof line, "%6s/%-5s",
	         s->test_age_s < 0
	             ? "never"
	             : widget_age_coarse(s->test_age_s, a, sizeof a),
	         dur(s->drill_policy_s, b, sizeof b));
	screen_put(win, y, x, 14,
	           is_sel        ? base
	           : s->untested ? screen_attr(THEME_BAR_WARN)
	                         : screen_attr(THEME_BAR_OK),
	           line);
	x += 14;
	screen_put(win, y, x, 2, base, "");
	screen_put(win, y, x + 2, 8, widget_verdict_attr(s->verdict),
	           verdict_name(s->verdict));
}

/* "12-02 05:42": a time without its year, for a narrow column. */
static const char *month_day(int64_t t, char buf[32])
{
	char full[32];
	time_format_short(t, full); /* "2026-12-02 05:42" */
	strlcpy_dr(buf, strlen(full) > 5 ? full + 5 : full, 32);
	return buf;
}

/* SERVICE TEST EVERY LAST RESULT DUE, in 80 columns. */
static void draw_test(WINDOW *win, int y, int x, int w,
                      const struct test_status *t, int is_sel)
{
	attr_t base =
	    is_sel ? screen_attr(THEME_SELECTION) : screen_attr(THEME_NORMAL);
	char last[32] = "never", due[32] = "now", every[32], line[320];
	if (t->last_at > 0)
		month_day(t->last_at, last);
	if (t->due_at > 0)
		month_day(t->due_at, due);
	snprintf(line, sizeof line, "%-12.12s %-22.22s %5s %-11s %-6s %-11s%s",
	         t->service, t->spec->name,
	         duration_format_short(t->spec->every_s, every, sizeof every),
	         last,
	         t->last_at == 0 ? "-"
	         : t->last_ok    ? "passed"
	                         : "FAILED",
	         due, t->overdue ? " OVERDUE" : "");
	attr_t attr = base;
	if (!is_sel && (t->overdue || (t->last_at > 0 && !t->last_ok)))
		attr = screen_attr(THEME_BAR_BAD);
	screen_put(win, y, x, w, attr, line);
}

static void draw_recovery(WINDOW *win, int y, int x, int w,
                          const struct catalog_recovery *rc, int is_sel)
{
	attr_t base =
	    is_sel ? screen_attr(THEME_SELECTION) : screen_attr(THEME_NORMAL);
	char t[32], took[32], rto[32], rpo[32], line[400];
	time_format_short(rc->initiated_at, t);
	int rto_ok = rc->actual_recovery_s >= 0 && rc->rto_target_s > 0 &&
	             rc->actual_recovery_s <= rc->rto_target_s;
	int rpo_ok = rc->data_loss_minutes >= 0 && rc->rpo_target_s > 0 &&
	             rc->data_loss_minutes * 60 <= (double)rc->rpo_target_s;
	char loss[32];
	if (rc->data_loss_minutes < 0)
		snprintf(loss, sizeof loss, "?");
	else
		snprintf(loss, sizeof loss, "%.0fm", rc->data_loss_minutes);
	snprintf(
	    line, sizeof line, "%s %-8s %-11s took %s/%s%s loss %s/%s%s  %s", t,
	    rc->is_drill ? "drill" : "incident", rc->recovery_status,
	    dur(rc->actual_recovery_s, took, sizeof took),
	    rc->rto_target_s > 0 ? dur(rc->rto_target_s, rto, sizeof rto) : "-",
	    rc->actual_recovery_s < 0 ? ""
	    : rto_ok                  ? " ok"
	                              : " MISSED",
	    loss,
	    rc->rpo_target_s > 0
	        ? duration_format_short(rc->rpo_target_s, rpo, sizeof rpo)
	        : "-",
	    rc->data_loss_minutes < 0 ? ""
	    : rpo_ok                  ? " ok"
	                              : " MISSED",
	    rc->affected_services ? rc->affected_services : "");
	attr_t attr = base;
	if (!is_sel && ((rc->actual_recovery_s >= 0 && !rto_ok) ||
	                (rc->data_loss_minutes >= 0 && !rpo_ok)))
		attr = screen_attr(THEME_BAR_BAD);
	screen_put(win, y, x, w, attr, line);
}

static void compliance_draw(void *state, struct view_ctx *ctx, WINDOW *win,
                            struct view_rect r)
{
	struct compliance *cp = state;
	const struct compliance_report *rep = ctx->report;
	attr_t hdr = screen_attr(THEME_COLUMN_HEADER);
	size_t n = rep ? rep->n : 0, rpo_ok = 0, rto_ok = 0, drilled = 0;
	for (size_t i = 0; i < n; i++) {
		rpo_ok += rep->services[i].rpo_status == COMP_OK;
		rto_ok += rep->services[i].rto_status == COMP_OK;
		drilled += !rep->services[i].untested;
	}
	size_t ok = rep ? rep->n_ok : 0;
	screen_putf(win, r.y, r.x, r.w, screen_attr(THEME_TITLE),
	            " %zu%% compliant (%zu/%zu OK)  RPO met %zu/%zu  RTO met "
	            "%zu/%zu  drilled in policy %zu/%zu",
	            n ? ok * 100 / n : 100, ok, n, rpo_ok, n, rto_ok, n,
	            drilled, n);
	screen_put(win, r.y + 1, r.x, r.w - 62, hdr, "SERVICE");
	screen_put(win, r.y + 1, r.x + r.w - 62, 62, hdr,
	           "   RPO    AGE    RTO    EST FROM    TESTED/POLICY  "
	           "VERDICT");
	cp->page = r.h - 2;
	cp->nav.n = recs_row(cp) + 1 + cp->n_recs;
	listnav_fit(&cp->nav, cp->page);
	for (int i = 0; i < cp->page; i++) {
		size_t row = cp->nav.top + (size_t)i;
		int y = r.y + 2 + i;
		int is_sel = !ctx->wall && row == cp->nav.sel;
		if (row < cp->n_svc) {
			draw_service(win, y, r.x, r.w,
			             &rep->services[cp->svc[row]], is_sel);
		} else if (cp->n_tests && row == cp->n_svc) {
			char label[64];
			snprintf(label, sizeof label,
			         "TEST PROGRAMME (%zu, %zu overdue)",
			         cp->n_tests, cp->n_overdue);
			screen_putf(win, y, r.x, r.w,
			            is_sel ? screen_attr(THEME_SELECTION)
			            : cp->n_overdue ? screen_attr(THEME_BAR_BAD)
			                            : hdr,
			            "%-35s %5s %-11s %-6s %s", label, "EVERY",
			            "LAST RUN", "RESULT", "NEXT DUE");
		} else if (cp->n_tests && row < recs_row(cp)) {
			draw_test(win, y, r.x, r.w,
			          &cp->tests[row - cp->n_svc - 1], is_sel);
		} else if (row == recs_row(cp)) {
			screen_putf(win, y, r.x, r.w,
			            is_sel ? screen_attr(THEME_SELECTION) : hdr,
			            "RECENT RECOVERIES AND DRILLS (%zu)%s%s",
			            cp->n_recs, cp->error[0] ? ": " : "",
			            cp->error);
		} else if (row < recs_row(cp) + 1 + cp->n_recs) {
			draw_recovery(win, y, r.x, r.w,
			              &cp->recs[row - recs_row(cp) - 1],
			              is_sel);
		}
	}
}

static void recovery_details(struct view_ctx *ctx,
                             const struct catalog_recovery *rc)
{
	struct view_details *d = &ctx->details;
	char t[32], a[32], b[32];
	view_details_clear(d);
	snprintf(d->title, sizeof d->title, "%s %s",
	         rc->is_drill ? "Drill" : "Recovery", rc->recovery_id);
	view_details_add(d, "Incident     %s", rc->incident_type);
	view_details_add(d, "Services     %s",
	                 rc->affected_services ? rc->affected_services : "-");
	view_details_add(d, "Runbook      %s", rc->recovery_procedure);
	view_details_add(d, "Status       %s", rc->recovery_status);
	view_details_add(d, "By           %s", rc->initiated_by);
	time_format_iso(rc->initiated_at, t);
	view_details_add(d, "Initiated    %s", t);
	time_format_iso(rc->completed_at, t);
	view_details_add(d, "Completed    %s", t);
	view_details_add(
	    d, "Took         %s against an RTO of %s",
	    duration_format(rc->actual_recovery_s, a, sizeof a),
	    duration_format(rc->rto_target_s > 0 ? rc->rto_target_s : -1, b,
	                    sizeof b));
	if (rc->data_loss_minutes >= 0)
		view_details_add(
		    d, "Data lost    %.1f min against an RPO of %s",
		    rc->data_loss_minutes,
		    duration_format(rc->rpo_target_s > 0 ? rc->rpo_target_s
		                                         : -1,
		                    b, sizeof b));
	if (rc->recovery_notes)
		view_details_add(d, "Notes        %s", rc->recovery_notes);
	if (rc->lessons_learned)
		view_details_add(d, "Lessons      %s", rc->lessons_learned);
	struct catalog_recovery_step *steps = NULL;
	size_t n = 0;
	char *err = NULL;
	if (ctx->cat &&
	    catalog_recovery_step_list(ctx->cat, rc->recovery_id, &steps, &n,
	                               &err) == CATALOG_OK) {
		for (size_t i = 0; i < n; i++)
			view_details_add(d, "  %2d %-11s %s", steps[i].seq,
			                 steps[i].status, steps[i].title);
		catalog_recovery_steps_free(steps, n);
	} else {
		free(err);
	}
	ctx->details_open = 1;
}

static void test_details(struct view_ctx *ctx, const struct test_status *t)
{
	struct view_details *d = &ctx->details;
	char a[32], b[32];
	view_details_clear(d);
	snprintf(d->title, sizeof d->title, "Test %s of %s", t->spec->name,
	         t->service);
	view_details_add(d, "Kind         %s%s%s", t->spec->kind,
	                 t->spec->runbook[0] ? " of runbook " : "",
	                 t->spec->runbook);
	if (t->spec->target[0])
		view_details_add(d, "Target       %s", t->spec->target);
	view_details_add(d, "Every        %s",
	                 duration_format(t->spec->every_s, a, sizeof a));
	if (t->last_at > 0) {
		time_format_iso(t->last_at, a);
		view_details_add(d, "Last run     %s %s (%s)", a,
		                 t->last_ok ? "passed" : "FAILED", t->last_id);
		if (!t->last_ok && t->last_error[0])
			view_details_add(d, "Why          %s", t->last_error);
	} else {
		view_details_add(d, "Last run     never");
	}
	if (t->last_pass_at > 0) {
		time_format_iso(t->last_pass_at, a);
		view_details_add(d, "Last pass    %s", a);
	}
	if (t->due_at > 0) {
		time_format_iso(t->due_at, b);
		view_details_add(d, "Due          %s%s", b,
		                 t->overdue ? "  OVERDUE" : "");
	} else {
		view_details_add(d, "Due          now (never passed)  OVERDUE");
	}
	view_details_add(d, "Run it       drconsole tests run %s",
	                 t->spec->name);
	ctx->details_open = 1;
}

static unsigned compliance_key(void *state, struct view_ctx *ctx, int key)
{
	struct compliance *cp = state;
	unsigned res = listnav_key(&cp->nav, key, cp->page);
	if (res)
		return res;
	if (key != '\n' && key != '\r' && key != KEY_ENTER)
		return 0;
	size_t row = cp->nav.sel;
	if (row < cp->n_svc) {
		/* The service's page has the full story. */
		view_open_service(ctx,
		                  ctx->report->services[cp->svc[row]].name);
	} else if (cp->n_tests && row > cp->n_svc && row < recs_row(cp)) {
		test_details(ctx, &cp->tests[row - cp->n_svc - 1]);
	} else if (row > recs_row(cp) && row - recs_row(cp) - 1 < cp->n_recs) {
		recovery_details(ctx, &cp->recs[row - recs_row(cp) - 1]);
	}
	return VIEW_HANDLED | VIEW_REDRAW;
}

static void compliance_filter(void *state, struct view_ctx *ctx,
                              const char *text)
{
	struct compliance *cp = state;
	strlcpy_dr(cp->filter, text, sizeof cp->filter);
	cp->nav.sel = cp->nav.top = 0;
	load(cp, ctx);
}

const struct view_ops view_compliance_ops = {
    .name = "Compliance",
    .hints = "Enter:page",
    .open = compliance_open,
    .close = compliance_close,
    .reload = compliance_reload,
    .draw = compliance_draw,
    .key = compliance_key,
    .filter = compliance_filter,
    .command = compliance_filter,
};
