/* The runbook engine (see runbook_exec.h for the states).
 *
 * Order of things for one step: show it, ask for its confirmation, store
 * "running" (with who confirmed) and only then start its command; store
 * the outcome when it ends.  So a crash at any point leaves a record that
 * says what may have happened: a step stored as running may have run in
 * part, which is why resume calls it interrupted and asks, and never runs
 * a completed step again.
 *
 * Variables reach commands only through the environment (DR_VAR_NAME);
 * the command text is passed to /bin/sh untouched.
 *
 * A fault step (a game day's injected failure) writes "fault injected,
 * undo pending" to its notes before its command starts, and "undone" once
 * its undo exited 0.  Whatever way the run leaves runbook_exec_run --
 * completed, aborted, rolled back, paused by a hang-up -- every pending
 * undo runs first, and resume runs those a killed session left.  An undo
 * that fails keeps the execution open (paused) so that resume tries it
 * again: a fault is never silently left in place. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/audit.h"
#include "core/childenv.h"
#include "core/config.h"
#include "core/duration.h"
#include "core/error.h"
#include "core/hold_beat.h"
#include "core/ops.h"
#include "core/procid.h"
#include "core/runbook_action.h"
#include "core/runbook_exec.h"
#include "core/runbook_proc.h"
#include "core/service.h"
#include "core/timeutil.h"
#include "core/uuid.h"
#include "core/xmalloc.h"
#include "db/catalog_agent.h"
#include "db/catalog_runbook.h"

#define EXEC_TAIL_MAX 4000
#define EXEC_NO_STEP  ((size_t)-1)
#define FAULT_PENDING "fault injected, undo pending"
#define FAULT_UNDONE  "undone"

extern char **environ;

struct runbook_exec {
	struct catalog *cat;
	struct runbook *rb;
	char **values; /* rb->n_vars */
	char *services_csv;
	struct catalog_recovery rec;
	struct catalog_recovery_step *steps; /* rb->n_steps, seq = i + 1 */
	struct catalog_runbook_exec hold;
	struct hold_beat *beat; /* the hold's heartbeat (core/hold_beat.h) */
	const struct runbook_ui *ui;
	char actor[64];
	char origin[64];
	char host[128];
	size_t current;
	int paused;
	int stopping;
	int no_stop; /* an undo runs to its end even after a stop request */
	int quiet;   /* a steady-state check: its output is not streamed */
	/* The steady state's window, 0 while it did not break / restore;
	 * kept as the execution's variables DR_STEADY_BROKEN_AT and
	 * DR_STEADY_RESTORED_AT for resume. */
	int64_t steady_broken_at;
	int64_t steady_restored_at;
	/* Output of the step now running, newest EXEC_TAIL_MAX bytes. */
	char tail[EXEC_TAIL_MAX + 1];
	size_t tail_len;
	/* When the next status-update reminder is due (update_every); 0:
	 * not yet set. */
	int64_t update_due;
	/* The session of ops_runbook_run, for the built-in actions that use
	 * the rest of drconsole; NULL outside a run. */
	const struct ops_session *ses;
	/* Steps outlive the terminal: where a step's command spools its
	 * output and its keeper writes its end (next to the catalog; NULL:
	 * nowhere to, and the command runs on a pipe as before); the spool
	 * of the command now starting; the group of a command left running
	 * by an earlier session, to follow instead of starting one. */
	char *spool_dir;
	char *spool_cur;
	pid_t reattach_pgid;
	int detached;     /* the session ended detached */
	int outcome_gone; /* a followed command ended without a word */
};

/* ---- small helpers ----------------------------------------------------- */

static void say(struct runbook_exec *x, size_t step, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void say(struct runbook_exec *x, size_t step, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	if (x->ui && x->ui->event)
		x->ui->event(x->ui->arg, x, RUNBOOK_EV_NOTE, step, text);
	free(text);
}

static void update_check(struct runbook_exec *x);

static void emit(struct runbook_exec *x, enum runbook_event ev, size_t step)
{
	if (x->ui && x->ui->event)
		x->ui->event(x->ui->arg, x, ev, step, NULL);
}

static void note_add(struct catalog_recovery_step *rs, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void note_add(struct catalog_recovery_step *rs, const char *fmt, ...)
{
	va_list ap;
	char *line, *all;

	va_start(ap, fmt);
	line = xvasprintf(fmt, ap);
	va_end(ap);
	all = rs->notes ? xasprintf("%s\n%s", rs->notes, line) : line;
	if (rs->notes) {
		free(line);
		free(rs->notes);
	}
	rs->notes = all;
}

static void tail_add(struct runbook_exec *x, const char *buf, size_t len)
{
	if (len >= EXEC_TAIL_MAX) {
		memcpy(x->tail, buf + len - EXEC_TAIL_MAX, EXEC_TAIL_MAX);
		x->tail_len = EXEC_TAIL_MAX;
	} else {
		if (x->tail_len + len > EXEC_TAIL_MAX) {
			size_t drop = x->tail_len + len - EXEC_TAIL_MAX;
			memmove(x->tail, x->tail + drop, x->tail_len - drop);
			x->tail_len -= drop;
		}
		memcpy(x->tail + x->tail_len, buf, len);
		x->tail_len += len;
	}
	x->tail[x->tail_len] = '\0';
}

static void output(struct runbook_exec *x, const char *buf, size_t len)
{
	if (x->quiet)
		return;
	tail_add(x, buf, len);
	if (x->ui && x->ui->output)
		x->ui->output(x->ui->arg, x, x->current, buf, len);
}

static void output_line(struct runbook_exec *x, const char *text)
{
	output(x, text, strlen(text));
	output(x, "\n", 1);
}

static void store_tail(struct runbook_exec *x, struct catalog_recovery_step *rs)
{
	free(rs->output_tail);
	rs->output_tail = x->tail_len ? xstrndup(x->tail, x->tail_len) : NULL;
}

static char *who(const struct runbook_exec *x)
{
	if (x->origin[0])
		return xasprintf("%s (%s)", x->actor, x->origin);
	return xstrdup(x->actor);
}

/* <dir of the catalog>/drconsole-spool, made 0700; for a catalog on a
 * server, this user's data directory's (config_data_dir(): the spool is
 * this host's, as the processes are).  NULL for an in-memory catalog or
 * when the directory cannot be made. */
static char *spool_dir_of(struct catalog *cat)
{
	const char *where = catalog_where(cat);
	char *dir;

	if (where == NULL || strcmp(where, ":memory:") == 0)
		return NULL;
	if (catalog_where_shared(where)) {
		char *data = config_data_dir();
		/* mkdir -p: each level, 0700 where it is made */
		for (char *p = strchr(data + 1, '/'); p != NULL;
		     p = strchr(p + 1, '/')) {
			*p = '\0';
			(void)mkdir(data, 0700);
			*p = '/';
		}
		(void)mkdir(data, 0700);
		dir = xasprintf("%s/drconsole-spool", data);
		free(data);
	} else {
		if (strncmp(where, "file:", 5) == 0)
			where += 5;
		const char *slash = strrchr(where, '/');
		dir = slash ? xasprintf("%.*s/drconsole-spool",
		                        (int)(slash - where), where)
		            : xstrdup("drconsole-spool");
	}
	struct stat st;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		free(dir);
		return NULL;
	}
	if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != geteuid()) {
		free(dir);
		return NULL;
	}
	return dir;
}

/* The spool of step i of this run, or NULL. */
static char *spool_path(const struct runbook_exec *x, size_t i)
{
	if (x->spool_dir == NULL)
		return NULL;
	return xasprintf("%s/%s.%zu.log", x->spool_dir, x->rec.recovery_id,
	                 i + 1);
}

/* The newest EXEC_TAIL_MAX bytes of a spool (malloc'd), or NULL. */
static char *spool_tail(const char *path)
{
	int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	if (fd < 0)
		return NULL;
	off_t end = lseek(fd, 0, SEEK_END);
	off_t from = end > EXEC_TAIL_MAX ? end - EXEC_TAIL_MAX : 0;
	char *buf = xmalloc(EXEC_TAIL_MAX + 1);
	ssize_t got = end > 0 ? pread(fd, buf, (size_t)(end - from), from) : 0;
	close(fd);
	if (got <= 0) {
		free(buf);
		return NULL;
	}
	buf[got] = '\0';
	return buf;
}

struct persist_change {
	struct runbook_exec *x;
	size_t step; /* EXEC_NO_STEP: the record alone */
	const char *details;
};

static int persist_change(struct catalog *cat, void *arg, char **details,
                          char **err)
{
	const struct persist_change *pc = arg;
	struct runbook_exec *x = pc->x;
	int rc = CATALOG_OK;

	if (pc->step != EXEC_NO_STEP)
		rc = catalog_recovery_step_put(cat, &x->steps[pc->step], err);
	if (rc == CATALOG_OK)
		rc = catalog_recovery_update(cat, &x->rec, err);
	if (rc == CATALOG_OK)
		*details = xstrdup(pc->details);
	return rc;
}

/* Stores the record, optionally one step, and an audit row, together. */
static int persist(struct runbook_exec *x, size_t step, const char *action,
                   char **err, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int persist(struct runbook_exec *x, size_t step, const char *action,
                   char **err, const char *fmt, ...)
{
	va_list ap;
	char *details;
	int rc;

	va_start(ap, fmt);
	details = xvasprintf(fmt, ap);
	va_end(ap);
	x->rec.updated_at = time_now();
	struct persist_change pc = {x, step, details};
	rc = ops_audited(x->cat, action, x->rec.recovery_id, persist_change,
	                 &pc, err);
	free(details);
	return rc;
}

/* ---- the environment of a command --------------------------------- */

static char **build_env(const struct runbook_exec *x, size_t step)
{
	size_t n = 0;
	char **set = xcalloc(x->rb->n_vars + 8, sizeof *set);

	/* A step sees the allowlist (core/childenv.h), the names the runbook
	 * and the config ask for, and only the DR_ variables drconsole
	 * sets. */
	for (size_t i = 0; i < x->rb->n_vars; i++)
		set[n++] = xasprintf("DR_VAR_%s=%s", x->rb->vars[i].name,
		                     x->values[i] ? x->values[i] : "");
	set[n++] = xasprintf("DR_RECOVERY_ID=%s", x->rec.recovery_id);
	set[n++] = xasprintf("DR_RUNBOOK=%s", x->rb->name);
	set[n++] = xasprintf("DR_DRILL=%d", x->rec.is_drill ? 1 : 0);
	set[n++] = xasprintf("DR_INCIDENT_TYPE=%s", x->rec.incident_type);
	set[n++] = xasprintf("DR_SERVICES=%s", x->services_csv);
	if (step < x->rb->n_steps)
		set[n++] = xasprintf("DR_STEP=%s", x->rb->steps[step].id);
	char **names = childenv_with_config(x->rb->env, x->rb->n_env);
	size_t n_names = 0;
	while (names[n_names] != NULL)
		n_names++;
	char **env = childenv_build(NULL, names, n_names, "DR_", set, n);
	childenv_free(names);
	childenv_free(set);
	return env;
}

static void env_free(char **env)
{
	childenv_free(env);
}

/* ---- running commands ----------------------------------------------- */

static void proc_output(void *arg, const char *buf, size_t len)
{
	output(arg, buf, len);
}

static int proc_should_detach(void *arg)
{
	struct runbook_exec *x = arg;
	return x->ui && x->ui->detach_requested &&
	       x->ui->detach_requested(x->ui->arg);
}

static int proc_should_stop(void *arg)
{
	struct runbook_exec *x = arg;

	update_check(x);
	if (x->no_stop)
		return 0;
	if (x->stopping)
		return 1;
	if (x->ui && x->ui->stop_requested && x->ui->stop_requested(x->ui->arg))
		x->stopping = 1;
	return x->stopping;
}

static void proc_started(void *arg, pid_t pgid)
{
	struct runbook_exec *x = arg;
	char *err = NULL;

	/* Best effort: only used to warn on resume that it may still run. */
	if (catalog_runbook_exec_set_child(x->cat, x->rec.recovery_id,
	                                   (int64_t)pgid, &err) != CATALOG_OK)
		free(err);
	x->hold.child_pgid = pgid;
}

/* DR_OK with *exit_code; DR_ETIMEOUT, DR_EBUSY (stopped), DR_EIO. */
static int run_shell(struct runbook_exec *x, const char *command,
                     int64_t timeout_s, int *exit_code, char **err)
{
	char **env = build_env(x, x->current);
	struct runbook_proc_opts opts = {
	    .command = command,
	    .env = env,
	    .timeout_s = timeout_s,
	    .on_output = proc_output,
	    .should_stop = proc_should_stop,
	    .on_start = proc_started,
	    .spool = x->spool_cur,
	    .should_detach = x->spool_cur ? proc_should_detach : NULL,
	    .arg = x,
	};
	struct runbook_proc_result res;
	int rc, gone = 0;

	if (x->reattach_pgid != 0 && x->spool_cur != NULL)
		rc = runbook_proc_follow(&opts, x->reattach_pgid, &res, &gone,
		                         err);
	else
		rc = runbook_proc_run(&opts, &res, err);
	x->reattach_pgid = 0;
	env_free(env);
	*exit_code = res.exit_code;
	if (rc != DR_OK)
		return rc;
	if (res.detached) {
		x->detached = 1;
		*err = xstrdup("detached: it runs on");
		return DR_EBUSY;
	}
	if (gone) {
		x->outcome_gone = 1;
		*err = xstrdup("its process ended and left no exit status: its "
		               "outcome is unknown");
		return DR_EIO;
	}
	if (res.timed_out) {
		*err = xasprintf("timed out after %llds; its process group was "
		                 "killed",
		                 (long long)timeout_s);
		return DR_ETIMEOUT;
	}
	if (res.stopped) {
		*err = xstrdup("stopped by the operator; its process group "
		               "was killed");
		return DR_EBUSY;
	}
	if (res.signal) {
		*err = xasprintf("killed by signal %d", res.signal);
		return DR_OK;
	}
	return DR_OK;
}

static int action_run(void *engine, const char *command, int64_t timeout_s,
                      int *exit_code, char **err)
{
	return run_shell(engine, command, timeout_s, exit_code, err);
}

static void action_say(void *engine, const char *text)
{
	output_line(engine, text);
}

static void action_notify(void *engine, const char *message)
{
	struct runbook_exec *x = engine;

	if (x->ui && x->ui->notify)
		x->ui->notify(x->ui->arg, x, message);
}

static int action_stopped(void *engine)
{
	return proc_should_stop(engine);
}

static char *action_expand(void *engine, const char *text)
{
	return runbook_exec_expand(engine, text);
}

static char **action_env(void *engine)
{
	struct runbook_exec *x = engine;
	return build_env(x, x->current);
}

int runbook_exec_detached(const struct runbook_exec *x)
{
	return x->detached;
}

void runbook_exec_set_session(struct runbook_exec *x,
                              const struct ops_session *s)
{
	x->ses = s;
}

/* ---- accessors -------------------------------------------------------- */

const struct runbook *runbook_exec_runbook(const struct runbook_exec *x)
{
	return x->rb;
}

const struct catalog_recovery *runbook_exec_record(const struct runbook_exec *x)
{
	return &x->rec;
}

const struct catalog_recovery_step *
runbook_exec_step(const struct runbook_exec *x, size_t i)
{
	return i < x->rb->n_steps ? &x->steps[i] : NULL;
}

size_t runbook_exec_current(const struct runbook_exec *x)
{
	return x->current;
}

int runbook_exec_paused(const struct runbook_exec *x)
{
	return x->paused;
}

int runbook_exec_is_drill(const struct runbook_exec *x)
{
	return x->rec.is_drill;
}

const char *runbook_exec_value(const struct runbook_exec *x, const char *name)
{
	long i = runbook_var_index(x->rb, name);

	return i >= 0 ? x->values[i] : NULL;
}

const char *runbook_exec_command(const struct runbook_exec *x, size_t i)
{
	const struct runbook_step *st;

	if (i >= x->rb->n_steps)
		return NULL;
	st = &x->rb->steps[i];
	if (st->kind == RUNBOOK_KIND_FAULT)
		return st->command; /* a game day's fault runs in a drill */
	return x->rec.is_drill ? st->drill : st->command;
}

/* Whole minutes, rounded down, for a minute or more: what people write in
 * a status update ("20m", not "20m3s"). */
static int64_t in_minutes(int64_t s)
{
	return s >= 60 ? s / 60 * 60 : s;
}

/* The run names of a message (core/runbook.h), as they are now. */
static const char *run_value(void *arg, const char *name, char *buf,
                             size_t size)
{
	const struct runbook_exec *x = arg;
	int64_t elapsed = 0, target = x->rec.rto_target_s;
	char d[32];

	runbook_exec_clock(x, time_now(), &elapsed);
	if (strcmp(name, "ELAPSED") == 0) {
		duration_format(in_minutes(elapsed), buf, size);
	} else if (strcmp(name, "RTO_LEFT") == 0) {
		if (target <= 0)
			snprintf(buf, size, "unknown (no RTO target)");
		else if (elapsed <= target)
			duration_format(target - elapsed, buf, size);
		else
			snprintf(
			    buf, size, "none (over by %s)",
			    duration_format(elapsed - target, d, sizeof d));
	} else if (strcmp(name, "STEP") == 0) {
		size_t n = x->rb->n_steps, at = x->current < n ? x->current : 0;
		snprintf(buf, size, "%zu/%zu", n ? at + 1 : 0, n);
	} else if (strcmp(name, "INCIDENT") == 0) {
		snprintf(buf, size, "%s", x->rec.incident_type);
	} else if (strcmp(name, "OPERATOR") == 0) {
		if (x->origin[0])
			snprintf(buf, size, "%s (%s)", x->actor, x->origin);
		else
			snprintf(buf, size, "%s", x->actor);
	} else {
		return NULL;
	}
	return buf;
}

char *runbook_exec_expand(const struct runbook_exec *x, const char *text)
{
	return runbook_expand_with(x->rb, x->values, run_value, (void *)x,
	                           text);
}

#define UPDATE_TEMPLATE_DEFAULT                                                \
	"Incident ${INCIDENT}: step ${STEP}, ${ELAPSED} since it began, RTO "  \
	"left ${RTO_LEFT}."

/* update_every: the reminder that a status update is owed, with the
 * template filled; only the front end hears it (not the step's output). */
static void update_check(struct runbook_exec *x)
{
	int64_t every = x->rb ? x->rb->update_every_s : 0, now = time_now();

	if (every <= 0)
		return;
	/* Due every update_every from the incident's start: a run started
	 * late owes one at once. */
	int64_t from = x->rec.incident_started_at ? x->rec.incident_started_at
	                                          : x->rec.initiated_at;
	if (x->update_due == 0)
		x->update_due = from + every;
	if (now < x->update_due)
		return;
	x->update_due = from + ((now - from) / every + 1) * every;
	char *text = runbook_exec_expand(x, x->rb->update_template
	                                        ? x->rb->update_template
	                                        : UPDATE_TEMPLATE_DEFAULT);
	char every_s[32];
	duration_format(every, every_s, sizeof every_s);
	say(x, EXEC_NO_STEP, "status update due (every %s): %s", every_s, text);
	free(text);
}

enum runbook_clock runbook_clock_of(int64_t elapsed_s, int64_t target_s)
{
	if (target_s <= 0)
		return RUNBOOK_CLOCK_OK;
	if (elapsed_s > target_s)
		return RUNBOOK_CLOCK_OVER;
	if ((double)elapsed_s > 0.8 * (double)target_s)
		return RUNBOOK_CLOCK_AT_RISK;
	return RUNBOOK_CLOCK_OK;
}

enum runbook_clock runbook_exec_clock(const struct runbook_exec *x, int64_t now,
                                      int64_t *elapsed_s)
{
	int64_t from = x->rec.incident_started_at ? x->rec.incident_started_at
	                                          : x->rec.initiated_at;
	int64_t end = x->rec.completed_at ? x->rec.completed_at : now;

	*elapsed_s = end > from ? end - from : 0;
	return runbook_clock_of(*elapsed_s, x->rec.rto_target_s);
}

/* ---- setting up ------------------------------------------------------- */

void runbook_exec_free(struct runbook_exec *x)
{
	if (x == NULL)
		return;
	hold_beat_stop(x->beat);
	if (x->rb) {
		runbook_values_free(x->values, x->rb->n_vars);
		if (x->steps) {
			for (size_t i = 0; i < x->rb->n_steps; i++) {
				free(x->steps[i].output_tail);
				free(x->steps[i].notes);
			}
		}
	}
	free(x->steps);
	runbook_free(x->rb);
	free(x->services_csv);
	free(x->spool_dir);
	free(x->spool_cur);
	catalog_recovery_clear(&x->rec);
	catalog_runbook_exec_clear(&x->hold);
	free(x);
}

static struct runbook_exec *exec_new(struct catalog *cat,
                                     const struct runbook_ui *ui)
{
	struct runbook_exec *x = xcalloc(1, sizeof *x);

	x->cat = cat;
	x->ui = ui;
	audit_actor(x->actor, x->origin);
	if (gethostname(x->host, sizeof x->host - 1) != 0)
		strlcpy_dr(x->host, "localhost", sizeof x->host);
	x->spool_dir = spool_dir_of(cat);
	return x;
}

static void set_holder(struct runbook_exec *x)
{
	struct procid self;

	strlcpy_dr(x->hold.holder, x->actor, sizeof x->hold.holder);
	strlcpy_dr(x->hold.origin, x->origin, sizeof x->hold.origin);
	strlcpy_dr(x->hold.host, x->host, sizeof x->hold.host);
	procid_self(&self);
	x->hold.pid = (int64_t)self.pid;
	x->hold.pid_start = self.start;
	x->hold.held_since = time_now();
}

/* The affected services: --services, else the runbook's, expanded. */
static int resolve_services(struct runbook_exec *x, const char *given,
                            char **err)
{
	char *csv = NULL;

	if (given != NULL) {
		csv = xstrdup(given);
	} else {
		for (size_t i = 0; i < x->rb->n_services; i++) {
			char *one = runbook_exec_expand(x, x->rb->services[i]);
			char *both = csv ? xasprintf("%s,%s", csv, one) : one;
			if (csv) {
				free(one);
				free(csv);
			}
			csv = both;
		}
	}
	if (csv == NULL || csv[0] == '\0') {
		free(csv);
		*err = xasprintf("runbook %s names no affected services: give "
		                 "--services NAME[,NAME...]",
		                 x->rb->name);
		return DR_EINVAL;
	}
	/* Check each name; normalise away spaces after commas. */
	char *clean = NULL, *save = NULL;
	for (char *tok = strtok_r(csv, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		char *why = NULL;
		if (service_name_check(tok, &why) != DR_OK) {
			*err = xasprintf("affected services: %s", why);
			free(why);
			free(csv);
			free(clean);
			return DR_EINVAL;
		}
		char *joined =
		    clean ? xasprintf("%s,%s", clean, tok) : xstrdup(tok);
		free(clean);
		clean = joined;
	}
	free(csv);
	if (clean == NULL) {
		*err = xstrdup("no affected services given");
		return DR_EINVAL;
	}
	x->services_csv = clean;
	return DR_OK;
}

/* A typed word must be something one cannot type by accident. */
static int check_words(struct runbook_exec *x, char **err)
{
	for (size_t i = 0; i < x->rb->n_steps; i++) {
		const struct runbook_step *st = &x->rb->steps[i];
		char *w;

		if (st->confirm != RUNBOOK_CONFIRM_TYPED)
			continue;
		w = runbook_exec_expand(x, st->confirm_word);
		if (w[0] == '\0' || strcasecmp(w, "y") == 0 ||
		    strcasecmp(w, "yes") == 0 || strcasecmp(w, "n") == 0 ||
		    strcasecmp(w, "no") == 0) {
			*err = xasprintf("step %s: its confirmation word "
			                 "\"%s\" would be \"%s\", which is "
			                 "too easy to type by accident; "
			                 "choose other variable values",
			                 st->id, st->confirm_word, w);
			free(w);
			return DR_EINVAL;
		}
		free(w);
	}
	return DR_OK;
}

static void init_steps(struct runbook_exec *x)
{
	x->steps = xcalloc(x->rb->n_steps + 1, sizeof *x->steps);
	for (size_t i = 0; i < x->rb->n_steps; i++) {
		struct catalog_recovery_step *rs = &x->steps[i];
		const struct runbook_step *st = &x->rb->steps[i];
		char *title = runbook_exec_expand(x, st->title);

		strlcpy_dr(rs->recovery_id, x->rec.recovery_id,
		           sizeof rs->recovery_id);
		rs->seq = (int)i + 1;
		strlcpy_dr(rs->step_id, st->id, sizeof rs->step_id);
		strlcpy_dr(rs->phase, st->phase, sizeof rs->phase);
		strlcpy_dr(rs->title, title, sizeof rs->title);
		strlcpy_dr(rs->status, "pending", sizeof rs->status);
		rs->exit_code = -1;
		free(title);
	}
}

static char *incident_key(const struct runbook *rb, const char *incident,
                          int drill)
{
	return xasprintf("%s|%s%s", rb->name, incident, drill ? "|drill" : "");
}

static void describe_holder(const struct catalog_runbook_exec *h, char *buf,
                            size_t size)
{
	char since[32];

	time_format_iso(h->held_since, since);
	snprintf(buf, size, "%s%s%s%s on %s (pid %lld) since %s", h->holder,
	         h->origin[0] ? " (from " : "", h->origin,
	         h->origin[0] ? ")" : "", h->host, (long long)h->pid, since);
}

/* 1 alive, 0 gone, -1 cannot tell (another host).  Alive means the same
 * process: a process that got the holder's pid later is not the holder. */
static int holder_alive(const struct runbook_exec *x,
                        const struct catalog_runbook_exec *h)
{
	struct procid holder = {(pid_t)h->pid, h->pid_start};

	if (h->pid <= 0)
		return 0;
	if (strcmp(h->host, x->host) != 0)
		return -1;
	return procid_alive(&holder);
}

/* Services named with --services must be the catalog's: a typo would
 * leave the real service without its recovery record. */
static int check_given_services(struct runbook_exec *x, struct catalog *cat,
                                char **err)
{
	char *csv = xstrdup(x->services_csv), *save = NULL;
	int rc = DR_OK;

	for (char *tok = strtok_r(csv, ",", &save); tok && rc == DR_OK;
	     tok = strtok_r(NULL, ",", &save)) {
		struct catalog_service svc;
		char *e = NULL;
		int grc = catalog_service_get(cat, tok, &svc, &e);
		if (grc == CATALOG_ENOTFOUND) {
			*err =
			    xasprintf("--services: no service \"%s\" in the "
			              "catalog (drconsole status lists them; "
			              "drconsole service add %s adds it)",
			              tok, tok);
			rc = DR_EINVAL;
		} else if (grc != CATALOG_OK) {
			*err = e;
			e = NULL;
			rc = grc;
		}
		free(e);
	}
	free(csv);
	return rc;
}

/* Services the catalog does not know get no data loss figure and no drill
 * date: say so, without refusing (an incident may involve them anyway). */
static void warn_unknown_services(struct runbook_exec *x)
{
	char *csv = xstrdup(x->services_csv), *save = NULL;

	for (char *tok = strtok_r(csv, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		struct catalog_service svc;
		char *err = NULL;

		if (catalog_service_get(x->cat, tok, &svc, &err) ==
		    CATALOG_ENOTFOUND)
			say(x, EXEC_NO_STEP,
			    "service %s is not in the catalog: no data loss "
			    "figure or drill date will be kept for it",
			    tok);
		free(err);
	}
	free(csv);
}

struct start_change {
	struct runbook_exec *x;
	const char *incident;
	int drill;
};

/* The recovery, its hold (refused while another holds the incident), its
 * steps and variables: what a start stores before its first step. */
static int start_change(struct catalog *cat, void *arg, char **details,
                        char **err)
{
	const struct start_change *sc = arg;
	struct runbook_exec *x = sc->x;
	struct catalog_runbook_exec other;
	int rc;

	memset(&other, 0, sizeof other);
	rc = catalog_recovery_insert(cat, &x->rec, err);
	if (rc == CATALOG_OK) {
		rc = catalog_runbook_exec_insert(cat, &x->hold, &other, err);
		if (rc == CATALOG_EBUSY) {
			char desc[512], hint[256];
			int alive = holder_alive(x, &other);

			free(*err);
			describe_holder(&other, desc, sizeof desc);
			if (alive == 1)
				hint[0] = '\0';
			else if (alive == 0)
				snprintf(hint, sizeof hint,
				         " %s: continue it with 'drconsole "
				         "runbook resume %s'.",
				         other.pid > 0 ? "That process is gone"
				                       : "It is paused",
				         other.recovery_id);
			else if (hold_beat_shared(catalog_where(cat)))
				snprintf(
				    hint, sizeof hint,
				    " It runs on another host (last beat "
				    "%llds ago); from there, or, once it "
				    "has not beaten for %ds, with "
				    "'drconsole runbook resume %s' to "
				    "take it over.",
				    (long long)(time_now() - other.updated_at),
				    HOLD_BEAT_STALE_S, other.recovery_id);
			else
				snprintf(hint, sizeof hint,
				         " It runs on another host; from "
				         "there, or with 'drconsole runbook "
				         "resume %s' to take it over.",
				         other.recovery_id);
			*err = xasprintf(
			    "runbook %s for incident \"%s\"%s is already "
			    "running: held by %s (recovery %s).%s",
			    x->rb->name, sc->incident,
			    sc->drill ? " (drill)" : "",
			    other.pid > 0 ? desc : "nobody", other.recovery_id,
			    hint);
			catalog_runbook_exec_clear(&other);
			return DR_EBUSY;
		}
	}
	for (size_t i = 0; rc == CATALOG_OK && i < x->rb->n_steps; i++)
		rc = catalog_recovery_step_put(cat, &x->steps[i], err);
	for (size_t i = 0; rc == CATALOG_OK && i < x->rb->n_vars; i++)
		rc = catalog_runbook_var_put(cat, x->rec.recovery_id,
		                             x->rb->vars[i].name, x->values[i],
		                             err);
	if (rc == CATALOG_OK)
		*details = xasprintf(
		    "runbook=%s incident=%s services=%s drill=%d", x->rb->name,
		    sc->incident, x->services_csv, x->rec.is_drill);
	return rc;
}

int runbook_exec_start(struct catalog *cat, const struct runbook_start *s,
                       const struct runbook_ui *ui, struct runbook_exec **out,
                       char **err)
{
	struct runbook_exec *x = exec_new(cat, ui);
	int rc;
	int64_t now = time_now();
	const char *incident;
	char *key;

	*out = NULL;
	rc = runbook_parse(s->rb->path, s->rb->text, strlen(s->rb->text),
	                   &x->rb, err);
	if (rc != DR_OK)
		goto fail;
	rc = runbook_resolve_vars(x->rb, s->assign, s->n_assign, &x->values,
	                          err);
	if (rc != DR_OK)
		goto fail;
	rc = resolve_services(x, s->services, err);
	if (rc == DR_OK && s->services != NULL)
		rc = check_given_services(x, cat, err);
	if (rc != DR_OK)
		goto fail;
	rc = check_words(x, err);
	if (rc != DR_OK)
		goto fail;
	incident = s->incident_type       ? s->incident_type
	           : x->rb->incident_type ? x->rb->incident_type
	                                  : x->rb->scenario;
	if (incident[0] == '\0' || strlen(incident) > 63) {
		*err = xstrdup("the incident type must have 1 to 63 bytes");
		rc = DR_EINVAL;
		goto fail;
	}
	if (s->incident_started_at > now) {
		*err = xstrdup("the incident cannot start in the future");
		rc = DR_EINVAL;
		goto fail;
	}

	{
		char id[37];
		uuid_v4(id);
		strlcpy_dr(x->rec.recovery_id, id, sizeof x->rec.recovery_id);
	}
	/* tenant_id stays empty: the catalog's default tenant. */
	strlcpy_dr(x->rec.incident_type, incident, sizeof x->rec.incident_type);
	x->rec.affected_services = xstrdup(x->services_csv);
	strlcpy_dr(x->rec.recovery_procedure, x->rb->name,
	           sizeof x->rec.recovery_procedure);
	strlcpy_dr(x->rec.recovery_status, "initiated",
	           sizeof x->rec.recovery_status);
	x->rec.rto_target_s = x->rb->rto_s;
	x->rec.rpo_target_s = x->rb->rpo_s;
	x->rec.actual_recovery_s = -1;
	x->rec.data_loss_minutes = s->data_loss_minutes;
	{
		char *w = who(x);
		strlcpy_dr(x->rec.initiated_by, w, sizeof x->rec.initiated_by);
		free(w);
	}
	x->rec.initiated_at = now;
	x->rec.incident_started_at = s->incident_started_at > 0 && !s->drill
	                                 ? s->incident_started_at
	                                 : now;
	x->rec.recovery_notes = s->notes ? xstrdup(s->notes) : NULL;
	x->rec.is_drill = s->drill ? 1 : 0;
	x->rec.updated_at = now;
	init_steps(x);

	strlcpy_dr(x->hold.recovery_id, x->rec.recovery_id,
	           sizeof x->hold.recovery_id);
	strlcpy_dr(x->hold.runbook, x->rb->name, sizeof x->hold.runbook);
	key = incident_key(x->rb, incident, s->drill);
	strlcpy_dr(x->hold.incident_key, key, sizeof x->hold.incident_key);
	free(key);
	x->hold.open = 1;
	x->hold.runbook_path = xstrdup(x->rb->path);
	x->hold.runbook_text = xstrdup(x->rb->text);
	set_holder(x);

	struct start_change sc = {x, incident, s->drill};
	rc = ops_audited(cat, "runbook.start", x->rec.recovery_id, start_change,
	                 &sc, err);
	if (rc != CATALOG_OK)
		goto fail;
	x->beat = hold_beat_start(catalog_where(cat), x->hold.recovery_id,
	                          x->hold.host, x->hold.pid);
	warn_unknown_services(x);
	*out = x;
	return DR_OK;
fail:
	runbook_exec_free(x);
	return rc;
}

/* ---- resume ----------------------------------------------------------- */

static int load_values(struct runbook_exec *x, char **err)
{
	char **names = NULL, **vals = NULL;
	size_t n = 0;
	int rc = catalog_runbook_var_list(x->cat, x->rec.recovery_id, &names,
	                                  &vals, &n, err);

	if (rc != CATALOG_OK)
		return rc;
	x->values = xcalloc(x->rb->n_vars + 1, sizeof *x->values);
	for (size_t i = 0; i < n; i++) {
		long idx = runbook_var_index(x->rb, names[i]);
		if (idx >= 0 && x->values[idx] == NULL)
			x->values[idx] = xstrdup(vals[i]);
	}
	runbook_values_free(names, n);
	runbook_values_free(vals, n);
	for (size_t i = 0; i < x->rb->n_vars; i++)
		if (x->values[i] == NULL)
			x->values[i] = xstrdup(
			    x->rb->vars[i].def ? x->rb->vars[i].def : "");
	return DR_OK;
}

static int load_steps(struct runbook_exec *x, char **err)
{
	struct catalog_recovery_step *list = NULL;
	size_t n = 0;
	int rc = catalog_recovery_step_list(x->cat, x->rec.recovery_id, &list,
	                                    &n, err);

	if (rc != CATALOG_OK)
		return rc;
	init_steps(x);
	for (size_t i = 0; i < n; i++) {
		size_t at = (size_t)list[i].seq - 1;

		if (list[i].seq < 1 || at >= x->rb->n_steps ||
		    strcmp(list[i].step_id, x->rb->steps[at].id) != 0) {
			*err = xasprintf("recovery %s: stored step %d (%s) "
			                 "does not match its runbook",
			                 x->rec.recovery_id, list[i].seq,
			                 list[i].step_id);
			catalog_recovery_steps_free(list, n);
			return DR_ECORRUPT;
		}
		x->steps[at] = list[i];
		/* Ownership of the strings moves to x->steps. */
		list[i].output_tail = NULL;
		list[i].notes = NULL;
	}
	catalog_recovery_steps_free(list, n);
	return DR_OK;
}

/* A step an earlier session left "running": what its keeper wrote down
 * decides (completed, failed), or it still runs (0: left "running", to
 * be followed), or it is gone without a word (interrupted, outcome
 * unknown; the operator decides).  1 when rs changed. */
static int settle_left_step(struct runbook_exec *x, size_t i)
{
	struct catalog_recovery_step *rs = &x->steps[i];
	const struct runbook_step *st = &x->rb->steps[i];
	char *spool = spool_path(x, i);
	int ec = -1, sig = 0;
	int known = spool && runbook_proc_spool_exit(spool, &ec, &sig);

	/* Still held by its keeper or command: running, whatever the
	 * catalog had time to note of its group. */
	if (!known && spool != NULL && runbook_proc_spool_busy(spool)) {
		free(spool);
		return 0;
	}
	rs->ended_at = time_now();
	if (known) {
		free(rs->output_tail);
		rs->output_tail = spool_tail(spool);
		rs->exit_code = ec;
	}
	if (known && ec == 0 && st->verify == NULL) {
		strlcpy_dr(rs->status, "completed", sizeof rs->status);
		note_add(rs, "finished while detached (exit 0), recorded on "
		             "resume");
	} else if (known && ec == 0) {
		strlcpy_dr(rs->status, "interrupted", sizeof rs->status);
		note_add(rs, "its command exited 0 while detached; its verify "
		             "has not run");
	} else if (known) {
		strlcpy_dr(rs->status, "failed", sizeof rs->status);
		if (sig)
			note_add(rs, "failed while detached (signal %d)", sig);
		else
			note_add(rs, "failed while detached (exit %d)", ec);
	} else {
		strlcpy_dr(rs->status, "interrupted", sizeof rs->status);
		note_add(rs, spool
		                 ? "interrupted: its process is gone and left "
		                   "no exit status; its outcome is unknown"
		                 : "interrupted: its process ended while it "
		                   "ran");
	}
	free(spool);
	return 1;
}

struct resume_change {
	struct runbook_exec *x;
	const struct catalog_runbook_exec *from; /* the hold as read */
	const char *previous;   /* the previous holder, described */
	unsigned char *settled; /* per step: settle_left_step() changed it */
};

/* The hold taken, and each step that was running when its process ended
 * stored as settled (before, so that a change made again after a lost
 * connection stores the same). */
static int resume_change(struct catalog *cat, void *arg, char **details,
                         char **err)
{
	const struct resume_change *rsm = arg;
	struct runbook_exec *x = rsm->x;
	int rc = catalog_runbook_exec_hold(cat, &x->hold, rsm->from, err);

	for (size_t i = 0; rc == CATALOG_OK && i < x->rb->n_steps; i++)
		if (rsm->settled[i])
			rc = catalog_recovery_step_put(cat, &x->steps[i], err);
	if (rc == CATALOG_OK)
		*details = xasprintf("previous holder %s", rsm->previous);
	return rc;
}

/* Another session resumed, took over or released the execution between
 * this one reading its hold and taking it (while its user typed the
 * confirmation, say): nothing was changed, and the message says who holds
 * it now. */
static int hold_taken_meanwhile(struct catalog *cat, const char *recovery_id,
                                int takeover, char **err)
{
	struct catalog_runbook_exec now;
	char desc[512];

	free(*err);
	*err = NULL;
	if (catalog_runbook_exec_get(cat, recovery_id, &now, err) != CATALOG_OK)
		return DR_EDB;
	if (now.pid > 0)
		describe_holder(&now, desc, sizeof desc);
	else
		snprintf(desc, sizeof desc, "nobody (released by %s)",
		         now.holder);
	catalog_runbook_exec_clear(&now);
	*err = xasprintf("not %s: another session %s recovery %s while this "
	                 "one asked; it is now held by %s, and nothing was "
	                 "changed",
	                 takeover ? "taken over" : "resumed",
	                 takeover ? "took over" : "resumed", recovery_id, desc);
	return DR_EBUSY;
}

int runbook_exec_resume(struct catalog *cat, const char *recovery_id,
                        const struct runbook_ui *ui, struct runbook_exec **out,
                        char **err)
{
	struct runbook_exec *x = exec_new(cat, ui);
	struct catalog_runbook_exec prev;
	char desc[512];
	int rc, alive, takeover = 0;
	char *name;

	*out = NULL;
	memset(&prev, 0, sizeof prev);
	rc = catalog_runbook_exec_get(cat, recovery_id, &x->hold, err);
	if (rc == CATALOG_ENOTFOUND) {
		free(*err);
		*err = xasprintf("no runbook execution with recovery ID %s "
		                 "(see 'drconsole runbook log')",
		                 recovery_id);
	}
	if (rc != CATALOG_OK)
		goto fail;
	rc = catalog_recovery_get(cat, recovery_id, &x->rec, err);
	if (rc != CATALOG_OK)
		goto fail;
	if (!x->hold.open) {
		*err = xasprintf("recovery %s has ended (%s); there is nothing "
		                 "to resume",
		                 recovery_id, x->rec.recovery_status);
		rc = DR_EINVAL;
		goto fail;
	}
	name = xasprintf("%s (as stored with recovery %s)",
	                 x->hold.runbook_path ? x->hold.runbook_path
	                                      : x->hold.runbook,
	                 recovery_id);
	rc = runbook_parse(name, x->hold.runbook_text,
	                   strlen(x->hold.runbook_text), &x->rb, err);
	free(name);
	if (rc != DR_OK)
		goto fail;
	rc = load_values(x, err);
	if (rc == DR_OK)
		rc = load_steps(x, err);
	if (rc != DR_OK)
		goto fail;
	x->services_csv =
	    xstrdup(x->rec.affected_services ? x->rec.affected_services : "");

	/* Who holds it now? */
	alive = holder_alive(x, &x->hold);
	describe_holder(&x->hold, desc, sizeof desc);
	if (alive == 1) {
		*err = xasprintf("recovery %s is held by %s; it is still "
		                 "running there",
		                 recovery_id, desc);
		rc = DR_EBUSY;
		goto fail;
	}
	/* On another host, its beat answers for it (core/hold_beat.h). */
	int64_t silent = time_now() - x->hold.updated_at;
	int beats = hold_beat_shared(catalog_where(cat));
	if (alive < 0 && beats && x->hold.updated_at > 0 &&
	    silent <= HOLD_BEAT_STALE_S) {
		*err = xasprintf(
		    "recovery %s is held by %s, whose last beat "
		    "was %llds ago: it is still running there; run "
		    "it from there, or take it over once it has "
		    "not beaten for %ds (its host down)",
		    recovery_id, desc, (long long)(silent > 0 ? silent : 0),
		    HOLD_BEAT_STALE_S);
		rc = DR_EBUSY;
		goto fail;
	}
	if (x->hold.pid > 0 &&
	    (strcmp(x->hold.holder, x->actor) != 0 || alive < 0)) {
		const char *word = alive < 0 ? x->hold.host : x->rb->name;
		char *question, *answer;

		char gone[160];
		if (beats)
			snprintf(gone, sizeof gone,
			         "on another host, silent for %llds (no beat "
			         "for %ds: that host or its drconsole is "
			         "down)",
			         (long long)silent, HOLD_BEAT_STALE_S);
		else
			snprintf(gone, sizeof gone,
			         "on another host, so drconsole cannot tell "
			         "whether it still runs");
		question = xasprintf(
		    "Recovery %s is held by %s, %s.  Type %s to take it "
		    "over",
		    recovery_id, desc,
		    alive < 0 ? gone : "whose process is gone",
		    alive < 0 ? "that host's name" : "the runbook's name");
		answer =
		    ui && ui->ask_word
		        ? ui->ask_word(ui->arg, x, EXEC_NO_STEP, question, word)
		        : NULL;
		free(question);
		if (answer == NULL || strcmp(answer, word) != 0) {
			*err = xasprintf(
			    "not taken over: %s; recovery %s stays with %s",
			    answer == NULL ? "no confirmation was given"
			                   : "the word typed was not the one "
			                     "asked for",
			    recovery_id, x->hold.holder);
			free(answer);
			rc = DR_EPERM;
			goto fail;
		}
		free(answer);
		takeover = 1;
	}
	prev = x->hold;
	prev.runbook_path = NULL;
	prev.runbook_text = NULL;
	set_holder(x);
	x->hold.child_pgid = prev.child_pgid;
	if (!procid_group_alive((pid_t)prev.child_pgid))
		x->hold.child_pgid = 0;

	struct resume_change rsm = {x, &prev, desc,
	                            xcalloc(x->rb->n_steps + 1, 1)};
	for (size_t i = 0; i < x->rb->n_steps; i++)
		if (strcmp(x->steps[i].status, "running") == 0)
			rsm.settled[i] = (unsigned char)settle_left_step(x, i);
	rc = ops_audited(cat, takeover ? "runbook.takeover" : "runbook.resume",
	                 recovery_id, resume_change, &rsm, err);
	free(rsm.settled);
	if (rc == CATALOG_EBUSY)
		rc = hold_taken_meanwhile(cat, recovery_id, takeover, err);
	if (rc != CATALOG_OK)
		goto fail;
	x->beat = hold_beat_start(catalog_where(cat), x->hold.recovery_id,
	                          x->hold.host, x->hold.pid);
	int following = 0;
	for (size_t i = 0; i < x->rb->n_steps; i++)
		following |= strcmp(x->steps[i].status, "running") == 0;
	if (!following && prev.child_pgid > 0 &&
	    procid_group_alive((pid_t)prev.child_pgid))
		say(x, EXEC_NO_STEP,
		    "the command of the interrupted step may still be running "
		    "(process group %lld); check before running it again",
		    (long long)prev.child_pgid);
	*out = x;
	return DR_OK;
fail:
	runbook_exec_free(x);
	return rc;
}

/* ---- the end of an execution ---------------------------------------- */

/* When the backup this run restored for service was taken (a restore
 * step's row carries the recovery id); 0 when it restored none. */
static int64_t restored_backup_at(struct runbook_exec *x, const char *service)
{
	struct catalog_restore *rs = NULL;
	size_t n = 0;
	char *err = NULL;
	int64_t at = 0;

	if (catalog_restore_list(x->cat, service, 200, &rs, &n, &err) !=
	    CATALOG_OK) {
		free(err);
		return 0;
	}
	for (size_t i = 0; i < n && at == 0; i++) {
		struct catalog_backup b;
		if (!rs[i].ok ||
		    strcmp(rs[i].recovery_id, x->rec.recovery_id) != 0 ||
		    catalog_backup_get(x->cat, rs[i].backup_id, &b, &err) !=
		        CATALOG_OK)
			continue;
		at = b.completed_at;
		catalog_backup_clear(&b);
	}
	free(err);
	free(rs);
	return at;
}

/* Incident start minus the backup each affected service was restored
 * from by this run, else its newest good backup; the worst of them.  -1
 * when any service has none. */
static double data_loss(struct runbook_exec *x)
{
	struct catalog_service_state *states = NULL;
	size_t n = 0;
	char *err = NULL, *csv, *save = NULL;
	double worst = 0;
	int64_t at = x->rec.incident_started_at;

	if (catalog_service_states(x->cat, at, &states, &n, &err) !=
	    CATALOG_OK) {
		free(err);
		return -1;
	}
	csv = xstrdup(x->services_csv);
	for (char *tok = strtok_r(csv, ",", &save); tok && worst >= 0;
	     tok = strtok_r(NULL, ",", &save)) {
		int64_t last = 0;

		last = restored_backup_at(x, tok);
		for (size_t i = 0; i < n && last == 0; i++)
			if (strcmp(states[i].service.name, tok) == 0)
				last = states[i].last_good_backup_at;
		/* None, or (against the catalog's contract) one after the
		 * incident's start: no figure rather than a wrong one. */
		if (last <= 0 || last > at)
			worst = -1;
		else if ((double)(at - last) / 60.0 > worst)
			worst = (double)(at - last) / 60.0;
	}
	free(csv);
	catalog_service_states_free(states, n);
	return worst;
}

struct finish_change {
	struct runbook_exec *x;
	const char *status;
};

/* The record's end and the hold let go. */
static int finish_change(struct catalog *cat, void *arg, char **details,
                         char **err)
{
	const struct finish_change *fc = arg;
	struct runbook_exec *x = fc->x;
	int rc = catalog_recovery_update(cat, &x->rec, err);

	if (rc == CATALOG_OK)
		rc = catalog_runbook_exec_close(cat, x->rec.recovery_id, err);
	if (rc == CATALOG_OK)
		*details = xasprintf(
		    "status=%s actual_recovery_s=%lld rto_target_s=%lld "
		    "drill=%d",
		    fc->status, (long long)x->rec.actual_recovery_s,
		    (long long)x->rec.rto_target_s, x->rec.is_drill);
	return rc;
}

/* The run ended: its spools are no longer needed (the catalog keeps each
 * step's output tail). */
static void spools_remove(struct runbook_exec *x)
{
	for (size_t i = 0; x->spool_dir && i < x->rb->n_steps; i++) {
		char *spool = spool_path(x, i),
		     *ex = xasprintf("%s.exit", spool),
		     *pid = xasprintf("%s.pid", spool);
		unlink(spool);
		unlink(ex);
		unlink(pid);
		free(pid);
		free(ex);
		free(spool);
	}
}

static int finish(struct runbook_exec *x, const char *status,
                  const char *action, char **err)
{
	int64_t now = time_now();
	int rc;

	strlcpy_dr(x->rec.recovery_status, status,
	           sizeof x->rec.recovery_status);
	x->rec.completed_at = now;
	x->rec.actual_recovery_s =
	    now - (x->rec.incident_started_at ? x->rec.incident_started_at
	                                      : x->rec.initiated_at);
	if (x->rec.data_loss_minutes < 0)
		x->rec.data_loss_minutes = data_loss(x);
	x->rec.updated_at = now;
	struct finish_change fc = {x, status};
	rc = ops_audited(x->cat, action, x->rec.recovery_id, finish_change, &fc,
	                 err);
	if (rc != CATALOG_OK)
		return rc;
	x->hold.open = 0;
	spools_remove(x);
	emit(x, RUNBOOK_EV_FINISHED, EXEC_NO_STEP);
	return DR_OK;
}

struct pause_change {
	struct runbook_exec *x;
	struct catalog_runbook_exec mine; /* the hold as this session held it */
};

/* The hold kept with nobody holding it, if it is still this session's;
 * the audit row names the current step. */
static int pause_change(struct catalog *cat, void *arg, char **details,
                        char **err)
{
	struct pause_change *pc = arg;
	struct runbook_exec *x = pc->x;
	int rc = catalog_runbook_exec_hold(cat, &x->hold, &pc->mine, err);

	if (rc == CATALOG_OK && x->current < x->rb->n_steps)
		*details = xstrdup(x->rb->steps[x->current].id);
	return rc;
}

static int pause_exec(struct runbook_exec *x, char **err)
{
	struct pause_change pc = {x, x->hold};
	int rc;

	pc.mine.runbook_path = NULL;
	pc.mine.runbook_text = NULL;
	x->hold.pid = 0;
	x->hold.pid_start = 0;
	x->hold.held_since = time_now();
	/* Keep naming a group that still runs (left by a crashed session)
	 * so that the next resume warns about it again. */
	if (!procid_group_alive((pid_t)x->hold.child_pgid))
		x->hold.child_pgid = 0;
	rc = ops_audited(x->cat, "runbook.pause", x->rec.recovery_id,
	                 pause_change, &pc, err);
	if (rc != CATALOG_OK)
		return rc;
	x->paused = 1;
	emit(x, RUNBOOK_EV_FINISHED, EXEC_NO_STEP);
	return DR_OK;
}

/* Rollback commands of the completed steps before `upto`, newest first. */
static int rollback(struct runbook_exec *x, size_t upto, char **err)
{
	int failed = 0, rc;

	say(x, EXEC_NO_STEP, "rolling back the completed steps, newest first");
	for (size_t j = upto; j-- > 0;) {
		const struct runbook_step *st = &x->rb->steps[j];
		struct catalog_recovery_step *rs = &x->steps[j];
		const char *cmd;
		int exit_code = -1;
		char *run_err = NULL;

		if (strcmp(rs->status, "completed") != 0 ||
		    st->rollback == NULL)
			continue;
		x->current = j;
		cmd = x->rec.is_drill ? st->rollback_drill : st->rollback;
		if (cmd == NULL) {
			note_add(rs, "drill: rollback has no drill form; not "
			             "run");
			strlcpy_dr(rs->status, "rolled_back",
			           sizeof rs->status);
			rc = persist(x, j, "runbook.step.rollback", err,
			             "step=%s not run (no drill form)", st->id);
			if (rc != CATALOG_OK)
				return rc;
			say(x, j, "rollback of %s: no drill form, not run",
			    st->id);
			continue;
		}
		say(x, j, "rollback of %s: %s", st->id, cmd);
		x->tail_len = 0;
		x->stopping = 0;
		rc = run_shell(x, cmd, st->timeout_s, &exit_code, &run_err);
		if (rc == DR_OK && exit_code == 0) {
			strlcpy_dr(rs->status, "rolled_back",
			           sizeof rs->status);
			note_add(rs, "rolled back");
		} else {
			failed = 1;
			note_add(rs, "rollback failed (exit %d)%s%s", exit_code,
			         run_err ? ": " : "", run_err ? run_err : "");
			say(x, j, "rollback of %s failed (exit %d)", st->id,
			    exit_code);
		}
		free(run_err);
		rc = persist(x, j, "runbook.step.rollback", err,
		             "step=%s exit=%d", st->id, exit_code);
		if (rc != CATALOG_OK)
			return rc;
		emit(x, RUNBOOK_EV_STEP_END, j);
	}
	return finish(x, failed ? "failed" : "rolled_back",
	              failed ? "runbook.rollback_failed" : "runbook.rollback",
	              err);
}

/* ---- one step ----------------------------------------------------------- */

enum step_outcome {
	STEP_NEXT,
	STEP_ROLLBACK,
	STEP_ABORT,
	STEP_PAUSE,
	STEP_DETACH, /* the session hung up; the step runs on */
	STEP_ERROR,  /* the catalog failed */
};

/* A refused confirmation changes nothing but the audit trail, whose row
 * names the step. */
static int refused_details(struct catalog *cat, void *arg, char **details,
                           char **err)
{
	(void)cat;
	(void)err;
	*details = xstrdup(arg);
	return DR_OK;
}

/* 1 confirmed, 0 declined or wrong, -1 no answer to be had. */
static int confirm(struct runbook_exec *x, size_t i)
{
	const struct runbook_step *st = &x->rb->steps[i];
	const struct runbook_ui *ui = x->ui;
	int manual = st->kind == RUNBOOK_KIND_MANUAL;

	if (st->confirm == RUNBOOK_CONFIRM_TYPED) {
		char *word = runbook_exec_expand(x, st->confirm_word);
		char *question =
		    xasprintf("Type %s to %s step %s", word,
		              manual ? "mark as done" : "run", st->id);
		char *answer = ui && ui->ask_word
		                   ? ui->ask_word(ui->arg, x, i, question, word)
		                   : NULL;
		int ok;

		free(question);
		if (answer == NULL) {
			free(word);
			return -1;
		}
		ok = strcmp(answer, word) == 0;
		if (!ok) {
			char *e = NULL;
			say(x, i,
			    "that is not the word asked for; step %s not "
			    "%s",
			    st->id, manual ? "marked as done" : "run");
			if (ops_audited(x->cat, "runbook.confirm_refused",
			                x->rec.recovery_id, refused_details,
			                st->id, &e) != DR_OK)
				free(e);
		}
		free(answer);
		free(word);
		return ok;
	}
	if (st->confirm == RUNBOOK_CONFIRM_YES || manual) {
		char *question =
		    manual ? xasprintf("Mark step %s as done?", st->id)
		           : xasprintf("Run step %s?", st->id);
		int yes = ui && ui->ask_yes
		              ? ui->ask_yes(ui->arg, x, i, question)
		              : -1;
		free(question);
		return yes;
	}
	return 1;
}

/* Runs the step's work once: command (+ verify), action or nothing. */
static int execute(struct runbook_exec *x, size_t i, int *exit_code, char **why)
{
	const struct runbook_step *st = &x->rb->steps[i];
	int drill = x->rec.is_drill, rc;

	*exit_code = -1;
	if (st->kind == RUNBOOK_KIND_MANUAL) {
		*exit_code = 0;
		return DR_OK;
	}
	if (st->kind == RUNBOOK_KIND_FAULT) {
		/* Stored before the fault can exist, so that a kill -9 at
		 * any later point leaves the undo to resume. */
		note_add(&x->steps[i], FAULT_PENDING);
		if (persist(x, i, "runbook.fault.inject", why, "step=%s",
		            st->id) != CATALOG_OK)
			return DR_EDB;
		rc = run_shell(x, st->command, st->timeout_s, exit_code, why);
		if (rc != DR_OK || *exit_code != 0)
			return rc == DR_OK ? DR_EIO : rc;
		if (st->verify == NULL)
			return DR_OK;
		output_line(x, "--- verify ---");
		rc = run_shell(x, st->verify, st->timeout_s, exit_code, why);
		if (rc == DR_OK && *exit_code != 0) {
			*why = xasprintf("verification failed (exit %d)",
			                 *exit_code);
			return DR_EIO;
		}
		return rc;
	}
	if (st->kind == RUNBOOK_KIND_ACTION) {
		char *message =
		    st->message ? runbook_exec_expand(x, st->message) : NULL;
		struct runbook_action_ctx ctx = {
		    .step = st,
		    .drill = drill,
		    .message = message,
		    .run = action_run,
		    .say = action_say,
		    .notify = action_notify,
		    .stopped = action_stopped,
		    .ses = x->ses,
		    .expand = action_expand,
		    .env = action_env,
		    .recovery_id = x->rec.recovery_id,
		    .engine = x,
		};
		rc = st->action->run(&ctx, exit_code, why);
		free(message);
		return rc;
	}
	/* The step's command outlives the terminal (spooled, detachable);
	 * its verify is quick and runs on a pipe. */
	x->spool_cur = spool_path(x, i);
	rc = run_shell(x, drill ? st->drill : st->command, st->timeout_s,
	               exit_code, why);
	free(x->spool_cur);
	x->spool_cur = NULL;
	if (rc != DR_OK || *exit_code != 0)
		return rc == DR_OK ? DR_EIO : rc;
	const char *verify = drill ? st->verify_drill : st->verify;
	if (verify == NULL) {
		if (drill && st->verify != NULL)
			output_line(x, "[drill] verify has no drill form; not "
			               "run");
		return DR_OK;
	}
	output_line(x, "--- verify ---");
	rc = run_shell(x, verify, st->timeout_s, exit_code, why);
	if (rc == DR_OK && *exit_code != 0) {
		*why = xasprintf("verification failed (exit %d)", *exit_code);
		return DR_EIO;
	}
	return rc;
}

static enum step_outcome decide(struct runbook_exec *x, size_t i,
                                enum runbook_ask why, char **err, int *retry)
{
	struct catalog_recovery_step *rs = &x->steps[i];
	const struct runbook_ui *ui = x->ui;
	char *reason = NULL;
	enum runbook_decision d = ui && ui->decide
	                              ? ui->decide(ui->arg, x, i, why, &reason)
	                              : RUNBOOK_DO_PAUSE;

	*retry = 0;
	switch (d) {
	case RUNBOOK_DO_RETRY:
		*retry = 1;
		free(reason);
		return STEP_NEXT;
	case RUNBOOK_DO_SKIP:
		if (reason == NULL || reason[0] == '\0') {
			free(reason);
			say(x, i,
			    "a skip needs a reason; the execution is "
			    "paused instead");
			return STEP_PAUSE;
		}
		strlcpy_dr(rs->status, "skipped", sizeof rs->status);
		if (rs->ended_at == 0)
			rs->ended_at = time_now();
		note_add(rs, "skipped by %s: %s", x->actor, reason);
		if (persist(x, i, "runbook.step.skip", err, "step=%s reason=%s",
		            x->rb->steps[i].id, reason) != CATALOG_OK) {
			free(reason);
			return STEP_ERROR;
		}
		free(reason);
		emit(x, RUNBOOK_EV_STEP_END, i);
		return STEP_NEXT;
	case RUNBOOK_DO_DONE:
		if (reason == NULL || reason[0] == '\0') {
			free(reason);
			say(x, i,
			    "marking a step done needs a reason; the "
			    "execution is paused instead");
			return STEP_PAUSE;
		}
		strlcpy_dr(rs->status, "completed", sizeof rs->status);
		if (rs->ended_at == 0)
			rs->ended_at = time_now();
		note_add(rs, "marked done by %s (its outcome was unknown): %s",
		         x->actor, reason);
		if (persist(x, i, "runbook.step.mark-done", err,
		            "step=%s reason=%s", x->rb->steps[i].id,
		            reason) != CATALOG_OK) {
			free(reason);
			return STEP_ERROR;
		}
		free(reason);
		emit(x, RUNBOOK_EV_STEP_END, i);
		return STEP_NEXT;
	case RUNBOOK_DO_ROLLBACK:
		free(reason);
		return STEP_ROLLBACK;
	case RUNBOOK_DO_ABORT:
		free(reason);
		return STEP_ABORT;
	case RUNBOOK_DO_PAUSE:
		break;
	}
	free(reason);
	return STEP_PAUSE;
}

static void forget_spool_exit(struct runbook_exec *x, size_t i)
{
	char *spool = spool_path(x, i);
	if (spool != NULL) {
		char *ex = xasprintf("%s.exit", spool);
		unlink(ex);
		free(ex);
	}
	free(spool);
}

/* The step's command ended: its group is no longer ours to name. */
static void forget_child(struct runbook_exec *x)
{
	char *e = NULL;
	if (x->hold.child_pgid == 0)
		return;
	x->hold.child_pgid = 0;
	if (catalog_runbook_exec_set_child(x->cat, x->rec.recovery_id, 0, &e) !=
	    CATALOG_OK)
		free(e);
}

/* What an interrupted step's command had written, from its spool, so the
 * operator decides on it seen. */
static void replay_spool(struct runbook_exec *x, size_t i)
{
	char *path = spool_path(x, i), *tail = spool_tail(path);

	if (tail != NULL) {
		say(x, i, "its output, as spooled in %s:", path);
		output(x, tail, strlen(tail));
		if (tail[0] && tail[strlen(tail) - 1] != '\n')
			output(x, "\n", 1);
	}
	free(tail);
	free(path);
}

/* The retry_delay before the next attempt, in slices so that a stop is
 * heard; DR_EBUSY when the operator stopped the step meanwhile. */
static int retry_pause(struct runbook_exec *x, int64_t seconds)
{
	double end = time_mono() + (double)seconds;
	struct timespec slice = {0, 100 * 1000 * 1000};

	while (time_mono() < end) {
		if (proc_should_stop(x))
			return DR_EBUSY;
		nanosleep(&slice, NULL);
	}
	return DR_OK;
}

static enum step_outcome run_step(struct runbook_exec *x, size_t i, char **err)
{
	const struct runbook_step *st = &x->rb->steps[i];
	struct catalog_recovery_step *rs = &x->steps[i];
	int retry = 0, rc;

	x->current = i;
	update_check(x);
	/* Still running, left by an earlier session: followed, never
	 * started a second time. */
	int reattach = 0;
	if (strcmp(rs->status, "running") == 0) {
		char *spool = spool_path(x, i);
		reattach = spool != NULL && runbook_proc_spool_busy(spool);
		if (reattach) {
			x->reattach_pgid = runbook_proc_spool_pgid(spool);
			if (x->reattach_pgid <= 0)
				x->reattach_pgid = (pid_t)x->hold.child_pgid;
			if (x->reattach_pgid <= 0)
				x->reattach_pgid =
				    -1; /* unknown: follow only */
			retry = 1;
		}
		free(spool);
		/* It ended since the resume looked: settle it now. */
		if (!reattach && settle_left_step(x, i) != 0) {
			if (persist(x, i, "runbook.step.settle", err,
			            "step=%s status=%s", st->id,
			            rs->status) != CATALOG_OK)
				return STEP_ERROR;
			if (strcmp(rs->status, "completed") == 0) {
				say(x, i, "step %s finished while detached",
				    st->id);
				return STEP_NEXT;
			}
		}
	}
	/* Left over from an earlier session. */
	if (strcmp(rs->status, "interrupted") == 0 ||
	    strcmp(rs->status, "failed") == 0) {
		enum step_outcome o;
		int interrupted = rs->status[0] == 'i';

		emit(x, RUNBOOK_EV_STEP_BEGIN, i);
		say(x, i,
		    interrupted ? "step %s was running when the previous "
		                  "session ended; it may have run in part"
		                : "step %s failed in the previous session",
		    st->id);
		replay_spool(x, i);
		o = decide(x, i,
		           interrupted ? RUNBOOK_ASK_INTERRUPTED
		                       : RUNBOOK_ASK_FAILED,
		           err, &retry);
		if (!retry)
			return o;
	}
	for (;;) {
		int exit_code = -1, yes, attempt;
		char *why = NULL, *w;

		emit(x, RUNBOOK_EV_STEP_BEGIN, i);
		/* A drill runs no command without a drill form. */
		if (x->rec.is_drill && st->command != NULL &&
		    st->drill == NULL && st->kind != RUNBOOK_KIND_FAULT) {
			strlcpy_dr(rs->status, "skipped", sizeof rs->status);
			rs->started_at = rs->ended_at = time_now();
			note_add(rs, "drill: no drill form; not run");
			if (persist(x, i, "runbook.step.skip", err,
			            "step=%s drill: no drill form",
			            st->id) != CATALOG_OK)
				return STEP_ERROR;
			say(x, i,
			    "step %s has no drill form; skipped in the "
			    "drill",
			    st->id);
			emit(x, RUNBOOK_EV_STEP_END, i);
			return STEP_NEXT;
		}
		if (!retry) {
			yes = confirm(x, i);
			if (yes != 1) {
				enum step_outcome o;

				if (yes < 0)
					say(x, i,
					    "no answer to the confirmation of "
					    "step %s; nothing was run",
					    st->id);
				o = decide(x, i, RUNBOOK_ASK_DECLINED, err,
				           &retry);
				if (retry) {
					retry = 0;
					continue;
				}
				return o;
			}
		}
		retry = 0;
		if (reattach) {
			emit(x, RUNBOOK_EV_STEP_START, i);
			say(x, i,
			    "step %s is still running (process group %lld, "
			    "left by the previous session): re-attached, its "
			    "output so far follows",
			    st->id, (long long)x->reattach_pgid);
			goto attempts;
		}
		/* Who ran it, confirmed or not (a step with confirm "none"
		 * ran on the operator's start of the run). */
		w = who(x);
		strlcpy_dr(rs->confirmed_by, w, sizeof rs->confirmed_by);
		free(w);
		/* An earlier attempt's end must not be read as this one's. */
		forget_spool_exit(x, i);
		/* Stored before anything runs. */
		strlcpy_dr(rs->status, "running", sizeof rs->status);
		rs->started_at = time_now();
		rs->ended_at = 0;
		rs->exit_code = -1;
		if (strcmp(x->rec.recovery_status, "initiated") == 0)
			strlcpy_dr(x->rec.recovery_status, "in_progress",
			           sizeof x->rec.recovery_status);
		/* confirmed_by only when someone was asked (the report's
		 * waits); ran_by always. */
		int asked = st->confirm != RUNBOOK_CONFIRM_NONE ||
		            st->kind == RUNBOOK_KIND_MANUAL;
		if (persist(x, i, "runbook.step.start", err,
		            "step=%s confirmed_by=%s ran_by=%s drill=%d",
		            st->id, asked ? rs->confirmed_by : "-",
		            rs->confirmed_by, x->rec.is_drill) != CATALOG_OK)
			return STEP_ERROR;
		emit(x, RUNBOOK_EV_STEP_START, i);
	attempts:
		x->tail_len = 0;
		x->tail[0] = '\0';
		x->stopping = 0;
		for (attempt = 1;; attempt++) {
			free(why);
			why = NULL;
			rc = execute(x, i, &exit_code, &why);
			if (rc == DR_OK || rc == DR_EBUSY ||
			    attempt > st->retries)
				break;
			note_add(rs, "attempt %d failed (exit %d)%s%s", attempt,
			         exit_code, why ? ": " : "", why ? why : "");
			if (st->retry_delay_s > 0) {
				say(x, i,
				    "attempt %d of %d failed; trying again in "
				    "%llds",
				    attempt, st->retries + 1,
				    (long long)st->retry_delay_s);
				if (retry_pause(x, st->retry_delay_s) !=
				    DR_OK) {
					rc = DR_EBUSY;
					free(why);
					why =
					    xstrdup("stopped by the operator "
					            "before the next attempt");
					break;
				}
			} else {
				say(x, i,
				    "attempt %d of %d failed; trying again",
				    attempt, st->retries + 1);
			}
		}
		if (x->detached) {
			/* Left running: the next resume records its end. */
			note_add(rs,
			         "detached: the operator's session ended; it "
			         "runs on (process group %lld)",
			         (long long)x->hold.child_pgid);
			free(why);
			if (persist(x, i, "runbook.step.detach", err,
			            "step=%s pgid=%lld", st->id,
			            (long long)x->hold.child_pgid) !=
			    CATALOG_OK)
				return STEP_ERROR;
			return STEP_DETACH;
		}
		reattach = 0;
		forget_child(x);
		if (x->outcome_gone) {
			/* Followed, and gone without a word. */
			enum step_outcome o;
			x->outcome_gone = 0;
			strlcpy_dr(rs->status, "interrupted",
			           sizeof rs->status);
			rs->ended_at = time_now();
			store_tail(x, rs);
			note_add(rs,
			         "interrupted: its process is gone and left "
			         "no exit status; its outcome is unknown");
			free(why);
			if (persist(x, i, "runbook.step.interrupted", err,
			            "step=%s", st->id) != CATALOG_OK)
				return STEP_ERROR;
			emit(x, RUNBOOK_EV_STEP_END, i);
			o = decide(x, i, RUNBOOK_ASK_INTERRUPTED, err, &retry);
			if (!retry)
				return o;
			continue;
		}
		rs->ended_at = time_now();
		rs->exit_code = exit_code;
		store_tail(x, rs);
		if (rc == DR_OK) {
			strlcpy_dr(rs->status, "completed", sizeof rs->status);
			if (persist(x, i, "runbook.step.complete", err,
			            "step=%s exit=%d", st->id,
			            exit_code) != CATALOG_OK) {
				free(why);
				return STEP_ERROR;
			}
			emit(x, RUNBOOK_EV_STEP_END, i);
			free(why);
			return STEP_NEXT;
		}
		strlcpy_dr(rs->status, "failed", sizeof rs->status);
		note_add(rs, "failed (exit %d)%s%s", exit_code, why ? ": " : "",
		         why ? why : "");
		if (persist(x, i, "runbook.step.fail", err,
		            "step=%s exit=%d%s%s", st->id, exit_code,
		            why ? " " : "", why ? why : "") != CATALOG_OK) {
			free(why);
			return STEP_ERROR;
		}
		free(why);
		emit(x, RUNBOOK_EV_STEP_END, i);
		enum step_outcome o =
		    decide(x, i, RUNBOOK_ASK_FAILED, err, &retry);
		if (!retry)
			return o;
		/* Retry: the operator just chose it; no second confirmation. */
	}
}

/* ---- steady state ------------------------------------------------------ */

/* Runs the checks once.  DR_OK when all passed; DR_EIO with *why naming
 * the first that did not. */
static int steady_once(struct runbook_exec *x, char **why)
{
	for (size_t i = 0; i < x->rb->n_steady; i++) {
		const struct runbook_check *c = &x->rb->steady[i];
		int exit_code = -1, rc;
		char *run_err = NULL;

		x->quiet = 1;
		x->no_stop = 1;
		rc = run_shell(x, c->command, c->timeout_s, &exit_code,
		               &run_err);
		x->quiet = 0;
		x->no_stop = 0;
		if (rc == DR_OK && exit_code == 0) {
			free(run_err);
			continue;
		}
		if (run_err != NULL)
			*why = xasprintf("%s: %s", c->name, run_err);
		else
			*why = xasprintf("%s: exit %d", c->name, exit_code);
		free(run_err);
		return DR_EIO;
	}
	return DR_OK;
}

static void steady_store(struct runbook_exec *x, const char *name, int64_t at)
{
	char *err = NULL, *v = xasprintf("%lld", (long long)at);

	if (catalog_runbook_var_put(x->cat, x->rec.recovery_id, name, v,
	                            &err) != CATALOG_OK)
		free(err);
	free(v);
}

static void steady_load(struct runbook_exec *x)
{
	char **names = NULL, **vals = NULL, *err = NULL;
	size_t n = 0;

	if (x->rb->n_steady == 0)
		return;
	if (catalog_runbook_var_list(x->cat, x->rec.recovery_id, &names, &vals,
	                             &n, &err) != CATALOG_OK) {
		free(err);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(names[i], "DR_STEADY_BROKEN_AT") == 0)
			x->steady_broken_at = strtoll(vals[i], NULL, 10);
		else if (strcmp(names[i], "DR_STEADY_RESTORED_AT") == 0)
			x->steady_restored_at = strtoll(vals[i], NULL, 10);
	}
	runbook_values_free(names, n);
	runbook_values_free(vals, n);
}

/* The checks once, between steps: notes when the steady state broke and
 * when it came back. */
static void steady_between(struct runbook_exec *x, size_t step)
{
	char *why = NULL;
	int64_t now;

	if (x->rb->n_steady == 0)
		return;
	if (steady_once(x, &why) == DR_OK) {
		if (x->steady_broken_at && !x->steady_restored_at) {
			x->steady_restored_at = time_now();
			steady_store(x, "DR_STEADY_RESTORED_AT",
			             x->steady_restored_at);
			say(x, step, "steady state restored");
		}
		return;
	}
	now = time_now();
	if (!x->steady_broken_at || x->steady_restored_at) {
		if (!x->steady_broken_at)
			x->steady_broken_at = now;
		x->steady_restored_at = 0;
		steady_store(x, "DR_STEADY_BROKEN_AT", x->steady_broken_at);
		steady_store(x, "DR_STEADY_RESTORED_AT", 0);
		say(x, step, "steady state broken: %s", why);
	}
	free(why);
}

/* Appends a line to the record's notes. */
static void rec_note(struct runbook_exec *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void rec_note(struct runbook_exec *x, const char *fmt, ...)
{
	va_list ap;
	char *line, *all;

	va_start(ap, fmt);
	line = xvasprintf(fmt, ap);
	va_end(ap);
	if (x->rec.recovery_notes && x->rec.recovery_notes[0]) {
		all = xasprintf("%s; %s", x->rec.recovery_notes, line);
		free(line);
	} else {
		all = line;
	}
	free(x->rec.recovery_notes);
	x->rec.recovery_notes = all;
}

static int in_services(const struct runbook_exec *x, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = x->services_csv; p && *p;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n == len && strncmp(p, name, n) == 0)
			return 1;
		p = end ? end + 1 : NULL;
	}
	return 0;
}

/* What the record says of the window: how long, whether a probe of the
 * affected services changed state in it, how many notifications were
 * queued in it. */
static void steady_summary(struct runbook_exec *x)
{
	struct catalog_probe_state *ps = NULL;
	struct catalog_notify *nt = NULL;
	size_t n_ps = 0, n_nt = 0, queued = 0;
	int64_t from = x->steady_broken_at, to = x->steady_restored_at;
	char *err = NULL, *noticed = NULL, from_s[32], to_s[32];

	if (from == 0) {
		rec_note(x, "steady state held throughout");
		return;
	}
	if (to == 0)
		to = time_now();
	if (catalog_probe_state_list(x->cat, &ps, &n_ps, &err) == CATALOG_OK) {
		for (size_t i = 0; i < n_ps && noticed == NULL; i++)
			if (in_services(x, ps[i].service) &&
			    ps[i].changed_at >= from && ps[i].changed_at <= to)
				noticed = xasprintf("yes (%s/%s)",
				                    ps[i].service, ps[i].probe);
		free(ps);
	} else {
		free(err);
		err = NULL;
	}
	if (catalog_notify_list(x->cat, 0, &nt, &n_nt, &err) == CATALOG_OK) {
		for (size_t i = 0; i < n_nt; i++)
			if (nt[i].created_at >= from && nt[i].created_at <= to)
				queued++;
		free(nt);
	} else {
		free(err);
	}
	time_format_iso(from, from_s);
	time_format_iso(to, to_s);
	rec_note(x,
	         "steady state broken for %llds (%s; from %s to %s); probes "
	         "noticed: %s; notifications queued meanwhile: %zu",
	         (long long)(to - from),
	         x->steady_restored_at ? "restored" : "NOT restored", from_s,
	         to_s, noticed ? noticed : "no", queued);
	free(noticed);
}

/* After the last step: the checks until they pass or settle_s passed.
 * 0 when the steady state is back. */
static int steady_settle(struct runbook_exec *x)
{
	int64_t until = time_now() + x->rb->settle_s;
	char *why = NULL;

	if (x->rb->n_steady == 0)
		return 0;
	for (;;) {
		free(why);
		why = NULL;
		if (steady_once(x, &why) == DR_OK)
			break;
		if (time_now() >= until) {
			say(x, EXEC_NO_STEP,
			    "steady state not restored within %llds: %s",
			    (long long)x->rb->settle_s, why);
			rec_note(x, "steady state not restored: %s", why);
			free(why);
			steady_summary(x);
			return -1;
		}
		sleep((unsigned)x->rb->steady_interval_s);
	}
	if (x->steady_broken_at && !x->steady_restored_at) {
		x->steady_restored_at = time_now();
		steady_store(x, "DR_STEADY_RESTORED_AT", x->steady_restored_at);
	}
	say(x, EXEC_NO_STEP, "steady state holds");
	steady_summary(x);
	return 0;
}

/* ---- faults ------------------------------------------------------------ */

/* Whether the step's notes say its fault ran and was not undone since:
 * the last of the two marker lines decides. */
static int fault_pending(const struct runbook_exec *x, size_t i)
{
	const char *notes = x->steps[i].notes, *line;
	int pending = 0;

	if (x->rb->steps[i].kind != RUNBOOK_KIND_FAULT || notes == NULL)
		return 0;
	for (line = notes; line != NULL && *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);

		if (len == strlen(FAULT_PENDING) &&
		    strncmp(line, FAULT_PENDING, len) == 0)
			pending = 1;
		else if (len == strlen(FAULT_UNDONE) &&
		         strncmp(line, FAULT_UNDONE, len) == 0)
			pending = 0;
		line = end ? end + 1 : NULL;
	}
	return pending;
}

/* Runs every pending undo, newest fault first.  *failed counts the undos
 * that did not exit 0 (they stay pending).  A catalog error only is an
 * error. */
static int undo_faults(struct runbook_exec *x, int *failed, char **err)
{
	size_t saved = x->current;

	*failed = 0;
	for (size_t j = x->rb->n_steps; j-- > 0;) {
		const struct runbook_step *st = &x->rb->steps[j];
		struct catalog_recovery_step *rs = &x->steps[j];
		int exit_code = -1, rc;
		char *run_err = NULL;

		if (!fault_pending(x, j))
			continue;
		x->current = j;
		say(x, j, "undoing the fault of step %s: %s", st->id, st->undo);
		x->tail_len = 0;
		x->no_stop = 1;
		rc =
		    run_shell(x, st->undo, st->timeout_s, &exit_code, &run_err);
		x->no_stop = 0;
		if (rc == DR_OK && exit_code == 0) {
			note_add(rs, FAULT_UNDONE);
			say(x, j, "fault of step %s undone", st->id);
		} else {
			(*failed)++;
			note_add(rs, "UNDO FAILED (exit %d)%s%s; undo pending",
			         exit_code, run_err ? ": " : "",
			         run_err ? run_err : "");
			say(x, j,
			    "UNDO FAILED for the fault of step %s (exit %d): "
			    "the fault may still be in place; the execution "
			    "stays open and `drconsole runbook resume %s` "
			    "tries the undo again",
			    st->id, exit_code, x->rec.recovery_id);
		}
		free(run_err);
		rc = persist(x, j,
		             exit_code == 0 ? "runbook.fault.undo"
		                            : "runbook.fault.undo_failed",
		             err, "step=%s exit=%d", st->id, exit_code);
		if (rc != CATALOG_OK) {
			x->current = saved;
			return rc;
		}
	}
	x->current = saved;
	return DR_OK;
}

static int run_steps(struct runbook_exec *x, char **err);

int runbook_exec_run(struct runbook_exec *x, char **err)
{
	int failed = 0, fresh = 1;
	char *why = NULL;

	/* Left by a session that was killed or whose undo failed. */
	if (undo_faults(x, &failed, err) != DR_OK)
		return DR_EDB;
	if (failed)
		return pause_exec(x, err) == CATALOG_OK ? DR_OK : DR_EDB;
	steady_load(x);
	for (size_t i = 0; i < x->rb->n_steps; i++)
		if (strcmp(x->steps[i].status, "pending") != 0)
			fresh = 0;
	if (fresh && x->rb->n_steady > 0) {
		if (steady_once(x, &why) != DR_OK) {
			say(x, EXEC_NO_STEP, "steady state not met: %s", why);
			rec_note(x, "steady state not met: %s", why);
			free(why);
			return finish(x, "aborted", "runbook.abort", err) ==
			               CATALOG_OK
			           ? DR_OK
			           : DR_EDB;
		}
		say(x, EXEC_NO_STEP, "steady state holds");
	}
	return run_steps(x, err);
}

/* The undos before the run ends; DR_OK and 1 when one failed and the
 * execution was paused instead of ending. */
static int undo_before_end(struct runbook_exec *x, int *paused, char **err)
{
	int failed = 0;

	*paused = 0;
	if (undo_faults(x, &failed, err) != DR_OK)
		return DR_EDB;
	if (!failed)
		return DR_OK;
	*paused = 1;
	return pause_exec(x, err) == CATALOG_OK ? DR_OK : DR_EDB;
}

static int run_steps(struct runbook_exec *x, char **err)
{
	size_t i;
	int paused;

	for (i = 0; i < x->rb->n_steps; i++) {
		const char *status = x->steps[i].status;
		enum step_outcome o;

		if (strcmp(status, "completed") == 0 ||
		    strcmp(status, "skipped") == 0 ||
		    strcmp(status, "rolled_back") == 0)
			continue;
		o = run_step(x, i, err);
		switch (o) {
		case STEP_NEXT:
			steady_between(x, i);
			continue;
		case STEP_ERROR: {
			/* Best effort: the catalog failed, the fault must not
			 * stay. */
			char *e2 = NULL;
			int failed = 0;
			if (undo_faults(x, &failed, &e2) != DR_OK)
				free(e2);
			return DR_EDB;
		}
		default:
			break;
		}
		if (undo_before_end(x, &paused, err) != DR_OK)
			return DR_EDB;
		if (paused)
			return DR_OK;
		switch (o) {
		case STEP_NEXT:
		case STEP_ERROR:
			break;
		case STEP_ROLLBACK:
			if (x->rb->n_steady > 0) {
				steady_between(x, i);
				steady_summary(x);
			}
			return rollback(x, i, err) == CATALOG_OK ? DR_OK
			                                         : DR_EDB;
		case STEP_ABORT:
			say(x, i, "aborted at step %s", x->rb->steps[i].id);
			if (x->rb->n_steady > 0) {
				steady_between(x, i);
				steady_summary(x);
			}
			return finish(x, "aborted", "runbook.abort", err) ==
			               CATALOG_OK
			           ? DR_OK
			           : DR_EDB;
		case STEP_PAUSE:
			return pause_exec(x, err) == CATALOG_OK ? DR_OK
			                                        : DR_EDB;
		case STEP_DETACH:
			return pause_exec(x, err) == CATALOG_OK ? DR_OK
			                                        : DR_EDB;
		}
		return DR_EDB;
	}
	if (undo_before_end(x, &paused, err) != DR_OK)
		return DR_EDB;
	if (paused)
		return DR_OK;
	x->current = x->rb->n_steps;
	if (steady_settle(x) != 0)
		return finish(x, "failed", "runbook.steady_state_failed",
		              err) == CATALOG_OK
		           ? DR_OK
		           : DR_EDB;
	return finish(x, "completed", "runbook.complete", err) == CATALOG_OK
	           ? DR_OK
	           : DR_EDB;
}
