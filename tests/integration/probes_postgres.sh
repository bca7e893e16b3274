#!/usr/bin/env bash
# Postgres probes against a real primary and streaming standby, created
# here: initdb as an unprivileged user, pg_basebackup -R, loopback ports.
# Both sides of the link are stored as one pair, "orders-db/primary ->
# standby1".  Replay is paused while the primary writes, and the lag must
# grow in seconds and bytes on both sides, then fall after resume; a
# standby restarted with nothing new on the primary reads caught up (0 s,
# 0 B, streaming) against the primary and, with the primary unreachable,
# against its WAL receiver, and the service is no BREACH; a hung standby
# (SIGSTOP) must be reported down within its timeout while the other probes
# answer at once; a stopped one is refused.  The password lives only in a
# 0600 passfile and never reaches the output or the catalog.
. "$(dirname "$0")/../lib.sh"

PGBIN=/usr/lib/postgresql/15/bin
HTTPD=$DR_TOP/${BUILD:-build}/tests/helpers/httpd
if [ ! -x "$PGBIN/initdb" ]; then
	skip "postgres probes" "PostgreSQL 15 is not installed"
	exit 0
fi

. "$DR_TOP/tests/pg_pair.sh"

# An HTTP probe beside them, to show that a hung database stalls nobody.
"$HTTPD" "$T/http.port" &
HTTPD_PID=$!
at_exit "kill $HTTPD_PID 2>/dev/null"
for _ in $(seq 50); do [ -s "$T/http.port" ] && break; sleep 0.1; done
HP=$(cat "$T/http.port")

# The probes' password: a 0600 passfile of our own.
printf '127.0.0.1:*:*:postgres:%s\n' "$SECRET" >"$T/pgpass"
chmod 600 "$T/pgpass"
mkdir -p "$XDG_CONFIG_HOME/drconsole"
CFG=$XDG_CONFIG_HOME/drconsole/config.json
write_config() { # write_config PASSFILE [PRIMARY_PORT]
	cat >"$CFG" <<JSON
{"environment": "pgtest",
 "services": [{"name": "orders-db", "tier": "critical"}],
 "probes": {"timeout": "3s", "services": {"orders-db": {
   "failover_runbook": "orders-db-failover",
   "checks": [
     {"name": "primary", "kind": "postgres",
      "conninfo": "host=127.0.0.1 port=${2:-$P1} user=postgres dbname=postgres",
      "passfile": "$1", "standbys": ["standby1"], "lag_max": "2s"},
     {"name": "standby", "kind": "postgres",
      "conninfo": "host=127.0.0.1 port=$P2 user=postgres dbname=postgres",
      "passfile": "$1", "lag_max": "2s"},
     {"name": "api", "kind": "http", "url": "http://127.0.0.1:$HP/ok"}
   ]}}}}
JSON
}
write_config "$T/pgpass"
expect_rc "config apply" 0 "$DR" config apply

# lag_of OUT ROWPATTERN FIELD: from the replication table of `probe
# run`, the lag of the row matching ROWPATTERN: s = seconds, b = bytes.
lag_of() {
	local line lag
	line=$(grep -E "$2" <<<"$1" | grep -E ' -> ' | head -1)
	lag=$(sed -E 's/.* ([0-9.-]+s?) \/ ([0-9-]+B?).*/\1 \2/' <<<"$line")
	case $3 in
	s) awk '{sub(/s$/, "", $1); print $1}' <<<"$lag" ;;
	b) awk '{sub(/B$/, "", $2); print $2}' <<<"$lag" ;;
	esac
}
gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 > b + 0) }'; }

pgq "$P1" "CREATE TABLE t (id int, pad text); INSERT INTO t SELECT g, 'x' FROM generate_series(1, 100) g" >/dev/null
sleep 1
run "$DR" probe run
expect_eq "probe run: everything answers" "$RC" 0
expect_in "primary seen as primary with its standby" "$OUT" "primary, 1 replica, worst lag"
expect_in "standby seen as standby, caught up" "$OUT" "standby, replay lag 0.0 s / 0 B, against the primary"
# One link, one name: the primary's check and the standby's check sample
# the same pair (the primary's check name -> the standby's application
# name), and it is stored once.
ROW="orders-db/primary -> standby1"
expect_in "the link is named by the primary's check and the standby" "$OUT" "$ROW "
n=$(grep -cE '^orders-db +[^ ]+ -> ' <<<"$OUT")
expect_eq "one primary and one standby probe give one replication row" "$n" 1
CATDB=$XDG_DATA_HOME/drconsole/catalog.db
pairs=$(sqlite3 "$CATDB" "SELECT DISTINCT source || ' -> ' || target FROM replication_history")
expect_eq "the catalog holds the link under one name" "$pairs" "$ROW"
expect_not_in "the password is never printed" "$OUT$ERR" "$SECRET"

# Pause replay, write on the primary, and watch the lag grow.
pgq "$P2" "SELECT pg_wal_replay_pause()" >/dev/null
sleep 1
pgq "$P1" "INSERT INTO t SELECT g, repeat('y', 200) FROM generate_series(1, 20000) g" >/dev/null
sleep 2
run "$DR" probe run
OUT1=$OUT
# The link's row carries the standby's figures (its replay position
# against the primary's, seconds from the primary's replay_lag); the
# primary's message its own view (replay position as the standby last
# reported it).
primary_lag() { # primary_lag OUT s|b: the primary's "worst lag S s / B B"
	sed -nE 's/.*primary, 1 replica, worst lag ([0-9.]+) s \/ ([0-9]+) B.*/\1 \2/p' <<<"$1" |
		awk -v f="$2" '{print (f == "s" ? $1 : $2)}'
}
sb_s1=$(lag_of "$OUT1" "$ROW" s)
sb_b1=$(lag_of "$OUT1" "$ROW" b)
pr_b1=$(primary_lag "$OUT1" b)
pr_s1=$(primary_lag "$OUT1" s)
echo "# paused, first sample: link ${sb_s1}s ${sb_b1}B; primary's view ${pr_s1}s ${pr_b1}B"
pgq "$P1" "INSERT INTO t SELECT g, repeat('z', 200) FROM generate_series(1, 20000) g" >/dev/null
# The last commit of the test, and a checkpoint after it (for the
# restarted standby below; autovacuum is off so nothing commits later).
pgq "$P1" "CHECKPOINT" >/dev/null
CKPT_LSN=$(pgq "$P1" "SELECT pg_current_wal_lsn()")
sleep 3
run "$DR" probe run
OUT2=$OUT
sb_s2=$(lag_of "$OUT2" "$ROW" s)
sb_b2=$(lag_of "$OUT2" "$ROW" b)
pr_b2=$(primary_lag "$OUT2" b)
pr_s2=$(primary_lag "$OUT2" s)
echo "# paused, 3 s later: link ${sb_s2}s ${sb_b2}B; primary's view ${pr_s2}s ${pr_b2}B"
if gt "$sb_b1" 0 && gt "$sb_b2" "$sb_b1"; then pass "standby: bytes behind grow while replay is paused ($sb_b1 -> $sb_b2)"; else
	fail "standby: bytes behind grow while replay is paused" "$sb_b1 -> $sb_b2" "$OUT2"; fi
if gt "$sb_s1" 1 && gt "$sb_s2" "$sb_s1"; then pass "standby: seconds behind grow while replay is paused ($sb_s1 -> $sb_s2)"; else
	fail "standby: seconds behind grow while replay is paused" "$sb_s1 -> $sb_s2" "$OUT2"; fi
if gt "$pr_b1" 0 && gt "$pr_b2" "$pr_b1"; then pass "primary: bytes behind grow for standby1 ($pr_b1 -> $pr_b2)"; else
	fail "primary: bytes behind grow for standby1" "$pr_b1 -> $pr_b2" "$OUT2"; fi
if gt "$pr_s2" "$pr_s1" && gt "$pr_s2" 1; then pass "primary: seconds behind grow for standby1 ($pr_s1 -> $pr_s2)"; else
	fail "primary: seconds behind grow for standby1" "$pr_s1 -> $pr_s2" "$OUT2"; fi
expect_in "the standby says replay is paused" "$OUT2" "replay paused"
expect_in "lag over its threshold is flagged" "$OUT2" "OVER THRESHOLD"

# The samples are in the catalog, for the console's Replication view.
n=$(sqlite3 "$CATDB" "SELECT count(*) FROM replication_history WHERE lag_bytes > 0")
if [ "${n:-0}" -ge 2 ]; then pass "replication samples stored ($n with bytes behind)"; else
	fail "replication samples stored" "found ${n:-none}"; fi
n=$(sqlite3 "$CATDB" "SELECT count(*) FROM (SELECT DISTINCT source, target FROM replication_history)")
expect_eq "and all under the link's one name" "$n" 1

# The console's Replication view shows the live figures (while replay is
# still paused): the link's one row, lag in seconds and bytes.
if [ -f "$DR_TOP/tests/tmux.sh" ] && command -v tmux >/dev/null &&
	[ -f "$DR_TOP/tui/view_replication.c" ]; then
	. "$DR_TOP/tests/tmux.sh"
	"$DR" probe run >/dev/null
	tui_start -- --read-only
	if tui_wait "Dashboard" 10; then
		tui_keys 3
		expect_screen "the Replication view lists the link" "orders-db/primary" 5
		screen=$(tui_screen)
		rows=$(grep -F "standby1" <<<"$screen")
		echo "# the link's row: $rows"
		expect_eq "the Replication view has one row for the link" "$(grep -c . <<<"$rows")" 1
		if grep -qE 'streaming +[0-9.]+s +[0-9.]+ ?[KMG]' <<<"$rows"; then
			pass "the link's figures: lag in seconds and bytes"
		else fail "the link's figures: lag in seconds and bytes" "$screen"; fi
	else
		fail "the console opens" "$(tui_screen)"
	fi
	tui_stop
else
	skip "the Replication view shows the live figures" "the console's Replication view is not in this build"
fi

# Resume: the lag falls back to nothing.
pgq "$P2" "SELECT pg_wal_replay_resume()" >/dev/null
ok=0
for _ in $(seq 20); do
	sleep 0.5
	run "$DR" probe run
	if [ "$(lag_of "$OUT" "$ROW" b)" = 0 ] &&
		[ "$(primary_lag "$OUT" b)" = 0 ]; then ok=1; break; fi
done
if [ $ok = 1 ]; then pass "after resume the lag falls to 0 bytes on both sides"; else
	fail "after resume the lag falls to 0 bytes on both sides" "$OUT"; fi
expect_in "and to 0 s on the standby" "$OUT" "standby, replay lag 0.0 s / 0 B"

# status --json, checked by Python: the service is no BREACH and its one
# replica link reads caught up (lag 0 s, 0 B, streaming).
status_caught_up() { # status_caught_up NAME
	run "$DR" status --json
	local verdict
	if verdict=$(python3 - "$ROW" "$OUT" <<'PY'
import json, sys
row, doc = sys.argv[1], json.loads(sys.argv[2])
svc = [s for s in doc["services"] if s["name"] == "orders-db"][0]
repl = svc.get("replication") or {}
links = repl["links"] if "links" in repl else [repl]
assert len(links) == 1, "links: %r" % links
link = links[0]
if "source" in link:
    assert "%s -> %s" % (link["source"], link["target"]) == row, link
assert link["state"] == "streaming" and link["lag_s"] == 0 and \
    link["lag_bytes"] == 0, "link: %r" % link
assert svc["verdict"] != "BREACH", "%s: %s" % (svc["verdict"], svc["reason"])
print("%s (%s), link %r" % (svc["verdict"], svc["reason"], link))
PY
	); then pass "$1: $verdict"; else fail "$1" "$OUT"; fi
}

# A restarted standby, caught up, with nothing committed on the primary
# after: the checkpoint after the last commit (and the standby's
# restartpoint at its shutdown) makes replay start after that commit, so
# pg_last_xact_replay_timestamp() is NULL, and the WAL receiver restarts
# at the start of a segment, behind the replay position.  Its lag is
# measured, and it is none.  The background writer logs one more standby
# snapshot (no commit) up to ~25 s after a checkpoint: wait for it, so
# that no WAL at all arrives after the restart, then for the standby to
# replay everything.
for _ in $(seq 300); do
	[ "$(pgq "$P1" "SELECT pg_current_wal_lsn() > '$CKPT_LSN'")" = t ] && break
	sleep 0.1
done
LSN=$(pgq "$P1" "SELECT pg_current_wal_lsn()")
for _ in $(seq 50); do
	[ "$(pgq "$P2" "SELECT pg_last_wal_replay_lsn() >= '$LSN'")" = t ] && break
	sleep 0.1
done
"${AS[@]}" "$PGBIN/pg_ctl" -D "$PG/standby" -m fast stop >/dev/null
"${AS[@]}" "$PGBIN/pg_ctl" -D "$PG/standby" -l "$PG/standby.log" -w start \
	>/dev/null || fail "the standby starts again" "$(tail -5 "$PG/standby.log")"
for _ in $(seq 100); do
	[ "$(pgq "$P2" "SELECT status FROM pg_stat_wal_receiver")" = streaming ] && break
	sleep 0.1
done
expect_eq "restarted standby: no replayed commit, receive position behind replay" \
	"$(pgq "$P2" "SELECT pg_last_xact_replay_timestamp() IS NULL,
		coalesce(pg_last_wal_receive_lsn() < pg_last_wal_replay_lsn(), true),
		(SELECT status FROM pg_stat_wal_receiver)")" "t|t|streaming"
run "$DR" probe run
expect_in "restarted standby: caught up against the primary" "$OUT" \
	"standby, replay lag 0.0 s / 0 B, against the primary"
if grep -qE "^orders-db +$ROW +streaming +0\.0s / 0B *\$" <<<"$OUT"; then
	pass "restarted standby: the link reads 0 s / 0 B, streaming"
else fail "restarted standby: the link reads 0 s / 0 B, streaming" "$OUT"; fi
status_caught_up "restarted standby: status --json"
# The same with the primary unreachable: measured against what the WAL
# receiver has from it, still under the link's one name.
write_config "$T/pgpass" "$(free_port)"
run "$DR" probe run
expect_in "primary unreachable: the standby reads caught up against its WAL receiver" \
	"$OUT" "standby, replay lag 0.0 s / 0 B, against the WAL received"
if grep -qE "^orders-db +$ROW +streaming +0\.0s / 0B *\$" <<<"$OUT"; then
	pass "primary unreachable: the link reads 0 s / 0 B, streaming, under its name"
else fail "primary unreachable: the link reads 0 s / 0 B, streaming, under its name" "$OUT"; fi
status_caught_up "primary unreachable: status --json"
write_config "$T/pgpass"
pairs=$(sqlite3 "$CATDB" "SELECT DISTINCT source || ' -> ' || target FROM replication_history")
expect_eq "after every round, the catalog still holds one link" "$pairs" "$ROW"

# A hung standby (SIGSTOP: it accepts connections and never answers).
# Timed against a healthy round just before, so that the start-up of the
# command (slow under sanitizers) is not counted against the timeout.
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
start=$(date +%s.%N)
"$DR" probe run >/dev/null
end=$(date +%s.%N)
base=$(secs "$start" "$end")
SB_PID=$(head -1 "$PG/standby/postmaster.pid")
kill -STOP "$SB_PID"
start=$(date +%s.%N)
run "$DR" probe run
end=$(date +%s.%N)
kill -CONT "$SB_PID"
took=$(secs "$start" "$end")
extra=$(awk -v a="$base" -v b="$took" 'BEGIN { printf "%.2f", b - a }')
echo "# healthy round ${base}s; round with a hung standby ${took}s: ${extra}s more (timeout 3s)"
expect_in "hung standby reported as not answering" "$OUT" "no answer within 3000 ms"
if awk -v t="$took" -v x="$extra" 'BEGIN { exit !(t >= 2.9 && x < 4.0) }'; then
	pass "reported within its timeout (${took}s in all, ${extra}s more than a healthy round)"
else fail "reported within its timeout" "took ${took}s, a healthy round ${base}s"; fi
api_ms=$(grep -E '^orders-db +api ' <<<"$OUT" | awk '{print $5}')
if grep -qE '^orders-db +api +http +ok ' <<<"$OUT" && [ "${api_ms:-9999}" -lt 500 ]; then
	pass "the HTTP probe kept running (answered in ${api_ms} ms)"
else fail "the HTTP probe kept running" "$OUT"; fi
expect_in "the primary still answers" "$OUT" "primary,"

# Stopped: refused at once; three failures in a row mark the service down.
"${AS[@]}" "$PGBIN/pg_ctl" -D "$PG/standby" -m fast stop >/dev/null
run "$DR" probe run
expect_in "stopped standby: cannot connect" "$OUT" "cannot connect"
expect_in "the primary reports standby1 as down" "$OUT" "-> standby1"
expect_in "the primary's message names the missing standby" "$OUT" "1 expected standby not connected"
run "$DR" probe run
run "$DR" probe run
# (the hung round counted as the first failure)
if grep -qE '^orders-db/standby is DOWN \([34] consecutive failures\); suggested runbook: orders-db-failover$' <<<"$OUT"; then
	pass "after three failures the service is down, runbook suggested"
else fail "after three failures the service is down, runbook suggested" "$OUT"; fi
run "$DR" probe status
expect_eq "probe status exits 1 while a service is down" "$RC" 1
expect_in "probe status suggests the runbook" "$OUT" "suggested runbook: orders-db-failover"

# A passfile open to others is refused, and the password stays out of
# every message and the catalog.
cp "$T/pgpass" "$T/pgpass-loose"
chmod 644 "$T/pgpass-loose"
write_config "$T/pgpass-loose"
run "$DR" probe run --service orders-db
expect_in "a loose passfile is refused" "$OUT" "is open to others (mode 0644); chmod 600 it"
write_config "$T/pgpass"
cat >"$T/bad.json" <<JSON
{"probes": {"services": {"x": {"checks": [{"name": "p", "kind": "postgres",
  "conninfo": "host=127.0.0.1 password=$SECRET"}]}}}}
JSON
run "$DR" config check "$T/bad.json"
expect_in "a password in the connection string is a config error" "$OUT$ERR" "holds a password"
expect_not_in "and the error does not repeat it" "$OUT$ERR" "$SECRET"
if sqlite3 "$XDG_DATA_HOME/drconsole/catalog.db" .dump | grep -qF "$SECRET"; then
	fail "the password is nowhere in the catalog"
else pass "the password is nowhere in the catalog"; fi
