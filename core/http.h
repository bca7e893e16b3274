/* HTTP for probes and webhooks: the one module that calls libcurl for them
 * (S3 keeps its own in core/repo_s3.c).  A batch of requests runs
 * concurrently through the libcurl multi interface; each request has its
 * own timeout, so a slow peer delays nobody but itself. */
#ifndef DR_HTTP_H
#define DR_HTTP_H

#include <stddef.h>

struct http_request {
	const char *url;
	const char *method; /* NULL: GET, or POST when body is set */
	const char *body;   /* NULL: none */
	size_t body_len;
	const char *const
	    *headers;    /* "Name: value", NULL-terminated; or NULL */
	long timeout_ms; /* whole request; 0: 10 s */
	size_t max_body; /* bytes of the response kept; 0: 64 KiB */
	/* TLS: CAs to trust (NULL: $SSL_CERT_FILE when set, else the
	 * system's); a client certificate and its key (PEM) or NULL. */
	const char *ca_file;
	const char *client_cert;
	const char *client_key;
};

struct http_response {
	int status;      /* DR_OK when a response arrived (any HTTP code) */
	long code;       /* HTTP status, 0 when none */
	double total_ms; /* wall time of the request */
	char *body;      /* NUL-terminated, at most max_body bytes; owned */
	size_t body_len;
	char error[512]; /* why status != DR_OK; a certificate that is not
	                    trusted is named: "certificate not trusted:
	                    self-signed certificate", ... */
};

/* Runs every request at once (at most max_parallel in flight; 0: all) and
 * fills out[i] for reqs[i].  Returns DR_OK, or DR_EIO when libcurl could
 * not be set up at all. */
int http_batch(const struct http_request *reqs, size_t n,
               struct http_response *out, size_t max_parallel);
/* One request; the response's status is also the return value. */
int http_request_one(const struct http_request *req, struct http_response *out);
void http_response_clear(struct http_response *r);

/* Mail through libcurl's SMTP: url smtp://host[:port] or smtps://…;
 * starttls requires STARTTLS on smtp://; user/password NULL: no AUTH;
 * ca_file NULL: the system's CAs.  message is the whole RFC 5322 text
 * (CRLF line ends).  DR_OK, or an error with the server's or libcurl's
 * words in error. */
struct http_mail {
	const char *url;
	int starttls;
	const char *ca_file;
	const char *user, *password;
	const char *from;
	const char *const *to; /* NULL-terminated */
	const char *message;
	long timeout_ms;
};
int http_mail_send(const struct http_mail *m, char error[256]);

#endif
