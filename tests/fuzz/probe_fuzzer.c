/* libFuzzer target for what the probes read from their peers' output
 * (core/probe_command.c: the number a command prints; core/probe_http.c:
 * the status and body a server answers).  `make fuzz` builds it; seeds in
 * tests/fuzz/corpus/probe/.
 *
 * The first byte picks the probe's limits, the rest is the output or body.
 * A command probe passes only on a finite number within its limits, which
 * its message then shows; an HTTP probe with body_contains passes exactly
 * when the body holds that text. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/http.h"
#include "core/probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_command(uint8_t how, const char *output)
{
	struct probe_spec s;
	struct probe_outcome o;

	memset(&s, 0, sizeof s);
	memset(&o, 0, sizeof o);
	s.has_min = how & 1;
	s.has_max = (how >> 1) & 1;
	s.min = -1.5;
	s.max = 100;
	probe_command_value(&s, output, &o);
	if (memchr(o.message, '\0', sizeof o.message) == NULL ||
	    o.message[0] == '\0')
		abort();
	if (o.ok && (!isfinite(o.value) || (s.has_min && o.value < s.min) ||
	             (s.has_max && o.value > s.max)))
		abort();
}

static void check_http(uint8_t how, const uint8_t *body, size_t n)
{
	static const char *const needles[] = {"ok", "\"status\":\"up\"", "",
	                                      "healthy"};
	struct probe_spec s;
	struct probe_outcome o;
	struct http_response r;

	memset(&s, 0, sizeof s);
	memset(&o, 0, sizeof o);
	memset(&r, 0, sizeof r);
	s.expect_status = 200;
	s.body_contains = (char *)needles[how & 3];
	s.latency_max_ms = (how & 4) ? 250 : 0;
	r.code = (how & 8) ? 503 : 200;
	r.total_ms = (how & 16) ? 300 : 12;
	r.body = malloc(n + 1);
	if (r.body == NULL)
		return;
	memcpy(r.body, body, n);
	r.body[n] = '\0';
	r.body_len = n;
	probe_http_judge(&s, &r, &o);
	int should =
	    r.code == 200 && r.total_ms <= 250 + 1000 * !(how & 4) &&
	    memmem(r.body, n, s.body_contains, strlen(s.body_contains)) != NULL;
	if (o.ok != should || o.value != (double)r.code)
		abort();
	free(r.body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	uint8_t how = data[0];
	char out[512]; /* what the command probe keeps of its output */
	size_t n = size - 1 < sizeof out - 1 ? size - 1 : sizeof out - 1;
	memcpy(out, data + 1, n);
	out[n] = '\0';
	check_command(how, out);
	check_http(how, data + 1, size - 1);
	return 0;
}
