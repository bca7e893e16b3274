/* libFuzzer target for the reading of S3 answers (core/s3_xml.c: the
 * values core/repo_s3.c takes from listings, multipart answers and error
 * bodies).  `make fuzz` builds it; seeds in tests/fuzz/corpus/s3_xml/.
 * Any body gives a value that is a piece of the body between its tags, or
 * none. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/s3_xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_value(const char *body, const char *tag)
{
	char *v = s3_xml_value(body, tag);
	if (v == NULL)
		return;
	char *at = strstr(body, v);
	if (at == NULL || strlen(v) > strlen(body))
		abort();
	free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const tags[] = {"Key",
	                                   "Size",
	                                   "UploadId",
	                                   "IsTruncated",
	                                   "NextContinuationToken",
	                                   "Contents",
	                                   "Code",
	                                   "Message",
	                                   NULL};
	char *body = malloc(size + 1);
	if (body == NULL)
		return 0;
	memcpy(body, data, size);
	body[size] = '\0';
	for (size_t i = 0; tags[i] != NULL; i++)
		check_value(body, tags[i]);
	char *m = s3_xml_message(body);
	if (m == NULL || (m[0] != '\0' && strstr(body, m) == NULL))
		abort();
	free(m);
	free(body);
	return 0;
}
