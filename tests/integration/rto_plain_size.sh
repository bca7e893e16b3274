# The size-based RTO estimate divides the backup's plain (uncompressed)
# size by restore_throughput, a throughput of plain bytes: 50 MiB of zeros
# stored in a few KiB is estimated from its 50 MiB.  A backup whose plain
# size the catalog does not have gives no estimate ("RTO never measured"),
# not one from its stored size.
. "$(dirname "$0")/../lib.sh"
. "$DR_TOP/tests/backup_lib.sh"

head -c 52428800 /dev/zero >"$T/zeros"
cat >"$cfg" <<JSON
{
  "policy": { "restore_throughput": "10MB/s" },
  "repositories": { "local": { "url": "file://$repo" } },
  "backups": {
    "zeros": { "service": "orders", "repository": "local",
               "source": { "kind": "file", "path": "$T/zeros" } }
  }
}
JSON
# rto SERVICE FIELD: a field of the service's RTO in status --json.
rto() {
	dr status --json | python3 -c '
import json, sys
svc = [s for s in json.load(sys.stdin)["services"] if s["name"] == sys.argv[1]][0]
f = sys.argv[2]
v = svc["evidence"]["rto"][f[9:]] if f.startswith("evidence.") else svc["rto"][f]
print("null" if v is None else v)' "$1" "$2"
}

expect_rc "a backup of 50 MiB of zeros" 0 dr backup run zeros
id=$(last_id)
stored=$(sql "select backup_size from backup_management where backup_id='$id'")
[ "$stored" -lt 1048576 ] && pass "it is stored in less than 1 MiB ($stored bytes)" ||
	fail "it is stored in less than 1 MiB" "$stored"
expect_eq "the estimate is its plain size / throughput (52428800 / 10 MB/s, rounded up)" \
	"$(rto orders estimate_s)" 6
expect_eq "the evidence names the plain bytes" "$(rto orders evidence.bytes)" 52428800
expect_eq "and the backup" "$(rto orders evidence.backup_id)" "$id"
expect_eq "as a size estimate" "$(rto orders evidence.kind)" "size estimate"
run dr service show orders
expect_in "service show says where the estimate comes from" "$OUT" "size estimate"
# The console's service page names the plain size behind it.
if command -v tmux >/dev/null; then
	. "$DR_TOP/tests/tmux.sh"
	tui_start -- --catalog "$db" --config "$cfg"
	tui_wait "orders"
	tui_keys /
	tui_text orders
	tui_keys Enter
	tui_keys Enter
	expect_screen "the service page shows the estimate" "estimate 6s against a target of 1h"
	expect_screen "and its evidence: the backup's plain size" "(50 MiB) and"
	tui_keys q
	tui_stop
else
	skip "the service page" "tmux is not installed"
fi

# Recorded backups: a size alone is no plain size; with a compression
# ratio it is (size x ratio).
dr record backup --service app --size 1000000 >/dev/null
expect_eq "a recorded size alone gives no estimate" "$(rto app estimate_s)" null
expect_eq "the RTO is unknown" "$(rto app status)" unknown
run dr status
expect_in "and the reason says so" "$OUT" "RTO never measured"
dr record backup --service app --size 1000000 --compression-ratio 25 >/dev/null
expect_eq "size x compression ratio is the plain size (25 MB: 3 s)" "$(rto app estimate_s)" 3
expect_eq "its evidence bytes" "$(rto app evidence.bytes)" 25000000
dr record backup --service app --size 1000 --metadata '{"plain_bytes": 40000000}' >/dev/null
expect_eq "plain_bytes in the metadata is the plain size (40 MB: 4 s)" "$(rto app estimate_s)" 4
