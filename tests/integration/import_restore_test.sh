#!/usr/bin/env bash
# Restore tests of imported backups, with the real pgBackRest: a
# PostgreSQL started here is backed up (a table of 4321 rows), the real
# `info --output=json` imported, then `drconsole restore-test
# import:pg-main` runs the import's restore_test command, which restores
# the newest imported backup ({label}) with pgBackRest into the fresh
# scratch directory ({scratch}), starts PostgreSQL there on another
# loopback port, counts the rows and stops it.  status --json then names
# that restore test as the RTO evidence, with the backup id, the bytes and
# the duration, and the scratch directory is gone.  A broken restore
# command, or one past its timeout, is a failed restore test (AT RISK).  A
# run killed in the middle
# leaves its scratch directory, which the next test removes; a directory
# drconsole did not make is never touched.  The agent runs the test on
# its schedule.
. "$(dirname "$0")/../lib.sh"

PGBIN=/usr/lib/postgresql/15/bin
if [ ! -x "$PGBIN/initdb" ] || ! command -v pgbackrest >/dev/null; then
	skip "restore test of an import" "PostgreSQL 15 or pgbackrest is not installed"
	exit 0
fi
if [ "$(id -u)" = 0 ]; then
	AS=(runuser -u nobody --)
	chmod 755 "$T"
else
	AS=()
fi
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
D=$T/pgb
mkdir -p "$D/sock" "$D/repo" "$D/log" "$D/lock" "$D/spool"
PORT=$(free_port)
cat >"$D/pgbackrest.conf" <<CONF
[global]
repo1-path=$D/repo
log-path=$D/log
lock-path=$D/lock
spool-path=$D/spool
log-level-console=warn
log-level-file=off
start-fast=y
[main]
pg1-path=$D/data
pg1-socket-path=$D/sock
pg1-port=$PORT
pg1-user=postgres
CONF
[ "$(id -u)" = 0 ] && chown -R nobody "$D"
PGB=("${AS[@]}" pgbackrest --config="$D/pgbackrest.conf" --stanza=main)
"${AS[@]}" "$PGBIN/initdb" -D "$D/data" -U postgres --auth-local=trust \
	--auth-host=trust >"$D/initdb.log" 2>&1 || {
	fail "initdb" "$(tail -5 "$D/initdb.log")"
	exit 1
}
cat >>"$D/data/postgresql.conf" <<CONF
listen_addresses = ''
port = $PORT
unix_socket_directories = '$D/sock'
wal_level = replica
archive_mode = on
archive_command = 'pgbackrest --config=$D/pgbackrest.conf --stanza=main archive-push %p'
CONF
"${AS[@]}" "$PGBIN/pg_ctl" -D "$D/data" -l "$D/pg.log" -w start >/dev/null || {
	fail "postgres starts" "$(tail -5 "$D/pg.log")"
	exit 1
}
at_exit "${AS[*]} $PGBIN/pg_ctl -D $D/data -m immediate stop >/dev/null 2>&1"
"${AS[@]}" "$PGBIN/psql" -h "$D/sock" -p "$PORT" -U postgres -XAtq \
	-c "create table t as select generate_series(1, 4321) x" >/dev/null
run "${PGB[@]}" stanza-create
expect_eq "stanza-create" "$RC" 0
run "${PGB[@]}" --type=full backup
expect_eq "full backup" "$RC" 0
"${PGB[@]}" info --output=json >"$T/info.json"
label=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["backup"][-1]["label"])' "$T/info.json")

# The restore test's command: pgBackRest restores backup $2 into $1/pgdata
# (as the database's user), PostgreSQL starts there on another loopback
# port with archiving off, the rows are counted, and it stops.
PORT2=$(free_port)
cat >"$T/restore-check.sh" <<SH
#!/bin/bash
set -eu
scratch=\$1 set=\$2
[ "\$(id -u)" = 0 ] && chown nobody "\$scratch"
as() { if [ "\$(id -u)" = 0 ]; then runuser -u nobody -- "\$@"; else "\$@"; fi; }
as pgbackrest --config=$D/pgbackrest.conf --stanza=main \\
	--pg1-path="\$scratch/pgdata" --set="\$set" --type=immediate \\
	--target-action=promote restore
cat >>"\$scratch/pgdata/postgresql.auto.conf" <<CONF
port = $PORT2
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
archive_mode = off
CONF
trap 'as $PGBIN/pg_ctl -D "\$scratch/pgdata" -m immediate stop >/dev/null 2>&1 || true' EXIT
as $PGBIN/pg_ctl -D "\$scratch/pgdata" -l "\$scratch/pg.log" -w -t 60 start >/dev/null
rows=\$(as $PGBIN/psql -h 127.0.0.1 -p $PORT2 -U postgres -XAtq -c 'select count(*) from t')
echo "rows: \$rows" >&2
[ "\$rows" = 4321 ]
as $PGBIN/pg_ctl -D "\$scratch/pgdata" -m fast -w stop >/dev/null
trap - EXIT
SH
chmod 755 "$T/restore-check.sh"
SCRATCH=$T/rt-scratch
# config CMD-JSON [SCHEDULE]: the import with that restore_test command.
config() {
	cat >"$XDG_CONFIG_HOME/drconsole/config.json" <<JSON
{"imports": [{"name": "pg-main", "format": "pgbackrest",
  "map": {"main": "orders-db"},
  "restore_test": {"command": $1, "scratch": "$SCRATCH", "timeout": "5m"${2:+, \"schedule\": \"$2\"}}}],
 "agent": {"heartbeat": "1s"}}
JSON
}
GOOD="[\"$T/restore-check.sh\", \"{scratch}\", \"{label}\"]"

dr() { "$DR" "$@"; }
q() { sqlite3 "$XDG_DATA_HOME/drconsole/catalog.db" "$1"; }
svc() { # EXPR: a Python expression over s, the orders-db service of status --json
	dr status --json | python3 -c "
import json, sys
s = [s for s in json.load(sys.stdin)['services'] if s['name'] == 'orders-db'][0]
e = s['evidence']['rto']
print($1)"
}
uuid5() { python3 -c '
import sys, uuid
ns = uuid.UUID("1b8f3e52-6a0e-4d5c-9b1f-7c2d4e6a8f01")
print(uuid.uuid5(ns, "\0".join(sys.argv[1:]) + "\0"))' "$@"; }
dr init >/dev/null
dr service add orders-db --tier critical >/dev/null
config "$GOOD"
expect_rc "config check accepts the restore_test" 0 dr config check
expect_rc "import" 0 dr import pgbackrest "$T/info.json"
id=$(uuid5 pgbackrest main/repo1 "$label")
expect_eq "before any test: untested, RTO from no restore" "$(svc "s['tests']['untested'], e['kind']")" "True None"

# ---- a passing test ----
expect_rc "restore-test import:pg-main passes" 0 dr restore-test import:pg-main
expect_in "it names the backup and its label" "$OUT" "backup $id (pgbackrest $label) of orders-db"
expect_eq "the scratch directory is removed" "$(ls -A "$SCRATCH" 2>&1 | head -1)" \
	"ls: cannot access '$SCRATCH': No such file or directory"
read -r kind bid bytes dur tid <<<"$(svc "e['kind'].replace(' ', '_'), e['backup_id'], e['bytes'], e['duration_s'], e['id']")"
expect_eq "status --json: RTO evidence is the restore test of that backup" "$kind $bid" "restore_test $id"
expect_eq "the bytes are what it restored (a PostgreSQL data directory)" \
	"$(python3 -c "import sys; print(int(sys.argv[1]) > 20 * 1024 * 1024)" "$bytes")" True
row=$(q "select target, ok, round(duration_s, 1), bytes from restores where id = '$tid' or cast(id as text) = '$tid'")
expect_eq "the restores row: target import:pg-main, ok, its duration and bytes" \
	"$(cut -d'|' -f1,2,4 <<<"$row")" "import:pg-main|1|$bytes"
expect_eq "status --json duration is the measured one" \
	"$(python3 -c 'import sys; print(abs(float(sys.argv[1]) - float(sys.argv[2])) < 1 and float(sys.argv[1]) > 0)' "$dur" "$(cut -d'|' -f3 <<<"$row")")" True
expect_eq "tested, verdict OK" "$(svc "s['tests']['untested'], s['verdict']")" "False OK"
expect_eq "the backup is verified" "$(q "select backup_status from backup_management where backup_id = '$id'")" verified
expect_rc "import again" 0 dr import pgbackrest "$T/info.json"
expect_in "the verified backup stays verified (unchanged)" "$OUT" "0 new, 0 updated, 1 unchanged"
expect_eq "a re-import keeps drconsole's verified_at" \
	"$(q "select backup_status, json_extract(metadata, '\$.verified_at') is not null, json_extract(metadata, '\$.import.label') from backup_management where backup_id = '$id'")" \
	"verified|1|$label"
expect_eq "audited" "$(q "select count(*) from audit_log where action = 'backup.restore-test' and details like 'import:pg-main: backup $id%'")" 1

# ---- a broken restore command: a failed test, AT RISK ----
config "[\"$T/restore-check.sh\", \"{scratch}\", \"20000101-000000F\"]"
expect_rc "a broken restore command fails the test" 1 dr restore-test import:pg-main
expect_in "says so, with the tool's message" "$ERR" "restore test of import:pg-main (backup $id, pgbackrest $label) failed: $T/restore-check.sh exited with status"
expect_in "recorded as a failed test" "$ERR" "recorded as a failed restore test of orders-db"
expect_eq "status --json: restore test failed, AT RISK" \
	"$(svc "s['tests']['restore_test_failed'], s['verdict']")" "True AT RISK"
expect_in "the reason says so" "$(svc "s['reason']")" "restore test failed"
expect_eq "the failed restore: a row with ok 0" "$(q "select count(*) from restores where target = 'import:pg-main' and ok = 0")" 1
expect_eq "the scratch directory is removed after a failure too" "$(test -e "$SCRATCH" && echo there || echo gone)" gone

# ---- a run killed in the middle; then a good one cleans up ----
config '["sh", "-c", "mkdir \"$DR_SCRATCH/half\" && echo x > \"$DR_SCRATCH/half/f\" && sleep 60"]'
# drconsole and its command die together (setsid: a process group of
# their own, killed as one), as in a crash of the host's session.
setsid "$DR" restore-test import:pg-main >/dev/null 2>&1 &
pid=$!
for i in $(seq 50); do [ -e "$SCRATCH/half/f" ] && break; sleep 0.1; done
kill -9 -- "-$pid"
wait "$pid" 2>/dev/null
expect_eq "a killed run leaves its scratch directory" "$(ls -A "$SCRATCH" | tr '\n' ' ')" ".drconsole-scratch half "
expect_eq "and records nothing" "$(q "select count(*) from restores")" 2
config "$GOOD"
expect_rc "the next test passes" 0 dr restore-test import:pg-main
expect_in "after removing the stale scratch directory" "$OUT" "note: removed the scratch directory $SCRATCH left by a restore test that did not finish"
expect_eq "passes again: OK" "$(svc "s['tests']['restore_test_failed'], s['verdict']")" "False OK"

# ---- a directory drconsole did not make is left alone ----
mkdir "$SCRATCH"
echo keep >"$SCRATCH/precious"
expect_rc "a foreign directory: refused" 1 dr restore-test import:pg-main
expect_in "names it" "$ERR" "$SCRATCH exists and is not a scratch directory drconsole made"
expect_eq "untouched" "$(cat "$SCRATCH/precious")" keep
expect_eq "nothing recorded" "$(q "select count(*) from restores")" 3
rm -rf "$SCRATCH"

# ---- bad config and targets ----
config '["x", "{nope}"]'
expect_rc "an unknown placeholder: config refused" 2 dr config check
expect_in "names the place" "$ERR" "config.json:3:"
expect_in "and the placeholder" "$ERR" "unknown placeholder at \"{nope}\""
cat >"$XDG_CONFIG_HOME/drconsole/config.json" <<JSON
{"imports": [{"name": "two", "format": "pgbackrest",
  "map": {"main": "orders-db", "other": "ledger"},
  "restore_test": {"command": ["true"], "scratch": "relative/dir"}}]}
JSON
expect_rc "a restore_test of an import of two services, a relative scratch: refused" 2 dr config check
expect_in "needs its service" "$ERR" "config.json:3:3: a restore_test of an import that maps to several services (or none) needs its \"service\""
expect_in "an absolute scratch" "$ERR" "expected an absolute path below / for \"scratch\""
config "$GOOD"
expect_rc "an unknown import target" 2 dr restore-test import:nope
expect_in "says which" "$ERR" "no import \"nope\" with a restore_test"

# ---- the agent runs it on its schedule ----
config "$GOOD" 1h
run timeout 120 "$DR" agent --ticks 2
expect_eq "agent ran" "$RC" 0
expect_in "the agent ran the restore test" "$ERR" "restore-test:import:pg-main: finished: passed: backup"
expect_eq "the agent's test is recorded" "$(q "select count(*) from restores where target = 'import:pg-main' and ok = 1")" 3
expect_eq "its job" "$(q "select last_status from agent_jobs where name = 'restore-test:import:pg-main'")" ok

# ---- a command past its timeout is killed: a failed test ----
cat >"$XDG_CONFIG_HOME/drconsole/config.json" <<JSON
{"imports": [{"name": "pg-main", "format": "pgbackrest",
  "map": {"main": "orders-db"},
  "restore_test": {"command": ["sleep", "30"], "scratch": "$SCRATCH", "timeout": "2s"}}]}
JSON
expect_rc "a command past its timeout fails the test" 1 dr restore-test import:pg-main
expect_in "killed at its timeout" "$ERR" "sleep: killed after 2s (its timeout)"
expect_eq "a second failed test is recorded" "$(q "select count(*) from restores where target = 'import:pg-main' and ok = 0")" 2
expect_eq "AT RISK again" "$(svc "s['tests']['restore_test_failed'], s['verdict']")" "True AT RISK"
expect_eq "no scratch left" "$(test -e "$SCRATCH" && echo there || echo gone)" gone
# What the command started goes with it: a server it left running in the
# background would outlive the test.
cat >"$XDG_CONFIG_HOME/drconsole/config.json" <<JSON
{"imports": [{"name": "pg-main", "format": "pgbackrest",
  "map": {"main": "orders-db"},
  "restore_test": {"command": ["sh", "-c", "sleep 300 & echo \$! >$T/bg.pid; wait"], "scratch": "$SCRATCH", "timeout": "2s"}}]}
JSON
expect_rc "a command with a background child past its timeout fails" 1 dr restore-test import:pg-main
sleep 0.5
# (A zombie waiting for an init that does not reap counts as gone.)
if [ -s "$T/bg.pid" ] && [ -n "$(ps -o stat= -p "$(cat "$T/bg.pid")" | grep -v Z)" ]; then
	fail "its background child is killed with it" "pid $(cat "$T/bg.pid") still runs"
	kill "$(cat "$T/bg.pid")"
else
	pass "its background child is killed with it"
fi
