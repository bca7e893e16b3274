/* Moving a selection through a list of n rows shown `page` at a time:
 * arrows and vi keys, PgUp/PgDn, Home/End (and g/G), n/N (next and
 * previous row, wrapping: with a filter, the next match). */
#ifndef DR_LISTNAV_H
#define DR_LISTNAV_H

#include <stddef.h>

struct listnav {
	size_t n;   /* rows */
	size_t sel; /* selected row */
	size_t top; /* first row on screen */
};

/* VIEW_HANDLED|VIEW_REDRAW when the key is a movement key, else 0. */
unsigned listnav_key(struct listnav *nav, int key, int page);
/* Keeps sel inside the list and on screen. */
void listnav_fit(struct listnav *nav, int page);

#endif
