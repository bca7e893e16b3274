/* libFuzzer target for the theme reader (theme_parse in core/theme.c).
 * `make fuzz` builds it; seeds in tests/fuzz/corpus/theme/ and themes/.
 * Every input is refused with a message naming the document and leaving
 * the theme alone, or gives a theme with a terminated name. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/theme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct theme t, before;
	char *err = NULL;

	memset(&t, 0xa5, sizeof t);
	before = t;
	if (theme_parse("fuzz", (const char *)data, size, &t, &err) != DR_OK) {
		if (err == NULL || strncmp(err, "fuzz", 4) != 0 ||
		    memcmp(&t, &before, sizeof t) != 0)
			abort();
		free(err);
		return 0;
	}
	if (memchr(t.name, '\0', sizeof t.name) == NULL)
		abort();
	return 0;
}
