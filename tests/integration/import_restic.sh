#!/usr/bin/env bash
# `drconsole import restic` against the real tool (Debian package restic):
# a local repository, two snapshots of a directory tagged "web", their real
# `restic snapshots --json` imported by the tag (a service of that name),
# twice without duplicates, through the config's map to another service,
# then `restic forget` of one snapshot marks it expired, and status --json
# names the newest snapshot as the recovery point.
. "$(dirname "$0")/../lib.sh"
if ! command -v restic >/dev/null; then
	skip "restic import" "restic is not installed"
	exit 0
fi
export RESTIC_REPOSITORY=$T/restic RESTIC_PASSWORD=test-only-password
mkdir -p "$T/data"
echo one >"$T/data/a"
run restic init -q
expect_eq "restic init" "$RC" 0
run restic backup -q --tag web --host web1 "$T/data"
expect_eq "first snapshot" "$RC" 0
sleep 1
echo two >"$T/data/b"
run restic backup -q --tag web --host web1 "$T/data"
expect_eq "second snapshot" "$RC" 0
restic snapshots --json >"$T/snap.json"
ids=$(python3 -c 'import json,sys; [print(s["id"]) for s in json.load(open(sys.argv[1]))]' "$T/snap.json")
first=$(sed -n 1p <<<"$ids")
second=$(sed -n 2p <<<"$ids")

dr() { "$DR" "$@"; }
q() { sqlite3 "$XDG_DATA_HOME/drconsole/catalog.db" "$1"; }
uuid5() { python3 -c '
import sys, uuid
ns = uuid.UUID("1b8f3e52-6a0e-4d5c-9b1f-7c2d4e6a8f01")
print(uuid.uuid5(ns, "\0".join(sys.argv[1:]) + "\0"))' "$@"; }
dr init >/dev/null
dr service add web --tier standard >/dev/null
expect_rc "import by tag (a service named web)" 0 dr import restic "$T/snap.json" --repository local-web
expect_in "two new" "$OUT" "2 new, 0 updated, 0 unchanged"
expect_rc "import again" 0 dr import restic - --repository local-web <"$T/snap.json"
expect_in "unchanged" "$OUT" "0 new, 0 updated, 2 unchanged"
expect_eq "no duplicates" "$(q 'select count(*) from backup_management')" 2
id2=$(uuid5 restic local-web "$second")
expect_eq "the id is UUIDv5 of (restic, repository, snapshot id)" \
	"$(q "select backup_status || ' ' || backup_type from backup_management where backup_id = '$id2'")" "completed full"

dr status --json >"$T/st.json"
expect_eq "status --json: the newest snapshot is the recovery point" \
	"$(python3 -c 'import json,sys; print([s for s in json.load(open(sys.argv[1]))["services"] if s["name"]=="web"][0]["evidence"]["rpo"]["id"])' "$T/st.json")" "$id2"

run restic forget -q "$first"
expect_eq "restic forget" "$RC" 0
restic snapshots --json >"$T/snap2.json"
expect_rc "import after forget" 0 dr import restic "$T/snap2.json" --repository local-web
expect_in "one expired" "$OUT" "1 unchanged, 1 expired"
expect_eq "the forgotten snapshot is expired, not deleted" \
	"$(q "select backup_status from backup_management where backup_id = '$(uuid5 restic local-web "$first")'")" expired

# The config's map: the host web1 stands for another service, and an
# explicit map wins over a service that happens to share the tag's name.
dr service add web-files --tier low >/dev/null
cat >"$XDG_CONFIG_HOME/drconsole/config.json" <<JSON
{"imports": [{"format": "restic", "repository": "local-files",
  "map": {"web1": "web-files"}}]}
JSON
expect_rc "config map by host name" 0 dr import restic "$T/snap2.json"
expect_in "mapped to web-files" "$OUT" "service web-files"
expect_eq "web-files has the snapshot, under the config's repository" \
	"$(q "select count(*) from backup_management where service_name = 'web-files' and json_extract(metadata, '\$.import.repository') = 'local-files'")" 1
