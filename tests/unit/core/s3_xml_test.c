/* The values the S3 repository reads from its servers' answers
 * (core/s3_xml.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/s3_xml.h"

static void value_is(const char *xml, const char *tag, const char *want)
{
	char *v = s3_xml_value(xml, tag);
	if (want == NULL) {
		assert_null(v);
		return;
	}
	assert_non_null(v);
	assert_string_equal(v, want);
	free(v);
}

static void test_values(void **state)
{
	(void)state;
	const char *list = "<ListBucketResult><IsTruncated>true</IsTruncated>"
	                   "<Contents><Key>p/a.drb</Key><Size>12</Size>"
	                   "</Contents><NextContinuationToken>t1"
	                   "</NextContinuationToken></ListBucketResult>";
	value_is(list, "Key", "p/a.drb");
	value_is(list, "Size", "12");
	value_is(list, "IsTruncated", "true");
	value_is(list, "NextContinuationToken", "t1");
	value_is(list, "UploadId", NULL);
	value_is("<Key></Key>", "Key", "");
	/* An open tag without its close is no value, not the rest. */
	value_is("<Key>abc", "Key", NULL);
	value_is("</Key><Key>", "Key", NULL);
	value_is(NULL, "Key", NULL);
	value_is("", "Key", NULL);
}

static void test_message(void **state)
{
	(void)state;
	char *m = s3_xml_message("<Error><Code>NoSuchKey</Code><Message>The "
	                         "key does not exist.</Message></Error>");
	assert_string_equal(m, "The key does not exist.");
	free(m);
	m = s3_xml_message("<Error><Code>SlowDown</Code></Error>");
	assert_string_equal(m, "SlowDown");
	free(m);
	m = s3_xml_message("<Error><Message>cut short");
	assert_string_equal(m, "");
	free(m);
	m = s3_xml_message(NULL);
	assert_string_equal(m, "");
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_message),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
