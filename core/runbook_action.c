/* The table of built-in runbook actions. */
#include <string.h>

#include "core/runbook_action.h"

extern const struct runbook_action runbook_action_notify;
extern const struct runbook_action runbook_action_wait;

static const struct runbook_action *const actions[] = {
    &runbook_action_notify,
    &runbook_action_wait,
    NULL,
};

const struct runbook_action *runbook_action_find(const char *name)
{
	for (size_t i = 0; actions[i] != NULL; i++)
		if (strcmp(actions[i]->name, name) == 0)
			return actions[i];
	return NULL;
}

const struct runbook_action *const *runbook_action_all(void)
{
	return actions;
}
