#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/error.h"
#include "core/json.h"

static struct json_doc *parse_ok(const char *text)
{
	struct json_doc *doc = NULL;
	char *err = NULL;
	int rc = json_doc_parse("t.json", text, strlen(text), &doc, &err);
	if (rc != DR_OK)
		fail_msg("unexpected error: %s", err);
	assert_non_null(doc);
	return doc;
}

static void parse_fails(const char *text, const char *want)
{
	struct json_doc *doc = (void *)1;
	char *err = NULL;
	assert_int_equal(
	    json_doc_parse("t.json", text, strlen(text), &doc, &err),
	    DR_EINVAL);
	assert_null(doc);
	assert_non_null(err);
	assert_string_equal(err, want);
	free(err);
}

static void where(const struct json_doc *doc, const cJSON *node, int line,
                  int col)
{
	int l, c;
	assert_non_null(node);
	json_doc_where(doc, node, &l, &c);
	assert_int_equal(l, line);
	assert_int_equal(c, col);
}

static void test_positions(void **state)
{
	(void)state;
	const char *text = "{\n"
	                   "  \"a\": 1,\n"
	                   "  \"list\": [10, \"x\",\n"
	                   "     {\"k\": true}],\n"
	                   "\t\"o\": {}\n"
	                   "}\n";
	struct json_doc *doc = parse_ok(text);
	const cJSON *root = json_doc_root(doc);
	where(doc, root, 1, 1);
	where(doc, cJSON_GetObjectItem(root, "a"), 2, 3);
	const cJSON *list = cJSON_GetObjectItem(root, "list");
	where(doc, list, 3, 3);
	where(doc, cJSON_GetArrayItem(list, 0), 3, 12);
	where(doc, cJSON_GetArrayItem(list, 1), 3, 16);
	const cJSON *obj = cJSON_GetArrayItem(list, 2);
	where(doc, obj, 4, 6);
	where(doc, cJSON_GetObjectItem(obj, "k"), 4, 7);
	where(doc, cJSON_GetObjectItem(root, "o"), 5, 2);
	assert_string_equal(json_doc_name(doc), "t.json");

	int l = 9, c = 9;
	cJSON *other = cJSON_CreateNull();
	json_doc_where(doc, other, &l, &c);
	assert_int_equal(l, 0);
	assert_int_equal(c, 0);
	cJSON_Delete(other);

	char *m =
	    json_doc_msg(doc, cJSON_GetObjectItem(root, "a"), "bad %d", 7);
	assert_string_equal(m, "t.json:2:3: bad 7");
	free(m);
	json_doc_free(doc);
	json_doc_free(NULL);
}

static void test_scalars_and_bom(void **state)
{
	(void)state;
	struct json_doc *doc = parse_ok("\xef\xbb\xbf  42 ");
	assert_int_equal(json_doc_root(doc)->valueint, 42);
	where(doc, json_doc_root(doc), 1, 3);
	json_doc_free(doc);
	doc = parse_ok("[\"\\uD83D\\uDE00\"]");
	assert_string_equal(
	    cJSON_GetArrayItem(json_doc_root(doc), 0)->valuestring,
	    "\xf0\x9f\x98\x80");
	json_doc_free(doc);
	doc = parse_ok("[\"\\u00e9\\n\", -1.5e3, null, false]");
	assert_string_equal(
	    cJSON_GetArrayItem(json_doc_root(doc), 0)->valuestring,
	    "\xc3\xa9\n");
	json_doc_free(doc);
}

static void test_syntax_errors(void **state)
{
	(void)state;
	parse_fails("", "t.json:1:1: expected a value (object, array, string, "
	                "number, true, false or null), found end of file");
	parse_fails("{\n  \"a\": 1\n  \"b\": 2\n}",
	            "t.json:3:3: expected ',' or '}' after an object member, "
	            "found a string");
	parse_fails("{\"a\": 1,}", "t.json:1:9: expected a string key after "
	                           "',', found '}' (trailing commas are not "
	                           "allowed)");
	parse_fails("[1, 2,]", "t.json:1:7: expected a value after ',', found "
	                       "']' (trailing commas are not allowed)");
	parse_fails("[1 2]", "t.json:1:4: expected ',' or ']' after an array "
	                     "element, found a number");
	parse_fails("{\"a\" 1}", "t.json:1:6: expected ':' after an object "
	                         "key, found a number");
	parse_fails("{\n \"name\": \"abc\n}",
	            "t.json:2:10: unterminated string: found a line break "
	            "before the closing '\"'");
	parse_fails("\"abc", "t.json:1:1: unterminated string: found end of "
	                     "file before the closing '\"'");
	parse_fails("{\"a\": tru}",
	            "t.json:1:7: expected a value after ':', found 'tru'");
	parse_fails("{\"a\": 1", "t.json:1:8: expected ',' or '}' after an "
	                         "object member, found end of file");
	parse_fails("{a: 1}", "t.json:1:2: expected a string key or '}', "
	                      "found 'a'");
	parse_fails("{} x", "t.json:1:4: expected end of file after the "
	                    "top-level value, found 'x'");
	parse_fails("// hi\n{}", "t.json:1:1: expected a value (object, "
	                         "array, string, number, true, false or "
	                         "null), found a comment (JSON has no "
	                         "comments)");
	parse_fails("[01]", "t.json:1:2: a number cannot start with 0 "
	                    "(leading zeros are not allowed)");
	parse_fails("[-x]",
	            "t.json:1:3: expected a digit after '-', found 'x'");
	parse_fails("[1.]",
	            "t.json:1:4: expected a digit after '.', found ']'");
	parse_fails("[\"a\\qb\"]", "t.json:1:4: invalid escape '\\q' in a "
	                           "string (expected one of \\\" \\\\ \\/ \\b "
	                           "\\f \\n \\r \\t \\uXXXX)");
	parse_fails("[\"\\u12g4\"]",
	            "t.json:1:3: expected four hex digits after '\\u'");
	parse_fails("[\"\\uD800\"]", "t.json:1:3: unpaired UTF-16 surrogate "
	                             "'\\uD800' in a string");
	parse_fails("[\"x\\udc00\"]", "t.json:1:4: unpaired UTF-16 surrogate "
	                              "'\\uDC00' in a string");
	parse_fails("[\"\\uD83D\\u00e9\"]", "t.json:1:3: unpaired UTF-16 "
	                                    "surrogate '\\uD83D' in a string");
	parse_fails("[\"\\uD83D\\u0g\"]",
	            "t.json:1:9: expected four hex digits after '\\u'");
	parse_fails("[\"a\tb\"]", "t.json:1:4: control character 0x09 in a "
	                          "string (escape it)");
	parse_fails("{'a': 1}", "t.json:1:2: expected a string key or '}', "
	                        "found ''' (JSON strings use double quotes)");
}

static void test_deep_nesting(void **state)
{
	(void)state;
	size_t n = 2000;
	char *text = malloc(2 * n + 1);
	memset(text, '[', n);
	memset(text + n, ']', n);
	text[2 * n] = '\0';
	struct json_doc *doc = NULL;
	char *err = NULL;
	assert_int_equal(json_doc_parse("t.json", text, 2 * n, &doc, &err),
	                 DR_EINVAL);
	assert_string_equal(err, "t.json:1:514: nested deeper than 512 levels");
	free(err);
	free(text);
}

static void test_duplicate_keys(void **state)
{
	(void)state;
	parse_fails("{\n  \"a\": 1,\n  \"b\": {\"x\": 1, \"x\": 2},\n"
	            "  \"a\": 3\n}",
	            "t.json:3:17: duplicate key \"x\" (first at line 3, column "
	            "9)\n"
	            "t.json:4:3: duplicate key \"a\" (first at line 2, column "
	            "3)");
}

static void test_load(void **state)
{
	(void)state;
	char path[] = "/tmp/json_test_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *text = "{\"k\": [1,\n 2, x]}";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	struct json_doc *doc = NULL;
	char *err = NULL;
	assert_int_equal(json_doc_load(path, &doc, &err), DR_EINVAL);
	char *want = NULL;
	assert_true(asprintf(&want,
	                     "%s:2:5: expected a value after ',', "
	                     "found 'x'",
	                     path) > 0);
	assert_string_equal(err, want);
	free(want);
	free(err);
	unlink(path);
	assert_int_equal(json_doc_load(path, &doc, &err), DR_EIO);
	assert_null(doc);
	assert_true(strstr(err, "No such file or directory") != NULL);
	free(err);
}

static void test_getters(void **state)
{
	(void)state;
	struct json_doc *doc = parse_ok("{\n"
	                                "\"s\": \"str\",\n"
	                                "\"n\": 2.5,\n"
	                                "\"b\": true,\n"
	                                "\"d\": \"1h30m\",\n"
	                                "\"dn\": 90,\n"
	                                "\"bad_s\": 5,\n"
	                                "\"bad_d\": \"15x\",\n"
	                                "\"bad_dn\": -3,\n"
	                                "\"bad_b\": \"yes\"\n"
	                                "}");
	const cJSON *root = json_doc_root(doc);
	struct json_errors errs = {0};
	const char *s = NULL;
	double n = 0;
	int b = 0;
	long long d = 0;

	assert_int_equal(json_get_string(&errs, doc, root, "s", 1, &s), 1);
	assert_string_equal(s, "str");
	assert_int_equal(json_get_number(&errs, doc, root, "n", 1, &n), 1);
	assert_true(n == 2.5);
	assert_int_equal(json_get_bool(&errs, doc, root, "b", 1, &b), 1);
	assert_int_equal(b, 1);
	assert_int_equal(json_get_duration(&errs, doc, root, "d", 1, &d), 1);
	assert_int_equal(d, 5400);
	assert_int_equal(json_get_duration(&errs, doc, root, "dn", 1, &d), 1);
	assert_int_equal(d, 90);
	s = "untouched";
	assert_int_equal(json_get_string(&errs, doc, root, "none", 0, &s), 0);
	assert_string_equal(s, "untouched");
	assert_int_equal(errs.count, 0);
	assert_null(errs.text);

	assert_int_equal(json_get_string(&errs, doc, root, "bad_s", 0, &s), -1);
	assert_int_equal(json_get_duration(&errs, doc, root, "bad_d", 0, &d),
	                 -1);
	assert_int_equal(json_get_duration(&errs, doc, root, "bad_dn", 0, &d),
	                 -1);
	assert_int_equal(json_get_bool(&errs, doc, root, "bad_b", 0, &b), -1);
	assert_int_equal(json_get_number(&errs, doc, root, "s", 0, &n), -1);
	assert_int_equal(json_get_string(&errs, doc, root, "need", 1, &s), -1);
	assert_int_equal(errs.count, 6);
	char *text = json_errors_take(&errs);
	assert_string_equal(
	    text,
	    "t.json:7:1: expected a string for \"bad_s\", found a number\n"
	    "t.json:8:1: bad duration for \"bad_d\": 15x: unknown unit "
	    "'x' (use s, m, h, d, w)\n"
	    "t.json:9:1: bad duration for \"bad_dn\": expected a whole, "
	    "non-negative number of seconds, at most a hundred years\n"
	    "t.json:10:1: expected true or false for \"bad_b\", found a "
	    "string\n"
	    "t.json:2:1: expected a number for \"s\", found a string\n"
	    "t.json:1:1: missing required key \"need\"");
	free(text);
	assert_int_equal(errs.count, 0);
	assert_null(errs.text);
	json_doc_free(doc);
}

static void test_check_keys(void **state)
{
	(void)state;
	struct json_doc *doc = parse_ok("{\"a\": 1, \"zz\": 2, \"b\": 3, "
	                                "\"y\": 4}");
	struct json_errors errs = {0};
	static const char *const allowed[] = {"a", "b", "c", NULL};
	json_check_keys(&errs, doc, json_doc_root(doc), "the thing", allowed);
	assert_int_equal(errs.count, 2);
	char *text = json_errors_take(&errs);
	assert_string_equal(text,
	                    "t.json:1:10: unknown key \"zz\" in the thing "
	                    "(expected one of: a, b, c)\n"
	                    "t.json:1:27: unknown key \"y\" in the thing "
	                    "(expected one of: a, b, c)");
	free(text);
	json_doc_free(doc);
}

static void all_nodes_placed(const struct json_doc *doc, const cJSON *node)
{
	for (; node != NULL; node = node->next) {
		int l, c;
		json_doc_where(doc, node, &l, &c);
		assert_true(l > 0 && c > 0);
		all_nodes_placed(doc, node->child);
	}
}

/* Mutated documents, deterministically: the scanner and cJSON must agree
 * (no "cannot parse" fallback), nothing crashes, and every node of an
 * accepted document has a place. */
static void test_mutations(void **state)
{
	(void)state;
	static const char seed[] =
	    "{\n \"a\": [1, -2.5e3, \"x\\u00e9\\n\", true, null, "
	    "{\"b\": {}}],\n \"c\": \"d\"\n}\n";
	static const char alphabet[] =
	    "{}[]\",:\\ \n\t-0123456789.eEtrufalsn/'x";
	char buf[256];
	unsigned rng = 12345;
	size_t accepted = 0;

	for (int it = 0; it < 50000; it++) {
		size_t len = sizeof seed - 1;
		memcpy(buf, seed, len);
		for (int k = 0; k < 3; k++) {
			rng = rng * 1103515245u + 12345u;
			size_t at = (rng >> 8) % len;
			char c = alphabet[(rng >> 20) % (sizeof alphabet - 1)];
			switch ((rng >> 16) % 3) {
			case 0:
				buf[at] = c;
				break;
			case 1:
				if (len > 1) {
					memmove(buf + at, buf + at + 1,
					        len - at - 1);
					len--;
				}
				break;
			default:
				if (len < sizeof buf - 1) {
					memmove(buf + at + 1, buf + at,
					        len - at);
					buf[at] = c;
					len++;
				}
			}
		}
		struct json_doc *doc = NULL;
		char *err = NULL;
		if (json_doc_parse("m", buf, len, &doc, &err) == DR_OK) {
			all_nodes_placed(doc, json_doc_root(doc));
			json_doc_free(doc);
			accepted++;
		} else {
			assert_null(strstr(err, "cannot parse"));
			assert_true(strncmp(err, "m:", 2) == 0);
			free(err);
		}
	}
	assert_true(accepted > 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_positions),
	    cmocka_unit_test(test_scalars_and_bom),
	    cmocka_unit_test(test_syntax_errors),
	    cmocka_unit_test(test_deep_nesting),
	    cmocka_unit_test(test_duplicate_keys),
	    cmocka_unit_test(test_load),
	    cmocka_unit_test(test_getters),
	    cmocka_unit_test(test_check_keys),
	    cmocka_unit_test(test_mutations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
