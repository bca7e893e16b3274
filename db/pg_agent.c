/* The PostgreSQL backend's agent tables (db/catalog_agent.h).  NOT BUILT YET: every entry refuses. */
#include "db/pg_int.h"

#include "db/catalog.h"

static int pg_agent_beat_impl(void *self, const struct catalog_agent *a, char **err)
{
	(void)self;
	(void)a;
	(void)err;
	pg_seterr(err, "agent_beat: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

static int pg_agent_latest_impl(void *self, struct catalog_agent *out, char **err)
{
	(void)self;
	(void)out;
	(void)err;
	pg_seterr(err, "agent_latest: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

static int pg_agent_list_impl(void *self, struct catalog_agent **out, size_t *n, char **err)
{
	(void)self;
	(void)out;
	(void)n;
	(void)err;
	pg_seterr(err, "agent_list: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

static int pg_job_get_impl(void *self, const char *name, struct catalog_job *out, char **err)
{
	(void)self;
	(void)name;
	(void)out;
	(void)err;
	pg_seterr(err, "job_get: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

static int pg_job_start_impl(void *self, const char *name, int64_t now, char **err)
{
	(void)self;
	(void)name;
	(void)now;
	(void)err;
	pg_seterr(err, "job_start: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

static int pg_job_finish_impl(void *self, const char *name, int64_t now, const char *status, const char *message, char **err)
{
	(void)self;
	(void)name;
	(void)now;
	(void)status;
	(void)message;
	(void)err;
	pg_seterr(err, "job_finish: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

static int pg_job_list_impl(void *self, struct catalog_job **out, size_t *n, char **err)
{
	(void)self;
	(void)out;
	(void)n;
	(void)err;
	pg_seterr(err, "job_list: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

static int pg_probe_state_get_impl(void *self, const char *service, const char *probe, struct catalog_probe_state *out, char **err)
{
	(void)self;
	(void)service;
	(void)probe;
	(void)out;
	(void)err;
	pg_seterr(err, "probe_state_get: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

static int pg_probe_state_put_impl(void *self, const struct catalog_probe_state *s, char **err)
{
	(void)self;
	(void)s;
	(void)err;
	pg_seterr(err, "probe_state_put: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

static int pg_probe_state_list_impl(void *self, struct catalog_probe_state **out, size_t *n, char **err)
{
	(void)self;
	(void)out;
	(void)n;
	(void)err;
	pg_seterr(err, "probe_state_list: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

static int pg_notify_state_get_impl(void *self, const char *key, char state[32], int64_t *changed_at, char **err)
{
	(void)self;
	(void)key;
	(void)state;
	(void)changed_at;
	(void)err;
	pg_seterr(err, "notify_state_get: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

static int pg_notify_state_put_impl(void *self, const char *key, const char *state, int64_t at, char **err)
{
	(void)self;
	(void)key;
	(void)state;
	(void)at;
	(void)err;
	pg_seterr(err, "notify_state_put: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

static int pg_notify_insert_impl(void *self, struct catalog_notify *n, char **err)
{
	(void)self;
	(void)n;
	(void)err;
	pg_seterr(err, "notify_insert: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

static int pg_notify_update_impl(void *self, const struct catalog_notify *n, char **err)
{
	(void)self;
	(void)n;
	(void)err;
	pg_seterr(err, "notify_update: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

static int pg_notify_last_told_impl(void *self, const char *channel, const char *event_key, char state[32], char status[16], int64_t *at, char **err)
{
	(void)self;
	(void)channel;
	(void)event_key;
	(void)state;
	(void)status;
	(void)at;
	(void)err;
	pg_seterr(err, "notify_last_told: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

static int pg_notify_count_since_impl(void *self, const char *channel, int64_t since, int drill, int64_t *count, char **err)
{
	(void)self;
	(void)channel;
	(void)since;
	(void)drill;
	(void)count;
	(void)err;
	pg_seterr(err, "notify_count_since: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

static int pg_notify_due_impl(void *self, int64_t now, size_t limit, struct catalog_notify **out, size_t *n, char **err)
{
	(void)self;
	(void)now;
	(void)limit;
	(void)out;
	(void)n;
	(void)err;
	pg_seterr(err, "notify_due: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

static int pg_notify_list_impl(void *self, size_t limit, struct catalog_notify **out, size_t *n, char **err)
{
	(void)self;
	(void)limit;
	(void)out;
	(void)n;
	(void)err;
	pg_seterr(err, "notify_list: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

static int pg_notify_held_impl(void *self, struct catalog_notify **out, size_t *n, char **err)
{
	(void)self;
	(void)out;
	(void)n;
	(void)err;
	pg_seterr(err, "notify_held: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

static int pg_notify_latest_impl(void *self, const char *event_key, const char *state, struct catalog_notify *out, char **err)
{
	(void)self;
	(void)event_key;
	(void)state;
	(void)out;
	(void)err;
	pg_seterr(err, "notify_latest: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

static int pg_notify_undelivered_impl(void *self, struct catalog_notify **out, size_t *n, char **err)
{
	(void)self;
	(void)out;
	(void)n;
	(void)err;
	pg_seterr(err, "notify_undelivered: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

static int pg_notify_state_list_impl(void *self, struct catalog_notify_state **out, size_t *n, char **err)
{
	(void)self;
	(void)out;
	(void)n;
	(void)err;
	pg_seterr(err, "notify_state_list: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

static int pg_alarm_mark_put_impl(void *self, const struct catalog_alarm_mark *m, char **err)
{
	(void)self;
	(void)m;
	(void)err;
	pg_seterr(err, "alarm_mark_put: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

static int pg_alarm_mark_delete_impl(void *self, const char *event_key, const char *kind, int *deleted, char **err)
{
	(void)self;
	(void)event_key;
	(void)kind;
	(void)deleted;
	(void)err;
	pg_seterr(err, "alarm_mark_delete: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

static int pg_alarm_mark_list_impl(void *self, struct catalog_alarm_mark **out, size_t *n, char **err)
{
	(void)self;
	(void)out;
	(void)n;
	(void)err;
	pg_seterr(err, "alarm_mark_list: not built yet in the PostgreSQL catalog backend");
	return CATALOG_EINVAL;
}

const struct catalog_agent_ops pg_agent_ops = {
    .agent_beat = pg_agent_beat_impl,
    .agent_latest = pg_agent_latest_impl,
    .agent_list = pg_agent_list_impl,
    .job_get = pg_job_get_impl,
    .job_start = pg_job_start_impl,
    .job_finish = pg_job_finish_impl,
    .job_list = pg_job_list_impl,
    .probe_state_get = pg_probe_state_get_impl,
    .probe_state_put = pg_probe_state_put_impl,
    .probe_state_list = pg_probe_state_list_impl,
    .notify_state_get = pg_notify_state_get_impl,
    .notify_state_put = pg_notify_state_put_impl,
    .notify_insert = pg_notify_insert_impl,
    .notify_update = pg_notify_update_impl,
    .notify_last_told = pg_notify_last_told_impl,
    .notify_count_since = pg_notify_count_since_impl,
    .notify_due = pg_notify_due_impl,
    .notify_list = pg_notify_list_impl,
    .notify_held = pg_notify_held_impl,
    .notify_latest = pg_notify_latest_impl,
    .notify_undelivered = pg_notify_undelivered_impl,
    .notify_state_list = pg_notify_state_list_impl,
    .alarm_mark_put = pg_alarm_mark_put_impl,
    .alarm_mark_delete = pg_alarm_mark_delete_impl,
    .alarm_mark_list = pg_alarm_mark_list_impl,
};
