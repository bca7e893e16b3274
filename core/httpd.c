/* The server; the model is in core/httpd.h. */
#include "core/httpd.h"

#include <microhttpd.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/xmalloc.h"

struct httpd {
	struct MHD_Daemon *daemon;
	httpd_handler handler;
	void *arg;
	int port;
};

int httpd_parse_listen(const char *listen, struct sockaddr_storage *addr,
                       socklen_t *addr_len, char **why)
{
	char host[256];
	const char *port, *colon;
	struct addrinfo hints, *res = NULL;

	*why = NULL;
	if (listen[0] == '[') {
		const char *close = strchr(listen, ']');
		if (close == NULL || close[1] != ':') {
			*why = xasprintf("expected \"[ADDRESS]:PORT\", found "
			                 "\"%s\"",
			                 listen);
			return DR_EINVAL;
		}
		colon = close + 1;
		if ((size_t)(close - listen - 1) >= sizeof host)
			goto too_long;
		memcpy(host, listen + 1, (size_t)(close - listen - 1));
		host[close - listen - 1] = '\0';
	} else {
		colon = strrchr(listen, ':');
		if (colon == NULL) {
			*why = xasprintf("expected \"HOST:PORT\" (e.g. "
			                 "\"127.0.0.1:9477\"), found \"%s\"",
			                 listen);
			return DR_EINVAL;
		}
		if ((size_t)(colon - listen) >= sizeof host)
			goto too_long;
		memcpy(host, listen, (size_t)(colon - listen));
		host[colon - listen] = '\0';
	}
	port = colon + 1;
	char *end = NULL;
	long p = strtol(port, &end, 10);
	if (port[0] == '\0' || *end != '\0' || p < 0 || p > 65535) {
		*why = xasprintf("expected a port from 0 to 65535 after ':', "
		                 "found \"%s\"",
		                 port);
		return DR_EINVAL;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	int gai =
	    getaddrinfo(host[0] == '\0' || strcmp(host, "*") == 0 ? NULL : host,
	                port, &hints, &res);
	if (gai != 0 || res == NULL) {
		*why = xasprintf("cannot resolve \"%s\": %s", host,
		                 gai_strerror(gai));
		return DR_EINVAL;
	}
	if (addr != NULL) {
		memset(addr, 0, sizeof *addr);
		memcpy(addr, res->ai_addr, res->ai_addrlen);
		*addr_len = res->ai_addrlen;
	}
	freeaddrinfo(res);
	return DR_OK;
too_long:
	*why = xasprintf("the host in \"%s\" is too long", listen);
	return DR_EINVAL;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn,
                              const char *url, const char *method,
                              const char *version, const char *upload_data,
                              size_t *upload_data_size, void **con_cls)
{
	struct httpd *h = cls;
	struct httpd_response resp = {500, "text/plain; charset=utf-8", NULL,
	                              NULL};
	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)con_cls;

	h->handler(h->arg, method, url, &resp);
	if (resp.body == NULL)
		resp.body = xstrdup("");
	struct MHD_Response *r = MHD_create_response_from_buffer(
	    strlen(resp.body), resp.body, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(resp.body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	                        resp.content_type);
	if (resp.allow != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, resp.allow);
	enum MHD_Result rc =
	    MHD_queue_response(conn, (unsigned int)resp.status, r);
	MHD_destroy_response(r);
	return rc;
}

int httpd_start(const char *listen, httpd_handler handler, void *arg,
                struct httpd **out, char **err)
{
	struct sockaddr_storage addr;
	socklen_t addr_len = 0;
	char *why = NULL;

	*out = NULL;
	if (httpd_parse_listen(listen, &addr, &addr_len, &why) != DR_OK) {
		*err = xasprintf("metrics listen address: %s", why);
		free(why);
		return DR_EINVAL;
	}
	struct httpd *h = xcalloc(1, sizeof(*h));
	h->handler = handler;
	h->arg = arg;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD;
	if (addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h->daemon = MHD_start_daemon(
	    flags, 0, NULL, NULL, answer, h, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&addr, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned int)10, MHD_OPTION_CONNECTION_LIMIT, (unsigned int)32,
	    MHD_OPTION_END);
	if (h->daemon == NULL) {
		*err = xasprintf("cannot listen on %s (in use, or not an "
		                 "address of this host)",
		                 listen);
		free(h);
		return DR_EIO;
	}
	const union MHD_DaemonInfo *info =
	    MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
	h->port = info != NULL ? (int)info->port : 0;
	*out = h;
	return DR_OK;
}

int httpd_port(const struct httpd *h)
{
	return h->port;
}

void httpd_stop(struct httpd *h)
{
	if (h == NULL)
		return;
	MHD_stop_daemon(h->daemon);
	free(h);
}
