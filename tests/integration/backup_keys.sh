# Key rotation (issue 19): a target's key_files, newest first.  New backups
# use the first; old ones are opened by the key whose id they record (or,
# before ids, by the key that opens their header); a key that is gone is
# named by its id; rekey records which key each backup needs; list warns;
# config check refuses a bad list and changes nothing.
. "$(dirname "$0")/../lib.sh"
. "$DR_TOP/tests/backup_lib.sh"

data=$T/data.txt
head -c 300000 /dev/urandom | base64 >"$data"
keyA=$T/a.key keyB=$T/b.key
head -c 32 /dev/urandom >"$keyA"
head -c 32 /dev/urandom >"$keyB"
chmod 600 "$keyA" "$keyB"
keys_config() { # KEY-MEMBER-JSON
	write_config '
  "secret": { "service": "app", "repository": "local", '"$1"',
              "source": { "kind": "file", "path": "'"$data"'" } }'
}
meta() { sql "select json_extract(metadata, '\$.$2') from backup_management where backup_id='$1'"; }
restores_ok() { # ID NAME
	rm -f "$T/$2"
	expect_rc "restore $2" 0 dr restore "$1" --to "$T/$2"
	if cmp -s "$T/$2" "$data"; then pass "$2: the same data"; else fail "$2: the same data"; fi
}

# ---- key A, then rotated to [B, A] ----
keys_config '"key_file": "'"$keyA"'"'
expect_rc "backup with key A" 0 dr backup run secret
a1=$(last_id)
idA=$(meta "$a1" key_id)
expect_eq "the backup records a 16-hex key id" "$(printf %s "$idA" | grep -cE '^[0-9a-f]{16}$')" 1
expect_eq "and the key file it came from" "$(meta "$a1" key_file)" "$keyA"
# A backup from before key ids: what rekey and the fallback are for.
sleep 1.1
expect_rc "a second backup with key A" 0 dr backup run secret
a0=$(last_id)
sql "update backup_management set metadata = json_remove(metadata, '\$.key_id', '\$.key_file') where backup_id='$a0'"

keys_config '"key_files": ["'"$keyB"'", "'"$keyA"'"]'
expect_rc "config check takes key_files" 0 dr config check "$cfg"
sleep 1.1
expect_rc "backup after the rotation" 0 dr backup run secret
b1=$(last_id)
idB=$(meta "$b1" key_id)
expect_eq "it is encrypted with the newest key, B" "$(meta "$b1" key_file)" "$keyB"
[ "$idA" != "$idB" ] && pass "keys A and B have different ids" || fail "keys A and B have different ids"
for id in "$a1" "$a0" "$b1"; do
	expect_rc "verify $id (old and new)" 0 dr backup verify "$id"
done
restores_ok "$a1" old.txt
restores_ok "$a0" before-ids.txt
restores_ok "$b1" new.txt

# ---- list: the key each backup needs ----
run dr backup list
expect_in "list has a KEY column" "$OUT" "KEY"
expect_in "showing key A" "$OUT" "$idA"
expect_in "and key B" "$OUT" "$idB"
expect_in "and ? for the backup that records none" "$(grep "$a0" <<<"$OUT")" " ? "
expect_eq "no warning while both keys are there" "$ERR" ""
run dr backup list --json
expect_eq "--json: key_id" "$(jq -r --arg i "$a1" '.[] | select(.backup_id == $i) | .key_id' <<<"$OUT")" "$idA"
expect_eq "--json: key_file" "$(jq -r --arg i "$a1" '.[] | select(.backup_id == $i) | .key_file' <<<"$OUT")" "$keyA"
expect_eq "--json: key_warning null" "$(jq -r --arg i "$a1" '.[] | select(.backup_id == $i) | .key_warning' <<<"$OUT")" null

# ---- rekey ----
run dr backup rekey --target secret
expect_eq "rekey: exit 0" "$RC" 0
expect_in "rekey: two backups need key A" "$OUT" "2 backups need key $idA in $keyA"
expect_in "rekey: one needs key B" "$OUT" "1 backup needs key $idB in $keyB"
expect_in "rekey: none is missing" "$OUT" "3 backups: 0 need a key no key file has"
expect_eq "rekey recorded the key of the backup from before ids" "$(meta "$a0" key_id)" "$idA"
expect_eq "and its file" "$(meta "$a0" key_file)" "$keyA"
expect_in "rekey is audited" "$(dr audit list --limit 3)" "backup.rekey"
run dr --read-only backup rekey --target secret
[ "$RC" -ne 0 ] && pass "a read-only session refuses rekey" || fail "a read-only session refuses rekey"
run dr backup rekey
expect_eq "rekey without --target: exit 2" "$RC" 2
run dr backup rekey --target nosuch
expect_eq "rekey of an unknown target: exit 2" "$RC" 2

# ---- key A removed from the list ----
keys_config '"key_files": ["'"$keyB"'"]'
run dr backup verify "$a1"
expect_eq "verify of the old backup fails (exit 1)" "$RC" 1
expect_in "a wrong key" "$ERR" "wrong key: key file $keyB does not open backup $a1"
expect_in "naming the key id it needs" "$ERR" "it needs key $idA (last found in $keyA)"
expect_in "and the files tried" "$ERR" "tried $keyB (key $idB)"
expect_eq "the backup is not marked corrupt" "$(status_of "$a1")" verified
run dr restore "$a1" --to "$T/never.txt"
expect_eq "restore of the old backup fails (exit 1)" "$RC" 1
expect_in "naming the key id" "$ERR" "it needs key $idA"
[ ! -e "$T/never.txt" ] && pass "nothing is restored" || fail "nothing is restored"
expect_rc "the new backup still verifies" 0 dr backup verify "$b1"
run dr backup list
expect_in "list warns about the old backups" "$ERR" "backup $a1 needs key $idA (last found in $keyA), which no key file of target secret has"
expect_not_in "but not about the new one" "$ERR" "backup $b1"
run dr backup list --json
expect_in "--json: key_warning" "$(jq -r --arg i "$a1" '.[] | select(.backup_id == $i) | .key_warning' <<<"$OUT")" "which no key file of target secret has"
run dr backup rekey --target secret
expect_eq "rekey: exit 1 when a backup needs a missing key" "$RC" 1
expect_in "rekey: two need a key none has" "$OUT" "2 backups need key $idA, which no key file has"
expect_in "rekey: counted" "$OUT" "3 backups: 2 need a key no key file has"
# With two files, none holding key A: the message names the target.
keyC=$T/c.key
head -c 32 /dev/urandom >"$keyC"
chmod 600 "$keyC"
keys_config '"key_files": ["'"$keyB"'", "'"$keyC"'"]'
run dr backup verify "$a1"
expect_in "two files: no key file of the target opens it" "$ERR" "wrong key: no key file of target secret opens backup $a1"
expect_in "both files tried" "$ERR" "tried $keyB (key $idB), $keyC (key "

# ---- the old key's file unreadable ----
keys_config '"key_files": ["'"$keyB"'", "'"$keyA"'"]'
chmod 644 "$keyA"
run dr backup list
expect_in "list warns that the needed key file is unreadable" "$ERR" "backup $a1 needs key $idA, and its key file is unreadable"
run dr config check "$cfg"
expect_eq "config check: a loose key file fails" "$RC" 1
expect_in "naming it" "$ERR" "$keyA"
chmod 600 "$keyA"
expect_rc "with it readable again, the old backup verifies" 0 dr backup verify "$a1"

# ---- bad configs: clear message, non-zero exit, nothing changed ----
rows() { sql "select count(*), group_concat(backup_status) from backup_management"; }
before=$(rows)
bad_config() { # NAME KEY-MEMBER-JSON EXPECTED
	keys_config "$2"
	run dr config check "$cfg"
	[ "$RC" -ne 0 ] && pass "$1: config check fails" || fail "$1: config check fails"
	expect_in "$1: the message" "$ERR" "$3"
	run dr backup run secret
	[ "$RC" -ne 0 ] && pass "$1: backup run refused" || fail "$1: backup run refused"
	expect_eq "$1: nothing changed" "$(rows)" "$before"
}
bad_config "key_file and key_files" '"key_file": "'"$keyA"'", "key_files": ["'"$keyB"'"]' \
	':7:96: backup target "secret" has both "key_file" and "key_files"'
bad_config "an empty list" '"key_files": []' 'expected a non-empty array of strings for "key_files"'
bad_config "a missing file" '"key_files": ["'"$T/no-such.key"'", "'"$keyB"'"]' "$T/no-such.key"
# A missing old key fails the check, but never stops new backups.
keys_config '"key_files": ["'"$keyB"'", "'"$T/no-such.key"'"]'
run dr config check "$cfg"
expect_eq "a missing old key file: config check exit 1" "$RC" 1
expect_in "naming it" "$ERR" "backup target \"secret\": key file $T/no-such.key: No such file"
expect_rc "and new backups still run with the first key" 0 dr backup run secret
expect_rc "the audit chain verifies" 0 dr audit verify
