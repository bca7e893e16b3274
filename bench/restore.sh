# Restore throughput on 1 GiB of pg_dump-shaped text (bench/gensql.c, in a
# temporary directory): `drconsole restore ID --to FILE` of an encrypted
# backup (level 1, AES-256-GCM, file repository) against `zcat` of a gzip -1
# of the same data and against `restic restore` of the same file from a
# local restic repository.  Every contender writes a new file on the same
# disk; the backups themselves are made beforehand and not timed.
# Goal: >= 1.0x restic (drconsole at least as fast).
#   BENCH_MB  input size in MiB (default 1024)
set -u
mib=${BENCH_MB:-1024}
bytes=$((mib * 1048576))
t=$(mktemp -d "${TMPDIR:-/tmp}/drbench.XXXXXX")
trap 'rm -rf "$t"' EXIT
src=$t/dump.sql
"$BENCH_DIR/gensql" "$bytes" >"$src"
head -c 32 /dev/urandom >"$t/key"
chmod 600 "$t/key"
cat >"$t/config.json" <<JSON
{
  "repositories": { "bench": { "url": "file://$t/repo" } },
  "backups": { "dump": { "service": "bench", "repository": "bench",
    "compression_level": 1, "key_file": "$t/key",
    "source": { "kind": "file", "path": "$src" } } }
}
JSON
dr() { "$DR_BIN" --catalog "$t/catalog.db" --config "$t/config.json" "$@"; }
dr init >/dev/null
dr service add bench --tier standard >/dev/null
dr backup run dump >/dev/null || { echo "drconsole backup run failed"; exit 0; }
id=$("$DR_BIN" --catalog "$t/catalog.db" --config "$t/config.json" backup list --json |
	python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["backup_id"])')
gzip -1 <"$src" >"$t/dump.sql.gz"
have_restic=0
if command -v restic >/dev/null; then
	export RESTIC_PASSWORD=drconsole-bench RESTIC_REPOSITORY=$t/restic
	restic init >/dev/null 2>&1 && (cd "$t" && restic backup dump.sql >/dev/null 2>&1) && have_restic=1
fi
sizes="stored: drconsole $(du -sm "$t/repo" | cut -f1) MiB, gzip -1 $(du -sm "$t/dump.sql.gz" | cut -f1) MiB"
[ $have_restic = 1 ] && sizes="$sizes, restic $(du -sm "$t/restic" | cut -f1) MiB"
load=$(cut -d" " -f1-3 /proc/loadavg)

# best_s CMD CHECK: best wall time of 2 runs, in seconds, each after
# removing the previous output; CHECK must then print the input's sum.
want=$(sha256sum <"$src" | cut -d' ' -f1)
best_s() {
	local best="" t0 t1 s
	for _ in 1 2; do
		rm -rf "$t/out" "$t/out.sql"
		sync
		t0=$(date +%s%N)
		bash -c "$1" >/dev/null 2>&1 || { echo fail; return; }
		t1=$(date +%s%N)
		[ "$(bash -c "$2" | cut -d' ' -f1)" = "$want" ] || { echo wrong; return; }
		s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
		if [ -z "$best" ] || awk -v s="$s" -v b="$best" 'BEGIN { exit !(s < b) }'; then best=$s; fi
	done
	rm -rf "$t/out" "$t/out.sql"
	echo "$best"
}
export DR_BIN t
export -f dr
d=$(best_s "dr restore $id --to '$t/out.sql'" "sha256sum <'$t/out.sql'")
z=$(best_s "zcat <'$t/dump.sql.gz' >'$t/out.sql'" "sha256sum <'$t/out.sql'")
r=fail
[ $have_restic = 1 ] &&
	r=$(best_s "restic restore latest --target '$t/out'" "sha256sum <'$t/out/dump.sql'")
echo "input: $mib MiB of generated SQL dump text; best of 2 runs each; load average before: $load"
echo "$sizes"
echo "command: drconsole restore ID --to FILE (level-1 backup, AES-256-GCM, file repository)"
line() { # NAME SECONDS
	case $2 in fail | wrong)
		printf '  %-44s %s\n' "$1" "$2"
		return
		;;
	esac
	awk -v n="$1" -v s="$2" -v b="$bytes" -v d="$d" 'BEGIN {
		printf "  %-44s %7.2f s  %7.1f MiB/s  drconsole is %.2fx\n", n, s, b / 1048576 / s, s / d }'
}
line "drconsole restore" "$d"
line "zcat (gzip -1 file, no encryption)" "$z"
line "restic restore" "$r"
echo "goal: >= 1.0x restic"
