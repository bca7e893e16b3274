# The evidence model across parts (docs/EVIDENCE.md): what one part
# records never becomes another part's evidence.  Copies are no recovery
# point, probes reach the verdict, the worst live replica link stands for
# a service, restore tests name what they restored, and backup health
# follows the backups' own times.  Each block failed before the model.
. "$(dirname "$0")/../lib.sh"
. "$DR_TOP/tests/backup_lib.sh"

T0=$(date -u +%s)
T0=$((T0 - T0 % 60))
at() { DRCONSOLE_NOW=@$(($T0 + $1)) dr "${@:2}"; }
js() { python3 -c "import json,sys; d=json.load(sys.stdin); s={x['name']: x for x in d['services']}; print($1)"; }

src=$T/source.txt
seq 1 20000 >"$src"
write_config '
  "orders-local": { "service": "orders", "repository": "local",
                    "copy_repository": "copy",
                    "source": { "kind": "file", "path": "'"$src"'" } }'

# ---- a copy is the same recovery point as the backup it copies ----
expect_rc "a backup of orders at T0" 0 at 0 backup run orders-local
backup_id=$(last_id)
expect_rc "copy at T0+31m" 0 at 1860 copy
run at 1860 status --json
expect_eq "31 minutes after its backup, orders breaches its 30m RPO" \
	"$(js "s['orders']['rpo']['status'], s['orders']['rpo']['from_replica']" <<<"$OUT")" "breach False"
expect_eq "the copy is listed as a copy link, not a replica" \
	"$(js "len(s['orders']['replication']['copies']), len(s['orders']['replication']['links'])" <<<"$OUT")" "1 0"
expect_eq "the recovery point's evidence is the backup" \
	"$(js "s['orders']['evidence']['rpo']['kind'], s['orders']['evidence']['rpo']['id']" <<<"$OUT")" "backup $backup_id"

# ---- a restore test is evidence with its backup, bytes and time ----
expect_rc "restore-test at T0+32m" 0 at 1920 restore-test orders-local
run at 1930 status --json
expect_eq "the RTO comes from the restore test of that backup, all its bytes" \
	"$(js "s['orders']['rto']['source'], s['orders']['evidence']['rto']['backup_id'], s['orders']['evidence']['rto']['bytes']" <<<"$OUT")" \
	"restore test $backup_id $(stat -c %s "$src")"
expect_eq "and the service is tested" "$(js "s['orders']['tests']['untested']" <<<"$OUT")" "False"

# ---- a drill is RTO evidence only when it restored data ----
export DRBIN=$DR DRCAT=$db DRCFG=$cfg
runbook() { # NAME DRILL_FORM
	cat >"$T/$1.json" <<JSON
{"name": "$1", "title": "Restore orders", "scenario": "partial",
 "rto": "10m", "rpo": "5m", "services": ["orders"], "env": ["DRBIN", "DRCAT", "DRCFG"],
 "phases": [{"name": "Restore", "steps": [
   {"id": "restore", "title": "Restore the latest orders backup", "confirm": "none",
    "command": "\"\$DRBIN\" --catalog \"\$DRCAT\" --config \"\$DRCFG\" restore latest:orders --to-command 'cat >/dev/null'"$2}]}]}
JSON
}
runbook echo-drill ', "drill": "echo would restore orders"'
runbook real-drill ', "drill": "\"$DRBIN\" --catalog \"$DRCAT\" --config \"$DRCFG\" restore latest:orders --to-command '"'"'cat >/dev/null'"'"'"'
expect_rc "a drill that only echoes its restore completes" 0 at 3000 runbook run "$T/echo-drill.json" --drill </dev/null
run at 3010 status --json
expect_eq "and is no evidence: the restore test still stands" \
	"$(js "s['orders']['rto']['source'], s['orders']['tests']['last_at'] is not None, s['orders']['tests']['last_drill_at'] is not None" <<<"$OUT")" \
	"restore test True True"
echo_id=$(sql "select recovery_id from disaster_recovery_log where recovery_procedure = 'echo-drill'")
DR_RECOVERY_ID=$echo_id at 3100 restore latest:orders --to-command 'cat >/dev/null' >/dev/null 2>&1
run at 3110 status --json
expect_eq "a restore that names the drill after it ended does not make it evidence" \
	"$(js "s['orders']['rto']['source']" <<<"$OUT")" "restore test"
expect_rc "a drill whose drill form restores for real completes" 0 at 3600 runbook run "$T/real-drill.json" --drill </dev/null
drill_id=$(sql "select recovery_id from disaster_recovery_log where recovery_procedure = 'real-drill'")
run at 3610 status --json
expect_eq "it is the RTO evidence, with the recovery, the backup and the bytes" \
	"$(js "s['orders']['rto']['source'], s['orders']['evidence']['rto']['id'], s['orders']['evidence']['rto']['backup_id'], s['orders']['evidence']['rto']['bytes']" <<<"$OUT")" \
	"drill $drill_id $backup_id $(stat -c %s "$src")"
expect_rc "an incident recovery that restores completes" 0 at 4200 runbook run "$T/echo-drill.json" </dev/null
run at 4210 status --json
expect_eq "a real recovery that restored data counts too" \
	"$(js "s['orders']['rto']['source'], s['orders']['tests']['age_s']" <<<"$OUT")" "recovery 10"

# ---- probes reach status, check and the JSON ----
cat >"$T/probes.json" <<JSON
{ "repositories": { "local": { "url": "file://$repo" } },
  "probes": { "failures_before_down": 2, "services": { "app": { "checks": [
    { "name": "health", "kind": "command", "command": ["false"] } ] } } } }
JSON
pdb=$T/probes.db
"$DR" --catalog "$pdb" init >/dev/null
"$DR" --catalog "$pdb" service add app --tier critical >/dev/null
"$DR" --catalog "$pdb" record backup --service app --type full --status completed \
	--started now-2m --completed now-1m >/dev/null
"$DR" --catalog "$pdb" --config "$T/probes.json" probe run >/dev/null 2>&1
"$DR" --catalog "$pdb" --config "$T/probes.json" probe run >/dev/null 2>&1
run "$DR" --catalog "$pdb" status --json
expect_eq "a service whose probe is down is AT RISK, naming the probe" \
	"$(js "s['app']['verdict'], s['app']['evidence']['probes_down']" <<<"$OUT")" "AT RISK ['health']"
expect_in "the reason says probe down" "$(js "s['app']['reason']" <<<"$OUT")" "probe down: health"
run "$DR" --catalog "$pdb" status
expect_in "the table says DOWN" "$OUT" "DOWN: probes health"
expect_rc "check exits 1 (at least AT RISK) with a probe down" 1 "$DR" --catalog "$pdb" check
expect_in "and names the probe" "$OUT" "probe down: health"
# Once the probe passes again the DOWN goes.
sed -i 's/\["false"\]/["echo", "1"]/' "$T/probes.json"
"$DR" --catalog "$pdb" --config "$T/probes.json" probe run >/dev/null 2>&1
run "$DR" --catalog "$pdb" status --json
expect_eq "a passing probe clears it" "$(js "s['app']['evidence']['probes_down']" <<<"$OUT")" "[]"

# ---- the worst live replica link stands for the service ----
dr service add pg --tier critical >/dev/null
rec() { at "$1" record replication --service pg --source "$2" --target "$3" "${@:4}" >/dev/null; }
at -3600 record backup --service pg --type full --status completed --started @$((T0 - 3700)) --completed @$((T0 - 3600)) >/dev/null
rec 0 pg-primary pg-replica1 --lag 2s --lag-bytes 100
rec 5 pg-primary pg-replica2 --lag 20m --lag-bytes 999999
run at 10 status --json
expect_eq "the 20-minute-lagged replica is the figure, however recent the healthy one" \
	"$(js "s['pg']['replication']['lag_s'], s['pg']['rpo']['status']" <<<"$OUT")" "1200 breach"
rec 20 pg-primary pg-replica1 --lag 1s --lag-bytes 10
run at 25 status --json
expect_eq "a newer sample of the healthy pair does not hide it" \
	"$(js "s['pg']['replication']['lag_s'], len(s['pg']['replication']['links'])" <<<"$OUT")" "1200 2"
rec 30 pg-primary pg-replica2 --lag 1s --lag-bytes 10
run at 35 status --json
expect_eq "once both are caught up, the service is OK from the replica" \
	"$(js "s['pg']['rpo']['status'], s['pg']['rpo']['from_replica'], s['pg']['evidence']['rpo']['kind']" <<<"$OUT")" "ok True replica"
rec 40 pg-primary pg-replica2 --lag-bytes 4096
run at 45 status --json
expect_eq "a sample with bytes but no seconds is no recovery point" \
	"$(js "s['pg']['rpo']['from_replica'], s['pg']['rpo']['status']" <<<"$OUT")" "False breach"
rec 50 pg-primary pg-replica2 --lag 1s --lag-bytes 0
run at 500 status --json
expect_eq "samples older than the window age out: stale, no recovery point" \
	"$(js "s['pg']['replication']['state'], s['pg']['rpo']['from_replica']" <<<"$OUT")" "stale False"

# ---- health follows the backups' own times ----
dr service add ledger --tier standard >/dev/null
for m in 30 20 10; do
	at 0 record backup --service ledger --type full --status failed --started @$((T0 - m * 60)) --completed @$((T0 - m * 60 + 5)) >/dev/null
done
at 0 record backup --service ledger --type full --status completed --started @$((T0 - 3 * 86400)) --completed @$((T0 - 3 * 86400 + 60)) >/dev/null
run at 0 status --json
expect_eq "three recent failures and a late report of an old success: critical" \
	"$(js "s['ledger']['health']['status'], s['ledger']['health']['failure_count']" <<<"$OUT")" "critical 3"
at 0 record backup --service ledger --type full --status completed --started @$((T0 - 120)) --completed @$((T0 - 60)) >/dev/null
at 0 record backup --service ledger --type full --status failed --started @$((T0 - 5 * 86400)) --completed @$((T0 - 5 * 86400 + 5)) >/dev/null
run at 0 status --json
expect_eq "a backfilled old failure after a fresh success stays healthy" \
	"$(js "s['ledger']['health']['status'], s['ledger']['health']['failure_count']" <<<"$OUT")" "healthy 0"

# ---- the replica window follows the probes' interval ----
cat >"$T/slow-probes.json" <<JSON
{ "probes": { "interval": "5m", "services": { "pg": { "checks": [
    { "name": "port", "kind": "tcp", "host": "127.0.0.1", "port": 1 } ] } } } }
JSON
rec 1000 pg-primary pg-replica1 --lag 1s --lag-bytes 0
rec 1000 pg-primary pg-replica2 --lag 1s --lag-bytes 0
run env DRCONSOLE_NOW=@$((T0 + 1600)) "$DR" --catalog "$db" --config "$T/slow-probes.json" status --json
expect_eq "with 5-minute probes a 10-minute-old sample is live (3 intervals)" \
	"$(js "s['pg']['rpo']['from_replica'], s['pg']['replication']['state']" <<<"$OUT")" "True streaming"
run env DRCONSOLE_NOW=@$((T0 + 1600)) "$DR" --catalog "$db" --config "$cfg" status --json
expect_eq "with the default 30 s interval it is stale" \
	"$(js "s['pg']['rpo']['from_replica'], s['pg']['replication']['state']" <<<"$OUT")" "False stale"

# A config with a probe of an unknown kind is refused with its position,
# never a crash while the replica window is worked out from the probes.
printf '{"probes": {"services": {"pg": {"checks": [{"name": "x", "kind": "smtp"}]}}}}\n' >"$T/bad-probes.json"
expect_rc "a probe of an unknown kind: config check exits 2" 2 "$DR" --config "$T/bad-probes.json" config check
expect_in "naming file, line and column" "$ERR" "bad-probes.json:1:58: unknown probe kind \"smtp\""
expect_rc "and status refuses the config the same way" 2 "$DR" --catalog "$db" --config "$T/bad-probes.json" status
