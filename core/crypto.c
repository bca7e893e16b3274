/* The one module that calls OpenSSL (DESIGN.md: every external library is
 * reached through one module of ours).  Sections: random bytes, SHA-256;
 * key derivation and AES-256-GCM join below as their own sections. */
#include "core/crypto.h"

#include "core/error.h"
#include "core/xmalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

/* A cryptographic failure here means the library or the kernel is broken:
 * like running out of memory, nothing sensible can follow. */
static void crypto_fatal(const char *what)
{
	fprintf(stderr, "drconsole: %s failed\n", what);
	abort();
}

/* ---- random bytes ----------------------------------------------------- */

void crypto_random(void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len > 0) {
		ssize_t got = getrandom(p, len, 0);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			crypto_fatal("getrandom");
		}
		p += got;
		len -= (size_t)got;
	}
}

/* ---- SHA-256 ---------------------------------------------------------- */

struct sha256_ctx {
	EVP_MD_CTX *md;
};

static void hex_encode(const unsigned char *bytes, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

struct sha256_ctx *sha256_new(void)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		crypto_fatal("SHA-256 init");
	struct sha256_ctx *ctx = xmalloc(sizeof(*ctx));
	ctx->md = md;
	return ctx;
}

void sha256_update(struct sha256_ctx *ctx, const void *data, size_t len)
{
	if (len > 0 && EVP_DigestUpdate(ctx->md, data, len) != 1)
		crypto_fatal("SHA-256 update");
}

void sha256_final_hex(struct sha256_ctx *ctx, char hex[65])
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (EVP_DigestFinal_ex(ctx->md, digest, &len) != 1 || len != 32)
		crypto_fatal("SHA-256 final");
	hex_encode(digest, len, hex);
	EVP_MD_CTX_free(ctx->md);
	free(ctx);
}

void sha256_hex(const void *data, size_t len, char hex[65])
{
	struct sha256_ctx *ctx = sha256_new();

	sha256_update(ctx, data, len);
	sha256_final_hex(ctx, hex);
}

void crypto_hmac_sha256_hex(const void *key, size_t key_len, const void *data,
                            size_t len, char hex[65])
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int out = 0;

	if (HMAC(EVP_sha256(), key, (int)key_len, data, len, digest, &out) ==
	        NULL ||
	    out != 32)
		crypto_fatal("HMAC-SHA-256");
	hex_encode(digest, out, hex);
}

/* ---- SHA-1 (name-based UUIDs only) ------------------------------------ */

void crypto_sha1(const void *const *parts, const size_t *lens, size_t n,
                 uint8_t digest[20])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int len = 0;

	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha1(), NULL) != 1)
		crypto_fatal("SHA-1");
	for (size_t i = 0; i < n; i++)
		if (EVP_DigestUpdate(md, parts[i], lens[i]) != 1)
			crypto_fatal("SHA-1");
	if (EVP_DigestFinal_ex(md, digest, &len) != 1 || len != 20)
		crypto_fatal("SHA-1");
	EVP_MD_CTX_free(md);
}

int sha256_hex_valid(const char *s)
{
	if (s == NULL)
		return 0;
	for (size_t i = 0; i < 64; i++) {
		char c = s[i];
		int hexdigit = (c >= '0' && c <= '9') ||
		               (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
		if (!hexdigit)
			return 0;
	}
	return s[64] == '\0';
}

/* ---- backup encryption (issue 5): key files, KDF, AES-256-GCM --------- */

#define KEY_FILE_MAX (64 * 1024)

void crypto_wipe(void *p, size_t len)
{
	volatile unsigned char *v = p;
	while (len-- > 0)
		*v++ = 0;
}

void crypto_secret_free(uint8_t *secret, size_t len)
{
	if (secret == NULL)
		return;
	crypto_wipe(secret, len);
	free(secret);
}

int crypto_key_file_read(const char *path, uint8_t **secret, size_t *len,
                         char **err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		*err = xasprintf("key file %s: %s", path, strerror(errno));
		return errno == ENOENT ? DR_ENOTFOUND : DR_EIO;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		*err = xasprintf("key file %s: not a regular file", path);
		return DR_EINVAL;
	}
	if ((st.st_mode & 077) != 0) {
		close(fd);
		*err = xasprintf("key file %s is accessible by others (mode "
		                 "%04o); refusing it: chmod 600 %s",
		                 path, (unsigned)(st.st_mode & 07777), path);
		return DR_EUNSAFE;
	}
	if (st.st_size > KEY_FILE_MAX) {
		close(fd);
		*err = xasprintf("key file %s: larger than %d bytes", path,
		                 KEY_FILE_MAX);
		return DR_EINVAL;
	}
	uint8_t *buf = xmalloc((size_t)st.st_size + 1);
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (got > 0 && buf[got - 1] == '\n')
		got--;
	if (got > 0 && buf[got - 1] == '\r')
		got--;
	if (got == 0) {
		crypto_secret_free(buf, (size_t)st.st_size + 1);
		*err = xasprintf("key file %s is empty", path);
		return DR_EINVAL;
	}
	*secret = buf;
	*len = got;
	return DR_OK;
}

int crypto_kdf_pbkdf2(const void *secret, size_t len, const uint8_t *salt,
                      size_t salt_len, uint32_t iterations,
                      uint8_t key[CRYPTO_KEY_LEN], char **err)
{
	if (iterations == 0 || len > KEY_FILE_MAX) {
		*err = xasprintf("key derivation: bad parameters");
		return DR_EINVAL;
	}
	if (PKCS5_PBKDF2_HMAC(secret, (int)len, salt, (int)salt_len,
	                      (int)iterations, EVP_sha256(), CRYPTO_KEY_LEN,
	                      key) != 1) {
		*err = xasprintf("key derivation failed");
		return DR_EIO;
	}
	return DR_OK;
}

static EVP_CIPHER_CTX *gcm_ctx(const uint8_t *key, const uint8_t *nonce,
                               int enc)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		abort();
	if (EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) !=
	        1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN,
	                        CRYPTO_GCM_NONCE_LEN, NULL) != 1 ||
	    EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, enc) != 1) {
		EVP_CIPHER_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* EVP takes int lengths; feed large buffers in pieces. */
static int gcm_update(EVP_CIPHER_CTX *ctx, unsigned char *out,
                      const unsigned char *in, size_t n)
{
	int outl;
	while (n > 0) {
		int step = n > (1u << 30) ? (1 << 30) : (int)n;
		if (EVP_CipherUpdate(ctx, out, &outl, in, step) != 1)
			return -1;
		out += outl;
		in += step;
		n -= (size_t)step;
	}
	return 0;
}

/* Where GCM's final (empty) output goes: out + n, but out itself when n is
 * 0, since out may then be NULL (an empty chunk, the trailer's tag) and
 * NULL + 0 is undefined in C. */
static unsigned char *gcm_end(void *out, size_t n)
{
	return n > 0 ? (unsigned char *)out + n : out;
}

int crypto_gcm_seal(const uint8_t key[CRYPTO_KEY_LEN],
                    const uint8_t nonce[CRYPTO_GCM_NONCE_LEN], const void *aad,
                    size_t aad_len, const void *plain, size_t n, void *out,
                    uint8_t tag[CRYPTO_GCM_TAG_LEN])
{
	int outl, rc = DR_EIO;
	EVP_CIPHER_CTX *ctx = gcm_ctx(key, nonce, 1);
	if (ctx == NULL)
		return DR_EIO;
	if ((aad_len == 0 ||
	     EVP_CipherUpdate(ctx, NULL, &outl, aad, (int)aad_len) == 1) &&
	    gcm_update(ctx, out, plain, n) == 0 &&
	    EVP_CipherFinal_ex(ctx, gcm_end(out, n), &outl) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, CRYPTO_GCM_TAG_LEN,
	                        tag) == 1)
		rc = DR_OK;
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

int crypto_gcm_open(const uint8_t key[CRYPTO_KEY_LEN],
                    const uint8_t nonce[CRYPTO_GCM_NONCE_LEN], const void *aad,
                    size_t aad_len, const void *cipher, size_t n,
                    const uint8_t tag[CRYPTO_GCM_TAG_LEN], void *out)
{
	int outl, rc = DR_ECORRUPT;
	uint8_t tagbuf[CRYPTO_GCM_TAG_LEN];
	EVP_CIPHER_CTX *ctx = gcm_ctx(key, nonce, 0);
	if (ctx == NULL)
		return DR_EIO;
	memcpy(tagbuf, tag, sizeof tagbuf);
	if ((aad_len == 0 ||
	     EVP_CipherUpdate(ctx, NULL, &outl, aad, (int)aad_len) == 1) &&
	    gcm_update(ctx, out, cipher, n) == 0 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, CRYPTO_GCM_TAG_LEN,
	                        tagbuf) == 1 &&
	    EVP_CipherFinal_ex(ctx, gcm_end(out, n), &outl) == 1)
		rc = DR_OK;
	EVP_CIPHER_CTX_free(ctx);
	if (rc != DR_OK)
		crypto_wipe(out, n);
	return rc;
}

const char *crypto_x509_verify_text(long code)
{
	return X509_verify_cert_error_string(code);
}
