/* The container round-trips through the parallel pipeline, and every kind
 * of damage a user could meet is refused with a message that says what. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/backup_format.h"
#include "core/backup_stream.h"
#include "core/crypto.h"
#include "core/error.h"
#include "core/xmalloc.h"

#define ID1   "0b6c1a57-8f3e-4c2a-9d41-6f0e2b7c9a10"
#define ID2   "7e2d9c44-1b5a-4f08-8c3e-2a9d6b1f0e77"
#define CHUNK 8192

struct mem {
	uint8_t *data;
	size_t len, pos;
};

static int mem_read(void *arg, void *buf, size_t cap, size_t *got, char **err)
{
	struct mem *m = arg;
	(void)err;
	size_t n = m->len - m->pos;
	/* Short reads on purpose: chunks must still come out full. */
	if (n > 3000)
		n = 3000;
	if (n > cap)
		n = cap;
	memcpy(buf, m->data + m->pos, n);
	m->pos += n;
	*got = n;
	return DR_OK;
}

static int mem_write(void *arg, const void *buf, size_t n, char **err)
{
	struct mem *m = arg;
	(void)err;
	m->data = xrealloc(m->data, m->len + n);
	memcpy(m->data + m->len, buf, n);
	m->len += n;
	return DR_OK;
}

static const uint8_t secret[] = "correct horse battery staple";

static uint8_t *sample(size_t n)
{
	uint8_t *p = xmalloc(n ? n : 1);
	uint32_t x = 12345;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245 + 12345;
		/* Mostly text, some noise: compressible but not trivially. */
		p[i] = (i % 97 < 80)
		           ? (uint8_t)("INSERT INTO t VALUES "[i % 21])
		           : (uint8_t)(x >> 16);
	}
	return p;
}

static struct mem encode(const char *id, const uint8_t *plain, size_t n,
                         int encrypted, struct backup_stream_result *res)
{
	struct backup_format_params p;
	struct mem in = {(uint8_t *)plain, n, 0}, out = {0};
	char *err = NULL;
	assert_int_equal(backup_format_init(&p, id, encrypted ? secret : NULL,
	                                    sizeof secret - 1, 1, CHUNK, &err),
	                 DR_OK);
	assert_int_equal(backup_stream_encode(&p, 3, mem_read, &in, mem_write,
	                                      &out, NULL, NULL, res, &err),
	                 DR_OK);
	backup_format_done(&p);
	return out;
}

static int collect(void *arg, const void *buf, size_t n, char **err)
{
	return mem_write(arg, buf, n, err);
}

/* Decodes in odd-sized pieces; returns the status and the message. */
static int decode(const char *id, const struct mem *obj, const uint8_t *key,
                  size_t keylen, struct mem *plain, char **err)
{
	struct backup_format_reader *r =
	    backup_format_reader_new(id, key, keylen);
	int rc = DR_OK;
	for (size_t off = 0; off < obj->len && rc == DR_OK;) {
		size_t step = obj->len - off < 1777 ? obj->len - off : 1777;
		rc = backup_format_reader_feed(r, obj->data + off, step,
		                               collect, plain, err);
		off += step;
	}
	if (rc == DR_OK)
		rc = backup_format_reader_finish(r, NULL, NULL, err);
	backup_format_reader_free(r);
	return rc;
}

static void roundtrip(int encrypted)
{
	size_t sizes[] = {0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 10 * CHUNK + 17};
	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		uint8_t *plain = sample(sizes[i]);
		struct backup_stream_result res;
		struct mem obj = encode(ID1, plain, sizes[i], encrypted, &res);
		struct mem back = {0};
		char *err = NULL, hex[65];
		assert_int_equal(res.plain_bytes, sizes[i]);
		assert_int_equal(res.stored_bytes, obj.len);
		sha256_hex(obj.data, obj.len, hex);
		assert_string_equal(hex, res.sha256);
		int rc = decode(ID1, &obj, encrypted ? secret : NULL,
		                sizeof secret - 1, &back, &err);
		if (rc != DR_OK)
			fail_msg("size %zu: %s", sizes[i], err);
		assert_int_equal(back.len, sizes[i]);
		if (sizes[i] > 0)
			assert_memory_equal(back.data, plain, sizes[i]);
		free(plain);
		free(obj.data);
		free(back.data);
	}
}

static void test_roundtrip_plain(void **state)
{
	(void)state;
	roundtrip(0);
}

static void test_roundtrip_encrypted(void **state)
{
	(void)state;
	roundtrip(1);
}

static void test_encrypted_hides_plaintext(void **state)
{
	(void)state;
	uint8_t *plain = sample(4 * CHUNK);
	struct backup_stream_result res;
	struct mem obj = encode(ID1, plain, 4 * CHUNK, 1, &res);
	assert_null(memmem(obj.data, obj.len, "INSERT INTO", 11));
	assert_memory_equal(obj.data, BACKUP_FORMAT_MAGIC, 8);
	/* Same input, same key: a fresh salt and nonce make it differ. */
	struct mem obj2 = encode(ID1, plain, 4 * CHUNK, 1, &res);
	assert_true(obj.len != obj2.len ||
	            memcmp(obj.data, obj2.data, obj.len) != 0);
	free(plain);
	free(obj.data);
	free(obj2.data);
}

/* Offsets of each chunk record in an encrypted object. */
static size_t records(const struct mem *obj, size_t *off, size_t max)
{
	size_t n = 0, p = BACKUP_FORMAT_HEADER_LEN;
	while (p + 5 <= obj->len - BACKUP_FORMAT_TRAILER_LEN && n < max) {
		off[n++] = p;
		size_t len = (size_t)obj->data[p] << 24 |
		             (size_t)obj->data[p + 1] << 16 |
		             (size_t)obj->data[p + 2] << 8 | obj->data[p + 3];
		p += 5 + len + 16;
	}
	off[n] = p;
	return n;
}

static void expect_corrupt(const char *id, struct mem *obj, const uint8_t *key,
                           size_t keylen, int want_rc, const char *want_msg)
{
	struct mem back = {0};
	char *err = NULL;
	int rc = decode(id, obj, key, keylen, &back, &err);
	if (rc != want_rc)
		fail_msg("rc %d (%s), wanted %d", rc, err ? err : "", want_rc);
	if (strstr(err, want_msg) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", err, want_msg);
	free(err);
	free(back.data);
}

static void test_tamper_encrypted(void **state)
{
	(void)state;
	uint8_t *plain = sample(6 * CHUNK);
	struct backup_stream_result res;
	struct mem obj = encode(ID1, plain, 6 * CHUNK, 1, &res);
	size_t off[16];
	size_t n = records(&obj, off, 15);
	assert_int_equal(n, 6);

	/* A flipped byte in the middle of chunk 2. */
	struct mem t = {xmalloc(obj.len), obj.len, 0};
	memcpy(t.data, obj.data, obj.len);
	t.data[off[2] + 40] ^= 0x01;
	expect_corrupt(ID1, &t, secret, sizeof secret - 1, DR_ECORRUPT,
	               "chunk 2: authentication failed");

	/* Truncated after chunk 3, and in the middle of chunk 4. */
	memcpy(t.data, obj.data, obj.len);
	t.len = off[4];
	expect_corrupt(ID1, &t, secret, sizeof secret - 1, DR_ECORRUPT,
	               "truncated");
	t.len = off[4] + 100;
	expect_corrupt(ID1, &t, secret, sizeof secret - 1, DR_ECORRUPT,
	               "truncated");
	/* Without the trailer. */
	t.len = obj.len - BACKUP_FORMAT_TRAILER_LEN;
	expect_corrupt(ID1, &t, secret, sizeof secret - 1, DR_ECORRUPT,
	               "trailer is missing");

	/* Chunks 1 and 2 swapped (equal sizes are not needed). */
	size_t l1 = off[2] - off[1], l2 = off[3] - off[2];
	t.len = obj.len;
	memcpy(t.data + off[1], obj.data + off[2], l2);
	memcpy(t.data + off[1] + l2, obj.data + off[1], l1);
	expect_corrupt(ID1, &t, secret, sizeof secret - 1, DR_ECORRUPT,
	               "chunk 1: authentication failed");

	/* Chunk 3 dropped. */
	memcpy(t.data, obj.data, off[3]);
	memcpy(t.data + off[3], obj.data + off[4], obj.len - off[4]);
	t.len = obj.len - (off[4] - off[3]);
	expect_corrupt(ID1, &t, secret, sizeof secret - 1, DR_ECORRUPT,
	               "chunk 3: authentication failed");

	/* A wrong key. */
	expect_corrupt(ID1, &obj, (const uint8_t *)"not the key", 11, DR_EKEY,
	               "wrong key");
	/* No key at all. */
	expect_corrupt(ID1, &obj, NULL, 0, DR_EPERM, "encrypted");
	/* The catalog expects another backup. */
	expect_corrupt(ID2, &obj, secret, sizeof secret - 1, DR_ECORRUPT,
	               "backup id mismatch");

	/* Chunk 2 replaced by chunk 2 of another backup under the same key. */
	struct mem other = encode(ID2, plain, 6 * CHUNK, 1, &res);
	size_t ooff[16];
	records(&other, ooff, 15);
	struct mem mix = {0};
	mem_write(&mix, obj.data, off[2], NULL);
	mem_write(&mix, other.data + ooff[2], ooff[3] - ooff[2], NULL);
	mem_write(&mix, obj.data + off[3], obj.len - off[3], NULL);
	expect_corrupt(ID1, &mix, secret, sizeof secret - 1, DR_ECORRUPT,
	               "chunk 2: authentication failed");

	free(mix.data);
	free(other.data);
	free(t.data);
	free(obj.data);
	free(plain);
}

/* Offsets of gzip members: found by decoding with the reader would be
 * circular, so walk them with the extra field's known size instead: encode
 * chunk by chunk. */
static void test_tamper_plain(void **state)
{
	(void)state;
	struct backup_format_params p, q;
	char *err = NULL;
	uint8_t *plain = sample(4 * CHUNK);
	size_t bound;
	struct mem obj = {0}, objb = {0};
	size_t off[6];
	assert_int_equal(backup_format_init(&p, ID1, NULL, 0, 6, CHUNK, &err),
	                 DR_OK);
	assert_int_equal(backup_format_init(&q, ID2, NULL, 0, 6, CHUNK, &err),
	                 DR_OK);
	bound = backup_format_chunk_bound(&p, CHUNK);
	uint8_t *out = xmalloc(bound);
	for (int i = 0; i < 4; i++) {
		size_t len;
		off[i] = obj.len;
		assert_int_equal(backup_format_chunk(&p, (uint64_t)i, i == 3,
		                                     plain + i * CHUNK, CHUNK,
		                                     NULL, out, &len, &err),
		                 DR_OK);
		mem_write(&obj, out, len, NULL);
		assert_int_equal(backup_format_chunk(&q, (uint64_t)i, i == 3,
		                                     plain + i * CHUNK, CHUNK,
		                                     NULL, out, &len, &err),
		                 DR_OK);
		if (i == 1)
			mem_write(&objb, out, len, NULL);
	}
	off[4] = obj.len;
	struct mem back = {0};
	assert_int_equal(decode(ID1, &obj, NULL, 0, &back, &err), DR_OK);
	assert_int_equal(back.len, 4 * CHUNK);
	free(back.data);

	struct mem t = {xmalloc(obj.len + objb.len), obj.len, 0};
	memcpy(t.data, obj.data, obj.len);
	t.data[off[1] + 60] ^= 0x20;
	expect_corrupt(ID1, &t, NULL, 0, DR_ECORRUPT, "chunk 1");

	t.len = off[3];
	memcpy(t.data, obj.data, obj.len);
	expect_corrupt(ID1, &t, NULL, 0, DR_ECORRUPT, "truncated");

	/* Chunks 1 and 2 swapped. */
	t.len = obj.len;
	size_t l1 = off[2] - off[1], l2 = off[3] - off[2];
	memcpy(t.data + off[1], obj.data + off[2], l2);
	memcpy(t.data + off[1] + l2, obj.data + off[1], l1);
	expect_corrupt(ID1, &t, NULL, 0, DR_ECORRUPT, "out of place");

	/* Chunk 1 taken from another backup. */
	t.len = 0;
	mem_write(&t, obj.data, off[1], NULL);
	mem_write(&t, objb.data, objb.len, NULL);
	mem_write(&t, obj.data + off[2], obj.len - off[2], NULL);
	expect_corrupt(ID1, &t, NULL, 0, DR_ECORRUPT,
	               "chunk 1 belongs to another backup");

	free(t.data);
	free(out);
	free(obj.data);
	free(objb.data);
	free(plain);
}

static void test_key_file_permissions(void **state)
{
	(void)state;
	char path[] = "/tmp/drkeytestXXXXXX";
	int fd = mkstemp(path);
	uint8_t *s = NULL;
	size_t len = 0;
	char *err = NULL;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "hunter2\n", 8), 8);
	close(fd);
	chmod(path, 0644);
	assert_int_equal(crypto_key_file_read(path, &s, &len, &err),
	                 DR_EUNSAFE);
	assert_non_null(strstr(err, "chmod 600"));
	assert_null(strstr(err, "hunter2"));
	free(err);
	err = NULL;
	chmod(path, 0600);
	assert_int_equal(crypto_key_file_read(path, &s, &len, &err), DR_OK);
	assert_int_equal(len, 7); /* the trailing newline is dropped */
	assert_memory_equal(s, "hunter2", 7);
	crypto_secret_free(s, len);
	unlink(path);
}

/* A key's id is stable, tells keys apart, and is not a plain hash of the
 * secret; the header alone says which key opens a backup. */
static void test_key_id_and_opens(void **state)
{
	(void)state;
	static const uint8_t other[] = "another secret entirely";
	char a[BACKUP_FORMAT_KEY_ID_LEN + 1], a2[sizeof a], b[sizeof a];
	char hex[65], *err = NULL;
	assert_int_equal(
	    backup_format_key_id(secret, sizeof secret - 1, a, &err), DR_OK);
	assert_int_equal(
	    backup_format_key_id(secret, sizeof secret - 1, a2, &err), DR_OK);
	assert_int_equal(backup_format_key_id(other, sizeof other - 1, b, &err),
	                 DR_OK);
	assert_int_equal(strlen(a), BACKUP_FORMAT_KEY_ID_LEN);
	assert_string_equal(a, a2);
	assert_string_not_equal(a, b);
	sha256_hex(secret, sizeof secret - 1, hex);
	assert_memory_not_equal(a, hex, BACKUP_FORMAT_KEY_ID_LEN);

	uint8_t *plain = sample(CHUNK + 5);
	struct backup_stream_result res;
	struct mem obj = encode(ID1, plain, CHUNK + 5, 1, &res);
	assert_int_equal(backup_format_key_opens(ID1, obj.data, obj.len, secret,
	                                         sizeof secret - 1, &err),
	                 DR_OK);
	assert_int_equal(backup_format_key_opens(ID1, obj.data, obj.len, other,
	                                         sizeof other - 1, &err),
	                 DR_EKEY);
	free(err);
	err = NULL;
	/* Too short to hold a header, or another backup's header. */
	assert_int_equal(backup_format_key_opens(ID1, obj.data, 40, secret,
	                                         sizeof secret - 1, &err),
	                 DR_EINVAL);
	free(err);
	err = NULL;
	assert_int_equal(backup_format_key_opens(ID2, obj.data, obj.len, secret,
	                                         sizeof secret - 1, &err),
	                 DR_ECORRUPT);
	free(err);
	err = NULL;
	struct mem gz = encode(ID1, plain, CHUNK + 5, 0, &res);
	assert_int_equal(backup_format_key_opens(ID1, gz.data, gz.len, secret,
	                                         sizeof secret - 1, &err),
	                 DR_EINVAL);
	free(err);
	free(plain);
	free(obj.data);
	free(gz.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roundtrip_plain),
	    cmocka_unit_test(test_roundtrip_encrypted),
	    cmocka_unit_test(test_encrypted_hides_plaintext),
	    cmocka_unit_test(test_tamper_encrypted),
	    cmocka_unit_test(test_tamper_plain),
	    cmocka_unit_test(test_key_file_permissions),
	    cmocka_unit_test(test_key_id_and_opens),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
