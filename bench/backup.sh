# Backup throughput on 1 GiB of pg_dump-shaped text (bench/gensql.c,
# generated into a temporary directory): `drconsole backup run` (zlib level
# 1 on every core, AES-256-GCM, SHA-256, into a file repository with fsync)
# against the shell pipelines people write by hand, and against restic.
# Goals: >= 1.0x the pigz pipeline, >= 1.8x the gzip pipeline.
#   BACKUP_BENCH_BYTES  input size (default 1 GiB)
set -u
bytes=${BACKUP_BENCH_BYTES:-1073741824}
if [ "$(id -u)" -eq 0 ]; then
	missing=()
	command -v pigz >/dev/null || missing+=(pigz)
	command -v restic >/dev/null || missing+=(restic)
	if [ ${#missing[@]} -gt 0 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >/dev/null 2>&1 ||
			echo "could not install ${missing[*]}"
	fi
fi
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
load=$(cut -d" " -f1-3 /proc/loadavg)
cat "$src" >/dev/null # warm the page cache for every contender alike

# best_s NAME CMD: best wall time of 2 runs, in seconds.
best_s() {
	local best="" t0 t1 s
	for _ in 1 2; do
		t0=$(date +%s%N)
		bash -c "$1" >/dev/null 2>&1 || { echo fail; return; }
		t1=$(date +%s%N)
		s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
		if [ -z "$best" ] || awk -v s="$s" -v b="$best" 'BEGIN { exit !(s < b) }'; then best=$s; fi
	done
	echo "$best"
}
export DR_BIN t src
export -f dr
d=$(best_s 'dr backup run dump')
p=$(best_s "pigz -1 -p2 <'$src' | openssl enc -aes-256-ctr -pbkdf2 -pass file:'$t/key' | sha256sum")
g=$(best_s "gzip -1 <'$src' | openssl enc -aes-256-ctr -pbkdf2 -pass file:'$t/key' | sha256sum")
r=fail
if command -v restic >/dev/null; then
	r=$(best_s "rm -rf '$t/restic' && RESTIC_PASSWORD_FILE='$t/key' restic init --repo '$t/restic' && RESTIC_PASSWORD_FILE='$t/key' restic backup --repo '$t/restic' '$src'")
fi
mib=$(awk -v b="$bytes" 'BEGIN { printf "%.0f", b / 1048576 }')
echo "input: $mib MiB of generated SQL dump text; best of 2 runs each; load average before: $load"
echo "command: drconsole backup run dump (level 1, AES-256-GCM, SHA-256, file repository, $(nproc) threads)"
line() { # NAME SECONDS
	if [ "$2" = fail ]; then printf '  %-44s unavailable\n' "$1"; return; fi
	awk -v n="$1" -v s="$2" -v b="$bytes" -v d="$d" 'BEGIN {
		printf "  %-44s %7.2f s  %7.1f MiB/s  drconsole is %.2fx\n", n, s, b / 1048576 / s, s / d }'
}
line "drconsole backup run" "$d"
line "pigz -1 -p2 | openssl enc -aes-256-ctr | sha256sum" "$p"
line "gzip -1 | openssl enc -aes-256-ctr | sha256sum" "$g"
line "restic backup (init included)" "$r"
echo "goals: >= 1.0x the pigz pipeline, >= 1.8x the gzip pipeline"
