/* `alarm list | ack SUBJECT --reason TEXT | silence SUBJECT --for 2h
 * --reason TEXT | unsilence SUBJECT`: the bad states notifications told
 * of, and what operators did about them (core/alarm.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alarm.h"
#include "core/duration.h"
#include "core/error.h"
#include "core/ops_alarm.h"
#include "core/timeutil.h"
#include "tui/cli_ops.h"
#include "tui/cmd.h"

static int alarm_list_exec(const struct cmd_globals *g)
{
	struct config *cfg = cli_config(g);
	struct catalog *cat;
	struct alarm *a = NULL;
	size_t n = 0;
	char *err = NULL;
	int rc;
	int64_t now = time_now();

	if (cfg == NULL)
		return DR_EXIT_USAGE;
	cat = cli_open_catalog(g, cfg, CATALOG_READONLY, &rc);
	if (cat == NULL) {
		config_free(cfg);
		return rc;
	}
	rc = alarm_list(cat, now, &a, &n, &err);
	if (rc != DR_OK) {
		cli_error("alarm list: %s", err);
		free(err);
		catalog_close(cat);
		config_free(cfg);
		return DR_EXIT_FAIL;
	}
	if (n == 0)
		printf("no alarms: no subject is in a bad state\n");
	else
		printf("%-36s %-9s %-9s %-20s %s\n", "SUBJECT", "STATE",
		       "SEVERITY", "SINCE", "HANDLING");
	for (size_t i = 0; i < n; i++) {
		char since[32], at[32];
		const char *handling = a[i].acked            ? "acknowledged"
		                       : a[i].silenced_until ? "silenced"
		                       : strcmp(a[i].severity, "info") == 0
		                           ? "-"
		                           : "FIRING";
		time_format_iso(a[i].since, since);
		printf("%-36s %-9s %-9s %-20s %s\n", a[i].subject, a[i].state,
		       a[i].severity, since, handling);
		if (a[i].acked) {
			time_format_iso(a[i].ack_at, at);
			printf("    acknowledged by %s at %s: %s\n",
			       a[i].ack_by, at, a[i].ack_reason);
		}
		if (a[i].silenced_until) {
			time_format_iso(a[i].silenced_until, at);
			printf("    silenced by %s until %s: %s\n",
			       a[i].silence_by, at, a[i].silence_reason);
		}
	}
	free(a);
	catalog_close(cat);
	config_free(cfg);
	return DR_EXIT_OK;
}

/* ack, silence, unsilence: SUBJECT and options. */
static int alarm_change_exec(const struct cmd_globals *g, const char *verb,
                             int argc, char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_alarm_entry, verb, argc, argv);
	const char *reason = NULL, *subject = NULL;
	int64_t for_s = -1, now = time_now();
	struct config *cfg;
	struct catalog *cat;
	char *err = NULL;
	int c, rc;
	int silence = strcmp(verb, "silence") == 0;
	int ack = strcmp(verb, "ack") == 0;

	if (args == NULL)
		return DR_EXIT_USAGE;
	for (size_t i = 0; i < args->n_opts; i++) {
		const char *value = args->opts[i].value;
		c = args->opts[i].id;
		if (c == 'r' && strcmp(verb, "unsilence") != 0) {
			reason = value;
		} else if (c == 'f' && silence) {
			if (duration_parse(value, &for_s, &err) != DR_OK ||
			    for_s <= 0) {
				cli_error("alarm silence: --for: %s",
				          err ? err
				              : "expected a duration "
				                "above zero, like 2h");
				free(err);
				return DR_EXIT_USAGE;
			}
		} else {
			cli_error("alarm %s: expected SUBJECT%s", verb,
			          ack       ? " --reason TEXT"
			          : silence ? " --for DURATION --reason TEXT"
			                    : "");
			return DR_EXIT_USAGE;
		}
	}
	if (args->n_operands != 1) {
		cli_error(
		    "alarm %s: expected one SUBJECT (see 'drconsole alarm "
		    "list')",
		    verb);
		return DR_EXIT_USAGE;
	}
	subject = args->operands[0];
	if ((ack || silence) && (reason == NULL || reason[0] == '\0')) {
		cli_error("alarm %s: --reason TEXT is required: the next "
		          "person on call reads it",
		          verb);
		return DR_EXIT_USAGE;
	}
	if (silence && for_s < 0) {
		cli_error("alarm silence: --for DURATION is required (a "
		          "silence has an end), like --for 2h");
		return DR_EXIT_USAGE;
	}
	cfg = cli_config(g);
	if (cfg == NULL)
		return DR_EXIT_USAGE;
	cat = cli_open_catalog(g, cfg, CLI_WRITE, &rc);
	if (cat == NULL) {
		config_free(cfg);
		return rc;
	}
	struct ops_session ses = cli_session(g, cat, cfg);
	if (ack)
		rc = ops_alarm_ack(&ses, subject, reason, now, &err);
	else if (silence)
		rc = ops_alarm_silence(&ses, subject, now + for_s, reason, now,
		                       &err);
	else
		rc = ops_alarm_unsilence(&ses, subject, &err);
	if (rc != DR_OK) {
		cli_error("alarm %s: %s", verb, err ? err : dr_status_name(rc));
		free(err);
		rc = dr_status_exit(rc);
	} else if (silence) {
		char until[32];
		time_format_iso(now + for_s, until);
		printf("%s silenced until %s\n", subject, until);
	} else {
		printf("%s %s\n", subject,
		       ack ? "acknowledged: no more repeats while it stays "
		             "in this state"
		           : "no longer silenced");
	}
	catalog_close(cat);
	config_free(cfg);
	return rc;
}

static int alarm_exec(const struct cmd_globals *g, int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "list") == 0)
		return alarm_list_exec(g);
	if (argc >= 2 &&
	    (strcmp(argv[1], "ack") == 0 || strcmp(argv[1], "silence") == 0 ||
	     strcmp(argv[1], "unsilence") == 0))
		return alarm_change_exec(g, argv[1], argc - 1, argv + 1);
	cli_error("alarm: expected 'list', 'ack SUBJECT --reason TEXT', "
	          "'silence SUBJECT --for DURATION --reason TEXT' or "
	          "'unsilence SUBJECT'");
	return DR_EXIT_USAGE;
}

static const struct cmd_option alarm_ack_options[] = {
    {"reason", 'r', 0, CMD_OPT_VALUE},
    {NULL, 0, 0, 0},
};
static const struct cmd_option alarm_silence_options[] = {
    {"reason", 'r', 0, CMD_OPT_VALUE},
    {"for", 'f', 0, CMD_OPT_VALUE},
    {NULL, 0, 0, 0},
};
static const struct cmd_sub alarm_subs[] = {
    {"list", NULL},
    {"ack", alarm_ack_options},
    {"silence", alarm_silence_options},
    {"unsilence", NULL},
    {NULL, NULL},
};

const struct cmd_entry cmd_alarm_entry = {
    .name = "alarm",
    .usage = "list | ack SUBJECT --reason TEXT | silence SUBJECT --for "
             "DURATION --reason TEXT | unsilence SUBJECT",
    .summary = "list the alarms; acknowledge or silence one",
    .help = "  list                   subjects in a bad state (and silenced "
            "ones): state,\n"
            "                         since when, and who acknowledged or "
            "silenced them.\n"
            "  ack SUBJECT --reason TEXT\n"
            "                         stops the repeats of SUBJECT's current "
            "bad state;\n"
            "                         a new bad state of it notifies again.\n"
            "  silence SUBJECT --for DURATION --reason TEXT\n"
            "                         holds every message about SUBJECT until "
            "the silence\n"
            "                         ends (notify log shows them as "
            "silenced).\n"
            "  unsilence SUBJECT      ends a silence now.\n"
            "\nA SUBJECT is shown by 'alarm list', like probe:orders-db:api; "
            "each change is\naudited.\n",
    .exec = alarm_exec,
    .subs = alarm_subs,
};
