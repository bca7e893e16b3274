#!/usr/bin/env bash
# Fault steps (game days): the undo runs once the fault ran, whichever way
# the run ends -- completed, aborted, rolled back, paused, hung up, killed
# with -9 and resumed -- and a failing undo keeps the execution open.
# catalogs: sqlite postgresql
. "$(dirname "$0")/../lib.sh"
cd "$DR_TOP" || exit 1
export DRCONSOLE_CATALOG=$(cat_url catalog)
"$DR" init >/dev/null 2>&1
RB=tests/fixtures/runbooks/good/fault-marker.json

lines() { [ -e "$1" ] && wc -l <"$1" | tr -d ' ' || echo 0; }
last_id() { "$DR" runbook log | awk 'NR == 2 {print $1}'; }
fresh() { rm -rf "$T/m"; mkdir -p "$T/m"; }
absent() { [ ! -e "$2" ] && pass "$1" || fail "$1" "$2 exists"; }

expect_rc "check accepts a fault step" 0 "$DR" runbook check $RB
run "$DR" runbook show $RB
expect_in "show names the undo" "$OUT" "undo:     test ! -e"
expect_in "show says the fault runs in a drill" "$OUT" "(runs as it is: a game day is a drill)"
expect_in "show lists the steady state" "$OUT" "marker-absent (timeout 5s): test ! -e"
expect_in "show gives the settle time" "$OUT" "settle 3s, every 1s"

# completed: the undo runs after the last step, once.
fresh
run "$DR" runbook run $RB --var DIR="$T/m" </dev/null
expect_eq "complete: exit 0" "$RC" 0
expect_eq "complete: the fault ran once" "$(lines "$T/m/faults")" 1
expect_eq "complete: the undo ran once" "$(lines "$T/m/undos")" 1
absent "complete: the fault is gone" "$T/m/broken"
expect_in "complete: said so" "$OUT" "fault of step break undone"
run "$DR" runbook log "$(last_id)"
expect_in "complete: pending recorded" "$OUT" "note: fault injected, undo pending"
expect_in "complete: undone recorded" "$OUT" "note: undone"

# a later step fails and the operator aborts: the undo still runs.
fresh
touch "$T/m/observe-fails"
run "$DR" runbook run $RB --var DIR="$T/m" <<<"a"
expect_eq "abort: exit 1" "$RC" 1
expect_eq "abort: the undo ran" "$(lines "$T/m/undos")" 1
absent "abort: the fault is gone" "$T/m/broken"
expect_eq "abort: nothing after the failure ran" "$(lines "$T/m/after")" 0
run "$DR" runbook log "$(last_id)"
expect_in "abort: recorded aborted" "$OUT" "status:          aborted"
expect_in "abort: the steady state came back after the undo" "$OUT" "(restored; from "

# rollback: the undo runs too.
fresh
touch "$T/m/observe-fails"
run "$DR" runbook run $RB --var DIR="$T/m" <<<"b"
expect_eq "rollback: exit 1" "$RC" 1
expect_eq "rollback: the undo ran" "$(lines "$T/m/undos")" 1
absent "rollback: the fault is gone" "$T/m/broken"

# failure with no answer: paused, and the fault is undone meanwhile; a
# retry on resume injects it again and undoes it again.
fresh
touch "$T/m/observe-fails"
run "$DR" runbook run $RB --var DIR="$T/m" --incident pause </dev/null
expect_eq "pause: exit 1" "$RC" 1
expect_eq "pause: the undo ran" "$(lines "$T/m/undos")" 1
absent "pause: the fault is gone" "$T/m/broken"

# the undo fails: the execution stays open, resume tries it again.
fresh
touch "$T/m/undo-fails"
run "$DR" runbook run $RB --var DIR="$T/m" --incident undo-fails </dev/null
expect_eq "undo fails: exit 1" "$RC" 1
expect_in "undo fails: said loudly" "$OUT" "UNDO FAILED for the fault of step break"
[ -e "$T/m/broken" ] && pass "undo fails: the fault is still there" || fail "undo fails: the fault is still there"
id=$(last_id)
run "$DR" runbook log "$id"
expect_in "undo fails: still in progress" "$OUT" "status:          in_progress"
expect_in "undo fails: recorded" "$OUT" "UNDO FAILED (exit 1)"
rm "$T/m/undo-fails"
run "$DR" runbook resume "$id" </dev/null
expect_eq "undo fails: resume undoes and completes" "$RC" 0
expect_eq "undo fails: the fault ran once in all" "$(lines "$T/m/faults")" 1
absent "undo fails: the fault is gone after resume" "$T/m/broken"
run "$DR" runbook log "$id"
expect_in "undo fails: completed" "$OUT" "status:          completed"

# SIGHUP while a later step runs: the step is stopped, the undo runs.
fresh
"$DR" runbook run $RB --var DIR="$T/m" --var NAP=30 --incident hang-up </dev/null >"$T/out" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -s "$T/m/faults" ] && break; sleep 0.1; done
sleep 0.3
kill -HUP $pid
wait $pid
expect_eq "hang-up: exit 1" "$?" 1
expect_eq "hang-up: the undo ran" "$(lines "$T/m/undos")" 1
absent "hang-up: the fault is gone" "$T/m/broken"

# kill -9 after the fault: resume runs the pending undo first.
fresh
"$DR" runbook run $RB --var DIR="$T/m" --var NAP=30 --incident killed </dev/null >"$T/out" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -s "$T/m/faults" ] && break; sleep 0.1; done
sleep 0.3
kill -9 $pid
{ wait $pid; } 2>/dev/null
id=$(last_id)
# The orphaned sleep still runs in its own group, which the catalog names.
g=$(catq "$DRCONSOLE_CATALOG" "SELECT child_pgid FROM runbook_executions WHERE recovery_id = '$id'")
[ -n "$g" ] && [ "$g" -gt 1 ] && kill -9 -- "-$g" 2>/dev/null
run "$DR" runbook log "$id"
expect_in "kill -9: the undo is pending in the catalog" "$OUT" "note: fault injected, undo pending"
expect_not_in "kill -9: not undone yet" "$OUT" "note: undone"
[ -e "$T/m/broken" ] && pass "kill -9: the fault is in place" || fail "kill -9: the fault is in place"
run "$DR" runbook resume "$id" </dev/null
expect_eq "kill -9: resume runs the undo" "$(lines "$T/m/undos")" 1
absent "kill -9: the fault is gone after resume" "$T/m/broken"
run "$DR" runbook log "$id"
expect_in "kill -9: undone recorded" "$OUT" "note: undone"

# a drill runs the fault (a game day is a drill) and its undo.
fresh
run "$DR" runbook run $RB --var DIR="$T/m" --drill </dev/null
expect_eq "drill: exit 0" "$RC" 0
expect_eq "drill: the fault ran" "$(lines "$T/m/faults")" 1
expect_eq "drill: the undo ran" "$(lines "$T/m/undos")" 1
absent "drill: the fault is gone" "$T/m/broken"

# steady state: not met before the first step, nothing runs.
fresh
touch "$T/m/broken"
run "$DR" runbook run $RB --var DIR="$T/m" --incident not-steady </dev/null
expect_eq "not steady: exit 1" "$RC" 1
expect_in "not steady: says which check and why" "$OUT" "steady state not met: marker-absent: exit 1"
expect_eq "not steady: no step ran" "$(lines "$T/m/faults")" 0
run "$DR" runbook log "$(last_id)"
expect_in "not steady: recorded aborted" "$OUT" "status:          aborted"
expect_in "not steady: the record says why" "$OUT" "notes:           steady state not met: marker-absent"
expect_in "not steady: no step started" "$OUT" "steady                   pending"

# broken by the fault, seen between steps, restored after the undo; the
# record keeps how long, and a probe that changed state meanwhile.
fresh
"$DR" service add api --tier critical >/dev/null 2>&1
"$DR" runbook run $RB --var DIR="$T/m" --var NAP=3 --incident window </dev/null >"$T/out" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -s "$T/m/faults" ] && break; sleep 0.1; done
sleep 1
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
catq "$DRCONSOLE_CATALOG" "DELETE FROM probe_state WHERE service_name = 'api' AND probe = 'health'; INSERT INTO probe_state (service_name, probe, consecutive_failures, down, changed_at, last_run_at, message) VALUES ('api', 'health', 3, 1, '$now', '$now', 'refused')"
wait $pid
expect_eq "window: completes" "$?" 0
expect_in "window: the break is seen between steps" "$(cat "$T/out")" "steady state broken: marker-absent: exit 1"
expect_in "window: and the steady state holds at the end" "$(cat "$T/out")" "steady state holds"
run "$DR" runbook log "$(last_id)"
if grep -qE "notes: +steady state broken for [2-9]s \(restored; from [0-9T:Z-]+ to [0-9T:Z-]+\)" <<<"$OUT"; then
	pass "window: the broken duration is recorded"
else
	fail "window: the broken duration is recorded" "$OUT"
fi
expect_in "window: the probe noticed" "$OUT" "probes noticed: yes (api/health)"
expect_in "window: notifications counted" "$OUT" "notifications queued meanwhile: 0"

# the undo leaves the fault: settle passes without the steady state back.
fresh
touch "$T/m/undo-keeps"
run "$DR" runbook run $RB --var DIR="$T/m" --incident unsettled </dev/null
expect_eq "unsettled: exit 1" "$RC" 1
expect_in "unsettled: says so" "$OUT" "steady state not restored within 3s: marker-absent: exit 1"
run "$DR" runbook log "$(last_id)"
expect_in "unsettled: recorded failed" "$OUT" "status:          failed"
expect_in "unsettled: the record says not restored" "$OUT" "(NOT restored; from "

expect_rc "audit chain intact" 0 "$DR" audit verify
