/* Field readers for the import formats; see import_field.h. */
#include "core/import_field.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "core/xmalloc.h"

static int digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

int import_parse_iso(const char *text, int64_t *out)
{
	const char *p = text;
	int y, mo, d, h, mi, s, oh = 0, om = 0, sign = 0;
	struct tm tm;

	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) ||
	    *p++ != '-' || digits(&p, 2, &d) || (*p != 'T' && *p != ' '))
		return -1;
	p++;
	if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi) ||
	    *p++ != ':' || digits(&p, 2, &s))
		return -1;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (digits(&p, 2, &oh))
			return -1;
		if (*p == ':')
			p++;
		if (digits(&p, 2, &om))
			return -1;
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || s > 60 || oh > 23 || om > 59)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	*out = (int64_t)timegm(&tm) - sign * (oh * 3600 + om * 60);
	return *out < 0 ? -1 : 0;
}

void import_where(const struct json_doc *doc, const cJSON *node, char *buf,
                  size_t size)
{
	int line, col;
	json_doc_where(doc, node, &line, &col);
	snprintf(buf, size, "%s:%d:%d", json_doc_name(doc), line, col);
}

static const char *shape(const cJSON *v)
{
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsBool(v))
		return "true or false";
	if (cJSON_IsObject(v))
		return "an object";
	if (cJSON_IsArray(v))
		return "an array";
	return "null";
}

static const cJSON *get(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_IsObject(obj)
	                     ? cJSON_GetObjectItemCaseSensitive(obj, key)
	                     : NULL;
	return v == NULL || cJSON_IsNull(v) ? NULL : v;
}

int import_string(const struct json_doc *doc, const cJSON *obj, const char *key,
                  int required, const char **out, char **err)
{
	const cJSON *v = get(obj, key);
	if (v == NULL) {
		if (!required)
			return 0;
		*err = json_doc_msg(doc, obj, "missing \"%s\"", key);
		return -1;
	}
	if (!cJSON_IsString(v) || v->valuestring[0] == '\0') {
		*err = json_doc_msg(doc, v,
		                    "expected a non-empty string for \"%s\", "
		                    "found %s",
		                    key, shape(v));
		return -1;
	}
	*out = v->valuestring;
	return 1;
}

static int whole(double d, int64_t *out)
{
	if (!isfinite(d) || d < 0 || d != floor(d) || d > 9.0e15)
		return -1;
	*out = (int64_t)d;
	return 0;
}

int import_epoch(const struct json_doc *doc, const cJSON *obj, const char *key,
                 int64_t *out, char **err)
{
	const cJSON *v = get(obj, key);
	if (v == NULL)
		return 0;
	if (cJSON_IsNumber(v) && whole(v->valuedouble, out) == 0 &&
	    *out <= INT64_C(253402300799))
		return 1;
	if (cJSON_IsString(v) && v->valuestring[0] != '\0' &&
	    strlen(v->valuestring) <= 12 &&
	    strspn(v->valuestring, "0123456789") == strlen(v->valuestring)) {
		*out = strtoll(v->valuestring, NULL, 10);
		return 1;
	}
	*err =
	    json_doc_msg(doc, v, "expected Unix seconds for \"%s\", found %s",
	                 key, shape(v));
	return -1;
}

int import_iso(const struct json_doc *doc, const cJSON *obj, const char *key,
               int64_t *out, char **err)
{
	const cJSON *v = get(obj, key);
	if (v == NULL)
		return 0;
	if (cJSON_IsString(v) && import_parse_iso(v->valuestring, out) == 0)
		return 1;
	if (cJSON_IsString(v))
		*err = json_doc_msg(doc, v,
		                    "expected a time such as "
		                    "2024-01-02T03:04:05Z for \"%s\", found "
		                    "\"%.40s\"",
		                    key, v->valuestring);
	else
		*err = json_doc_msg(doc, v,
		                    "expected a time string for \"%s\", found "
		                    "%s",
		                    key, shape(v));
	return -1;
}

int import_bytes(const struct json_doc *doc, const cJSON *obj, const char *key,
                 int64_t *out, char **err)
{
	const cJSON *v = get(obj, key);
	if (v == NULL)
		return 0;
	if (cJSON_IsNumber(v) && whole(v->valuedouble, out) == 0)
		return 1;
	*err = json_doc_msg(doc, v,
	                    "expected a whole number of bytes for \"%s\", "
	                    "found %s",
	                    key, shape(v));
	return -1;
}
