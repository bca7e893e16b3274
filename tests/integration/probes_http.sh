#!/usr/bin/env bash
# HTTP and TCP probes against a scripted local server (healthy, 500, slow,
# refused, wrong body, over the latency threshold), all in one concurrent
# round; and webhooks (Slack, ntfy, generic JSON) delivered to a local
# receiver that fails at first: retried with backoff, sent only on changes
# of state, deduplicated and rate-limited, every message recorded.
. "$(dirname "$0")/../lib.sh"

HTTPD=$DR_TOP/${BUILD:-build}/tests/helpers/httpd
CAT=$XDG_DATA_HOME/drconsole/catalog.db
# The receiver answers 500 to its first two posts.
"$HTTPD" "$T/port" "$T/hooks.log" 2 &
HTTPD_PID=$!
at_exit "kill $HTTPD_PID 2>/dev/null"
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
P=$(cat "$T/port")
# A port with nobody listening.
DEAD=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

mkdir -p "$XDG_CONFIG_HOME/drconsole"
CFG=$XDG_CONFIG_HOME/drconsole/config.json
write_config() { # write_config BROKEN_PATH
	cat >"$CFG" <<JSON
{"environment": "httptest",
 "services": [{"name": "web", "tier": "critical"},
              {"name": "shop", "tier": "standard"}],
 "probes": {"timeout": "1s", "services": {
   "web": {"failover_runbook": "web-failover", "checks": [
     {"name": "healthy", "kind": "http", "url": "http://127.0.0.1:$P/ok",
      "body_contains": "healthy"},
     {"name": "broken", "kind": "http", "url": "http://127.0.0.1:$P$1"},
     {"name": "slow", "kind": "http", "url": "http://127.0.0.1:$P/slow/3000"},
     {"name": "slow2", "kind": "http", "url": "http://127.0.0.1:$P/slow/3000"},
     {"name": "refused", "kind": "http", "url": "http://127.0.0.1:$DEAD/ok"},
     {"name": "wrongbody", "kind": "http", "url": "http://127.0.0.1:$P/ok",
      "body_contains": "all systems go"},
     {"name": "sluggish", "kind": "http", "url": "http://127.0.0.1:$P/slow/300",
      "latency_max": "100ms"},
     {"name": "created", "kind": "http", "url": "http://127.0.0.1:$P/status/201",
      "expect_status": 201}
   ]},
   "shop": {"checks": [
     {"name": "port", "kind": "tcp", "host": "127.0.0.1", "port": $P},
     {"name": "closed", "kind": "tcp", "host": "127.0.0.1", "port": $DEAD},
     {"name": "queue", "kind": "command", "command": "echo 17", "max": 100}
   ]}}},
 "notifications": {"retries": 3, "backoff": "1s", "dedup_window": "1h",
   "rate_limit": 5,
   "channels": [
     {"name": "ops", "kind": "json", "url": "http://127.0.0.1:$P/json"},
     {"name": "chat", "kind": "slack", "url": "http://127.0.0.1:$P/slack",
      "events": ["probe"]},
     {"name": "phone", "kind": "ntfy", "url": "http://127.0.0.1:$P/topic",
      "services": ["shop"]}
   ]}}
JSON
}
write_config /status/500
expect_rc "config apply" 0 "$DR" config apply

secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
# A round without waits first, so that the command's own start-up (slow
# under sanitizers) is not counted.
cat >"$T/base.json" <<JSON
{"probes": {"services": {"base": {"checks": [
  {"name": "ok", "kind": "http", "url": "http://127.0.0.1:$P/ok"}]}}}}
JSON
start=$(date +%s.%N)
"$DR" --config "$T/base.json" probe run >/dev/null
end=$(date +%s.%N)
base=$(secs "$start" "$end")
start=$(date +%s.%N)
run "$DR" probe run
end=$(date +%s.%N)
took=$(secs "$start" "$end")
extra=$(awk -v a="$base" -v b="$took" 'BEGIN { printf "%.2f", b - a }')
echo "# one round of 11 probes took ${took}s, ${extra}s more than one without waits; two time out after 1s, one takes 0.3s"
expect_eq "a failed probe makes probe run exit 1" "$RC" 1
row() { grep -E "^$1 +$2 " <<<"$OUT"; }
expect_in "healthy: ok" "$(row web healthy)" "ok"
expect_in "500: failed with its status" "$(row web broken)" "HTTP 500, expected 200"
expect_in "slow: timed out" "$(row web slow)" "no answer within 1000 ms"
expect_in "refused: cannot connect" "$(row web refused)" "Couldn't connect"
expect_in "wrong body: named" "$(row web wrongbody)" "the body lacks \"all systems go\""
expect_in "over the latency threshold: slow" "$(row web sluggish)" "over 100 ms"
expect_in "expected status 201: ok" "$(row web created)" " ok "
expect_in "tcp to a listening port: ok" "$(row shop port)" "connected in"
expect_in "tcp to a closed port: refused" "$(row shop closed)" "Connection refused"
expect_in "command probe: its number" "$(row shop queue)" "17"
if awk -v x="$extra" 'BEGIN { exit !(x < 2.0) }'; then
	pass "all probes ran at once: ${extra}s of waiting, not the 2.3s sum of their waits"
else fail "all probes ran at once" "took ${took}s, ${extra}s more than a round without waits"; fi

# Three failures in a row: down, and one notification per change.
run "$DR" probe run
n_before=$(grep -c '^=== ' "$T/hooks.log" 2>/dev/null || echo 0)
expect_eq "no message before the third failure" "$n_before" 0
run "$DR" probe run
expect_in "down after three failures" "$OUT" "web/broken is DOWN (3 consecutive failures); suggested runbook: web-failover"
# Deliveries that failed (the receiver's first two answers) wait for their
# backoff; the agent would retry them, here a flush by notify test does.
sq() { sqlite3 "$CAT" "$1"; }
down_rows=$(sq "SELECT count(*) FROM notify_outbox WHERE type = 'probe' AND state = 'down'")
# web: 6 failing probes x (ops, chat) = 12, shop: closed x (ops, chat, phone) = 3
expect_eq "one message per channel per probe that went down" "$down_rows" 15
limited=$(sq "SELECT count(*) FROM notify_outbox WHERE status = 'rate_limited'")
expect_eq "past 5 messages an hour no down is held back: bad news bypasses the rate limit" "$limited" 0
failed_first=$(grep -c '^=== FAILED POST' "$T/hooks.log")
expect_eq "the receiver refused the first two deliveries" "$failed_first" 2
pending=$(sq "SELECT count(*) FROM notify_outbox WHERE status = 'pending' AND attempts = 1")
expect_eq "the two refused are queued for a retry" "$pending" 2

run "$DR" probe run
n_again=$(sq "SELECT count(*) FROM notify_outbox WHERE type = 'probe'")
expect_eq "a fourth failure is no news: nothing new queued" "$n_again" "$down_rows"

# notify test: one message per channel, retried until delivered.
run "$DR" notify test
expect_eq "notify test exits 0 once every channel got it" "$RC" 0
expect_in "notify test: 3 sent" "$OUT" "3 sent, 0 failed"
grep -q '"text":":warning: \*\[httptest\] web: probe broken down\*' "$T/hooks.log" &&
	pass "Slack gets incoming-webhook JSON" || fail "Slack gets incoming-webhook JSON" "$(head -40 "$T/hooks.log")"
grep -q '^Title: \[httptest\] shop: probe closed down' "$T/hooks.log" &&
	pass "ntfy gets a Title header" || fail "ntfy gets a Title header" "$(grep -A8 topic "$T/hooks.log" | head -20)"
grep -q '^Priority: high' "$T/hooks.log" && pass "ntfy gets a Priority header" ||
	fail "ntfy gets a Priority header"
grep -q '"type":"probe","service":"web","subject":"probe:web:broken","state":"down","severity":"critical"' "$T/hooks.log" &&
	pass "generic JSON carries type, service, subject, state, severity" ||
	fail "generic JSON" "$(grep -A6 'POST /json' "$T/hooks.log" | head -20)"
grep -q 'A test message from drconsole' "$T/hooks.log" && pass "the test message arrived" ||
	fail "the test message arrived"
topic=$(awk '/^=== /{ p = ($0 ~ /\/topic$/) } p' "$T/hooks.log")
expect_in "the phone channel hears about shop" "$topic" "shop/closed"
expect_eq "and only about shop" "$(grep -c 'web/' <<<"$topic")" 0

# Retries: the agent's flush delivers what was refused, after its backoff.
sleep 1
"$DR" agent --ticks 1 >/dev/null 2>"$T/agent.err"
sent=$(sq "SELECT count(*) FROM notify_outbox WHERE status = 'sent' AND attempts = 2")
expect_eq "the refused deliveries went through on their retry" "$sent" 2

# Back up: one "up" message; down again within the hour: deduplicated.
write_config /ok
run "$DR" probe run --service web
ups=$(sq "SELECT count(*) FROM notify_outbox WHERE state = 'up'")
expect_eq "up again: one message per channel" "$ups" 2
write_config /status/503
for _ in 1 2 3; do "$DR" probe run --service web >/dev/null; done
dedup=$(sq "SELECT count(*) FROM notify_outbox WHERE status = 'deduplicated' AND event_key = 'probe:web:broken'")
expect_eq "down again after an up within the dedup window: not a duplicate" "$dedup" 0
again=$(sq "SELECT count(*) FROM notify_outbox WHERE event_key = 'probe:web:broken' AND state = 'down' AND status = 'sent'")
expect_eq "both downs reached both channels" "$again" 4
held_up=$(sq "SELECT count(*) FROM notify_outbox WHERE state = 'up' AND status = 'rate_limited'")
expect_eq "past the rate limit the ups were held back" "$held_up" 2

run "$DR" notify log --limit 0
expect_in "notify log lists deliveries" "$OUT" "sent"
expect_in "notify log shows the rate-limited ones" "$OUT" "rate_limited"
expect_in "and says a digest will tell of them" "$OUT" "held back"
expect_not_in "webhook URLs are not in the log" "$OUT" "127.0.0.1:$P"

# A webhook that never answers well: retries end in failed.
cat >"$T/dead.json" <<JSON
{"notifications": {"retries": 1, "backoff": "1s", "timeout": "2s",
  "channels": [{"name": "void", "kind": "json", "url": "http://127.0.0.1:$DEAD/x"}]}}
JSON
run "$DR" --config "$T/dead.json" notify test
expect_eq "notify test exits 1 when a channel stays unreachable" "$RC" 1
expect_in "and says so" "$OUT" "0 sent, 1 failed"

# A body with NUL bytes before the text the probe looks for still holds it
# (the whole body is searched, not the string up to its first NUL).
cat >"$T/nul.json" <<JSON
{"probes": {"services": {"bin": {"checks": [
  {"name": "nul", "kind": "http", "url": "http://127.0.0.1:$P/nul",
   "body_contains": "healthy"},
  {"name": "absent", "kind": "http", "url": "http://127.0.0.1:$P/nul",
   "body_contains": "all systems go"}]}}}}
JSON
run "$DR" --config "$T/nul.json" probe run
expect_in "a body with NUL bytes before the text: ok" "$(row bin nul)" " ok "
expect_in "and text it lacks is still missing" "$(row bin absent)" "the body lacks \"all systems go\""
