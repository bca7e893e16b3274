/* A small scripted HTTP server for probe and webhook tests, on 127.0.0.1:
 *
 *   httpd PORTFILE [LOGFILE [FAILFIRST]]
 *
 * writes the port it listens on to PORTFILE, then serves, one poll() loop
 * for every connection:
 *   GET /ok          200 "status: healthy"
 *   GET /nul         200, a body with NUL bytes before "status: healthy"
 *   GET /status/N    status N
 *   GET /slow/MS     200 after MS milliseconds
 *   POST /anything   appends "=== POST /path", the headers, a blank line
 *                    and the body to LOGFILE; answers 500 to the first
 *                    FAILFIRST posts (recorded as "=== FAILED POST /path")
 *                    and 200 afterwards.
 * Every answer closes its connection. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct client {
	int fd;
	char *buf;
	size_t len, cap;
	long long reply_at; /* ms; 0: not yet due */
	int code;
	int nul; /* GET /nul */
};

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *log_path;
static long fail_first;

static void reply(struct client *c)
{
	char head[256], body[64];
	int bl = snprintf(body, sizeof(body),
	                  c->code == 200 ? "status: healthy\n" : "status %d\n",
	                  c->code);
	if (c->nul) {
		static const char b[] = "\0\x01binary\0status: healthy\n";
		memcpy(body, b, sizeof b - 1);
		bl = (int)sizeof b - 1;
	}
	int hl = snprintf(head, sizeof(head),
	                  "HTTP/1.1 %d X\r\nContent-Type: text/plain\r\n"
	                  "Content-Length: %d\r\nConnection: close\r\n\r\n",
	                  c->code, bl);
	/* A client that gave up (a probe's timeout) is not an error. */
	if (write(c->fd, head, (size_t)hl) > 0 &&
	    write(c->fd, body, (size_t)bl) < 0)
		c->code = 0;
	close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
}

/* A whole request is in: decide the answer.  Returns 1 when complete. */
static int parse(struct client *c)
{
	char *end, *cl, path[256] = "";
	size_t head_len, body_len = 0;

	c->buf[c->len] = '\0';
	end = strstr(c->buf, "\r\n\r\n");
	if (end == NULL)
		return 0;
	head_len = (size_t)(end - c->buf) + 4;
	cl = strcasestr(c->buf, "\r\nContent-Length:");
	if (cl != NULL && cl < end)
		body_len = strtoul(cl + 17, NULL, 10);
	if (c->len < head_len + body_len)
		return 0;
	sscanf(c->buf, "%*s %255s", path);
	c->code = 200;
	c->nul = 0;
	c->reply_at = now_ms();
	if (strncmp(c->buf, "POST", 4) == 0) {
		FILE *f = log_path ? fopen(log_path, "a") : NULL;
		int failed = fail_first > 0;
		if (failed) {
			fail_first--;
			c->code = 500;
		}
		if (f != NULL) {
			fprintf(f, "=== %sPOST %s\n%.*s\n%.*s\n",
			        failed ? "FAILED " : "", path,
			        (int)(end - c->buf), c->buf, (int)body_len,
			        c->buf + head_len);
			fclose(f);
		}
	} else if (strncmp(path, "/status/", 8) == 0) {
		c->code = (int)strtol(path + 8, NULL, 10);
	} else if (strncmp(path, "/slow/", 6) == 0) {
		c->reply_at += strtoll(path + 6, NULL, 10);
	} else if (strcmp(path, "/nul") == 0) {
		c->nul = 1;
	} else if (strcmp(path, "/ok") != 0) {
		c->code = 404;
	}
	return 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int lfd, one = 1;
	struct client *cl = NULL;
	size_t ncl = 0;
	struct pollfd *pfd = NULL;
	FILE *pf;

	if (argc < 2) {
		fprintf(stderr, "usage: httpd PORTFILE [LOG [FAILFIRST]]\n");
		return 2;
	}
	log_path = argc > 2 ? argv[2] : NULL;
	fail_first = argc > 3 ? strtol(argv[3], NULL, 10) : 0;
	signal(SIGPIPE, SIG_IGN);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(lfd, 4096) != 0) {
		perror("bind/listen");
		return 1;
	}
	getsockname(lfd, (struct sockaddr *)&sa, &sl);
	pf = fopen(argv[1], "w");
	if (pf == NULL) {
		perror(argv[1]);
		return 1;
	}
	fprintf(pf, "%d\n", ntohs(sa.sin_port));
	fclose(pf);
	for (;;) {
		long long now = now_ms(), wait = -1;
		size_t np = 1, live = 0;

		pfd = realloc(pfd, (ncl + 1) * sizeof(*pfd));
		pfd[0].fd = lfd;
		pfd[0].events = POLLIN;
		for (size_t i = 0; i < ncl; i++) {
			if (cl[i].fd < 0)
				continue;
			cl[live++] = cl[i];
		}
		ncl = live;
		for (size_t i = 0; i < ncl; i++) {
			pfd[np].fd = cl[i].reply_at ? -1 : cl[i].fd;
			pfd[np].events = POLLIN;
			pfd[np].revents = 0;
			np++;
			if (cl[i].reply_at) {
				long long w = cl[i].reply_at - now;
				if (w < 0)
					w = 0;
				if (wait < 0 || w < wait)
					wait = w;
			}
		}
		if (poll(pfd, np, (int)wait) < 0 && errno != EINTR)
			return 1;
		now = now_ms();
		for (size_t i = 0; i < ncl; i++) {
			struct client *c = &cl[i];
			if (c->reply_at) {
				if (c->reply_at <= now)
					reply(c);
				continue;
			}
			if (!(pfd[i + 1].revents & (POLLIN | POLLHUP)))
				continue;
			if (c->len + 4096 + 1 > c->cap) {
				c->cap = c->cap * 2 + 8192;
				c->buf = realloc(c->buf, c->cap);
			}
			ssize_t got = read(c->fd, c->buf + c->len, 4096);
			if (got <= 0) {
				if (got < 0 && errno == EAGAIN)
					continue;
				close(c->fd);
				c->fd = -1;
				free(c->buf);
				c->buf = NULL;
				continue;
			}
			c->len += (size_t)got;
			if (parse(c) && c->reply_at <= now)
				reply(c);
		}
		if (pfd[0].revents & POLLIN) {
			for (;;) {
				int fd =
				    accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
				if (fd < 0)
					break;
				cl = realloc(cl, (ncl + 1) * sizeof(*cl));
				memset(&cl[ncl], 0, sizeof(cl[ncl]));
				cl[ncl++].fd = fd;
			}
		}
	}
}
