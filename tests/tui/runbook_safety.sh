#!/usr/bin/env bash
# The Runbooks view's safety at 80x24, read off the screen as an operator
# would: Enter previews and runs nothing; r and d ask a yes/no naming a
# REAL RUN or a DRILL (no by default); the command being confirmed scrolls
# to its end; the wizard refuses a bad value at once; rollbacks are listed
# and confirmed, and their output shown; taking over a run whose holder
# died asks its question without crashing.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tmux.sh"
cd "$DR_TOP" || exit 1
export DRCONSOLE_CATALOG=$T/catalog.db
"$DR" init >/dev/null 2>&1
lines() { [ -e "$1" ] && wc -l <"$1" | tr -d ' ' || echo 0; }
runs() { sqlite3 "$T/catalog.db" "SELECT count(*) FROM disaster_recovery_log"; }

# ---- takeover of a run whose holder died ----
# A line-mode run killed with -9 in the middle of its slow step; the
# catalog then names another operator as its holder (one test user cannot
# be two people), so resuming from the console must take it over.
RB=tests/fixtures/runbooks/good/counter.json
mkdir -p "$T/m"
touch "$T/m/hold"
"$DR" runbook run $RB --var DIR="$T/m" --incident crashed </dev/null >"$T/out" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -s "$T/m/two.start" ] && break; sleep 0.1; done
kill -9 $pid
{ wait $pid; } 2>/dev/null
id=$("$DR" runbook log | awk '/crashed/ {print $1; exit}')
g=$(sqlite3 "$T/catalog.db" "SELECT child_pgid FROM runbook_executions WHERE recovery_id = '$id'")
[ -n "$g" ] && [ "$g" -gt 1 ] && kill -9 -- "-$g" 2>/dev/null
rm -f "$T/m/hold"
sqlite3 "$T/catalog.db" "UPDATE runbook_executions SET holder = 'alice' WHERE recovery_id = '$id'"
tui_start -- --catalog "$T/catalog.db"
expect_screen "console starts" "1 Dashboard"
tui_keys 6
expect_screen "the view says a run waits" "1 runbook run is interrupted or paused"
tui_keys R
expect_screen "the dead holder's run is offered" "held by alice"
tui_keys Enter
expect_screen "the takeover question is shown whole" "whose process is gone.  Type the" 5
expect_screen "naming the word to type" "runbook's name to take it over"
expect_eq "the console did not crash" "$(tui_exit_status 1)" "running"
tui_text wrong; tui_keys Enter
expect_screen "a wrong word is refused, naming the holder" "stays with alice"
tui_keys x
tui_keys R
expect_screen "the run is still offered" "held by alice"
tui_keys Enter
expect_screen "asked again" "runbook's name to take it over"
tui_text counter; tui_keys Enter
expect_screen "taken over: the interrupted step is shown" "Step two was interrupted." 10
expect_screen "with the step done before it" "[x] one"
tui_keys r
expect_screen "the run completes after the takeover" "completed in" 10
tui_keys x
expect_eq "still running after the takeover" "$(tui_exit_status 1)" "running"
tui_keys q
expect_eq "the console exits cleanly" "$(tui_exit_status)" 0
expect_in "the takeover is audited" "$("$DR" audit list --limit 0)" "runbook.takeover"
expect_eq "step one ran once in all" "$(lines "$T/m/one")" 1
expect_eq "step two finished once" "$(lines "$T/m/two")" 1
