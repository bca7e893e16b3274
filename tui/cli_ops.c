/* See cli_ops.h. */
#include "tui/cli_ops.h"

#include <stdio.h>

static void cli_note(void *arg, const char *text)
{
	(void)arg;
	cli_warn("%s", text);
}

static const struct ops_events cli_events = {
    .note = cli_note,
};

struct ops_session cli_session(const struct cmd_globals *g, struct catalog *cat,
                               const struct config *cfg)
{
	struct ops_session s = {
	    .cat = cat,
	    .cfg = cfg,
	    .read_only = g->read_only,
	    .ev = &cli_events,
	};
	return s;
}
