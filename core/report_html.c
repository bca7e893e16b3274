/* The HTML report: one self-contained file (inline CSS, no scripts, no
 * external resources) that prints well on A4 and Letter.  Every text from
 * the catalog goes through html_text (&, <, >, " and ' as entities). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/report.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

static const char css[] =
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;"
    "color:#1b1f23;margin:2rem auto;max-width:75rem;padding:0 1rem}"
    "h1{font-size:1.6rem;margin:0 0 .8rem}"
    "h2{font-size:1.25rem;margin:2rem 0 .5rem;border-bottom:2px solid "
    "#d0d7de;padding-bottom:.2rem}"
    "h3{font-size:1rem;margin:1.2rem 0 .4rem}"
    "table{border-collapse:collapse;margin:.4rem 0 1rem;width:100%}"
    "th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;"
    "vertical-align:top}"
    "th{background:#f3f4f6}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}"
    "code{font:12px ui-monospace,monospace;word-break:break-all}"
    ".ok{color:#116329}.risk{color:#9a6700}.breach{color:#b42318;"
    "font-weight:600}.muted{color:#57606a}"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem "
    "1rem;margin:.4rem 0 1rem}dt{font-weight:600}dd{margin:0}"
    "section{break-inside:auto}"
    "@media print{body{margin:0;max-width:none;font-size:10pt}"
    "h2{break-before:page;break-after:avoid}h2.first{break-before:auto}"
    "h3{break-after:avoid}tr,dl{break-inside:avoid}"
    "thead{display:table-header-group}th{background:#eee!important;"
    "-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    "@page{margin:15mm}}";

static void html_text(FILE *f, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

static void html_cell(FILE *f, const char *s)
{
	if (s == NULL || s[0] == '\0')
		fputs("<span class=\"muted\">-</span>", f);
	else
		html_text(f, s);
}

static const char *iso(int64_t t, char buf[32])
{
	time_format_iso(t, buf);
	return buf;
}

static const char *verdict_class(const char *v)
{
	if (strcmp(v, "OK") == 0)
		return "ok";
	if (strcmp(v, "AT RISK") == 0)
		return "risk";
	if (strcmp(v, "BREACH") == 0)
		return "breach";
	return "muted";
}

static const char *met_class(int met)
{
	return met < 0 ? "muted" : met ? "ok" : "breach";
}

static void html_header(FILE *f, const struct report *r)
{
	char a[32], b[32], d[32];

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	      "<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width\">\n"
	      "<title>Disaster-recovery report</title>\n<style>",
	      f);
	fputs(css, f);
	fputs("</style>\n</head>\n<body>\n<h1>Disaster-recovery report</h1>\n"
	      "<dl>\n",
	      f);
	fprintf(f, "<dt>Period</dt><dd>%s to %s (%s)</dd>\n", iso(r->since, a),
	        iso(r->until, b),
	        report_duration_text(r->until - r->since, d, sizeof d));
	fprintf(f, "<dt>Generated</dt><dd>%s</dd>\n", iso(r->generated_at, a));
	fputs("<dt>Environment</dt><dd>", f);
	html_cell(f, r->environment);
	fputs("</dd>\n<dt>Catalog</dt><dd>", f);
	html_cell(f, r->catalog);
	fputs("</dd>\n<dt>Audit chain</dt><dd>", f);
	if (r->audit.intact) {
		fprintf(f, "<span class=\"ok\">intact</span>, %lld row%s",
		        (long long)r->audit.rows,
		        r->audit.rows == 1 ? "" : "s");
	} else {
		fprintf(f, "<span class=\"breach\">BROKEN</span> at row %lld: ",
		        (long long)r->audit.first_bad);
		html_text(f, r->audit.message);
	}
	fputs("</dd>\n<dt>Audit head</dt><dd>", f);
	if (r->audit.head_seq > 0)
		fprintf(f, "row %lld at %s, hash <code>%s</code>",
		        (long long)r->audit.head_seq, iso(r->audit.head_at, a),
		        r->audit.head_hash);
	else
		fputs("empty log", f);
	fputs("</dd>\n</dl>\n<p class=\"muted\">Time in compliance is the "
	      "time a service was OK divided by the period, from the verdict "
	      "history; before a service's first recorded verdict its state "
	      "is unknown and counted as such.</p>\n",
	      f);
}

static void html_summary(FILE *f, const struct report *r)
{
	char a[24], b[24], share[32];

	fputs("<h2 class=\"first\">Summary</h2>\n", f);
	if (r->n == 0) {
		fputs("<p>No services in the catalog.</p>\n", f);
		return;
	}
	fputs("<table>\n<thead><tr><th>Service</th><th>Owner</th><th>RPO "
	      "target</th><th>RTO target</th><th>In compliance</th>"
	      "<th>Breaches</th><th>Backups taken / good / verified / "
	      "failed</th><th>Restore tests ok / all</th><th>Drills</th>"
	      "<th>Incidents</th><th>Verdict at end</th></tr></thead>\n"
	      "<tbody>\n",
	      f);
	for (size_t i = 0; i < r->n; i++) {
		const struct report_service *s = &r->services[i];
		int tests = 0, tests_ok = 0, drills = 0, incidents = 0;
		for (size_t j = 0; j < s->n_restores; j++) {
			if (strcmp(s->restores[j].kind, "restore-test") != 0)
				continue;
			tests++;
			tests_ok += s->restores[j].ok != 0;
		}
		for (size_t j = 0; j < s->n_recoveries; j++) {
			if (s->recoveries[j].rec.is_drill)
				drills++;
			else
				incidents++;
		}
		report_share_text(&s->time, share, sizeof share);
		fputs("<tr><td>", f);
		html_text(f, s->name);
		fputs("</td><td>", f);
		html_cell(f, s->owner);
		fprintf(
		    f,
		    "</td><td>%s</td><td>%s</td><td class=\"n\">%s</td>"
		    "<td class=\"n\">%zu</td><td>%lld / %lld / %lld / "
		    "%lld</td><td>%d / %d</td><td class=\"n\">%d</td>"
		    "<td class=\"n\">%d</td><td class=\"%s\">%s</td></tr>\n",
		    report_target_text(s->rpo_target_s, a, sizeof a),
		    report_target_text(s->rto_target_s, b, sizeof b), share,
		    s->n_breaches, (long long)s->backups.taken,
		    (long long)s->backups.good, (long long)s->backups.verified,
		    (long long)s->backups.failed, tests_ok, tests, drills,
		    incidents, verdict_class(s->verdict_at_end),
		    s->verdict_at_end[0] ? s->verdict_at_end : "unknown");
	}
	fputs("</tbody>\n</table>\n", f);
}

static void html_time(FILE *f, const struct report *r,
                      const struct report_service *s)
{
	char share[32], ok[24], risk[24], br[24], unk[24], at[32], a[24], b[24];

	report_share_text(&s->time, share, sizeof share);
	fputs("<dl>\n<dt>Tier</dt><dd>", f);
	html_cell(f, s->tier);
	fputs("</dd>\n<dt>Owner</dt><dd>", f);
	html_cell(f, s->owner);
	fprintf(f, "</dd>\n<dt>Targets</dt><dd>RPO %s, RTO %s</dd>\n",
	        report_target_text(s->rpo_target_s, a, sizeof a),
	        report_target_text(s->rto_target_s, b, sizeof b));
	fprintf(f,
	        "<dt>Time in compliance</dt><dd>%s (OK %s, AT RISK %s, "
	        "BREACH %s, unknown %s)</dd>\n",
	        share, report_duration_text(s->time.ok_s, ok, sizeof ok),
	        report_duration_text(s->time.at_risk_s, risk, sizeof risk),
	        report_duration_text(s->time.breach_s, br, sizeof br),
	        report_duration_text(s->time.unknown_s, unk, sizeof unk));
	if (s->time.known_from == 0)
		fputs("<dt>Unknown</dt><dd>no verdict was recorded for this "
		      "service before the end of the period</dd>\n",
		      f);
	else if (s->time.known_from > r->since)
		fprintf(f,
		        "<dt>Unknown</dt><dd>no verdict was recorded before "
		        "%s</dd>\n",
		        iso(s->time.known_from, at));
	fprintf(f,
	        "<dt>Verdict at the end</dt><dd class=\"%s\">%s</dd>\n"
	        "</dl>\n",
	        verdict_class(s->verdict_at_end),
	        s->verdict_at_end[0] ? s->verdict_at_end : "unknown");
	fprintf(f,
	        "<h3>Backups</h3>\n<p>Taken %lld, good (completed or "
	        "verified) %lld, verified %lld, failed %lld.</p>\n",
	        (long long)s->backups.taken, (long long)s->backups.good,
	        (long long)s->backups.verified, (long long)s->backups.failed);
}

static void html_breaches(FILE *f, const struct report_service *s)
{
	char a[32], b[32], d[24];

	fputs("<h3>Breaches</h3>\n", f);
	if (s->n_breaches == 0) {
		fputs("<p>None in the period.</p>\n", f);
		return;
	}
	fputs("<table>\n<thead><tr><th>Start</th><th>End</th><th>Duration"
	      "</th><th>Reason</th></tr></thead>\n<tbody>\n",
	      f);
	for (size_t i = 0; i < s->n_breaches; i++) {
		const struct report_breach *x = &s->breaches[i];
		fprintf(f,
		        "<tr><td>%s</td><td>%s</td><td class=\"n\">%s%s</td>"
		        "<td>",
		        iso(x->start, a), x->end ? iso(x->end, b) : "ongoing",
		        report_duration_text(x->duration_s, d, sizeof d),
		        x->end ? "" : " so far");
		html_cell(f, x->reason);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody>\n</table>\n", f);
}

static void html_restores(FILE *f, const struct report_service *s)
{
	char a[32];

	fputs("<h3>Restores and restore tests</h3>\n", f);
	if (s->n_restores == 0) {
		fputs("<p>None in the period.</p>\n", f);
		return;
	}
	fputs("<table>\n<thead><tr><th>Ended</th><th>Kind</th><th>Backup</th>"
	      "<th>Bytes</th><th>Duration</th><th>Result</th></tr></thead>\n"
	      "<tbody>\n",
	      f);
	for (size_t i = 0; i < s->n_restores; i++) {
		const struct catalog_restore *x = &s->restores[i];
		fprintf(f, "<tr><td>%s</td><td>%s</td><td><code>",
		        iso(x->ended_at, a), x->kind);
		html_cell(f, x->backup_id);
		fputs("</code></td><td class=\"n\">", f);
		if (x->bytes >= 0)
			fprintf(f, "%lld", (long long)x->bytes);
		else
			fputs("unknown", f);
		fputs("</td><td class=\"n\">", f);
		if (x->duration_s >= 0)
			fprintf(f, "%.1f s", x->duration_s);
		else
			fputs("unknown", f);
		if (x->ok) {
			fputs("</td><td class=\"ok\">ok</td></tr>\n", f);
		} else {
			fputs("</td><td class=\"breach\">FAILED: ", f);
			html_text(f, x->error);
			fputs("</td></tr>\n", f);
		}
	}
	fputs("</tbody>\n</table>\n", f);
}

static const char *html_tri(int v)
{
	return v < 0 ? "unknown" : v ? "yes" : "NO";
}

static void html_tests(FILE *f, const struct report_service *s)
{
	char a[32];

	fputs("<h3>Post-test records</h3>\n", f);
	if (s->n_tests == 0) {
		fputs("<p>None in the period.</p>\n", f);
		return;
	}
	fputs("<table>\n<thead><tr><th>Ended</th><th>Run</th><th>What</th>"
	      "<th>Passed</th><th>Within RTO</th><th>Within RPO</th>"
	      "<th>Alerts fired</th><th>Follow-ups</th></tr></thead>\n"
	      "<tbody>\n",
	      f);
	for (size_t i = 0; i < s->n_tests; i++) {
		const struct test_run *t = &s->tests[i];
		fprintf(f, "<tr><td>%s</td><td>%s <code>", iso(t->ended_at, a),
		        t->kind);
		html_cell(f, t->id);
		fputs("</code></td><td>", f);
		html_cell(f, t->what);
		fprintf(f,
		        "</td><td class=\"%s\">%s</td><td>%s</td><td>%s</td>"
		        "<td>%d",
		        t->passed ? "ok" : "breach", t->passed ? "yes" : "NO",
		        html_tri(t->within_rto), html_tri(t->within_rpo),
		        t->alerts);
		if (t->alerts) {
			fputs(": ", f);
			html_text(f, t->alert_list);
		}
		fputs("</td><td>", f);
		html_text(f, t->followups[0] ? t->followups : "none");
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody>\n</table>\n", f);
}

static void html_recovery(FILE *f, const struct report_recovery *x)
{
	char a[32], t1[24], t2[24], t3[24];

	fprintf(f, "<tr><td>%s</td><td>%s</td><td>",
	        iso(x->rec.initiated_at, a),
	        x->rec.is_drill ? "drill" : "incident");
	html_cell(f, x->rec.recovery_procedure);
	fputs("<br><code>", f);
	html_text(f, x->rec.recovery_id);
	fputs("</code></td><td>", f);
	html_cell(f, x->rec.recovery_status);
	fprintf(f, "</td><td>%s / %s</td><td class=\"%s\">%s</td><td>",
	        report_duration_text(x->rec.actual_recovery_s, t1, sizeof t1),
	        report_target_text(x->rto_target_s, t2, sizeof t2),
	        met_class(x->rto_met), report_met_text(x->rto_met));
	if (x->rec.data_loss_minutes >= 0)
		fprintf(f, "%.1f min", x->rec.data_loss_minutes);
	else
		fputs("unknown", f);
	fprintf(f, " / %s</td><td class=\"%s\">%s</td><td>",
	        report_target_text(x->rpo_target_s, t3, sizeof t3),
	        met_class(x->rpo_met), report_met_text(x->rpo_met));
	if (x->evidence) {
		fputs("yes: restored backup <code>", f);
		html_cell(f, x->restore.backup_id);
		fputs("</code>", f);
		if (x->restore.bytes >= 0)
			fprintf(f, ", %lld bytes", (long long)x->restore.bytes);
	} else {
		fputs("no: restored no data", f);
	}
	fputs("</td><td>", f);
	html_cell(f, x->rec.initiated_by);
	fprintf(f, "</td><td>%d / %d / %d</td><td>", x->steps_completed,
	        x->steps_skipped, x->steps_failed);
	html_cell(f, x->rec.lessons_learned);
	fputs("</td></tr>\n", f);
}

static void html_recoveries(FILE *f, const struct report_service *s)
{
	fputs("<h3>Drills and incidents</h3>\n", f);
	if (s->n_recoveries == 0) {
		fputs("<p>None in the period.</p>\n", f);
		return;
	}
	fputs("<table>\n<thead><tr><th>Started</th><th>Kind</th><th>Runbook"
	      "</th><th>Status</th><th>Recovery time / RTO</th><th>RTO met"
	      "</th><th>Data loss / RPO</th><th>RPO met</th><th>RTO "
	      "evidence</th><th>Operator</th><th>Steps done / skipped / "
	      "failed</th><th>Lessons learned</th></tr></thead>\n<tbody>\n",
	      f);
	for (size_t i = 0; i < s->n_recoveries; i++)
		html_recovery(f, &s->recoveries[i]);
	fputs("</tbody>\n</table>\n", f);
}

static char *render_html(const struct report *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = report_memstream(&text, &len);

	html_header(f, r);
	html_summary(f, r);
	for (size_t i = 0; i < r->n; i++) {
		const struct report_service *s = &r->services[i];
		fputs("<section>\n<h2>", f);
		html_text(f, s->name);
		fputs("</h2>\n", f);
		html_time(f, r, s);
		html_breaches(f, s);
		html_restores(f, s);
		html_recoveries(f, s);
		html_tests(f, s);
		fputs("</section>\n", f);
	}
	fputs("</body>\n</html>\n", f);
	fclose(f);
	return text;
}

const struct report_format report_format_html = {
    .name = "html",
    .summary = "one self-contained HTML file that prints well",
    .render = render_html,
};
