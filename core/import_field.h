/* Field readers shared by the import formats (core/import_<fmt>.c): the
 * forms of time and size tools print.  Each returns 1 when read, 0 when the
 * member is absent or null, -1 after setting *err ("file:line:col: ...")
 * for a member of the wrong shape. */
#ifndef DR_IMPORT_FIELD_H
#define DR_IMPORT_FIELD_H

#include <stdint.h>

#include "core/json.h"

/* RFC 3339 with optional fractions and offset ("2024-01-02T03:04:05Z",
 * "2024-01-02T03:04:05.123456789+01:00", "2024-01-02 03:04:05.5+00:00");
 * 0 on success. */
int import_parse_iso(const char *text, int64_t *out);

/* obj.key as a string (*out points into the document). */
int import_string(const struct json_doc *doc, const cJSON *obj, const char *key,
                  int required, const char **out, char **err);
/* obj.key as Unix seconds: a whole number, or a string of digits. */
int import_epoch(const struct json_doc *doc, const cJSON *obj, const char *key,
                 int64_t *out, char **err);
/* obj.key as an RFC 3339 time string. */
int import_iso(const struct json_doc *doc, const cJSON *obj, const char *key,
               int64_t *out, char **err);
/* obj.key as a whole number of bytes >= 0. */
int import_bytes(const struct json_doc *doc, const cJSON *obj, const char *key,
                 int64_t *out, char **err);
/* "file:line:col" of node, into buf. */
void import_where(const struct json_doc *doc, const cJSON *node, char *buf,
                  size_t size);

#endif
