/* The plugin output; the format is in core/check.h. */
#include "core/check.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"

/* Text for the human part: a '|' would start the performance data. */
static void put_text(FILE *f, const char *s)
{
	for (; *s != '\0'; s++)
		fputc(*s == '|' ? '/' : *s == '\n' ? ' ' : *s, f);
}

static void put_number(FILE *f, double v)
{
	if (v == floor(v) && fabs(v) < 1e15)
		fprintf(f, "%lld", (long long)v);
	else
		fprintf(f, "%.3f", v);
}

/* 'NAME rpo_age'=AGEs;WARN;CRIT;0 -- a quote in the label is doubled and
 * '=' (which ends a label) becomes '_'. */
static void put_perfdata(FILE *f, const struct compliance_service *s,
                         const struct compliance_policy *policy)
{
	fputc('\'', f);
	for (const char *p = s->name; *p != '\0'; p++) {
		if (*p == '\'')
			fputs("''", f);
		else
			fputc(*p == '=' || *p == '|' ? '_' : *p, f);
	}
	fputs(" rpo_age'=", f);
	if (s->rpo_age_s >= 0)
		fprintf(f, "%llds", (long long)s->rpo_age_s);
	else
		fputc('U', f);
	fputc(';', f);
	if (s->rpo_target_s > 0)
		put_number(f,
		           (double)s->rpo_target_s * policy->at_risk_fraction);
	fputc(';', f);
	if (s->rpo_target_s > 0)
		fprintf(f, "%lld", (long long)s->rpo_target_s);
	fputs(";0", f);
}

static enum check_state state_of(enum verdict v)
{
	return v == VERDICT_BREACH    ? CHECK_CRITICAL
	       : v == VERDICT_AT_RISK ? CHECK_WARNING
	                              : CHECK_OK;
}

char *check_unknown(const char *why)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		abort(); /* only for want of memory */
	fputs("DRCONSOLE UNKNOWN - ", f);
	put_text(f, why);
	fputc('\n', f);
	if (fclose(f) != 0)
		abort();
	return text;
}

enum check_state check_format(const struct compliance_report *r,
                              const struct compliance_policy *policy,
                              const char *only, const char *catalog,
                              char **text)
{
	const struct compliance_service *one = NULL;
	size_t len = 0;
	FILE *f;

	if (r->n == 0) {
		char *why = xasprintf("no services in catalog %s", catalog);
		*text = check_unknown(why);
		free(why);
		return CHECK_UNKNOWN;
	}
	if (only != NULL) {
		for (size_t i = 0; i < r->n && one == NULL; i++)
			if (strcmp(r->services[i].name, only) == 0)
				one = &r->services[i];
		if (one == NULL) {
			char *why = xasprintf("no service '%s' in catalog %s",
			                      only, catalog);
			*text = check_unknown(why);
			free(why);
			return CHECK_UNKNOWN;
		}
	}
	f = open_memstream(text, &len);
	if (f == NULL)
		abort(); /* only for want of memory */
	enum verdict v = one != NULL ? one->verdict : r->verdict;
	fprintf(f, "DRCONSOLE %s - ", verdict_name(v));
	if (one != NULL) {
		put_text(f, one->name);
		fputs(": ", f);
		if (one->verdict != VERDICT_OK) {
			put_text(f, one->reason);
		} else {
			char age[32];
			if (one->rpo_age_s >= 0)
				snprintf(age, sizeof age, "%llds",
				         (long long)one->rpo_age_s);
			else
				strlcpy_dr(age, "unknown", sizeof age);
			fprintf(f, "within its targets, recovery point %s old",
			        age);
		}
		fputs(" | ", f);
		put_perfdata(f, one, policy);
		fputc('\n', f);
	} else {
		fprintf(f, "%zu breach, %zu at risk, %zu ok of %zu services",
		        r->n_breach, r->n_at_risk, r->n_ok, r->n);
		/* The worst one: the first not OK, as the report is sorted. */
		for (size_t i = 0; i < r->n; i++) {
			if (r->services[i].verdict == r->verdict &&
			    r->verdict != VERDICT_OK) {
				fputs("; worst: ", f);
				put_text(f, r->services[i].name);
				fputs(": ", f);
				put_text(f, r->services[i].reason);
				break;
			}
		}
		fputs(" |", f);
		for (size_t i = 0; i < r->n; i++) {
			fputc(' ', f);
			put_perfdata(f, &r->services[i], policy);
		}
		fputc('\n', f);
		for (size_t i = 0; i < r->n; i++) {
			const struct compliance_service *s = &r->services[i];
			if (s->verdict == VERDICT_OK)
				continue;
			fprintf(f, "%s ", verdict_name(s->verdict));
			put_text(f, s->name);
			fputs(": ", f);
			put_text(f, s->reason);
			fputc('\n', f);
		}
	}
	if (fclose(f) != 0)
		abort();
	return state_of(v);
}
