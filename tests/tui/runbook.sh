#!/usr/bin/env bash
# The Runbooks view in a real terminal: a drill of partial-recovery from the
# list, through the wizard, confirming each step (the typed word included),
# with the RTO clock on screen; then the finished record in the Log view,
# and the webhooks told that it started and finished (a drill's notify
# steps are only shown; tests/integration/runbook_notify.sh has a real
# run's).
# catalogs: sqlite postgresql
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tmux.sh"
cd "$DR_TOP" || exit 1
export DRCONSOLE_CATALOG=$(cat_url catalog)
"$DR" init >/dev/null 2>&1
"$DR" service add api --tier critical >/dev/null
HTTPD=$DR_TOP/${BUILD:-build}/tests/helpers/httpd
"$HTTPD" "$T/port" "$T/hooks.log" &
at_exit "kill $! 2>/dev/null"
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
mkdir -p "$T/runbooks"
cp tests/fixtures/runbooks/good/tell.json "$T/runbooks/"
# api's database is backed up by drconsole: partial-recovery's restore step
# restores its newest verified backup (in a drill, as a restore test).
echo "api dump" >"$T/api.dump"
cat >"$XDG_CONFIG_HOME/drconsole/config.json" <<JSON
{"environment": "test", "runbook_dir": "$T/runbooks",
 "repositories": {"local": {"url": "file://$T/repo"}},
 "backups": {"api-db": {"service": "api", "repository": "local",
                        "source": {"kind": "file", "path": "$T/api.dump"}}},
 "notifications": {"retries": 1, "timeout": "2s",
   "channels": [{"name": "ops", "kind": "json", "url": "http://127.0.0.1:$(cat "$T/port")/hook"}]}}
JSON

"$DR" backup run api-db >/dev/null 2>&1 || fail "backup run api-db"
"$DR" backup verify --all >/dev/null 2>&1 || fail "backup verify --all"

tui_start -- --catalog "$DRCONSOLE_CATALOG"
expect_screen "console starts" "1 Dashboard"
tui_keys 6
expect_screen "the Runbooks view lists the shipped runbooks" "partial-recovery      partial"
expect_screen "with scenario and targets" "regional-failover     regional     30m"
tui_keys / ; tui_text partial; tui_keys Enter
expect_screen "filtered to partial-recovery" "Partial recovery of one service"
tui_keys d
expect_screen "d asks first, naming a drill" "Start a DRILL of partial-recovery against api? y/n"
tui_keys y
expect_screen "the wizard asks for the incident type" "Incident type"
expect_screen "with the runbook's default" "default: service-outage"
tui_keys Enter
expect_screen "then the affected services" "Affected services"
tui_keys Enter
expect_screen "then each variable" "Affected service (Kubernetes deployment name) (SERVICE)"
for _ in 1 2 3 4 5; do tui_keys Enter; sleep 0.2; done

expect_screen "the step view shows the phase tree" "1 Identify and isolate" 10
expect_screen "and the RTO clock against the target" "/ 30m"
expect_screen "the typed confirmation names the word" "Type api to run step isolate"
expect_screen "and shows the command about to run" "(drill form)"
expect_screen "and the instructions" "Stops all pods of the service"
tui_keys y Enter
expect_screen "y does not satisfy a typed confirmation" "Step isolate was not confirmed."
tui_keys r
expect_screen "re-asked" "Type api to run step isolate"
tui_text api; tui_keys Enter
expect_screen "then the next typed step" "Type api to run step restore-db" 10
expect_screen "completed steps are ticked" "[x] isolate"
sleep 1.2
if tui_screen | grep -qE "RTO [1-9][0-9]*s / 30m"; then pass "the RTO clock runs"; else
	fail "the RTO clock runs" "$(tui_screen)"; fi
tui_text api; tui_keys Enter
expect_screen "a yes/no step asks" "Run step scale-up?" 10
tui_keys y
expect_screen "the manual step asks to be marked done" "Mark step integrations as done?" 10
tui_keys y
expect_screen "the drill completes" "completed (drill)" 10
tui_keys x
expect_screen "back in the list with its last run" "drill completed"
tui_keys 5
expect_screen "the Log view shows the finished drill" "drill    completed   service-outage       partial-recovery"
tui_keys q
expect_eq "the console exits cleanly" "$(tui_exit_status)" 0

run "$DR" runbook log
expect_in "the catalog holds the completed drill" "$OUT" "completed"
id=$(awk '/partial-recovery/ {print $1; exit}' <<<"$OUT")
run "$DR" runbook log "$id"
expect_in "the typed confirmation recorded the operator" "$OUT" "isolate                  completed"
expect_in "the refused word was audited" "$("$DR" audit list --limit 0)" "runbook.confirm_refused"
hooks=$(cat "$T/hooks.log" 2>/dev/null)
expect_in "the webhook heard the drill start" "$hooks" "Drill of partial-recovery started"
expect_not_in "a drill's notify steps page nobody" "$hooks" "Partial recovery of api in"
expect_in "and that it finished" "$hooks" "Drill of partial-recovery finished"

# A real run from the console: its notify step reaches the webhook.
: >"$T/hooks.log"
tui_start -- --catalog "$DRCONSOLE_CATALOG"
expect_screen "console starts for a real run" "1 Dashboard"
tui_keys 6
tui_keys / ; tui_text tell; tui_keys Enter
expect_screen "the configured runbook is listed" "Tells the team"
tui_keys r
expect_screen "r asks first, naming a real run" "Start a REAL RUN of tell against api? y/n"
tui_keys y
expect_screen "the wizard asks for the incident" "Incident type"
tui_keys Enter
expect_screen "and the services" "Affected services"
tui_keys Enter
expect_screen "the run completes" "completed in" 10
tui_keys x q
tui_exit_status >/dev/null
hooks=$(cat "$T/hooks.log")
expect_in "the webhook heard the run start" "$hooks" "Runbook tell started"
expect_in "the notify step's message" "$hooks" "orders restore is starting now"
expect_in "and the end" "$hooks" "Runbook tell finished"

# Read-only consoles never run anything.
tui_start -- --catalog "$DRCONSOLE_CATALOG" --read-only
expect_screen "read-only console starts" "1 Dashboard"
tui_keys 6
expect_screen "runbooks listed" "partial-recovery"
tui_keys d
expect_screen "a drill is refused under --read-only" "refused; it would change state"
tui_keys q

# A run paused in line mode (no answer to its typed confirmation) is
# offered in the view and resumed there at the step where it stopped.
run "$DR" runbook run partial-recovery --drill --incident paused-one </dev/null
expect_eq "line mode pauses without an answer" "$RC" 1
paused=$(awk '/paused-one/ {print $1; exit}' <<<"$("$DR" runbook log)")
tui_start -- --catalog "$DRCONSOLE_CATALOG"
expect_screen "console starts again" "1 Dashboard"
tui_keys 6
expect_screen "the view says a run is waiting" "1 runbook run is interrupted or paused: R resumes"
tui_keys R
expect_screen "the paused run is offered" "partial-recovery     ${paused:0:8}"
tui_keys Enter
expect_screen "resume continues at the typed step" "Type api to run step isolate" 10
expect_screen "the steps before it are done" "[x] notify-start"
tui_text api; tui_keys Enter
expect_screen "next typed step" "Type api to run step restore-db" 10
tui_text api; tui_keys Enter
expect_screen "yes/no step" "Run step scale-up?" 10
tui_keys y
expect_screen "manual step" "Mark step integrations as done?" 10
tui_keys y
expect_screen "the resumed drill completes" "completed (drill)" 10
tui_keys x
tui_keys q
expect_eq "the console exits cleanly after the resume" "$(tui_exit_status)" 0
run "$DR" runbook log "$paused"
expect_in "the resumed record is completed" "$OUT" "status:          completed"
expect_eq "assess ran once (not re-run on resume)" \
	"$(catq "$DRCONSOLE_CATALOG" "SELECT count(*) FROM audit_log WHERE subject = '$paused' AND action = 'runbook.step.start' AND details LIKE 'step=assess %'")" 1
