/* Which process a record names.  A pid names a process only while that
 * process runs: once it ends, the kernel hands the number to the next
 * process that asks.  A pid together with the process's start time (field
 * 22 of /proc/PID/stat, clock ticks since boot) names one process for as
 * long as the machine stays up, so a record that keeps both is never
 * mistaken for a stranger that got the same pid.  Every check of "is the
 * process that recorded this still running" goes through here: backup rows
 * left running, runbook holders, the agent lock. */
#ifndef DR_PROCID_H
#define DR_PROCID_H

#include <stddef.h>
#include <sys/types.h>

struct procid {
	pid_t pid;
	unsigned long long start; /* clock ticks since boot; 0 unknown */
};

/* The running process. */
void procid_self(struct procid *out);
/* The process `pid` now: DR_OK with its start time (0 when /proc cannot
 * show it, e.g. mounted with hidepid, but the process exists), or
 * DR_ENOTFOUND when no such process runs. */
int procid_of(pid_t pid, struct procid *out);
/* 1 when the recorded process still runs: its pid exists and has the same
 * start time (or either start time is unknown, which leaves only the pid
 * to go by); 0 otherwise. */
int procid_alive(const struct procid *p);
/* 1 when some process of the process group `pgid` still runs. */
int procid_group_alive(pid_t pgid);

/* The start time from the text of /proc/PID/stat.  The command name (field
 * 2, in parentheses) may hold spaces and ')', so fields are counted after
 * the last ')'.  DR_OK, or DR_EINVAL when the text has no such field. */
int procid_parse_stat(const char *stat, unsigned long long *start);

/* The start time as stored in a record ("" when unknown), and back (an
 * empty, missing or malformed text reads as 0, unknown). */
void procid_start_text(const struct procid *p, char *buf, size_t size);
unsigned long long procid_start_parse(const char *text);

#endif
