/* The agent's metrics; the model is in core/agent_metrics.h. */
#include "core/agent_metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/agent_config.h"
#include "core/error.h"
#include "core/fileutil.h"
#include "core/httpd.h"
#include "core/metrics.h"
#include "core/testprog.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

struct agent_metrics {
	char *catalog_path;
	struct httpd *httpd;
	pthread_mutex_t lock; /* guards policy and prog */
	struct compliance_policy policy;
	/* The policy's programme, a copy of the config's (which a reload
	 * frees); each request renders with a copy of its own. */
	struct test_programme *prog;
	agent_metrics_log log;
	void *log_arg;
};

static void say(const struct agent_metrics *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void say(const struct agent_metrics *m, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (m->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	m->log(m->log_arg, line);
}

static void serve(void *arg, const char *method, const char *path,
                  struct httpd_response *resp)
{
	struct agent_metrics *m = arg;
	struct compliance_policy policy;
	struct catalog *cat = NULL;
	char *err = NULL;

	resp->content_type = "text/plain; charset=utf-8";
	if (strcmp(path, "/metrics") != 0) {
		resp->status = 404;
		resp->body = xstrdup("not found: only /metrics is served\n");
		return;
	}
	/* HEAD is GET without the body (the server drops it). */
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		resp->status = 405;
		resp->allow = "GET, HEAD";
		resp->body = xstrdup("method not allowed: GET /metrics\n");
		return;
	}
	pthread_mutex_lock(&m->lock);
	policy = m->policy;
	struct test_programme *prog = testprog_dup(m->prog);
	pthread_mutex_unlock(&m->lock);
	policy.programme = prog;
	int rc = catalog_open(m->catalog_path, CATALOG_READONLY, &cat, &err);
	if (rc == CATALOG_OK)
		rc =
		    metrics_render(cat, &policy, time_now(), &resp->body, &err);
	catalog_close(cat);
	testprog_free(prog);
	if (rc != DR_OK) {
		resp->status = 500;
		resp->body = xasprintf("drconsole: %s\n",
		                       err ? err : "cannot read the catalog");
		free(err);
		return;
	}
	resp->status = 200;
	resp->content_type = METRICS_CONTENT_TYPE;
}

int agent_metrics_start(const char *catalog_path, const struct config *cfg,
                        agent_metrics_log log, void *log_arg,
                        struct agent_metrics **out, char **err)
{
	const struct agent_config *ac = cfg->agent;
	struct agent_metrics *m = xcalloc(1, sizeof(*m));

	*out = NULL;
	m->catalog_path = xstrdup(catalog_path ? catalog_path : "");
	m->policy = cfg->policy;
	m->prog = testprog_dup(cfg->tests);
	m->policy.programme = NULL; /* m->prog, set per request */
	m->log = log;
	m->log_arg = log_arg;
	pthread_mutex_init(&m->lock, NULL);
	if (ac != NULL && ac->metrics_listen != NULL) {
		int rc =
		    httpd_start(ac->metrics_listen, serve, m, &m->httpd, err);
		if (rc != DR_OK) {
			agent_metrics_stop(m);
			return rc;
		}
		say(m, "metrics: serving GET /metrics on %s (port %d)",
		    ac->metrics_listen, httpd_port(m->httpd));
	}
	*out = m;
	return DR_OK;
}

void agent_metrics_beat(struct agent_metrics *m, struct catalog *cat,
                        const struct config *cfg)
{
	if (m == NULL)
		return;
	struct test_programme *prog = testprog_dup(cfg->tests), *old;
	pthread_mutex_lock(&m->lock);
	m->policy = cfg->policy;
	m->policy.programme = NULL;
	old = m->prog;
	m->prog = prog;
	pthread_mutex_unlock(&m->lock);
	testprog_free(old);
	if (cfg->agent == NULL || cfg->agent->metrics_textfile == NULL)
		return;
	char *text = NULL, *err = NULL;
	int rc = metrics_render(cat, &cfg->policy, time_now(), &text, &err);
	if (rc == DR_OK)
		rc = file_write_atomic(cfg->agent->metrics_textfile, text, 0644,
		                       &err);
	if (rc != DR_OK)
		say(m, "metrics: %s", err ? err : "cannot write the textfile");
	free(err);
	free(text);
}

void agent_metrics_stop(struct agent_metrics *m)
{
	if (m == NULL)
		return;
	httpd_stop(m->httpd);
	pthread_mutex_destroy(&m->lock);
	testprog_free(m->prog);
	free(m->catalog_path);
	free(m);
}
