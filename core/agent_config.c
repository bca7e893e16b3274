/* Reading the "agent" section; the shape is in agent_config.h. */
#include "core/agent_config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/httpd.h"
#include "core/xmalloc.h"

static const char *const section_keys[] = {"name",
                                           "heartbeat",
                                           "jobs",
                                           "metrics_listen",
                                           "metrics_textfile",
                                           "parallel_jobs",
                                           "restore_tests_at_once",
                                           "heartbeat_url",
                                           NULL};
static const char *const job_keys[] = {"name", "schedule", "command", "timeout",
                                       NULL};

static void read_job(struct agent_config *ac, const struct json_doc *doc,
                     const cJSON *obj, struct json_errors *errs)
{
	struct agent_job_spec *job;
	const char *name = NULL, *sched = NULL;
	const cJSON *cmd;
	long long secs;
	char *err = NULL;

	if (!cJSON_IsObject(obj)) {
		json_errors_add(errs, doc, obj,
		                "expected a job object with \"name\", "
		                "\"schedule\" and \"command\"");
		return;
	}
	ac->jobs = xreallocarray(ac->jobs, ac->n_jobs + 1, sizeof(*ac->jobs));
	job = &ac->jobs[ac->n_jobs++];
	memset(job, 0, sizeof(*job));
	job->timeout_s = 3600;
	json_check_keys(errs, doc, obj, "a job", job_keys);
	if (json_get_string(errs, doc, obj, "name", 1, &name) == 1) {
		if (name[0] == '\0' || strlen(name) >= sizeof(job->name))
			json_errors_add(
			    errs, doc,
			    cJSON_GetObjectItemCaseSensitive(obj, "name"),
			    "expected a job name of 1 to %zu characters",
			    sizeof(job->name) - 1);
		strlcpy_dr(job->name, name, sizeof(job->name));
		for (size_t i = 0; i + 1 < ac->n_jobs; i++)
			if (strcmp(ac->jobs[i].name, job->name) == 0)
				json_errors_add(
				    errs, doc,
				    cJSON_GetObjectItemCaseSensitive(obj,
				                                     "name"),
				    "two jobs are named \"%s\"", job->name);
	}
	if (json_get_string(errs, doc, obj, "schedule", 1, &sched) == 1 &&
	    schedule_parse(sched, &job->schedule, &err) != 0) {
		json_errors_add(
		    errs, doc,
		    cJSON_GetObjectItemCaseSensitive(obj, "schedule"), "%s",
		    err);
		free(err);
	}
	if (json_get_duration(errs, doc, obj, "timeout", 0, &secs) == 1) {
		if (secs < 1)
			json_errors_add(
			    errs, doc,
			    cJSON_GetObjectItemCaseSensitive(obj, "timeout"),
			    "\"timeout\" must be at least 1s");
		else
			job->timeout_s = secs;
	}
	cmd = cJSON_GetObjectItemCaseSensitive(obj, "command");
	if (cmd == NULL) {
		json_errors_add(errs, doc, obj, "a job needs \"command\"");
	} else if (cJSON_IsString(cmd) && cmd->valuestring[0] != '\0') {
		job->argv = xcalloc(4, sizeof(char *));
		job->argv[0] = xstrdup("/bin/sh");
		job->argv[1] = xstrdup("-c");
		job->argv[2] = xstrdup(cmd->valuestring);
	} else if (cJSON_IsArray(cmd) && cJSON_GetArraySize(cmd) > 0) {
		const cJSON *a;
		size_t n = 0;
		job->argv = xcalloc((size_t)cJSON_GetArraySize(cmd) + 1,
		                    sizeof(char *));
		cJSON_ArrayForEach(a, cmd)
		{
			if (cJSON_IsString(a))
				job->argv[n++] = xstrdup(a->valuestring);
			else
				json_errors_add(errs, doc, a,
				                "expected a string argument");
		}
	} else {
		json_errors_add(errs, doc, cmd,
		                "expected a non-empty string or array for "
		                "\"command\"");
	}
}

/* metrics_listen "HOST:PORT" (httpd_parse_listen says what is wrong) and
 * metrics_textfile, an absolute path. */
static void read_metrics(struct agent_config *ac, const struct json_doc *doc,
                         const cJSON *node, struct json_errors *errs)
{
	const char *v;
	char *why = NULL;

	if (json_get_string(errs, doc, node, "metrics_listen", 0, &v) == 1) {
		if (httpd_parse_listen(v, NULL, NULL, &why) != DR_OK)
			json_errors_add(errs, doc,
			                cJSON_GetObjectItemCaseSensitive(
			                    node, "metrics_listen"),
			                "\"metrics_listen\": %s", why);
		else
			ac->metrics_listen = xstrdup(v);
		free(why);
	}
	if (json_get_string(errs, doc, node, "metrics_textfile", 0, &v) == 1) {
		if (v[0] != '/')
			json_errors_add(
			    errs, doc,
			    cJSON_GetObjectItemCaseSensitive(
			        node, "metrics_textfile"),
			    "\"metrics_textfile\" must be an absolute "
			    "path, found \"%s\"",
			    v);
		else
			ac->metrics_textfile = xstrdup(v);
	}
}

/* A whole number from 1 to 16 at key, into *out when given. */
static void read_count(const struct json_doc *doc, const cJSON *node,
                       const char *key, struct json_errors *errs, int *out)
{
	const cJSON *pj = cJSON_GetObjectItemCaseSensitive(node, key);

	if (pj == NULL)
		return;
	if (!cJSON_IsNumber(pj) || pj->valuedouble < 1 ||
	    pj->valuedouble > 16 ||
	    pj->valuedouble != (double)(int)pj->valuedouble)
		json_errors_add(errs, doc, pj,
		                "\"%s\": expected a whole number from 1 to 16",
		                key);
	else
		*out = (int)pj->valuedouble;
}

/* parallel_jobs and restore_tests_at_once, whole numbers from 1 to 16;
 * heartbeat_url, http(s). */
static void read_pool(struct agent_config *ac, const struct json_doc *doc,
                      const cJSON *node, struct json_errors *errs)
{
	const char *v;

	read_count(doc, node, "parallel_jobs", errs, &ac->parallel_jobs);
	read_count(doc, node, "restore_tests_at_once", errs,
	           &ac->restore_tests_at_once);
	if (json_get_string(errs, doc, node, "heartbeat_url", 0, &v) == 1) {
		if (strncmp(v, "http://", 7) != 0 &&
		    strncmp(v, "https://", 8) != 0)
			json_errors_add(
			    errs, doc,
			    cJSON_GetObjectItemCaseSensitive(node,
			                                     "heartbeat_url"),
			    "\"heartbeat_url\": expected an http:// "
			    "or https:// URL, found \"%s\"",
			    v);
		else
			ac->heartbeat_url = xstrdup(v);
	}
}

struct agent_config *agent_config_read(const struct json_doc *doc,
                                       const cJSON *node,
                                       struct json_errors *errs)
{
	struct agent_config *ac = xcalloc(1, sizeof(*ac));
	const cJSON *jobs, *j;
	const char *name = NULL;
	long long secs;

	ac->heartbeat_s = 10;
	ac->parallel_jobs = 2;
	ac->restore_tests_at_once = 1;
	if (node == NULL)
		return ac;
	if (!cJSON_IsObject(node)) {
		json_errors_add(errs, doc, node,
		                "expected an object for \"agent\"");
		return ac;
	}
	json_check_keys(errs, doc, node, "\"agent\"", section_keys);
	if (json_get_string(errs, doc, node, "name", 0, &name) == 1) {
		if (!agent_name_valid(name))
			json_errors_add(
			    errs, doc,
			    cJSON_GetObjectItemCaseSensitive(node, "name"),
			    "expected an agent name of 1 to 63 letters, "
			    "digits, "
			    "'.', '_' or '-' for \"name\", found \"%s\"",
			    name);
		else
			strlcpy_dr(ac->name, name, sizeof(ac->name));
	}
	if (json_get_duration(errs, doc, node, "heartbeat", 0, &secs) == 1) {
		if (secs < 1 || secs > 3600)
			json_errors_add(
			    errs, doc,
			    cJSON_GetObjectItemCaseSensitive(node, "heartbeat"),
			    "\"heartbeat\" must be from 1s to 1h");
		else
			ac->heartbeat_s = secs;
	}
	read_metrics(ac, doc, node, errs);
	read_pool(ac, doc, node, errs);
	jobs = cJSON_GetObjectItemCaseSensitive(node, "jobs");
	if (jobs == NULL)
		return ac;
	if (!cJSON_IsArray(jobs)) {
		json_errors_add(errs, doc, jobs,
		                "expected an array of jobs for \"jobs\"");
		return ac;
	}
	cJSON_ArrayForEach(j, jobs) read_job(ac, doc, j, errs);
	return ac;
}

void agent_config_destroy(struct agent_config *ac)
{
	if (ac == NULL)
		return;
	for (size_t i = 0; i < ac->n_jobs; i++) {
		for (char **a = ac->jobs[i].argv; a != NULL && *a != NULL; a++)
			free(*a);
		free(ac->jobs[i].argv);
	}
	free(ac->jobs);
	free(ac->metrics_listen);
	free(ac->metrics_textfile);
	free(ac->heartbeat_url);
	free(ac);
}

int agent_config_parse(struct config *cfg, const struct json_doc *doc,
                       const cJSON *node, struct json_errors *errs)
{
	size_t before = errs->count;

	agent_config_destroy(cfg->agent);
	cfg->agent = agent_config_read(doc, node, errs);
	return errs->count > before ? -1 : 0;
}

void agent_config_free(struct config *cfg)
{
	agent_config_destroy(cfg->agent);
	cfg->agent = NULL;
}

int agent_name_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 63)
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' &&
		    *s != '-')
			return 0;
	return 1;
}

void agent_name(const struct config *cfg, char out[128])
{
	if (cfg != NULL && cfg->agent != NULL && cfg->agent->name[0] != '\0') {
		strlcpy_dr(out, cfg->agent->name, 128);
		return;
	}
	if (gethostname(out, 127) != 0)
		strlcpy_dr(out, "localhost", 128);
	out[127] = '\0';
}
