#!/usr/bin/env bash
# The agent: heartbeat, one agent per catalog, SIGHUP reload (a bad config
# keeps the old one), kill -9 and restart without running a job twice for
# the same time, SIGTERM finishing the job in hand, and `agent status`
# turning stale and stopped into an alarm.
. "$(dirname "$0")/../lib.sh"

HTTPD=$DR_TOP/${BUILD:-build}/tests/helpers/httpd
"$HTTPD" "$T/port" &
HTTPD_PID=$!
at_exit "kill $HTTPD_PID 2>/dev/null"
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
P=$(cat "$T/port")

mkdir -p "$XDG_CONFIG_HOME/drconsole"
CFG=$XDG_CONFIG_HOME/drconsole/config.json
write_config() { # write_config EXTRA_CHECK
	cat >"$CFG" <<JSON
{"services": [{"name": "web", "tier": "critical"}],
 "probes": {"interval": "1s", "services": {"web": {"checks": [
   {"name": "home", "kind": "http", "url": "http://127.0.0.1:$P/ok"}$1]}}},
 "agent": {"heartbeat": "1s", "jobs": [
   {"name": "tick", "schedule": "every 5s",
    "command": "echo start \$(date +%s) >> $T/runs; sleep 6; echo end \$(date +%s) >> $T/runs"}]}}
JSON
}
write_config ""
expect_rc "config apply" 0 "$DR" config apply

AGENTS=()
start_agent() {
	"$DR" agent 2>>"$T/agent.log" &
	AGENT=$!
	AGENTS+=("$AGENT")
	at_exit "kill -9 $AGENT 2>/dev/null"
}
status_running() { "$DR" agent status 2>/dev/null | grep -q "running on"; }

start_agent
if wait_for 10 status_running; then pass "agent status: running, heartbeat in the catalog"; else
	fail "agent status: running" "$("$DR" agent status 2>&1)" "$(cat "$T/agent.log")"; fi
run "$DR" agent status
expect_in "the heartbeat names host and pid" "$OUT" "(pid $AGENT)"
expect_in "and whether backups are wired" "$OUT" "; backups: "

# A second agent on the same catalog is refused.
run "$DR" agent --ticks 1
expect_eq "a second agent exits 1" "$RC" 1
expect_in "and says another one runs" "$ERR" "another agent runs on this catalog (pid $AGENT on"

# SIGHUP with a broken config: refused, the old one kept.
cp "$CFG" "$T/good.json"
printf '{"probes": {"services": {"web": {"checks": [{"name": "x", "kind": "smtp"}]}}}}\n' >"$CFG"
kill -HUP "$AGENT"
wait_for 5 grep -q "reload failed" "$T/agent.log"
expect_in "a bad config on SIGHUP is refused with file:line:col" \
	"$(cat "$T/agent.log")" "reload failed, keeping the old config: $CFG:1:"
sleep 1.5
run "$DR" --config "$T/good.json" probe status
expect_in "the old config's probe still runs" "$OUT" "home"
# SIGHUP with a good one that adds a probe.
write_config ', {"name": "api", "kind": "http", "url": "http://127.0.0.1:'"$P"'/status/204", "expect_status": 204}'
kill -HUP "$AGENT"
wait_for 5 grep -q "config reloaded: 2 probes" "$T/agent.log"
expect_in "a good config on SIGHUP is taken" "$(cat "$T/agent.log")" "config reloaded: 2 probes"
if wait_for 5 bash -c "'$DR' probe status | grep -qE '^web +api +up'"; then
	pass "the new probe runs"; else fail "the new probe runs" "$("$DR" probe status)"; fi

# A job runs in a thread of its own: probes and the heartbeat go on.
wait_for 10 grep -q start "$T/runs"
n0=$(grep -c start "$T/runs")
wait_for 10 bash -c "[ \$(grep -c start '$T/runs') -gt $n0 ]"
sleep 3.5
run "$DR" agent status
expect_in "3.5s into a 6s job the heartbeat is fresh" "$OUT" "running on"
expect_eq "and the job is still running" "$(tail -1 "$T/runs" | cut -d' ' -f1)" "start"
n0=$(grep -c start "$T/runs")

# kill -9 while the job runs, then restart: no second run for the same time.
wait_for 10 bash -c "[ \$(grep -c start '$T/runs') -gt $n0 ]"
kill -9 "$AGENT"
wait "$AGENT" 2>/dev/null
killed_at=$(date +%s)
echo "# killed the agent at $killed_at, just after run $((n0 + 1)) started"
sleep 4.5
run "$DR" agent status
expect_eq "a dead agent's heartbeat turns stale: agent status exits 1" "$RC" 1
expect_in "and says STALE" "$OUT" "STALE: agent on"
start_agent
sleep 10
kill -TERM "$AGENT"
wait "$AGENT"
rc=$?
expect_eq "SIGTERM: the agent exits 0" "$rc" 0
expect_in "after finishing the work in hand" "$(tail -3 "$T/agent.log")" "agent stopped"
last=$(tail -1 "$T/runs")
case $last in end*) pass "the job in hand ran to its end before the agent stopped" ;;
*) fail "the job in hand ran to its end before the agent stopped" "$(cat "$T/runs")" ;; esac

echo "# job runs: $(grep start "$T/runs" | awk '{print $2}' | tr '\n' ' ')"
starts=$(grep start "$T/runs" | awk '{print $2}')
n=$(wc -l <<<"$starts")
if [ "$n" -ge 4 ]; then pass "the schedule went on after the restart ($n runs)"; else
	fail "the schedule went on after the restart" "$(cat "$T/runs")"; fi
gaps=$(awk 'NR > 1 { print $1 - prev } { prev = $1 }' <<<"$starts" | sort -n | head -1)
# Whole seconds on both sides (the claim's time and the job's own date):
# a run on time can read 4 s after the last; a duplicate reads 0 or 1.
if [ "${gaps:-0}" -ge 4 ]; then pass "no run closer than the 5s schedule: no duplicate (smallest gap ${gaps}s)"; else
	fail "no duplicate runs" "$(cat "$T/runs")"; fi
runs=$(sqlite3 "$XDG_DATA_HOME/drconsole/catalog.db" "SELECT runs FROM agent_jobs WHERE name = 'job:tick'")
expect_eq "the catalog counted every run once" "$runs" "$n"

run "$DR" agent status
expect_eq "a stopped agent: agent status exits 1" "$RC" 1
expect_in "and says STOPPED" "$OUT" "STOPPED: agent on"
expect_in "agent status lists the job's last run" "$OUT" "job:tick"
