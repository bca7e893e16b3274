#!/usr/bin/env bash
# The runbook lock across hosts on one PostgreSQL catalog.  Host dc1 runs a
# runbook; from host dc2 (another UTS namespace, another home) a second
# run of the incident is refused and so is a takeover, naming dc1's
# holder, pid and start, while dc1's holder beats.  When dc1 dies (its
# drconsole and its step killed, as a host going down takes both), its
# beat stops; only after 30 s without one may dc2 take it over, and only
# by typing dc1's name, and by one host only when two try at once.  The
# takeover is audited and the run completes.
. "$(dirname "$0")/../lib.sh"
. "$DR_TOP/tests/pg_server.sh"
unset DRCONSOLE_CATALOG

if ! unshare --uts true 2>/dev/null; then
	skip "runbooks on two hosts" "unshare --uts needs root here"
	exit 0
fi
CAT=$(pg_db dr)
expect_rc "init" 0 "$DR" init --catalog "$CAT"
expect_rc "a service" 0 "$DR" service add api --tier critical --catalog "$CAT"
RB=$DR_TOP/tests/fixtures/runbooks/good/counter.json
mkdir -p "$T/m" "$T/dc2home"
touch "$T/m/hold"
on() { # on HOST CMD...: CMD on that host (its own host name and home)
	local h=$1
	shift
	if [ "$h" != dc1 ]; then
		mkdir -p "$T/${h}home"
		HOME=$T/${h}home XDG_DATA_HOME=$T/${h}home/data \
			unshare --uts sh -c 'hostname "$0"; exec "$@"' "$h" "$@"
	else
		unshare --uts sh -c 'hostname dc1; exec "$@"' sh "$@"
	fi
}
on dc1 "$DR" runbook run "$RB" --var DIR="$T/m" --incident outage \
	--catalog "$CAT" </dev/null >"$T/dc1.out" 2>&1 &
DC1=$!
at_exit "kill -9 $DC1 2>/dev/null"
wait_for 10 test -s "$T/m/two.start"
id=$("$DR" runbook log --catalog "$CAT" | awk '/outage/ {print $1; exit}')
HPID=$(pgq dr "select pid from runbook_executions where recovery_id = '$id'")

run on dc2 "$DR" runbook run "$RB" --var DIR="$T/m" --incident outage --catalog "$CAT" </dev/null
expect_eq "a second run of the incident from dc2 is refused" "$RC" 1
expect_in "naming the holder's host and pid" "$ERR" "on dc1 (pid $HPID)"
expect_in "and when it last beat" "$ERR" "It runs on another host (last beat "
run on dc2 "$DR" runbook resume "$id" --catalog "$CAT" --confirm dc1 </dev/null
expect_eq "a takeover from dc2 while dc1 beats is refused, even typed" "$RC" 1
expect_in "it is still running there" "$ERR" "whose last beat was "
expect_in "and says when it may be taken over" "$ERR" "not beaten for 30s"
sleep 12
beat=$(pgq dr "select updated_at from runbook_executions where recovery_id = '$id'")
started=$(pgq dr "select held_since from runbook_executions where recovery_id = '$id'")
if [ "$beat" \> "$started" ]; then pass "dc1's holder beats ($started, then $beat)"; else
	fail "dc1's holder beats" "held since $started, updated $beat"; fi
run on dc2 "$DR" runbook resume "$id" --catalog "$CAT" --confirm dc1 </dev/null
expect_eq "after 12 s dc1 still beats: refused" "$RC" 1

# dc1 goes down: its drconsole and the step it ran.
kill -9 "$HPID" "$DC1"
pkill -9 -f "drconsole-step" 2>/dev/null
pkill -9 -f "two.start" 2>/dev/null
wait "$DC1" 2>/dev/null
t_dead=$(date +%s)
run on dc2 "$DR" runbook resume "$id" --catalog "$CAT" --confirm dc1 </dev/null
expect_eq "just after dc1 died its last beat is too fresh: refused" "$RC" 1
wait_for 40 test "$(($(date +%s) - t_dead))" -ge 32
run on dc2 "$DR" runbook resume "$id" --catalog "$CAT" </dev/null
expect_eq "silent for 30 s: a takeover without the typed name is refused" "$RC" 1
expect_in "it asks for dc1's name" "$ERR" "Type that host's name to take it over"
expect_in "saying the host is silent" "$ERR" "silent for "
expect_eq "and the hold stays with dc1" \
	"$(pgq dr "select host from runbook_executions where recovery_id = '$id'")" dc1
# Two hosts take it over at once: dc3's operator is still typing dc1's
# name when dc2's takeover lands.  dc2 holds it; dc3's answer, typed
# after, changes nothing and says who holds it now.
mkfifo "$T/dc3.in"
on dc3 "$DR" runbook resume "$id" --catalog "$CAT" <"$T/dc3.in" >"$T/dc3.out" 2>&1 &
DC3=$!
exec 7>"$T/dc3.in"
at_exit "kill -9 $DC3 2>/dev/null"
wait_for 10 grep -q "Type that host's name" "$T/dc3.out"
on dc2 sh -c "printf 'r\n' | '$DR' runbook resume '$id' --catalog '$CAT' --confirm dc1" \
	>"$T/dc2.out" 2>&1 &
DC2=$!
at_exit "kill -9 $DC2 2>/dev/null"
wait_for 10 test "$(pgq dr "select host from runbook_executions where recovery_id = '$id'")" = dc2
echo dc1 >&7
exec 7>&-
wait_for 15 sh -c "! kill -0 $DC3 2>/dev/null"
if kill -0 "$DC3" 2>/dev/null; then
	fail "dc3's takeover, typed after dc2's landed, is refused" \
		"dc3 runs the recovery too" "$(cat "$T/dc3.out")"
	kill -9 "$DC3"
else
	wait "$DC3"
	expect_eq "dc3's takeover, typed after dc2's landed, is refused" "$?" 1
fi
expect_in "saying another session took it over while dc3 asked" "$(cat "$T/dc3.out")" \
	"not taken over: another session took over recovery $id while this one asked"
expect_in "naming its holder now, on dc2" "$(cat "$T/dc3.out")" "it is now held by "
expect_in "on dc2" "$(cat "$T/dc3.out")" " on dc2 (pid "
expect_eq "the hold stays dc2's" \
	"$(pgq dr "select host from runbook_executions where recovery_id = '$id'")" dc2
rm -f "$T/m/hold"
wait "$DC2"
expect_eq "typed, dc2 takes it over and completes it" "$?" 0
expect_eq "the run is dc2's" \
	"$(pgq dr "select host || ' ' || is_open from runbook_executions where recovery_id = '$id'")" "dc2 0"
expect_eq "steps one and three ran once each" "$(cat "$T/m/one" "$T/m/three" | tr '\n' ' ')" "one three "
run "$DR" audit list --catalog "$CAT"

expect_in "the takeover is audited" "$OUT" "runbook.takeover"
