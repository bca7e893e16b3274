# Importing a pgBackRest listing of IMPORT_BENCH_BACKUPS backups (default
# 1,000,000; bench/genpgbackrest.c) with `drconsole import pgbackrest`,
# against the floor: `sqlite3 .import` of the same rows as CSV into the
# same table of a fresh catalog (same indexes and health triggers), so
# the difference is what drconsole adds (JSON parsing, UUIDv5, mapping,
# the seen-set for expiry).  Then the same listing imported again (every
# row unchanged).  Peak RSS of each from /usr/bin/time.
# Goals: import <= 2x the floor; peak RSS <= 64 MB.
set -u
n=${IMPORT_BENCH_BACKUPS:-1000000}
t=$(mktemp -d "${TMPDIR:-/tmp}/drbench.XXXXXX")
trap 'rm -rf "$t"' EXIT
"$BENCH_DIR/genpgbackrest" "$n" json >"$t/info.json"
"$BENCH_DIR/genpgbackrest" "$n" csv >"$t/rows.csv"
export HOME=$t XDG_CONFIG_HOME=$t/config XDG_DATA_HOME=$t/data
mk() { "$DR_BIN" --catalog "$1" init >/dev/null && "$DR_BIN" --catalog "$1" service add bench --tier standard >/dev/null; }
mk "$t/dr.db"
mk "$t/floor.db"
cat "$t/info.json" "$t/rows.csv" >/dev/null
echo "listing: $n backups, $(du -m "$t/info.json" | cut -f1) MB of JSON, $(du -m "$t/rows.csv" | cut -f1) MB of CSV; load $(cut -d' ' -f1-3 /proc/loadavg)"

# timed NAME CMD...: wall seconds and peak RSS (MB) into $S and $R.
timed() {
	local name=$1
	shift
	local t0 t1
	t0=$(date +%s%N)
	/usr/bin/time -f '%M' -o "$t/rss" "$@" >"$t/out" 2>"$t/err" || {
		echo "$name failed: $(tail -3 "$t/err")"
		S=0 R=0
		return
	}
	t1=$(date +%s%N)
	S=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
	R=$(awk '{ printf "%.1f", $1 / 1024 }' "$t/rss")
	printf '%-34s %8ss  peak RSS %6s MB\n' "$name" "$S" "$R"
}

# With the connection settings drconsole's catalog uses (temp_store in
# memory: the health triggers' temporary b-trees would otherwise be a file
# each, per row) and in one transaction, as drconsole's import is.
timed "sqlite3 .import (floor)" sqlite3 "$t/floor.db" \
	"PRAGMA foreign_keys = ON" "PRAGMA temp_store = MEMORY" ".mode csv" "BEGIN" \
	".import --skip 0 $t/rows.csv backup_management" "COMMIT"
floor=$S
timed "drconsole import pgbackrest" "$DR_BIN" --catalog "$t/dr.db" import \
	pgbackrest "$t/info.json" --service bench
ours=$S
ours_rss=$R
head -1 "$t/out"
timed "drconsole import again (unchanged)" "$DR_BIN" --catalog "$t/dr.db" \
	import pgbackrest "$t/info.json" --service bench
again_rss=$R
head -1 "$t/out"
rows_f=$(sqlite3 "$t/floor.db" "select count(*) from backup_management")
rows_d=$(sqlite3 "$t/dr.db" "select count(*) from backup_management")
echo "rows: floor $rows_f, drconsole $rows_d"
awk -v o="$ours" -v f="$floor" -v r="$ours_rss" -v r2="$again_rss" 'BEGIN {
	if (f > 0) printf "ratio: %.2fx the floor (goal <= 2x)\n", o / f
	printf "peak RSS: %s MB, again %s MB (goal <= 64 MB)\n", r, r2 }'
