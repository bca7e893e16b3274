/* The agent's hooks into core/backup.h; see agent_backup.h. */
#include "core/agent_backup.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/backup.h"
#include "core/backup_config.h"
#include "core/error.h"
#include "core/notify.h"
#include "core/ops_backup.h"
#include "core/testprog.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

/* Jobs run on several threads: the first of them reaps, and the others
 * wait for it, so that no backup is running while stale ones are reaped. */
static pthread_mutex_t agent_backup_reap_lock = PTHREAD_MUTEX_INITIALIZER;
static int agent_backup_reaped;

static void agent_backup_add(struct agent_hook_job **out, size_t *n,
                             const char *kind, const char *target,
                             int64_t every_s)
{
	struct agent_hook_job *j;

	*out = xreallocarray(*out, *n + 1, sizeof(**out));
	j = &(*out)[(*n)++];
	memset(j, 0, sizeof(*j));
	snprintf(j->name, sizeof(j->name), "%s%s%s", kind, target ? ":" : "",
	         target ? target : "");
	strlcpy_dr(j->kind, kind, sizeof(j->kind));
	strlcpy_dr(j->target, target ? target : "", sizeof(j->target));
	j->schedule.kind = SCHEDULE_INTERVAL;
	j->schedule.interval_s = every_s;
	snprintf(j->schedule.text, sizeof(j->schedule.text), "%llds",
	         (long long)every_s);
}

static size_t agent_backup_jobs(const struct config *cfg,
                                struct agent_hook_job **out)
{
	const struct backup_config *bc = cfg->backup;
	size_t n = 0;
	int any = 0, copies = 0;

	*out = NULL;
	for (size_t i = 0; bc != NULL && i < bc->n_targets; i++) {
		const struct backup_target *t = &bc->targets[i];
		if (t->schedule_s <= 0)
			continue;
		any = 1;
		copies |= t->copy_repository != NULL;
		agent_backup_add(out, &n, "backup", t->name, t->schedule_s);
		agent_backup_add(out, &n, "verify", t->name, t->schedule_s);
	}
	for (size_t i = 0; bc != NULL && i < bc->n_targets; i++) {
		const struct backup_target *t = &bc->targets[i];
		if (!t->has_test_schedule)
			continue;
		agent_backup_add(out, &n, "restore-test", t->name, 0);
		(*out)[n - 1].schedule = t->test_schedule;
	}
	if (cfg->tests != NULL && cfg->tests->n > 0)
		agent_backup_add(out, &n, "programme", NULL, 60);
	if (any)
		agent_backup_add(out, &n, "retention", NULL, 3600);
	if (copies)
		agent_backup_add(out, &n, "copy", NULL, 3600);
	return n;
}

static void agent_backup_notify(struct catalog *cat, const struct config *cfg,
                                const char *service, const char *target,
                                const char *state, const char *message)
{
	struct notify_event ev = {
	    .type = "backup",
	    .service = service,
	    .subject = target,
	    .state = state,
	    .message = message,
	};
	char *err = NULL;

	if (notify_event(cat, cfg->notify, cfg->environment, &ev, time_now(), 0,
	                 NULL, &err) != DR_OK)
		free(err);
}

/* When this agent last tried each (test, service) of the programme: a
 * test that fails before it restores anything (no backup to test, a key
 * file it cannot use) leaves no restores row to go by.  The agent's own
 * memory: a restart tries again at once. */
#define TRIED_MAX 256
static pthread_mutex_t tried_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char key[160];
	int64_t at;
} tried[TRIED_MAX];
static size_t n_tried;

static int64_t tried_get(const char *key)
{
	int64_t at = 0;
	pthread_mutex_lock(&tried_lock);
	for (size_t i = 0; i < n_tried; i++)
		if (strcmp(tried[i].key, key) == 0)
			at = tried[i].at;
	pthread_mutex_unlock(&tried_lock);
	return at;
}

static void tried_put(const char *key, int64_t at)
{
	size_t i;
	pthread_mutex_lock(&tried_lock);
	for (i = 0; i < n_tried; i++)
		if (strcmp(tried[i].key, key) == 0)
			break;
	if (i == n_tried && n_tried < TRIED_MAX)
		strlcpy_dr(tried[n_tried++].key, key, sizeof tried[0].key);
	if (i < n_tried)
		tried[i].at = at;
	pthread_mutex_unlock(&tried_lock);
}

/* The test programme's round: each overdue restore test runs (again no
 * sooner than min(every, 1 h) after its last run or this agent's last
 * try, so that a failing one is not retried every minute), and each drill
 * is announced when it falls due (it needs people: `drconsole tests run
 * NAME`). */
static int agent_programme(struct catalog *cat, const struct config *cfg,
                           char **message)
{
	const struct ops_session ses = {.cat = cat, .cfg = cfg};
	struct test_status *ts = NULL;
	size_t n = 0, ran = 0, failed = 0, due = 0;
	char *err = NULL;
	int64_t now = time_now();
	int rc = testprog_eval(cat, cfg->tests, NULL, now, &ts, &n, &err);

	if (rc != DR_OK) {
		*message = xasprintf("programme: %s", err ? err : "");
		free(err);
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		const struct test_status *t = &ts[i];
		const struct test_spec *sp = t->spec;
		char subject[160], *text = NULL;
		snprintf(subject, sizeof subject, "test:%s", sp->name);
		if (strcmp(sp->kind, "drill") == 0) {
			text = t->overdue
			           ? xasprintf("drill %s of %s (runbook %s) is "
			                       "due: drconsole tests run %s",
			                       sp->name, t->service,
			                       sp->runbook, sp->name)
			           : xasprintf("drill %s of %s is not due",
			                       sp->name, t->service);
			struct notify_event ev = {
			    .type = "runbook",
			    .service = t->service,
			    .subject = subject,
			    .state = t->overdue ? "due" : "ok",
			    .message = text,
			    .severity = t->overdue ? "warning" : NULL,
			};
			if (notify_event(cat, cfg->notify, cfg->environment,
			                 &ev, now, 0, NULL, &err) != DR_OK) {
				free(err);
				err = NULL;
			}
			due += t->overdue != 0;
			free(text);
			continue;
		}
		int64_t gap = sp->every_s < 3600 ? sp->every_s : 3600;
		char key[160];
		snprintf(key, sizeof key, "%s\n%s", sp->name, t->service);
		int64_t last = tried_get(key);
		if (t->last_at > last)
			last = t->last_at;
		if (!t->overdue || (last > 0 && now - last < gap))
			continue;
		tried_put(key, now);
		const struct backup_target *tg =
		    testprog_target(cfg, sp, t->service, &err);
		struct backup_outcome out;
		memset(&out, 0, sizeof out);
		ran++;
		rc = tg != NULL ? ops_backup_restore_test(&ses, tg->name, NULL,
		                                          &out, &err)
		                : DR_ENOTFOUND;
		if (rc == DR_OK)
			text = xasprintf(
			    "test %s of %s passed: backup %s, %llu "
			    "bytes in %.1fs",
			    sp->name, t->service, out.backup_id,
			    (unsigned long long)out.plain_bytes, out.seconds);
		else
			text = xasprintf("test %s of %s FAILED: %s", sp->name,
			                 t->service, err ? err : "");
		failed += rc != DR_OK;
		agent_backup_notify(cat, cfg, t->service, subject,
		                    rc == DR_OK ? "ok" : "failed", text);
		free(text);
		free(err);
		err = NULL;
	}
	free(ts);
	*message = xasprintf("%zu test%s: %zu restore test%s run, %zu "
	                     "failed; %zu drill%s due",
	                     n, n == 1 ? "" : "s", ran, ran == 1 ? "" : "s",
	                     failed, due, due == 1 ? "" : "s");
	return failed ? DR_EIO : DR_OK;
}

static int agent_backup_run(struct catalog *cat, const struct config *cfg,
                            const struct agent_hook_job *job, char **message)
{
	const struct backup_target *t = NULL;
	struct backup_outcome out;
	/* The agent is a front end too: its jobs go through the ops. */
	const struct ops_session ses = {.cat = cat, .cfg = cfg};
	char *err = NULL;
	int rc;

	memset(&out, 0, sizeof(out));
	pthread_mutex_lock(&agent_backup_reap_lock);
	if (!agent_backup_reaped) {
		/* A backup cut short by a crash (kill -9) is failed, once,
		 * before anything else runs: never left "running". */
		int reaped = 0;
		if (backup_reap_stale(cat, cfg, &reaped, &err) == DR_OK)
			agent_backup_reaped = 1;
		free(err);
		err = NULL;
	}
	pthread_mutex_unlock(&agent_backup_reap_lock);
	if (strcmp(job->kind, "programme") == 0)
		return agent_programme(cat, cfg, message);
	if (job->target[0] != '\0') {
		t = backup_config_target(cfg, job->target);
		if (t == NULL) {
			*message =
			    xasprintf("no backup target %s", job->target);
			return DR_ENOTFOUND;
		}
	}
	if (strcmp(job->kind, "backup") == 0) {
		rc = ops_backup_run(&ses, t->name, &out, &err);
		if (rc == DR_OK) {
			*message = xasprintf(
			    "backup %s %s, %llu bytes in %.1fs", out.backup_id,
			    out.status, (unsigned long long)out.plain_bytes,
			    out.seconds);
			agent_backup_notify(cat, cfg, t->service, t->name, "ok",
			                    *message);
		} else {
			*message = xasprintf("backup failed: %s",
			                     err ? err : dr_status_name(rc));
			agent_backup_notify(cat, cfg, t->service, t->name,
			                    "failed", *message);
		}
	} else if (strcmp(job->kind, "verify") == 0) {
		char id[40];
		rc =
		    backup_latest_of_target(cat, t->service, t->name, id, &err);
		if (rc == DR_OK)
			rc = ops_backup_verify(&ses, id, NULL, &out, &err);
		/* The copies are backups too: the job reads them back as
		 * well, whatever the primary's state. */
		struct backup_copy_check *cc = NULL;
		size_t ncc = 0;
		char *cerr = NULL;
		int crc = DR_OK;
		if (rc == DR_OK || rc == DR_ECORRUPT)
			crc = ops_backup_verify_copies(&ses, id, NULL, &cc,
			                               &ncc, &cerr);
		free(cc);
		if (rc == DR_OK && crc != DR_OK) {
			*message = xasprintf("verified %s, but its %s", id,
			                     cerr ? cerr : dr_status_name(crc));
			agent_backup_notify(cat, cfg, t->service, t->name,
			                    "corrupt", *message);
			rc = crc;
		} else if (rc == DR_OK) {
			*message =
			    ncc > 0 ? xasprintf("verified %s and its %zu "
			                        "cop%s",
			                        id, ncc, ncc == 1 ? "y" : "ies")
			            : xasprintf("verified %s", id);
		} else if (rc == DR_ECORRUPT) {
			*message = xasprintf("backup %s is corrupt: %s", id,
			                     err ? err : "");
			agent_backup_notify(cat, cfg, t->service, t->name,
			                    "corrupt", *message);
		} else {
			*message = xasprintf("verify: %s",
			                     err ? err : dr_status_name(rc));
		}
		free(cerr);
	} else if (strcmp(job->kind, "restore-test") == 0) {
		rc = ops_backup_restore_test(&ses, t->name, NULL, &out, &err);
		if (rc == DR_OK) {
			*message = xasprintf(
			    "restore test of %s passed: %llu bytes in "
			    "%.1fs%s%s",
			    out.backup_id, (unsigned long long)out.plain_bytes,
			    out.seconds, out.note[0] ? "; " : "", out.note);
			agent_backup_notify(cat, cfg, t->service, job->name,
			                    "ok", *message);
		} else {
			/* Recorded as a failed restore test (the service's
			 * RTO evidence) by the restore itself; told as bad
			 * news, which no rate limit holds back. */
			const char *why = err ? err : dr_status_name(rc);
			*message = strncmp(why, "restore test", 12) == 0
			               ? xstrdup(why)
			               : xasprintf("restore test of %s: %s",
			                           t->name, why);
			agent_backup_notify(cat, cfg, t->service, job->name,
			                    "failed", *message);
		}
	} else if (strcmp(job->kind, "retention") == 0) {
		struct backup_prune_item *items = NULL;
		size_t n = 0, deleted = 0;
		rc = ops_backup_prune(&ses, 0, time_now(), &items, &n, &err);
		for (size_t i = 0; i < n; i++)
			deleted += items[i].deleted;
		free(items);
		*message = rc == DR_OK
		               ? xasprintf("%zu backups deleted", deleted)
		               : xasprintf("retention: %s", err ? err : "");
	} else {
		struct backup_copy_item *items = NULL;
		size_t n = 0, ok = 0;
		rc = ops_backup_copy(&ses, NULL, time_now(), &items, &n, &err);
		for (size_t i = 0; i < n; i++)
			ok += items[i].ok != 0;
		free(items);
		*message = rc == DR_OK ? xasprintf("%zu of %zu copied", ok, n)
		                       : xasprintf("copy: %s", err ? err : "");
	}
	free(err);
	return rc;
}

const struct agent_hooks agent_backup_hooks = {
    .name = "backup",
    .jobs = agent_backup_jobs,
    .run = agent_backup_run,
    .failover = NULL,
};
