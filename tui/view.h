/* What the console's views share.  Each view is a const table of functions
 * (tig's view_ops, ncdu's _init/_draw/_key): it keeps its own state, reads
 * the data the console holds in struct view_ctx, draws into the body
 * rectangle it is given, and its key handler returns what must happen next
 * as VIEW_* bits; the console redraws only when a bit asks for it. */
#ifndef DR_VIEW_H
#define DR_VIEW_H

#include <curses.h>
#include <stddef.h>
#include <stdint.h>

#include "core/compliance.h"
#include "core/config.h"
#include "db/catalog.h"

enum view_result {
	VIEW_HANDLED = 1 << 0, /* the key meant something here */
	VIEW_REDRAW = 1 << 1,  /* the screen must be drawn again */
	VIEW_QUIT = 1 << 2,    /* leave the console */
};

/* What a refresh is about. */
enum view_change {
	VIEW_CHANGE_DATA = 1 << 0, /* the catalog changed (or was reopened) */
	VIEW_CHANGE_TIME = 1 << 1, /* the minute rolled over */
};

/* The tabs, in order (keys 1-6). */
enum view_id {
	VIEW_DASHBOARD = 0,
	VIEW_BACKUPS,
	VIEW_REPLICATION,
	VIEW_COMPLIANCE,
	VIEW_LOG,
	VIEW_RUNBOOKS,
	VIEW_COUNT
};

struct view_rect {
	int y, x, h, w;
};

/* Lines of a details overlay, filled by a view when Enter is pressed. */
struct view_details {
	char title[300];
	char **lines;
	size_t n, cap;
};
void view_details_add(struct view_details *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void view_details_clear(struct view_details *d);

struct view_ctx {
	struct catalog *cat; /* NULL while the catalog cannot be read */
	const struct config *cfg;
	const char *catalog_path;
	const char *config_path; /* --config, or NULL: the default */
	int64_t now;
	/* compliance_eval() of every service, worst first. */
	const struct compliance_report *report;
	int read_only;
	int wall;
	/* The view puts a message in the footer with view_message(). */
	char message[256];
	int message_is_error;
	/* Set by a view to open a details overlay. */
	struct view_details details;
	int details_open;
	/* Set by a view (view_open_service) to open a service's page. */
	char open_service[128];
	/* Set by a view to switch to another view (index), -1: none. */
	int switch_to;
	char switch_args[128]; /* handed to the view's command() */
	/* Set by a view or the page to open the `:` prompt with this text
	 * typed (the operator finishes it and presses Enter). */
	char prompt_text[200];
};

/* Asks the console to open the page of `service` (tui/service_page.h). */
void view_open_service(struct view_ctx *ctx, const char *service);
void view_message(struct view_ctx *ctx, int is_error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* An action (it would change state) under --read-only or --wall: refused
 * with the reason.  Returns VIEW_HANDLED | VIEW_REDRAW. */
unsigned view_refuse_action(struct view_ctx *ctx, const char *action);

struct view_ops {
	const char *name;  /* tab label */
	const char *hints; /* the view's own footer hints, or "" */
	void *(*open)(struct view_ctx *ctx);
	void (*close)(void *state);
	/* Data or time changed: reload what the view shows (only when the
	 * view is on screen; a view that becomes visible gets a refresh). */
	void (*reload)(void *state, struct view_ctx *ctx, unsigned change);
	void (*draw)(void *state, struct view_ctx *ctx, WINDOW *win,
	             struct view_rect r);
	/* A key the console did not take. */
	unsigned (*key)(void *state, struct view_ctx *ctx, int key);
	/* `/` text ("" clears). */
	void (*filter)(void *state, struct view_ctx *ctx, const char *text);
	/* Arguments of the `:NAME ARGS` command that opened the view. */
	void (*command)(void *state, struct view_ctx *ctx, const char *args);
	/* The filter in force ("" or NULL: none), shown by the console; may
	 * be NULL. */
	const char *(*active_filter)(void *state);
};

#endif
