/* See cli_ops.h. */
#include "tui/cli_ops.h"

#include <stdio.h>
#include <unistd.h>

#include "core/ops_backup.h"
#include "tui/safe_stdio.h"

static void cli_note(void *arg, const char *text)
{
	(void)arg;
	cli_warn("%s", text);
}

/* On a terminal: one line rewritten in place, at most 5 times a second;
 * elsewhere nothing (a log wants the result, not the ticks). */
static double progress_last = -1;

static void cli_progress(void *arg, uint64_t done, uint64_t total,
                         double elapsed_s)
{
	char line[128];

	(void)arg;
	if (!isatty(STDERR_FILENO))
		return;
	if (progress_last >= 0 && elapsed_s - progress_last < 0.2 &&
	    elapsed_s >= progress_last)
		return;
	progress_last = elapsed_s;
	ops_progress_text(line, sizeof line, done, total, elapsed_s);
	fprintf(safe_stdio_raw_stderr(), "\r  %s, %.0fs elapsed   ", line,
	        elapsed_s);
	fflush(stderr);
}

static void cli_outcome(void *arg, const struct ops_outcome *o)
{
	(void)arg;
	(void)o;
	/* The progress line, if one was drawn, gives way to the result. */
	if (progress_last >= 0 && isatty(STDERR_FILENO))
		fprintf(safe_stdio_raw_stderr(), "\r%60s\r", "");
	progress_last = -1;
}

static const struct ops_events cli_events = {
    .note = cli_note,
    .progress = cli_progress,
    .outcome = cli_outcome,
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
