#!/usr/bin/env bash
# A team's catalog in a real PostgreSQL, used as an on-call engineer
# would: init and daily commands on postgresql://, the same answers as an
# SQLite catalog with the same history (copied both ways), a console that
# draws a change when it is committed (LISTEN, no polling) and says
# CATALOG UNREACHABLE while the server is down, and least privilege: a
# wall role that reads and cannot write, an agent role that cannot
# rewrite the audit log.
. "$(dirname "$0")/../lib.sh"
. "$DR_TOP/tests/pg_server.sh"
. "$DR_TOP/tests/tmux.sh"
cd "$DR_TOP" || exit 1
unset DRCONSOLE_CATALOG
CAT=$PGURL/dr

run "$DR" init --catalog "$CAT"
expect_eq "init on postgresql:// makes the database and the schema" "$RC" 0
expect_eq "schema_version says 13" "$(pgq dr "select max(version) from schema_version")" 13
run "$DR" service add api --tier critical --catalog "$CAT"
expect_eq "service add" "$RC" 0
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
run "$DR" record backup --service api --status completed --size 1000 --catalog "$CAT"
expect_eq "record backup" "$RC" 0
run "$DR" status --catalog "$CAT"
expect_in "status reads it back" "$OUT" "api"
run "$DR" audit verify --catalog "$CAT"
expect_in "the audit chain verifies" "$OUT" "audit log intact"

run "$DR" catalog info --catalog "$CAT"
expect_in "catalog info: the backend and server" "$OUT" "backend:         postgresql (PostgreSQL 15."
expect_in "catalog info: the connection, without a password" "$OUT" "connection:      127.0.0.1:$PGP/dr as drtest"
expect_in "catalog info: read-write" "$OUT" "access:          read-write"
expect_not_in "no password anywhere" "$OUT$ERR" "$PG_SECRET"

# The same history in both backends: the demo copied into PostgreSQL and
# back answers as the original, at one pinned time.
"$DR" demo --catalog "$T/demo.db" >/dev/null 2>&1
run "$DR" catalog copy --from "$T/demo.db" --to "$PGURL/demo"
expect_eq "catalog copy SQLite -> PostgreSQL" "$RC" 0
expect_in "the audit chain verified on both sides" "$OUT" "rows verified in the original"
run "$DR" catalog copy --from "$PGURL/demo" --to "$T/back.db"
expect_eq "catalog copy PostgreSQL -> SQLite" "$RC" 0
pin=$(date +%s)
strip() { sed -e "s|$T/[a-z]*\.db||g; s|$PGURL/demo||g" -e '/"generated_at"/d'; }
orig=$(DRCONSOLE_NOW=$pin "$DR" status --json --catalog "$T/demo.db" | strip)
expect_eq "status on PostgreSQL is the SQLite original's" \
	"$(DRCONSOLE_NOW=$pin "$DR" status --json --catalog "$PGURL/demo" | strip)" "$orig"
expect_eq "and so is the copy back" \
	"$(DRCONSOLE_NOW=$pin "$DR" status --json --catalog "$T/back.db" | strip)" "$orig"
expect_eq "runbook log too" "$("$DR" runbook log --catalog "$PGURL/demo")" "$("$DR" runbook log --catalog "$T/demo.db")"
expect_eq "backup list too" "$("$DR" backup list --all --catalog "$PGURL/demo" 2>&1)" \
	"$("$DR" backup list --all --catalog "$T/demo.db" 2>&1)"

# Text the copy's stream gives meaning to (tab, newline, CR, backslash,
# a literal \N) and a NULL go over and back byte for byte.
cp "$T/demo.db" "$T/odd.db"
sqlite3 "$T/odd.db" "UPDATE backup_management SET backup_location =
  'a' || char(9) || 'b' || char(10) || 'c' || char(13) || 'd\e \N f\\t',
  metadata = NULL, checksum = '\N'
  WHERE backup_id = (SELECT min(backup_id) FROM backup_management)"
odd() { sqlite3 "$1" "SELECT hex(backup_location), metadata IS NULL, checksum
  FROM backup_management WHERE backup_id = (SELECT min(backup_id) FROM backup_management)"; }
expect_in "the odd row is in the file (a tab, a newline)" "$(odd "$T/odd.db")" "6109620A630D"
run "$DR" catalog copy --from "$T/odd.db" --to "$PGURL/odd"
expect_eq "a catalog with tabs, newlines and backslashes copies in" "$RC" 0
expect_eq "  and they are in the server as they were" \
	"$(pgq odd "SELECT encode(convert_to(backup_location, 'UTF8'), 'hex'), metadata IS NULL, checksum
	  FROM backup_management ORDER BY backup_id LIMIT 1" | tr a-f A-F | sed 's/|t|/|1|/')" "$(odd "$T/odd.db")"
run "$DR" catalog copy --from "$PGURL/odd" --to "$T/odd-back.db"
expect_eq "  and back" "$(odd "$T/odd-back.db")" "$(odd "$T/odd.db")"

# The console LISTENs: a backup recorded elsewhere is on screen at once.
tui_start PGPASSFILE="$PGPASSFILE" -- --catalog "$CAT"
expect_screen "the console opens on PostgreSQL" "api" 10
"$DR" service add web --tier low --catalog "$CAT" >/dev/null 2>&1
start=$(date +%s%N)
if tui_wait "web" 5; then
	ms=$((($(date +%s%N) - start) / 1000000))
	pass "a service added elsewhere is drawn (after ${ms} ms)"
else
	fail "a service added elsewhere is drawn" "$(tui_screen)"
fi
# Listening, the console sends no query while nothing changes: the
# server logs every statement, by program, for five idle seconds.
pgq postgres "ALTER SYSTEM SET log_statement = 'all'" >/dev/null
pgq postgres "ALTER SYSTEM SET log_line_prefix = '[%a] '" >/dev/null
pgq postgres "SELECT pg_reload_conf()" >/dev/null
sleep 1
l0=$(wc -l <"$PG/server.log")
sleep 5
# Simple statements and the prepared ones libpq runs ("execute") alike.
idle=$(tail -n +$((l0 + 1)) "$PG/server.log" | grep -cE '^\[drconsole\] LOG:  (statement|execute)')
# At most the one liveness check it makes every 15 s.
if [ "$idle" -le 1 ]; then pass "idle, it does not poll ($idle statements in 5 s)"; else
	fail "idle, it does not poll" "$idle statements in 5 s" "$(tail -n +$((l0 + 1)) "$PG/server.log" | grep drconsole | head -20)"; fi
pgq postgres "ALTER SYSTEM RESET log_statement" >/dev/null
pgq postgres "SELECT pg_reload_conf()" >/dev/null

"${AS[@]}" "$PGBIN/pg_ctl" -D "$PG/data" -m fast stop >/dev/null
expect_screen "the server down: the header says CATALOG UNREACHABLE" "CATALOG UNREACHABLE" 40
expect_screen "and how old what it shows is" "data " 2
"${AS[@]}" "$PGBIN/pg_ctl" -D "$PG/data" -l "$PG/server.log" -w start >/dev/null
if tui_wait_gone "CATALOG UNREACHABLE" 40; then pass "the server back: it reconnects by itself"; else
	fail "the server back: it reconnects by itself" "$(tui_screen)"; fi
"$DR" service add batch --tier low --catalog "$CAT" >/dev/null 2>&1
expect_screen "and LISTENs again" "batch" 10
tui_stop

# Least privilege.
pgq postgres "CREATE ROLE wall LOGIN PASSWORD '$PG_SECRET'; CREATE ROLE agent1 LOGIN PASSWORD '$PG_SECRET'" >/dev/null
printf '127.0.0.1:%s:*:wall:%s\n127.0.0.1:%s:*:agent1:%s\n' "$PGP" "$PG_SECRET" "$PGP" "$PG_SECRET" >>"$PGPASSFILE"
run "$DR" catalog grant --readonly wall --catalog "$CAT"
expect_in "grant --readonly prints SELECT grants" "$OUT" "GRANT SELECT ON ALL TABLES IN SCHEMA public TO wall"
expect_eq "and runs nothing without --apply" "$(pgq dr "select has_table_privilege('wall', 'services', 'SELECT')")" f
run "$DR" catalog grant --readonly wall --apply --catalog "$CAT"
expect_eq "grant --readonly --apply" "$RC" 0
run "$DR" catalog grant --agent agent1 --apply --catalog "$CAT"
expect_eq "grant --agent --apply" "$RC" 0
WALL=postgresql://wall@127.0.0.1:$PGP/dr
run "$DR" status --catalog "$WALL"
expect_eq "the read-only role reads the status" "$RC" 0
expect_in "with the data" "$OUT" "api"
run "$DR" service add sneaky --tier low --catalog "$WALL"
expect_eq "the read-only role cannot write" "$RC" 1
expect_in "and is told why" "$ERR" "the catalog role wall may not do this"
expect_eq "nothing was written" "$(pgq dr "select count(*) from services where name = 'sneaky'")" 0
tui_start PGPASSFILE="$PGPASSFILE" -- --wall --catalog "$WALL"
expect_screen "the wall runs as the read-only role" "WALL" 10
tui_stop
AG=postgresql://agent1@127.0.0.1:$PGP/dr
run "$DR" record backup --service api --status completed --size 5 --catalog "$AG"
expect_eq "the agent role records a backup" "$RC" 0
agentq() { PGPASSFILE=$PGPASSFILE "$PGBIN/psql" "$AG" -XAtq -c "$1" 2>&1; }
expect_in "the agent role cannot rewrite the audit log" "$(agentq "update audit_log set actor = 'x'")" "permission denied"
expect_in "nor delete from it" "$(agentq "delete from audit_log")" "permission denied"
run "$DR" audit verify --catalog "$CAT"
expect_in "the audit chain is intact after all of it" "$OUT" "audit log intact"

# A catalog made by the previous drconsole (schema 12: without 13's
# indexes) is migrated forward when opened for writing, not before.
pgq dr "DROP INDEX backup_management_service_status_newest; DROP INDEX backup_management_service_newest; DELETE FROM schema_version WHERE version = 13" >/dev/null
run "$DR" --read-only status --catalog "$CAT"
expect_in "a read-only open of schema 12 says it needs migrating" "$ERR" "has schema version 12 and needs migration to 13"
run "$DR" record backup --service api --status completed --size 6 --catalog "$CAT"
expect_eq "a write opens and migrates it" "$RC" 0
expect_eq "to 13" "$(pgq dr "select max(version) from schema_version")" 13
expect_eq "with its indexes" "$(pgq dr "select count(*) from pg_indexes where indexname like 'backup_management_service%newest'")" 2
expect_eq "its data kept" "$(pgq dr "select count(*) from backup_management where backup_size in (1000, 5, 6)")" 3
