/* The "command" source: the backup is what the command writes to stdout. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "core/cancel.h"
#include "core/error.h"
#include "core/source.h"
#include "core/spawn.h"
#include "core/xmalloc.h"

static int command_open(const struct source_spec *spec, void **impl, char **err)
{
	struct spawn *sp = NULL;
	if ((spec->argv == NULL || spec->argv[0] == NULL) &&
	    spec->shell == NULL) {
		*err = xasprintf("command source: no command given");
		return DR_EINVAL;
	}
	/* A group of its own: a stop kills what the command started too (a
	 * silent `sleep` under sh would otherwise hold the pipe open). */
	int rc =
	    spawn_start_group(spec->shell != NULL ? NULL : spec->argv,
	                      spec->shell, spec->env, SPAWN_READ, &sp, err);
	if (rc != DR_OK)
		return rc;
	*impl = sp;
	return DR_OK;
}

static int command_read(void *impl, void *buf, size_t cap, size_t *got,
                        char **err)
{
	struct spawn *sp = impl;
	struct pollfd pfd = {.fd = spawn_fd(sp), .events = POLLIN};

	for (;;) {
		/* A stop request is heard even while the command is silent. */
		if (cancel_requested()) {
			*err = xasprintf("interrupted: %s was stopped",
			                 spawn_name(sp));
			return DR_EIO;
		}
		int ready = poll(&pfd, 1, 200);
		if (ready < 0 && errno != EINTR) {
			*err = xasprintf("waiting for %s: %s", spawn_name(sp),
			                 strerror(errno));
			return DR_EIO;
		}
		if (ready <= 0)
			continue;
		ssize_t n = read(spawn_fd(sp), buf, cap);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*err = xasprintf("reading from %s: %s", spawn_name(sp),
			                 strerror(errno));
			return DR_EIO;
		}
		*got = (size_t)n;
		return DR_OK;
	}
}

static int command_close(void *impl, int ok, char **err)
{
	if (!ok) {
		spawn_kill(impl);
		return DR_OK;
	}
	return spawn_finish(impl, err);
}

const struct source_kind source_command_kind = {
    .name = "command",
    .open = command_open,
    .read = command_read,
    .close = command_close,
};
