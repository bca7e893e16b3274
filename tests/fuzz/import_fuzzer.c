/* libFuzzer target for one import format's parser (core/import_<fmt>.c),
 * chosen at build time: `make fuzz` builds it once per format
 * (import_<fmt>_fuzzer) with -DIMPORT_FORMAT=import_<fmt>_format.  It
 * checks that every entry the parser hands over is well formed (a label, a
 * known type and status, times and sizes in range) and that every
 * rejection names the input and a position. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/import.h"

#ifndef IMPORT_FORMAT
#error "build with -DIMPORT_FORMAT=import_<fmt>_format"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int one_of(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

static int entry(void *arg, const struct import_entry *e, char **err)
{
	static const char *const types[] = {"full", "incremental",
	                                    "differential", NULL};
	static const char *const statuses[] = {
	    "completed", "failed", "running", "pending", "expired", NULL};
	(void)arg;
	(void)err;
	if (e->label == NULL || e->label[0] == '\0' ||
	    !one_of(e->type, types) || !one_of(e->status, statuses) ||
	    e->started_at < 0 || e->completed_at < 0 || e->size_bytes < -1 ||
	    e->stored_bytes < -1)
		abort();
	for (size_t i = 0; i < e->n_names; i++)
		if (e->names[i] == NULL)
			abort();
	return DR_OK;
}

static int scope(void *arg, const struct import_scope *s, char **err)
{
	(void)arg;
	(void)err;
	if (s->n_names > 0 && s->names[0] == NULL)
		abort();
	return DR_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f;
	struct json_stream *in;
	struct import_sink sink = {entry, scope, NULL};
	char *err = NULL;
	int rc;

	if (size == 0)
		return 0;
	f = fmemopen((void *)data, size, "rb");
	if (f == NULL)
		return 0;
	in = json_stream_new("fuzz", f);
	rc = IMPORT_FORMAT.parse(in, &sink, &err);
	if (rc != DR_OK && (err == NULL || strncmp(err, "fuzz", 4) != 0))
		abort();
	free(err);
	json_stream_free(in);
	fclose(f);
	return 0;
}
