/* libFuzzer target for the schedule parser (core/schedule.c).  `make fuzz`
 * builds it; seeds in tests/fuzz/corpus/schedule/.
 * Every input is either refused with a message or gives a schedule whose
 * next time is strictly later than the time asked about (or -1 for a cron
 * expression that can never match). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/schedule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[256];
	struct schedule s;
	char *err = NULL;
	int64_t after = 1795320000; /* 2026-11-22 */

	if (size >= sizeof(text))
		size = sizeof(text) - 1;
	memcpy(text, data, size);
	text[size] = '\0';
	if (schedule_parse(text, &s, &err) != DR_OK) {
		if (err == NULL || err[0] == '\0')
			abort();
		free(err);
		return 0;
	}
	int64_t next = schedule_next(&s, after);
	if (next != -1 && next <= after)
		abort();
	if (s.kind == SCHEDULE_INTERVAL && next != after + s.interval_s)
		abort();
	return 0;
}
