#!/usr/bin/env bash
# kill -9 while a step runs, then resume: the running step is shown as
# interrupted and the operator decides; completed steps never run again;
# the catalog stays intact.  Marker files count every run of every step.
# catalogs: sqlite postgresql
. "$(dirname "$0")/../lib.sh"
cd "$DR_TOP" || exit 1
export DRCONSOLE_CATALOG=$(cat_url catalog)
"$DR" init >/dev/null 2>&1
RB=tests/fixtures/runbooks/good/counter.json
lines() { [ -e "$1" ] && wc -l <"$1" | tr -d ' ' || echo 0; }

mkdir -p "$T/m"
touch "$T/m/hold"
"$DR" runbook run $RB --var DIR="$T/m" </dev/null >"$T/out" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -s "$T/m/two.start" ] && break; sleep 0.1; done
kill -9 $pid
{ wait $pid; } 2>/dev/null
# The orphaned command still waits in its own process group, which the
# catalog names; end it as an operator would before deciding.
pkill_group() { # ID
	local g
	g=$(catq "$DRCONSOLE_CATALOG" "SELECT child_pgid FROM runbook_executions WHERE recovery_id = '$1'")
	if [ -n "$g" ] && [ "$g" -gt 1 ] && kill -0 -- "-$g" 2>/dev/null; then
		pass "the interrupted command's group $g is recorded and alive"
		kill -9 -- "-$g"
		for _ in $(seq 50); do kill -0 -- "-$g" 2>/dev/null || break; sleep 0.1; done
	else
		fail "the interrupted command's group is recorded and alive" "pgid '$g'"
	fi
	rm -f "$T/m/hold"
}
expect_eq "step one ran once before the crash" "$(lines "$T/m/one")" 1
expect_eq "step two started once" "$(lines "$T/m/two.start")" 1

id=$("$DR" runbook log | awk 'NR == 2 {print $1}')
run "$DR" runbook log "$id"
expect_in "the crashed step is stored as running" "$OUT" "two                      running"
expect_in "the recovery is in progress" "$OUT" "status:          in_progress"

if sqlite_only "the catalog file is intact"; then
	run sqlite3 "$DRCONSOLE_CATALOG" "PRAGMA integrity_check"
	expect_eq "catalog intact after kill -9" "$OUT" "ok"
fi

# A second run for the same incident is refused: the first is open.
run "$DR" runbook run $RB --var DIR="$T/m" </dev/null
expect_eq "a new run of the crashed incident is refused" "$RC" 1
expect_in "and points at resume" "$ERR" "That process is gone: continue it with 'drconsole runbook resume $id'"

# The step outlives the crash: its command runs on in a session of its
# own, the catalog names its group.
g=$(catq "$DRCONSOLE_CATALOG" "SELECT child_pgid FROM runbook_executions WHERE recovery_id = '$id'")
if [ -n "$g" ] && [ "$g" -gt 1 ] && kill -0 -- "-$g" 2>/dev/null; then
	pass "the crashed session's step still runs (group $g, recorded)"
else
	fail "the crashed session's step still runs" "pgid '$g'"
fi

# Resume re-attaches: the step is followed (its output so far first),
# never started a second time, and its end recorded.
"$DR" runbook resume "$id" </dev/null >"$T/resume.out" 2>&1 &
rpid=$!
wait_for 10 grep -q "re-attached" "$T/resume.out"
expect_in "resume re-attaches to the running step" "$(cat "$T/resume.out")" "step two is still running (process group $g"
expect_eq "nothing was started twice" "$(lines "$T/m/two.start")" 1
rm -f "$T/m/hold"
wait $rpid
expect_eq "the step ends, the run completes" "$?" 0
expect_eq "completed step one did not run again" "$(lines "$T/m/one")" 1
expect_eq "step two started once in all" "$(lines "$T/m/two.start")" 1
expect_eq "step two finished once" "$(lines "$T/m/two")" 1
expect_eq "step three ran once" "$(lines "$T/m/three")" 1
run "$DR" runbook log "$id"
expect_in "recovery completed" "$OUT" "status:          completed"
expect_in "step two is recorded completed" "$OUT" "two                      completed"
run "$DR" runbook resume "$id" </dev/null
expect_eq "a completed recovery cannot be resumed" "$RC" 2
if sqlite_only "the catalog file is intact"; then
	run sqlite3 "$DRCONSOLE_CATALOG" "PRAGMA integrity_check"
	expect_eq "catalog intact at the end" "$OUT" "ok"
fi
expect_rc "audit chain intact" 0 "$DR" audit verify
run "$DR" audit list
expect_in "the resume is audited" "$OUT" "runbook.resume"

# Its process killed too (outcome unknown): resume shows what it wrote
# and the operator decides: run it again, mark it done, or skip.
rm -rf "$T/m"; mkdir -p "$T/m"; touch "$T/m/hold"
"$DR" runbook run $RB --var DIR="$T/m" --incident lost </dev/null >"$T/out" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -s "$T/m/two.start" ] && break; sleep 0.1; done
kill -9 $pid
{ wait $pid; } 2>/dev/null
idl=$("$DR" runbook log | awk 'NR == 2 {print $1}')
pkill_group "$idl"
run "$DR" runbook resume "$idl" </dev/null
expect_eq "resume without an answer pauses" "$RC" 1
expect_in "resume shows the step as interrupted" "$OUT" "two                      interrupted"
expect_in "and says it may have run in part" "$OUT" "step two was running when the previous session ended"
expect_eq "nothing re-ran" "$(lines "$T/m/two.start")" 1
expect_in "the question names the choices" "$ERR" "Step two was interrupted.  [r]un it again, mark it [d]one,"
run "$DR" runbook resume "$idl" <<<"d
checked the marker by hand"
expect_eq "marked done: the run completes" "$RC" 0
expect_eq "  without running step two again" "$(lines "$T/m/two.start")" 1
expect_eq "  and step three ran" "$(lines "$T/m/three")" 1
run "$DR" runbook log "$idl"
expect_in "the unknown outcome is noted" "$OUT" "its outcome is unknown"
expect_in "and who marked it done, why" "$OUT" "marked done by $(id -un) (its outcome was unknown): checked the marker by hand"

# Someone else's dead session: taking it over needs a typed confirmation.
rm -rf "$T/m"; mkdir -p "$T/m"; touch "$T/m/hold"
"$DR" runbook run $RB --var DIR="$T/m" --incident other </dev/null >"$T/out" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -s "$T/m/two.start" ] && break; sleep 0.1; done
kill -9 $pid
{ wait $pid; } 2>/dev/null
id2=$("$DR" runbook log | awk 'NR == 2 {print $1}')
pkill_group "$id2"
catq "$DRCONSOLE_CATALOG" "UPDATE runbook_executions SET holder = 'alice' WHERE recovery_id = '$id2'"
run "$DR" runbook resume "$id2" </dev/null
expect_eq "takeover without the word is refused" "$RC" 1
expect_in "and names the holder" "$ERR" "stays with alice"
run "$DR" runbook resume "$id2" --confirm wrong </dev/null
expect_eq "takeover with a wrong word is refused" "$RC" 1
run "$DR" runbook resume "$id2" --confirm counter <<<"s
done by hand"
expect_eq "takeover with the runbook's name proceeds" "$RC" 0
expect_eq "after takeover, step one still ran only once" "$(lines "$T/m/one")" 1
run "$DR" audit list
expect_in "the takeover is audited" "$OUT" "runbook.takeover"
