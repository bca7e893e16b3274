/* command probes: a program that prints a number (the lag of a system we
 * cannot reach otherwise, a queue depth), checked against min/max.  Every
 * command of a batch runs at once in its own process group; one poll()
 * loop reads their output, and one that overruns its timeout is killed
 * with its children.  A string command runs under /bin/sh -c; an array
 * runs as given, without a shell. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/childenv.h"
#include "core/probe.h"
#include "core/xmalloc.h"

static const char *const command_keys[] = {"command", "min", "max", NULL};

static void command_parse(struct probe_spec *spec, const struct json_doc *doc,
                          const cJSON *obj, struct json_errors *errs)
{
	const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(obj, "command");
	size_t n = 0;

	if (cmd == NULL) {
		json_errors_add(errs, doc, obj,
		                "a command probe needs \"command\" (a string "
		                "for /bin/sh -c, or an array of arguments)");
	} else if (cJSON_IsString(cmd) && cmd->valuestring[0] != '\0') {
		spec->argv = xcalloc(4, sizeof(char *));
		spec->argv[0] = xstrdup("/bin/sh");
		spec->argv[1] = xstrdup("-c");
		spec->argv[2] = xstrdup(cmd->valuestring);
	} else if (cJSON_IsArray(cmd) && cJSON_GetArraySize(cmd) > 0) {
		const cJSON *a;
		spec->argv = xcalloc((size_t)cJSON_GetArraySize(cmd) + 1,
		                     sizeof(char *));
		cJSON_ArrayForEach(a, cmd)
		{
			if (!cJSON_IsString(a)) {
				json_errors_add(errs, doc, a,
				                "expected a string argument");
				continue;
			}
			spec->argv[n++] = xstrdup(a->valuestring);
		}
	} else {
		json_errors_add(errs, doc, cmd,
		                "expected a non-empty string or array for "
		                "\"command\"");
	}
	if (json_get_number(errs, doc, obj, "min", 0, &spec->min) == 1)
		spec->has_min = 1;
	if (json_get_number(errs, doc, obj, "max", 0, &spec->max) == 1)
		spec->has_max = 1;
	if (spec->has_min && spec->has_max && spec->min > spec->max)
		json_errors_add(
		    errs, doc, cJSON_GetObjectItemCaseSensitive(obj, "min"),
		    "\"min\" (%g) is above \"max\" (%g)", spec->min, spec->max);
}

struct command_run {
	pid_t pid;
	int fd;
	int64_t started_ms;
	int64_t deadline_ms;
	int64_t ended_ms; /* when its output closed */
	char output[512];
	size_t len;
	int timed_out;
};

static pid_t command_spawn(char *const *argv, int *out_fd)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	char **env = childenv_default(NULL, 0);
	pid = fork();
	if (pid != 0)
		childenv_free(env);
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);
		setpgid(0, 0);
		dup2(p[1], STDOUT_FILENO);
		if (devnull >= 0) {
			dup2(devnull, STDIN_FILENO);
			dup2(devnull, STDERR_FILENO);
		}
		execvpe(argv[0], argv, env);
		_exit(127);
	}
	setpgid(pid, pid);
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	*out_fd = p[0];
	return pid;
}

void probe_command_value(const struct probe_spec *s, const char *output,
                         struct probe_outcome *o)
{
	char *end = NULL;
	const char *p = output;
	double v;

	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	v = strtod(p, &end);
	if (end == p || !isfinite(v)) {
		probe_set_message(o,
		                  "expected a number on stdout, found "
		                  "\"%.40s\"",
		                  p);
		return;
	}
	o->value = v;
	if (s->has_max && v > s->max) {
		probe_set_message(o, "%g is over the maximum %g", v, s->max);
	} else if (s->has_min && v < s->min) {
		probe_set_message(o, "%g is under the minimum %g", v, s->min);
	} else {
		o->ok = 1;
		probe_set_message(o, "%g", v);
	}
}

static void command_judge(const struct probe_spec *s, struct command_run *r,
                          int wstatus, struct probe_outcome *o)
{
	o->latency_ms = (double)((r->ended_ms ? r->ended_ms : probe_now_ms()) -
	                         r->started_ms);
	if (r->timed_out) {
		probe_set_message(o, "no answer within %ld ms (killed)",
		                  s->timeout_ms);
		return;
	}
	if (WIFSIGNALED(wstatus)) {
		probe_set_message(o, "killed by signal %d", WTERMSIG(wstatus));
		return;
	}
	if (WEXITSTATUS(wstatus) == 127) {
		probe_set_message(o, "cannot run %s", s->argv[0]);
		return;
	}
	if (WEXITSTATUS(wstatus) != 0) {
		probe_set_message(o, "exit status %d", WEXITSTATUS(wstatus));
		return;
	}
	probe_command_value(s, r->output, o);
}

static void command_run(struct probe_spec *const *specs,
                        struct probe_outcome *out, size_t n)
{
	struct command_run *r = xcalloc(n, sizeof(*r));
	struct pollfd *pfd = xcalloc(n, sizeof(*pfd));
	size_t open_fds = 0;

	for (size_t i = 0; i < n; i++) {
		r[i].started_ms = probe_now_ms();
		r[i].deadline_ms = r[i].started_ms + specs[i]->timeout_ms;
		r[i].fd = -1;
		r[i].pid = command_spawn(specs[i]->argv, &r[i].fd);
		if (r[i].pid < 0)
			probe_set_message(&out[i], "cannot start: %s",
			                  strerror(errno));
		else
			open_fds++;
	}
	while (open_fds > 0) {
		int64_t now = probe_now_ms(), wait = -1;
		size_t np = 0;

		for (size_t i = 0; i < n; i++) {
			if (r[i].fd < 0)
				continue;
			if (now >= r[i].deadline_ms) {
				kill(-r[i].pid, SIGKILL);
				r[i].timed_out = 1;
				close(r[i].fd);
				r[i].fd = -1;
				open_fds--;
				continue;
			}
			if (wait < 0 || r[i].deadline_ms - now < wait)
				wait = r[i].deadline_ms - now;
			pfd[np].fd = r[i].fd;
			pfd[np].events = POLLIN;
			pfd[np].revents = 0;
			np++;
		}
		if (np == 0)
			break;
		if (poll(pfd, np, (int)wait) < 0 && errno != EINTR)
			break;
		for (size_t j = 0; j < np; j++) {
			size_t i;
			char buf[512];
			ssize_t got;

			if (pfd[j].revents == 0)
				continue;
			for (i = 0; i < n && r[i].fd != pfd[j].fd; i++)
				;
			if (i == n)
				continue;
			got = read(r[i].fd, buf, sizeof(buf));
			if (got > 0) {
				size_t room =
				    sizeof(r[i].output) - 1 - r[i].len;
				size_t take =
				    (size_t)got < room ? (size_t)got : room;
				memcpy(r[i].output + r[i].len, buf, take);
				r[i].len += take;
				r[i].output[r[i].len] = '\0';
			} else if (got == 0 ||
			           (errno != EAGAIN && errno != EINTR)) {
				r[i].ended_ms = probe_now_ms();
				close(r[i].fd);
				r[i].fd = -1;
				open_fds--;
			}
		}
	}
	/* Output closed: the process is exiting.  A command that closed its
	 * stdout but lingers is given until its deadline, then killed. */
	for (size_t i = 0; i < n; i++) {
		int wstatus = 0;

		if (r[i].pid <= 0)
			continue;
		for (;;) {
			pid_t w = waitpid(r[i].pid, &wstatus, WNOHANG);
			if (w == r[i].pid || (w < 0 && errno != EINTR))
				break;
			if (probe_now_ms() >= r[i].deadline_ms) {
				kill(-r[i].pid, SIGKILL);
				r[i].timed_out = 1;
				waitpid(r[i].pid, &wstatus, 0);
				break;
			}
			usleep(5000);
		}
		command_judge(specs[i], &r[i], wstatus, &out[i]);
	}
	free(r);
	free(pfd);
}

const struct probe_kind probe_kind_command = {
    .name = "command",
    .keys = command_keys,
    .parse = command_parse,
    .run = command_run,
};
