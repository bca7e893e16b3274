#!/usr/bin/env bash
# `drconsole import pgbackrest` against the real tool: a PostgreSQL
# started here (initdb with data checksums, as nobody when we are root)
# backed up by pgBackRest (Debian package pgbackrest): one full, one
# incremental, and one incremental that pgBackRest itself flags with
# "error": true because a data page was corrupted on disk.  The real
# `info --output=json` is imported: unmapped without a mapping (exit 3),
# mapped by the config's "imports" section, twice without duplicates,
# the flagged backup as failed with its own times (health degraded), and
# `status --json` names the newest good one as the recovery point.  After
# `pgbackrest expire --set` the backup it removed reads expired, not
# deleted.  A malformed listing is file:line:column, exit 2, no change.
. "$(dirname "$0")/../lib.sh"

PGBIN=/usr/lib/postgresql/15/bin
if [ ! -x "$PGBIN/initdb" ] || ! command -v pgbackrest >/dev/null; then
	skip "pgbackrest import" "PostgreSQL 15 or pgbackrest is not installed"
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
mkdir -p "$D/sock" "$D/repo" "$D/log" "$D/lock"
PORT=$(free_port)
cat >"$D/pgbackrest.conf" <<CONF
[global]
repo1-path=$D/repo
log-path=$D/log
lock-path=$D/lock
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
psql_() { "${AS[@]}" "$PGBIN/psql" -h "$D/sock" -p "$PORT" -U postgres -XAtq -c "$1"; }

"${AS[@]}" "$PGBIN/initdb" -D "$D/data" -U postgres --auth-local=trust \
	--data-checksums >"$D/initdb.log" 2>&1 || {
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

run "${PGB[@]}" stanza-create
expect_eq "stanza-create" "$RC" 0
run "${PGB[@]}" --type=full backup
expect_eq "full backup" "$RC" 0
psql_ "create table t as select generate_series(1, 20000) x" >/dev/null
run "${PGB[@]}" --type=incr backup
expect_eq "incremental backup" "$RC" 0
# A page of t corrupted on disk: pgBackRest finishes the next backup but
# flags it ("error": true in info), our failed backup.
rel=$(psql_ "checkpoint; select pg_relation_filepath('t')")
printf 'not a page' | dd of="$D/data/$rel" bs=1 seek=9000 conv=notrunc 2>/dev/null
sleep 1
run "${PGB[@]}" --type=incr backup
expect_in "pgbackrest warns of the bad page" "$ERR$OUT" "invalid page checksum"
"${PGB[@]}" info --output=json >"$T/info.json"
labels=$(python3 -c '
import json, sys
for b in json.load(open(sys.argv[1]))[0]["backup"]:
    print(b["label"], b["type"], "error" if b.get("error") else "ok")' "$T/info.json")
expect_eq "three backups listed, the last flagged" \
	"$(awk '{print $2, $3}' <<<"$labels" | tr '\n' ' ')" "full ok incr ok incr error "
full=$(sed -n 1p <<<"$labels" | cut -d' ' -f1)
incr=$(sed -n 2p <<<"$labels" | cut -d' ' -f1)
bad=$(sed -n 3p <<<"$labels" | cut -d' ' -f1)

dr() { "$DR" "$@"; }
dr init >/dev/null
dr service add orders-db --tier critical >/dev/null
count() { sqlite3 "$XDG_DATA_HOME/drconsole/catalog.db" "$1"; }
uuid5() { python3 -c '
import sys, uuid
ns = uuid.UUID("1b8f3e52-6a0e-4d5c-9b1f-7c2d4e6a8f01")
print(uuid.uuid5(ns, "\0".join(sys.argv[1:]) + "\0"))' "$@"; }

# No mapping: listed, not guessed.
expect_rc "unmapped stanza: exit 3" 3 dr import pgbackrest "$T/info.json"
expect_in "the unmapped stanza is named" "$OUT" "unmapped: 3 entries of stanza main"
expect_eq "nothing imported while unmapped" "$(count 'select count(*) from backup_management')" 0

cat >"$XDG_CONFIG_HOME/drconsole/config.json" <<JSON
{"imports": [{"name": "pg-main", "format": "pgbackrest",
  "map": {"main": "orders-db"}}]}
JSON
expect_rc "dry run" 0 dr import pgbackrest "$T/info.json" --dry-run
expect_in "dry run counts" "$OUT" "3 new"
expect_eq "dry run changes nothing" "$(count 'select count(*) from backup_management')" 0
expect_rc "import by the config's map" 0 dr import pgbackrest "$T/info.json"
expect_in "three new" "$OUT" "3 new, 0 updated, 0 unchanged, 0 expired, 1 failed"
expect_rc "import again (from stdin)" 0 dr import pgbackrest - <"$T/info.json"
expect_in "nothing new the second time" "$OUT" "0 new, 0 updated, 3 unchanged"
expect_eq "no duplicates" "$(count 'select count(*) from backup_management')" 3
expect_eq "one audit row per import (the unmapped one too)" \
	"$(count "select count(*) from audit_log where action = 'backup.import'")" 3

id_full=$(uuid5 pgbackrest main/repo1 "$full")
id_incr=$(uuid5 pgbackrest main/repo1 "$incr")
id_bad=$(uuid5 pgbackrest main/repo1 "$bad")
expect_eq "ids are UUIDv5 of (tool, repository, label)" \
	"$(count "select backup_type || ' ' || backup_status from backup_management where backup_id = '$id_incr'")" \
	"incremental completed"
expect_eq "the flagged backup is failed, with its own times" \
	"$(count "select backup_status, started_at is not null, completed_at is not null from backup_management where backup_id = '$id_bad'")" \
	"failed|1|1"
expect_eq "metadata keeps tool, repository and label" \
	"$(count "select json_extract(metadata, '\$.import.tool') || ' ' || json_extract(metadata, '\$.import.repository') || ' ' || json_extract(metadata, '\$.import.label') from backup_management where backup_id = '$id_full'")" \
	"pgbackrest main/repo1 $full"
expect_eq "sizes from info.size" \
	"$(count "select backup_size > 0 from backup_management where backup_id = '$id_full'")" 1

dr status --json >"$T/status.json"
read -r rpo_id health fails <<<"$(python3 -c '
import json, sys
s = [s for s in json.load(open(sys.argv[1]))["services"] if s["name"] == "orders-db"][0]
print(s["evidence"]["rpo"]["id"], s["health"]["status"] if isinstance(s.get("health"), dict) else s.get("health"), s["evidence"]["health"]["id"])' "$T/status.json" 2>&1)"
expect_eq "status --json: the recovery point is the imported incremental" "$rpo_id" "$id_incr"
expect_eq "status --json: the newest attempt is the failed one" "$fails" "$id_bad"
expect_eq "health counts the imported failure" \
	"$(count "select failure_count || ' ' || health_status from backup_health_monitoring where service_name = 'orders-db'")" \
	"1 degraded"

# pgBackRest expires the flagged backup: ours is marked, not deleted.
run "${PGB[@]}" expire --set="$bad"
expect_eq "pgbackrest expire --set" "$RC" 0
"${PGB[@]}" info --output=json >"$T/info2.json"
expect_rc "import after expire" 0 dr import pgbackrest "$T/info2.json"
expect_in "one expired" "$OUT" "0 new, 0 updated, 2 unchanged, 1 expired"
expect_eq "the expired backup is kept, marked expired" \
	"$(count "select backup_status from backup_management where backup_id = '$id_bad'")" expired
expect_eq "still three rows" "$(count 'select count(*) from backup_management')" 3

# Malformed: file:line:column, exit 2, nothing changed.
before=$(count 'select count(*) || group_concat(backup_status) from backup_management')
python3 - "$T/info.json" "$T/bad.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
text = json.dumps(d, indent=2)
# break the third backup's label line: a missing comma
lines = text.split("\n")
n = [i for i, l in enumerate(lines) if '"label"' in l][2]
lines[n] = lines[n].rstrip(",")
open(sys.argv[2], "w").write("\n".join(lines))
PY
line=$(grep -n '"label"' "$T/bad.json" | sed -n 3p | cut -d: -f1)
expect_rc "malformed listing: exit 2" 2 dr import pgbackrest "$T/bad.json"
expect_in "file:line:column of the fault" "$ERR" "$T/bad.json:$((line + 1)):"
expect_in "says what was expected" "$ERR" "expected ',' or '}' after an object member"
expect_eq "malformed: nothing changed" \
	"$(count 'select count(*) || group_concat(backup_status) from backup_management')" "$before"
expect_rc "not a pgbackrest listing: exit 2" 2 dr import pgbackrest - <<<'{"backup": []}'
expect_in "names the shape expected" "$ERR" "stdin:1:1: expected an array of stanzas"
