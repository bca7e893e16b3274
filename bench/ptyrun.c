/* Runs a command on a pseudo-terminal of a given size and measures what
 * it writes, for bench/console.sh:
 *     ptyrun [-c COLS] [-r ROWS] [-s SETTLE] [-i IDLE [-n N]] [-k KEYS]
 *            -- CMD...
 * Without -i: waits for CMD to exit and prints "elapsed_ms bytes".
 * With -i: lets CMD settle for SETTLE seconds (default 3), types KEYS if
 * given and settles again, then counts the bytes CMD writes in the next
 * IDLE seconds, reads its VmRSS and VmHWM, ends it with SIGTERM and prints
 * "idle_bytes rss_kb hwm_kb".  With -n N it counts N windows of IDLE
 * seconds one after another and prints "bytes_1 ... bytes_N rss_kb hwm_kb".
 */
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* Reads what the child writes until `until_ms` (or EOF); returns bytes. */
/* PTYRUN_DUMP=FILE keeps the bytes of the idle phase, to see what they
 * are. */
static FILE *dump;

static long drain(int fd, double until_ms, int *eof)
{
	long total = 0;
	char buf[65536];
	for (;;) {
		double left = until_ms - now_ms();
		if (left <= 0)
			break;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int n = poll(&p, 1, (int)left + 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			continue;
		ssize_t got = read(fd, buf, sizeof buf);
		if (got <= 0) {
			*eof = 1;
			break;
		}
		total += got;
		if (dump != NULL)
			fwrite(buf, 1, (size_t)got, dump);
	}
	return total;
}

static void proc_mem(pid_t pid, long *rss, long *hwm)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	*rss = *hwm = -1;
	if (f == NULL)
		return;
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, "VmRSS:", 6) == 0)
			*rss = strtol(line + 6, NULL, 10);
		else if (strncmp(line, "VmHWM:", 6) == 0)
			*hwm = strtol(line + 6, NULL, 10);
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	int cols = 80, rows = 24, opt, windows = 1;
	double settle = 3, idle = -1;
	const char *keys = NULL;
	while ((opt = getopt(argc, argv, "c:r:s:i:k:n:")) != -1) {
		switch (opt) {
		case 'c':
			cols = (int)strtol(optarg, NULL, 10);
			break;
		case 'r':
			rows = (int)strtol(optarg, NULL, 10);
			break;
		case 's':
			settle = strtod(optarg, NULL);
			break;
		case 'i':
			idle = strtod(optarg, NULL);
			break;
		case 'k':
			keys = optarg;
			break;
		case 'n':
			windows = (int)strtol(optarg, NULL, 10);
			if (windows < 1 || windows > 60)
				return 2;
			break;
		default:
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: ptyrun [-c COLS] [-r ROWS] [-s SETTLE] "
		                "[-i IDLE [-n N]] [-k KEYS] -- CMD...\n");
		return 2;
	}
	struct winsize ws = {.ws_row = (unsigned short)rows,
	                     .ws_col = (unsigned short)cols};
	int master;
	double t0 = now_ms();
	pid_t pid = forkpty(&master, NULL, NULL, &ws);
	if (pid < 0) {
		perror("forkpty");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[optind], argv + optind);
		perror("exec");
		_exit(127);
	}
	int eof = 0;
	if (idle < 0) {
		long bytes = drain(master, t0 + 600000, &eof);
		int status;
		waitpid(pid, &status, 0);
		printf("%.2f %ld\n", now_ms() - t0, bytes);
		return 0;
	}
	drain(master, now_ms() + settle * 1000, &eof);
	if (keys != NULL && !eof) {
		ssize_t w = write(master, keys, strlen(keys));
		(void)w;
		drain(master, now_ms() + settle * 1000, &eof);
	}
	if (getenv("PTYRUN_DUMP") != NULL)
		dump = fopen(getenv("PTYRUN_DUMP"), "wb");
	long bytes[60];
	for (int i = 0; i < windows; i++)
		bytes[i] = drain(master, now_ms() + idle * 1000, &eof);
	if (dump != NULL)
		fclose(dump);
	dump = NULL;
	int ended = eof; /* the child left before we were done measuring */
	long rss, hwm;
	proc_mem(pid, &rss, &hwm);
	kill(pid, SIGTERM);
	drain(master, now_ms() + 1000, &eof);
	int status;
	waitpid(pid, &status, 0);
	for (int i = 0; i < windows; i++)
		printf("%ld ", ended ? -1 : bytes[i]);
	printf("%ld %ld\n", rss, hwm);
	return 0;
}
