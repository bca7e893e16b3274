/* tcp probes: a connect to host:port within the timeout.  Every socket of
 * the batch is non-blocking and waited on by one poll() loop; names are
 * resolved first (numeric addresses cost nothing). */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/probe.h"
#include "core/xmalloc.h"

static const char *const tcp_keys[] = {"host", "port", "latency_max", NULL};

static void tcp_parse(struct probe_spec *spec, const struct json_doc *doc,
                      const cJSON *obj, struct json_errors *errs)
{
	double port = 0;

	probe_json_string(errs, doc, obj, "host", 1, &spec->host);
	if (json_get_number(errs, doc, obj, "port", 1, &port) == 1) {
		if (port < 1 || port > 65535 || port != (long)port)
			json_errors_add(
			    errs, doc,
			    cJSON_GetObjectItemCaseSensitive(obj, "port"),
			    "expected a port from 1 to 65535, found %g", port);
		snprintf(spec->port, sizeof(spec->port), "%ld", (long)port);
	}
	probe_json_ms(errs, doc, obj, "latency_max", &spec->latency_max_ms);
}

struct tcp_conn {
	int fd;
	int64_t started_ms;
	int64_t deadline_ms;
};

static void tcp_run(struct probe_spec *const *specs, struct probe_outcome *out,
                    size_t n)
{
	struct tcp_conn *c = xcalloc(n, sizeof(*c));
	struct pollfd *pfd = xcalloc(n, sizeof(*pfd));
	size_t pending = 0;

	for (size_t i = 0; i < n; i++) {
		struct addrinfo hints, *ai = NULL;
		int gai;

		c[i].fd = -1;
		c[i].started_ms = probe_now_ms();
		c[i].deadline_ms = c[i].started_ms + specs[i]->timeout_ms;
		memset(&hints, 0, sizeof(hints));
		hints.ai_socktype = SOCK_STREAM;
		gai = getaddrinfo(specs[i]->host, specs[i]->port, &hints, &ai);
		if (gai != 0) {
			probe_set_message(&out[i], "cannot resolve %s: %s",
			                  specs[i]->host, gai_strerror(gai));
			continue;
		}
		c[i].fd = socket(ai->ai_family,
		                 ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		                 ai->ai_protocol);
		if (c[i].fd < 0) {
			probe_set_message(&out[i], "socket: %s",
			                  strerror(errno));
		} else if (connect(c[i].fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			out[i].ok = 1;
			out[i].latency_ms =
			    (double)(probe_now_ms() - c[i].started_ms);
			close(c[i].fd);
			c[i].fd = -1;
		} else if (errno != EINPROGRESS) {
			probe_set_message(&out[i], "connect: %s",
			                  strerror(errno));
			close(c[i].fd);
			c[i].fd = -1;
		} else {
			pending++;
		}
		freeaddrinfo(ai);
	}
	while (pending > 0) {
		int64_t now = probe_now_ms(), wait = -1;
		size_t np = 0;

		for (size_t i = 0; i < n; i++) {
			if (c[i].fd < 0)
				continue;
			if (now >= c[i].deadline_ms) {
				probe_set_message(&out[i],
				                  "no connection within %ld ms",
				                  specs[i]->timeout_ms);
				close(c[i].fd);
				c[i].fd = -1;
				pending--;
				continue;
			}
			if (wait < 0 || c[i].deadline_ms - now < wait)
				wait = c[i].deadline_ms - now;
			pfd[np].fd = c[i].fd;
			pfd[np].events = POLLOUT;
			pfd[np].revents = 0;
			np++;
		}
		if (np == 0)
			break;
		if (poll(pfd, np, (int)wait) < 0 && errno != EINTR)
			break;
		for (size_t j = 0; j < np; j++) {
			size_t i;
			int soerr = 0;
			socklen_t len = sizeof(soerr);

			if (pfd[j].revents == 0)
				continue;
			for (i = 0; i < n && c[i].fd != pfd[j].fd; i++)
				;
			if (i == n)
				continue;
			getsockopt(c[i].fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
			out[i].latency_ms =
			    (double)(probe_now_ms() - c[i].started_ms);
			if (soerr == 0)
				out[i].ok = 1;
			else
				probe_set_message(&out[i], "connect: %s",
				                  strerror(soerr));
			close(c[i].fd);
			c[i].fd = -1;
			pending--;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (c[i].fd >= 0)
			close(c[i].fd);
		if (!out[i].ok)
			continue;
		if (specs[i]->latency_max_ms > 0 &&
		    out[i].latency_ms > specs[i]->latency_max_ms) {
			out[i].ok = 0;
			probe_set_message(&out[i],
			                  "slow: connected in %.0f ms, over "
			                  "%.0f ms",
			                  out[i].latency_ms,
			                  specs[i]->latency_max_ms);
		} else {
			probe_set_message(&out[i], "connected in %.0f ms",
			                  out[i].latency_ms);
		}
	}
	free(c);
	free(pfd);
}

const struct probe_kind probe_kind_tcp = {
    .name = "tcp",
    .keys = tcp_keys,
    .parse = tcp_parse,
    .run = tcp_run,
};
