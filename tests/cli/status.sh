# status, status --json and check, on the demo estate and on edge cases.
. "$(dirname "$0")/../lib.sh"
export DRCONSOLE_NOW=2026-11-22T12:00:00Z
demo=$T/demo.db

expect_rc "demo writes a catalog" 0 "$DR" demo --catalog "$demo"
expect_in "and says how to open it" "$OUT" "drconsole --catalog $demo"
expect_rc "demo refuses to replace a file without --force" 2 "$DR" demo --catalog "$demo"
expect_rc "but replaces it with --force" 0 "$DR" demo --catalog "$demo" --force
expect_eq "12 services" "$(sqlite3 "$demo" 'select count(*) from services')" 12
expect_in "90 days of history" "$(sqlite3 "$demo" "select min(started_at) from backup_management")" "2026-08-2"
[ "$(sqlite3 "$demo" "select count(*) from backup_management where backup_status='failed'")" -gt 10 ] &&
	pass "with some failures" || fail "with some failures"
expect_eq "drills and one real incident" \
	"$(sqlite3 "$demo" 'select sum(is_drill)||"/"||count(*) from disaster_recovery_log')" "3/4"
[ -e "$XDG_DATA_HOME/drconsole/catalog.db" ] && fail "demo leaves the default catalog alone" || pass "demo leaves the default catalog alone"

expect_rc "status on the demo" 0 "$DR" --catalog "$demo" status
expect_in "overall verdict" "$OUT" "Verdict: BREACH"
expect_in "with counts" "$OUT" "12 services: 10 ok, 1 at risk, 1 breach"
first=$(awk '/^SERVICE/{getline; print $1; exit}' <<<"$OUT")
expect_eq "the breached service is at the top" "$first" "ledger-db"
expect_in "the reason is given" "$OUT" "BREACH ledger-db: RPO"
expect_in "the at-risk one too" "$OUT" "AT RISK search-index"

expect_rc "check on the demo" 2 "$DR" --catalog "$demo" check
expect_in "a first line naming the worst" "$(head -n 1 <<<"$OUT")" "DRCONSOLE BREACH - 1 breach, 1 at risk, 10 ok of 12 services; worst: ledger-db"
expect_eq "then one line per service that is not OK" "$(tail -n +2 <<<"$OUT" | cut -d: -f1)" $'BREACH ledger-db\nAT RISK search-index'

run "$DR" --catalog "$demo" status --json
json=$OUT
py() { python3 -c "import json,sys; d=json.loads(sys.stdin.read()); print($1)" <<<"$json"; }
expect_eq "json: verdict" "$(py 'd["verdict"]')" "BREACH"
expect_eq "json: counts" "$(py 'd["counts"]["services"], d["counts"]["ok"], d["counts"]["at_risk"], d["counts"]["breach"]')" "12 10 1 1"
expect_eq "json: worst first" "$(py 'd["services"][0]["name"]')" "ledger-db"
expect_eq "json: ledger-db's replica is down" "$(py 'd["services"][0]["replication"]["state"]')" "down"
expect_eq "json: orders-db is fresh through its replica" \
	"$(py '[s for s in d["services"] if s["name"]=="orders-db"][0]["rpo"]["from_replica"]')" "True"

# Edge cases on a small catalog.
db=$T/e.db
"$DR" --catalog "$db" init >/dev/null
expect_rc "check on an empty catalog is UNKNOWN" 3 "$DR" --catalog "$db" check
"$DR" --catalog "$db" service add only-failed --tier standard >/dev/null
"$DR" --catalog "$db" record backup --service only-failed --status failed --started now-5m >/dev/null
expect_rc "a service with only failed backups is BREACH" 2 "$DR" --catalog "$db" check
run "$DR" --catalog "$db" status
expect_in "saying no good backup ever" "$OUT" "no good backup"
"$DR" --catalog "$db" service add skewed --tier low >/dev/null
"$DR" --catalog "$db" record backup --service skewed --status completed --started now --completed 2026-11-22T15:00:00Z >/dev/null
run "$DR" --catalog "$db" status --json
json=$OUT
expect_eq "a backup completed in the future is flagged" \
	"$(py '[s for s in d["services"] if s["name"]=="skewed"][0]["rpo"]["clock_skew"]')" "True"
expect_eq "and not counted as fresh" \
	"$(py '[s for s in d["services"] if s["name"]=="skewed"][0]["rpo"]["status"]')" "breach"

expect_rc "check on a missing catalog is UNKNOWN" 3 "$DR" --catalog "$T/none.db" check
printf 'this is not a database, just text that is long enough to look like one......' >"$T/junk.db"
expect_rc "check on a garbage file is UNKNOWN" 3 "$DR" --catalog "$T/junk.db" check
expect_rc "status on a garbage file is refused as bad input" 2 "$DR" --catalog "$T/junk.db" status
expect_in "with a message" "$ERR" "drconsole:"
