/* The one module that calls zlib.  Backups are made of independent gzip
 * members (RFC 1952), one per chunk, so chunks compress in parallel and the
 * concatenation of an unencrypted backup's members is a gzip stream that
 * `gunzip` reads. */
#ifndef DR_COMPRESS_H
#define DR_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

/* The most bytes compress_gzip_member() can write for n input bytes and an
 * extra field of extra_len bytes. */
size_t compress_gzip_bound(size_t n, size_t extra_len);

/* Writes one complete gzip member holding in[0..n) at level 0..9.  extra,
 * when not NULL, becomes the header's FEXTRA field (RFC 1952 2.3.1.1: the
 * caller supplies whole subfields).  out must hold compress_gzip_bound()
 * bytes.  Thread-safe. */
int compress_gzip_member(const void *in, size_t n, int level, const void *extra,
                         size_t extra_len, void *out, size_t *out_len,
                         char **err);

/* Inflates a stream of gzip members one member at a time. */
struct compress_gunzip;

struct compress_gunzip *compress_gunzip_new(void);
void compress_gunzip_free(struct compress_gunzip *gz);
/* Feeds input.  Consumes what it can (*used), appends output to out (at
 * most out_cap bytes, *out_len written).  *member_end is set to 1 when a
 * member ended inside the consumed input: the call stops right after it,
 * and compress_gunzip_extra() returns that member's extra field until the
 * next call.  DR_ECORRUPT on bad data (CRC, header, deflate). */
int compress_gunzip_feed(struct compress_gunzip *gz, const void *in, size_t n,
                         size_t *used, void *out, size_t out_cap,
                         size_t *out_len, int *member_end, char **err);
/* The extra field of the member that just ended (NULL, 0 when none). */
const uint8_t *compress_gunzip_extra(const struct compress_gunzip *gz,
                                     size_t *len);
/* 1 when the inflater is between members (nothing half-read). */
int compress_gunzip_idle(const struct compress_gunzip *gz);

#endif
