# What the incident's audience hears: a notify step's message filled with
# the run's figures when it is sent (${ELAPSED}, ${RTO_LEFT}, ${STEP},
# ${INCIDENT}, ${OPERATOR}), on the screen and at the webhook alike; the
# status-update reminder of update_every, owed from the incident's start;
# and the refusals where those names mean nothing.
. "$(dirname "$0")/../lib.sh"
cd "$DR_TOP" || exit 1
HTTPD=$DR_TOP/${BUILD:-build}/tests/helpers/httpd
export DRCONSOLE_CATALOG=$T/catalog.db
"$HTTPD" "$T/port" "$T/hooks.log" &
at_exit "kill $! 2>/dev/null"
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
P=$(cat "$T/port")
mkdir -p "$XDG_CONFIG_HOME/drconsole"
cat >"$XDG_CONFIG_HOME/drconsole/config.json" <<JSON
{"environment": "test",
 "notifications": {"retries": 1, "timeout": "2s",
   "channels": [{"name": "ops", "kind": "json", "url": "http://127.0.0.1:$P/hook"}]}}
JSON
"$DR" init >/dev/null
"$DR" service add api --tier critical >/dev/null

cat >"$T/comms.json" <<'JSON'
{"name": "comms", "title": "Orders down on ${SITE}", "scenario": "partial", "rto": "30m", "rpo": "5m",
 "services": ["api"], "update_every": "15m",
 "update_template": "${INCIDENT} at ${SITE}: step ${STEP}, ${ELAPSED} in, ${RTO_LEFT} to the RTO",
 "variables": [{"name": "SITE", "prompt": "Site", "default": "fra1"}],
 "phases": [{"name": "p", "steps": [
  {"id": "first", "title": "First", "command": "true", "confirm": "none"},
  {"id": "tell", "title": "Tell", "kind": "notify", "confirm": "none",
   "message": "Update on ${INCIDENT}: step ${STEP}, ${ELAPSED} since it began, RTO left ${RTO_LEFT}, by ${OPERATOR}"},
  {"id": "last", "title": "Last", "command": "true", "confirm": "none"}]}]}
JSON
run "$DR" runbook check "$T/comms.json"
expect_eq "a runbook using the run's names is valid" "$RC" 0

# The clock pinned, so that the figures are exact.
export DRCONSOLE_NOW=2026-11-20T10:00:00Z
SSH_CLIENT="10.4.4.4 5000 22" run "$DR" runbook run "$T/comms.json" \
	--incident orders-down --incident-start 2026-11-20T09:40:00Z </dev/null
expect_eq "the run completes" "$RC" 0
all="$OUT$ERR"
expect_in "the run header says the title filled in" "$all" "Orders down on fra1"
expect_in "the notify step's message is filled when it is sent" "$all" \
	"notify: Update on orders-down: step 2/3, 20m since it began, RTO left 10m, by $(id -un) (10.4.4.4)"
log=$(cat "$T/hooks.log")
expect_in "the webhook got the same filled message" "$log" \
	"Update on orders-down: step 2/3, 20m since it began, RTO left 10m"
expect_not_in "no name was sent unfilled" "$log" '${'
expect_in "an update is owed at once (20m in, every 15m)" "$all" \
	"status update due (every 15m): orders-down at fra1: step 1/3, 20m in, 10m to the RTO"
expect_eq "and only once in a run of seconds" \
	"$(grep -c 'status update due' <<<"$all")" 1

# Over the RTO: RTO_LEFT says so, it never goes negative.
sed 's/"rto": "30m"/"rto": "10m"/' "$T/comms.json" >"$T/late.json"
: >"$T/hooks.log"
run "$DR" runbook run "$T/late.json" --incident late --incident-start 2026-11-20T09:35:00Z </dev/null
expect_in "past the RTO: RTO_LEFT says by how much" "$OUT$ERR" "RTO left none (over by 15m)"
expect_in "and the reminder's template" "$OUT$ERR" "none (over by 15m) to the RTO"

unset DRCONSOLE_NOW

# A run started on time owes no update in its first seconds.
run "$DR" runbook run "$T/comms.json" --incident fresh </dev/null
expect_not_in "started now: no reminder yet" "$OUT$ERR" "status update due"

# Where the names mean nothing, or a variable would hide one.
cat >"$T/bad-title.json" <<'JSON'
{"name": "bad", "title": "Bad", "scenario": "partial", "rto": "10m", "rpo": "5m",
 "services": ["api"], "phases": [{"name": "p", "steps": [
  {"id": "s", "title": "Step at ${ELAPSED}", "command": "true"}]}]}
JSON
run "$DR" runbook check "$T/bad-title.json"
expect_eq "a run name in a step title: refused" "$RC" 2
expect_in "  with its place and why" "$OUT$ERR" "bad-title.json:3:"
expect_in "  and where it may go" "$OUT$ERR" '${ELAPSED} is filled when a message is sent'
cat >"$T/bad-var.json" <<'JSON'
{"name": "bad", "title": "Bad", "scenario": "partial", "rto": "10m", "rpo": "5m",
 "services": ["api"], "variables": [{"name": "STEP", "prompt": "x"}],
 "phases": [{"name": "p", "steps": [{"id": "s", "title": "S", "command": "true"}]}]}
JSON
run "$DR" runbook check "$T/bad-var.json"
expect_eq "a variable named STEP: refused" "$RC" 2
expect_in "  naming the run's names" "$OUT$ERR" "variable name \"STEP\" is taken"
cat >"$T/bad-every.json" <<'JSON'
{"name": "bad", "title": "Bad", "scenario": "partial", "rto": "10m", "rpo": "5m",
 "services": ["api"], "update_every": "10s",
 "phases": [{"name": "p", "steps": [{"id": "s", "title": "S", "command": "true"}]}]}
JSON
run "$DR" runbook check "$T/bad-every.json"
expect_in "update_every under a minute: refused" "$OUT$ERR" "\"update_every\" must be between 1m and 24h"
sed 's/"update_every": "10s"/"update_template": "x"/' "$T/bad-every.json" >"$T/bad-tmpl.json"
run "$DR" runbook check "$T/bad-tmpl.json"
expect_in "a template without update_every: refused" "$OUT$ERR" "give \"update_every\" too"
expect_rc "audit chain intact" 0 "$DR" audit verify
