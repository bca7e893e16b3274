#!/usr/bin/env bash
# The console in the disaster it is for (issue 16): a team's catalog on a
# real PostgreSQL primary with a streaming hot standby.  The standby reads
# like the primary, says READ-ONLY REPLICA and refuses writes with a clear
# message, changing nothing; a console given both hosts
# (target_session_attrs=any) keeps showing the catalog from the standby
# when the primary is stopped, and drops the replica's label once the
# standby is promoted.
. "$(dirname "$0")/../lib.sh"
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$PGBIN/initdb" ]; then
	skip "a real PostgreSQL primary and standby" "no server in $PGBIN (make test-deps)"
	exit 0
fi
. "$DR_TOP/tests/pg_pair.sh"
. "$DR_TOP/tests/tmux.sh"
cd "$DR_TOP" || exit 1
unset DRCONSOLE_CATALOG
printf '127.0.0.1:%s:*:postgres:%s\n127.0.0.1:%s:*:postgres:%s\n' \
	"$P1" "$SECRET" "$P2" "$SECRET" >"$T/pgpass"
chmod 600 "$T/pgpass"
export PGPASSFILE=$T/pgpass
PRIMARY=postgresql://postgres@127.0.0.1:$P1/dr
STANDBY=postgresql://postgres@127.0.0.1:$P2/dr
BOTH="postgresql://postgres@127.0.0.1:$P1,127.0.0.1:$P2/dr?target_session_attrs=any&connect_timeout=2"

run "$DR" init --catalog "$PRIMARY"
expect_eq "init on the primary" "$RC" 0
"$DR" service add ledger-db --tier critical --catalog "$PRIMARY" >/dev/null 2>&1
run "$DR" record backup --service ledger-db --status completed --size 4096 --catalog "$PRIMARY"
expect_eq "a backup recorded on the primary" "$RC" 0
# The standby has replayed it once its services table says so.
wait_for 20 sh -c "[ \"\$(${AS[*]} $PGBIN/psql -h $SOCK -p $P2 -U postgres -d dr -XAtq -c 'select count(*) from backups' 2>/dev/null)\" = 1 ]"

run "$DR" status --catalog "$STANDBY"
expect_eq "status on the standby" "$RC" 0
expect_in "reads what the primary wrote" "$OUT" "ledger-db"
pin=$(date +%s) # one moment for both, however slow the build
expect_eq "and the same verdicts as the primary" \
	"$(DRCONSOLE_NOW=$pin "$DR" status --json --catalog "$STANDBY" 2>/dev/null | grep -v '"generated_at"\|"catalog"')" \
	"$(DRCONSOLE_NOW=$pin "$DR" status --json --catalog "$PRIMARY" 2>/dev/null | grep -v '"generated_at"\|"catalog"')"
run "$DR" catalog info --catalog "$STANDBY"
expect_in "catalog info names the standby" "$OUT" "access:          READ-ONLY REPLICA (a hot standby: changes go to the primary)"
expect_in "  with its replay lag" "$OUT" "replay lag:"
before=$("$DR" backup list --all --catalog "$STANDBY" 2>&1)
run "$DR" record backup --service ledger-db --status completed --size 1 --catalog "$STANDBY"
expect_eq "a write on the standby is refused (exit 1)" "$RC" 1
expect_in "saying it is a read-only replica and where changes go" "$ERR" "read-only replica (a hot standby): changes go to the primary"
run "$DR" service add sneaky --tier low --catalog "$STANDBY"
expect_eq "so is service add" "$RC" 1
expect_eq "nothing changed" "$("$DR" backup list --all --catalog "$STANDBY" 2>&1)" "$before"

# A console given both hosts reads the primary, then the standby.
tui_start PGPASSFILE="$PGPASSFILE" -- --catalog "$BOTH"
expect_screen "the console opens on the primary" "ledger-db" 10
expect_not_screen "on the primary it is not a replica" "READ-ONLY REPLICA"
"${AS[@]}" "$PGBIN/pg_ctl" -D "$PG/primary" -m immediate stop >/dev/null
expect_screen "the primary stopped: the console moves to the standby" "READ-ONLY REPLICA" 60
expect_screen "and says the standby no longer receives" "NOT RECEIVING" 30
expect_screen "still showing the catalog's services" "ledger-db" 2
expect_not_screen "not unreachable once on the standby" "CATALOG UNREACHABLE"
# The failover done: the standby is promoted.  The console is on the
# primary now; it says so and shows what is written there.
"${AS[@]}" "$PGBIN/pg_ctl" -D "$PG/standby" -w promote >/dev/null
if tui_wait_gone "READ-ONLY REPLICA" 15; then
	pass "the standby promoted: the console drops READ-ONLY REPLICA"
else
	fail "the standby promoted: the console drops READ-ONLY REPLICA" "$(tui_screen)"
fi
expect_not_screen "  and NOT RECEIVING" "NOT RECEIVING"
run "$DR" service add payments --tier critical --catalog "$BOTH"
expect_eq "the promoted standby takes writes" "$RC" 0
expect_screen "and the console shows them" "payments" 5
tui_stop
run "$DR" status --catalog "$BOTH"
expect_eq "line mode reads the standby through the same address" "$RC" 0
expect_in "  with the data" "$OUT" "ledger-db"
