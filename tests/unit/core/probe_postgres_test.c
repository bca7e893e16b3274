/* core/probe_postgres.c without a server: how the answers of one round
 * become replication samples.  A link has one name whichever side
 * samples it, and a standby's lag is measured against a WAL position
 * (its primary's, else its WAL receiver's), never taken from the age of
 * its last replayed commit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/json.h"
#include "core/probe_config.h"
#include "core/probe_postgres.h"

static struct probe_config *config_of(const char *text, char **errors)
{
	struct json_doc *doc = NULL;
	struct json_errors errs = {0};
	char *err = NULL;

	if (json_doc_parse("cfg.json", text, strlen(text), &doc, &err) != 0)
		fail_msg("parse: %s", err);
	struct probe_config *pc = probe_config_read(
	    doc, cJSON_GetObjectItemCaseSensitive(json_doc_root(doc), "probes"),
	    &errs);
	*errors = json_errors_take(&errs);
	json_doc_free(doc);
	return pc;
}

/* orders: "primary" (listing standby1) and "standby". */
static const char pair_config[] =
    "{\"probes\": {\"services\": {\"orders\": {\"checks\": [\n"
    " {\"name\": \"primary\", \"kind\": \"postgres\", \"conninfo\": "
    "\"host=/tmp port=1\", \"standbys\": [\"standby1\"]},\n"
    " {\"name\": \"standby\", \"kind\": \"postgres\", \"conninfo\": "
    "\"host=/tmp port=2\"}]}}}}";

static struct pg_status primary_status(int64_t current_lsn, int64_t lag_bytes,
                                       double lag_s)
{
	struct pg_status st;
	memset(&st, 0, sizeof(st));
	strcpy(st.server, "10.0.0.1:5432/orders");
	st.current_lsn = current_lsn;
	st.replay_lsn = st.receive_lsn = st.sender_lsn = -1;
	st.n_replicas = 1;
	st.replicas = calloc(1, sizeof(*st.replicas));
	strcpy(st.replicas[0].name, "standby1");
	strcpy(st.replicas[0].client, "10.0.0.2");
	strcpy(st.replicas[0].state, "streaming");
	st.replicas[0].lag_bytes = lag_bytes;
	st.replicas[0].lag_s = lag_s;
	return st;
}

/* A standby just restarted with nothing new on its primary: replay at
 * replay_lsn, the receive position back at the segment's start, no
 * replayed commit; its receiver streams and has the sender's end. */
static struct pg_status restarted_standby(int64_t replay_lsn)
{
	struct pg_status st;
	memset(&st, 0, sizeof(st));
	strcpy(st.server, "10.0.0.2:5432/orders");
	st.in_recovery = 1;
	strcpy(st.standby_name, "standby1");
	strcpy(st.receiver_app, "standby1");
	strcpy(st.upstream, "10.0.0.1:5432");
	st.current_lsn = -1;
	st.replay_lsn = replay_lsn;
	st.receive_lsn = replay_lsn & ~(int64_t)0xffffff;
	st.sender_lsn = replay_lsn;
	st.receiving = 1;
	return st;
}

/* One round of checks first..first+n of the service, answering st. */
static void round_of(struct probe_config *pc, size_t first,
                     struct pg_status *st, struct probe_outcome *out, size_t n)
{
	struct probe_spec *specs[4];
	for (size_t i = 0; i < n; i++)
		specs[i] = &pc->services[0].checks[first + i];
	memset(out, 0, n * sizeof(*out));
	probe_postgres_interpret(specs, st, out, n);
}

static void assert_sample(const struct catalog_replication *r,
                          const char *source, const char *target,
                          const char *state, double lag_s, int64_t lag_bytes)
{
	assert_string_equal(r->source, source);
	assert_string_equal(r->target, target);
	assert_string_equal(r->state, state);
	assert_string_equal(r->kind, "replica");
	assert_true(r->lag_s == lag_s);
	assert_int_equal(r->lag_bytes, lag_bytes);
}

static void test_link_named_once(void **state)
{
	(void)state;
	char *e = NULL;
	struct probe_config *pc = config_of(pair_config, &e);
	assert_null(e);
	assert_string_equal(pc->services[0].checks[1].link_source,
	                    "orders/primary");

	/* Both sides answer: one sample, under (orders/primary, standby1). */
	struct pg_status st[2] = {primary_status(0x3015FF0, 0, -1),
	                          restarted_standby(0x3015FF0)};
	struct probe_outcome out[2];
	round_of(pc, 0, st, out, 2);
	assert_int_equal(out[0].n_repl, 0);
	assert_int_equal(out[1].n_repl, 1);
	assert_sample(&out[1].repl[0], "orders/primary", "standby1",
	              "streaming", 0, 0);
	probe_outcome_clear(&out[0]);
	probe_outcome_clear(&out[1]);

	/* The standby does not answer: the primary's row, same name. */
	st[1].status = 5;
	round_of(pc, 0, st, out, 2);
	assert_int_equal(out[0].n_repl, 1);
	assert_sample(&out[0].repl[0], "orders/primary", "standby1",
	              "streaming", 0, 0);
	probe_outcome_clear(&out[0]);
	probe_outcome_clear(&out[1]);

	/* The primary does not answer: the standby's own, same name. */
	st[1].status = 0;
	st[0].status = 5;
	round_of(pc, 0, st, out, 2);
	assert_int_equal(out[1].n_repl, 1);
	assert_sample(&out[1].repl[0], "orders/primary", "standby1",
	              "streaming", 0, 0);
	probe_outcome_clear(&out[0]);
	probe_outcome_clear(&out[1]);
	pg_status_clear(&st[0]);
	probe_config_destroy(pc);
}

static void test_restarted_standby_caught_up(void **state)
{
	(void)state;
	char *e = NULL;
	struct probe_config *pc = config_of(pair_config, &e);
	struct pg_status st[2] = {primary_status(0x3015FF0, 0, -1),
	                          restarted_standby(0x3015FF0)};
	struct probe_outcome out[2];

	/* Alone: against what its WAL receiver has from the primary. */
	round_of(pc, 1, st + 1, out + 1, 1);
	assert_int_equal(out[1].n_repl, 1);
	assert_sample(&out[1].repl[0], "orders/primary", "standby1",
	              "streaming", 0, 0);
	assert_non_null(strstr(out[1].message, "against the WAL received"));
	probe_outcome_clear(&out[1]);

	/* Behind its receiver: bytes measured, seconds unknown (never the
	 * age of the last replayed commit). */
	st[1].sender_lsn = 0x3015FF0 + 4096;
	round_of(pc, 1, st + 1, out + 1, 1);
	assert_sample(&out[1].repl[0], "orders/primary", "standby1",
	              "streaming", -1, 4096);
	probe_outcome_clear(&out[1]);

	/* With its primary: against the primary's position; the seconds
	 * are the primary's replay_lag when behind. */
	st[0].current_lsn = 0x3015FF0 + 8192;
	st[0].replicas[0].lag_s = 1.5;
	round_of(pc, 0, st, out, 2);
	assert_sample(&out[1].repl[0], "orders/primary", "standby1",
	              "streaming", 1.5, 8192);
	probe_outcome_clear(&out[0]);
	probe_outcome_clear(&out[1]);

	/* No receiver and no primary: nothing to measure against. */
	st[1].receiving = 0;
	round_of(pc, 1, st + 1, out + 1, 1);
	assert_sample(&out[1].repl[0], "orders/primary", "standby1", "stopped",
	              -1, -1);
	probe_outcome_clear(&out[1]);
	/* Streaming, but no WAL position known: unknown. */
	st[1].receiving = 1;
	st[1].sender_lsn = st[1].receive_lsn = -1;
	round_of(pc, 1, st + 1, out + 1, 1);
	assert_sample(&out[1].repl[0], "orders/primary", "standby1", "unknown",
	              -1, -1);
	probe_outcome_clear(&out[1]);
	pg_status_clear(&st[0]);
	probe_config_destroy(pc);
}

static void test_primary_named_or_derived(void **state)
{
	(void)state;
	char *e = NULL;
	/* Two primaries listing standbys: "primary" says which. */
	struct probe_config *pc = config_of(
	    "{\"probes\": {\"services\": {\"s\": {\"checks\": [\n"
	    " {\"name\": \"a\", \"kind\": \"postgres\", \"conninfo\": "
	    "\"host=/tmp\","
	    " \"standbys\": [\"r\"]},\n"
	    " {\"name\": \"b\", \"kind\": \"postgres\", \"conninfo\": "
	    "\"host=/tmp\","
	    " \"standbys\": [\"r\"]},\n"
	    " {\"name\": \"r\", \"kind\": \"postgres\", \"conninfo\": "
	    "\"host=/tmp\"},\n"
	    " {\"name\": \"r2\", \"kind\": \"postgres\", \"conninfo\": "
	    "\"host=/tmp\","
	    " \"primary\": \"b\", \"application_name\": \"r2app\"}]}}}}",
	    &e);
	assert_null(e);
	assert_string_equal(pc->services[0].checks[2].link_source, "");
	assert_string_equal(pc->services[0].checks[3].link_source, "s/b");
	assert_string_equal(pc->services[0].checks[3].application_name,
	                    "r2app");
	probe_config_destroy(pc);

	pc = config_of(
	    "{\"probes\": {\"services\": {\"s\": {\"checks\": [\n"
	    " {\"name\": \"r\", \"kind\": \"postgres\", "
	    "\"conninfo\": \"host=/tmp\", \"primary\": \"nope\"}]}}}}",
	    &e);
	assert_non_null(e);
	assert_non_null(strstr(e, "cfg.json:2:"));
	assert_non_null(strstr(e, "\"primary\" must name another postgres "
	                          "check of service \"s\", found \"nope\""));
	free(e);
	probe_config_destroy(pc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_link_named_once),
	    cmocka_unit_test(test_restarted_standby_caught_up),
	    cmocka_unit_test(test_primary_named_or_derived),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
