/* JSON documents people write (config, runbooks, themes, imports) parsed
 * with cJSON, plus where every value stood in the text, so that an error
 * can say file:line:column.  The only module that parses JSON. */
#ifndef DR_JSON_H
#define DR_JSON_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

struct json_doc;

/* `name` is used in messages (usually the path).  A syntax error becomes
 * DR_EINVAL with "name:line:col: expected X, found Y".  Duplicate keys in an
 * object are an error too. */
int json_doc_parse(const char *name, const char *text, size_t len,
                   struct json_doc **out, char **err);
/* Reads and parses a file; a missing or unreadable file is DR_EIO. */
int json_doc_load(const char *path, struct json_doc **out, char **err);
/* cJSON_Print (formatted) or cJSON_PrintUnformatted, with any byte that is
 * not UTF-8 (from data stored before it was checked) replaced by U+FFFD,
 * so the text is always valid JSON.  malloc'd; free() it. */
char *json_print_text(const cJSON *item, int formatted);
/* The members every JSON form writes the same way: a time as ISO-8601 UTC,
 * null when t <= 0 (none, unknown); a text, null when NULL or empty. */
void json_add_time(cJSON *obj, const char *key, int64_t t);
void json_add_text(cJSON *obj, const char *key, const char *s);
void json_doc_free(struct json_doc *doc);

const cJSON *json_doc_root(const struct json_doc *doc);
const char *json_doc_name(const struct json_doc *doc);
/* Where `node` stood: for an object member, its key; else its value.
 * 1-based line and column (columns count bytes, not characters; a tab is
 * one column); 0,0 when unknown. */
void json_doc_where(const struct json_doc *doc, const cJSON *node, int *line,
                    int *col);
/* "name:line:col: " + the formatted message, malloc'd. */
char *json_doc_msg(const struct json_doc *doc, const cJSON *node,
                   const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Collects several messages (one per line) so a checker can report every
 * error in a file, not only the first. */
struct json_errors {
	char *text; /* NULL when empty */
	size_t count;
};
void json_errors_add(struct json_errors *errs, const struct json_doc *doc,
                     const cJSON *node, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Hands the text over (caller frees) and empties errs. */
char *json_errors_take(struct json_errors *errs);

/* Helpers for strict readers.  Each checks the type and, when wrong, adds
 * "expected a string for \"key\", found a number" and returns -1; a missing
 * optional member returns 0 and leaves *out alone; 1 when read. */
int json_get_string(struct json_errors *errs, const struct json_doc *doc,
                    const cJSON *obj, const char *key, int required,
                    const char **out);
int json_get_number(struct json_errors *errs, const struct json_doc *doc,
                    const cJSON *obj, const char *key, int required,
                    double *out);
int json_get_bool(struct json_errors *errs, const struct json_doc *doc,
                  const cJSON *obj, const char *key, int required, int *out);
/* A duration member: a string such as "15m" or a number of seconds. */
int json_get_duration(struct json_errors *errs, const struct json_doc *doc,
                      const cJSON *obj, const char *key, int required,
                      long long *seconds);
/* Reports every member of obj whose key is not in the NULL-terminated
 * list: "unknown key \"x\" in <what> (expected one of: a, b, c)". */
void json_check_keys(struct json_errors *errs, const struct json_doc *doc,
                     const cJSON *obj, const char *what,
                     const char *const *allowed);

/* ---- streaming ------------------------------------------------------- *
 * For listings too big for one tree (imports): the caller walks the outer
 * containers, and takes each inner value as a document of its own whose
 * positions are those of the whole file.  f is read from where it stands
 * and is not closed. */
#include <stdio.h>

struct json_stream;

struct json_stream *json_stream_new(const char *name, FILE *f);
void json_stream_free(struct json_stream *st);
/* Back to where f stood at json_stream_new (f must be seekable). */
int json_stream_rewind(struct json_stream *st, char **err);
/* The next byte that is not white space (not consumed), -1 at the end. */
int json_stream_peek(struct json_stream *st);
/* Consumes `open` ('{' or '['); else DR_EINVAL "expected <what>, found ..".
 */
int json_stream_enter(struct json_stream *st, int open, const char *what,
                      char **err);
/* In the container entered last: *more = 1 when a member or element
 * follows (an object member's key in *key, owned by the stream until the
 * next call), 0 when the container closed. */
int json_stream_next(struct json_stream *st, int *more, const char **key,
                     char **err);
/* The next value as a document (freed by the caller), or moves past it. */
int json_stream_value(struct json_stream *st, struct json_doc **out,
                      char **err);
int json_stream_skip(struct json_stream *st, char **err);
/* Nothing but white space may follow the top-level value. */
int json_stream_finish(struct json_stream *st, char **err);
/* "name:line:col: " (the current position) + the message, malloc'd. */
char *json_stream_msg(const struct json_stream *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
