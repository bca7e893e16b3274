/* libFuzzer target for the JSON reader (core/json.c).  `make fuzz` builds
 * it (see the Makefile); seeds in tests/fuzz/corpus/json/.  It checks that
 * every accepted document has a place for every node and that every
 * rejection names the document. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_placed(const struct json_doc *doc, const cJSON *node)
{
	for (; node != NULL; node = node->next) {
		int line, col;
		json_doc_where(doc, node, &line, &col);
		if (line <= 0 || col <= 0)
			abort();
		check_placed(doc, node->child);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_doc *doc = NULL;
	char *err = NULL;

	if (json_doc_parse("fuzz", (const char *)data, size, &doc, &err) !=
	    DR_OK) {
		if (err == NULL || strncmp(err, "fuzz:", 5) != 0)
			abort();
		free(err);
		return 0;
	}
	check_placed(doc, json_doc_root(doc));
	json_doc_free(doc);
	return 0;
}
