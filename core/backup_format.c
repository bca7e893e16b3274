#include "core/backup_format.h"

#include <stdlib.h>
#include <string.h>

#include "core/compress.h"
#include "core/error.h"
#include "core/xmalloc.h"

#define CIPHER_AES256GCM  1
#define KDF_PBKDF2_SHA256 1
#define COMP_GZIP_MEMBER  1
#define FLAG_FINAL        0x01
#define EXTRA_LEN         30 /* "DR", LEN, version, flags, id, index */
#define AAD_LEN           25
#define TRAILER_MAGIC     "DRBKEND\n"
#define KEYCHECK_AAD      "DRKEYCHK"

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get_be64(const uint8_t *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#define KEY_ID_SALT "drconsole key id"

int backup_format_key_id(const uint8_t *secret, size_t len,
                         char id[BACKUP_FORMAT_KEY_ID_LEN + 1], char **err)
{
	uint8_t derived[CRYPTO_KEY_LEN];
	char hex[65];
	int rc = crypto_kdf_pbkdf2(secret, len, (const uint8_t *)KEY_ID_SALT,
	                           strlen(KEY_ID_SALT), BACKUP_FORMAT_KDF_ITER,
	                           derived, err);
	if (rc != DR_OK)
		return rc;
	sha256_hex(derived, sizeof derived, hex);
	crypto_wipe(derived, sizeof derived);
	memcpy(id, hex, BACKUP_FORMAT_KEY_ID_LEN);
	id[BACKUP_FORMAT_KEY_ID_LEN] = '\0';
	return DR_OK;
}

int backup_format_parse_id(const char *text, uint8_t id[16])
{
	size_t k = 0;
	for (size_t i = 0; text[i] != '\0'; i++) {
		if (text[i] == '-')
			continue;
		int hi = hexval(text[i]), lo;
		if (hi < 0 || text[i + 1] == '\0' ||
		    (lo = hexval(text[i + 1])) < 0 || k == 16)
			return 0;
		id[k++] = (uint8_t)(hi << 4 | lo);
		i++;
	}
	return k == 16;
}

static void nonce_for(const uint8_t prefix[4], uint64_t index,
                      uint8_t nonce[CRYPTO_GCM_NONCE_LEN])
{
	memcpy(nonce, prefix, 4);
	put_be64(nonce + 4, index);
}

static void aad_for(const uint8_t id[16], uint64_t index, int final,
                    uint8_t aad[AAD_LEN])
{
	memcpy(aad, id, 16);
	put_be64(aad + 16, index);
	aad[24] = final ? 1 : 0;
}

/* The key check: a GCM tag over the header's first 56 bytes under a nonce
 * no chunk uses, so a wrong key is told apart from a changed chunk and the
 * header itself is authenticated. */
static void key_check(const uint8_t key[CRYPTO_KEY_LEN], const uint8_t head[56],
                      uint8_t tag[16])
{
	uint8_t nonce[CRYPTO_GCM_NONCE_LEN], aad[8 + 56];
	memcpy(nonce, head + 52, 4);
	memset(nonce + 4, 0xff, 8);
	memcpy(aad, KEYCHECK_AAD, 8);
	memcpy(aad + 8, head, 56);
	crypto_gcm_seal(key, nonce, aad, sizeof aad, "", 0, NULL, tag);
}

int backup_format_init(struct backup_format_params *p, const char *backup_id,
                       const uint8_t *secret, size_t secret_len, int level,
                       uint32_t chunk_size, char **err)
{
	memset(p, 0, sizeof *p);
	if (!backup_format_parse_id(backup_id, p->backup_id)) {
		*err = xasprintf("backup id %s is not a UUID", backup_id);
		return DR_EINVAL;
	}
	if (level < 0 || level > 9) {
		*err =
		    xasprintf("compression level %d: expected 0 to 9", level);
		return DR_EINVAL;
	}
	if (chunk_size < 4096 || chunk_size > BACKUP_FORMAT_CHUNK_MAX) {
		*err = xasprintf("chunk size %u: expected 4 KiB to 64 MiB",
		                 chunk_size);
		return DR_EINVAL;
	}
	p->level = level;
	p->chunk_size = chunk_size;
	if (secret == NULL)
		return DR_OK;
	p->encrypted = 1;
	p->kdf_iterations = BACKUP_FORMAT_KDF_ITER;
	crypto_random(p->salt, sizeof p->salt);
	crypto_random(p->nonce_prefix, sizeof p->nonce_prefix);
	return crypto_kdf_pbkdf2(secret, secret_len, p->salt, sizeof p->salt,
	                         p->kdf_iterations, p->key, err);
}

void backup_format_done(struct backup_format_params *p)
{
	crypto_wipe(p->key, sizeof p->key);
}

size_t backup_format_header(const struct backup_format_params *p,
                            uint8_t out[BACKUP_FORMAT_HEADER_LEN])
{
	if (!p->encrypted)
		return 0;
	memset(out, 0, BACKUP_FORMAT_HEADER_LEN);
	memcpy(out, BACKUP_FORMAT_MAGIC, 8);
	out[8] = BACKUP_FORMAT_VERSION;
	out[9] = CIPHER_AES256GCM;
	out[10] = KDF_PBKDF2_SHA256;
	out[11] = COMP_GZIP_MEMBER;
	put_be32(out + 12, p->kdf_iterations);
	put_be32(out + 16, p->chunk_size);
	memcpy(out + 20, p->salt, 16);
	memcpy(out + 36, p->backup_id, 16);
	memcpy(out + 52, p->nonce_prefix, 4);
	key_check(p->key, out, out + 56);
	return BACKUP_FORMAT_HEADER_LEN;
}

size_t backup_format_chunk_bound(const struct backup_format_params *p, size_t n)
{
	size_t b = compress_gzip_bound(n, EXTRA_LEN);
	if (p->encrypted)
		b += BACKUP_FORMAT_RECORD_HEAD + CRYPTO_GCM_TAG_LEN;
	return b;
}

int backup_format_chunk(const struct backup_format_params *p, uint64_t index,
                        int final, const void *plain, size_t n, void *scratch,
                        void *out, size_t *out_len, char **err)
{
	uint8_t extra[EXTRA_LEN];
	size_t zlen;
	int rc;

	if (!p->encrypted) {
		extra[0] = 'D';
		extra[1] = 'R';
		extra[2] = EXTRA_LEN - 4;
		extra[3] = 0;
		extra[4] = BACKUP_FORMAT_VERSION;
		extra[5] = final ? FLAG_FINAL : 0;
		memcpy(extra + 6, p->backup_id, 16);
		put_be64(extra + 22, index);
		return compress_gzip_member(plain, n, p->level, extra,
		                            sizeof extra, out, out_len, err);
	}
	rc = compress_gzip_member(plain, n, p->level, NULL, 0, scratch, &zlen,
	                          err);
	if (rc != DR_OK)
		return rc;
	uint8_t nonce[CRYPTO_GCM_NONCE_LEN], aad[AAD_LEN];
	uint8_t *o = out;
	nonce_for(p->nonce_prefix, index, nonce);
	aad_for(p->backup_id, index, final, aad);
	put_be32(o, (uint32_t)zlen);
	o[4] = final ? FLAG_FINAL : 0;
	rc = crypto_gcm_seal(p->key, nonce, aad, sizeof aad, scratch, zlen,
	                     o + BACKUP_FORMAT_RECORD_HEAD,
	                     o + BACKUP_FORMAT_RECORD_HEAD + zlen);
	if (rc != DR_OK) {
		*err = xasprintf("encryption failed");
		return rc;
	}
	*out_len = BACKUP_FORMAT_RECORD_HEAD + zlen + CRYPTO_GCM_TAG_LEN;
	return DR_OK;
}

size_t backup_format_trailer(const struct backup_format_params *p,
                             uint64_t chunks, uint64_t plain_bytes,
                             uint8_t out[BACKUP_FORMAT_TRAILER_LEN])
{
	if (!p->encrypted)
		return 0;
	memcpy(out, TRAILER_MAGIC, 8);
	put_be64(out + 8, chunks);
	put_be64(out + 16, plain_bytes);
	return BACKUP_FORMAT_TRAILER_LEN;
}

/* ---- reading ----------------------------------------------------------- */

enum mode { MODE_UNKNOWN, MODE_ENCRYPTED, MODE_GZIP };

struct buf {
	uint8_t *data;
	size_t len, cap, pos; /* unread bytes are data[pos..len) */
};

static void buf_reserve(struct buf *b, size_t more)
{
	if (b->pos > 0 && b->pos == b->len)
		b->pos = b->len = 0;
	if (b->len + more <= b->cap)
		return;
	if (b->pos > 0) {
		memmove(b->data, b->data + b->pos, b->len - b->pos);
		b->len -= b->pos;
		b->pos = 0;
		if (b->len + more <= b->cap)
			return;
	}
	size_t cap = b->cap ? b->cap : 65536;
	while (cap < b->len + more)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

struct backup_format_reader {
	enum mode mode;
	uint8_t want_id[16];
	int have_id;
	uint8_t *secret;
	size_t secret_len;
	struct backup_format_params p;
	int header_done, final_seen, trailer_done;
	uint64_t next_index, plain_bytes;
	struct buf in;   /* encrypted: undecoded input */
	struct buf out;  /* one chunk's plain data */
	uint8_t *member; /* encrypted: one decrypted member */
	size_t member_cap;
	struct compress_gunzip *gz;
};

struct backup_format_reader *backup_format_reader_new(const char *backup_id,
                                                      const uint8_t *secret,
                                                      size_t secret_len)
{
	struct backup_format_reader *r = xcalloc(1, sizeof *r);
	r->have_id = backup_format_parse_id(backup_id, r->want_id);
	if (secret != NULL) {
		r->secret = xmalloc(secret_len);
		memcpy(r->secret, secret, secret_len);
		r->secret_len = secret_len;
	}
	r->gz = compress_gunzip_new();
	return r;
}

void backup_format_reader_free(struct backup_format_reader *r)
{
	if (r == NULL)
		return;
	crypto_secret_free(r->secret, r->secret_len);
	backup_format_done(&r->p);
	free(r->in.data);
	free(r->out.data);
	free(r->member);
	compress_gunzip_free(r->gz);
	free(r);
}

int backup_format_reader_encrypted(const struct backup_format_reader *r)
{
	return r->mode == MODE_ENCRYPTED;
}

/* Inflates exactly one gzip member into r->out.  The member must end
 * exactly at the end of the input. */
static int inflate_member(struct backup_format_reader *r, const uint8_t *in,
                          size_t n, uint64_t index, char **err)
{
	size_t used, produced;
	int end = 0, rc;
	r->out.len = r->out.pos = 0;
	while (!end) {
		buf_reserve(&r->out, 256 * 1024);
		rc = compress_gunzip_feed(
		    r->gz, in, n, &used, r->out.data + r->out.len,
		    r->out.cap - r->out.len, &produced, &end, err);
		if (rc != DR_OK) {
			char *m = *err;
			*err = xasprintf("chunk %llu: %s",
			                 (unsigned long long)index, m);
			free(m);
			return rc;
		}
		in += used;
		n -= used;
		r->out.len += produced;
		if (r->out.len > r->p.chunk_size) {
			*err = xasprintf("chunk %llu: holds more than the "
			                 "chunk size",
			                 (unsigned long long)index);
			return DR_ECORRUPT;
		}
		if (!end && used == 0 && produced == 0) {
			*err = xasprintf("chunk %llu: compressed data is "
			                 "incomplete",
			                 (unsigned long long)index);
			return DR_ECORRUPT;
		}
	}
	if (n != 0) {
		*err = xasprintf("chunk %llu: unexpected bytes after the "
		                 "compressed data",
		                 (unsigned long long)index);
		return DR_ECORRUPT;
	}
	return DR_OK;
}

static int parse_header(struct backup_format_reader *r, const uint8_t *h,
                        char **err)
{
	uint8_t check[16];
	if (h[8] != BACKUP_FORMAT_VERSION) {
		*err = xasprintf("backup format version %d is not supported "
		                 "(this drconsole reads version %d)",
		                 h[8], BACKUP_FORMAT_VERSION);
		return DR_ECORRUPT;
	}
	if (h[9] != CIPHER_AES256GCM || h[10] != KDF_PBKDF2_SHA256 ||
	    h[11] != COMP_GZIP_MEMBER) {
		*err = xasprintf("backup header names an unknown cipher, key "
		                 "derivation or compression");
		return DR_ECORRUPT;
	}
	r->p.encrypted = 1;
	r->p.kdf_iterations = get_be32(h + 12);
	r->p.chunk_size = get_be32(h + 16);
	memcpy(r->p.salt, h + 20, 16);
	memcpy(r->p.backup_id, h + 36, 16);
	memcpy(r->p.nonce_prefix, h + 52, 4);
	if (r->p.chunk_size == 0 || r->p.chunk_size > BACKUP_FORMAT_CHUNK_MAX) {
		*err = xasprintf("backup header has impossible parameters "
		                 "(chunk size %u)",
		                 (unsigned)r->p.chunk_size);
		return DR_ECORRUPT;
	}
	/* Only near what the writer uses: one flipped bit of the count must
	 * not cost a minute of CPU before the key check fails. */
	if (r->p.kdf_iterations < BACKUP_FORMAT_KDF_ITER_MIN ||
	    r->p.kdf_iterations > BACKUP_FORMAT_KDF_ITER_MAX) {
		*err =
		    xasprintf("backup header has impossible parameters (%u "
		              "KDF iterations; drconsole writes %u and reads "
		              "%u to %u)",
		              (unsigned)r->p.kdf_iterations,
		              (unsigned)BACKUP_FORMAT_KDF_ITER,
		              (unsigned)BACKUP_FORMAT_KDF_ITER_MIN,
		              (unsigned)BACKUP_FORMAT_KDF_ITER_MAX);
		return DR_ECORRUPT;
	}
	if (r->have_id && memcmp(r->p.backup_id, r->want_id, 16) != 0) {
		*err = xasprintf("the object holds a different backup than "
		                 "the catalog says (backup id mismatch)");
		return DR_ECORRUPT;
	}
	if (r->secret == NULL) {
		*err = xasprintf("the backup is encrypted and no key file is "
		                 "configured for it");
		return DR_EPERM;
	}
	int rc = crypto_kdf_pbkdf2(r->secret, r->secret_len, r->p.salt, 16,
	                           r->p.kdf_iterations, r->p.key, err);
	if (rc != DR_OK)
		return rc;
	key_check(r->p.key, h, check);
	if (memcmp(check, h + 56, 16) != 0) {
		*err = xasprintf("wrong key: the key file does not open this "
		                 "backup (or its header was changed)");
		return DR_EKEY;
	}
	r->member_cap = compress_gzip_bound(r->p.chunk_size, EXTRA_LEN);
	r->member = xmalloc(r->member_cap);
	return DR_OK;
}

static int feed_encrypted(struct backup_format_reader *r,
                          backup_format_emit emit, void *arg, char **err)
{
	struct buf *b = &r->in;
	int rc;
	for (;;) {
		size_t avail = b->len - b->pos;
		const uint8_t *p = b->data + b->pos;
		if (!r->header_done) {
			if (avail < BACKUP_FORMAT_HEADER_LEN)
				return DR_OK;
			rc = parse_header(r, p, err);
			if (rc != DR_OK)
				return rc;
			r->header_done = 1;
			b->pos += BACKUP_FORMAT_HEADER_LEN;
			continue;
		}
		if (r->trailer_done) {
			if (avail == 0)
				return DR_OK;
			*err = xasprintf("unexpected data after the trailer");
			return DR_ECORRUPT;
		}
		if (r->final_seen) {
			if (avail < BACKUP_FORMAT_TRAILER_LEN)
				return DR_OK;
			if (memcmp(p, TRAILER_MAGIC, 8) != 0 ||
			    get_be64(p + 8) != r->next_index ||
			    get_be64(p + 16) != r->plain_bytes) {
				*err = xasprintf(
				    "the trailer does not match "
				    "the %llu chunks read",
				    (unsigned long long)r->next_index);
				return DR_ECORRUPT;
			}
			r->trailer_done = 1;
			b->pos += BACKUP_FORMAT_TRAILER_LEN;
			continue;
		}
		if (avail < BACKUP_FORMAT_RECORD_HEAD)
			return DR_OK;
		size_t clen = get_be32(p);
		int final = (p[4] & FLAG_FINAL) != 0;
		if (clen > r->member_cap || (p[4] & ~FLAG_FINAL) != 0) {
			*err = xasprintf("chunk %llu: bad record header "
			                 "(the object was changed)",
			                 (unsigned long long)r->next_index);
			return DR_ECORRUPT;
		}
		size_t need =
		    BACKUP_FORMAT_RECORD_HEAD + clen + CRYPTO_GCM_TAG_LEN;
		if (avail < need)
			return DR_OK;
		uint8_t nonce[CRYPTO_GCM_NONCE_LEN], aad[AAD_LEN];
		nonce_for(r->p.nonce_prefix, r->next_index, nonce);
		aad_for(r->p.backup_id, r->next_index, final, aad);
		rc = crypto_gcm_open(r->p.key, nonce, aad, sizeof aad,
		                     p + BACKUP_FORMAT_RECORD_HEAD, clen,
		                     p + BACKUP_FORMAT_RECORD_HEAD + clen,
		                     r->member);
		if (rc != DR_OK) {
			*err = xasprintf(
			    "chunk %llu: authentication failed: the chunk "
			    "was changed, moved or taken from another backup",
			    (unsigned long long)r->next_index);
			return DR_ECORRUPT;
		}
		rc = inflate_member(r, r->member, clen, r->next_index, err);
		if (rc != DR_OK)
			return rc;
		b->pos += need;
		r->next_index++;
		r->plain_bytes += r->out.len;
		r->final_seen = final;
		if (r->out.len > 0) {
			rc = emit(arg, r->out.data, r->out.len, err);
			if (rc != DR_OK)
				return rc;
		}
	}
}

static int check_extra(struct backup_format_reader *r, int *final, char **err)
{
	size_t len;
	const uint8_t *x = compress_gunzip_extra(r->gz, &len);
	unsigned long long idx = (unsigned long long)r->next_index;
	if (x == NULL || len != EXTRA_LEN || x[0] != 'D' || x[1] != 'R' ||
	    x[4] != BACKUP_FORMAT_VERSION) {
		*err = xasprintf("chunk %llu: not a drconsole backup chunk "
		                 "(its gzip header has no backup mark)",
		                 idx);
		return DR_ECORRUPT;
	}
	if (r->have_id && memcmp(x + 6, r->want_id, 16) != 0) {
		*err = xasprintf("chunk %llu belongs to another backup", idx);
		return DR_ECORRUPT;
	}
	if (get_be64(x + 22) != r->next_index) {
		*err = xasprintf("chunk %llu is out of place: found chunk "
		                 "%llu (chunks were dropped or reordered)",
		                 idx, (unsigned long long)get_be64(x + 22));
		return DR_ECORRUPT;
	}
	*final = (x[5] & FLAG_FINAL) != 0;
	return DR_OK;
}

static int feed_gzip(struct backup_format_reader *r, const uint8_t *in,
                     size_t n, backup_format_emit emit, void *arg, char **err)
{
	size_t used, produced;
	int end, rc, final;
	while (n > 0) {
		if (r->final_seen) {
			*err = xasprintf("unexpected data after the final "
			                 "chunk");
			return DR_ECORRUPT;
		}
		buf_reserve(&r->out, 256 * 1024);
		rc = compress_gunzip_feed(
		    r->gz, in, n, &used, r->out.data + r->out.len,
		    r->out.cap - r->out.len, &produced, &end, err);
		if (rc != DR_OK) {
			char *m = *err;
			*err = xasprintf("chunk %llu: %s",
			                 (unsigned long long)r->next_index, m);
			free(m);
			return rc;
		}
		in += used;
		n -= used;
		r->out.len += produced;
		if (r->out.len > BACKUP_FORMAT_CHUNK_MAX) {
			*err = xasprintf("chunk %llu is larger than any "
			                 "chunk drconsole writes",
			                 (unsigned long long)r->next_index);
			return DR_ECORRUPT;
		}
		if (!end)
			continue;
		rc = check_extra(r, &final, err);
		if (rc != DR_OK)
			return rc;
		r->next_index++;
		r->plain_bytes += r->out.len;
		r->final_seen = final;
		if (r->out.len > 0) {
			rc = emit(arg, r->out.data, r->out.len, err);
			if (rc != DR_OK)
				return rc;
		}
		r->out.len = r->out.pos = 0;
	}
	return DR_OK;
}

int backup_format_reader_feed(struct backup_format_reader *r, const void *data,
                              size_t n, backup_format_emit emit, void *arg,
                              char **err)
{
	const uint8_t *d = data;
	if (r->mode == MODE_UNKNOWN && n > 0) {
		if (d[0] == 0x1f) {
			r->mode = MODE_GZIP;
			r->p.chunk_size = BACKUP_FORMAT_CHUNK_MAX;
		} else if (d[0] == 'D') {
			r->mode = MODE_ENCRYPTED;
		} else {
			*err = xasprintf("not a drconsole backup (unknown "
			                 "first byte 0x%02x)",
			                 d[0]);
			return DR_ECORRUPT;
		}
	}
	if (r->mode == MODE_GZIP)
		return feed_gzip(r, d, n, emit, arg, err);
	if (r->mode == MODE_ENCRYPTED && !r->header_done &&
	    r->in.len - r->in.pos + n >= 8) {
		/* Check the magic as soon as it is complete. */
		uint8_t magic[8];
		size_t have = r->in.len - r->in.pos;
		if (have > 0)
			memcpy(magic, r->in.data + r->in.pos,
			       have < 8 ? have : 8);
		if (have < 8)
			memcpy(magic + have, d, 8 - have);
		if (memcmp(magic, BACKUP_FORMAT_MAGIC, 8) != 0) {
			*err = xasprintf("not a drconsole backup (bad magic)");
			return DR_ECORRUPT;
		}
	}
	buf_reserve(&r->in, n);
	memcpy(r->in.data + r->in.len, d, n);
	r->in.len += n;
	return feed_encrypted(r, emit, arg, err);
}

int backup_format_reader_finish(struct backup_format_reader *r,
                                uint64_t *chunks, uint64_t *plain_bytes,
                                char **err)
{
	unsigned long long n = (unsigned long long)r->next_index;
	if (r->mode == MODE_UNKNOWN) {
		*err = xasprintf("the object is empty");
		return DR_ECORRUPT;
	}
	if (r->mode == MODE_ENCRYPTED && !r->header_done) {
		*err = xasprintf("truncated: the object ends inside its "
		                 "header");
		return DR_ECORRUPT;
	}
	if (!r->final_seen) {
		*err = xasprintf("truncated: the object ends after %llu "
		                 "chunk%s, before the final chunk",
		                 n, n == 1 ? "" : "s");
		return DR_ECORRUPT;
	}
	if (r->mode == MODE_ENCRYPTED && !r->trailer_done) {
		*err = xasprintf("truncated: the trailer is missing");
		return DR_ECORRUPT;
	}
	if (chunks != NULL)
		*chunks = r->next_index;
	if (plain_bytes != NULL)
		*plain_bytes = r->plain_bytes;
	return DR_OK;
}

static int emit_nothing(void *arg, const void *buf, size_t n, char **err)
{
	(void)arg;
	(void)buf;
	(void)n;
	(void)err;
	return DR_OK;
}

int backup_format_key_opens(const char *backup_id, const uint8_t *head,
                            size_t n, const uint8_t *secret, size_t len,
                            char **err)
{
	if (n < BACKUP_FORMAT_HEADER_LEN ||
	    memcmp(head, BACKUP_FORMAT_MAGIC, 8) != 0) {
		*err = xasprintf("not an encrypted drconsole backup");
		return DR_EINVAL;
	}
	/* The header alone: the reader checks the key and emits nothing. */
	struct backup_format_reader *r =
	    backup_format_reader_new(backup_id, secret, len);
	int rc = backup_format_reader_feed(r, head, BACKUP_FORMAT_HEADER_LEN,
	                                   emit_nothing, NULL, err);
	backup_format_reader_free(r);
	return rc;
}
