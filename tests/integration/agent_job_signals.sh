#!/usr/bin/env bash
# Commands the agent's job workers start get the ordinary signal mask, not
# the workers' (which block every signal for the main thread's sake): an
# import command that outlives its timeout is stopped by SIGTERM at once,
# not left to run to its end, and the next import runs on schedule.
. "$(dirname "$0")/../lib.sh"
"$DR" init >/dev/null
"$DR" service add orders-db --tier critical >/dev/null
mkdir -p "$XDG_CONFIG_HOME/drconsole"
cat >"$XDG_CONFIG_HOME/drconsole/config.json" <<JSON
{"agent": {"heartbeat": "1s"},
 "imports": [
   {"name": "stuck", "format": "walg", "service": "orders-db", "timeout": "2s",
    "command": ["sh", "-c", "echo \$\$ > $T/pid; exec sleep 60"], "schedule": "1h"}]}
JSON
expect_rc "config check" 0 "$DR" config check
"$DR" agent 2>"$T/agent.log" &
AGENT=$!
at_exit "kill -9 $AGENT 2>/dev/null; [ -s $T/pid ] && kill -9 \$(cat $T/pid) 2>/dev/null"
for _ in $(seq 150); do grep -q "import:stuck: FAILED" "$T/agent.log" && break; sleep 0.1; done
expect_in "the import is failed at its 2s timeout" "$(cat "$T/agent.log")" \
	"import:stuck: FAILED (import failed, nothing imported: sh: killed after 2s (its timeout))"
sleep 0.5
if [ -s "$T/pid" ] && kill -0 "$(cat "$T/pid")" 2>/dev/null; then
	fail "its command was stopped" "pid $(cat "$T/pid") still runs: $(grep SigBlk /proc/"$(cat "$T/pid")"/status)"
else pass "its command was stopped by SIGTERM, not left running"; fi
kill -TERM "$AGENT"
wait "$AGENT"
expect_eq "the agent stops cleanly" "$?" 0
