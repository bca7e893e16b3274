#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"
#include "core/theme.h"

/* Run from the top of the tree (tests/run does). */
static const char *const shipped[] = {
    "themes/default.json",
    "themes/light.json",
    "themes/high-contrast.json",
    "themes/mono.json",
};

static void parse_fails(const char *text, const char *want)
{
	struct theme t;
	char *err = NULL;
	theme_default(&t);
	snprintf(t.name, sizeof t.name, "untouched");
	int rc = theme_parse("t.json", text, strlen(text), &t, &err);
	assert_int_equal(rc, DR_EINVAL);
	assert_non_null(err);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" does not contain \"%s\"", err, want);
	assert_string_equal(t.name, "untouched");
	free(err);
}

static void test_default_file_matches_builtin(void **state)
{
	(void)state;
	struct theme builtin, file;
	char *err = NULL;
	theme_default(&builtin);
	if (theme_load("themes/default.json", &file, &err) != DR_OK)
		fail_msg("%s", err);
	for (int e = 0; e < THEME_N_ELEMENTS; e++) {
		const struct theme_style *a = &builtin.style[e],
		                         *b = &file.style[e];
		if (a->fg != b->fg || a->bg != b->bg || a->attrs != b->attrs)
			fail_msg(
			    "themes/default.json differs from the built-in "
			    "theme at \"%s\"",
			    theme_element_name(e));
	}
}

static void test_shipped_themes_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof shipped / sizeof shipped[0]; i++) {
		struct theme t;
		char *err = NULL;
		if (theme_load(shipped[i], &t, &err) != DR_OK)
			fail_msg("%s", err);
		assert_true(t.name[0] != '\0');
	}
}

static void test_mono_has_no_colour(void **state)
{
	(void)state;
	struct theme t;
	char *err = NULL;
	assert_int_equal(theme_load("themes/mono.json", &t, &err), DR_OK);
	for (int e = 0; e < THEME_N_ELEMENTS; e++) {
		assert_int_equal(t.style[e].fg, THEME_COLOR_DEFAULT);
		assert_int_equal(t.style[e].bg, THEME_COLOR_DEFAULT);
		/* what the console adds without colour is what mono says */
		assert_int_equal(t.style[e].attrs, theme_mono_attrs(e));
	}
}

static void test_colours_and_attrs(void **state)
{
	(void)state;
	const char *text = "{ \"name\": \"x\",\n"
	                   "  \"header\": {\"fg\": \"bright-red\", \"bg\": 17,"
	                   " \"attrs\": [\"bold\", \"underline\"]},\n"
	                   "  \"dim\": {\"fg\": \"gray\"} }";
	struct theme t;
	char *err = NULL;
	assert_int_equal(theme_parse("t.json", text, strlen(text), &t, &err),
	                 DR_OK);
	assert_string_equal(t.name, "x");
	assert_int_equal(t.style[THEME_HEADER].fg, 9);
	assert_int_equal(t.style[THEME_HEADER].bg, 17);
	assert_int_equal(t.style[THEME_HEADER].attrs,
	                 THEME_ATTR_BOLD | THEME_ATTR_UNDERLINE);
	assert_int_equal(t.style[THEME_DIM].fg, 8);
	/* left out: the built-in default */
	struct theme def;
	theme_default(&def);
	assert_int_equal(t.style[THEME_FOOTER].bg, def.style[THEME_FOOTER].bg);
}

static void test_errors_name_line_and_column(void **state)
{
	(void)state;
	parse_fails("{\n  \"headr\": {}\n}", "t.json:2:3: unknown UI element "
	                                     "\"headr\"");
	parse_fails("{\n  \"header\": {\"fg\": \"purple\"}\n}",
	            "t.json:2:14: unknown colour \"purple\"");
	parse_fails("{\"header\": {\"fg\": 300}}", "0-255");
	parse_fails("{\"header\": {\"attrs\": [\"shiny\"]}}",
	            "unknown attribute \"shiny\"");
	parse_fails("{\"header\": {\"attrs\": \"bold\"}}", "expected an array");
	parse_fails("{\"header\": {\"colour\": \"red\"}}", "unknown key");
	parse_fails("{\"header\": \"red\"}", "expected an object");
	parse_fails("[1, 2]", "expected an object");
	parse_fails("{\"header\": {\"fg\": \"red\",}}", "t.json:1:");
}

static void test_every_error_reported(void **state)
{
	(void)state;
	const char *text = "{\"a\": {}, \"b\": {}}";
	struct theme t;
	char *err = NULL;
	assert_int_equal(theme_parse("t.json", text, strlen(text), &t, &err),
	                 DR_EINVAL);
	assert_non_null(strstr(err, "\"a\""));
	assert_non_null(strstr(err, "\"b\""));
	free(err);
}

static void test_missing_file(void **state)
{
	(void)state;
	struct theme t;
	char *err = NULL;
	assert_int_equal(theme_load("themes/nope.json", &t, &err), DR_EIO);
	assert_non_null(strstr(err, "themes/nope.json"));
	free(err);
}

static void test_find(void **state)
{
	(void)state;
	const char *dirs[] = {"no/such/dir", "themes"};
	char *err = NULL;
	char *p = theme_find("light", dirs, 2, &err);
	assert_non_null(p);
	assert_string_equal(p, "themes/light.json");
	free(p);
	p = theme_find("./my.json", dirs, 2, &err);
	assert_string_equal(p, "./my.json"); /* a path is taken as given */
	free(p);
	p = theme_find("sunset", dirs, 2, &err);
	assert_null(p);
	assert_non_null(strstr(err, "\"sunset\" not found"));
	assert_non_null(strstr(err, "no/such/dir, themes"));
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default_file_matches_builtin),
	    cmocka_unit_test(test_shipped_themes_parse),
	    cmocka_unit_test(test_mono_has_no_colour),
	    cmocka_unit_test(test_colours_and_attrs),
	    cmocka_unit_test(test_errors_name_line_and_column),
	    cmocka_unit_test(test_every_error_reported),
	    cmocka_unit_test(test_missing_file),
	    cmocka_unit_test(test_find),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
