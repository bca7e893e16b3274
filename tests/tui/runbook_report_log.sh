#!/usr/bin/env bash
# The Log view at 80x24 over 111 runs made in line mode: it pages through
# every one of them 50 at a time (no cap), filters by service, incident and
# drill/real, and Enter shows a run's record (the content of `runbook
# report`), scrollable, with Esc back to the list.
# catalogs: sqlite postgresql
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tmux.sh"
cd "$DR_TOP" || exit 1
export DRCONSOLE_CATALOG=$(cat_url catalog)
"$DR" init >/dev/null 2>&1 || { fail "init" "$("$DR" init 2>&1)"; exit 1; }
"$DR" service add api --tier critical >/dev/null
"$DR" service add batch --tier low >/dev/null

cat >"$T/quick.json" <<'EOF'
{"name": "quick", "title": "Quick check of ${SERVICE}", "scenario": "partial",
 "rto": "15m", "rpo": "5m", "services": ["${SERVICE}"],
 "variables": [{"name": "SERVICE", "prompt": "Service", "default": "api", "pattern": "[a-z0-9-]+"}],
 "phases": [{"name": "Check", "steps": [
   {"id": "ping", "title": "Ping ${SERVICE}", "confirm": "none",
    "command": "echo pong \"$DR_VAR_SERVICE\"", "drill": "echo pong \"$DR_VAR_SERVICE\""}]}]}
EOF
cat >"$T/flaky.json" <<'EOF'
{"name": "flaky", "title": "Flaky copy for ${SERVICE}", "scenario": "partial",
 "rto": "15m", "rpo": "5m", "services": ["${SERVICE}"],
 "variables": [{"name": "SERVICE", "prompt": "Service", "default": "api", "pattern": "[a-z0-9-]+"},
               {"name": "DIR", "prompt": "Scratch", "pattern": "/[^[:space:]]+"}],
 "phases": [{"name": "Copy", "steps": [
   {"id": "copy", "title": "Copy the data", "confirm": "yes", "retries": 1,
    "command": "if [ -e \"$DR_VAR_DIR/ok\" ]; then echo copied twice; else touch \"$DR_VAR_DIR/ok\"; echo copy broke; exit 4; fi"}]}]}
EOF

# 111 runs: the oldest a drill of incident "oldest", 69 more drills of
# api, 40 real runs of batch (incident outage-9), and the newest a real
# run over both services whose step failed once and was re-run.
q() { "$DR" runbook run "$T/quick.json" --assume-yes "$@" </dev/null >/dev/null 2>&1 || fail "a quick run" "$*"; }
q --drill --incident oldest
for _ in $(seq 69); do q --drill; done
for _ in $(seq 40); do q --var SERVICE=batch --incident outage-9; done
mkdir -p "$T/flaky"
"$DR" runbook run "$T/flaky.json" --var DIR="$T/flaky" --services api,batch \
	--incident outage-1 --assume-yes </dev/null >"$T/flaky.out" 2>&1 ||
	fail "the flaky run completes" "$(cat "$T/flaky.out")"
newest=$("$DR" runbook log | awk 'NR == 2 {print $1}')
expect_eq "111 runs were made" "$("$DR" runbook log --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')" 111

tui_start -- --catalog "$DRCONSOLE_CATALOG"
expect_screen "console starts" "1 Dashboard"
tui_keys 5
expect_screen "the Log counts every run" "RUNS 1-50 of 111"
expect_screen "the newest run first" "outage-1"
tui_keys ]
expect_screen "] shows the next 50" "RUNS 51-100 of 111"
tui_keys ]
expect_screen "] again: the last 11" "RUNS 101-111 of 111"
expect_screen "the oldest run is there" "drill    completed   oldest"
tui_keys ]
expect_screen "no page past the last" "this is the last page of runs"
tui_keys [
expect_screen "[ goes back 50" "RUNS 51-100 of 111"
tui_keys [
expect_screen "[ back to the first page" "RUNS 1-50 of 111"
tui_keys [
expect_screen "no page before the first" "this is the first page of runs"

# Filters: by service, incident, drill/real (the `d` key and the words).
tui_keys / ; tui_text "service:batch"; tui_keys Enter
expect_screen "service:batch: its 40 real runs and the newest" "RUNS 1-41 of 41 [service:batch]"
expect_not_screen "no api-only drill" "drill    completed   partial"
tui_keys Escape
expect_screen "Esc clears the filter" "RUNS 1-50 of 111"
tui_keys / ; tui_text "incident:outage-9"; tui_keys Enter
expect_screen "incident:outage-9" "RUNS 1-40 of 40 [incident:outage-9]"
tui_keys Escape
tui_keys d
expect_screen "d: drills only" "RUNS 1-50 of 70 [drill]"
tui_keys ]
expect_screen "and they page too" "RUNS 51-70 of 70 [drill]"
tui_keys d
expect_screen "d again: real runs only" "RUNS 1-41 of 41 [real]"
tui_keys d
expect_screen "d again: all" "RUNS 1-50 of 111"
tui_keys / ; tui_text "real service:api"; tui_keys Enter
expect_screen "words combine: api's real runs" "RUNS 1-1 of 1 [real service:api]"
tui_keys Escape

# The record of the newest run.
tui_keys g j Enter
expect_screen "Enter shows the run's record" "Recovery $newest"
expect_screen "with its expanded title" "Title: Flaky copy for api"
expect_screen "a real run" "Kind: real run"
expect_screen "the RTO clock against api's target" "RTO of api: 15m: within"
expect_screen "and batch's" "RTO of batch: 4h: within"
expect_screen "data loss unknown" "Data loss: unknown"
expect_screen "where it stands in the record" "lines 1-"
tui_keys NPage
expect_screen "PgDn scrolls to the step" "Attempts: 2 (1 failed)"
expect_screen "with its exit status" "Exit status: 0"
tui_keys NPage
expect_screen "the waits for confirmation are in it" "to confirm"
tui_keys End
expect_screen "End: the end of the record" "LESSONS LEARNED"
tui_keys Home
expect_screen "Home: back to its top" "Recovery $newest"
tui_keys Escape
expect_screen "Esc: back to the list" "RUNS 1-50 of 111"

# The record of a run on the last page.
tui_keys ] ]
expect_screen "the last page again" "RUNS 101-111 of 111"
for _ in $(seq 10); do tui_keys j; done
tui_keys Enter
expect_screen "the oldest run's record" "Incident: oldest"
tui_keys NPage
expect_screen "its step's output, a page down" "pong api"
tui_keys BSpace
expect_screen "Backspace: back to the list" "RUNS 101-111 of 111"
tui_keys q
expect_eq "the console quits cleanly" "$(tui_exit_status)" 0
