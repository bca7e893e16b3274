/* `drconsole report`: the evidence an auditor asks for, per service and
 * period, computed once into `struct report` and written by one renderer
 * per format (core/report_<format>.c, each exporting a const
 * report_format listed in report.c's table).
 *
 * Per service: its RPO/RTO targets; the time in each verdict from the
 * verdict history (core/verdict_history.h) — before the first recorded
 * transition the verdict is unknown, and counted as such; every breach
 * that overlaps the period with its start, end (or ongoing) and duration;
 * backups taken, good, verified and failed by their own times; restores
 * and restore tests that ended in the period; every drill and incident
 * that overlaps it, with its recovery time and data loss against the
 * targets in force and whether it is RTO evidence (docs/EVIDENCE.md).
 * Once per report: the audit chain's head and its verification. */
#ifndef DR_REPORT_H
#define DR_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/testprog.h"
#include "db/catalog.h"

/* Seconds of the period [since, until) in each verdict. */
struct report_span {
	int64_t period_s;
	int64_t ok_s, at_risk_s, breach_s;
	int64_t unknown_s;  /* before the first transition: no verdict known */
	int64_t known_from; /* first instant with a known verdict; 0: none */
	double ok_share;    /* ok_s / period_s; -1 when nothing is known */
};

/* One stay in BREACH. */
struct report_breach {
	int64_t start;      /* entering BREACH; may precede the period */
	int64_t end;        /* leaving it (may follow the period); 0: ongoing */
	int64_t duration_s; /* end - start; ongoing: until - start */
	char reason[160];   /* as recorded when it entered BREACH */
};

/* Pure: the time in compliance and the breaches of one service from its
 * transitions, oldest first (as catalog_verdict_history returns them for
 * `since`), over [since, until).  *breaches is malloc'd (free()); only
 * breaches overlapping the period are listed. */
void report_time_in_compliance(const struct catalog_verdict *t, size_t n,
                               int64_t since, int64_t until,
                               struct report_span *out,
                               struct report_breach **breaches,
                               size_t *n_breaches);

/* A drill or incident that touched the service. */
struct report_recovery {
	struct catalog_recovery rec; /* owned strings */
	int64_t rto_target_s;        /* the recovery's, else the service's */
	int64_t rpo_target_s;        /* 0: none */
	int rto_met;                 /* 1 yes, 0 no, -1 unknown */
	int rpo_met;
	/* RTO evidence: completed, and a restore of the service during it
	 * succeeded (that restore; id 0 when none). */
	int evidence;
	struct catalog_restore restore;
	struct catalog_recovery_step *steps; /* by seq */
	size_t n_steps;
	int steps_completed, steps_skipped, steps_failed;
};

struct report_service {
	char name[64];
	char tier[32];
	char owner[64];
	int64_t rpo_target_s; /* the service's, else its tier's; 0: none */
	int64_t rto_target_s;
	struct report_span time;
	char verdict_at_end[16]; /* in force at `until`; "" unknown */
	struct report_breach *breaches;
	size_t n_breaches;
	struct catalog_backup_counts backups;
	struct catalog_restore
	    *restores; /* ended in the period, oldest first */
	size_t n_restores;
	struct report_recovery *recoveries; /* oldest first */
	size_t n_recoveries;
	/* The post-test records of the restore tests and drills that ended
	 * in the period (core/testprog.h), oldest first. */
	struct test_run *tests;
	size_t n_tests;
};

struct report_audit {
	int64_t rows;
	int64_t head_seq; /* 0: empty log */
	int64_t head_at;
	char head_hash[72];
	int intact;        /* the chain verified */
	int64_t first_bad; /* seq of the first bad row when !intact */
	char message[256]; /* what verification said when !intact */
};

struct report {
	int64_t generated_at;
	int64_t since, until;
	char *catalog;                   /* where, or NULL */
	char *environment;               /* or NULL */
	struct report_service *services; /* by name */
	size_t n;
	struct report_audit audit;
};

struct report_options {
	int64_t since, until; /* since < until <= now */
	int64_t now;
	const char *service;     /* NULL: every service */
	const char *catalog;     /* shown; may be NULL */
	const char *environment; /* shown; may be NULL or "" */
};

/* Reads the catalog (never writes).  DR_EINVAL for a bad period,
 * DR_ENOTFOUND for an unknown service (nothing is built). */
int report_build(struct catalog *cat, const struct report_options *opt,
                 struct report *out, char **err);
void report_free(struct report *r);

/* ---- formats ----------------------------------------------------------- */

struct report_format {
	const char *name;    /* "md" */
	const char *summary; /* for --help */
	/* malloc'd text (free()); everything from data escaped. */
	char *(*render)(const struct report *r);
};
extern const struct report_format report_format_md;   /* core/report_md.c */
extern const struct report_format report_format_html; /* core/report_html.c */
extern const struct report_format report_format_json; /* core/report_json.c */
extern const struct report_format report_format_csv;  /* core/report_csv.c */

/* NULL when unknown. */
const struct report_format *report_format_find(const char *name);
/* "md, html, json, csv". */
const char *report_format_names(void);

/* Shared by the renderers. */
/* "68.33 %", or "unknown". */
void report_share_text(const struct report_span *t, char *buf, size_t size);
/* "yes" / "no" / "unknown". */
const char *report_met_text(int met);
/* duration_format, or "unknown" for a negative duration. */
const char *report_duration_text(int64_t s, char *buf, size_t size);
/* duration_format, or "none" for no target (<= 0). */
const char *report_target_text(int64_t s, char *buf, size_t size);
/* An open_memstream for a renderer's text; aborts when out of memory
 * (the one fatal error, as xmalloc). */
FILE *report_memstream(char **text, size_t *len);

#endif
