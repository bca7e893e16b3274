/* libFuzzer target for the runbook validator (core/runbook.c over
 * core/json.c).  `make fuzz` builds it and seeds it with runbooks/ and
 * tests/fixtures/runbooks/.
 * It checks that every rejection names the document with a place, and that
 * every accepted runbook is whole: steps in phases, ids unique, drill forms
 * only with commands, references expandable. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/runbook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_whole(const struct runbook *rb)
{
	size_t counted = 0;

	if (rb->name == NULL || rb->title == NULL || rb->scenario == NULL ||
	    rb->n_phases == 0 || rb->n_steps == 0)
		abort();
	for (size_t p = 0; p < rb->n_phases; p++) {
		if (rb->phases[p].first != counted || rb->phases[p].count == 0)
			abort();
		counted += rb->phases[p].count;
	}
	if (counted != rb->n_steps)
		abort();
	for (size_t i = 0; i < rb->n_steps; i++) {
		const struct runbook_step *st = &rb->steps[i];
		if (runbook_step_index(rb, st->id) != (long)i)
			abort();
		if (st->drill != NULL && st->command == NULL)
			abort();
		if (st->timeout_s < 1)
			abort();
		char *t = runbook_expand(rb, NULL, st->title);
		free(t);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct runbook *rb = NULL;
	char *err = NULL;

	if (runbook_parse("fuzz", (const char *)data, size, &rb, &err) !=
	    DR_OK) {
		if (rb != NULL || err == NULL || strncmp(err, "fuzz:", 5) != 0)
			abort();
		free(err);
		return 0;
	}
	check_whole(rb);
	runbook_free(rb);
	return 0;
}
