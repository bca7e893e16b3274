/* libcurl multi: every request of a batch is an easy handle on one multi
 * handle; curl_multi_poll() waits for whichever socket is ready, so a
 * thousand probes cost one thread and one event loop.  Timeouts are
 * libcurl's own (CURLOPT_TIMEOUT_MS), so a hung peer ends its own request
 * and nobody else's. */
#include "core/http.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"
#include "core/error.h"
#include "core/xmalloc.h"

static pthread_once_t http_once = PTHREAD_ONCE_INIT;
static int http_init_rc;

static void http_global_init(void)
{
	http_init_rc =
	    curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? DR_OK : DR_EIO;
}

struct http_xfer {
	CURL *easy;
	struct curl_slist *headers;
	struct http_response *resp;
	size_t max_body;
	long timeout_ms;
	char curl_error[CURL_ERROR_SIZE];
};

static size_t http_on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct http_xfer *x = arg;
	size_t len = size * nmemb;
	size_t room = x->max_body - x->resp->body_len;
	size_t take = len < room ? len : room;

	if (take > 0) {
		x->resp->body =
		    xrealloc(x->resp->body, x->resp->body_len + take + 1);
		memcpy(x->resp->body + x->resp->body_len, data, take);
		x->resp->body_len += take;
		x->resp->body[x->resp->body_len] = '\0';
	}
	return len; /* the rest is read and dropped */
}

static void http_setup(struct http_xfer *x, const struct http_request *req,
                       struct http_response *resp)
{
	memset(resp, 0, sizeof(*resp));
	resp->status = DR_ETIMEOUT;
	x->resp = resp;
	x->max_body = req->max_body ? req->max_body : 64 * 1024;
	x->timeout_ms = req->timeout_ms > 0 ? req->timeout_ms : 10000L;
	x->headers = NULL;
	x->easy = curl_easy_init();
	if (x->easy == NULL) {
		resp->status = DR_EIO;
		strlcpy_dr(resp->error, "curl_easy_init failed",
		           sizeof(resp->error));
		return;
	}
	curl_easy_setopt(x->easy, CURLOPT_URL, req->url);
	curl_easy_setopt(x->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS,
	                 req->timeout_ms > 0 ? req->timeout_ms : 10000L);
	curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, http_on_body);
	curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x);
	curl_easy_setopt(x->easy, CURLOPT_USERAGENT,
	                 "drconsole/" DRCONSOLE_VERSION);
	curl_easy_setopt(x->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	x->curl_error[0] = '\0';
	curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, x->curl_error);
	if (req->ca_file != NULL)
		curl_easy_setopt(x->easy, CURLOPT_CAINFO, req->ca_file);
	else if (getenv("SSL_CERT_FILE") != NULL &&
	         getenv("SSL_CERT_FILE")[0] != '\0')
		curl_easy_setopt(x->easy, CURLOPT_CAINFO,
		                 getenv("SSL_CERT_FILE"));
	if (req->client_cert != NULL) {
		curl_easy_setopt(x->easy, CURLOPT_SSLCERT, req->client_cert);
		curl_easy_setopt(x->easy, CURLOPT_SSLCERTTYPE, "PEM");
	}
	if (req->client_key != NULL) {
		curl_easy_setopt(x->easy, CURLOPT_SSLKEY, req->client_key);
		curl_easy_setopt(x->easy, CURLOPT_SSLKEYTYPE, "PEM");
	}
	for (const char *const *h = req->headers; h != NULL && *h != NULL; h++)
		x->headers = curl_slist_append(x->headers, *h);
	if (req->body != NULL) {
		x->headers = curl_slist_append(x->headers, "Expect:");
		curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, req->body);
		curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE_LARGE,
		                 (curl_off_t)req->body_len);
	}
	if (req->method != NULL)
		curl_easy_setopt(x->easy, CURLOPT_CUSTOMREQUEST, req->method);
	if (x->headers != NULL)
		curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->headers);
}

/* Names what is wrong with a TLS peer as curl(1) would, from OpenSSL's
 * verification result: "certificate not trusted: self-signed
 * certificate", "... certificate has expired"; a name that does not match
 * is "certificate is not for this host"; otherwise libcurl's own detail
 * (its error buffer), which says more than curl_easy_strerror(). */
static void http_tls_error(struct http_xfer *x, CURLcode cc, char *buf,
                           size_t size)
{
	long verify = 0;
	const char *detail = x->curl_error[0] ? x->curl_error : NULL;

	if (cc == CURLE_PEER_FAILED_VERIFICATION)
		curl_easy_getinfo(x->easy, CURLINFO_SSL_VERIFYRESULT, &verify);
	/* libcurl matches the name itself after OpenSSL has verified the
	 * chain (the result is then 0, or 1 "unspecified"); OpenSSL's own
	 * host checks are 62 and 64 (X509_V_ERR_HOSTNAME_MISMATCH,
	 * _IP_ADDRESS_MISMATCH). */
	if (cc == CURLE_PEER_FAILED_VERIFICATION &&
	    (verify == 62 || verify == 64 ||
	     (detail != NULL && strstr(detail, "subject name") != NULL))) {
		snprintf(buf, size, "certificate is not for this host: %s",
		         detail ? detail : crypto_x509_verify_text(verify));
		return;
	}
	if (cc == CURLE_PEER_FAILED_VERIFICATION && verify > 1) {
		/* 2 and 20: the issuer is unknown (X509_V_ERR_UNABLE_TO_GET_
		 * ISSUER_CERT, _LOCALLY). */
		snprintf(buf, size, "certificate not trusted: %s%s",
		         crypto_x509_verify_text(verify),
		         verify == 20 || verify == 2
		             ? " (is its CA in the probe's \"ca_file\"?)"
		             : "");
		return;
	}
	if (cc == CURLE_PEER_FAILED_VERIFICATION) {
		snprintf(buf, size, "certificate not trusted: %s",
		         detail ? detail : curl_easy_strerror(cc));
		return;
	}
	if (detail != NULL && strstr(detail, "alert certificate required"))
		snprintf(buf, size,
		         "the server asks for a client certificate "
		         "(\"client_cert\", \"client_key\"): %s",
		         detail);
	else if (detail != NULL && cc == CURLE_SSL_CERTPROBLEM)
		snprintf(buf, size,
		         "the client certificate or key cannot be "
		         "used: %s",
		         detail);
	else if (detail != NULL && cc == CURLE_SSL_CACERT_BADFILE)
		snprintf(buf, size, "the CA file cannot be used: %s", detail);
	else if (detail != NULL &&
	         (cc == CURLE_SSL_CONNECT_ERROR || cc == CURLE_RECV_ERROR ||
	          cc == CURLE_SEND_ERROR || cc == CURLE_SSL_CIPHER))
		snprintf(buf, size, "%s: %s", curl_easy_strerror(cc), detail);
	else
		strlcpy_dr(buf, curl_easy_strerror(cc), size);
}

static void http_finish(struct http_xfer *x, CURLcode cc)
{
	struct http_response *r = x->resp;
	curl_off_t total_us = 0;

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &r->code);
	if (curl_easy_getinfo(x->easy, CURLINFO_TOTAL_TIME_T, &total_us) ==
	    CURLE_OK)
		r->total_ms = (double)total_us / 1000.0;
	if (cc == CURLE_OK) {
		r->status = DR_OK;
	} else {
		r->status =
		    cc == CURLE_OPERATION_TIMEDOUT ? DR_ETIMEOUT : DR_ENET;
		if (cc == CURLE_OPERATION_TIMEDOUT)
			snprintf(r->error, sizeof(r->error),
			         "no answer within %ld ms", x->timeout_ms);
		else
			http_tls_error(x, cc, r->error, sizeof(r->error));
	}
}

static void http_release(struct http_xfer *x)
{
	if (x->easy != NULL)
		curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->headers);
	x->easy = NULL;
	x->headers = NULL;
}

int http_batch(const struct http_request *reqs, size_t n,
               struct http_response *out, size_t max_parallel)
{
	struct http_xfer *xs;
	CURLM *multi;
	size_t next = 0, running = 0;

	pthread_once(&http_once, http_global_init);
	if (http_init_rc != DR_OK)
		return DR_EIO;
	if (n == 0)
		return DR_OK;
	multi = curl_multi_init();
	if (multi == NULL)
		return DR_EIO;
	if (max_parallel == 0)
		max_parallel = n;
	curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 0L);
	xs = xcalloc(n, sizeof(*xs));
	for (;;) {
		int still = 0, msgs = 0;
		CURLMsg *msg;

		while (next < n && running < max_parallel) {
			http_setup(&xs[next], &reqs[next], &out[next]);
			if (xs[next].easy != NULL &&
			    curl_multi_add_handle(multi, xs[next].easy) ==
			        CURLM_OK)
				running++;
			else
				http_release(&xs[next]);
			next++;
		}
		if (running == 0 && next >= n)
			break;
		curl_multi_perform(multi, &still);
		while ((msg = curl_multi_info_read(multi, &msgs)) != NULL) {
			struct http_xfer *x = NULL;
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
			                  (char **)&x);
			http_finish(x, msg->data.result);
			curl_multi_remove_handle(multi, x->easy);
			http_release(x);
			running--;
		}
		if (running > 0 && (size_t)still == running)
			curl_multi_poll(multi, NULL, 0, 100, NULL);
	}
	curl_multi_cleanup(multi);
	free(xs);
	return DR_OK;
}

int http_request_one(const struct http_request *req, struct http_response *out)
{
	int rc = http_batch(req, 1, out, 1);
	if (rc != DR_OK) {
		memset(out, 0, sizeof(*out));
		out->status = rc;
		strlcpy_dr(out->error, "libcurl could not be initialised",
		           sizeof(out->error));
		return rc;
	}
	return out->status;
}

void http_response_clear(struct http_response *r)
{
	if (r == NULL)
		return;
	free(r->body);
	r->body = NULL;
	r->body_len = 0;
}

/* ---- SMTP ------------------------------------------------------------- */

struct http_mail_src {
	const char *p;
	size_t left;
};

static size_t http_mail_read(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct http_mail_src *src = arg;
	size_t room = size * nmemb;
	size_t take = src->left < room ? src->left : room;

	memcpy(buf, src->p, take);
	src->p += take;
	src->left -= take;
	return take;
}

int http_mail_send(const struct http_mail *m, char error[256])
{
	struct http_mail_src src = {m->message, strlen(m->message)};
	struct curl_slist *rcpt = NULL;
	char from[300], curl_err[CURL_ERROR_SIZE] = "";
	CURLcode cc;
	CURL *easy;

	error[0] = '\0';
	pthread_once(&http_once, http_global_init);
	if (http_init_rc != DR_OK || (easy = curl_easy_init()) == NULL) {
		strlcpy_dr(error, "libcurl could not be set up", 256);
		return DR_EIO;
	}
	snprintf(from, sizeof(from), "<%s>", m->from);
	for (size_t i = 0; m->to[i] != NULL; i++) {
		char to[300];
		snprintf(to, sizeof(to), "<%s>", m->to[i]);
		rcpt = curl_slist_append(rcpt, to);
	}
	curl_easy_setopt(easy, CURLOPT_URL, m->url);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, curl_err);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS,
	                 m->timeout_ms > 0 ? m->timeout_ms : 10000L);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	if (m->starttls)
		curl_easy_setopt(easy, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (m->ca_file != NULL)
		curl_easy_setopt(easy, CURLOPT_CAINFO, m->ca_file);
	if (m->user != NULL) {
		curl_easy_setopt(easy, CURLOPT_USERNAME, m->user);
		curl_easy_setopt(easy, CURLOPT_PASSWORD,
		                 m->password ? m->password : "");
	}
	curl_easy_setopt(easy, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(easy, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(easy, CURLOPT_READFUNCTION, http_mail_read);
	curl_easy_setopt(easy, CURLOPT_READDATA, &src);
	curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
	cc = curl_easy_perform(easy);
	if (cc != CURLE_OK) {
		long code = 0;
		curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
		if (code > 0)
			snprintf(error, 256, "%.200s (SMTP %ld)",
			         curl_err[0] ? curl_err
			                     : curl_easy_strerror(cc),
			         code);
		else
			strlcpy_dr(error,
			           curl_err[0] ? curl_err
			                       : curl_easy_strerror(cc),
			           256);
	}
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(easy);
	return cc == CURLE_OK                   ? DR_OK
	       : cc == CURLE_OPERATION_TIMEDOUT ? DR_ETIMEOUT
	                                        : DR_ENET;
}
