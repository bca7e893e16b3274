#!/usr/bin/env bash
# Issue 18: scheduled restore tests.  A backup target's
# "restore_test_schedule" makes the agent restore its newest verified
# backup into a scratch place on that schedule, time it and record it as
# the service's restore-test evidence, which `status` then shows.  A
# damaged object makes the test fail: recorded as failed, the service's
# evidence says so, and the failure is told as bad news past a spent rate
# limit.  Scratch places of killed tests are removed by the next test, and
# restore tests run at most agent.restore_tests_at_once at a time.
. "$(dirname "$0")/../lib.sh"

CAT=$XDG_DATA_HOME/drconsole/catalog.db
CFG=$XDG_CONFIG_HOME/drconsole/config.json
mkdir -p "$XDG_CONFIG_HOME/drconsole" "$T/repo" "$T/scratch"
head -c 3000000 /dev/urandom >"$T/data.bin"
cat >"$CFG" <<JSON
{"services": [{"name": "files", "tier": "standard"}],
 "repositories": {"local": {"url": "file://$T/repo"}},
 "agent": {"heartbeat": "1s"},
 "notifications": {"rate_limit": 1, "rate_window": "1h", "dedup_window": "1h",
   "retries": 0, "timeout": "1s",
   "channels": [{"name": "ops", "kind": "json", "url": "http://127.0.0.1:9/hook",
                 "events": ["backup"]}]},
 "backups": {"files-nightly": {"service": "files", "repository": "local",
   "restore_test_schedule": "2s",
   "source": {"kind": "file", "path": "$T/data.bin"}}}}
JSON
expect_rc "config apply" 0 "$DR" config apply
expect_rc "a backup" 0 "$DR" backup run files-nightly
ID=$(sqlite3 "$CAT" "SELECT backup_id FROM backup_management")
expect_rc "verified" 0 "$DR" backup verify "$ID"

sq() { sqlite3 "$CAT" "$1" 2>/dev/null; }
# at_least N SQL: the query's count is N or more.
at_least() { [ "$(sq "$2")" -ge "$1" ] 2>/dev/null; }
# ends N: the restore_test commands logged N ends or more.
ends() { [ -f "$T/rt.log" ] && [ "$(grep -c '^end' "$T/rt.log")" -ge "$1" ]; }
# A scratch place left by a killed test (a pid that has ended) and one of
# a process that still runs (this shell).
sh -c 'exit 0' &
dead=$!
wait $dead
mkdir "$T/scratch/drconsole-restore-test-$dead-1-AAAAAA" \
	"$T/scratch/drconsole-restore-test-$$-0-BBBBBB"
echo half >"$T/scratch/drconsole-restore-test-$dead-1-AAAAAA/restored"

TMPDIR=$T/scratch "$DR" agent 2>>"$T/agent.log" &
AGENT=$!
at_exit "kill -9 $AGENT 2>/dev/null"
if wait_for 20 at_least 1 "SELECT count(*) FROM restores WHERE kind = 'restore-test' AND ok = 1"; then
	pass "the agent ran the scheduled restore test"
else fail "the agent ran the scheduled restore test" "$(cat "$T/agent.log")"; fi
expect_eq "it tested the newest verified backup, all of its bytes" \
	"$(sq "SELECT backup_id, bytes FROM restores WHERE kind = 'restore-test' LIMIT 1")" \
	"$ID|3000000"
run "$DR" status --json
last=$(python3 -c 'import json,sys; s=json.load(sys.stdin)["services"][0]; print(s["tests"]["last_at"] is not None, s["tests"]["restore_test_failed"], s["evidence"]["rto"]["kind"] if s["evidence"].get("rto") else None)' <<<"$OUT")
expect_eq "status shows the test as the service's evidence" "$last" "True False restore test"
expect_eq "the killed test's scratch place was removed" \
	"$(ls "$T/scratch" | grep -c "drconsole-restore-test-$dead-")" 0
expect_eq "a running process's scratch place was left alone" \
	"$(ls "$T/scratch" | grep -c "drconsole-restore-test-$$-")" 1
rmdir "$T/scratch/drconsole-restore-test-$$-0-BBBBBB"
# The test's row is written before its scratch place is removed (a crash
# between leaves it to the next test's reap): give the removal a moment.
own() { [ "$(ls "$T/scratch" | grep -c "drconsole-restore-test-$AGENT-")" = 0 ]; }
wait_for 10 own
expect_eq "the agent's own scratch places are gone after each test" \
	"$(ls "$T/scratch" | grep -c "drconsole-restore-test-$AGENT-")" 0

# Damage the object: the next scheduled test fails, visibly.
obj=$(find "$T/repo" -type f -name "$ID*" | head -1)
python3 - "$obj" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[len(b) // 2] ^= 0xFF
open(p, "wb").write(b)
PY
if wait_for 20 at_least 1 "SELECT count(*) FROM restores WHERE kind = 'restore-test' AND ok = 0"; then
	pass "the scheduled test of the damaged backup failed"
else fail "the scheduled test of the damaged backup failed" "$(cat "$T/agent.log")"; fi
kill -TERM "$AGENT"
wait "$AGENT"
run "$DR" status --json
failed=$(python3 -c 'import json,sys; s=json.load(sys.stdin)["services"][0]; print(s["tests"]["restore_test_failed"], s["tests"]["restore_failures"] >= 1)' <<<"$OUT")
expect_eq "status says the newest restore test failed" "$failed" "True True"
expect_eq "the failure was queued as critical news past the spent rate limit" \
	"$(sq "SELECT severity, status <> 'rate_limited' FROM notify_outbox WHERE state = 'failed' LIMIT 1")" \
	"critical|1"
expect_in "the agent's log says it failed" "$(cat "$T/agent.log")" "restore-test:files-nightly: FAILED: restore test of $ID failed"
expect_eq "no scratch place is left" "$(ls "$T/scratch" | wc -l)" 0

# At most restore_tests_at_once at a time: two targets whose tests take
# 1.5 s each, logged by their restore_test commands.
write_two() {
	cat >"$CFG" <<JSON
{"services": [{"name": "files", "tier": "standard"}],
 "repositories": {"local": {"url": "file://$T/repo"}},
 "agent": {"heartbeat": "1s", "parallel_jobs": 4, "restore_tests_at_once": $1},
 "backups": {
  "a": {"service": "files", "repository": "local", "restore_test_schedule": "1s",
    "restore_test": {"shell": "echo start a \$(date +%s.%N) >>$T/rt.log; cat >/dev/null; sleep 1.5; echo end a \$(date +%s.%N) >>$T/rt.log"},
    "source": {"kind": "file", "path": "$T/data.bin"}},
  "b": {"service": "files", "repository": "local", "restore_test_schedule": "1s",
    "restore_test": {"shell": "echo start b \$(date +%s.%N) >>$T/rt.log; cat >/dev/null; sleep 1.5; echo end b \$(date +%s.%N) >>$T/rt.log"},
    "source": {"kind": "file", "path": "$T/data.bin"}}}}
JSON
}
# The most tests running at once, from the log.
most() { sort -k3 -n "$T/rt.log" | awk '$1 == "start" { n++; if (n > m) m = n } $1 == "end" { n-- } END { print m + 0 }'; }
write_two 1
expect_rc "config apply (two targets)" 0 "$DR" config apply
expect_rc "a backup of a" 0 "$DR" backup run a
expect_rc "a backup of b" 0 "$DR" backup run b
"$DR" agent 2>>"$T/agent2.log" &
AGENT=$!
at_exit "kill -9 $AGENT 2>/dev/null"
wait_for 20 ends 4
kill -TERM "$AGENT"
wait "$AGENT"
echo "# $(tr '\n' ' ' <"$T/rt.log")"
expect_eq "restore_tests_at_once 1: never two tests at once" "$(most)" 1
if [ "$(grep -c '^end a' "$T/rt.log")" -ge 1 ] && [ "$(grep -c '^end b' "$T/rt.log")" -ge 1 ]; then
	pass "both targets were tested in turn"
else fail "both targets were tested in turn" "$(cat "$T/rt.log" "$T/agent2.log")"; fi
rm -f "$T/rt.log"
write_two 2
"$DR" agent 2>>"$T/agent3.log" &
AGENT=$!
at_exit "kill -9 $AGENT 2>/dev/null"
wait_for 20 ends 4
kill -TERM "$AGENT"
wait "$AGENT"
echo "# $(tr '\n' ' ' <"$T/rt.log")"
expect_eq "restore_tests_at_once 2: the two run side by side" "$(most)" 2
# ... but never one target's test twice at once, with a slot to spare.
self_most() { grep " $1 " "$T/rt.log" | sort -k3 -n | awk '$1 == "start" { n++; if (n > m) m = n } $1 == "end" { n-- } END { print m + 0 }'; }
expect_eq "a's test never beside itself" "$(self_most a)" 1
expect_eq "b's test never beside itself" "$(self_most b)" 1

# A bad schedule is refused at its line and column, and changes nothing.
cat >"$T/bad.json" <<JSON
{"services": [{"name": "files", "tier": "standard"}],
 "repositories": {"local": {"url": "file://$T/repo"}},
 "backups": {"a": {"service": "files", "repository": "local",
   "restore_test_schedule": "61 * * * *",
   "source": {"kind": "file", "path": "$T/data.bin"}}}}
JSON
run "$DR" --config "$T/bad.json" config check
expect_eq "config check refuses a bad restore_test_schedule" "$RC" 2
expect_in "at its line and column" "$ERR" "$T/bad.json:4:4: schedule \"61 * * * *\": minute \"61\" is out of range"

# A real kill -9 in the middle of a scheduled restore test: the test is not
# recorded as done, and the next restore test removes the scratch place
# the killed one left.
head -c 150000000 /dev/urandom >"$T/big.bin"
mkdir -p "$T/scratch2"
cat >"$CFG" <<JSON
{"services": [{"name": "files", "tier": "standard"}],
 "repositories": {"local": {"url": "file://$T/repo"}},
 "agent": {"heartbeat": "1s"},
 "backups": {"big": {"service": "files", "repository": "local",
   "restore_test_schedule": "1s",
   "source": {"kind": "file", "path": "$T/big.bin"}}}}
JSON
expect_rc "a backup of 150 MB" 0 "$DR" backup run big
BIG=$(sqlite3 "$CAT" "SELECT backup_id FROM backup_management WHERE json_extract(metadata, '$.target') = 'big'")
caught=0
for attempt in 1 2 3 4 5; do
	TMPDIR=$T/scratch2 "$DR" agent 2>>"$T/agent4.log" &
	AGENT=$!
	# The moment its scratch place has a file in it (the restore's
	# partial file), the test is under way.
	for ((i = 0; i < 400; i++)); do
		f=$(ls "$T/scratch2"/drconsole-restore-test-$AGENT-*/* 2>/dev/null | head -1)
		[ -n "$f" ] && break
		sleep 0.01
	done
	kill -9 "$AGENT"
	wait "$AGENT" 2>/dev/null
	if ls -d "$T/scratch2"/drconsole-restore-test-$AGENT-* >/dev/null 2>&1; then
		caught=1
		break
	fi
done
if [ "$caught" -eq 1 ]; then pass "kill -9 caught a restore test under way (attempt $attempt), its scratch place left"; else
	fail "kill -9 caught a restore test under way" "$(tail -5 "$T/agent4.log")"; fi
expect_eq "the cut-short test is not recorded: one passed row per passed test the agent logged" \
	"$(sqlite3 "$CAT" "SELECT count(*) FROM restores WHERE backup_id = '$BIG' AND ok = 1")" \
	"$(grep -c "restore-test:big: finished: restore test of $BIG passed" "$T/agent4.log")"
TMPDIR=$T/scratch2 run "$DR" restore-test big
expect_eq "the next restore test passes" "$RC" 0
expect_eq "and removed the killed test's scratch place" "$(ls "$T/scratch2" | wc -l)" 0

# A restore test never makes its scratch place inside the tree a
# directory target backs up (it would become part of the next backup).
mkdir -p "$T/tree/sub" "$T/tree/tmp"
echo data >"$T/tree/sub/file"
cat >"$CFG" <<JSON
{"services": [{"name": "files", "tier": "standard"}],
 "repositories": {"local": {"url": "file://$T/repo"}},
 "backups": {"tree": {"service": "files", "repository": "local",
   "source": {"kind": "directory", "path": "$T/tree"}}}}
JSON
expect_rc "a backup of the tree" 0 "$DR" backup run tree
TMPDIR=$T/tree/tmp run "$DR" restore-test tree
expect_eq "a scratch place inside the backed-up tree is refused" "$RC" 1
expect_in "saying where and why" "$ERR" "the scratch place $T/tree/tmp is inside $T/tree, which target tree backs up; set TMPDIR elsewhere"
expect_eq "and nothing was made there" "$(ls "$T/tree/tmp" | wc -l)" 0
TMPDIR=$T/scratch run "$DR" restore-test tree
expect_eq "elsewhere it passes" "$RC" 0
