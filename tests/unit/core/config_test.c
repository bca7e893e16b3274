#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/config.h"
#include "core/error.h"
#include "core/xmalloc.h"

static char dir[] = "/tmp/config_test_XXXXXX";
static char path[256];

static int setup(void **state)
{
	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof path, "%s/config.json", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	rmdir(dir);
	return 0;
}

static void write_file(const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static struct config *load_ok(const char *text)
{
	struct config *cfg = NULL;
	char *err = NULL;
	write_file(text);
	if (config_load(path, &cfg, &err) != DR_OK)
		fail_msg("unexpected error: %s", err);
	assert_non_null(cfg);
	return cfg;
}

/* `want` holds "line:col: message" lines; each must come back prefixed
 * with the file name, in that order. */
static void load_fails(const char *text, const char *want)
{
	struct config *cfg = (void *)1;
	char *err = NULL;
	write_file(text);
	assert_int_equal(config_load(path, &cfg, &err), DR_EINVAL);
	assert_null(cfg);
	assert_non_null(err);

	char *expect = NULL;
	const char *line = want;
	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		char *next = xasprintf("%s%s%s:%.*s", expect ? expect : "",
		                       expect ? "\n" : "", path, (int)n, line);
		free(expect);
		expect = next;
		line += n + (nl ? 1 : 0);
	}
	assert_string_equal(err, expect);
	free(expect);
	free(err);
}

/* config_parse reads text in memory as config_load reads the file: the
 * same configuration, the same messages under the name it is given. */
static void test_parse_in_memory(void **state)
{
	(void)state;
	const char *text = "{\"environment\": \"prod\",\n"
	                   " \"services\": [{\"name\": \"db\", \"tier\": "
	                   "\"critical\"}]}\n";
	struct config *cfg = NULL;
	char *err = NULL;
	assert_int_equal(
	    config_parse("mem.json", text, strlen(text), &cfg, &err), DR_OK);
	assert_non_null(cfg);
	assert_string_equal(cfg->path, "mem.json");
	assert_string_equal(cfg->environment, "prod");
	assert_int_equal(cfg->n_services, 1);
	assert_string_equal(cfg->services[0].name, "db");
	assert_non_null(config_tier(cfg, "critical"));
	config_free(cfg);

	/* The length counts: the text need not end with a NUL. */
	const char *two = "{\"environment\": \"a\"}{\"environment\": 1}";
	assert_int_equal(config_parse("mem.json", two,
	                              strlen("{\"environment\": \"a\"}"), &cfg,
	                              &err),
	                 DR_OK);
	assert_string_equal(cfg->environment, "a");
	config_free(cfg);

	const char *bad = "{\"services\": [{\"name\": \"x\", \"tier\": "
	                  "\"nosuch\"}]}";
	cfg = (void *)1;
	assert_int_equal(config_parse("mem.json", bad, strlen(bad), &cfg, &err),
	                 DR_EINVAL);
	assert_null(cfg);
	assert_non_null(err);
	assert_true(strncmp(err, "mem.json:1:", 11) == 0);
	assert_non_null(strstr(err, "unknown tier \"nosuch\""));
	free(err);

	write_file(bad);
	char *from_file = NULL;
	assert_int_equal(config_load(path, &cfg, &from_file), DR_EINVAL);
	assert_true(strncmp(from_file, path, strlen(path)) == 0);
	assert_int_equal(config_parse(path, bad, strlen(bad), &cfg, &err),
	                 DR_EINVAL);
	assert_string_equal(err, from_file);
	free(err);
	free(from_file);
}

static void test_valid(void **state)
{
	(void)state;
	struct config *cfg = load_ok(
	    "{\n"
	    "  \"environment\": \"prod\",\n"
	    "  \"catalog\": \"/var/lib/drconsole/catalog.db\",\n"
	    "  \"theme\": \"mono\",\n"
	    "  \"runbook_dir\": \"/etc/drconsole/runbooks\",\n"
	    "  \"services\": [\n"
	    "    {\"name\": \"db\", \"tier\": \"gold\", \"owner\": \"dba\",\n"
	    "     \"rto\": \"20m\", \"rpo\": 120, \"backup_frequency\": "
	    "\"1h\",\n"
	    "     \"drill_policy\": \"2w\"},\n"
	    "    {\"name\": \"web.front_1\", \"tier\": \"low\"},\n"
	    "    {\"name\": \"misc\"}\n"
	    "  ],\n"
	    "  \"tiers\": {\"gold\": {\"rto\": \"10m\", \"rpo\": \"1m\"},\n"
	    "            \"critical\": {\"rpo\": \"2m\"}},\n"
	    "  \"policy\": {\"drill_policy\": \"7d\", \"at_risk_fraction\": "
	    "0.9,\n"
	    "             \"restore_throughput\": \"200MB/s\",\n"
	    "             \"clock_skew_tolerance\": \"5m\"}\n"
	    "}\n");
	assert_string_equal(cfg->path, path);
	assert_string_equal(cfg->environment, "prod");
	assert_string_equal(cfg->catalog, "/var/lib/drconsole/catalog.db");
	assert_string_equal(cfg->theme, "mono");
	assert_string_equal(cfg->runbook_dir, "/etc/drconsole/runbooks");

	assert_int_equal(cfg->n_tiers, 4);
	const struct catalog_tier *t = config_tier(cfg, "critical");
	assert_non_null(t);
	assert_int_equal(t->rto_s, 900); /* kept from the default */
	assert_int_equal(t->rpo_s, 120);
	t = config_tier(cfg, "gold");
	assert_non_null(t);
	assert_int_equal(t->rto_s, 600);
	assert_int_equal(t->rpo_s, 60);
	assert_null(config_tier(cfg, "platinum"));

	assert_int_equal(cfg->n_services, 3);
	const struct catalog_service *s = &cfg->services[0];
	assert_string_equal(s->name, "db");
	assert_string_equal(s->tier, "gold");
	assert_string_equal(s->owner, "dba");
	assert_int_equal(s->rto_s, 1200);
	assert_int_equal(s->rpo_s, 120);
	assert_int_equal(s->backup_frequency_s, 3600);
	assert_int_equal(s->drill_policy_s, 14 * 86400);
	assert_string_equal(cfg->services[1].name, "web.front_1");
	assert_string_equal(cfg->services[1].tier, "low");
	assert_string_equal(cfg->services[2].tier, "");
	assert_int_equal(cfg->services[2].rto_s, 0);

	assert_int_equal(cfg->policy.drill_policy_s, 7 * 86400);
	assert_true(cfg->policy.at_risk_fraction == 0.9);
	assert_true(cfg->policy.restore_bytes_per_s == 200e6);
	assert_int_equal(cfg->policy.skew_tolerance_s, 300);
	config_free(cfg);
	config_free(NULL);
}

static void test_defaults_empty_object(void **state)
{
	(void)state;
	struct config *cfg = load_ok("{}");
	assert_string_equal(cfg->environment, "");
	assert_null(cfg->catalog);
	assert_null(cfg->theme);
	assert_null(cfg->runbook_dir);
	assert_int_equal(cfg->n_services, 0);
	assert_int_equal(cfg->n_tiers, 3);
	assert_int_equal(config_tier(cfg, "critical")->rto_s, 15 * 60);
	assert_int_equal(config_tier(cfg, "critical")->rpo_s, 5 * 60);
	assert_int_equal(config_tier(cfg, "standard")->rto_s, 3600);
	assert_int_equal(config_tier(cfg, "standard")->rpo_s, 1800);
	assert_int_equal(config_tier(cfg, "low")->rto_s, 4 * 3600);
	assert_int_equal(config_tier(cfg, "low")->rpo_s, 4 * 3600);
	assert_int_equal(cfg->policy.drill_policy_s, 30 * 86400);
	assert_true(cfg->policy.at_risk_fraction == 0.8);
	assert_int_equal(cfg->policy.skew_tolerance_s, 60);
	assert_true(cfg->policy.restore_bytes_per_s == 0);
	config_free(cfg);
}

static void test_throughput_forms(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		double bps;
	} cases[] = {
	    {"\"200MB/s\"", 200e6}, {"\"1.5GiB/s\"", 1.5 * 1073741824.0},
	    {"\"500kB/s\"", 500e3}, {"\"100 MB/s\"", 100e6},
	    {"\"750MB\"", 750e6},   {"\"4096\"", 4096},
	    {"\"300/s\"", 300},     {"\"2 gb/s\"", 2e9},
	    {"1048576", 1048576},   {"0", 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *text = xasprintf("{\"policy\": {\"restore_throughput\": "
		                       "%s}}",
		                       cases[i].text);
		struct config *cfg = load_ok(text);
		assert_true(cfg->policy.restore_bytes_per_s == cases[i].bps);
		config_free(cfg);
		free(text);
	}
}

static void test_syntax_error(void **state)
{
	(void)state;
	load_fails("{\n"
	           "  \"environment\": \"prod\"\n"
	           "  \"services\": []\n"
	           "}\n",
	           "3:3: expected ',' or '}' after an object member, found a "
	           "string");
	load_fails("{\n  \"services\": [\n    {\"name\": \"db\"},\n  ]\n}\n",
	           "4:3: expected a value after ',', found ']' (trailing "
	           "commas are not allowed)");
}

static void test_wrong_types(void **state)
{
	(void)state;
	load_fails("{\n  \"environment\": 5,\n  \"services\": {}\n}",
	           "2:3: expected a string for \"environment\", found a "
	           "number\n"
	           "3:3: expected an array for \"services\" ([{\"name\": "
	           "...}, ...]), found an object");
	load_fails("[1, 2]", "1:1: expected an object at the top level "
	                     "({\"environment\": ..., \"services\": [...]}), "
	                     "found an array");
	load_fails("{\"services\": [\"db\"]}",
	           "1:15: expected an object for each service ({\"name\": "
	           "..., \"tier\": ...}), found a string");
	load_fails("{\"tiers\": {\"gold\": \"fast\"}}",
	           "1:12: expected an object for tier \"gold\" ({\"rto\": "
	           "..., \"rpo\": ...}), found a string");
}

static void test_unknown_top_level_key(void **state)
{
	(void)state;
	load_fails("{\n  \"environment\": \"prod\",\n  \"probez\": []\n}",
	           "3:3: unknown key \"probez\" in the configuration (expected "
	           "one of: environment, catalog, theme, runbook_dir, tiers, "
	           "services, policy, audit_key_file, child_env, repositories, "
	           "backups, probes, "
	           "notifications, agent, imports, tests)");
}

static void test_unknown_service_key(void **state)
{
	(void)state;
	load_fails("{\"services\": [\n"
	           "  {\"name\": \"db\",\n"
	           "   \"teir\": \"critical\"}\n"
	           "]}",
	           "3:4: unknown key \"teir\" in service \"db\" (expected one "
	           "of: name, tier, owner, rto, rpo, backup_frequency, "
	           "drill_policy)");
}

static void test_bad_duration(void **state)
{
	(void)state;
	load_fails("{\"services\": [\n"
	           "  {\"name\": \"db\", \"rpo\": \"15x\"}\n"
	           "]}",
	           "2:18: bad duration for \"rpo\": 15x: unknown unit 'x' "
	           "(use s, m, h, d, w)");
	load_fails("{\"tiers\": {\"gold\": {\"rto\": \"0s\", \"rpo\": -5}}}",
	           "1:21: \"rto\" must be longer than 0s\n"
	           "1:34: bad duration for \"rpo\": expected a whole, "
	           "non-negative number of seconds, at most a hundred years");
}

static void test_unknown_tier(void **state)
{
	(void)state;
	load_fails("{\"services\": [\n"
	           "  {\"name\": \"db\",\n"
	           "   \"tier\": \"platinum\"}\n"
	           "]}",
	           "3:4: unknown tier \"platinum\" for service \"db\" (defined "
	           "tiers: critical, standard, low)");
}

static void test_duplicate_service(void **state)
{
	(void)state;
	load_fails("{\"services\": [\n"
	           "  {\"name\": \"db\"},\n"
	           "  {\"name\": \"web\"},\n"
	           "  {\"name\": \"db\"}\n"
	           "]}",
	           "4:4: duplicate service \"db\" (first declared at line 2, "
	           "column 4)");
	/* The first one is wrong otherwise: the duplicate still counts. */
	load_fails("{\"services\": [\n"
	           "  {\"name\": \"db\", \"rto\": \"soon\"},\n"
	           "  {\"name\": \"db\"}\n"
	           "]}",
	           "2:18: bad duration for \"rto\": soon: missing number "
	           "before 's'\n"
	           "3:4: duplicate service \"db\" (first declared at line 2, "
	           "column 4)");
}

static void test_duplicate_key(void **state)
{
	(void)state;
	load_fails("{\n"
	           "  \"environment\": \"prod\",\n"
	           "  \"environment\": \"staging\"\n"
	           "}",
	           "3:3: duplicate key \"environment\" (first at line 2, "
	           "column 3)");
}

static void test_missing_and_bad_name(void **state)
{
	(void)state;
	load_fails("{\"services\": [\n"
	           "  {\"tier\": \"low\"},\n"
	           "  {\"name\": \"bad name\"},\n"
	           "  {\"name\": \"\"}\n"
	           "]}",
	           "2:3: missing required key \"name\"\n"
	           "3:4: service name \"bad name\" is not valid (1-63 "
	           "characters of A-Z a-z 0-9 . _ -)\n"
	           "4:4: service name \"\" is not valid (1-63 characters of "
	           "A-Z a-z 0-9 . _ -)");
}

static void test_fraction_out_of_range(void **state)
{
	(void)state;
	load_fails("{\"policy\": {\n"
	           "  \"at_risk_fraction\": 1.5\n"
	           "}}",
	           "2:3: \"at_risk_fraction\" must be between 0 and 1 "
	           "(exclusive), found 1.5");
	load_fails("{\"policy\": {\"at_risk_fraction\": 0}}",
	           "1:13: \"at_risk_fraction\" must be between 0 and 1 "
	           "(exclusive), found 0");
}

static void test_bad_policy(void **state)
{
	(void)state;
	load_fails("{\"policy\": {\n"
	           "  \"restore_throughput\": \"fast\",\n"
	           "  \"drill\": \"30d\"\n"
	           "}}",
	           "3:3: unknown key \"drill\" in \"policy\" (expected one of: "
	           "drill_policy, at_risk_fraction, restore_throughput, "
	           "clock_skew_tolerance, replica_max_age)\n"
	           "2:3: bad \"restore_throughput\": expected bytes per "
	           "second, such as \"200MB/s\", \"1.5GiB/s\" or a number, "
	           "found a string \"fast\"");
	load_fails("{\"policy\": {\"restore_throughput\": \"0x10MB/s\"}}",
	           "1:13: bad \"restore_throughput\": expected bytes per "
	           "second, such as \"200MB/s\", \"1.5GiB/s\" or a number, "
	           "found a string \"0x10MB/s\"");
	load_fails("{\"policy\": {\"restore_throughput\": -5}}",
	           "1:13: bad \"restore_throughput\": expected bytes per "
	           "second, such as \"200MB/s\", \"1.5GiB/s\" or a number, "
	           "found a number");
	load_fails("{\"policy\": {\"restore_throughput\": \"200MB/h\"}}",
	           "1:13: bad \"restore_throughput\": expected bytes per "
	           "second, such as \"200MB/s\", \"1.5GiB/s\" or a number, "
	           "found a string \"200MB/h\"");
}

static void test_new_tier_needs_both(void **state)
{
	(void)state;
	load_fails("{\"tiers\": {\"gold\": {\"rto\": \"10m\"}, "
	           "\"bad tier\": {}}}",
	           "1:12: missing required key \"rpo\"\n"
	           "1:36: tier name \"bad tier\" is not valid (1-31 characters "
	           "of A-Z a-z 0-9 . _ -)");
}

static void test_many_errors(void **state)
{
	(void)state;
	load_fails("{\n"
	           "  \"environment\": \"\",\n"
	           "  \"colour\": \"blue\",\n"
	           "  \"services\": [\n"
	           "    {\"name\": \"db\", \"tier\": \"gold\", \"rto\": "
	           "\"fast\"},\n"
	           "    {\"name\": \"db\", \"owner\": 7},\n"
	           "    {\"name\": \"api\", \"tier\": 1}\n"
	           "  ],\n"
	           "  \"policy\": {\"at_risk_fraction\": \"80%\"}\n"
	           "}\n",
	           "3:3: unknown key \"colour\" in the configuration (expected "
	           "one of: environment, catalog, theme, runbook_dir, tiers, "
	           "services, policy, audit_key_file, child_env, repositories, "
	           "backups, probes, "
	           "notifications, agent, imports, tests)\n"
	           "2:3: \"environment\" must not be empty\n"
	           "5:20: unknown tier \"gold\" for service \"db\" (defined "
	           "tiers: critical, standard, low)\n"
	           "5:36: bad duration for \"rto\": fast: missing number "
	           "before 'f'\n"
	           "6:6: duplicate service \"db\" (first declared at line 5, "
	           "column 6)\n"
	           "6:20: expected a string for \"owner\", found a number\n"
	           "7:21: expected a string for \"tier\", found a number\n"
	           "9:14: expected a number for \"at_risk_fraction\", found a "
	           "string");
}

static void test_missing_files(void **state)
{
	(void)state;
	struct config *cfg = (void *)1;
	char *err = NULL;
	char *missing = xasprintf("%s/nope.json", dir);

	assert_int_equal(config_load(missing, &cfg, &err), DR_ENOTFOUND);
	assert_null(cfg);
	char *want = xasprintf(
	    "config %s: cannot open: No such file or directory", missing);
	assert_string_equal(err, want);
	free(want);
	free(err);
	free(missing);

	/* No file at the default path: defaults, no error. */
	setenv("XDG_CONFIG_HOME", dir, 1);
	err = NULL;
	assert_int_equal(config_load(NULL, &cfg, &err), DR_OK);
	assert_null(err);
	assert_non_null(cfg);
	assert_null(cfg->path);
	assert_int_equal(cfg->n_tiers, 3);
	config_free(cfg);

	/* A file there is read. */
	char *sub = xasprintf("%s/drconsole", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	char *file = xasprintf("%s/config.json", sub);
	FILE *f = fopen(file, "w");
	fputs("{\"environment\": \"dr-site\"}", f);
	fclose(f);
	assert_int_equal(config_load(NULL, &cfg, &err), DR_OK);
	assert_string_equal(cfg->environment, "dr-site");
	assert_string_equal(cfg->path, file);
	config_free(cfg);
	unlink(file);
	rmdir(sub);
	free(file);
	free(sub);
	unsetenv("XDG_CONFIG_HOME");
}

static void test_default_path(void **state)
{
	(void)state;
	setenv("XDG_CONFIG_HOME", "/x/conf", 1);
	setenv("HOME", "/home/op", 1);
	char *p = config_default_path();
	assert_string_equal(p, "/x/conf/drconsole/config.json");
	free(p);
	setenv("XDG_CONFIG_HOME", "relative", 1);
	p = config_default_path();
	assert_string_equal(p, "/home/op/.config/drconsole/config.json");
	free(p);
	unsetenv("XDG_CONFIG_HOME");
	p = config_default_path();
	assert_string_equal(p, "/home/op/.config/drconsole/config.json");
	free(p);
}

static void test_example_parses(void **state)
{
	(void)state;
	struct config *cfg = load_ok(config_example());
	assert_string_equal(cfg->environment, "prod-eu-west");
	assert_int_equal(cfg->n_services, 3);
	assert_string_equal(cfg->services[0].tier, "critical");
	assert_string_equal(cfg->services[1].tier, "standard");
	assert_string_equal(cfg->services[2].tier, "low");
	assert_true(cfg->policy.restore_bytes_per_s == 200e6);
	config_free(cfg);
}

static void test_default_tiers(void **state)
{
	(void)state;
	struct catalog_tier *tiers;
	size_t n;
	config_default_tiers(&tiers, &n);
	assert_int_equal(n, 3);
	assert_string_equal(tiers[0].name, "critical");
	assert_int_equal(tiers[0].rto_s, 900);
	assert_int_equal(tiers[0].rpo_s, 300);
	assert_string_equal(tiers[2].name, "low");
	free(tiers);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid),
	    cmocka_unit_test(test_defaults_empty_object),
	    cmocka_unit_test(test_throughput_forms),
	    cmocka_unit_test(test_syntax_error),
	    cmocka_unit_test(test_wrong_types),
	    cmocka_unit_test(test_unknown_top_level_key),
	    cmocka_unit_test(test_unknown_service_key),
	    cmocka_unit_test(test_bad_duration),
	    cmocka_unit_test(test_unknown_tier),
	    cmocka_unit_test(test_duplicate_service),
	    cmocka_unit_test(test_duplicate_key),
	    cmocka_unit_test(test_missing_and_bad_name),
	    cmocka_unit_test(test_fraction_out_of_range),
	    cmocka_unit_test(test_bad_policy),
	    cmocka_unit_test(test_new_tier_needs_both),
	    cmocka_unit_test(test_many_errors),
	    cmocka_unit_test(test_missing_files),
	    cmocka_unit_test(test_default_path),
	    cmocka_unit_test(test_example_parses),
	    cmocka_unit_test(test_default_tiers),
	    cmocka_unit_test(test_parse_in_memory),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
