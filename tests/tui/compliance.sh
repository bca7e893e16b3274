#!/usr/bin/env bash
# The Compliance view's recovery rows: each recovery's time against its own
# RTO target and its data loss against its own RPO target (the RPO target
# used to be overwritten by the RTO target: "loss 2m/15m" for a 5m RPO).
# catalogs: sqlite postgresql
. "$(dirname "$0")/../lib.sh"
. "$DR_TOP/tests/tmux.sh"
command -v tmux >/dev/null || { skip "compliance view tests" "tmux is not installed"; exit 0; }
export DRCONSOLE_CATALOG=$(cat_url catalog)
"$DR" init >/dev/null 2>&1
"$DR" service add api --tier critical >/dev/null
cat >"$T/targets.json" <<'JSON'
{
  "name": "targets",
  "title": "A recovery with an RTO of 15m and an RPO of 5m",
  "scenario": "partial",
  "rto": "15m",
  "rpo": "5m",
  "services": ["api"],
  "phases": [
    { "name": "Restore",
      "steps": [ { "id": "one", "title": "One", "command": "true",
                   "confirm": "none" } ] }
  ]
}
JSON
expect_rc "a recovery runs" 0 "$DR" runbook run "$T/targets.json" --incident-start now-1m </dev/null
id=$("$DR" runbook log | awk 'NR == 2 {print $1}')
expect_rc "its data loss is noted" 0 "$DR" runbook note "$id" --data-loss 2

tui_start -- --catalog "$DRCONSOLE_CATALOG"
tui_keys 4
expect_screen "4 opens Compliance" "RECENT RECOVERIES AND DRILLS (1)"
row=$(tui_screen | grep ' incident ')
expect_in "the recovery's time is against its RTO target" "$row" "/15m ok"
expect_in "its data loss is against its RPO target" "$row" "loss 2m/5m ok"
expect_not_in "not against the RTO target" "$row" "loss 2m/15m"
tui_keys q
