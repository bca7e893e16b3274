/* The CSV report: a header, then one row per service and period (RFC
 * 4180: comma-separated, CRLF line ends, fields with a comma, quote or
 * line break in double quotes, quotes doubled).  Columns are documented
 * in drconsole(1) (REPORT) and only ever added at the end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/report.h"
#include "core/timeutil.h"

static const char *const columns[] = {
    "since",
    "until",
    "service",
    "tier",
    "owner",
    "rpo_target_s",
    "rto_target_s",
    "ok_s",
    "at_risk_s",
    "breach_s",
    "unknown_s",
    "ok_share",
    "verdict_at_end",
    "breaches",
    "breach_longest_s",
    "backups_taken",
    "backups_good",
    "backups_verified",
    "backups_failed",
    "restore_tests",
    "restore_tests_ok",
    "restores",
    "drills",
    "incidents",
    "rto_evidence_recoveries",
    "recoveries_rto_missed",
    "audit_intact",
    "audit_head_hash",
};

/* A spreadsheet runs a cell that begins with = + - @ (or a tab or
 * carriage return before one) as a formula: a service or owner named
 * "=HYPERLINK(...)" must not become one on an auditor's machine.  Such a
 * text cell is prefixed with a single quote, in double quotes, as the
 * OWASP page on CSV injection advises.  Numbers are ours and never are. */
static int csv_formula_like(const char *s)
{
	return *s != '\0' && strchr("=+-@\t\r", *s) != NULL;
}

static void csv_field(FILE *f, const char *s, int first)
{
	int formula;

	if (!first)
		fputc(',', f);
	if (s == NULL)
		return;
	formula = csv_formula_like(s);
	if (!formula && strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	if (formula)
		fputc('\'', f);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void csv_int(FILE *f, long long v)
{
	fprintf(f, ",%lld", v);
}

/* Empty for no target. */
static void csv_target(FILE *f, int64_t v)
{
	if (v > 0)
		fprintf(f, ",%lld", (long long)v);
	else
		fputc(',', f);
}

static void csv_row(FILE *f, const struct report *r,
                    const struct report_service *s)
{
	char a[32], b[32];
	int tests = 0, tests_ok = 0, restores = 0, drills = 0, incidents = 0;
	int evidence = 0, missed = 0;
	int64_t longest = 0;

	for (size_t j = 0; j < s->n_restores; j++) {
		if (strcmp(s->restores[j].kind, "restore-test") == 0) {
			tests++;
			tests_ok += s->restores[j].ok != 0;
		} else {
			restores++;
		}
	}
	for (size_t j = 0; j < s->n_recoveries; j++) {
		const struct report_recovery *x = &s->recoveries[j];
		if (x->rec.is_drill)
			drills++;
		else
			incidents++;
		evidence += x->evidence;
		missed += x->rto_met == 0;
	}
	for (size_t j = 0; j < s->n_breaches; j++)
		if (s->breaches[j].duration_s > longest)
			longest = s->breaches[j].duration_s;

	time_format_iso(r->since, a);
	time_format_iso(r->until, b);
	csv_field(f, a, 1);
	csv_field(f, b, 0);
	csv_field(f, s->name, 0);
	csv_field(f, s->tier, 0);
	csv_field(f, s->owner, 0);
	csv_target(f, s->rpo_target_s);
	csv_target(f, s->rto_target_s);
	csv_int(f, s->time.ok_s);
	csv_int(f, s->time.at_risk_s);
	csv_int(f, s->time.breach_s);
	csv_int(f, s->time.unknown_s);
	if (s->time.ok_share >= 0)
		fprintf(f, ",%.6f", s->time.ok_share);
	else
		fputc(',', f);
	csv_field(f, s->verdict_at_end, 0);
	csv_int(f, (long long)s->n_breaches);
	csv_int(f, longest);
	csv_int(f, s->backups.taken);
	csv_int(f, s->backups.good);
	csv_int(f, s->backups.verified);
	csv_int(f, s->backups.failed);
	csv_int(f, tests);
	csv_int(f, tests_ok);
	csv_int(f, restores);
	csv_int(f, drills);
	csv_int(f, incidents);
	csv_int(f, evidence);
	csv_int(f, missed);
	csv_field(f, r->audit.intact ? "true" : "false", 0);
	csv_field(f, r->audit.head_hash, 0);
	fputs("\r\n", f);
}

static char *render_csv(const struct report *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = report_memstream(&text, &len);

	for (size_t i = 0; i < sizeof(columns) / sizeof(columns[0]); i++)
		csv_field(f, columns[i], i == 0);
	fputs("\r\n", f);
	for (size_t i = 0; i < r->n; i++)
		csv_row(f, r, &r->services[i]);
	fclose(f);
	return text;
}

const struct report_format report_format_csv = {
    .name = "csv",
    .summary = "CSV, one row per service and period, with a header",
    .render = render_csv,
};
