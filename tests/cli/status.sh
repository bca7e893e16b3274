# status, status --json and check, on the demo estate and on edge cases.
# catalogs: sqlite postgresql
. "$(dirname "$0")/../lib.sh"
export DRCONSOLE_NOW=2026-11-22T12:00:00Z
demo=$(cat_url demo)
# A TMPDIR of this test's own: on a server the demo is built in a private
# file there, and other tests' demos run at the same time in theirs.
mkdir -p "$T/tmp"

expect_rc "demo writes a catalog" 0 env TMPDIR="$T/tmp" "$DR" demo --catalog "$demo"
expect_in "and says how to open it" "$OUT" "drconsole --catalog $demo"
if [ "$CATALOG_BACKEND" = sqlite ]; then
	expect_rc "demo refuses to replace a file without --force" 2 "$DR" demo --catalog "$demo"
	expect_rc "but replaces it with --force" 0 "$DR" demo --catalog "$demo" --force
else
	before=$(catq "$demo" "select count(*) from audit_log")
	expect_rc "demo refuses a server's catalog that holds services" 2 "$DR" demo --catalog "$demo"
	expect_in "saying it fills only a new one" "$ERR" "already holds 12 services; the demo fills only a new catalog on a server"
	expect_rc "even with --force" 2 "$DR" demo --catalog "$demo" --force
	expect_eq "and writes nothing" "$(catq "$demo" "select count(*) from audit_log")" "$before"
	expect_eq "its audit log: the demo, then the copy that brought it" \
		"$(catq "$demo" "select action from audit_log order by seq")" $'demo.create\ncatalog.copy'
	expect_eq "the private file it was built in is gone" "$(ls "$T/tmp" | grep -c '^drconsole-demo\.')" 0
fi
expect_eq "12 services" "$(catq "$demo" 'select count(*) from services')" 12
expect_in "90 days of history" "$(catq "$demo" "select min(started_at) from backup_management")" "2026-08-2"
[ "$(catq "$demo" "select count(*) from backup_management where backup_status='failed'")" -gt 10 ] &&
	pass "with some failures" || fail "with some failures"
expect_eq "drills and one real incident" \
	"$(catq "$demo" "select sum(is_drill)||'/'||count(*) from disaster_recovery_log")" "3/4"
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
db=$(cat_url e)
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

expect_rc "check on a missing catalog is UNKNOWN" 3 "$DR" --catalog "$(cat_url none)" check
if sqlite_only "a garbage file"; then
	printf 'this is not a database, just text that is long enough to look like one......' >"$T/junk.db"
	expect_rc "check on a garbage file is UNKNOWN" 3 "$DR" --catalog "$T/junk.db" check
	expect_rc "status on a garbage file is refused as bad input" 2 "$DR" --catalog "$T/junk.db" status
	expect_in "with a message" "$ERR" "drconsole:"
fi
