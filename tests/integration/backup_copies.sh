# Copies are backups too: `backup verify --copies` re-reads them and marks
# a damaged one failed (it no longer counts), prune deletes them with their
# primaries but keeps the newest verified copy, restore falls back to a copy
# when the primary object is gone and reads one when asked, and partial
# files that killed copies and restores left are removed by the next run.
. "$(dirname "$0")/../lib.sh"
. "$DR_TOP/tests/backup_lib.sh"

src=$T/source.txt
for i in $(seq 1 20000); do echo "row $i $((i * 7919 % 1000))"; done >"$src"
write_config '
  "secret": { "service": "orders", "repository": "local", "chunk_size": 65536,
              "copy_repository": "copy", "key_file": "'"$key"'",
              "retention": { "hourly": 1, "daily": 1, "weekly": 0, "monthly": 0 },
              "source": { "kind": "file", "path": "'"$src"'" } }'

copy_of() { echo "$copyrepo/$(sql "select json_extract(metadata, '\$.object') from backup_management where backup_id='$1'")"; }
sum_of() { sha256sum <"$1" | cut -d' ' -f1; }
# A pid that runs nothing now.
dead_pid() {
	local p=999999
	while kill -0 "$p" 2>/dev/null; do p=$((p - 1)); done
	echo "$p"
}

dr backup run secret >/dev/null
b1=$(last_id)
dr backup run secret >/dev/null
b2=$(last_id)

# ---- copy: a summary line with bytes and rate ----
expect_rc "copy both backups" 0 dr copy
expect_in "the summary says the bytes and the rate" "$OUT" "checksum verified: "
expect_in "with a rate" "$OUT" "/s)"
# On a terminal a copy says how far it got, as a restore does.
dr backup run secret >/dev/null
b0=$(last_id)
script -qec "$(printf '%q ' "$DR" --config "$cfg" --catalog "$db" copy)" /dev/null >"$T/tty.out" 2>&1
expect_in "a copy on a terminal shows the bytes and the rate" "$(tr '\r' '\n' <"$T/tty.out")" " read, "
expect_in "and ends with its result" "$(tr '\r' '\n' <"$T/tty.out")" "1 copied, 0 failed"
expect_not_in "off a terminal no progress line is written" "$(dr copy 2>&1)" " read, "

# ---- verify --copies ----
expect_rc "verify --copies reads the copies back" 0 dr backup verify --all --copies
expect_in "it counts them" "$OUT" "3 copies verified, 0 failed"
expect_in "it names each" "$OUT" "verified copy of $b1 (orders) in copy"

# A flipped byte in the copy of b1.
python3 - "$(copy_of "$b1")" <<'PY'
import sys
p = sys.argv[1]
d = bytearray(open(p, 'rb').read())
d[len(d) // 2] ^= 0x01
open(p, 'wb').write(bytes(d))
PY
expect_rc "verify --copies fails on the flipped byte" 1 dr backup verify "$b1" --copies
expect_in "and names the copy and why" "$OUT" "COPY FAILED $b1 (orders) in copy: "
expect_in "the primary still verifies" "$OUT" "verified $b1 (orders)"
expect_eq "the copy is marked failed in the metadata" \
	"$(sql "select json_extract(metadata, '\$.copies.copy.failed') is not null from backup_management where backup_id='$b1'")" 1
expect_eq "the backup itself stays verified" "$(status_of "$b1")" verified
run dr backup list --json
expect_eq "backup list --json no longer counts the failed copy" \
	"$(python3 -c 'import json,sys; print([b["copies"] for b in json.load(sys.stdin) if b["backup_id"] == sys.argv[1]][0])' "$b1" <<<"$OUT")" "[]"
expect_eq "the copy lag counts its backup as not copied" \
	"$(sql "select lag_bytes > 0, state from replication_history where kind='copy' order by rowid desc limit 1")" "1|catchup"
run dr status --json
expect_in "status --json shows the copy link catching up" "$OUT" '"catchup"'
expect_rc "the next copy copies it again" 0 dr copy
expect_in "one copy" "$OUT" "1 copied, 0 failed"
expect_rc "and it verifies" 0 dr backup verify "$b1" --copies
expect_eq "the copy lag is back to 0" \
	"$(sql "select lag_s from replication_history where kind='copy' order by rowid desc limit 1")" 0.0

# ---- restore from a copy ----
rm -f "$(object_of "$b2")"
expect_rc "restore of a backup whose primary object is gone" 0 dr restore "$b2" --to "$T/r2.txt"
expect_in "says it restores from the copy" "$ERR" "restoring from the copy in copy"
expect_in "and why" "$ERR" "missing"
expect_in "the result names the copy repository" "$OUT" "from copy to $T/r2.txt"
expect_eq "the restored file is the original" "$(sum_of "$T/r2.txt")" "$(sum_of "$src")"
expect_in "the audit row says where it came from" "$(dr audit list)" "from the copy in copy"
expect_rc "restore --repository copy" 0 dr restore "$b1" --repository copy --to "$T/r1.txt"
expect_in "reads the copy" "$OUT" "from copy to"
expect_eq "its bytes are the original's" "$(sum_of "$T/r1.txt")" "$(sum_of "$src")"
expect_rc "restore --repository local reads the primary" 0 dr restore "$b1" --repository local --to "$T/r1b.txt"
expect_in "and says so" "$OUT" "from local to"
expect_rc "restore --repository of a repository without a copy is refused" 2 dr restore "$b1" --repository nowhere --to "$T/r1c.txt"
expect_in "saying so" "$ERR" "has no copy in nowhere"
expect_rc "restore-test --repository copy" 0 dr restore-test secret --repository copy
expect_in "it names the repository" "$OUT" "from copy"
# A backup verify found corrupt is restored from its good copy.
dr backup run secret >/dev/null
bc=$(last_id)
dr copy >/dev/null
printf 'X' | dd of="$(object_of "$bc")" bs=1 seek=400 conv=notrunc 2>/dev/null
dr backup verify "$bc" >/dev/null
expect_eq "a flipped byte in the primary: corrupt" "$(status_of "$bc")" corrupt
expect_rc "restore of a corrupt backup with a good copy" 0 dr restore "$bc" --to "$T/rc.txt"
expect_in "reads the copy, saying why" "$ERR" "is corrupt ("
expect_eq "its bytes are the original's" "$(sum_of "$T/rc.txt")" "$(sum_of "$src")"
expect_eq "the backup stays corrupt" "$(status_of "$bc")" corrupt
expect_rc "restore --repository local of it is refused" 2 dr restore "$bc" --repository local --to "$T/rc2.txt"
rm -f "$(copy_of "$b2")"
expect_rc "a restore with neither the primary nor the copy fails" 1 dr restore "$b2" --to "$T/r2b.txt"
expect_eq "the backup is restore_failed" "$(status_of "$b2")" restore_failed
expect_eq "and the copy is failed" \
	"$(sql "select json_extract(metadata, '\$.copies.copy.failed') is not null from backup_management where backup_id='$b2'")" 1

# ---- partials of killed runs ----
pid=$(dead_pid)
obj1=$(copy_of "$b1")
printf x >"$obj1.partial-$pid-0badf00d"
printf x >"$obj1.partial-$$-0badf00d"
expect_rc "copy" 0 dr copy
expect_in "says it removed a partial" "$ERR" "removed 1 partial object"
[ -e "$obj1.partial-$pid-0badf00d" ] && fail "the dead pid's partial is removed" || pass "the dead pid's partial is removed"
[ -e "$obj1.partial-$$-0badf00d" ] && pass "a live pid's partial stays" || fail "a live pid's partial stays"
touch -d '2 days ago' "$obj1.partial-$$-0badf00d"
dr copy >/dev/null 2>&1
[ -e "$obj1.partial-$$-0badf00d" ] && fail "a partial older than a day is removed" || pass "a partial older than a day is removed"
printf x >"$T/r3.txt.partial-$pid"
printf x >"$T/r3.txt.partial-$$"
expect_rc "restore --to a path with a dead restore's partial" 0 dr restore "$b1" --to "$T/r3.txt"
[ -e "$T/r3.txt.partial-$pid" ] && fail "the dead restore's partial is removed" || pass "the dead restore's partial is removed"
[ -e "$T/r3.txt.partial-$$" ] && pass "a live one stays" || fail "a live one stays"
expect_in "and says so" "$ERR" "left by killed restores"
expect_eq "the restored file is whole" "$(sum_of "$T/r3.txt")" "$(sum_of "$src")"

# ---- prune: copies go with their primaries ----
# Four old backups with copies, then a new verified one without.
old=()
for d in 40 30 20 10; do
	dr backup run secret >/dev/null
	id=$(last_id)
	old+=("$id")
	ts=$(date -u -d "$d days ago" +%Y-%m-%dT%H:%M:%SZ)
	sql "update backup_management set started_at='$ts', completed_at='$ts' where backup_id='$id'"
done
dr copy >/dev/null
# b0 and b1 (copied) and b2 (restore_failed) are recent; make b0 and b1 old.
ts=$(date -u -d "50 days ago" +%Y-%m-%dT%H:%M:%SZ)
sql "update backup_management set started_at='$ts', completed_at='$ts' where backup_id in ('$b0', '$b1')"
# An old corrupt backup, and a recent one.
dr backup run secret >/dev/null
cold=$(last_id)
sql "update backup_management set backup_status='corrupt', started_at='$ts', completed_at='$ts' where backup_id='$cold'"
dr backup run secret >/dev/null
cnew=$(last_id)
sql "update backup_management set backup_status='corrupt' where backup_id='$cnew'"
dr backup run secret >/dev/null
fresh=$(last_id)
dr backup verify "$fresh" >/dev/null
expect_rc "prune" 0 dr prune
PRUNE=$OUT
expect_in "a pruned backup is deleted from both repositories" "$PRUNE" "${old[0]}  orders"
expect_in "and says from where" "$PRUNE" "from local and copy in copy"
[ -e "$(copy_of "${old[0]}")" ] && fail "its copy is gone" || pass "its copy is gone"
run dr backup list --json
expect_eq "and no longer listed as a copy" \
	"$(python3 -c 'import json,sys; print([b["copies"] for b in json.load(sys.stdin) if b["backup_id"] == sys.argv[1]][0])' "${old[0]}" <<<"$OUT")" "[]"
expect_rc "verify --copies of an expired backup is refused" 1 dr backup verify "${old[0]}" --copies
expect_in "saying its copies went with it" "$ERR" "its copies went with it"
[ -e "$(object_of "${old[0]}")" ] && fail "its primary is gone" || pass "its primary is gone"
expect_eq "the newest backup with a verified copy is kept" "$(status_of "${old[3]}")" completed
expect_in "saying why" "$PRUNE" "(newest verified copy)"
[ -e "$(copy_of "${old[3]}")" ] && pass "its copy stays" || fail "its copy stays"
expect_eq "the old corrupt backup is pruned" "$(status_of "$cold")" expired
expect_in "as its age says" "$PRUNE" "(corrupt, expired)"
expect_eq "the recent corrupt backup stays" "$(status_of "$cnew")" corrupt
expect_in "but holds no generation" "$PRUNE" "(corrupt, within retention)"
expect_in "a recent restore_failed backup stays too" "$PRUNE" "$b2  orders"
expect_eq "as restore_failed" "$(status_of "$b2")" restore_failed
expect_eq "the fresh verified backup stays" "$(status_of "$fresh")" verified
expect_eq "no partial files are left anywhere" "$(find "$repo" "$copyrepo" -name '*.partial-*' | wc -l)" 0

# ---- the agent's verify job reads the copies too ----
ts=$(date -u -d "1 hour ago" +%Y-%m-%dT%H:%M:%SZ)
sql "update backup_management set completed_at='$ts' where completed_at > '$ts'"
dr backup run secret >/dev/null
last=$(last_id)
dr copy >/dev/null
python3 - "$(copy_of "$last")" <<'PY'
import sys
p = sys.argv[1]
d = bytearray(open(p, 'rb').read())
d[len(d) // 2] ^= 0x01
open(p, 'wb').write(bytes(d))
PY
# Its own backup fails (no source), so the verify job takes the damaged one.
write_config '
  "secret": { "service": "orders", "repository": "local", "chunk_size": 65536,
              "copy_repository": "copy", "key_file": "'"$key"'", "schedule": "1h",
              "source": { "kind": "file", "path": "'"$T/gone.txt"'" } }'
timeout 60 "$DR" --catalog "$db" --config "$cfg" agent --ticks 10 >/dev/null 2>"$T/agent.log"
expect_in "the agent's verify job names the damaged copy" "$(cat "$T/agent.log")" "verified $last, but its copy of $last in copy: "
expect_rc "the audit chain verifies" 0 dr audit verify
