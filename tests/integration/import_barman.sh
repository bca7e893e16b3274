#!/usr/bin/env bash
# `drconsole import barman` against the real tool (Debian package barman):
# a PostgreSQL started here (as nobody when we are root) streamed to by
# Barman from a config file in the scratch directory (`barman -c FILE`:
# backup_method = postgres, streaming_archiver with a replication slot),
# one real backup (DONE) and one that fails because PostgreSQL stops in
# the middle of its pg_basebackup copy (FAILED, throttled by
# bandwidth_limit so that the stop lands mid-copy).  Barman's own
# `-f json list-backups` and `show-backup` are imported: services,
# statuses, begin and end times and sizes as `status --json` and
# `backup list` show them; list then show, and each again, never
# duplicates or changes a row.
. "$(dirname "$0")/../lib.sh"

PGBIN=/usr/lib/postgresql/15/bin
if [ ! -x "$PGBIN/initdb" ] || ! command -v barman >/dev/null; then
	skip "barman import" "PostgreSQL 15 or barman is not installed"
	exit 0
fi
if [ "$(id -u)" = 0 ]; then
	AS=(runuser -u nobody --)
	BUSER=nobody
	chmod 755 "$T"
else
	AS=()
	BUSER=$(id -un)
fi
D=$T/barman
mkdir -p "$D/sock" "$D/home"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$D/barman.conf" <<CONF
[barman]
barman_user = $BUSER
barman_home = $D/home
log_file = $D/barman.log
log_level = INFO
[pg]
description = drconsole test
conninfo = host=$D/sock port=$PORT user=postgres dbname=postgres
streaming_conninfo = host=$D/sock port=$PORT user=postgres
backup_method = postgres
streaming_archiver = on
slot_name = barman
create_slot = auto
path_prefix = $PGBIN
immediate_checkpoint = true
CONF
[ "$(id -u)" = 0 ] && chown -R nobody "$D"
B=("${AS[@]}" env HOME="$D/home" barman -c "$D/barman.conf")
PGCTL=("${AS[@]}" "$PGBIN/pg_ctl" -D "$D/data")

"${AS[@]}" "$PGBIN/initdb" -D "$D/data" -U postgres --auth-local=trust \
	>"$D/initdb.log" 2>&1 || {
	fail "initdb" "$(tail -5 "$D/initdb.log")"
	exit 1
}
cat >>"$D/data/postgresql.conf" <<CONF
listen_addresses = ''
port = $PORT
unix_socket_directories = '$D/sock'
wal_level = replica
max_wal_senders = 5
max_replication_slots = 5
CONF
pg_start() { "${PGCTL[@]}" -l "$D/pg.log" -w start >/dev/null; }
pg_start || {
	fail "postgres starts" "$(tail -5 "$D/pg.log")"
	exit 1
}
# receive-wal (started by `barman cron`) ends with the server; stopping it
# first keeps the order tidy.
at_exit "${B[*]} receive-wal --stop pg >/dev/null 2>&1; ${PGCTL[*]} -m immediate stop >/dev/null 2>&1"

# Streams WAL (cron starts receive-wal) until `barman check` passes; a
# new server needs one WAL file in its archive (switch-wal --archive
# closes one and waits for it).
barman_ready() {
	local i
	for i in $(seq 10); do
		"${B[@]}" cron >/dev/null 2>&1
		"${B[@]}" check pg >"$D/check.out" 2>&1 && return 0
		grep -q "WAL archive: FAILED" "$D/check.out" &&
			"${B[@]}" switch-wal --force --archive --archive-timeout 20 pg >/dev/null 2>&1
		sleep 0.5
	done
	return 1
}
statuses() {
	"${B[@]}" -f json list-backups pg |
		python3 -c 'import json,sys; print(" ".join(b["status"] for b in json.load(sys.stdin)["pg"]))'
}

run "${B[@]}" receive-wal --create-slot pg
expect_eq "barman creates its replication slot" "$RC" 0
if ! barman_ready; then
	fail "barman check passes" "$(grep FAILED "$D/check.out")"
	exit 1
fi
pass "barman check passes (streaming, slot, receive-wal)"
"${AS[@]}" "$PGBIN/psql" -h "$D/sock" -p "$PORT" -U postgres -XAtq \
	-c "create table t as select generate_series(1, 200000) x" >/dev/null
run "${B[@]}" backup --wait pg
expect_eq "a streaming backup (backup --wait)" "$RC" 0
expect_eq "barman lists it DONE" "$(statuses)" "DONE"

# The failed one: PostgreSQL stops while pg_basebackup copies (at
# 1 MB/s, some 25 MB take far longer than the second we wait).
printf 'bandwidth_limit = 1024\n' >>"$D/barman.conf"
barman_ready || fail "barman check passes again" "$(grep FAILED "$D/check.out")"
"${B[@]}" backup pg >"$D/bk2.out" 2>&1 &
bk=$!
seen=
for i in $(seq 100); do
	seen=$(statuses)
	case $seen in *STARTED*) break ;; esac
	sleep 0.1
done
sleep 1
"${PGCTL[@]}" -m immediate stop >/dev/null
wait "$bk"
rc=$?
if [ "$rc" = 1 ]; then pass "the interrupted backup fails"; else
	fail "the interrupted backup fails" "exit $rc; statuses before the stop: $seen" \
		"$(tail -8 "$D/bk2.out")" "$(tail -5 "$D/barman.log")"
fi
expect_in "pg_basebackup lost its server" "$(cat "$D/bk2.out")" "Backup failed copying files"
expect_eq "barman lists it FAILED, newest first" "$(statuses)" "FAILED DONE"

"${B[@]}" -f json list-backups pg >"$T/list.json"
ids=$(python3 -c '
import json, sys
for b in json.load(open(sys.argv[1]))["pg"]: print(b["backup_id"], b["status"])' "$T/list.json")
bad=$(awk '$2 == "FAILED" {print $1}' <<<"$ids")
good=$(awk '$2 == "DONE" {print $1}' <<<"$ids")
"${B[@]}" -f json show-backup pg "$good" >"$T/show-good.json"
"${B[@]}" -f json show-backup pg "$bad" >"$T/show-bad.json"
# What Barman says, to compare with what drconsole shows.
read -r size end begin <<<"$(python3 -c '
import json, sys
l = [b for b in json.load(open(sys.argv[1]))["pg"] if b["status"] == "DONE"][0]
s = json.load(open(sys.argv[2]))["pg"]["base_backup_information"]
print(l["size_bytes"], l["end_time_timestamp"], s["begin_time_timestamp"])' "$T/list.json" "$T/show-good.json")"
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

dr() { "$DR" "$@"; }
q() { sqlite3 "$XDG_DATA_HOME/drconsole/catalog.db" "$1"; }
uuid5() { python3 -c '
import sys, uuid
ns = uuid.UUID("1b8f3e52-6a0e-4d5c-9b1f-7c2d4e6a8f01")
print(uuid.uuid5(ns, "\0".join(sys.argv[1:]) + "\0"))' "$@"; }
dr init >/dev/null
dr service add orders-db --tier critical >/dev/null
id_good=$(uuid5 barman pg "$good")
id_bad=$(uuid5 barman pg "$bad")

expect_rc "server pg unmapped: exit 3" 3 dr import barman "$T/list.json"
expect_in "the unmapped server is named" "$OUT" "unmapped: 2 entries of server pg"
cat >"$XDG_CONFIG_HOME/drconsole/config.json" <<JSON
{"imports": [{"name": "barman-pg", "format": "barman",
  "map": {"pg": "orders-db"}}]}
JSON
expect_rc "import list-backups by the config's map" 0 dr import barman "$T/list.json"
expect_in "two new, one failed" "$OUT" "2 new, 0 updated, 0 unchanged, 0 expired, 1 failed"
expect_eq "DONE: completed, begun at its id, ended at end_time_timestamp, size_bytes" \
	"$(q "select service_name, backup_status, started_at, completed_at, backup_size from backup_management where backup_id = '$id_good'")" \
	"orders-db|completed|$(TZ=UTC date -u -d "$(sed -E 's/(....)(..)(..)T(..)(..)(..)/\1-\2-\3 \4:\5:\6/' <<<"$good")" +%Y-%m-%dT%H:%M:%SZ)|$(iso "$end")|$size"
expect_eq "FAILED: failed, begun at its id, no end" \
	"$(q "select service_name, backup_status, started_at, coalesce(completed_at, '-') from backup_management where backup_id = '$id_bad'")" \
	"orders-db|failed|$(TZ=UTC date -u -d "$(sed -E 's/(....)(..)(..)T(..)(..)(..)/\1-\2-\3 \4:\5:\6/' <<<"$bad")" +%Y-%m-%dT%H:%M:%SZ)|-"
expect_rc "show-backup of the good one" 0 dr import barman "$T/show-good.json"
expect_in "show-backup agrees with list-backups: unchanged" "$OUT" "0 new, 0 updated, 1 unchanged, 0 expired"
expect_rc "show-backup of the failed one" 0 dr import barman "$T/show-bad.json"
expect_in "the failed one: unchanged" "$OUT" "0 new, 0 updated, 1 unchanged, 0 expired"
expect_rc "list-backups again (stdin)" 0 dr import barman - <"$T/list.json"
expect_in "nothing new the second time" "$OUT" "0 new, 0 updated, 2 unchanged, 0 expired"
expect_eq "no duplicates" "$(q 'select count(*) from backup_management')" 2

run dr status --json
read -r rpo_id rpo_at health_id fcount hstatus last_good <<<"$(python3 -c '
import json, sys
s = [s for s in json.load(sys.stdin)["services"] if s["name"] == "orders-db"][0]
e = s["evidence"]
print(e["rpo"]["id"], e["rpo"]["at"], e["health"]["id"], s["health"]["failure_count"], s["health"]["status"], s["rpo"]["last_good_backup"])' <<<"$OUT")"
expect_eq "status --json: the recovery point is Barman's DONE backup at its end" \
	"$rpo_id $rpo_at" "$id_good $(iso "$end")"
expect_eq "status --json: the newest attempt is the FAILED one, health degraded" \
	"$health_id $fcount $hstatus" "$id_bad 1 degraded"
expect_eq "status --json: the last good backup is Barman's end time" "$last_good" "$(iso "$end")"
run dr backup list
expect_in "backup list: the failed backup" "$OUT" "$id_bad  orders-db"
expect_in "backup list: the good one, at its end, with its size" "$(grep "$id_good" <<<"$OUT" | tr -s ' ')" \
	"completed $(date -u -d "@$end" '+%Y-%m-%d %H:%M') $(python3 -c 'import sys; print("%.1f MiB" % (int(sys.argv[1]) / 1048576))' "$size")"
