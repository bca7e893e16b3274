/* `runbook list|show|check|run|resume|log|note|report`: the line-mode front
 * the runbook engine, for when a full screen is not possible.
 *
 * Answers come from standard input, one line each (a terminal, or a
 * script's pipe); prompts go to standard error.  --assume-yes answers
 * yes/no questions with yes and nothing else; a typed confirmation is
 * answered by a --confirm WORD equal to the word asked for, else read
 * from standard input.  When no answer can be had (end of input), the
 * execution pauses: nothing is guessed.
 *
 * --unattended is how the agent runs a service's failover runbook when the
 * config says "auto_failover": the config is the standing authorisation,
 * so every confirmation is answered (and recorded as "USER (unattended)"),
 * but a step that fails is never retried, skipped or rolled back by guess:
 * the run pauses for an operator and the webhooks say so. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/audit.h"
#include "core/duration.h"
#include "core/error.h"
#include "core/fileutil.h"
#include "core/ops_runbook.h"
#include "core/runbook.h"
#include "core/runbook_exec.h"
#include "core/runbook_notify.h"
#include "core/runbook_report.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "tui/cli_ops.h"
#include "tui/cmd.h"

/* ---- signals ------------------------------------------------------------ */

static volatile sig_atomic_t rb_interrupted; /* Ctrl-C: stop the command */
static volatile sig_atomic_t rb_hangup;      /* SIGTERM: stop, pause */
/* SIGHUP: the operator's terminal is gone; a running step runs on
 * (detached), the run pauses for `runbook resume`. */
static volatile sig_atomic_t rb_detach;

static void rb_on_signal(int sig)
{
	if (sig == SIGINT)
		rb_interrupted = 1;
	else if (sig == SIGHUP)
		rb_detach = 1;
	else
		rb_hangup = 1;
}

static void rb_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = rb_on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a prompt's read returns on Ctrl-C. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* Writing to a terminal that is gone must not end us before the
	 * run is recorded detached. */
	signal(SIGPIPE, SIG_IGN);
}

/* ---- the line-mode front end ----------------------------------------- */

struct rb_line {
	int assume_yes;
	int unattended; /* --unattended: see the top of this file */
	char **confirm; /* --confirm words */
	size_t n_confirm;
	int eof; /* standard input is exhausted */
	int at_line_start;
	int64_t last_clock; /* when the RTO line was last printed */
	/* The session the run belongs to (notify steps' webhooks). */
	struct ops_session ses;
};

/* One line from standard input, without its newline; NULL at the end of
 * input, or when a signal interrupted the read. */
static char *rb_read_line(struct rb_line *ui)
{
	char buf[1024];
	size_t len;

	if (ui->eof || rb_hangup)
		return NULL;
	fflush(stdout);
	clearerr(stdin);
	if (fgets(buf, sizeof buf, stdin) == NULL) {
		if (!(ferror(stdin) && errno == EINTR))
			ui->eof = 1;
		fputc('\n', stderr);
		return NULL;
	}
	len = strlen(buf);
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	return xstrdup(buf);
}

static void rb_clock_line(const struct runbook_exec *x, FILE *out)
{
	const struct catalog_recovery *rec = runbook_exec_record(x);
	int64_t elapsed;
	enum runbook_clock c = runbook_exec_clock(x, time_now(), &elapsed);
	char e[32], t[32];

	duration_format(elapsed, e, sizeof e);
	duration_format(rec->rto_target_s, t, sizeof t);
	fprintf(out, "   RTO clock: %s of %s (%.0f%%)%s%s\n", e, t,
	        rec->rto_target_s > 0
	            ? 100.0 * (double)elapsed / (double)rec->rto_target_s
	            : 0.0,
	        c == RUNBOOK_CLOCK_AT_RISK ? "  AT RISK" : "",
	        c == RUNBOOK_CLOCK_OVER ? "  OVER RTO" : "");
}

static void rb_indent(FILE *out, const char *prefix, const char *text)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		fprintf(out, "%s%.*s\n", prefix, (int)len, p);
		p += len;
		if (*p == '\n')
			p++;
	}
}

static void rb_event(void *arg, const struct runbook_exec *x,
                     enum runbook_event ev, size_t step, const char *text)
{
	struct rb_line *ui = arg;
	const struct runbook *rb = runbook_exec_runbook(x);
	const struct runbook_step *st =
	    step < rb->n_steps ? &rb->steps[step] : NULL;
	const struct catalog_recovery_step *rs = runbook_exec_step(x, step);
	char *s;

	if (!ui->at_line_start) {
		fputc('\n', stdout);
		ui->at_line_start = 1;
	}
	switch (ev) {
	case RUNBOOK_EV_STEP_BEGIN:
		if (st->phase_index < rb->n_phases &&
		    rb->phases[st->phase_index].first == step)
			printf("\n== Phase %zu/%zu: %s\n", st->phase_index + 1,
			       rb->n_phases, st->phase);
		s = runbook_exec_expand(x, st->title);
		printf("-- [%zu/%zu] %s: %s (%s%s%s)\n", step + 1, rb->n_steps,
		       st->id, s, st->kind_name,
		       st->confirm != RUNBOOK_CONFIRM_NONE ? ", confirm: " : "",
		       st->confirm != RUNBOOK_CONFIRM_NONE
		           ? runbook_confirm_label(st->confirm)
		           : "");
		free(s);
		if (st->instructions) {
			s = runbook_exec_expand(x, st->instructions);
			rb_indent(stdout, "   | ", s);
			free(s);
		}
		if (runbook_exec_command(x, step) != NULL)
			printf("   $ %s%s\n", runbook_exec_command(x, step),
			       runbook_exec_is_drill(x) ? "   (drill form)"
			                                : "");
		rb_clock_line(x, stdout);
		break;
	case RUNBOOK_EV_STEP_START:
		ui->last_clock = time_now();
		break;
	case RUNBOOK_EV_STEP_END: {
		char d[32];
		int64_t took = rs->ended_at > rs->started_at
		                   ? rs->ended_at - rs->started_at
		                   : 0;
		duration_format(took, d, sizeof d);
		printf("   => %s: %s", st->id, rs->status);
		if (rs->exit_code >= 0)
			printf(" (exit %d, %s)", rs->exit_code, d);
		printf("\n");
		/* Why it failed or was skipped: the newest note. */
		if (rs->notes != NULL && strcmp(rs->status, "completed") != 0) {
			const char *nl = strrchr(rs->notes, '\n');
			printf("      %s\n", nl ? nl + 1 : rs->notes);
		}
		break;
	}
	case RUNBOOK_EV_NOTE:
		printf("   ! %s\n", text);
		break;
	case RUNBOOK_EV_FINISHED: {
		const struct catalog_recovery *rec = runbook_exec_record(x);
		if (runbook_exec_detached(x)) {
			printf("\nDetached: the terminal hung up; the running "
			       "step goes on by itself.  'drconsole runbook "
			       "resume %s' re-attaches to it and records its "
			       "end.\n",
			       rec->recovery_id);
		} else if (runbook_exec_paused(x)) {
			printf("\nPaused: recovery %s is resumable with "
			       "'drconsole runbook resume %s'.\n",
			       rec->recovery_id, rec->recovery_id);
		} else {
			printf("\nRecovery %s: %s%s\n", rec->recovery_id,
			       rec->recovery_status,
			       rec->is_drill ? " (drill)" : "");
		}
		rb_clock_line(x, stdout);
		break;
	}
	}
	fflush(stdout);
}

static void rb_output(void *arg, const struct runbook_exec *x, size_t step,
                      const char *buf, size_t len)
{
	struct rb_line *ui = arg;
	int64_t now;

	(void)step;
	fwrite(buf, 1, len, stdout);
	if (len > 0)
		ui->at_line_start = buf[len - 1] == '\n';
	/* A long command: the clock every minute, between lines. */
	now = time_now();
	if (ui->at_line_start && now - ui->last_clock >= 60) {
		ui->last_clock = now;
		rb_clock_line(x, stdout);
	}
	fflush(stdout);
}

/* Unattended, a manual step cannot be done: nobody is there to do it. */
static int rb_nobody_for(const struct rb_line *ui, const struct runbook_exec *x,
                         size_t step, const char *question)
{
	if (!ui->unattended || ops_runbook_unattended_answers(x, step))
		return 0;
	fprintf(stderr,
	        "%s no: a manual step needs an operator "
	        "(--unattended)\n",
	        question);
	return 1;
}

static int rb_ask_yes(void *arg, const struct runbook_exec *x, size_t step,
                      const char *question)
{
	struct rb_line *ui = arg;
	char *answer;

	if (rb_nobody_for(ui, x, step, question))
		return -1;
	if (ui->assume_yes || ui->unattended) {
		fprintf(stderr, "%s yes (%s)\n", question,
		        ui->unattended ? "--unattended" : "--assume-yes");
		return 1;
	}
	for (;;) {
		int yes = -1;

		fprintf(stderr, "%s [y/N] ", question);
		answer = rb_read_line(ui);
		if (answer == NULL)
			return -1;
		if (strcasecmp(answer, "y") == 0 ||
		    strcasecmp(answer, "yes") == 0)
			yes = 1;
		else if (answer[0] == '\0' || strcasecmp(answer, "n") == 0 ||
		         strcasecmp(answer, "no") == 0)
			yes = 0;
		free(answer);
		if (yes >= 0)
			return yes;
		fprintf(stderr, "Please answer y or n.\n");
	}
}

static char *rb_ask_word(void *arg, const struct runbook_exec *x, size_t step,
                         const char *question, const char *word)
{
	struct rb_line *ui = arg;

	if (rb_nobody_for(ui, x, step, question))
		return NULL;
	if (ui->unattended) {
		fprintf(stderr, "%s: %s (--unattended)\n", question, word);
		return xstrdup(word);
	}
	if (ui->n_confirm > 0) {
		for (size_t i = 0; i < ui->n_confirm; i++)
			if (strcmp(ui->confirm[i], word) == 0) {
				fprintf(stderr, "%s: %s (--confirm)\n",
				        question, word);
				return xstrdup(word);
			}
		fprintf(stderr, "%s: --confirm %s does not match\n", question,
		        ui->confirm[0]);
		return xstrdup(ui->confirm[0]);
	}
	fprintf(stderr, "%s: ", question);
	return rb_read_line(ui);
}

static enum runbook_decision rb_decide(void *arg, const struct runbook_exec *x,
                                       size_t step, enum runbook_ask why,
                                       char **reason)
{
	struct rb_line *ui = arg;
	const struct runbook *rb = runbook_exec_runbook(x);
	const char *id = step < rb->n_steps ? rb->steps[step].id : "?";
	const char *first = why == RUNBOOK_ASK_FAILED        ? "[r]etry"
	                    : why == RUNBOOK_ASK_INTERRUPTED ? "[r]un it again"
	                                                     : "[r]e-ask";
	const char *what = why == RUNBOOK_ASK_FAILED ? "failed"
	                   : why == RUNBOOK_ASK_INTERRUPTED
	                       ? "was interrupted"
	                       : "was not confirmed";

	rb_interrupted = 0;
	if (ui->unattended) {
		fprintf(stderr,
		        "Step %s %s; unattended, so the run pauses for an "
		        "operator.\n",
		        id, what);
		return RUNBOOK_DO_PAUSE;
	}
	for (int tries = 0; tries < 5; tries++) {
		char *answer;

		fprintf(stderr,
		        "Step %s %s.  %s, %s[s]kip, roll[b]ack, [a]bort or "
		        "[p]ause? ",
		        id, what, first,
		        why == RUNBOOK_ASK_INTERRUPTED ? "mark it [d]one, "
		                                       : "");
		answer = rb_read_line(ui);
		if (answer == NULL)
			return RUNBOOK_DO_PAUSE;
		char c = (char)(answer[0] | 0x20);
		free(answer);
		switch (c) {
		case 'r':
			return RUNBOOK_DO_RETRY;
		case 'b':
			return RUNBOOK_DO_ROLLBACK;
		case 'a':
			return RUNBOOK_DO_ABORT;
		case 'p':
			return RUNBOOK_DO_PAUSE;
		case 's':
			fprintf(stderr, "Reason for skipping %s: ", id);
			*reason = rb_read_line(ui);
			if (*reason == NULL)
				return RUNBOOK_DO_PAUSE;
			return RUNBOOK_DO_SKIP;
		case 'd':
			if (why != RUNBOOK_ASK_INTERRUPTED)
				goto other;
			fprintf(stderr,
			        "How do you know %s is done (what you "
			        "checked)? ",
			        id);
			*reason = rb_read_line(ui);
			if (*reason == NULL)
				return RUNBOOK_DO_PAUSE;
			return RUNBOOK_DO_DONE;
		default:
		other:
			fprintf(stderr, "Please answer r, %ss, b, a or p.\n",
			        why == RUNBOOK_ASK_INTERRUPTED ? "d, " : "");
		}
	}
	return RUNBOOK_DO_PAUSE;
}

static int rb_stop_requested(void *arg)
{
	(void)arg;
	if (rb_interrupted || rb_hangup) {
		rb_interrupted = 0;
		return 1;
	}
	return 0;
}

static int rb_detach_requested(void *arg)
{
	(void)arg;
	return rb_detach != 0;
}

/* A webhook that could not be told is said; it never stops the run (the
 * agent retries it). */
/* A notify step: shown, and sent to the configured channels
 * (core/runbook_notify.h). */
static void rb_notify(void *arg, const struct runbook_exec *x,
                      const char *message)
{
	struct rb_line *ui = arg;

	fprintf(stderr, "NOTIFY: %s\n", message);
	ops_runbook_notify(&ui->ses, x, message);
}

static void rb_ui_init(struct runbook_ui *ops, struct rb_line *ui)
{
	memset(ops, 0, sizeof *ops);
	ops->arg = ui;
	ops->event = rb_event;
	ops->output = rb_output;
	ops->ask_yes = rb_ask_yes;
	ops->ask_word = rb_ask_word;
	ops->decide = rb_decide;
	ops->stop_requested = rb_stop_requested;
	ops->detach_requested = rb_detach_requested;
	ops->notify = rb_notify;
	ui->at_line_start = 1;
}

/* Exit code of an execution that ran: 0 only when it completed. */
static int rb_exit_of(const struct runbook_exec *x)
{
	return ops_runbook_completed(x) ? DR_EXIT_OK : DR_EXIT_FAIL;
}

/* ---- finding runbooks ----------------------------------------------- */

static void rb_dirs(const struct cmd_globals *g, char ***dirs, size_t *n)
{
	struct config *cfg = cli_config(g);

	runbook_search_dirs(cfg ? cfg->runbook_dir : NULL, dirs, n);
	config_free(cfg);
}

static int rb_load_named(const struct cmd_globals *g, const char *name,
                         struct runbook **rb)
{
	char **dirs = NULL, *path = NULL, *err = NULL;
	size_t n = 0;
	int rc;

	rb_dirs(g, &dirs, &n);
	rc = runbook_find(name, dirs, n, &path, &err);
	runbook_values_free(dirs, n);
	if (rc == DR_OK)
		rc = runbook_load(path, rb, &err);
	free(path);
	if (rc != DR_OK) {
		if (rc == DR_EINVAL)
			fprintf(stderr, "%s\n", err);
		else
			cli_error("%s", err);
		free(err);
		return dr_status_exit(rc);
	}
	return DR_EXIT_OK;
}

/* The catalog, if it exists; NULL quietly otherwise. */
static struct catalog *rb_catalog_if_any(const struct cmd_globals *g)
{
	struct config *cfg = cli_config(g);
	char *where = cli_catalog_path(g, cfg);
	struct catalog *cat = NULL;
	struct stat st;
	int rc;

	if (strstr(where, "://") != NULL || stat(where, &st) == 0)
		cat = cli_open_catalog(g, cfg, CATALOG_READONLY, &rc);
	free(where);
	config_free(cfg);
	return cat;
}

/* ---- list, show, check --------------------------------------------- */

static int rb_list(const struct cmd_globals *g, int argc, char **argv)
{
	char **dirs = NULL, **files = NULL;
	size_t n_dirs = 0, n_files = 0;
	struct catalog *cat;
	struct catalog_recovery *recs = NULL;
	size_t n_recs = 0;
	char *err = NULL;
	int bad = 0;

	const struct cli_args *args =
	    cli_parse(&cmd_runbook_entry, "list", argc, argv);
	if (args == NULL)
		return DR_EXIT_USAGE;
	argc = args->argc;
	argv = args->argv;
	(void)argv;
	if (argc > 1) {
		cli_error("runbook list: takes no arguments");
		return DR_EXIT_USAGE;
	}
	rb_dirs(g, &dirs, &n_dirs);
	runbook_list_files(dirs, n_dirs, &files, &n_files);
	if (n_files == 0) {
		printf("No runbooks found (searched the config's runbook_dir "
		       "and %s/runbooks).\n",
		       DRCONSOLE_DATADIR);
		runbook_values_free(dirs, n_dirs);
		return DR_EXIT_OK;
	}
	cat = rb_catalog_if_any(g);
	if (cat != NULL &&
	    catalog_recovery_list(cat, 0, &recs, &n_recs, &err) != CATALOG_OK) {
		free(err);
		n_recs = 0;
	}
	printf("%-22s %-10s %6s %6s %5s  %-22s %s\n", "NAME", "SCENARIO", "RTO",
	       "RPO", "STEPS", "LAST RUN", "TITLE");
	for (size_t i = 0; i < n_files; i++) {
		struct runbook *rb = NULL;
		char rto[16], rpo[16], last[64] = "-";

		if (runbook_load(files[i], &rb, &err) != DR_OK) {
			printf("%-22s (invalid: runbook check %s)\n", files[i],
			       files[i]);
			free(err);
			err = NULL;
			bad = 1;
			continue;
		}
		for (size_t j = 0; j < n_recs; j++) {
			if (strcmp(recs[j].recovery_procedure, rb->name) != 0)
				continue;
			char at[32];
			time_format_short(recs[j].initiated_at, at);
			snprintf(last, sizeof last, "%s %s%s", at,
			         recs[j].recovery_status,
			         recs[j].is_drill ? "*" : "");
			break;
		}
		duration_format(rb->rto_s, rto, sizeof rto);
		duration_format(rb->rpo_s, rpo, sizeof rpo);
		printf("%-22s %-10s %6s %6s %5zu  %-22s %s\n", rb->name,
		       rb->scenario, rto, rpo, rb->n_steps, last, rb->title);
		runbook_free(rb);
	}
	if (n_recs > 0)
		printf("(* a drill)\n");
	catalog_recoveries_free(recs, n_recs);
	catalog_close(cat);
	runbook_values_free(files, n_files);
	runbook_values_free(dirs, n_dirs);
	return bad ? DR_EXIT_FAIL : DR_EXIT_OK;
}

static int rb_show(const struct cmd_globals *g, int argc, char **argv)
{
	struct runbook *rb = NULL;
	char rto[16], rpo[16], t[16];
	int rc;

	const struct cli_args *args =
	    cli_parse(&cmd_runbook_entry, "show", argc, argv);
	if (args == NULL)
		return DR_EXIT_USAGE;
	argc = args->argc;
	argv = args->argv;
	if (argc != 2) {
		cli_error("runbook show: expected one runbook NAME");
		return DR_EXIT_USAGE;
	}
	rc = rb_load_named(g, argv[1], &rb);
	if (rc != DR_EXIT_OK)
		return rc;
	duration_format(rb->rto_s, rto, sizeof rto);
	duration_format(rb->rpo_s, rpo, sizeof rpo);
	printf("%s: %s\n", rb->name, rb->title);
	printf("file:      %s\n", rb->path);
	printf("scenario:  %s\n", rb->scenario);
	printf("targets:   RTO %s, RPO %s\n", rto, rpo);
	if (rb->incident_type)
		printf("incident:  %s\n", rb->incident_type);
	printf("services:  ");
	for (size_t i = 0; i < rb->n_services; i++)
		printf("%s%s", i ? ", " : "", rb->services[i]);
	printf("%s\n", rb->n_services ? "" : "(given with --services)");
	if (rb->description) {
		printf("\n");
		rb_indent(stdout, "  ", rb->description);
	}
	if (rb->n_vars > 0)
		printf("\nVariables (--var NAME=VALUE; commands see "
		       "$DR_VAR_NAME):\n");
	for (size_t i = 0; i < rb->n_vars; i++) {
		const struct runbook_var *v = &rb->vars[i];
		printf("  %-16s %s", v->name, v->prompt);
		if (v->def)
			printf(" [default: %s]", v->def);
		else
			printf(" [required]");
		if (v->pattern)
			printf(" (matches %s)", v->pattern);
		printf("\n");
	}
	if (rb->n_steady > 0) {
		char settle[32], every[32];

		duration_format(rb->settle_s, settle, sizeof settle);
		duration_format(rb->steady_interval_s, every, sizeof every);
		printf("\nSteady state (before, between and after the steps; "
		       "settle %s, every %s):\n",
		       settle, every);
	}
	for (size_t i = 0; i < rb->n_steady; i++) {
		duration_format(rb->steady[i].timeout_s, t, sizeof t);
		printf("  %s (timeout %s): %s\n", rb->steady[i].name, t,
		       rb->steady[i].command);
	}
	for (size_t p = 0; p < rb->n_phases; p++) {
		const struct runbook_phase *ph = &rb->phases[p];
		printf("\nPhase %zu: %s\n", p + 1, ph->name);
		for (size_t i = ph->first; i < ph->first + ph->count; i++) {
			const struct runbook_step *st = &rb->steps[i];
			duration_format(st->timeout_s, t, sizeof t);
			printf("  %zu. %s: %s\n", i + 1, st->id, st->title);
			printf("     kind %s, confirm %s", st->kind_name,
			       runbook_confirm_label(st->confirm));
			if (st->confirm == RUNBOOK_CONFIRM_TYPED)
				printf(" (type %s)", st->confirm_word);
			printf(", timeout %s", t);
			if (st->retries)
				printf(", retries %d", st->retries);
			printf("\n");
			if (st->instructions)
				rb_indent(stdout, "     | ", st->instructions);
			if (st->message)
				printf("     message:  %s\n", st->message);
			if (st->command)
				printf("     command:  %s\n", st->command);
			if (st->command && st->kind == RUNBOOK_KIND_FAULT)
				printf("     drill:    (runs as it is: a game "
				       "day is a drill)\n");
			else if (st->command)
				printf("     drill:    %s\n",
				       st->drill
				           ? st->drill
				           : "(none: skipped in a drill)");
			if (st->verify)
				printf("     verify:   %s\n", st->verify);
			if (st->rollback)
				printf("     rollback: %s\n", st->rollback);
			if (st->undo)
				printf("     undo:     %s (always runs once "
				       "the fault ran)\n",
				       st->undo);
		}
	}
	runbook_free(rb);
	return DR_EXIT_OK;
}

static int rb_check(const struct cmd_globals *g, int argc, char **argv)
{
	char **files = NULL, **dirs = NULL;
	size_t n_files = 0, n_dirs = 0;
	int bad = 0;

	const struct cli_args *args =
	    cli_parse(&cmd_runbook_entry, "check", argc, argv);
	if (args == NULL)
		return DR_EXIT_USAGE;
	argc = args->argc;
	argv = args->argv;
	if (argc > 1) {
		files = xcalloc((size_t)argc, sizeof *files);
		for (int i = 1; i < argc; i++)
			files[n_files++] = xstrdup(argv[i]);
	} else {
		rb_dirs(g, &dirs, &n_dirs);
		runbook_list_files(dirs, n_dirs, &files, &n_files);
		runbook_values_free(dirs, n_dirs);
		if (n_files == 0) {
			cli_error("runbook check: no runbooks found; name "
			          "the FILEs to check");
			return DR_EXIT_USAGE;
		}
	}
	for (size_t i = 0; i < n_files; i++) {
		struct runbook *rb = NULL;
		char *err = NULL;
		int rc = runbook_load(files[i], &rb, &err);

		if (rc == DR_OK) {
			printf("%s: ok (%s: %zu phases, %zu steps)\n", files[i],
			       rb->name, rb->n_phases, rb->n_steps);
			runbook_free(rb);
		} else {
			fprintf(stderr, "%s\n", err);
			free(err);
			bad = 1;
		}
	}
	runbook_values_free(files, n_files);
	return bad ? DR_EXIT_USAGE : DR_EXIT_OK;
}

/* ---- run and resume ----------------------------------------------- */

static void rb_add(char ***list, size_t *n, const char *s)
{
	*list = xreallocarray(*list, *n + 1, sizeof **list);
	(*list)[(*n)++] = xstrdup(s);
}

static int rb_run(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_runbook_entry, "run", argc, argv);
	struct runbook_start start = {.data_loss_minutes = -1};
	struct rb_line ui = {0};
	struct runbook_ui ops;
	struct runbook *rb = NULL;
	struct runbook_exec *x = NULL;
	struct catalog *cat = NULL;
	struct config *cfg = NULL;
	char **assign = NULL, *err = NULL, *end;
	size_t n_assign = 0;
	int c, rc;

	if (args == NULL)
		return DR_EXIT_USAGE;
	for (size_t i = 0; i < args->n_opts; i++) {
		const char *value = args->opts[i].value;
		c = args->opts[i].id;
		switch (c) {
		case 'd':
			start.drill = 1;
			break;
		case 'v':
			rb_add(&assign, &n_assign, value);
			break;
		case 'i':
			start.incident_type = value;
			break;
		case 'S':
			if (time_parse(value, time_now(),
			               &start.incident_started_at,
			               &err) != DR_OK) {
				cli_error("--incident-start: %s", err);
				free(err);
				rc = DR_EXIT_USAGE;
				goto out;
			}
			break;
		case 's':
			start.services = value;
			break;
		case 'y':
			ui.assume_yes = 1;
			break;
		case 'u':
			ui.unattended = 1;
			audit_set_origin("unattended");
			break;
		case 'c':
			rb_add(&ui.confirm, &ui.n_confirm, value);
			break;
		case 'n':
			start.notes = value;
			break;
		case 'l':
			errno = 0;
			start.data_loss_minutes = strtod(value, &end);
			if (errno || *end || end == value ||
			    start.data_loss_minutes < 0) {
				cli_error("--data-loss: expected minutes (a "
				          "number >= 0), found '%s'",
				          value);
				rc = DR_EXIT_USAGE;
				goto out;
			}
			break;
		default:
			rc = DR_EXIT_USAGE;
			goto out;
		}
	}
	if (args->n_operands != 1) {
		cli_error("runbook run: expected one runbook NAME");
		rc = DR_EXIT_USAGE;
		goto out;
	}
	if (start.drill && start.incident_started_at != 0) {
		cli_error("--incident-start: a drill has no incident; its "
		          "clock starts when it starts");
		rc = DR_EXIT_USAGE;
		goto out;
	}
	if (ui.unattended && ui.n_confirm > 0) {
		cli_error(
		    "--unattended answers every confirmation; it takes no "
		    "--confirm");
		rc = DR_EXIT_USAGE;
		goto out;
	}
	rc = rb_load_named(g, args->operands[0], &rb);
	if (rc != DR_EXIT_OK)
		goto out;
	cfg = cli_config(g);
	if (cfg == NULL) {
		rc = DR_EXIT_USAGE;
		goto out;
	}
	cat = cli_open_catalog(g, cfg, CLI_WRITE, &rc);
	if (cat == NULL)
		goto out;
	start.rb = rb;
	start.assign = assign;
	start.n_assign = n_assign;
	rb_ui_init(&ops, &ui);
	ui.ses = cli_session(g, cat, cfg);
	rb_signals();
	rc = ops_runbook_start(&ui.ses, &start, &ops, &x, &err);
	if (rc != DR_OK) {
		if (rc == DR_EINVAL)
			fprintf(stderr, "drconsole: runbook run: %s\n", err);
		else
			cli_error("%s", err);
		free(err);
		rc = rc == DR_EINVAL ? DR_EXIT_USAGE : DR_EXIT_FAIL;
		goto out;
	}
	char *title = runbook_exec_expand(x, rb->title);
	printf("%s %s: %s\nrecovery %s, incident %s, services %s, by %s\n",
	       start.drill ? "Drill of" : "Running", rb->name, title,
	       runbook_exec_record(x)->recovery_id,
	       runbook_exec_record(x)->incident_type,
	       runbook_exec_record(x)->affected_services,
	       runbook_exec_record(x)->initiated_by);
	free(title);
	rc = ops_runbook_run(&ui.ses, x, ui.unattended, &err);
	if (rc != DR_OK) {
		cli_error("%s", err ? err : "the catalog failed");
		free(err);
		rc = DR_EXIT_FAIL;
		goto out;
	}
	rc = rb_exit_of(x);
out:
	runbook_exec_free(x);
	catalog_close(cat);
	config_free(cfg);
	runbook_free(rb);
	runbook_values_free(assign, n_assign);
	runbook_values_free(ui.confirm, ui.n_confirm);
	return rc;
}

/* A recovery ID, or a unique prefix of one. */
static int rb_resolve_id(struct catalog *cat, const char *given, char id[40])
{
	struct catalog_recovery *recs = NULL;
	size_t n = 0, found = 0;
	char *err = NULL;

	if (strlen(given) >= 36) {
		strlcpy_dr(id, given, 40);
		return DR_EXIT_OK;
	}
	if (catalog_recovery_list(cat, 0, &recs, &n, &err) != CATALOG_OK) {
		cli_error("%s", err);
		free(err);
		return DR_EXIT_FAIL;
	}
	for (size_t i = 0; i < n; i++)
		if (strncmp(recs[i].recovery_id, given, strlen(given)) == 0) {
			if (found++ == 0)
				strlcpy_dr(id, recs[i].recovery_id, 40);
		}
	catalog_recoveries_free(recs, n);
	if (found == 1)
		return DR_EXIT_OK;
	cli_error(found ? "recovery ID prefix '%s' is ambiguous"
	                : "no recovery with ID '%s' (see 'drconsole runbook "
	                  "log')",
	          given);
	return DR_EXIT_USAGE;
}

static int rb_resume(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_runbook_entry, "resume", argc, argv);
	struct rb_line ui = {0};
	struct runbook_ui ops;
	struct runbook_exec *x = NULL;
	struct catalog *cat = NULL;
	struct config *cfg = NULL;
	char id[40], *err = NULL;
	int c, rc;

	if (args == NULL)
		return DR_EXIT_USAGE;
	for (size_t i = 0; i < args->n_opts; i++) {
		const char *value = args->opts[i].value;
		c = args->opts[i].id;
		switch (c) {
		case 'y':
			ui.assume_yes = 1;
			break;
		case 'c':
			rb_add(&ui.confirm, &ui.n_confirm, value);
			break;
		default:
			rc = DR_EXIT_USAGE;
			goto out;
		}
	}
	if (args->n_operands != 1) {
		cli_error("runbook resume: expected one recovery ID");
		rc = DR_EXIT_USAGE;
		goto out;
	}
	cfg = cli_config(g);
	if (cfg == NULL) {
		rc = DR_EXIT_USAGE;
		goto out;
	}
	cat = cli_open_catalog(g, cfg, CLI_WRITE, &rc);
	if (cat == NULL)
		goto out;
	rc = rb_resolve_id(cat, args->operands[0], id);
	if (rc != DR_EXIT_OK)
		goto out;
	rb_ui_init(&ops, &ui);
	ui.ses = cli_session(g, cat, cfg);
	rb_signals();
	rc = ops_runbook_resume(&ui.ses, id, &ops, &x, &err);
	if (rc != DR_OK) {
		cli_error("%s", err);
		free(err);
		rc = rc == DR_EINVAL ? DR_EXIT_USAGE : DR_EXIT_FAIL;
		goto out;
	}
	printf("Resuming %s: recovery %s (%s), by %s\n",
	       runbook_exec_runbook(x)->name, id,
	       runbook_exec_record(x)->recovery_status,
	       runbook_exec_record(x)->initiated_by);
	for (size_t i = 0; i < runbook_exec_runbook(x)->n_steps; i++) {
		const struct catalog_recovery_step *rs =
		    runbook_exec_step(x, i);
		printf("  %2zu. %-24s %s\n", i + 1, rs->step_id, rs->status);
	}
	rc = ops_runbook_run(&ui.ses, x, ui.unattended, &err);
	if (rc != DR_OK) {
		cli_error("%s", err ? err : "the catalog failed");
		free(err);
		rc = DR_EXIT_FAIL;
		goto out;
	}
	rc = rb_exit_of(x);
out:
	runbook_exec_free(x);
	catalog_close(cat);
	config_free(cfg);
	runbook_values_free(ui.confirm, ui.n_confirm);
	return rc;
}

/* ---- log and note ------------------------------------------------- */

static void rb_print_record(const struct catalog_recovery *r)
{
	char a[32], b[32], c[32], t[32], rto[32];

	time_format_iso(r->initiated_at, a);
	time_format_iso(r->completed_at, b);
	time_format_iso(r->incident_started_at, c);
	duration_format(r->actual_recovery_s, t, sizeof t);
	duration_format(r->rto_target_s, rto, sizeof rto);
	printf("recovery:        %s%s\n", r->recovery_id,
	       r->is_drill ? " (drill)" : "");
	printf("runbook:         %s\n", r->recovery_procedure);
	printf("status:          %s\n", r->recovery_status);
	printf("incident:        %s, started %s\n", r->incident_type, c);
	printf("services:        %s\n",
	       r->affected_services ? r->affected_services : "-");
	printf("initiated:       %s by %s\n", a, r->initiated_by);
	printf("completed:       %s\n", b);
	printf("recovery time:   %s (RTO target %s)%s\n", t, rto,
	       r->actual_recovery_s > r->rto_target_s && r->rto_target_s > 0
	           ? "  OVER RTO"
	           : "");
	duration_format(r->rpo_target_s, rto, sizeof rto);
	if (r->data_loss_minutes >= 0)
		printf("data loss:       %.1f min (RPO target %s)%s\n",
		       r->data_loss_minutes, rto,
		       r->data_loss_minutes * 60 > (double)r->rpo_target_s
		           ? "  OVER RPO"
		           : "");
	else
		printf("data loss:       unknown (RPO target %s)\n", rto);
	if (r->recovery_notes)
		printf("notes:           %s\n", r->recovery_notes);
	if (r->lessons_learned)
		printf("lessons learned: %s\n", r->lessons_learned);
}

static int rb_log_one(struct catalog *cat, const char *given)
{
	struct catalog_recovery rec;
	struct catalog_recovery_step *steps = NULL;
	size_t n = 0;
	char id[40], *err = NULL;
	int rc = rb_resolve_id(cat, given, id);

	if (rc != DR_EXIT_OK)
		return rc;
	memset(&rec, 0, sizeof rec);
	if (catalog_recovery_get(cat, id, &rec, &err) != CATALOG_OK ||
	    catalog_recovery_step_list(cat, id, &steps, &n, &err) !=
	        CATALOG_OK) {
		cli_error("%s", err);
		free(err);
		catalog_recovery_clear(&rec);
		return DR_EXIT_FAIL;
	}
	rb_print_record(&rec);
	if (n > 0)
		printf("\n%3s %-24s %-12s %-20s %8s %4s  %s\n", "#", "STEP",
		       "STATUS", "STARTED", "TOOK", "EXIT", "CONFIRMED BY");
	for (size_t i = 0; i < n; i++) {
		const struct catalog_recovery_step *s = &steps[i];
		char at[32], took[32] = "-", ex[16] = "-";

		time_format_iso(s->started_at, at);
		if (s->started_at && s->ended_at >= s->started_at)
			duration_format(s->ended_at - s->started_at, took,
			                sizeof took);
		if (s->exit_code >= 0)
			snprintf(ex, sizeof ex, "%d", s->exit_code);
		printf("%3d %-24s %-12s %-20s %8s %4s  %s\n", s->seq,
		       s->step_id, s->status, at, took, ex,
		       s->confirmed_by[0] ? s->confirmed_by : "-");
		if (s->notes)
			rb_indent(stdout, "      note: ", s->notes);
	}
	catalog_recovery_steps_free(steps, n);
	catalog_recovery_clear(&rec);
	return DR_EXIT_OK;
}

/* The filters of `runbook log`; NULL when the options are bad (the
 * message is printed). */
static int rb_log_filter(const struct cli_args *args,
                         struct catalog_recovery_filter *f, int *json)
{
	char *err = NULL;
	int drill = 0, real = 0;

	memset(f, 0, sizeof *f);
	f->drill = -1;
	*json = 0;
	for (size_t i = 0; i < args->n_opts; i++) {
		const char *value = args->opts[i].value;

		switch (args->opts[i].id) {
		case 'j':
			*json = 1;
			break;
		case 's':
			f->service = value;
			break;
		case 'i':
			f->incident = value;
			break;
		case 'S':
			if (time_parse(value, time_now(), &f->since, &err) !=
			    DR_OK) {
				cli_error("runbook log: --since: %s", err);
				free(err);
				return -1;
			}
			break;
		case 'd':
			drill = 1;
			break;
		case 'r':
			real = 1;
			break;
		default:
			return -1;
		}
	}
	if (drill && real) {
		cli_error("runbook log: --drill and --real exclude each other "
		          "(give neither for both)");
		return -1;
	}
	if (drill || real)
		f->drill = drill;
	return 0;
}

static int rb_log(const struct cmd_globals *g, int argc, char **argv)
{
	struct config *cfg;
	struct catalog *cat;
	struct catalog_recovery *recs = NULL;
	struct catalog_recovery_filter f;
	size_t n = 0, total = 0;
	char *err = NULL;
	int rc, json;

	const struct cli_args *args =
	    cli_parse(&cmd_runbook_entry, "log", argc, argv);
	if (args == NULL)
		return DR_EXIT_USAGE;
	if (args->n_operands > 1) {
		cli_error("runbook log: expected at most one recovery ID");
		return DR_EXIT_USAGE;
	}
	if (rb_log_filter(args, &f, &json) != 0)
		return DR_EXIT_USAGE;
	if (args->n_operands == 1 &&
	    (json || f.service || f.incident || f.since || f.drill >= 0)) {
		cli_error("runbook log: a recovery ID takes no filter or "
		          "--json (for one run's record as JSON: 'drconsole "
		          "runbook report ID --format json')");
		return DR_EXIT_USAGE;
	}
	cfg = cli_config(g);
	if (cfg == NULL)
		return DR_EXIT_USAGE;
	cat = cli_open_catalog(g, cfg, CATALOG_READONLY, &rc);
	config_free(cfg);
	if (cat == NULL)
		return rc;
	if (args->n_operands == 1) {
		rc = rb_log_one(cat, args->operands[0]);
		catalog_close(cat);
		return rc;
	}
	if (catalog_recovery_page(cat, &f, 0, 0, &recs, &n, &total, &err) !=
	    CATALOG_OK) {
		cli_error("%s", err);
		free(err);
		catalog_close(cat);
		return DR_EXIT_FAIL;
	}
	catalog_close(cat);
	if (json) {
		char *text =
		    runbook_report_log_json(recs, n, total, time_now());

		rc = fputs(text, stdout) < 0 || fputc('\n', stdout) < 0 ||
		             fflush(stdout) != 0
		         ? DR_EXIT_FAIL
		         : DR_EXIT_OK;
		free(text);
		catalog_recoveries_free(recs, n);
		return rc;
	}
	printf("%-36s %-17s %-20s %-12s %-11s %9s %6s\n", "RECOVERY", "STARTED",
	       "RUNBOOK", "INCIDENT", "STATUS", "TIME/RTO", "LOSS");
	for (size_t i = 0; i < n; i++) {
		const struct catalog_recovery *r = &recs[i];
		char at[32], t[16], rto[16], tr[40], loss[16] = "-";

		time_format_short(r->initiated_at, at);
		duration_format_short(r->actual_recovery_s, t, sizeof t);
		duration_format_short(r->rto_target_s, rto, sizeof rto);
		snprintf(tr, sizeof tr, "%s/%s", t, rto);
		if (r->data_loss_minutes >= 0)
			snprintf(loss, sizeof loss, "%.0fm",
			         r->data_loss_minutes);
		printf("%-36s %-17s %-20.20s %-12.12s %-11s %9s %6s%s\n",
		       r->recovery_id, at, r->recovery_procedure,
		       r->incident_type, r->recovery_status, tr, loss,
		       r->is_drill ? "  drill" : "");
	}
	if (n == 0)
		printf(f.service || f.incident || f.since || f.drill >= 0
		           ? "(no recoveries match)\n"
		           : "(no recoveries yet)\n");
	catalog_recoveries_free(recs, n);
	return DR_EXIT_OK;
}

/* `runbook report ID [--format md|json] [--output FILE]`: the record of
 * one run (core/runbook_report.h), built before anything is written, so
 * a bad ID leaves FILE as it was. */
static int rb_report(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_runbook_entry, "report", argc, argv);
	const char *format = "md", *output = NULL;
	struct runbook_report *rep = NULL;
	struct config *cfg;
	struct catalog *cat;
	char id[40], *err = NULL, *text = NULL;
	size_t len = 0;
	int rc;

	if (args == NULL)
		return DR_EXIT_USAGE;
	for (size_t i = 0; i < args->n_opts; i++) {
		if (args->opts[i].id == 'f')
			format = args->opts[i].value;
		else if (args->opts[i].id == 'o')
			output = args->opts[i].value;
		else
			return DR_EXIT_USAGE;
	}
	if (strcmp(format, "md") != 0 && strcmp(format, "json") != 0) {
		cli_error("runbook report: --format: unknown format '%s' "
		          "(expected md or json)",
		          format);
		return DR_EXIT_USAGE;
	}
	if (args->n_operands != 1) {
		cli_error("runbook report: expected one recovery ID (or a "
		          "unique prefix; see 'drconsole runbook log')");
		return DR_EXIT_USAGE;
	}
	cfg = cli_config(g);
	if (cfg == NULL)
		return DR_EXIT_USAGE;
	cat = cli_open_catalog(g, cfg, CATALOG_READONLY, &rc);
	config_free(cfg);
	if (cat == NULL)
		return rc;
	rc = rb_resolve_id(cat, args->operands[0], id);
	if (rc == DR_EXIT_OK &&
	    runbook_report_build(cat, id, time_now(), &rep, &err) != DR_OK) {
		cli_error("runbook report: %s", err);
		free(err);
		rc = DR_EXIT_USAGE;
	}
	catalog_close(cat);
	if (rc != DR_EXIT_OK)
		return rc;
	if (strcmp(format, "json") == 0) {
		char *j = runbook_report_json(rep);
		text = xasprintf("%s\n", j);
		free(j);
	} else {
		FILE *f = open_memstream(&text, &len);
		if (f == NULL) {
			fputs("drconsole: out of memory\n", stderr);
			abort();
		}
		runbook_report_write(rep, RUNBOOK_REPORT_MD, f);
		fclose(f);
	}
	runbook_report_free(rep);
	rc = DR_EXIT_OK;
	if (output != NULL) {
		if (file_write_atomic(output, text, 0644, &err) != DR_OK) {
			cli_error("runbook report: cannot write %s: %s", output,
			          err);
			free(err);
			rc = DR_EXIT_FAIL;
		}
	} else if (fputs(text, stdout) < 0 || fflush(stdout) != 0) {
		rc = DR_EXIT_FAIL;
	}
	free(text);
	return rc;
}

static int rb_note(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args =
	    cli_parse(&cmd_runbook_entry, "note", argc, argv);
	const char *notes = NULL, *lessons = NULL;
	double loss = -1;
	struct config *cfg = NULL;
	struct catalog *cat = NULL;
	char id[40], *err = NULL, *end;
	int c, rc;

	if (args == NULL)
		return DR_EXIT_USAGE;
	for (size_t i = 0; i < args->n_opts; i++) {
		const char *value = args->opts[i].value;
		c = args->opts[i].id;
		switch (c) {
		case 'n':
			notes = value;
			break;
		case 'L':
			lessons = value;
			break;
		case 'l':
			errno = 0;
			loss = strtod(value, &end);
			if (errno || *end || end == value || loss < 0) {
				cli_error("--data-loss: expected minutes (a "
				          "number >= 0), found '%s'",
				          value);
				return DR_EXIT_USAGE;
			}
			break;
		default:
			return DR_EXIT_USAGE;
		}
	}
	if (args->n_operands != 1 || (!notes && !lessons && loss < 0)) {
		cli_error("runbook note: expected a recovery ID and at least "
		          "one of --notes, --lessons, --data-loss");
		return DR_EXIT_USAGE;
	}
	cfg = cli_config(g);
	if (cfg == NULL)
		return DR_EXIT_USAGE;
	cat = cli_open_catalog(g, cfg, CLI_WRITE, &rc);
	if (cat == NULL)
		goto out;
	rc = rb_resolve_id(cat, args->operands[0], id);
	if (rc != DR_EXIT_OK)
		goto out;
	rc = DR_EXIT_FAIL;
	struct ops_session ses = cli_session(g, cat, cfg);
	if (ops_runbook_note(&ses, id, notes, lessons, loss, &err) != DR_OK)
		goto fail;
	printf("recovery %s updated\n", id);
	rc = DR_EXIT_OK;
	goto out;
fail:
	cli_error("%s", err ? err : "the catalog failed");
	free(err);
out:
	catalog_close(cat);
	config_free(cfg);
	return rc;
}

static int runbook_exec_cmd(const struct cmd_globals *g, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(const struct cmd_globals *, int, char **);
	} subs[] = {
	    {"list", rb_list}, {"show", rb_show},     {"check", rb_check},
	    {"run", rb_run},   {"resume", rb_resume}, {"log", rb_log},
	    {"note", rb_note}, {"report", rb_report},
	};

	if (argc < 2) {
		cli_error("runbook: expected one of list, show, check, run, "
		          "resume, log, note, report");
		return DR_EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof subs / sizeof *subs; i++)
		if (strcmp(argv[1], subs[i].name) == 0) {
			return subs[i].fn(g, argc - 1, argv + 1);
		}
	cli_error("runbook: unknown subcommand '%s' (expected list, show, "
	          "check, run, resume, log, note or report)",
	          argv[1]);
	return DR_EXIT_USAGE;
}

static const struct cmd_option runbook_run_options[] = {
    {"drill", 'd', 0, 0},
    {"var", 'v', 0, CMD_OPT_VALUE},
    {"incident", 'i', 0, CMD_OPT_VALUE},
    {"incident-start", 'S', 0, CMD_OPT_VALUE},
    {"services", 's', 0, CMD_OPT_VALUE},
    {"assume-yes", 'y', 0, 0},
    {"unattended", 'u', 0, 0},
    {"confirm", 'c', 0, CMD_OPT_VALUE},
    {"notes", 'n', 0, CMD_OPT_VALUE},
    {"data-loss", 'l', 0, CMD_OPT_VALUE},
    {NULL, 0, 0, 0},
};
static const struct cmd_option runbook_resume_options[] = {
    {"assume-yes", 'y', 0, 0},
    {"confirm", 'c', 0, CMD_OPT_VALUE},
    {NULL, 0, 0, 0},
};
static const struct cmd_option runbook_note_options[] = {
    {"notes", 'n', 0, CMD_OPT_VALUE},
    {"lessons", 'L', 0, CMD_OPT_VALUE},
    {"data-loss", 'l', 0, CMD_OPT_VALUE},
    {NULL, 0, 0, 0},
};
static const struct cmd_option runbook_log_options[] = {
    {"json", 'j', 0, 0},
    {"service", 's', 0, CMD_OPT_VALUE},
    {"incident", 'i', 0, CMD_OPT_VALUE},
    {"since", 'S', 0, CMD_OPT_VALUE},
    {"drill", 'd', 0, 0},
    {"real", 'r', 0, 0},
    {NULL, 0, 0, 0},
};
static const struct cmd_option runbook_report_options[] = {
    {"format", 'f', 0, CMD_OPT_VALUE},
    {"output", 'o', 'o', CMD_OPT_FILE},
    {NULL, 0, 0, 0},
};
static const struct cmd_sub runbook_subs[] = {
    {"list", NULL},
    {"show", NULL},
    {"check", NULL},
    {"run", runbook_run_options},
    {"resume", runbook_resume_options},
    {"log", runbook_log_options},
    {"note", runbook_note_options},
    {"report", runbook_report_options},
    {NULL, NULL},
};

const struct cmd_entry cmd_runbook_entry = {
    .name = "runbook",
    .usage =
        "list | show NAME | check [FILE...]\n"
        "       drconsole runbook run NAME [--drill] [--var NAME=VALUE]...\n"
        "         [--incident TYPE] [--incident-start TIME] [--services "
        "A,B]\n"
        "         [--assume-yes | --unattended] [--confirm WORD]... "
        "[--notes TEXT]\n"
        "         [--data-loss MIN]\n"
        "       drconsole runbook resume ID [--assume-yes] [--confirm "
        "WORD]...\n"
        "       drconsole runbook log [ID] [--json] [--service NAME] "
        "[--incident TYPE]\n"
        "         [--since TIME] [--drill | --real]\n"
        "       drconsole runbook report ID [--format md|json] [--output "
        "FILE]\n"
        "       drconsole runbook note ID [--notes TEXT] [--lessons TEXT] "
        "[--data-loss MIN]",
    .summary = "list, check and run recovery runbooks; resume; the log",
    .help =
        "Runbooks are found in the config's runbook_dir and\n" DRCONSOLE_DATADIR
        "/runbooks (never the current directory); NAME may also be a file.\n"
        "A runbook file must be yours or root's and writable by no one "
        "else.\nTheir format is drconsole-runbook(5).\n\n"
        "run asks before each step on standard input (prompts on standard "
        "error).\n--assume-yes answers yes/no confirmations only; a typed "
        "confirmation needs\n--confirm WORD equal to the word asked for.  "
        "When no answer can be had\nthe execution pauses; resume it with "
        "'runbook resume ID'.  When a step\nfails: [r]etry, [s]kip (with a "
        "reason), roll[b]ack, [a]bort or [p]ause.\nCtrl-C stops the running "
        "command.  --drill runs only the steps' drill forms\nand is recorded "
        "as a drill.  Variables reach commands as $DR_VAR_NAME.\n"
        "--unattended (the agent's automatic failover) answers every "
        "confirmation,\ntyped ones too, recording the operator as "
        "'USER (unattended)'; a step that\nfails pauses the run for an "
        "operator.\n\n"
        "log lists the runs (filtered by --service, --incident, --since, "
        "--drill or\n--real; --json for the JSON form); report writes one "
        "run's record for the\npost-mortem: every step with its attempts, "
        "exit status and output tail, the\nwaits for confirmation, "
        "takeovers, and the RTO and RPO against the targets.\n\n"
        "Exit status: 0 completed; 1 failed, aborted, rolled back, paused or "
        "refused;\n2 bad usage or an invalid runbook.\n",
    .exec = runbook_exec_cmd,
    .subs = runbook_subs,
};
