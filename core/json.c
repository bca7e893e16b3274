/* cJSON builds the tree but forgets where things were, and its error
 * pointer says where it stopped, not what it wanted.  So a small validating
 * scanner of our own reads the text first: on bad syntax it names what was
 * expected and what was found; on good syntax it records the position of
 * every value in document order (for an object member, its key).  cJSON's
 * tree, walked in the same order (node, then its children), lines up with
 * that list one to one; the pairs are kept sorted by node pointer so
 * json_doc_where is a binary search.
 *
 * Lines and columns are 1-based; columns count bytes, not characters. */
#include "core/json.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/duration.h"
#include "core/error.h"
#include "core/safe_text.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

#define JSON_MAX_DEPTH 512

struct json_pos {
	const cJSON *node;
	int line, col;
};

struct json_doc {
	char *name;
	cJSON *root;
	struct json_pos *pos; /* sorted by node */
	size_t n_pos;
};

/* ---- the scanner ------------------------------------------------------ */

struct scan {
	const char *p, *end;
	const char *line_start;
	int line;
	struct json_pos *pos; /* in document order; node unset */
	size_t n_pos, cap_pos;
	char *err; /* the first syntax error, without the name */
	int err_line, err_col;
	/* A value cut out of a longer text (json_stream_value) starts at
	 * line first_line, column col_shift + 1 of that text. */
	int first_line, col_shift;
};

static int scan_col(const struct scan *s, const char *at)
{
	/* `at` is always on the current line: the only multi-line token is
	 * whitespace, and strings hold no raw line breaks. */
	return (int)(at - s->line_start) + 1 +
	       (s->line == s->first_line ? s->col_shift : 0);
}

static void scan_record(struct scan *s, const char *at)
{
	if (s->n_pos == s->cap_pos) {
		s->cap_pos = s->cap_pos ? s->cap_pos * 2 : 64;
		s->pos = xreallocarray(s->pos, s->cap_pos, sizeof *s->pos);
	}
	s->pos[s->n_pos].node = NULL;
	s->pos[s->n_pos].line = s->line;
	s->pos[s->n_pos].col = scan_col(s, at);
	s->n_pos++;
}

/* What stands at `at`, for "found ..." */
static char *describe(const struct scan *s, const char *at)
{
	if (at >= s->end)
		return xstrdup("end of file");
	unsigned char c = (unsigned char)*at;
	if (c == '"')
		return xstrdup("a string");
	if (c == '-' || isdigit(c))
		return xstrdup("a number");
	if (c == '{' || c == '}' || c == '[' || c == ']' || c == ':' ||
	    c == ',')
		return xasprintf("'%c'", c);
	if (c == '/' && at + 1 < s->end && (at[1] == '/' || at[1] == '*'))
		return xstrdup("a comment (JSON has no comments)");
	if (c == '\'')
		return xstrdup("''' (JSON strings use double quotes)");
	if (isalpha(c) || c == '_') {
		const char *e = at;
		while (e < s->end && e - at < 24 &&
		       (isalnum((unsigned char)*e) || *e == '_'))
			e++;
		return xasprintf("'%.*s'", (int)(e - at), at);
	}
	if (c == '\n' || c == '\r')
		return xstrdup("a line break");
	if (isprint(c))
		return xasprintf("'%c'", c);
	return xasprintf("byte 0x%02x", c);
}

static int scan_fail_at(struct scan *s, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int scan_fail_at(struct scan *s, const char *at, const char *fmt, ...)
{
	va_list ap;
	if (s->err != NULL)
		return -1;
	va_start(ap, fmt);
	s->err = xvasprintf(fmt, ap);
	va_end(ap);
	s->err_line = s->line;
	s->err_col = scan_col(s, at);
	return -1;
}

/* "expected X, found Y" at the current position. */
static int scan_expected(struct scan *s, const char *what)
{
	char *found = describe(s, s->p);
	scan_fail_at(s, s->p, "expected %s, found %s", what, found);
	free(found);
	return -1;
}

static void scan_ws(struct scan *s)
{
	while (s->p < s->end) {
		char c = *s->p;
		if (c == '\n') {
			s->line++;
			s->line_start = s->p + 1;
		} else if (c != ' ' && c != '\t' && c != '\r') {
			break;
		}
		s->p++;
	}
}

/* The four hex digits of the \\u escape at `esc` (s->p just past the
 * 'u' or at the backslash of a following escape); -1 after an error. */
static long scan_hex4(struct scan *s, const char *esc)
{
	long code = 0;
	if (*s->p == '\\')
		s->p += 2;
	else
		s->p++;
	for (int i = 0; i < 4; i++, s->p++) {
		if (s->p >= s->end || !isxdigit((unsigned char)*s->p)) {
			scan_fail_at(s, esc,
			             "expected four hex digits after '\\u'");
			return -1;
		}
		int c = tolower((unsigned char)*s->p);
		code = code * 16 + (isdigit(c) ? c - '0' : c - 'a' + 10);
	}
	return code;
}

static int scan_string(struct scan *s)
{
	const char *open = s->p++;
	while (s->p < s->end) {
		unsigned char c = (unsigned char)*s->p;
		if (c == '"') {
			s->p++;
			return 0;
		}
		if (c == '\n' || c == '\r')
			return scan_fail_at(s, open,
			                    "unterminated string: found a line "
			                    "break before the closing '\"'");
		if (c < 0x20)
			return scan_fail_at(s, s->p,
			                    "control character 0x%02x in a "
			                    "string (escape it)",
			                    c);
		if (c >= 0x80) {
			size_t n = safe_utf8_len(s->p, (size_t)(s->end - s->p));
			if (n == 0)
				return scan_fail_at(
				    s, s->p,
				    "invalid UTF-8 (byte 0x%02x) in "
				    "a string",
				    c);
			s->p += n;
			continue;
		}
		if (c == '\\') {
			const char *esc = s->p++;
			if (s->p >= s->end)
				break;
			switch (*s->p) {
			case '"':
			case '\\':
			case '/':
			case 'b':
			case 'f':
			case 'n':
			case 'r':
			case 't':
				s->p++;
				continue;
			case 'u': {
				long code = scan_hex4(s, esc);
				if (code < 0)
					return -1;
				if (code == 0)
					return scan_fail_at(
					    s, esc,
					    "'\\u0000' (NUL) in a string: no "
					    "value may hold one");
				if (code >= 0xDC00 && code <= 0xDFFF)
					return scan_fail_at(
					    s, esc,
					    "unpaired UTF-16 surrogate "
					    "'\\u%04lX' in a string",
					    code);
				if (code >= 0xD800 && code <= 0xDBFF) {
					long low = -1;
					if (s->end - s->p >= 2 &&
					    s->p[0] == '\\' && s->p[1] == 'u')
						low = scan_hex4(s, s->p);
					if (low < 0xDC00 || low > 0xDFFF)
						return scan_fail_at(
						    s, esc,
						    "unpaired UTF-16 surrogate "
						    "'\\u%04lX' in a string",
						    code);
				}
				continue;
			}
			default:
				return scan_fail_at(
				    s, esc,
				    "invalid escape '\\%c' in a string "
				    "(expected one of \\\" \\\\ \\/ \\b \\f "
				    "\\n \\r \\t \\uXXXX)",
				    isprint((unsigned char)*s->p) ? *s->p
				                                  : '?');
			}
		}
		s->p++;
	}
	return scan_fail_at(s, open,
	                    "unterminated string: found end of file before "
	                    "the closing '\"'");
}

static int scan_digits(struct scan *s, const char *after)
{
	if (s->p >= s->end || !isdigit((unsigned char)*s->p)) {
		char *found = describe(s, s->p);
		scan_fail_at(s, s->p, "expected a digit after '%s', found %s",
		             after, found);
		free(found);
		return -1;
	}
	while (s->p < s->end && isdigit((unsigned char)*s->p))
		s->p++;
	return 0;
}

static int scan_number(struct scan *s)
{
	const char *num = s->p;
	if (*s->p == '-')
		s->p++;
	if (s->p < s->end && *s->p == '0') {
		s->p++;
		if (s->p < s->end && isdigit((unsigned char)*s->p))
			return scan_fail_at(s, num,
			                    "a number cannot start with 0 "
			                    "(leading zeros are not allowed)");
	} else if (scan_digits(s, "-") < 0) {
		return -1;
	}
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (scan_digits(s, ".") < 0)
			return -1;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (scan_digits(s, "e") < 0)
			return -1;
	}
	return 0;
}

static int scan_word(struct scan *s, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(s->end - s->p) >= n && memcmp(s->p, word, n) == 0 &&
	    (s->p + n == s->end || !isalnum((unsigned char)s->p[n]))) {
		s->p += n;
		return 0;
	}
	return -1;
}

static int scan_value(struct scan *s, int depth, int record,
                      const char *expected);

static int scan_object(struct scan *s, int depth)
{
	s->p++; /* '{' */
	scan_ws(s);
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		return 0;
	}
	const char *want_key = "a string key or '}'";
	for (;;) {
		if (s->p >= s->end || *s->p != '"') {
			if (s->p < s->end && *s->p == '}')
				return scan_fail_at(s, s->p,
				                    "expected a string key "
				                    "after ',', found '}' "
				                    "(trailing commas are not "
				                    "allowed)");
			return scan_expected(s, want_key);
		}
		scan_record(s, s->p);
		if (scan_string(s) < 0)
			return -1;
		scan_ws(s);
		if (s->p >= s->end || *s->p != ':')
			return scan_expected(s, "':' after an object key");
		s->p++;
		scan_ws(s);
		if (scan_value(s, depth + 1, 0, "a value after ':'") < 0)
			return -1;
		scan_ws(s);
		if (s->p < s->end && *s->p == '}') {
			s->p++;
			return 0;
		}
		if (s->p >= s->end || *s->p != ',')
			return scan_expected(s, "',' or '}' after an object "
			                        "member");
		s->p++;
		scan_ws(s);
		want_key = "a string key after ','";
	}
}

static int scan_array(struct scan *s, int depth)
{
	s->p++; /* '[' */
	scan_ws(s);
	if (s->p < s->end && *s->p == ']') {
		s->p++;
		return 0;
	}
	const char *want = "a value or ']'";
	for (int after_comma = 0;; after_comma = 1) {
		if (s->p < s->end && *s->p == ']' && after_comma)
			return scan_fail_at(s, s->p,
			                    "expected a value after ',', "
			                    "found ']' (trailing commas are "
			                    "not allowed)");
		if (scan_value(s, depth + 1, 1, want) < 0)
			return -1;
		scan_ws(s);
		if (s->p < s->end && *s->p == ']') {
			s->p++;
			return 0;
		}
		if (s->p >= s->end || *s->p != ',')
			return scan_expected(s, "',' or ']' after an array "
			                        "element");
		s->p++;
		scan_ws(s);
		want = "a value after ','";
	}
}

/* A value at s->p (whitespace skipped); records its position when
 * `record` (an object member's key was recorded instead). */
static int scan_value(struct scan *s, int depth, int record,
                      const char *expected)
{
	if (depth > JSON_MAX_DEPTH)
		return scan_fail_at(s, s->p, "nested deeper than %d levels",
		                    JSON_MAX_DEPTH);
	if (s->p >= s->end)
		return scan_expected(s, expected);
	const char *at = s->p;
	switch (*s->p) {
	case '{':
		if (record)
			scan_record(s, at);
		return scan_object(s, depth);
	case '[':
		if (record)
			scan_record(s, at);
		return scan_array(s, depth);
	case '"':
		if (record)
			scan_record(s, at);
		return scan_string(s);
	default:
		break;
	}
	if (*s->p == '-' || isdigit((unsigned char)*s->p)) {
		if (record)
			scan_record(s, at);
		return scan_number(s);
	}
	if (scan_word(s, "true") == 0 || scan_word(s, "false") == 0 ||
	    scan_word(s, "null") == 0) {
		if (record)
			scan_record(s, at);
		return 0;
	}
	return scan_expected(s, expected);
}

/* ---- the document ----------------------------------------------------- */

static void assign_positions(const cJSON *node, struct json_pos *pos, size_t n,
                             size_t *i, int *ok)
{
	for (; node != NULL; node = node->next) {
		if (*i >= n) {
			*ok = 0;
			return;
		}
		pos[(*i)++].node = node;
		if (cJSON_IsObject(node) || cJSON_IsArray(node))
			assign_positions(node->child, pos, n, i, ok);
	}
}

static int pos_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const struct json_pos *)a)->node;
	uintptr_t y = (uintptr_t)((const struct json_pos *)b)->node;
	return x < y ? -1 : x > y;
}

static const struct json_pos *find_pos(const struct json_doc *doc,
                                       const cJSON *node)
{
	struct json_pos key = {.node = node};
	if (doc == NULL || node == NULL || doc->pos == NULL)
		return NULL;
	return bsearch(&key, doc->pos, doc->n_pos, sizeof key, pos_cmp);
}

static void append_line(char **text, const char *line)
{
	if (*text == NULL) {
		*text = xstrdup(line);
	} else {
		char *joined = xasprintf("%s\n%s", *text, line);
		free(*text);
		*text = joined;
	}
}

/* Every duplicate key, with both places, in document order. */
static void check_duplicates(const struct json_doc *doc, const cJSON *first,
                             int in_object, char **msgs)
{
	for (const cJSON *node = first; node != NULL; node = node->next) {
		for (const cJSON *prev = first; in_object && prev != node;
		     prev = prev->next) {
			if (node->string == NULL || prev->string == NULL ||
			    strcmp(node->string, prev->string) != 0)
				continue;
			int l, c;
			json_doc_where(doc, prev, &l, &c);
			char *m = json_doc_msg(doc, node,
			                       "duplicate key \"%s\" (first at "
			                       "line %d, column %d)",
			                       node->string, l, c);
			append_line(msgs, m);
			free(m);
			break;
		}
		if (cJSON_IsObject(node) || cJSON_IsArray(node))
			check_duplicates(doc, node->child, cJSON_IsObject(node),
			                 msgs);
	}
}

static int line_col_of(const char *text, const char *at, int *col)
{
	int line = 1;
	const char *ls = text;
	for (const char *p = text; p < at; p++)
		if (*p == '\n') {
			line++;
			ls = p + 1;
		}
	*col = (int)(at - ls) + 1;
	return line;
}

static int doc_parse_at(const char *name, const char *text, size_t len,
                        int line0, int col0, struct json_doc **out, char **err)
{
	struct scan s = {0};

	*out = NULL;
	if (line0 == 1 && col0 == 1 && len >= 3 &&
	    memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		text += 3; /* a UTF-8 byte order mark */
		len -= 3;
	}
	s.p = s.line_start = text;
	s.end = text + len;
	s.line = s.first_line = line0;
	s.col_shift = col0 - 1;
	scan_ws(&s);
	if (scan_value(&s, 0, 1,
	               "a value (object, array, string, number, "
	               "true, false or null)") == 0) {
		scan_ws(&s);
		if (s.p < s.end)
			scan_expected(&s, "end of file after the top-level "
			                  "value");
	}
	if (s.err != NULL) {
		*err = xasprintf("%s:%d:%d: %s", name, s.err_line, s.err_col,
		                 s.err);
		free(s.err);
		free(s.pos);
		return DR_EINVAL;
	}

	const char *stop = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(text, len, &stop, 0);
	if (root == NULL) {
		/* Valid JSON that cJSON still refused (its own limits). */
		int col, line = line_col_of(text, stop ? stop : text, &col);
		if (line == 1)
			col += col0 - 1;
		line += line0 - 1;
		*err = xasprintf("%s:%d:%d: cannot parse this JSON here", name,
		                 line, col);
		free(s.pos);
		return DR_EINVAL;
	}

	struct json_doc *doc = xcalloc(1, sizeof *doc);
	doc->name = xstrdup(name);
	doc->root = root;
	size_t i = 0;
	int ok = 1;
	assign_positions(root, s.pos, s.n_pos, &i, &ok);
	if (ok && i == s.n_pos) {
		doc->pos = s.pos;
		doc->n_pos = s.n_pos;
		qsort(doc->pos, doc->n_pos, sizeof *doc->pos, pos_cmp);
	} else {
		free(s.pos); /* the walks disagree: positions unknown */
	}

	char *dups = NULL;
	check_duplicates(doc, root, 0, &dups);
	if (dups != NULL) {
		*err = dups;
		json_doc_free(doc);
		return DR_EINVAL;
	}
	*out = doc;
	return DR_OK;
}

int json_doc_parse(const char *name, const char *text, size_t len,
                   struct json_doc **out, char **err)
{
	return doc_parse_at(name, text, len, 1, 1, out, err);
}

int json_doc_load(const char *path, struct json_doc **out, char **err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;

	*out = NULL;
	if (f == NULL) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		return DR_EIO;
	}
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = xrealloc(buf, cap);
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		fclose(f);
		free(buf);
		return DR_EIO;
	}
	fclose(f);
	int rc = json_doc_parse(path, buf, len, out, err);
	free(buf);
	return rc;
}

void json_doc_free(struct json_doc *doc)
{
	if (doc == NULL)
		return;
	cJSON_Delete(doc->root);
	free(doc->pos);
	free(doc->name);
	free(doc);
}

const cJSON *json_doc_root(const struct json_doc *doc)
{
	return doc->root;
}

const char *json_doc_name(const struct json_doc *doc)
{
	return doc->name;
}

void json_doc_where(const struct json_doc *doc, const cJSON *node, int *line,
                    int *col)
{
	const struct json_pos *p = find_pos(doc, node);
	*line = p ? p->line : 0;
	*col = p ? p->col : 0;
}

static char *doc_vmsg(const struct json_doc *doc, const cJSON *node,
                      const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static char *doc_vmsg(const struct json_doc *doc, const cJSON *node,
                      const char *fmt, va_list ap)
{
	int line, col;
	char *msg = xvasprintf(fmt, ap), *full;
	json_doc_where(doc, node, &line, &col);
	if (line > 0)
		full = xasprintf("%s:%d:%d: %s", doc->name, line, col, msg);
	else
		full = xasprintf("%s: %s", doc->name, msg);
	free(msg);
	return full;
}

char *json_doc_msg(const struct json_doc *doc, const cJSON *node,
                   const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = doc_vmsg(doc, node, fmt, ap);
	va_end(ap);
	return m;
}

void json_errors_add(struct json_errors *errs, const struct json_doc *doc,
                     const cJSON *node, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = doc_vmsg(doc, node, fmt, ap);
	va_end(ap);
	append_line(&errs->text, m);
	free(m);
	errs->count++;
}

char *json_errors_take(struct json_errors *errs)
{
	char *t = errs->text;
	errs->text = NULL;
	errs->count = 0;
	return t;
}

/* ---- strict readers --------------------------------------------------- */

static const char *type_name(const cJSON *v)
{
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v) ? "true" : "false";
	if (cJSON_IsNull(v))
		return "null";
	if (cJSON_IsObject(v))
		return "an object";
	if (cJSON_IsArray(v))
		return "an array";
	return "something else";
}

/* The member, or NULL after reporting a missing required one. */
static const cJSON *member(struct json_errors *errs, const struct json_doc *doc,
                           const cJSON *obj, const char *key, int required)
{
	const cJSON *v = cJSON_IsObject(obj)
	                     ? cJSON_GetObjectItemCaseSensitive(obj, key)
	                     : NULL;
	if (v == NULL && required)
		json_errors_add(errs, doc, obj, "missing required key \"%s\"",
		                key);
	return v;
}

int json_get_string(struct json_errors *errs, const struct json_doc *doc,
                    const cJSON *obj, const char *key, int required,
                    const char **out)
{
	const cJSON *v = member(errs, doc, obj, key, required);
	if (v == NULL)
		return required ? -1 : 0;
	if (!cJSON_IsString(v)) {
		json_errors_add(errs, doc, v,
		                "expected a string for \"%s\", found %s", key,
		                type_name(v));
		return -1;
	}
	*out = v->valuestring;
	return 1;
}

int json_get_number(struct json_errors *errs, const struct json_doc *doc,
                    const cJSON *obj, const char *key, int required,
                    double *out)
{
	const cJSON *v = member(errs, doc, obj, key, required);
	if (v == NULL)
		return required ? -1 : 0;
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) {
		json_errors_add(
		    errs, doc, v, "expected a number for \"%s\", found %s", key,
		    cJSON_IsNumber(v) ? "a number out of range" : type_name(v));
		return -1;
	}
	*out = v->valuedouble;
	return 1;
}

int json_get_bool(struct json_errors *errs, const struct json_doc *doc,
                  const cJSON *obj, const char *key, int required, int *out)
{
	const cJSON *v = member(errs, doc, obj, key, required);
	if (v == NULL)
		return required ? -1 : 0;
	if (!cJSON_IsBool(v)) {
		json_errors_add(errs, doc, v,
		                "expected true or false for \"%s\", found %s",
		                key, type_name(v));
		return -1;
	}
	*out = cJSON_IsTrue(v) ? 1 : 0;
	return 1;
}

int json_get_duration(struct json_errors *errs, const struct json_doc *doc,
                      const cJSON *obj, const char *key, int required,
                      long long *seconds)
{
	const cJSON *v = member(errs, doc, obj, key, required);
	if (v == NULL)
		return required ? -1 : 0;
	if (cJSON_IsString(v)) {
		int64_t s;
		char *derr = NULL;
		if (duration_parse(v->valuestring, &s, &derr) != DR_OK) {
			json_errors_add(errs, doc, v,
			                "bad duration for \"%s\": %s", key,
			                derr);
			free(derr);
			return -1;
		}
		*seconds = (long long)s;
		return 1;
	}
	if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;
		if (!(d >= 0) || d != floor(d) || d > (double)DURATION_MAX) {
			json_errors_add(errs, doc, v,
			                "bad duration for \"%s\": expected a "
			                "whole, non-negative number of "
			                "seconds, at most a hundred years",
			                key);
			return -1;
		}
		*seconds = (long long)d;
		return 1;
	}
	json_errors_add(errs, doc, v,
	                "expected a duration for \"%s\" (a string such as "
	                "\"15m\" or a number of seconds), found %s",
	                key, type_name(v));
	return -1;
}

void json_check_keys(struct json_errors *errs, const struct json_doc *doc,
                     const cJSON *obj, const char *what,
                     const char *const *allowed)
{
	if (!cJSON_IsObject(obj))
		return;
	for (const cJSON *m = obj->child; m != NULL; m = m->next) {
		int known = 0;
		for (size_t i = 0; allowed[i] != NULL; i++)
			if (m->string && strcmp(m->string, allowed[i]) == 0) {
				known = 1;
				break;
			}
		if (known)
			continue;
		char *list = NULL;
		for (size_t i = 0; allowed[i] != NULL; i++) {
			char *next = list
			                 ? xasprintf("%s, %s", list, allowed[i])
			                 : xstrdup(allowed[i]);
			free(list);
			list = next;
		}
		json_errors_add(errs, doc, m,
		                "unknown key \"%s\" in %s (expected one of: "
		                "%s)",
		                m->string ? m->string : "", what,
		                list ? list : "nothing");
		free(list);
	}
}

/* ---- streaming -------------------------------------------------------- *
 *
 * A listing of a million backups does not fit the budget of a tree, so
 * json_stream walks the outer containers itself, byte by byte through a
 * fixed buffer, and hands each inner value to the parser above as a
 * document of its own, cut out of the text with its line and column, so
 * messages point into the whole file.  Cutting a value out needs only
 * bracket depth and string quoting; whatever is wrong inside it is found
 * by the scanner, with the scanner's words. */

#define JSON_STREAM_CHUNK     65536
#define JSON_STREAM_MAX_DEPTH 64
#define JSON_STREAM_MAX_VALUE ((size_t)64 << 20)

struct json_stream {
	char *name;
	FILE *f;
	long origin; /* ftell at the start, for rewinding */
	char buf[JSON_STREAM_CHUNK];
	size_t pos, len;
	int eof;
	int line, col; /* of the next byte */
	char stack[JSON_STREAM_MAX_DEPTH];
	int first[JSON_STREAM_MAX_DEPTH];
	int depth;
	char *value; /* the value being cut out */
	size_t value_len, value_cap;
	char *key;
};

struct json_stream *json_stream_new(const char *name, FILE *f)
{
	struct json_stream *st = xcalloc(1, sizeof(*st));

	st->name = xstrdup(name);
	st->f = f;
	st->origin = ftell(f);
	st->line = st->col = 1;
	return st;
}

void json_stream_free(struct json_stream *st)
{
	if (st == NULL)
		return;
	free(st->name);
	free(st->value);
	free(st->key);
	free(st);
}

int json_stream_rewind(struct json_stream *st, char **err)
{
	if (st->origin < 0 || fseek(st->f, st->origin, SEEK_SET) != 0) {
		*err = xasprintf("%s: cannot read it twice: %s", st->name,
		                 strerror(errno));
		return DR_EIO;
	}
	st->pos = st->len = 0;
	st->eof = 0;
	st->line = st->col = 1;
	st->depth = 0;
	return DR_OK;
}

static int stream_fill(struct json_stream *st)
{
	if (st->pos < st->len)
		return 1;
	if (st->eof)
		return 0;
	st->len = fread(st->buf, 1, sizeof(st->buf), st->f);
	st->pos = 0;
	if (st->len == 0)
		st->eof = 1;
	return st->len > 0;
}

/* The next byte, or -1 at the end. */
static inline int stream_peek(struct json_stream *st)
{
	if (st->pos < st->len || stream_fill(st))
		return (unsigned char)st->buf[st->pos];
	return -1;
}

static inline int stream_get(struct json_stream *st)
{
	int c = stream_peek(st);
	if (c < 0)
		return -1;
	st->pos++;
	if (c == '\n') {
		st->line++;
		st->col = 1;
	} else {
		st->col++;
	}
	return c;
}

static void stream_ws(struct json_stream *st)
{
	for (;;) {
		int c = stream_peek(st);
		if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
			return;
		stream_get(st);
	}
}

int json_stream_peek(struct json_stream *st)
{
	stream_ws(st);
	return stream_peek(st);
}

static char *stream_found(int c)
{
	if (c < 0)
		return xstrdup("end of file");
	if (c == '"')
		return xstrdup("a string");
	if (c == '-' || isdigit(c))
		return xstrdup("a number");
	if (c == 't' || c == 'f')
		return xstrdup("true or false");
	if (c == 'n')
		return xstrdup("null");
	if (isprint(c))
		return xasprintf("'%c'", c);
	return xasprintf("byte 0x%02x", c);
}

char *json_stream_msg(const struct json_stream *st, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = xvasprintf(fmt, ap);
	va_end(ap);
	char *full = xasprintf("%s:%d:%d: %s", st->name, st->line, st->col, m);
	free(m);
	return full;
}

static int stream_expected(struct json_stream *st, const char *what, char **err)
{
	char *found = stream_found(stream_peek(st));
	*err = json_stream_msg(st, "expected %s, found %s", what, found);
	free(found);
	return DR_EINVAL;
}

int json_stream_enter(struct json_stream *st, int open, const char *what,
                      char **err)
{
	stream_ws(st);
	if (stream_peek(st) != open)
		return stream_expected(st, what, err);
	if (st->depth >= JSON_STREAM_MAX_DEPTH) {
		*err = json_stream_msg(st, "nested deeper than %d levels",
		                       JSON_STREAM_MAX_DEPTH);
		return DR_EINVAL;
	}
	stream_get(st);
	st->stack[st->depth] = (char)open;
	st->first[st->depth] = 1;
	st->depth++;
	return DR_OK;
}

/* Appends c to the value being cut out. */
static int stream_keep(struct json_stream *st, int c, int keep)
{
	if (!keep)
		return 0;
	if (st->value_len + 1 >= st->value_cap) {
		if (st->value_cap >= JSON_STREAM_MAX_VALUE)
			return -1;
		st->value_cap = st->value_cap ? st->value_cap * 2 : 4096;
		st->value = xrealloc(st->value, st->value_cap);
	}
	st->value[st->value_len++] = (char)c;
	return 0;
}

/* Moves past one value (keeping its bytes when keep), by depth and
 * quoting alone.  Stops early at a line break inside a string or at an
 * unbalanced closer, leaving the error to the scanner. */
static int stream_cut(struct json_stream *st, int keep, char **err)
{
	int depth = 0, in_string = 0, escaped = 0;

	st->value_len = 0;
	stream_ws(st);
	for (;;) {
		int c = stream_peek(st);
		if (c < 0)
			break;
		if (in_string) {
			if (c == '\n')
				break;
			stream_get(st);
			if (stream_keep(st, c, keep) < 0)
				goto too_big;
			if (escaped)
				escaped = 0;
			else if (c == '\\')
				escaped = 1;
			else if (c == '"') {
				in_string = 0;
				if (depth == 0)
					break;
			}
			continue;
		}
		if (depth == 0 && st->value_len > 0 &&
		    (c == ',' || c == ']' || c == '}' || c == ':' || c == ' ' ||
		     c == '\t' || c == '\r' || c == '\n'))
			break;
		if (c == '}' || c == ']') {
			if (depth == 0)
				break;
			stream_get(st);
			if (stream_keep(st, c, keep) < 0)
				goto too_big;
			if (--depth == 0)
				break;
			continue;
		}
		stream_get(st);
		if (stream_keep(st, c, keep) < 0)
			goto too_big;
		if (c == '"')
			in_string = 1;
		else if (c == '{' || c == '[')
			depth++;
	}
	return DR_OK;
too_big:
	*err = json_stream_msg(st, "a value larger than %zu MB",
	                       JSON_STREAM_MAX_VALUE >> 20);
	return DR_EINVAL;
}

int json_stream_value(struct json_stream *st, struct json_doc **out, char **err)
{
	int line, col, rc;

	*out = NULL;
	stream_ws(st);
	line = st->line;
	col = st->col;
	if ((rc = stream_cut(st, 1, err)) != DR_OK)
		return rc;
	if (st->value_len == 0)
		return stream_expected(st, "a value", err);
	return doc_parse_at(st->name, st->value, st->value_len, line, col, out,
	                    err);
}

int json_stream_skip(struct json_stream *st, char **err)
{
	return stream_cut(st, 0, err);
}

int json_stream_next(struct json_stream *st, int *more, const char **key,
                     char **err)
{
	int top, closer, c;

	*more = 0;
	if (key != NULL)
		*key = NULL;
	if (st->depth == 0) {
		*err = json_stream_msg(st, "not inside an object or array");
		return DR_EINVAL;
	}
	top = st->stack[st->depth - 1];
	closer = top == '{' ? '}' : ']';
	stream_ws(st);
	c = stream_peek(st);
	if (c == closer && st->first[st->depth - 1]) {
		stream_get(st);
		st->depth--;
		return DR_OK;
	}
	if (!st->first[st->depth - 1]) {
		if (c == closer) {
			stream_get(st);
			st->depth--;
			return DR_OK;
		}
		if (c != ',')
			return stream_expected(
			    st,
			    top == '{' ? "',' or '}' after an object member"
			               : "',' or ']' after an array element",
			    err);
		stream_get(st);
		stream_ws(st);
		if (stream_peek(st) == closer) {
			*err = json_stream_msg(
			    st,
			    "expected a value after ',', found '%c' "
			    "(trailing commas are not allowed)",
			    closer);
			return DR_EINVAL;
		}
	}
	st->first[st->depth - 1] = 0;
	if (top == '{') {
		struct json_doc *kd = NULL;
		int rc;
		if (stream_peek(st) != '"')
			return stream_expected(st, "a string key", err);
		if ((rc = json_stream_value(st, &kd, err)) != DR_OK)
			return rc;
		free(st->key);
		st->key = xstrdup(kd->root->valuestring);
		json_doc_free(kd);
		stream_ws(st);
		if (stream_peek(st) != ':')
			return stream_expected(st, "':' after an object key",
			                       err);
		stream_get(st);
		if (key != NULL)
			*key = st->key;
	}
	*more = 1;
	return DR_OK;
}

int json_stream_finish(struct json_stream *st, char **err)
{
	stream_ws(st);
	if (stream_peek(st) >= 0)
		return stream_expected(st,
		                       "end of file after the top-level "
		                       "value",
		                       err);
	if (ferror(st->f)) {
		*err = xasprintf("%s: %s", st->name, strerror(errno));
		return DR_EIO;
	}
	return DR_OK;
}

/* ---- printing ------------------------------------------------------- */

char *json_print_text(const cJSON *item, int formatted)
{
	char *raw =
	    formatted ? cJSON_Print(item) : cJSON_PrintUnformatted(item);

	if (raw == NULL)
		return NULL;
	size_t len = strlen(raw), i = 0;
	/* Worst case each byte becomes U+FFFD's three. */
	char *out = xmalloc(len * 3 + 1), *o = out;
	while (i < len) {
		unsigned char c = (unsigned char)raw[i];
		if (c < 0x80) {
			*o++ = raw[i++];
			continue;
		}
		size_t n = safe_utf8_len(raw + i, len - i);
		if (n == 0) {
			/* A byte from data that is not UTF-8: the document
			 * stays valid, the byte is shown replaced. */
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(o, raw + i, n);
		o += n;
		i += n;
	}
	*o = '\0';
	cJSON_free(raw);
	return out;
}

void json_add_time(cJSON *obj, const char *key, int64_t t)
{
	char buf[32];

	if (t <= 0) {
		cJSON_AddNullToObject(obj, key);
		return;
	}
	time_format_iso(t, buf);
	cJSON_AddStringToObject(obj, key, buf);
}

void json_add_text(cJSON *obj, const char *key, const char *s)
{
	if (s == NULL || s[0] == '\0')
		cJSON_AddNullToObject(obj, key);
	else
		cJSON_AddStringToObject(obj, key, s);
}
