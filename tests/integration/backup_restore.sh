# Restores and restore tests of the right thing (issue 10): restore-test
# TARGET tests that target's backups only; a restore command that exits
# early is reported with its own exit status and stderr; a wrong key is a
# wrong key, never corruption, and an old key can be given with --key-file.
. "$(dirname "$0")/../lib.sh"
. "$DR_TOP/tests/backup_lib.sh"

# Plain data larger than a pipe's buffer, so a command that stops reading
# early is noticed.
data=$T/data.txt
head -c 600000 /dev/urandom | base64 >"$data"
mkdir -p "$T/files"
cp "$data" "$T/files/a.txt"
echo hello >"$T/files/b.txt"
# The "dump" target's restore test accepts only what its source writes: a
# first line DRDUMP1.
dump_check='magic=$(head -c 8); if [ "$magic" != DRDUMP1 ]; then echo "not a dump: starts with $(printf %s "$magic" | od -An -c | head -1)" >&2; exit 1; fi; cat >/dev/null'
old_key=$T/old.key
cp "$key" "$old_key"
chmod 600 "$old_key"
config() { # EXTRA_TARGETS
	write_config '
  "dump": { "service": "orders", "repository": "local",
            "source": { "kind": "command", "shell": "printf \"DRDUMP1\\n\"; cat \"$SRC\"",
                        "env": { "SRC": "'"$data"'" } },
            "restore_test": { "shell": "'"$(sed 's/\\/\\\\/g; s/"/\\"/g' <<<"$dump_check")"'" } },
  "files": { "service": "orders", "repository": "local",
             "source": { "kind": "command", "argv": ["tar", "-cf", "-", "-C", "'"$T/files"'", "."] } },
  "early": { "service": "app", "repository": "local",
             "source": { "kind": "file", "path": "'"$data"'" },
             "restore_test": { "shell": "head -c 1000 >/dev/null; echo \"restore tool: unexpected header\" >&2; exit 3" } },
  "secret": { "service": "app", "repository": "local", "key_file": "'"$key"'",
              "source": { "kind": "file", "path": "'"$data"'" } }'"$1"
}
config ''

# ---- restore-test TARGET tests that target's backups ----
expect_rc "backup run dump" 0 dr backup run dump
dump1=$(last_id)
sleep 1.1
expect_rc "backup run files (same service, newer)" 0 dr backup run files
files1=$(last_id)
expect_rc "restore-test dump passes although files made the newest backup" 0 dr restore-test dump
expect_in "it tested the dump target's backup" "$OUT" "backup $dump1"
expect_in "and says it had no verified backup to test" "$OUT" "target dump has no verified backup; testing its newest completed one"
expect_eq "the tested backup is verified" "$(status_of "$dump1")" verified
expect_eq "the files backup is untouched" "$(status_of "$files1")" completed
sleep 1.1
expect_rc "a newer dump backup" 0 dr backup run dump
dump2=$(last_id)
expect_rc "restore-test dump again" 0 dr restore-test dump
expect_in "it tests the newest verified backup of the target" "$OUT" "backup $dump1"
expect_not_in "without the note" "$OUT" "no verified backup"

# ---- a restore command that exits early ----
run dr restore "$files1" --to-command 'head -c 100 >/dev/null; echo "restore tool: bad header" >&2; exit 4'
expect_eq "an early exit fails the restore (exit 1)" "$RC" 1
expect_in "with the command's exit status and stderr" "$ERR" "exited with status 4: restore tool: bad header"
expect_in "and how much it read" "$ERR" "stopped reading after"
expect_not_in "not hidden behind a broken pipe" "$ERR" "stopped reading before the end of the backup"
run dr restore "$files1" --to-command 'head -c 100 >/dev/null'
expect_eq "an early exit with status 0 fails the restore too" "$RC" 1
expect_in "and says so" "$ERR" "bytes and exited with status 0"
run dr restore "$files1" --to-command 'cat >/dev/null; echo "disk full" >&2; exit 5'
expect_eq "a command that fails after reading everything fails the restore" "$RC" 1
expect_in "it is reported as having read the whole backup" "$ERR" "read the whole backup ("
expect_in "with its exit status and stderr" "$ERR" "exited with status 5: disk full"
run dr restore "$files1" --to-command 'no-such-restore-tool'
expect_eq "a command that cannot run fails the restore" "$RC" 1
expect_in "with the shell's message" "$ERR" "not found"
expect_rc "backup run early" 0 dr backup run early
run dr restore-test early
expect_eq "a restore_test command that exits early fails the test" "$RC" 1
expect_in "with its exit status and stderr" "$ERR" "exited with status 3: restore tool: unexpected header"
expect_not_in "not hidden behind a broken pipe" "$ERR" "stopped reading before the end of the backup"

# ---- wrong keys, and old keys with --key-file ----
expect_rc "backup run secret (encrypted with the old key)" 0 dr backup run secret
sec1=$(last_id)
head -c 32 /dev/urandom >"$key" # the key is rotated
run dr backup verify "$sec1"
expect_eq "verify with the new key: exit 1" "$RC" 1
expect_in "it is a wrong key, naming the key file" "$ERR" "wrong key: key file $key"
expect_eq "the backup is not marked corrupt" "$(status_of "$sec1")" completed
run dr restore "$sec1" --to-command "touch $T/ran; cat >/dev/null"
expect_eq "restore with the new key: exit 1" "$RC" 1
expect_in "a wrong key" "$ERR" "wrong key: key file $key"
[ ! -e "$T/ran" ] && pass "the restore command never ran" || fail "the restore command never ran"
expect_eq "still not corrupt" "$(status_of "$sec1")" completed
expect_rc "restore --key-file with the old key" 0 dr restore "$sec1" --to "$T/sec1.txt" --key-file "$old_key"
if cmp -s "$T/sec1.txt" "$data"; then pass "restores the data"; else fail "restores the data"; fi
run dr restore "$sec1" --to "$T/never.txt" --key-file "$T/no-such.key"
expect_eq "a missing --key-file is refused (exit 2)" "$RC" 2
expect_in "naming it" "$ERR" "$T/no-such.key"
chmod 644 "$old_key"
run dr restore "$sec1" --to "$T/never.txt" --key-file "$old_key"
expect_eq "a loose --key-file is refused" "$RC" 1
expect_in "as key files in the config are" "$ERR" "chmod 600"
[ ! -e "$T/never.txt" ] && pass "and nothing is restored" || fail "and nothing is restored"
chmod 600 "$old_key"
expect_rc "backup verify --key-file with the old key" 0 dr backup verify "$sec1" --key-file "$old_key"
expect_eq "verified" "$(status_of "$sec1")" verified
expect_rc "restore-test --key-file with the old key" 0 dr restore-test secret --key-file "$old_key"
expect_in "tests that backup" "$OUT" "backup $sec1"
cp "$old_key" "$key" # the old key is back in the config's key file
expect_rc "after a wrong key, the right key restores latest:app" 0 dr restore latest:app --to "$T/latest-app.txt"
if cmp -s "$T/latest-app.txt" "$data"; then pass "the same data"; else fail "the same data"; fi
