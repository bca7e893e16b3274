/* See service_page.h.  The page is a list of labelled lines built from
 * the catalog when it opens; drawing wraps each line's text to the width
 * (never cuts it) under its label, and the page scrolls when it is longer
 * than the screen. */
#include "tui/service_page.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alarm.h"
#include "core/backup.h"
#include "core/duration.h"
#include "core/error.h"
#include "core/probe_config.h"
#include "core/runbook.h"
#include "core/testprog.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "db/catalog_agent.h"
#include "tui/listnav.h"
#include "tui/screen.h"
#include "tui/widget.h"

#define LABEL_W    11
#define N_FAILURES 5
#define HIST_MAX   60

enum line_kind { LINE_TEXT = 0, LINE_SPARK };

struct sp_line {
	char label[16];
	char *text;
	enum theme_element elem;
	int use_verdict; /* colour of the verdict instead of elem */
	enum line_kind kind;
};

struct service_page {
	char name[64];
	char suggested[96];
	struct sp_line *lines;
	size_t n, cap;
	double hist[HIST_MAX];
	size_t n_hist;
	double hist_max;
	int top;  /* first wrapped row shown */
	int rows; /* rows the page had when drawn */
	int total;
	enum verdict verdict;
	char ack_subject[160]; /* the first unacknowledged alarm, or "" */
};

static void add(struct service_page *p, const char *label,
                enum theme_element elem, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void add(struct service_page *p, const char *label,
                enum theme_element elem, const char *fmt, ...)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 32;
		p->lines = xreallocarray(p->lines, p->cap, sizeof *p->lines);
	}
	struct sp_line *l = &p->lines[p->n++];
	memset(l, 0, sizeof *l);
	strlcpy_dr(l->label, label, sizeof l->label);
	l->elem = elem;
	va_list ap;
	va_start(ap, fmt);
	l->text = xvasprintf(fmt, ap);
	va_end(ap);
}

static void clear_lines(struct service_page *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->lines[i].text);
	p->n = 0;
	p->n_hist = 0;
}

void service_page_free(struct service_page *p)
{
	if (p == NULL)
		return;
	clear_lines(p);
	free(p->lines);
	free(p);
}

static const struct compliance_service *find(const struct view_ctx *ctx,
                                             const char *name)
{
	const struct compliance_report *r = ctx->report;
	for (size_t i = 0; r != NULL && i < r->n; i++)
		if (strcmp(r->services[i].name, name) == 0)
			return &r->services[i];
	return NULL;
}

static int lists_service(const struct runbook *rb, const char *service)
{
	for (size_t i = 0; i < rb->n_services; i++)
		if (strcmp(rb->services[i], service) == 0)
			return 1;
	return 0;
}

/* Every valid runbook, loaded; free with free_runbooks. */
static void load_runbooks(const struct view_ctx *ctx, struct runbook ***out,
                          size_t *n)
{
	char **dirs = NULL, **files = NULL;
	size_t n_dirs = 0, n_files = 0;
	runbook_search_dirs(ctx->cfg ? ctx->cfg->runbook_dir : NULL, &dirs,
	                    &n_dirs);
	runbook_list_files(dirs, n_dirs, &files, &n_files);
	*out = xcalloc(n_files + 1, sizeof **out);
	*n = 0;
	for (size_t i = 0; i < n_files; i++) {
		char *why = NULL;
		struct runbook *rb = NULL;
		if (runbook_load(files[i], &rb, &why) == DR_OK)
			(*out)[(*n)++] = rb;
		free(why);
	}
	runbook_values_free(files, n_files);
	runbook_values_free(dirs, n_dirs);
}

static void free_runbooks(struct runbook **rbs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		runbook_free(rbs[i]);
	free(rbs);
}

static void suggested_from(const struct view_ctx *ctx, const char *service,
                           struct runbook **rbs, size_t n, char *out,
                           size_t size)
{
	out[0] = '\0';
	const struct probe_service *ps =
	    ctx->cfg && ctx->cfg->probes
	        ? probe_config_service(ctx->cfg->probes, service)
	        : NULL;
	if (ps != NULL && ps->failover_runbook != NULL) {
		strlcpy_dr(out, ps->failover_runbook, size);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (lists_service(rbs[i], service)) {
			strlcpy_dr(out, rbs[i]->name, size);
			return;
		}
}

void service_page_suggested(const struct view_ctx *ctx, const char *service,
                            char *out, size_t size)
{
	struct runbook **rbs = NULL;
	size_t n = 0;
	const struct probe_service *ps =
	    ctx->cfg && ctx->cfg->probes
	        ? probe_config_service(ctx->cfg->probes, service)
	        : NULL;
	if (ps != NULL && ps->failover_runbook != NULL) {
		strlcpy_dr(out, ps->failover_runbook, size);
		return;
	}
	load_runbooks(ctx, &rbs, &n);
	suggested_from(ctx, service, rbs, n, out, size);
	free_runbooks(rbs, n);
}

static void build_evidence(struct service_page *p, struct view_ctx *ctx,
                           const struct compliance_service *s)
{
	char a[64], b[64], t[32];
	/* RPO */
	add(p, "RPO", THEME_NORMAL, "age %s against a target of %s: %s%s",
	    s->rpo_age_s < 0 ? "none (no recovery point)"
	                     : duration_format(s->rpo_age_s, a, sizeof a),
	    s->rpo_target_s > 0 ? duration_format(s->rpo_target_s, b, sizeof b)
	                        : "none",
	    comp_status_name(s->rpo_status),
	    s->rpo_from_replica ? " (from the replica)" : "");
	if (s->rpo_age_s < 0) {
		add(p, "", THEME_DIM,
		    "evidence: none - no completed or "
		    "verified backup, no live replica");
	} else if (s->rpo_from_replica) {
		time_format_short(s->rpo_evidence_at, t);
		add(p, "", THEME_DIM,
		    "evidence: replica pair %s, sampled %s UTC",
		    s->rpo_evidence_id, t);
	} else {
		struct catalog_backup bk;
		char *err = NULL;
		time_format_short(s->rpo_evidence_at > 0
		                      ? s->rpo_evidence_at
		                      : s->last_good_backup_at,
		                  t);
		memset(&bk, 0, sizeof bk);
		if (ctx->cat != NULL && s->rpo_evidence_id[0] &&
		    catalog_backup_get(ctx->cat, s->rpo_evidence_id, &bk,
		                       &err) == CATALOG_OK) {
			add(p, "", THEME_DIM,
			    "evidence: newest good backup %s, %s %s, %s, "
			    "completed %s UTC",
			    bk.backup_id, bk.type, bk.status,
			    bk.size_bytes >= 0
			        ? widget_bytes(bk.size_bytes, a, sizeof a)
			        : "size unknown",
			    t);
			catalog_backup_clear(&bk);
		} else {
			free(err);
			add(p, "", THEME_DIM,
			    "evidence: newest good backup %s, completed %s UTC",
			    s->rpo_evidence_id[0] ? s->rpo_evidence_id : "?",
			    t);
		}
	}
	if (s->clock_skew) {
		time_format_short(s->future_backup_at, t);
		add(p, "", THEME_BAR_WARN,
		    "clock skew: a backup completes in the future (%s UTC)", t);
	}
	/* RTO */
	if (s->rto_estimate_s < 0)
		snprintf(a, sizeof a, "unknown");
	else
		duration_format(s->rto_estimate_s, a, sizeof a);
	add(p, "RTO", THEME_NORMAL, "estimate %s against a target of %s: %s", a,
	    s->rto_target_s > 0 ? duration_format(s->rto_target_s, b, sizeof b)
	                        : "none",
	    comp_status_name(s->rto_status));
	if (s->rto_source == RTO_SRC_NONE) {
		add(p, "", THEME_DIM,
		    "evidence: none - no restore test or drill restored data");
	} else {
		char took[32];
		time_format_short(s->rto_evidence_at, t);
		if (s->rto_duration_s >= 0)
			duration_format(s->rto_duration_s, took, sizeof took);
		else
			snprintf(took, sizeof took, "?");
		if (s->rto_source == RTO_SRC_SIZE_ESTIMATE)
			add(p, "", THEME_DIM,
			    "evidence: estimated from the plain size of "
			    "backup %s (%s) and restore_throughput",
			    s->rto_backup_id[0] ? s->rto_backup_id : "?",
			    widget_bytes(s->rto_bytes, b, sizeof b));
		else
			add(p, "", THEME_DIM,
			    "evidence: %s %s restored backup %s, %s in %s, %s "
			    "UTC",
			    rto_source_name(s->rto_source),
			    s->rto_evidence_id[0] ? s->rto_evidence_id : "-",
			    s->rto_backup_id[0] ? s->rto_backup_id : "?",
			    widget_bytes(s->rto_bytes, b, sizeof b), took, t);
	}
	if (s->restore_test_failed)
		add(p, "", THEME_BAR_BAD,
		    "the newest restore test FAILED (%d since the last ok)%s%s",
		    s->restore_failures, s->restore_test_error[0] ? ": " : "",
		    s->restore_test_error);
	time_format_short(s->last_test_at, t);
	add(p, "TESTED", s->untested ? THEME_BAR_WARN : THEME_NORMAL,
	    "%s%s, policy every %s%s", s->last_test_at > 0 ? t : "never",
	    s->last_test_at > 0 ? " UTC" : "",
	    duration_format(s->drill_policy_s, a, sizeof a),
	    s->untested ? " - UNTESTED" : "");
}

static void build_replica(struct service_page *p, struct view_ctx *ctx,
                          const struct compliance_service *s)
{
	char a[64], b[64], t[32];
	if (!s->has_replica && s->n_links == 0) {
		add(p, "REPLICA", THEME_DIM, "none recorded");
		return;
	}
	for (size_t i = 0; i < s->n_links; i++) {
		const struct compliance_link *l = &s->links[i];
		time_format_short(l->sampled_at, t);
		int copy = strcmp(l->kind, "copy") == 0;
		add(p, i == 0 ? "REPLICA" : "", THEME_NORMAL,
		    "%s -> %s%s: %s%s, lag %s / %s, sampled %s UTC", l->source,
		    l->target, copy ? " (copy lag: no recovery point)" : "",
		    l->live ? "" : "stale, last ", l->state,
		    widget_seconds(l->lag_s, a, sizeof a),
		    widget_bytes(l->lag_bytes, b, sizeof b), t);
	}
	/* The last hour of the pair behind the lag. */
	struct catalog_replication *h = NULL;
	size_t n = 0;
	char *err = NULL;
	if (ctx->cat == NULL || !s->has_replica ||
	    catalog_replication_history(ctx->cat, s->repl_source,
	                                s->repl_target, ctx->now - 3600, &h, &n,
	                                &err) != CATALOG_OK) {
		free(err);
		return;
	}
	size_t from = n > HIST_MAX ? n - HIST_MAX : 0;
	p->hist_max = 1;
	for (size_t i = from; i < n; i++) {
		p->hist[p->n_hist++] = h[i].lag_s;
		if (h[i].lag_s > p->hist_max)
			p->hist_max = h[i].lag_s;
	}
	free(h);
	if (p->n_hist > 0) {
		add(p, "LAG 1H", THEME_NORMAL, "%zu samples, peak %s",
		    p->n_hist, widget_seconds(p->hist_max, a, sizeof a));
		p->lines[p->n - 1].kind = LINE_SPARK;
	}
}

static void build_probes(struct service_page *p, struct view_ctx *ctx)
{
	struct catalog_probe_state *ps = NULL;
	size_t n = 0, shown = 0;
	char *err = NULL, t[32];
	if (ctx->cat == NULL ||
	    catalog_probe_state_list(ctx->cat, &ps, &n, &err) != CATALOG_OK) {
		free(err);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(ps[i].service, p->name) != 0)
			continue;
		time_format_short(ps[i].changed_at, t);
		add(p, shown++ ? "" : "PROBES",
		    ps[i].down ? THEME_BAR_BAD : THEME_NORMAL,
		    "%s %s since %s UTC%s%s", ps[i].probe,
		    ps[i].down ? "DOWN" : "up", t, ps[i].message[0] ? ": " : "",
		    ps[i].message);
	}
	free(ps);
	if (shown == 0)
		add(p, "PROBES", THEME_DIM, "none recorded");
}

/* The service's tests of the programme (core/testprog.h). */
static void build_tests(struct service_page *p, struct view_ctx *ctx)
{
	struct test_status *ts = NULL;
	size_t n = 0;
	char *err = NULL, last[32], due[32];

	if (ctx->cat == NULL || ctx->cfg == NULL || ctx->cfg->tests == NULL)
		return;
	if (testprog_eval(ctx->cat, ctx->cfg->tests, p->name, time_now(), &ts,
	                  &n, &err) != DR_OK) {
		add(p, "TESTS", THEME_ERROR, "%s", err);
		free(err);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct test_status *t = &ts[i];
		if (t->last_at > 0)
			time_format_short(t->last_at, last);
		if (t->due_at > 0)
			time_format_short(t->due_at, due);
		add(p, i ? "" : "TESTS",
		    t->overdue || (t->last_at > 0 && !t->last_ok)
		        ? THEME_BAR_BAD
		        : THEME_NORMAL,
		    "%s (%s): %s%s%s, due %s%s", t->spec->name, t->spec->kind,
		    t->last_at == 0 ? "never run"
		    : t->last_ok    ? "passed "
		                    : "FAILED ",
		    t->last_at == 0 ? "" : last, t->last_at == 0 ? "" : " UTC",
		    t->due_at > 0 ? due : "now", t->overdue ? " OVERDUE" : "");
	}
	free(ts);
	if (n == 0)
		add(p, "TESTS", THEME_DIM, "none in the programme");
}

static void build_failures(struct service_page *p, struct view_ctx *ctx,
                           const struct compliance_service *s)
{
	char t[32], target[64], error[256];
	add(p, "BACKUPS", THEME_NORMAL, "%s, %d failure(s) in a row",
	    s->health[0] ? s->health : "no health row", s->failure_count);
	if (ctx->cat == NULL)
		return;
	struct catalog_backup_filter f = {
	    .service = p->name, .status = "failed", .limit = N_FAILURES};
	struct catalog_backup *list = NULL;
	size_t n = 0;
	char *err = NULL;
	if (catalog_backup_list(ctx->cat, &f, &list, &n, &err) != CATALOG_OK) {
		free(err);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		time_format_short(list[i].started_at, t);
		backup_meta_summary(&list[i], target, error);
		add(p, i == 0 ? "FAILURES" : "", THEME_BAR_BAD,
		    "%s UTC %s failed%s%s: %s", t, list[i].type,
		    target[0] ? " to " : "", target,
		    error[0] ? error : "(no error recorded)");
	}
	if (n == 0)
		add(p, "FAILURES", THEME_DIM, "no failed backup recorded");
	catalog_backups_free(list, n);
}

/* The alarm's subject names this service: "KIND:SERVICE:..." */
static int alarm_of(const char *subject, const char *service)
{
	const char *a = strchr(subject, ':');
	size_t n = strlen(service);

	return a != NULL && strncmp(a + 1, service, n) == 0 &&
	       (a[1 + n] == ':' || a[1 + n] == '\0');
}

static void build_alarms(struct service_page *p, struct view_ctx *ctx)
{
	struct alarm *al = NULL;
	size_t n = 0, shown = 0;
	char *err = NULL, t[32];

	p->ack_subject[0] = '\0';
	if (ctx->cat == NULL ||
	    alarm_list(ctx->cat, ctx->now, &al, &n, &err) != DR_OK) {
		free(err);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct alarm *a = &al[i];
		if (!alarm_of(a->subject, p->name))
			continue;
		time_format_short(a->since, t);
		if (a->acked)
			add(p, shown++ ? "" : "ALARMS", THEME_DIM,
			    "%s %s since %s UTC, acknowledged by %s: %s",
			    a->subject, a->state, t, a->ack_by, a->ack_reason);
		else
			add(p, shown++ ? "" : "ALARMS",
			    strcmp(a->severity, "critical") == 0
			        ? THEME_BAR_BAD
			        : THEME_BAR_WARN,
			    "%s %s (%s), not acknowledged, since %s UTC",
			    a->subject, a->state, a->severity, t);
		if (!a->acked && p->ack_subject[0] == '\0')
			strlcpy_dr(p->ack_subject, a->subject,
			           sizeof p->ack_subject);
	}
	free(al);
	if (shown == 0)
		add(p, "ALARMS", THEME_DIM, "none");
}

static void build(struct service_page *p, struct view_ctx *ctx)
{
	const struct compliance_service *s = find(ctx, p->name);
	clear_lines(p);
	if (s == NULL) {
		add(p, "", THEME_ERROR, "%s is no longer in the catalog",
		    p->name);
		return;
	}
	p->verdict = s->verdict;
	add(p, "VERDICT", THEME_NORMAL, "%s%s", verdict_name(s->verdict),
	    s->probes_down ? "  (probes mark it DOWN)" : "");
	p->lines[p->n - 1].use_verdict = 1;
	if (s->reason[0])
		add(p, "WHY", THEME_NORMAL, "%s", s->reason);
	add(p, "SERVICE", THEME_DIM, "tier %s, owner %s",
	    s->tier[0] ? s->tier : "-", s->owner[0] ? s->owner : "-");
	build_evidence(p, ctx, s);
	build_replica(p, ctx, s);
	build_probes(p, ctx);
	build_tests(p, ctx);
	build_alarms(p, ctx);
	build_failures(p, ctx, s);

	struct runbook **rbs = NULL;
	size_t n_rb = 0;
	load_runbooks(ctx, &rbs, &n_rb);
	suggested_from(ctx, p->name, rbs, n_rb, p->suggested,
	               sizeof p->suggested);
	size_t shown = 0;
	if (p->suggested[0]) {
		const char *title = "";
		for (size_t i = 0; i < n_rb; i++)
			if (strcmp(rbs[i]->name, p->suggested) == 0)
				title = rbs[i]->title;
		add(p, "RUNBOOKS", THEME_NORMAL, "%s (suggested)%s%s",
		    p->suggested, title[0] ? ": " : "", title);
		shown++;
	}
	for (size_t i = 0; i < n_rb; i++) {
		if (!lists_service(rbs[i], p->name) ||
		    strcmp(rbs[i]->name, p->suggested) == 0)
			continue;
		add(p, shown++ ? "" : "RUNBOOKS", THEME_NORMAL, "%s: %s",
		    rbs[i]->name, rbs[i]->title);
	}
	if (shown == 0)
		add(p, "RUNBOOKS", THEME_DIM, "none names this service");
	free_runbooks(rbs, n_rb);
}

struct service_page *service_page_open(struct view_ctx *ctx,
                                       const char *service)
{
	if (find(ctx, service) == NULL) {
		view_message(ctx, 1, "no service named \"%s\"", service);
		return NULL;
	}
	struct service_page *p = xcalloc(1, sizeof *p);
	strlcpy_dr(p->name, service, sizeof p->name);
	build(p, ctx);
	return p;
}

void service_page_reload(struct service_page *p, struct view_ctx *ctx)
{
	build(p, ctx);
}

void service_page_draw(struct service_page *p, struct view_ctx *ctx,
                       WINDOW *win, struct view_rect r)
{
	(void)ctx;
	attr_t norm = screen_attr(THEME_NORMAL);
	screen_fill(win, r.y, r.x, r.h, r.w, norm);
	screen_putf(win, r.y, r.x, r.w, screen_attr(THEME_TITLE), " Service %s",
	            p->name);
	int body_y = r.y + 1, body_h = r.h - 2;
	int tw = r.w - LABEL_W - 2;
	if (tw < 20)
		tw = 20;
	p->rows = body_h;
	/* Wrapped rows, counted first so the page knows its length. */
	int row = 0;
	for (size_t i = 0; i < p->n; i++) {
		const struct sp_line *l = &p->lines[i];
		attr_t a = l->use_verdict ? widget_verdict_attr(p->verdict)
		                          : screen_attr(l->elem);
		const char *text = l->text;
		int first = 1;
		do {
			size_t skip, bytes = widget_wrap_row(text, tw, &skip);
			int y = body_y + row - p->top;
			if (y >= body_y && y < body_y + body_h) {
				if (first)
					screen_put(
					    win, y, r.x + 1, LABEL_W,
					    screen_attr(THEME_COLUMN_HEADER),
					    l->label);
				char seg[1024];
				size_t k =
				    bytes < sizeof seg ? bytes : sizeof seg - 1;
				memcpy(seg, text, k);
				seg[k] = '\0';
				int used = screen_put(win, y, r.x + 1 + LABEL_W,
				                      l->use_verdict ? -1 : tw,
				                      a, seg);
				if (l->kind == LINE_SPARK && first &&
				    used + 2 < tw)
					widget_spark(
					    win, y,
					    r.x + 1 + LABEL_W + used + 2,
					    tw - used - 2 > 30 ? 30
					                       : tw - used - 2,
					    p->hist, p->n_hist, p->hist_max,
					    norm);
			}
			row++;
			first = 0;
			text += bytes + skip;
		} while (*text);
	}
	p->total = row;
	char keys[200], rb[140];
	if (p->suggested[0])
		snprintf(rb, sizeof rb, "r/d:run/drill %s", p->suggested);
	else
		snprintf(rb, sizeof rb, "(no runbook names it)");
	snprintf(keys, sizeof keys, " b:backups  %s%s  %s:scroll  Esc:close%s",
	         rb, p->ack_subject[0] ? "  a:ack" : "",
	         screen_glyphs()->updown,
	         p->total > body_h ? "  (more below)" : "");
	screen_put(win, r.y + r.h - 1, r.x, r.w, screen_attr(THEME_DIM), keys);
}

unsigned service_page_key(struct service_page *p, struct view_ctx *ctx, int key)
{
	int max_top = p->total - p->rows;
	if (max_top < 0)
		max_top = 0;
	switch (key) {
	case 27: /* Esc */
	case 'q':
	case '\n':
	case '\r':
	case KEY_ENTER:
		return VIEW_HANDLED | VIEW_REDRAW | SERVICE_PAGE_CLOSE;
	case KEY_DOWN:
	case 'j':
		if (p->top < max_top)
			p->top++;
		return VIEW_HANDLED | VIEW_REDRAW;
	case KEY_UP:
	case 'k':
		if (p->top > 0)
			p->top--;
		return VIEW_HANDLED | VIEW_REDRAW;
	case KEY_NPAGE:
	case ' ':
		p->top += p->rows - 1;
		if (p->top > max_top)
			p->top = max_top;
		return VIEW_HANDLED | VIEW_REDRAW;
	case KEY_HOME:
	case 'g':
		p->top = 0;
		return VIEW_HANDLED | VIEW_REDRAW;
	case KEY_END:
	case 'G':
		p->top = max_top;
		return VIEW_HANDLED | VIEW_REDRAW;
	case KEY_PPAGE:
		p->top -= p->rows - 1;
		if (p->top < 0)
			p->top = 0;
		return VIEW_HANDLED | VIEW_REDRAW;
	case 'a':
		/* The : prompt with the command typed but the reason: an
		 * acknowledgement always says why (core/ops_alarm.h). */
		if (ctx->read_only)
			return view_refuse_action(ctx, "acknowledge");
		if (!p->ack_subject[0]) {
			view_message(ctx, 0, "no unacknowledged alarm for %s",
			             p->name);
			return VIEW_HANDLED | VIEW_REDRAW;
		}
		snprintf(ctx->prompt_text, sizeof ctx->prompt_text, "ack %s ",
		         p->ack_subject);
		return VIEW_HANDLED | VIEW_REDRAW;
	case 'b':
		ctx->switch_to = VIEW_BACKUPS;
		strlcpy_dr(ctx->switch_args, p->name, sizeof ctx->switch_args);
		return VIEW_HANDLED | VIEW_REDRAW | SERVICE_PAGE_CLOSE;
	case 'r':
	case 'd':
		if (!p->suggested[0]) {
			view_message(ctx, 1,
			             "no runbook names %s; 6 lists them all",
			             p->name);
			return VIEW_HANDLED | VIEW_REDRAW;
		}
		/* The Runbooks view with it selected and its steps counted:
		 * the operator starts it there (a preview, never a run on one
		 * key). */
		ctx->switch_to = VIEW_RUNBOOKS;
		snprintf(ctx->switch_args, sizeof ctx->switch_args, "=%s",
		         p->suggested);
		view_message(ctx, 0,
		             "%s for %s: %s, Enter to preview it, Esc to "
		             "stay out",
		             p->suggested, p->name,
		             key == 'd' ? "d to drill it" : "r to run it");
		return VIEW_HANDLED | VIEW_REDRAW | SERVICE_PAGE_CLOSE;
	}
	return VIEW_HANDLED;
}
