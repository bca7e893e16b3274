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

static void test_dedup_and_rate(void **state)
{
	(void)state;
	struct notify_config nc = policy();
	int64_t now = 1000000;
	assert_int_equal(notify_decide(&nc, now, 0, 0), NOTIFY_SEND);
	/* The same subject in the same state within 5 minutes: dropped. */
	assert_int_equal(notify_decide(&nc, now, now - 299, 0), NOTIFY_DEDUP);
	assert_int_equal(notify_decide(&nc, now, now - 300, 0), NOTIFY_SEND);
	/* Three already this hour: the fourth is held back. */
	assert_int_equal(notify_decide(&nc, now, 0, 2), NOTIFY_SEND);
	assert_int_equal(notify_decide(&nc, now, 0, 3), NOTIFY_RATE_LIMITED);
	/* Dedup is checked first: a duplicate is not counted as limited. */
	assert_int_equal(notify_decide(&nc, now, now - 10, 3), NOTIFY_DEDUP);
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
	char hb[3][192];
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
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_changes_only),
	    cmocka_unit_test(test_dedup_and_rate),
	    cmocka_unit_test(test_backoff),
	    cmocka_unit_test(test_channel_filters),
	    cmocka_unit_test(test_render),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
