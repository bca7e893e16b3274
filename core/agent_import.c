/* Scheduled imports; the model is in agent_import.h.  The command's output
 * goes to an unlinked temporary file, not to memory: a pgBackRest listing
 * of a large repository is read twice and may be large. */
#include "core/agent_import.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/import.h"
#include "core/import_config.h"
#include "core/import_restore.h"
#include "core/notify.h"
#include "core/ops.h"
#include "core/spawn.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "db/catalog_agent.h"

/* The audit row of a failed import carries the message as its details. */
static int failure_details(struct catalog *cat, void *arg, char **details,
                           char **err)
{
	(void)cat;
	(void)err;
	*details = xstrdup(arg);
	return DR_OK;
}

/* Runs the command; its standard output in *out (rewound).  A message
 * that says what went wrong otherwise. */
static int run_command(const struct import_spec *sp, FILE **out, char **err)
{
	struct spawn *child = NULL;
	struct spawn_exit ex;
	int64_t deadline = time_now() + sp->timeout_s;
	FILE *f = tmpfile();
	char buf[65536];
	int rc;

	*out = NULL;
	if (f == NULL) {
		*err = xasprintf("cannot make a temporary file: %s",
		                 strerror(errno));
		return DR_EIO;
	}
	if ((rc = spawn_start(sp->argv, NULL, NULL, SPAWN_READ, &child, err)) !=
	    DR_OK) {
		fclose(f);
		return rc;
	}
	for (;;) {
		struct pollfd p = {.fd = spawn_fd(child), .events = POLLIN};
		int64_t left = deadline - time_now();
		if (left <= 0) {
			spawn_kill(child);
			fclose(f);
			*err = xasprintf("%s: killed after %llds (its timeout)",
			                 sp->argv[0], (long long)sp->timeout_s);
			return DR_ETIMEOUT;
		}
		int pr = poll(&p, 1, (int)(left > 1 ? 1000 : left * 1000));
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			continue;
		ssize_t n = read(p.fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (fwrite(buf, 1, (size_t)n, f) != (size_t)n) {
			spawn_kill(child);
			fclose(f);
			*err = xasprintf("cannot keep the output: %s",
			                 strerror(errno));
			return DR_EIO;
		}
	}
	if ((rc = spawn_wait(child, &ex, err)) != DR_OK) {
		fclose(f);
		return rc;
	}
	if (!ex.exited || ex.code != 0) {
		char *why = spawn_exit_describe(&ex);
		*err = xasprintf("%s %s", sp->argv[0], why);
		free(why);
		fclose(f);
		return DR_EIO;
	}
	rewind(f);
	*out = f;
	return DR_OK;
}

static void notify_import(struct catalog *cat, const struct config *cfg,
                          const char *subject, const char *state,
                          const char *message)
{
	struct notify_event ev = {
	    .type = "backup",
	    .subject = subject,
	    .state = state,
	    .message = message,
	};
	char *err = NULL;

	if (notify_event(cat, cfg->notify, cfg->environment, &ev, time_now(), 0,
	                 NULL, &err) != DR_OK)
		free(err);
}

int agent_import_run(struct catalog *cat, const struct config *cfg,
                     const struct import_spec *sp, const char *job,
                     char **message)
{
	struct import_result res;
	struct import_options o = {
	    .format = sp->format,
	    .source = job,
	    .spec = sp->name,
	    .actor_note = "agent",
	};
	FILE *out = NULL;
	char *err = NULL;
	int rc = run_command(sp, &out, &err);

	memset(&res, 0, sizeof(res));
	if (rc == DR_OK)
		rc = import_run(cat, cfg, &o, out, &res, &err);
	if (out != NULL)
		fclose(out);
	if (rc == DR_OK) {
		*message = xasprintf(
		    "%zu new, %zu updated, %zu unchanged, %zu expired, %zu "
		    "failed, %zu unmapped",
		    res.inserted, res.updated, res.unchanged, res.expired,
		    res.failed, res.unmapped);
		import_result_free(&res);
		notify_import(cat, cfg, job, "ok", *message);
		return DR_OK;
	}
	import_result_free(&res);
	*message = xasprintf("import failed, nothing imported: %s",
	                     err ? err : dr_status_name(rc));
	free(err);
	err = NULL;
	/* The failure is a fact of its own, in its own transaction; one
	 * that cannot be recorded is still notified below. */
	ops_audited(cat, "backup.import.failed", job, failure_details, *message,
	            &err);
	free(err);
	notify_import(cat, cfg, job, "failed", *message);
	return rc;
}

int agent_restore_test_run(struct catalog *cat, const struct config *cfg,
                           const struct import_spec *sp, char **message)
{
	struct import_restore_outcome out;
	char *err = NULL;
	/* A failed test is recorded by import_restore_test itself: the
	 * service turns AT RISK, which the verdict notifications report. */
	int rc = import_restore_test(cat, cfg, sp, &out, &err);

	*message =
	    rc == DR_OK
	        ? xasprintf("passed: backup %s (%s), %lld bytes in %.2fs",
	                    out.backup_id, out.label, (long long)out.bytes,
	                    out.seconds)
	        : xasprintf("FAILED: %s", err ? err : dr_status_name(rc));
	free(err);
	return rc;
}
