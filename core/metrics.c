/* The exposition text; the model is in core/metrics.h.  Written into an
 * open_memstream, family by family, so that every family's samples stand
 * together under its one HELP and TYPE. */
#include "core/metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/xmalloc.h"

void metrics_escape_label(const char *v, char *out, size_t size)
{
	size_t o = 0;

	if (size == 0)
		return;
	for (; *v != '\0'; v++) {
		const char *rep = NULL;
		char one[2] = {*v, '\0'};
		if (*v == '\\')
			rep = "\\\\";
		else if (*v == '"')
			rep = "\\\"";
		else if (*v == '\n')
			rep = "\\n";
		else
			rep = one;
		size_t len = strlen(rep);
		if (o + len >= size)
			break;
		memcpy(out + o, rep, len);
		o += len;
	}
	out[o] = '\0';
}

/* A value: NaN, a whole number as such, else enough digits. */
static void put_value(FILE *f, double v)
{
	if (isnan(v))
		fputs("NaN", f);
	else if (isinf(v))
		fputs(v > 0 ? "+Inf" : "-Inf", f);
	else if (v == floor(v) && fabs(v) < 1e15)
		fprintf(f, "%lld", (long long)v);
	else
		fprintf(f, "%.9g", v);
}

static void family(FILE *f, const char *name, const char *type,
                   const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{k1="v1",k2="v2",...} value; labels is a NULL-terminated list of
 * key, value pairs. */
static void sample(FILE *f, const char *name, const char *const *labels,
                   double v)
{
	fputs(name, f);
	if (labels != NULL && labels[0] != NULL) {
		fputc('{', f);
		for (size_t i = 0; labels[i] != NULL; i += 2) {
			char esc[512];
			metrics_escape_label(labels[i + 1], esc, sizeof esc);
			fprintf(f, "%s%s=\"%s\"", i ? "," : "", labels[i], esc);
		}
		fputc('}', f);
	}
	fputc(' ', f);
	put_value(f, v);
	fputc('\n', f);
}

static double time_or_nan(int64_t t)
{
	return t > 0 ? (double)t : NAN;
}

static double known_or_nan(int64_t v)
{
	return v >= 0 ? (double)v : NAN;
}

static double target_or_nan(int64_t t)
{
	return t > 0 ? (double)t : NAN;
}

/* A per-service gauge over every service. */
typedef double (*service_value)(const struct compliance_service *s);

static double v_last_success(const struct compliance_service *s)
{
	return time_or_nan(s->last_good_backup_at);
}
static double v_rpo_age(const struct compliance_service *s)
{
	return known_or_nan(s->rpo_age_s);
}
static double v_rpo_target(const struct compliance_service *s)
{
	return target_or_nan(s->rpo_target_s);
}
static double v_rto_estimate(const struct compliance_service *s)
{
	return known_or_nan(s->rto_estimate_s);
}
static double v_rto_target(const struct compliance_service *s)
{
	return target_or_nan(s->rto_target_s);
}
static double v_last_test(const struct compliance_service *s)
{
	return time_or_nan(s->last_test_at);
}
static double v_untested(const struct compliance_service *s)
{
	return s->untested ? 1 : 0;
}
static double v_verdict(const struct compliance_service *s)
{
	return (double)s->verdict;
}
static double v_failures(const struct compliance_service *s)
{
	return (double)s->failure_count;
}
static double v_probes_down(const struct compliance_service *s)
{
	return (double)s->probes_down;
}

static const struct service_family {
	const char *name;
	const char *help;
	service_value value;
} service_families[] = {
    {"drconsole_backup_last_success_timestamp_seconds",
     "Completion time of the newest completed or verified backup (NaN: "
     "none).",
     v_last_success},
    {"drconsole_rpo_age_seconds",
     "Age of the recovery point: newest good backup or live replica (NaN: "
     "no recovery point).",
     v_rpo_age},
    {"drconsole_rpo_target_seconds", "RPO target (NaN: no target).",
     v_rpo_target},
    {"drconsole_rto_estimate_seconds",
     "Estimated recovery time from the newest restore evidence or the "
     "size estimate (NaN: never measured).",
     v_rto_estimate},
    {"drconsole_rto_target_seconds", "RTO target (NaN: no target).",
     v_rto_target},
    {"drconsole_restore_test_last_timestamp_seconds",
     "Time of the newest restore test or recovery that restored data "
     "(NaN: never).",
     v_last_test},
    {"drconsole_service_untested",
     "1 when the newest restore test is older than the drill policy or "
     "there is none.",
     v_untested},
    {"drconsole_service_verdict",
     "Verdict of the service: 0 OK, 1 AT RISK, 2 BREACH.", v_verdict},
    {"drconsole_backup_consecutive_failures",
     "Failed backup attempts since the newest good one.", v_failures},
    {"drconsole_service_probes_down", "Probes of the service that are down.",
     v_probes_down},
};

static const char *const health_states[] = {"healthy", "degraded", "warning",
                                            "critical"};

static const struct catalog_service_counters *
counters_of(const struct metrics_facts *in, const char *service)
{
	for (size_t i = 0; i < in->n_counters; i++)
		if (strcmp(in->counters[i].service, service) == 0)
			return &in->counters[i];
	return NULL;
}

static void service_metrics(FILE *f, const struct metrics_facts *in)
{
	const struct compliance_report *r = in->report;
	size_t n = r != NULL ? r->n : 0;

	for (size_t k = 0;
	     k < sizeof service_families / sizeof *service_families; k++) {
		const struct service_family *fam = &service_families[k];
		family(f, fam->name, "gauge", fam->help);
		for (size_t i = 0; i < n; i++) {
			const char *l[] = {"service", r->services[i].name,
			                   NULL};
			sample(f, fam->name, l, fam->value(&r->services[i]));
		}
	}

	family(f, "drconsole_backup_health", "gauge",
	       "Backup health: 1 for the service's current status (healthy, "
	       "degraded, warning, critical), 0 for the others; NaN for all "
	       "when unknown.");
	for (size_t i = 0; i < n; i++) {
		const struct compliance_service *s = &r->services[i];
		int known = 0;
		for (size_t h = 0; h < 4; h++)
			known |= strcmp(s->health, health_states[h]) == 0;
		for (size_t h = 0; h < 4; h++) {
			const char *l[] = {"service", s->name, "status",
			                   health_states[h], NULL};
			sample(f, "drconsole_backup_health", l,
			       !known                                     ? NAN
			       : strcmp(s->health, health_states[h]) == 0 ? 1
			                                                  : 0);
		}
	}

	static const struct {
		const char *name, *help;
		int which;
	} counter_families[] = {
	    {"drconsole_backup_attempts_total",
	     "Backups recorded for the service, of any status.", 0},
	    {"drconsole_restore_tests_total",
	     "Restore tests run for the service, ok or not.", 1},
	    {"drconsole_restore_tests_failed_total",
	     "Restore tests of the service that failed.", 2},
	};
	for (size_t k = 0; k < 3; k++) {
		family(f, counter_families[k].name, "counter",
		       counter_families[k].help);
		for (size_t i = 0; i < n; i++) {
			const struct catalog_service_counters *c =
			    counters_of(in, r->services[i].name);
			const char *l[] = {"service", r->services[i].name,
			                   NULL};
			double v = NAN;
			if (c != NULL)
				v = (double)(counter_families[k].which == 0
				                 ? c->backup_attempts
				             : counter_families[k].which == 1
				                 ? c->restore_tests
				                 : c->restore_tests_failed);
			sample(f, counter_families[k].name, l, v);
		}
	}
}

static void probe_metrics(FILE *f, const struct metrics_facts *in)
{
	family(f, "drconsole_probe_up", "gauge",
	       "1 while the probe is up, 0 once it is down (it failed "
	       "failures_before_down times in a row).");
	for (size_t i = 0; i < in->n_probes; i++) {
		const char *l[] = {"service", in->probes[i].service, "probe",
		                   in->probes[i].probe, NULL};
		sample(f, "drconsole_probe_up", l, in->probes[i].down ? 0 : 1);
	}
	family(f, "drconsole_probe_consecutive_failures", "gauge",
	       "Failed runs of the probe since it last passed.");
	for (size_t i = 0; i < in->n_probes; i++) {
		const char *l[] = {"service", in->probes[i].service, "probe",
		                   in->probes[i].probe, NULL};
		sample(f, "drconsole_probe_consecutive_failures", l,
		       in->probes[i].consecutive_failures);
	}
}

static void link_metrics(FILE *f, const struct metrics_facts *in)
{
	static const char *const names[] = {
	    "drconsole_replication_lag_seconds",
	    "drconsole_replication_lag_bytes",
	    "drconsole_replication_sample_timestamp_seconds",
	    "drconsole_replication_live",
	};
	static const char *const helps[] = {
	    "Lag of the newest sample of the link (kind replica: replication "
	    "lag; kind copy: age of the oldest backup not yet copied); NaN: "
	    "not measured.",
	    "Lag of the newest sample of the link in bytes (NaN: not "
	    "measured).",
	    "Time of the newest sample of the link.",
	    "1 while the link's newest sample is recent enough to be "
	    "evidence (policy.replica_max_age).",
	};
	const struct compliance_report *r = in->report;
	size_t n = r != NULL ? r->n : 0;

	for (size_t k = 0; k < 4; k++) {
		family(f, names[k], "gauge", helps[k]);
		for (size_t i = 0; i < n; i++) {
			const struct compliance_service *s = &r->services[i];
			for (size_t j = 0; j < s->n_links; j++) {
				const struct compliance_link *ln = &s->links[j];
				const char *l[] = {
				    "service",  s->name,  "source",
				    ln->source, "target", ln->target,
				    "kind",     ln->kind, NULL};
				double v =
				    k == 0 ? (ln->lag_s >= 0 ? ln->lag_s : NAN)
				    : k == 1 ? known_or_nan(ln->lag_bytes)
				    : k == 2 ? time_or_nan(ln->sampled_at)
				             : (ln->live ? 1 : 0);
				sample(f, names[k], l, v);
			}
		}
	}
}

char *metrics_format(const struct metrics_facts *in)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	const struct compliance_report *r = in->report;

	/* A memory stream fails only for want of memory: fatal (STYLE.md). */
	if (f == NULL)
		abort();
	family(f, "drconsole_verdict", "gauge",
	       "Overall verdict, the worst service's: 0 OK, 1 AT RISK, 2 "
	       "BREACH (NaN: no services).");
	sample(f, "drconsole_verdict", NULL,
	       r != NULL && r->n > 0 ? (double)r->verdict : NAN);
	family(f, "drconsole_services", "gauge",
	       "Services in the catalog by verdict.");
	{
		static const char *const v[] = {"OK", "AT RISK", "BREACH"};
		size_t counts[3] = {r ? r->n_ok : 0, r ? r->n_at_risk : 0,
		                    r ? r->n_breach : 0};
		for (size_t k = 0; k < 3; k++) {
			const char *l[] = {"verdict", v[k], NULL};
			sample(f, "drconsole_services", l, (double)counts[k]);
		}
	}
	service_metrics(f, in);
	probe_metrics(f, in);
	link_metrics(f, in);
	family(f, "drconsole_agent_heartbeat_timestamp_seconds", "gauge",
	       "Time of the newest heartbeat of the agent on each host.");
	for (size_t i = 0; i < in->n_agents; i++) {
		const char *l[] = {"host", in->agents[i].host, NULL};
		sample(f, "drconsole_agent_heartbeat_timestamp_seconds", l,
		       time_or_nan(in->agents[i].beat_at));
	}
	family(f, "drconsole_catalog_last_change_timestamp_seconds", "gauge",
	       "Time of the newest change recorded anywhere in the catalog "
	       "(NaN: none).");
	sample(f, "drconsole_catalog_last_change_timestamp_seconds", NULL,
	       time_or_nan(in->last_change));
	if (fclose(f) != 0)
		abort();
	return text;
}

int metrics_render(struct catalog *cat, const struct compliance_policy *policy,
                   int64_t now, char **text, char **err)
{
	struct compliance_report report = {0};
	struct catalog_probe_state *probes = NULL;
	struct catalog_agent *agents = NULL;
	struct catalog_service_counters *counters = NULL;
	size_t n_probes = 0, n_agents = 0, n_counters = 0;
	int64_t last_change = 0;
	int rc;

	*text = NULL;
	rc = compliance_eval(cat, policy, now, &report, err);
	if (rc == DR_OK)
		rc = catalog_probe_state_list(cat, &probes, &n_probes, err);
	if (rc == DR_OK)
		rc = catalog_agent_list(cat, &agents, &n_agents, err);
	if (rc == DR_OK)
		rc = catalog_service_counters(cat, &counters, &n_counters, err);
	if (rc == DR_OK)
		rc = catalog_last_change(cat, &last_change, err);
	if (rc == DR_OK) {
		struct metrics_facts facts = {
		    .report = &report,
		    .probes = probes,
		    .n_probes = n_probes,
		    .agents = agents,
		    .n_agents = n_agents,
		    .counters = counters,
		    .n_counters = n_counters,
		    .last_change = last_change,
		};
		*text = metrics_format(&facts);
	}
	compliance_report_free(&report);
	free(probes);
	free(agents);
	free(counters);
	return rc;
}
