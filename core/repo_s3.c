/* s3://BUCKET/PREFIX repositories over libcurl.  This file is the backup
 * pipeline's only libcurl user (the probes have their own HTTP module);
 * requests are signed by libcurl itself (CURLOPT_AWS_SIGV4), never by hand.
 *
 * A put collects up to PART_SIZE bytes: a small object is one PUT; a larger
 * one becomes a multipart upload (initiate, one PUT per part, complete), so
 * the object appears under its name only when CompleteMultipartUpload
 * succeeds; an abort or a crash leaves an unfinished upload that
 * cleanup_partial aborts.  A get reads the object in ranged GETs of
 * PART_SIZE.  Every request is retried with exponential backoff on
 * connection failures, resets, stalls and 5xx answers, within the time
 * limit of one request that core/s3_budget.h explains. */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/crypto.h"
#include "core/error.h"
#include "core/repo.h"
#include "core/s3_budget.h"
#include "core/s3_xml.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

#define PART_SIZE       (8u << 20)
#define DEFAULT_RETRIES 5
#define DEFAULT_TIMEOUT 30

struct s3_repo {
	char *endpoint; /* without a trailing slash */
	char *bucket;
	char *prefix; /* "" or "dir/" */
	char *region;
	char *userpwd; /* "KEY:SECRET" */
	int path_style;
	int retries;
	long timeout_s;
	int64_t limit_ms;   /* of one request and its abort: s3_budget.h */
	int64_t request_ms; /* of the request alone */
};

struct buf {
	char *data;
	size_t len, cap;
};

static void buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->data = xrealloc(b->data, cap);
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---- requests ----------------------------------------------------------- */

struct response {
	long status;
	struct buf body;
	char etag[128];
	long long content_length; /* -1: none */
	size_t limit;             /* the most body bytes accepted */
	int too_long;             /* the server sent more than that */
};

/* No answer but an object's own bytes is large (a listing of 1000 keys is
 * about 300 KiB); a server that sends more is refused, not buffered. */
#define S3_BODY_MAX (16u * 1024 * 1024)

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct response *r = arg;
	if (r->body.len + size * n > r->limit) {
		r->too_long = 1;
		return 0; /* curl stops with CURLE_WRITE_ERROR */
	}
	buf_add(&r->body, p, size * n);
	return size * n;
}

/* A ranged GET asks for last - first + 1 bytes; an error document may
 * come instead, so a little more is allowed. */
static size_t body_limit(const char *range)
{
	long long first, last;

	if (range != NULL && sscanf(range, "%lld-%lld", &first, &last) == 2 &&
	    last >= first && last - first < (1LL << 40))
		return (size_t)(last - first + 1) + 64 * 1024;
	return S3_BODY_MAX;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct response *r = arg;
	size_t len = size * n;
	if (len > 15 && strncasecmp(p, "content-length:", 15) == 0)
		r->content_length = strtoll(p + 15, NULL, 10);
	if (len > 5 && strncasecmp(p, "etag:", 5) == 0) {
		const char *v = p + 5;
		while (*v == ' ')
			v++;
		size_t k = strcspn(v, "\r\n");
		if (k >= sizeof r->etag)
			k = sizeof r->etag - 1;
		memcpy(r->etag, v, k);
		r->etag[k] = '\0';
	}
	return len;
}

/* Escapes an object key for a URL path, keeping '/'. */
static char *escape_key(const char *key)
{
	struct buf b = {0};
	for (const char *p = key; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~' || c == '/') {
			buf_add(&b, p, 1);
		} else {
			char hex[4];
			snprintf(hex, sizeof hex, "%%%02X", c);
			buf_add(&b, hex, 3);
		}
	}
	if (b.data == NULL)
		buf_add(&b, "", 0);
	return b.data;
}

/* The URL of a key (NULL: the bucket), with a query (may be NULL). */
static char *url_for(const struct s3_repo *r, const char *key,
                     const char *query)
{
	char *k = key ? escape_key(key) : xstrdup("");
	char *u;
	if (r->path_style) {
		u = xasprintf("%s/%s/%s%s%s", r->endpoint, r->bucket, k,
		              query ? "?" : "", query ? query : "");
	} else {
		const char *host = strstr(r->endpoint, "://");
		host = host ? host + 3 : r->endpoint;
		u = xasprintf("%.*s%s.%s/%s%s%s", (int)(host - r->endpoint),
		              r->endpoint, r->bucket, host, k, query ? "?" : "",
		              query ? query : "");
	}
	free(k);
	return u;
}

static int retryable_curl(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

static void pause_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* "6s", "1.5s", "2m": a limit for a message. */
static void limit_text(int64_t ms, char *out, size_t cap)
{
	if (ms % 60000 == 0)
		snprintf(out, cap, "%lldm", (long long)(ms / 60000));
	else if (ms % 1000 == 0)
		snprintf(out, cap, "%llds", (long long)(ms / 1000));
	else
		snprintf(out, cap, "%.1fs", (double)ms / 1000.0);
}

/* One request with retries, all of it within budget_ms (core/s3_budget.h).
 * method: GET, PUT, POST, DELETE, HEAD.  body may be NULL.  range:
 * "first-last" or NULL.  Success is a 2xx answer. */
static int request(const struct s3_repo *r, int64_t budget_ms,
                   const char *method, const char *url, const void *body,
                   size_t body_len, const char *range, struct response *resp,
                   char **err)
{
	CURLcode c = CURLE_OK;
	int max_attempts = r->retries + 1, attempts = 0, out_of_time = 0;
	int64_t t0 = time_mono_ms(), deadline = t0 + budget_ms;
	char curl_err[CURL_ERROR_SIZE];
	char sigv4[128], hex[65], payload_hdr[96];
	snprintf(sigv4, sizeof sigv4, "aws:amz:%s:s3", r->region);
	sha256_hex(body ? body : "", body ? body_len : 0, hex);
	snprintf(payload_hdr, sizeof payload_hdr, "x-amz-content-sha256: %s",
	         hex);
	curl_err[0] = '\0';
	free(resp->body.data);
	memset(resp, 0, sizeof *resp);

	while (attempts < max_attempts) {
		if (attempts > 0) {
			uint16_t j;
			crypto_random(&j, sizeof j);
			long pause = s3_budget_backoff_ms(attempts - 1, j);
			if (!s3_budget_may_retry(deadline - time_mono_ms(),
			                         pause)) {
				out_of_time = 1;
				break;
			}
			pause_ms(pause);
		}
		struct s3_attempt_limits lim;
		if (!s3_budget_attempt(deadline - time_mono_ms(), r->timeout_s,
		                       &lim)) {
			out_of_time = 1;
			break;
		}
		attempts++;
		free(resp->body.data);
		memset(resp, 0, sizeof *resp);
		resp->content_length = -1;
		resp->limit = body_limit(range);
		CURL *h = curl_easy_init();
		if (h == NULL)
			abort();
		curl_err[0] = '\0';
		curl_easy_setopt(h, CURLOPT_URL, url);
		curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_err);
		curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(h, CURLOPT_USERPWD, r->userpwd);
		curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4);
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, lim.total_ms);
		curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, lim.connect_ms);
		/* A stall: less than 1 byte/s for the stall limit. */
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, lim.stall_s);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, resp);
		curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(h, CURLOPT_HEADERDATA, resp);
		struct curl_slist *hdr = NULL;
		/* No "Expect: 100-continue" round trip. */
		hdr = curl_slist_append(hdr, "Expect:");
		/* S3 wants the payload's hash; libcurl signs it along. */
		hdr = curl_slist_append(hdr, payload_hdr);
		if (strcmp(method, "HEAD") == 0) {
			curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
		} else if (body != NULL || strcmp(method, "POST") == 0 ||
		           strcmp(method, "PUT") == 0) {
			/* POSTFIELDS lets libcurl hash the payload for the
			 * SigV4 signature. */
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
			                 (curl_off_t)body_len);
			curl_easy_setopt(h, CURLOPT_POSTFIELDS,
			                 body ? body : "");
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
			hdr = curl_slist_append(
			    hdr, "Content-Type: application/octet-stream");
		} else if (strcmp(method, "GET") != 0) {
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
		}
		if (range != NULL)
			curl_easy_setopt(h, CURLOPT_RANGE, range);
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
		c = curl_easy_perform(h);
		if (c == CURLE_OK)
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE,
			                  &resp->status);
		curl_slist_free_all(hdr);
		curl_easy_cleanup(h);
		if (c == CURLE_OK && resp->status >= 200 && resp->status < 300)
			return DR_OK;
		if (c == CURLE_OK && resp->status < 500 && resp->status != 429)
			break; /* the server said no: retrying will not help */
		if (c != CURLE_OK && !retryable_curl(c))
			break;
		if (resp->too_long)
			break;
		if (time_mono_ms() >= deadline)
			out_of_time = 1;
	}
	if (resp->too_long) {
		*err = xasprintf("%s %s: the server sent more than the %zu "
		                 "bytes asked for; refused",
		                 method, url, resp->limit);
		return DR_ENET;
	}
	double spent = (double)(time_mono_ms() - t0) / 1000.0;
	char limit[32];
	limit_text(r->limit_ms, limit, sizeof limit);
	if (attempts == 0) {
		*err = xasprintf("%s %s: not tried: the request limit of %s "
		                 "was spent",
		                 method, url, limit);
		return DR_ETIMEOUT;
	}
	if (c != CURLE_OK) {
		const char *why =
		    curl_err[0] ? curl_err : curl_easy_strerror(c);
		if (out_of_time)
			*err =
			    xasprintf("%s %s: %s (after %d attempt%s in "
			              "%.1f s; stopped by the request limit "
			              "of %s)",
			              method, url, why, attempts,
			              attempts == 1 ? "" : "s", spent, limit);
		else
			*err = xasprintf("%s %s: %s (after %d attempt%s in "
			                 "%.1f s)",
			                 method, url, why, attempts,
			                 attempts == 1 ? "" : "s", spent);
		return c == CURLE_OPERATION_TIMEDOUT || out_of_time
		           ? DR_ETIMEOUT
		           : DR_ENET;
	}
	char *m = s3_xml_message(resp->body.data);
	*err = xasprintf("%s %s: HTTP %ld%s%s", method, url, resp->status,
	                 m[0] ? ": " : "", m);
	free(m);
	return resp->status == 404 ? DR_ENOTFOUND : DR_ENET;
}

/* ---- opening ------------------------------------------------------------ */

static int read_credentials(const char *path, char **id, char **secret,
                            char **err)
{
	uint8_t *text = NULL;
	size_t len = 0;
	int rc = crypto_key_file_read(path, &text, &len, err);
	if (rc != DR_OK)
		return rc;
	char *s = xstrndup((char *)text, len);
	crypto_secret_free(text, len);
	for (char *line = strtok(s, "\n"); line != NULL;
	     line = strtok(NULL, "\n")) {
		line[strcspn(line, "\r")] = '\0';
		if (strncmp(line, "AWS_ACCESS_KEY_ID=", 18) == 0)
			*id = xstrdup(line + 18);
		else if (strncmp(line, "AWS_SECRET_ACCESS_KEY=", 22) == 0)
			*secret = xstrdup(line + 22);
	}
	crypto_wipe(s, len);
	free(s);
	if (*id == NULL || *secret == NULL) {
		*err = xasprintf("credentials file %s: expected "
		                 "AWS_ACCESS_KEY_ID= and "
		                 "AWS_SECRET_ACCESS_KEY= lines",
		                 path);
		return DR_EINVAL;
	}
	return DR_OK;
}

static void s3_close(void *impl)
{
	struct s3_repo *r = impl;
	if (r == NULL)
		return;
	free(r->endpoint);
	free(r->bucket);
	free(r->prefix);
	free(r->region);
	if (r->userpwd != NULL)
		crypto_wipe(r->userpwd, strlen(r->userpwd));
	free(r->userpwd);
	free(r);
}

static int s3_open(const char *url, const struct repo_options *opt, void **impl,
                   char **err)
{
	const char *b = url + strlen("s3://");
	size_t blen = strcspn(b, "/");
	char *id = NULL, *secret = NULL;
	if (blen == 0) {
		*err = xasprintf("repository %s: expected s3://BUCKET/PREFIX",
		                 url);
		return DR_EINVAL;
	}
	if (opt->endpoint == NULL) {
		*err = xasprintf("repository %s: no endpoint configured", url);
		return DR_EINVAL;
	}
	if (opt->credentials_file != NULL) {
		int rc =
		    read_credentials(opt->credentials_file, &id, &secret, err);
		if (rc != DR_OK) {
			free(id);
			free(secret);
			return rc;
		}
	} else {
		const char *e1 = getenv("AWS_ACCESS_KEY_ID");
		const char *e2 = getenv("AWS_SECRET_ACCESS_KEY");
		if (e1 == NULL || e2 == NULL) {
			*err = xasprintf("repository %s: no credentials (set "
			                 "credentials_file, or "
			                 "AWS_ACCESS_KEY_ID and "
			                 "AWS_SECRET_ACCESS_KEY)",
			                 url);
			return DR_EINVAL;
		}
		id = xstrdup(e1);
		secret = xstrdup(e2);
	}
	pthread_once(&curl_once, curl_init_once);
	struct s3_repo *r = xcalloc(1, sizeof *r);
	r->endpoint = xstrdup(opt->endpoint);
	size_t n = strlen(r->endpoint);
	while (n > 0 && r->endpoint[n - 1] == '/')
		r->endpoint[--n] = '\0';
	r->bucket = xstrndup(b, blen);
	const char *p = b + blen;
	while (*p == '/')
		p++;
	r->prefix =
	    *p ? xasprintf("%s%s", p, p[strlen(p) - 1] == '/' ? "" : "/")
	       : xstrdup("");
	r->region = xstrdup(opt->region ? opt->region : "us-east-1");
	r->userpwd = xasprintf("%s:%s", id, secret);
	crypto_wipe(secret, strlen(secret));
	free(id);
	free(secret);
	r->path_style = opt->path_style;
	r->retries = opt->retries >= 0 ? opt->retries : DEFAULT_RETRIES;
	r->timeout_s = opt->timeout_s > 0 ? opt->timeout_s : DEFAULT_TIMEOUT;
	r->limit_ms = opt->request_limit_s > 0
	                  ? (int64_t)opt->request_limit_s * 1000
	                  : S3_BUDGET_DEFAULT_LIMIT_MS;
	r->request_ms = s3_budget_request_ms(r->limit_ms);
	*impl = r;
	return DR_OK;
}

/* ---- puts --------------------------------------------------------------- */

struct s3_put {
	struct s3_repo *r;
	char *key;
	struct buf part;
	char *upload_id;     /* NULL until a multipart upload started */
	struct buf complete; /* the CompleteMultipartUpload body */
	int parts;
};

static int s3_put_begin(void *impl, const char *name, void **out, char **err)
{
	(void)err;
	struct s3_put *p = xcalloc(1, sizeof *p);
	p->r = impl;
	p->key = xasprintf("%s%s", p->r->prefix, name);
	*out = p;
	return DR_OK;
}

static int send_part(struct s3_put *p, char **err)
{
	struct response resp = {0};
	int rc;
	if (p->upload_id == NULL) {
		char *url = url_for(p->r, p->key, "uploads");
		rc = request(p->r, p->r->request_ms, "POST", url, NULL, 0, NULL,
		             &resp, err);
		free(url);
		if (rc == DR_OK) {
			p->upload_id = s3_xml_value(resp.body.data, "UploadId");
			if (p->upload_id == NULL) {
				*err = xasprintf("S3: no UploadId in the "
				                 "answer to a multipart start");
				rc = DR_ENET;
			}
		}
		free(resp.body.data);
		memset(&resp, 0, sizeof resp);
		if (rc != DR_OK)
			return rc;
		buf_add(&p->complete, "<CompleteMultipartUpload>", 25);
	}
	char *uid = curl_easy_escape(NULL, p->upload_id, 0);
	char *q = xasprintf("partNumber=%d&uploadId=%s", p->parts + 1, uid);
	char *url = url_for(p->r, p->key, q);
	rc = request(p->r, p->r->request_ms, "PUT", url, p->part.data,
	             p->part.len, NULL, &resp, err);
	free(url);
	free(q);
	curl_free(uid);
	if (rc == DR_OK) {
		p->parts++;
		char *x = xasprintf("<Part><PartNumber>%d</PartNumber><ETag>%s"
		                    "</ETag></Part>",
		                    p->parts, resp.etag);
		buf_add(&p->complete, x, strlen(x));
		free(x);
		p->part.len = 0;
	}
	free(resp.body.data);
	return rc;
}

static int s3_put_write(void *put, const void *data, size_t n, char **err)
{
	struct s3_put *p = put;
	const char *d = data;
	while (n > 0) {
		size_t room = PART_SIZE - p->part.len;
		size_t k = n < room ? n : room;
		buf_add(&p->part, d, k);
		d += k;
		n -= k;
		if (p->part.len == PART_SIZE) {
			int rc = send_part(p, err);
			if (rc != DR_OK)
				return rc;
		}
	}
	return DR_OK;
}

static void put_free(struct s3_put *p)
{
	free(p->key);
	free(p->part.data);
	free(p->upload_id);
	free(p->complete.data);
	free(p);
}

static void abort_upload(struct s3_repo *r, int64_t budget_ms, const char *key,
                         const char *upload_id)
{
	struct response resp = {0};
	char *e = NULL;
	char *uid = curl_easy_escape(NULL, upload_id, 0);
	char *q = xasprintf("uploadId=%s", uid);
	char *url = url_for(r, key, q);
	request(r, budget_ms, "DELETE", url, NULL, 0, NULL, &resp, &e);
	free(e);
	free(url);
	free(q);
	curl_free(uid);
	free(resp.body.data);
}

static void s3_put_abort(void *put)
{
	struct s3_put *p = put;
	if (p == NULL)
		return;
	/* After a failure: the abort has a small budget of its own
	 * (core/s3_budget.h). */
	int64_t budget = s3_budget_abort_ms(p->r->limit_ms);
	if (p->upload_id != NULL) {
		abort_upload(p->r, budget, p->key, p->upload_id);
	} else {
		/* A server may keep the body of a PUT that broke off; the key
		 * is this backup's alone, so removing it is safe. */
		struct response resp = {0};
		char *e = NULL, *url = url_for(p->r, p->key, NULL);
		request(p->r, budget, "DELETE", url, NULL, 0, NULL, &resp, &e);
		free(e);
		free(url);
		free(resp.body.data);
	}
	put_free(p);
}

static int s3_put_commit(void *put, char **err)
{
	struct s3_put *p = put;
	struct response resp = {0};
	int rc;
	if (p->upload_id == NULL) {
		/* Small: one PUT, atomic by S3's rules. */
		char *url = url_for(p->r, p->key, NULL);
		rc = request(p->r, p->r->request_ms, "PUT", url,
		             p->part.data ? p->part.data : "", p->part.len,
		             NULL, &resp, err);
		free(url);
		free(resp.body.data);
		if (rc != DR_OK) {
			s3_put_abort(p);
			return rc;
		}
		put_free(p);
		return rc;
	}
	if (p->part.len > 0) {
		rc = send_part(p, err);
		if (rc != DR_OK) {
			s3_put_abort(p);
			return rc;
		}
	}
	buf_add(&p->complete, "</CompleteMultipartUpload>", 26);
	char *uid = curl_easy_escape(NULL, p->upload_id, 0);
	char *q = xasprintf("uploadId=%s", uid);
	char *url = url_for(p->r, p->key, q);
	rc = request(p->r, p->r->request_ms, "POST", url, p->complete.data,
	             p->complete.len, NULL, &resp, err);
	/* S3 may answer 200 with an <Error> body. */
	if (rc == DR_OK && resp.body.data != NULL &&
	    strstr(resp.body.data, "<Error>") != NULL) {
		char *m = s3_xml_message(resp.body.data);
		*err = xasprintf("completing the upload of %s failed: %s",
		                 p->key, m);
		free(m);
		rc = DR_ENET;
	}
	free(url);
	free(q);
	curl_free(uid);
	free(resp.body.data);
	if (rc != DR_OK) {
		s3_put_abort(p);
		return rc;
	}
	put_free(p);
	return DR_OK;
}

/* ---- gets --------------------------------------------------------------- */

struct s3_get {
	struct s3_repo *r;
	char *url;
	int64_t size;
	int64_t offset; /* of the next range to fetch */
	struct buf chunk;
	size_t pos;
};

static int s3_get_open(void *impl, const char *name, void **out, char **err)
{
	struct s3_repo *r = impl;
	struct response resp = {0};
	char *key = xasprintf("%s%s", r->prefix, name);
	char *url = url_for(r, key, NULL);
	free(key);
	int rc =
	    request(r, r->request_ms, "HEAD", url, NULL, 0, NULL, &resp, err);
	free(resp.body.data);
	resp.body.data = NULL;
	if (rc != DR_OK) {
		free(url);
		return rc;
	}
	long long len = resp.content_length;
	if (len < 0) {
		*err = xasprintf("HEAD %s: no object size", url);
		free(url);
		return DR_ENET;
	}
	struct s3_get *g = xcalloc(1, sizeof *g);
	g->r = r;
	g->url = url;
	g->size = (int64_t)len;
	*out = g;
	return DR_OK;
}

static int s3_get_read(void *get, void *buf, size_t cap, size_t *got,
                       char **err)
{
	struct s3_get *g = get;
	if (g->pos == g->chunk.len) {
		if (g->offset >= g->size) {
			*got = 0;
			return DR_OK;
		}
		int64_t last = g->offset + PART_SIZE - 1;
		if (last >= g->size)
			last = g->size - 1;
		char range[64];
		snprintf(range, sizeof range, "%lld-%lld", (long long)g->offset,
		         (long long)last);
		struct response resp = {0};
		int rc = request(g->r, g->r->request_ms, "GET", g->url, NULL, 0,
		                 range, &resp, err);
		if (rc != DR_OK) {
			free(resp.body.data);
			return rc;
		}
		if ((int64_t)resp.body.len != last - g->offset + 1) {
			*err = xasprintf(
			    "GET %s: expected %lld bytes, got %zu", g->url,
			    (long long)(last - g->offset + 1), resp.body.len);
			free(resp.body.data);
			return DR_ENET;
		}
		free(g->chunk.data);
		g->chunk = resp.body;
		g->pos = 0;
		g->offset = last + 1;
	}
	size_t n = g->chunk.len - g->pos;
	if (n > cap)
		n = cap;
	memcpy(buf, g->chunk.data + g->pos, n);
	g->pos += n;
	*got = n;
	return DR_OK;
}

static void s3_get_close(void *get)
{
	struct s3_get *g = get;
	if (g == NULL)
		return;
	free(g->url);
	free(g->chunk.data);
	free(g);
}

/* ---- the rest ----------------------------------------------------------- */

static int s3_remove(void *impl, const char *name, char **err)
{
	struct s3_repo *r = impl;
	struct response resp = {0};
	char *key = xasprintf("%s%s", r->prefix, name);
	char *url = url_for(r, key, NULL);
	int rc =
	    request(r, r->request_ms, "DELETE", url, NULL, 0, NULL, &resp, err);
	free(resp.body.data);
	free(url);
	free(key);
	return rc;
}

static int s3_list(void *impl, const char *prefix, struct repo_object **out,
                   size_t *n, char **err)
{
	struct s3_repo *r = impl;
	char *token = NULL;
	size_t cap = 0;
	int rc = DR_OK;
	*out = NULL;
	*n = 0;
	char *full = xasprintf("%s%s", r->prefix, prefix ? prefix : "");
	char *pfx = curl_easy_escape(NULL, full, 0);
	do {
		struct response resp = {0};
		char *tok = token ? curl_easy_escape(NULL, token, 0) : NULL;
		char *q = xasprintf("list-type=2&prefix=%s%s%s", pfx,
		                    tok ? "&continuation-token=" : "",
		                    tok ? tok : "");
		char *url = url_for(r, NULL, q);
		rc = request(r, r->request_ms, "GET", url, NULL, 0, NULL, &resp,
		             err);
		free(url);
		free(q);
		curl_free(tok);
		free(token);
		token = NULL;
		if (rc != DR_OK) {
			free(resp.body.data);
			break;
		}
		const char *p = resp.body.data;
		while (p != NULL && (p = strstr(p, "<Contents>")) != NULL) {
			const char *end = strstr(p, "</Contents>");
			if (end == NULL)
				break;
			char *item = xstrndup(p, (size_t)(end - p));
			char *key = s3_xml_value(item, "Key");
			char *size = s3_xml_value(item, "Size");
			if (key != NULL &&
			    strncmp(key, r->prefix, strlen(r->prefix)) == 0) {
				if (*n == cap) {
					cap = cap ? cap * 2 : 16;
					*out = xreallocarray(*out, cap,
					                     sizeof **out);
				}
				(*out)[*n].name =
				    xstrdup(key + strlen(r->prefix));
				(*out)[*n].size =
				    size ? strtoll(size, NULL, 10) : -1;
				(*n)++;
			}
			free(key);
			free(size);
			free(item);
			p = end;
		}
		char *trunc = s3_xml_value(resp.body.data, "IsTruncated");
		if (trunc != NULL && strcmp(trunc, "true") == 0)
			token = s3_xml_value(resp.body.data,
			                     "NextContinuationToken");
		free(trunc);
		free(resp.body.data);
	} while (token != NULL);
	curl_free(pfx);
	free(full);
	return rc;
}

static int s3_cleanup_partial(void *impl, const char *name, char **err)
{
	struct s3_repo *r = impl;
	struct response resp = {0};
	char *key = xasprintf("%s%s", r->prefix, name);
	char *k = curl_easy_escape(NULL, key, 0);
	char *q = xasprintf("uploads&prefix=%s", k);
	char *url = url_for(r, NULL, q);
	char *e = NULL;
	/* Best effort: a server without ListMultipartUploads keeps them. */
	if (request(r, r->request_ms, "GET", url, NULL, 0, NULL, &resp, &e) ==
	    DR_OK) {
		const char *p = resp.body.data;
		while (p != NULL && (p = strstr(p, "<Upload>")) != NULL) {
			const char *end = strstr(p, "</Upload>");
			if (end == NULL)
				break;
			char *item = xstrndup(p, (size_t)(end - p));
			char *ukey = s3_xml_value(item, "Key");
			char *uid = s3_xml_value(item, "UploadId");
			if (ukey != NULL && uid != NULL &&
			    strcmp(ukey, key) == 0)
				abort_upload(r, r->request_ms, key, uid);
			free(ukey);
			free(uid);
			free(item);
			p = end;
		}
	}
	(void)err;
	free(e);
	free(resp.body.data);
	free(url);
	free(q);
	curl_free(k);
	free(key);
	return DR_OK;
}

static const struct repo_ops s3_ops = {
    .put_begin = s3_put_begin,
    .put_write = s3_put_write,
    .put_commit = s3_put_commit,
    .put_abort = s3_put_abort,
    .get_open = s3_get_open,
    .get_read = s3_get_read,
    .get_close = s3_get_close,
    .remove = s3_remove,
    .list = s3_list,
    .cleanup_partial = s3_cleanup_partial,
    .close = s3_close,
};

const struct repo_kind repo_s3_kind = {
    .scheme = "s3",
    .open = s3_open,
    .ops = &s3_ops,
};
