# kill -9 at random moments of `backup run`, again and again: a backup
# that did not finish never has a completed row, its object never appears
# under its final name, and the catalog stays intact.
. "$(dirname "$0")/../lib.sh"
. "$DR_TOP/tests/backup_lib.sh"

src=$T/dump.sql
python3 -c '
import random, sys
r = random.Random(7)
out = sys.stdout
for i in range(240000):
    out.write("%d\tcustomer %d\t%d.%02d\t%s\n" % (i, r.randrange(100000), r.randrange(5000), r.randrange(100), r.choice(["paid","open","void"])))
' >"$src"
write_config '
  "db": { "service": "orders", "repository": "local", "chunk_size": 262144,
          "key_file": "'"$key"'",
          "source": { "kind": "command", "argv": ["cat", "'"$src"'"] } }'

# One whole run first, timed on this machine, so the kills below land
# across a run's real length however fast or loaded the machine is.
t0=$(date +%s%N)
"$DR" --catalog "$db" --config "$cfg" backup run db >/dev/null 2>&1
window_ms=$((($(date +%s%N) - t0) / 1000000 * 6 / 5))
[ "$window_ms" -ge 20 ] || window_ms=20
echo "# one backup takes about $((window_ms * 5 / 6)) ms here"
rounds=${CRASH_ROUNDS:-50}
for i in $(seq 1 "$rounds"); do
	"$DR" --catalog "$db" --config "$cfg" backup run db >/dev/null 2>&1 &
	pid=$!
	# Anywhere from before the row exists to after the object is renamed.
	sleep "$(awk -v ms=$((RANDOM % window_ms)) 'BEGIN { printf "%.3f", ms / 1000 }')"
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
done
# The next command that touches backups settles the dead runs.
expect_rc "backup list after the kills" 0 dr backup list
expect_eq "no row is left pending or running" \
	"$(sql "select count(*) from backup_management where backup_status in ('pending','running')")" 0
failed=$(sql "select count(*) from backup_management where backup_status='failed'")
completed=$(sql "select count(*) from backup_management where backup_status='completed'")
echo "# $rounds rounds: $completed completed, $failed killed"
[ "$failed" -ge $((rounds / 5)) ] && pass "runs were really interrupted ($failed of $rounds)" ||
	fail "runs were really interrupted" "only $failed of $rounds"
expect_in "a killed run says why it failed" \
	"$(sql "select json_extract(metadata,'\$.error') from backup_management where backup_status='failed' limit 1")" \
	"ended before the backup completed"
bad=0
for id in $(sql "select backup_id from backup_management where backup_status='failed'"); do
	[ -e "$(object_of "$id")" ] && { bad=$((bad + 1)); echo "# failed $id has an object"; }
done
expect_eq "no killed run left an object under its final name" "$bad" 0
expect_eq "no partial upload is left behind" "$(find "$repo" -name '*.partial-*' | wc -l)" 0
run dr backup verify --all
expect_eq "every completed backup is whole: verify --all passes" "$RC" 0
expect_eq "and verified them all" "$(tail -n1 <<<"$OUT")" "$completed verified, 0 failed"
expect_eq "catalog integrity" "$(sql 'pragma integrity_check')" ok
expect_rc "the audit chain verifies" 0 dr audit verify
expect_rc "a backup after all that still works" 0 dr backup run db

# SIGTERM (or Ctrl-C) stops a backup cleanly: failed at once, with the reason.
write_config '
  "slow": { "service": "orders", "repository": "local",
            "source": { "kind": "command",
                        "shell": "for i in $(seq 1 100); do head -c 100000 /dev/urandom; sleep 0.05; done" } }'
"$DR" --catalog "$db" --config "$cfg" backup run slow >"$T/slow.out" 2>"$T/slow.err" &
pid=$!
sleep 1
kill -TERM $pid
wait $pid
expect_eq "SIGTERM: the backup exits 1" "$?" 1
slow_id=$(last_id)
expect_eq "SIGTERM: the row is failed right away" "$(status_of "$slow_id")" failed
expect_in "SIGTERM: with the reason" "$(cat "$T/slow.err")" "interrupted"
[ ! -e "$(object_of "$slow_id")" ] && pass "SIGTERM: no object" || fail "SIGTERM: no object"
expect_eq "SIGTERM: no partial file" "$(find "$repo" -name '*.partial-*' | wc -l)" 0
