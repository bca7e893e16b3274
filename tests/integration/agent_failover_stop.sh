#!/usr/bin/env bash
# The agent runs an automatic failover on a thread of its own (no second
# drconsole process).  Stopped while a step's command runs, the agent
# stops that command, leaves the run paused (the step not marked done),
# and only then exits; an operator's `runbook resume` finishes it.
. "$(dirname "$0")/../lib.sh"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$XDG_CONFIG_HOME/drconsole" "$T/runbooks"
cat >"$T/runbooks/slow-promote.json" <<RB
{"name": "slow-promote", "title": "Fence, then a slow promote", "scenario": "failover",
 "rto": "15m", "rpo": "5m", "services": ["\${SERVICE}"],
 "variables": [{"name": "SERVICE", "prompt": "Service"}],
 "phases": [{"name": "Fail over", "steps": [
   {"id": "fence", "title": "Fence", "command": "echo fenced >> $T/actions"},
   {"id": "promote", "title": "Promote", "command": "if [ -e $T/fast ]; then echo promoted >> $T/actions; else echo promoting; sleep 60; fi"}]}]}
RB
cat >"$XDG_CONFIG_HOME/drconsole/config.json" <<JSON
{"runbook_dir": "$T/runbooks",
 "services": [{"name": "orders-db", "tier": "critical"}],
 "probes": {"interval": "1s", "timeout": "1s", "failures_before_down": 1, "services": {
   "orders-db": {"failover_runbook": "slow-promote", "auto_failover": true, "checks": [
     {"name": "port", "kind": "tcp", "host": "127.0.0.1", "port": $PORT}]}}}}
JSON
expect_rc "config apply" 0 "$DR" config apply
"$DR" agent 2>"$T/agent.log" &
AGENT=$!
at_exit "kill -9 $AGENT 2>/dev/null; pkill -f 'sleep 60; fi' 2>/dev/null"
wait_for 20 grep -q "automatic failover of orders-db" "$T/agent.log"
wait_for 20 pgrep -f 'echo promoting; sleep 60' >/dev/null
expect_eq "the run is the agent's: no second drconsole" "$(pgrep -c -x drconsole -P "$AGENT" || true)" 0
id=$(awk '/slow-promote/ {print $1; exit}' <<<"$("$DR" runbook log)")
ERR=$("$DR" runbook resume "$id" </dev/null 2>&1 >/dev/null)
expect_in "while it runs it is held by the agent's own process" "$ERR" "(pid $AGENT)"
start=$SECONDS
kill -TERM "$AGENT"
wait "$AGENT"
RC=$?
expect_eq "the agent exits cleanly" "$RC" 0
expect_eq "promptly, without waiting out the step" "$((SECONDS - start < 20))" 1
expect_eq "the step's command was stopped with it" "$(pgrep -c -f 'echo promoting; sleep 60' || true)" 0
OUT=$("$DR" runbook log "$id")
expect_in "the run is left in progress, for an operator" "$OUT" "in_progress"
expect_not_in "the promote step is not recorded as done" "$(grep -i promote <<<"$OUT")" "completed"
expect_in "the agent's log says it paused" "$(cat "$T/agent.log")" "paused at step 2 for an operator"
touch "$T/fast"
RC=0
# The stopped step failed; the operator retries it.
echo r | "$DR" runbook resume "$id" --assume-yes >"$T/resume.out" 2>&1 || RC=$?
expect_eq "an operator's resume finishes it" "$RC" 0
expect_eq "fence ran once, promote once" "$(cat "$T/actions")" "fenced
promoted"
expect_in "and the record says completed" "$("$DR" runbook log "$id")" "completed"
