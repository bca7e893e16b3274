#!/usr/bin/env bash
# One open execution per runbook and incident: a second operator is
# refused and told who holds it and since when.
# catalogs: sqlite postgresql
. "$(dirname "$0")/../lib.sh"
cd "$DR_TOP" || exit 1
export DRCONSOLE_CATALOG=$(cat_url catalog)
"$DR" init >/dev/null 2>&1
RB=tests/fixtures/runbooks/good/counter.json
lines() { [ -e "$1" ] && wc -l <"$1" | tr -d ' ' || echo 0; }

mkdir -p "$T/m"
touch "$T/m/hold"
"$DR" runbook run $RB --var DIR="$T/m" --incident db-outage </dev/null >"$T/first" 2>&1 &
first=$!
for _ in $(seq 100); do [ -s "$T/m/two.start" ] && break; sleep 0.1; done

run "$DR" runbook run $RB --var DIR="$T/m" --incident db-outage </dev/null
expect_eq "the second run is refused" "$RC" 1
expect_in "naming the holder" "$ERR" "is already running: held by $(id -un)"
expect_in "with its pid" "$ERR" "(pid $first)"
expect_in "and since when" "$ERR" " since 20"
expect_eq "the second run ran nothing" "$(lines "$T/m/one")" 1

run "$DR" runbook resume "$("$DR" runbook log | awk 'NR == 2 {print $1}')" </dev/null
expect_eq "resume of a live execution is refused" "$RC" 1
expect_in "and says it still runs" "$ERR" "it is still running there"

run "$DR" runbook run $RB --var DIR="$T/m" --incident other-incident --drill </dev/null
expect_eq "another incident (a drill) is not blocked" "$RC" 0

rm -f "$T/m/hold"
wait $first
expect_eq "the first run completes" "$?" 0
run "$DR" runbook run $RB --var DIR="$T/m" --incident db-outage </dev/null
expect_eq "once it ended, the incident can be run again" "$RC" 0
expect_eq "step one ran twice in all" "$(lines "$T/m/one")" 2
