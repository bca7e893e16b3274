/* See cancel.h. */
#include "core/cancel.h"

#include <stdatomic.h>

/* Set by a signal handler or another thread, read by the work's: a
 * lock-free atomic is safe for both. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "a lock-free int for cancel.c");
static atomic_int requested;

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
