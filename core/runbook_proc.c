/* See runbook_proc.h.  The parent waits in poll() on the output pipe with
 * a short timeout, so it notices the deadline and stop requests while the
 * command is silent.  The child's exit is collected with waitpid(WNOHANG);
 * once it is gone, what is left in the pipe is drained for a moment and
 * then the pipe is closed even if a background grandchild still holds it
 * open. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "core/runbook_proc.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

#define PROC_GRACE_S 2.0
#define PROC_DRAIN_S 0.5

static void child_exec(const struct runbook_proc_opts *opts, int out_fd)
{
	int devnull = open("/dev/null", O_RDONLY);
	sigset_t none;

	setpgid(0, 0);
	/* Plain dispositions: the engine's handlers must not leak in. */
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGTTOU, SIG_DFL);
	signal(SIGTTIN, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (devnull >= 0) {
		dup2(devnull, 0);
		if (devnull > 2)
			close(devnull);
	}
	dup2(out_fd, 1);
	dup2(out_fd, 2);
	if (out_fd > 2)
		close(out_fd);
	char *const argv[] = {"sh", "-c", (char *)opts->command, NULL};
	execve("/bin/sh", argv, opts->env);
	{
		static const char msg[] = "drconsole: cannot run /bin/sh\n";
		ssize_t w = write(2, msg, sizeof msg - 1);
		(void)w;
	}
	_exit(127);
}

static void kill_group(pid_t pgid, pid_t pid, int *status, int *reaped)
{
	double end;

	kill(-pgid, SIGTERM);
	end = time_mono() + PROC_GRACE_S;
	while (!*reaped && time_mono() < end) {
		pid_t w = waitpid(pid, status, WNOHANG);
		if (w == pid) {
			*reaped = 1;
			break;
		}
		struct timespec slice = {0, 50 * 1000 * 1000};
		nanosleep(&slice, NULL);
	}
	/* Whatever is left of the group, child or grandchildren. */
	kill(-pgid, SIGKILL);
	if (!*reaped && waitpid(pid, status, 0) == pid)
		*reaped = 1;
}

int runbook_proc_run(const struct runbook_proc_opts *opts,
                     struct runbook_proc_result *res, char **err)
{
	int fds[2], status = 0, reaped = 0;
	double start, deadline, drain_end = 0;
	pid_t pid;
	char buf[4096];

	memset(res, 0, sizeof *res);
	res->exit_code = -1;
	if (pipe2(fds, O_CLOEXEC) != 0) {
		*err = xasprintf("cannot create a pipe: %s", strerror(errno));
		return DR_EIO;
	}
	pid = fork();
	if (pid < 0) {
		*err = xasprintf("cannot fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return DR_EIO;
	}
	if (pid == 0) {
		close(fds[0]);
		/* dup2 clears O_CLOEXEC on the copies. */
		child_exec(opts, fds[1]);
	}
	/* Both sides set the group, so it exists before either goes on. */
	setpgid(pid, pid);
	close(fds[1]);
	if (opts->on_start)
		opts->on_start(opts->arg, pid);

	start = time_mono();
	deadline = opts->timeout_s > 0 ? start + (double)opts->timeout_s : 0;
	for (int open_pipe = 1;;) {
		if (open_pipe) {
			struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
			int n = poll(&pfd, 1, 100);

			if (n > 0) {
				ssize_t got = read(fds[0], buf, sizeof buf);
				if (got > 0 && opts->on_output)
					opts->on_output(opts->arg, buf,
					                (size_t)got);
				else if (got == 0 ||
				         (got < 0 && errno != EINTR &&
				          errno != EAGAIN))
					open_pipe = 0;
			}
		} else {
			struct timespec slice = {0, 100 * 1000 * 1000};
			nanosleep(&slice, NULL);
		}
		if (!reaped && waitpid(pid, &status, WNOHANG) == pid) {
			reaped = 1;
			drain_end = time_mono() + PROC_DRAIN_S;
		}
		if (reaped) {
			if (!open_pipe || time_mono() > drain_end)
				break;
			continue;
		}
		if (deadline > 0 && time_mono() >= deadline) {
			res->timed_out = 1;
			kill_group(pid, pid, &status, &reaped);
			break;
		}
		if (opts->should_stop && opts->should_stop(opts->arg)) {
			res->stopped = 1;
			kill_group(pid, pid, &status, &reaped);
			break;
		}
	}
	/* Read what a killed command left behind, without blocking. */
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	for (;;) {
		ssize_t got = read(fds[0], buf, sizeof buf);
		if (got <= 0)
			break;
		if (opts->on_output)
			opts->on_output(opts->arg, buf, (size_t)got);
	}
	close(fds[0]);
	if (!reaped) {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	if (WIFEXITED(status) && !res->timed_out && !res->stopped) {
		res->exit_code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		res->signal = WTERMSIG(status);
		res->exit_code = -1;
	} else {
		res->exit_code = -1;
	}
	return DR_OK;
}
