# The "sqlite" source on a database that never rests: a writer (Python's
# sqlite3, WAL mode) commits one-row transactions as fast as it can while
# `drconsole backup run` (level 1, AES-256-GCM, file repository) copies the
# database, against `sqlite3 DB .backup` (the online backup API, 100 pages
# a step, restarted by every commit of another connection) and `sqlite3 DB
# "VACUUM INTO"` (one read transaction) of the same database under the same
# writer.  A contender that has not finished after SQLITE_BENCH_LIMIT
# seconds (default 300) is stopped and reported as such.  Then drconsole
# and sqlite3 .backup once more with the writer paused (SIGSTOP), which is
# what the copy costs on its own.
# Goal: drconsole within 1.5x the time of sqlite3 .backup, and it finishes.
#   BENCH_MB  database size in MiB (default 256)
set -u
mib=${BENCH_MB:-256}
limit=${SQLITE_BENCH_LIMIT:-300}
t=$(mktemp -d "${TMPDIR:-/tmp}/drbench.XXXXXX")
wpid=
trap '[ -n "$wpid" ] && kill "$wpid" 2>/dev/null; rm -rf "$t"' EXIT
db=$t/app.db
# Rows of about 1 KiB, half hex text (compresses like real rows do).
rows=$((mib * 1024))
sqlite3 "$db" "pragma journal_mode=wal; create table t(id integer primary key, name text, pad text);
with recursive c(x) as (select 1 union all select x + 1 from c where x < $rows)
insert into t(name, pad) select 'customer ' || (x % 1000), hex(randomblob(256)) || printf('%.480c', 'x') from c;
create table counter(n integer); insert into counter values ($rows);" >/dev/null
head -c 32 /dev/urandom >"$t/key"
chmod 600 "$t/key"
cat >"$t/config.json" <<JSON
{
  "repositories": { "bench": { "url": "file://$t/repo" } },
  "backups": { "app": { "service": "bench", "repository": "bench",
    "compression_level": 1, "key_file": "$t/key",
    "source": { "kind": "sqlite", "path": "$db" } } }
}
JSON
dr() { "$DR_BIN" --catalog "$t/catalog.db" --config "$t/config.json" "$@"; }
dr init >/dev/null
dr service add bench --tier standard >/dev/null
size=$(du -m "$db" | cut -f1)
load=$(cut -d" " -f1-3 /proc/loadavg)

# The writer: one row and the counter per transaction, until stopped;
# $t/commits holds how many it has committed so far.
python3 - "$db" "$t/commits" <<'PY' &
import sqlite3, sys, time
path, out = sys.argv[1:3]
db = sqlite3.connect(path, timeout=30, isolation_level=None)
n, last = 0, time.monotonic()
while True:
    db.execute("begin immediate")
    db.execute("insert into t(name, pad) values ('writer', hex(randomblob(256)))")
    db.execute("update counter set n = n + 1")
    db.execute("commit")
    n += 1
    if time.monotonic() - last > 0.2:
        open(out, "w").write(str(n))
        last = time.monotonic()
PY
wpid=$!
until [ -s "$t/commits" ]; do sleep 0.1; done
commits() { cat "$t/commits"; }

# time_s CMD: "SECONDS COMMITS": wall seconds of one run ("timeout" past
# the limit, "fail") and what the writer committed meanwhile.
time_s() {
	local t0 t1 c0 rc
	rm -f "$t/out.db"
	c0=$(commits)
	t0=$(date +%s%N)
	timeout "$limit" bash -c "$1" >/dev/null 2>&1
	rc=$?
	t1=$(date +%s%N)
	local n=$(($(commits) - c0))
	if [ $rc -eq 124 ]; then echo "timeout $n"; elif [ $rc -ne 0 ]; then echo "fail $n"; else
		awk -v a="$t0" -v b="$t1" -v n="$n" 'BEGIN { printf "%.3f %d", (b - a) / 1e9, n }'
	fi
}
export DR_BIN t
export -f dr
read -r d dc <<<"$(time_s 'dr backup run app')"
read -r d2 dc2 <<<"$(time_s 'dr backup run app')"
case $d in fail | timeout) d=$d2 dc=$dc2 ;; esac
case $d2 in fail | timeout) ;; *) awk -v a="$d2" -v b="$d" 'BEGIN { exit !(a < b) }' && d=$d2 dc=$dc2 ;; esac
read -r b bc <<<"$(time_s "sqlite3 '$db' \".backup '$t/out.db'\"")"
bok=
case $b in fail | timeout) ;; *) bok=$(sqlite3 "$t/out.db" 'pragma integrity_check' 2>&1) ;; esac
read -r v vc <<<"$(time_s "sqlite3 '$db' \"vacuum into '$t/out.db'\"")"
# The same two with the writer paused: what the copy costs on its own.
kill -STOP "$wpid"
read -r di _ <<<"$(time_s 'dr backup run app')"
read -r bi _ <<<"$(time_s "sqlite3 '$db' \".backup '$t/out.db'\"")"
kill -CONT "$wpid"
kill "$wpid" 2>/dev/null
wait "$wpid" 2>/dev/null
wpid=

# The newest drconsole backup restores to a consistent database.
id=$(dr backup list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["backup_id"])')
rm -f "$t/out.db"
restored=$(dr restore "$id" --to "$t/out.db" >/dev/null 2>&1 &&
	sqlite3 "$t/out.db" 'pragma integrity_check; select count(*) = (select n from counter) from t' | tr '\n' ' ')
echo "database: $size MiB (WAL), $rows rows before the writer; one writer committing as fast as it can; load average before: $load"
echo "command: drconsole backup run app (sqlite source, level 1, AES-256-GCM, file repository); limit ${limit}s each"
line() { # NAME SECONDS COMMITS
	case $2 in fail | timeout)
		printf '  %-36s %-9s (writer committed %s meanwhile)\n' "$1" \
			"$([ "$2" = timeout ] && echo "unfinished after ${limit}s" || echo failed)" "$3"
		return
		;;
	esac
	awk -v n="$1" -v s="$2" -v d="$d" -v c="$3" 'BEGIN {
		printf "  %-36s %7.2f s  drconsole takes %.2fx its time", n, s, d / s
		if (c != "-") printf "  (writer committed %d meanwhile, %.0f/s)", c, c / s
		printf "\n" }'
}
line "drconsole backup run (best of 2)" "$d" "$dc"
line "sqlite3 .backup" "$b" "$bc"
line "sqlite3 VACUUM INTO" "$v" "$vc"
echo "with the writer paused:"
d=$di line "drconsole backup run" "$di" -
d=$di line "sqlite3 .backup" "$bi" -
echo "drconsole's backup restored: integrity_check, rows = counter: ${restored:-failed}"
[ -n "$bok" ] && echo "sqlite3 .backup's copy: integrity_check: $bok"
echo "goal: drconsole <= 1.5x the time of sqlite3 .backup, and it finishes"
