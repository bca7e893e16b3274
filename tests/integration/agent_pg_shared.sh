#!/usr/bin/env bash
# Two agents share one PostgreSQL catalog: each due run of a job is
# claimed by one of them (the claim names the start its agent read, so the
# slower one loses and skips), the catalog counts every run that ran, and
# no run is made twice.
. "$(dirname "$0")/../lib.sh"
. "$DR_TOP/tests/pg_server.sh"
unset DRCONSOLE_CATALOG

CAT=$(pg_db shared)
mkdir -p "$XDG_CONFIG_HOME/drconsole"
cat >"$XDG_CONFIG_HOME/drconsole/config.json" <<JSON
{"services": [{"name": "web", "tier": "critical"}],
 "agent": {"heartbeat": "1s", "parallel_jobs": 2,
   "jobs": [{"name": "tick", "schedule": "every 2s",
             "command": "date +%s.%N >> $T/tick"}]}}
JSON
expect_rc "init on PostgreSQL" 0 "$DR" init --catalog "$CAT"
expect_rc "config apply" 0 "$DR" config apply --catalog "$CAT"

"$DR" agent --catalog "$CAT" 2>"$T/a.log" &
A=$!
"$DR" agent --catalog "$CAT" 2>"$T/b.log" &
B=$!
at_exit "kill -9 $A $B 2>/dev/null"
sleep 11
kill -TERM "$A" "$B"
wait "$A" "$B" 2>/dev/null

beats=$(pgq shared "select count(distinct pid) from agent_heartbeat")
expect_eq "both agents ran on the one catalog (two heartbeats)" "$beats" 2
ran=$(wc -l <"$T/tick")
runs=$(pgq shared "select runs from agent_jobs where name = 'job:tick'")
if [ "$ran" -ge 4 ]; then pass "the job ran on schedule ($ran runs in 11s)"; else
	fail "the job ran on schedule" "$ran runs" "$(cat "$T/a.log" "$T/b.log")"; fi
expect_eq "the catalog counts each run that ran, once" "$runs" "$ran"
# A run made twice starts twice at once; runs due 2s apart are >= 1s apart.
twice=$(sort -n "$T/tick" | awk 'NR > 1 && $1 - prev < 0.5 { n++ } { prev = $1 } END { print n + 0 }')
if [ "$twice" -eq 0 ]; then pass "no due run was made by both agents"; else
	fail "no due run was made by both agents" "$(sort -n "$T/tick")" "$(cat "$T/a.log" "$T/b.log")"; fi
started=$(cat "$T/a.log" "$T/b.log" | grep -cE "tick:? started")
expect_eq "the agents' logs name as many starts as ran" "$started" "$ran"
lost=$(cat "$T/a.log" "$T/b.log" | grep -c "another agent took this run")
echo "# claims lost to the other agent: $lost; starts by A: $(grep -cE "tick:? started" "$T/a.log"), by B: $(grep -cE "tick:? started" "$T/b.log")"
