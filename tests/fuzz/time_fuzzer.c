/* libFuzzer target for the time and duration parsers (time_parse in
 * core/timeutil.c, duration_parse in core/duration.c).  `make fuzz` builds
 * it; seeds in tests/fuzz/corpus/time/.  A refusal has a message; an
 * accepted time is in range and, written back with time_format_iso, reads
 * as the same second; an accepted duration is not negative and reads back
 * from duration_format as the same number of seconds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/duration.h"
#include "core/error.h"
#include "core/timeutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_time(const char *text)
{
	const int64_t now = 1795320000; /* 2026-11-22 */
	int64_t t, again;
	char *err = NULL, buf[32];

	if (time_parse(text, now, &t, &err) != DR_OK) {
		if (err == NULL || err[0] == '\0')
			abort();
		free(err);
		return;
	}
	if (t < 0 || t > TIME_MAX)
		abort();
	if (t == 0)
		return; /* written as "-" (unknown) by design */
	time_format_iso(t, buf);
	if (time_parse(buf, now, &again, &err) != DR_OK || again != t)
		abort();
}

static void check_duration(const char *text)
{
	int64_t s, again;
	char *err = NULL, buf[64];

	if (duration_parse(text, &s, &err) != DR_OK) {
		if (err == NULL || err[0] == '\0')
			abort();
		free(err);
		return;
	}
	if (s < 0)
		abort();
	duration_format(s, buf, sizeof buf);
	if (duration_parse(buf, &again, &err) != DR_OK || again != s)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[128];

	if (size >= sizeof text)
		size = sizeof text - 1;
	memcpy(text, data, size);
	text[size] = '\0';
	check_time(text);
	check_duration(text);
	return 0;
}
