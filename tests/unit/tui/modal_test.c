/* Text laid out for full-screen pages (tui/modal.c): every row fits the
 * width, words are cut only when wider than a row, newlines start rows,
 * and nothing of the text is left out, so that a command being confirmed
 * is shown whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tui/modal.h"

/* Columns of a row: UTF-8 continuation bytes take none. */
static int cols(const char *s)
{
	int c = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			c++;
	return c;
}

/* The rows joined again (indent taken off), without the spaces. */
static char *squeeze_rows(const struct modal_lines *l, const char *indent)
{
	size_t cap = 1;
	char *all, *p;

	for (size_t i = 0; i < l->n; i++)
		cap += strlen(l->row[i]);
	all = p = calloc(1, cap);
	for (size_t i = 0; i < l->n; i++) {
		const char *r = l->row[i];
		if (i > 0 && indent[0] &&
		    strncmp(r, indent, strlen(indent)) == 0)
			r += strlen(indent);
		for (; *r; r++)
			if (*r != ' ')
				*p++ = *r;
	}
	return all;
}

static char *squeeze(const char *text)
{
	char *out = calloc(1, strlen(text) + 1), *p = out;

	for (; *text; text++)
		if (*text != ' ' && *text != '\n')
			*p++ = *text;
	return out;
}

static void test_words_wrap_within_the_width(void **state)
{
	struct modal_lines l = {0};

	(void)state;
	modal_lines_wrap(&l,
	                 "ssh -- host \"sudo -u postgres pg_ctlcluster 15 "
	                 "main stop -m fast\"",
	                 20, "  ");
	for (size_t i = 0; i < l.n; i++)
		assert_true(cols(l.row[i]) <= 20);
	assert_string_equal(l.row[0], "ssh -- host \"sudo -u");
	assert_string_equal(l.row[1], "  postgres");
	assert_string_equal(l.row[l.n - 1], "  main stop -m fast\"");
	modal_lines_free(&l);
	assert_int_equal(l.n, 0);
}

static void test_nothing_is_left_out(void **state)
{
	const char *text =
	    "pg_rewind -D "
	    "/var/lib/postgresql/$DR_VAR_PG_VERSION/$DR_VAR_PG_CLUSTER "
	    "--source-server='host=$DR_VAR_CURRENT_DB_HOST user=postgres' "
	    "&& touch standby.signal && pg_ctlcluster 15 main start";

	(void)state;
	for (int w = 1; w <= 90; w++) {
		struct modal_lines l = {0};
		char *got, *want = squeeze(text);

		modal_lines_wrap(&l, text, w, "    ");
		for (size_t i = 0; i < l.n; i++)
			assert_true(cols(l.row[i]) <= w);
		got = squeeze_rows(&l, w < 12 ? "" : "    ");
		assert_string_equal(got, want);
		free(got);
		free(want);
		modal_lines_free(&l);
	}
}

static void test_newlines_and_blank_lines(void **state)
{
	struct modal_lines l = {0};

	(void)state;
	modal_lines_wrap(&l, "one\n\nthree", 40, "");
	assert_int_equal(l.n, 3);
	assert_string_equal(l.row[0], "one");
	assert_string_equal(l.row[1], "");
	assert_string_equal(l.row[2], "three");
	modal_lines_push(&l, "as is, however long it is");
	assert_int_equal(l.n, 4);
	modal_lines_free(&l);
}

static void test_utf8_is_not_split(void **state)
{
	struct modal_lines l = {0};

	(void)state;
	/* Six two-byte characters in rows of four columns. */
	modal_lines_wrap(&l, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
	                 4, "");
	assert_int_equal(l.n, 2);
	assert_string_equal(l.row[0], "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
	assert_string_equal(l.row[1], "\xc3\xa9\xc3\xa9");
	modal_lines_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_words_wrap_within_the_width),
	    cmocka_unit_test(test_nothing_is_left_out),
	    cmocka_unit_test(test_newlines_and_blank_lines),
	    cmocka_unit_test(test_utf8_is_not_split),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
