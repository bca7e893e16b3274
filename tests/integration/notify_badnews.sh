#!/usr/bin/env bash
# Issue 12: bad news is never dropped.  A flapping probe with rate_limit 2
# delivers every DOWN and ends with DOWN as the last message the receiver
# got; what the limit held back goes out in one digest and stays in notify
# log; a down after an up is not a "duplicate"; drills spend their own
# budget; a receiver that fails, then hangs, then recovers gets the alarm
# from the real agent in the end, and while nothing got through `agent
# status` says so; an agent stopping on SIGTERM says so too.
. "$(dirname "$0")/../lib.sh"
cd "$DR_TOP" || exit 1
RECV=$DR_TOP/tests/helpers/hookrecv.py
CAT=$XDG_DATA_HOME/drconsole/catalog.db
export DRCONSOLE_CATALOG=$CAT
echo ok >"$T/mode"
python3 "$RECV" "$T/port" "$T/hooks.jsonl" "$T/mode" &
at_exit "kill $! 2>/dev/null"
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
P=$(cat "$T/port")
mkdir -p "$XDG_CONFIG_HOME/drconsole"
CFG=$XDG_CONFIG_HOME/drconsole/config.json
# write_config RATE_LIMIT RATE_WINDOW [EXTRA_NOTIFY_KEYS]
write_config() {
	cat >"$CFG" <<JSON
{"environment": "flap",
 "services": [{"name": "app", "tier": "critical"}, {"name": "api", "tier": "critical"}],
 "probes": {"interval": "1s", "failures_before_down": 1, "services": {
   "app": {"checks": [{"name": "health", "kind": "command", "command": "cat $T/level", "max": 50}]}}},
 "agent": {"heartbeat": "1s"},
 "notifications": {"rate_limit": $1, "rate_window": "$2", "dedup_window": "1h",
   "retries": 30, "backoff": "1s", "backoff_max": "1s", "timeout": "1s" ${3:-},
   "channels": [{"name": "ops", "kind": "json", "url": "http://127.0.0.1:$P/hook",
                 "events": ["probe", "runbook", "agent"]}]}}
JSON
}
sq() { sqlite3 "$CAT" "$1"; }
states() { python3 -c 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["mode"] == "ok": print(json.loads(r["body"])["state"])' "$T/hooks.jsonl"; }

write_config 2 1h
"$DR" init >/dev/null
expect_rc "config apply" 0 "$DR" config apply
# down, up, down, up, down: one probe run each.
for level in 100 0 100 0 100; do
	echo "$level" >"$T/level"
	"$DR" probe run >/dev/null 2>&1
done
got=$(states | tr '\n' ' ')
expect_eq "every DOWN of the flapping probe reached the receiver (rate_limit 2)" \
	"$(states | grep -c '^down$')" 3
expect_eq "and the last message the receiver got is DOWN" "$(states | tail -1)" down
echo "# the receiver got: $got"
expect_eq "the good news past the limit was held back, not sent" \
	"$(sq "SELECT count(*) FROM notify_outbox WHERE state = 'up' AND status = 'rate_limited'")" 1
expect_eq "no down was counted as a duplicate of an earlier down" \
	"$(sq "SELECT count(*) FROM notify_outbox WHERE status = 'deduplicated'")" 0
run "$DR" notify log --limit 0
expect_in "notify log shows the held-back up with its state" \
	"$(grep rate_limited <<<"$OUT")" "probe health up"

# The digest: once the window has passed, one message tells what was held.
write_config 1 2s
: >"$T/hooks.jsonl"
sq "DELETE FROM notify_outbox; DELETE FROM notify_state;"
python3 - "$CFG" "$T" <<'PY'
import json, sys
cfg = json.load(open(sys.argv[1]))
t = sys.argv[2]
cfg["probes"]["services"]["app"]["checks"] = [
    {"name": n, "kind": "command", "command": "cat %s/level" % t, "max": 50}
    for n in ("a", "b", "c")]
json.dump(cfg, open(sys.argv[1], "w"))
PY
"$DR" config apply >/dev/null
echo 100 >"$T/level"; "$DR" probe run >/dev/null 2>&1
echo 0 >"$T/level"; "$DR" probe run >/dev/null 2>&1
expect_eq "three downs at once all went out, past rate_limit 1" "$(states | grep -c '^down$')" 3
expect_eq "the three ups were held back" \
	"$(sq "SELECT count(*) FROM notify_outbox WHERE state = 'up' AND status = 'rate_limited' AND digest_id IS NULL")" 3
sleep 2.2
"$DR" agent --ticks 1 >/dev/null 2>"$T/agent.err"
digest=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    b = json.loads(json.loads(l)["body"])
    if b["type"] == "digest": print(b["title"] + " | " + b["message"])' "$T/hooks.jsonl")
expect_eq "one digest went out after the window" "$(grep -c . <<<"$digest")" 1
expect_in "it counts what was held back" "$digest" "[flap] 3 messages held back"
expect_in "and names each with its state" "$digest" "probe:app:b up at"
run "$DR" notify log --limit 0
expect_eq "the held-back ones stay in notify log, told in the digest" \
	"$(grep -c 'told in digest' <<<"$OUT")" 3
"$DR" agent --ticks 1 >/dev/null 2>&1
expect_eq "one digest per window: a second flush sends none" \
	"$(sq "SELECT count(*) FROM notify_outbox WHERE type = 'digest'")" 1

# Drills have their own label and budget: ten drills leave a real run's
# messages alone.
write_config 3 1h
"$DR" config apply >/dev/null
sq "DELETE FROM notify_outbox; DELETE FROM notify_state;"
: >"$T/hooks.jsonl"
"$DR" init >/dev/null 2>&1
for _ in 1 2 3 4 5; do
	"$DR" runbook run tests/fixtures/runbooks/good/tell.json --drill --assume-yes </dev/null >/dev/null 2>&1
done
run "$DR" runbook run tests/fixtures/runbooks/good/tell.json </dev/null
expect_eq "the real run completes" "$RC" 0
real=$(sq "SELECT status FROM notify_outbox WHERE type = 'runbook' AND drill = 0" | sort | uniq -c | tr -s ' ')
expect_eq "after five drills the real run's start, notify step and end were all sent" "$real" " 3 sent"
expect_eq "the drills spent their own budget: some drill messages were held back" \
	"$(sq "SELECT count(*) > 0 FROM notify_outbox WHERE drill = 1 AND status = 'rate_limited'")" 1
drills=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    b = json.loads(json.loads(l)["body"])
    if b["drill"]: print(b["title"])' "$T/hooks.jsonl")
expect_in "a drill's message is labelled" "$drills" "[DRILL] [flap] "
expect_eq "every drill message is labelled" "$(grep -vc '^\[DRILL\]' <<<"$drills")" 0

# A receiver that fails, then hangs, then recovers, and the real agent.
write_config 20 1h
"$DR" config apply >/dev/null
sq "DELETE FROM notify_outbox; DELETE FROM notify_state;"
: >"$T/hooks.jsonl"
echo 0 >"$T/level"
"$DR" probe run >/dev/null 2>&1
echo fail >"$T/mode"
"$DR" agent >"$T/agent.log" 2>&1 &
AGENT=$!
at_exit "kill $AGENT 2>/dev/null"
sleep 1.5
echo 100 >"$T/level"
for _ in $(seq 40); do
	[ "$(python3 -c 'import json,sys
print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["mode"] == "fail"))' "$T/hooks.jsonl" 2>/dev/null)" -ge 6 ] 2>/dev/null && break
	sleep 0.5
done
run "$DR" agent status
expect_eq "while every delivery of the down fails, agent status exits 1" "$RC" 1
expect_in "and says the alarm reached no channel" "$OUT" "NOT DELIVERED"
expect_in "naming it" "$OUT" "probe health down"
echo hang >"$T/mode"
sleep 3
run "$DR" agent status
expect_in "a hanging receiver: still not delivered" "$OUT" "NOT DELIVERED"
echo ok >"$T/mode"
for _ in $(seq 40); do
	[ "$(sq "SELECT count(*) FROM notify_outbox WHERE state = 'down' AND status = 'sent'")" -ge 1 ] && break
	sleep 0.5
done
expect_eq "once the receiver recovers the down is delivered" \
	"$(sq "SELECT count(*) FROM notify_outbox WHERE state = 'down' AND status = 'sent'")" 1
expect_eq "and the receiver's last word is DOWN" "$(states | tail -1)" down
run "$DR" agent status
expect_not_in "agent status no longer reports undelivered alarms" "$OUT" "NOT DELIVERED"
kill "$AGENT"
wait "$AGENT" 2>/dev/null
stop=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    b = json.loads(json.loads(l)["body"])
    if b["type"] == "agent": print(b["state"], b["severity"], b["message"])' "$T/hooks.jsonl")
expect_in "SIGTERM: the agent told the channels it is stopping, as a warning" "$stop" "stopping warning drconsole agent on"
expect_not_in "its first start was no news" "$stop" "running"
tries=$(sq "SELECT max(attempts) FROM notify_outbox WHERE state = 'down'")
echo "# the down took $tries attempts"
if [ "$tries" -ge 3 ]; then pass "the agent kept retrying through failures and hangs"; else
	fail "retries" "$(sq 'SELECT channel, status, attempts, last_error FROM notify_outbox')"; fi
