/* Version 4 UUIDs (RFC 9562 section 5.4): 122 random bits, with the
 * version nibble set to 4 and the variant bits to 10.  Version 5 (section
 * 5.5): the first 16 bytes of SHA-1(namespace || name), version nibble 5. */
#include "core/uuid.h"

#include <stdint.h>
#include <string.h>

#include "core/crypto.h"

static void uuid_text(unsigned char b[16], int version, char out[37])
{
	static const char digits[] = "0123456789abcdef";
	size_t o = 0;

	b[6] = (unsigned char)((b[6] & 0x0f) | (version << 4));
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	for (size_t i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = digits[b[i] >> 4];
		out[o++] = digits[b[i] & 0x0f];
	}
	out[o] = '\0';
}

void uuid_v4(char out[37])
{
	unsigned char b[16];

	crypto_random(b, sizeof(b));
	uuid_text(b, 4, out);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 0;
}

void uuid_v5(const char *ns, const char *const *parts, size_t n, char out[37])
{
	unsigned char nsb[16], digest[20];
	const void *seg[2 * 16 + 1];
	size_t lens[2 * 16 + 1], k = 0;
	static const char nul = '\0';

	for (size_t i = 0, j = 0; ns[i] != '\0' && j < 16; i++) {
		if (ns[i] == '-')
			continue;
		nsb[j++] =
		    (unsigned char)(hexval(ns[i]) << 4 | hexval(ns[i + 1]));
		i++;
	}
	seg[k] = nsb;
	lens[k++] = sizeof(nsb);
	for (size_t i = 0; i < n && i < 16; i++) {
		seg[k] = parts[i];
		lens[k++] = strlen(parts[i]);
		seg[k] = &nul;
		lens[k++] = 1;
	}
	crypto_sha1(seg, lens, k, digest);
	uuid_text(digest, 5, out);
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
