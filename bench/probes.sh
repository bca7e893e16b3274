# 1,000 HTTP probes against a local server (tests/helpers/httpd): the wall
# time of `drconsole probe run` (one concurrent round through libcurl multi,
# results stored in the catalog) against a loop of 1,000 sequential
# `curl` processes fetching the same URL.  Goal: at least 20x faster, and
# under 1 s.
set -u
N=${PROBE_BENCH_N:-1000}
HTTPD=$PWD/$BUILD/tests/helpers/httpd
W=$(mktemp -d "${TMPDIR:-/tmp}/drbench.XXXXXX")
export HOME=$W XDG_DATA_HOME=$W/data XDG_CONFIG_HOME=$W/config
unset DRCONSOLE_CATALOG DRCONSOLE_NOW
[ -x "$HTTPD" ] || make -s "$BUILD/tests/helpers/httpd" >/dev/null
"$HTTPD" "$W/port" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$W"' EXIT
for _ in $(seq 50); do [ -s "$W/port" ] && break; sleep 0.1; done
P=$(cat "$W/port")
URL="http://127.0.0.1:$P/ok"
mkdir -p "$W/config/drconsole"
{
	printf '{"services": [{"name": "fleet", "tier": "standard"}],\n'
	printf ' "probes": {"timeout": "5s", "services": {"fleet": {"checks": [\n'
	for i in $(seq 1 "$N"); do
		printf '  {"name": "p%d", "kind": "http", "url": "%s", "body_contains": "healthy"}%s\n' \
			"$i" "$URL" "$([ "$i" -lt "$N" ] && echo ,)"
	done
	printf ']}}}}\n'
} >"$W/config/drconsole/config.json"
"$DR_BIN" config apply >/dev/null

ms() { echo $((($2 - $1) / 1000000)); }
best=999999
for _ in 1 2 3; do
	t0=$(date +%s%N)
	"$DR_BIN" probe run >"$W/out" 2>&1
	t1=$(date +%s%N)
	m=$(ms "$t0" "$t1")
	[ "$m" -lt "$best" ] && best=$m
done
ok=$(grep -cE '^fleet +p[0-9]+ +http +ok ' "$W/out")
t0=$(date +%s%N)
for _ in $(seq 1 "$N"); do curl -s -o /dev/null "$URL"; done
t1=$(date +%s%N)
seq_ms=$(ms "$t0" "$t1")
printf 'command: drconsole probe run  (%d http probes, one service, best of 3)\n' "$N"
printf 'baseline: for i in 1..%d: curl -s -o /dev/null %s\n' "$N" "http://127.0.0.1:PORT/ok"
printf 'machine: %s, %s cores\n' "$(uname -m)" "$(nproc)"
printf 'probes ok: %d of %d\n' "$ok" "$N"
[ "$ok" -lt "$N" ] && printf '  not ok, e.g.: %s\n' "$(grep -vE '^fleet +p[0-9]+ +http +ok ' "$W/out" | grep -v '^SERVICE' | head -1)"
printf 'drconsole probe run: %d ms\n' "$best"
printf 'sequential curl loop: %d ms\n' "$seq_ms"
if [ "$ok" -lt "$N" ]; then
	echo "ratio: not measured: not every probe succeeded"
else
	awk -v a="$best" -v b="$seq_ms" 'BEGIN { printf "ratio: %.1fx faster (goal >= 20x, and under 1000 ms)\n", b / a }'
fi
