# The "sqlite" source against a database that never rests: a writer
# commits as fast as it can while `backup run` copies, and the copy still
# finishes, as one consistent point in time, in WAL and rollback-journal
# mode.  A stop request ends a copy at once, and the plain-text temporary
# copy never outlives its run: not on success, failure or a stop, and the
# leftover of a run killed with -9 is removed by the next run.
. "$(dirname "$0")/../lib.sh"
. "$DR_TOP/tests/backup_lib.sh"

export TMPDIR=$T/tmp
mkdir -p "$TMPDIR"
snaps() { find "$TMPDIR" -name 'drconsole-snap-*' | wc -l; }
has_snap() { [ "$(snaps)" -gt 0 ]; }

write_config '
  "wal": { "service": "app", "repository": "local", "key_file": "'"$key"'",
           "source": { "kind": "sqlite", "path": "'"$T/wal.db"'" } },
  "journal": { "service": "app", "repository": "local", "key_file": "'"$key"'",
               "source": { "kind": "sqlite", "path": "'"$T/journal.db"'" } },
  "big": { "service": "app", "repository": "local", "key_file": "'"$key"'",
           "source": { "kind": "sqlite", "path": "'"$T/big.db"'" } },
  "locked": { "service": "app", "repository": "local", "key_file": "'"$key"'",
              "source": { "kind": "sqlite", "path": "'"$T/locked.db"'" } }'

# A few MB of rows, then a writer whose every transaction inserts one row
# and raises a counter: in any consistent state count(*) = the counter.
# It writes until $T/stop-MODE exists and reports how many it committed.
writer() { # DB MODE
	python3 - "$1" "$2" "$T/stop-$2" "$T/commits-$2" <<'PY'
import os, sqlite3, sys
path, mode, stop, out = sys.argv[1:5]
db = sqlite3.connect(path, timeout=30, isolation_level=None)
db.execute("pragma journal_mode=" + mode)
db.execute("create table t(id integer primary key, pad blob)")
db.execute("create table counter(n integer)")
db.execute("insert into counter values (0)")
db.execute("begin")
for i in range(4000):
    db.execute("insert into t(pad) values (randomblob(1000))")
db.execute("update counter set n = n + 4000")
db.execute("commit")
open(stop + ".ready", "w").close()
n = 0
while not os.path.exists(stop):
    db.execute("begin immediate")
    db.execute("insert into t(pad) values (randomblob(1000))")
    db.execute("update counter set n = n + 1")
    db.execute("commit")
    n += 1
open(out, "w").write(str(n))
PY
}

for mode in wal delete; do
	name=$([ $mode = wal ] && echo wal || echo journal)
	writer "$T/$name.db" $mode &
	wpid=$!
	wait_for 30 test -e "$T/stop-$mode.ready"
	sleep 0.3
	before=$(sqlite3 "$T/$name.db" 'select n from counter' 2>/dev/null)
	expect_rc "$mode: backup run completes while a writer commits" 0 dr backup run $name
	id=$(last_id)
	sleep 0.3
	touch "$T/stop-$mode"
	wait $wpid
	commits=$(cat "$T/commits-$mode")
	echo "# $mode: the writer committed $commits transactions, $before rows before the backup"
	if [ "${commits:-0}" -gt 20 ]; then pass "$mode: the writer kept committing"; else
		fail "$mode: the writer kept committing" "commits: $commits"; fi
	expect_rc "$mode: restore it" 0 dr restore "$id" --to "$T/$name-restored.db"
	expect_eq "$mode: the restored database passes the integrity check" \
		"$(sqlite3 "$T/$name-restored.db" 'pragma integrity_check')" ok
	expect_eq "$mode: and is one point in time (rows = counter)" \
		"$(sqlite3 "$T/$name-restored.db" 'select count(*) = (select n from counter), count(*) >= 4000 from t')" "1|1"
	expect_eq "$mode: no temporary copy is left" "$(snaps)" 0
done

# ---- a stop request ends the copy within a couple of seconds ----
# A big database (about 50 MB, kept small for small CI disks), so that
# the run takes a while; the stop may land in the copy or in the stream
# after it, and either way the run ends failed with nothing left.
sqlite3 "$T/big.db" "pragma journal_mode=wal; create table t(pad);
	with recursive n(i) as (select 1 union all select i + 1 from n where i < 12500)
	insert into t select randomblob(4000) from n;" >/dev/null
"$DR" --catalog "$db" --config "$cfg" backup run big >"$T/big.out" 2>"$T/big.err" &
bpid=$!
wait_for 30 has_snap
kill -TERM $bpid
t0=$(date +%s%N)
wait $bpid
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
echo "# SIGTERM: the run ended ${ms} ms later with exit $rc: $(cat "$T/big.err")"
if [ $rc -ne 0 ] && [ $ms -lt 10000 ]; then pass "SIGTERM stops a big copy promptly (not at its end)"; else
	fail "SIGTERM stops a big copy promptly (not at its end)" "rc=$rc ms=$ms" "$(cat "$T/big.err")"; fi
expect_eq "the stopped run's row is failed" "$(status_of "$(last_id)")" failed
expect_eq "no temporary copy is left after the stop" "$(snaps)" 0

# A source locked by someone else (rollback journal, an exclusive
# transaction): the copy waits, and a stop request is heard while it does.
sqlite3 "$T/locked.db" "create table t(x); insert into t values (1);"
python3 - "$T/locked.db" "$T/lock-held" "$T/lock-release" <<'PY' &
import os, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("begin exclusive")
db.execute("insert into t values (2)")
open(sys.argv[2], "w").close()
while not os.path.exists(sys.argv[3]):
    time.sleep(0.05)
db.execute("rollback")
PY
lpid=$!
wait_for 10 test -e "$T/lock-held"
"$DR" --catalog "$db" --config "$cfg" backup run locked >/dev/null 2>"$T/locked.err" &
bpid=$!
wait_for 10 has_snap
sleep 0.3
kill -TERM $bpid
wait $bpid
rc=$?
expect_in "a stop while the source is locked: interrupted" "$(cat "$T/locked.err")" "interrupted"
expect_eq "its row is failed" "$(status_of "$(last_id)")" failed
expect_eq "no temporary copy is left" "$(snaps)" 0

# ---- kill -9 mid-copy: the next run removes the leftover ----
"$DR" --catalog "$db" --config "$cfg" backup run locked >/dev/null 2>&1 &
bpid=$!
wait_for 10 has_snap
sleep 0.3
kill -9 $bpid
wait $bpid 2>/dev/null
expect_eq "kill -9 leaves the temporary copy behind" "$(snaps)" 1
touch "$T/lock-release"
wait $lpid
expect_rc "the next run succeeds" 0 dr backup run locked
expect_eq "and removed the dead run's copy" "$(snaps)" 0
# A copy named for a process that still runs is not touched.
sleep 30 &
spid=$!
at_exit "kill $spid 2>/dev/null"
start=$(awk '{ sub(/.*\) /, ""); split($0, f, " "); print f[20] }' /proc/$spid/stat)
touch "$TMPDIR/drconsole-snap-$spid-$start-abcdef"
expect_rc "another run" 0 dr backup run locked
expect_eq "keeps the copy of a live process" "$(snaps)" 1
