/* Scheduled imports; the model is in agent_import.h.  The command's output
 * goes to an unlinked temporary file, not to memory: a pgBackRest listing
 * of a large repository is read twice and may be large. */
#include "core/agent_import.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/audit.h"
#include "core/error.h"
#include "core/import.h"
#include "core/import_config.h"
#include "core/import_restore.h"
#include "core/notify.h"
#include "core/spawn.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "db/catalog_agent.h"

static void logf_(void (*log)(void *, const char *), void *arg, const char *fmt,
                  ...) __attribute__((format(printf, 3, 4)));

static void logf_(void (*log)(void *, const char *), void *arg, const char *fmt,
                  ...)
{
	char line[768];
	va_list ap;

	if (log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log(arg, line);
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

/* One import; *message says how it went (malloc'd). */
static int import_one(struct catalog *cat, const struct config *cfg,
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
	/* The failure is a fact of its own, in its own transaction. */
	if (catalog_begin(cat, &err) == DR_OK &&
	    audit_record(cat, "backup.import.failed", job, *message, &err) ==
	        DR_OK &&
	    catalog_commit(cat, &err) == DR_OK) {
		/* recorded */
	} else {
		catalog_rollback(cat);
		free(err);
	}
	notify_import(cat, cfg, job, "failed", *message);
	return rc;
}

/* The restore tests of imports with a "restore_test" "schedule": job
 * "restore-test:import:NAME".  A failed test is recorded by
 * import_restore_test itself (the service turns AT RISK, which the
 * agent's verdict notifications report). */
static void restore_test_jobs(struct catalog *cat, const struct config *cfg,
                              int64_t since, void (*log)(void *, const char *),
                              void *log_arg)
{
	for (size_t i = 0; cfg->imports != NULL && i < cfg->imports->n_specs;
	     i++) {
		const struct import_spec *sp = &cfg->imports->specs[i];
		struct import_restore_outcome out;
		struct catalog_job job;
		char name[128], *err = NULL, *msg;
		int64_t last = 0, now = time_now();
		int rc;

		if (sp->restore_test == NULL || !sp->restore_test->has_schedule)
			continue;
		snprintf(name, sizeof(name), "restore-test:import:%s",
		         sp->name);
		rc = catalog_job_get(cat, name, &job, &err);
		if (rc == DR_OK)
			last = job.last_started_at;
		free(err);
		err = NULL;
		if (rc != DR_OK && rc != DR_ENOTFOUND)
			continue;
		if (!schedule_due(&sp->restore_test->schedule, last, since,
		                  now))
			continue;
		if (catalog_job_start(cat, name, now, &err) != DR_OK) {
			logf_(log, log_arg, "%s: %s", name, err);
			free(err);
			continue;
		}
		logf_(log, log_arg, "%s: started (%s)", name,
		      sp->restore_test->schedule.text);
		rc = import_restore_test(cat, cfg, sp, &out, &err);
		msg = rc == DR_OK
		          ? xasprintf("backup %s (%s), %lld bytes in %.2fs",
		                      out.backup_id, out.label,
		                      (long long)out.bytes, out.seconds)
		          : xasprintf("%s", err ? err : dr_status_name(rc));
		free(err);
		catalog_job_finish(cat, name, time_now(),
		                   rc == DR_OK ? "ok" : "failed", msg, NULL);
		logf_(log, log_arg, "%s: %s (%s)", name,
		      rc == DR_OK ? "passed" : "FAILED", msg);
		free(msg);
	}
}

void agent_import_jobs(struct catalog *cat, const struct config *cfg,
                       int64_t since, void (*log)(void *, const char *),
                       void *log_arg)
{
	for (size_t i = 0; cfg->imports != NULL && i < cfg->imports->n_specs;
	     i++) {
		const struct import_spec *sp = &cfg->imports->specs[i];
		struct catalog_job job;
		char name[128], *err = NULL, *msg = NULL;
		int64_t last = 0, now = time_now();
		int rc;

		if (sp->argv == NULL || !sp->has_schedule)
			continue;
		snprintf(name, sizeof(name), "import:%s", sp->name);
		rc = catalog_job_get(cat, name, &job, &err);
		if (rc == DR_OK)
			last = job.last_started_at;
		free(err);
		err = NULL;
		if (rc != DR_OK && rc != DR_ENOTFOUND)
			continue;
		if (!schedule_due(&sp->schedule, last, since, now))
			continue;
		if (catalog_job_start(cat, name, now, &err) != DR_OK) {
			logf_(log, log_arg, "%s: %s", name, err);
			free(err);
			continue;
		}
		logf_(log, log_arg, "%s: started (%s)", name,
		      sp->schedule.text);
		rc = import_one(cat, cfg, sp, name, &msg);
		catalog_job_finish(cat, name, time_now(),
		                   rc == DR_OK ? "ok" : "failed", msg, NULL);
		logf_(log, log_arg, "%s: %s (%s)", name,
		      rc == DR_OK ? "finished" : "FAILED", msg);
		free(msg);
	}
	/* After the imports: a test takes the newest imported backup. */
	restore_test_jobs(cat, cfg, since, log, log_arg);
}
