/* See cancel.h. */
#include "core/cancel.h"

#include <signal.h>

static volatile sig_atomic_t requested;

void cancel_request(void)
{
	requested = 1;
}

int cancel_requested(void)
{
	return requested != 0;
}

void cancel_reset(void)
{
	requested = 0;
}
