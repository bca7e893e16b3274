/* Child processes for backup sources (`pg_dump -Fc` whose stdout is the
 * backup) and restore targets (`pg_restore -d db` fed on stdin).  argv is
 * run directly (fork/exec, no shell) unless the caller gives a shell string,
 * which runs under /bin/sh -c.  Parameters travel as environment variables,
 * never pasted into command text.  The child's stderr is kept (its tail) for
 * the error message; its stdout, when we feed its stdin, goes to /dev/null
 * unless the caller passes it on (spawn_start_passing). */
#ifndef DR_SPAWN_H
#define DR_SPAWN_H

#include <stddef.h>

enum spawn_dir {
	SPAWN_READ,  /* we read the child's stdout */
	SPAWN_WRITE, /* we write the child's stdin */
};

struct spawn;

/* Exactly one of argv (NULL-terminated) and shell is set.  env: extra
 * "KEY=VALUE" strings (NULL-terminated, may be NULL). */
int spawn_start(char *const *argv, const char *shell, char *const *env,
                enum spawn_dir dir, struct spawn **out, char **err);
/* As spawn_start, with the child leading a process group of its own, so
 * that spawn_kill() also stops what it started (a restore test's
 * PostgreSQL); such a child outlives a signal to drconsole's group. */
int spawn_start_group(char *const *argv, const char *shell, char *const *env,
                      enum spawn_dir dir, struct spawn **out, char **err);
/* As spawn_start with SPAWN_WRITE, for a command whose output is for the
 * person who runs it (restore --to-command): its stdout is out_fd instead
 * of /dev/null, and what it writes to stderr goes to err_fd as well as
 * into the tail kept for messages.  The caller owns both descriptors. */
int spawn_start_passing(char *const *argv, const char *shell, char *const *env,
                        int out_fd, int err_fd, struct spawn **out, char **err);
/* The pipe end: read from it (SPAWN_READ) or write to it (SPAWN_WRITE). */
int spawn_fd(const struct spawn *sp);
/* Closes our end, waits, and frees.  DR_EIO with the exit status and the
 * tail of stderr when the child failed. */
int spawn_finish(struct spawn *sp, char **err);

struct spawn_exit {
	int exited;      /* 1: exited with code; 0: killed by signal code */
	int code;        /* the exit status or the signal number */
	char tail[1024]; /* the end of its stderr, trailing newlines removed */
};
/* Closes our end, waits, fills ex and frees, whatever the child's status:
 * for a caller that judges the status itself.  DR_EIO only when waiting
 * failed. */
int spawn_wait(struct spawn *sp, struct spawn_exit *ex, char **err);
/* "exited with status 3: <tail>" or "was killed by signal 9: <tail>";
 * malloc'd. */
char *spawn_exit_describe(const struct spawn_exit *ex);
/* Kills the child (SIGTERM) and, when it leads a group of its own
 * (spawn_start_group), that group; waits for the child, then SIGKILL to
 * what is left of its group; frees. */
void spawn_kill(struct spawn *sp);
/* What the child is, for messages ("pg_dump", "sh -c '...'"). */
const char *spawn_name(const struct spawn *sp);

#endif
