#include "tui/listnav.h"

#include <curses.h>

#include "tui/view.h"

#define CTRL(c) ((c)&0x1f)

void listnav_fit(struct listnav *nav, int page)
{
	size_t p = page > 0 ? (size_t)page : 1;
	if (nav->n == 0) {
		nav->sel = nav->top = 0;
		return;
	}
	if (nav->sel >= nav->n)
		nav->sel = nav->n - 1;
	if (nav->sel < nav->top)
		nav->top = nav->sel;
	if (nav->sel >= nav->top + p)
		nav->top = nav->sel - p + 1;
	if (nav->top + p > nav->n)
		nav->top = nav->n > p ? nav->n - p : 0;
}

unsigned listnav_key(struct listnav *nav, int key, int page)
{
	size_t p = page > 1 ? (size_t)page - 1 : 1;
	size_t old_sel = nav->sel, old_top = nav->top;
	switch (key) {
	case KEY_UP:
	case 'k':
		if (nav->sel > 0)
			nav->sel--;
		break;
	case KEY_DOWN:
	case 'j':
		if (nav->sel + 1 < nav->n)
			nav->sel++;
		break;
	case KEY_PPAGE:
	case CTRL('b'):
		nav->sel = nav->sel > p ? nav->sel - p : 0;
		break;
	case KEY_NPAGE:
	case CTRL('f'):
	case ' ':
		nav->sel += p;
		break;
	case 'n': /* the next match of the filter: every row shown is one */
		if (nav->n)
			nav->sel = (nav->sel + 1) % nav->n;
		break;
	case 'N':
		if (nav->n)
			nav->sel = (nav->sel + nav->n - 1) % nav->n;
		break;
	case KEY_HOME:
	case 'g':
		nav->sel = 0;
		break;
	case KEY_END:
	case 'G':
		nav->sel = nav->n ? nav->n - 1 : 0;
		break;
	default:
		return 0;
	}
	listnav_fit(nav, page);
	if (nav->sel == old_sel && nav->top == old_top)
		return VIEW_HANDLED;
	return VIEW_HANDLED | VIEW_REDRAW;
}
