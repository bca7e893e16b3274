# The first commands: help, version, init, service, bad input.
# catalogs: sqlite postgresql
. "$(dirname "$0")/../lib.sh"

expect_rc "--version exits 0" 0 "$DR" --version
expect_in "--version names the program" "$OUT" "drconsole "
expect_rc "--help exits 0" 0 "$DR" --help
for c in init service record status check config audit demo; do
	run "$DR" "$c" --help
	if [ "$RC" -eq 0 ] && grep -q "usage: drconsole $c" <<<"$OUT"; then
		pass "$c --help prints its usage"
	else fail "$c --help prints its usage" "rc=$RC" "$OUT"; fi
done
expect_rc "an unknown command is a usage error" 2 "$DR" frobnicate
expect_in "and says which" "$ERR" "unknown command 'frobnicate'"
expect_rc "an unknown global flag is a usage error" 2 "$DR" --frob status

# init creates the default catalog (0600 in a 0700 directory, as a file)
# and an example config.
expect_rc "init succeeds" 0 "$DR" init
db=${DRCONSOLE_CATALOG:-$XDG_DATA_HOME/drconsole/catalog.db}
if sqlite_only "the catalog file's mode, its directory's, WAL"; then
	expect_eq "catalog is 0600" "$(stat -c %a "$db" 2>/dev/null)" 600
	expect_eq "its directory is 0700" "$(stat -c %a "$XDG_DATA_HOME/drconsole")" 700
	expect_eq "the catalog is in WAL mode" "$(catq "$db" 'pragma journal_mode')" wal
fi
cfg=$XDG_CONFIG_HOME/drconsole/config.json
[ -f "$cfg" ] && pass "init writes an example config" || fail "init writes an example config"
expect_rc "the example config passes config check" 0 "$DR" config check
before=$(sha256sum "$cfg")
expect_rc "init again is harmless" 0 "$DR" init
expect_eq "and keeps the config" "$(sha256sum "$cfg")" "$before"
expect_eq "tiers are in the catalog" \
	"$(catq "$db" "select count(*) from tiers where name in ('critical','standard','low')")" 3

# service add / list / show / remove
expect_rc "service add" 0 "$DR" service add orders-db --tier critical --owner commerce
expect_eq "it says which tier the service went into" "$OUT" "added service orders-db (tier critical)"
expect_rc "service add with own targets" 0 "$DR" service add wiki --tier low --rpo 1h --rto 2h
expect_rc "duplicate service is refused" 2 "$DR" service add orders-db --tier critical
expect_in "saying it exists" "$ERR" "already exists"
expect_rc "unknown tier is refused" 2 "$DR" service add x --tier platinum
expect_in "naming the known tiers" "$ERR" "critical"
expect_rc "bad name is refused" 2 "$DR" service add 'bad name' --tier low
expect_rc "bad duration is refused" 2 "$DR" service add y --tier low --rpo 15x
expect_in "naming the unit" "$ERR" "15x"
expect_rc "service list" 0 "$DR" service list
expect_in "lists orders-db" "$OUT" "orders-db"
expect_in "with wiki's own RPO" "$OUT" "1h"
expect_not_in "the refused ones are absent" "$OUT" "platinum"
expect_rc "service show" 0 "$DR" service show orders-db
expect_in "shows the verdict" "$OUT" "verdict"
expect_in "no backup ever" "$OUT" "never"
expect_rc "show of an unknown service" 2 "$DR" service show nope
expect_rc "service remove" 0 "$DR" service remove wiki
run "$DR" service list
expect_not_in "wiki is gone" "$OUT" "wiki"
expect_rc "remove of an unknown service" 2 "$DR" service remove wiki

# Every change above is in the audit log, and the chain holds.
expect_rc "audit verify" 0 "$DR" audit verify
expect_in "counts the rows" "$OUT" "intact"
run "$DR" audit list
expect_in "audit names the action" "$OUT" "service.add"
expect_in "and the actor" "$OUT" "$(id -un)"
SSH_CLIENT="203.0.113.9 50000 22" "$DR" service add via-ssh --tier low >/dev/null
run "$DR" audit list --limit 1
expect_in "the SSH client address is recorded" "$OUT" "@203.0.113.9"
