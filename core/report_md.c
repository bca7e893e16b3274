/* The Markdown report: reads well in a merge request (GitHub/GitLab
 * flavoured tables).  Text from the catalog is escaped so that it stays
 * text: Markdown punctuation gets a backslash, a pipe cannot end a table
 * cell, and <, > and & become entities (Markdown passes HTML through). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/report.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

static void md_text(FILE *f, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '\n':
		case '\r':
		case '\t':
			fputc(' ', f);
			break;
		case '\\':
		case '|':
		case '*':
		case '_':
		case '`':
		case '[':
		case ']':
		case '#':
		case '~':
			fputc('\\', f);
			fputc(*s, f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

/* Text, or "-" when empty. */
static void md_cell(FILE *f, const char *s)
{
	if (s == NULL || s[0] == '\0')
		fputc('-', f);
	else
		md_text(f, s);
}

static const char *iso(int64_t t, char buf[32])
{
	time_format_iso(t, buf);
	return buf;
}

static void md_header(FILE *f, const struct report *r)
{
	char a[32], b[32], d[32];

	fprintf(f, "# Disaster-recovery report\n\n");
	fprintf(f, "| | |\n|---|---|\n");
	fprintf(f, "| Period | %s to %s (%s) |\n", iso(r->since, a),
	        iso(r->until, b),
	        report_duration_text(r->until - r->since, d, sizeof d));
	fprintf(f, "| Generated | %s |\n", iso(r->generated_at, a));
	fprintf(f, "| Environment | ");
	md_cell(f, r->environment);
	fprintf(f, " |\n| Catalog | ");
	md_cell(f, r->catalog);
	fprintf(f, " |\n| Audit chain | ");
	if (r->audit.intact)
		fprintf(f, "intact, %lld row%s", (long long)r->audit.rows,
		        r->audit.rows == 1 ? "" : "s");
	else {
		fprintf(f, "**BROKEN** at row %lld: ",
		        (long long)r->audit.first_bad);
		md_text(f, r->audit.message);
	}
	fprintf(f, " |\n| Audit head | ");
	if (r->audit.head_seq > 0)
		fprintf(f, "row %lld at %s, hash `%s`",
		        (long long)r->audit.head_seq, iso(r->audit.head_at, a),
		        r->audit.head_hash);
	else
		fprintf(f, "empty log");
	fprintf(f, " |\n\n");
	fprintf(f, "Time in compliance is the time a service was OK divided "
	           "by the period, from the verdict history; before a "
	           "service's first recorded verdict its state is unknown "
	           "and counted as such.\n\n");
}

static void md_summary(FILE *f, const struct report *r)
{
	char a[24], b[24], share[32];

	fprintf(f, "## Summary\n\n");
	if (r->n == 0) {
		fprintf(f, "No services in the catalog.\n\n");
		return;
	}
	fprintf(f, "| Service | Owner | RPO target | RTO target | In "
	           "compliance | Breaches | Backups taken / good / verified "
	           "/ failed | Restore tests ok / all | Drills | Incidents "
	           "|\n");
	fprintf(f, "|---|---|---|---|---:|---:|---|---|---:|---:|\n");
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
		fprintf(f, "| ");
		md_text(f, s->name);
		fprintf(f, " | ");
		md_cell(f, s->owner);
		fprintf(f,
		        " | %s | %s | %s | %zu | %lld / %lld / %lld / %lld | "
		        "%d / %d | %d | %d |\n",
		        report_target_text(s->rpo_target_s, a, sizeof a),
		        report_target_text(s->rto_target_s, b, sizeof b), share,
		        s->n_breaches, (long long)s->backups.taken,
		        (long long)s->backups.good,
		        (long long)s->backups.verified,
		        (long long)s->backups.failed, tests_ok, tests, drills,
		        incidents);
	}
	fprintf(f, "\n");
}

static void md_time(FILE *f, const struct report *r,
                    const struct report_service *s)
{
	char share[32], ok[24], risk[24], br[24], unk[24], at[32];

	report_share_text(&s->time, share, sizeof share);
	fprintf(f,
	        "- **Time in compliance:** %s (OK %s, AT RISK %s, "
	        "BREACH %s, unknown %s)\n",
	        share, report_duration_text(s->time.ok_s, ok, sizeof ok),
	        report_duration_text(s->time.at_risk_s, risk, sizeof risk),
	        report_duration_text(s->time.breach_s, br, sizeof br),
	        report_duration_text(s->time.unknown_s, unk, sizeof unk));
	if (s->time.known_from == 0)
		fprintf(f, "- **Unknown:** no verdict was recorded for this "
		           "service before the end of the period\n");
	else if (s->time.known_from > r->since)
		fprintf(f,
		        "- **Unknown:** no verdict was recorded before "
		        "%s\n",
		        iso(s->time.known_from, at));
	fprintf(f, "- **Verdict at the end of the period:** %s\n\n",
	        s->verdict_at_end[0] ? s->verdict_at_end : "unknown");
}

static void md_breaches(FILE *f, const struct report_service *s)
{
	char a[32], b[32], d[24];

	fprintf(f, "### Breaches\n\n");
	if (s->n_breaches == 0) {
		fprintf(f, "None in the period.\n\n");
		return;
	}
	fprintf(f, "| Start | End | Duration | Reason |\n|---|---|---|---|\n");
	for (size_t i = 0; i < s->n_breaches; i++) {
		const struct report_breach *x = &s->breaches[i];
		fprintf(f, "| %s | %s | %s%s | ", iso(x->start, a),
		        x->end ? iso(x->end, b) : "ongoing",
		        report_duration_text(x->duration_s, d, sizeof d),
		        x->end ? "" : " so far");
		md_cell(f, x->reason);
		fprintf(f, " |\n");
	}
	fprintf(f, "\n");
}

static void md_restores(FILE *f, const struct report_service *s)
{
	char a[32], d[32];

	fprintf(f, "### Restores and restore tests\n\n");
	if (s->n_restores == 0) {
		fprintf(f, "None in the period.\n\n");
		return;
	}
	fprintf(f, "| Ended | Kind | Backup | Bytes | Duration | Result |\n"
	           "|---|---|---|---:|---:|---|\n");
	for (size_t i = 0; i < s->n_restores; i++) {
		const struct catalog_restore *x = &s->restores[i];
		if (x->duration_s >= 0)
			snprintf(d, sizeof d, "%.1f s", x->duration_s);
		else
			strlcpy_dr(d, "unknown", sizeof d);
		fprintf(f, "| %s | %s | ", iso(x->ended_at, a), x->kind);
		md_cell(f, x->backup_id);
		if (x->bytes >= 0)
			fprintf(f, " | %lld | %s | ", (long long)x->bytes, d);
		else
			fprintf(f, " | unknown | %s | ", d);
		if (x->ok)
			fprintf(f, "ok");
		else {
			fprintf(f, "FAILED: ");
			md_text(f, x->error);
		}
		fprintf(f, " |\n");
	}
	fprintf(f, "\n");
}

static const char *yes_no(int v)
{
	return v < 0 ? "unknown" : v ? "yes" : "NO";
}

static void md_tests(FILE *f, const struct report_service *s)
{
	char a[32];

	fprintf(f, "### Post-test records\n\n");
	if (s->n_tests == 0) {
		fprintf(f, "None in the period.\n\n");
		return;
	}
	fprintf(f, "| Ended | Run | What | Passed | Within RTO | Within RPO | "
	           "Alerts fired | Follow-ups |\n"
	           "|---|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < s->n_tests; i++) {
		const struct test_run *t = &s->tests[i];
		fprintf(f, "| %s | %s ", iso(t->ended_at, a), t->kind);
		md_cell(f, t->id);
		fprintf(f, " | ");
		md_cell(f, t->what);
		fprintf(f, " | %s | %s | %s | %d", t->passed ? "yes" : "NO",
		        yes_no(t->within_rto), yes_no(t->within_rpo),
		        t->alerts);
		if (t->alerts) {
			fprintf(f, ": ");
			md_cell(f, t->alert_list);
		}
		fprintf(f, " | ");
		md_cell(f, t->followups[0] ? t->followups : "none");
		fprintf(f, " |\n");
	}
	fprintf(f, "\n");
}

static void md_recoveries(FILE *f, const struct report_service *s)
{
	char a[32], t1[24], t2[24], t3[24];

	fprintf(f, "### Drills and incidents\n\n");
	if (s->n_recoveries == 0) {
		fprintf(f, "None in the period.\n\n");
		return;
	}
	fprintf(f, "| Started | Kind | Runbook | Status | Recovery time / "
	           "RTO | RTO met | Data loss / RPO | RPO met | RTO evidence "
	           "| Operator | Steps done / skipped / failed |\n"
	           "|---|---|---|---|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < s->n_recoveries; i++) {
		const struct report_recovery *x = &s->recoveries[i];
		fprintf(f, "| %s | %s | ", iso(x->rec.initiated_at, a),
		        x->rec.is_drill ? "drill" : "incident");
		md_cell(f, x->rec.recovery_procedure);
		fprintf(f, " | ");
		md_cell(f, x->rec.recovery_status);
		fprintf(f, " | %s / %s | %s | ",
		        report_duration_text(x->rec.actual_recovery_s, t1,
		                             sizeof t1),
		        report_target_text(x->rto_target_s, t2, sizeof t2),
		        report_met_text(x->rto_met));
		if (x->rec.data_loss_minutes >= 0)
			fprintf(f, "%.1f min", x->rec.data_loss_minutes);
		else
			fprintf(f, "unknown");
		fprintf(f, " / %s | %s | ",
		        report_target_text(x->rpo_target_s, t3, sizeof t3),
		        report_met_text(x->rpo_met));
		if (x->evidence) {
			fprintf(f, "yes: restored backup ");
			md_cell(f, x->restore.backup_id);
			if (x->restore.bytes >= 0)
				fprintf(f, ", %lld bytes",
				        (long long)x->restore.bytes);
		} else {
			fprintf(f, "no: restored no data");
		}
		fprintf(f, " | ");
		md_cell(f, x->rec.initiated_by);
		fprintf(f, " | %d / %d / %d |\n", x->steps_completed,
		        x->steps_skipped, x->steps_failed);
	}
	fprintf(f, "\n");
	for (size_t i = 0; i < s->n_recoveries; i++) {
		const struct report_recovery *x = &s->recoveries[i];
		fprintf(f, "- `%s` (%s, ", x->rec.recovery_id,
		        x->rec.is_drill ? "drill" : "incident");
		md_cell(f, x->rec.incident_type);
		fprintf(f, "): lessons learned: ");
		md_cell(f, x->rec.lessons_learned);
		if (x->rec.recovery_notes && x->rec.recovery_notes[0]) {
			fprintf(f, "; notes: ");
			md_text(f, x->rec.recovery_notes);
		}
		fprintf(f, "\n");
	}
	fprintf(f, "\n");
}

static char *render_md(const struct report *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = report_memstream(&text, &len);
	char a[24], b[24];

	md_header(f, r);
	md_summary(f, r);
	for (size_t i = 0; i < r->n; i++) {
		const struct report_service *s = &r->services[i];
		fprintf(f, "## ");
		md_text(f, s->name);
		fprintf(f, "\n\n- **Tier:** ");
		md_cell(f, s->tier);
		fprintf(f, "\n- **Owner:** ");
		md_cell(f, s->owner);
		fprintf(f, "\n- **Targets:** RPO %s, RTO %s\n",
		        report_target_text(s->rpo_target_s, a, sizeof a),
		        report_target_text(s->rto_target_s, b, sizeof b));
		md_time(f, r, s);
		md_breaches(f, s);
		fprintf(f,
		        "### Backups\n\nTaken %lld, good (completed or "
		        "verified) %lld, verified %lld, failed %lld.\n\n",
		        (long long)s->backups.taken, (long long)s->backups.good,
		        (long long)s->backups.verified,
		        (long long)s->backups.failed);
		md_restores(f, s);
		md_recoveries(f, s);
		md_tests(f, s);
	}
	fclose(f);
	return text;
}

const struct report_format report_format_md = {
    .name = "md",
    .summary = "Markdown, for a merge request or a wiki (the default)",
    .render = render_md,
};
