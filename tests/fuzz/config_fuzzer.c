/* libFuzzer target for the configuration reader (config_parse in
 * core/config.c, over core/json.c and each section's reader).  `make fuzz`
 * builds it; seeds in tests/fuzz/corpus/config/.  Every input is either
 * refused with DR_EINVAL and a message naming the document, or gives a
 * configuration whose services are named, with a defined tier when they
 * name one. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *cfg = NULL;
	char *err = NULL;

	int rc = config_parse("fuzz", (const char *)data, size, &cfg, &err);
	if (rc != DR_OK) {
		if (rc != DR_EINVAL || cfg != NULL || err == NULL ||
		    strncmp(err, "fuzz:", 5) != 0)
			abort();
		free(err);
		return 0;
	}
	if (cfg == NULL || cfg->path == NULL || strcmp(cfg->path, "fuzz") != 0)
		abort();
	for (size_t i = 0; i < cfg->n_services; i++) {
		const struct catalog_service *s = &cfg->services[i];
		if (s->name[0] == '\0' ||
		    memchr(s->name, '\0', sizeof s->name) == NULL ||
		    memchr(s->tier, '\0', sizeof s->tier) == NULL ||
		    (s->tier[0] != '\0' && config_tier(cfg, s->tier) == NULL) ||
		    s->rto_s < 0 || s->rpo_s < 0)
			abort();
	}
	config_free(cfg);
	return 0;
}
