/* See hold_beat.h. */
#include "core/hold_beat.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/xmalloc.h"
#include "db/catalog.h"
#include "db/catalog_runbook.h"

struct hold_beat {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stop;
	char *where;
	char recovery_id[40];
	char host[128];
	int64_t pid;
};

static void *beat_main(void *arg)
{
	struct hold_beat *b = arg;
	struct catalog *cat = NULL;
	struct timespec at;
	char *err = NULL;
	int held = 1;

	clock_gettime(CLOCK_REALTIME, &at);
	pthread_mutex_lock(&b->lock);
	while (!b->stop && held) {
		at.tv_sec += HOLD_BEAT_S;
		while (!b->stop &&
		       pthread_cond_timedwait(&b->wake, &b->lock, &at) == 0)
			;
		if (b->stop)
			break;
		pthread_mutex_unlock(&b->lock);
		/* Opened when first needed, and again after a failure: a
		 * server that went away is tried every beat. */
		if (cat == NULL &&
		    catalog_open(b->where, 0, &cat, &err) != CATALOG_OK) {
			free(err);
			err = NULL;
			cat = NULL;
		}
		if (cat != NULL) {
			int rc = catalog_runbook_exec_beat(
			    cat, b->recovery_id, b->host, b->pid, &err);
			if (rc == CATALOG_ENOTFOUND) {
				held = 0; /* ended, released or taken over */
			} else if (rc != CATALOG_OK) {
				catalog_close(cat);
				cat = NULL;
			}
			free(err);
			err = NULL;
		}
		pthread_mutex_lock(&b->lock);
	}
	pthread_mutex_unlock(&b->lock);
	catalog_close(cat);
	return NULL;
}

int hold_beat_shared(const char *where)
{
	return catalog_where_shared(where);
}

struct hold_beat *hold_beat_start(const char *where, const char *recovery_id,
                                  const char *host, int64_t pid)
{
	struct hold_beat *b;

	if (!hold_beat_shared(where))
		return NULL;
	b = xcalloc(1, sizeof(*b));
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->wake, NULL);
	b->where = xstrdup(where);
	strlcpy_dr(b->recovery_id, recovery_id, sizeof(b->recovery_id));
	strlcpy_dr(b->host, host, sizeof(b->host));
	b->pid = pid;
	/* Signals are the main thread's (Ctrl-C must cut its wait short):
	 * the beat thread takes none. */
	sigset_t all, old;
	int made;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	made = pthread_create(&b->thread, NULL, beat_main, b);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (made != 0) {
		pthread_cond_destroy(&b->wake);
		pthread_mutex_destroy(&b->lock);
		free(b->where);
		free(b);
		return NULL;
	}
	return b;
}

void hold_beat_stop(struct hold_beat *b)
{
	if (b == NULL)
		return;
	pthread_mutex_lock(&b->lock);
	b->stop = 1;
	pthread_cond_signal(&b->wake);
	pthread_mutex_unlock(&b->lock);
	pthread_join(b->thread, NULL);
	pthread_cond_destroy(&b->wake);
	pthread_mutex_destroy(&b->lock);
	free(b->where);
	free(b);
}
