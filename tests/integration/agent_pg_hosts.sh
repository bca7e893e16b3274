#!/usr/bin/env bash
# Agents on two hosts share one PostgreSQL catalog.  Each agent runs in a
# UTS namespace of its own (unshare --uts), so each has a host name of its
# own as it would on two machines; the second is known by the "name" of
# its config instead.  Neither refuses the other; each beats under its own
# name and `agent status` shows both; a check pinned to an agent runs on
# that agent only, an unpinned one once per interval on whichever claims
# it; when one agent dies the other goes on and the dead one shows STALE.
. "$(dirname "$0")/../lib.sh"
. "$DR_TOP/tests/pg_server.sh"
unset DRCONSOLE_CATALOG

if ! unshare --uts true 2>/dev/null; then
	skip "agents on two hosts" "unshare --uts needs root here"
	exit 0
fi
CAT=$(pg_db shared)
# A webhook: each message the agents send is one line here.
echo ok >"$T/mode"
python3 "$DR_TOP/tests/helpers/hookrecv.py" "$T/port" "$T/hooks.jsonl" "$T/mode" &
at_exit "kill $! 2>/dev/null"
wait_for 5 test -s "$T/port"
P=$(cat "$T/port")
# One config for both but the second's "name".  A check prints 1 and
# notes the host it ran on and when.
conf() { # conf FILE AGENT-SECTION-EXTRA
	cat >"$1" <<JSON
{"services": [{"name": "web", "tier": "critical"}],
 "agent": {"heartbeat": "1s" $2},
 "probes": {"services": {"web": {"checks": [
   {"name": "on-dc1", "kind": "command", "interval": "1s", "agent": "dc1",
    "command": "echo \$(hostname) >> $T/on-dc1; echo 1"},
   {"name": "on-dc2", "kind": "command", "interval": "1s", "agent": "dc2",
    "command": "echo \$(hostname) >> $T/on-dc2; echo 1"},
   {"name": "on-nobody", "kind": "command", "interval": "1s",
    "agent": "retired-host", "command": "echo x >> $T/on-nobody; echo 1"},
   {"name": "any", "kind": "command", "interval": "2s",
    "command": "echo \$(hostname) \$(date +%s.%N) >> $T/any; echo 1"},
   {"name": "broken", "kind": "command", "interval": "1s", "command": "exit 1"}]}},
   "failures_before_down": 1},
 "notifications": {"repeat": "1h", "retries": 0,
   "channels": [{"name": "ops", "kind": "json", "url": "http://127.0.0.1:$P/hook",
                 "events": ["probe"]}]}}
JSON
}
conf "$T/a.json" ""
conf "$T/b.json" ', "name": "dc2"'
expect_rc "init on PostgreSQL" 0 "$DR" init --catalog "$CAT" --config "$T/a.json"
expect_rc "config apply" 0 "$DR" config apply --catalog "$CAT" --config "$T/a.json"

# Host dc1 (its host name is its name) and host hostb (named dc2).
unshare --uts sh -c 'hostname dc1; exec "$0" "$@"' "$DR" agent \
	--catalog "$CAT" --config "$T/a.json" 2>"$T/a.log" &
A=$!
wait_for 5 grep -q "agent started" "$T/a.log"
unshare --uts sh -c 'hostname hostb; exec "$0" "$@"' "$DR" agent \
	--catalog "$CAT" --config "$T/b.json" 2>"$T/b.log" &
B=$!
at_exit "kill -9 $A $B 2>/dev/null"
sleep 8

if kill -0 "$A" 2>/dev/null && kill -0 "$B" 2>/dev/null; then
	pass "an agent on another host is not refused"
else
	fail "an agent on another host is not refused" "$(cat "$T/a.log" "$T/b.log")"
fi
expect_in "the second says whom it shares the catalog with" "$(cat "$T/b.log")" \
	"sharing the catalog with 1 other running agent"
expect_in "it is known by its configured name" "$(cat "$T/b.log")" "as dc2,"
run "$DR" agent status --catalog "$CAT"
expect_eq "agent status: both alive" "$RC" 0
expect_in "agent status counts both" "$OUT" "agents: 2 of 2 agents running (dc1, dc2)"
expect_in "and shows each by host" "$OUT" "  running on dc1 (pid $A)"
expect_in "the configured name, not the host name" "$OUT" "  running on dc2 (pid $B)"
run "$DR" status --catalog "$CAT" --config "$T/a.json"
expect_in "status shows both agents" "$OUT" "Agent: 2 of 2 agents running (dc1, dc2)"

expect_eq "the check pinned to dc1 ran on dc1 only" \
	"$(sort -u "$T/on-dc1" | tr '\n' ' ')" "dc1 "
expect_eq "the check pinned to dc2 ran on dc2's host only" \
	"$(sort -u "$T/on-dc2" | tr '\n' ' ')" "hostb "
if [ ! -e "$T/on-nobody" ]; then pass "a check pinned to an agent that does not run, runs nowhere"; else
	fail "a check pinned to an agent that does not run, runs nowhere" "$(cat "$T/on-nobody")"; fi
any=$(wc -l <"$T/any")
twice=$(awk '{print $2}' "$T/any" | sort -n |
	awk 'NR > 1 && $1 - prev < 1 { n++ } { prev = $1 } END { print n + 0 }')
if [ "$any" -ge 3 ] && [ "$twice" -eq 0 ]; then
	pass "the unpinned check ran once per interval ($any runs in 8s)"
else
	fail "the unpinned check ran once per interval" "$(cat "$T/any")"
fi
runs=$(pgq shared "select runs from agent_jobs where name = 'probe:web/any'")
expect_eq "the catalog counts each claimed run" "$runs" "$any"
msg=$(pgq shared "select last_message from agent_jobs where name = 'probe:web/any'")
expect_in "and says which agent ran the last" "$msg" "on dc"
downs=$(grep -c 'broken' "$T/hooks.jsonl" 2>/dev/null)
expect_eq "the check that went down was told once, not once per agent" "${downs:-0}" 1
expect_in "by the agent that holds the delivery" \
	"$(pgq shared "select last_message from agent_jobs where name = 'notify:deliver'")" "dc"

# dc2 dies without a word: dc1 goes on with the unpinned check, and the
# dead agent reads STALE after three heartbeats.
kill -9 "$B"
wait "$B" 2>/dev/null
before=$(wc -l <"$T/any")
sleep 5
after_dc1=$(tail -n +"$((before + 1))" "$T/any" | awk '{print $1}' | sort -u | tr '\n' ' ')
expect_eq "after dc2 died the unpinned check runs on dc1" "$after_dc1" "dc1 "
run "$DR" agent status --catalog "$CAT"
expect_eq "agent status fails while an agent is stale" "$RC" 1
expect_in "naming the dead one" "$OUT" "STALE: agent on dc2 (pid $B)"
expect_in "and the one still running" "$OUT" "1 of 2 agents running (dc1)"
kill -TERM "$A"
wait "$A"
expect_eq "dc1 stops cleanly" "$?" 0
