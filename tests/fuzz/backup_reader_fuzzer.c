/* libFuzzer target for the backup object reader (core/backup_format.c, the
 * container of drconsole-backup(5)) over arbitrary bytes.  `make fuzz`
 * builds it; seeds in tests/fuzz/corpus/backup_reader/.
 *
 * The first byte chooses how the object is read: bit 0 set, with the fixed
 * key below (an encrypted object), else without one; bits 1-7 the size of
 * the pieces it is fed in (0: all at once).  The rest is the object, which
 * must carry the backup id below.  Every object is either refused with a
 * message and one of the reader's documented errors, or read whole with
 * the plain bytes it emitted adding up to what finish reports. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/backup_format.h"
#include "core/error.h"

#define FUZZ_BACKUP_ID "3f2a6c1e-7b4d-4e8a-9c0f-1d2e3f4a5b6c"
#define FUZZ_KEY       "drconsole fuzzing key, not a secret\n"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count(void *arg, const void *buf, size_t n, char **err)
{
	(void)buf;
	(void)err;
	if (n == 0)
		abort(); /* the reader never emits nothing */
	*(uint64_t *)arg += n;
	return DR_OK;
}

static void check_refusal(int rc, char *err)
{
	if (rc != DR_ECORRUPT && rc != DR_EPERM && rc != DR_EKEY)
		abort();
	if (err == NULL || err[0] == '\0')
		abort();
	free(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	int with_key = data[0] & 1;
	size_t piece = data[0] >> 1;
	data++;
	size--;
	if (piece == 0)
		piece = size > 0 ? size : 1;

	struct backup_format_reader *r = backup_format_reader_new(
	    FUZZ_BACKUP_ID, with_key ? (const uint8_t *)FUZZ_KEY : NULL,
	    with_key ? strlen(FUZZ_KEY) : 0);
	uint64_t emitted = 0, chunks = 0, plain = 0;
	char *err = NULL;
	int rc = DR_OK;

	for (size_t off = 0; off < size && rc == DR_OK; off += piece) {
		size_t n = size - off < piece ? size - off : piece;
		rc = backup_format_reader_feed(r, data + off, n, count,
		                               &emitted, &err);
	}
	if (rc == DR_OK)
		rc = backup_format_reader_finish(r, &chunks, &plain, &err);
	if (rc != DR_OK) {
		check_refusal(rc, err);
	} else {
		if (err != NULL || plain != emitted || chunks == 0)
			abort();
		if (backup_format_reader_encrypted(r) && !with_key)
			abort();
	}
	backup_format_reader_free(r);
	return 0;
}
