# A catalog from an older drconsole is migrated forward with its data; one
# from a newer drconsole is refused and left alone.
# catalogs: sqlite (old SQLite files migrated; the PostgreSQL schema is db/pg_schema.c)
. "$(dirname "$0")/../lib.sh"
fixture=$DR_TOP/tests/fixtures/catalog-v1.sql
if [ ! -f "$fixture" ]; then
	skip "forward migration" "no v1 fixture"
	exit 0
fi
db=$T/old.db
sqlite3 "$db" <"$fixture"
expect_eq "the fixture is at version 1" "$(sqlite3 "$db" 'pragma user_version')" 1
sum=$(sha256sum "$db")
expect_rc "--read-only refuses to migrate it" 1 "$DR" --read-only --catalog "$db" status
expect_eq "and leaves it alone" "$(sha256sum "$db")" "$sum"
expect_rc "status opens an old catalog, migrating it" 0 "$DR" --catalog "$db" status
expect_rc "and it can be written" 0 "$DR" --catalog "$db" service add new-svc --tier low
latest=$(sqlite3 "$db" 'pragma user_version')
[ "$latest" -gt 1 ] && pass "it is now at version $latest" || fail "it is migrated" "version $latest"
expect_rc "old rows are kept" 0 "$DR" --catalog "$db" service list
expect_in "the fixture's service is listed" "$OUT" "billing"
expect_rc "integrity after migration" 0 sqlite3 "$db" 'pragma integrity_check'
expect_eq "integrity_check says ok" "$OUT" "ok"

sqlite3 "$db" "pragma user_version = 999"
sum=$(sha256sum "$db")
expect_rc "a newer catalog is refused" 1 "$DR" --catalog "$db" service add x --tier low
expect_in "saying it is newer" "$ERR" "newer"
expect_eq "and is left alone" "$(sha256sum "$db")" "$sum"
expect_rc "check on a newer catalog is UNKNOWN" 3 "$DR" --catalog "$db" check
