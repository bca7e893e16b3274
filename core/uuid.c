/* Version 4 UUIDs (RFC 9562 section 5.4): 122 random bits, with the
 * version nibble set to 4 and the variant bits to 10. */
#include "core/uuid.h"

#include <stdint.h>

#include "core/crypto.h"

void uuid_v4(char out[37])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char b[16];
	size_t o = 0;

	crypto_random(b, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	for (size_t i = 0; i < sizeof(b); i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = digits[b[i] >> 4];
		out[o++] = digits[b[i] & 0x0f];
	}
	out[o] = '\0';
}

int uuid_valid(const char *s)
{
	if (s == NULL)
		return 0;
	for (size_t i = 0; i < 36; i++) {
		char c = s[i];
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return 0;
			continue;
		}
		int hexdigit = (c >= '0' && c <= '9') ||
		               (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
		if (!hexdigit)
			return 0;
	}
	return s[36] == '\0';
}
