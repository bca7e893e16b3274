#!/usr/bin/env bash
# The agent runs scheduled backups and their verification through the
# backup module's hooks; killed with -9 in the middle of a backup and
# restarted, it marks the cut-short backup failed, never runs a second
# backup for the same scheduled time, and the schedule goes on.
. "$(dirname "$0")/../lib.sh"

if [ ! -f "$DR_TOP/core/backup.c" ]; then
	skip "scheduled backups under the agent" "the backup module is not in this build"
	exit 0
fi
CAT=$XDG_DATA_HOME/drconsole/catalog.db
mkdir -p "$XDG_CONFIG_HOME/drconsole" "$T/repo"
cat >"$XDG_CONFIG_HOME/drconsole/config.json" <<JSON
{"services": [{"name": "files", "tier": "standard"}],
 "repositories": {"local": {"url": "file://$T/repo"}},
 "backups": {"files-often": {"service": "files", "repository": "local",
   "schedule": "4s",
   "source": {"kind": "command",
              "shell": "sleep 2; echo payload-\$(date +%s)"}}}}
JSON
expect_rc "config apply" 0 "$DR" config apply

"$DR" agent 2>>"$T/agent.log" &
AGENT=$!
at_exit "kill -9 $AGENT 2>/dev/null"
sq() { sqlite3 "$CAT" "$1" 2>/dev/null; }
wait_rows() { # wait_rows SQL N SECONDS
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		[ "$(sq "$1")" -ge "$2" ] 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
if wait_rows "SELECT count(*) FROM backup_management WHERE backup_status IN ('completed', 'verified')" 1 15; then
	pass "the agent ran a scheduled backup"
else fail "the agent ran a scheduled backup" "$(cat "$T/agent.log")"; fi
if wait_rows "SELECT count(*) FROM backup_management WHERE backup_status = 'verified'" 1 10; then
	pass "and verified it"
else fail "and verified it" "$(cat "$T/agent.log")"; fi
run "$DR" agent status
expect_in "the heartbeat says backups are wired" "$OUT" "backups: wired"
expect_in "agent status lists the backup job" "$OUT" "backup:files-often"

# Kill -9 in the middle of the next backup (its source sleeps 2s).
wait_rows "SELECT count(*) FROM backup_management WHERE backup_status = 'running'" 1 10
kill -9 "$AGENT"
wait "$AGENT" 2>/dev/null
sleep 1
"$DR" agent 2>>"$T/agent.log" &
AGENT=$!
at_exit "kill -9 $AGENT 2>/dev/null"
sleep 10
kill -TERM "$AGENT"
wait "$AGENT"
expect_eq "SIGTERM: the agent exits 0" "$?" 0

expect_eq "no backup is left running" \
	"$(sq "SELECT count(*) FROM backup_management WHERE backup_status = 'running'")" 0
expect_eq "the one cut short is marked failed" \
	"$(sq "SELECT count(*) FROM backup_management WHERE backup_status = 'failed'")" 1
starts=$(sq "SELECT strftime('%s', started_at) FROM backup_management ORDER BY started_at")
echo "# backups started at: $(tr '\n' ' ' <<<"$starts")"
n=$(wc -l <<<"$starts")
if [ "$n" -ge 4 ]; then pass "the schedule went on after the restart ($n backups)"; else
	fail "the schedule went on after the restart" "$starts"; fi
# One backup per scheduled time: each start rounds to its own slot of the
# 4s grid (a start a second late on a loaded machine still rounds to its
# own slot; a second backup for the same time, started at once after the
# restart, shares a slot with the one cut short or with the next).
slots=$(awk 'NR == 1 { first = $1 } { printf "%d\n", ($1 - first) / 4 + 0.5 }' <<<"$starts")
dups=$(sort -n <<<"$slots" | uniq -d | tr '\n' ' ')
if [ -z "$dups" ]; then pass "no duplicate backup: each started in its own 4s slot ($(tr '\n' ' ' <<<"$slots"))"; else
	fail "no duplicate backup" "two backups in slot(s) $dups" "started at: $starts"; fi
