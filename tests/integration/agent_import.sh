#!/usr/bin/env bash
# The agent pulls imports by itself: an "imports" entry with a "command"
# and a "schedule" is run and imported (audited with by=agent); a command
# that fails and one that prints something that is not a listing are
# failed imports, audited and queued as notifications, and import nothing
# (the backups imported before are not expired by an empty listing).
. "$(dirname "$0")/../lib.sh"
F=$DR_TOP/tests/fixtures/import
q() { sqlite3 "$XDG_DATA_HOME/drconsole/catalog.db" "$1"; }
"$DR" init >/dev/null
"$DR" service add orders-db --tier critical >/dev/null
cp "$F/walg.json" "$T/listing.json"
CFG=$XDG_CONFIG_HOME/drconsole/config.json
cat >"$CFG" <<JSON
{
  "agent": {"heartbeat": "1s"},
  "notifications": {"channels": [
    {"name": "ops", "kind": "json", "url": "http://127.0.0.1:9/hook"}]},
  "imports": [
    {"name": "walg-good", "format": "walg", "service": "orders-db",
     "command": ["cat", "$T/listing.json"], "schedule": "1h"},
    {"name": "walg-broken", "format": "walg", "service": "orders-db",
     "repository": "other", "command": ["sh", "-c", "echo oops >&2; exit 4"],
     "schedule": "1h"},
    {"name": "walg-garbage", "format": "walg", "service": "orders-db",
     "command": ["echo", "<html>503</html>"], "schedule": "1h"}
  ]
}
JSON
expect_rc "config check accepts the imports" 0 "$DR" config check
run timeout 60 "$DR" agent --ticks 3
expect_eq "agent ran" "$RC" 0
expect_in "the good import ran" "$ERR" "import:walg-good: finished (2 new"
expect_in "the failing command is a failed import" "$ERR" "import:walg-broken: FAILED (import failed, nothing imported: sh exited with status 4: oops)"
expect_in "unparsable output is a failed import" "$ERR" "import:walg-garbage: FAILED (import failed, nothing imported: import:walg-garbage:1:1: expected an array of backups"
expect_eq "two backups imported" "$(q 'select count(*) from backup_management')" 2
expect_eq "the agent's import is audited" \
	"$(q "select count(*) from audit_log where action = 'backup.import' and details like '%by=agent%'")" 1
expect_eq "both failures are audited" \
	"$(q "select group_concat(subject, ' ') from (select subject from audit_log where action = 'backup.import.failed' order by subject)")" \
	"import:walg-broken import:walg-garbage"
expect_eq "and notified" \
	"$(q "select count(*) from notify_outbox where type = 'backup' and state = 'failed' and message like 'import failed%'")" 2
expect_eq "job state says failed" \
	"$(q "select last_status from agent_jobs where name = 'import:walg-broken'" 2>/dev/null || echo '?')" failed
