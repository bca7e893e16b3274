# Backups into a file repository, end to end through the command line:
# what is restored is what was backed up; the unencrypted form is plain
# gzip; every kind of damage is caught by verify and refused by restore.
. "$(dirname "$0")/../lib.sh"
. "$DR_TOP/tests/backup_lib.sh"

# A source that is a few chunks long (64 KiB chunks) and compressible.
src=$T/source.txt
for i in $(seq 1 6000); do echo "INSERT INTO orders VALUES ($i, 'customer $((i * 7919 % 1000))', $((i % 97)).50);"; done >"$src"
write_config '
  "plain": { "service": "orders", "repository": "local", "chunk_size": 65536,
             "source": { "kind": "file", "path": "'"$src"'" } },
  "secret": { "service": "orders", "repository": "local", "chunk_size": 65536,
              "copy_repository": "copy", "key_file": "'"$key"'",
              "source": { "kind": "command", "shell": "cat \"$SRC\"",
                          "env": { "SRC": "'"$src"'" } } },
  "app": { "service": "app", "repository": "local", "key_file": "'"$key"'",
           "source": { "kind": "sqlite", "path": "'"$T/app.db"'" } },
  "broken": { "service": "orders", "repository": "local",
              "source": { "kind": "command", "argv": ["sh", "-c", "echo partial; echo boom >&2; exit 3"] } }'

# ---- unencrypted: a gzip stream that gunzip reads ----
expect_rc "backup run plain succeeds" 0 dr backup run plain
expect_in "one summary line names the status and checksum" "$OUT" "completed plain "
plain_id=$(last_id)
expect_eq "the row is completed" "$(status_of "$plain_id")" completed
obj=$(object_of "$plain_id")
case $obj in *.gz) pass "unencrypted object is named .gz" ;; *) fail "unencrypted object is named .gz" "$obj" ;; esac
if gunzip -c <"$obj" | cmp -s - "$src"; then pass "gunzip restores the unencrypted backup byte for byte"; else fail "gunzip restores the unencrypted backup byte for byte"; fi
expect_eq "catalog checksum is the object's SHA-256" \
	"$(sql "select checksum from backup_management where backup_id='$plain_id'")" \
	"$(sha256sum <"$obj" | cut -d' ' -f1)"
expect_eq "no partial files are left in the repository" "$(find "$repo" -name '*.partial-*' | wc -l)" 0

# ---- encrypted ----
expect_rc "backup run secret (encrypted, command source) succeeds" 0 dr backup run secret
enc_id=$(last_id)
enc_obj=$(object_of "$enc_id")
if grep -q "INSERT INTO" "$enc_obj"; then fail "the encrypted object hides the data"; else pass "the encrypted object hides the data"; fi
expect_eq "the encrypted object starts with the magic" "$(head -c 8 "$enc_obj")" DRBACKUP
expect_rc "restore of the encrypted backup to a file" 0 dr restore "$enc_id" --to "$T/restored.txt"
if cmp -s "$T/restored.txt" "$src"; then pass "restored file equals the source"; else fail "restored file equals the source"; fi
expect_rc "restore never overwrites" 2 dr restore "$enc_id" --to "$T/restored.txt"
expect_in "and says so" "$ERR" "never overwrites"
expect_rc "restore latest:orders into a command" 0 dr restore latest:orders --to-command "sha256sum > $T/piped.sum"
expect_eq "the command received the whole backup" "$(cut -d' ' -f1 "$T/piped.sum")" "$(sha256sum <"$src" | cut -d' ' -f1)"
expect_in "the audit log records the restore" "$(dr audit list)" "backup.restore"
# The command's output is the operator's: its stdout first, then the
# summary line; its stderr on drconsole's stderr.
run dr restore "$enc_id" --to-command 'wc -c; echo "said on stderr" >&2'
expect_eq "restore --to-command 'wc -c' prints the backup's size" \
	"$(head -n1 <<<"$OUT" | tr -d ' ')" "$(stat -c %s "$src")"
expect_in "and then the summary line" "$(sed -n 2p <<<"$OUT")" "restored $enc_id"
expect_in "the command's stderr passes through" "$ERR" "said on stderr"
# On a terminal a restore says how far it got, as a backup does; the line
# gives way to the result.  (script(1) gives it a terminal.)
script -qec "$(printf '%q ' "$DR" --config "$cfg" --catalog "$db" restore "$enc_id" --to "$T/restored-tty.txt")" /dev/null >"$T/tty.out" 2>&1
expect_in "a restore on a terminal shows the bytes read and the rate" "$(tr '\r' '\n' <"$T/tty.out")" " read, "
expect_in "and ends with its result" "$(tr '\r' '\n' <"$T/tty.out")" "restored $enc_id"
expect_not_in "off a terminal no progress line is written" "$(dr restore "$enc_id" --to "$T/restored-pipe.txt" 2>&1)" " read, "

# ---- verify, list ----
expect_rc "verify by service" 0 dr backup verify --service orders
expect_eq "verified" "$(status_of "$enc_id")" verified
run dr backup list --json
expect_in "list --json shows the verified backup" "$OUT" '"status":	"verified"'
expect_in "list --json says it is encrypted" "$OUT" '"encrypted":	true'
expect_rc "restore within-rpo:orders picks a verified backup" 0 dr restore within-rpo:orders --to "$T/rpo.txt"
if cmp -s "$T/rpo.txt" "$src"; then pass "within-rpo restore equals the source"; else fail "within-rpo restore equals the source"; fi

# ---- a failing source never becomes completed ----
expect_rc "a failing command fails the backup" 1 dr backup run broken
expect_in "with the command's exit status and stderr" "$ERR" "exited with status 3: boom"
bid=$(last_id)
expect_eq "its row is failed" "$(status_of "$bid")" failed
expect_eq "its object does not exist" "$(ls "$(dirname "$(object_of "$bid")")" 2>/dev/null | wc -l)" 0
expect_in "the reason is recorded" "$(sql "select json_extract(metadata,'\$.error') from backup_management where backup_id='$bid'")" "status 3"

# ---- keys ----
chmod 644 "$key"
expect_rc "a key file readable by others is refused (exit 2, as for bad input)" 2 dr backup run secret
expect_in "with a message that says how to fix it" "$ERR" "chmod 600"
chmod 600 "$key"

# ---- sqlite source: consistent copy of a live database ----
# A writer commits batches of 100 rows while the backup runs: the copy must
# hold whole batches only, and pass SQLite's integrity check.
sqlite3 "$T/app.db" "pragma journal_mode=wal; create table t(x, pad);
	with recursive n(i) as (select 1 union all select i + 1 from n where i < 20000)
	insert into t select i, randomblob(200) from n;" >/dev/null
(
	for b in $(seq 1 40); do
		sqlite3 -cmd ".timeout 5000" "$T/app.db" "begin; with recursive n(i) as (select 1 union all select i + 1 from n where i < 100)
			insert into t select -i, randomblob(200) from n; commit;" 2>/dev/null
	done
) &
writer=$!
expect_rc "sqlite source backup while a writer commits" 0 dr backup run app
wait $writer
app_id=$(last_id)
expect_rc "restore it" 0 dr restore "$app_id" --to "$T/app-restored.db"
expect_eq "the restored database passes the integrity check" "$(sqlite3 "$T/app-restored.db" 'pragma integrity_check')" ok
expect_eq "and holds whole transactions only" "$(sqlite3 "$T/app-restored.db" 'select count(*) % 100, count(*) >= 20000 from t')" "0|1"

# ---- restore test ----
expect_rc "restore-test secret" 0 dr restore-test secret
expect_in "it reports the time" "$OUT" "restored in"
expect_eq "last_recovery_test is recorded" \
	"$(sql "select last_recovery_test is not null and estimated_full_recovery_s >= 1 from backup_health_monitoring where service_name='orders'")" 1

# ---- copy ----
expect_rc "copy to the copy repository" 0 dr copy
expect_in "reports the checked copy" "$OUT" "checksum verified"
cp_obj=$copyrepo/$(sql "select json_extract(metadata, '\$.object') from backup_management where backup_id='$enc_id'")
expect_eq "the copy is byte-identical" "$(sha256sum <"$cp_obj" | cut -d' ' -f1)" "$(sha256sum <"$enc_obj" | cut -d' ' -f1)"
expect_eq "copy lag is recorded (0: all copied)" \
	"$(sql "select lag_s from replication_history where source='backup:local' order by rowid desc limit 1")" 0.0
run dr copy
expect_in "a second copy has nothing to do" "$OUT" "0 copied, 0 failed"

# ---- tampering ----
# Each case damages a fresh encrypted backup; verify must report it
# corrupt, restore must refuse it and leave no file.
damage() { # NAME PYTHON-CODE
	local name=$1 code=$2 id obj
	dr backup run secret >/dev/null 2>&1
	id=$(last_id)
	obj=$(object_of "$id")
	python3 - "$obj" "$code" <<'PY'
import sys, struct
path, code = sys.argv[1], sys.argv[2]
data = bytearray(open(path, 'rb').read())
# Chunk records after the 72-byte header, before the 24-byte trailer.
recs, p = [], 72
while p < len(data) - 24:
    n = struct.unpack('>I', data[p:p+4])[0]
    recs.append((p, p + 5 + n + 16))
    p += 5 + n + 16
exec(code)
open(path, 'wb').write(bytes(data))
PY
	run dr backup verify "$id"
	if [ "$RC" -eq 1 ] && grep -q "CORRUPT" <<<"$OUT"; then pass "$name: verify reports it corrupt"; else
		fail "$name: verify reports it corrupt" "rc=$RC" "$OUT" "$ERR"; fi
	LAST_MSG=$OUT
	expect_eq "$name: the row is corrupt" "$(status_of "$id")" corrupt
	expect_rc "$name: restore refuses it" 2 dr restore "$id" --to "$T/never-$name"
	[ ! -e "$T/never-$name" ] && pass "$name: no restored file appears" || fail "$name: no restored file appears"
}
# Health counts a failure that is later than every good backup, by the
# second: the damaged backup must not complete in the same second as the
# good one before it (a tie, as on a fast machine, would not count).
sleep 1
damage "flipped byte" 'data[recs[1][0] + 100] ^= 1'
expect_not_in "a corrupt backup lowers the service's health" \
	"$(sql "select health_status from backup_health_monitoring where service_name='orders'")" "healthy"
expect_in "flipped byte: the message names the chunk" "$LAST_MSG" "chunk 1: authentication failed"
damage "truncated" 'del data[recs[2][0]:]'
expect_in "truncated: the message says truncated" "$LAST_MSG" "truncated"
damage "two chunks swapped" 'a, b = recs[0], recs[1]; data[a[0]:b[1]] = data[b[0]:b[1]] + data[a[0]:a[1]]'
expect_in "swapped: the message names the chunk" "$LAST_MSG" "chunk 0: authentication failed"
# A chunk taken from another backup made with the same key.
other=$(object_of "$enc_id")
damage "chunk from another backup" 'o = open("'"$other"'", "rb").read(); data[recs[1][0]:recs[1][1]] = o[recs[1][0]:recs[1][1]]'
expect_in "foreign chunk: refused" "$LAST_MSG" "chunk 1: authentication failed"
# Wrong key: a backup made with one key, checked with another.
dr backup run secret >/dev/null 2>&1
wk_id=$(last_id)
head -c 32 /dev/urandom >"$key"
run dr backup verify "$wk_id"
expect_in "wrong key: verify says so" "$ERR" "wrong key: key file $key"
expect_eq "wrong key: exit 1" "$RC" 1
expect_eq "wrong key: the backup is not corrupt" "$(status_of "$wk_id")" completed

# ---- prune ----
# Two more good backups in this hour: the newer is kept, the older expires.
# A second apart: the catalog keeps times to the second.  Not across an
# hour boundary, where each would be the newest of its own hour.
while [ "$(date -u +%M%S)" -ge 5950 ]; do sleep 1; done
dr backup run secret >/dev/null && sleep 1.1 && dr backup run secret >/dev/null
older=$(sql "select backup_id from backup_management where backup_status='completed' and json_extract(metadata,'\$.target')='secret' order by completed_at desc, rowid desc limit 1 offset 1")
run dr prune --dry-run
expect_eq "prune --dry-run succeeds" "$RC" 0
expect_in "and keeps the newest of this hour" "$OUT" "(hourly)"
expect_in "and would delete older ones of the same hour" "$OUT" "would delete"
expect_eq "a dry run changes nothing" "$(sql "select count(*) from backup_management where backup_status='expired'")" 0
newest_verified_at=$(sql "select max(completed_at) from backup_management where service_name='orders' and backup_status='verified'")
expect_rc "prune" 0 dr prune
expired=$(sql "select count(*) from backup_management where backup_status='expired'")
expect_eq "prune expired the older backup of the hour" "$(status_of "$older")" expired
left=0
for id in $(sql "select backup_id from backup_management where backup_status='expired'"); do
	[ -e "$(object_of "$id")" ] && left=$((left + 1))
done
expect_eq "their objects are deleted" "$left" 0
expect_eq "the newest verified backup of the service is kept" \
	"$(sql "select count(*) >= 1 from backup_management where service_name='orders' and backup_status='verified' and completed_at='$newest_verified_at'")" 1
expect_in "expiry is audited" "$(dr audit list --limit 200)" "backup.expire"
expect_rc "the audit chain verifies" 0 dr audit verify
