/* See report.h.  Choices:
 *  - A period is half-open, [since, until); the verdict at `until` is the
 *    newest transition at or before it.
 *  - A breach that started before the period or ended after it is shown
 *    whole (its real start and end): an auditor wants the gap, not the
 *    slice.  Its duration counts towards breach_s only inside the period.
 *  - A recovery belongs to the period when it overlaps it (initiated
 *    before until, and not completed before since), and to every service
 *    in its affected_services. */
#include "core/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/duration.h"
#include "core/error.h"
#include "core/xmalloc.h"

/* ---- time in compliance ------------------------------------------------ */

static int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static int is_breach(const struct catalog_verdict *v)
{
	return strcmp(v->verdict, "BREACH") == 0;
}

void report_time_in_compliance(const struct catalog_verdict *t, size_t n,
                               int64_t since, int64_t until,
                               struct report_span *out,
                               struct report_breach **breaches,
                               size_t *n_breaches)
{
	struct report_breach *list = NULL;
	size_t count = 0;

	memset(out, 0, sizeof(*out));
	out->period_s = until > since ? until - since : 0;
	for (size_t i = 0; i < n; i++) {
		int64_t from = max64(t[i].at, since);
		int64_t to = min64(i + 1 < n ? t[i + 1].at : until, until);

		if (to <= from)
			continue;
		if (out->known_from == 0 || from < out->known_from)
			out->known_from = from;
		if (strcmp(t[i].verdict, "OK") == 0)
			out->ok_s += to - from;
		else if (strcmp(t[i].verdict, "AT RISK") == 0)
			out->at_risk_s += to - from;
		else if (is_breach(&t[i]))
			out->breach_s += to - from;
	}
	out->unknown_s =
	    out->period_s - out->ok_s - out->at_risk_s - out->breach_s;
	out->ok_share = out->period_s > 0 && out->unknown_s < out->period_s
	                    ? (double)out->ok_s / (double)out->period_s
	                    : -1;

	for (size_t i = 0; i < n; i++) {
		if (!is_breach(&t[i]) || (i > 0 && is_breach(&t[i - 1])))
			continue;
		size_t j = i + 1;
		while (j < n && is_breach(&t[j]))
			j++;
		struct report_breach b;
		memset(&b, 0, sizeof(b));
		b.start = t[i].at;
		b.end = j < n ? t[j].at : 0;
		strlcpy_dr(b.reason, t[i].reason, sizeof(b.reason));
		if (b.start >= until || (b.end != 0 && b.end <= since))
			continue;
		b.duration_s = (b.end != 0 ? b.end : until) - b.start;
		list = xreallocarray(list, count + 1, sizeof(*list));
		list[count++] = b;
	}
	*breaches = list;
	*n_breaches = count;
}

/* ---- building ---------------------------------------------------------- */

/* 1 when the comma-separated list names `service`. */
static int names_service(const char *list, const char *service)
{
	size_t len = strlen(service);
	const char *p = list;

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		const char *end = strchr(p, ',');
		size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (n == len && strncmp(p, service, len) == 0)
			return 1;
		p = end;
	}
	return 0;
}

static int met(int64_t actual, int64_t target)
{
	if (actual < 0 || target <= 0)
		return -1;
	return actual <= target;
}

/* The recovery of `rec` for service s, given every restore of s. */
static void fill_recovery(struct catalog *cat, const struct report_service *s,
                          const struct catalog_restore *restores, size_t n,
                          struct catalog_recovery *rec,
                          struct report_recovery *out)
{
	char *err = NULL;

	memset(out, 0, sizeof(*out));
	out->rec = *rec; /* takes the owned strings */
	memset(rec, 0, sizeof(*rec));
	out->rto_target_s =
	    out->rec.rto_target_s > 0 ? out->rec.rto_target_s : s->rto_target_s;
	out->rpo_target_s =
	    out->rec.rpo_target_s > 0 ? out->rec.rpo_target_s : s->rpo_target_s;
	out->rto_met = met(out->rec.actual_recovery_s, out->rto_target_s);
	out->rpo_met =
	    out->rec.data_loss_minutes < 0
	        ? -1
	        : met((int64_t)(out->rec.data_loss_minutes * 60.0 + 0.5),
	              out->rpo_target_s);
	/* Newest first: the first ok restore of the run is its newest. */
	for (size_t i = 0; i < n; i++) {
		if (restores[i].ok && restores[i].recovery_id[0] != '\0' &&
		    strcmp(restores[i].recovery_id, out->rec.recovery_id) ==
		        0) {
			out->restore = restores[i];
			break;
		}
	}
	out->evidence = out->restore.id != 0 &&
	                strcmp(out->rec.recovery_status, "completed") == 0;
	if (catalog_recovery_step_list(cat, out->rec.recovery_id, &out->steps,
	                               &out->n_steps, &err) != CATALOG_OK) {
		free(err); /* the recovery is still shown, without steps */
		out->steps = NULL;
		out->n_steps = 0;
	}
	for (size_t i = 0; i < out->n_steps; i++) {
		const char *st = out->steps[i].status;
		if (strcmp(st, "completed") == 0)
			out->steps_completed++;
		else if (strcmp(st, "skipped") == 0)
			out->steps_skipped++;
		else if (strcmp(st, "failed") == 0)
			out->steps_failed++;
	}
}

static int fill_service(struct catalog *cat, const struct report_options *opt,
                        struct catalog_recovery *recs, size_t n_recs,
                        struct report_service *s, char **err)
{
	struct catalog_verdict *hist = NULL;
	struct catalog_restore *restores = NULL;
	size_t n_hist = 0, n_restores = 0;
	int rc;

	rc = catalog_verdict_history(cat, s->name, opt->since, &hist, &n_hist,
	                             err);
	if (rc != CATALOG_OK)
		return rc;
	report_time_in_compliance(hist, n_hist, opt->since, opt->until,
	                          &s->time, &s->breaches, &s->n_breaches);
	for (size_t i = 0; i < n_hist && hist[i].at <= opt->until; i++)
		strlcpy_dr(s->verdict_at_end, hist[i].verdict,
		           sizeof(s->verdict_at_end));
	free(hist);

	rc = catalog_backup_counts(cat, s->name, opt->since, opt->until,
	                           &s->backups, err);
	if (rc != CATALOG_OK)
		return rc;

	rc = catalog_restore_list(cat, s->name, 0, &restores, &n_restores, err);
	if (rc != CATALOG_OK)
		return rc;
	/* Newest first from the catalog; the report reads oldest first. */
	for (size_t i = n_restores; i-- > 0;) {
		const struct catalog_restore *r = &restores[i];
		if (r->ended_at < opt->since || r->ended_at >= opt->until)
			continue;
		s->restores = xreallocarray(s->restores, s->n_restores + 1,
		                            sizeof(*s->restores));
		s->restores[s->n_restores++] = *r;
	}

	/* Recoveries come newest first too. */
	for (size_t i = n_recs; i-- > 0;) {
		struct catalog_recovery *rec = &recs[i];
		if (rec->recovery_id[0] == '\0' ||
		    rec->initiated_at >= opt->until ||
		    (rec->completed_at != 0 &&
		     rec->completed_at < opt->since) ||
		    !names_service(rec->affected_services, s->name))
			continue;
		struct catalog_recovery copy = *rec;
		copy.affected_services = rec->affected_services
		                             ? xstrdup(rec->affected_services)
		                             : NULL;
		copy.recovery_notes =
		    rec->recovery_notes ? xstrdup(rec->recovery_notes) : NULL;
		copy.lessons_learned =
		    rec->lessons_learned ? xstrdup(rec->lessons_learned) : NULL;
		s->recoveries = xreallocarray(
		    s->recoveries, s->n_recoveries + 1, sizeof(*s->recoveries));
		fill_recovery(cat, s, restores, n_restores, &copy,
		              &s->recoveries[s->n_recoveries++]);
	}
	free(restores);

	struct test_run *runs = NULL;
	size_t n_runs = 0;
	rc = testprog_runs(cat, s->name, 0, &runs, &n_runs, err);
	if (rc != DR_OK)
		return rc;
	for (size_t i = n_runs; i-- > 0;) {
		if (runs[i].ended_at < opt->since ||
		    runs[i].ended_at >= opt->until)
			continue;
		s->tests =
		    xreallocarray(s->tests, s->n_tests + 1, sizeof(*s->tests));
		s->tests[s->n_tests++] = runs[i];
	}
	free(runs);
	return CATALOG_OK;
}

static void fill_audit(struct catalog *cat, struct report_audit *a)
{
	struct catalog_audit *head = NULL;
	size_t n = 0;
	char *err = NULL;
	int64_t rows = 0, bad = 0;

	memset(a, 0, sizeof(*a));
	int rc = audit_verify(cat, &rows, &bad, &err);
	a->rows = rows;
	a->intact = rc == DR_OK;
	a->first_bad = bad;
	if (rc != DR_OK)
		strlcpy_dr(a->message, err ? err : "verification failed",
		           sizeof(a->message));
	free(err);
	err = NULL;
	if (catalog_audit_list(cat, 1, &head, &n, &err) == CATALOG_OK &&
	    n == 1) {
		a->head_seq = head[0].seq;
		a->head_at = head[0].at;
		strlcpy_dr(a->head_hash, head[0].hash, sizeof(a->head_hash));
	} else if (err != NULL && a->intact) {
		a->intact = 0;
		strlcpy_dr(a->message, err, sizeof(a->message));
	}
	free(err);
	catalog_audits_free(head, n);
}

int report_build(struct catalog *cat, const struct report_options *opt,
                 struct report *out, char **err)
{
	struct catalog_service *svcs = NULL;
	struct catalog_tier *tiers = NULL;
	struct catalog_recovery *recs = NULL;
	size_t n_svcs = 0, n_tiers = 0, n_recs = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (opt->until <= opt->since) {
		*err = xstrdup("report: the period is empty (--until must be "
		               "after --since)");
		return DR_EINVAL;
	}
	out->generated_at = opt->now;
	out->since = opt->since;
	out->until = opt->until;
	out->catalog = opt->catalog ? xstrdup(opt->catalog) : NULL;
	out->environment = opt->environment && opt->environment[0]
	                       ? xstrdup(opt->environment)
	                       : NULL;

	rc = catalog_service_list(cat, &svcs, &n_svcs, err);
	if (rc == CATALOG_OK)
		rc = catalog_tier_list(cat, &tiers, &n_tiers, err);
	if (rc == CATALOG_OK)
		rc = catalog_recovery_list(cat, 0, &recs, &n_recs, err);
	if (rc == CATALOG_OK && opt->service != NULL) {
		int found = 0;
		for (size_t i = 0; i < n_svcs; i++)
			found |= strcmp(svcs[i].name, opt->service) == 0;
		if (!found) {
			*err = xasprintf("report: no service named '%s'",
			                 opt->service);
			rc = DR_ENOTFOUND;
		}
	}
	for (size_t i = 0; rc == CATALOG_OK && i < n_svcs; i++) {
		const struct catalog_service *c = &svcs[i];
		if (opt->service != NULL && strcmp(c->name, opt->service) != 0)
			continue;
		out->services = xreallocarray(out->services, out->n + 1,
		                              sizeof(*out->services));
		struct report_service *s = &out->services[out->n++];
		memset(s, 0, sizeof(*s));
		strlcpy_dr(s->name, c->name, sizeof(s->name));
		strlcpy_dr(s->tier, c->tier, sizeof(s->tier));
		strlcpy_dr(s->owner, c->owner, sizeof(s->owner));
		s->rpo_target_s = c->rpo_s;
		s->rto_target_s = c->rto_s;
		for (size_t t = 0; t < n_tiers; t++) {
			if (strcmp(tiers[t].name, c->tier) != 0)
				continue;
			if (s->rpo_target_s <= 0)
				s->rpo_target_s = tiers[t].rpo_s;
			if (s->rto_target_s <= 0)
				s->rto_target_s = tiers[t].rto_s;
		}
		rc = fill_service(cat, opt, recs, n_recs, s, err);
	}
	free(svcs);
	free(tiers);
	catalog_recoveries_free(recs, n_recs);
	if (rc != CATALOG_OK) {
		report_free(out);
		return rc;
	}
	fill_audit(cat, &out->audit);
	return DR_OK;
}

void report_free(struct report *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++) {
		struct report_service *s = &r->services[i];
		free(s->breaches);
		free(s->restores);
		free(s->tests);
		for (size_t j = 0; j < s->n_recoveries; j++) {
			catalog_recovery_clear(&s->recoveries[j].rec);
			catalog_recovery_steps_free(s->recoveries[j].steps,
			                            s->recoveries[j].n_steps);
		}
		free(s->recoveries);
	}
	free(r->services);
	free(r->catalog);
	free(r->environment);
	memset(r, 0, sizeof(*r));
}

/* ---- formats ----------------------------------------------------------- */

static const struct report_format *const formats[] = {
    &report_format_md,
    &report_format_html,
    &report_format_json,
    &report_format_csv,
};

const struct report_format *report_format_find(const char *name)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(formats[i]->name, name) == 0)
			return formats[i];
	return NULL;
}

const char *report_format_names(void)
{
	return "md, html, json, csv";
}

void report_share_text(const struct report_span *t, char *buf, size_t size)
{
	if (t->ok_share < 0)
		snprintf(buf, size, "unknown");
	else
		snprintf(buf, size, "%.2f %%", t->ok_share * 100.0);
}

const char *report_met_text(int m)
{
	return m < 0 ? "unknown" : m ? "yes" : "no";
}

const char *report_duration_text(int64_t s, char *buf, size_t size)
{
	if (s >= 0)
		return duration_format(s, buf, size);
	strlcpy_dr(buf, "unknown", size);
	return buf;
}

const char *report_target_text(int64_t s, char *buf, size_t size)
{
	if (s > 0)
		return duration_format(s, buf, size);
	strlcpy_dr(buf, "none", size);
	return buf;
}

FILE *report_memstream(char **text, size_t *len)
{
	FILE *f = open_memstream(text, len);

	if (f == NULL) {
		fputs("drconsole: out of memory\n", stderr);
		abort();
	}
	return f;
}
