/* The front of db/catalog_agent.h: every call goes to the backend's agent
 * table (db/backend.h). */
#include "db/catalog_agent.h"

#include "db/catalog_int.h"

int catalog_agent_beat(struct catalog *cat, const struct catalog_agent *a,
                       char **err)
{
	return cat->ops->agent->agent_beat(cat->self, a, err);
}

int catalog_agent_latest(struct catalog *cat, struct catalog_agent *out,
                         char **err)
{
	return cat->ops->agent->agent_latest(cat->self, out, err);
}

int catalog_agent_list(struct catalog *cat, struct catalog_agent **out,
                       size_t *n, char **err)
{
	return cat->ops->agent->agent_list(cat->self, out, n, err);
}

int catalog_job_get(struct catalog *cat, const char *name,
                    struct catalog_job *out, char **err)
{
	return cat->ops->agent->job_get(cat->self, name, out, err);
}

int catalog_job_start(struct catalog *cat, const char *name, int64_t now,
                      int64_t seen, char **err)
{
	return cat->ops->agent->job_start(cat->self, name, now, seen, err);
}

int catalog_job_finish(struct catalog *cat, const char *name, int64_t now,
                       const char *status, const char *message, char **err)
{
	return cat->ops->agent->job_finish(cat->self, name, now, status,
	                                   message, err);
}

int catalog_job_list(struct catalog *cat, struct catalog_job **out, size_t *n,
                     char **err)
{
	return cat->ops->agent->job_list(cat->self, out, n, err);
}

int catalog_probe_state_get(struct catalog *cat, const char *service,
                            const char *probe, struct catalog_probe_state *out,
                            char **err)
{
	return cat->ops->agent->probe_state_get(cat->self, service, probe, out,
	                                        err);
}

int catalog_probe_state_put(struct catalog *cat,
                            const struct catalog_probe_state *s, char **err)
{
	return cat->ops->agent->probe_state_put(cat->self, s, err);
}

int catalog_probe_state_list(struct catalog *cat,
                             struct catalog_probe_state **out, size_t *n,
                             char **err)
{
	return cat->ops->agent->probe_state_list(cat->self, out, n, err);
}

int catalog_notify_state_get(struct catalog *cat, const char *key,
                             char state[32], int64_t *changed_at, char **err)
{
	return cat->ops->agent->notify_state_get(cat->self, key, state,
	                                         changed_at, err);
}

int catalog_notify_state_put(struct catalog *cat, const char *key,
                             const char *state, int64_t at, char **err)
{
	return cat->ops->agent->notify_state_put(cat->self, key, state, at,
	                                         err);
}

int catalog_notify_insert(struct catalog *cat, struct catalog_notify *n,
                          char **err)
{
	return cat->ops->agent->notify_insert(cat->self, n, err);
}

int catalog_notify_update(struct catalog *cat, const struct catalog_notify *n,
                          char **err)
{
	return cat->ops->agent->notify_update(cat->self, n, err);
}

int catalog_notify_last_told(struct catalog *cat, const char *channel,
                             const char *event_key, char state[32],
                             char status[16], int64_t *at, char **err)
{
	return cat->ops->agent->notify_last_told(cat->self, channel, event_key,
	                                         state, status, at, err);
}

int catalog_notify_count_since(struct catalog *cat, const char *channel,
                               int64_t since, int drill, int64_t *count,
                               char **err)
{
	return cat->ops->agent->notify_count_since(cat->self, channel, since,
	                                           drill, count, err);
}

int catalog_notify_due(struct catalog *cat, int64_t now, size_t limit,
                       struct catalog_notify **out, size_t *n, char **err)
{
	return cat->ops->agent->notify_due(cat->self, now, limit, out, n, err);
}

int catalog_notify_list(struct catalog *cat, size_t limit,
                        struct catalog_notify **out, size_t *n, char **err)
{
	return cat->ops->agent->notify_list(cat->self, limit, out, n, err);
}

int catalog_notify_held(struct catalog *cat, struct catalog_notify **out,
                        size_t *n, char **err)
{
	return cat->ops->agent->notify_held(cat->self, out, n, err);
}

int catalog_notify_latest(struct catalog *cat, const char *event_key,
                          const char *state, struct catalog_notify *out,
                          char **err)
{
	return cat->ops->agent->notify_latest(cat->self, event_key, state, out,
	                                      err);
}

int catalog_notify_undelivered(struct catalog *cat, struct catalog_notify **out,
                               size_t *n, char **err)
{
	return cat->ops->agent->notify_undelivered(cat->self, out, n, err);
}

int catalog_notify_state_list(struct catalog *cat,
                              struct catalog_notify_state **out, size_t *n,
                              char **err)
{
	return cat->ops->agent->notify_state_list(cat->self, out, n, err);
}

int catalog_alarm_mark_put(struct catalog *cat,
                           const struct catalog_alarm_mark *m, char **err)
{
	return cat->ops->agent->alarm_mark_put(cat->self, m, err);
}

int catalog_alarm_mark_delete(struct catalog *cat, const char *event_key,
                              const char *kind, int *deleted, char **err)
{
	return cat->ops->agent->alarm_mark_delete(cat->self, event_key, kind,
	                                          deleted, err);
}

int catalog_alarm_mark_list(struct catalog *cat,
                            struct catalog_alarm_mark **out, size_t *n,
                            char **err)
{
	return cat->ops->agent->alarm_mark_list(cat->self, out, n, err);
}
