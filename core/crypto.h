/* The one module that calls OpenSSL.  Hashing now; the backup pipeline's
 * key derivation and AES-256-GCM live here too. */
#ifndef DR_CRYPTO_H
#define DR_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

struct sha256_ctx;

struct sha256_ctx *sha256_new(void);
void sha256_update(struct sha256_ctx *ctx, const void *data, size_t len);
/* Writes 64 hex digits and a NUL; frees ctx. */
void sha256_final_hex(struct sha256_ctx *ctx, char hex[65]);
void sha256_hex(const void *data, size_t len, char hex[65]);
/* 1 when s is exactly 64 hex digits. */
int sha256_hex_valid(const char *s);

/* Fills buf from the kernel's random source; aborts if it cannot. */
void crypto_random(void *buf, size_t len);

#endif
