#include "tui/view.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/xmalloc.h"

void view_details_add(struct view_details *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *line = xvasprintf(fmt, ap);
	va_end(ap);
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		d->lines = xreallocarray(d->lines, d->cap, sizeof *d->lines);
	}
	d->lines[d->n++] = line;
}

void view_details_clear(struct view_details *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->lines[i]);
	free(d->lines);
	d->lines = NULL;
	d->n = d->cap = 0;
	d->title[0] = '\0';
}

void view_open_service(struct view_ctx *ctx, const char *service)
{
	snprintf(ctx->open_service, sizeof ctx->open_service, "%s", service);
}

void view_message(struct view_ctx *ctx, int is_error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ctx->message, sizeof ctx->message, fmt, ap);
	va_end(ap);
	ctx->message_is_error = is_error;
}

unsigned view_refuse_action(struct view_ctx *ctx, const char *action)
{
	view_message(ctx, 1,
	             "READ-ONLY (%s): %s refused; it would change state.",
	             ctx->wall ? "--wall" : "--read-only", action);
	return VIEW_HANDLED | VIEW_REDRAW;
}
