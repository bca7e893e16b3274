/* `service add|list|show|remove`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/compliance.h"
#include "core/duration.h"
#include "core/error.h"
#include "core/ops_service.h"
#include "core/service.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "tui/cli_ops.h"
#include "tui/cmd.h"

static int parse_dur(const char *opt, const char *text, int64_t *out)
{
	char *err = NULL;
	if (duration_parse(text, out, &err) != DR_OK) {
		cli_error("--%s: %s", opt, err);
		free(err);
		return -1;
	}
	/* 0 would silently mean "the tier's" (or "never"). */
	if (*out <= 0) {
		cli_error("--%s: must be longer than 0 (leave it out for the "
		          "tier's target)",
		          opt);
		return -1;
	}
	return 0;
}

static int service_add(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_service_entry, "add", argc, argv);
	struct catalog_service s = {0};
	const char *tier = NULL, *owner = "";
	char *err = NULL;

	if (args == NULL)
		return DR_EXIT_USAGE;
	for (size_t i = 0; i < args->n_opts; i++) {
		const char *value = args->opts[i].value;
		switch (args->opts[i].id) {
		case 't':
			tier = value;
			break;
		case 'o':
			owner = value;
			break;
		case 'T':
			if (parse_dur("rto", value, &s.rto_s) != 0)
				return DR_EXIT_USAGE;
			break;
		case 'P':
			if (parse_dur("rpo", value, &s.rpo_s) != 0)
				return DR_EXIT_USAGE;
			break;
		case 'f':
			if (parse_dur("frequency", value,
			              &s.backup_frequency_s) != 0)
				return DR_EXIT_USAGE;
			break;
		case 'd':
			if (parse_dur("drill-policy", value,
			              &s.drill_policy_s) != 0)
				return DR_EXIT_USAGE;
			break;
		default:
			return DR_EXIT_USAGE;
		}
	}
	if (args->n_operands != 1) {
		cli_error("service add: expected exactly one service NAME");
		return DR_EXIT_USAGE;
	}
	const char *name = args->operands[0];
	if (service_name_check(name, &err) != DR_OK) {
		cli_error("service add: %s", err);
		free(err);
		return DR_EXIT_USAGE;
	}
	if (strlen(owner) >= sizeof s.owner) {
		cli_error("service add: --owner is longer than %zu characters",
		          sizeof s.owner - 1);
		return DR_EXIT_USAGE;
	}

	struct config *cfg = cli_config(g);
	if (cfg == NULL)
		return DR_EXIT_USAGE;
	strlcpy_dr(s.name, name, sizeof s.name);
	strlcpy_dr(s.owner, owner, sizeof s.owner);

	int rc;
	struct catalog *cat =
	    cli_open_catalog(g, cfg, CLI_WRITE | CLI_CHECK, &rc);
	if (cat == NULL) {
		config_free(cfg);
		return rc;
	}
	struct ops_session ses = cli_session(g, cat, cfg);
	int st = ops_service_add(&ses, &s, tier, &err);
	if (st != DR_OK) {
		if (st == DR_EEXIST)
			cli_error("%s", err);
		else
			cli_error("service add: %s", err);
		rc = st == DR_EINVAL ? DR_EXIT_USAGE : dr_status_exit(st);
	} else {
		printf("added service %s (tier %s)\n", s.name,
		       tier != NULL ? tier : "none");
		rc = DR_EXIT_OK;
	}
	free(err);
	catalog_close(cat);
	config_free(cfg);
	return rc;
}

static int service_list(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_service_entry, "list", argc, argv);
	if (args == NULL)
		return DR_EXIT_USAGE;
	if (args->n_operands > 0) {
		cli_error("service list: unexpected argument '%s'",
		          args->operands[0]);
		return DR_EXIT_USAGE;
	}
	int rc;
	char *err = NULL;
	struct config *cfg = cli_config(g);
	if (cfg == NULL)
		return DR_EXIT_USAGE;
	struct catalog *cat = cli_open_catalog(g, cfg, 0, &rc);
	if (cat == NULL) {
		config_free(cfg);
		return rc;
	}
	struct catalog_service *list = NULL;
	size_t n = 0;
	if (catalog_service_list(cat, &list, &n, &err) != DR_OK) {
		cli_error("%s", err);
		free(err);
		rc = DR_EXIT_FAIL;
	} else {
		printf("%-24s %-10s %-16s %-7s %-7s %s\n", "SERVICE", "TIER",
		       "OWNER", "RTO", "RPO", "FREQUENCY");
		for (size_t i = 0; i < n; i++) {
			char rto[24], rpo[24], fr[24];
			duration_format(list[i].rto_s, rto, sizeof rto);
			duration_format(list[i].rpo_s, rpo, sizeof rpo);
			duration_format(list[i].backup_frequency_s, fr,
			                sizeof fr);
			printf("%-24s %-10s %-16s %-7s %-7s %s\n", list[i].name,
			       list[i].tier[0] ? list[i].tier : "-",
			       list[i].owner[0] ? list[i].owner : "-",
			       list[i].rto_s ? rto : "tier",
			       list[i].rpo_s ? rpo : "tier",
			       list[i].backup_frequency_s ? fr : "-");
		}
		rc = DR_EXIT_OK;
	}
	free(list);
	catalog_close(cat);
	config_free(cfg);
	return rc;
}

static void show_line(const char *label, const char *value)
{
	printf("  %-24s %s\n", label, value);
}

static int service_show(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_service_entry, "show", argc, argv);
	if (args == NULL)
		return DR_EXIT_USAGE;
	argc = args->argc;
	argv = args->argv;
	if (argc != 2) {
		cli_error("service show: expected exactly one service NAME");
		return DR_EXIT_USAGE;
	}
	int rc;
	char *err = NULL;
	struct config *cfg = cli_config(g);
	if (cfg == NULL)
		return DR_EXIT_USAGE;
	struct catalog *cat = cli_open_catalog(g, cfg, 0, &rc);
	if (cat == NULL) {
		config_free(cfg);
		return rc;
	}
	struct compliance_report r = {0};
	const struct compliance_service *s = NULL;
	if (compliance_eval(cat, &cfg->policy, time_now(), &r, &err) != DR_OK) {
		cli_error("%s", err);
		free(err);
		rc = DR_EXIT_FAIL;
		goto out;
	}
	for (size_t i = 0; i < r.n; i++)
		if (strcmp(r.services[i].name, argv[1]) == 0)
			s = &r.services[i];
	if (s == NULL) {
		cli_error("no service '%s' in the catalog", argv[1]);
		rc = DR_EXIT_USAGE;
		goto out;
	}
	char a[32], b[32], line[160];
	printf("%s\n", s->name);
	show_line("verdict", verdict_name(s->verdict));
	if (s->reason[0])
		show_line("why", s->reason);
	show_line("tier", s->tier[0] ? s->tier : "none");
	show_line("owner", s->owner[0] ? s->owner : "-");
	show_line("backup health", s->health);
	snprintf(line, sizeof line, "%d", s->failure_count);
	show_line("consecutive failures", line);
	time_format_iso(s->last_good_backup_at, a);
	show_line("last good backup", s->last_good_backup_at ? a : "never");
	duration_format(s->rpo_age_s, a, sizeof a);
	duration_format(s->rpo_target_s, b, sizeof b);
	snprintf(line, sizeof line, "%s (target %s)%s: %s",
	         s->rpo_age_s >= 0 ? a : "none", s->rpo_target_s ? b : "none",
	         s->rpo_from_replica ? " via replica" : "",
	         comp_status_name(s->rpo_status));
	show_line("recovery point age", line);
	duration_format(s->rto_estimate_s, a, sizeof a);
	duration_format(s->rto_target_s, b, sizeof b);
	snprintf(line, sizeof line, "%s (target %s, from %s): %s",
	         s->rto_estimate_s >= 0 ? a : "unknown",
	         s->rto_target_s ? b : "none", rto_source_name(s->rto_source),
	         comp_status_name(s->rto_status));
	show_line("recovery time estimate", line);
	time_format_iso(s->last_test_at, a);
	snprintf(line, sizeof line, "%s%s", s->last_test_at ? a : "never",
	         s->untested ? " (untested: past the drill policy)" : "");
	show_line("last restore test/drill", line);
	if (s->has_replica) {
		duration_format(s->repl_lag_s < 0 ? -1 : (int64_t)s->repl_lag_s,
		                a, sizeof a);
		snprintf(line, sizeof line, "%s, lag %s / %lld bytes",
		         s->repl_state, a, (long long)s->repl_lag_bytes);
		show_line("replication", line);
	}
	rc = DR_EXIT_OK;
out:
	compliance_report_free(&r);
	catalog_close(cat);
	config_free(cfg);
	return rc;
}

static int service_remove(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_service_entry, "remove", argc, argv);
	int purge = 0, rc;
	char *err = NULL;
	if (args == NULL)
		return DR_EXIT_USAGE;
	for (size_t i = 0; i < args->n_opts; i++)
		purge = 1; /* --purge, its only option */
	if (args->n_operands != 1) {
		cli_error("service remove: expected exactly one service NAME");
		return DR_EXIT_USAGE;
	}
	const char *name = args->operands[0];
	struct config *cfg = cli_config(g);
	if (cfg == NULL)
		return DR_EXIT_USAGE;
	struct catalog *cat =
	    cli_open_catalog(g, cfg, CLI_WRITE | CLI_CHECK, &rc);
	if (cat == NULL) {
		config_free(cfg);
		return rc;
	}
	struct ops_session ses = cli_session(g, cat, cfg);
	int st = ops_service_remove(&ses, name, purge, &err);
	if (st != DR_OK) {
		if (st == DR_ENOTFOUND || st == DR_EBUSY)
			cli_error("%s", err);
		else
			cli_error("service remove: %s", err);
		rc = st == DR_EBUSY ? DR_EXIT_USAGE : dr_status_exit(st);
	} else {
		printf("removed service %s%s\n", name,
		       purge ? " and its history" : "");
		rc = DR_EXIT_OK;
	}
	free(err);
	catalog_close(cat);
	config_free(cfg);
	return rc;
}

static int service_exec(const struct cmd_globals *g, int argc, char **argv)
{
	if (argc < 2) {
		cli_error("service: expected add, list, show or remove");
		return DR_EXIT_USAGE;
	}
	const char *sub = argv[1];
	argc--;
	argv++;
	if (strcmp(sub, "add") == 0)
		return service_add(g, argc, argv);
	if (strcmp(sub, "list") == 0)
		return service_list(g, argc, argv);
	if (strcmp(sub, "show") == 0)
		return service_show(g, argc, argv);
	if (strcmp(sub, "remove") == 0)
		return service_remove(g, argc, argv);
	cli_error("service: unknown subcommand '%s' (expected add, list, "
	          "show or remove)",
	          sub);
	return DR_EXIT_USAGE;
}

static const struct cmd_option service_add_options[] = {
    {"tier", 't', 0, CMD_OPT_VALUE},
    {"owner", 'o', 0, CMD_OPT_VALUE},
    {"rto", 'T', 0, CMD_OPT_VALUE},
    {"rpo", 'P', 0, CMD_OPT_VALUE},
    {"frequency", 'f', 0, CMD_OPT_VALUE},
    {"drill-policy", 'd', 0, CMD_OPT_VALUE},
    {NULL, 0, 0, 0},
};
static const struct cmd_option service_remove_options[] = {
    {"purge", 'p', 0, 0},
    {NULL, 0, 0, 0},
};
static const struct cmd_sub service_subs[] = {
    {"add", service_add_options},       {"list", NULL}, {"show", NULL},
    {"remove", service_remove_options}, {NULL, NULL},
};

const struct cmd_entry cmd_service_entry = {
    .name = "service",
    .usage = "add NAME [--tier T] [--owner O] [--rto D] [--rpo D] "
             "[--frequency D] [--drill-policy D]\n"
             "       drconsole service list\n"
             "       drconsole service show NAME\n"
             "       drconsole service remove NAME [--purge]",
    .summary = "add, list, show or remove services",
    .help = "Durations are written as 90s, 15m, 1h30m, 4h, 7d.  RTO and "
            "RPO default to the\ntier's.  remove refuses a service with "
            "history unless --purge.\n",
    .exec = service_exec,
    .subs = service_subs,
};
