/* See ops_failover.h. */
#include "core/ops_failover.h"

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/error.h"
#include "core/ops_runbook.h"
#include "core/runbook.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "db/catalog_runbook.h"

/* The runs in flight, for ops_failover_wait(). */
static pthread_mutex_t runs_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t runs_changed = PTHREAD_COND_INITIALIZER;
static int runs_active;

struct failover {
	/* Copied from the request: the thread outlives it. */
	char *catalog_path, *config_path, *service, *incident, *notes, *assign;
	int64_t up_at;
	void (*log)(void *arg, const char *line);
	void *log_arg;
	int (*stopping)(void);
	struct runbook *rb;

	/* The start's outcome, handed back to the agent's thread. */
	pthread_mutex_t lock;
	pthread_cond_t started;
	int start_done, start_rc;
	char *start_msg;
	char recovery_id[40];
};

static void flog(const struct failover *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void flog(const struct failover *f, const char *fmt, ...)
{
	va_list ap;
	char *text, *line;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	line = xasprintf("failover of %s%s%s: %s", f->service,
	                 f->recovery_id[0] ? ", recovery " : "", f->recovery_id,
	                 text);
	if (f->log != NULL)
		f->log(f->log_arg, line);
	free(line);
	free(text);
}

/* What the run's callbacks get: the run, and its session. */
struct session_box {
	struct failover *f;
	struct ops_events ev;
	struct ops_session ses;
};

/* ---- nobody at the keyboard ------------------------------------------ */

static void ui_event(void *arg, const struct runbook_exec *x,
                     enum runbook_event ev, size_t step, const char *text)
{
	const struct failover *f = ((struct session_box *)arg)->f;
	const struct runbook *rb = runbook_exec_runbook(x);

	if (ev == RUNBOOK_EV_STEP_BEGIN && step < rb->n_steps)
		flog(f, "step %zu/%zu %s", step + 1, rb->n_steps,
		     rb->steps[step].id);
	else if (ev == RUNBOOK_EV_STEP_END && step < rb->n_steps)
		flog(f, "step %s %s", rb->steps[step].id,
		     runbook_exec_step(x, step)->status);
	else if (ev == RUNBOOK_EV_NOTE && text != NULL)
		flog(f, "%s", text);
}

static void ui_output(void *arg, const struct runbook_exec *x, size_t step,
                      const char *buf, size_t len)
{
	(void)arg;
	(void)x;
	(void)step;
	(void)buf;
	(void)len; /* kept with the step's record by the engine */
}

static int ui_yes(void *arg, const struct runbook_exec *x, size_t step,
                  const char *question)
{
	const struct failover *f = ((struct session_box *)arg)->f;

	if (!ops_runbook_unattended_answers(x, step)) {
		flog(f, "%s no: a manual step needs an operator", question);
		return -1;
	}
	flog(f, "%s yes (unattended)", question);
	return 1;
}

static char *ui_word(void *arg, const struct runbook_exec *x, size_t step,
                     const char *question, const char *word)
{
	const struct failover *f = ((struct session_box *)arg)->f;

	if (!ops_runbook_unattended_answers(x, step)) {
		flog(f, "%s: a manual step needs an operator", question);
		return NULL;
	}
	flog(f, "%s: %s (unattended)", question, word);
	return xstrdup(word);
}

static enum runbook_decision ui_decide(void *arg, const struct runbook_exec *x,
                                       size_t step, enum runbook_ask why,
                                       char **reason)
{
	const struct failover *f = ((struct session_box *)arg)->f;
	const struct runbook *rb = runbook_exec_runbook(x);

	(void)reason;
	flog(f, "step %s %s; unattended, so the run pauses for an operator",
	     step < rb->n_steps ? rb->steps[step].id : "?",
	     why == RUNBOOK_ASK_FAILED        ? "failed"
	     : why == RUNBOOK_ASK_INTERRUPTED ? "was interrupted"
	                                      : "was not confirmed");
	return RUNBOOK_DO_PAUSE;
}

static int ui_stop(void *arg)
{
	const struct failover *f = ((struct session_box *)arg)->f;

	return f->stopping != NULL && f->stopping();
}

/* ---- the run's thread ------------------------------------------------ */

static void note(void *arg, const char *text)
{
	flog(arg, "%s", text);
}

static void start_said(struct failover *f, int rc, char *msg)
{
	pthread_mutex_lock(&f->lock);
	f->start_rc = rc;
	f->start_msg = msg;
	f->start_done = 1;
	pthread_cond_broadcast(&f->started);
	pthread_mutex_unlock(&f->lock);
}

static void failover_free(struct failover *f)
{
	free(f->catalog_path);
	free(f->config_path);
	free(f->service);
	free(f->incident);
	free(f->notes);
	free(f->assign);
	free(f->start_msg);
	runbook_free(f->rb);
	pthread_cond_destroy(&f->started);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

static void ui_notify(void *arg, const struct runbook_exec *x,
                      const char *message)
{
	struct session_box *box = arg;

	flog(box->f, "NOTIFY: %s", message);
	ops_runbook_notify(&box->ses, x, message);
}

/* Runs it; once it exists the agent's thread hears so.  Afterwards the
 * thread frees f. */
static void run(struct failover *f, struct session_box *box)
{
	struct runbook_ui ui = {
	    .arg = box,
	    .event = ui_event,
	    .output = ui_output,
	    .ask_yes = ui_yes,
	    .ask_word = ui_word,
	    .decide = ui_decide,
	    .stop_requested = ui_stop,
	    .notify = ui_notify,
	};
	char *const assign[] = {f->assign};
	struct runbook_start start = {
	    .rb = f->rb,
	    .assign = assign,
	    .n_assign = f->assign != NULL ? 1 : 0,
	    .incident_type = f->incident,
	    .incident_started_at = f->up_at,
	    .services = f->service,
	    .notes = f->notes,
	    .data_loss_minutes = -1,
	};
	struct runbook_exec *x = NULL;
	char *err = NULL;
	int rc = ops_runbook_start(&box->ses, &start, &ui, &x, &err);

	if (rc != DR_OK) {
		start_said(f, rc, xasprintf("not started: %s", err));
		free(err);
		return;
	}
	strlcpy_dr(f->recovery_id, runbook_exec_record(x)->recovery_id,
	           sizeof f->recovery_id);
	start_said(f, DR_OK,
	           xasprintf("started unattended: recovery %s; 'drconsole "
	                     "runbook log %s' follows it",
	                     f->recovery_id, f->recovery_id));
	rc = ops_runbook_run(&box->ses, x, 1, &err);
	if (rc != DR_OK)
		flog(f, "the catalog failed: %s; resume it once it works",
		     err ? err : "unknown error");
	else if (runbook_exec_paused(x))
		flog(f,
		     "paused at step %zu for an operator: 'drconsole "
		     "runbook resume %s'",
		     runbook_exec_current(x) + 1, f->recovery_id);
	else
		flog(f, "%s", runbook_exec_record(x)->recovery_status);
	free(err);
	runbook_exec_free(x);
}

static void *failover_thread(void *arg)
{
	struct failover *f = arg;
	struct session_box box = {.f = f};
	struct config *cfg = NULL;
	char *err = NULL;

	audit_set_origin("unattended");
	box.ev.arg = f;
	box.ev.note = note;
	box.ses.ev = &box.ev;
	if (config_load(f->config_path, &cfg, &err) != DR_OK ||
	    catalog_open(f->catalog_path, 0, &box.ses.cat, &err) != DR_OK) {
		start_said(f, DR_EIO, xasprintf("not started: %s", err));
		free(err);
	} else {
		audit_attach(box.ses.cat);
		box.ses.cfg = cfg;
		run(f, &box);
	}
	catalog_close(box.ses.cat);
	config_free(cfg);
	/* f is this thread's once the agent's has read how the start went. */
	pthread_mutex_lock(&f->lock);
	while (f->start_done != 2)
		pthread_cond_wait(&f->started, &f->lock);
	pthread_mutex_unlock(&f->lock);
	failover_free(f);
	pthread_mutex_lock(&runs_lock);
	runs_active--;
	pthread_cond_broadcast(&runs_changed);
	pthread_mutex_unlock(&runs_lock);
	return NULL;
}

/* ---- starting -------------------------------------------------------- */

/* The runbook's variable that names its affected service: the NAME of a
 * "services" entry that is exactly "${NAME}".  NULL: none. */
static const struct runbook_var *service_var(const struct runbook *rb)
{
	for (size_t i = 0; i < rb->n_services; i++) {
		const char *sv = rb->services[i];
		size_t len = strlen(sv);
		long v;

		if (len < 4 || strncmp(sv, "${", 2) != 0 || sv[len - 1] != '}')
			continue;
		char *name = xstrndup(sv + 2, len - 3);
		v = runbook_var_index(rb, name);
		free(name);
		if (v >= 0)
			return &rb->vars[v];
	}
	return NULL;
}

/* Loads the runbook and checks it can run with nobody to answer. */
static int check_runbook(const struct ops_failover_req *r, struct runbook **out,
                         const struct runbook_var **sv, char **message)
{
	char **dirs = NULL, *path = NULL, *err = NULL;
	size_t n_dirs = 0;
	struct runbook *rb = NULL;
	int rc;

	runbook_search_dirs(r->cfg->runbook_dir, &dirs, &n_dirs);
	rc = runbook_find(r->runbook, dirs, n_dirs, &path, &err);
	runbook_values_free(dirs, n_dirs);
	if (rc == DR_OK)
		rc = runbook_load(path, &rb, &err);
	free(path);
	if (rc != DR_OK) {
		*message = xasprintf("runbook %s: %s", r->runbook, err);
		free(err);
		return rc;
	}
	*sv = service_var(rb);
	if (*sv != NULL && runbook_var_check(*sv, r->service, &err) != DR_OK) {
		*message = xasprintf("not started: %s", err);
		free(err);
		runbook_free(rb);
		return DR_EINVAL;
	}
	for (size_t i = 0; i < rb->n_vars; i++) {
		if (rb->vars[i].def != NULL || &rb->vars[i] == *sv)
			continue;
		*message = xasprintf("not started: variable %s of runbook %s "
		                     "has no default, and nobody is there to "
		                     "give one",
		                     rb->vars[i].name, rb->name);
		runbook_free(rb);
		return DR_EINVAL;
	}
	*out = rb;
	return DR_OK;
}

/* A failover of the service still open (running, or paused for an
 * operator): a second one would be refused by the run itself, after the
 * agent had said "started", so it is refused here, naming the run. */
static int check_open(struct catalog *cat, const char *service, char **message)
{
	struct catalog_runbook_exec *open = NULL;
	char *err = NULL, *key;
	size_t n = 0;
	int rc = DR_OK;

	if (catalog_runbook_exec_list_open(cat, &open, &n, &err) !=
	    CATALOG_OK) {
		*message = xasprintf("not started: cannot tell whether a "
		                     "failover is already open: %s",
		                     err);
		free(err);
		return DR_EDB;
	}
	key = xasprintf("|auto-failover %.48s", service);
	for (size_t i = 0; i < n && rc == DR_OK; i++) {
		size_t kl = strlen(open[i].incident_key), sl = strlen(key);
		if (kl < sl || strcmp(open[i].incident_key + kl - sl, key) != 0)
			continue;
		*message = xasprintf(
		    "refused: a failover of %s is already open (runbook %s, "
		    "recovery %s, %s); not started again",
		    service, open[i].runbook, open[i].recovery_id,
		    open[i].pid > 0 ? "running"
		                    : "paused, waiting for an "
		                      "operator");
		rc = DR_EBUSY;
	}
	free(key);
	catalog_runbook_execs_free(open, n);
	return rc;
}

static struct failover *failover_new(const struct ops_failover_req *r,
                                     struct runbook *rb,
                                     const struct runbook_var *sv)
{
	struct failover *f = xcalloc(1, sizeof *f);

	f->catalog_path = xstrdup(r->catalog_path);
	f->config_path = r->config_path ? xstrdup(r->config_path) : NULL;
	f->service = xstrdup(r->service);
	f->incident = xasprintf("auto-failover %.48s", r->service);
	f->notes = xasprintf("Started by the agent: %s went down and its "
	                     "config has \"auto_failover\": true.",
	                     r->service);
	if (sv != NULL)
		f->assign = xasprintf("%s=%s", sv->name, r->service);
	f->up_at = r->up_at > 0 && r->up_at <= time_now() ? r->up_at : 0;
	f->log = r->log;
	f->log_arg = r->log_arg;
	f->stopping = r->stopping;
	f->rb = rb;
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->started, NULL);
	return f;
}

int ops_failover_start(struct catalog *cat, const struct ops_failover_req *r,
                       char **message)
{
	const struct runbook_var *sv = NULL;
	struct runbook *rb = NULL;
	struct failover *f;
	sigset_t all, old;
	pthread_t t;
	pthread_attr_t attr;
	int rc = check_runbook(r, &rb, &sv, message);

	if (rc == DR_OK)
		rc = check_open(cat, r->service, message);
	if (rc != DR_OK) {
		runbook_free(rb);
		return rc;
	}
	f = failover_new(r, rb, sv);
	pthread_mutex_lock(&runs_lock);
	runs_active++;
	pthread_mutex_unlock(&runs_lock);
	/* Signals stay the agent's main thread's. */
	sigfillset(&all);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&t, &attr, failover_thread, f);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		pthread_mutex_lock(&runs_lock);
		runs_active--;
		pthread_mutex_unlock(&runs_lock);
		failover_free(f);
		*message = xstrdup("could not start it: no thread for it");
		return DR_EIO;
	}
	pthread_mutex_lock(&f->lock);
	while (f->start_done != 1)
		pthread_cond_wait(&f->started, &f->lock);
	rc = f->start_rc;
	*message = f->start_msg;
	f->start_msg = NULL;
	f->start_done = 2;
	pthread_cond_broadcast(&f->started);
	pthread_mutex_unlock(&f->lock);
	return rc;
}

void ops_failover_wait(void)
{
	pthread_mutex_lock(&runs_lock);
	while (runs_active > 0)
		pthread_cond_wait(&runs_changed, &runs_lock);
	pthread_mutex_unlock(&runs_lock);
}
