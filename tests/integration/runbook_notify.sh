# Runbook started and finished reach the configured webhooks (issue 6:
# notifications on changes of state), and a webhook that cannot be reached
# never stops the run.
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
expect_rc "a drill with webhooks configured completes" 0 \
	"$DR" runbook run tests/fixtures/runbooks/good/counter.json --drill --assume-yes --var DIR="$T" </dev/null
log=$(cat "$T/hooks.log" 2>/dev/null)
expect_eq "two messages were posted" "$(grep -c '^=== POST /hook' <<<"$log")" 2
expect_in "one says the run started" "$log" "counter started"
expect_in "one says it finished" "$log" "counter finished"

# A notify step of a real run goes to the channels too.
: >"$T/hooks.log"
run "$DR" runbook run tests/fixtures/runbooks/good/tell.json </dev/null
expect_eq "the run with a notify step completes" "$RC" 0
log=$(cat "$T/hooks.log")
expect_in "the notify step's message was posted" "$log" "orders restore is starting now"
expect_eq "with the start and the end: three messages" "$(grep -c '^=== POST /hook' <<<"$log")" 3

cat >"$XDG_CONFIG_HOME/drconsole/config.json" <<JSON
{"notifications": {"retries": 1, "timeout": "1s",
   "channels": [{"name": "void", "kind": "json", "url": "http://127.0.0.1:1/x"}]}}
JSON
run "$DR" runbook run tests/fixtures/runbooks/good/counter.json --drill --assume-yes --var DIR="$T" --incident void </dev/null
expect_eq "an unreachable webhook does not stop the run" "$RC" 0
expect_in "and the run completes as a drill" "$OUT" "completed (drill)"
