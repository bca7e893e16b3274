#!/usr/bin/env bash
# regional-failover's lag check against a real primary and streaming
# standby: it measures WAL (received and replayed on the standby), not the
# age of the last commit, so it passes when the primary is gone and nothing
# more can arrive (the old check, now() - pg_last_xact_replay_timestamp(),
# grew with the outage and failed exactly then), and fails when the
# standby has WAL it has not replayed, or is no standby at all.
. "$(dirname "$0")/../lib.sh"

PGBIN=/usr/lib/postgresql/15/bin
if [ ! -x "$PGBIN/initdb" ]; then
	skip "regional-failover lag check" "PostgreSQL 15 is not installed"
	exit 0
fi
. "$DR_TOP/tests/pg_pair.sh"
cd "$DR_TOP" || exit 1

# The step's command exactly as the shipped runbook has it.
cmd=$(python3 -c '
import json
d = json.load(open("runbooks/regional-failover.json"))
print([s for p in d["phases"] for s in p["steps"] if s["id"] == "check-lag"][0]["command"])')
check() { # DSN_PORT MAX_BYTES: runs the step's command as the runbook would
	run env DR_VAR_STANDBY_DSN="postgresql://postgres@/postgres?host=$SOCK&port=$1" \
		DR_VAR_MAX_REPLAY_BYTES="$2" PATH="$PGBIN:$PATH" \
		"${AS[@]}" /bin/sh -c "$cmd"
}

pgq "$P1" "CREATE TABLE t (v text)" >/dev/null
pgq "$P1" "INSERT INTO t SELECT repeat('x', 100) FROM generate_series(1, 1000)" >/dev/null
wait_for 10 test "$(pgq "$P2" 'SELECT count(*) FROM t' 2>/dev/null)" = 1000
check "$P2" 16777216
expect_eq "a streaming standby that caught up: the check passes" "$RC" 0
expect_in "  it says the receiver streams" "$OUT" "WAL receiver streaming"
expect_in "  and how far it replayed" "$OUT" "replay behind by 0 bytes"

# WAL received but not replayed (replay paused while the primary writes).
pgq "$P2" "SELECT pg_wal_replay_pause()" >/dev/null
pgq "$P1" "INSERT INTO t SELECT repeat('y', 100) FROM generate_series(1, 20000)" >/dev/null
wait_for 10 sh -c "test \"\$(env PATH=$PGBIN:\$PATH ${AS[*]} psql -h $SOCK -p $P2 -U postgres -XAtqc \"select pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()) > 100000\" postgres)\" = t"
check "$P2" 100000
expect_eq "WAL not yet replayed beyond the limit: the check fails" "$RC" 1
behind=$(sed -n 's/.*replay behind by \([0-9]*\) bytes.*/\1/p' <<<"$OUT")
[ -n "$behind" ] && [ "$behind" -gt 100000 ] &&
	pass "  naming the bytes behind ($behind)" || fail "  naming the bytes behind" "$OUT"
pgq "$P2" "SELECT pg_wal_replay_resume()" >/dev/null

# The primary is lost: nothing more arrives, what came is replayed.
"${AS[@]}" "$PGBIN/pg_ctl" -D "$PG/primary" -m immediate stop >/dev/null 2>&1
wait_for 10 sh -c "test \"\$(env PATH=$PGBIN:\$PATH ${AS[*]} psql -h $SOCK -p $P2 -U postgres -XAtqc \"select pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()) = 0\" postgres)\" = t"
sleep 3
old=$(pgq "$P2" "select floor(extract(epoch from now() - pg_last_xact_replay_timestamp()))")
check "$P2" 16777216
expect_eq "the primary gone, everything replayed: the check passes" "$RC" 0
expect_in "  the time since the primary was last heard is said" "$OUT" "primary last heard"
[ "$old" -ge 3 ] && pass "  (where the age of the last commit, ${old}s, only grows)" ||
	fail "  the age of the last commit grows" "$old"

# Not a standby: promoted, or the wrong DSN.
pgq "$P2" "SELECT pg_promote(true, 30)" >/dev/null
check "$P2" 16777216
expect_eq "no longer in recovery: the check fails" "$RC" 1
expect_in "  saying so" "$OUT" "in recovery f"
