/* The heartbeat of a runbook execution's holder (issue 16): while a
 * process holds an execution on a catalog shared by many hosts, a thread
 * of its own, on a catalog connection of its own, sets the execution's
 * updated_at every HOLD_BEAT_S seconds (catalog_runbook_exec_beat).  From
 * another host, whether the holder still runs cannot be asked of the
 * kernel; its beat answers instead: a holder that beat within
 * HOLD_BEAT_STALE_S is running there, and `runbook resume` refuses to
 * take it over; one silent for longer may be taken over by typing its
 * host's name.  A beat that finds the execution no longer held by this
 * process (ended, released, taken over) stops. */
#ifndef DR_HOLD_BEAT_H
#define DR_HOLD_BEAT_H

#include <stdint.h>

#define HOLD_BEAT_S       10
#define HOLD_BEAT_STALE_S (3 * HOLD_BEAT_S)

struct hold_beat;

/* Whether the catalog at where is one other hosts share (PostgreSQL):
 * there holders beat, and a holder on another host is judged by its
 * beat. */
int hold_beat_shared(const char *where);

/* Starts beating for recovery_id held by host and pid on the catalog at
 * where; NULL when where is not a catalog other hosts share (a file: the
 * holder is on this host, and its pid says whether it runs), or when the
 * thread cannot start (the hold then just looks stale sooner). */
struct hold_beat *hold_beat_start(const char *where, const char *recovery_id,
                                  const char *host, int64_t pid);
/* Stops and joins it; NULL is fine. */
void hold_beat_stop(struct hold_beat *b);

#endif
