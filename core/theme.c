#include "core/theme.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/json.h"
#include "core/xmalloc.h"

static const char *const element_names[THEME_N_ELEMENTS] = {
    [THEME_NORMAL] = "normal",
    [THEME_HEADER] = "header",
    [THEME_FOOTER] = "footer",
    [THEME_TITLE] = "title",
    [THEME_TAB] = "tab",
    [THEME_TAB_ACTIVE] = "tab_active",
    [THEME_COLUMN_HEADER] = "column_header",
    [THEME_BORDER] = "border",
    [THEME_DIM] = "dim",
    [THEME_SELECTION] = "selection",
    [THEME_VERDICT_OK] = "verdict_ok",
    [THEME_VERDICT_AT_RISK] = "verdict_at_risk",
    [THEME_VERDICT_BREACH] = "verdict_breach",
    [THEME_BAR_OK] = "bar_ok",
    [THEME_BAR_WARN] = "bar_warn",
    [THEME_BAR_BAD] = "bar_bad",
    [THEME_BAR_EMPTY] = "bar_empty",
    [THEME_STALE] = "stale",
    [THEME_MESSAGE] = "message",
    [THEME_ERROR] = "error",
    [THEME_OVERLAY] = "overlay",
};

#define B THEME_ATTR_BOLD
#define R THEME_ATTR_REVERSE
#define U THEME_ATTR_UNDERLINE
#define D THEME_ATTR_DIM

/* Colours: 0 black 1 red 2 green 3 yellow 4 blue 5 magenta 6 cyan 7 white,
 * 8-15 bright, 214 amber.  Keep in step with themes/default.json. */
static const struct theme_style default_style[THEME_N_ELEMENTS] = {
    [THEME_NORMAL] = {-1, -1, 0},
    [THEME_HEADER] = {7, 4, B},
    [THEME_FOOTER] = {0, 7, 0},
    [THEME_TITLE] = {6, -1, B},
    [THEME_TAB] = {7, 4, 0},
    [THEME_TAB_ACTIVE] = {0, 6, B},
    [THEME_COLUMN_HEADER] = {6, -1, B},
    [THEME_BORDER] = {4, -1, 0},
    [THEME_DIM] = {8, -1, 0},
    [THEME_SELECTION] = {0, 6, 0},
    [THEME_VERDICT_OK] = {0, 2, B},
    [THEME_VERDICT_AT_RISK] = {0, 214, B},
    [THEME_VERDICT_BREACH] = {15, 1, B},
    [THEME_BAR_OK] = {2, -1, 0},
    [THEME_BAR_WARN] = {214, -1, 0},
    [THEME_BAR_BAD] = {1, -1, B},
    [THEME_BAR_EMPTY] = {8, -1, 0},
    [THEME_STALE] = {15, 1, B},
    [THEME_MESSAGE] = {3, -1, B},
    [THEME_ERROR] = {1, -1, B},
    [THEME_OVERLAY] = {-1, -1, 0},
};

static const unsigned mono_attrs[THEME_N_ELEMENTS] = {
    [THEME_HEADER] = R,
    [THEME_FOOTER] = R,
    [THEME_TITLE] = B,
    [THEME_TAB_ACTIVE] = R | B,
    [THEME_COLUMN_HEADER] = U,
    [THEME_DIM] = D,
    [THEME_SELECTION] = R,
    [THEME_VERDICT_OK] = B,
    [THEME_VERDICT_AT_RISK] = B | U,
    [THEME_VERDICT_BREACH] = R | B,
    [THEME_BAR_WARN] = B,
    [THEME_BAR_BAD] = R,
    [THEME_BAR_EMPTY] = D,
    [THEME_STALE] = R | B,
    [THEME_MESSAGE] = B,
    [THEME_ERROR] = B | U,
};

#undef B
#undef R
#undef U
#undef D

static const char *const color_names[8] = {
    "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

static const struct {
	const char *name;
	unsigned bit;
} attr_names[] = {
    {"bold", THEME_ATTR_BOLD},       {"dim", THEME_ATTR_DIM},
    {"reverse", THEME_ATTR_REVERSE}, {"underline", THEME_ATTR_UNDERLINE},
    {"italic", THEME_ATTR_ITALIC},   {"blink", THEME_ATTR_BLINK},
};

void theme_default(struct theme *out)
{
	memset(out, 0, sizeof *out);
	strlcpy_dr(out->name, "default", sizeof out->name);
	memcpy(out->style, default_style, sizeof out->style);
}

unsigned theme_mono_attrs(enum theme_element e)
{
	if ((int)e < 0 || e >= THEME_N_ELEMENTS)
		return 0;
	return mono_attrs[e];
}

const char *theme_element_name(enum theme_element e)
{
	if ((int)e < 0 || e >= THEME_N_ELEMENTS)
		return NULL;
	return element_names[e];
}

/* 1 and *out set when `text` names a colour. */
static int color_from_name(const char *text, int *out)
{
	if (strcmp(text, "default") == 0) {
		*out = THEME_COLOR_DEFAULT;
		return 1;
	}
	if (strcmp(text, "gray") == 0 || strcmp(text, "grey") == 0) {
		*out = 8;
		return 1;
	}
	int bright = 0;
	if (strncmp(text, "bright-", 7) == 0) {
		bright = 8;
		text += 7;
	}
	for (int i = 0; i < 8; i++) {
		if (strcmp(text, color_names[i]) == 0) {
			*out = i + bright;
			return 1;
		}
	}
	return 0;
}

static void read_color(struct json_errors *errs, const struct json_doc *doc,
                       const cJSON *obj, const char *key, int *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (v == NULL)
		return;
	if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;
		if (d < 0 || d > 255 || d != (int)d) {
			json_errors_add(errs, doc, v,
			                "expected a colour number 0-255 for "
			                "\"%s\", found %g",
			                key, d);
			return;
		}
		*out = (int)d;
		return;
	}
	if (cJSON_IsString(v) && color_from_name(v->valuestring, out))
		return;
	if (cJSON_IsString(v))
		json_errors_add(errs, doc, v,
		                "unknown colour \"%s\" for \"%s\" (expected "
		                "default, black, red, green, yellow, blue, "
		                "magenta, cyan, white, bright-NAME, gray or "
		                "0-255)",
		                v->valuestring, key);
	else
		json_errors_add(errs, doc, v,
		                "expected a colour name or number for \"%s\"",
		                key);
}

static void read_attrs(struct json_errors *errs, const struct json_doc *doc,
                       const cJSON *obj, unsigned *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "attrs");
	if (v == NULL)
		return;
	if (!cJSON_IsArray(v)) {
		json_errors_add(errs, doc, v,
		                "expected an array of attributes for "
		                "\"attrs\", e.g. [\"bold\"]");
		return;
	}
	unsigned attrs = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, v)
	{
		size_t i, n = sizeof attr_names / sizeof attr_names[0];
		if (!cJSON_IsString(it)) {
			json_errors_add(errs, doc, it,
			                "expected an attribute name (bold, "
			                "dim, reverse, underline, italic, "
			                "blink)");
			continue;
		}
		for (i = 0; i < n; i++)
			if (strcmp(it->valuestring, attr_names[i].name) == 0)
				break;
		if (i == n) {
			json_errors_add(errs, doc, it,
			                "unknown attribute \"%s\" (expected "
			                "bold, dim, reverse, underline, italic "
			                "or blink)",
			                it->valuestring);
			continue;
		}
		attrs |= attr_names[i].bit;
	}
	*out = attrs;
}

static int element_index(const char *key)
{
	for (int i = 0; i < THEME_N_ELEMENTS; i++)
		if (strcmp(key, element_names[i]) == 0)
			return i;
	return -1;
}

int theme_parse(const char *name, const char *text, size_t len,
                struct theme *out, char **err)
{
	static const char *const style_keys[] = {"fg", "bg", "attrs", NULL};
	struct json_doc *doc = NULL;
	int rc = json_doc_parse(name, text, len, &doc, err);
	if (rc != DR_OK)
		return rc;

	struct json_errors errs = {0};
	struct theme theme;
	theme_default(&theme);
	const cJSON *root = json_doc_root(doc);
	if (!cJSON_IsObject(root)) {
		json_errors_add(&errs, doc, root,
		                "expected an object mapping UI elements to "
		                "{\"fg\", \"bg\", \"attrs\"}");
		goto done;
	}
	const cJSON *it;
	cJSON_ArrayForEach(it, root)
	{
		const char *key = it->string;
		if (strcmp(key, "name") == 0 ||
		    strcmp(key, "description") == 0) {
			if (!cJSON_IsString(it))
				json_errors_add(&errs, doc, it,
				                "expected a string for \"%s\"",
				                key);
			else if (strcmp(key, "name") == 0)
				strlcpy_dr(theme.name, it->valuestring,
				           sizeof theme.name);
			continue;
		}
		int e = element_index(key);
		if (e < 0) {
			char list[512];
			size_t used = 0;
			list[0] = '\0';
			for (int i = 0; i < THEME_N_ELEMENTS; i++) {
				int w = snprintf(
				    list + used, sizeof list - used, "%s%s",
				    i ? ", " : "", element_names[i]);
				if (w < 0 || (size_t)w >= sizeof list - used)
					break;
				used += (size_t)w;
			}
			json_errors_add(&errs, doc, it,
			                "unknown UI element \"%s\" (expected "
			                "one of: %s)",
			                key, list);
			continue;
		}
		if (!cJSON_IsObject(it)) {
			json_errors_add(&errs, doc, it,
			                "expected an object {\"fg\", \"bg\", "
			                "\"attrs\"} for \"%s\"",
			                key);
			continue;
		}
		char what[80];
		snprintf(what, sizeof what, "\"%s\"", key);
		json_check_keys(&errs, doc, it, what, style_keys);
		struct theme_style *st = &theme.style[e];
		read_color(&errs, doc, it, "fg", &st->fg);
		read_color(&errs, doc, it, "bg", &st->bg);
		read_attrs(&errs, doc, it, &st->attrs);
	}
done:
	if (errs.count > 0) {
		*err = json_errors_take(&errs);
		json_doc_free(doc);
		return DR_EINVAL;
	}
	json_doc_free(doc);
	*out = theme;
	return DR_OK;
}

int theme_load(const char *path, struct theme *out, char **err)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		*err = xasprintf("%s: cannot read theme: %m", path);
		return DR_EIO;
	}
	size_t cap = 4096, len = 0;
	char *text = xmalloc(cap);
	size_t got;
	while ((got = fread(text + len, 1, cap - len, f)) > 0) {
		len += got;
		if (len == cap) {
			if (cap >= (1u << 20)) {
				fclose(f);
				free(text);
				*err = xasprintf("%s: theme larger than 1 MB",
				                 path);
				return DR_EINVAL;
			}
			cap *= 2;
			text = xrealloc(text, cap);
		}
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(text);
		*err = xasprintf("%s: cannot read theme", path);
		return DR_EIO;
	}
	int rc = theme_parse(path, text, len, out, err);
	free(text);
	return rc;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

char *theme_find(const char *spec, const char *const *dirs, size_t n,
                 char **err)
{
	if (spec[0] == '\0') {
		*err = xstrdup("empty theme name");
		return NULL;
	}
	if (strchr(spec, '/') != NULL || ends_with(spec, ".json"))
		return xstrdup(spec);
	char *looked = xstrdup("");
	for (size_t i = 0; i < n; i++) {
		if (dirs[i] == NULL)
			continue;
		char *path = xasprintf("%s/%s.json", dirs[i], spec);
		if (access(path, R_OK) == 0) {
			free(looked);
			return path;
		}
		free(path);
		char *more =
		    xasprintf("%s%s%s", looked, *looked ? ", " : "", dirs[i]);
		free(looked);
		looked = more;
	}
	*err = xasprintf("theme \"%s\" not found (looked in %s)", spec, looked);
	free(looked);
	return NULL;
}
