# The PostgreSQL catalog (issue 16), against a real server started here
# (initdb in a scratch directory, a loopback port, stopped at the end):
#  - `status --json` on 1k and on 1M backups (goal: ratio <= 1.2), and
#    against the same 1M-row catalog on SQLite (reported);
#  - how long `catalog copy` takes to move each into PostgreSQL;
#  - write -> redraw latency of a console through NOTIFY (goal: p99 <=
#    100 ms on loopback), from the writer's commit to the change on a
#    tmux screen polled every 5 ms;
#  - 50 concurrent writer processes x 200 `record backup` each (goal:
#    10,000 of 10,000, 0 errors, the audit chain intact), and the same
#    on SQLite with 10 writers.  BENCH_PG_WRITERS, BENCH_PG_EACH and
#    BENCH_SQLITE_WRITERS change the counts (BENCH_PG_LARGE another
#    large catalog, for a quick try of this script).
set -u
export DR_TOP=$PWD
# The test harness's scratch directory, PostgreSQL server and tmux
# session; they print only when they cannot start.
. tests/lib.sh
DR=$DR_BIN
. tests/pg_server.sh >"$T/pg_server.out"
if grep -q "SKIP\|not ok" "$T/pg_server.out"; then
	echo "  skipped: $(cat "$T/pg_server.out")"
	exit 0
fi
. tests/tmux.sh
gen=$BENCH_DIR/gencatalog
small=$BENCH_DIR/catalog-1k.db
large=${BENCH_PG_LARGE:-$BENCH_DIR/catalog-1m.db}
[ -f "$small" ] || "$gen" "$small" 100 10 >/dev/null
if [ ! -f "$large" ]; then
	echo "generating the 1M-row catalog (once; kept in $large)..."
	"$gen" "$large.tmp" 100 10000 >/dev/null && mv "$large.tmp" "$large"
fi
# A file kept from an older build is migrated forward first: `catalog
# copy` reads its source without writing, so it refuses an old schema.
for f in "$small" "$large"; do
	"$DR" --catalog "$f" init >/dev/null 2>&1 ||
		{ echo "  cannot open $f: $("$DR" --catalog "$f" init 2>&1 | tail -1)"; exit 0; }
done
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

for k in small large; do
	f=$small
	[ $k = large ] && f=$large
	t0=$(date +%s%N)
	"$DR" catalog copy --from "$f" --to "$PGURL/$k" >"$T/copy.out" 2>&1 ||
		{ echo "  catalog copy failed: $(tail -3 "$T/copy.out")"; exit 0; }
	echo "command: drconsole catalog copy --from $(basename "$f") --to postgresql://.../$k"
	echo "  copied in $(ms_since "$t0") ms"
done

best_ms() { # best of 7 `status --json`, in microseconds
	local best=999999999 t0 us
	for _ in 1 2 3 4 5 6 7; do
		t0=$(date +%s%N)
		"$DR" --catalog "$1" status --json >/dev/null
		us=$((($(date +%s%N) - t0) / 1000))
		[ "$us" -lt "$best" ] && best=$us
	done
	echo "$best"
}
a=$(best_ms "$PGURL/small")
b=$(best_ms "$PGURL/large")
c=$(best_ms "$large")
echo "command: drconsole --catalog CATALOG status --json (best of 7)"
awk -v a="$a" -v b="$b" -v c="$c" 'BEGIN {
	printf "  PostgreSQL, 1k backups: %8.1f ms\n  PostgreSQL, 1M backups: %8.1f ms\n", a / 1000, b / 1000
	printf "  ratio 1M/1k: %.2f (goal <= 1.2)\n", b / a
	printf "  SQLite, 1M backups:     %8.1f ms; PostgreSQL/SQLite: %.2f\n", c / 1000, b / c
}'

# Write -> redraw through NOTIFY: a service added elsewhere, timed from
# the end of its commit (the writer's exit) to the header's count of
# services in breach (a service with no backup is one) on the screen.
LAT=$PGURL/latency
"$DR" init --catalog "$LAT" >/dev/null 2>&1
"$DR" service add api --tier critical --catalog "$LAT" >/dev/null 2>&1
tui_start PGPASSFILE="$PGPASSFILE" -- --catalog "$LAT"
tui_wait "1 breach," 10 || { echo "  the console did not open: $(tui_screen)"; exit 0; }
: >"$T/lat"
for i in $(seq 1 50); do
	"$DR" service add "a$i" --tier critical --catalog "$LAT" >/dev/null 2>&1
	t0=$(date +%s%N)
	while ! tui_screen | head -1 | grep -q " $((i + 1)) breach,"; do
		[ $(($(date +%s%N) - t0)) -gt 5000000000 ] && break
		sleep 0.005
	done
	ms_since "$t0" >>"$T/lat"
	# The next one only once this one is drawn and settled.
	sleep 0.2
done
tui_stop
echo "command: drconsole service add aNN --catalog postgresql://... (50 times) against a console on 80x24 in tmux"
sort -n "$T/lat" | awk '{ v[NR] = $1 } END {
	p50 = v[int(NR * 0.5 + 0.5)]; p99 = v[int(NR * 0.99 + 0.5)]
	printf "  write -> redraw: p50 %d ms, p99 %d ms, max %d ms over %d (goal p99 <= 100 ms)\n", p50, p99, v[NR], NR
}'

# Concurrent writers.
writers() { # writers CATALOG N EACH: N processes, EACH records each
	local cat=$1 n=$2 each=$3 w
	"$DR" init --catalog "$cat" >/dev/null 2>&1
	"$DR" service add api --tier critical --catalog "$cat" >/dev/null 2>&1
	rm -f "$T"/w.err.*
	t0=$(date +%s%N)
	for w in $(seq "$n"); do
		(for _ in $(seq "$each"); do
			"$DR" record backup --service api --status completed \
				--size 1 --catalog "$cat" >/dev/null 2>>"$T/w.err.$w" ||
				echo x >>"$T/w.fail.$w"
		done) &
	done
	wait
	local ms rec errs
	ms=$(ms_since "$t0")
	case $cat in
	postgresql://*) rec=$(pgq "${cat##*/}" "select count(*) from backup_management") ;;
	*) rec=$(sqlite3 "$cat" "select count(*) from backup_management") ;;
	esac
	errs=$(cat "$T"/w.fail.* 2>/dev/null | wc -l)
	rm -f "$T"/w.fail.*
	echo "  $n writers x $each: $rec of $((n * each)) recorded, $errs errors, $((n * each * 1000 / ms)) records/s ($ms ms)"
	echo "  audit: $("$DR" audit verify --catalog "$cat" 2>&1 | head -1)"
}
pw=${BENCH_PG_WRITERS:-50} pe=${BENCH_PG_EACH:-200} sw=${BENCH_SQLITE_WRITERS:-10}
echo "command: N concurrent loops of drconsole record backup --service api --status completed --size 1"
echo " PostgreSQL:"
writers "$PGURL/writers" "$pw" "$pe"
echo " SQLite:"
writers "$T/writers.db" "$sw" "$pe"
