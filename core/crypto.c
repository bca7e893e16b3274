/* The one module that calls OpenSSL (DESIGN.md: every external library is
 * reached through one module of ours).  Sections: random bytes, SHA-256;
 * key derivation and AES-256-GCM join below as their own sections. */
#include "core/crypto.h"

#include "core/xmalloc.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

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
