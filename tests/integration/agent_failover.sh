#!/usr/bin/env bash
# Automatic failover: a service whose config says "auto_failover" has its
# failover runbook started by the agent when its probes mark it down.  The
# run is an ordinary execution: every confirmation answered and recorded as
# unattended, its steps in the catalog, started/finished webhooks sent.  A
# manual step or a failing step pauses it for an operator, who resumes it.
# A runbook that needs a value nobody gave is not started at all, and a
# service without "auto_failover" never fails over by itself.
. "$(dirname "$0")/../lib.sh"

HTTPD=$DR_TOP/${BUILD:-build}/tests/helpers/httpd
"$HTTPD" "$T/port" "$T/hooks.log" &
at_exit "kill $! 2>/dev/null"
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
P=$(cat "$T/port")
DEAD=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

mkdir -p "$XDG_CONFIG_HOME/drconsole" "$T/runbooks"
CFG=$XDG_CONFIG_HOME/drconsole/config.json
# Fences the service (typed confirmation: its name), then promotes (yes).
cat >"$T/runbooks/fence-and-promote.json" <<RB
{"name": "fence-and-promote", "title": "Fence the primary, promote the standby",
 "scenario": "failover", "rto": "15m", "rpo": "5m", "services": ["\${SERVICE}"],
 "variables": [{"name": "SERVICE", "prompt": "Service", "pattern": "[a-z-]+"},
               {"name": "SITE", "prompt": "Standby site", "default": "east"}],
 "phases": [{"name": "Fail over", "steps": [
   {"id": "fence", "title": "Fence \${SERVICE}", "command": "echo fenced \$DR_VAR_SERVICE >> $T/actions",
    "confirm": "typed", "confirm_word": "\${SERVICE}"},
   {"id": "promote", "title": "Promote in \${SITE}", "command": "echo promoted \$DR_VAR_SERVICE in \$DR_VAR_SITE >> $T/actions",
    "confirm": "yes"}]}]}
RB
# A manual step: nobody is there to do it, so the run waits.
cat >"$T/runbooks/call-the-dba.json" <<RB
{"name": "call-the-dba", "title": "Fence, then a person checks", "scenario": "failover",
 "rto": "15m", "rpo": "5m", "services": ["\${SERVICE}"],
 "variables": [{"name": "SERVICE", "prompt": "Service"}],
 "phases": [{"name": "Fail over", "steps": [
   {"id": "fence", "title": "Fence", "command": "echo fenced \$DR_VAR_SERVICE >> $T/actions2", "confirm": "yes"},
   {"id": "look", "title": "Look at the replica's data", "kind": "manual",
    "instructions": "Check that the replica has the morning's orders."},
   {"id": "reopen", "title": "Reopen", "command": "echo reopened >> $T/actions2"}]}]}
RB
# A variable without a default that is not the service: cannot start.
cat >"$T/runbooks/needs-a-value.json" <<RB
{"name": "needs-a-value", "title": "Needs a ticket", "scenario": "failover",
 "rto": "15m", "rpo": "5m", "services": ["\${SERVICE}"],
 "variables": [{"name": "SERVICE", "prompt": "Service"}, {"name": "TICKET", "prompt": "Ticket"}],
 "phases": [{"name": "Go", "steps": [{"id": "go", "title": "Go", "command": "touch $T/never"}]}]}
RB
cat >"$CFG" <<JSON
{"environment": "test", "runbook_dir": "$T/runbooks",
 "services": [{"name": "orders-db", "tier": "critical"}, {"name": "billing-db", "tier": "critical"},
              {"name": "ledger-db", "tier": "critical"}, {"name": "web", "tier": "standard"}],
 "probes": {"interval": "1s", "timeout": "1s", "failures_before_down": 2, "services": {
   "orders-db": {"failover_runbook": "fence-and-promote", "auto_failover": true, "checks": [
     {"name": "port", "kind": "tcp", "host": "127.0.0.1", "port": $DEAD},
     {"name": "port-again", "kind": "tcp", "host": "127.0.0.1", "port": $DEAD}]},
   "billing-db": {"failover_runbook": "call-the-dba", "auto_failover": true, "checks": [
     {"name": "port", "kind": "tcp", "host": "127.0.0.1", "port": $DEAD}]},
   "ledger-db": {"failover_runbook": "needs-a-value", "auto_failover": true, "checks": [
     {"name": "port", "kind": "tcp", "host": "127.0.0.1", "port": $DEAD}]},
   "web": {"failover_runbook": "fence-and-promote", "checks": [
     {"name": "port", "kind": "tcp", "host": "127.0.0.1", "port": $DEAD}]}}},
 "notifications": {"retries": 1, "timeout": "2s",
   "channels": [{"name": "ops", "kind": "json", "url": "http://127.0.0.1:$P/hook"}]}}
JSON
expect_rc "config apply" 0 "$DR" config apply

"$DR" agent 2>>"$T/agent.log" &
AGENT=$!
at_exit "kill -9 $AGENT 2>/dev/null"
wait_for 20 grep -q "automatic failover of billing-db" "$T/agent.log"
wait_for 20 grep -q "automatic failover of ledger-db" "$T/agent.log"
wait_for 20 bash -c "'$DR' runbook log | grep fence-and-promote | grep -q completed"
wait_for 10 bash -c "'$DR' runbook log | grep call-the-dba | grep -q in_progress"
sleep 2 # a few more rounds: nothing may start twice
kill -TERM "$AGENT"
wait "$AGENT"
alog=$(cat "$T/agent.log")

# orders-db: the whole runbook ran, unattended.
expect_in "the agent says it started orders-db's failover" "$alog" \
	"automatic failover of orders-db with fence-and-promote: started unattended: recovery "
expect_eq "once, though both its probes went down" \
	"$(grep -c 'automatic failover of orders-db' "$T/agent.log")" 1
expect_eq "the runbook's commands ran with the service as its variable" \
	"$(grep -v reopened "$T/actions" 2>/dev/null)" "fenced orders-db
promoted orders-db in east"
run "$DR" runbook log
expect_eq "one execution of fence-and-promote" "$(grep -c fence-and-promote <<<"$OUT")" 1
id=$(awk '/fence-and-promote/ {print $1; exit}' <<<"$OUT")
run "$DR" runbook log "$id"
expect_in "its record: completed" "$OUT" "completed"
expect_in "the incident names the failover" "$OUT" "auto-failover orders-db"
expect_in "the typed confirmation is recorded as unattended" "$OUT" "(unattended)"
expect_in "the notes say the agent started it" "$OUT" "Started by the agent"
expect_in "its audit rows name the origin: unattended" \
	"$("$DR" audit list --limit 0 | grep "$id" | grep runbook.start)" "@unattended"
hooks=$(cat "$T/hooks.log")
expect_in "a webhook said it started" "$hooks" "fence-and-promote started"
expect_in "and one that it finished" "$hooks" "fence-and-promote finished"

# billing-db: paused at the manual step, the step after it never ran.
expect_eq "billing-db: the step before the manual one ran" "$(cat "$T/actions2")" "fenced billing-db"
bid=$(awk '/call-the-dba/ {print $1; exit}' <<<"$("$DR" runbook log)")
run "$DR" runbook log "$bid"
expect_in "it is still in progress" "$OUT" "in_progress"
if grep -qE '^ +2 look +pending ' <<<"$OUT" && grep -qE '^ +3 reopen +pending ' <<<"$OUT"; then
	pass "waiting at the manual step, the rest not run"
else fail "waiting at the manual step, the rest not run" "$OUT"; fi
expect_in "a webhook says it waits for an operator" "$hooks" \
	"call-the-dba paused, waiting for an operator"
expect_in "naming how to resume it" "$hooks" "drconsole runbook resume $bid"
# An operator picks it up: the fence step does not run again.
run "$DR" runbook resume "$bid" --assume-yes </dev/null
expect_eq "resumed by an operator, it completes" "$RC" 0
expect_eq "fence did not run twice; reopen ran once" "$(cat "$T/actions2")" "fenced billing-db
reopened"

# ledger-db: not started, and the log says why.
expect_in "ledger-db: not started, naming the missing value" "$alog" \
	"variable TICKET of runbook needs-a-value has no default"
[ -e "$T/never" ] && fail "nothing of it ran" || pass "nothing of it ran"
expect_not_in "no execution of it is recorded" "$("$DR" runbook log)" "needs-a-value"

# web: down too, but it has no auto_failover.
expect_in "web went down" "$alog" "probe web/port DOWN"
expect_not_in "and was not failed over" "$alog" "automatic failover of web"

# --unattended on the command line: no --confirm with it.
run "$DR" runbook run fence-and-promote --unattended --confirm x --var SERVICE=web </dev/null
expect_eq "--unattended with --confirm: usage error" "$RC" 2
expect_in "saying why" "$ERR" "--unattended answers every confirmation"
