#!/usr/bin/env bash
# Issue 12: acknowledging and silencing in line mode.  An unacknowledged
# bad state is told again every `repeat`; `alarm ack` stops the repeats
# but keeps the alarm listed with who, when and why; `alarm silence` holds
# every message about the subject until it ends (recorded as silenced);
# each change is audited; bad input changes nothing.
. "$(dirname "$0")/../lib.sh"
cd "$DR_TOP" || exit 1
RECV=$DR_TOP/tests/helpers/hookrecv.py
CAT=$XDG_DATA_HOME/drconsole/catalog.db
echo ok >"$T/mode"
python3 "$RECV" "$T/port" "$T/hooks.jsonl" "$T/mode" &
at_exit "kill $! 2>/dev/null"
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
P=$(cat "$T/port")
mkdir -p "$XDG_CONFIG_HOME/drconsole"
cat >"$XDG_CONFIG_HOME/drconsole/config.json" <<JSON
{"services": [{"name": "app", "tier": "critical"}],
 "probes": {"interval": "1h", "failures_before_down": 1, "services": {
   "app": {"checks": [{"name": "health", "kind": "command", "command": "cat $T/level", "max": 50},
                      {"name": "disk", "kind": "command", "command": "cat $T/disk", "max": 50}]}}},
 "notifications": {"repeat": "2s", "retries": 0,
   "channels": [{"name": "ops", "kind": "json", "url": "http://127.0.0.1:$P/hook", "events": ["probe"]}]}}
JSON
sq() { sqlite3 "$CAT" "$1"; }
titles() { python3 -c 'import json,sys
for l in open(sys.argv[1]): print(json.loads(json.loads(l)["body"])["title"])' "$T/hooks.jsonl"; }
"$DR" init >/dev/null
"$DR" config apply >/dev/null
echo 0 >"$T/level"; echo 0 >"$T/disk"
"$DR" probe run >/dev/null 2>&1
echo 100 >"$T/level"; echo 100 >"$T/disk"
"$DR" probe run >/dev/null 2>&1

run "$DR" alarm list
expect_eq "alarm list exits 0" "$RC" 0
expect_in "a down probe is a firing alarm" "$(grep '^probe:app:health ' <<<"$OUT")" "down      critical"
expect_in "not yet handled" "$(grep '^probe:app:health ' <<<"$OUT")" "FIRING"

# Repeats: every `repeat` while nobody acknowledges.
sleep 2.2
"$DR" agent --ticks 1 >/dev/null 2>&1
# At least once: an agent run slowed past another `repeat` by a loaded
# machine rightly repeats again.
reps=$(titles | grep -c '^(repeat) app: probe health down')
if [ "$reps" -ge 1 ]; then pass "an unacknowledged down is told again after 'repeat' ($reps)"; else
	fail "an unacknowledged down is told again after 'repeat'" "$(titles)"; fi
expect_in "the repeat says since when and how to stop it" "$(tail -1 "$T/hooks.jsonl")" "alarm ack probe:app:"

# Bad input changes nothing.
audit_before=$(sq "SELECT count(*) FROM audit_log")
run "$DR" alarm ack probe:app:health
expect_eq "ack without --reason is a usage error" "$RC" 2
expect_in "that says why a reason is needed" "$ERR" "--reason TEXT is required"
run "$DR" alarm ack probe:app:nosuch --reason "x"
expect_eq "ack of an unknown subject is refused (exit 2)" "$RC" 2
expect_in "and points at alarm list" "$ERR" "no subject \"probe:app:nosuch\" (see 'drconsole alarm list'"
run "$DR" alarm silence probe:app:disk --reason "x"
expect_eq "a silence without --for is refused" "$RC" 2
run "$DR" alarm silence probe:app:disk --for soon --reason "x"
expect_eq "a silence with a bad --for is refused" "$RC" 2
run "$DR" --read-only alarm ack probe:app:health --reason "x"
expect_eq "--read-only refuses an ack" "$(test "$RC" -ne 0 && echo refused)" refused
expect_eq "none of that touched the audit log" "$(sq "SELECT count(*) FROM audit_log")" "$audit_before"
expect_eq "nor the marks" "$(sq "SELECT count(*) FROM alarm_marks")" 0

run "$DR" alarm ack probe:app:health --reason "DB team is on it, ticket 42"
expect_eq "ack exits 0" "$RC" 0
run "$DR" alarm list
expect_in "an acknowledged alarm stays listed" "$(grep '^probe:app:health ' <<<"$OUT")" "acknowledged"
expect_in "with who, when and why" "$OUT" "acknowledged by $(id -un)"
expect_in "and the reason" "$OUT" ": DB team is on it, ticket 42"
expect_eq "the ack is audited" "$(sq "SELECT action || ' ' || subject FROM audit_log WHERE action LIKE 'alarm.%'")" \
	"alarm.ack probe:app:health"
n_before=$(titles | grep -c 'probe health down')
sleep 2.2
"$DR" agent --ticks 1 >/dev/null 2>&1
expect_eq "an acknowledged alarm stops repeating" "$(titles | grep -c 'probe health down')" "$n_before"
reps=$(titles | grep -c '^(repeat) app: probe disk down')
if [ "$reps" -ge 2 ]; then pass "an unacknowledged one keeps repeating ($reps)"; else
	fail "an unacknowledged one keeps repeating" "$(titles)"; fi

# The ack is of this episode: up and down again notifies, and fires again.
echo 0 >"$T/level"; "$DR" probe run >/dev/null 2>&1
echo 100 >"$T/level"; "$DR" probe run >/dev/null 2>&1
expect_eq "down again after an up is told" "$(titles | grep -c '^app: probe health down')" 2
run "$DR" alarm list
expect_in "and is a new, unacknowledged alarm" "$(grep '^probe:app:health ' <<<"$OUT")" "FIRING"

# Silence: every message held until it ends, recorded as silenced.
run "$DR" alarm silence probe:app:disk --for 2h --reason "disk swap tonight"
expect_eq "silence exits 0" "$RC" 0
expect_in "and says until when" "$OUT" "probe:app:disk silenced until"
run "$DR" alarm list
expect_in "a silence is listed with its end and reason" "$OUT" "silenced by $(id -un) until"
expect_in "and its reason" "$OUT" "disk swap tonight"
n_before=$(wc -l <"$T/hooks.jsonl")
echo 0 >"$T/disk"; "$DR" probe run >/dev/null 2>&1
echo 100 >"$T/disk"; "$DR" probe run >/dev/null 2>&1
sleep 2.2
"$DR" agent --ticks 1 >/dev/null 2>&1
expect_eq "nothing about a silenced subject went out" \
	"$(tail -n +"$((n_before + 1))" "$T/hooks.jsonl" | grep -c 'probe:app:disk')" 0
expect_eq "its messages are in the outbox as silenced" \
	"$(sq "SELECT count(*) FROM notify_outbox WHERE event_key = 'probe:app:disk' AND status = 'silenced'")" 2
run "$DR" notify log --limit 0
expect_in "notify log shows them" "$OUT" "silenced by an operator"
expect_rc "unsilence exits 0" 0 "$DR" alarm unsilence probe:app:disk
run "$DR" alarm unsilence probe:app:disk
expect_eq "unsilencing twice is refused (exit 2)" "$RC" 2
expect_in "saying there is no silence" "$ERR" "probe:app:disk is not silenced"
echo 0 >"$T/disk"; "$DR" probe run >/dev/null 2>&1
expect_eq "after unsilence the next change is told" "$(titles | grep -c '^app: probe disk up')" 1
expect_eq "silence and unsilence are audited" \
	"$(sq "SELECT group_concat(action, ' ') FROM audit_log WHERE action LIKE 'alarm.%' ORDER BY seq")" \
	"alarm.ack alarm.silence alarm.unsilence"
run "$DR" audit verify
expect_eq "the audit chain is intact" "$RC" 0
