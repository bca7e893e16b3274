# `drconsole status --json` on a catalog of 100 services x 10 backups (1k
# rows) and of 100 services x 10,000 backups (1M rows).  Goal: the ratio of
# the two times stays at or under 1.2 — the cost grows with services, not
# with history.
set -u
gen=$BENCH_DIR/gencatalog
small=$BENCH_DIR/catalog-1k.db
large=$BENCH_DIR/catalog-1m.db
[ -f "$small" ] || "$gen" "$small" 100 10 >/dev/null
if [ ! -f "$large" ]; then
	echo "generating the 1M-row catalog (once; kept in $large)..."
	t0=$(date +%s)
	"$gen" "$large" 100 10000 >/dev/null
	echo "generated in $(($(date +%s) - t0)) s"
fi
# Best of 7 runs, in milliseconds.
best_ms() {
	local best=999999 t0 t1 ms
	for _ in 1 2 3 4 5 6 7; do
		t0=$(date +%s%N)
		"$DR_BIN" --catalog "$1" status --json >/dev/null
		t1=$(date +%s%N)
		ms=$(((t1 - t0) / 1000))
		[ "$ms" -lt "$best" ] && best=$ms
	done
	echo "$best"
}
a=$(best_ms "$small")
b=$(best_ms "$large")
printf 'command: drconsole --catalog CATALOG status --json (best of 7)\n'
awk -v a="$a" -v b="$b" 'BEGIN {
	printf "  1k rows: %7.2f ms\n  1M rows: %7.2f ms\n", a / 1000, b / 1000
	printf "  ratio 1M/1k: %.2f (goal <= 1.2)\n", b / a
}'
