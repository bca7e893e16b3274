#!/usr/bin/env bash
# `drconsole import` of WAL-G, Velero and Barman listings written from the
# tools' documented shapes (tests/fixtures/import/README): types, statuses
# and times as the tools give them, Velero's single object and list, the
# mapping rules (identical name, --service, the config's map, unmapped
# listed with exit 3), idempotence by label, and bad input.
# catalogs: sqlite postgresql
. "$(dirname "$0")/../lib.sh"
F=$DR_TOP/tests/fixtures/import
export TZ=UTC
dr() { "$DR" "$@"; }
q() { catq "${DRCONSOLE_CATALOG:-$XDG_DATA_HOME/drconsole/catalog.db}" "$1"; }
dr init >/dev/null
dr service add orders-db --tier critical >/dev/null
dr service add shop --tier standard >/dev/null
dr service add pg --tier standard >/dev/null

# WAL-G: no mapping by itself (host name orders-pg1 is not a service).
expect_rc "walg: unmapped host" 3 dr import walg "$F/walg.json"
expect_in "walg: names the host" "$OUT" "unmapped: 2 entries of host name or data directory orders-pg1, /var/lib/postgresql/15/main"
expect_rc "walg: --service" 0 dr import walg "$F/walg.json" --service orders-db
expect_in "walg: two new" "$OUT" "2 new"
expect_eq "walg: full and delta, times with offsets" \
	"$(q "select backup_type, started_at, completed_at, backup_size from backup_management where service_name = 'orders-db' order by started_at")" \
	"full|2026-11-20T02:00:01Z|2026-11-20T02:00:40Z|31416318
incremental|2026-11-21T02:00:00Z|2026-11-21T02:00:11Z|1777930"
expect_eq "walg: repository defaults to \"default\"" \
	"$(q "select distinct $(cat_json metadata import.repository) from backup_management")" default
expect_rc "walg: again" 0 dr import walg "$F/walg.json" --service orders-db
expect_in "walg: unchanged" "$OUT" "0 new, 0 updated, 2 unchanged, 0 expired"
# Only the newest is listed now: the other expires.
python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))[1:]))' "$F/walg.json" >"$T/walg1.json"
expect_rc "walg: one gone" 0 dr import walg "$T/walg1.json" --service orders-db
expect_in "walg: the gone one expires" "$OUT" "1 unchanged, 1 expired"
# Another repository's labels never meet this one's.
expect_rc "walg: another repository" 0 dr import walg "$F/walg.json" --service orders-db --repository s3-eu
expect_in "walg: new rows for it" "$OUT" "2 new, 0 updated, 0 unchanged, 0 expired"

# Velero: a bare object, then a list; namespace "shop" is a service.
expect_rc "velero: one backup (a bare object)" 0 dr import velero "$F/velero-one.json"
expect_in "velero: one new, failed" "$OUT" "1 new, 0 updated, 0 unchanged, 0 expired, 1 failed"
expect_eq "velero: PartiallyFailed is failed, with its completion time" \
	"$(q "select backup_status, started_at, completed_at from backup_management where service_name = 'shop'")" \
	"failed|2026-11-21T02:00:00Z|2026-11-21T02:04:31Z"
expect_rc "velero: a list, one unmapped" 3 dr import velero "$F/velero-list.json"
expect_in "velero: counts" "$OUT" "1 new, 0 updated, 1 unchanged, 0 expired, 1 failed"
expect_in "velero: the unmapped one" "$OUT" "unmapped: 1 entry of schedule, namespace or backup name infra, adhoc-infra"
expect_eq "velero: completed and failed" \
	"$(q "select backup_status from backup_management where service_name = 'shop' order by started_at")" \
	"completed
failed"
cat >"$XDG_CONFIG_HOME/drconsole/config.json" <<JSON
{"imports": [{"format": "velero", "map": {"infra": "orders-db"}}]}
JSON
expect_rc "velero: mapped by the config" 0 dr import velero "$F/velero-list.json"
expect_eq "velero: InProgress is running, not finished" \
	"$(q "select backup_status, case when completed_at is null then 1 else 0 end from backup_management where $(cat_json metadata import.label) = 'adhoc-infra'")" \
	"running|1"
# A bare Backup is also what `velero backup get NAME` prints: it never
# expires the location's other backups.
expired_before=$(q "select count(*) from backup_management where backup_status = 'expired'")
run dr import velero "$F/velero-one.json"
expect_in "velero: one backup by itself expires none of the others" "$OUT" "0 expired"
expect_eq "velero: the others are still there, not expired" \
	"$(q "select count(*) from backup_management where backup_status = 'expired'")" "$expired_before"
rm "$XDG_CONFIG_HOME/drconsole/config.json"

# Barman: list-backups (server "pg" is a service), then show-backup.
expect_rc "barman: list-backups" 0 dr import barman "$F/barman-list.json"
expect_in "barman: one done, one failed" "$OUT" "2 new, 0 updated, 0 unchanged, 0 expired, 1 failed"
expect_eq "barman: DONE ends at its string epoch, begins from its id" \
	"$(q "select backup_status, started_at, completed_at, backup_size from backup_management where service_name = 'pg' order by started_at")" \
	"completed|2026-11-21T02:00:00Z|2026-11-21T02:25:32Z|23592960
failed|2026-11-22T02:00:00Z||"
expect_rc "barman: show-backup of the same" 0 dr import barman "$F/barman-show.json"
expect_in "barman: the same backup, the same sizes: unchanged, the other not expired" "$OUT" "0 new, 0 updated, 1 unchanged, 0 expired"
expect_eq "barman: still two" "$(q "select count(*) from backup_management where service_name = 'pg'")" 2

# Bad input: position, exit 2, no change.
before=$(q "select count(*) from backup_management")
expect_rc "velero: bad phase" 2 dr import velero - <<<'{"metadata": {"name": "x"}, "status": {"phase": "Exploded"}}'
expect_in "velero: names it" "$ERR" "stdin:1:40: unknown Velero phase \"Exploded\""
expect_rc "walg: bad time" 2 dr import walg - --service orders-db <<<'[{"backup_name": "b", "finish_time": "yesterday"}]'
expect_in "walg: the time's place" "$ERR" "stdin:1:23: expected a time such as"
printf '[\n  {"backup_name": "b",\n   "finish_time": "2026-01-01T00:00:00Z"}\n  {"x": 1}\n]\n' >"$T/two.json"
expect_rc "walg: missing comma" 2 dr import walg "$T/two.json" --service orders-db
expect_in "walg: line and column" "$ERR" "$T/two.json:4:3: expected ',' or ']' after an array element"
expect_rc "unknown format" 2 dr import bacula "$F/walg.json"
expect_rc "unknown service" 2 dr import walg "$F/walg.json" --service nope
expect_eq "bad input changed nothing" "$(q "select count(*) from backup_management")" "$before"
cat >"$XDG_CONFIG_HOME/drconsole/config.json" <<JSON
{"imports": [{"format": "bacula", "map": {"x": 1}}]}
JSON
expect_rc "config: bad imports section" 2 dr config check
expect_in "config: unknown format, with its place" "$ERR" "config.json:1:15: unknown import format \"bacula\""
expect_in "config: bad map value, with its place" "$ERR" "config.json:1:43: expected a service name for \"x\""
