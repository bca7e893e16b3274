/* Small drawing pieces the views share: the RPO bar, the lag sparkline,
 * the large letters of the wall view, and compact number formats. */
#ifndef DR_WIDGET_H
#define DR_WIDGET_H

#include <curses.h>
#include <stddef.h>
#include <stdint.h>

#include "core/compliance.h"

/* A bar `w` cells wide filled to `fraction` of the target, in half cells:
 * ok up to the at-risk fraction (0.8), amber past it, red past 1.
 * fraction < 0 draws a dim placeholder (unknown). */
void widget_bar(WINDOW *win, int y, int x, int w, double fraction,
                double at_risk);
/* The last `n` values as a sparkline `w` cells wide, scaled to `max`
 * (values < 0 are gaps). */
void widget_spark(WINDOW *win, int y, int x, int w, const double *values,
                  size_t n, double max, attr_t attr);
/* Large letters five rows high; returns the columns the text takes.  With
 * win NULL only measures. */
int widget_big(WINDOW *win, int y, int x, const char *text, attr_t attr);
#define WIDGET_BIG_ROWS 5

attr_t widget_verdict_attr(enum verdict v);
attr_t widget_status_attr(enum comp_status s);
/* "912 B", "14 KiB", "3.2 MiB", "1.1 GiB"; "-" when < 0. */
char *widget_bytes(int64_t bytes, char *buf, size_t size);
/* "0.4s", "12s", "3m12s"; "-" when < 0. */
char *widget_seconds(double s, char *buf, size_t size);
/* Ages for columns: "now", "7m", "2h5m", "3d"; "never" when < 0. */
char *widget_age(int64_t s, char *buf, size_t size);

/* Coarser, for things measured in days: "7m", "5h", "12d". */
char *widget_age_coarse(int64_t s, char *buf, size_t size);

/* Bytes of the next wrapped row of `text` that fit in `w` columns, cut
 * at a space when there is one ("2.9 MiB" kept whole); *skip gets the
 * spaces after it. */
size_t widget_wrap_row(const char *text, int w, size_t *skip);

#endif
