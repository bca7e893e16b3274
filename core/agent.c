/* The agent's loop; the model is in agent.h.
 *
 * Every tick (each whole second, cut short by a signal) it runs the probes
 * whose interval has come, as one concurrent round; then, every heartbeat,
 * it evaluates the verdict for notifications and beats.  Nothing that can
 * take long runs here: jobs run on the pool, notifications and the
 * heartbeat_url ping are delivered by threads of their own
 * (core/agent_pool.h).  Each job is claimed in the catalog before it starts
 * (catalog_job_start), so that a crash mid-run is never followed by a
 * second run for the same time. */
#include "core/agent.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/agent_config.h"
#include "core/agent_metrics.h"
#include "core/agent_pool.h"
#include "core/audit.h"
#include "core/compliance.h"
#include "core/error.h"
#include "core/notify.h"
#include "core/probe_round.h"
#include "core/procid.h"
#include "core/timeutil.h"
#include "core/verdict_history.h"
#include "core/xmalloc.h"

static volatile sig_atomic_t agent_stop_flag;
static volatile sig_atomic_t agent_reload_flag;

void agent_request_stop(void)
{
	agent_stop_flag = 1;
}

int agent_stopping(void)
{
	return agent_stop_flag != 0;
}

void agent_request_reload(void)
{
	agent_reload_flag = 1;
}

static void agent_logf(const struct agent_options *opt, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void agent_logf(const struct agent_options *opt, const char *fmt, ...)
{
	char line[768];
	va_list ap;

	if (opt->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	opt->log(opt->log_arg, line);
}

/* How long an agent of a shared catalog that stopped beating still counts
 * in the summary (agent_summary): a day. */
#define AGENT_FORGET_S 86400

/* A catalog agents on many hosts may share: each due job and probe run is
 * claimed in it (catalog_job_start), so no lock file is needed there. */
static int catalog_shared(const char *path)
{
	return catalog_where_shared(path);
}

/* The lock file's note says which process took the lock ("pid N start S
 * on HOST").  The kernel holds the lock for whoever has the file open, so
 * when that process has ended (pid gone, or reused by another process) the
 * holder is something it left running. */
static char *lock_holder_message(const char *note, const char *path)
{
	struct procid taker = {0, 0};
	long pid = 0;
	unsigned long long start = 0;
	char on[130] = "";

	if (sscanf(note, "pid %ld start %llu on %129s", &pid, &start, on) !=
	        3 &&
	    sscanf(note, "pid %ld on %129s", &pid, on) != 2)
		return xasprintf("another agent runs on this catalog (a "
		                 "process holds %s)",
		                 path);
	taker.pid = (pid_t)pid;
	taker.start = start;
	if (procid_alive(&taker))
		return xasprintf("another agent runs on this catalog (pid %ld "
		                 "on %s holds %s)",
		                 pid, on, path);
	return xasprintf("another agent's lock is still held: the agent that "
	                 "took it (pid %ld on %s) has ended, but a process it "
	                 "started still holds %s",
	                 pid, on, path);
}

int agent_lock(struct catalog *cat, const struct config *cfg,
               const char *catalog_path, int *lock_fd, char **note, char **err)
{
	struct catalog_agent other, *all = NULL;
	char host[128], *path, *real, held[256] = "";
	char *lerr = NULL;
	size_t n = 0, live = 0;
	int fd;
	int64_t now = time_now();

	*lock_fd = -1;
	*note = NULL;
	agent_name(cfg, host);
	if (catalog_shared(catalog_path)) {
		/* Agents on many hosts share the work; say with whom. */
		if (catalog_agent_list(cat, &all, &n, &lerr) != CATALOG_OK) {
			free(lerr);
			n = 0;
		}
		for (size_t i = 0; i < n; i++) {
			int64_t every =
			    all[i].interval_s > 0 ? all[i].interval_s : 10;
			if (strcmp(all[i].state, "stopped") == 0 ||
			    all[i].beat_at < now - 3 * every)
				continue;
			live++;
			if (strcmp(all[i].host, host) == 0 && *note == NULL)
				*note = xasprintf(
				    "another agent named %s (pid %lld) beat "
				    "%llds ago on this catalog: checks "
				    "pinned to %s run on both; give one of "
				    "them its own \"name\" in the agent "
				    "section",
				    host, (long long)all[i].pid,
				    (long long)(now - all[i].beat_at), host);
		}
		if (*note == NULL && live > 0)
			*note = xasprintf("sharing the catalog with %zu other "
			                  "running agent%s: each due run is "
			                  "claimed by one of them",
			                  live, live == 1 ? "" : "s");
		free(all);
		return DR_OK;
	}
	if (catalog_agent_latest(cat, &other, &lerr) == CATALOG_OK &&
	    strcmp(other.host, host) != 0 &&
	    strcmp(other.state, "stopped") != 0 &&
	    other.beat_at >=
	        now - 3 * (other.interval_s > 0 ? other.interval_s : 10)) {
		*err = xasprintf("another agent runs on this catalog: pid "
		                 "%lld on %s, last beat %llds ago (an SQLite "
		                 "catalog has one agent; agents on many hosts "
		                 "share a PostgreSQL one)",
		                 (long long)other.pid, other.host,
		                 (long long)(now - other.beat_at));
		return DR_EBUSY;
	}
	free(lerr);
	/* Named from the file itself, not the spelling of its path: two
	 * agents that reach one catalog through a symlink share the lock. */
	real = realpath(catalog_path, NULL);
	path = xasprintf("%s.agent.lock", real != NULL ? real : catalog_path);
	free(real);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		free(path);
		return DR_EIO;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		ssize_t got = read(fd, held, sizeof(held) - 1);
		held[got > 0 ? got : 0] = '\0';
		held[strcspn(held, "\n")] = '\0';
		*err = lock_holder_message(held, path);
		close(fd);
		free(path);
		return DR_EBUSY;
	}
	if (ftruncate(fd, 0) == 0) {
		struct procid self;
		char *who;

		procid_self(&self);
		who = xasprintf("pid %ld start %llu on %s\n", (long)self.pid,
		                self.start, host);
		if (pwrite(fd, who, strlen(who), 0) < 0)
			(void)0; /* the lock holds without the note */
		free(who);
	}
	free(path);
	*lock_fd = fd;
	return DR_OK;
}

void agent_unlock(int lock_fd)
{
	if (lock_fd >= 0)
		close(lock_fd);
}

int agent_describe(const struct catalog_agent *a, int64_t now, char *buf,
                   size_t size)
{
	int64_t age = now - a->beat_at;
	int64_t interval = a->interval_s > 0 ? a->interval_s : 10;
	int stale = age > 3 * interval;

	if (strcmp(a->state, "stopped") == 0) {
		snprintf(buf, size,
		         "STOPPED: agent on %s (pid %lld) stopped %llds ago",
		         a->host, (long long)a->pid, (long long)age);
		return 1;
	}
	if (stale) {
		snprintf(buf, size,
		         "STALE: agent on %s (pid %lld) last beat %llds ago "
		         "(every %llds expected)",
		         a->host, (long long)a->pid, (long long)age,
		         (long long)interval);
		return 1;
	}
	if (strcmp(a->state, "stopping") == 0) {
		snprintf(buf, size,
		         "stopping on %s (pid %lld), last beat %llds ago%s%s",
		         a->host, (long long)a->pid, (long long)age,
		         a->note[0] ? "; " : "", a->note);
		return 0;
	}
	snprintf(buf, size, "running on %s (pid %lld), last beat %llds ago%s%s",
	         a->host, (long long)a->pid, (long long)age,
	         a->note[0] ? "; " : "", a->note);
	return 0;
}

/* Every agent that ever ran on the catalog, as one line (`status`, the
 * console's header).  One agent reads as agent_describe(); many as how
 * many run, the first in trouble named. */
int agent_summary(struct catalog *cat, int64_t now, char *buf, size_t size)
{
	struct catalog_agent *all = NULL;
	char *err = NULL;
	size_t n = 0;
	int bad;

	buf[0] = '\0';
	if (!catalog_shared(catalog_where(cat))) {
		/* A file has one agent: the one that beat last (an earlier
		 * host name's row is history, not an agent). */
		struct catalog_agent a;
		int rc = catalog_agent_latest(cat, &a, &err);
		if (rc == CATALOG_ENOTFOUND) {
			free(err);
			return -1;
		}
		if (rc != CATALOG_OK) {
			snprintf(buf, size, "unknown: %s",
			         err ? err : "no answer");
			free(err);
			return -1;
		}
		return agent_describe(&a, now, buf, size);
	}
	if (catalog_agent_list(cat, &all, &n, &err) != CATALOG_OK) {
		snprintf(buf, size, "unknown: %s", err ? err : "no answer");
		free(err);
		return -1;
	}
	bad = agent_summary_list(all, n, now, buf, size);
	free(all);
	return bad;
}

int agent_summary_list(struct catalog_agent *all, size_t n, int64_t now,
                       char *buf, size_t size)
{
	char first_bad[320] = "", names[160] = "";
	size_t running = 0, stale = 0, stopped = 0;
	int bad;

	buf[0] = '\0';
	/* Agents silent for a day are retired hosts or old names: listed by
	 * `agent status`, not counted here, unless nothing newer is left. */
	size_t kept = 0, newest = 0;
	for (size_t i = 0; i < n; i++) {
		if (all[i].beat_at > all[newest].beat_at)
			newest = i;
		if (all[i].beat_at >= now - AGENT_FORGET_S)
			all[kept++] = all[i];
	}
	if (kept == 0 && n > 0) {
		all[0] = all[newest];
		kept = 1;
	}
	n = kept;
	if (n == 0)
		return -1;
	if (n == 1)
		return agent_describe(&all[0], now, buf, size);
	for (size_t i = 0; i < n; i++) {
		char line[320];
		int dead = agent_describe(&all[i], now, line, sizeof line);

		if (strcmp(all[i].state, "stopped") == 0) {
			stopped++;
			continue;
		}
		if (dead) {
			stale++;
			if (first_bad[0] == '\0')
				strlcpy_dr(first_bad, line, sizeof first_bad);
			continue;
		}
		running++;
		if (strlen(names) + strlen(all[i].host) + 3 < sizeof names)
			snprintf(names + strlen(names),
			         sizeof names - strlen(names), "%s%s",
			         names[0] ? ", " : "", all[i].host);
	}
	bad = stale > 0 || running == 0;
	snprintf(buf, size, "%s%s%zu of %zu agents running%s%s%s", first_bad,
	         first_bad[0] ? "; " : "", running, n, running ? " (" : "",
	         names, running ? ")" : "");
	if (stopped > 0 && strlen(buf) + 24 < size)
		snprintf(buf + strlen(buf), size - strlen(buf), ", %zu stopped",
		         stopped);
	return bad;
}

/* ---- verdict for notifications ------------------------------------------ */

static void agent_verdicts(struct catalog *cat, const struct config *cfg,
                           int64_t now)
{
	struct compliance_report rep;
	char *err = NULL;
	char msg[256];

	memset(&rep, 0, sizeof(rep));
	if (compliance_eval(cat, &cfg->policy, now, &rep, &err) != DR_OK) {
		free(err);
		return;
	}
	if (verdict_history_record(cat, &rep, NULL, &err) != DR_OK) {
		free(err); /* the history never holds up notifications */
		err = NULL;
	}
	for (size_t i = 0; i < rep.n; i++) {
		const struct compliance_service *s = &rep.services[i];
		struct notify_event ev = {
		    .type = "verdict",
		    .service = s->name,
		    .state = verdict_name(s->verdict),
		};
		snprintf(msg, sizeof(msg), "%s is %s%s%s", s->name,
		         verdict_name(s->verdict), s->reason[0] ? ": " : "",
		         s->reason);
		ev.message = msg;
		if (notify_event(cat, cfg->notify, cfg->environment, &ev, now,
		                 0, NULL, &err) != DR_OK) {
			free(err);
			err = NULL;
		}
	}
	struct notify_event all = {
	    .type = "verdict",
	    .state = verdict_name(rep.verdict),
	};
	snprintf(msg, sizeof(msg),
	         "Overall verdict %s: %zu ok, %zu at risk, "
	         "%zu in breach",
	         verdict_name(rep.verdict), rep.n_ok, rep.n_at_risk,
	         rep.n_breach);
	all.message = msg;
	if (notify_event(cat, cfg->notify, cfg->environment, &all, now, 0, NULL,
	                 &err) != DR_OK)
		free(err);
	compliance_report_free(&rep);
}

/* The agent's own start and stop, for the channels (issue 12): a stop is
 * bad news, since nothing is watched until it runs again. */
static void agent_notify_self(struct catalog *cat, const struct config *cfg,
                              const struct agent_options *opt, const char *host,
                              const char *state)
{
	char msg[320];
	char *err = NULL;
	int stopping = strcmp(state, "stopping") == 0;

	snprintf(msg, sizeof(msg),
	         stopping ? "drconsole agent on %s (pid %ld) is stopping: "
	                    "probes, jobs and notifications pause until it "
	                    "runs again"
	                  : "drconsole agent on %s (pid %ld) is running again",
	         host, (long)getpid());
	if (notify_agent_state(cat, cfg->notify, cfg->environment, host, state,
	                       msg, &err) != DR_OK) {
		agent_logf(opt, "notifications: %s", err ? err : "failed");
		free(err);
	}
}

/* ---- the loop ----------------------------------------------------------- */

struct agent_probes {
	struct probe_round_item *items;
	size_t n;
	int64_t *next_at;
	char me[128];       /* this agent's name, fixed at its start */
	int shared;         /* a catalog other agents may share: claim runs */
	size_t n_elsewhere; /* checks pinned to other agents */
};

/* The checks this agent runs: those pinned to it and those pinned to
 * none. */
static void agent_probes_load(struct agent_probes *p, const struct config *cfg)
{
	struct probe_round_item *all = NULL;
	size_t n;

	probe_round_free(p->items, p->n);
	free(p->next_at);
	n = probe_round_select(cfg->probes, NULL, &all);
	p->n = 0;
	p->n_elsewhere = 0;
	for (size_t i = 0; i < n; i++) {
		const char *pin = all[i].spec->agent;

		if (pin[0] != '\0' && strcmp(pin, p->me) != 0) {
			p->n_elsewhere++;
			continue;
		}
		all[p->n++] = all[i];
	}
	p->items = all;
	p->next_at = xcalloc(p->n + 1, sizeof(*p->next_at));
}

/* On a shared catalog an unpinned check's run is claimed, like a job's,
 * under "probe:SERVICE/CHECK": of the agents that find it due, one runs
 * it.  0: this agent runs it; otherwise not, and *next is when to look
 * again. */
static int probe_claim(struct catalog *cat, const struct agent_probes *p,
                       const struct probe_spec *spec, int64_t now,
                       int64_t *next, const struct agent_options *opt)
{
	struct catalog_job cj;
	char name[160];
	char *err = NULL;
	int64_t last = 0;
	int rc;

	if (!p->shared || spec->agent[0] != '\0')
		return 0;
	snprintf(name, sizeof(name), "probe:%s/%s", spec->service, spec->name);
	rc = catalog_job_get(cat, name, &cj, &err);
	if (rc == CATALOG_OK)
		last = cj.last_started_at;
	else if (rc != CATALOG_ENOTFOUND)
		goto fail;
	free(err);
	err = NULL;
	if (last != 0 && last + spec->interval_s > now) {
		*next = last + spec->interval_s; /* another agent ran it */
		return 1;
	}
	rc = catalog_job_start(cat, name, now, last, &err);
	if (rc == CATALOG_OK)
		return 0;
	if (rc == CATALOG_EBUSY) {
		free(err);
		*next = now + spec->interval_s;
		return 1;
	}
fail:
	/* The catalog cannot say: run it here rather than not at all. */
	agent_logf(opt, "probe %s/%s: cannot claim the run: %s", spec->service,
	           spec->name, err ? err : "unknown");
	free(err);
	return 0;
}

/* The claimed run's end, for `agent status` and whoever looks next. */
static void probe_claim_end(struct catalog *cat, const struct agent_probes *p,
                            const struct probe_round_item *it, int64_t now)
{
	char name[160];
	char *err = NULL;

	if (!p->shared || it->spec->agent[0] != '\0')
		return;
	snprintf(name, sizeof(name), "probe:%s/%s", it->spec->service,
	         it->spec->name);
	char msg[256];
	snprintf(msg, sizeof(msg), "on %s: %s", p->me, it->outcome.message);
	if (catalog_job_finish(cat, name, now, it->outcome.ok ? "ok" : "failed",
	                       msg, &err) != CATALOG_OK)
		free(err);
}

/* Whether an earlier probe of this round already took svc down: one
 * failover per service, however many of its probes fail together. */
static int failover_seen(const struct probe_round_item *due, size_t j,
                         const struct probe_service *svc)
{
	for (size_t k = 0; k < j; k++)
		if (due[k].went_down && due[k].svc == svc)
			return 1;
	return 0;
}

static void agent_probes_run(struct catalog *cat, const struct config *cfg,
                             struct agent_probes *p,
                             const struct agent_options *opt)
{
	int64_t now = time_now();
	struct probe_round_item *due;
	size_t *idx, nd = 0;
	char *err = NULL;

	due = xcalloc(p->n + 1, sizeof(*due));
	idx = xcalloc(p->n + 1, sizeof(*idx));
	for (size_t i = 0; i < p->n; i++) {
		if (p->next_at[i] > now)
			continue;
		if (probe_claim(cat, p, p->items[i].spec, now, &p->next_at[i],
		                opt))
			continue;
		due[nd] = p->items[i];
		memset(&due[nd].outcome, 0, sizeof(due[nd].outcome));
		idx[nd++] = i;
	}
	if (nd > 0 &&
	    probe_round_run(cat, cfg, due, nd, now, 0, &err) != DR_OK) {
		agent_logf(opt, "probes: %s", err);
		free(err);
	}
	for (size_t j = 0; j < nd; j++) {
		struct probe_round_item *it = &due[j];
		const struct probe_service *svc = it->svc;

		p->next_at[idx[j]] = now + it->spec->interval_s;
		probe_claim_end(cat, p, it, time_now());
		if (it->went_down) {
			agent_logf(
			    opt, "probe %s/%s DOWN: %s%s%s", it->spec->service,
			    it->spec->name, it->outcome.message,
			    svc->failover_runbook ? "; suggested "
			                            "runbook: "
			                          : "",
			    svc->failover_runbook ? svc->failover_runbook : "");
			if (svc->auto_failover && !failover_seen(due, j, svc)) {
				char *fmsg = NULL;
				if (opt->hooks == NULL ||
				    opt->hooks->failover == NULL) {
					agent_logf(opt,
					           "automatic failover of %s "
					           "is configured but the "
					           "runbook engine is not "
					           "wired; not started",
					           svc->name);
				} else {
					int rc = opt->hooks->failover(
					    cat, cfg, svc->name,
					    svc->failover_runbook,
					    it->state.last_ok_at, &fmsg);
					agent_logf(opt,
					           "automatic failover of %s "
					           "with %s: %s",
					           svc->name,
					           svc->failover_runbook,
					           fmsg          ? fmsg
					           : rc == DR_OK ? "started"
					                         : "failed");
					free(fmsg);
				}
			}
		} else if (it->came_up) {
			agent_logf(opt, "probe %s/%s up: %s", it->spec->service,
			           it->spec->name, it->outcome.message);
		}
		probe_outcome_clear(&it->outcome);
	}
	free(due);
	free(idx);
}

static void agent_beat(struct catalog *cat, const struct config *cfg,
                       const struct agent_options *opt, const char *me,
                       int64_t started, const char *state, size_t n_probes,
                       const char *note)
{
	struct catalog_agent a;
	char *err = NULL;

	memset(&a, 0, sizeof(a));
	strlcpy_dr(a.host, me, sizeof(a.host));
	a.pid = getpid();
	strlcpy_dr(a.version, DRCONSOLE_VERSION, sizeof(a.version));
	a.started_at = started;
	a.beat_at = time_now();
	a.interval_s = cfg->agent ? cfg->agent->heartbeat_s : 10;
	strlcpy_dr(a.state, state, sizeof(a.state));
	if (note != NULL)
		strlcpy_dr(a.note, note, sizeof(a.note));
	else
		snprintf(a.note, sizeof(a.note),
		         "%zu probes, %zu jobs; backups: %s", n_probes,
		         cfg->agent ? cfg->agent->n_jobs : 0,
		         opt->hooks && opt->hooks->jobs ? "wired"
		                                        : "hook not wired");
	if (catalog_agent_beat(cat, &a, &err) != CATALOG_OK) {
		agent_logf(opt, "heartbeat: %s", err);
		free(err);
	}
}

/* Sleeps until just past the next whole second (probes and beats fall due
 * on whole seconds), or until a signal.  20 ms past: time(), which
 * time_now() reads, is the kernel's coarse clock, a tick behind. */
static void agent_sleep(void)
{
	struct timespec at;

	clock_gettime(CLOCK_REALTIME, &at);
	at.tv_sec += 1;
	at.tv_nsec = 20000000L;
	clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &at, NULL);
}

static void agent_reload(struct agent_cfgbox *box, struct config **cfgp,
                         struct agent_probes *probes,
                         const struct agent_options *opt)
{
	char *rerr = NULL;
	struct config *fresh =
	    opt->reload ? opt->reload(opt->reload_arg, &rerr) : NULL;

	if (fresh == NULL) {
		agent_logf(opt, "reload failed, keeping the old config: %s",
		           rerr ? rerr : "no reload");
		free(rerr);
		return;
	}
	agent_cfgbox_set(box, fresh);
	*cfgp = fresh;
	char named[128];
	agent_name(fresh, named);
	if (strcmp(named, probes->me) != 0)
		agent_logf(opt,
		           "the agent's name changes at a restart only: still "
		           "%s, not %s",
		           probes->me, named);
	agent_probes_load(probes, *cfgp);
	agent_logf(opt, "config reloaded: %zu probes, %zu jobs", probes->n,
	           fresh->agent ? fresh->agent->n_jobs : 0);
}

/* The drain after SIGTERM: no new jobs; the running ones finish while the
 * heartbeat says "stopping" and which ones it waits for. */
static void agent_drain(struct catalog *cat, const struct config *cfg,
                        const struct agent_options *opt, const char *me,
                        int64_t started, struct agent_pool *pool,
                        size_t n_probes)
{
	char names[256];
	size_t busy;
	int64_t beat_s = cfg->agent ? cfg->agent->heartbeat_s : 10;
	int64_t last_beat = 0;

	agent_pool_drain(pool);
	busy = agent_pool_busy(pool, names, sizeof(names));
	if (busy > 0)
		agent_logf(opt, "stopping: waiting for %zu job%s%s%s", busy,
		           busy == 1 ? "" : "s", busy ? ": " : "", names);
	while ((busy = agent_pool_busy(pool, names, sizeof(names))) > 0) {
		if (time_now() - last_beat >= beat_s) {
			char note[320];
			snprintf(note, sizeof(note),
			         "waiting for %zu job%s: %s", busy,
			         busy == 1 ? "" : "s", names);
			agent_beat(cat, cfg, opt, me, started, "stopping",
			           n_probes, note);
			last_beat = time_now();
		}
		agent_sleep();
	}
}

int agent_run(struct catalog *cat, struct config **cfgp,
              const struct agent_options *opt, char **err)
{
	struct agent_probes probes = {0};
	struct agent_cfgbox *box;
	struct agent_pool *pool;
	struct agent_delivery *delivery = NULL;
	int64_t started = time_now(), last_beat = 0;
	int ticks = 0;
	char *terr = NULL;

	struct agent_metrics *metrics = NULL;
	if (agent_metrics_start(opt->catalog_path, *cfgp, opt->log,
	                        opt->log_arg, &metrics, err) != DR_OK)
		return DR_EIO;
	agent_stop_flag = 0;
	agent_reload_flag = 0;
	agent_name(*cfgp, probes.me);
	probes.shared =
	    opt->catalog_path != NULL && catalog_shared(opt->catalog_path);
	agent_probes_load(&probes, *cfgp);
	agent_logf(opt,
	           "agent started: pid %ld as %s, %zu probes%s, %zu jobs, "
	           "backups %s",
	           (long)getpid(), probes.me, probes.n,
	           probes.n_elsewhere > 0 ? " (others pinned elsewhere)" : "",
	           (*cfgp)->agent ? (*cfgp)->agent->n_jobs : 0,
	           opt->hooks && opt->hooks->jobs ? "wired" : "hook not wired");
	agent_beat(cat, *cfgp, opt, probes.me, started, "running", probes.n,
	           NULL);
	agent_notify_self(cat, *cfgp, opt, probes.me, "running");
	last_beat = time_now();
	box = agent_cfgbox_new(*cfgp);
	pool = agent_pool_start(opt, box, started, &terr);
	if (pool != NULL)
		delivery = agent_delivery_start(opt, box, &terr);
	if (pool == NULL || delivery == NULL) {
		*err = xasprintf("cannot start the agent's threads: %s",
		                 terr ? terr : "unknown");
		free(terr);
		agent_pool_stop(pool);
		*cfgp = agent_cfgbox_free(box);
		agent_metrics_stop(metrics);
		probe_round_free(probes.items, probes.n);
		free(probes.next_at);
		return DR_EIO;
	}
	agent_delivery_beat(delivery);
	agent_delivery_poke(delivery);
	while (!agent_stop_flag) {
		const struct config *cfg;
		int64_t beat_s;

		if (agent_reload_flag) {
			agent_reload_flag = 0;
			agent_reload(box, cfgp, &probes, opt);
		}
		cfg = *cfgp;
		agent_probes_run(cat, cfg, &probes, opt);
		beat_s = cfg->agent ? cfg->agent->heartbeat_s : 10;
		if (time_now() - last_beat >= beat_s || ticks == 0) {
			agent_verdicts(cat, cfg, time_now());
			agent_beat(cat, cfg, opt, probes.me, started, "running",
			           probes.n, NULL);
			agent_delivery_beat(delivery);
			agent_metrics_beat(metrics, cat, cfg);
			last_beat = time_now();
		}
		agent_delivery_poke(delivery);
		ticks++;
		if (opt->max_ticks > 0 && ticks >= opt->max_ticks)
			break;
		if (!agent_stop_flag && !agent_reload_flag)
			agent_sleep(); /* a signal cuts it short */
	}
	if (agent_stop_flag) {
		agent_notify_self(cat, *cfgp, opt, probes.me, "stopping");
		agent_delivery_poke(delivery);
	}
	agent_drain(cat, *cfgp, opt, probes.me, started, pool, probes.n);
	agent_pool_stop(pool);
	agent_metrics_stop(metrics);
	agent_beat(cat, *cfgp, opt, probes.me, started, "stopped", probes.n,
	           NULL);
	agent_delivery_stop(delivery);
	agent_logf(opt, "agent stopped");
	*cfgp = agent_cfgbox_free(box); /* the caller's again */
	probe_round_free(probes.items, probes.n);
	free(probes.next_at);
	return DR_OK;
}
