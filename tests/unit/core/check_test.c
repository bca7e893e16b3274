/* check_format is pure: a report built by hand, the plugin output read as
 * Nagios/Icinga would (first line, perfdata after '|', long output). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/check.h"

static struct compliance_service svc(const char *name, enum verdict v,
                                     int64_t age, int64_t target,
                                     const char *reason)
{
	struct compliance_service s;

	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "%s", name);
	snprintf(s.reason, sizeof(s.reason), "%s", reason);
	s.verdict = v;
	s.rpo_age_s = age;
	s.rpo_target_s = target;
	return s;
}

static struct compliance_policy policy(void)
{
	struct compliance_policy p;
	compliance_policy_default(&p);
	return p;
}

/* Line n (0-based) of text, copied into buf. */
static const char *line(const char *text, int n, char *buf, size_t size)
{
	for (int i = 0; i < n && text != NULL; i++) {
		text = strchr(text, '\n');
		if (text != NULL)
			text++;
	}
	if (text == NULL || *text == '\0')
		return NULL;
	snprintf(buf, size, "%.*s", (int)strcspn(text, "\n"), text);
	return buf;
}

static void test_breach_first_line_perfdata_long_output(void **state)
{
	(void)state;
	/* Worst first, as the caller sorts it. */
	struct compliance_service s[] = {
	    svc("ledger", VERDICT_BREACH, 400, 300, "RPO breached"),
	    svc("search", VERDICT_AT_RISK, 250, 300, "RPO at risk"),
	    svc("web", VERDICT_OK, 10, 1800, ""),
	};
	struct compliance_report r = {.services = s,
	                              .n = 3,
	                              .verdict = VERDICT_BREACH,
	                              .n_ok = 1,
	                              .n_at_risk = 1,
	                              .n_breach = 1};
	struct compliance_policy p = policy();
	char *text = NULL, buf[512];
	enum check_state st = check_format(&r, &p, NULL, "cat.db", &text);

	assert_int_equal(st, CHECK_CRITICAL);
	assert_string_equal(
	    line(text, 0, buf, sizeof(buf)),
	    "DRCONSOLE BREACH - 1 breach, 1 at risk, 1 ok of 3 services; "
	    "worst: ledger: RPO breached | 'ledger rpo_age'=400s;240;300;0 "
	    "'search rpo_age'=250s;240;300;0 'web rpo_age'=10s;1440;1800;0");
	assert_string_equal(line(text, 1, buf, sizeof(buf)),
	                    "BREACH ledger: RPO breached");
	assert_string_equal(line(text, 2, buf, sizeof(buf)),
	                    "AT RISK search: RPO at risk");
	assert_null(line(text, 3, buf, sizeof(buf)));
	free(text);
}

/* WARN is 80 % of the target (not always whole), CRIT the target; no
 * target leaves both empty; no recovery point is U. */
static void test_thresholds_and_unknowns(void **state)
{
	(void)state;
	struct compliance_service s[] = {
	    svc("odd", VERDICT_OK, 5, 301, ""),
	    svc("untargeted", VERDICT_OK, 77, 0, ""),
	    svc("never", VERDICT_BREACH, -1, 600, "no good backup ever"),
	};
	struct compliance_report r = {.services = s, .n = 3};
	struct compliance_policy p = policy();
	char *text = NULL, buf[512];

	check_format(&r, &p, "odd", "c", &text);
	assert_string_equal(line(text, 0, buf, sizeof(buf)),
	                    "DRCONSOLE OK - odd: within its targets, recovery "
	                    "point 5s old | 'odd rpo_age'=5s;240.800;301;0");
	free(text);
	check_format(&r, &p, "untargeted", "c", &text);
	assert_non_null(strstr(text, "'untargeted rpo_age'=77s;;;0\n"));
	free(text);
	assert_int_equal(check_format(&r, &p, "never", "c", &text),
	                 CHECK_CRITICAL);
	assert_string_equal(line(text, 0, buf, sizeof(buf)),
	                    "DRCONSOLE BREACH - never: no good backup ever | "
	                    "'never rpo_age'=U;480;600;0");
	free(text);
	/* Another at-risk fraction moves WARN. */
	p.at_risk_fraction = 0.5;
	check_format(&r, &p, "never", "c", &text);
	assert_non_null(strstr(text, "=U;300;600;0"));
	free(text);
}

static void test_at_risk_is_warning(void **state)
{
	(void)state;
	struct compliance_service s[] = {
	    svc("a", VERDICT_AT_RISK, 250, 300, "RPO at risk")};
	struct compliance_report r = {
	    .services = s, .n = 1, .verdict = VERDICT_AT_RISK, .n_at_risk = 1};
	struct compliance_policy p = policy();
	char *text = NULL, buf[512];

	assert_int_equal(check_format(&r, &p, NULL, "c", &text), CHECK_WARNING);
	assert_string_equal(
	    line(text, 0, buf, sizeof(buf)),
	    "DRCONSOLE AT RISK - 0 breach, 1 at risk, 0 ok of 1 "
	    "services; worst: a: RPO at risk | 'a "
	    "rpo_age'=250s;240;300;0");
	free(text);
}

/* A '|' in a name or reason would start the perfdata: never in the
 * human part; a quote in a label is doubled, '=' replaced. */
static void test_separators_in_names(void **state)
{
	(void)state;
	struct compliance_service s[] = {
	    svc("o'k|x=y", VERDICT_BREACH, 9, 5, "lag | high\nsecond line")};
	struct compliance_report r = {
	    .services = s, .n = 1, .verdict = VERDICT_BREACH, .n_breach = 1};
	struct compliance_policy p = policy();
	char *text = NULL, buf[512];

	check_format(&r, &p, NULL, "c", &text);
	line(text, 0, buf, sizeof(buf));
	assert_non_null(
	    strstr(buf, "worst: o'k/x=y: lag / high second line |"));
	assert_non_null(strstr(buf, "| 'o''k_x_y rpo_age'=9s;4;5;0"));
	assert_int_equal(strchr(buf, '|') - buf, strstr(buf, " | '") - buf + 1);
	free(text);
}

static void test_unknown(void **state)
{
	(void)state;
	struct compliance_service s[] = {svc("a", VERDICT_OK, 1, 60, "")};
	struct compliance_report r = {.services = s, .n = 1};
	struct compliance_report none = {0};
	struct compliance_policy p = policy();
	char *text = NULL;

	assert_int_equal(check_format(&none, &p, NULL, "/x/c.db", &text),
	                 CHECK_UNKNOWN);
	assert_string_equal(
	    text, "DRCONSOLE UNKNOWN - no services in catalog /x/c.db\n");
	free(text);
	assert_int_equal(check_format(&r, &p, "zz", "c", &text), CHECK_UNKNOWN);
	assert_string_equal(
	    text, "DRCONSOLE UNKNOWN - no service 'zz' in catalog c\n");
	free(text);
	text = check_unknown("catalog | locked");
	assert_string_equal(text, "DRCONSOLE UNKNOWN - catalog / locked\n");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_breach_first_line_perfdata_long_output),
	    cmocka_unit_test(test_thresholds_and_unknowns),
	    cmocka_unit_test(test_at_risk_is_warning),
	    cmocka_unit_test(test_separators_in_names),
	    cmocka_unit_test(test_unknown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
