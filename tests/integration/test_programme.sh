#!/usr/bin/env bash
# Issue 18: the DR test programme.  The config's "tests" say what each
# service owes and how often; `drconsole tests` shows each one's last run,
# result and next due date; an overdue test makes its service untested
# (AT RISK, named in the reason) in status; `tests run NAME` runs one now;
# the agent runs overdue restore tests by itself and announces drills that
# fall due.  Bad test entries are refused at their line and column.
. "$(dirname "$0")/../lib.sh"

CAT=$XDG_DATA_HOME/drconsole/catalog.db
CFG=$XDG_CONFIG_HOME/drconsole/config.json
mkdir -p "$XDG_CONFIG_HOME/drconsole" "$T/repo"
head -c 200000 /dev/urandom >"$T/data.bin"
cat >"$CFG" <<JSON
{"services": [{"name": "files", "tier": "standard", "drill_policy": "365d"},
              {"name": "db", "tier": "critical"}],
 "repositories": {"local": {"url": "file://$T/repo"}},
 "agent": {"heartbeat": "1s"},
 "notifications": {"channels": [{"name": "ops", "kind": "json",
   "url": "http://127.0.0.1:9/hook", "events": ["backup", "runbook"]}]},
 "backups": {"files-t": {"service": "files", "repository": "local",
   "source": {"kind": "file", "path": "$T/data.bin"}}},
 "tests": [
   {"name": "weekly-restore", "kind": "restore", "every": "7d", "service": "files"},
   {"name": "quarterly-failover", "kind": "drill", "runbook": "database-corruption",
    "every": "90d", "tier": "critical"}]}
JSON
expect_rc "config apply" 0 "$DR" config apply
expect_rc "a backup" 0 "$DR" backup run files-t

js() { python3 -c "import json,sys; d=json.load(sys.stdin); $1" <<<"$OUT"; }
run "$DR" tests
expect_eq "tests exits 0" "$RC" 0
expect_in "the restore test is listed, never run, overdue" "$OUT" "weekly-restore"
expect_eq "both tests are overdue before any ran" "$(grep -c OVERDUE <<<"$OUT")" 2
expect_eq "the drill applies to the critical tier's service only" \
	"$(grep quarterly-failover <<<"$OUT" | awk '{print $1, $2, $3}')" "db quarterly-failover drill"
run "$DR" status --json
expect_eq "status: files is untested by the programme" \
	"$(js 's=[x for x in d["services"] if x["name"]=="files"][0]; print(s["tests"]["untested"], s["tests"]["programme_overdue"], s["verdict"])')" \
	"True 1 AT RISK"
expect_in "and the reason names the test" "$(js 'print([x for x in d["services"] if x["name"]=="files"][0]["reason"])')" \
	"test weekly-restore never passed"

expect_rc "tests run weekly-restore" 0 "$DR" tests run weekly-restore
expect_in "it says it passed and what it tested" "$OUT" "test weekly-restore of files passed: backup"
run "$DR" tests --json
expect_eq "tests --json: passed, due in 7 days, not overdue" \
	"$(js 't=[x for x in d["tests"] if x["name"]=="weekly-restore"][0]; print(t["last_ok"], t["overdue"], t["due_at"] is not None, t["kind"])')" \
	"True False True restore"
run "$DR" status --json
expect_eq "status: the programme no longer holds files back" \
	"$(js 's=[x for x in d["services"] if x["name"]=="files"][0]; print(s["tests"]["programme_overdue"], "weekly-restore" in s["reason"])')" \
	"0 False"

later=$(date -u -d '+8 days' +%Y-%m-%dT%H:%M:%SZ)
DRCONSOLE_NOW=$later run "$DR" tests
expect_in "eight days on, the restore test is overdue again" "$(grep weekly-restore <<<"$OUT")" "OVERDUE"
DRCONSOLE_NOW=$later run "$DR" status --json
expect_in "and status says by how much" "$(js 'print([x for x in d["services"] if x["name"]=="files"][0]["reason"])')" \
	"test weekly-restore overdue by 1d"

# A damaged object: the test fails, says why, and the list shows it.
obj=$(find "$T/repo" -type f | head -1)
python3 - "$obj" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[len(b) // 2] ^= 0xFF
open(p, "wb").write(b)
PY
expect_rc "tests run of a damaged backup fails" 1 "$DR" tests run weekly-restore
expect_in "naming the test" "$ERR" "test weekly-restore of files FAILED"
run "$DR" tests
expect_in "the list shows the failure" "$(grep weekly-restore <<<"$OUT")" "FAILED"

# The agent, eight days on: it reruns the overdue restore test, which
# fails (the last run found the backup damaged and marked it
# restore_failed, so nothing is left to test): told as critical news; and
# it announces the due drill.
DRCONSOLE_NOW=$later "$DR" agent 2>>"$T/agent.log" &
AGENT=$!
at_exit "kill -9 $AGENT 2>/dev/null"
told() { [ "$(sqlite3 "$CAT" "SELECT count(*) FROM notify_outbox WHERE state = '$1'" 2>/dev/null)" -ge 1 ] 2>/dev/null; }
if wait_for 20 told failed; then pass "the agent reran the overdue restore test"; else
	fail "the agent reran the overdue restore test" "$(cat "$T/agent.log")"; fi
if wait_for 10 told due; then pass "the agent announced the due drill"; else
	fail "the agent announced the due drill" "$(cat "$T/agent.log")"; fi
kill -TERM "$AGENT"
wait "$AGENT"
expect_eq "the drill's announcement names the command to run" \
	"$(sqlite3 "$CAT" "SELECT severity, message FROM notify_outbox WHERE state = 'due' LIMIT 1")" \
	"warning|drill quarterly-failover of db (runbook database-corruption) is due: drconsole tests run quarterly-failover"
expect_eq "the failed rerun was told as critical news, saying why" \
	"$(sqlite3 "$CAT" "SELECT severity, message FROM notify_outbox WHERE state = 'failed' LIMIT 1")" \
	"critical|test weekly-restore of files FAILED: target files-t has no completed or verified backup to test"
expect_in "the agent's log sums the round up" "$(cat "$T/agent.log")" \
	"programme: FAILED: 2 tests: 1 restore test run, 1 failed; 1 drill due"

# The post-test record of each run: the checklist, then the follow-ups.
run "$DR" tests log --json
expect_eq "tests log: newest first, the failed run, then the passed one" \
	"$(js 'print([(r["kind"], r["service"], r["passed"]) for r in d["runs"][:2]])')" \
	"[('restore-test', 'files', False), ('restore-test', 'files', True)]"
expect_eq "the passed run: within RTO (1h target) and RPO (30m), no follow-ups yet" \
	"$(js 'r=d["runs"][1]; print(r["within_rto"], r["rto_target_s"], r["within_rpo"], r["rpo_target_s"], r["data_loss_s"] is not None, r["followups"])')" \
	"True 3600 True 1800 True None"
expect_eq "the failed run is not within its RTO, and says why" \
	"$(js 'r=d["runs"][0]; print(r["within_rto"], r["error"])')" \
	"False chunk 0: not valid gzip data (incorrect data check)"
RUN=$(js 'print(d["runs"][0]["id"])')
expect_rc "tests note" 0 "$DR" tests note "$RUN" --followups "repo disk has bad sectors: move the repository; update runbook step 2"
run "$DR" tests log
expect_in "tests log shows the follow-ups" "$OUT" "follow-ups: repo disk has bad sectors: move the repository; update runbook step 2"
expect_in "and the checklist" "$OUT" "within RTO: NO"
expect_eq "the note is audited" \
	"$(sqlite3 "$CAT" "SELECT action, subject FROM audit_log WHERE action = 'tests.note'")" \
	"tests.note|$RUN"
expect_rc "a note by the id written another way (0-padded)" 0 "$DR" tests note "00$RUN" --followups "padded id"
expect_in "lands on the same run" "$("$DR" tests log)" "follow-ups: padded id"
expect_rc "the note again" 0 "$DR" tests note "$RUN" --followups "repo disk has bad sectors: move the repository; update runbook step 2"
expect_rc "a note on no such run" 2 "$DR" tests note 999999 --followups x
expect_in "says so" "$ERR" "no test run 999999"
expect_rc "an empty note" 2 "$DR" tests note "$RUN" --followups ""
expect_rc "a note in a read-only session is refused" 1 "$DR" --read-only tests note "$RUN" --followups y
expect_in "saying so" "$ERR" "read-only"
expect_in "the note is unchanged" "$("$DR" tests log)" "repo disk has bad sectors"

sleep 1 # the period ends before now's second
run "$DR" report --format json
expect_eq "the report carries the post-test records with their follow-ups" \
	"$(js 's=[x for x in d["services"] if x["name"]=="files"][0]; print(len(s["post_test"]), s["post_test"][-1]["followups"])')" \
	"2 repo disk has bad sectors: move the repository; update runbook step 2"
run "$DR" report
expect_in "and the Markdown report a section of them" "$OUT" "### Post-test records"

# Bad entries: at their line and column, exit 2, nothing changes.
bad() { # bad NAME ENTRY EXPECTED
	printf '{"services": [{"name": "files", "tier": "standard"}],\n "tests": [\n  %s]}\n' "$2" >"$T/bad.json"
	run "$DR" --config "$T/bad.json" config check
	expect_eq "$1: exit 2" "$RC" 2
	expect_in "$1: the message" "$ERR" "$3"
}
bad "unknown kind" '{"name": "x", "kind": "chaos", "every": "1d", "service": "files"}' \
	"bad.json:3:17: unknown test kind \"chaos\" (expected \"restore\" or \"drill\")"
bad "service and tier" '{"name": "x", "kind": "restore", "every": "1d", "service": "files", "tier": "low"}' \
	"bad.json:3:3: a test needs exactly one of \"service\" and \"tier\""
bad "an unknown service" '{"name": "x", "kind": "restore", "every": "1d", "service": "nope"}' \
	"no service \"nope\" in \"services\""
bad "a drill without a runbook" '{"name": "x", "kind": "drill", "every": "1d", "tier": "low"}' \
	"a drill test needs the \"runbook\" it drills"
bad "a bad every" '{"name": "x", "kind": "restore", "every": "soon", "service": "files"}' \
	"bad duration for \"every\""
bad "a target with a tier" '{"name": "x", "kind": "restore", "every": "1d", "tier": "low", "target": "t"}' \
	"\"target\" needs a \"service\""
printf '{"services": [{"name": "files", "tier": "standard"}, {"name": "other", "tier": "low"}],\n "repositories": {"local": {"url": "file://%s/repo"}},\n "backups": {"files-t": {"service": "files", "repository": "local", "source": {"kind": "file", "path": "%s/data.bin"}}},\n "tests": [{"name": "x", "kind": "restore", "every": "1d", "service": "other",\n   "target": "files-t"}, {"name": "y", "kind": "restore", "every": "1d", "service": "files", "target": "nope"}]}\n' "$T" "$T" >"$T/bad.json"
run "$DR" --config "$T/bad.json" config check
expect_eq "a target of another service: exit 2" "$RC" 2
expect_in "at the target, saying whose it is" "$ERR" "bad.json:5:4: test x names backup target files-t, which backs up files, not other"
expect_in "and a target that does not exist" "$ERR" "test y names backup target nope, which the config does not have"
expect_rc "tests run of an unknown test" 2 "$DR" tests run nope
expect_in "says so" "$ERR" "no test \"nope\" in the programme"
