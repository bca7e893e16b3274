# Monitoring end to end: check's thresholds and perfdata on real backups
# (85 % of the RPO is WARNING, past it CRITICAL), --service, a probe down
# reaching both metrics and check, and the agent serving /metrics to curl
# and rewriting the node_exporter textfile atomically.
. "$(dirname "$0")/../lib.sh"
. "$DR_TOP/tests/backup_lib.sh"

T0=$(date -u +%s)
T0=$((T0 - T0 % 60))
at() { DRCONSOLE_NOW=@$(($T0 + $1)) dr "${@:2}"; }

src=$T/source.txt
seq 1 20000 >"$src"
write_config '
  "orders-local": { "service": "orders", "repository": "local",
                    "source": { "kind": "file", "path": "'"$src"'" } }'
# orders (standard: RPO 30m) gets a backup and a restore test, so that
# only its RPO decides; app (critical) has nothing.
expect_rc "a backup of orders at T0" 0 at 0 backup run orders-local
expect_rc "and a restore test" 0 at 60 restore-test orders-local

# ---- check: thresholds and perfdata ----
expect_rc "at 85 % of its RPO orders is WARNING (exit 1)" 1 at 1530 check --service orders
expect_eq "first line: verdict, reason, perfdata with 80 % and 100 % of 1800s" "$OUT" \
	"DRCONSOLE AT RISK - orders: RPO at risk: last good backup 25m30s ago (target 30m) | 'orders rpo_age'=1530s;1440;1800;0"
expect_rc "past its RPO it is CRITICAL (exit 2)" 2 at 1830 check --service orders
expect_in "saying BREACH" "$OUT" "DRCONSOLE BREACH - orders: RPO breached"
expect_in "with the age past the critical threshold" "$OUT" "'orders rpo_age'=1830s;1440;1800;0"
expect_rc "at 50 % it is OK (exit 0)" 0 at 900 check --service orders
expect_in "saying OK" "$OUT" "DRCONSOLE OK - orders: "
expect_rc "all services: the worst decides (app has no backup: BREACH)" 2 at 1530 check
first=$(head -n 1 <<<"$OUT")
expect_in "first line counts and names the worst" "$first" "DRCONSOLE BREACH - 1 breach, 1 at risk, 0 ok of 2 services; worst: app: "
expect_in "perfdata of a service without recovery point is U" "$first" "'app rpo_age'=U;240;300;0"
expect_in "perfdata for every service" "$first" "| 'app rpo_age'=U;240;300;0 'orders rpo_age'=1530s;1440;1800;0"
expect_eq "long output: one line per service not OK, worst first" \
	"$(tail -n +2 <<<"$OUT" | cut -d: -f1)" $'BREACH app\nAT RISK orders'
expect_rc "an unknown service is UNKNOWN (exit 3)" 3 at 1530 check --service nope
expect_in "with a clear message" "$OUT" "DRCONSOLE UNKNOWN - no service 'nope' in catalog"
expect_rc "a bad option is UNKNOWN (exit 3)" 3 dr check --bogus

# ---- a probe down: metrics say down, check at least WARNING naming it ----
cat >"$T/probes.json" <<JSON
{ "probes": { "failures_before_down": 2, "services": { "orders": { "checks": [
    { "name": "api", "kind": "command", "command": ["false"] } ] } } } }
JSON
pr() { DRCONSOLE_NOW=@$(($T0 + $1)) "$DR" --catalog "$db" --config "$T/probes.json" "${@:2}"; }
pr 600 probe run >/dev/null 2>&1
pr 601 probe run >/dev/null 2>&1
run pr 900 metrics
expect_in "metrics: the probe is down (0)" "$OUT" 'drconsole_probe_up{service="orders",probe="api"} 0'
expect_in "after two failures" "$OUT" 'drconsole_probe_consecutive_failures{service="orders",probe="api"} 2'
expect_in "and its service counts one probe down" "$OUT" 'drconsole_service_probes_down{service="orders"} 1'
expect_rc "check: a service within its RPO with a probe down is WARNING" 1 pr 900 check --service orders
expect_in "naming the probe" "$OUT" "probe down: api"

# ---- the agent: GET /metrics and the textfile ----
command -v curl >/dev/null || { skip "agent metrics" "curl missing"; exit 0; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
demo=$T/demo.db
"$DR" demo --catalog "$demo" >/dev/null
mkdir -p "$T/textfile"
cat >"$T/agent.json" <<JSON
{ "agent": { "heartbeat": "1s", "metrics_listen": "127.0.0.1:$port",
             "metrics_textfile": "$T/textfile/drconsole.prom" } }
JSON
expect_rc "config check accepts the metrics keys" 0 "$DR" --config "$T/agent.json" config check
printf '{"agent": {"metrics_listen": "localhost"}}\n' >"$T/bad.json"
expect_rc "config check refuses a listen address without a port" 2 "$DR" --config "$T/bad.json" config check
expect_in "saying what it expected" "$OUT$ERR" 'expected "HOST:PORT"'
"$DR" --catalog "$demo" --config "$T/agent.json" agent 2>>"$T/agent.log" &
AGENT=$!
at_exit "kill -9 $AGENT 2>/dev/null"
for _ in $(seq 50); do grep -q "metrics: serving" "$T/agent.log" 2>/dev/null && [ -s "$T/textfile/drconsole.prom" ] && break; sleep 0.1; done
expect_in "the agent says where it serves" "$(cat "$T/agent.log")" "metrics: serving GET /metrics on 127.0.0.1:$port"

run curl -sS -D "$T/headers" "http://127.0.0.1:$port/metrics"
expect_eq "curl GET /metrics succeeds" "$RC" 0
printf '%s\n' "$OUT" >"$T/scraped.prom"
expect_in "with the exposition content type" "$(cat "$T/headers")" "Content-Type: text/plain; version=0.0.4; charset=utf-8"
run promtool check metrics <"$T/scraped.prom"
expect_eq "promtool passes on the scrape" "$RC $OUT$ERR" "0 "
expect_in "the scrape has the demo's verdict" "$(cat "$T/scraped.prom")" $'\ndrconsole_verdict 2\n'
expect_in "and the agent's own heartbeat" "$(cat "$T/scraped.prom")" 'drconsole_agent_heartbeat_timestamp_seconds{host="'
expect_eq "another path is 404" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/")" 404
expect_eq "POST is 405" "$(curl -s -o /dev/null -w '%{http_code}' -X POST -d x "http://127.0.0.1:$port/metrics")" 405

# The textfile is replaced whole: read it while the agent rewrites it.
python3 - "$T/textfile/drconsole.prom" >"$T/reads" <<'PY'
import os, sys, time
path, bad, reads, inodes = sys.argv[1], 0, 0, set()
end = time.time() + 4.5
while time.time() < end:
    try:
        with open(path) as f:
            inodes.add(os.fstat(f.fileno()).st_ino)
            text = f.read()
    except FileNotFoundError:
        bad += 1
        continue
    reads += 1
    lines = text.split("\n")
    if not (text.startswith("# HELP drconsole_verdict ") and text.endswith("\n")
            and lines[-2].startswith("drconsole_catalog_last_change_timestamp_seconds ")):
        bad += 1
print(reads, bad, len(inodes))
PY
read -r reads bad inodes <"$T/reads"
echo "# textfile: $reads reads, $bad partial or missing, $inodes versions seen"
expect_eq "never partial or missing while being rewritten" "$bad" 0
[ "$inodes" -ge 3 ] && pass "rewritten every heartbeat by rename ($inodes files seen)" ||
	fail "rewritten every heartbeat by rename" "only $inodes versions seen in $reads reads"
run promtool check metrics <"$T/textfile/drconsole.prom"
expect_eq "promtool passes on the textfile" "$RC $OUT$ERR" "0 "
# The agent still rewrites it every heartbeat: a temporary file of the
# write in progress may be there for a moment, but none stays.
only_prom() { [ "$(ls "$T/textfile")" = "drconsole.prom" ]; }
wait_for 5 only_prom
expect_eq "no temporary file is left beside it" "$(ls "$T/textfile")" "drconsole.prom"

run "$DR" --catalog "$demo" --config "$T/agent.json" agent --ticks 1
expect_eq "a second agent is refused before it listens" "$RC" 1
kill -TERM "$AGENT"
wait "$AGENT"
expect_eq "SIGTERM: the agent exits 0" "$?" 0
curl -s -o /dev/null "http://127.0.0.1:$port/metrics" && fail "the listener stops with the agent" || pass "the listener stops with the agent"
# The address is taken: the agent refuses to start.
python3 -c 'import socket,sys,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); print("held", flush=True); time.sleep(5)' "$port" >"$T/held" &
HOLDER=$!
at_exit "kill $HOLDER 2>/dev/null"
for _ in $(seq 50); do [ -s "$T/held" ] && break; sleep 0.1; done
run "$DR" --catalog "$demo" --config "$T/agent.json" agent --ticks 1
expect_eq "an agent whose metrics address is taken exits 1" "$RC" 1
expect_in "saying so" "$ERR" "cannot listen on 127.0.0.1:$port"
