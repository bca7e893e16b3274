#include "core/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/childenv.h"
#include "core/error.h"
#include "core/xmalloc.h"

#define TAIL_MAX 2048

struct spawn {
	pid_t pid;
	int fd;     /* our end of stdin or stdout */
	int err_fd; /* the child's stderr */
	pthread_t err_thread;
	char tail[TAIL_MAX];
	size_t tail_len;
	char *name;
	int own_group;   /* leads a process group of its own */
	int err_copy_fd; /* stderr is copied here too; -1: kept only */
};

/* Writes all of buf to fd, as far as fd takes it: a copy of a child's
 * stderr must not stop the draining when our own stderr is gone. */
static void copy_out(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		buf += w;
		n -= (size_t)w;
	}
}

/* Drains stderr so a chatty child never blocks, keeping the last bytes. */
static void *drain_stderr(void *arg)
{
	struct spawn *sp = arg;
	char buf[1024];
	ssize_t n;
	while ((n = read(sp->err_fd, buf, sizeof buf)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (sp->err_copy_fd >= 0)
			copy_out(sp->err_copy_fd, buf, (size_t)n);
		/* buf is smaller than the tail: drop from the front. */
		if (sp->tail_len + (size_t)n > TAIL_MAX - 1) {
			size_t drop = sp->tail_len + (size_t)n - (TAIL_MAX - 1);
			memmove(sp->tail, sp->tail + drop, sp->tail_len - drop);
			sp->tail_len -= drop;
		}
		memcpy(sp->tail + sp->tail_len, buf, (size_t)n);
		sp->tail_len += (size_t)n;
	}
	sp->tail[sp->tail_len] = '\0';
	return NULL;
}

/* How a child starts beyond its command: out_fd is its stdout when we
 * write its stdin (-1: /dev/null); err_copy_fd receives a copy of its
 * stderr (-1: none). */
struct start_opts {
	enum spawn_dir dir;
	int own_group;
	int out_fd;
	int err_copy_fd;
};

static int start(char *const *argv, const char *shell, char *const *env,
                 const struct start_opts *so, struct spawn **out, char **err);

int spawn_start(char *const *argv, const char *shell, char *const *env,
                enum spawn_dir dir, struct spawn **out, char **err)
{
	struct start_opts so = {dir, 0, -1, -1};
	return start(argv, shell, env, &so, out, err);
}

int spawn_start_group(char *const *argv, const char *shell, char *const *env,
                      enum spawn_dir dir, struct spawn **out, char **err)
{
	struct start_opts so = {dir, 1, -1, -1};
	return start(argv, shell, env, &so, out, err);
}

int spawn_start_passing(char *const *argv, const char *shell, char *const *env,
                        int out_fd, int err_fd, struct spawn **out, char **err)
{
	struct start_opts so = {SPAWN_WRITE, 0, out_fd, err_fd};
	return start(argv, shell, env, &so, out, err);
}

static int start(char *const *argv, const char *shell, char *const *env,
                 const struct start_opts *so, struct spawn **out, char **err)
{
	enum spawn_dir dir = so->dir;
	int own_group = so->own_group;
	int io[2], ep[2];
	if (pipe2(io, O_CLOEXEC) != 0 || pipe2(ep, O_CLOEXEC) != 0) {
		*err = xasprintf("cannot create a pipe: %s", strerror(errno));
		return DR_EIO;
	}
	struct spawn *sp = xcalloc(1, sizeof *sp);
	sp->name =
	    shell != NULL ? xasprintf("sh -c '%s'", shell) : xstrdup(argv[0]);
	/* Built before fork: the child only execs. */
	size_t n_env = 0;
	while (env != NULL && env[n_env] != NULL)
		n_env++;
	char **child_env = childenv_default(env, n_env);
	pid_t pid = fork();
	if (pid != 0)
		childenv_free(child_env);
	if (pid < 0) {
		*err =
		    xasprintf("cannot start %s: %s", sp->name, strerror(errno));
		close(io[0]);
		close(io[1]);
		close(ep[0]);
		close(ep[1]);
		free(sp->name);
		free(sp);
		return DR_EIO;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);
		if (dir == SPAWN_READ) {
			dup2(nul, 0);
			dup2(io[1], 1);
		} else {
			dup2(io[0], 0);
			dup2(so->out_fd >= 0 ? so->out_fd : nul, 1);
		}
		dup2(ep[1], 2);
		signal(SIGPIPE, SIG_DFL);
		/* In its own process group only when asked: otherwise it
		 * shares drconsole's, and a stop of drconsole's group (the
		 * console's job screen) stops the source as well. */
		if (own_group)
			setpgid(0, 0);
		/* A thread that blocks signals (the agent's job workers) must
		 * not hand that mask to pg_dump: SIGTERM would not stop it. */
		{
			sigset_t none;
			sigemptyset(&none);
			sigprocmask(SIG_SETMASK, &none, NULL);
		}
		if (shell != NULL)
			execle("/bin/sh", "sh", "-c", shell, (char *)NULL,
			       child_env);
		else
			execvpe(argv[0], argv, child_env);
		dprintf(2, "cannot run %s: %s\n",
		        shell != NULL ? "/bin/sh" : argv[0], strerror(errno));
		_exit(127);
	}
	sp->pid = pid;
	sp->own_group = own_group;
	sp->err_copy_fd = so->err_copy_fd;
	if (own_group)
		setpgid(pid, pid); /* as the child does: whichever first */
	if (dir == SPAWN_READ) {
		sp->fd = io[0];
		close(io[1]);
	} else {
		sp->fd = io[1];
		close(io[0]);
	}
	close(ep[1]);
	sp->err_fd = ep[0];
	pthread_create(&sp->err_thread, NULL, drain_stderr, sp);
	*out = sp;
	return DR_OK;
}

int spawn_fd(const struct spawn *sp)
{
	return sp->fd;
}

const char *spawn_name(const struct spawn *sp)
{
	return sp->name;
}

static int reap(struct spawn *sp, int *status)
{
	if (sp->fd >= 0)
		close(sp->fd);
	sp->fd = -1;
	while (waitpid(sp->pid, status, 0) < 0)
		if (errno != EINTR)
			return -1;
	pthread_join(sp->err_thread, NULL);
	close(sp->err_fd);
	return 0;
}

static void spawn_free(struct spawn *sp)
{
	free(sp->name);
	free(sp);
}

int spawn_wait(struct spawn *sp, struct spawn_exit *ex, char **err)
{
	int status = 0, rc = DR_OK;
	memset(ex, 0, sizeof *ex);
	if (reap(sp, &status) != 0) {
		*err =
		    xasprintf("%s: cannot wait: %s", sp->name, strerror(errno));
		rc = DR_EIO;
	} else {
		ex->exited = WIFEXITED(status);
		ex->code = ex->exited ? WEXITSTATUS(status) : WTERMSIG(status);
		/* The last lines of stderr say most. */
		char *t = sp->tail;
		while (sp->tail_len > 0 && (t[sp->tail_len - 1] == '\n' ||
		                            t[sp->tail_len - 1] == '\r'))
			t[--sp->tail_len] = '\0';
		size_t keep = sp->tail_len < sizeof ex->tail - 1
		                  ? sp->tail_len
		                  : sizeof ex->tail - 1;
		const char *from = t + sp->tail_len - keep;
		/* Cut at a line start when the tail was cut. */
		const char *nl =
		    keep < sp->tail_len ? memchr(from, '\n', keep) : NULL;
		if (nl != NULL && nl[1] != '\0') {
			keep -= (size_t)(nl + 1 - from);
			from = nl + 1;
		}
		memcpy(ex->tail, from, keep);
		ex->tail[keep] = '\0';
	}
	spawn_free(sp);
	return rc;
}

char *spawn_exit_describe(const struct spawn_exit *ex)
{
	return xasprintf("%s %d%s%s",
	                 ex->exited ? "exited with status"
	                            : "was killed by signal",
	                 ex->code, ex->tail[0] ? ": " : "", ex->tail);
}

int spawn_finish(struct spawn *sp, char **err)
{
	struct spawn_exit ex;
	char *name = xstrdup(sp->name);
	int rc = spawn_wait(sp, &ex, err);
	if (rc == DR_OK && (!ex.exited || ex.code != 0)) {
		char *how = spawn_exit_describe(&ex);
		*err = xasprintf("%s %s", name, how);
		free(how);
		rc = DR_EIO;
	}
	free(name);
	return rc;
}

void spawn_kill(struct spawn *sp)
{
	int status;
	if (sp == NULL)
		return;
	if (sp->own_group)
		kill(-sp->pid, SIGTERM);
	kill(sp->pid, SIGTERM);
	reap(sp, &status);
	/* Whatever of its group ignored the request.  (Only a group of its
	 * own: the pid may be anyone's once reaped.) */
	if (sp->own_group)
		kill(-sp->pid, SIGKILL);
	spawn_free(sp);
}
