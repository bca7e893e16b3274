#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/crypto.h"

#define SHA_EMPTY                                                              \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA_ABC                                                                \
	"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

static void sha256_of_empty_string(void **state)
{
	(void)state;
	char hex[65];

	sha256_hex("", 0, hex);
	assert_string_equal(hex, SHA_EMPTY);
}

static void sha256_of_abc(void **state)
{
	(void)state;
	char hex[65];

	sha256_hex("abc", 3, hex);
	assert_string_equal(hex, SHA_ABC);
}

static void sha256_streaming_matches_one_shot(void **state)
{
	(void)state;
	char hex[65];
	struct sha256_ctx *ctx = sha256_new();

	sha256_update(ctx, "a", 1);
	sha256_update(ctx, "", 0);
	sha256_update(ctx, "bc", 2);
	sha256_final_hex(ctx, hex);
	assert_string_equal(hex, SHA_ABC);

	ctx = sha256_new();
	sha256_final_hex(ctx, hex);
	assert_string_equal(hex, SHA_EMPTY);
}

static void sha256_hex_validation(void **state)
{
	(void)state;
	char upper[65];

	assert_true(sha256_hex_valid(SHA_ABC));
	memcpy(upper, SHA_ABC, sizeof(upper));
	for (size_t i = 0; i < 64; i++)
		if (upper[i] >= 'a' && upper[i] <= 'f')
			upper[i] = (char)(upper[i] - 'a' + 'A');
	assert_true(sha256_hex_valid(upper));

	assert_false(sha256_hex_valid(NULL));
	assert_false(sha256_hex_valid(""));
	/* 63 digits, 65 digits, a non-hex digit, trailing space */
	assert_false(sha256_hex_valid(SHA_ABC + 1));
	assert_false(sha256_hex_valid(SHA_ABC "0"));
	char bad[65];
	memcpy(bad, SHA_ABC, sizeof(bad));
	bad[10] = 'g';
	assert_false(sha256_hex_valid(bad));
	assert_false(sha256_hex_valid(SHA_ABC " "));
}

static void random_fills_and_differs(void **state)
{
	(void)state;
	unsigned char a[32], b[32], zero[32] = {0};

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	crypto_random(a, sizeof(a));
	crypto_random(b, sizeof(b));
	crypto_random(a, 0);
	/* 2^-256 chance of a false failure */
	assert_memory_not_equal(a, zero, sizeof(a));
	assert_memory_not_equal(a, b, sizeof(a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(sha256_of_empty_string),
	    cmocka_unit_test(sha256_of_abc),
	    cmocka_unit_test(sha256_streaming_matches_one_shot),
	    cmocka_unit_test(sha256_hex_validation),
	    cmocka_unit_test(random_fills_and_differs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
