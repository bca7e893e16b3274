/* The backup module's scheduled work, plugged into the agent through its
 * hook table (core/agent.h): for every backup target with a "schedule", a
 * backup and then a verification of the newest backup on that interval;
 * retention and copies to a second repository hourly; for every target
 * with a "restore_test_schedule", a restore test on it (restore tests run
 * agent.restore_tests_at_once at a time).  Failed and corrupt backups,
 * failed restore tests (and their recovery) are reported to
 * notifications. */
#ifndef DR_AGENT_BACKUP_H
#define DR_AGENT_BACKUP_H

#include "core/agent.h"

extern const struct agent_hooks agent_backup_hooks;

#endif
