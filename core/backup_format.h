/* The backup container, documented in drconsole-backup(5).
 *
 * A backup is cut into fixed-size chunks; each chunk becomes one gzip
 * member (core/compress.h).  Unencrypted, the object is just those members
 * in order, each carrying a "DR" extra subfield (backup id, chunk index,
 * final flag) so that gunzip reads it and we still notice chunks that were
 * dropped, reordered or mixed from another backup.  Encrypted, a 72-byte
 * header (magic, version, KDF parameters, salt, backup id, nonce prefix, key
 * check) is followed by one record per chunk (length, flags, AES-256-GCM
 * ciphertext of the member, tag) and a 24-byte trailer.  The nonce is the
 * per-backup random prefix followed by the chunk index, and the key is
 * derived with a fresh salt per backup, so no (key, nonce) pair ever
 * repeats; the associated data binds backup id, index and final flag. */
#ifndef DR_BACKUP_FORMAT_H
#define DR_BACKUP_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "core/crypto.h"

#define BACKUP_FORMAT_MAGIC         "DRBACKUP"
#define BACKUP_FORMAT_VERSION       1
#define BACKUP_FORMAT_HEADER_LEN    72
#define BACKUP_FORMAT_TRAILER_LEN   24
#define BACKUP_FORMAT_RECORD_HEAD   5
#define BACKUP_FORMAT_CHUNK_DEFAULT (1u << 20)
#define BACKUP_FORMAT_CHUNK_MAX     (64u << 20)
#define BACKUP_FORMAT_KDF_ITER      200000
/* What a reader accepts: a narrow band around what the writer uses. */
#define BACKUP_FORMAT_KDF_ITER_MIN 100000
#define BACKUP_FORMAT_KDF_ITER_MAX 1000000

struct backup_format_params {
	uint8_t backup_id[16];
	int encrypted;
	uint8_t key[CRYPTO_KEY_LEN];
	uint8_t salt[CRYPTO_SALT_LEN];
	uint32_t kdf_iterations;
	uint8_t nonce_prefix[4];
	uint32_t chunk_size;
	int level; /* zlib 0..9 */
};

/* A key's id: 16 hex digits that name a key without giving it away, so
 * that a backup can record which key it needs.  It is the SHA-256 of a
 * PBKDF2 derivation (as many iterations as a backup's own, under a fixed
 * salt), never of the secret itself: a fast hash of a passphrase would let
 * anyone who reads the catalog guess it faster than from a backup. */
#define BACKUP_FORMAT_KEY_ID_LEN 16
int backup_format_key_id(const uint8_t *secret, size_t len,
                         char id[BACKUP_FORMAT_KEY_ID_LEN + 1], char **err);

/* 1 and the 16 bytes when text is a UUID. */
int backup_format_parse_id(const char *text, uint8_t id[16]);

/* Prepares a new backup's parameters: secret NULL means unencrypted; else a
 * fresh salt and nonce prefix and the derived key. */
int backup_format_init(struct backup_format_params *p, const char *backup_id,
                       const uint8_t *secret, size_t secret_len, int level,
                       uint32_t chunk_size, char **err);
/* Wipes the key. */
void backup_format_done(struct backup_format_params *p);

/* The bytes before the first chunk: BACKUP_FORMAT_HEADER_LEN when
 * encrypted, 0 otherwise. */
size_t backup_format_header(const struct backup_format_params *p,
                            uint8_t out[BACKUP_FORMAT_HEADER_LEN]);
/* Space for one encoded chunk of n plain bytes. */
size_t backup_format_chunk_bound(const struct backup_format_params *p,
                                 size_t n);
/* Encodes chunk `index` (final: the last one).  out holds
 * backup_format_chunk_bound() bytes, scratch too (used when encrypted).
 * Pure and thread-safe. */
int backup_format_chunk(const struct backup_format_params *p, uint64_t index,
                        int final, const void *plain, size_t n, void *scratch,
                        void *out, size_t *out_len, char **err);
/* The bytes after the last chunk: BACKUP_FORMAT_TRAILER_LEN when
 * encrypted, 0 otherwise. */
size_t backup_format_trailer(const struct backup_format_params *p,
                             uint64_t chunks, uint64_t plain_bytes,
                             uint8_t out[BACKUP_FORMAT_TRAILER_LEN]);

/* Reads an object back, checking everything: the stream is fed in pieces of
 * any size and plain data comes out through emit in order.  Errors are
 * DR_ECORRUPT (changed, truncated, reordered, foreign chunks), DR_EPERM
 * (encrypted but no key given), DR_EKEY (the key check in the header fails:
 * a wrong key, or a changed header, which only the object's SHA-256 can
 * tell apart) or whatever emit returns. */
struct backup_format_reader;

typedef int (*backup_format_emit)(void *arg, const void *buf, size_t n,
                                  char **err);

/* backup_id: the id the object must carry.  secret may be NULL for an
 * unencrypted object. */
struct backup_format_reader *backup_format_reader_new(const char *backup_id,
                                                      const uint8_t *secret,
                                                      size_t secret_len);
int backup_format_reader_feed(struct backup_format_reader *r, const void *data,
                              size_t n, backup_format_emit emit, void *arg,
                              char **err);
/* The end of the object: fails unless the final chunk (and, encrypted, a
 * matching trailer) was read. */
int backup_format_reader_finish(struct backup_format_reader *r,
                                uint64_t *chunks, uint64_t *plain_bytes,
                                char **err);
int backup_format_reader_encrypted(const struct backup_format_reader *r);
/* Whether the secret opens the object whose first bytes (at least
 * BACKUP_FORMAT_HEADER_LEN) are head: DR_OK, DR_EKEY (the key check
 * fails), DR_EINVAL (not an encrypted object) or DR_ECORRUPT.  backup_id
 * as for the reader. */
int backup_format_key_opens(const char *backup_id, const uint8_t *head,
                            size_t n, const uint8_t *secret, size_t len,
                            char **err);
void backup_format_reader_free(struct backup_format_reader *r);

#endif
