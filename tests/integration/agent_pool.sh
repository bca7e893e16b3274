#!/usr/bin/env bash
# The agent never stalls: with a webhook receiver that hangs until its
# timeout and a long job running, probes keep their interval, heartbeats
# and heartbeat_url pings go on, a short job keeps its schedule on the
# pool's other worker, a job never runs twice at once, a job held back by a
# full pool is logged with how late it started, and SIGTERM's drain is
# visible ("stopping: waiting for 1 job", `agent status` says stopping).
. "$(dirname "$0")/../lib.sh"

python3 "$DR_TOP/tests/helpers/recv.py" "$T/port" "$T/hits" &
RECV=$!
at_exit "kill $RECV 2>/dev/null"
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
P=$(cat "$T/port")
# A port where nothing listens: a probe that is down from the start.
DEAD=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

mkdir -p "$XDG_CONFIG_HOME/drconsole"
CFG=$XDG_CONFIG_HOME/drconsole/config.json
write_config() { # write_config PARALLEL_JOBS
	cat >"$CFG" <<JSON
{"services": [{"name": "web", "tier": "critical"}],
 "probes": {"interval": "2s", "services": {"web": {"checks": [
   {"name": "home", "kind": "http", "url": "http://127.0.0.1:$P/probe"},
   {"name": "gone", "kind": "http", "url": "http://127.0.0.1:$DEAD/", "timeout": "1s"}]}}},
 "notifications": {"timeout": "10s", "retries": 3, "backoff": "1s", "channels": [
   {"name": "stuck", "kind": "json", "url": "http://127.0.0.1:$P/hang"}]},
 "agent": {"heartbeat": "1s", "parallel_jobs": $1,
   "heartbeat_url": "http://127.0.0.1:$P/ping",
   "jobs": [
   {"name": "long", "schedule": "every 3s",
    "command": "echo start \$(date +%s.%N) >> $T/long; sleep 8; echo end \$(date +%s.%N) >> $T/long"},
   {"name": "tick", "schedule": "every 2s",
    "command": "date +%s.%N >> $T/tick"}]}}
JSON
}
# Bad values are refused with file:line:column.
printf '{"agent": {\n  "parallel_jobs": 0,\n  "heartbeat_url": "ftp://example.org/x"}}\n' >"$T/bad.json"
run "$DR" --config "$T/bad.json" config check
expect_eq "parallel_jobs 0 and an ftp heartbeat_url: refused" "$RC" 2
expect_in "parallel_jobs: at its line, saying what is expected" "$ERR" "$T/bad.json:2:3: \"parallel_jobs\": expected a whole number from 1 to 16"
expect_in "heartbeat_url: at its line, naming what was found" "$ERR" "$T/bad.json:3:3: \"heartbeat_url\": expected an http:// or https:// URL, found \"ftp://example.org/x\""
write_config 2
expect_rc "config apply" 0 "$DR" config apply

"$DR" agent 2>"$T/agent.log" &
AGENT=$!
at_exit "kill -9 $AGENT 2>/dev/null"
sleep 14
hits() { awk -v p="$1" '$3 == p { print $1 }' "$T/hits"; }
max_gap() { awk 'NR > 1 { g = $1 - prev; if (g > m) m = g } { prev = $1 } END { printf "%.1f", m }'; }

n_hang=$(hits /hang | wc -l)
if [ "$n_hang" -ge 1 ]; then pass "the webhook receiver hangs ($n_hang deliveries held open)"; else
	fail "the webhook receiver got a delivery" "$(cat "$T/hits")" "$(cat "$T/agent.log")"; fi
gap=$(hits /probe | tail -n +2 | max_gap)
echo "# probe times: $(hits /probe | tr '\n' ' ')"
if awk -v g="$gap" 'BEGIN { exit !(g > 0 && g < 4.5) }'; then
	pass "2s probes keep their interval while the receiver hangs (largest gap ${gap}s)"; else
	fail "2s probes keep their interval while the receiver hangs" "largest gap ${gap}s" "$(cat "$T/hits")"; fi
n_ping=$(hits /ping | wc -l)
if [ "$n_ping" -ge 8 ]; then pass "heartbeat_url is pinged every heartbeat ($n_ping pings in 14s)"; else
	fail "heartbeat_url is pinged every heartbeat" "$n_ping pings" "$(cat "$T/agent.log")"; fi
gap=$(hits /ping | tail -n +2 | max_gap)
if awk -v g="$gap" 'BEGIN { exit !(g < 3) }'; then
	pass "pings keep the heartbeat's pace (largest gap ${gap}s)"; else
	fail "pings keep the heartbeat's pace" "largest gap ${gap}s"; fi

# The long job runs 8s; the tick job (every 2s) ran beside it.
read -r _ l_start < <(grep start "$T/long" | head -1)
l_end=$(awk '$1 == "end" { print $2; exit }' "$T/long")
inside=$(awk -v a="$l_start" -v b="${l_end:-9e18}" '$1 > a && $1 < b' "$T/tick" | wc -l)
if [ "$inside" -ge 3 ]; then pass "a short job keeps its schedule while a long one runs ($inside runs inside it)"; else
	fail "a short job keeps its schedule while a long one runs" "$(cat "$T/long")" "$(cat "$T/tick")"; fi
run "$DR" agent status
expect_in "the heartbeat is fresh while both run" "$OUT" "running on"

# Every 3s, but 8s long: never two at once, and each later run is late.
overlap=$(awk '$1 == "start" { if (open) bad = 1; open = 1 } $1 == "end" { open = 0 } END { print bad + 0 }' "$T/long")
expect_eq "a job never runs twice at once" "$overlap" 0
expect_in "a run that starts after its time says how late" "$(cat "$T/agent.log")" "job:long started "
if grep -qE 'job:long started [0-9]+\.[0-9] s late \(every 3s\)' "$T/agent.log"; then
	pass "in seconds and tenths"; else fail "lateness in seconds and tenths" "$(grep long "$T/agent.log")"; fi

# One worker: the tick job waits behind the long one, and says so.
write_config 1
kill -HUP "$AGENT"
wait_for 5 grep -q "config reloaded" "$T/agent.log"
# A machine under load can make any run a second late: wait for the
# lateness the long job's hold gives (it holds the only worker for 8s).
wait_for 30 sh -c "grep -oE 'job:tick started [0-9.]+ s late' '$T/agent.log' | awk '\$3 >= 2 { f = 1 } END { exit !f }'"
expect_in "parallel_jobs 1: the short job waits and is logged late" "$(cat "$T/agent.log")" "job:tick started "
late=$(grep -oE 'job:tick started [0-9.]+ s late' "$T/agent.log" | awk '{ print $3 }' | sort -n | tail -1)
if awk -v l="$late" 'BEGIN { exit !(l >= 2) }'; then pass "by seconds, as the long job held the only worker (${late}s)"; else
	fail "the short job's lateness reflects the wait" "$(grep tick "$T/agent.log")"; fi

# SIGTERM while the long job runs: the drain shows.
n0=$(grep -c start "$T/long")
wait_for 30 bash -c "[ \$(grep -c start '$T/long') -gt $n0 ]"
kill -TERM "$AGENT"
wait_for 5 grep -q "stopping: waiting for" "$T/agent.log"
expect_in "SIGTERM: the log says what it waits for" "$(cat "$T/agent.log")" "stopping: waiting for 1 job: job:long"
sleep 3.5
run "$DR" agent status
expect_in "agent status says stopping, not running" "$OUT" "stopping on "
expect_in "and which job it waits for" "$OUT" "waiting for 1 job: job:long"
expect_not_in "a draining agent's heartbeat is fresh, not STALE" "$OUT" "STALE"
wait "$AGENT"
expect_eq "the agent exits 0 once the job is done" "$?" 0
expect_eq "the job in hand ran to its end" "$(tail -1 "$T/long" | cut -d' ' -f1)" end
run "$DR" agent status
expect_in "then STOPPED" "$OUT" "STOPPED: agent on"

# A dead man's switch that is itself dead: the agent goes on.
sed -i "s|\"heartbeat_url\": \"http://127.0.0.1:$P/ping\"|\"heartbeat_url\": \"http://127.0.0.1:$P/hang-ping\"|" "$CFG"
"$DR" agent 2>"$T/agent2.log" &
AGENT=$!
at_exit "kill -9 $AGENT 2>/dev/null"
sleep 9
run "$DR" agent status
expect_in "a heartbeat_url that hangs does not stall the agent's heartbeat" "$OUT" "running on"
gap=$(hits /probe | awk -v since="$(date -d '-8 sec' +%s)" '$1 > since' | max_gap)
if awk -v g="$gap" 'BEGIN { exit !(g > 0 && g < 4.5) }'; then
	pass "nor its probes (largest gap ${gap}s)"; else fail "probes go on beside a hanging ping" "gap ${gap}"; fi
expect_in "the failed ping is logged" "$(cat "$T/agent2.log")" "heartbeat_url: ping failed: no answer within 5000 ms"
n=$(grep -c "heartbeat_url: ping failed" "$T/agent2.log")
expect_eq "once, not every heartbeat" "$n" 1
kill -TERM "$AGENT"
wait "$AGENT"
expect_eq "and it stops cleanly" "$?" 0
