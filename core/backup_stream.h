/* The backup pipeline's engine: source bytes -> chunks -> compression and
 * encryption on every core -> one ordered stream -> SHA-256 -> sink.
 *
 * The calling thread reads chunks into a ring of slots; worker threads
 * encode whichever slot is ready; a writer thread hands encoded chunks to
 * the sink strictly in order and hashes what it hands over.  A chunk is
 * marked final only once the next read returned end of input, so the last
 * record always carries the final flag.  Memory is bounded by the ring:
 * about 2 x threads x chunk size, twice. */
#ifndef DR_BACKUP_STREAM_H
#define DR_BACKUP_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "core/backup_format.h"

/* Fills buf with up to cap bytes; *got 0 means end of input. */
typedef int (*backup_stream_read_fn)(void *arg, void *buf, size_t cap,
                                     size_t *got, char **err);
typedef int (*backup_stream_write_fn)(void *arg, const void *buf, size_t n,
                                      char **err);
/* Called from the writer thread after each chunk. */
typedef void (*backup_stream_progress_fn)(void *arg, uint64_t plain_bytes,
                                          uint64_t stored_bytes);

struct backup_stream_result {
	uint64_t plain_bytes;
	uint64_t stored_bytes;
	uint64_t chunks;
	char sha256[65]; /* of the stored object */
};

/* threads 0: one per online CPU. */
int backup_stream_encode(const struct backup_format_params *params, int threads,
                         backup_stream_read_fn read_fn, void *read_arg,
                         backup_stream_write_fn write_fn, void *write_arg,
                         backup_stream_progress_fn progress, void *progress_arg,
                         struct backup_stream_result *res, char **err);

/* The number of online CPUs (at least 1). */
int backup_stream_cpus(void);

#endif
