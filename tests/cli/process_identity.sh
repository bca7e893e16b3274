#!/usr/bin/env bash
# A pid names a process only while it runs: records keep its start time
# too (field 22 of /proc/PID/stat), so a live process that got a dead
# holder's pid is not taken for it.  The live stranger here is this test's
# own shell, written into the catalog with a start time that is not its own.
# catalogs: sqlite postgresql
. "$(dirname "$0")/../lib.sh"
. "$DR_TOP/tests/backup_lib.sh"
cd "$DR_TOP" || exit 1
RB=tests/fixtures/runbooks/good/counter.json
lines() { [ -e "$1" ] && wc -l <"$1" | tr -d ' ' || echo 0; }
host=$(hostname)
# start_of PID: field 22 of its stat, counted after the last ')'.
start_of() {
	local s
	s=$(cat "/proc/$1/stat")
	s=${s##*) }
	# shellcheck disable=SC2086
	set -- $s
	echo "${20}"
}
me=$$
my_start=$(start_of $me)
wrong_start=$((my_start + 1))

# ---- backup run records its own start time, not field 21's 0 ----
echo data >"$T/src.txt"
write_config '"plain": { "service": "orders", "repository": "local",
  "source": { "kind": "file", "path": "'"$T/src.txt"'" } }'
expect_rc "a backup runs" 0 dr backup run plain
got=$(sql "select $(cat_json metadata pid_start) from backup_management")
case $got in
'' | 0 | *[!0-9]*) fail "the row records the process's start time" "pid_start '$got'" ;;
*) pass "the row records the process's start time ($got)" ;;
esac

# ---- a running backup whose pid now belongs to another process ----
running_row() { # START
	dr record backup --service orders --status running \
		--metadata '{"host": "'"$host"'", "pid": '"$me"', "pid_start": "'"$1"'"}'
}
run running_row "$wrong_start"
reused=$OUT
run running_row "$my_start"
live=$OUT
expect_rc "backup list reaps stale rows" 0 dr backup list
expect_eq "a running row whose pid was reused is failed" \
	"$(sql "select backup_status from backup_management where backup_id = '$reused'")" failed
expect_in "saying its process ended" \
	"$(sql "select $(cat_json metadata error) from backup_management where backup_id = '$reused'")" \
	"(pid $me on $host) ended before the backup completed"
expect_eq "a running row of a live process stays running" \
	"$(sql "select backup_status from backup_management where backup_id = '$live'")" running

# ---- a runbook holder whose pid now belongs to another process ----
export DRCONSOLE_CATALOG=$db
mkdir -p "$T/m"
touch "$T/m/hold"
"$DR" runbook run $RB --var DIR="$T/m" </dev/null >"$T/out" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -s "$T/m/two.start" ] && break; sleep 0.1; done
kill -9 $pid
{ wait $pid; } 2>/dev/null
id=$(sql "select recovery_id from runbook_executions")
g=$(sql "select child_pgid from runbook_executions where recovery_id = '$id'")
[ -n "$g" ] && [ "$g" -gt 1 ] && kill -9 -- "-$g" 2>/dev/null
rm -f "$T/m/hold"
got=$(sql "select pid_start from runbook_executions where recovery_id = '$id'")
case $got in
'' | 0 | *[!0-9]*) fail "the holder's start time is recorded" "'$got'" ;;
*) pass "the holder's start time is recorded ($got)" ;;
esac

hold_as() { # START: the row names this shell with that start time
	sql "update runbook_executions set pid = $me, host = '$host', pid_start = $1 where recovery_id = '$id'"
}
hold_as "$my_start"
run "$DR" runbook resume "$id" </dev/null
expect_eq "a holder that is this very process is still running" "$RC" 1
expect_in "and resume says so" "$ERR" "it is still running there"

hold_as "$wrong_start"
run "$DR" runbook resume "$id" <<<"r"
expect_eq "a holder whose pid was reused can be resumed" "$RC" 0
expect_not_in "it is not taken for a live holder" "$ERR" "still running there"
expect_eq "the interrupted step ran again" "$(lines "$T/m/two.start")" 2
expect_eq "completed step one did not run again" "$(lines "$T/m/one")" 1
run "$DR" runbook log "$id"
expect_in "the recovery completed" "$OUT" "status:          completed"
expect_not_in "the holder's start time is no variable" "$OUT" "pid_start"
