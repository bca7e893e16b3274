#!/usr/bin/env bash
# Issue 14: the agent publishes the audit chain's head every hour, to the
# notification channels (and syslog), so that an anchor exists outside the
# catalog; given back to `audit verify --anchor`, it catches rows deleted
# from the end of the log afterwards.
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
 "notifications": {"retries": 0,
   "channels": [{"name": "audit", "kind": "json", "url": "http://127.0.0.1:$P/hook", "events": ["audit"]}]}}
JSON
"$DR" init >/dev/null
"$DR" config apply >/dev/null
"$DR" service add other --tier low >/dev/null
head=$("$DR" audit head)
run timeout 60 "$DR" agent --ticks 2
expect_eq "the agent ran" "$RC" 0
expect_in "it logs the head it published" "$ERR" "audit:head: finished: audit head $head published"
for _ in $(seq 50); do [ -s "$T/hooks.jsonl" ] && break; sleep 0.1; done
msg=$(python3 -c 'import json, sys
for l in open(sys.argv[1]):
    b = json.loads(json.loads(l)["body"])
    print(b.get("message", ""))' "$T/hooks.jsonl")
expect_in "the channel got the head" "$msg" "audit head $head"
expect_in "with how to use it" "$msg" "drconsole audit verify --anchor $head"
# Later, someone deletes the newest rows and the triggers that forbid it.
sqlite3 "$CAT" "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq >= $(cut -d: -f1 <<<"$head") - 1"
expect_rc "the chain alone still links" 0 "$DR" audit verify
expect_rc "the published head shows the truncation" 1 "$DR" audit verify --anchor "$head"
expect_in "naming it" "$ERR" "rows deleted from its end?"
