#include "tui/console.h"

#include <errno.h>
#include <libgen.h>
#include <panel.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/agent.h"
#include "core/alarm.h"
#include "core/audit.h"
#include "core/compliance.h"
#include "core/duration.h"
#include "core/error.h"
#include "core/notify.h"
#include "core/ops_alarm.h"
#include "core/probe_config.h"
#include "core/theme.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "db/catalog_agent.h"
#include "tui/safe_stdio.h"
#include "tui/screen.h"
#include "tui/service_page.h"
#include "tui/view.h"
#include "tui/view_backups.h"
#include "tui/view_compliance.h"
#include "tui/view_dashboard.h"
#include "tui/view_log.h"
#include "tui/view_replication.h"
#include "tui/view_runbooks.h"
#include "tui/widget.h"

extern const struct cmd_entry cmd_status_entry;

#define CTRL(c)        ((c)&0x1f)
#define KEY_ESCAPE     27
#define TICK_MS        1000
#define WATCH_CHECK_MS 15000
#define REOPEN_MAX_MS  30000

static const struct view_ops *const views[VIEW_COUNT] = {
    [VIEW_DASHBOARD] = &view_dashboard_ops,
    [VIEW_BACKUPS] = &view_backups_ops,
    [VIEW_REPLICATION] = &view_replication_ops,
    [VIEW_COMPLIANCE] = &view_compliance_ops,
    [VIEW_LOG] = &view_log_ops,
    [VIEW_RUNBOOKS] = &view_runbooks_ops,
};

/* What the wall cycles through. */
static const enum view_id wall_views[] = {
    VIEW_DASHBOARD,
    VIEW_REPLICATION,
    VIEW_COMPLIANCE,
    VIEW_LOG,
};

enum overlay {
	OVERLAY_NONE = 0,
	OVERLAY_HELP,
	OVERLAY_DETAILS,
	OVERLAY_WALL_HELP, /* small, closes by itself */
};

/* Rows for why the wall's catalog cannot be read. */
#define STALE_WHY_ROWS 3

/* How long the wall's help and its quit prompt stay. */
#define WALL_TRANSIENT_MS 8000

struct console {
	const struct cmd_globals *g;
	struct config *cfg;
	char *catalog_path;
	struct catalog *cat;
	char cat_error[512]; /* "" while the catalog reads fine */
	int have_version;
	int64_t data_version;
	int64_t last_change; /* newest data in the catalog; 0: unknown */
	struct compliance_report report;
	int have_report;
	int agent_stopped;  /* an agent ran here once and is not alive now */
	size_t undelivered; /* bad news that reached no channel */
	/* "orders-db DOWN: run orders-db-failover (6 Runbooks)", or "". */
	char down_alert[512];
	char down_runbook[96];     /* the first DOWN service's suggestion */
	char down_more[512];       /* " also DOWN: b (probe x), c (probe y)" */
	struct service_page *page; /* a service's page, over the body */
	int64_t eval_minute;
	int64_t next_reopen_ms;
	int reopen_backoff_ms; /* doubles to 30 s while it keeps failing */
	/* The catalog's change notifications (PostgreSQL's LISTEN), or -1:
	 * then data_version is polled every tick.  While they work, a
	 * change is drawn as soon as it is committed, and data_version is
	 * read only every WATCH_CHECK_MS to notice a dead connection. */
	int watch_fd;
	int64_t next_watch_check_ms;
	/* A hot standby's catalog: what the header says of it ("READ-ONLY
	 * REPLICA, lag 2s"), read again at every change; "" otherwise. */
	char replica[64];
	/* The file the catalog was opened from: a file replaced under the
	 * same path (mv, demo --force) or moved away is noticed, and the
	 * path is opened again. */
	int have_ident;
	dev_t cat_dev;
	ino_t cat_ino;

	struct view_ctx ctx;
	void *state[VIEW_COUNT];
	unsigned stale_views[VIEW_COUNT]; /* view_change bits not yet seen */
	int current;
	int wall_index;
	int64_t cycle_started_ms;

	enum overlay overlay;
	int64_t overlay_until_ms;
	int64_t prompt_until_ms;
	int64_t message_until_ms; /* the wall's messages close too; 0: no */
	WINDOW *overlay_win;
	PANEL *overlay_panel;

	int prompt; /* 0, '/', ':' or 'Q' (the wall's quit confirmation) */
	char filter_before[200]; /* '/' filters as it is typed; Esc: back */
	char input[200];
	size_t input_len;

	int redraw;
	int quit;
	int stale_shown;
	int fresh_stale_shown; /* the header said STALE */
	int64_t drawn_minute;  /* the header clock shows minutes */
	char actor[64], origin[64];
	char *theme_error;
	int frames;
};

static int64_t mono_ms(void)
{
	return time_mono_ms();
}

/* ---- the catalog and the data ------------------------------------------ */

static void set_cat_error(struct console *c, const char *what, char *err)
{
	if (what != NULL)
		snprintf(c->cat_error, sizeof c->cat_error, "%s: %s", what,
		         err ? err : "unknown error");
	else
		snprintf(c->cat_error, sizeof c->cat_error, "%s",
		         err ? err : "cannot open the catalog");
	free(err);
}

static void mark_views(struct console *c, unsigned change)
{
	for (int i = 0; i < VIEW_COUNT; i++)
		c->stale_views[i] |= change;
}

static void refresh_current(struct console *c)
{
	int v = c->current;
	if (c->state[v] == NULL)
		return;
	if (c->stale_views[v] && views[v]->reload) {
		views[v]->reload(c->state[v], &c->ctx, c->stale_views[v]);
		c->redraw = 1;
	}
	c->stale_views[v] = 0;
}

/* Re-evaluates every service; on failure keeps what was shown. */
/* When only the clock moved and no verdict changed, keeps the rows in the
 * order they were shown: ages grow at different rates against different
 * targets, and re-sorting the healthy rows every minute would make the
 * screen jump (and an idle console send whole rows).  Returns 1 when it
 * did. */
static int keep_order(const struct compliance_report *old,
                      struct compliance_report *rep)
{
	if (old->n != rep->n)
		return 0;
	if (rep->n == 0)
		return 1;
	struct compliance_service *ordered =
	    xcalloc(rep->n ? rep->n : 1, sizeof *ordered);
	for (size_t i = 0; i < old->n; i++) {
		size_t j = 0;
		while (j < rep->n && strcmp(rep->services[j].name,
		                            old->services[i].name) != 0)
			j++;
		if (j == rep->n ||
		    rep->services[j].verdict != old->services[i].verdict) {
			free(ordered);
			return 0;
		}
		ordered[i] = rep->services[j];
	}
	memcpy(rep->services, ordered, rep->n * sizeof *ordered);
	free(ordered);
	return 1;
}

static int evaluate(struct console *c, unsigned change)
{
	struct compliance_report rep;
	char *err = NULL;
	int64_t now = time_now();
	memset(&rep, 0, sizeof rep);
	if (compliance_eval(c->cat, &c->cfg->policy, now, &rep, &err) !=
	    DR_OK) {
		set_cat_error(c, "cannot read the catalog", err);
		return -1;
	}
	if (!(c->have_report && !(change & VIEW_CHANGE_DATA) &&
	      keep_order(&c->report, &rep)))
		compliance_sort_worst_first(&rep);
	if (c->have_report)
		compliance_report_free(&c->report);
	c->report = rep;
	c->have_report = 1;
	/* An agent that has stopped is itself an alarm; a catalog no agent
	 * ever ran on is simply not watched by one. */
	char desc[512];
	c->agent_stopped = 0;
	/* A service its probes marked down, and the failover runbook its
	 * config suggests: the console says so on every screen.  Nothing
	 * fails over from here. */
	struct catalog_probe_state *ps = NULL;
	size_t n_ps = 0, n_down = 0, used = 0;
	char first_msg[256] = "";
	c->down_alert[0] = '\0';
	c->down_more[0] = '\0';
	c->down_runbook[0] = '\0';
	if (catalog_probe_state_list(c->cat, &ps, &n_ps, &err) == CATALOG_OK) {
		/* Every service that is down, by name, on one line of its
		 * own above the key hints; the first one's runbook on 6. */
		for (size_t i = 0; i < n_ps; i++) {
			if (!ps[i].down)
				continue;
			int dup = 0;
			for (size_t j = 0; j < i; j++)
				dup |= ps[j].down && strcmp(ps[j].service,
				                            ps[i].service) == 0;
			if (dup)
				continue;
			const struct probe_service *svc =
			    c->cfg->probes ? probe_config_service(
			                         c->cfg->probes, ps[i].service)
			                   : NULL;
			if (n_down == 0 && svc != NULL &&
			    svc->failover_runbook != NULL)
				strlcpy_dr(c->down_runbook,
				           svc->failover_runbook,
				           sizeof c->down_runbook);
			if (n_down == 0)
				strlcpy_dr(first_msg, ps[i].message,
				           sizeof first_msg);
			if (n_down == 0) {
				snprintf(c->down_alert, sizeof c->down_alert,
				         " %s DOWN (probe %s)", ps[i].service,
				         ps[i].probe);
			} else {
				int n = snprintf(c->down_more + used,
				                 sizeof c->down_more - used,
				                 "%s%s (probe %s)",
				                 n_down == 1 ? " also DOWN: "
				                             : ", ",
				                 ps[i].service, ps[i].probe);
				if (n > 0 &&
				    (size_t)n < sizeof c->down_more - used)
					used += (size_t)n;
			}
			n_down++;
		}
		size_t len = strlen(c->down_alert);
		if (c->down_runbook[0])
			snprintf(c->down_alert + len,
			         sizeof c->down_alert - len,
			         ": suggested runbook %s (6 Runbooks)",
			         c->down_runbook);
		else if (first_msg[0])
			snprintf(c->down_alert + len,
			         sizeof c->down_alert - len, ": %s", first_msg);
		free(ps);
	} else {
		free(err);
		err = NULL;
	}
	/* Bad news no channel took: nobody else knows, so the header says
	 * so (core/notify.h). */
	struct catalog_notify *lost = NULL;
	c->undelivered = 0;
	if (notify_undelivered(c->cat, &lost, &c->undelivered, &err) != DR_OK) {
		free(err);
		err = NULL;
	}
	free(lost);
	c->agent_stopped = agent_summary(c->cat, now, desc, sizeof desc) == 1;
	c->ctx.report = &c->report;
	c->ctx.now = now;
	c->eval_minute = now / 60;
	return 0;
}

static void close_catalog(struct console *c)
{
	catalog_close(c->cat);
	c->cat = NULL;
	c->ctx.cat = NULL;
	c->have_version = 0;
	c->watch_fd = -1;
}

/* A plain path (not postgresql://..., not a file: URI): one we can stat. */
static int is_file_catalog(const struct console *c)
{
	return strstr(c->catalog_path, "://") == NULL &&
	       strncmp(c->catalog_path, "file:", 5) != 0;
}

static void remember_ident(struct console *c)
{
	struct stat st;
	c->have_ident = is_file_catalog(c) && stat(c->catalog_path, &st) == 0;
	if (c->have_ident) {
		c->cat_dev = st.st_dev;
		c->cat_ino = st.st_ino;
	}
}

/* 0 while the path still names the file that is open; -1 with
 * c->cat_error set when it is gone or is another file now. */
static int check_ident(struct console *c)
{
	struct stat st;
	if (!is_file_catalog(c))
		return 0;
	if (stat(c->catalog_path, &st) != 0) {
		snprintf(c->cat_error, sizeof c->cat_error,
		         "the catalog %s was moved or removed (%s)",
		         c->catalog_path, strerror(errno));
		return -1;
	}
	if (!c->have_ident) {
		remember_ident(c);
		return 0;
	}
	if (st.st_dev != c->cat_dev || st.st_ino != c->cat_ino) {
		snprintf(c->cat_error, sizeof c->cat_error,
		         "the catalog %s was replaced", c->catalog_path);
		return -1;
	}
	return 0;
}

/* On a replica, its lag: the figures shown are that old at least.  1
 * when the standby has been promoted since it was opened. */
static int read_replica(struct console *c)
{
	struct catalog_info in;
	char *err = NULL, age[32];

	c->replica[0] = '\0';
	if (catalog_info(c->cat, &in, &err) != CATALOG_OK) {
		free(err);
		return 0;
	}
	if (!in.standby || in.promoted)
		return in.promoted;
	if (!in.receiving)
		snprintf(c->replica, sizeof c->replica,
		         "READ-ONLY REPLICA, NOT RECEIVING");
	else if (in.replay_lag_s < 0)
		snprintf(c->replica, sizeof c->replica,
		         "READ-ONLY REPLICA, lag unknown");
	else
		snprintf(c->replica, sizeof c->replica,
		         "READ-ONLY REPLICA, lag %s",
		         widget_age((int64_t)in.replay_lag_s, age, sizeof age));
	return 0;
}

/* An open catalog becomes the console's: its identity remembered, its
 * changes listened for (PostgreSQL's LISTEN; elsewhere polled), a
 * replica's state read. */
static void adopt_catalog(struct console *c, struct catalog *cat)
{
	char *err = NULL;
	c->cat = cat;
	c->ctx.cat = cat;
	c->have_version = 0;
	remember_ident(c);
	if (catalog_watch(cat, &c->watch_fd, &err) != CATALOG_OK) {
		free(err); /* polling still works */
		c->watch_fd = -1;
	}
	c->next_watch_check_ms = mono_ms() + WATCH_CHECK_MS;
	read_replica(c);
}

static int open_catalog(struct console *c)
{
	char *err = NULL;
	struct catalog *cat = NULL;
	/* Read-only and the wall never write, not even a migration; the
	 * console proper migrates an older catalog as every command does. */
	int flags = c->ctx.read_only ? CATALOG_READONLY : 0;
	if (catalog_open(c->catalog_path, flags, &cat, &err) != CATALOG_OK) {
		set_cat_error(c, NULL, err);
		return -1;
	}
	adopt_catalog(c, cat);
	return 0;
}

/* Called about once a second: notices changes cheaply. */
static void catalog_tick(struct console *c)
{
	int64_t now = time_now();
	char *err = NULL;
	if (c->cat == NULL) {
		if (mono_ms() < c->next_reopen_ms)
			return;
		/* 1, 2, 4 ... 30 s: a catalog server that is down is not
		 * hammered by every console in the building (a file is
		 * looked at every 2 s). */
		c->reopen_backoff_ms =
		    is_file_catalog(c)          ? 2000 /* cheap */
		    : c->reopen_backoff_ms == 0 ? 1000
		    : c->reopen_backoff_ms * 2 > REOPEN_MAX_MS
		        ? REOPEN_MAX_MS
		        : c->reopen_backoff_ms * 2;
		c->next_reopen_ms = mono_ms() + c->reopen_backoff_ms;
		if (open_catalog(c) != 0) {
			c->redraw = 1;
			return;
		}
	}
	int64_t version;
	int notified = 0;
	if (c->watch_fd >= 0) {
		if (catalog_watch_read(c->cat, &notified, &err) != CATALOG_OK) {
			set_cat_error(c, NULL, err);
			close_catalog(c);
			c->redraw = 1;
			return;
		}
		if (!notified && c->have_version && c->cat_error[0] == '\0' &&
		    mono_ms() < c->next_watch_check_ms &&
		    now / 60 == c->eval_minute)
			return; /* nothing was committed: no query at all */
		c->next_watch_check_ms = mono_ms() + WATCH_CHECK_MS;
	}
	if (check_ident(c) != 0) {
		int replaced = strstr(c->cat_error, "replaced") != NULL;
		close_catalog(c);
		c->redraw = 1;
		/* A new file under the path: read it at once. */
		if (!replaced || open_catalog(c) != 0)
			return;
	}
	if (catalog_data_version(c->cat, &version, &err) != CATALOG_OK) {
		set_cat_error(c, "cannot read the catalog", err);
		close_catalog(c);
		c->redraw = 1;
		return;
	}
	unsigned change = 0;
	if (!c->have_version || version != c->data_version ||
	    c->cat_error[0] != '\0' || notified)
		change |= VIEW_CHANGE_DATA;
	if (now / 60 != c->eval_minute)
		change |= VIEW_CHANGE_TIME;
	if (c->replica[0] != '\0') {
		/* A replica's lag moves while its data stands still (the
		 * primary may be gone): read it every tick. */
		char was[sizeof c->replica];
		memcpy(was, c->replica, sizeof was);
		int promoted = read_replica(c);
		if (strcmp(was, c->replica) != 0)
			c->redraw = 1;
		/* The standby is the primary now (its failover done): a
		 * new connection writes, if the console may, and listens. */
		if (promoted) {
			close_catalog(c);
			if (open_catalog(c) != 0)
				return;
			change |= VIEW_CHANGE_DATA;
		}
	}
	if (change == 0)
		return;
	if (evaluate(c, change) != 0) {
		close_catalog(c);
		c->redraw = 1;
		return;
	}
	if (change & VIEW_CHANGE_DATA) {
		int64_t at = 0;
		if (catalog_last_change(c->cat, &at, &err) == CATALOG_OK)
			c->last_change = at;
		else
			free(err);
	}
	c->cat_error[0] = '\0';
	c->reopen_backoff_ms = 0;
	c->have_version = 1;
	c->data_version = version;
	mark_views(c, change);
	refresh_current(c);
	if (c->page != NULL)
		service_page_reload(c->page, &c->ctx);
	c->redraw = 1;
}

/* ---- drawing ----------------------------------------------------------- */

static int wall_stale(struct console *c, int64_t *age)
{
	*age = c->last_change > 0 ? c->ctx.now - c->last_change : -1;
	if (!c->g->wall)
		return 0;
	if (c->cat_error[0] != '\0' || !c->have_report)
		return 1;
	return c->last_change <= 0 || *age > c->g->stale_after_s;
}

static void draw_header(struct console *c, int w)
{
	attr_t hdr = screen_attr(THEME_HEADER);
	char left[160], right[256], clock[32], t[32];
	int x = 0;
	screen_fill(stdscr, 0, 0, 1, w, hdr);
	if (c->have_report && c->cat_error[0] != '\0') {
		/* What is shown is the last that was read: say so first,
		 * and how old it is (the right side says since when). */
		char age[32] = "?";
		if (c->last_change > 0)
			widget_age(c->ctx.now - c->last_change, age,
			           sizeof age);
		x += screen_put(stdscr, 0, 0, -1, screen_attr(THEME_STALE),
		                is_file_catalog(c) ? " CATALOG UNREADABLE "
		                                   : " CATALOG UNREACHABLE ");
		snprintf(left, sizeof left, " last read: %s, data %s old",
		         verdict_name(c->report.verdict), age);
	} else if (c->have_report) {
		const struct compliance_report *r = &c->report;
		char badge[24];
		if (r->n == 0) {
			/* Nothing watched is not "OK" (check says UNKNOWN). */
			x += screen_put(stdscr, 0, 0, -1,
			                screen_attr(THEME_STALE),
			                " NO SERVICES ");
			snprintf(left, sizeof left, " nothing to watch yet");
		} else {
			snprintf(badge, sizeof badge, " %s ",
			         verdict_name(r->verdict));
			x += screen_put(stdscr, 0, 0, -1,
			                widget_verdict_attr(r->verdict), badge);
			snprintf(left, sizeof left,
			         " %zu breach, %zu at risk, %zu ok",
			         r->n_breach, r->n_at_risk, r->n_ok);
		}
	} else {
		x += screen_put(stdscr, 0, 0, -1, screen_attr(THEME_STALE),
		                " NO DATA ");
		snprintf(left, sizeof left, " catalog unavailable");
	}
	x += screen_put(stdscr, 0, x, -1, hdr, left);

	time_format_short(c->ctx.now, t);
	snprintf(clock, sizeof clock, "%s", strlen(t) > 11 ? t + 11 : t);
	/* Drop the least important parts first when space is short. */
	const char *env = c->cfg->environment[0] ? c->cfg->environment : NULL;
	char *base = xstrdup(c->catalog_path);
	const char *cat_name = basename(base);
	char ro_text[96];
	const char *ro = c->g->wall        ? "WALL"
	                 : c->g->read_only ? "READ-ONLY"
	                                   : NULL;
	if (c->replica[0] != '\0') {
		snprintf(ro_text, sizeof ro_text, "%s%s%s", ro ? ro : "",
		         ro ? "  " : "", c->replica);
		ro = ro_text;
	}
	/* When the newest data is from, so a frozen feed never looks current
	 * (the wall has its STALE screen for this).  A time, not an age: it
	 * changes when data comes, not every minute, so an idle console
	 * sends nothing for it. */
	char fresh[48] = "";
	int fresh_stale = 0;
	if (!c->g->wall && c->last_change > 0) {
		int64_t a = c->ctx.now - c->last_change;
		char at[32];
		fresh_stale = a > c->g->stale_after_s;
		time_format_short(c->last_change, at);
		/* "2026-11-22 12:00": the time alone when it is today's. */
		const char *shown =
		    strncmp(at, t, 10) == 0 && strlen(at) > 11 ? at + 11 : at;
		snprintf(fresh, sizeof fresh, "%s %s",
		         fresh_stale ? "STALE since" : "updated", shown);
	}
	size_t fresh_at = 0;
	/* Short of room, the header drops the catalog's name, then when the
	 * data is from (never STALE), then the operator, then the
	 * environment; an alarm is never shortened. */
	for (int level = 0; level < 5; level++) {
		right[0] = '\0';
		size_t used = 0;
#define ADD(...)                                                               \
	do {                                                                   \
		int n_ =                                                       \
		    snprintf(right + used, sizeof right - used, __VA_ARGS__);  \
		if (n_ > 0 && (size_t)n_ < sizeof right - used)                \
			used += (size_t)n_;                                    \
	} while (0)
		if (ro)
			ADD("%s  ", ro);
		if (c->agent_stopped)
			ADD("%s  ", "AGENT STOPPED");
		if (c->undelivered)
			ADD("%s  ", "ALARM NOT DELIVERED");
		if (env && level < 4)
			ADD("%s  ", env);
		if (level < 3)
			ADD("%s  ", c->actor);
		if (level < 1)
			ADD("%s  ", cat_name);
		fresh_at = used;
		if (fresh[0] && (level < 2 || fresh_stale))
			ADD("%s  ", fresh);
		ADD("%s UTC ", clock);
#undef ADD
		if (x + 2 + screen_width(right) <= w || level == 4)
			break;
	}
	free(base);
	int rw = screen_width(right);
	screen_put(stdscr, 0, w - rw, rw, hdr, right);
	if (ro)
		screen_put(stdscr, 0, w - rw, (int)strlen(ro),
		           screen_attr(THEME_VERDICT_AT_RISK), ro);
	c->fresh_stale_shown = fresh_stale;
	if (fresh_stale && strncmp(right + fresh_at, "STALE", 5) == 0)
		screen_put(stdscr, 0,
		           w - rw + screen_width(right) -
		               screen_width(right + fresh_at),
		           (int)strlen(fresh), screen_attr(THEME_STALE), fresh);
}

static void draw_tabs(struct console *c, int y, int w)
{
	attr_t tab = screen_attr(THEME_TAB);
	screen_fill(stdscr, y, 0, 1, w, tab);
	/* The filter in force, where the eye is; to make room for it the
	 * other tabs keep only their numbers. */
	const char *f =
	    c->state[c->current] && views[c->current]->active_filter
	        ? views[c->current]->active_filter(c->state[c->current])
	        : NULL;
	int filtered = f != NULL && f[0] != '\0' && c->page == NULL;
	int x = 0;
	for (int i = 0; i < VIEW_COUNT && x < w; i++) {
		char label[40];
		if (filtered && i != c->current)
			snprintf(label, sizeof label, " %d ", i + 1);
		else
			snprintf(label, sizeof label, " %d %s ", i + 1,
			         views[i]->name);
		x += screen_put(stdscr, y, x, -1,
		                i == c->current ? screen_attr(THEME_TAB_ACTIVE)
		                                : tab,
		                label);
		x += screen_put(stdscr, y, x, -1, tab, " ");
	}
	if (filtered && x + 12 < w) {
		char label[200];
		snprintf(label, sizeof label, " FILTER /%s  (Esc clears) ", f);
		screen_cell(stdscr, y, x + 1, w - x - 1,
		            screen_attr(THEME_VERDICT_AT_RISK), label);
	}
}

static void draw_footer(struct console *c, int y, int w)
{
	attr_t foot = screen_attr(THEME_FOOTER);
	if (c->prompt) {
		screen_fill(stdscr, y, 0, 1, w, screen_attr(THEME_NORMAL));
		char line[256];
		if (c->prompt == 'Q')
			snprintf(line, sizeof line,
			         " Leave the wall? Type quit and Enter (Esc: "
			         "stay): %s",
			         c->input);
		else
			snprintf(line, sizeof line, "%c%s", c->prompt,
			         c->input);
		int x = screen_put(stdscr, y, 0, -1, screen_attr(THEME_NORMAL),
		                   line);
		if (x < w)
			screen_put(stdscr, y, x, 1, A_REVERSE, " ");
		return;
	}
	if (c->ctx.message[0]) {
		screen_put(stdscr, y, 0, w,
		           screen_attr(c->ctx.message_is_error ? THEME_ERROR
		                                               : THEME_MESSAGE),
		           c->ctx.message);
		return;
	}
	char hints[320];
	if (c->g->wall) {
		char age[32];
		int64_t a =
		    c->last_change > 0 ? c->ctx.now - c->last_change : -1;
		snprintf(hints, sizeof hints,
		         " WALL, read-only  newest data %s%s  next view every "
		         "%ds  ?:help",
		         widget_age(a, age, sizeof age), a >= 60 ? " ago" : "",
		         c->g->cycle_s);
	} else {
		const char *vh = views[c->current]->hints;
		/* Short enough for 80 columns with any view's own hints;
		 * the moving keys are in the help. */
		snprintf(hints, sizeof hints,
		         " ?:help 1-6:view /:filter :cmd q:quit%s%s",
		         vh[0] ? "  " : "", vh);
	}
	screen_put(stdscr, y, 0, w, foot, hints);
}

static void draw_banner(struct console *c, int y, int w)
{
	/* The wall's verdict, in large letters, and the counts beside it. */
	enum verdict v = c->report.verdict;
	const char *word = verdict_name(v);
	attr_t attr = widget_verdict_attr(v);
	int bw = widget_big(NULL, 0, 0, word, attr);
	screen_fill(stdscr, y, 0, WIDGET_BIG_ROWS + 2, bw + 4, attr);
	widget_big(stdscr, y + 1, 2, word, attr);
	int x = bw + 6;
	char line[128], age[32];
	if (x >= w)
		return;
	const struct compliance_report *r = &c->report;
	screen_putf(stdscr, y + 1, x, w - x, screen_attr(THEME_TITLE),
	            "%zu service%s", r->n, r->n == 1 ? "" : "s");
	screen_putf(stdscr, y + 2, x, w - x, screen_attr(THEME_BAR_BAD),
	            "%zu in breach", r->n_breach);
	screen_putf(stdscr, y + 3, x, w - x, screen_attr(THEME_BAR_WARN),
	            "%zu at risk", r->n_at_risk);
	screen_putf(stdscr, y + 4, x, w - x, screen_attr(THEME_BAR_OK),
	            "%zu ok", r->n_ok);
	int64_t a = c->last_change > 0 ? c->ctx.now - c->last_change : -1;
	snprintf(line, sizeof line, "newest data %s%s",
	         widget_age(a, age, sizeof age), a >= 60 ? " ago" : "");
	screen_put(stdscr, y + 5, x, w - x, screen_attr(THEME_DIM), line);
}

static void draw_stale(struct console *c, int h, int w, int64_t age)
{
	attr_t st = screen_attr(THEME_STALE);
	char line[600], a[32], b[32], t[32];
	screen_fill(stdscr, 0, 0, h, w, st);
	int bw = widget_big(NULL, 0, 0, "STALE", st);
	int y = h / 2 - 6;
	if (y < 1)
		y = 1;
	widget_big(stdscr, y, (w - bw) / 2, "STALE", st);
	y += WIDGET_BIG_ROWS + 1;
	if (c->cat_error[0] != '\0' || !c->have_report) {
		snprintf(line, sizeof line, "THE CATALOG CANNOT BE READ");
		screen_put(stdscr, y++, (w - (int)strlen(line)) / 2, -1, st,
		           line);
		/* Why, in full: a server's address and libpq's reason are
		 * longer than a row, and the reason comes last. */
		const char *why = c->cat_error;
		for (int row = 0; row < STALE_WHY_ROWS && *why != '\0'; row++) {
			size_t skip, n = widget_wrap_row(why, w, &skip);
			snprintf(line, sizeof line, "%.*s", (int)n, why);
			int lw = screen_width(line);
			screen_put(stdscr, y++, lw < w ? (w - lw) / 2 : 0, w,
			           st, line);
			why += n + skip;
		}
		snprintf(line, sizeof line,
		         "The figures on this screen cannot be trusted. "
		         "Retrying.");
	} else {
		snprintf(line, sizeof line,
		         "NO NEW DATA FOR %s (the limit is %s)",
		         widget_age(age, a, sizeof a),
		         duration_format(c->g->stale_after_s, b, sizeof b));
		screen_put(stdscr, y++, (w - screen_width(line)) / 2, -1, st,
		           line);
		time_format_short(c->last_change, t);
		snprintf(line, sizeof line,
		         "Newest data in the catalog: %s UTC", t);
		screen_put(stdscr, y++, (w - screen_width(line)) / 2, -1, st,
		           line);
		snprintf(line, sizeof line,
		         "Last verdict was %s; backups, probes or the agent "
		         "may have stopped.",
		         verdict_name(c->report.verdict));
	}
	int lw = screen_width(line);
	screen_put(stdscr, y + 1, lw < w ? (w - lw) / 2 : 0, w, st, line);
	snprintf(line, sizeof line, "catalog %s", c->catalog_path);
	lw = screen_width(line);
	screen_put(stdscr, h - 2, lw < w ? (w - lw) / 2 : 0, w, st, line);
}

static void close_overlay(struct console *c)
{
	if (c->overlay_panel)
		del_panel(c->overlay_panel);
	if (c->overlay_win)
		delwin(c->overlay_win);
	c->overlay_panel = NULL;
	c->overlay_win = NULL;
}

static const char *const help_lines[] = {
    "Views   Tab S-Tab 1-6 the views (6: a DOWN service's runbook selected)",
    "Moving  Up Down k j  PgUp PgDn Space ^B ^F  Home End g G",
    "        n N          next, previous match of the filter (wraps)",
    "Looking Enter  the service's page (Backups: the backup; p its page)",
    "        w, b   the worst service's page; the selected one's backups",
    "        s      next sort order, the column marked (Dashboard, Backups)",
    "        /      filter as you type (on the tab line); Esc clears it",
    "        :      command: :backups orders-db failed, :dashboard, :log,",
    "               :filter TEXT, :quit        ^L repaint the screen",
    "        :ack S WHY  acknowledge alarm S (:silence S 2h WHY)",
    "Actions B      back up now, y/N (Dashboard); v verify, c copy (Backups)",
    "        Enter preview, r run, d drill (y/n first), R resume (Runbooks)",
    "Page    b its backups, r its runbook to run, d to drill, a :ack its",
    "        first unacknowledged alarm; Esc closes",
    "Log     ] [ next, previous 50 runs; d drills/real/all; Enter a record",
    "Jobs    a ^C stop it; x Enter Esc close it; a step: r s b a p =",
    "        retry skip rollback (listed, y/n) abort pause; PgUp PgDn the",
    "        command (refused under --read-only)",
    "        ? F1   this help                 q  quit",
};

static const char *const wall_help_lines[] = {
    "A read-only board: no key acts, none closes it.",
    "1-6, Tab    show a view (the cycle goes on)",
    "quit Enter  type the word to leave (or SIGTERM)",
    "This help closes by itself.",
};

static void draw_overlay(struct console *c, int h, int w)
{
	const char *title;
	const char *const *lines;
	size_t n;
	if (c->overlay == OVERLAY_WALL_HELP) {
		title = "Wall";
		lines = wall_help_lines;
		n = sizeof wall_help_lines / sizeof wall_help_lines[0];
	} else if (c->overlay == OVERLAY_HELP) {
		title = "Keys";
		lines = help_lines;
		n = sizeof help_lines / sizeof help_lines[0];
	} else {
		title = c->ctx.details.title;
		lines = (const char *const *)c->ctx.details.lines;
		n = c->ctx.details.n;
	}
	int ow = 0;
	for (size_t i = 0; i < n; i++) {
		int lw = screen_width(lines[i]);
		if (lw > ow)
			ow = lw;
	}
	ow += 4;
	if (ow < (int)strlen(title) + 8)
		ow = (int)strlen(title) + 8;
	if (ow > w - 2)
		ow = w - 2;
	int oh = (int)n + 2;
	if (oh > h - 2)
		oh = h - 2;
	close_overlay(c);
	c->overlay_win = newwin(oh, ow, (h - oh) / 2, (w - ow) / 2);
	c->overlay_panel = new_panel(c->overlay_win);
	WINDOW *win = c->overlay_win;
	screen_fill(win, 0, 0, oh, ow, screen_attr(THEME_OVERLAY));
	screen_box(win, 0, 0, oh, ow, screen_attr(THEME_BORDER));
	char head[320];
	snprintf(head, sizeof head, " %s ", title);
	screen_put(win, 0, 2, screen_width(head) < ow - 4 ? -1 : ow - 4,
	           screen_attr(THEME_TITLE), head);
	for (int i = 0; i + 2 < oh && (size_t)i < n; i++)
		screen_put(win, 1 + i, 2, ow - 4, screen_attr(THEME_OVERLAY),
		           lines[i]);
}

static void draw(struct console *c)
{
	int h, w;
	getmaxyx(stdscr, h, w);
	werase(stdscr);
	close_overlay(c);
	c->drawn_minute = c->ctx.now / 60;
	if (w < SCREEN_MIN_COLS || h < SCREEN_MIN_ROWS) {
		char msg[96];
		snprintf(msg, sizeof msg,
		         "terminal too small: need %dx%d, have %dx%d",
		         SCREEN_MIN_COLS, SCREEN_MIN_ROWS, w, h);
		int lw = (int)strlen(msg);
		screen_put(stdscr, h / 2, lw < w ? (w - lw) / 2 : 0, w,
		           screen_attr(THEME_ERROR), msg);
		goto out;
	}
	int64_t age;
	if (wall_stale(c, &age)) {
		draw_stale(c, h, w, age);
		/* The wall's quit prompt and its messages show here too. */
		if (c->prompt || c->ctx.message[0])
			draw_footer(c, h - 1, w);
		c->stale_shown = 1;
		goto out;
	}
	c->stale_shown = 0;
	draw_header(c, w);
	struct view_rect body;
	if (c->g->wall) {
		draw_banner(c, 1, w);
		int y = 2 + WIDGET_BIG_ROWS + 1;
		screen_putf(stdscr, y, 0, w, screen_attr(THEME_TITLE), " %s",
		            views[c->current]->name);
		body = (struct view_rect){y + 1, 0, h - y - 2, w};
	} else {
		draw_tabs(c, 1, w);
		body = (struct view_rect){2, 0, h - 3, w};
	}
	if (c->cat_error[0] != '\0')
		screen_putf(stdscr, body.y + body.h - 1, 0, w,
		            screen_attr(THEME_ERROR), " %s (retrying)",
		            c->cat_error);
	if (c->cat_error[0] != '\0')
		body.h--;
	/* A DOWN service has a line of its own above the key hints, on
	 * every view: the hints stay. */
	if (c->down_alert[0]) {
		attr_t a = screen_attr(THEME_VERDICT_BREACH);
		int aw = screen_width(c->down_alert);
		if (c->down_more[0] &&
		    aw + screen_width(c->down_more) + 1 > w) {
			/* Two lines rather than a second name cut off. */
			screen_put(stdscr, body.y + body.h - 1, 0, w, a,
			           c->down_more);
			body.h--;
			screen_put(stdscr, body.y + body.h - 1, 0, w, a,
			           c->down_alert);
		} else {
			screen_put(stdscr, body.y + body.h - 1, 0, w, a,
			           c->down_alert);
			if (c->down_more[0])
				screen_put(stdscr, body.y + body.h - 1, aw + 1,
				           w - aw - 1, a, c->down_more);
		}
		body.h--;
	}
	if (c->page != NULL)
		service_page_draw(c->page, &c->ctx, stdscr, body);
	else if (c->state[c->current])
		views[c->current]->draw(c->state[c->current], &c->ctx, stdscr,
		                        body);
	draw_footer(c, h - 1, w);
	if (c->overlay != OVERLAY_NONE)
		draw_overlay(c, h, w);
out:
	/* stdscr first, then the overlay panels above it, then one write. */
	wnoutrefresh(stdscr);
	update_panels();
	doupdate();
	c->frames++;
}

/* ---- keys -------------------------------------------------------------- */

static void switch_view(struct console *c, int v)
{
	if (v < 0 || v >= VIEW_COUNT)
		return;
	c->current = v;
	if (c->state[v] == NULL)
		c->state[v] = views[v]->open(&c->ctx);
	refresh_current(c);
	c->redraw = 1;
}

/* :ack SUBJECT REASON, :silence SUBJECT DURATION REASON, :unsilence
 * SUBJECT -- the same as `drconsole alarm` (core/alarm.h), audited. */
static void alarm_command(struct console *c, const char *verb, const char *args)
{
	char subject[160], dur[32] = "";
	const char *rest;
	size_t n = strcspn(args, " ");
	int64_t now = time_now(), for_s = 0;
	char *err = NULL;
	int rc;

	if (c->ctx.read_only || c->cat == NULL) {
		view_message(&c->ctx, 1, "read-only: :%s is not available",
		             verb);
		return;
	}
	if (n == 0 || n >= sizeof subject) {
		view_message(&c->ctx, 1,
		             ":%s SUBJECT%s (subjects: drconsole alarm list)",
		             verb,
		             strcmp(verb, "ack") == 0       ? " REASON"
		             : strcmp(verb, "silence") == 0 ? " DURATION REASON"
		                                            : "");
		return;
	}
	memcpy(subject, args, n);
	subject[n] = '\0';
	rest = args + n;
	while (*rest == ' ')
		rest++;
	if (strcmp(verb, "silence") == 0) {
		size_t d = strcspn(rest, " ");
		if (d == 0 || d >= sizeof dur) {
			view_message(&c->ctx, 1,
			             ":silence SUBJECT DURATION REASON");
			return;
		}
		memcpy(dur, rest, d);
		dur[d] = '\0';
		rest += d;
		while (*rest == ' ')
			rest++;
		if (duration_parse(dur, &for_s, &err) != DR_OK || for_s <= 0) {
			view_message(&c->ctx, 1, ":silence: %s",
			             err ? err : "expected a duration like 2h");
			free(err);
			return;
		}
	}
	struct ops_session ses = {
	    .cat = c->cat,
	    .cfg = c->ctx.cfg,
	    .read_only = c->ctx.read_only,
	};
	if (strcmp(verb, "ack") == 0)
		rc = ops_alarm_ack(&ses, subject, rest, now, &err);
	else if (strcmp(verb, "silence") == 0)
		rc = ops_alarm_silence(&ses, subject, now + for_s, rest, now,
		                       &err);
	else
		rc = ops_alarm_unsilence(&ses, subject, &err);
	if (rc != DR_OK)
		view_message(&c->ctx, 1, ":%s: %s", verb,
		             err ? err : dr_status_name(rc));
	else
		view_message(&c->ctx, 0, "%s %s", subject,
		             strcmp(verb, "ack") == 0 ? "acknowledged"
		             : strcmp(verb, "silence") == 0
		                 ? "silenced"
		                 : "no longer silenced");
	free(err);
}

static void run_command(struct console *c, const char *line)
{
	char word[64];
	size_t i = 0;
	while (*line == ' ')
		line++;
	while (line[i] && line[i] != ' ' && i + 1 < sizeof word) {
		word[i] = line[i];
		i++;
	}
	word[i] = '\0';
	const char *args = line + i;
	while (*args == ' ')
		args++;
	if (word[0] == '\0')
		return;
	if (strcmp(word, "q") == 0 || strcmp(word, "quit") == 0) {
		c->quit = 1;
		return;
	}
	if (strcmp(word, "help") == 0) {
		c->overlay = OVERLAY_HELP;
		return;
	}
	if (strcmp(word, "filter") == 0) {
		views[c->current]->filter(c->state[c->current], &c->ctx, args);
		return;
	}
	if (strcmp(word, "ack") == 0 || strcmp(word, "silence") == 0 ||
	    strcmp(word, "unsilence") == 0) {
		alarm_command(c, word, args);
		return;
	}
	for (int v = 0; v < VIEW_COUNT; v++) {
		const char *name = views[v]->name;
		if (strncasecmp(name, word, strlen(word)) != 0)
			continue;
		switch_view(c, v);
		if (views[v]->command)
			views[v]->command(c->state[v], &c->ctx, args);
		return;
	}
	view_message(
	    &c->ctx, 1,
	    "unknown command \"%s\" (try :backups SERVICE, :dashboard, "
	    ":log, :filter TEXT, :quit; ? lists the keys)",
	    word);
}

static void wall_quit_hint(struct console *c);

static unsigned prompt_key(struct console *c, int key)
{
	if (c->prompt == 'Q')
		c->prompt_until_ms = mono_ms() + WALL_TRANSIENT_MS;
	switch (key) {
	case KEY_ESCAPE:
		if (c->prompt == '/')
			views[c->current]->filter(c->state[c->current], &c->ctx,
			                          c->filter_before);
		c->prompt = 0;
		break;
	case '\n':
	case '\r':
	case KEY_ENTER: {
		int kind = c->prompt;
		c->prompt = 0;
		if (kind == 'Q') {
			if (strcmp(c->input, "quit") == 0)
				c->quit = 1;
			else
				wall_quit_hint(c);
		} else if (kind == '/')
			views[c->current]->filter(c->state[c->current], &c->ctx,
			                          c->input);
		else
			run_command(c, c->input);
		break;
	}
	case KEY_BACKSPACE:
	case 127:
	case CTRL('h'):
		if (c->input_len > 0)
			c->input[--c->input_len] = '\0';
		else
			c->prompt = 0;
		break;
	case CTRL('u'):
		c->input_len = 0;
		c->input[0] = '\0';
		break;
	default:
		if (key >= ' ' && key < 256 && key != 127 &&
		    c->input_len + 1 < sizeof c->input) {
			c->input[c->input_len++] = (char)key;
			c->input[c->input_len] = '\0';
		}
		break;
	}
	/* Incremental: the view follows the filter as it is typed. */
	if (c->prompt == '/')
		views[c->current]->filter(c->state[c->current], &c->ctx,
		                          c->input);
	return VIEW_HANDLED | VIEW_REDRAW;
}

static void open_prompt(struct console *c, int kind)
{
	const char *f =
	    kind == '/' && c->state[c->current] &&
	            views[c->current]->active_filter
	        ? views[c->current]->active_filter(c->state[c->current])
	        : NULL;
	strlcpy_dr(c->filter_before, f ? f : "", sizeof c->filter_before);
	c->prompt = kind;
	c->input_len = 0;
	c->input[0] = '\0';
}

/* What a view or the page asked for: a service's page, another view. */
static unsigned follow_view_requests(struct console *c)
{
	unsigned res = 0;
	if (c->ctx.prompt_text[0]) {
		open_prompt(c, ':');
		c->input_len =
		    strlcpy_dr(c->input, c->ctx.prompt_text, sizeof c->input);
		if (c->input_len >= sizeof c->input)
			c->input_len = sizeof c->input - 1;
		c->ctx.prompt_text[0] = '\0';
		res |= VIEW_REDRAW;
	}
	if (c->ctx.open_service[0]) {
		struct service_page *p =
		    service_page_open(&c->ctx, c->ctx.open_service);
		c->ctx.open_service[0] = '\0';
		if (p != NULL) {
			service_page_free(c->page);
			c->page = p;
		}
		res |= VIEW_REDRAW;
	}
	if (c->ctx.switch_to >= 0) {
		int v = c->ctx.switch_to;
		c->ctx.switch_to = -1;
		service_page_free(c->page);
		c->page = NULL;
		switch_view(c, v);
		if (views[v]->command)
			views[v]->command(c->state[v], &c->ctx,
			                  c->ctx.switch_args);
		res |= VIEW_REDRAW;
	}
	return res;
}

static void wall_quit_hint(struct console *c)
{
	if (c->prompt == 'Q')
		c->prompt = 0;
	view_message(&c->ctx, 0,
	             " The wall does not close on a key: type quit and Enter "
	             "(or send SIGTERM)");
	c->message_until_ms = mono_ms() + WALL_TRANSIENT_MS;
	c->redraw = 1;
}

/* The wall: views and its small help; leaving takes the typed word. */
static unsigned wall_key(struct console *c, int key)
{
	unsigned res = VIEW_HANDLED;
	if (c->overlay != OVERLAY_NONE) {
		c->overlay = OVERLAY_NONE;
		res |= VIEW_REDRAW;
		if (key == '?' || key == KEY_F(1) || key == KEY_ESCAPE)
			return res;
	}
	if (key == '?' || key == KEY_F(1)) {
		c->overlay = OVERLAY_WALL_HELP;
		c->overlay_until_ms = mono_ms() + WALL_TRANSIENT_MS;
		return res | VIEW_REDRAW;
	}
	if (key == '\t' || key == KEY_BTAB ||
	    (key >= '1' && key < '1' + VIEW_COUNT)) {
		int v = key == '\t' ? (c->current + 1) % VIEW_COUNT
		        : key == KEY_BTAB
		            ? (c->current + VIEW_COUNT - 1) % VIEW_COUNT
		            : key - '1';
		switch_view(c, v);
		c->cycle_started_ms = mono_ms();
		return res | VIEW_REDRAW;
	}
	if (key == 'q' || key == 'Q' || key == ':') {
		/* The start of "quit": a prompt that goes away by itself. */
		open_prompt(c, 'Q');
		if (key != ':')
			prompt_key(c, 'q');
		c->prompt_until_ms = mono_ms() + WALL_TRANSIENT_MS;
		return res | VIEW_REDRAW;
	}
	if (key == CTRL('c') || key == KEY_ESCAPE) {
		wall_quit_hint(c);
		return res | VIEW_REDRAW;
	}
	return res;
}

static unsigned console_key(struct console *c, int key)
{
	if (key == KEY_RESIZE)
		return VIEW_HANDLED | VIEW_REDRAW;
	if (key == CTRL('l')) {
		clearok(curscr, TRUE);
		return VIEW_HANDLED | VIEW_REDRAW;
	}
	if (c->prompt == 'Q' && !(key >= 'a' && key <= 'z') && key != '\n' &&
	    key != '\r' && key != KEY_ENTER && key != KEY_BACKSPACE &&
	    key != 127) {
		c->prompt = 0; /* not the word: the key is the wall's */
		return wall_key(c, key) | VIEW_REDRAW;
	}
	if (c->prompt)
		return prompt_key(c, key);
	if (c->g->wall)
		return wall_key(c, key);
	if (c->page != NULL && (key == '\t' || key == KEY_BTAB ||
	                        (key >= '1' && key < '1' + VIEW_COUNT))) {
		service_page_free(c->page); /* and on to that view */
		c->page = NULL;
	}
	if (c->page != NULL && c->overlay == OVERLAY_NONE && key != '?' &&
	    key != KEY_F(1) && key != ':') {
		c->ctx.message[0] = '\0';
		c->ctx.switch_to = -1;
		unsigned r = service_page_key(c->page, &c->ctx, key);
		if (r & SERVICE_PAGE_CLOSE) {
			service_page_free(c->page);
			c->page = NULL;
		}
		follow_view_requests(c);
		return (r & ~SERVICE_PAGE_CLOSE) | VIEW_REDRAW;
	}
	/* Any key dismisses a message. */
	unsigned res = 0;
	if (c->ctx.message[0]) {
		c->ctx.message[0] = '\0';
		res |= VIEW_REDRAW;
	}
	if (c->overlay != OVERLAY_NONE) {
		if (key == KEY_ESCAPE || key == 'q' || key == '?' ||
		    key == KEY_F(1) || key == '\n' || key == '\r' ||
		    key == KEY_ENTER) {
			c->overlay = OVERLAY_NONE;
			return res | VIEW_HANDLED | VIEW_REDRAW;
		}
		if (c->overlay == OVERLAY_HELP)
			return res | VIEW_HANDLED;
		c->overlay = OVERLAY_NONE; /* and the key goes on */
		res |= VIEW_REDRAW;
	}
	switch (key) {
	case 'q':
	case 'Q':
		return res | VIEW_HANDLED | VIEW_QUIT;
	case '?':
	case KEY_F(1):
		c->overlay = OVERLAY_HELP;
		return res | VIEW_HANDLED | VIEW_REDRAW;
	case '\t':
		switch_view(c, (c->current + 1) % VIEW_COUNT);
		c->cycle_started_ms = mono_ms();
		return res | VIEW_HANDLED | VIEW_REDRAW;
	case KEY_BTAB:
		switch_view(c, (c->current + VIEW_COUNT - 1) % VIEW_COUNT);
		c->cycle_started_ms = mono_ms();
		return res | VIEW_HANDLED | VIEW_REDRAW;
	}
	if (key >= '1' && key < '1' + VIEW_COUNT &&
	    !(key == '6' && c->down_runbook[0])) {
		switch_view(c, key - '1');
		c->cycle_started_ms = mono_ms();
		return res | VIEW_HANDLED | VIEW_REDRAW;
	}
	switch (key) {
	case '/':
	case ':':
		open_prompt(c, key);
		return res | VIEW_HANDLED | VIEW_REDRAW;
	case KEY_ESCAPE:
		views[c->current]->filter(c->state[c->current], &c->ctx, "");
		return res | VIEW_HANDLED | VIEW_REDRAW;
	}
	if (key == '6' && c->down_runbook[0]) {
		/* A service is down: Runbooks opens on its suggestion. */
		c->ctx.switch_to = VIEW_RUNBOOKS;
		snprintf(c->ctx.switch_args, sizeof c->ctx.switch_args, "=%s",
		         c->down_runbook);
		follow_view_requests(c);
		return res | VIEW_HANDLED | VIEW_REDRAW;
	}
	c->ctx.switch_to = -1;
	res |= views[c->current]->key(c->state[c->current], &c->ctx, key);
	if (c->ctx.details_open) {
		c->ctx.details_open = 0;
		c->overlay = OVERLAY_DETAILS;
		res |= VIEW_REDRAW;
	}
	res |= follow_view_requests(c);
	return res;
}

static void read_keys(struct console *c)
{
	int key;
	while (!c->quit && (key = wgetch(stdscr)) != ERR) {
		unsigned res = console_key(c, key);
		if (res & VIEW_QUIT)
			c->quit = 1;
		if (res & VIEW_REDRAW)
			c->redraw = 1;
	}
}

static void wall_tick(struct console *c)
{
	if (!c->g->wall)
		return;
	int64_t now_ms = mono_ms();
	/* The wall's help and its quit prompt close by themselves: nothing
	 * typed by accident stays over the board. */
	if (c->overlay == OVERLAY_WALL_HELP && now_ms >= c->overlay_until_ms) {
		c->overlay = OVERLAY_NONE;
		c->redraw = 1;
	}
	if (c->prompt == 'Q' && now_ms >= c->prompt_until_ms) {
		c->prompt = 0;
		c->redraw = 1;
	}
	if (c->ctx.message[0] && c->message_until_ms &&
	    now_ms >= c->message_until_ms) {
		c->ctx.message[0] = '\0';
		c->message_until_ms = 0;
		c->redraw = 1;
	}
	if (c->overlay != OVERLAY_NONE || c->prompt)
		return; /* the board stays put while a person reads */
	if (now_ms - c->cycle_started_ms < (int64_t)c->g->cycle_s * 1000)
		return;
	c->cycle_started_ms = now_ms;
	size_t n = sizeof wall_views / sizeof wall_views[0];
	size_t next = 0;
	for (size_t i = 0; i < n; i++)
		if ((int)wall_views[i] == c->current)
			next = (i + 1) % n;
	if (c->message_until_ms == 0) /* the wall's own hint stays its time */
		c->ctx.message[0] = '\0';
	switch_view(c, wall_views[next]);
}

/* ---- set-up ------------------------------------------------------------ */

static char *config_dir(const struct config *cfg)
{
	if (cfg->path != NULL) {
		char *copy = xstrdup(cfg->path);
		char *dir = xstrdup(dirname(copy));
		free(copy);
		return dir;
	}
	char *def = config_default_path();
	char *dir = xstrdup(dirname(def));
	free(def);
	return dir;
}

static void load_theme(struct console *c, struct theme *theme)
{
	theme_default(theme);
	const char *spec = c->g->theme ? c->g->theme : c->cfg->theme;
	if (spec == NULL)
		return;
	char *cdir = config_dir(c->cfg);
	char *cthemes = xasprintf("%s/themes", cdir);
	const char *dirs[] = {"themes", DRCONSOLE_DATADIR "/themes", cthemes};
	char *err = NULL;
	char *path = theme_find(spec, dirs, 3, &err);
	if (path == NULL && strcmp(spec, "default") == 0) {
		free(err); /* built in: needs no file */
		free(cthemes);
		free(cdir);
		return;
	}
	if (path == NULL || theme_load(path, theme, &err) != DR_OK) {
		c->theme_error = xasprintf("%s; using the default theme", err);
		free(err);
		theme_default(theme);
	}
	free(path);
	free(cthemes);
	free(cdir);
}

static void console_free(struct console *c)
{
	close_overlay(c);
	service_page_free(c->page);
	for (int i = 0; i < VIEW_COUNT; i++)
		if (c->state[i])
			views[i]->close(c->state[i]);
	view_details_clear(&c->ctx.details);
	if (c->have_report)
		compliance_report_free(&c->report);
	catalog_close(c->cat);
	free(c->catalog_path);
	config_free(c->cfg);
	free(c->theme_error);
}

static void loop(struct console *c)
{
	int64_t next_tick = mono_ms() + TICK_MS;
	/* bench/console.sh times start-up to the first frame with this. */
	int bench_first_frame = getenv("DRCONSOLE_BENCH_FIRST_FRAME") != NULL;
	while (!c->quit) {
		if (c->redraw) {
			c->redraw = 0;
			draw(c);
			if (bench_first_frame)
				break;
		}
		int64_t wait = next_tick - mono_ms();
		if (wait < 0)
			wait = 0;
		struct pollfd pfd[3] = {
		    {.fd = STDIN_FILENO, .events = POLLIN},
		    {.fd = screen_signal_fd(), .events = POLLIN},
		    {.fd = c->watch_fd, .events = POLLIN},
		};
		int n = poll(pfd, c->watch_fd >= 0 ? 3 : 2, (int)wait);
		if (n < 0 && errno != EINTR)
			break;
		unsigned sig = screen_take_signals();
		if (sig & SCREEN_SIG_QUIT)
			break;
		if (sig & SCREEN_SIG_CONT) {
			screen_resume();
			c->redraw = 1;
		}
		if (sig & SCREEN_SIG_INT) {
			/* A board keeps running through a stray Ctrl-C. */
			if (!c->g->wall) {
				screen_note_interrupt(SIGINT);
				break;
			}
			wall_quit_hint(c);
		}
		if (sig & SCREEN_SIG_RESIZE) {
			screen_follow_resize();
			c->redraw = 1;
		}
		if (n > 0 && (pfd[0].revents & (POLLHUP | POLLERR)))
			break; /* the terminal went away */
		if (n > 0 && (pfd[0].revents & POLLIN))
			read_keys(c);
		/* A change committed (or the connection broke): now, not at
		 * the next tick. */
		if (n > 0 && c->watch_fd >= 0 && pfd[2].revents != 0)
			catalog_tick(c);
		if (mono_ms() >= next_tick) {
			next_tick = mono_ms() + TICK_MS;
			int was_stale = c->stale_shown;
			int64_t age;
			catalog_tick(c);
			wall_tick(c);
			c->ctx.now = time_now();
			if (c->ctx.now / 60 != c->drawn_minute)
				c->redraw = 1;
			if (c->g->wall && wall_stale(c, &age) != was_stale)
				c->redraw = 1;
			if (!c->g->wall && c->last_change > 0 &&
			    (c->ctx.now - c->last_change >
			     c->g->stale_after_s) != c->fresh_stale_shown)
				c->redraw = 1;
		}
	}
}

int console_main(const struct cmd_globals *g)
{
	if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)) {
		char *argv[] = {"status", NULL};
		return cmd_status_entry.exec(g, 1, argv);
	}
	struct console c;
	memset(&c, 0, sizeof c);
	c.watch_fd = -1;
	c.g = g;
	c.ctx.switch_to = -1;
	c.ctx.read_only = g->read_only || g->wall;
	c.ctx.wall = g->wall;
	c.cfg = cli_config(g);
	if (c.cfg == NULL)
		return DR_EXIT_USAGE;
	c.ctx.cfg = c.cfg;
	c.catalog_path = cli_catalog_path(g, c.cfg);
	c.ctx.catalog_path = c.catalog_path;
	c.ctx.config_path = g->config;
	audit_actor(c.actor, c.origin);
	c.ctx.now = time_now();

	/* The console proper needs its catalog (the default one is created
	 * on first use, as for every command); the wall starts anyway and
	 * shows that it cannot read it. */
	if (g->wall) {
		open_catalog(&c);
	} else {
		int rc = DR_EXIT_FAIL;
		struct catalog *cat = cli_open_catalog(g, c.cfg, 0, &rc);
		if (cat == NULL) {
			console_free(&c);
			return rc;
		}
		adopt_catalog(&c, cat);
	}
	catalog_tick(&c);
	if (c.cat_error[0] != '\0' && !g->wall) {
		fprintf(stderr, "drconsole: %s\n", c.cat_error);
		console_free(&c);
		return DR_EXIT_FAIL;
	}

	struct theme theme;
	load_theme(&c, &theme);
	struct screen_opts opts = {.ascii = g->ascii, .theme = &theme};
	char *err = NULL;
	int sr = screen_open(&opts, &err);
	if (sr == SCREEN_NO_CURSOR) {
		/* TERM=dumb and the like: the same facts as plain text. */
		fprintf(stderr,
		        "drconsole: %s; showing `drconsole status` instead\n",
		        err);
		free(err);
		console_free(&c);
		char *argv[] = {"status", NULL};
		safe_stdio_install(); /* a terminal all the same */
		return cmd_status_entry.exec(g, 1, argv);
	}
	if (sr != 0) {
		fprintf(stderr, "drconsole: %s\n", err);
		free(err);
		console_free(&c);
		return DR_EXIT_FAIL;
	}
	if (c.theme_error)
		view_message(&c.ctx, 1, "theme: %s", c.theme_error);
	switch_view(&c, VIEW_DASHBOARD);
	c.cycle_started_ms = mono_ms();
	c.redraw = 1;
	loop(&c);
	screen_close();

	int sig = screen_quit_signal();
	if (c.theme_error)
		fprintf(stderr, "drconsole: theme: %s\n", c.theme_error);
	console_free(&c);
	if (sig != 0 && sig != SIGINT)
		return 128 + sig;
	return DR_EXIT_OK;
}
