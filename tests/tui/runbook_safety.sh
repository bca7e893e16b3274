#!/usr/bin/env bash
# The Runbooks view's safety at 80x24, read off the screen as an operator
# would: Enter previews and runs nothing; r and d ask a yes/no naming a
# REAL RUN or a DRILL (no by default); the command being confirmed scrolls
# to its end; the wizard refuses a bad value at once; rollbacks are listed
# and confirmed, and their output shown; taking over a run whose holder
# died asks its question without crashing; under --read-only the preview
# shows and starting is refused.
# catalogs: sqlite postgresql
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tmux.sh"
cd "$DR_TOP" || exit 1
export DRCONSOLE_CATALOG=$(cat_url catalog)
"$DR" init >/dev/null 2>&1
"$DR" service add api --tier critical >/dev/null
lines() { [ -e "$1" ] && wc -l <"$1" | tr -d ' ' || echo 0; }
runs() { catq "$DRCONSOLE_CATALOG" "SELECT count(*) FROM disaster_recovery_log"; }

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
g=$(catq "$DRCONSOLE_CATALOG" "SELECT child_pgid FROM runbook_executions WHERE recovery_id = '$id'")
[ -n "$g" ] && [ "$g" -gt 1 ] && kill -9 -- "-$g" 2>/dev/null
rm -f "$T/m/hold"
catq "$DRCONSOLE_CATALOG" "UPDATE runbook_executions SET holder = 'alice' WHERE recovery_id = '$id'"
tui_start -- --catalog "$DRCONSOLE_CATALOG"
expect_screen "console starts" "1 Dashboard"
tui_keys 6
expect_screen "the view says a run waits" "1 runbook run is interrupted or paused"
tui_keys R
expect_screen "the dead holder's run is offered" "held by alice"
tui_keys Enter
expect_screen "the takeover question is shown whole" "whose process is gone." 5
expect_screen "naming the word to type" "name to take it over"
expect_eq "the console did not crash" "$(tui_exit_status 1)" "running"
tui_text wrong; tui_keys Enter
expect_screen "a wrong word is refused, naming the holder" "stays with alice"
tui_keys x
tui_keys R
expect_screen "the run is still offered" "held by alice"
tui_keys Enter
expect_screen "asked again" "name to take it over"
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

# ---- a runbook whose steps leave marks, from the Runbooks view ----
mkdir -p "$T/runbooks" "$T/m2"
long="echo $(for i in $(seq -w 1 99); do printf 'word%s ' "$i"; done)&& echo END-OF-LONG-COMMAND"
cat >"$T/runbooks/toucher.json" <<JSON
{"name": "toucher", "title": "Touches a marker file", "scenario": "partial",
 "rto": "10m", "rpo": "5m", "services": ["api"],
 "variables": [
   {"name": "DIR", "prompt": "Directory for the marks", "default": "$T/m2", "pattern": "/[^[:space:]]+"},
   {"name": "COUNT", "prompt": "How many", "default": "1", "pattern": "[0-9]+"}],
 "phases": [{"name": "Touch", "steps": [
   {"id": "touch", "title": "Touch the mark", "confirm": "none",
    "command": "touch \"\$DR_VAR_DIR/touched\"; echo touched-it",
    "drill": "touch \"\$DR_VAR_DIR/drilled\"",
    "rollback": "echo undoing-the-touch; rm -f \"\$DR_VAR_DIR/touched\"",
    "rollback_drill": "echo would-undo"},
   {"id": "long", "title": "A command longer than the screen",
    "command": "$long", "drill": "echo short", "confirm": "typed",
    "instructions": "The command echoes many words; read it to its end before you type the word.  This sentence is here so that, as with failback's pg_rewind step, the command and its instructions do not fit one screen of eighty columns by twenty-four rows.",
    "confirm_word": "api"}]}]}
JSON
cat >"$XDG_CONFIG_HOME/drconsole/config.json" <<JSON
{"environment": "test", "runbook_dir": "$T/runbooks"}
JSON
expect_rc "the runbook is valid" 0 "$DR" runbook check "$T/runbooks/toucher.json"
before=$(runs)
tui_start -- --catalog "$DRCONSOLE_CATALOG"
expect_screen "console starts again" "1 Dashboard"
tui_keys 6 / ; tui_text toucher; tui_keys Enter
expect_screen "the runbook is listed" "Touches a marker file"
expect_screen "the footer names the keys" "Enter preview  r run  d drill"
tui_keys Enter
expect_screen "Enter opens the preview, saying nothing runs" "Runbook toucher (preview: nothing runs from here)"
expect_screen "with its variables and patterns" "pattern [0-9]+   default 1"
expect_screen "its steps with their confirmation" "2 long  command, confirm typed: api"
expect_screen "and their commands" '$ touch "$DR_VAR_DIR/touched"'
expect_screen "the preview says there is more" "more below"
tui_keys End
expect_screen "End reaches the rollbacks" 'touch: $ echo undoing-the-touch'
tui_keys Enter Enter Enter
sleep 0.5
expect_screen "Enter in the preview starts nothing" "preview: nothing runs from here"
tui_keys Escape
expect_screen "Esc goes back to the list" "RUNBOOK               SCENARIO"
expect_eq "the preview made no execution" "$(runs)" "$before"
expect_eq "and ran no command" "$(ls "$T/m2")" ""

tui_keys r
expect_screen "r asks, naming a real run" "Start a REAL RUN of toucher against api? y/n (Enter: no)"
tui_keys n
expect_screen "n: not started" "toucher not started: nothing ran"
tui_keys r
expect_screen "asked again" "Start a REAL RUN of toucher"
tui_keys Enter
expect_screen "Enter is no" "toucher not started: nothing ran"
expect_eq "r then n made no execution" "$(runs)" "$before"
expect_eq "and ran no command" "$(ls "$T/m2")" ""

tui_keys d
expect_screen "d asks, naming a drill" "Start a DRILL of toucher against api? y/n (Enter: no)"
expect_not_screen "not a real run" "REAL RUN"
tui_keys y
expect_screen "the wizard says it is a drill" "DRILL of toucher"
tui_keys Enter Enter
expect_screen "the wizard asks for DIR" "Directory for the marks (DIR)"
tui_keys Enter
expect_screen "then COUNT with its pattern" "How many (COUNT), matching [0-9]+"
tui_text abc; tui_keys Enter
expect_screen "a bad value is refused at once, with the pattern" 'Refused: variable COUNT: "abc" does not match the pattern [0-9]+'
expect_screen "and asked again" "How many (COUNT), matching [0-9]+"
tui_text 2; tui_keys Enter
expect_screen "a good value goes on: the drill runs" "Type api to run step long" 10
expect_screen "in its drill form" '$ echo short  (drill form)'
tui_keys Escape
expect_screen "declined" "Step long was not confirmed." 5
tui_keys a
expect_screen "the drill ends" "aborted (drill)" 10
tui_keys x
expect_eq "the drill ran the drill form" "$(ls "$T/m2")" "drilled"
rm -f "$T/m2/drilled"

# A real run from the preview: the long command scrolls to its end, and
# a rollback is listed, confirmed and its output shown.
tui_keys Enter
expect_screen "the preview again" "preview: nothing runs from here"
tui_keys r
expect_screen "r in the preview asks" "Start a REAL RUN of toucher against api?"
tui_keys y
expect_screen "the wizard says it is a real run" "REAL RUN of toucher"
tui_keys Enter Enter Enter Enter
expect_screen "the real run reaches the long step" "Type api to run step long" 10
expect_eq "the first step ran" "$(ls "$T/m2")" "touched"
expect_screen "the long command does not fit: the screen says so" "more below: PgDn/Down"
expect_not_screen "its end is not shown yet" "END-OF-LONG-COMMAND"
for _ in 1 2 3 4 5 6; do
	tui_screen | grep -qF END-OF-LONG-COMMAND && break
	tui_keys NPage
	sleep 0.2
done
expect_screen "PgDn scrolls the command to its end" "END-OF-LONG-COMMAND"
expect_screen "which says it is the end" "the end (rows"
expect_screen "the typed question is still asked" "Type api to run step long"
tui_keys PPage PPage PPage PPage PPage PPage
expect_screen "PgUp goes back to its start" '$ echo word01 word02'
tui_keys Escape
expect_screen "declined" "Step long was not confirmed." 5
tui_keys b
expect_screen "b lists the rollbacks that would run" 'touch: $ echo undoing-the-touch; rm -f'
expect_screen "and asks" "Run this rollback and end the run? y/n (Enter: no)"
tui_keys n
expect_screen "n: back to the decision" "Step long was not confirmed." 5
expect_eq "nothing was rolled back" "$(ls "$T/m2")" "touched"
tui_keys b
expect_screen "asked again" "Run this rollback and end the run?"
tui_keys y
expect_screen "the rollback's output is shown after the run" "undoing-the-touch" 10
expect_screen "the run says it rolled back" "rolled_back"
expect_screen "and which rollback ran" "== rollback of touch"
expect_eq "the rollback ran" "$(ls "$T/m2")" ""
tui_keys x
tui_keys q
expect_eq "the console exits cleanly after the rollback" "$(tui_exit_status)" 0
expect_eq "two executions in all: the drill and the run" "$(runs)" "$((before + 2))"
run "$DR" runbook log
expect_in "the run is recorded as rolled back" "$OUT" "rolled_back"

# ---- read-only: the preview is there, starting is refused ----
before=$(runs)
tui_start -- --catalog "$DRCONSOLE_CATALOG" --read-only
expect_screen "read-only console starts" "READ-ONLY"
tui_keys 6 / ; tui_text toucher; tui_keys Enter
expect_screen "toucher listed under --read-only" "Touches a marker file"
tui_keys Enter
expect_screen "Enter previews under --read-only too" "preview: nothing runs from here"
tui_keys r
expect_screen "r from the preview is refused" "run runbook refused"
tui_keys Enter
expect_screen "the preview again" "preview: nothing runs from here"
tui_keys d
expect_screen "d from the preview is refused" "drill runbook refused"
tui_keys q
expect_eq "the read-only console exits cleanly" "$(tui_exit_status)" 0
expect_eq "read-only started no execution" "$(runs)" "$before"

# ---- failback's pg_rewind step, whole, at 80x24 ----
# A real run with kubectl, ssh and psql replaced by stubs that say they
# ran and fail: check-home fails and is skipped, then the typed question
# of rebuild-standby must let its command and instructions be read to
# the end (a long command in one that does not fit is above).
mkdir -p "$T/bin"
for c in kubectl ssh psql; do
	printf '#!/bin/sh\necho "%s $*" >>"%s/stub.log"\nexit 1\n' "$c" "$T" >"$T/bin/$c"
	chmod +x "$T/bin/$c"
done
tui_start "PATH=$T/bin:$PATH" -- --catalog "$DRCONSOLE_CATALOG"
expect_screen "console starts for failback" "1 Dashboard"
tui_keys 6 / ; tui_text failback; tui_keys Enter
expect_screen "failback is listed" "Failback: return the service"
tui_keys r
expect_screen "r asks before a real failback" "Start a REAL RUN of failback against api? y/n"
tui_keys y
expect_screen "its wizard" "REAL RUN of failback"
for _ in $(seq 18); do tui_keys Enter; sleep 0.1; done
expect_screen "check-home fails against the stub" "Step check-home failed." 15
tui_keys s
expect_screen "a skip asks why" "Why skip it"
tui_text "no cluster in the test"; tui_keys Enter
expect_screen "rebuild-standby asks for its typed word" "Type db1.eu-west-1.internal to run step rebuild-standby" 10
expect_screen "its command is shown to its end at once" '$DR_VAR_PG_CLUSTER start"'
expect_screen "standby.signal in it" "standby.signal && sudo -u postgres"
expect_screen "its instructions do not fit, and the screen says so" "more below: PgDn/Down"
expect_not_screen "their end is below" "characters that mean nothing to a shell."
tui_keys NPage
expect_screen "PgDn shows the instructions to their end" "characters that mean nothing to a shell."
expect_screen "the screen says it is the end" "the end (rows"
expect_screen "while the typed question waits" "Type db1.eu-west-1.internal to run step rebuild-standby"
tui_keys Escape
expect_screen "declined" "Step rebuild-standby was not confirmed." 5
tui_keys a
expect_screen "aborted" "aborted in" 10
tui_keys x q
expect_eq "the console exits cleanly after failback" "$(tui_exit_status)" 0
expect_not_in "ssh never ran" "$(cat "$T/stub.log")" "ssh "
expect_in "only the failed check did" "$(cat "$T/stub.log")" "kubectl --context eu-west-1 get --raw /readyz"
