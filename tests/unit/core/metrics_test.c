/* metrics_format is pure: each test builds a compliance report by hand
 * and reads the exposition text as a scraper would, line by line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/metrics.h"

static struct compliance_service service(const char *name)
{
	struct compliance_service s;

	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "%s", name);
	s.rpo_age_s = -1;
	s.rto_estimate_s = -1;
	s.test_age_s = -1;
	s.rto_bytes = -1;
	s.rto_duration_s = -1;
	return s;
}

/* The line of text that starts with prefix, or NULL. */
static const char *line_of(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);
	for (const char *l = text; l != NULL && *l != '\0';) {
		if (strncmp(l, prefix, n) == 0)
			return l;
		l = strchr(l, '\n');
		if (l != NULL)
			l++;
	}
	return NULL;
}

static int count_lines(const char *text, const char *prefix)
{
	int c = 0;
	size_t n = strlen(prefix);
	for (const char *l = text; l != NULL && *l != '\0';) {
		if (strncmp(l, prefix, n) == 0)
			c++;
		l = strchr(l, '\n');
		if (l != NULL)
			l++;
	}
	return c;
}

/* The whole line that starts with prefix, as a string to compare. */
static void expect_line(const char *text, const char *want)
{
	const char *l = line_of(text, want);
	if (l == NULL)
		fail_msg("no line \"%s\" in:\n%s", want, text);
	const char *end = strchr(l, '\n');
	assert_int_equal((size_t)(end - l), strlen(want));
}

static void test_escape_label(void **state)
{
	(void)state;
	char out[64];

	metrics_escape_label("a\\b\"c\nd", out, sizeof(out));
	assert_string_equal(out, "a\\\\b\\\"c\\nd");
	metrics_escape_label("plain-name_1", out, sizeof(out));
	assert_string_equal(out, "plain-name_1");
	/* Too small: cut before an escape, never half of one. */
	metrics_escape_label("ab\"", out, 4);
	assert_string_equal(out, "ab");
}

static void test_label_values_escaped_in_samples(void **state)
{
	(void)state;
	struct compliance_service s[] = {service("we\"ird\\svc\nx")};
	struct compliance_report r = {.services = s, .n = 1};
	struct metrics_facts f = {.report = &r};
	char *text = metrics_format(&f);

	expect_line(text, "drconsole_service_verdict{service=\"we\\\"ird\\\\svc"
	                  "\\nx\"} 0");
	/* The raw newline never reaches the text: every line is a comment
	 * or starts with a metric name. */
	for (const char *l = text; *l != '\0'; l = strchr(l, '\n') + 1)
		assert_true(l[0] == '#' || strncmp(l, "drconsole_", 10) == 0);
	free(text);
}

/* Every family: one HELP, one TYPE, and its samples together right after
 * them, in two services' text. */
static void test_one_help_and_type_per_family(void **state)
{
	(void)state;
	struct compliance_service s[] = {service("a"), service("b")};
	struct catalog_probe_state p[2];
	struct compliance_report r = {.services = s, .n = 2};

	memset(p, 0, sizeof(p));
	snprintf(p[0].service, sizeof(p[0].service), "a");
	snprintf(p[0].probe, sizeof(p[0].probe), "api");
	snprintf(p[1].service, sizeof(p[1].service), "b");
	snprintf(p[1].probe, sizeof(p[1].probe), "db");
	p[1].down = 1;
	struct metrics_facts f = {.report = &r, .probes = p, .n_probes = 2};
	char *text = metrics_format(&f);
	char current[128] = "";
	char seen[64][128];
	size_t n_seen = 0;

	for (char *l = text; *l != '\0';) {
		char *end = strchr(l, '\n');
		char name[128];
		assert_non_null(end);
		if (strncmp(l, "# HELP ", 7) == 0) {
			sscanf(l + 7, "%127s", name);
			for (size_t i = 0; i < n_seen; i++)
				if (strcmp(seen[i], name) == 0)
					fail_msg("family %s opened twice",
					         name);
			assert_true(n_seen < 64);
			strcpy(seen[n_seen++], name);
			strcpy(current, name);
			/* TYPE follows HELP at once. */
			char type[160];
			snprintf(type, sizeof(type), "# TYPE %s ", name);
			assert_int_equal(strncmp(end + 1, type, strlen(type)),
			                 0);
		} else if (l[0] != '#') {
			size_t k = strcspn(l, "{ ");
			snprintf(name, sizeof(name), "%.*s", (int)k, l);
			if (strcmp(name, current) != 0)
				fail_msg("sample %s outside its family (in %s)",
				         name, current);
		}
		l = end + 1;
	}
	assert_int_equal(count_lines(text, "# TYPE "), (int)n_seen);
	assert_true(n_seen >= 20);
	expect_line(text, "drconsole_probe_up{service=\"a\",probe=\"api\"} 1");
	expect_line(text, "drconsole_probe_up{service=\"b\",probe=\"db\"} 0");
	free(text);
}

/* Unknown values read NaN; the series stay. */
static void test_unknown_values_are_nan_not_missing(void **state)
{
	(void)state;
	struct compliance_service s[] = {service("new-db")};
	struct compliance_report r = {.services = s, .n = 1};
	struct metrics_facts f = {.report = &r};
	char *text = metrics_format(&f);

	expect_line(text, "drconsole_backup_last_success_timestamp_seconds"
	                  "{service=\"new-db\"} NaN");
	expect_line(text, "drconsole_rpo_age_seconds{service=\"new-db\"} NaN");
	expect_line(text,
	            "drconsole_rpo_target_seconds{service=\"new-db\"} NaN");
	expect_line(text,
	            "drconsole_rto_estimate_seconds{service=\"new-db\"} NaN");
	expect_line(text, "drconsole_restore_test_last_timestamp_seconds"
	                  "{service=\"new-db\"} NaN");
	/* Health unknown: all four NaN, none 0. */
	expect_line(text, "drconsole_backup_health{service=\"new-db\","
	                  "status=\"healthy\"} NaN");
	expect_line(text, "drconsole_backup_health{service=\"new-db\","
	                  "status=\"critical\"} NaN");
	/* No counters row: NaN, not 0. */
	expect_line(text,
	            "drconsole_backup_attempts_total{service=\"new-db\"} NaN");
	expect_line(text,
	            "drconsole_catalog_last_change_timestamp_seconds NaN");
	free(text);
}

static void test_known_values(void **state)
{
	(void)state;
	struct compliance_service s[] = {service("orders")};
	s[0].last_good_backup_at = 1795000000;
	s[0].rpo_age_s = 120;
	s[0].rpo_target_s = 300;
	s[0].rto_estimate_s = 42;
	s[0].verdict = VERDICT_AT_RISK;
	snprintf(s[0].health, sizeof(s[0].health), "warning");
	struct catalog_service_counters c = {.backup_attempts = 7,
	                                     .restore_tests = 2,
	                                     .restore_tests_failed = 1};
	snprintf(c.service, sizeof(c.service), "orders");
	struct compliance_report r = {
	    .services = s, .n = 1, .verdict = VERDICT_AT_RISK, .n_at_risk = 1};
	struct metrics_facts f = {
	    .report = &r, .counters = &c, .n_counters = 1, .last_change = 5};
	char *text = metrics_format(&f);

	expect_line(text, "drconsole_verdict 1");
	expect_line(text, "drconsole_services{verdict=\"AT RISK\"} 1");
	expect_line(text, "drconsole_services{verdict=\"OK\"} 0");
	expect_line(text, "drconsole_backup_last_success_timestamp_seconds"
	                  "{service=\"orders\"} 1795000000");
	expect_line(text, "drconsole_rpo_age_seconds{service=\"orders\"} 120");
	expect_line(text, "drconsole_backup_health{service=\"orders\","
	                  "status=\"warning\"} 1");
	expect_line(text, "drconsole_backup_health{service=\"orders\","
	                  "status=\"healthy\"} 0");
	expect_line(
	    text, "drconsole_restore_tests_failed_total{service=\"orders\"} 1");
	expect_line(text, "# TYPE drconsole_restore_tests_total counter");
	expect_line(text, "# TYPE drconsole_rpo_age_seconds gauge");
	free(text);
}

static void test_no_services(void **state)
{
	(void)state;
	struct compliance_report r = {0};
	struct metrics_facts f = {.report = &r};
	char *text = metrics_format(&f);

	expect_line(text, "drconsole_verdict NaN");
	/* The families are there, with no samples. */
	assert_non_null(line_of(text, "# HELP drconsole_rpo_age_seconds "));
	assert_null(line_of(text, "drconsole_rpo_age_seconds{"));
	assert_int_equal(text[strlen(text) - 1], '\n');
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape_label),
	    cmocka_unit_test(test_label_values_escaped_in_samples),
	    cmocka_unit_test(test_one_help_and_type_per_family),
	    cmocka_unit_test(test_unknown_values_are_nan_not_missing),
	    cmocka_unit_test(test_known_values),
	    cmocka_unit_test(test_no_services),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
