# Schedule lateness of the agent under load: 5 s HTTP probes and 1-minute
# jobs for 5 minutes, while a 2-minute job runs, every webhook delivery
# hangs until its 10 s timeout (a flapping probe keeps messages coming) and
# the heartbeat_url receiver hangs too.  Lateness of a run = the time since
# the previous run of the same probe or job, minus its interval, measured
# where the work arrives (a loopback receiver's clock for probes, the
# job's own `date` for jobs).  Goal: p99 lateness <= 1 s.
#   AGENT_BENCH_SECONDS=60 bash bench/run agent   a shorter run
#   AGENT_BENCH_OLD_KEYS=1 DR_BIN=/path/to/older/drconsole bash bench/agent_lateness.sh
#                                                 the same load on an older agent
set -u
SECS=${AGENT_BENCH_SECONDS:-300}
NPROBES=${AGENT_BENCH_PROBES:-5}
W=$(mktemp -d "${TMPDIR:-/tmp}/drbench.XXXXXX")
export HOME=$W XDG_DATA_HOME=$W/data XDG_CONFIG_HOME=$W/config
unset DRCONSOLE_CATALOG DRCONSOLE_NOW
python3 "$PWD/tests/helpers/recv.py" "$W/port" "$W/hits" &
recv=$!
agent=
trap 'kill $recv $agent 2>/dev/null; [ -n "${AGENT_BENCH_KEEP:-}" ] || rm -rf "$W"' EXIT
for _ in $(seq 50); do [ -s "$W/port" ] && break; sleep 0.1; done
P=$(cat "$W/port")
mkdir -p "$W/config/drconsole"
{
	printf '{"services": [{"name": "web", "tier": "standard"}],\n'
	printf ' "probes": {"interval": "5s", "timeout": "2s", "failures_before_down": 1,\n'
	printf '  "services": {"web": {"checks": [\n'
	for i in $(seq 1 "$NPROBES"); do
		printf '   {"name": "p%d", "kind": "http", "url": "http://127.0.0.1:%s/probe%d"},\n' "$i" "$P" "$i"
	done
	# Up for 10 s, down for 10 s: a message to deliver every 10 s.
	printf '   {"name": "flap", "kind": "command", "max": 100,\n'
	printf '    "command": "[ $(( $(date +%%s) / 10 %% 2 )) = 0 ] && echo 1 || echo 500"}]}}},\n'
	printf ' "notifications": {"timeout": "10s", "retries": 5, "backoff": "1s", "dedup_window": "1s",\n'
	printf '   "rate_limit": 1000, "channels": [\n'
	printf '   {"name": "stuck", "kind": "json", "url": "http://127.0.0.1:%s/hang"}]},\n' "$P"
	if [ -n "${AGENT_BENCH_OLD_KEYS:-}" ]; then
		# For a binary from before parallel_jobs and heartbeat_url.
		printf ' "agent": {"heartbeat": "5s", "jobs": [\n'
	else
		printf ' "agent": {"heartbeat": "5s", "parallel_jobs": 2,\n'
		printf '   "heartbeat_url": "http://127.0.0.1:%s/hang-ping", "jobs": [\n' "$P"
	fi
	printf '   {"name": "two-minutes", "schedule": "2m", "command": "sleep 120"},\n'
	printf '   {"name": "minute-a", "schedule": "1m", "command": "date +%%s.%%N >> %s/minute-a"},\n' "$W"
	printf '   {"name": "minute-b", "schedule": "1m", "command": "date +%%s.%%N >> %s/minute-b"}]}}\n' "$W"
} >"$W/config/drconsole/config.json"
"$DR_BIN" config apply >/dev/null || exit 1

"$DR_BIN" agent 2>"$W/agent.log" &
agent=$!
sleep "$SECS"
# The 2-minute job is always running: no drain to wait for.
kill -KILL "$agent"
{ wait "$agent"; } 2>/dev/null
agent=

# lateness INTERVAL < times: one lateness per gap.
lateness() { awk -v i="$1" 'NR > 1 { printf "%.3f\n", $1 - prev - i } { prev = $1 }'; }
for i in $(seq 1 "$NPROBES"); do
	awk -v p="/probe$i" '$3 == p { print $1 }' "$W/hits" | lateness 5
done >"$W/probe.late"
for j in minute-a minute-b; do lateness 60 <"$W/$j"; done >"$W/job.late"
stats() { # stats FILE: n, p50, p99, max (a negative lateness counts as 0)
	sort -g "$1" | awk '{ v[NR] = ($1 < 0 ? 0 : $1) } END {
		if (NR == 0) { print "no samples"; exit }
		p50 = v[int(NR * 0.50 + 0.999)]; p99 = v[int(NR * 0.99 + 0.999)]
		printf "%d runs, p50 %.3f s, p99 %.3f s, max %.3f s\n", NR, p50, p99, v[NR] }'
}
hangs=$(awk '$3 == "/hang"' "$W/hits" | wc -l)
pings=$(awk '$3 == "/hang-ping"' "$W/hits" | wc -l)
printf 'command: AGENT_BENCH_SECONDS=%s bash bench/run agent_lateness  (drconsole agent for %ss)\n' "$SECS" "$SECS"
printf 'load: %d http probes every 5s, a flapping command probe, jobs every 1m (2), a 120s job every 2m; %s\n' \
	"$NPROBES" "$([ -n "${AGENT_BENCH_OLD_KEYS:-}" ] && echo "an older agent" || echo "parallel_jobs 2")"
printf 'machine: %s, %s cores, load average %s\n' "$(uname -m)" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'webhook deliveries held open by the receiver: %d; heartbeat_url pings held open: %d\n' "$hangs" "$pings"
printf '5s probes, lateness: %s\n' "$(stats "$W/probe.late")"
printf '1m jobs, lateness:   %s\n' "$(stats "$W/job.late")"
printf '1m jobs, runs: minute-a %d, minute-b %d in %ss\n' "$(cat "$W/minute-a" 2>/dev/null | wc -l)" \
	"$(cat "$W/minute-b" 2>/dev/null | wc -l)" "$SECS"
printf 'the 120s job (every 2m, so always running): %s runs started\n' "$(grep -c 'job:two-minutes.* started' "$W/agent.log")"
printf 'goal: p99 lateness <= 1 s\n'
