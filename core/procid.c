/* See procid.h.  kill(pid, 0) is asked only where /proc cannot tell: it
 * says whether some process has the pid, never whether it is ours. */
#include "core/procid.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"

#define STAT_START_FIELD 22

int procid_parse_stat(const char *stat, unsigned long long *start)
{
	const char *p = strrchr(stat, ')');

	if (p == NULL)
		return DR_EINVAL;
	p++;
	/* Fields 3.. follow, separated by single spaces. */
	for (int field = 3; field <= STAT_START_FIELD; field++) {
		if (*p != ' ')
			return DR_EINVAL;
		p++;
		if (field == STAT_START_FIELD)
			break;
		p += strcspn(p, " ");
	}
	if (!isdigit((unsigned char)*p))
		return DR_EINVAL;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(p, &end, 10);
	if (errno != 0 || (*end != ' ' && *end != '\n' && *end != '\0'))
		return DR_EINVAL;
	*start = v;
	return DR_OK;
}

static int pid_exists(pid_t pid)
{
	return kill(pid, 0) == 0 || errno == EPERM;
}

int procid_of(pid_t pid, struct procid *out)
{
	char path[64], buf[2048];
	FILE *f;
	size_t n = 0;

	out->pid = pid;
	out->start = 0;
	if (pid <= 0)
		return DR_ENOTFOUND;
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	f = fopen(path, "r");
	if (f != NULL) {
		n = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	if (n > 0 && procid_parse_stat(buf, &out->start) == DR_OK)
		return DR_OK;
	out->start = 0;
	return pid_exists(pid) ? DR_OK : DR_ENOTFOUND;
}

void procid_self(struct procid *out)
{
	if (procid_of(getpid(), out) != DR_OK) {
		out->pid = getpid();
		out->start = 0;
	}
}

int procid_alive(const struct procid *p)
{
	struct procid now;

	if (p->pid <= 0 || procid_of(p->pid, &now) != DR_OK)
		return 0;
	if (p->start == 0 || now.start == 0)
		return 1;
	return now.start == p->start;
}

int procid_group_alive(pid_t pgid)
{
	if (pgid <= 1)
		return 0;
	return kill(-pgid, 0) == 0 || errno == EPERM;
}

void procid_start_text(const struct procid *p, char *buf, size_t size)
{
	if (p->start == 0)
		snprintf(buf, size, "%s", "");
	else
		snprintf(buf, size, "%llu", p->start);
}

unsigned long long procid_start_parse(const char *text)
{
	char *end;
	unsigned long long v;

	if (text == NULL || !isdigit((unsigned char)text[0]))
		return 0;
	errno = 0;
	v = strtoull(text, &end, 10);
	return errno != 0 || *end != '\0' ? 0 : v;
}
