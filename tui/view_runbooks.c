#include "tui/view_runbooks.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "tui/listnav.h"
#include "tui/screen.h"

/* Until the runbook engine lands this lists the runbook files it will
 * load, so the tab, its keys and the refusal under --read-only are in
 * place. */
struct runbook_file {
	char name[128];
	char dir[256];
};

struct runbooks {
	struct listnav nav;
	struct runbook_file *files;
	size_t n;
	char filter[128];
	int page;
};

static int by_name(const void *a, const void *b)
{
	const struct runbook_file *x = a, *y = b;
	return strcmp(x->name, y->name);
}

static void scan_dir(struct runbooks *rb, const char *dir)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		char name[128];
		snprintf(name, sizeof name, "%.*s", (int)(len - 5), e->d_name);
		int seen = 0;
		for (size_t i = 0; i < rb->n; i++)
			seen |= strcmp(rb->files[i].name, name) == 0;
		if (seen) /* the first directory wins, as the engine will */
			continue;
		if (rb->filter[0] && !strcasestr(name, rb->filter))
			continue;
		rb->files =
		    xreallocarray(rb->files, rb->n + 1, sizeof *rb->files);
		strlcpy_dr(rb->files[rb->n].name, name,
		           sizeof rb->files[rb->n].name);
		strlcpy_dr(rb->files[rb->n].dir, dir,
		           sizeof rb->files[rb->n].dir);
		rb->n++;
	}
	closedir(d);
}

static void load(struct runbooks *rb, struct view_ctx *ctx)
{
	free(rb->files);
	rb->files = NULL;
	rb->n = 0;
	if (ctx->cfg && ctx->cfg->runbook_dir)
		scan_dir(rb, ctx->cfg->runbook_dir);
	scan_dir(rb, "runbooks");
	scan_dir(rb, DRCONSOLE_DATADIR "/runbooks");
	if (rb->n > 1)
		qsort(rb->files, rb->n, sizeof *rb->files, by_name);
	rb->nav.n = rb->n;
	listnav_fit(&rb->nav, rb->page);
}

static void *runbooks_open(struct view_ctx *ctx)
{
	struct runbooks *rb = xcalloc(1, sizeof *rb);
	rb->page = 10;
	load(rb, ctx);
	return rb;
}

static void runbooks_close(void *state)
{
	struct runbooks *rb = state;
	if (rb == NULL)
		return;
	free(rb->files);
	free(rb);
}

static void runbooks_reload(void *state, struct view_ctx *ctx, unsigned change)
{
	(void)state;
	(void)ctx;
	(void)change; /* files on disk, not catalog data: read on open */
}

static void runbooks_draw(void *state, struct view_ctx *ctx, WINDOW *win,
                          struct view_rect r)
{
	struct runbooks *rb = state;
	screen_put(win, r.y, r.x, r.w, screen_attr(THEME_COLUMN_HEADER),
	           "RUNBOOK                          FROM");
	rb->page = r.h - 3;
	listnav_fit(&rb->nav, rb->page);
	if (rb->n == 0)
		screen_put(win, r.y + 2, r.x + 2, r.w - 4,
		           screen_attr(THEME_DIM),
		           rb->filter[0] ? "No runbook matches the filter."
		                         : "No runbooks found in ./runbooks, "
		                           "the installed runbooks or the "
		                           "configured runbook_dir.");
	for (int i = 0; i < rb->page && rb->nav.top + (size_t)i < rb->n; i++) {
		size_t row = rb->nav.top + (size_t)i;
		attr_t a = !ctx->wall && row == rb->nav.sel
		               ? screen_attr(THEME_SELECTION)
		               : screen_attr(THEME_NORMAL);
		screen_putf(win, r.y + 1 + i, r.x, r.w, a, "%-32s %s",
		            rb->files[row].name, rb->files[row].dir);
	}
	screen_put(win, r.y + r.h - 1, r.x, r.w, screen_attr(THEME_DIM),
	           " Enter/r runs the selected runbook, R resumes an "
	           "interrupted one.");
}

static unsigned runbooks_key(void *state, struct view_ctx *ctx, int key)
{
	struct runbooks *rb = state;
	unsigned res = listnav_key(&rb->nav, key, rb->page);
	if (res)
		return res;
	switch (key) {
	case '\n':
	case '\r':
	case KEY_ENTER:
	case 'r':
		if (rb->n == 0)
			return VIEW_HANDLED;
		return view_refuse_action(ctx, "run runbook",
		                          "the runbook engine is not in this "
		                          "build yet");
	case 'R':
		return view_refuse_action(ctx, "resume runbook",
		                          "the runbook engine is not in this "
		                          "build yet");
	}
	return 0;
}

static void runbooks_filter(void *state, struct view_ctx *ctx, const char *text)
{
	struct runbooks *rb = state;
	strlcpy_dr(rb->filter, text, sizeof rb->filter);
	rb->nav.sel = rb->nav.top = 0;
	load(rb, ctx);
}

const struct view_ops view_runbooks_ops = {
    .name = "Runbooks",
    .hints = "Enter:run",
    .open = runbooks_open,
    .close = runbooks_close,
    .reload = runbooks_reload,
    .draw = runbooks_draw,
    .key = runbooks_key,
    .filter = runbooks_filter,
    .command = runbooks_filter,
};
