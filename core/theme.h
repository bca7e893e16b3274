/* Console themes as plain data: every named element of the UI gets a
 * foreground, a background and attributes.  core/ only parses and checks;
 * tui/screen.c turns a theme into curses colour pairs, mapping colours down
 * to what the terminal has (256, 8, none).
 *
 * A theme file is a JSON object whose keys are element names (see
 * theme_element_name) plus optional "name" and "description" strings:
 *   { "name": "default",
 *     "header": { "fg": "white", "bg": "blue", "attrs": ["bold"] }, ... }
 * A colour is "default", one of the eight names (black red green yellow blue
 * magenta cyan white), "bright-" + a name, "gray", or a number 0-255.
 * Elements a file leaves out keep the built-in default. */
#ifndef DR_THEME_H
#define DR_THEME_H

#include <stddef.h>

enum theme_element {
	THEME_NORMAL = 0,
	THEME_HEADER,
	THEME_FOOTER,
	THEME_TITLE,
	THEME_TAB,
	THEME_TAB_ACTIVE,
	THEME_COLUMN_HEADER,
	THEME_BORDER,
	THEME_DIM,
	THEME_SELECTION,
	THEME_VERDICT_OK,
	THEME_VERDICT_AT_RISK,
	THEME_VERDICT_BREACH,
	THEME_BAR_OK,
	THEME_BAR_WARN,
	THEME_BAR_BAD,
	THEME_BAR_EMPTY,
	THEME_STALE,
	THEME_MESSAGE,
	THEME_ERROR,
	THEME_OVERLAY,
	THEME_N_ELEMENTS
};

enum theme_attr {
	THEME_ATTR_BOLD = 1 << 0,
	THEME_ATTR_DIM = 1 << 1,
	THEME_ATTR_REVERSE = 1 << 2,
	THEME_ATTR_UNDERLINE = 1 << 3,
	THEME_ATTR_ITALIC = 1 << 4,
	THEME_ATTR_BLINK = 1 << 5,
};

#define THEME_COLOR_DEFAULT (-1)

struct theme_style {
	int fg;         /* THEME_COLOR_DEFAULT or 0-255 */
	int bg;         /* THEME_COLOR_DEFAULT or 0-255 */
	unsigned attrs; /* theme_attr bits */
};

struct theme {
	char name[64];
	struct theme_style style[THEME_N_ELEMENTS];
};

/* The built-in theme (the same as themes/default.json). */
void theme_default(struct theme *out);
/* The attributes an element needs to stay readable without colour (what
 * themes/mono.json holds): the console adds them when colour is off. */
unsigned theme_mono_attrs(enum theme_element e);
/* "verdict_breach" etc.; NULL when out of range. */
const char *theme_element_name(enum theme_element e);

/* Parses a theme file.  On success fills *out (built-in defaults for the
 * elements the file leaves out).  On error returns DR_EIO or DR_EINVAL with
 * every problem as "file:line:col: what", one per line, and leaves *out
 * alone. */
int theme_load(const char *path, struct theme *out, char **err);
int theme_parse(const char *name, const char *text, size_t len,
                struct theme *out, char **err);

/* Where the theme `spec` lives: a path when it has a '/' or ends in
 * ".json", else NAME.json in each of the n directories in turn.  Returns a
 * malloc'd path, or NULL with *err saying where it looked. */
char *theme_find(const char *spec, const char *const *dirs, size_t n,
                 char **err);

#endif
