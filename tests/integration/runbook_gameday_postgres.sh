#!/usr/bin/env bash
# Game day against a real primary and streaming standby (set up as in
# probes_postgres.sh): runbooks/game-day-standby-replay.json pauses WAL
# replay, writes on the primary until the standby lags, and its undo
# resumes replay.  The steady state (replay caught up) must break and come
# back, and the record must keep how long it was broken; a kill -9 while
# the fault is in place must leave the undo pending, and `runbook resume`
# must run it (replay no longer paused on the standby).
. "$(dirname "$0")/../lib.sh"

PGBIN=/usr/lib/postgresql/15/bin
if [ ! -x "$PGBIN/initdb" ]; then
	skip "postgres game day" "PostgreSQL 15 is not installed"
	exit 0
fi

. "$DR_TOP/tests/pg_pair.sh"

cd "$DR_TOP" || exit 1
export DRCONSOLE_CATALOG=$T/catalog.db
"$DR" init >/dev/null 2>&1
"$DR" service add orders-db --tier critical >/dev/null 2>&1
RB=runbooks/game-day-standby-replay.json
VARS=(--var "PRIMARY_DSN=postgresql://postgres@/postgres?host=$SOCK&port=$P1"
	--var "STANDBY_DSN=postgresql://postgres@/postgres?host=$SOCK&port=$P2"
	--var "PSQL=$PGBIN/psql")
last_id() { "$DR" runbook log | awk 'NR == 2 {print $1}'; }

expect_eq "the standby replays before the game day" "$(pgq "$P2" 'SELECT pg_is_wal_replay_paused()')" f

# Unattended: the fault, the lag, the undo, the steady state back.
run "$DR" runbook run $RB "${VARS[@]}" --var HOLD=2 --drill --assume-yes </dev/null
expect_eq "game day: completes" "$RC" 0
expect_in "game day: the standby fell behind" "$OUT" "standby behind by"
expect_in "game day: the steady state broke" "$OUT" "steady state broken: standby-replay-caught-up"
expect_in "game day: the undo ran" "$OUT" "fault of step pause-replay undone"
expect_in "game day: the steady state came back" "$OUT" "steady state holds"
expect_eq "game day: replay resumed on the standby" "$(pgq "$P2" 'SELECT pg_is_wal_replay_paused()')" f
run "$DR" runbook log "$(last_id)"
expect_in "game day: recorded completed" "$OUT" "status:          completed"
if grep -qE "notes: +steady state broken for ([2-9]|[1-9][0-9]+)s \(restored; from [0-9T:Z-]+ to [0-9T:Z-]+\)" <<<"$OUT"; then
	pass "game day: the broken duration is recorded"
else
	fail "game day: the broken duration is recorded" "$OUT"
fi
expect_in "game day: whether the probes noticed is recorded" "$OUT" "probes noticed:"

# kill -9 while the fault is in place: resume runs the pending undo.
"$DR" runbook run $RB "${VARS[@]}" --var HOLD=120 --drill --assume-yes --incident killed \
	</dev/null >"$T/killed.out" 2>&1 &
pid=$!
for _ in $(seq 300); do grep -q "hold: Keep the fault" "$T/killed.out" && break; sleep 0.1; done
sleep 0.5
expect_eq "kill -9: replay is paused during the fault" "$(pgq "$P2" 'SELECT pg_is_wal_replay_paused()')" t
kill -9 $pid
{ wait $pid; } 2>/dev/null
id=$(last_id)
g=$(sqlite3 "$T/catalog.db" "SELECT child_pgid FROM runbook_executions WHERE recovery_id = '$id'")
[ -n "$g" ] && [ "$g" -gt 1 ] && kill -9 -- "-$g" 2>/dev/null
run "$DR" runbook log "$id"
expect_in "kill -9: the undo is pending in the catalog" "$OUT" "note: fault injected, undo pending"
expect_eq "kill -9: replay still paused after the kill" "$(pgq "$P2" 'SELECT pg_is_wal_replay_paused()')" t
run "$DR" runbook resume "$id" </dev/null
expect_in "kill -9: resume runs the undo" "$OUT" "fault of step pause-replay undone"
expect_eq "kill -9: replay is no longer paused" "$(pgq "$P2" 'SELECT pg_is_wal_replay_paused()')" f
run "$DR" runbook log "$id"
expect_in "kill -9: undone recorded" "$OUT" "note: undone"
