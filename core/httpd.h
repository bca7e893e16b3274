/* A small HTTP server for what drconsole serves (the agent's /metrics):
 * the one module that reaches libmicrohttpd.  The server answers from its
 * own thread (MHD_USE_INTERNAL_POLLING_THREAD), one request at a time,
 * through a handler that sees the method and the path and fills a
 * response.  It parses no HTTP itself. */
#ifndef DR_HTTPD_H
#define DR_HTTPD_H

#include <stddef.h>
#include <sys/socket.h>

struct httpd;

struct httpd_response {
	int status;               /* 200, 404, 405, 500 ... */
	const char *content_type; /* static text */
	char *body;               /* malloc'd; the server frees it */
	const char *allow;        /* the Allow header for 405, or NULL */
};

/* Called on the server's thread for every request. */
typedef void (*httpd_handler)(void *arg, const char *method, const char *path,
                              struct httpd_response *resp);

/* "HOST:PORT" or "[IPv6]:PORT" (HOST may be a name; "*" or "" is every
 * address) into addr (may be NULL: only checked).  DR_OK, or DR_EINVAL
 * with *why saying what is wrong. */
int httpd_parse_listen(const char *listen, struct sockaddr_storage *addr,
                       socklen_t *addr_len, char **why);

/* Listens on `listen` and serves until httpd_stop().  DR_OK, or a status
 * with *err (e.g. the address is in use). */
int httpd_start(const char *listen, httpd_handler handler, void *arg,
                struct httpd **out, char **err);
/* The port it listens on. */
int httpd_port(const struct httpd *h);
/* Stops the thread and closes the socket; NULL is fine. */
void httpd_stop(struct httpd *h);

#endif
