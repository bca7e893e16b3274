# The console: time to the first frame on a catalog of 1k and of 1M backups
# (goal: ratio <= 1.2, the dashboard's cost grows with services, not with
# history), the bytes an idle console writes in a minute at 80x24 (goal
# <= 200 B), and resident memory on the 1M-row catalog (goal <= 16 MB).
# bench/ptyrun gives the console a real 80x24 pseudo-terminal and counts
# every byte it writes.
set -u
gen=$BENCH_DIR/gencatalog
pty=$BENCH_DIR/ptyrun
small=$BENCH_DIR/catalog-1k.db
large=$BENCH_DIR/catalog-1m.db
export TERM=xterm-256color LANG=C.UTF-8
unset NO_COLOR DRCONSOLE_NOW
[ -f "$small" ] || "$gen" "$small" 100 10 >/dev/null
if [ ! -f "$large" ]; then
	echo "generating the 1M-row catalog (once; kept in $large)..."
	t0=$(date +%s)
	"$gen" "$large.tmp" 100 10000 >/dev/null && mv "$large.tmp" "$large"
	echo "generated in $(($(date +%s) - t0)) s"
fi

# DRCONSOLE_BENCH_FIRST_FRAME makes the console leave right after drawing
# its first frame; from exec to exit, best of 15, the two catalogs taken in
# turn so that load from elsewhere on the machine hits both alike.
a=999999 b=999999
for _ in $(seq 15); do
	ms=$(DRCONSOLE_BENCH_FIRST_FRAME=1 "$pty" -- "$DR_BIN" --catalog "$small")
	a=$(awk -v x="${ms%% *}" -v y="$a" 'BEGIN { print (x < y) ? x : y }')
	ms=$(DRCONSOLE_BENCH_FIRST_FRAME=1 "$pty" -- "$DR_BIN" --catalog "$large")
	b=$(awk -v x="${ms%% *}" -v y="$b" 'BEGIN { print (x < y) ? x : y }')
done
echo "command: ptyrun -- drconsole --catalog CATALOG (first frame, then exit; best of 15)"
awk -v a="$a" -v b="$b" 'BEGIN {
	printf "  first frame, 1k rows: %7.2f ms\n  first frame, 1M rows: %7.2f ms\n", a, b
	printf "  ratio 1M/1k: %.2f (goal <= 1.2)\n", b / a
}'

# Two demo catalogs: one written an hour ago, whose verdicts have settled
# (an idle dashboard: only the clock and the ages move), and one written
# now, whose critical services turn AT RISK and then BREACH during the
# measurement (what those changes cost on top).
steady=$BENCH_DIR/demo-steady.db fresh=$BENCH_DIR/demo.db
DRCONSOLE_NOW=now-1h "$DR_BIN" demo --catalog "$steady" --force >/dev/null
"$DR_BIN" demo --catalog "$fresh" --force >/dev/null
secs=${BENCH_IDLE_SECONDS:-60}
# The dashboard re-evaluates at each minute boundary: the first after it
# starts advances its ages by less than a minute, so the measuring starts
# 3 s past that one, and then three whole minutes are counted one by one.
settle=$((60 - 10#$(date +%S) + 3))
"$pty" -s "$settle" -i "$secs" -n 3 -- "$DR_BIN" --catalog "$steady" >"$BENCH_DIR/idle.steady" &
"$pty" -s "$settle" -i "$secs" -n 3 -- "$DR_BIN" --catalog "$fresh" >"$BENCH_DIR/idle.fresh"
wait
echo "command: ptyrun -s <to a minute boundary + 3> -i $secs -n 3 -- drconsole --catalog DEMO (80x24, TERM=xterm-256color, dashboard, real clock)"
for k in steady fresh; do
	awk -v s="$secs" -v k="$k" '{
		for (i = 1; i <= 3; i++) { b = $i * 60 / s; sum += b; if (b > max) max = b
			list = list (i > 1 ? ", " : "") sprintf("%.0f", b) }
		what = k == "steady" ? "idle, demo written 1 h ago:     " : "demo written now (verdicts flip):"
		printf "  %s %s B/min; mean %.0f, worst %.0f (goal <= 200 idle; htop ~22 KB)\n", what, list, sum / 3, max
	}' "$BENCH_DIR/idle.$k"
done
rm -f "$BENCH_DIR/idle.steady" "$BENCH_DIR/idle.fresh"

read -r _ rss hwm < <("$pty" -s 3 -i 2 -- "$DR_BIN" --catalog "$large")
echo "command: ptyrun -s 3 -i 2 -- drconsole --catalog catalog-1m.db (dashboard)"
echo "  memory, 1M rows: VmRSS $((rss / 1024)) MB, VmHWM $((hwm / 1024)) MB ($rss / $hwm kB; goal <= 16 MB)"
read -r _ rss hwm < <("$pty" -s 3 -i 2 -k "2G" -- "$DR_BIN" --catalog "$large")
echo "command: same, then keys 2 G (Backups, last of 1M rows)"
echo "  memory, 1M rows, Backups at the end: VmRSS $((rss / 1024)) MB, VmHWM $((hwm / 1024)) MB ($rss / $hwm kB; goal <= 16 MB)"
