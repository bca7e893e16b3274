# An agent that has stopped is itself an alarm: `status` says so, and the
# console's header shows AGENT STOPPED; a catalog no agent ever watched
# shows neither.  And an empty catalog is never shown as OK.
# catalogs: sqlite postgresql
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tmux.sh"
db=$(cat_url demo)
"$DR" demo --catalog "$db" >/dev/null

run "$DR" --catalog "$db" status
expect_not_in "no agent line before any agent ran" "$OUT" "Agent:"
tui_start -- --catalog "$db"
expect_screen "the console opens" "Dashboard"
expect_not_screen "no alarm before any agent ran" "AGENT STOPPED"
tui_keys q

timeout 20 "$DR" --catalog "$db" agent --ticks 2 >/dev/null 2>&1
run "$DR" --catalog "$db" status
expect_in "status names the stopped agent" "$OUT" "Agent: STOPPED"
tui_start -- --catalog "$db"
expect_screen "the header shows the alarm" "AGENT STOPPED"

# An empty catalog is not "OK": nothing is watched yet.
"$DR" --catalog "$(cat_url empty)" init >/dev/null
tui_start -- --catalog "$(cat_url empty)"
expect_screen "an empty catalog says NO SERVICES" "NO SERVICES"
expect_screen "and how to add one" "drconsole service add NAME"
expect_not_screen "never OK" " OK "
run "$DR" --catalog "$(cat_url empty)" status
expect_in "status says NO SERVICES too" "$OUT" "Verdict: NO SERVICES"
expect_not_in "and never OK" "$OUT" "Verdict: OK"

# A service its probes marked down: the footer says so on every view and
# names the failover runbook its config suggests.
cfgf=$T/probes.json
cat >"$cfgf" <<'JSON'
{"probes": {"timeout": "1s", "failures_before_down": 2,
  "services": {"orders-db": {"failover_runbook": "database-corruption",
    "checks": [{"name": "pg", "kind": "tcp", "host": "127.0.0.1", "port": 1}]}}}}
JSON
for _ in 1 2; do "$DR" --config "$cfgf" --catalog "$db" probe run >/dev/null 2>&1; done
tui_start -- --config "$cfgf" --catalog "$db"
expect_screen "the footer names the down service" "orders-db DOWN (probe pg)"
row=$(tui_screen | grep '^orders-db ')
case $row in *" DOWN"*) pass "the service's own row says DOWN" ;;
*) fail "the service's own row says DOWN" "row: $row" ;; esac
expect_screen "and its failover runbook" "suggested runbook database-corruption"
tui_keys 4
expect_screen "on every view" "orders-db DOWN (probe pg)"
