/* The test programme's one change (core/testprog.h): the follow-ups
 * written on a test run after it, audited (tests.note). */
#ifndef DR_OPS_TESTS_H
#define DR_OPS_TESTS_H

#include "core/ops.h"

/* run_id: a restore test's id or a drill's recovery id; text replaces an
 * earlier note.  DR_ENOTFOUND when no such run, DR_EINVAL for an empty or
 * over-long text. */
int ops_test_note(const struct ops_session *s, const char *run_id,
                  const char *text, char **err);

#endif
