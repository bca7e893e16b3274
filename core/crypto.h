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
/* HMAC-SHA-256 of data under key: 64 hex digits and a NUL. */
void crypto_hmac_sha256_hex(const void *key, size_t key_len, const void *data,
                            size_t len, char hex[65]);
/* 1 when s is exactly 64 hex digits. */
int sha256_hex_valid(const char *s);

/* SHA-1 of the n parts one after another.  Only for name-based (version 5)
 * UUIDs, which RFC 9562 defines with SHA-1; never for integrity. */
void crypto_sha1(const void *const *parts, const size_t *lens, size_t n,
                 uint8_t digest[20]);

/* What an X.509 verification result (OpenSSL's X509_V_ERR_*, as libcurl
 * reports it with CURLINFO_SSL_VERIFYRESULT) means: "self-signed
 * certificate", "certificate has expired", ...  Static text. */
const char *crypto_x509_verify_text(long code);

/* Fills buf from the kernel's random source; aborts if it cannot. */
void crypto_random(void *buf, size_t len);

/* ---- backup encryption (issue 5): key files, KDF, AES-256-GCM --------- */

#define CRYPTO_KEY_LEN       32
#define CRYPTO_SALT_LEN      16
#define CRYPTO_GCM_NONCE_LEN 12
#define CRYPTO_GCM_TAG_LEN   16

/* Reads a key or passphrase file.  Refuses (DR_EUNSAFE) a file that group or
 * others may read or write, as ssh refuses loose private keys, and a file
 * that is not a regular file; an empty file is DR_EINVAL.  One trailing
 * newline is dropped.  The secret is malloc'd; wipe and free it with
 * crypto_secret_free(). */
int crypto_key_file_read(const char *path, uint8_t **secret, size_t *len,
                         char **err);
void crypto_secret_free(uint8_t *secret, size_t len);
/* Overwrites memory in a way the compiler does not elide. */
void crypto_wipe(void *p, size_t len);

/* PBKDF2-HMAC-SHA256 of the secret with the salt: a 32-byte key. */
int crypto_kdf_pbkdf2(const void *secret, size_t len, const uint8_t *salt,
                      size_t salt_len, uint32_t iterations,
                      uint8_t key[CRYPTO_KEY_LEN], char **err);

/* AES-256-GCM.  Thread-safe: each call has its own cipher context.
 * seal writes n bytes of ciphertext to out and the tag; open writes n bytes
 * of plaintext and returns DR_ECORRUPT when the tag does not match (wrong
 * key, changed bytes, changed associated data). */
int crypto_gcm_seal(const uint8_t key[CRYPTO_KEY_LEN],
                    const uint8_t nonce[CRYPTO_GCM_NONCE_LEN], const void *aad,
                    size_t aad_len, const void *plain, size_t n, void *out,
                    uint8_t tag[CRYPTO_GCM_TAG_LEN]);
int crypto_gcm_open(const uint8_t key[CRYPTO_KEY_LEN],
                    const uint8_t nonce[CRYPTO_GCM_NONCE_LEN], const void *aad,
                    size_t aad_len, const void *cipher, size_t n,
                    const uint8_t tag[CRYPTO_GCM_TAG_LEN], void *out);

#endif
