#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/uuid.h"

static void v4_has_the_text_form_version_and_variant(void **state)
{
	(void)state;
	char id[37];

	for (int i = 0; i < 200; i++) {
		uuid_v4(id);
		assert_int_equal(strlen(id), 36);
		assert_true(uuid_valid(id));
		assert_int_equal(id[14], '4');
		assert_non_null(strchr("89ab", id[19]));
		for (size_t k = 0; k < 36; k++)
			assert_true(id[k] == '-' ||
			            strchr("0123456789abcdef", id[k]) != NULL);
	}
}

static void v4_values_differ(void **state)
{
	(void)state;
	char a[37], b[37];

	uuid_v4(a);
	uuid_v4(b);
	assert_string_not_equal(a, b);
}

static void validation(void **state)
{
	(void)state;

	assert_true(uuid_valid("123e4567-e89b-12d3-a456-426614174000"));
	assert_true(uuid_valid("123E4567-E89B-12D3-A456-426614174000"));
	assert_true(uuid_valid("00000000-0000-0000-0000-000000000000"));

	assert_false(uuid_valid(NULL));
	assert_false(uuid_valid(""));
	assert_false(uuid_valid("123e4567e89b12d3a456426614174000"));
	assert_false(uuid_valid("123e4567-e89b-12d3-a456-42661417400"));
	assert_false(uuid_valid("123e4567-e89b-12d3-a456-4266141740000"));
	assert_false(uuid_valid("123e4567-e89b-12d3-a456_426614174000"));
	assert_false(uuid_valid("123e4567-e89b-12d3-a456-42661417400g"));
	assert_false(uuid_valid("{123e4567-e89b-12d3-a456-426614174000}"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(v4_has_the_text_form_version_and_variant),
	    cmocka_unit_test(v4_values_differ),
	    cmocka_unit_test(validation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
