/* core/probe_config.c and core/notify_config.c: the "probes" and
 * "notifications" sections, and their errors with file:line:col. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/agent_config.h"
#include "core/error.h"
#include "core/json.h"
#include "core/notify_config.h"
#include "core/probe_config.h"
#include "core/xmalloc.h"

static struct json_doc *doc_of(const char *text)
{
	struct json_doc *doc = NULL;
	char *err = NULL;
	if (json_doc_parse("cfg.json", text, strlen(text), &doc, &err) != DR_OK)
		fail_msg("parse: %s", err);
	return doc;
}

/* Reads the "probes" member; returns the error text (or NULL). */
static char *probes_errors(const char *text, struct probe_config **out)
{
	struct json_doc *doc = doc_of(text);
	struct json_errors errs = {0};
	const cJSON *node =
	    cJSON_GetObjectItemCaseSensitive(json_doc_root(doc), "probes");
	struct probe_config *pc = probe_config_read(doc, node, &errs);
	char *e = json_errors_take(&errs);
	if (out != NULL)
		*out = pc;
	else
		probe_config_destroy(pc);
	json_doc_free(doc);
	return e;
}

static char *notify_errors(const char *text, struct notify_config **out)
{
	struct json_doc *doc = doc_of(text);
	struct json_errors errs = {0};
	const cJSON *node = cJSON_GetObjectItemCaseSensitive(json_doc_root(doc),
	                                                     "notifications");
	struct notify_config *nc = notify_config_read(doc, node, &errs);
	char *e = json_errors_take(&errs);
	if (out != NULL)
		*out = nc;
	else
		notify_config_destroy(nc);
	json_doc_free(doc);
	return e;
}

static void expect_error(char *errors, const char *needle)
{
	if (errors == NULL || strstr(errors, needle) == NULL)
		fail_msg("expected \"%s\" in: %s", needle,
		         errors ? errors : "(no errors)");
}

/* A check pinned to an agent keeps the name; a name no agent could have
 * is refused where it stands, as is one in the agent section. */
static void test_agent_pins(void **state)
{
	(void)state;
	struct probe_config *pc = NULL;
	char *e = probes_errors(
	    "{\"probes\": {\"services\": {\"orders\": {\"checks\": [\n"
	    "  {\"name\": \"a\", \"kind\": \"tcp\", \"host\": \"h\", "
	    "\"port\": 5432, \"agent\": \"dc1.example\"},\n"
	    "  {\"name\": \"b\", \"kind\": \"tcp\", \"host\": \"h\", "
	    "\"port\": 5432}\n"
	    "]}}}}",
	    &pc);
	assert_null(e);
	assert_string_equal(pc->services[0].checks[0].agent, "dc1.example");
	assert_string_equal(pc->services[0].checks[1].agent, "");
	probe_config_destroy(pc);
	e = probes_errors(
	    "{\"probes\": {\"services\": {\"orders\": {\"checks\": [\n"
	    "  {\"name\": \"a\", \"kind\": \"tcp\", \"host\": \"h\", "
	    "\"port\": 5432, \"agent\": \"dc 1\"},\n"
	    "  {\"name\": \"b\", \"kind\": \"tcp\", \"host\": \"h\", "
	    "\"port\": 5432, \"agent\": 7}\n"
	    "]}}}}",
	    NULL);
	expect_error(e, "cfg.json:2:");
	expect_error(e,
	             "expected the name of an agent (1 to 63 letters, "
	             "digits, '.', '_' or '-') for \"agent\", found \"dc 1\"");
	expect_error(e, "cfg.json:3:");
	free(e);

	struct json_doc *doc =
	    doc_of("{\"agent\": {\"name\": \"dc1/a\", \"heartbeat\": \"5s\"}}");
	struct json_errors errs = {0};
	struct agent_config *ac = agent_config_read(
	    doc, cJSON_GetObjectItemCaseSensitive(json_doc_root(doc), "agent"),
	    &errs);
	e = json_errors_take(&errs);
	expect_error(e, "cfg.json:1:");
	expect_error(e, "found \"dc1/a\"");
	free(e);
	assert_string_equal(ac->name, "");
	agent_config_destroy(ac);
	json_doc_free(doc);
	assert_true(agent_name_valid("dc1-agent_2.example"));
	assert_false(agent_name_valid(""));
	assert_false(agent_name_valid("a234567890123456789012345678901234567890"
	                              "123456789012345678901234"));
}

static void test_defaults(void **state)
{
	(void)state;
	struct probe_config *pc = NULL;
	char *e = probes_errors("{}", &pc);
	assert_null(e);
	assert_int_equal(pc->interval_s, 30);
	assert_int_equal(pc->timeout_ms, 5000);
	assert_int_equal(pc->failures_before_down, 3);
	assert_int_equal(pc->n_services, 0);
	probe_config_destroy(pc);
}

static void test_full(void **state)
{
	(void)state;
	struct probe_config *pc = NULL;
	char *e = probes_errors(
	    "{\"probes\": {\"interval\": \"10s\", \"timeout\": \"500ms\",\n"
	    " \"failures_before_down\": 2, \"keep\": \"7d\",\n"
	    " \"services\": {\"orders\": {\"failover_runbook\": \"fo\",\n"
	    "  \"checks\": [\n"
	    "   {\"name\": \"api\", \"kind\": \"http\", \"url\": "
	    "\"http://127.0.0.1:1/ok\", \"expect_status\": 204,\n"
	    "    \"body_contains\": \"ok\", \"latency_max\": \"250ms\"},\n"
	    "   {\"name\": \"port\", \"kind\": \"tcp\", \"host\": "
	    "\"127.0.0.1\", \"port\": 5432, \"timeout\": 2},\n"
	    "   {\"name\": \"db\", \"kind\": \"postgres\", \"conninfo\": "
	    "\"host=/tmp port=5432 dbname=x\", \"passfile\": \"/p\",\n"
	    "    \"lag_max\": \"30s\", \"lag_max_bytes\": 1024, \"standbys\": "
	    "[\"s1\"], \"interval\": \"1m\"},\n"
	    "   {\"name\": \"n\", \"kind\": \"command\", \"command\": "
	    "[\"echo\", "
	    "\"5\"], \"max\": 10}\n"
	    "  ]}}}}",
	    &pc);
	if (e != NULL)
		fail_msg("%s", e);
	assert_int_equal(pc->n_services, 1);
	const struct probe_service *s = probe_config_service(pc, "orders");
	assert_non_null(s);
	assert_string_equal(s->failover_runbook, "fo");
	assert_int_equal(s->failures_before_down, 2);
	assert_int_equal(s->n_checks, 4);
	assert_string_equal(s->checks[0].kind->name, "http");
	assert_int_equal(s->checks[0].expect_status, 204);
	assert_int_equal(s->checks[0].timeout_ms, 500);
	assert_true(s->checks[0].latency_max_ms == 250);
	assert_string_equal(s->checks[1].port, "5432");
	assert_int_equal(s->checks[1].timeout_ms, 2000);
	assert_true(s->checks[2].lag_max_s == 30);
	assert_int_equal(s->checks[2].lag_max_bytes, 1024);
	assert_int_equal(s->checks[2].interval_s, 60);
	assert_string_equal(s->checks[2].standbys[0], "s1");
	assert_string_equal(s->checks[3].argv[0], "echo");
	assert_true(s->checks[3].has_max && !s->checks[3].has_min);
	assert_int_equal(pc->keep_s, 7 * 86400);
	probe_config_destroy(pc);
}

static void test_probe_errors(void **state)
{
	(void)state;
	char *e = probes_errors(
	    "{\"probes\": {\"services\": {\"orders\": {\"checks\": [\n"
	    "  {\"name\": \"a\", \"kind\": \"smtp\"},\n"
	    "  {\"name\": \"b\", \"kind\": \"http\", \"url\": \"ftp://x\"},\n"
	    "  {\"name\": \"c\", \"kind\": \"tcp\", \"host\": \"h\", \"port\": "
	    "70000},\n"
	    "  {\"name\": \"d\", \"kind\": \"postgres\", \"conninfo\": "
	    "\"host=h password=hunter2\"},\n"
	    "  {\"name\": \"e\", \"kind\": \"http\", \"url\": \"http://x\", "
	    "\"colour\": 1},\n"
	    "  {\"name\": \"e\", \"kind\": \"command\", \"command\": 5},\n"
	    "  {\"name\": \"g\", \"kind\": \"http\", \"url\": \"http://x\", "
	    "\"timeout\": \"soon\"}\n"
	    "]}}}}",
	    NULL);
	expect_error(e, "cfg.json:2:17: unknown probe kind \"smtp\" "
	                "(expected one of: http, tcp, postgres, command)");
	expect_error(e, "cfg.json:3:");
	expect_error(e, "expected an http:// or https:// URL");
	expect_error(e, "cfg.json:4:");
	expect_error(e, "expected a port from 1 to 65535, found 70000");
	expect_error(e, "cfg.json:5:");
	expect_error(e, "holds a password");
	/* The password itself is never repeated. */
	assert_null(strstr(e, "hunter2"));
	expect_error(e, "cfg.json:6:");
	expect_error(e, "unknown key \"colour\"");
	expect_error(e, "has two checks named \"e\"");
	expect_error(e, "expected a non-empty string or array for "
	                "\"command\"");
	expect_error(e, "cfg.json:8:");
	expect_error(e, "bad duration \"soon\" for \"timeout\"");
	free(e);
	e = probes_errors("{\"probes\": {\"intervall\": \"5s\", "
	                  "\"failures_before_down\": 0}}",
	                  NULL);
	expect_error(e, "cfg.json:1:13: unknown key \"intervall\"");
	expect_error(e, "expected a whole number from 1 to 1000 for "
	                "\"failures_before_down\", found 0");
	free(e);
	e = probes_errors(
	    "{\"probes\": {\"services\": {\"x\": {\"auto_failover\": "
	    "true, \"checks\": []}}}}",
	    NULL);
	expect_error(e, "\"auto_failover\" needs a \"failover_runbook\"");
	free(e);
	e = probes_errors("{\"probes\": {\"services\": {\"x\": {}}}}", NULL);
	expect_error(e, "service \"x\" needs \"checks\"");
	free(e);
}

static void test_notify(void **state)
{
	(void)state;
	struct notify_config *nc = NULL;
	char *e = notify_errors(
	    "{\"notifications\": {\"channels\": [\n"
	    " {\"name\": \"s\", \"kind\": \"slack\", \"url\": "
	    "\"http://127.0.0.1:9/hook\"},\n"
	    " {\"name\": \"n\", \"kind\": \"ntfy\", \"url\": "
	    "\"http://127.0.0.1:9/topic\", \"priority\": \"high\", "
	    "\"services\": [\"orders\"], \"events\": [\"probe\"]},\n"
	    " {\"name\": \"j\", \"kind\": \"json\", \"url\": \"https://x/\", "
	    "\"headers\": {\"Authorization\": \"Bearer t\"}}],\n"
	    " \"retries\": 3, \"backoff\": \"2s\", \"backoff_max\": \"1m\", "
	    "\"rate_limit\": 5, \"dedup_window\": \"10m\"}}",
	    &nc);
	if (e != NULL)
		fail_msg("%s", e);
	assert_int_equal(nc->n_channels, 3);
	assert_int_equal(nc->channels[1].kind, NOTIFY_NTFY);
	assert_string_equal(nc->channels[1].priority, "high");
	assert_string_equal(nc->channels[1].services[0], "orders");
	assert_string_equal(nc->channels[2].headers[0],
	                    "Authorization: Bearer t");
	assert_int_equal(nc->retries, 3);
	assert_int_equal(nc->backoff_s, 2);
	assert_int_equal(nc->backoff_max_s, 60);
	assert_int_equal(nc->rate_limit, 5);
	assert_int_equal(nc->dedup_window_s, 600);
	notify_config_destroy(nc);

	e = notify_errors(
	    "{\"notifications\": {\"channels\": [\n"
	    " {\"name\": \"s\", \"kind\": \"teams\", \"url\": \"x\"},\n"
	    " {\"name\": \"s\", \"kind\": \"ntfy\", \"url\": \"http://x\", "
	    "\"priority\": \"loud\", \"events\": [\"lunch\"]}],\n"
	    " \"retries\": -1, \"backof\": 1}}",
	    NULL);
	expect_error(e, "cfg.json:2:");
	expect_error(e, "unknown channel kind \"teams\" (expected one of: "
	                "slack, ntfy, json, pagerduty, email)");
	expect_error(e, "expected an http:// or https:// URL");
	expect_error(e, "cfg.json:3:");
	expect_error(e, "two channels are named \"s\"");
	expect_error(e, "unknown priority \"loud\"");
	expect_error(e, "unknown event type \"lunch\"");
	expect_error(e, "cfg.json:4:");
	expect_error(e, "expected a whole number from 0 to 100 for "
	                "\"retries\"");
	expect_error(e, "unknown key \"backof\"");
	free(e);
}

/* PagerDuty and email channels, "repeat", and "retries": 0. */
static void test_notify_kinds(void **state)
{
	(void)state;
	struct notify_config *nc = NULL;
	char keyfile[] = "/tmp/drconsole-pc-XXXXXX";
	char credfile[] = "/tmp/drconsole-pc-XXXXXX";
	int kfd = mkstemp(keyfile), cfd = mkstemp(credfile);
	char *text, *e;

	assert_true(kfd >= 0 && cfd >= 0);
	assert_true(write(kfd, "K3Y\n", 4) == 4);
	assert_true(write(cfd, "u:p:w\n", 6) == 6);
	close(kfd);
	close(cfd);
	assert_int_equal(chmod(credfile, 0600), 0);
	text = xasprintf(
	    "{\"notifications\": {\"retries\": 0, \"repeat\": \"30m\", "
	    "\"channels\": [\n"
	    " {\"name\": \"pd\", \"kind\": \"pagerduty\", "
	    "\"routing_key_file\": \"%s\"},\n"
	    " {\"name\": \"m\", \"kind\": \"email\", \"url\": "
	    "\"smtp://127.0.0.1:25\", \"starttls\": true, \"from\": "
	    "\"a@b.c\", \"to\": [\"x@y.z\"], \"credentials_file\": \"%s\"}]}}",
	    keyfile, credfile);
	e = notify_errors(text, &nc);
	if (e != NULL)
		fail_msg("%s", e);
	assert_int_equal(nc->retries, 0);
	assert_int_equal(nc->repeat_s, 1800);
	assert_int_equal(nc->channels[0].kind, NOTIFY_PAGERDUTY);
	assert_string_equal(nc->channels[0].routing_key, "K3Y");
	assert_string_equal(nc->channels[0].url, NOTIFY_PAGERDUTY_URL);
	assert_int_equal(nc->channels[1].kind, NOTIFY_EMAIL);
	assert_true(nc->channels[1].starttls);
	assert_string_equal(nc->channels[1].to[0], "x@y.z");
	notify_config_destroy(nc);

	/* A credentials file others may read is refused, with its mode. */
	assert_int_equal(chmod(credfile, 0640), 0);
	e = notify_errors(text, NULL);
	expect_error(e, "cfg.json:3:115: ");
	expect_error(e, "readable by others (mode 0640); chmod 600 it");
	free(e);
	free(text);

	e = notify_errors(
	    "{\"notifications\": {\"channels\": [\n"
	    " {\"name\": \"pd\", \"kind\": \"pagerduty\", \"starttls\": "
	    "true},\n"
	    " {\"name\": \"m\", \"kind\": \"email\", \"url\": \"https://x/\", "
	    "\"from\": \"nobody\", \"routing_key\": \"k\"}]}}",
	    NULL);
	expect_error(e, "needs one of \"routing_key\" or \"routing_key_file\"");
	expect_error(e, "\"starttls\" is for email channels");
	expect_error(e, "\"routing_key\" is for pagerduty channels");
	expect_error(e, "expected an smtp:// or smtps:// URL");
	expect_error(e, "expected an address like ops@example.com");
	expect_error(e, "an email channel needs \"to\"");
	free(e);
	unlink(keyfile);
	unlink(credfile);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_full),
	    cmocka_unit_test(test_agent_pins),
	    cmocka_unit_test(test_probe_errors),
	    cmocka_unit_test(test_notify),
	    cmocka_unit_test(test_notify_kinds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
