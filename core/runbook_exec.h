/* Running a runbook: a state machine whose every transition is stored in
 * the catalog (the recovery record, one row per step, an audit row) before
 * it takes effect, so that a dropped session loses nothing and `resume`
 * continues where it stopped.
 *
 * The engine draws nothing.  A front end (line mode, the console) passes a
 * struct runbook_ui: the engine tells it what happens through event() and
 * output(), and asks it for confirmations and decisions, which may block.
 * The engine itself compares a typed confirmation with the expected word,
 * so no front end can satisfy one with Enter or "y".
 *
 * Step states: pending -> running -> completed | failed | skipped;
 * running -> interrupted when the process died under it (found on resume);
 * completed -> rolled_back.  Recovery states: initiated -> in_progress ->
 * completed | aborted | rolled_back | failed (a rollback command failed).
 * A paused execution (no answer could be had, or the operator chose to
 * stop) stays in_progress with nobody holding it, ready for resume. */
#ifndef DR_RUNBOOK_EXEC_H
#define DR_RUNBOOK_EXEC_H

#include <stddef.h>
#include <stdint.h>

#include "core/runbook.h"
#include "db/catalog.h"

struct runbook_exec;

enum runbook_event {
	RUNBOOK_EV_STEP_BEGIN, /* a step comes up: show it */
	RUNBOOK_EV_STEP_START, /* its command starts (after confirmation) */
	RUNBOOK_EV_STEP_END,   /* it ended; see its record */
	RUNBOOK_EV_NOTE,       /* text: something the operator should read */
	RUNBOOK_EV_FINISHED,   /* the execution ended or paused */
};

/* Why the engine asks for a decision. */
enum runbook_ask {
	RUNBOOK_ASK_FAILED,      /* the step failed */
	RUNBOOK_ASK_INTERRUPTED, /* the step was running when its process died
	                          */
	RUNBOOK_ASK_DECLINED,    /* the confirmation was declined or wrong */
};

enum runbook_decision {
	RUNBOOK_DO_RETRY,    /* run the step again (after confirming again) */
	RUNBOOK_DO_SKIP,     /* go on without it; needs a reason */
	RUNBOOK_DO_ROLLBACK, /* undo the completed steps, newest first */
	RUNBOOK_DO_ABORT,    /* end the execution here */
	RUNBOOK_DO_PAUSE,    /* leave it resumable; nobody holds it */
	RUNBOOK_DO_DONE,     /* an interrupted step whose outcome is unknown:
	                        the operator says it is done; needs a reason */
};

struct runbook_ui {
	void *arg;
	/* step is an index into the runbook's steps, or (size_t)-1. */
	void (*event)(void *arg, const struct runbook_exec *x,
	              enum runbook_event ev, size_t step, const char *text);
	void (*output)(void *arg, const struct runbook_exec *x, size_t step,
	               const char *buf, size_t len);
	/* 1 yes, 0 no, -1 no answer can be had. */
	int (*ask_yes)(void *arg, const struct runbook_exec *x, size_t step,
	               const char *question);
	/* The text the operator typed (malloc'd), or NULL when no answer
	 * can be had.  The engine compares it with word. */
	char *(*ask_word)(void *arg, const struct runbook_exec *x, size_t step,
	                  const char *question, const char *word);
	/* A decision; for RUNBOOK_DO_SKIP *reason must be set (malloc'd). */
	enum runbook_decision (*decide)(void *arg, const struct runbook_exec *x,
	                                size_t step, enum runbook_ask why,
	                                char **reason);
	/* Polled while a command runs; nonzero stops it (kills its group). */
	int (*stop_requested)(void *arg);
	/* Polled while a command runs; nonzero leaves it running on its
	 * own (the operator's terminal hung up): the run is detached, its
	 * step recorded by the next resume.  May be NULL. */
	int (*detach_requested)(void *arg);
	/* A notify step's message (optional). */
	void (*notify)(void *arg, const struct runbook_exec *x,
	               const char *message);
};

struct runbook_start {
	const struct runbook *rb; /* copied; may be freed after start */
	char *const *assign;      /* "NAME=VALUE" */
	size_t n_assign;
	const char *incident_type;   /* NULL: the runbook's, else scenario */
	int64_t incident_started_at; /* 0: now */
	const char *services;        /* "a,b"; NULL: the runbook's */
	int drill;
	const char *notes;        /* may be NULL */
	double data_loss_minutes; /* < 0: computed at the end */
};

/* Checks the values, takes the execution (DR_EBUSY naming the holder when
 * another open execution of the runbook for that incident exists) and
 * stores the recovery record with every step pending. */
int runbook_exec_start(struct catalog *cat, const struct runbook_start *s,
                       const struct runbook_ui *ui, struct runbook_exec **out,
                       char **err);
/* Picks up an open execution.  DR_EBUSY when a live process holds it;
 * when the holder's process is gone and the holder is someone else, the
 * operator must type the runbook's name (ui->ask_word) to take it over
 * (the host name, when the holder ran on another host).  DR_EINVAL when
 * the execution has ended. */
int runbook_exec_resume(struct catalog *cat, const char *recovery_id,
                        const struct runbook_ui *ui, struct runbook_exec **out,
                        char **err);
/* Runs from the current step until the execution ends or pauses.  DR_OK
 * then (see the record's status and runbook_exec_paused()); an error only
 * when the catalog fails, which pauses the execution where it stood. */
int runbook_exec_run(struct runbook_exec *x, char **err);
/* Frees memory only; the catalog is left as it is. */
void runbook_exec_free(struct runbook_exec *x);

const struct runbook *runbook_exec_runbook(const struct runbook_exec *x);
const struct catalog_recovery *
runbook_exec_record(const struct runbook_exec *x);
/* The stored state of step i (index into the runbook's steps). */
const struct catalog_recovery_step *
runbook_exec_step(const struct runbook_exec *x, size_t i);
size_t runbook_exec_current(const struct runbook_exec *x);
int runbook_exec_paused(const struct runbook_exec *x);
int runbook_exec_is_drill(const struct runbook_exec *x);
/* The value of a variable, or NULL. */
const char *runbook_exec_value(const struct runbook_exec *x, const char *name);
/* The shell text step i runs in this execution (its drill form in a
 * drill), or NULL when it runs none. */
const char *runbook_exec_command(const struct runbook_exec *x, size_t i);
/* text with ${NAME} expanded; malloc'd. */
char *runbook_exec_expand(const struct runbook_exec *x, const char *text);

/* The RTO clock: time since the incident started (for a drill, since it
 * started) against the target. */
enum runbook_clock {
	RUNBOOK_CLOCK_OK,
	RUNBOOK_CLOCK_AT_RISK, /* past 80 % of the target */
	RUNBOOK_CLOCK_OVER,    /* past the target */
};
enum runbook_clock runbook_exec_clock(const struct runbook_exec *x, int64_t now,
                                      int64_t *elapsed_s);
enum runbook_clock runbook_clock_of(int64_t elapsed_s, int64_t target_s);

/* The session the built-in actions use (ops_runbook_run sets it for the
 * run; it must outlive the run). */
struct ops_session;
void runbook_exec_set_session(struct runbook_exec *x,
                              const struct ops_session *s);

/* 1 when the run ended its session detached: a step still runs on its
 * own, and `runbook resume` re-attaches to it. */
int runbook_exec_detached(const struct runbook_exec *x);

#endif
