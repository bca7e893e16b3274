/* core/repo_s3.c against a small scripted S3 server on loopback, started
 * by the test: what the repository sends (the object's path with its key
 * escaped and the repository's prefix, the payload's hash, a SigV4
 * signature that checks out), and what it makes of the answers (404 is
 * "not found", 403 is not retried, 5xx is retried, a listing is followed
 * across pages, a completed upload answered with an error is aborted).  The
 * signature is checked by a verifier written here from the SigV4 rules,
 * which first has to reproduce AWS's own published example. */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/crypto.h"
#include "core/error.h"
#include "core/repo.h"
#include "core/xmalloc.h"

#define AKID   "AKIDEXAMPLETEST"
#define SECRET "secret/key+with=odd chars"
#define REGION "eu-west-3"

/* ---- the scripted server ------------------------------------------------ */

struct answer {
	int status;
	const char *headers; /* extra header lines, each ending "\r\n" */
	const char *body;    /* NULL: none */
	long long length;    /* Content-Length without a body (HEAD); 0: the
	                        body's */
};

struct seen {
	char method[16];
	char target[512];
	char *headers; /* the header lines as sent */
	char *body;
	size_t body_len;
};

#define MAX_SEEN 64

static struct {
	int listen_fd;
	int port;
	pthread_t thread;
	pthread_mutex_t lock;
	const struct answer *script;
	size_t n_script;
	struct seen seen[MAX_SEEN];
	size_t n_seen;
	int stop;
} srv;

/* The value of header name in the lines, or NULL; malloc'd. */
static char *header_of(const char *headers, const char *name)
{
	size_t nl = strlen(name);
	for (const char *p = headers; p != NULL && *p;) {
		const char *eol = strstr(p, "\r\n");
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		if (len > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1;
			while (*v == ' ')
				v++;
			return xstrndup(v, len - (size_t)(v - p));
		}
		p = eol ? eol + 2 : NULL;
	}
	return NULL;
}

static void serve_one(int fd)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = xmalloc(cap + 1);
	char *end = NULL;
	while (end == NULL) {
		if (len == cap) {
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
		ssize_t k = read(fd, buf + len, cap - len);
		if (k <= 0) {
			free(buf);
			return;
		}
		len += (size_t)k;
		buf[len] = '\0';
		end = strstr(buf, "\r\n\r\n");
	}
	size_t head = (size_t)(end - buf) + 4;
	const char *lines = strstr(buf, "\r\n") + 2;
	char *hdrs = xstrndup(lines, head - 2 - (size_t)(lines - buf));
	char *cl = header_of(hdrs, "Content-Length");
	size_t want = cl ? (size_t)strtoull(cl, NULL, 10) : 0;
	free(cl);
	while (len - head < want) {
		if (len == cap) {
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
		ssize_t k = read(fd, buf + len, cap - len);
		if (k <= 0)
			break;
		len += (size_t)k;
	}
	pthread_mutex_lock(&srv.lock);
	size_t i = srv.n_seen;
	struct answer a = {200, NULL, NULL, 0};
	if (i < srv.n_script)
		a = srv.script[i];
	if (i < MAX_SEEN) {
		struct seen *s = &srv.seen[i];
		sscanf(buf, "%15s %511s", s->method, s->target);
		s->headers = hdrs;
		hdrs = NULL;
		s->body_len = len - head < want ? len - head : want;
		s->body = xmalloc(s->body_len + 1);
		memcpy(s->body, buf + head, s->body_len);
		s->body[s->body_len] = '\0';
		srv.n_seen++;
	}
	pthread_mutex_unlock(&srv.lock);
	free(hdrs);
	size_t blen = a.body ? strlen(a.body) : 0;
	char *resp = xasprintf("HTTP/1.1 %d Scripted\r\n%sContent-Length: "
	                       "%lld\r\nConnection: close\r\n\r\n",
	                       a.status, a.headers ? a.headers : "",
	                       a.length ? a.length : (long long)blen);
	if (write(fd, resp, strlen(resp)) < 0 ||
	    (blen > 0 && write(fd, a.body, blen) < 0))
		(void)0; /* the client went away */
	free(resp);
	free(buf);
}

static void *serve(void *arg)
{
	(void)arg;
	for (;;) {
		int fd = accept(srv.listen_fd, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR)
				continue;
			return NULL;
		}
		if (srv.stop) {
			close(fd);
			return NULL;
		}
		serve_one(fd);
		close(fd);
	}
}

static void server_start(const struct answer *script, size_t n)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t alen = sizeof a;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	memset(&srv.seen, 0, sizeof srv.seen);
	srv.n_seen = 0;
	srv.script = script;
	srv.n_script = n;
	srv.stop = 0;
	srv.listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(srv.listen_fd >= 0);
	assert_int_equal(bind(srv.listen_fd, (struct sockaddr *)&a, sizeof a),
	                 0);
	assert_int_equal(listen(srv.listen_fd, 16), 0);
	assert_int_equal(
	    getsockname(srv.listen_fd, (struct sockaddr *)&a, &alen), 0);
	srv.port = ntohs(a.sin_port);
	pthread_mutex_init(&srv.lock, NULL);
	assert_int_equal(pthread_create(&srv.thread, NULL, serve, NULL), 0);
}

static void server_stop(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)srv.port);
	srv.stop = 1;
	/* Wake the accept. */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
		(void)0;
	close(fd);
	pthread_join(srv.thread, NULL);
	close(srv.listen_fd);
}

/* Forgets what the server saw (after server_stop). */
static void server_clear(void)
{
	for (size_t i = 0; i < srv.n_seen; i++) {
		free(srv.seen[i].headers);
		free(srv.seen[i].body);
	}
	srv.n_seen = 0;
}

static struct repo *open_repo(const char *url, int retries)
{
	char endpoint[64], *err = NULL;
	struct repo *repo = NULL;
	snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d/", srv.port);
	struct repo_options opt = {.endpoint = endpoint,
	                           .region = REGION,
	                           .path_style = 1,
	                           .retries = retries,
	                           .timeout_s = 5};
	int rc = repo_open(url, &opt, &repo, &err);
	if (rc != DR_OK)
		fail_msg("repo_open: %s", err);
	return repo;
}

/* ---- a SigV4 verifier, from the rules ----------------------------------- */

static void unhex(const char *hex, uint8_t out[32])
{
	for (int i = 0; i < 32; i++) {
		unsigned v = 0;
		sscanf(hex + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

static void hmac(const uint8_t *key, size_t key_len, const char *data,
                 uint8_t out[32])
{
	char hex[65];
	crypto_hmac_sha256_hex(key, key_len, data, strlen(data), hex);
	unhex(hex, out);
}

/* The signature of a canonical request, as AWS defines it. */
static void sigv4(const char *secret, const char *amz_date, const char *region,
                  const char *canonical, char sig[65])
{
	char date[9], scope[128], hash[65];
	uint8_t k[32];
	memcpy(date, amz_date, 8);
	date[8] = '\0';
	snprintf(scope, sizeof scope, "%s/%s/s3/aws4_request", date, region);
	sha256_hex(canonical, strlen(canonical), hash);
	char *to_sign =
	    xasprintf("AWS4-HMAC-SHA256\n%s\n%s\n%s", amz_date, scope, hash);
	char *k0 = xasprintf("AWS4%s", secret);
	hmac((const uint8_t *)k0, strlen(k0), date, k);
	hmac(k, 32, region, k);
	hmac(k, 32, "s3", k);
	hmac(k, 32, "aws4_request", k);
	crypto_hmac_sha256_hex(k, 32, to_sign, strlen(to_sign), sig);
	free(to_sign);
	free(k0);
}

/* Rebuilds the canonical request of a request the server saw (no query
 * string) from the headers its Authorization names, and checks the
 * signature; the Credential's scope is returned in scope. */
static void verify_signature(const struct seen *s, const char *secret,
                             char scope[128])
{
	char *auth = header_of(s->headers, "Authorization");
	assert_non_null(auth);
	char cred[160] = "", signed_h[256] = "", sig[65] = "";
	assert_int_equal(sscanf(auth,
	                        "AWS4-HMAC-SHA256 Credential=%159[^,], "
	                        "SignedHeaders=%255[^,], Signature=%64s",
	                        cred, signed_h, sig),
	                 3);
	strlcpy_dr(scope, cred, 128);
	char *date = header_of(s->headers, "x-amz-date");
	char *payload = header_of(s->headers, "x-amz-content-sha256");
	assert_non_null(date);
	assert_non_null(payload);
	assert_null(strchr(s->target, '?'));
	char *canon = xasprintf("%s\n%s\n\n", s->method, s->target);
	char names[256];
	strlcpy_dr(names, signed_h, sizeof names);
	for (char *n = strtok(names, ";"); n != NULL; n = strtok(NULL, ";")) {
		/* libcurl signs the "Expect:" it was told to leave out
		 * with an empty value; a server reads a signed header it
		 * did not get as empty. */
		char *v = header_of(s->headers, n);
		if (v == NULL)
			v = xstrdup("");
		char *next = xasprintf("%s%s:%s\n", canon, n, v);
		free(canon);
		canon = next;
		free(v);
	}
	char *full = xasprintf("%s\n%s\n%s", canon, signed_h, payload);
	char want[65];
	sigv4(secret, date, REGION, full, want);
	assert_string_equal(sig, want);
	free(full);
	free(canon);
	free(date);
	free(payload);
	free(auth);
}

/* The verifier reproduces AWS's published example (S3, "GET Object" with
 * a Range header, in the Signature Version 4 documentation). */
static void test_sigv4_vector(void **state)
{
	(void)state;
	const char *canonical =
	    "GET\n/test.txt\n\n"
	    "host:examplebucket.s3.amazonaws.com\n"
	    "range:bytes=0-9\n"
	    "x-amz-content-sha256:"
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
	    "x-amz-date:20130524T000000Z\n\n"
	    "host;range;x-amz-content-sha256;x-amz-date\n"
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	char sig[65];
	sigv4("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524T000000Z",
	      "us-east-1", canonical, sig);
	assert_string_equal(
	    sig,
	    "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

/* ---- tests -------------------------------------------------------------- */

static int setup(void **state)
{
	(void)state;
	setenv("AWS_ACCESS_KEY_ID", AKID, 1);
	setenv("AWS_SECRET_ACCESS_KEY", SECRET, 1);
	return 0;
}

/* A small object is one signed PUT of its bytes under the prefix, its key
 * escaped. */
static void test_put_is_signed(void **state)
{
	(void)state;
	server_start(NULL, 0);
	struct repo *repo = open_repo("s3://bucket/backups", 0);
	struct repo_put *put = NULL;
	char *err = NULL;
	assert_int_equal(repo_put_begin(repo, "svc/t/a b+c.drb", &put, &err),
	                 DR_OK);
	assert_int_equal(repo_put_write(put, "hello ", 6, &err), DR_OK);
	assert_int_equal(repo_put_write(put, "world", 5, &err), DR_OK);
	assert_int_equal(repo_put_commit(put, &err), DR_OK);
	repo_close(repo);
	server_stop();
	assert_int_equal(srv.n_seen, 1);
	const struct seen *s = &srv.seen[0];
	assert_string_equal(s->method, "PUT");
	assert_string_equal(s->target, "/bucket/backups/svc/t/a%20b%2Bc.drb");
	assert_int_equal(s->body_len, 11);
	assert_memory_equal(s->body, "hello world", 11);
	char hex[65], scope[128];
	sha256_hex("hello world", 11, hex);
	char *payload = header_of(s->headers, "x-amz-content-sha256");
	assert_string_equal(payload, hex);
	free(payload);
	verify_signature(s, SECRET, scope);
	/* Signed for this key, today (UTC), this region, S3. */
	char want[128], day[16];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(day, sizeof day, "%Y%m%d", &tm);
	snprintf(want, sizeof want, AKID "/%s/" REGION "/s3/aws4_request", day);
	assert_string_equal(scope, want);
	server_clear();
}

/* What cannot work is refused at open, naming what is missing. */
static void test_open_refuses(void **state)
{
	(void)state;
	struct repo_options opt = {.endpoint = "http://127.0.0.1:9",
	                           .retries = 0};
	struct repo *repo = NULL;
	char *err = NULL;
	assert_int_equal(repo_open("s3:///prefix", &opt, &repo, &err),
	                 DR_EINVAL);
	assert_non_null(strstr(err, "expected s3://BUCKET/PREFIX"));
	free(err);
	struct repo_options none = {.retries = 0};
	assert_int_equal(repo_open("s3://b/p", &none, &repo, &err), DR_EINVAL);
	assert_non_null(strstr(err, "no endpoint"));
	free(err);
	unsetenv("AWS_SECRET_ACCESS_KEY");
	assert_int_equal(repo_open("s3://b/p", &opt, &repo, &err), DR_EINVAL);
	assert_non_null(strstr(err, "no credentials"));
	free(err);
	setenv("AWS_SECRET_ACCESS_KEY", SECRET, 1);

	char path[] = "/tmp/repo_s3_test_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "AWS_ACCESS_KEY_ID=x\n", 20), 20);
	close(fd);
	opt.credentials_file = path;
	assert_int_equal(repo_open("s3://b/p", &opt, &repo, &err), DR_EINVAL);
	assert_non_null(strstr(err, "AWS_SECRET_ACCESS_KEY="));
	free(err);
	/* A credentials file others may read is refused, as a key file. */
	chmod(path, 0644);
	assert_int_not_equal(repo_open("s3://b/p", &opt, &repo, &err), DR_OK);
	free(err);
	unlink(path);
	assert_null(repo);
}

/* A get asks for the size, then reads the object in ranges. */
static void test_get_reads_back(void **state)
{
	(void)state;
	static const struct answer script[] = {
	    {200, NULL, NULL, 11},
	    {206, NULL, "hello world", 0},
	};
	server_start(script, 2);
	struct repo *repo = open_repo("s3://bucket/p/", 0);
	struct repo_get *get = NULL;
	char *err = NULL, buf[32];
	size_t got = 0, total = 0;
	assert_int_equal(repo_get_open(repo, "obj", &get, &err), DR_OK);
	for (;;) {
		assert_int_equal(repo_get_read(get, buf + total, 4, &got, &err),
		                 DR_OK);
		if (got == 0)
			break;
		total += got;
	}
	repo_get_close(get);
	repo_close(repo);
	server_stop();
	assert_int_equal(total, 11);
	assert_memory_equal(buf, "hello world", 11);
	assert_int_equal(srv.n_seen, 2);
	assert_string_equal(srv.seen[0].method, "HEAD");
	assert_string_equal(srv.seen[0].target, "/bucket/p/obj");
	assert_string_equal(srv.seen[1].method, "GET");
	char *range = header_of(srv.seen[1].headers, "Range");
	assert_string_equal(range, "bytes=0-10");
	free(range);
	server_clear();
}

#define ERROR_XML(code, msg)                                                   \
	"<?xml version=\"1.0\"?><Error><Code>" code "</Code><Message>" msg     \
	"</Message></Error>"

/* 404 is "not found"; the server's own message is in the error. */
static void test_not_found(void **state)
{
	(void)state;
	static const struct answer script[] = {
	    {404, NULL, NULL, 0},
	    {404, NULL, ERROR_XML("NoSuchKey", "The key does not exist"), 0},
	};
	server_start(script, 2);
	struct repo *repo = open_repo("s3://bucket/p", 3);
	struct repo_get *get = NULL;
	char *err = NULL;
	assert_int_equal(repo_get_open(repo, "gone", &get, &err), DR_ENOTFOUND);
	assert_non_null(strstr(err, "HTTP 404"));
	free(err);
	assert_int_equal(repo_remove(repo, "gone", &err), DR_ENOTFOUND);
	assert_non_null(strstr(err, "The key does not exist"));
	free(err);
	repo_close(repo);
	server_stop();
	/* Not retried: once each. */
	assert_int_equal(srv.n_seen, 2);
	assert_string_equal(srv.seen[1].method, "DELETE");
	server_clear();
}

/* 403 is the server saying no: asked once, its reason reported. */
static void test_denied_is_not_retried(void **state)
{
	(void)state;
	static const struct answer script[] = {
	    {403, NULL, ERROR_XML("AccessDenied", "Access Denied by policy"),
	     0},
	};
	server_start(script, 1);
	struct repo *repo = open_repo("s3://bucket/p", 3);
	char *err = NULL;
	assert_int_equal(repo_remove(repo, "x", &err), DR_ENET);
	assert_non_null(strstr(err, "HTTP 403"));
	assert_non_null(strstr(err, "Access Denied by policy"));
	assert_non_null(strstr(err, "/bucket/p/x"));
	free(err);
	repo_close(repo);
	server_stop();
	assert_int_equal(srv.n_seen, 1);
	server_clear();
}

/* 5xx is retried up to the configured count; one that recovers in time
 * succeeds, one that does not is reported. */
static void test_server_errors_are_retried(void **state)
{
	(void)state;
	static const struct answer script[] = {
	    {503, NULL, ERROR_XML("SlowDown", "Please reduce your rate"), 0},
	    {200, NULL, NULL, 0},
	    {500, NULL, ERROR_XML("InternalError", "We hit a snag"), 0},
	    {500, NULL, ERROR_XML("InternalError", "We hit a snag"), 0},
	    {500, NULL, ERROR_XML("InternalError", "We hit a snag"), 0},
	};
	server_start(script, 5);
	struct repo *repo = open_repo("s3://bucket/p", 2);
	char *err = NULL;
	assert_int_equal(repo_remove(repo, "x", &err), DR_OK);
	assert_int_equal(repo_remove(repo, "y", &err), DR_ENET);
	assert_non_null(strstr(err, "HTTP 500"));
	assert_non_null(strstr(err, "We hit a snag"));
	free(err);
	repo_close(repo);
	server_stop();
	/* x: 503 then 200; y: three 500s (one try and two retries). */
	assert_int_equal(srv.n_seen, 5);
	assert_string_equal(srv.seen[4].target, "/bucket/p/y");
	server_clear();
}

/* A listing is followed across pages; names come back without the
 * repository's prefix. */
static void test_list_pages(void **state)
{
	(void)state;
	static const struct answer script[] = {
	    {200, NULL,
	     "<ListBucketResult><IsTruncated>true</IsTruncated>"
	     "<NextContinuationToken>tok/1=</NextContinuationToken>"
	     "<Contents><Key>p/svc/a.drb</Key><Size>12</Size></Contents>"
	     "</ListBucketResult>",
	     0},
	    {200, NULL,
	     "<ListBucketResult><IsTruncated>false</IsTruncated>"
	     "<Contents><Key>p/svc/b.gz</Key><Size>7</Size></Contents>"
	     "</ListBucketResult>",
	     0},
	};
	server_start(script, 2);
	struct repo *repo = open_repo("s3://bucket/p", 0);
	struct repo_object *list = NULL;
	size_t n = 0;
	char *err = NULL;
	assert_int_equal(repo_list(repo, "svc/", &list, &n, &err), DR_OK);
	repo_close(repo);
	server_stop();
	assert_int_equal(n, 2);
	assert_string_equal(list[0].name, "svc/a.drb");
	assert_int_equal(list[0].size, 12);
	assert_string_equal(list[1].name, "svc/b.gz");
	assert_int_equal(list[1].size, 7);
	repo_objects_free(list, n);
	assert_string_equal(srv.seen[0].target,
	                    "/bucket/?list-type=2&prefix=p%2Fsvc%2F");
	assert_string_equal(srv.seen[1].target,
	                    "/bucket/?list-type=2&prefix=p%2Fsvc%2F"
	                    "&continuation-token=tok%2F1%3D");
	server_clear();
}

/* A large object is a multipart upload; a completion answered "200" with
 * an <Error> body is a failure, and the upload is aborted, so nothing
 * half-made stays behind. */
static void test_multipart_error_aborts(void **state)
{
	(void)state;
	static const struct answer script[] = {
	    {200, NULL,
	     "<InitiateMultipartUploadResult><UploadId>up/42</UploadId>"
	     "</InitiateMultipartUploadResult>",
	     0},
	    {200, "ETag: \"etag-1\"\r\n", NULL, 0},
	    {200, "ETag: \"etag-2\"\r\n", NULL, 0},
	    {200, NULL, ERROR_XML("InternalError", "completion failed"), 0},
	    {204, NULL, NULL, 0},
	};
	server_start(script, 5);
	struct repo *repo = open_repo("s3://bucket/p", 0);
	struct repo_put *put = NULL;
	char *err = NULL;
	size_t part = 8u << 20;
	char *data = xcalloc(1, part);
	assert_int_equal(repo_put_begin(repo, "big", &put, &err), DR_OK);
	assert_int_equal(repo_put_write(put, data, part, &err), DR_OK);
	assert_int_equal(repo_put_write(put, "tail", 4, &err), DR_OK);
	assert_int_equal(repo_put_commit(put, &err), DR_ENET);
	assert_non_null(strstr(err, "completion failed"));
	free(err);
	free(data);
	repo_close(repo);
	server_stop();
	assert_int_equal(srv.n_seen, 5);
	assert_string_equal(srv.seen[0].method, "POST");
	assert_string_equal(srv.seen[0].target, "/bucket/p/big?uploads");
	assert_string_equal(srv.seen[1].target,
	                    "/bucket/p/big?partNumber=1&uploadId=up%2F42");
	assert_int_equal(srv.seen[1].body_len, part);
	assert_string_equal(srv.seen[2].target,
	                    "/bucket/p/big?partNumber=2&uploadId=up%2F42");
	assert_int_equal(srv.seen[2].body_len, 4);
	assert_string_equal(srv.seen[3].method, "POST");
	assert_non_null(strstr(srv.seen[3].body,
	                       "<Part><PartNumber>1</PartNumber><ETag>"
	                       "\"etag-1\"</ETag></Part>"));
	assert_non_null(strstr(srv.seen[3].body,
	                       "<PartNumber>2</PartNumber><ETag>\"etag-2\""));
	assert_string_equal(srv.seen[4].method, "DELETE");
	assert_string_equal(srv.seen[4].target,
	                    "/bucket/p/big?uploadId=up%2F42");
	server_clear();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sigv4_vector),
	    cmocka_unit_test(test_put_is_signed),
	    cmocka_unit_test(test_open_refuses),
	    cmocka_unit_test(test_get_reads_back),
	    cmocka_unit_test(test_not_found),
	    cmocka_unit_test(test_denied_is_not_retried),
	    cmocka_unit_test(test_server_errors_are_retried),
	    cmocka_unit_test(test_list_pages),
	    cmocka_unit_test(test_multipart_error_aborts),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
