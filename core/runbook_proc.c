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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "core/runbook_proc.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

#define PROC_GRACE_S 2.0
#define PROC_DRAIN_S 0.5

static void child_exec(const struct runbook_proc_opts *opts, int out_fd,
                       int own_group)
{
	int devnull = open("/dev/null", O_RDONLY);
	sigset_t none;

	if (own_group)
		setpgid(0, 0);
	/* Plain dispositions: the engine's (and the keeper's ignored ones)
	 * must not leak in. */
	signal(SIGHUP, SIG_DFL);
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

static int spool_run(const struct runbook_proc_opts *opts,
                     struct runbook_proc_result *res, char **err);

int runbook_proc_run(const struct runbook_proc_opts *opts,
                     struct runbook_proc_result *res, char **err)
{
	if (opts->spool != NULL)
		return spool_run(opts, res, err);
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
		child_exec(opts, fds[1], 1);
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

/* ---- detachable commands: a keeper in a session of its own ---------- */

/* Decimal digits of v into buf (async-signal-safe); returns the length. */
static size_t put_int(char *buf, long v)
{
	char tmp[24];
	size_t n = 0, len = 0;
	unsigned long u = v < 0 ? (unsigned long)-v : (unsigned long)v;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (v < 0)
		buf[len++] = '-';
	while (n > 0)
		buf[len++] = tmp[--n];
	return len;
}

/* The keeper: a new session (no terminal's hang-up reaches it, nor the
 * command under it), the command as its child in its group, and the
 * command's end written down for whoever comes next.  Only
 * async-signal-safe calls: the agent forks from a threaded process. */
static void keeper(const struct runbook_proc_opts *opts, int spool_fd,
                   int sync_fd, const char *exit_path, const char *exit_tmp,
                   const char *pid_path)
{
	int st = 0;

	setsid();
	{
		char num[24];
		size_t len = put_int(num, (long)getpid());
		num[len++] = '\n';
		int pf = open(pid_path,
		              O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (pf >= 0) {
			ssize_t w = write(pf, num, len);
			(void)w;
			close(pf);
		}
	}
	/* "drconsole-step" in ps and top, not a second drconsole. */
	prctl(PR_SET_NAME, "drconsole-step", 0, 0, 0);
	close(sync_fd);
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	pid_t c = fork();
	if (c == 0)
		child_exec(opts, spool_fd, 0);
	/* spool_fd (and its lock) stays open until the end is written: the
	 * spool is never free while the outcome is not yet on disk. */
	if (c < 0)
		_exit(126);
	while (waitpid(c, &st, 0) < 0 && errno == EINTR)
		;
	char line[48];
	size_t len = 0;
	int code;
	if (WIFEXITED(st)) {
		memcpy(line, "exit ", 5);
		len = 5 + put_int(line + 5, WEXITSTATUS(st));
		code = WEXITSTATUS(st);
	} else {
		memcpy(line, "signal ", 7);
		len = 7 + put_int(line + 7, WIFSIGNALED(st) ? WTERMSIG(st) : 0);
		code = 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	}
	line[len++] = '\n';
	int fd = open(exit_tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0) {
		ssize_t w = write(fd, line, len);
		(void)w;
		fsync(fd);
		close(fd);
		rename(exit_tmp, exit_path);
	}
	close(spool_fd);
	_exit(code);
}

int runbook_proc_spool_exit(const char *spool, int *exit_code, int *signal)
{
	char *path = xasprintf("%s.exit", spool), line[48] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC), found = 0;
	long v = 0;

	free(path);
	*exit_code = -1;
	*signal = 0;
	if (fd < 0)
		return 0;
	ssize_t got = read(fd, line, sizeof line - 1);
	close(fd);
	if (got <= 0)
		return 0;
	line[got] = '\0';
	if (sscanf(line, "exit %ld", &v) == 1) {
		*exit_code = (int)v;
		found = 1;
	} else if (sscanf(line, "signal %ld", &v) == 1) {
		*signal = (int)v;
		found = 1;
	}
	return found;
}

/* Kills a group that is not (or no longer) our child: SIGTERM, a grace
 * period, SIGKILL. */
static void kill_foreign_group(pid_t pgid)
{
	double end = time_mono() + PROC_GRACE_S;

	if (pgid <= 1)
		return; /* unknown: never our own group, or everyone */
	kill(-pgid, SIGTERM);
	while (time_mono() < end && kill(-pgid, 0) == 0) {
		struct timespec slice = {0, 50 * 1000 * 1000};
		nanosleep(&slice, NULL);
	}
	kill(-pgid, SIGKILL);
}

/* Streams what fd holds from where it stands to on_output. */
static void spool_drain(const struct runbook_proc_opts *opts, int fd)
{
	char buf[4096];
	ssize_t got;

	while ((got = read(fd, buf, sizeof buf)) > 0)
		if (opts->on_output)
			opts->on_output(opts->arg, buf, (size_t)got);
}

/* The follow loop of both a fresh run (child > 0: the keeper is ours to
 * reap) and a re-attach (child 0).  Returns when the command ended, was
 * killed, or was left (detach). */
static void spool_follow(const struct runbook_proc_opts *opts, int fd,
                         pid_t pgid, pid_t child, double deadline,
                         struct runbook_proc_result *res, int *gone)
{
	int status = 0, reaped = 0;

	*gone = 0;
	for (;;) {
		spool_drain(opts, fd);
		int ended;
		if (child > 0) {
			ended = waitpid(child, &status, WNOHANG) == child;
			reaped |= ended;
		} else {
			int ec, sig;
			ended =
			    runbook_proc_spool_exit(opts->spool, &ec, &sig) ||
			    !runbook_proc_spool_busy(opts->spool);
		}
		if (ended)
			break;
		if (deadline > 0 && time_mono() >= deadline) {
			res->timed_out = 1;
			if (child > 0)
				kill_group(pgid, child, &status, &reaped);
			else
				kill_foreign_group(pgid);
			break;
		}
		if (opts->should_stop && opts->should_stop(opts->arg)) {
			res->stopped = 1;
			if (child > 0)
				kill_group(pgid, child, &status, &reaped);
			else
				kill_foreign_group(pgid);
			break;
		}
		if (opts->should_detach && opts->should_detach(opts->arg)) {
			res->detached = 1;
			return;
		}
		struct timespec slice = {0, 100 * 1000 * 1000};
		nanosleep(&slice, NULL);
	}
	spool_drain(opts, fd);
	int ec = -1, sig = 0;
	if (runbook_proc_spool_exit(opts->spool, &ec, &sig)) {
		res->exit_code = res->timed_out || res->stopped ? -1 : ec;
		res->signal = sig;
	} else if (reaped && WIFEXITED(status) && !res->timed_out &&
	           !res->stopped && WEXITSTATUS(status) < 126) {
		res->exit_code = WEXITSTATUS(status);
	} else if (reaped && WIFSIGNALED(status)) {
		res->signal = WTERMSIG(status);
	} else if (!reaped && !res->timed_out && !res->stopped) {
		*gone = 1; /* gone without a word: nobody knows */
	}
}

static int spool_run(const struct runbook_proc_opts *opts,
                     struct runbook_proc_result *res, char **err)
{
	char *exit_path = xasprintf("%s.exit", opts->spool);
	char *exit_tmp = xasprintf("%s.exit.tmp", opts->spool);
	char *pid_path = xasprintf("%s.pid", opts->spool);
	int sync[2], wfd, rfd, gone = 0;

	memset(res, 0, sizeof *res);
	res->exit_code = -1;
	unlink(exit_path);
	wfd = open(opts->spool,
	           O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
	/* The lock on the spool lives as long as a process holds it open:
	 * the keeper, the command (its stdout) and what they leave behind.
	 * Taken before the fork, so there is no moment when the command
	 * runs and the spool looks free. */
	if (wfd >= 0 && flock(wfd, LOCK_EX) != 0) {
		close(wfd);
		wfd = -1;
	}
	rfd = wfd >= 0 ? open(opts->spool, O_RDONLY | O_CLOEXEC) : -1;
	if (wfd < 0 || rfd < 0 || pipe2(sync, O_CLOEXEC) != 0) {
		*err = xasprintf("cannot open the spool %s: %s", opts->spool,
		                 strerror(errno));
		if (wfd >= 0)
			close(wfd);
		if (rfd >= 0)
			close(rfd);
		free(exit_path);
		free(exit_tmp);
		free(pid_path);
		return DR_EIO;
	}
	pid_t pid = fork();
	if (pid == 0) {
		close(sync[0]);
		close(rfd);
		keeper(opts, wfd, sync[1], exit_path, exit_tmp, pid_path);
	}
	close(wfd);
	close(sync[1]);
	if (pid < 0) {
		*err = xasprintf("cannot fork: %s", strerror(errno));
		close(sync[0]);
		close(rfd);
		free(exit_path);
		free(exit_tmp);
		free(pid_path);
		return DR_EIO;
	}
	/* The keeper closes its end once its session (and group) exists. */
	char c;
	while (read(sync[0], &c, 1) < 0 && errno == EINTR)
		;
	close(sync[0]);
	if (opts->on_start)
		opts->on_start(opts->arg, pid);
	double deadline =
	    opts->timeout_s > 0 ? time_mono() + (double)opts->timeout_s : 0;
	spool_follow(opts, rfd, pid, pid, deadline, res, &gone);
	close(rfd);
	free(exit_path);
	free(exit_tmp);
	free(pid_path);
	return DR_OK;
}

int runbook_proc_follow(const struct runbook_proc_opts *opts, pid_t pgid,
                        struct runbook_proc_result *res, int *gone, char **err)
{
	int fd = open(opts->spool, O_RDONLY | O_CLOEXEC);

	memset(res, 0, sizeof *res);
	res->exit_code = -1;
	*gone = 0;
	if (fd < 0) {
		*err = xasprintf("cannot read the spool %s: %s", opts->spool,
		                 strerror(errno));
		return DR_EIO;
	}
	double deadline =
	    opts->timeout_s > 0 ? time_mono() + (double)opts->timeout_s : 0;
	spool_follow(opts, fd, pgid, 0, deadline, res, gone);
	close(fd);
	return DR_OK;
}

int runbook_proc_spool_busy(const char *spool)
{
	int fd = open(spool, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	int busy = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
	close(fd);
	return busy;
}

pid_t runbook_proc_spool_pgid(const char *spool)
{
	char *path = xasprintf("%s.pid", spool), buf[32] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	long v = 0;

	free(path);
	if (fd < 0)
		return 0;
	ssize_t got = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (got > 0) {
		buf[got] = '\0';
		v = strtol(buf, NULL, 10);
	}
	return v > 1 ? (pid_t)v : 0;
}
