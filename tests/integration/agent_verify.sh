#!/usr/bin/env bash
# verify:TARGET jobs verify that target's own newest backup: two targets
# of one service each get theirs verified, once, never the other's; and a
# target's verification waits for its backup (a target never runs twice at
# once), while the other target's backup runs beside them on the pool.
. "$(dirname "$0")/../lib.sh"

CAT=$XDG_DATA_HOME/drconsole/catalog.db
mkdir -p "$XDG_CONFIG_HOME/drconsole" "$T/repo"
cat >"$XDG_CONFIG_HOME/drconsole/config.json" <<JSON
{"services": [{"name": "files", "tier": "standard"}],
 "repositories": {"local": {"url": "file://$T/repo"}},
 "agent": {"heartbeat": "1s", "parallel_jobs": 2},
 "backups": {
   "files-a": {"service": "files", "repository": "local", "schedule": "1h",
     "source": {"kind": "command", "shell": "sleep 2; echo payload-a"}},
   "files-b": {"service": "files", "repository": "local", "schedule": "1h",
     "source": {"kind": "command", "shell": "sleep 3; echo payload-b"}}}}
JSON
expect_rc "config apply" 0 "$DR" config apply

"$DR" agent 2>"$T/agent.log" &
AGENT=$!
at_exit "kill -9 $AGENT 2>/dev/null"
sq() { sqlite3 "$CAT" "$1" 2>/dev/null; }
for _ in $(seq 200); do
	[ "$(sq "SELECT count(*) FROM agent_jobs WHERE name LIKE 'verify:%' AND last_status <> 'running'")" = 2 ] && break
	sleep 0.1
done
kill -TERM "$AGENT"
wait "$AGENT"

id_of() { sq "SELECT backup_id FROM backup_management WHERE json_extract(metadata, '\$.target') = '$1'"; }
a=$(id_of files-a)
b=$(id_of files-b)
expect_eq "both targets were backed up, once each" "$(sq "SELECT count(*) FROM backup_management")" 2
expect_eq "files-a's backup is verified" "$(sq "SELECT backup_status FROM backup_management WHERE backup_id = '$a'")" verified
expect_eq "files-b's backup is verified" "$(sq "SELECT backup_status FROM backup_management WHERE backup_id = '$b'")" verified
expect_in "verify:files-a verified files-a's backup" "$(grep 'verify:files-a: finished' "$T/agent.log")" "verified $a"
expect_in "verify:files-b verified files-b's backup" "$(grep 'verify:files-b: finished' "$T/agent.log")" "verified $b"
# The order of the log: a target's verification starts after its backup ends.
order() { grep -n "$1" "$T/agent.log" | head -1 | cut -d: -f1; }
if [ "$(order 'backup:files-a: finished')" -lt "$(order 'verify:files-a:\? started')" ]; then
	pass "verify:files-a waited for backup:files-a"; else fail "verify:files-a waited for backup:files-a" "$(cat "$T/agent.log")"; fi
if [ "$(order 'backup:files-b: started')" -lt "$(order 'backup:files-a: finished')" ]; then
	pass "the two targets' backups ran at the same time"; else fail "two targets' backups at once" "$(cat "$T/agent.log")"; fi
