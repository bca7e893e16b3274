/* Runbooks: JSON files that script a recovery as phases of steps.  This
 * module loads and validates them; core/runbook_exec.h runs them.  The
 * format is documented in drconsole-runbook(5).
 *
 * Two ways a variable's value reaches a step, never mixed:
 *  - text the program reads (titles, instructions, confirmation words,
 *    affected services, notify messages) may say ${NAME}; runbook_expand()
 *    replaces it;
 *  - shell text (command, drill, verify, rollback, ...) never has values
 *    pasted in: each variable is exported as the environment variable
 *    DR_VAR_NAME, which the command quotes itself ("$DR_VAR_NAME").
 * The validator enforces both: an undefined ${NAME} or $DR_VAR_NAME is an
 * error, and so is ${NAME} of a runbook variable inside shell text. */
#ifndef DR_RUNBOOK_H
#define DR_RUNBOOK_H

#include <stddef.h>
#include <stdint.h>

struct runbook_action;

enum runbook_kind {
	RUNBOOK_KIND_COMMAND = 0, /* a shell command */
	RUNBOOK_KIND_CHECK,  /* a command that must exit 0; no side effects */
	RUNBOOK_KIND_MANUAL, /* the operator does it and marks it done */
	RUNBOOK_KIND_ACTION, /* a built-in action (core/runbook_action.h) */
	RUNBOOK_KIND_FAULT,  /* a game day's fault: command, then always undo */
};

enum runbook_confirm {
	RUNBOOK_CONFIRM_NONE = 0,
	RUNBOOK_CONFIRM_YES,   /* yes/no */
	RUNBOOK_CONFIRM_TYPED, /* the operator types confirm_word */
};

struct runbook_var {
	char *name;    /* [A-Z][A-Z0-9_]* */
	char *prompt;  /* what to ask */
	char *def;     /* default; NULL: the operator must give a value */
	char *pattern; /* POSIX extended regex the whole value must match;
	                  NULL: any value without control characters */
};

struct runbook_step {
	char *id;
	char *title;
	const char *phase; /* the phase's name (owned by the phase) */
	size_t phase_index;
	enum runbook_kind kind;
	const char *kind_name;               /* "command", "notify", ... */
	const struct runbook_action *action; /* RUNBOOK_KIND_ACTION only */
	char *instructions;                  /* may be NULL */
	char *command;                       /* shell text; may be NULL */
	char *drill;          /* the command's safe form; NULL: none */
	char *verify;         /* must exit 0 after the command; may be NULL */
	char *verify_drill;   /* verify's drill form */
	char *rollback;       /* undoes the step; may be NULL */
	char *rollback_drill; /* rollback's drill form */
	char *undo;           /* fault only: puts the fault right; required */
	enum runbook_confirm confirm;
	char *confirm_word; /* typed only; may hold ${NAME} */
	int64_t timeout_s;
	int retries; /* automatic re-runs before the operator is asked */
	int64_t retry_delay_s; /* the pause before each re-run; 0: none */
	/* Built-in action parameters. */
	char *message;      /* notify: may hold ${NAME} */
	int64_t duration_s; /* wait: fixed wait; 0 when polling */
	int64_t interval_s; /* wait, probe: between polls */
	/* restore, verify, probe, compliance: the service; restore, verify:
	 * "within-rpo", "latest" or a backup id; restore: "to" (a path) or
	 * "to_command" (shell text); backup: the target.  Text that is read
	 * (not to_command) may hold ${NAME}. */
	char *service;
	char *backup;
	char *to;
	char *to_command;
	char *target;
	int line; /* where the step stands in its file */
};

/* A steady-state check: shell text that exits 0 while the system is as
 * it should be (a game day breaks it on purpose and sees it restored). */
struct runbook_check {
	char *name; /* [a-z0-9][a-z0-9-_.]* */
	char *command;
	int64_t timeout_s;
	int line;
};

struct runbook_phase {
	char *name;
	size_t first; /* index into steps */
	size_t count;
};

struct runbook {
	char *path; /* the file, or the name given to runbook_parse */
	char *name;
	char *title;
	char *scenario;
	char *description;   /* may be NULL */
	char *incident_type; /* default incident type; may be NULL */
	int64_t rto_s;
	int64_t rpo_s;
	char **services; /* may hold ${NAME}; expanded by the engine */
	size_t n_services;
	/* Environment variables its steps need beyond the allowlist
	 * (core/childenv.h); NULL when none. */
	char **env;
	size_t n_env;
	struct runbook_var *vars;
	size_t n_vars;
	/* steady_state: checked before the first step (all must pass or
	 * nothing runs), between steps, and after the last one (retried
	 * every steady_interval_s for up to settle_s). */
	struct runbook_check *steady;
	size_t n_steady;
	int64_t settle_s;
	int64_t steady_interval_s;
	/* A reminder to send a status update every update_every_s (0: none),
	 * with update_template filled (the default when NULL). */
	int64_t update_every_s;
	char *update_template;
	struct runbook_phase *phases;
	size_t n_phases;
	struct runbook_step *steps; /* every step in order, phase by phase */
	size_t n_steps;
	char *text; /* the source, which an execution keeps with its record */
};

/* Parses and validates.  On DR_EINVAL *err holds every problem found, one
 * per line, each "name:line:col: what is wrong". */
int runbook_parse(const char *name, const char *text, size_t len,
                  struct runbook **out, char **err);
/* Reads a file and parses it; DR_EIO when it cannot be read. */
int runbook_load(const char *path, struct runbook **out, char **err);
void runbook_free(struct runbook *rb);

const char *runbook_kind_label(enum runbook_kind kind);
const char *runbook_confirm_label(enum runbook_confirm level);
/* Index of the step with that id, or -1. */
long runbook_step_index(const struct runbook *rb, const char *id);
/* Index of the variable, or -1. */
long runbook_var_index(const struct runbook *rb, const char *name);

/* Checks one value against a variable's pattern.  DR_EINVAL with a message
 * naming the variable and the pattern when it does not match. */
int runbook_var_check(const struct runbook_var *var, const char *value,
                      char **err);
/* Resolves the values of every variable, in rb->vars order, from
 * assignments "NAME=VALUE" (later ones win) and defaults.  Unknown names,
 * values that fail their pattern and missing required values are errors
 * (all reported).  *values is an array of rb->n_vars strings; free with
 * runbook_values_free(). */
int runbook_resolve_vars(const struct runbook *rb, char *const *assign,
                         size_t n_assign, char ***values, char **err);
void runbook_values_free(char **values, size_t n);
/* Replaces ${NAME} in text with the value of the variable; malloc'd. */
char *runbook_expand(const struct runbook *rb, char *const *values,
                     const char *text);
/* The names a notify step's "message" and the "update_template" may use
 * beside the runbook's variables, filled when the message is sent:
 * ELAPSED (since the incident began), RTO_LEFT, STEP (n/total), INCIDENT,
 * OPERATOR.  No variable may take one of them. */
#define RUNBOOK_RUN_NAMES "ELAPSED, RTO_LEFT, STEP, INCIDENT, OPERATOR"
int runbook_run_name(const char *name);
/* The value of a run name into buf, or NULL to leave ${NAME} as it is. */
typedef const char *(*runbook_lookup_fn)(void *arg, const char *name, char *buf,
                                         size_t size);
/* runbook_expand(), then run names through lookup (may be NULL). */
char *runbook_expand_with(const struct runbook *rb, char *const *values,
                          runbook_lookup_fn lookup, void *arg,
                          const char *text);

/* Where runbooks are looked for, in order: the configured directory (may
 * be NULL), DRCONSOLE_DATADIR/runbooks, and the source tree's runbooks/
 * when this binary is the one built there.  Never the current directory.
 * Existing ones only; free with runbook_values_free(dirs, n). */
void runbook_search_dirs(const char *config_dir, char ***dirs, size_t *n);
/* NAME is a path when it holds a '/' or ends in ".json"; else the first
 * DIR/NAME.json, else the first file in the dirs whose "name" is NAME.
 * DR_ENOTFOUND naming the places searched. */
int runbook_find(const char *name, char *const *dirs, size_t n_dirs,
                 char **path, char **err);
/* Every *.json file in the dirs, sorted by file name within a directory;
 * a name found twice is listed once (the first).  Paths are malloc'd. */
void runbook_list_files(char *const *dirs, size_t n_dirs, char ***paths,
                        size_t *n);

#endif
