#!/usr/bin/env bash
# A service that goes down again while its automatic failover is still
# open (paused at a manual step) gets no second one: the agent logs the
# second as refused, naming the open run, never as "started unattended";
# one execution is recorded.
. "$(dirname "$0")/../lib.sh"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$XDG_CONFIG_HOME/drconsole" "$T/runbooks"
cat >"$T/runbooks/call-the-dba.json" <<RB
{"name": "call-the-dba", "title": "Fence, then a person checks", "scenario": "failover",
 "rto": "15m", "rpo": "5m", "services": ["\${SERVICE}"],
 "variables": [{"name": "SERVICE", "prompt": "Service"}],
 "phases": [{"name": "Fail over", "steps": [
   {"id": "fence", "title": "Fence", "command": "echo fenced >> $T/actions", "confirm": "yes"},
   {"id": "look", "title": "Look at the replica", "kind": "manual",
    "instructions": "Check the replica."}]}]}
RB
cat >"$XDG_CONFIG_HOME/drconsole/config.json" <<JSON
{"runbook_dir": "$T/runbooks",
 "services": [{"name": "billing-db", "tier": "critical"}],
 "probes": {"interval": "1s", "timeout": "1s", "failures_before_down": 1, "services": {
   "billing-db": {"failover_runbook": "call-the-dba", "auto_failover": true, "checks": [
     {"name": "port", "kind": "tcp", "host": "127.0.0.1", "port": $PORT}]}}}}
JSON
expect_rc "config apply" 0 "$DR" config apply
"$DR" agent 2>"$T/agent.log" &
AGENT=$!
at_exit "kill -9 $AGENT 2>/dev/null"
wait_for 20 grep -q "automatic failover of billing-db" "$T/agent.log"
wait_for 20 bash -c "'$DR' runbook log | grep call-the-dba | grep -q in_progress"
# The service comes back (something listens), then goes down again.
python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $PORT)); s.listen(16); time.sleep(4)" &
LISTENER=$!
at_exit "kill $LISTENER 2>/dev/null"
wait_for 10 grep -q "probe billing-db/port up" "$T/agent.log"
wait "$LISTENER"
wait_for 10 bash -c "[ \$(grep -c 'probe billing-db/port DOWN' '$T/agent.log') -ge 2 ]"
sleep 2
kill -TERM "$AGENT"
wait "$AGENT"

expect_eq "the service went down twice" "$(grep -c 'probe billing-db/port DOWN' "$T/agent.log")" 2
expect_eq "the first failover started" \
	"$(grep -c 'automatic failover of billing-db with call-the-dba: started unattended' "$T/agent.log")" 1
id=$(awk '/call-the-dba/ {print $1; exit}' <<<"$("$DR" runbook log)")
expect_in "the second is logged as refused, naming the open run" "$(cat "$T/agent.log")" \
	"automatic failover of billing-db with call-the-dba: refused: a failover of billing-db is already open (runbook call-the-dba, recovery $id, paused, waiting for an operator); not started again"
expect_eq "one execution is recorded" "$("$DR" runbook log | grep -c call-the-dba)" 1
expect_eq "its first step ran once" "$(cat "$T/actions")" "fenced"
