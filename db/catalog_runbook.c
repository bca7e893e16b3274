/* The front of db/catalog_runbook.h: every call goes to the backend's
 * runbook table (db/backend.h); the frees of plain records live here,
 * since they do not depend on the backend. */
#include "db/catalog_runbook.h"

#include <stdlib.h>

#include "db/catalog_int.h"

int catalog_runbook_exec_insert(struct catalog *cat,
                                const struct catalog_runbook_exec *x,
                                struct catalog_runbook_exec *holder, char **err)
{
	return cat->ops->runbook->runbook_exec_insert(cat->self, x, holder,
	                                              err);
}

int catalog_runbook_exec_get(struct catalog *cat, const char *recovery_id,
                             struct catalog_runbook_exec *out, char **err)
{
	return cat->ops->runbook->runbook_exec_get(cat->self, recovery_id, out,
	                                           err);
}

int catalog_runbook_exec_hold(struct catalog *cat,
                              const struct catalog_runbook_exec *x,
                              const struct catalog_runbook_exec *from,
                              char **err)
{
	return cat->ops->runbook->runbook_exec_hold(cat->self, x, from, err);
}

int catalog_runbook_exec_beat(struct catalog *cat, const char *recovery_id,
                              const char *host, int64_t pid, char **err)
{
	return cat->ops->runbook->runbook_exec_beat(cat->self, recovery_id,
	                                            host, pid, err);
}

int catalog_runbook_exec_set_child(struct catalog *cat, const char *recovery_id,
                                   int64_t pgid, char **err)
{
	return cat->ops->runbook->runbook_exec_set_child(cat->self, recovery_id,
	                                                 pgid, err);
}

int catalog_runbook_exec_close(struct catalog *cat, const char *recovery_id,
                               char **err)
{
	return cat->ops->runbook->runbook_exec_close(cat->self, recovery_id,
	                                             err);
}

int catalog_runbook_exec_list_open(struct catalog *cat,
                                   struct catalog_runbook_exec **out, size_t *n,
                                   char **err)
{
	return cat->ops->runbook->runbook_exec_list_open(cat->self, out, n,
	                                                 err);
}

int catalog_runbook_var_put(struct catalog *cat, const char *recovery_id,
                            const char *name, const char *value, char **err)
{
	return cat->ops->runbook->runbook_var_put(cat->self, recovery_id, name,
	                                          value, err);
}

int catalog_runbook_var_list(struct catalog *cat, const char *recovery_id,
                             char ***names, char ***values, size_t *n,
                             char **err)
{
	return cat->ops->runbook->runbook_var_list(cat->self, recovery_id,
	                                           names, values, n, err);
}

void catalog_runbook_exec_clear(struct catalog_runbook_exec *x)
{
	if (x == NULL)
		return;
	free(x->runbook_path);
	free(x->runbook_text);
	x->runbook_path = NULL;
	x->runbook_text = NULL;
}

void catalog_runbook_execs_free(struct catalog_runbook_exec *list, size_t n)
{
	if (list == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		catalog_runbook_exec_clear(&list[i]);
	free(list);
}
