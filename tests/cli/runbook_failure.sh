#!/usr/bin/env bash
# A failing step: the operator's retry, skip (with a reason), rollback,
# abort and pause, each with what it leaves behind.
# catalogs: sqlite postgresql
. "$(dirname "$0")/../lib.sh"
cd "$DR_TOP" || exit 1
export DRCONSOLE_CATALOG=$(cat_url catalog)
"$DR" init >/dev/null 2>&1
RB=tests/fixtures/runbooks/good/failing.json

lines() { [ -e "$1" ] && wc -l <"$1" | tr -d ' ' || echo 0; }
last_id() { "$DR" runbook log | awk 'NR == 2 {print $1}'; }
fresh() { rm -rf "$T/m"; mkdir -p "$T/m"; }

# retry: the second attempt passes.
fresh
run "$DR" runbook run $RB --var DIR="$T/m" --var PASS_AT=2 <<<"r"
expect_eq "retry: completes" "$RC" 0
expect_eq "retry: the step ran twice" "$(lines "$T/m/flaky.attempts")" 2
expect_eq "retry: the next step ran once" "$(lines "$T/m/finish")" 1
expect_in "retry: the prompt offered the choices" "$ERR" "Step flaky failed.  [r]etry, [s]kip, roll[b]ack, [a]bort or [p]ause?"
run "$DR" runbook log "$(last_id)"
expect_in "retry: the failed attempt is in the notes" "$OUT" "note: failed (exit 1)"

# skip: needs a reason, which is recorded.
fresh
run "$DR" runbook run $RB --var DIR="$T/m" --var PASS_AT=99 <<<$'s\nthe check is broken, verified by hand'
expect_eq "skip: completes" "$RC" 0
expect_eq "skip: the step ran once" "$(lines "$T/m/flaky.attempts")" 1
expect_eq "skip: the next step ran" "$(lines "$T/m/finish")" 1
run "$DR" runbook log "$(last_id)"
expect_in "skip: status recorded" "$OUT" "flaky                    skipped"
expect_in "skip: reason recorded" "$OUT" "the check is broken, verified by hand"
expect_in "skip: recovery completed" "$OUT" "status:          completed"

# rollback: the completed steps' rollback commands, newest first.
fresh
run "$DR" runbook run $RB --var DIR="$T/m" --var PASS_AT=99 <<<"b"
expect_eq "rollback: exit 1" "$RC" 1
expect_eq "rollback: the completed step was undone once" "$(lines "$T/m/prepare.undo")" 1
expect_eq "rollback: the failed step is not undone" "$(lines "$T/m/flaky.undo")" 0
expect_eq "rollback: nothing after the failure ran" "$(lines "$T/m/finish")" 0
run "$DR" runbook log "$(last_id)"
expect_in "rollback: recovery rolled back" "$OUT" "status:          rolled_back"
expect_in "rollback: step marked" "$OUT" "prepare                  rolled_back"

# abort: ends there, undoes nothing.
fresh
run "$DR" runbook run $RB --var DIR="$T/m" --var PASS_AT=99 <<<"a"
expect_eq "abort: exit 1" "$RC" 1
expect_eq "abort: nothing undone" "$(lines "$T/m/prepare.undo")" 0
expect_eq "abort: nothing after the failure ran" "$(lines "$T/m/finish")" 0
id=$(last_id)
run "$DR" runbook log "$id"
expect_in "abort: recovery aborted" "$OUT" "status:          aborted"
expect_in "abort: the failed step says so" "$OUT" "flaky                    failed"
run "$DR" runbook resume "$id" </dev/null
expect_eq "abort: an aborted recovery cannot be resumed" "$RC" 2
expect_in "abort: resume says it ended" "$ERR" "has ended (aborted)"

# no answer at all: pause, don't guess; resume later and decide.
fresh
run "$DR" runbook run $RB --var DIR="$T/m" --var PASS_AT=2 </dev/null
expect_eq "pause: exit 1" "$RC" 1
expect_in "pause: says how to resume" "$OUT" "Paused: recovery"
id=$(last_id)
run "$DR" runbook log "$id"
expect_in "pause: recovery stays in progress" "$OUT" "status:          in_progress"
run "$DR" runbook resume "${id:0:8}" <<<"r"
expect_eq "pause: resume by ID prefix, retry, completes" "$RC" 0
expect_eq "pause: prepare ran once in all" "$(lines "$T/m/prepare")" 1
expect_eq "pause: flaky ran twice in all" "$(lines "$T/m/flaky.attempts")" 2
expect_eq "pause: finish ran once" "$(lines "$T/m/finish")" 1

# Ctrl-C (SIGINT) stops the running command and asks; the answer aborts.
fresh
cat >"$T/slow.json" <<JSON
{"name": "slow", "title": "Slow", "scenario": "partial", "rto": "1m", "rpo": "1m",
 "services": ["api"], "phases": [{"name": "p", "steps": [
  {"id": "nap", "title": "Sleeps", "command": "echo started > $T/m/nap; sleep 30; echo done >> $T/m/nap", "confirm": "none", "timeout": "1m"}]}]}
JSON
"$DR" runbook run "$T/slow.json" <<<"a" >"$T/out" 2>&1 &
pid=$!
for _ in $(seq 50); do [ -s "$T/m/nap" ] && break; sleep 0.1; done
kill -INT $pid
wait $pid
expect_eq "ctrl-c: exit 1" "$?" 1
expect_eq "ctrl-c: the command's group was killed" "$(cat "$T/m/nap")" "started"
expect_in "ctrl-c: said why" "$(cat "$T/out")" "stopped by the operator"

# A timeout kills the command's whole process group.
fresh
cat >"$T/timeout.json" <<JSON
{"name": "timeout", "title": "Timeout", "scenario": "partial", "rto": "1m", "rpo": "1m",
 "services": ["api"], "phases": [{"name": "p", "steps": [
  {"id": "hang", "title": "Hangs", "command": "(sleep 5; echo late > $T/m/late) & sleep 30", "confirm": "none", "timeout": "1s"}]}]}
JSON
run "$DR" runbook run "$T/timeout.json" <<<"a"
expect_eq "timeout: exit 1" "$RC" 1
expect_in "timeout: said so" "$OUT" "timed out after 1s"
sleep 5.5
[ -e "$T/m/late" ] && fail "timeout: the background child died with the group" || pass "timeout: the background child died with the group"
expect_rc "audit chain intact" 0 "$DR" audit verify

# The RTO clock counts from the incident's start: AT RISK past 80 % of the
# target, OVER RTO past it, and the record keeps the recovery time.
fresh
run "$DR" runbook run tests/fixtures/runbooks/good/counter.json --var DIR="$T/m" \
	--incident late --incident-start now-9m </dev/null
expect_eq "clock: completes" "$RC" 0
expect_in "clock: AT RISK past 80 % of a 10m RTO" "$OUT" "RTO clock: 9m"
expect_in "clock: marked" "$OUT" "AT RISK"
fresh
run "$DR" runbook run tests/fixtures/runbooks/good/counter.json --var DIR="$T/m" \
	--incident later --incident-start now-20m --notes "paged late" </dev/null
expect_in "clock: OVER RTO past the target" "$OUT" "OVER RTO"
run "$DR" runbook log "$(last_id)"
expect_in "clock: the record says it was over" "$OUT" "(RTO target 10m)  OVER RTO"
expect_in "clock: notes kept" "$OUT" "notes:           paged late"
run "$DR" runbook note "$(last_id)" --lessons "page earlier" --data-loss 12
expect_eq "note: updates the record" "$RC" 0
run "$DR" runbook log "$(last_id)"
expect_in "note: lessons learned" "$OUT" "lessons learned: page earlier"
expect_in "note: the operator's data loss figure" "$OUT" "data loss:       12.0 min (RPO target 5m)  OVER RPO"
run "$DR" runbook run tests/fixtures/runbooks/good/counter.json --var DIR="$T/m" \
	--incident ancient --incident-start @-99999999999999 </dev/null
expect_eq "clock: an incident start out of range is exit 2" "$RC" 2
expect_in "clock: naming the value" "$ERR" "--incident-start: @-99999999999999: out of range"
run "$DR" runbook run tests/fixtures/runbooks/good/counter.json --var DIR="$T/m" --drill --incident-start now-5m </dev/null
expect_eq "a drill has no incident start" "$RC" 2
