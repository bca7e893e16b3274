# Bad news that reached no notification channel is an alarm in the
# console's header (issue 12), as `agent status` says; it goes away once
# the subject recovers.  At 80x24, as on call.
# catalogs: sqlite postgresql
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tmux.sh"
db=$(cat_url cat)
cfgf=$T/config.json
cat >"$cfgf" <<JSON
{"services": [{"name": "app", "tier": "critical"}],
 "probes": {"failures_before_down": 1, "services": {"app": {"checks": [
   {"name": "health", "kind": "command", "command": "cat $T/level", "max": 50}]}}},
 "notifications": {"retries": 0, "timeout": "1s", "channels": [
   {"name": "void", "kind": "json", "url": "http://127.0.0.1:1/hook"}]}}
JSON
"$DR" --config "$cfgf" --catalog "$db" init >/dev/null
"$DR" --config "$cfgf" --catalog "$db" config apply >/dev/null
echo 0 >"$T/level"
"$DR" --config "$cfgf" --catalog "$db" probe run >/dev/null 2>&1
tui_start -- --config "$cfgf" --catalog "$db"
expect_screen "the console opens" "Dashboard"
expect_not_screen "no alarm while every message got through" "NOT DELIVERED"
tui_keys q

echo 100 >"$T/level"
"$DR" --config "$cfgf" --catalog "$db" probe run >/dev/null 2>&1
tui_start -- --config "$cfgf" --catalog "$db"
expect_screen "the header says the down reached no channel" "ALARM NOT DELIVERED"
header=$(tui_screen | head -1)
expect_in "on the header line" "$header" "ALARM NOT DELIVERED"
tui_keys q

echo 0 >"$T/level"
"$DR" --config "$cfgf" --catalog "$db" probe run >/dev/null 2>&1
tui_start -- --config "$cfgf" --catalog "$db"
expect_screen "the console opens again" "Dashboard"
expect_not_screen "the recovered subject is no longer an undelivered alarm" "NOT DELIVERED"
tui_keys q

# Acknowledging from the console (the : prompt), as `alarm ack` does.
echo 100 >"$T/level"
"$DR" --config "$cfgf" --catalog "$db" probe run >/dev/null 2>&1
tui_start -- --config "$cfgf" --catalog "$db" --read-only
expect_screen "read-only console" "READ-ONLY"
tui_text ':ack probe:app:health on it'; tui_keys Enter
expect_screen "a read-only console refuses :ack" "read-only: :ack is not available"
tui_keys q
tui_start -- --config "$cfgf" --catalog "$db"
expect_screen "the console opens" "Dashboard"
tui_text ':ack probe:app:health'; tui_keys Enter
expect_screen ":ack without a reason is refused" "a reason is required"
tui_text ':ack probe:app:health DB team on it'; tui_keys Enter
expect_screen ":ack SUBJECT REASON acknowledges" "probe:app:health acknowledged"
tui_text ':silence probe:app:health 2h swap'; tui_keys Enter
expect_screen ":silence SUBJECT DURATION REASON silences" "probe:app:health silenced"
tui_keys q
run "$DR" --config "$cfgf" --catalog "$db" alarm list
expect_in "alarm list shows the console's acknowledgement" "$OUT" "acknowledged by $(id -un)"
expect_in "with its reason" "$OUT" ": DB team on it"
expect_in "and the silence" "$OUT" "silenced by $(id -un) until"
expect_eq "both audited" \
	"$(catq "$db" "SELECT action FROM audit_log WHERE action LIKE 'alarm.%' ORDER BY seq" | paste -sd' ')" \
	"alarm.ack alarm.silence"

# The service page lists the service's alarms, and `a` acknowledges the
# first one still unacknowledged through the same : command.
"$DR" --config "$cfgf" --catalog "$db" alarm unsilence probe:app:health >/dev/null
echo 0 >"$T/level"
"$DR" --config "$cfgf" --catalog "$db" probe run >/dev/null 2>&1
echo 100 >"$T/level"
"$DR" --config "$cfgf" --catalog "$db" probe run >/dev/null 2>&1
tui_start -- --config "$cfgf" --catalog "$db"
expect_screen "console for the page" "Dashboard"
tui_keys Enter
expect_screen "the page lists the alarm" "probe:app:health down (critical), not acknowledged"
expect_screen "and offers a" "a:ack"
tui_keys a
expect_screen "a opens the : prompt with the command typed" ":ack probe:app:health"
tui_text 'restarting the pod'; tui_keys Enter
expect_screen "acknowledged from the page" "probe:app:health acknowledged"
expect_screen "the page shows who acknowledged it" "acknowledged by"
expect_screen "and why" "$(id -un): restarting the pod"
tui_keys q q
tui_exit_status >/dev/null
expect_eq "two acknowledgements audited in all" \
	"$(catq "$db" "SELECT count(*) FROM audit_log WHERE action = 'alarm.ack'")" 2
