/* The agent's job pool, delivery and pinger threads; the model is in
 * agent_pool.h.
 *
 * The scheduler only hands a job to a worker that is idle, and the worker
 * claims the run in the catalog (catalog_job_start) just before it starts
 * it: a job waiting for a free worker is not claimed, so stopping the agent
 * never leaves a claimed run that did not run.  The claim names the start
 * the scheduler read, so of several agents sharing one catalog only one
 * takes a due run; the others log that it was taken and skip it.  Times of day
 * are compared in whole seconds, as the catalog keeps them; lateness is
 * measured on the real clock against the second the job became due. */
#include "core/agent_pool.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/agent_config.h"
#include "core/agent_import.h"
#include "core/audit.h"
#include "core/childenv.h"
#include "core/error.h"
#include "core/http.h"
#include "core/import_config.h"
#include "core/notify.h"
#include "core/probe_round.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "db/catalog_agent.h"

#define POOL_MAX 16
/* The key every restore test runs under (see pool_running). */
#define RESTORE_TEST_KEY "restore-test"

static void pool_logf(const struct agent_options *opt, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void pool_logf(const struct agent_options *opt, const char *fmt, ...)
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

/* The time schedules are compared with: the real clock to the
 * nanosecond, unless time_now() is pinned (DRCONSOLE_NOW), which is then
 * the catalog's time and wins. */
static double job_clock(void)
{
	double real = time_real_exact();
	int64_t now = time_now();

	if ((double)now - real > 2.0 || real - (double)now > 2.0)
		return (double)now;
	return real;
}

static struct timespec real_at(double at)
{
	struct timespec ts;
	ts.tv_sec = (time_t)at;
	ts.tv_nsec = (long)((at - (double)ts.tv_sec) * 1e9);
	if (ts.tv_nsec < 0)
		ts.tv_nsec = 0;
	if (ts.tv_nsec > 999999999L)
		ts.tv_nsec = 999999999L;
	return ts;
}

/* Blocks every signal in the new thread: signals are the main thread's,
 * which sleeps where they wake it. */
static int start_thread(pthread_t *t, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

static struct catalog *open_own(const struct agent_options *opt, char **err)
{
	struct catalog *cat = NULL;

	if (opt->catalog_path == NULL) {
		*err = xstrdup("no catalog path to open a connection of its "
		               "own");
		return NULL;
	}
	if (catalog_open(opt->catalog_path, 0, &cat, err) != CATALOG_OK)
		return NULL;
	audit_attach(cat);
	return cat;
}

/* ---- the shared config -------------------------------------------------- */

struct cfg_ref {
	struct config *cfg;
	int refs; /* users, and 1 while it is the current one */
};

struct agent_cfgbox {
	pthread_mutex_t lock;
	struct cfg_ref *refs;
	size_t n;
	size_t cur;
};

struct agent_cfgbox *agent_cfgbox_new(struct config *cfg)
{
	struct agent_cfgbox *b = xcalloc(1, sizeof(*b));

	pthread_mutex_init(&b->lock, NULL);
	b->refs = xcalloc(1, sizeof(*b->refs));
	b->refs[0].cfg = cfg;
	b->refs[0].refs = 1;
	b->n = 1;
	return b;
}

struct config *agent_cfgbox_get(struct agent_cfgbox *b)
{
	struct config *c;

	pthread_mutex_lock(&b->lock);
	b->refs[b->cur].refs++;
	c = b->refs[b->cur].cfg;
	pthread_mutex_unlock(&b->lock);
	return c;
}

/* With the lock held: frees entry i when nobody holds it. */
static void cfgbox_drop(struct agent_cfgbox *b, size_t i)
{
	if (--b->refs[i].refs > 0)
		return;
	config_free(b->refs[i].cfg);
	b->refs[i] = b->refs[--b->n];
	if (b->cur == b->n)
		b->cur = i;
}

void agent_cfgbox_put(struct agent_cfgbox *b, struct config *cfg)
{
	pthread_mutex_lock(&b->lock);
	for (size_t i = 0; i < b->n; i++)
		if (b->refs[i].cfg == cfg) {
			cfgbox_drop(b, i);
			break;
		}
	pthread_mutex_unlock(&b->lock);
}

void agent_cfgbox_set(struct agent_cfgbox *b, struct config *fresh)
{
	pthread_mutex_lock(&b->lock);
	b->refs = xreallocarray(b->refs, b->n + 1, sizeof(*b->refs));
	b->refs[b->n].cfg = fresh;
	b->refs[b->n].refs = 1;
	b->n++;
	{
		size_t old = b->cur;
		b->cur = b->n - 1;
		cfgbox_drop(b, old);
	}
	pthread_mutex_unlock(&b->lock);
}

struct config *agent_cfgbox_free(struct agent_cfgbox *b)
{
	struct config *c;

	if (b == NULL)
		return NULL;
	c = b->refs[b->cur].cfg;
	for (size_t i = 0; i < b->n; i++)
		if (i != b->cur)
			config_free(b->refs[i].cfg); /* a leak otherwise */
	free(b->refs);
	pthread_mutex_destroy(&b->lock);
	free(b);
	return c;
}

/* ---- jobs --------------------------------------------------------------- */

enum job_kind {
	JOB_PRUNE,
	JOB_COMMAND,
	JOB_IMPORT,
	JOB_RESTORE_TEST,
	JOB_AUDIT_HEAD,
	JOB_HOOK
};

struct job {
	enum job_kind kind;
	char name[128];
	char key[128]; /* what may not run twice at once */
	char every[96];
	size_t index; /* into cfg's jobs or imports */
	struct agent_hook_job hook;
	struct config *cfg; /* held for the run */
	int64_t due_at;
	int64_t seen; /* the last start read when it fell due; 0: never ran */
	double due_real; /* due_at, or the agent's start to the nanosecond */
	size_t order;    /* in the config, for ties */
};

struct worker {
	struct agent_pool *pool;
	pthread_t thread;
	int started;
	int busy; /* has a job */
	struct job job;
	struct catalog *cat;
};

struct agent_pool {
	const struct agent_options *opt;
	struct agent_cfgbox *box;
	int64_t since;
	double since_real;   /* since, to the nanosecond */
	struct catalog *cat; /* the scheduler's */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake; /* the scheduler's: a job ended, or stop */
	pthread_cond_t work; /* the workers': a job was handed out, or stop */
	struct worker workers[POOL_MAX];
	int stop;
};

/* Runs a command job to its end (or its timeout).  A stop request does not
 * cut it short: the agent finishes the work in hand. */
static int run_command(const struct agent_job_spec *job, char *msg, size_t size)
{
	/* The allowlisted environment, as for every child (childenv.h). */
	char **env = childenv_default(NULL, 0);
	pid_t pid = fork();
	int64_t deadline = time_now() + job->timeout_s;
	int status = 0;

	if (pid != 0)
		childenv_free(env);
	if (pid < 0) {
		snprintf(msg, size, "cannot start: %s", strerror(errno));
		return DR_EIO;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		setpgid(0, 0);
		if (devnull >= 0)
			dup2(devnull, STDIN_FILENO);
		execvpe(job->argv[0], job->argv, env);
		_exit(127);
	}
	setpgid(pid, pid);
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			snprintf(msg, size, "lost the job: %s",
			         strerror(errno));
			return DR_EIO;
		}
		if (time_now() > deadline) {
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
			snprintf(msg, size, "killed after %llds (its timeout)",
			         (long long)job->timeout_s);
			return DR_ETIMEOUT;
		}
		usleep(20000);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		snprintf(msg, size, "exit status 0");
		return DR_OK;
	}
	if (WIFEXITED(status))
		snprintf(msg, size, "exit status %d", WEXITSTATUS(status));
	else
		snprintf(msg, size, "killed by signal %d", WTERMSIG(status));
	return DR_EIO;
}

static const struct schedule *prune_schedule(void)
{
	static const struct schedule hourly = {
	    .kind = SCHEDULE_INTERVAL, .interval_s = 3600, .text = "1h"};
	return &hourly;
}

/* Runs j (claimed); *message is malloc'd. */
static int job_run(struct catalog *cat, const struct agent_options *opt,
                   const struct job *j, char **message)
{
	const struct config *cfg = j->cfg;
	char msg[256];
	int rc;

	switch (j->kind) {
	case JOB_PRUNE: {
		int64_t deleted = 0;
		char *err = NULL;
		rc = probe_round_prune(cat, cfg->probes, time_now(), &deleted,
		                       &err);
		*message = rc == DR_OK ? xasprintf("%lld old samples deleted",
		                                   (long long)deleted)
		                       : xstrdup(err ? err : "");
		free(err);
		return rc;
	}
	case JOB_AUDIT_HEAD:
		return audit_publish_head(cat, cfg->notify, cfg->environment,
		                          message);
	case JOB_COMMAND:
		rc = run_command(&cfg->agent->jobs[j->index], msg, sizeof(msg));
		*message = xstrdup(msg);
		return rc;
	case JOB_IMPORT:
		return agent_import_run(
		    cat, cfg, &cfg->imports->specs[j->index], j->name, message);
	case JOB_RESTORE_TEST:
		return agent_restore_test_run(
		    cat, cfg, &cfg->imports->specs[j->index], message);
	case JOB_HOOK:
		*message = NULL;
		rc = opt->hooks->run(cat, cfg, &j->hook, message);
		if (*message == NULL)
			*message = xstrdup("");
		return rc;
	}
	*message = xstrdup("unknown job");
	return DR_EINVAL;
}

static void worker_one(struct worker *w)
{
	const struct agent_options *opt = w->pool->opt;
	struct job *j = &w->job;
	char *err = NULL, *message = NULL;
	int64_t now = time_now();
	double started = job_clock(), late;
	int rc;

	late = started - j->due_real;
	rc = catalog_job_start(w->cat, j->name, now, j->seen, &err);
	if (rc == CATALOG_EBUSY) {
		/* Another agent on this catalog took this run: not ours. */
		pool_logf(opt, "%s: not started: another agent took this run",
		          j->name);
		free(err);
		return;
	}
	if (rc != CATALOG_OK) {
		pool_logf(opt, "%s: not started: %s", j->name, err);
		free(err);
		return;
	}
	if (late >= 1.0)
		pool_logf(opt, "%s started %.1f s late (%s)", j->name, late,
		          j->every);
	else
		pool_logf(opt, "%s: started (%s)", j->name, j->every);
	rc = job_run(w->cat, opt, j, &message);
	if (catalog_job_finish(w->cat, j->name, time_now(),
	                       rc == DR_OK ? "ok" : "failed", message,
	                       &err) != CATALOG_OK) {
		pool_logf(opt, "%s: recording its end: %s", j->name, err);
		free(err);
	}
	if (j->kind == JOB_COMMAND || j->kind == JOB_IMPORT)
		pool_logf(opt, "%s: %s (%s)", j->name,
		          rc == DR_OK ? "finished" : "FAILED", message);
	else
		pool_logf(opt, "%s: %s%s%s", j->name,
		          rc == DR_OK ? "finished" : "FAILED",
		          message[0] ? ": " : "", message);
	free(message);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct agent_pool *p = w->pool;

	for (;;) {
		pthread_mutex_lock(&p->lock);
		while (!w->busy && !p->stop)
			pthread_cond_wait(&p->work, &p->lock);
		if (!w->busy) {
			pthread_mutex_unlock(&p->lock);
			break;
		}
		pthread_mutex_unlock(&p->lock);
		worker_one(w);
		agent_cfgbox_put(p->box, w->job.cfg);
		pthread_mutex_lock(&p->lock);
		w->busy = 0;
		pthread_cond_signal(&p->wake);
		pthread_mutex_unlock(&p->lock);
	}
	return NULL;
}

/* The jobs of cfg, in the order they are considered. */
static size_t jobs_list(const struct config *cfg,
                        const struct agent_options *opt, struct job **out)
{
	struct job *js = NULL;
	struct agent_hook_job *hj = NULL;
	size_t n = 0, nh = 0;

#define JOB_ADD()                                                              \
	(js = xreallocarray(js, n + 1, sizeof(*js)),                           \
	 memset(&js[n], 0, sizeof(*js)), &js[n++])
	{
		struct job *j = JOB_ADD();
		j->kind = JOB_PRUNE;
		strlcpy_dr(j->name, "prune", sizeof(j->name));
		strlcpy_dr(j->every, prune_schedule()->text, sizeof(j->every));
	}
	{
		/* The audit chain's head, outside the catalog every hour: the
		 * anchor that shows a truncation or a rewrite later. */
		struct job *j = JOB_ADD();
		j->kind = JOB_AUDIT_HEAD;
		strlcpy_dr(j->name, "audit:head", sizeof(j->name));
		strlcpy_dr(j->every, prune_schedule()->text, sizeof(j->every));
	}
	for (size_t i = 0; cfg->agent != NULL && i < cfg->agent->n_jobs; i++) {
		struct job *j = JOB_ADD();
		j->kind = JOB_COMMAND;
		j->index = i;
		snprintf(j->name, sizeof(j->name), "job:%s",
		         cfg->agent->jobs[i].name);
		strlcpy_dr(j->every, cfg->agent->jobs[i].schedule.text,
		           sizeof(j->every));
	}
	for (size_t i = 0; cfg->imports != NULL && i < cfg->imports->n_specs;
	     i++) {
		const struct import_spec *sp = &cfg->imports->specs[i];
		struct job *j;
		if (sp->argv == NULL || !sp->has_schedule)
			continue;
		j = JOB_ADD();
		j->kind = JOB_IMPORT;
		j->index = i;
		snprintf(j->name, sizeof(j->name), "import:%s", sp->name);
		strlcpy_dr(j->every, sp->schedule.text, sizeof(j->every));
	}
	for (size_t i = 0; cfg->imports != NULL && i < cfg->imports->n_specs;
	     i++) {
		const struct import_spec *sp = &cfg->imports->specs[i];
		struct job *j;
		if (sp->restore_test == NULL || !sp->restore_test->has_schedule)
			continue;
		j = JOB_ADD();
		j->kind = JOB_RESTORE_TEST;
		j->index = i;
		snprintf(j->name, sizeof(j->name), "restore-test:import:%s",
		         sp->name);
		strlcpy_dr(j->every, sp->restore_test->schedule.text,
		           sizeof(j->every));
		/* Restore tests a few at a time (restore_tests_at_once):
		 * each brings up a server or fills a scratch place. */
		strlcpy_dr(j->key, RESTORE_TEST_KEY, sizeof(j->key));
	}
	if (opt->hooks != NULL && opt->hooks->jobs != NULL)
		nh = opt->hooks->jobs(cfg, &hj);
	for (size_t i = 0; i < nh; i++) {
		struct job *j = JOB_ADD();
		j->kind = JOB_HOOK;
		j->hook = hj[i];
		strlcpy_dr(j->name, hj[i].name, sizeof(j->name));
		strlcpy_dr(j->every, hj[i].schedule.text, sizeof(j->every));
		if (strcmp(hj[i].kind, "restore-test") == 0 ||
		    strcmp(hj[i].kind, "programme") == 0)
			strlcpy_dr(j->key, RESTORE_TEST_KEY, sizeof(j->key));
		else if (hj[i].target[0] != '\0')
			snprintf(j->key, sizeof(j->key), "target:%s",
			         hj[i].target);
	}
#undef JOB_ADD
	free(hj);
	for (size_t i = 0; i < n; i++)
		if (js[i].key[0] == '\0')
			strlcpy_dr(js[i].key, js[i].name, sizeof(js[i].key));
	*out = js;
	return n;
}

static const struct schedule *job_schedule(const struct config *cfg,
                                           const struct job *j)
{
	switch (j->kind) {
	case JOB_PRUNE:
	case JOB_AUDIT_HEAD:
		return prune_schedule();
	case JOB_COMMAND:
		return &cfg->agent->jobs[j->index].schedule;
	case JOB_IMPORT:
		return &cfg->imports->specs[j->index].schedule;
	case JOB_RESTORE_TEST:
		return &cfg->imports->specs[j->index].restore_test->schedule;
	case JOB_HOOK:
		return &j->hook.schedule;
	}
	return prune_schedule();
}

/* A hook job's backup target, or "" (with the lock held or not). */
static const char *job_target(const struct job *j)
{
	return j->kind == JOB_HOOK ? j->hook.target : "";
}

static int is_restore_test(const struct job *j)
{
	return j->kind == JOB_HOOK && strcmp(j->hook.kind, "restore-test") == 0;
}

/* With the lock held: whether job may not start now.  A job never runs
 * twice at once; a key runs once at a time, but restore tests (of imports,
 * of backup targets and the programme's round: one key) run up to
 * restore_tests_at_once at a time; and a target's restore test never runs
 * beside its backup, verification or copy (which share the key target:T),
 * as the restore saves the backup's row when it ends. */
static int pool_running(const struct agent_pool *p, const struct config *cfg,
                        const struct job *job)
{
	int running = 0, limit = 1;
	const char *target = job_target(job);

	if (strcmp(job->key, RESTORE_TEST_KEY) == 0 && cfg->agent != NULL)
		limit = cfg->agent->restore_tests_at_once;
	for (size_t i = 0; i < POOL_MAX; i++) {
		const struct job *w = &p->workers[i].job;
		if (!p->workers[i].busy)
			continue;
		if (strcmp(w->name, job->name) == 0)
			return 1;
		if (target[0] != '\0' && strcmp(job_target(w), target) == 0 &&
		    is_restore_test(w) != is_restore_test(job))
			return 1;
		if (strcmp(w->key, job->key) == 0)
			running++;
	}
	return running >= (limit < 1 ? 1 : limit);
}

/* With the lock held: an idle worker within the limit, started if need
 * be; NULL when the pool is full. */
static struct worker *pool_idle(struct agent_pool *p, int limit)
{
	int busy = 0;

	for (int i = 0; i < POOL_MAX; i++)
		busy += p->workers[i].busy;
	if (busy >= limit)
		return NULL;
	for (int i = 0; i < limit && i < POOL_MAX; i++) {
		struct worker *w = &p->workers[i];
		char *err = NULL;
		if (w->busy)
			continue;
		if (!w->started) {
			w->pool = p;
			w->cat = open_own(p->opt, &err);
			if (w->cat == NULL) {
				pool_logf(p->opt,
				          "jobs: a worker cannot open "
				          "the catalog: %s",
				          err);
				free(err);
				return NULL;
			}
			if (start_thread(&w->thread, worker_main, w) != 0) {
				catalog_close(w->cat);
				w->cat = NULL;
				return NULL;
			}
			w->started = 1;
		}
		return w;
	}
	return NULL;
}

static int job_by_due(const void *a, const void *b)
{
	const struct job *x = a, *y = b;

	if (x->due_at != y->due_at)
		return x->due_at < y->due_at ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* One look at every job: hands out the due ones there is room for, the
 * longest overdue first (so a long job that keeps falling due cannot
 * starve the others of a worker); returns when the next one falls due (at
 * most a second away). */
static double pool_round(struct agent_pool *p)
{
	struct config *cfg = agent_cfgbox_get(p->box);
	struct job *js = NULL;
	size_t n = jobs_list(cfg, p->opt, &js), nd = 0;
	int limit = cfg->agent != NULL ? cfg->agent->parallel_jobs : 2;
	double now = job_clock(), next = time_real_exact() + 1.0;

	if (limit < 1)
		limit = 1;
	for (size_t i = 0; i < n; i++) {
		const struct schedule *s = job_schedule(cfg, &js[i]);
		struct catalog_job cj;
		char *err = NULL;
		int64_t last = 0, due_at;
		int rc = catalog_job_get(p->cat, js[i].name, &cj, &err);

		if (rc == CATALOG_OK) {
			last = cj.last_started_at;
		} else if (rc != CATALOG_ENOTFOUND) {
			pool_logf(p->opt, "%s: %s", js[i].name, err);
			free(err);
			continue;
		}
		free(err);
		if (last == 0 && s->kind == SCHEDULE_INTERVAL)
			due_at = p->since;
		else
			due_at = schedule_next(s, last != 0 ? last : p->since);
		if (due_at < 0)
			continue;
		if ((double)due_at > now) {
			/* As a real time: a pinned clock looks every second. */
			double at = (double)due_at + (time_real_exact() - now);
			if (at < next)
				next = at;
			continue;
		}
		js[nd] = js[i];
		js[nd].due_at = due_at;
		js[nd].seen = last;
		js[nd].order = i;
		js[nd].due_real = (double)due_at;
		if (due_at == p->since && p->since_real > (double)due_at)
			js[nd].due_real = p->since_real;
		nd++;
	}
	qsort(js, nd, sizeof(*js), job_by_due);
	for (size_t i = 0; i < nd; i++) {
		struct worker *w;

		pthread_mutex_lock(&p->lock);
		if (p->stop || pool_running(p, cfg, &js[i])) {
			pthread_mutex_unlock(&p->lock);
			continue;
		}
		w = pool_idle(p, limit);
		if (w != NULL) {
			w->job = js[i];
			w->job.cfg = agent_cfgbox_get(p->box);
			w->busy = 1;
			pthread_cond_broadcast(&p->work);
		}
		pthread_mutex_unlock(&p->lock);
		if (w == NULL)
			break;
	}
	free(js);
	agent_cfgbox_put(p->box, cfg);
	return next;
}

static void *scheduler_main(void *arg)
{
	struct agent_pool *p = arg;

	for (;;) {
		double next;
		struct timespec until;

		pthread_mutex_lock(&p->lock);
		if (p->stop) {
			pthread_mutex_unlock(&p->lock);
			break;
		}
		pthread_mutex_unlock(&p->lock);
		next = pool_round(p);
		/* Just past the second the next job falls due. */
		until = real_at(next + 0.020); /* time() lags a tick */
		pthread_mutex_lock(&p->lock);
		if (!p->stop)
			pthread_cond_timedwait(&p->wake, &p->lock, &until);
		pthread_mutex_unlock(&p->lock);
	}
	return NULL;
}

struct agent_pool *agent_pool_start(const struct agent_options *opt,
                                    struct agent_cfgbox *box, int64_t since,
                                    char **err)
{
	struct agent_pool *p = xcalloc(1, sizeof(*p));

	p->opt = opt;
	p->box = box;
	p->since = since;
	p->since_real = time_real_exact();
	if (p->since_real - (double)since > 1.0 ||
	    p->since_real < (double)since)
		p->since_real = (double)since;
	p->cat = open_own(opt, err);
	if (p->cat == NULL) {
		free(p);
		return NULL;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	pthread_cond_init(&p->work, NULL);
	if (start_thread(&p->thread, scheduler_main, p) != 0) {
		*err = xstrdup("cannot start the job scheduler thread");
		catalog_close(p->cat);
		pthread_mutex_destroy(&p->lock);
		pthread_cond_destroy(&p->wake);
		pthread_cond_destroy(&p->work);
		free(p);
		return NULL;
	}
	return p;
}

size_t agent_pool_busy(struct agent_pool *p, char *names, size_t size)
{
	size_t busy = 0, used = 0;

	if (names != NULL && size > 0)
		names[0] = '\0';
	if (p == NULL)
		return 0;
	pthread_mutex_lock(&p->lock);
	for (size_t i = 0; i < POOL_MAX; i++) {
		if (!p->workers[i].busy)
			continue;
		if (names != NULL && used < size) {
			int k = snprintf(names + used, size - used, "%s%s",
			                 busy > 0 ? ", " : "",
			                 p->workers[i].job.name);
			used += k > 0 ? (size_t)k : 0;
		}
		busy++;
	}
	pthread_mutex_unlock(&p->lock);
	return busy;
}

void agent_pool_drain(struct agent_pool *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_broadcast(&p->wake);
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
}

void agent_pool_stop(struct agent_pool *p)
{
	if (p == NULL)
		return;
	agent_pool_drain(p);
	pthread_join(p->thread, NULL);
	for (size_t i = 0; i < POOL_MAX; i++) {
		if (!p->workers[i].started)
			continue;
		pthread_join(p->workers[i].thread, NULL);
		catalog_close(p->workers[i].cat);
	}
	catalog_close(p->cat);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->wake);
	pthread_cond_destroy(&p->work);
	free(p);
}

/* ---- delivery and the dead man's switch --------------------------------- */

struct agent_delivery {
	const struct agent_options *opt;
	struct agent_cfgbox *box;
	struct catalog *cat;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t sender, pinger;
	int pinger_started;
	int poked, beats, stop;
};

/* On a catalog agents on many hosts share, one of them delivers the
 * notifications, or each message would go out once per agent: the
 * deliverer holds the job row "notify:deliver", renewed every round (its
 * message names it); another agent takes it over, claiming it like a job
 * (catalog_job_start), once it has not been renewed for NOTIFY_LEASE_S. */
#define NOTIFY_LEASE_S 5
static int deliver_here(struct agent_delivery *d, const struct config *cfg)
{
	static const char name[] = "notify:deliver";
	struct catalog_job j;
	char me[128], *err = NULL;
	int64_t now = time_now(), last = 0;
	int rc;

	if (d->opt->catalog_path == NULL ||
	    !catalog_where_shared(d->opt->catalog_path))
		return 1;
	agent_name(cfg, me);
	rc = catalog_job_get(d->cat, name, &j, &err);
	if (rc == CATALOG_OK) {
		last = j.last_started_at;
		int mine = strcmp(j.last_message, me) == 0;
		if (!mine && last > now - NOTIFY_LEASE_S)
			return 0; /* another agent delivers */
		if (mine && last >= now)
			return 1; /* renewed this second already */
	} else if (rc != CATALOG_ENOTFOUND) {
		free(err);
		return 0; /* the catalog cannot say: the messages wait */
	}
	free(err);
	err = NULL;
	rc = catalog_job_start(d->cat, name, now, last, &err);
	if (rc == CATALOG_OK)
		rc = catalog_job_finish(d->cat, name, now, "ok", me, &err);
	free(err);
	return rc == CATALOG_OK;
}

static void *sender_main(void *arg)
{
	struct agent_delivery *d = arg;

	for (;;) {
		struct config *cfg = agent_cfgbox_get(d->box);
		char *err = NULL;
		int stop;
		struct timespec until;

		pthread_mutex_lock(&d->lock);
		stop = d->stop;
		d->poked = 0;
		pthread_mutex_unlock(&d->lock);
		/* The last round, on stop, sends what the stop queued. */
		if (deliver_here(d, cfg) &&
		    notify_flush(d->cat, cfg->notify, cfg->environment,
		                 time_now(), NULL, NULL, &err) != DR_OK) {
			pool_logf(d->opt, "notifications: %s", err);
			free(err);
		}
		agent_cfgbox_put(d->box, cfg);
		if (stop)
			break;
		until = real_at(time_real_exact() + 1.0);
		pthread_mutex_lock(&d->lock);
		if (!d->stop && !d->poked)
			pthread_cond_timedwait(&d->wake, &d->lock, &until);
		pthread_mutex_unlock(&d->lock);
	}
	return NULL;
}

/* One ping; says so when pinging starts failing and when it recovers, not
 * every time. */
static void ping_once(struct agent_delivery *d, const char *url, int *failing)
{
	struct http_request req = {.url = url, .timeout_ms = 5000};
	struct http_response resp;

	http_request_one(&req, &resp);
	if (resp.status == DR_OK && resp.code >= 200 && resp.code < 300) {
		if (*failing)
			pool_logf(d->opt,
			          "heartbeat_url: pinged again "
			          "(HTTP %ld)",
			          resp.code);
		*failing = 0;
	} else {
		if (!*failing) {
			if (resp.status == DR_OK)
				pool_logf(d->opt,
				          "heartbeat_url: ping answered "
				          "HTTP %ld",
				          resp.code);
			else
				pool_logf(d->opt,
				          "heartbeat_url: ping failed: %s",
				          resp.error);
		}
		*failing = 1;
	}
	http_response_clear(&resp);
}

static void *pinger_main(void *arg)
{
	struct agent_delivery *d = arg;
	int failing = 0;

	for (;;) {
		struct config *cfg;

		pthread_mutex_lock(&d->lock);
		while (d->beats == 0 && !d->stop)
			pthread_cond_wait(&d->wake, &d->lock);
		if (d->stop) {
			pthread_mutex_unlock(&d->lock);
			break;
		}
		d->beats = 0; /* beats while a ping was in flight: one ping */
		pthread_mutex_unlock(&d->lock);
		cfg = agent_cfgbox_get(d->box);
		if (cfg->agent != NULL && cfg->agent->heartbeat_url != NULL)
			ping_once(d, cfg->agent->heartbeat_url, &failing);
		agent_cfgbox_put(d->box, cfg);
	}
	return NULL;
}

struct agent_delivery *agent_delivery_start(const struct agent_options *opt,
                                            struct agent_cfgbox *box,
                                            char **err)
{
	struct agent_delivery *d = xcalloc(1, sizeof(*d));

	d->opt = opt;
	d->box = box;
	d->cat = open_own(opt, err);
	if (d->cat == NULL) {
		free(d);
		return NULL;
	}
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->wake, NULL);
	if (start_thread(&d->sender, sender_main, d) != 0) {
		*err = xstrdup("cannot start the delivery thread");
		catalog_close(d->cat);
		pthread_mutex_destroy(&d->lock);
		pthread_cond_destroy(&d->wake);
		free(d);
		return NULL;
	}
	d->pinger_started = start_thread(&d->pinger, pinger_main, d) == 0;
	return d;
}

void agent_delivery_poke(struct agent_delivery *d)
{
	if (d == NULL)
		return;
	pthread_mutex_lock(&d->lock);
	d->poked = 1;
	pthread_cond_broadcast(&d->wake);
	pthread_mutex_unlock(&d->lock);
}

void agent_delivery_beat(struct agent_delivery *d)
{
	if (d == NULL)
		return;
	pthread_mutex_lock(&d->lock);
	d->beats++;
	pthread_cond_broadcast(&d->wake);
	pthread_mutex_unlock(&d->lock);
}

void agent_delivery_stop(struct agent_delivery *d)
{
	if (d == NULL)
		return;
	pthread_mutex_lock(&d->lock);
	d->stop = 1;
	pthread_cond_broadcast(&d->wake);
	pthread_mutex_unlock(&d->lock);
	pthread_join(d->sender, NULL);
	if (d->pinger_started)
		pthread_join(d->pinger, NULL);
	catalog_close(d->cat);
	pthread_mutex_destroy(&d->lock);
	pthread_cond_destroy(&d->wake);
	free(d);
}
