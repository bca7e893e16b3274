/* core/agent.c against a real catalog: one agent per catalog (a second
 * lock on the same file, or on a symlink to it, is refused naming the
 * holder; a lock left held by a child of an agent that ended says so;
 * another host's agent that beats recently refuses the lock, a stale or
 * stopped one does not), the heartbeat as people read it, and the loop:
 * it beats "running" and ends "stopped", a stop request ends it, a reload
 * that fails keeps the old config, one that works replaces it, and a
 * probe that goes down starts the service's failover once. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/agent.h"
#include "core/agent_config.h"
#include "core/config.h"
#include "core/error.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "db/catalog.h"
#include "db/catalog_agent.h"

/* 2026-11-22T12:30:00Z */
#define NOW 1795350600LL

struct fixture {
	char dir[64];
	char path[128]; /* the catalog */
	struct catalog *cat;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	char *err = NULL;
	strlcpy_dr(f->dir, "/tmp/agent_test_XXXXXX", sizeof f->dir);
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof f->path, "%s/catalog.db", f->dir);
	if (catalog_open(f->path, CATALOG_CREATE, &f->cat, &err) !=
	    CATALOG_OK) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	*state = f;
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag,
                  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	catalog_close(f->cat);
	nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	unsetenv("DRCONSOLE_NOW");
	return 0;
}

static struct config *load(const struct fixture *f, const char *json)
{
	char path[192];
	struct config *cfg = NULL;
	char *err = NULL;
	snprintf(path, sizeof path, "%s/config.json", f->dir);
	FILE *out = fopen(path, "w");
	assert_non_null(out);
	fputs(json, out);
	fclose(out);
	if (config_load(path, &cfg, &err) != DR_OK)
		fail_msg("config_load: %s", err);
	return cfg;
}

static void beat(struct catalog *cat, const char *host, int64_t pid,
                 const char *st, int64_t at)
{
	struct catalog_agent a;
	char *err = NULL;
	memset(&a, 0, sizeof a);
	strlcpy_dr(a.host, host, sizeof a.host);
	a.pid = pid;
	a.started_at = at - 100;
	a.beat_at = at;
	a.interval_s = 10;
	strlcpy_dr(a.state, st, sizeof a.state);
	assert_int_equal(catalog_agent_beat(cat, &a, &err), CATALOG_OK);
}

/* ---- the lock ----------------------------------------------------------- */

/* The lock of an SQLite catalog: no note, since no agent shares it. */
static int lock_file(struct catalog *cat, const char *path, int *fd, char **err)
{
	char *note = NULL;
	int rc = agent_lock(cat, NULL, path, fd, &note, err);

	assert_null(note);
	return rc;
}

static void test_second_agent_refused(void **state)
{
	struct fixture *f = *state;
	int fd = -1, fd2 = -1;
	char *err = NULL, want[64], link[160];

	assert_int_equal(lock_file(f->cat, f->path, &fd, &err), DR_OK);
	assert_true(fd >= 0);
	assert_int_equal(lock_file(f->cat, f->path, &fd2, &err), DR_EBUSY);
	assert_int_equal(fd2, -1);
	/* It names the holder: this process. */
	snprintf(want, sizeof want, "(pid %ld on ", (long)getpid());
	assert_non_null(strstr(err, "another agent runs on this catalog"));
	assert_non_null(strstr(err, want));
	assert_non_null(strstr(err, ".agent.lock"));
	free(err);
	/* Another spelling of the same file shares the lock. */
	snprintf(link, sizeof link, "%s/other-name.db", f->dir);
	assert_int_equal(symlink(f->path, link), 0);
	assert_int_equal(lock_file(f->cat, link, &fd2, &err), DR_EBUSY);
	free(err);
	snprintf(link, sizeof link, "%s/./../%s/catalog.db", f->dir,
	         strrchr(f->dir, '/') + 1);
	assert_int_equal(lock_file(f->cat, link, &fd2, &err), DR_EBUSY);
	free(err);
	/* Released, it can be taken again. */
	agent_unlock(fd);
	assert_int_equal(lock_file(f->cat, f->path, &fd, &err), DR_OK);
	agent_unlock(fd);
}

/* The agent that took the lock has ended (its pid runs no more), but
 * something it started keeps the file open: the message says so rather
 * than blaming a running agent. */
static void test_lock_left_by_a_child(void **state)
{
	struct fixture *f = *state;
	char lock[192], *err = NULL;
	int fd = -1;
	snprintf(lock, sizeof lock, "%s.agent.lock", f->path);
	int held = open(lock, O_RDWR | O_CREAT, 0600);
	assert_true(held >= 0);
	assert_int_equal(flock(held, LOCK_EX), 0);
	/* pid_max is at most 2^22: this pid runs nowhere. */
	const char *note = "pid 99999999 start 12345 on somehost\n";
	assert_int_equal(write(held, note, strlen(note)),
	                 (ssize_t)strlen(note));
	assert_int_equal(lock_file(f->cat, f->path, &fd, &err), DR_EBUSY);
	assert_non_null(strstr(err, "the agent that took it (pid 99999999 on "
	                            "somehost) has ended"));
	free(err);
	close(held);
	assert_int_equal(lock_file(f->cat, f->path, &fd, &err), DR_OK);
	agent_unlock(fd);
}

/* Another host cannot share the lock file, so its heartbeat in the
 * catalog speaks for it: recent, it refuses; stale or stopped, it does
 * not. */
static void test_other_host_beating(void **state)
{
	struct fixture *f = *state;
	char *err = NULL;
	int fd = -1;
	setenv("DRCONSOLE_NOW", "2026-11-22T12:30:00Z", 1);
	beat(f->cat, "elsewhere.example", 4242, "running", NOW - 5);
	assert_int_equal(lock_file(f->cat, f->path, &fd, &err), DR_EBUSY);
	assert_string_equal(err, "another agent runs on this catalog: pid "
	                         "4242 on elsewhere.example, last beat 5s "
	                         "ago (an SQLite catalog has one agent; "
	                         "agents on many hosts share a PostgreSQL "
	                         "one)");
	free(err);
	assert_int_equal(fd, -1);
	/* Three intervals without a beat: that agent is gone. */
	beat(f->cat, "elsewhere.example", 4242, "running", NOW - 31);
	assert_int_equal(lock_file(f->cat, f->path, &fd, &err), DR_OK);
	agent_unlock(fd);
	beat(f->cat, "elsewhere.example", 4242, "stopped", NOW - 1);
	assert_int_equal(lock_file(f->cat, f->path, &fd, &err), DR_OK);
	agent_unlock(fd);
}

/* A PostgreSQL catalog is shared: no lock file and no refusal, whoever
 * beats there; the note says with whom, and warns of a second agent of
 * the same name (its pinned checks would run twice). */
static void test_shared_catalog_not_locked(void **state)
{
	struct fixture *f = *state;
	char *err = NULL, *note = NULL, me[128];
	int fd = -1;

	setenv("DRCONSOLE_NOW", "2026-11-22T12:30:00Z", 1);
	assert_int_equal(agent_lock(f->cat, NULL, "postgresql:///?service=dr",
	                            &fd, &note, &err),
	                 DR_OK);
	assert_int_equal(fd, -1);
	assert_null(note); /* nobody else beats there */
	beat(f->cat, "elsewhere.example", 4242, "running", NOW - 5);
	beat(f->cat, "gone.example", 4243, "running", NOW - 500);
	assert_int_equal(
	    agent_lock(f->cat, NULL, "postgresql://h/dr", &fd, &note, &err),
	    DR_OK);
	assert_string_equal(note, "sharing the catalog with 1 other running "
	                          "agent: each due run is claimed by one of "
	                          "them");
	free(note);
	agent_name(NULL, me);
	beat(f->cat, me, 4244, "running", NOW - 2);
	assert_int_equal(
	    agent_lock(f->cat, NULL, "postgresql://h/dr", &fd, &note, &err),
	    DR_OK);
	assert_non_null(strstr(note, "another agent named "));
	assert_non_null(strstr(note, "(pid 4244) beat 2s ago"));
	free(note);
	/* The file of the same catalog still keeps other hosts out. */
	beat(f->cat, "elsewhere.example", 4242, "running", NOW - 1);
	assert_int_equal(lock_file(f->cat, f->path, &fd, &err), DR_EBUSY);
	free(err);
}

/* ---- the heartbeat as people read it ------------------------------------ */

/* Many agents in one line: how many run, and the first in trouble named
 * before them; one silent for a day no longer counts. */
static struct catalog_agent hb(const char *host, int64_t pid, const char *state,
                               int64_t at)
{
	struct catalog_agent a;

	memset(&a, 0, sizeof a);
	strlcpy_dr(a.host, host, sizeof a.host);
	a.pid = pid;
	a.beat_at = at;
	a.interval_s = 10;
	strlcpy_dr(a.state, state, sizeof a.state);
	return a;
}

static void test_summary(void **state)
{
	struct fixture *f = *state;
	struct catalog_agent l[5];
	char buf[512];

	setenv("DRCONSOLE_NOW", "2026-11-22T12:30:00Z", 1);
	assert_int_equal(agent_summary_list(l, 0, NOW, buf, sizeof buf), -1);
	l[0] = hb("dc1", 11, "running", NOW - 2);
	assert_int_equal(agent_summary_list(l, 1, NOW, buf, sizeof buf), 0);
	assert_string_equal(buf, "running on dc1 (pid 11), last beat 2s ago");
	l[1] = hb("dc2", 12, "running", NOW - 3);
	assert_int_equal(agent_summary_list(l, 2, NOW, buf, sizeof buf), 0);
	assert_string_equal(buf, "2 of 2 agents running (dc1, dc2)");
	l[2] = hb("dc3", 13, "running", NOW - 100);
	l[3] = hb("old", 14, "stopped", NOW - 900);
	l[4] = hb("retired", 15, "running", NOW - 2 * 86400);
	assert_int_equal(agent_summary_list(l, 5, NOW, buf, sizeof buf), 1);
	assert_string_equal(buf, "STALE: agent on dc3 (pid 13) last beat 100s "
	                         "ago (every 10s expected); 2 of 4 agents "
	                         "running (dc1, dc2), 1 stopped");
	/* Only stopped ones left: nobody watches. */
	l[0] = hb("dc1", 11, "stopped", NOW - 1);
	l[1] = hb("dc2", 12, "stopped", NOW - 1);
	l[2] = hb("dc3", 13, "stopped", NOW - 1);
	l[3] = hb("old", 14, "stopped", NOW - 900);
	assert_int_equal(agent_summary_list(l, 4, NOW, buf, sizeof buf), 1);
	assert_string_equal(buf, "0 of 4 agents running, 4 stopped");
	/* All silent for days: the newest still speaks, not nothing. */
	l[0] = hb("a", 1, "running", NOW - 3 * 86400);
	l[1] = hb("b", 2, "running", NOW - 2 * 86400);
	assert_int_equal(agent_summary_list(l, 2, NOW, buf, sizeof buf), 1);
	assert_string_equal(buf, "STALE: agent on b (pid 2) last beat 172800s "
	                         "ago (every 10s expected)");
	/* An SQLite catalog has one agent: the one that beat last, whatever
	 * host names beat there before. */
	beat(f->cat, "old-container-name", 9, "running", NOW - 500);
	beat(f->cat, "dc1", 11, "running", NOW - 2);
	assert_int_equal(agent_summary(f->cat, NOW, buf, sizeof buf), 0);
	assert_string_equal(buf, "running on dc1 (pid 11), last beat 2s ago");
}

static void test_describe(void **state)
{
	(void)state;
	struct catalog_agent a;
	char buf[256];
	memset(&a, 0, sizeof a);
	strlcpy_dr(a.host, "db1", sizeof a.host);
	a.pid = 42;
	a.beat_at = NOW - 4;
	a.interval_s = 10;
	strlcpy_dr(a.state, "running", sizeof a.state);
	strlcpy_dr(a.note, "3 probes", sizeof a.note);
	assert_int_equal(agent_describe(&a, NOW, buf, sizeof buf), 0);
	assert_string_equal(buf, "running on db1 (pid 42), last beat 4s ago; "
	                         "3 probes");
	/* No beat for three intervals: an alarm. */
	a.beat_at = NOW - 31;
	assert_int_equal(agent_describe(&a, NOW, buf, sizeof buf), 1);
	assert_string_equal(buf, "STALE: agent on db1 (pid 42) last beat 31s "
	                         "ago (every 10s expected)");
	strlcpy_dr(a.state, "stopped", sizeof a.state);
	a.beat_at = NOW - 60;
	assert_int_equal(agent_describe(&a, NOW, buf, sizeof buf), 1);
	assert_string_equal(buf, "STOPPED: agent on db1 (pid 42) stopped 60s "
	                         "ago");
	strlcpy_dr(a.state, "stopping", sizeof a.state);
	strlcpy_dr(a.note, "waiting for 1 job: backup:x", sizeof a.note);
	a.beat_at = NOW - 2;
	assert_int_equal(agent_describe(&a, NOW, buf, sizeof buf), 0);
	assert_string_equal(buf, "stopping on db1 (pid 42), last beat 2s ago; "
	                         "waiting for 1 job: backup:x");
}

/* ---- the loop ----------------------------------------------------------- */

struct run_log {
	char text[8192];
	int stop_on_start;
	int reload_on_start;
	struct config *fresh; /* what a reload gives; NULL: it fails */
	int reloads;
	int failovers;
	char failover[128];
};

/* The hooks have no argument of their own. */
static struct run_log *current_log;

static void log_line(void *arg, const char *line)
{
	struct run_log *l = arg;
	size_t len = strlen(l->text);
	snprintf(l->text + len, sizeof l->text - len, "%s\n", line);
	if (strncmp(line, "agent started", 13) == 0) {
		if (l->stop_on_start)
			agent_request_stop();
		if (l->reload_on_start)
			agent_request_reload();
	}
}

static struct config *reload(void *arg, char **err)
{
	struct run_log *l = arg;
	struct config *c = l->fresh;
	l->reloads++;
	l->fresh = NULL;
	if (c == NULL)
		*err = xstrdup("config.json:1:1: expected an object");
	return c;
}

static int failover(struct catalog *cat, const struct config *cfg,
                    const char *service, const char *runbook, int64_t up_at,
                    char **message)
{
	(void)cat;
	(void)cfg;
	(void)up_at;
	current_log->failovers++;
	snprintf(current_log->failover, sizeof current_log->failover, "%s %s",
	         service, runbook);
	*message = xstrdup("runbook started");
	return DR_OK;
}

static const struct agent_hooks hooks = {
    .name = "test",
    .failover = failover,
};

static struct agent_options options(const struct fixture *f, struct run_log *l,
                                    int ticks)
{
	struct agent_options o = {
	    .catalog_path = f->path,
	    .hooks = &hooks,
	    .reload = reload,
	    .reload_arg = l,
	    .log = log_line,
	    .log_arg = l,
	    .max_ticks = ticks,
	};
	current_log = l;
	return o;
}

static void test_run_beats_and_stops(void **state)
{
	struct fixture *f = *state;
	struct config *cfg = load(f, "{\"agent\": {\"heartbeat\": \"5s\"}}");
	struct run_log l = {.stop_on_start = 1};
	struct agent_options o = options(f, &l, 0);
	struct catalog_agent a;
	char host[128], *err = NULL;

	/* max_ticks 0: only the stop request ends it. */
	assert_int_equal(agent_run(f->cat, &cfg, &o, &err), DR_OK);
	assert_non_null(strstr(l.text, "agent started: pid "));
	assert_non_null(strstr(l.text, "agent stopped"));
	assert_int_equal(catalog_agent_latest(f->cat, &a, &err), CATALOG_OK);
	gethostname(host, sizeof host);
	assert_string_equal(a.host, host);
	assert_int_equal(a.pid, getpid());
	assert_string_equal(a.state, "stopped");
	assert_int_equal(a.interval_s, 5);
	config_free(cfg);
}

static void test_failed_reload_keeps_config(void **state)
{
	struct fixture *f = *state;
	struct config *cfg = load(f, "{\"agent\": {\"heartbeat\": \"7s\"}}");
	struct config *before = cfg;
	struct run_log l = {.reload_on_start = 1};
	struct agent_options o = options(f, &l, 1);
	char *err = NULL;

	assert_int_equal(agent_run(f->cat, &cfg, &o, &err), DR_OK);
	assert_int_equal(l.reloads, 1);
	assert_non_null(strstr(l.text, "reload failed, keeping the old "
	                               "config: config.json:1:1: expected an "
	                               "object"));
	assert_ptr_equal(cfg, before);
	assert_int_equal(cfg->agent->heartbeat_s, 7);
	config_free(cfg);
}

static void test_reload_replaces_config(void **state)
{
	struct fixture *f = *state;
	struct config *cfg = load(f, "{\"agent\": {\"heartbeat\": \"7s\"}}");
	struct run_log l = {.reload_on_start = 1};
	l.fresh = load(f, "{\"agent\": {\"heartbeat\": \"3s\"}}");
	struct config *fresh = l.fresh;
	struct agent_options o = options(f, &l, 1);
	struct catalog_agent a;
	char *err = NULL;

	assert_int_equal(agent_run(f->cat, &cfg, &o, &err), DR_OK);
	assert_non_null(strstr(l.text, "config reloaded: 0 probes, 0 jobs"));
	/* The caller gets the new config back (the old one was freed). */
	assert_ptr_equal(cfg, fresh);
	assert_int_equal(catalog_agent_latest(f->cat, &a, &err), CATALOG_OK);
	assert_int_equal(a.interval_s, 3);
	config_free(cfg);
}

/* A port nobody listens on. */
static int dead_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof a;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

/* Both probes of a service with auto_failover go down in one round: its
 * failover runbook starts once; a service without auto_failover is only
 * logged. */
static void test_probe_down_fails_over_once(void **state)
{
	struct fixture *f = *state;
	char json[1024], *err = NULL;
	int port = dead_port();
	snprintf(json, sizeof json,
	         "{\"probes\": {\"interval\": \"1s\", \"timeout\": \"1s\", "
	         "\"failures_before_down\": 1, \"services\": {"
	         "\"orders-db\": {\"failover_runbook\": \"promote\", "
	         "\"auto_failover\": true, \"checks\": ["
	         "{\"name\": \"port\", \"kind\": \"tcp\", \"host\": "
	         "\"127.0.0.1\", \"port\": %d},"
	         "{\"name\": \"port2\", \"kind\": \"tcp\", \"host\": "
	         "\"127.0.0.1\", \"port\": %d}]},"
	         "\"web\": {\"failover_runbook\": \"promote\", \"checks\": ["
	         "{\"name\": \"port\", \"kind\": \"tcp\", \"host\": "
	         "\"127.0.0.1\", \"port\": %d}]}}}}",
	         port, port, port);
	struct config *cfg = load(f, json);
	struct catalog_service s;
	memset(&s, 0, sizeof s);
	strlcpy_dr(s.name, "orders-db", sizeof s.name);
	assert_int_equal(catalog_service_add(f->cat, &s, &err), CATALOG_OK);
	strlcpy_dr(s.name, "web", sizeof s.name);
	assert_int_equal(catalog_service_add(f->cat, &s, &err), CATALOG_OK);
	struct run_log l = {0};
	struct agent_options o = options(f, &l, 1);

	assert_int_equal(agent_run(f->cat, &cfg, &o, &err), DR_OK);
	assert_int_equal(l.failovers, 1);
	assert_string_equal(l.failover, "orders-db promote");
	assert_non_null(strstr(l.text, "probe orders-db/port DOWN"));
	assert_non_null(strstr(l.text, "probe web/port DOWN"));
	assert_non_null(strstr(l.text, "automatic failover of orders-db with "
	                               "promote: runbook started"));
	assert_null(strstr(l.text, "automatic failover of web"));
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_second_agent_refused, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_lock_left_by_a_child, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_other_host_beating, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_shared_catalog_not_locked,
	                                    setup, teardown),
	    cmocka_unit_test(test_describe),
	    cmocka_unit_test_setup_teardown(test_summary, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_run_beats_and_stops, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_failed_reload_keeps_config,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reload_replaces_config, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_probe_down_fails_over_once,
	                                    setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
