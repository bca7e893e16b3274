/* A TCP proxy on loopback that injects the faults a real S3 server will
 * not produce on demand.  Each accepted connection takes the next action of
 * the script (then "pass" for ever):
 *     faultproxy PORTFILE TARGET_PORT ACTION...
 *   pass      forward both ways
 *   500       read the request head, answer 500 and close
 *   reset:N   forward N bytes of the request, then reset both sides
 *   stall     read the request and never answer (the client must time out)
 * It listens on an ephemeral 127.0.0.1 port written to PORTFILE, logs one
 * line per connection to stdout, and exits on SIGTERM. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int connect_target(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void reset_close(int fd)
{
	struct linger l = {1, 0};
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
	close(fd);
}

/* Forwards until either side closes; with limit >= 0, resets both after
 * that many client bytes. */
static void pump(int client, int server, long limit)
{
	char buf[65536];
	long sent = 0;
	struct pollfd p[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
	for (;;) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return;
		for (int i = 0; i < 2; i++) {
			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			size_t want = sizeof buf;
			if (i == 0 && limit >= 0 && (long)want > limit - sent)
				want = (size_t)(limit - sent);
			ssize_t n = read(p[i].fd, buf, want);
			if (n <= 0)
				return;
			if (write(p[1 - i].fd, buf, (size_t)n) != n)
				return;
			if (i == 0) {
				sent += n;
				if (limit >= 0 && sent >= limit) {
					reset_close(client);
					reset_close(server);
					_exit(0);
				}
			}
		}
	}
}

static void read_head(int fd)
{
	char buf[8192];
	size_t len = 0;
	while (len < sizeof buf - 1) {
		ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);
		if (n <= 0)
			return;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL)
			return;
	}
}

static void handle(int client, int target, const char *action)
{
	if (strcmp(action, "500") == 0) {
		static const char answer[] =
		    "HTTP/1.1 500 Internal Server Error\r\n"
		    "Content-Type: application/xml\r\nContent-Length: 78\r\n"
		    "Connection: close\r\n\r\n"
		    "<Error><Code>InternalError</Code><Message>injected"
		    "</Message></Error>\n";
		read_head(client);
		if (write(client, answer, sizeof answer - 1) < 0)
			return;
		shutdown(client, SHUT_WR);
		/* Drain what the client still sends, so it sees the answer. */
		char buf[65536];
		struct pollfd p = {client, POLLIN, 0};
		while (poll(&p, 1, 1000) > 0 &&
		       read(client, buf, sizeof buf) > 0)
			;
		close(client);
		return;
	}
	if (strcmp(action, "stall") == 0) {
		read_head(client);
		sleep(120);
		close(client);
		return;
	}
	int server = connect_target(target);
	if (server < 0) {
		reset_close(client);
		return;
	}
	long limit = -1;
	if (strncmp(action, "reset:", 6) == 0)
		limit = strtol(action + 6, NULL, 10);
	pump(client, server, limit);
	close(server);
	close(client);
}

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr,
		        "usage: faultproxy PORTFILE TARGET_PORT ACTION...\n");
		return 2;
	}
	int target = (int)strtol(argv[2], NULL, 10);
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
	socklen_t alen = sizeof a;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(lfd, (struct sockaddr *)&a, sizeof a) != 0 ||
	    listen(lfd, 64) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&a, &alen) != 0) {
		perror("faultproxy: listen");
		return 1;
	}
	FILE *pf = fopen(argv[1], "w");
	if (pf == NULL) {
		perror(argv[1]);
		return 1;
	}
	fprintf(pf, "%d\n", ntohs(a.sin_port));
	fclose(pf);
	struct sigaction sa = {.sa_handler = on_term};
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGCHLD, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	int next = 3;
	pid_t kids[1024];
	size_t nkids = 0;
	while (!stop) {
		int c = accept(lfd, NULL, NULL);
		if (c < 0)
			continue;
		const char *action = next < argc ? argv[next++] : "pass";
		printf("connection: %s\n", action);
		pid_t pid = fork();
		if (pid == 0) {
			close(lfd);
			handle(c, target, action);
			_exit(0);
		}
		if (pid > 0 && nkids < sizeof kids / sizeof *kids)
			kids[nkids++] = pid;
		close(c);
	}
	/* Children in a stall would outlive us. */
	for (size_t i = 0; i < nkids; i++)
		kill(kids[i], SIGKILL);
	return 0;
}
