#!/usr/bin/env bash
# PostgreSQL restarted in the middle of a change: the change is made again
# from its start once the server is back (bounded: about 15 s), so
# `record`, `backup run` and a runbook's step complete; a server that stays
# away makes the change fail with a clear message and nothing recorded; a
# link cut while the commit travels is settled by asking the server what
# became of the transaction, so a change is never recorded twice nor lost
# while reported done; `runbook resume` goes on after the reconnect.
#
# The record is caught inside its transaction by a lock another session
# holds (a real server's own behaviour); the cut at the commit is the one
# fault a real server cannot show on demand, made by
# tests/helpers/pg_cut_proxy.py in front of it.
. "$(dirname "$0")/../lib.sh"
. "$DR_TOP/tests/pg_server.sh"
unset DRCONSOLE_CATALOG

CAT=$(pg_db dr)
mkdir -p "$XDG_CONFIG_HOME/drconsole"
cfg=$XDG_CONFIG_HOME/drconsole/config.json
cat >"$cfg" <<JSON
{"services": [{"name": "api", "tier": "critical"}],
 "repositories": {"local": {"url": "file://$T/repo"}},
 "backups": {"slow": {"service": "api", "repository": "local",
   "source": {"kind": "command",
     "shell": "echo data; while [ -e $T/hold-backup ]; do sleep 0.1; done; echo more"}}}}
JSON
expect_rc "init" 0 "$DR" init --catalog "$CAT"
expect_rc "config apply" 0 "$DR" config apply --catalog "$CAT"
pg_stop() { "${AS[@]}" "$PGBIN/pg_ctl" -D "$PG/data" -m fast -w stop >/dev/null; }
pg_start() { "${AS[@]}" "$PGBIN/pg_ctl" -D "$PG/data" -l "$PG/server.log" -w start >/dev/null; }
rows() { pgq dr "select count(*) from backup_management where backup_status = 'completed'"; }
# hold_lock: another session locks the backups' table, so the next write
# to it waits inside its transaction; returns once a writer waits there.
hold_lock() {
	"${AS[@]}" "$PGBIN/psql" -h "$SOCK" -p "$PGP" -U postgres -d dr -XAtq \
		-c "BEGIN; LOCK TABLE backup_management IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60)" \
		>/dev/null 2>&1 &
	LOCKER=$!
	wait_for 10 lock_held
}
lock_held() {
	[ "$(pgq dr "select count(*) from pg_locks l join pg_class c on c.oid = l.relation where c.relname = 'backup_management' and l.mode = 'AccessExclusiveLock' and l.granted")" = 1 ]
}
writer_waits() {
	[ "$(pgq dr "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and application_name = 'drconsole'")" -ge 1 ]
}

# ---- 1. a restart while `record` is inside its transaction ----
hold_lock
"$DR" record backup --service api --status completed --size 11 --catalog "$CAT" \
	>"$T/rec1.out" 2>"$T/rec1.err" &
REC=$!
if wait_for 10 writer_waits; then pass "the record waits inside its transaction"; else
	fail "the record waits inside its transaction" "$(cat "$T/rec1.err")" \
		"$(pgq dr "select application_name, state, wait_event_type, left(query, 60) from pg_stat_activity")"; fi
pg_stop
sleep 1
pg_start
wait "$REC"
expect_eq "record across the restart completes (exit 0)" "$?" 0
expect_eq "and is recorded once" "$(rows)" 1
expect_eq "the size is the one given" "$(pgq dr "select backup_size from backup_management")" 11

# ---- 2. a server that stays away: bounded, clear, nothing recorded ----
hold_lock
"$DR" record backup --service api --status completed --size 22 --catalog "$CAT" \
	>"$T/rec2.out" 2>"$T/rec2.err" &
REC=$!
wait_for 10 writer_waits
t0=$(date +%s)
pg_stop
wait "$REC"
rc=$?
t1=$(date +%s)
expect_eq "record with the server gone for good: exit 1" "$rc" 1
expect_in "it says the server could not be reached, and how hard it tried" \
	"$(cat "$T/rec2.err")" "the catalog's server could not be reached: tried "
expect_in "and that nothing was changed" "$(cat "$T/rec2.err")" "nothing was changed"
if [ $((t1 - t0)) -le 30 ]; then pass "it gives up in bounded time ($((t1 - t0)) s)"; else
	fail "it gives up in bounded time" "$((t1 - t0)) s"; fi
pg_start
expect_eq "nothing of it is in the catalog" "$(rows)" 1

# ---- 3. the link cut as the commit travels ----
proxy() { # proxy MODE: starts the proxy; sets PXURL
	PXP=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	printf '127.0.0.1:%s:*:drtest:%s\n' "$PXP" "$PG_SECRET" >>"$T/pgpass"
	rm -f "$T/px" "$T/px.cut"
	python3 "$DR_TOP/tests/helpers/pg_cut_proxy.py" "$PXP" "$PGP" "$1" "$T/px" &
	PX=$!
	at_exit "kill $PX 2>/dev/null"
	wait_for 5 test -e "$T/px"
	PXURL=postgresql://drtest@127.0.0.1:$PXP/dr
}
proxy after
run "$DR" record backup --service api --status completed --size 33 --catalog "$PXURL"
expect_eq "the link was cut after the server had the commit" "$(cat "$T/px.cut" 2>/dev/null)" "cut after"
expect_eq "record whose answer was lost: exit 0, since the server committed" "$RC" 0
expect_eq "and it is recorded once, not twice" \
	"$(pgq dr "select count(*) from backup_management where backup_size = 33")" 1
kill "$PX"
proxy before
run "$DR" record backup --service api --status completed --size 44 --catalog "$PXURL"
expect_eq "the link was cut before the commit reached the server" "$(cat "$T/px.cut" 2>/dev/null)" "cut before"
expect_eq "record whose commit never arrived: made again, exit 0" "$RC" 0
expect_eq "and recorded once" \
	"$(pgq dr "select count(*) from backup_management where backup_size = 44")" 1
kill "$PX"

# ---- 4. `backup run` with a restart while the data flows ----
touch "$T/hold-backup"
"$DR" backup run slow --catalog "$CAT" >"$T/bk.out" 2>"$T/bk.err" &
BK=$!
wait_for 10 pgrep -f "hold-backup" >/dev/null
sleep 0.5
pg_stop
sleep 1
pg_start
rm -f "$T/hold-backup"
wait "$BK"
expect_eq "backup run across the restart completes" "$?" 0
made=$(pgq dr "select backup_id from backup_management where backup_status = 'completed' and metadata like '%object%'")
expect_eq "its backup is recorded completed, once" "$(echo "$made" | grep -c .)" 1
expect_rc "and it verifies" 0 "$DR" backup verify --catalog "$CAT" "$made"

# ---- 5. a runbook step across a restart, and resume after a longer one ----
RB=$DR_TOP/tests/fixtures/runbooks/good/counter.json
mkdir -p "$T/m"
touch "$T/m/hold"
"$DR" runbook run "$RB" --var DIR="$T/m" --incident restart --catalog "$CAT" \
	</dev/null >"$T/rb1.out" 2>&1 &
RBP=$!
wait_for 10 test -s "$T/m/two.start"
pg_stop
sleep 1
pg_start
rm -f "$T/m/hold"
wait "$RBP"
expect_eq "a runbook whose step ran across a restart completes" "$?" 0
expect_eq "each step ran once" "$(cat "$T/m/one" "$T/m/two" "$T/m/three" | tr '\n' ' ')" "one two three "
run "$DR" runbook log --catalog "$CAT"
expect_in "its recovery is recorded completed" "$OUT" "completed"

rm -rf "$T/m"
mkdir -p "$T/m"
touch "$T/m/hold"
"$DR" runbook run "$RB" --var DIR="$T/m" --incident long-outage --catalog "$CAT" \
	</dev/null >"$T/rb2.out" 2>&1 &
RBP=$!
wait_for 10 test -s "$T/m/two.start"
pg_stop
rm -f "$T/m/hold"
wait "$RBP"
rc=$?
if [ "$rc" -ne 0 ]; then pass "with the catalog gone past the retries, the run stops (exit $rc)"; else
	fail "with the catalog gone past the retries, the run stops" "$(cat "$T/rb2.out")"; fi
expect_in "saying the catalog could not be reached" "$(cat "$T/rb2.out")" "could not be reached"
pg_start
id=$("$DR" runbook log --catalog "$CAT" | awk '/long-outage/ {print $1; exit}')
expect_rc "runbook resume after the reconnect completes it" 0 \
	"$DR" runbook resume "$id" --catalog "$CAT" </dev/null
expect_eq "each step ran once" "$(cat "$T/m/one" "$T/m/two" "$T/m/three" | tr '\n' ' ')" "one two three "
expect_in "the step that ended while the catalog was away is recorded from its spool" \
	"$("$DR" runbook log "$id" --catalog "$CAT" 2>&1)" "finished while detached (exit 0)"

run "$DR" audit verify --catalog "$CAT"
expect_in "the audit chain is unbroken" "$OUT" "audit log intact"
