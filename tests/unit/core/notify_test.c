/* core/notify.c: the rules -- state changes, dedup, rate limit, backoff,
 * which channel hears what -- and what the requests look like. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/notify.h"

static void set(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src);
}

static struct notify_config policy(void)
{
	struct notify_config nc;
	memset(&nc, 0, sizeof(nc));
	nc.dedup_window_s = 300;
	nc.rate_limit = 3;
	nc.rate_window_s = 3600;
	nc.retries = 5;
	nc.backoff_s = 10;
	nc.backoff_max_s = 100;
	return nc;
}

static void test_changes_only(void **state)
{
	(void)state;
	/* A healthy first sighting is not news; a bad one is. */
	assert_false(notify_is_change(NULL, "up"));
	assert_false(notify_is_change("", "OK"));
	assert_true(notify_is_change(NULL, "down"));
	assert_true(notify_is_change(NULL, "AT RISK"));
	assert_false(notify_is_change("down", "down"));
	assert_true(notify_is_change("down", "up"));
	assert_true(notify_is_change("OK", "AT RISK"));
	assert_true(notify_is_change("AT RISK", "BREACH"));
	assert_true(notify_is_change("BREACH", "OK"));
	assert_false(notify_is_change("BREACH", "BREACH"));
}

static enum notify_decision decide(const struct notify_config *nc, int64_t now,
                                   const char *state, const char *last_state,
                                   const char *last_status, int64_t last_at,
                                   int64_t in_window, int bad_news)
{
	struct notify_seen seen = {
	    .last_state = last_state,
	    .last_status = last_status,
	    .last_at = last_at,
	    .in_window = in_window,
	    .bad_news = bad_news,
	};
	return notify_decide(nc, now, state, &seen);
}

static void test_dedup_and_rate(void **state)
{
	(void)state;
	struct notify_config nc = policy();
	int64_t now = 1000000;
	assert_int_equal(decide(&nc, now, "up", "", "", 0, 0, 0), NOTIFY_SEND);
	/* The channel's newest word is this state, within 5 minutes. */
	assert_int_equal(
	    decide(&nc, now, "down", "down", "sent", now - 299, 0, 1),
	    NOTIFY_DEDUP);
	assert_int_equal(
	    decide(&nc, now, "down", "down", "sent", now - 300, 0, 1),
	    NOTIFY_SEND);
	/* A down after an up it was told is news, however soon. */
	assert_int_equal(decide(&nc, now, "down", "up", "sent", now - 1, 0, 1),
	                 NOTIFY_SEND);
	/* ...and so is a down after an up that was held back: the channel
	 * last heard "down", but the subject was up in between. */
	assert_int_equal(
	    decide(&nc, now, "down", "down", "rate_limited", now - 1, 9, 1),
	    NOTIFY_SEND);
	/* Three already this hour: the fourth good news is held back... */
	assert_int_equal(decide(&nc, now, "up", "", "", 0, 2, 0), NOTIFY_SEND);
	assert_int_equal(decide(&nc, now, "up", "", "", 0, 3, 0),
	                 NOTIFY_RATE_LIMITED);
	/* ...bad news never is. */
	assert_int_equal(
	    decide(&nc, now, "down", "up", "sent", now - 10, 300, 1),
	    NOTIFY_SEND);
	/* Dedup is checked first: a duplicate is not counted as limited. */
	assert_int_equal(decide(&nc, now, "up", "up", "sent", now - 10, 3, 0),
	                 NOTIFY_DEDUP);
	/* A silence holds everything, bad news included, until it ends. */
	struct notify_seen s = {.bad_news = 1, .silenced_until = now + 1};
	assert_int_equal(notify_decide(&nc, now, "down", &s), NOTIFY_SILENCED);
	s.silenced_until = now;
	assert_int_equal(notify_decide(&nc, now, "down", &s), NOTIFY_SEND);
}

static void test_severity(void **state)
{
	(void)state;
	assert_string_equal(notify_severity("down"), "critical");
	assert_string_equal(notify_severity("over"), "critical");
	assert_string_equal(notify_severity("BREACH"), "critical");
	assert_string_equal(notify_severity("failed"), "critical");
	assert_string_equal(notify_severity("corrupt"), "critical");
	assert_string_equal(notify_severity("AT RISK"), "warning");
	assert_string_equal(notify_severity("paused"), "warning");
	assert_string_equal(notify_severity("stopping"), "warning");
	assert_string_equal(notify_severity("up"), "info");
	assert_string_equal(notify_severity("started"), "info");
	assert_string_equal(notify_severity(NULL), "info");
}

static void test_escaping(void **state)
{
	(void)state;
	char *e = notify_slack_escape("<!channel> a&b <https://x|y> >");
	char h[256];

	assert_string_equal(e, "&lt;!channel&gt; a&amp;b &lt;https://x|y&gt; "
	                       "&gt;");
	free(e);
	/* ASCII stays as is; anything else is RFC 2047 base64 words. */
	notify_header_text(h, sizeof(h), "plain title");
	assert_string_equal(h, "plain title");
	notify_header_text(h, sizeof(h), "Ação down");
	assert_string_equal(h, "=?UTF-8?B?QcOnw6NvIGRvd24=?=");
	/* Long text: several words of at most 75 characters, never cutting
	 * a character (each "é" is 2 bytes). */
	notify_header_text(h, sizeof(h),
	                   "éééééééééééééééééééééééééééééééééééééééééééé");
	assert_non_null(strchr(h, ' '));
	for (char *w = strtok(h, " "); w != NULL; w = strtok(NULL, " ")) {
		assert_true(strlen(w) <= 75);
		assert_int_equal(strncmp(w, "=?UTF-8?B?", 10), 0);
	}
	/* Invalid UTF-8 becomes U+FFFD, not a broken header. */
	notify_header_text(h, sizeof(h), "a\xff");
	assert_string_equal(h, "=?UTF-8?B?Ye+/vQ==?=");
}

static void test_backoff(void **state)
{
	(void)state;
	struct notify_config nc = policy();
	assert_int_equal(notify_backoff_s(&nc, 1), 10);
	assert_int_equal(notify_backoff_s(&nc, 2), 20);
	assert_int_equal(notify_backoff_s(&nc, 3), 40);
	assert_int_equal(notify_backoff_s(&nc, 4), 80);
	assert_int_equal(notify_backoff_s(&nc, 5), 100);
	assert_int_equal(notify_backoff_s(&nc, 60), 100);
}

static void test_channel_filters(void **state)
{
	(void)state;
	char *svcs[] = {"orders"};
	char *evs[] = {"probe"};
	struct notify_channel all = {.name = "all", .kind = NOTIFY_SLACK};
	struct notify_channel orders = {.name = "o",
	                                .kind = NOTIFY_NTFY,
	                                .services = svcs,
	                                .n_services = 1,
	                                .events = evs,
	                                .n_events = 1};
	struct notify_event probe = {
	    .type = "probe", .service = "orders", .state = "down"};
	struct notify_event other = {
	    .type = "probe", .service = "billing", .state = "down"};
	struct notify_event verdict = {.type = "verdict", .state = "BREACH"};
	struct notify_event test = {.type = "test", .state = "test"};

	assert_true(notify_channel_wants(&all, &probe));
	assert_true(notify_channel_wants(&all, &verdict));
	assert_true(notify_channel_wants(&orders, &probe));
	assert_false(notify_channel_wants(&orders, &other));
	assert_false(notify_channel_wants(&orders, &verdict));
	assert_true(notify_channel_wants(&orders, &test));
}

static void test_render(void **state)
{
	(void)state;
	struct catalog_notify m;
	const char *h[8];
	char hb[3][512];
	char *body;
	struct notify_channel slack = {.name = "s", .kind = NOTIFY_SLACK};
	struct notify_channel ntfy = {.name = "n", .kind = NOTIFY_NTFY};
	char *extra[] = {"Authorization: Bearer t"};
	struct notify_channel json = {
	    .name = "j", .kind = NOTIFY_JSON, .headers = extra, .n_headers = 1};

	memset(&m, 0, sizeof(m));
	set(m.title, sizeof(m.title), "[prod] orders: probe api down");
	set(m.message, sizeof(m.message),
	    "orders/api is \"down\"\nafter 3 failures");
	set(m.state, sizeof(m.state), "down");
	set(m.type, sizeof(m.type), "probe");
	set(m.service, sizeof(m.service), "orders");
	set(m.event_key, sizeof(m.event_key), "probe:orders:api");
	m.created_at = 1763780645;
	m.id = 7;

	body = notify_render(&slack, &m, "prod", h, hb);
	assert_string_equal(h[0], "Content-Type: application/json");
	assert_null(h[1]);
	assert_string_equal(body,
	                    "{\"text\":\":warning: *[prod] orders: probe api "
	                    "down*\\norders/api is \\\"down\\\"\\nafter 3 "
	                    "failures\"}");
	free(body);

	body = notify_render(&ntfy, &m, "prod", h, hb);
	assert_string_equal(body, m.message);
	assert_string_equal(h[0], "Title: [prod] orders: probe api down");
	assert_string_equal(h[1], "Priority: high");
	assert_string_equal(h[2], "Tags: warning");
	assert_null(h[3]);
	free(body);

	body = notify_render(&json, &m, "prod", h, hb);
	assert_string_equal(h[0], "Authorization: Bearer t");
	assert_string_equal(h[1], "Content-Type: application/json");
	assert_non_null(strstr(body, "\"environment\":\"prod\""));
	assert_non_null(strstr(body, "\"state\":\"down\""));
	assert_non_null(strstr(body, "\"severity\":\"critical\""));
	assert_non_null(strstr(body, "\"at\":\"2025-11-22T03:04:05Z\""));
	free(body);

	/* Header values stay on one line. */
	set(m.title, sizeof(m.title), "a\r\nInjected: yes");
	set(m.state, sizeof(m.state), "up");
	body = notify_render(&ntfy, &m, NULL, h, hb);
	assert_string_equal(h[0], "Title: a  Injected: yes");
	assert_string_equal(h[1], "Priority: default");
	free(body);

	/* Slack: what a probe printed is escaped, so "<!channel>" pings
	 * nobody. */
	set(m.message, sizeof(m.message), "body: <!channel> & <@U1>");
	body = notify_render(&slack, &m, NULL, h, hb);
	assert_non_null(strstr(body, "&lt;!channel&gt; &amp; &lt;@U1&gt;"));
	assert_null(strstr(body, "<!channel>"));
	free(body);

	/* ntfy: a non-ASCII title arrives as UTF-8, not spaces. */
	set(m.title, sizeof(m.title), "São Paulo down");
	body = notify_render(&ntfy, &m, NULL, h, hb);
	assert_string_equal(h[0], "Title: =?UTF-8?B?U8OjbyBQYXVsbyBkb3du?=");
	free(body);
}

static void test_render_pagerduty_email(void **state)
{
	(void)state;
	struct catalog_notify m;
	const char *h[8];
	char hb[3][512];
	char *body;
	char *to[] = {"oncall@example.com", "lead@example.com"};
	struct notify_channel pd = {
	    .name = "pd", .kind = NOTIFY_PAGERDUTY, .routing_key = "R0UT1NG"};
	struct notify_channel mail = {.name = "m",
	                              .kind = NOTIFY_EMAIL,
	                              .from = "dr@example.com",
	                              .to = to,
	                              .n_to = 2};

	memset(&m, 0, sizeof(m));
	set(m.title, sizeof(m.title), "[prod] orders: probe api down");
	set(m.message, sizeof(m.message), "line one\nline two");
	set(m.state, sizeof(m.state), "down");
	set(m.type, sizeof(m.type), "probe");
	set(m.service, sizeof(m.service), "orders");
	set(m.event_key, sizeof(m.event_key), "probe:orders:api");
	m.created_at = 1763780645;

	body = notify_render(&pd, &m, "prod", h, hb);
	assert_string_equal(h[0], "Content-Type: application/json");
	assert_non_null(strstr(body, "\"routing_key\":\"R0UT1NG\""));
	assert_non_null(strstr(body, "\"event_action\":\"trigger\""));
	assert_non_null(
	    strstr(body, "\"dedup_key\":\"drconsole:prod:probe:orders:api\""));
	assert_non_null(
	    strstr(body, "\"summary\":\"[prod] orders: probe api down\""));
	assert_non_null(strstr(body, "\"severity\":\"critical\""));
	assert_non_null(strstr(body, "\"component\":\"orders\""));
	assert_non_null(strstr(body, "\"timestamp\":\"2025-11-22T03:04:05Z\""));
	free(body);
	/* The recovery resolves the same alert, by the same key. */
	set(m.state, sizeof(m.state), "up");
	body = notify_render(&pd, &m, "prod", h, hb);
	assert_non_null(strstr(body, "\"event_action\":\"resolve\""));
	assert_non_null(
	    strstr(body, "\"dedup_key\":\"drconsole:prod:probe:orders:api\""));
	assert_null(strstr(body, "\"payload\""));
	free(body);

	set(m.state, sizeof(m.state), "down");
	set(m.title, sizeof(m.title), "Ação down");
	body = notify_render(&mail, &m, "prod", h, hb);
	assert_null(h[0]);
	assert_non_null(strstr(body, "From: drconsole <dr@example.com>\r\n"));
	assert_non_null(
	    strstr(body, "To: oncall@example.com, lead@example.com\r\n"));
	assert_non_null(
	    strstr(body, "Subject: =?UTF-8?B?QcOnw6NvIGRvd24=?=\r\n"));
	assert_non_null(strstr(body, "Date: Sat, 22 Nov 2025 03:04:05 +0000"));
	assert_non_null(strstr(body, "\r\n\r\nline one\r\nline two\r\n"));
	free(body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_changes_only),
	    cmocka_unit_test(test_dedup_and_rate),
	    cmocka_unit_test(test_backoff),
	    cmocka_unit_test(test_channel_filters),
	    cmocka_unit_test(test_render),
	    cmocka_unit_test(test_severity),
	    cmocka_unit_test(test_escaping),
	    cmocka_unit_test(test_render_pagerduty_email),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
