#!/usr/bin/env bash
# `catalog info`, `catalog copy` and `catalog grant` on SQLite catalogs:
# what an operator moving a catalog sees, and every refusal changing
# nothing.  (tests/integration/catalog_pg.sh does the same across
# PostgreSQL.)
# catalogs: sqlite (copies between SQLite files; see above)
. "$(dirname "$0")/../lib.sh"
cd "$DR_TOP" || exit 1
unset DRCONSOLE_CATALOG
"$DR" demo --catalog "$T/a.db" >/dev/null 2>&1 || { fail "demo"; exit 1; }

run "$DR" catalog info --catalog "$T/a.db"
expect_eq "info: exit 0" "$RC" 0
expect_in "info names the backend" "$OUT" "backend:         sqlite (SQLite 3."
expect_in "info names the file" "$OUT" "connection:      $T/a.db"
expect_in "info gives the schema version" "$OUT" "schema version:  13 (this drconsole: 13)"
expect_in "info gives its size" "$OUT" " MiB"
run "$DR" catalog info --json --catalog "$T/a.db"
expect_eq "info --json" "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["backend"], d["schema_version"], d["size_bytes"] > 0, d["standby"])' <<<"$OUT")" "sqlite 13 True False"

run "$DR" catalog copy --from "$T/a.db" --to "$T/b.db"
expect_eq "copy: exit 0" "$RC" 0
expect_in "copy says how many rows" "$OUT" "rows from $T/a.db to $T/b.db"
expect_in "copy verified the audit chain on both sides" "$OUT" "audit chain: 1 rows verified in the original, 2 in the copy"
strip() { sed -e "s|$T/[ab].db||g" -e '/"generated_at"/d'; }
# At one pinned time: the ages in the JSON would otherwise differ by the
# second between the two calls.
now=$(date +%s)
expect_eq "the copy's status is the original's" \
	"$(DRCONSOLE_NOW=$now "$DR" status --json --catalog "$T/b.db" | strip)" \
	"$(DRCONSOLE_NOW=$now "$DR" status --json --catalog "$T/a.db" | strip)"
expect_eq "the copy's runbook log is the original's" \
	"$("$DR" runbook log --catalog "$T/b.db")" "$("$DR" runbook log --catalog "$T/a.db")"
expect_eq "the copy's backups are the original's" \
	"$("$DR" backup list --all --catalog "$T/b.db" 2>&1)" "$("$DR" backup list --all --catalog "$T/a.db" 2>&1)"
run "$DR" audit verify --catalog "$T/b.db"
expect_in "the copy's audit chain verifies" "$OUT" "audit log intact: 2 rows"
expect_eq "the copy's last audit row records the copy" \
	"$(sqlite3 "$T/b.db" "select action || ' ' || subject from audit_log order by seq desc limit 1")" "catalog.copy $T/a.db"

# The copy goes on as a catalog of its own.
run "$DR" service add newsvc --tier low --catalog "$T/b.db"
expect_eq "the copy takes new work" "$RC" 0

before=$(sqlite3 "$T/b.db" "select count(*) from audit_log; select count(*) from backup_management")
run "$DR" catalog copy --from "$T/a.db" --to "$T/b.db"
expect_eq "copy into a catalog that is not new: refused (exit 2)" "$RC" 2
expect_in "says why" "$ERR" "is not new: its table services has rows"
expect_eq "and changes nothing" "$(sqlite3 "$T/b.db" "select count(*) from audit_log; select count(*) from backup_management")" "$before"

run "$DR" catalog copy --from "$T/a.db" --to "$T/a.db"
expect_eq "copy onto itself: usage" "$RC" 2
run "$DR" catalog copy --from "$T/a.db"
expect_eq "copy without --to: usage" "$RC" 2
expect_in "with the usage" "$ERR" "catalog copy --from CATALOG --to NEW-CATALOG"
run "$DR" catalog copy --from "$T/none.db" --to "$T/c.db"
expect_eq "copy from a catalog that does not exist fails" "$RC" 1
[ -e "$T/c.db" ] && fail "and makes no copy" "$(ls -l "$T/c.db")" || pass "and makes no copy"

# A broken audit chain is not copied.
cp "$T/a.db" "$T/bad.db"
sqlite3 "$T/bad.db" "drop trigger audit_log_no_update; update audit_log set actor = 'mallory'"
run "$DR" catalog copy --from "$T/bad.db" --to "$T/d.db"
expect_eq "copy of a catalog whose audit chain is broken: refused" "$RC" 1
expect_in "saying so" "$ERR" "its audit chain does not verify"
expect_eq "and the new catalog holds nothing of it" "$(sqlite3 "$T/d.db" "select count(*) from services" 2>/dev/null || echo 0)" 0

run "$DR" catalog grant --readonly wall --catalog "$T/a.db"
expect_eq "grant on SQLite: usage" "$RC" 2
expect_in "says a file has no roles" "$ERR" "has no roles; its file's permissions decide"
run "$DR" catalog grant --catalog "$T/a.db"
expect_eq "grant without a role: usage" "$RC" 2
run "$DR" catalog grant --readonly a --agent b --catalog "$T/a.db"
expect_eq "grant of two kinds at once: usage" "$RC" 2
run "$DR" catalog frobnicate
expect_eq "an unknown sub-command: usage" "$RC" 2
expect_in "naming what is expected" "$ERR" "expected info, grant or copy"

run "$DR" catalog info --catalog "postgresql://alice:hunter2@127.0.0.1:1/dr"
expect_eq "a password in a PostgreSQL address is refused (exit 2)" "$RC" 2
expect_in "saying where it belongs" "$ERR" "put it in ~/.pgpass, PGPASSFILE or a service file"
expect_not_in "and the message never repeats it" "$ERR" "hunter2"
