/* The record of one runbook run, fit for the post-mortem: built once from
 * the catalog into `struct runbook_report`, then written as Markdown,
 * plain text (the console's Log view) or JSON.
 *
 * Every figure comes from a row a reader can find:
 *  - the header, the RTO clock and the data loss from the recovery
 *    (disaster_recovery_log); the targets of the affected services from
 *    the services as they are now;
 *  - each step's status, end, exit status, confirmation and output tail
 *    from its step row; its first start, its attempts and its history
 *    from the audit rows about the run (runbook.step.start, .fail, ...),
 *    plus the automatic re-runs its notes name ("attempt N failed");
 *  - a wait for a confirmation is the time from the audit row before a
 *    step's runbook.step.start (the step became ready: the previous step
 *    ended, the run started or was resumed) to that row;
 *  - takeovers are the runbook.takeover rows.
 * What has no row says unknown: data loss without a figure on the
 * recovery is "unknown", never a number made up from elsewhere. */
#ifndef DR_RUNBOOK_REPORT_H
#define DR_RUNBOOK_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "db/catalog.h"

/* An affected service and its targets as the catalog has them now. */
struct runbook_report_target {
	char service[64];
	int known;     /* 0: no such service in the catalog */
	int64_t rto_s; /* 0: none */
	int64_t rpo_s; /* 0: none */
};

struct runbook_report_step {
	const struct catalog_recovery_step *row; /* into report->rows */
	int64_t first_start; /* the first attempt's start; 0: never started */
	int64_t duration_s;  /* first start to end; -1: unknown or running */
	int starts;          /* runbook.step.start rows */
	int attempts;        /* runs of its work: starts + automatic re-runs */
	int failed_attempts;
	size_t *events; /* indexes into report->audit of rows about it */
	size_t n_events;
};

struct runbook_report_wait {
	size_t step;          /* index into report->steps */
	int64_t ready_at;     /* the audit row before the answer */
	int64_t answered_at;  /* the runbook.step.start row */
	char by[128];         /* who answered */
	int after_failure;    /* 1: a retry chosen after the step failed */
	char ready_after[64]; /* the action of the row before */
};

struct runbook_report {
	struct catalog_recovery rec;
	char *title;        /* the runbook's title, expanded; NULL: unknown */
	char *runbook_path; /* NULL: unknown */
	int have_exec;      /* the execution row exists */
	int open;           /* the execution has not ended */
	struct catalog_recovery_step *rows;
	size_t n_rows;
	struct runbook_report_step *steps; /* one per row */
	struct runbook_report_wait *waits;
	size_t n_waits;
	struct catalog_audit *audit; /* every row about the run, oldest first */
	size_t n_audit;
	size_t *takeovers; /* indexes into audit */
	size_t n_takeovers;
	struct runbook_report_target *targets;
	size_t n_targets;
	int64_t clock_from; /* the incident's start (a drill: its start) */
	int64_t clock_to;   /* the end, or now while it runs */
	int64_t elapsed_s;
	int64_t now;
};

/* Builds the record of recovery_id (a full id).  DR_ENOTFOUND when there
 * is no such recovery (*err says so), DR_EDB when the catalog fails. */
int runbook_report_build(struct catalog *cat, const char *recovery_id,
                         int64_t now, struct runbook_report **out, char **err);
void runbook_report_free(struct runbook_report *r);

/* The RTO verdict of the run against target_s: "within", "over",
 * "not recovered" (it ended without completing, inside the target),
 * "open" (not ended, inside the target so far) or "unknown" (no
 * target). */
const char *runbook_report_rto_verdict(const struct runbook_report *r,
                                       int64_t target_s);
/* The data loss against target_s: "within", "over" or "unknown" (no
 * figure recorded, or no target). */
const char *runbook_report_rpo_verdict(const struct runbook_report *r,
                                       int64_t target_s);

enum runbook_report_style {
	RUNBOOK_REPORT_MD,   /* Markdown: headings, escaped text, fences */
	RUNBOOK_REPORT_TEXT, /* plain lines for a screen */
};
void runbook_report_write(const struct runbook_report *r,
                          enum runbook_report_style style, FILE *out);
/* Valid JSON whatever bytes the output tails hold (json_print_text);
 * malloc'd. */
char *runbook_report_json(const struct runbook_report *r);

/* `runbook log --json`: one page of recoveries (catalog_recovery_page)
 * with their time against the RTO and data loss against the RPO of the
 * run; total is how many matched in all.  malloc'd. */
char *runbook_report_log_json(const struct catalog_recovery *recs, size_t n,
                              size_t total, int64_t now);

#endif
