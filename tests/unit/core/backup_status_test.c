/* core/backup_status.c: the one definition of a good backup, and of what
 * verify reads back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/backup_status.h"

static void test_good_is_completed_or_verified(void **state)
{
	(void)state;
	assert_true(backup_status_is_good("completed"));
	assert_true(backup_status_is_good("verified"));
	static const char *const not_good[] = {
	    "pending",        "running",   "failed", "expired",    "corrupt",
	    "restore_failed", "Completed", "",       "completed ", "verifie"};
	for (size_t i = 0; i < sizeof not_good / sizeof *not_good; i++)
		assert_false(backup_status_is_good(not_good[i]));
	assert_false(backup_status_is_good(NULL));
}

static void test_lists_agree(void **state)
{
	(void)state;
	/* The better evidence first: latest: prefers the verified one of
	 * two that completed at the same time. */
	assert_string_equal(backup_good_statuses[0], "verified");
	for (size_t i = 0; i < BACKUP_GOOD_COUNT; i++) {
		assert_true(backup_status_is_good(backup_good_statuses[i]));
		assert_true(
		    backup_status_is_verifiable(backup_good_statuses[i]));
	}
	assert_true(backup_status_is_verifiable("corrupt"));
	assert_false(backup_status_is_verifiable("expired"));
	assert_false(backup_status_is_verifiable("restore_failed"));
	assert_false(backup_status_is_verifiable(NULL));
	/* The SQL form names the same statuses. */
	assert_string_equal(CATALOG_BACKUP_GOOD_SQL,
	                    "('completed', 'verified')");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good_is_completed_or_verified),
	    cmocka_unit_test(test_lists_agree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
