/* The record of one runbook run (core/runbook_report.h explains where
 * each figure comes from). */
#include "core/runbook_report.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/duration.h"
#include "core/error.h"
#include "core/json.h"
#include "core/runbook.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "db/catalog_runbook.h"

/* ---- building ------------------------------------------------------- */

/* The step a row's details name ("step=ID ..."; a refused confirmation's
 * details are the id alone), or -1. */
static long audit_step(const struct runbook_report *r,
                       const struct catalog_audit *a)
{
	const char *d = a->details;
	size_t len;

	if (d == NULL || strncmp(a->action, "runbook.", 8) != 0)
		return -1;
	if (strcmp(a->action, "runbook.confirm_refused") == 0) {
		len = strlen(d);
	} else {
		if (strncmp(d, "step=", 5) != 0)
			return -1;
		d += 5;
		len = strcspn(d, " ");
	}
	for (size_t i = 0; i < r->n_rows; i++)
		if (strlen(r->rows[i].step_id) == len &&
		    strncmp(r->rows[i].step_id, d, len) == 0)
			return (long)i;
	return -1;
}

/* The value of KEY=VALUE in details (up to a space), copied. */
static void detail_value(const char *details, const char *key, char *out,
                         size_t size)
{
	size_t klen = strlen(key);
	const char *p = details;

	out[0] = '\0';
	while (p != NULL && *p != '\0') {
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			size_t len = strcspn(p + klen + 1, " ");
			if (len >= size)
				len = size - 1;
			memcpy(out, p + klen + 1, len);
			out[len] = '\0';
			return;
		}
		p = strchr(p, ' ');
		if (p != NULL)
			p++;
	}
}

/* Automatic re-runs a step's notes name: lines "attempt N failed ...". */
static int note_reruns(const char *notes)
{
	int n = 0;

	for (const char *p = notes; p != NULL && *p != '\0';) {
		if (strncmp(p, "attempt ", 8) == 0) {
			const char *eol = strchr(p, '\n');
			const char *f = strstr(p, " failed");
			if (f != NULL && (eol == NULL || f < eol))
				n++;
		}
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return n;
}

static void add_event(struct runbook_report_step *s, size_t index)
{
	s->events =
	    xreallocarray(s->events, s->n_events + 1, sizeof *s->events);
	s->events[s->n_events++] = index;
}

/* A step's start: the wait before it when someone answered for it. */
static void add_wait(struct runbook_report *r, size_t step, size_t at)
{
	const struct catalog_audit *a = &r->audit[at];
	const struct catalog_audit *before = NULL;
	struct runbook_report_wait *w;
	char by[128];

	detail_value(a->details, "confirmed_by", by, sizeof by);
	if (by[0] == '\0' || strcmp(by, "-") == 0)
		return;
	/* The row before, refused confirmations aside: they are part of
	 * the wait. */
	for (size_t j = at; j-- > 0;)
		if (strcmp(r->audit[j].action, "runbook.confirm_refused") !=
		    0) {
			before = &r->audit[j];
			break;
		}
	if (before == NULL)
		return;
	r->waits = xreallocarray(r->waits, r->n_waits + 1, sizeof *r->waits);
	w = &r->waits[r->n_waits++];
	memset(w, 0, sizeof *w);
	w->step = step;
	w->ready_at = before->at;
	w->answered_at = a->at;
	/* confirmed_by holds "NAME (ADDRESS)" when there is an address; the
	 * details cut it at the space, so take it from the step row when
	 * it starts the same way. */
	strlcpy_dr(w->by, by, sizeof w->by);
	if (strncmp(r->rows[step].confirmed_by, by, strlen(by)) == 0)
		strlcpy_dr(w->by, r->rows[step].confirmed_by, sizeof w->by);
	w->after_failure = strcmp(before->action, "runbook.step.fail") == 0 &&
	                   audit_step(r, before) == (long)step;
	strlcpy_dr(w->ready_after, before->action, sizeof w->ready_after);
}

static void read_audit_rows(struct runbook_report *r)
{
	for (size_t i = 0; i < r->n_audit; i++) {
		const struct catalog_audit *a = &r->audit[i];
		long s = audit_step(r, a);

		if (strcmp(a->action, "runbook.takeover") == 0) {
			r->takeovers =
			    xreallocarray(r->takeovers, r->n_takeovers + 1,
			                  sizeof *r->takeovers);
			r->takeovers[r->n_takeovers++] = i;
		}
		if (s < 0)
			continue;
		struct runbook_report_step *st = &r->steps[s];
		add_event(st, i);
		if (strcmp(a->action, "runbook.step.start") == 0) {
			if (st->starts++ == 0)
				st->first_start = a->at;
			add_wait(r, (size_t)s, i);
		} else if (strcmp(a->action, "runbook.step.fail") == 0) {
			st->failed_attempts++;
		}
	}
	for (size_t i = 0; i < r->n_rows; i++) {
		struct runbook_report_step *st = &r->steps[i];
		const struct catalog_recovery_step *row = &r->rows[i];
		int reruns = note_reruns(row->notes);

		/* A step started before its audit rows were kept (or by a
		 * catalog restored without them) still has its own start. */
		if (st->first_start == 0 && row->started_at > 0 &&
		    (st->starts > 0 || strcmp(row->status, "pending") != 0))
			st->first_start = row->started_at;
		if (st->starts == 0 && row->started_at > 0 &&
		    strcmp(row->status, "skipped") != 0 &&
		    strcmp(row->status, "pending") != 0)
			st->starts = 1;
		st->attempts = st->starts + reruns;
		st->failed_attempts += reruns;
		st->duration_s = -1;
		if (st->first_start > 0 && row->ended_at >= st->first_start)
			st->duration_s = row->ended_at - st->first_start;
	}
}

/* Targets of the affected services as the catalog has them. */
static int read_targets(struct runbook_report *r, struct catalog *cat,
                        char **err)
{
	struct catalog_tier *tiers = NULL;
	size_t n_tiers = 0;
	const char *p = r->rec.affected_services;
	int rc = catalog_tier_list(cat, &tiers, &n_tiers, err);

	if (rc != CATALOG_OK)
		return rc;
	while (p != NULL && *p != '\0') {
		struct runbook_report_target *t;
		struct catalog_service svc;
		char *e = NULL;
		size_t len;

		p += strspn(p, ", \t");
		len = strcspn(p, ",");
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0)
			break;
		r->targets = xreallocarray(r->targets, r->n_targets + 1,
		                           sizeof *r->targets);
		t = &r->targets[r->n_targets++];
		memset(t, 0, sizeof *t);
		if (len >= sizeof t->service)
			len = sizeof t->service - 1;
		memcpy(t->service, p, len);
		t->service[len] = '\0';
		p += strcspn(p, ",");
		rc = catalog_service_get(cat, t->service, &svc, &e);
		if (rc == CATALOG_ENOTFOUND) {
			free(e);
			continue;
		}
		if (rc != CATALOG_OK) {
			free(tiers);
			*err = e;
			return rc;
		}
		t->known = 1;
		t->rto_s = svc.rto_s;
		t->rpo_s = svc.rpo_s;
		for (size_t i = 0; i < n_tiers; i++)
			if (strcmp(tiers[i].name, svc.tier) == 0) {
				if (t->rto_s <= 0)
					t->rto_s = tiers[i].rto_s;
				if (t->rpo_s <= 0)
					t->rpo_s = tiers[i].rpo_s;
			}
	}
	free(tiers);
	return CATALOG_OK;
}

/* The runbook's title with the run's values: from the runbook text the
 * execution keeps, so a later edit of the file does not change it. */
static void read_exec(struct runbook_report *r, struct catalog *cat)
{
	struct catalog_runbook_exec x;
	struct runbook *rb = NULL;
	char **names = NULL, **values = NULL, *err = NULL;
	size_t n = 0;

	if (catalog_runbook_exec_get(cat, r->rec.recovery_id, &x, &err) !=
	    CATALOG_OK) {
		free(err);
		return;
	}
	r->have_exec = 1;
	r->open = x.open;
	if (x.runbook_path != NULL)
		r->runbook_path = xstrdup(x.runbook_path);
	if (x.runbook_text != NULL &&
	    runbook_parse(x.runbook, x.runbook_text, strlen(x.runbook_text),
	                  &rb, &err) == DR_OK &&
	    catalog_runbook_var_list(cat, r->rec.recovery_id, &names, &values,
	                             &n, &err) == CATALOG_OK) {
		char **ordered = xcalloc(rb->n_vars + 1, sizeof *ordered);

		for (size_t i = 0; i < n; i++) {
			long v = runbook_var_index(rb, names[i]);
			if (v >= 0 && ordered[v] == NULL)
				ordered[v] = xstrdup(values[i]);
		}
		r->title = runbook_expand(rb, ordered, rb->title);
		runbook_values_free(ordered, rb->n_vars);
	}
	free(err);
	for (size_t i = 0; i < n; i++) {
		free(names[i]);
		free(values[i]);
	}
	free(names);
	free(values);
	runbook_free(rb);
	catalog_runbook_exec_clear(&x);
}

int runbook_report_build(struct catalog *cat, const char *recovery_id,
                         int64_t now, struct runbook_report **out, char **err)
{
	struct runbook_report *r = xcalloc(1, sizeof *r);
	int rc;

	*out = NULL;
	r->now = now;
	rc = catalog_recovery_get(cat, recovery_id, &r->rec, err);
	if (rc == CATALOG_OK)
		rc = catalog_recovery_step_list(cat, recovery_id, &r->rows,
		                                &r->n_rows, err);
	if (rc == CATALOG_OK)
		rc = catalog_audit_subject(cat, recovery_id, &r->audit,
		                           &r->n_audit, err);
	if (rc == CATALOG_OK)
		rc = read_targets(r, cat, err);
	if (rc != CATALOG_OK) {
		runbook_report_free(r);
		return rc;
	}
	read_exec(r, cat);
	r->steps = xcalloc(r->n_rows + 1, sizeof *r->steps);
	for (size_t i = 0; i < r->n_rows; i++)
		r->steps[i].row = &r->rows[i];
	read_audit_rows(r);

	r->clock_from = r->rec.incident_started_at ? r->rec.incident_started_at
	                                           : r->rec.initiated_at;
	r->clock_to = r->rec.completed_at ? r->rec.completed_at : now;
	r->elapsed_s =
	    r->clock_to > r->clock_from ? r->clock_to - r->clock_from : 0;
	if (r->rec.completed_at && r->rec.actual_recovery_s >= 0)
		r->elapsed_s = r->rec.actual_recovery_s;
	*out = r;
	return DR_OK;
}

void runbook_report_free(struct runbook_report *r)
{
	if (r == NULL)
		return;
	catalog_recovery_clear(&r->rec);
	free(r->title);
	free(r->runbook_path);
	for (size_t i = 0; r->steps && i < r->n_rows; i++)
		free(r->steps[i].events);
	free(r->steps);
	catalog_recovery_steps_free(r->rows, r->n_rows);
	free(r->waits);
	catalog_audits_free(r->audit, r->n_audit);
	free(r->takeovers);
	free(r->targets);
	free(r);
}

static int ended(const struct runbook_report *r)
{
	return r->rec.completed_at > 0 ||
	       (r->have_exec && !r->open &&
	        strcmp(r->rec.recovery_status, "in_progress") != 0 &&
	        strcmp(r->rec.recovery_status, "initiated") != 0);
}

const char *runbook_report_rto_verdict(const struct runbook_report *r,
                                       int64_t target_s)
{
	if (target_s <= 0)
		return "unknown";
	if (r->elapsed_s > target_s)
		return "over";
	if (!ended(r))
		return "open";
	if (strcmp(r->rec.recovery_status, "completed") != 0)
		return "not recovered";
	return "within";
}

const char *runbook_report_rpo_verdict(const struct runbook_report *r,
                                       int64_t target_s)
{
	if (r->rec.data_loss_minutes < 0 || target_s <= 0)
		return "unknown";
	return r->rec.data_loss_minutes * 60.0 > (double)target_s ? "over"
	                                                          : "within";
}

/* ---- Markdown and text ---------------------------------------------- */

struct writer {
	FILE *f;
	int md;
};

/* Catalog text as text: Markdown's punctuation escaped (as
 * core/report_md.c does); line breaks become spaces. */
static void put_text(const struct writer *w, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		if (*s == '\n' || *s == '\r' || *s == '\t') {
			fputc(' ', w->f);
			continue;
		}
		if (w->md && strchr("<>&", *s)) {
			fputs(*s == '<'   ? "&lt;"
			      : *s == '>' ? "&gt;"
			                  : "&amp;",
			      w->f);
			continue;
		}
		if (w->md && strchr("\\|*_`[]#~", *s))
			fputc('\\', w->f);
		fputc(*s, w->f);
	}
}

static void put_or(const struct writer *w, const char *s, const char *none)
{
	put_text(w, s != NULL && s[0] ? s : none);
}

static void heading(const struct writer *w, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void heading(const struct writer *w, int level, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	if (w->md) {
		fprintf(w->f, "\n%.*s ", level, "####");
		put_text(w, text);
		fputc('\n', w->f);
	} else if (level <= 2) {
		fputc('\n', w->f);
		for (char *p = text; *p; p++)
			if (*p >= 'a' && *p <= 'z' && level == 2)
				*p = (char)(*p - 'a' + 'A');
		put_text(w, text);
		fputc('\n', w->f);
	} else {
		fputc('\n', w->f);
		put_text(w, text);
		fputc('\n', w->f);
	}
	free(text);
}

static const char *iso(int64_t t, char buf[32])
{
	if (t <= 0) {
		strlcpy_dr(buf, "-", 32);
		return buf;
	}
	time_format_iso(t, buf);
	return buf;
}

static const char *dur(int64_t s, char *buf, size_t size)
{
	if (s < 0) {
		strlcpy_dr(buf, "unknown", size);
		return buf;
	}
	return duration_format(s, buf, size);
}

/* A block of raw text (an output tail, notes): fenced in Markdown with a
 * fence longer than any run of backticks inside; indented in text. */
static void put_block(const struct writer *w, const char *indent,
                      const char *text)
{
	size_t run = 0, longest = 0;

	if (!w->md) {
		const char *p = text;
		while (*p) {
			size_t len = strcspn(p, "\n");
			fprintf(w->f, "%s%.*s\n", indent, (int)len, p);
			p += len;
			if (*p == '\n')
				p++;
		}
		return;
	}
	for (const char *p = text; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	if (longest < 3)
		longest = 2;
	fprintf(w->f, "\n%s%.*s\n", indent, (int)longest + 1,
	        "````````````````````````````````````````````````````````````"
	        "````````````````````");
	const char *p = text;
	while (*p) {
		size_t len = strcspn(p, "\n");
		fprintf(w->f, "%s%.*s\n", indent, (int)len, p);
		p += len;
		if (*p == '\n')
			p++;
	}
	fprintf(w->f, "%s%.*s\n", indent, (int)longest + 1,
	        "````````````````````````````````````````````````````````````"
	        "````````````````````");
}

static void item(const struct writer *w, const char *label)
{
	fprintf(w->f, "%s%s: ", w->md ? "- " : "  ", label);
}

/* A label whose value is the block or list on the lines below. */
static void item_below(const struct writer *w, const char *label)
{
	fprintf(w->f, "%s%s:\n", w->md ? "- " : "  ", label);
}

static void write_header(const struct writer *w, const struct runbook_report *r)
{
	const struct catalog_recovery *rec = &r->rec;
	char a[32], b[32];

	heading(w, 1, "%s %s", rec->is_drill ? "Drill" : "Recovery",
	        rec->recovery_id);
	fputc('\n', w->f);
	item(w, "Runbook");
	put_text(w, rec->recovery_procedure);
	if (r->runbook_path) {
		fputs(" (", w->f);
		put_text(w, r->runbook_path);
		fputc(')', w->f);
	}
	fputc('\n', w->f);
	item(w, "Title");
	put_or(w, r->title, "unknown (the runbook text is not kept)");
	fputc('\n', w->f);
	item(w, "Kind");
	fputs(rec->is_drill ? "drill" : "real run", w->f);
	fputc('\n', w->f);
	item(w, "Incident");
	put_text(w, rec->incident_type);
	fprintf(w->f, ", started %s\n", iso(rec->incident_started_at, a));
	item(w, "Services");
	put_or(w, rec->affected_services, "-");
	fputc('\n', w->f);
	item(w, "Started by");
	put_or(w, rec->initiated_by, "unknown");
	fputc('\n', w->f);
	item(w, "Started");
	fprintf(w->f, "%s\n", iso(rec->initiated_at, a));
	item(w, "Ended");
	fprintf(w->f, "%s\n",
	        rec->completed_at ? iso(rec->completed_at, b)
	                          : "not yet (the run is open)");
	item(w, "Outcome");
	put_text(w, rec->recovery_status);
	if (!ended(r))
		fputs(r->have_exec && r->open ? " (open: resumable)" : "",
		      w->f);
	fputc('\n', w->f);
}

static void write_targets(const struct writer *w,
                          const struct runbook_report *r)
{
	const struct catalog_recovery *rec = &r->rec;
	char a[32], b[32], e[32], t[32];

	heading(w, 2, "RTO and RPO");
	fputc('\n', w->f);
	item(w, "RTO clock");
	fprintf(w->f, "%s, from %s (%s) to %s (%s)\n",
	        dur(r->elapsed_s, e, sizeof e), iso(r->clock_from, a),
	        rec->incident_started_at && !rec->is_drill
	            ? "the incident's start"
	            : "the run's start",
	        iso(r->clock_to, b), rec->completed_at ? "its end" : "now");
	item(w, "Runbook RTO");
	if (rec->rto_target_s > 0)
		fprintf(w->f, "%s: %s\n",
		        duration_format(rec->rto_target_s, t, sizeof t),
		        runbook_report_rto_verdict(r, rec->rto_target_s));
	else
		fputs("none: unknown\n", w->f);
	for (size_t i = 0; i < r->n_targets; i++) {
		const struct runbook_report_target *tg = &r->targets[i];
		char label[96];

		snprintf(label, sizeof label, "RTO of %s", tg->service);
		item(w, label);
		if (!tg->known)
			fputs("unknown (no such service in the catalog)\n",
			      w->f);
		else if (tg->rto_s <= 0)
			fputs("none: unknown\n", w->f);
		else
			fprintf(w->f, "%s: %s\n",
			        duration_format(tg->rto_s, t, sizeof t),
			        runbook_report_rto_verdict(r, tg->rto_s));
	}
	item(w, "Data loss");
	if (rec->data_loss_minutes >= 0)
		fprintf(w->f, "%.1f min (recorded on the recovery)\n",
		        rec->data_loss_minutes);
	else
		fputs("unknown (no figure recorded on the recovery)\n", w->f);
	item(w, "Runbook RPO");
	if (rec->rpo_target_s > 0)
		fprintf(w->f, "%s: %s\n",
		        duration_format(rec->rpo_target_s, t, sizeof t),
		        runbook_report_rpo_verdict(r, rec->rpo_target_s));
	else
		fputs("none: unknown\n", w->f);
	for (size_t i = 0; i < r->n_targets; i++) {
		const struct runbook_report_target *tg = &r->targets[i];
		char label[96];

		if (!tg->known)
			continue;
		snprintf(label, sizeof label, "RPO of %s", tg->service);
		item(w, label);
		if (tg->rpo_s <= 0)
			fputs("none: unknown\n", w->f);
		else
			fprintf(w->f, "%s: %s\n",
			        duration_format(tg->rpo_s, t, sizeof t),
			        runbook_report_rpo_verdict(r, tg->rpo_s));
	}
}

static void write_event(const struct writer *w, const struct catalog_audit *a,
                        const char *indent)
{
	char at[32];

	fprintf(w->f, "%s%s%s #%lld ", indent, w->md ? "- " : "",
	        iso(a->at, at), (long long)a->seq);
	put_text(w, a->action);
	fputs(" by ", w->f);
	put_text(w, a->actor);
	if (a->origin[0]) {
		fputs(" from ", w->f);
		put_text(w, a->origin);
	}
	if (a->details && a->details[0]) {
		fputs(": ", w->f);
		put_text(w, a->details);
	}
	fputc('\n', w->f);
}

static void write_steps(const struct writer *w, const struct runbook_report *r)
{
	char a[32], b[32], d[32];

	heading(w, 2, "Steps (%zu)", r->n_rows);
	if (r->n_rows == 0)
		fputs("\nNo step was recorded.\n", w->f);
	for (size_t i = 0; i < r->n_rows; i++) {
		const struct runbook_report_step *s = &r->steps[i];
		const struct catalog_recovery_step *row = s->row;

		heading(w, 3, "%d. %s: %s (%s)", row->seq, row->step_id,
		        row->title, row->status);
		fputc('\n', w->f);
		item(w, "Phase");
		put_or(w, row->phase, "-");
		fputc('\n', w->f);
		item(w, "Started");
		fprintf(w->f, "%s\n", iso(s->first_start, a));
		item(w, "Ended");
		fprintf(w->f, "%s\n", iso(row->ended_at, b));
		item(w, "Duration");
		if (s->duration_s < 0 && s->first_start > 0 &&
		    row->ended_at == 0)
			fprintf(w->f, "not ended (%s since %s)\n", row->status,
			        iso(s->first_start, a));
		else
			fprintf(w->f, "%s\n", dur(s->duration_s, d, sizeof d));
		item(w, "Confirmed by");
		put_or(w, row->confirmed_by, "- (no confirmation asked)");
		fputc('\n', w->f);
		item(w, "Attempts");
		fprintf(w->f, "%d (%d failed)\n", s->attempts,
		        s->failed_attempts);
		item(w, "Exit status");
		if (row->exit_code >= 0)
			fprintf(w->f, "%d\n", row->exit_code);
		else
			fputs("none\n", w->f);
		if (row->notes && row->notes[0]) {
			item_below(w, "Notes");
			put_block(w, "    ", row->notes);
		}
		if (s->n_events > 0) {
			item_below(w, "History");
			for (size_t e = 0; e < s->n_events; e++)
				write_event(w, &r->audit[s->events[e]],
				            w->md ? "  " : "    ");
		}
		if (row->output_tail && row->output_tail[0]) {
			item_below(w, "Output tail");
			put_block(w, "    ", row->output_tail);
		} else {
			item(w, "Output tail");
			fputs("none stored\n", w->f);
		}
	}
}

static void write_waits(const struct writer *w, const struct runbook_report *r)
{
	char a[32], b[32], d[32];

	heading(w, 2, "Waits for confirmation (%zu)", r->n_waits);
	fputc('\n', w->f);
	if (r->n_waits == 0)
		fputs("None: no step asked for a confirmation.\n", w->f);
	for (size_t i = 0; i < r->n_waits; i++) {
		const struct runbook_report_wait *wt = &r->waits[i];
		const struct catalog_recovery_step *row = &r->rows[wt->step];

		fprintf(w->f, "%s", w->md ? "- " : "  ");
		fprintf(w->f, "%d. ", row->seq);
		put_text(w, row->step_id);
		fprintf(w->f, ": %s %s, ready %s (after ",
		        dur(wt->answered_at - wt->ready_at, d, sizeof d),
		        wt->after_failure ? "to choose a retry" : "to confirm",
		        iso(wt->ready_at, a));
		put_text(w, wt->ready_after);
		fprintf(w->f, "), answered %s by ", iso(wt->answered_at, b));
		put_text(w, wt->by);
		fputc('\n', w->f);
	}
}

static void write_sessions(const struct writer *w,
                           const struct runbook_report *r)
{
	size_t n = 0;

	heading(w, 2, "Takeovers (%zu)", r->n_takeovers);
	fputc('\n', w->f);
	if (r->n_takeovers == 0)
		fputs("None: no one took the run over.\n", w->f);
	for (size_t i = 0; i < r->n_takeovers; i++)
		write_event(w, &r->audit[r->takeovers[i]], w->md ? "" : "  ");
	heading(w, 2, "Sessions");
	fputc('\n', w->f);
	for (size_t i = 0; i < r->n_audit; i++) {
		const struct catalog_audit *a = &r->audit[i];
		/* The run's own rows (start, pause, resume, takeover, end,
		 * notes), not its steps'. */
		int keep = (strncmp(a->action, "runbook.", 8) == 0 &&
		            audit_step(r, a) < 0 &&
		            strncmp(a->action, "runbook.fault.", 14) != 0) ||
		           strcmp(a->action, "recovery.note") == 0;

		if (keep) {
			write_event(w, a, w->md ? "" : "  ");
			n++;
		}
	}
	if (n == 0)
		fputs("None recorded in the audit log.\n", w->f);
}

void runbook_report_write(const struct runbook_report *r,
                          enum runbook_report_style style, FILE *out)
{
	struct writer w = {out, style == RUNBOOK_REPORT_MD};

	write_header(&w, r);
	write_targets(&w, r);
	write_steps(&w, r);
	write_waits(&w, r);
	write_sessions(&w, r);
	heading(&w, 2, "Notes");
	fputc('\n', out);
	if (r->rec.recovery_notes && r->rec.recovery_notes[0])
		put_block(&w, "", r->rec.recovery_notes);
	else
		fputs("None.\n", out);
	heading(&w, 2, "Lessons learned");
	fputc('\n', out);
	if (r->rec.lessons_learned && r->rec.lessons_learned[0])
		put_block(&w, "", r->rec.lessons_learned);
	else
		fputs("None recorded (drconsole runbook note ID --lessons "
		      "TEXT).\n",
		      out);
}

/* ---- JSON ------------------------------------------------------------ */

static void add_num(cJSON *o, const char *key, int64_t v, int negative_is_null)
{
	if (negative_is_null && v < 0)
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddNumberToObject(o, key, (double)v);
}

static cJSON *event_json(const struct catalog_audit *a)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "seq", (double)a->seq);
	json_add_time(o, "at", a->at);
	json_add_text(o, "action", a->action);
	json_add_text(o, "actor", a->actor);
	json_add_text(o, "origin", a->origin);
	json_add_text(o, "details", a->details);
	return o;
}

static cJSON *targets_json(const struct runbook_report *r, int rpo)
{
	cJSON *o = cJSON_CreateObject(), *list = cJSON_CreateArray();
	const struct catalog_recovery *rec = &r->rec;
	int64_t target = rpo ? rec->rpo_target_s : rec->rto_target_s;

	if (rpo) {
		if (rec->data_loss_minutes >= 0)
			cJSON_AddNumberToObject(o, "data_loss_minutes",
			                        rec->data_loss_minutes);
		else
			cJSON_AddNullToObject(o, "data_loss_minutes");
	} else {
		add_num(o, "elapsed_s", r->elapsed_s, 1);
		json_add_time(o, "from", r->clock_from);
		json_add_time(o, "to", r->clock_to);
	}
	add_num(o, "runbook_target_s", target > 0 ? target : -1, 1);
	json_add_text(o, "verdict",
	              rpo ? runbook_report_rpo_verdict(r, target)
	                  : runbook_report_rto_verdict(r, target));
	for (size_t i = 0; i < r->n_targets; i++) {
		const struct runbook_report_target *tg = &r->targets[i];
		cJSON *s = cJSON_CreateObject();
		int64_t t = rpo ? tg->rpo_s : tg->rto_s;

		json_add_text(s, "service", tg->service);
		cJSON_AddBoolToObject(s, "known", tg->known);
		add_num(s, "target_s", tg->known && t > 0 ? t : -1, 1);
		json_add_text(s, "verdict",
		              !tg->known ? "unknown"
		              : rpo      ? runbook_report_rpo_verdict(r, t)
		                         : runbook_report_rto_verdict(r, t));
		cJSON_AddItemToArray(list, s);
	}
	cJSON_AddItemToObject(o, "services", list);
	return o;
}

static cJSON *step_json(const struct runbook_report *r, size_t i)
{
	const struct runbook_report_step *s = &r->steps[i];
	const struct catalog_recovery_step *row = s->row;
	cJSON *o = cJSON_CreateObject(), *ev = cJSON_CreateArray();

	cJSON_AddNumberToObject(o, "seq", row->seq);
	json_add_text(o, "id", row->step_id);
	json_add_text(o, "phase", row->phase);
	json_add_text(o, "title", row->title);
	json_add_text(o, "status", row->status);
	json_add_time(o, "started_at", s->first_start);
	json_add_time(o, "ended_at", row->ended_at);
	add_num(o, "duration_s", s->duration_s, 1);
	json_add_text(o, "confirmed_by", row->confirmed_by);
	cJSON_AddNumberToObject(o, "attempts", s->attempts);
	cJSON_AddNumberToObject(o, "failed_attempts", s->failed_attempts);
	add_num(o, "exit_status", row->exit_code, 1);
	json_add_text(o, "notes", row->notes);
	json_add_text(o, "output_tail", row->output_tail);
	for (size_t e = 0; e < s->n_events; e++)
		cJSON_AddItemToArray(ev, event_json(&r->audit[s->events[e]]));
	cJSON_AddItemToObject(o, "history", ev);
	return o;
}

char *runbook_report_json(const struct runbook_report *r)
{
	const struct catalog_recovery *rec = &r->rec;
	cJSON *o = cJSON_CreateObject(), *a;
	char *text;

	json_add_text(o, "recovery_id", rec->recovery_id);
	json_add_text(o, "runbook", rec->recovery_procedure);
	json_add_text(o, "runbook_path", r->runbook_path);
	json_add_text(o, "title", r->title);
	cJSON_AddBoolToObject(o, "drill", rec->is_drill);
	json_add_text(o, "incident", rec->incident_type);
	json_add_time(o, "incident_started_at", rec->incident_started_at);
	a = cJSON_CreateArray();
	for (size_t i = 0; i < r->n_targets; i++)
		cJSON_AddItemToArray(a,
		                     cJSON_CreateString(r->targets[i].service));
	cJSON_AddItemToObject(o, "services", a);
	json_add_text(o, "initiated_by", rec->initiated_by);
	json_add_time(o, "started_at", rec->initiated_at);
	json_add_time(o, "ended_at", rec->completed_at);
	json_add_text(o, "outcome", rec->recovery_status);
	cJSON_AddBoolToObject(o, "open", r->have_exec && r->open);
	cJSON_AddItemToObject(o, "rto", targets_json(r, 0));
	cJSON_AddItemToObject(o, "rpo", targets_json(r, 1));
	a = cJSON_CreateArray();
	for (size_t i = 0; i < r->n_rows; i++)
		cJSON_AddItemToArray(a, step_json(r, i));
	cJSON_AddItemToObject(o, "steps", a);
	a = cJSON_CreateArray();
	for (size_t i = 0; i < r->n_waits; i++) {
		const struct runbook_report_wait *wt = &r->waits[i];
		cJSON *w = cJSON_CreateObject();

		json_add_text(w, "step", r->rows[wt->step].step_id);
		json_add_text(w, "kind",
		              wt->after_failure ? "retry" : "confirmation");
		json_add_time(w, "ready_at", wt->ready_at);
		json_add_text(w, "ready_after", wt->ready_after);
		json_add_time(w, "answered_at", wt->answered_at);
		cJSON_AddNumberToObject(
		    w, "wait_s", (double)(wt->answered_at - wt->ready_at));
		json_add_text(w, "by", wt->by);
		cJSON_AddItemToArray(a, w);
	}
	cJSON_AddItemToObject(o, "waits", a);
	a = cJSON_CreateArray();
	for (size_t i = 0; i < r->n_takeovers; i++)
		cJSON_AddItemToArray(a, event_json(&r->audit[r->takeovers[i]]));
	cJSON_AddItemToObject(o, "takeovers", a);
	json_add_text(o, "notes", rec->recovery_notes);
	json_add_text(o, "lessons_learned", rec->lessons_learned);
	a = cJSON_CreateArray();
	for (size_t i = 0; i < r->n_audit; i++)
		cJSON_AddItemToArray(a, event_json(&r->audit[i]));
	cJSON_AddItemToObject(o, "audit", a);
	text = json_print_text(o, 1);
	cJSON_Delete(o);
	return text;
}

char *runbook_report_log_json(const struct catalog_recovery *recs, size_t n,
                              size_t total, int64_t now)
{
	cJSON *o = cJSON_CreateObject(), *list = cJSON_CreateArray();
	char *text;

	cJSON_AddNumberToObject(o, "total", (double)total);
	for (size_t i = 0; i < n; i++) {
		const struct catalog_recovery *rec = &recs[i];
		struct runbook_report r;
		cJSON *e = cJSON_CreateObject(), *svc = cJSON_CreateArray();
		const char *p = rec->affected_services;

		/* The verdicts of a record without its steps or audit rows:
		 * enough for the clock and the data loss. */
		memset(&r, 0, sizeof r);
		r.rec = *rec;
		r.now = now;
		r.clock_from = rec->incident_started_at
		                   ? rec->incident_started_at
		                   : rec->initiated_at;
		r.clock_to = rec->completed_at ? rec->completed_at : now;
		r.elapsed_s =
		    r.clock_to > r.clock_from ? r.clock_to - r.clock_from : 0;
		if (rec->completed_at && rec->actual_recovery_s >= 0)
			r.elapsed_s = rec->actual_recovery_s;
		json_add_text(e, "recovery_id", rec->recovery_id);
		json_add_text(e, "runbook", rec->recovery_procedure);
		cJSON_AddBoolToObject(e, "drill", rec->is_drill);
		json_add_text(e, "incident", rec->incident_type);
		while (p != NULL && *p != '\0') {
			size_t len;
			char name[64];

			p += strspn(p, ", \t");
			len = strcspn(p, ",");
			while (len > 0 &&
			       (p[len - 1] == ' ' || p[len - 1] == '\t'))
				len--;
			if (len == 0)
				break;
			snprintf(name, sizeof name, "%.*s", (int)len, p);
			cJSON_AddItemToArray(svc, cJSON_CreateString(name));
			p += strcspn(p, ",");
		}
		cJSON_AddItemToObject(e, "services", svc);
		json_add_text(e, "status", rec->recovery_status);
		json_add_text(e, "initiated_by", rec->initiated_by);
		json_add_time(e, "incident_started_at",
		              rec->incident_started_at);
		json_add_time(e, "started_at", rec->initiated_at);
		json_add_time(e, "ended_at", rec->completed_at);
		add_num(e, "recovery_time_s",
		        rec->completed_at ? r.elapsed_s : -1, 1);
		add_num(e, "rto_target_s",
		        rec->rto_target_s > 0 ? rec->rto_target_s : -1, 1);
		json_add_text(
		    e, "rto_verdict",
		    runbook_report_rto_verdict(&r, rec->rto_target_s));
		if (rec->data_loss_minutes >= 0)
			cJSON_AddNumberToObject(e, "data_loss_minutes",
			                        rec->data_loss_minutes);
		else
			cJSON_AddNullToObject(e, "data_loss_minutes");
		add_num(e, "rpo_target_s",
		        rec->rpo_target_s > 0 ? rec->rpo_target_s : -1, 1);
		json_add_text(
		    e, "rpo_verdict",
		    runbook_report_rpo_verdict(&r, rec->rpo_target_s));
		cJSON_AddItemToArray(list, e);
	}
	cJSON_AddItemToObject(o, "recoveries", list);
	text = json_print_text(o, 1);
	cJSON_Delete(o);
	return text;
}
