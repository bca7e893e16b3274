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
# The destination's own faults first: they fail the restore, are recorded
# and audited, and leave the backup as it was.
restores() { sql "select count(*) from restores"; }
n0=$(restores)
run dr restore "$files1" --to-command 'head -c 100 >/dev/null'
expect_eq "an early exit with status 0 fails the restore" "$RC" 1
expect_in "and says how much it read" "$ERR" "stopped reading after 100 of "
expect_in "and how it exited" "$ERR" "bytes and exited with status 0"
run dr restore "$files1" --to-command 'cat >/dev/null; echo "disk full" >&2; exit 5'
expect_eq "a command that fails after reading everything fails the restore" "$RC" 1
expect_in "it is reported as having read the whole backup" "$ERR" "read the whole backup ("
expect_in "with its exit status and stderr" "$ERR" "exited with status 5: disk full"
run dr restore "$files1" --to-command 'no-such-restore-tool'
expect_eq "a command that cannot run fails the restore" "$RC" 1
expect_in "with the shell's message" "$ERR" "not found"
expect_eq "the destination's faults leave the backup completed" "$(status_of "$files1")" completed
expect_eq "each failed restore is recorded" "$(restores)" $((n0 + 3))
expect_eq "as failed, with the command's stderr" \
	"$(sql "select ok, kind, backup_id, error like '%disk full%' from restores where error like '%status 5%'")" "0|restore|$files1|1"
expect_in "and audited" "$(dr audit list --limit 20)" "backup.restore-failed"
# A command that rejects the backup part way blames the backup.
run dr restore "$files1" --to-command 'head -c 100 >/dev/null; echo "restore tool: bad header" >&2; exit 4'
expect_eq "an early exit fails the restore (exit 1)" "$RC" 1
expect_in "with the command's exit status and stderr" "$ERR" "exited with status 4: restore tool: bad header"
expect_in "and how much it read" "$ERR" "stopped reading after 100 of "
expect_not_in "not hidden behind a broken pipe" "$ERR" "stopped reading before the end of the backup"
expect_eq "the backup is restore_failed, not corrupt" "$(status_of "$files1")" restore_failed
expect_in "the operator is told" "$ERR" "is now restore_failed"
expect_in "the reason is the backup's error" \
	"$(sql "select json_extract(metadata, '\$.error') from backup_management where backup_id='$files1'")" "restore tool: bad header"
expect_rc "backup run early" 0 dr backup run early
early1=$(last_id)
run dr restore-test early
expect_eq "a restore_test command that exits early fails the test" "$RC" 1
expect_in "with its exit status and stderr" "$ERR" "exited with status 3: restore tool: unexpected header"
expect_not_in "not hidden behind a broken pipe" "$ERR" "stopped reading before the end of the backup"
expect_eq "the tested backup is restore_failed" "$(status_of "$early1")" restore_failed
expect_eq "the failed test is recorded" \
	"$(sql "select ok, target, backup_id from restores where kind='restore-test' order by id desc limit 1")" "0|early|$early1"
expect_in "and audited" "$(dr audit list --limit 5)" "backup.restore-test-failed"
run dr restore-test early
expect_eq "with no other backup of the target, the next test has nothing to test" "$RC" 2

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
run dr restore-test secret
expect_eq "restore-test with the new key: exit 1" "$RC" 1
expect_in "a wrong key again" "$ERR" "wrong key: key file $key"
expect_eq "the backup is still not corrupt" "$(status_of "$sec1")" completed
expect_eq "the failed test is recorded as a wrong key" \
	"$(sql "select ok, error like 'wrong key: key file %' from restores where backup_id='$sec1' order by id desc limit 1")" "0|1"
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
expect_in "the backup the wrong key was tried on" "$OUT" "restored $sec1"
if cmp -s "$T/latest-app.txt" "$data"; then pass "the same data"; else fail "the same data"; fi

# ---- a failed restore test falls back to the previous good backup ----
# billing's restore test accepts backups that start with GOOD.
{ echo GOOD; cat "$data"; } >"$T/billing.txt"
config ',
  "bill": { "service": "billing", "repository": "local",
            "source": { "kind": "file", "path": "'"$T/billing.txt"'" },
            "restore_test": { "shell": "magic=$(head -c 4); [ \"$magic\" = GOOD ] || { echo \"bad magic: $magic\" >&2; exit 2; }; cat >/dev/null" } }'
dr service add billing --tier standard >/dev/null
expect_rc "backup run bill" 0 dr backup run bill
good=$(last_id)
expect_rc "restore-test bill passes" 0 dr restore-test bill
sleep 1.1
{ echo BAD!; cat "$data"; } >"$T/billing.txt"
expect_rc "a newer backup of bill (wrong contents)" 0 dr backup run bill
bad=$(last_id)
expect_rc "verify it: the object itself is sound" 0 dr backup verify "$bad"
rpo_id() { dr status --json | python3 -c 'import json, sys
s = [x for x in json.load(sys.stdin)["services"] if x["name"] == "billing"][0]
print(s["evidence"]["rpo"]["id"], s["tests"]["restore_test_failed"], s["health"]["failure_count"], s["verdict"])'; }
expect_eq "before: the newest backup is the recovery point" "$(rpo_id)" "$bad False 0 OK"
run dr restore-test bill
expect_eq "the restore test of the newest verified backup fails" "$RC" 1
expect_in "with the test command's message" "$ERR" "exited with status 2: bad magic: BAD!"
expect_eq "that backup is restore_failed" "$(status_of "$bad")" restore_failed
expect_eq "after: status --json falls back to the previous good backup, AT RISK (failed test, one bad backup)" \
	"$(rpo_id)" "$good True 1 AT RISK"
expect_rc "restore latest:billing" 0 dr restore latest:billing --to "$T/billing-latest.txt"
expect_in "picks the previous good backup" "$OUT" "restored $good"
expect_eq "which holds the good data" "$(head -c 4 "$T/billing-latest.txt")" GOOD
expect_rc "restore within-rpo:billing" 0 dr restore within-rpo:billing --to "$T/billing-rpo.txt"
expect_in "picks it too" "$OUT" "restored $good"
expect_rc "the next restore-test bill tests the previous good backup" 0 dr restore-test bill
expect_in "which passes" "$OUT" "backup $good"
expect_rc "the restore_failed backup can still be restored by id" 0 dr restore "$bad" --to-command 'cat >/dev/null'
expect_eq "which makes it good again" "$(status_of "$bad")" verified

# ---- a restore run by a runbook step serves that recovery ----
export DRBIN=$DR DRCAT=$db DRCFG=$cfg
cat >"$T/restore-billing.json" <<'JSON'
{"name": "restore-billing", "title": "Restore billing", "scenario": "partial",
 "rto": "10m", "rpo": "5m", "services": ["billing"], "env": ["DRBIN", "DRCAT", "DRCFG"],
 "phases": [{"name": "Restore", "steps": [
   {"id": "restore", "title": "Restore the latest billing backup", "confirm": "none",
    "command": "\"$DRBIN\" --catalog \"$DRCAT\" --config \"$DRCFG\" restore latest:billing --to-command 'cat >/dev/null'"}]}]}
JSON
expect_rc "runbook run with a restore step" 0 dr runbook run "$T/restore-billing.json" </dev/null
rec=$(sql "select recovery_id from disaster_recovery_log order by initiated_at desc, rowid desc limit 1")
expect_eq "the restore records the recovery it served (DR_RECOVERY_ID)" \
	"$(sql "select recovery_id, ok from restores where kind='restore' order by id desc limit 1")" "$rec|1"
DR_RECOVERY_ID=no-such-recovery dr restore latest:billing --to-command 'cat >/dev/null' >/dev/null 2>&1
expect_eq "an unknown DR_RECOVERY_ID is not kept" \
	"$(sql "select recovery_id from restores order by id desc limit 1")" ""
expect_rc "the audit chain verifies" 0 dr audit verify
