#include "core/compress.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/error.h"
#include "core/xmalloc.h"

#define EXTRA_MAX 1024

size_t compress_gzip_bound(size_t n, size_t extra_len)
{
	/* deflateBound() for a gzip wrapper, without needing a stream, plus
	 * the extra field and its length: zlib's own formula, widened. */
	return n + (n >> 12) + (n >> 14) + (n >> 25) + 13 + 18 + 2 + extra_len +
	       64;
}

/* One deflate state per thread, reset between chunks: setting one up
 * allocates and clears about half a megabyte, which for 1 MiB chunks is a
 * cost worth keeping out of the loop.  Freed when the thread ends. */
struct deflater {
	z_stream zs;
	int level;
};

static pthread_key_t deflater_key;
static pthread_once_t deflater_once = PTHREAD_ONCE_INIT;

static void deflater_free(void *arg)
{
	struct deflater *d = arg;
	deflateEnd(&d->zs);
	free(d);
}

static void deflater_key_init(void)
{
	pthread_key_create(&deflater_key, deflater_free);
}

static z_stream *deflater_get(int level)
{
	pthread_once(&deflater_once, deflater_key_init);
	struct deflater *d = pthread_getspecific(deflater_key);
	if (d != NULL && d->level == level && deflateReset(&d->zs) == Z_OK)
		return &d->zs;
	if (d != NULL) {
		pthread_setspecific(deflater_key, NULL);
		deflater_free(d);
	}
	d = xcalloc(1, sizeof *d);
	if (deflateInit2(&d->zs, level, Z_DEFLATED, 15 + 16, 8,
	                 Z_DEFAULT_STRATEGY) != Z_OK) {
		free(d);
		return NULL;
	}
	d->level = level;
	pthread_setspecific(deflater_key, d);
	return &d->zs;
}

int compress_gzip_member(const void *in, size_t n, int level, const void *extra,
                         size_t extra_len, void *out, size_t *out_len,
                         char **err)
{
	gz_header head;
	size_t cap = compress_gzip_bound(n, extra_len);
	int zrc;
	z_stream *zs = deflater_get(level);

	if (zs == NULL) {
		*err = xasprintf("compression: cannot start zlib (level %d)",
		                 level);
		return DR_EINVAL;
	}
	memset(&head, 0, sizeof head);
	head.os = 3; /* Unix */
	if (extra != NULL) {
		head.extra = (Bytef *)(uintptr_t)extra;
		head.extra_len = (uInt)extra_len;
	}
	deflateSetHeader(zs, &head);
	zs->next_in = (Bytef *)(uintptr_t)in;
	zs->next_out = out;
	/* Chunks are at most tens of MiB, well inside uInt. */
	zs->avail_in = (uInt)n;
	zs->avail_out = (uInt)cap;
	zrc = deflate(zs, Z_FINISH);
	*out_len = zs->total_out;
	/* The header points at the caller's extra field: forget it. */
	deflateReset(zs);
	if (zrc != Z_STREAM_END) {
		*err = xasprintf("compression failed (zlib %d)", zrc);
		return DR_EIO;
	}
	return DR_OK;
}

struct compress_gunzip {
	z_stream zs;
	gz_header head;
	uint8_t extra[EXTRA_MAX];
	size_t extra_len;
	int in_member; /* input of the current member has been seen */
};

struct compress_gunzip *compress_gunzip_new(void)
{
	struct compress_gunzip *gz = xcalloc(1, sizeof *gz);
	if (inflateInit2(&gz->zs, 15 + 16) != Z_OK)
		abort();
	gz->head.extra = gz->extra;
	gz->head.extra_max = sizeof gz->extra;
	inflateGetHeader(&gz->zs, &gz->head);
	return gz;
}

void compress_gunzip_free(struct compress_gunzip *gz)
{
	if (gz == NULL)
		return;
	inflateEnd(&gz->zs);
	free(gz);
}

int compress_gunzip_feed(struct compress_gunzip *gz, const void *in, size_t n,
                         size_t *used, void *out, size_t out_cap,
                         size_t *out_len, int *member_end, char **err)
{
	z_stream *zs = &gz->zs;
	int zrc;

	*member_end = 0;
	*used = 0;
	*out_len = 0;
	if (n == 0)
		return DR_OK;
	if (!gz->in_member) {
		/* A new member: fresh header capture. */
		memset(&gz->head, 0, sizeof gz->head);
		gz->head.extra = gz->extra;
		gz->head.extra_max = sizeof gz->extra;
		inflateGetHeader(zs, &gz->head);
		gz->extra_len = 0;
		gz->in_member = 1;
	}
	zs->next_in = (Bytef *)(uintptr_t)in;
	zs->avail_in = n > UINT32_MAX ? UINT32_MAX : (uInt)n;
	zs->next_out = out;
	zs->avail_out = out_cap > UINT32_MAX ? UINT32_MAX : (uInt)out_cap;
	uInt in0 = zs->avail_in, out0 = zs->avail_out;
	zrc = inflate(zs, Z_NO_FLUSH);
	*used = in0 - zs->avail_in;
	*out_len = out0 - zs->avail_out;
	if (zrc == Z_STREAM_END) {
		*member_end = 1;
		gz->extra_len = gz->head.extra != NULL && gz->head.done == 1
		                    ? gz->head.extra_len
		                    : 0;
		if (gz->extra_len > sizeof gz->extra)
			gz->extra_len = sizeof gz->extra;
		gz->in_member = 0;
		inflateReset(zs);
		return DR_OK;
	}
	if (zrc == Z_OK || zrc == Z_BUF_ERROR)
		return DR_OK;
	*err = xasprintf("not valid gzip data (%s)",
	                 zs->msg != NULL ? zs->msg : "zlib error");
	return DR_ECORRUPT;
}

const uint8_t *compress_gunzip_extra(const struct compress_gunzip *gz,
                                     size_t *len)
{
	*len = gz->extra_len;
	return gz->extra_len > 0 ? gz->extra : NULL;
}

int compress_gunzip_idle(const struct compress_gunzip *gz)
{
	return !gz->in_member;
}
