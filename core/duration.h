/* Durations as people write them: "90s", "15m", "1h30m", "4h", "7d", "2w".
 * A bare number is seconds. */
#ifndef DR_DURATION_H
#define DR_DURATION_H

#include <stddef.h>
#include <stdint.h>

/* The longest duration anyone means: a hundred years of 365 days.  A cap
 * keeps "now + duration" far from overflow everywhere it is added. */
#define DURATION_MAX (36500LL * 86400)

/* Returns DR_EINVAL with a message naming the bad text and what was
 * expected for empty input, unknown units, negative values, overflow. */
int duration_parse(const char *text, int64_t *seconds, char **err);
/* Shortest exact form: 5400 -> "1h30m", 604800 -> "7d", 0 -> "0s";
 * a negative value (unknown) -> "-".  Returns buf. */
char *duration_format(int64_t seconds, char *buf, size_t size);
/* At most two units, rounded down, for narrow columns: 93784 -> "1d2h". */
char *duration_format_short(int64_t seconds, char *buf, size_t size);

#endif
