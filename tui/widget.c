#include "tui/widget.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/duration.h"
#include "tui/screen.h"

void widget_bar(WINDOW *win, int y, int x, int w, double fraction,
                double at_risk)
{
	const struct screen_glyphs *g = screen_glyphs();
	if (w <= 0)
		return;
	if (fraction < 0) {
		wattrset(win, screen_attr(THEME_BAR_EMPTY));
		for (int i = 0; i < w; i++)
			mvwaddstr(win, y, x + i, g->bar_empty);
		wattrset(win, A_NORMAL);
		return;
	}
	enum theme_element e = THEME_BAR_OK;
	if (fraction > 1.0)
		e = THEME_BAR_BAD;
	else if (fraction > at_risk)
		e = THEME_BAR_WARN;
	double f = fraction > 1.0 ? 1.0 : fraction;
	/* Half cells (whole ones without UTF-8): fine enough to see 80 %
	 * coming, and coarse enough that an idle dashboard's bars move a
	 * few times an hour rather than every minute, which is most of what
	 * it would otherwise send over SSH (bench/console.sh). */
	int halves = (int)lround(f * w * 2);
	if (halves == 0 && fraction > 0)
		halves = 1;
	int full = halves / 2, half = halves % 2;
	if (!screen_utf8() && half) {
		full++;
		half = 0;
	}
	wattrset(win, screen_attr(e));
	for (int i = 0; i < full && i < w; i++)
		mvwaddstr(win, y, x + i, g->bar_full);
	int at = full;
	if (half && at < w)
		mvwaddstr(win, y, x + at++, g->bar_half);
	wattrset(win, screen_attr(THEME_BAR_EMPTY));
	for (; at < w; at++)
		mvwaddstr(win, y, x + at, g->bar_empty);
	wattrset(win, A_NORMAL);
}

void widget_spark(WINDOW *win, int y, int x, int w, const double *values,
                  size_t n, double max, attr_t attr)
{
	const struct screen_glyphs *g = screen_glyphs();
	wattrset(win, attr);
	for (int i = 0; i < w; i++) {
		/* right-aligned: the newest value in the last cell */
		long idx = (long)n - w + i;
		if (idx < 0 || values[idx] < 0 || max <= 0) {
			mvwaddch(win, y, x + i, ' ');
			continue;
		}
		int level = (int)(values[idx] / max * 7.0 + 0.5);
		if (level < 0)
			level = 0;
		if (level > 7)
			level = 7;
		mvwaddstr(win, y, x + i, g->spark[level]);
	}
	wattrset(win, A_NORMAL);
}

/* 5x5 letters; '#' is ink. */
static const struct {
	char ch;
	const char *rows[WIDGET_BIG_ROWS];
} font[] = {
    {'A', {" ### ", "#   #", "#####", "#   #", "#   #"}},
    {'B', {"#### ", "#   #", "#### ", "#   #", "#### "}},
    {'C', {" ####", "#    ", "#    ", "#    ", " ####"}},
    {'D', {"#### ", "#   #", "#   #", "#   #", "#### "}},
    {'E', {"#####", "#    ", "#### ", "#    ", "#####"}},
    {'H', {"#   #", "#   #", "#####", "#   #", "#   #"}},
    {'I', {"#####", "  #  ", "  #  ", "  #  ", "#####"}},
    {'K', {"#   #", "#  # ", "###  ", "#  # ", "#   #"}},
    {'L', {"#    ", "#    ", "#    ", "#    ", "#####"}},
    {'N', {"#   #", "##  #", "# # #", "#  ##", "#   #"}},
    {'O', {" ### ", "#   #", "#   #", "#   #", " ### "}},
    {'R', {"#### ", "#   #", "#### ", "#  # ", "#   #"}},
    {'S', {" ####", "#    ", " ### ", "    #", "#### "}},
    {'T', {"#####", "  #  ", "  #  ", "  #  ", "  #  "}},
    {'?', {" ### ", "#   #", "  ## ", "     ", "  #  "}},
    {' ', {"   ", "   ", "   ", "   ", "   "}},
};

int widget_big(WINDOW *win, int y, int x, const char *text, attr_t attr)
{
	const char *block = screen_glyphs()->block;
	int col = 0;
	for (const char *p = text; *p; p++) {
		size_t f = 0, nf = sizeof font / sizeof font[0];
		while (f < nf && font[f].ch != *p)
			f++;
		if (f == nf)
			f = nf - 2; /* '?' */
		int cw = (int)strlen(font[f].rows[0]);
		if (win != NULL) {
			for (int r = 0; r < WIDGET_BIG_ROWS; r++) {
				for (int c = 0; c < cw; c++) {
					int ink = font[f].rows[r][c] == '#';
					wattrset(win, attr);
					if (ink)
						mvwaddstr(win, y + r,
						          x + col + c, block);
					else
						mvwaddch(win, y + r,
						         x + col + c, ' ');
				}
				if (p[1] != '\0')
					mvwaddch(win, y + r, x + col + cw, ' ');
			}
			wattrset(win, A_NORMAL);
		}
		col += cw + (p[1] != '\0' ? 1 : 0);
	}
	return col;
}

attr_t widget_verdict_attr(enum verdict v)
{
	switch (v) {
	case VERDICT_OK:
		return screen_attr(THEME_VERDICT_OK);
	case VERDICT_AT_RISK:
		return screen_attr(THEME_VERDICT_AT_RISK);
	default:
		return screen_attr(THEME_VERDICT_BREACH);
	}
}

attr_t widget_status_attr(enum comp_status s)
{
	switch (s) {
	case COMP_OK:
		return screen_attr(THEME_BAR_OK);
	case COMP_AT_RISK:
		return screen_attr(THEME_BAR_WARN);
	case COMP_BREACH:
		return screen_attr(THEME_BAR_BAD);
	default:
		return screen_attr(THEME_DIM);
	}
}

char *widget_bytes(int64_t bytes, char *buf, size_t size)
{
	static const char *const units[] = {"B",   "KiB", "MiB",
	                                    "GiB", "TiB", "PiB"};
	if (bytes < 0) {
		snprintf(buf, size, "-");
		return buf;
	}
	double v = (double)bytes;
	int u = 0;
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%lld B", (long long)bytes);
	else if (v < 9.95)
		snprintf(buf, size, "%.1f %s", v, units[u]);
	else
		snprintf(buf, size, "%.0f %s", v, units[u]);
	return buf;
}

char *widget_seconds(double s, char *buf, size_t size)
{
	if (s < 0)
		snprintf(buf, size, "-");
	else if (s < 10)
		snprintf(buf, size, "%.1fs", s);
	else if (s < 60)
		snprintf(buf, size, "%.0fs", s);
	else
		duration_format_short((int64_t)s, buf, size);
	return buf;
}

char *widget_age(int64_t s, char *buf, size_t size)
{
	if (s < 0)
		snprintf(buf, size, "never");
	else if (s < 60)
		snprintf(buf, size, "<1m");
	else
		duration_format_short(s - s % 60, buf, size);
	return buf;
}

char *widget_age_coarse(int64_t s, char *buf, size_t size)
{
	if (s < 3600)
		return widget_age(s, buf, size);
	if (s < 86400)
		snprintf(buf, size, "%lldh", (long long)(s / 3600));
	else
		snprintf(buf, size, "%lldd", (long long)(s / 86400));
	return buf;
}

static int is_unit(const char *w)
{
	static const char *const units[] = {"B",   "KiB", "MiB",
	                                    "GiB", "TiB", "PiB"};
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		size_t n = strlen(units[i]);
		if (strncmp(w, units[i], n) == 0 &&
		    (w[n] == '\0' || w[n] == ' ' || w[n] == ',' || w[n] == ')'))
			return 1;
	}
	return 0;
}

size_t widget_wrap_row(const char *text, int w, size_t *skip)
{
	size_t len = strlen(text), best = 0, i = 0;
	char buf[1024];
	*skip = 0;
	if (screen_width(text) <= w)
		return len;
	while (i < len && i + 1 < sizeof buf) {
		size_t j = i;
		while (j < len && text[j] != ' ')
			j++;
		/* "2.9 MiB" stays on one row. */
		while (j < len && is_unit(text + j + 1)) {
			j++;
			while (j < len && text[j] != ' ')
				j++;
		}
		memcpy(buf, text, j);
		buf[j] = '\0';
		if (screen_width(buf) > w)
			break;
		best = j;
		i = j + 1;
	}
	if (best == 0) { /* one word longer than the row: cut it */
		size_t k = 0;
		while (k < len && k + 1 < sizeof buf) {
			memcpy(buf, text, k + 1);
			buf[k + 1] = '\0';
			if (screen_width(buf) > w)
				break;
			k++;
		}
		return k ? k : 1;
	}
	while (text[best + *skip] == ' ')
		(*skip)++;
	return best;
}
