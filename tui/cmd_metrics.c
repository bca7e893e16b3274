/* `metrics`: the Prometheus text exposition format on stdout
 * (core/metrics.c builds it). */
#include <stdio.h>
#include <stdlib.h>

#include "core/error.h"
#include "core/metrics.h"
#include "core/timeutil.h"
#include "tui/cmd.h"

static int metrics_exec(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_metrics_entry, NULL, argc, argv);
	if (args == NULL)
		return DR_EXIT_USAGE;
	argc = args->argc;
	argv = args->argv;
	if (argc > 1) {
		cli_error("metrics: unexpected argument '%s'", argv[1]);
		return DR_EXIT_USAGE;
	}
	struct config *cfg = cli_config(g);
	if (cfg == NULL)
		return DR_EXIT_USAGE;
	int rc;
	struct catalog *cat = cli_open_catalog(g, cfg, 0, &rc);
	if (cat == NULL) {
		config_free(cfg);
		return rc;
	}
	char *text = NULL, *err = NULL;
	if (metrics_render(cat, &cfg->policy, time_now(), &text, &err) !=
	    DR_OK) {
		cli_error("%s", err ? err : "cannot read the catalog");
		rc = DR_EXIT_FAIL;
	} else {
		fputs(text, stdout);
		rc = fflush(stdout) == 0 ? DR_EXIT_OK : DR_EXIT_FAIL;
	}
	free(text);
	free(err);
	catalog_close(cat);
	config_free(cfg);
	return rc;
}

const struct cmd_entry cmd_metrics_entry = {
    .name = "metrics",
    .usage = "",
    .summary = "print Prometheus metrics (text format 0.0.4)",
    .help = "Every service's backup, RPO, RTO, test, health and verdict, "
            "every probe,\nreplication link and agent, and the catalog's "
            "last change.  Unknown values\nread NaN.  The agent serves the "
            "same on agent.metrics_listen.\n",
    .exec = metrics_exec,
};
