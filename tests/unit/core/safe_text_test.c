/* core/safe_text: what a terminal receives from data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/safe_text.h"

static void expect(const char *in, const char *want)
{
	char *got = safe_text(in);
	assert_string_equal(got, want);
	free(got);
}

static void escapes_terminal_controls(void **state)
{
	(void)state;
	/* Clear screen and retitle the window: shown, not obeyed. */
	expect("x\033[2J\033]0;OWNED\007y", "x^[[2J^[]0;OWNED^Gy");
	expect("a\rb", "a^Mb");
	expect("row\nsplit", "row^Jsplit");
	expect("del\177", "del^?");
	expect("plain text, 100 %", "plain text, 100 %");
}

static void keeps_utf8_and_escapes_the_rest(void **state)
{
	(void)state;
	expect("Z\xc3\xbcrich \xe2\x80\x94 \xf0\x9f\x94\xa5",
	       "Z\xc3\xbcrich \xe2\x80\x94 \xf0\x9f\x94\xa5");
	/* C1 CSI (U+009B) is a control on many terminals. */
	expect("a\xc2\x9b"
	       "2Jb",
	       "a\\u009b2Jb");
	/* A raw CSI byte, an overlong slash, a lone continuation byte, a
	 * surrogate, a cut sequence. */
	expect("a\x9b"
	       "b",
	       "a\\x9bb");
	expect("\xc0\xaf", "\\xc0\\xaf");
	expect("\x80", "\\x80");
	expect("\xed\xa0\x80", "\\xed\\xa0\\x80");
	expect("end\xe2\x80", "end\\xe2\\x80");
}

struct sink {
	char buf[256];
	size_t len;
};

static void sink_put(void *arg, const char *s, size_t n)
{
	struct sink *k = arg;
	memcpy(k->buf + k->len, s, n);
	k->len += n;
	k->buf[k->len] = '\0';
}

/* A stream cut in the middle of a UTF-8 sequence or an escape. */
static void streams_in_chunks(void **state)
{
	(void)state;
	const char *in = "\xc3\xbc\033[31mred\n\xe2\x82\xac";
	for (size_t cut = 0; cut <= strlen(in); cut++) {
		struct sink k = {{0}, 0};
		struct safe_text_state st = {{0}, 0};
		safe_text_escape(in, cut, SAFE_KEEP_NEWLINE, &st, sink_put, &k);
		safe_text_escape(in + cut, strlen(in) - cut, SAFE_KEEP_NEWLINE,
		                 &st, sink_put, &k);
		safe_text_flush(&st, sink_put, &k);
		assert_string_equal(k.buf, "\xc3\xbc^[[31mred\n\xe2\x82\xac");
	}
}

static void clean_says_whether_anything_changes(void **state)
{
	(void)state;
	assert_true(safe_text_clean("ledger-db", 0));
	assert_true(safe_text_clean("Z\xc3\xbcrich", 0));
	assert_false(safe_text_clean("a\nb", 0));
	assert_true(safe_text_clean("a\nb", SAFE_KEEP_NEWLINE));
	assert_false(safe_text_clean("a\xff", 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(escapes_terminal_controls),
	    cmocka_unit_test(keeps_utf8_and_escapes_the_rest),
	    cmocka_unit_test(streams_in_chunks),
	    cmocka_unit_test(clean_says_whether_anything_changes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
