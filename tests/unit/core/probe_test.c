/* core/probe.c and the kinds that need no server: consecutive failures and
 * down/up, command probes (numbers, thresholds, exit status, timeouts that
 * kill), the HTTP judgement of a body, TCP refused, and that a round runs
 * its probes at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/http.h"
#include "core/probe.h"
#include "core/xmalloc.h"

static void test_track_down_and_up(void **state)
{
	(void)state;
	struct catalog_probe_state st;
	memset(&st, 0, sizeof(st));

	assert_false(probe_track(&st, 0, 3, "refused", 100));
	assert_false(probe_track(&st, 0, 3, "refused", 110));
	assert_int_equal(st.consecutive_failures, 2);
	assert_false(st.down);
	/* The third failure in a row: down. */
	assert_true(probe_track(&st, 0, 3, "refused", 120));
	assert_true(st.down);
	assert_int_equal(st.changed_at, 120);
	/* Still down: no change to report. */
	assert_false(probe_track(&st, 0, 3, "refused", 130));
	assert_int_equal(st.consecutive_failures, 4);
	assert_int_equal(st.changed_at, 120);
	/* One success: up, the count starts again. */
	assert_true(probe_track(&st, 1, 3, "HTTP 200", 140));
	assert_false(st.down);
	assert_int_equal(st.consecutive_failures, 0);
	assert_int_equal(st.last_ok_at, 140);
	assert_string_equal(st.message, "HTTP 200");
	/* A failure between successes never reaches the threshold. */
	assert_false(probe_track(&st, 0, 3, "x", 150));
	assert_false(probe_track(&st, 1, 3, "ok", 160));
	assert_false(probe_track(&st, 0, 3, "x", 170));
	assert_false(probe_track(&st, 0, 3, "x", 180));
	assert_false(st.down);
	/* A threshold of one: the first failure. */
	memset(&st, 0, sizeof(st));
	assert_true(probe_track(&st, 0, 1, "x", 10));
}

static struct probe_spec command_spec(const char *sh, long timeout_ms)
{
	struct probe_spec s;
	memset(&s, 0, sizeof(s));
	snprintf(s.service, sizeof(s.service), "svc");
	snprintf(s.name, sizeof(s.name), "cmd");
	s.kind = &probe_kind_command;
	s.timeout_ms = timeout_ms;
	s.argv = xcalloc(4, sizeof(char *));
	s.argv[0] = xstrdup("/bin/sh");
	s.argv[1] = xstrdup("-c");
	s.argv[2] = xstrdup(sh);
	return s;
}

static struct probe_outcome run_one(struct probe_spec *s)
{
	struct probe_outcome o;
	struct probe_spec *specs[1] = {s};
	probe_run(specs, &o, 1);
	return o;
}

static void test_command_numbers(void **state)
{
	(void)state;
	struct probe_spec s = command_spec("echo '  12.5 seconds'", 2000);
	struct probe_outcome o = run_one(&s);
	assert_true(o.ok);
	assert_true(o.value == 12.5);

	s.has_max = 1;
	s.max = 10;
	o = run_one(&s);
	assert_false(o.ok);
	assert_string_equal(o.message, "12.5 is over the maximum 10");
	s.has_max = 0;
	s.has_min = 1;
	s.min = 20;
	o = run_one(&s);
	assert_false(o.ok);
	assert_string_equal(o.message, "12.5 is under the minimum 20");
	probe_spec_clear(&s);

	s = command_spec("echo lagging", 2000);
	o = run_one(&s);
	assert_false(o.ok);
	assert_string_equal(o.message,
	                    "expected a number on stdout, found \"lagging\n\"");
	probe_spec_clear(&s);

	s = command_spec("echo 3; exit 4", 2000);
	o = run_one(&s);
	assert_false(o.ok);
	assert_string_equal(o.message, "exit status 4");
	probe_spec_clear(&s);
}

/* An HTTP body is searched whole for body_contains, NUL bytes and all: a
 * server that answers "\0...healthy" is up, not "lacks healthy". */
static void test_http_body_with_nul(void **state)
{
	(void)state;
	static const char body[] = "\0\x01bin\0status: healthy\n";
	struct probe_spec s;
	struct probe_outcome o;
	struct http_response r;
	memset(&s, 0, sizeof s);
	memset(&r, 0, sizeof r);
	s.expect_status = 200;
	s.body_contains = "healthy";
	r.code = 200;
	r.total_ms = 5;
	r.body = xmalloc(sizeof body);
	memcpy(r.body, body, sizeof body);
	r.body_len = sizeof body - 1;

	memset(&o, 0, sizeof o);
	probe_http_judge(&s, &r, &o);
	assert_true(o.ok);
	assert_string_equal(o.message, "HTTP 200 in 5 ms");

	s.body_contains = "all systems go";
	memset(&o, 0, sizeof o);
	probe_http_judge(&s, &r, &o);
	assert_false(o.ok);
	assert_string_equal(o.message,
	                    "HTTP 200 but the body lacks \"all systems go\"");

	/* Only the bytes received count, not what lies past body_len. */
	s.body_contains = "healthy";
	r.body_len = 8;
	memset(&o, 0, sizeof o);
	probe_http_judge(&s, &r, &o);
	assert_false(o.ok);
	free(r.body);
}

static void test_command_timeout_kills(void **state)
{
	(void)state;
	/* The child holds stdout open too: the whole group must go. */
	struct probe_spec s = command_spec("sleep 30 & sleep 30; echo 1", 300);
	int64_t t0 = probe_now_ms();
	struct probe_outcome o = run_one(&s);
	int64_t took = probe_now_ms() - t0;
	assert_false(o.ok);
	assert_string_equal(o.message, "no answer within 300 ms (killed)");
	assert_true(took >= 290 && took < 2000);
	probe_spec_clear(&s);
}

static void test_tcp_refused(void **state)
{
	(void)state;
	struct probe_spec s;
	memset(&s, 0, sizeof(s));
	s.kind = &probe_kind_tcp;
	s.timeout_ms = 2000;
	s.host = xstrdup("127.0.0.1");
	snprintf(s.port, sizeof(s.port), "1");
	struct probe_outcome o = run_one(&s);
	assert_false(o.ok);
	assert_non_null(strstr(o.message, "refused"));
	probe_spec_clear(&s);
}

static void test_round_is_concurrent(void **state)
{
	(void)state;
	enum { N = 20 };
	struct probe_spec s[N];
	struct probe_spec *p[N];
	struct probe_outcome o[N];

	for (int i = 0; i < N; i++) {
		s[i] = command_spec("sleep 0.4; echo 1", 5000);
		p[i] = &s[i];
	}
	int64_t t0 = probe_now_ms();
	probe_run(p, o, N);
	int64_t took = probe_now_ms() - t0;
	for (int i = 0; i < N; i++) {
		assert_true(o[i].ok);
		probe_spec_clear(&s[i]);
	}
	/* Twenty 0.4 s probes in sequence would take 8 s. */
	assert_true(took < 2500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_track_down_and_up),
	    cmocka_unit_test(test_command_numbers),
	    cmocka_unit_test(test_http_body_with_nul),
	    cmocka_unit_test(test_command_timeout_kills),
	    cmocka_unit_test(test_tcp_refused),
	    cmocka_unit_test(test_round_is_concurrent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
