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

static void agent_host(char host[128])
{
	if (gethostname(host, 127) != 0)
		strlcpy_dr(host, "localhost", 128);
	host[127] = '\0';
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

int agent_lock(struct catalog *cat, const char *catalog_path, int *lock_fd,
               char **err)
{
	struct catalog_agent other;
	char host[128], *path, *real, held[256] = "";
	char *lerr = NULL;
	int fd;
	int64_t now = time_now();

	*lock_fd = -1;
	agent_host(host);
	if (catalog_agent_latest(cat, &other, &lerr) == CATALOG_OK &&
	    strcmp(other.host, host) != 0 &&
	    strcmp(other.state, "stopped") != 0 &&
	    other.beat_at >=
	        now - 3 * (other.interval_s > 0 ? other.interval_s : 10)) {
		*err = xasprintf("another agent runs on this catalog: pid "
		                 "%lld on %s, last beat %llds ago",
		                 (long long)other.pid, other.host,
		                 (long long)(now - other.beat_at));
		return DR_EBUSY;
	}
	free(lerr);
	if (strncmp(catalog_path, "postgresql://", 13) == 0 ||
	    strncmp(catalog_path, "postgres://", 11) == 0)
		return DR_OK;
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
                              const struct agent_options *opt,
                              const char *state)
{
	char host[128], msg[320];
	char *err = NULL;
	int stopping = strcmp(state, "stopping") == 0;

	agent_host(host);
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
};

static void agent_probes_load(struct agent_probes *p, const struct config *cfg)
{
	probe_round_free(p->items, p->n);
	free(p->next_at);
	p->n = probe_round_select(cfg->probes, NULL, &p->items);
	p->next_at = xcalloc(p->n + 1, sizeof(*p->next_at));
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
                       const struct agent_options *opt, int64_t started,
                       const char *state, size_t n_probes, const char *note)
{
	struct catalog_agent a;
	char *err = NULL;

	memset(&a, 0, sizeof(a));
	agent_host(a.host);
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
	agent_probes_load(probes, *cfgp);
	agent_logf(opt, "config reloaded: %zu probes, %zu jobs", probes->n,
	           fresh->agent ? fresh->agent->n_jobs : 0);
}

/* The drain after SIGTERM: no new jobs; the running ones finish while the
 * heartbeat says "stopping" and which ones it waits for. */
static void agent_drain(struct catalog *cat, const struct config *cfg,
                        const struct agent_options *opt, int64_t started,
                        struct agent_pool *pool, size_t n_probes)
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
			agent_beat(cat, cfg, opt, started, "stopping", n_probes,
			           note);
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
	agent_probes_load(&probes, *cfgp);
	agent_logf(opt,
	           "agent started: pid %ld, %zu probes, %zu jobs, backups %s",
	           (long)getpid(), probes.n,
	           (*cfgp)->agent ? (*cfgp)->agent->n_jobs : 0,
	           opt->hooks && opt->hooks->jobs ? "wired" : "hook not wired");
	agent_beat(cat, *cfgp, opt, started, "running", probes.n, NULL);
	agent_notify_self(cat, *cfgp, opt, "running");
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
			agent_beat(cat, cfg, opt, started, "running", probes.n,
			           NULL);
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
		agent_notify_self(cat, *cfgp, opt, "stopping");
		agent_delivery_poke(delivery);
	}
	agent_drain(cat, *cfgp, opt, started, pool, probes.n);
	agent_pool_stop(pool);
	agent_metrics_stop(metrics);
	agent_beat(cat, *cfgp, opt, started, "stopped", probes.n, NULL);
	agent_delivery_stop(delivery);
	agent_logf(opt, "agent stopped");
	*cfgp = agent_cfgbox_free(box); /* the caller's again */
	probe_round_free(probes.items, probes.n);
	free(probes.next_at);
	return DR_OK;
}
