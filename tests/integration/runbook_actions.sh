# Runbook steps that use the rest of drconsole (issue 13): restore (the
# service's newest verified backup inside the RPO, into a path or a
# command), backup, verify, probe and compliance, each recorded where the
# rest of drconsole looks: the restore with the run's recovery id, the
# recovery's data loss counted from the backup that was restored, a
# drill's restore as a restore test (RTO evidence), a failing check as
# the step's failure with its reason.
. "$(dirname "$0")/../lib.sh"
. "$DR_TOP/tests/backup_lib.sh"

src=$T/orders.sql
for i in $(seq 1 3000); do echo "INSERT INTO orders VALUES ($i, 'c$((i % 13))');"; done >"$src"
write_config '
  "orders": { "service": "orders", "repository": "local",
              "source": { "kind": "file", "path": "'"$src"'" } }'
python3 - "$cfg" "$T" <<'PY'
import json, sys
cfg, t = sys.argv[1], sys.argv[2]
c = json.load(open(cfg))
c["probes"] = {"services": {"orders": {"checks": [
    {"name": "restored", "kind": "command", "command": "test -s %s/orders.sql && echo 1" % t, "max": 10}]}}}
json.dump(c, open(cfg, "w"))
PY

# A backup taken 20 minutes before "now" (the RPO of a standard service
# is 30m), verified.
T0=2026-11-20T10:00:00Z
DRCONSOLE_NOW=2026-11-20T09:40:00Z dr backup run orders >/dev/null
old=$(sql "select backup_id from backup_management order by completed_at desc limit 1")
DRCONSOLE_NOW=2026-11-20T09:41:00Z dr backup verify "$old" >/dev/null
expect_eq "the old backup is verified" "$(status_of "$old")" verified

cat >"$T/recover.json" <<JSON
{"name": "recover-orders", "title": "Recover orders", "scenario": "partial",
 "rto": "1h", "rpo": "1h", "services": ["orders"],
 "variables": [{"name": "OUT", "prompt": "Where the command writes", "default": "$T/piped.sql"}],
 "phases": [{"name": "Restore", "steps": [
   {"id": "restore", "title": "Restore the newest verified backup", "kind": "restore",
    "service": "orders", "to": "$T/restored.sql", "confirm": "none"},
   {"id": "restore-pipe", "title": "And through a command", "kind": "restore",
    "service": "orders", "backup": "within-rpo", "to_command": "cat > \"\$DR_VAR_OUT\"", "confirm": "none"},
   {"id": "wait-up", "title": "Wait for the probes", "kind": "probe",
    "service": "orders", "interval": "1s", "timeout": "10s", "confirm": "none"}]},
  {"name": "After", "steps": [
   {"id": "fresh", "title": "Back up the new primary", "kind": "backup",
    "target": "orders", "confirm": "none"},
   {"id": "check-fresh", "title": "Verify it", "kind": "verify",
    "service": "orders", "confirm": "none"},
   {"id": "ok", "title": "Orders is OK", "kind": "compliance",
    "service": "orders", "confirm": "none"}]}]}
JSON
expect_rc "the runbook is valid" 0 dr runbook check "$T/recover.json"

# First a drill: the restore for real, as a restore test of the target (RTO
# evidence), never into the real run's places; backup and verify change
# nothing; probe and compliance run.
before=$(sql "select count(*) from backup_management")
DRCONSOLE_NOW=2026-11-20T09:45:00Z run dr runbook run "$T/recover.json" --drill </dev/null
expect_eq "the drill completes" "$RC" 0
all="$OUT$ERR"
did=$(sql "select recovery_id from disaster_recovery_log where is_drill=1 order by initiated_at desc limit 1")
expect_eq "the drill's restores are restore tests with its recovery id" \
	"$(sql "select count(*) from restores where recovery_id='$did' and kind='restore-test' and ok=1")" 2
[ -e "$T/restored.sql" ] && fail "a drill does not write the real run's path" || pass "a drill does not write the real run's path"
[ -e "$T/piped.sql" ] && fail "a drill does not run the real to_command" || pass "a drill does not run the real to_command"
expect_in "the drill says what the backup step would do" "$all" "[drill] would back up target orders now"
expect_eq "and takes no backup" "$(sql "select count(*) from backup_management")" "$before"
expect_in "the drill's verify names the backup" "$all" "[drill] would verify backup $old of orders (latest)"
expect_in "the drill's probe ran" "$all" "[drill] probes of orders pass (round 1)"
expect_eq "  for real: its round is recorded" \
	"$(sql "select count(*) from probe_state where service_name='orders' and last_run_at is not null")" 1
expect_in "the drill's compliance ran, its restore tests already the evidence" "$all" "[drill] orders is OK against its RPO and RTO"
DRCONSOLE_NOW=2026-11-20T09:46:00Z run dr status --json
rto_id=$(python3 -c 'import json,sys; d=json.load(sys.stdin); print([s for s in d["services"] if s["name"]=="orders"][0]["evidence"]["rto"]["id"])' <<<"$OUT" 2>/dev/null)
expect_eq "the service's RTO evidence is the drill's restore test" \
	"$rto_id" "$(sql "select id from restores where recovery_id='$did' order by id desc limit 1")"

# Then the incident: the same runbook for real.
export DRCONSOLE_NOW=$T0
run dr runbook run "$T/recover.json" --incident orders-down --incident-start 2026-11-20T09:50:00Z </dev/null
expect_eq "the recovery completes" "$RC" 0
all="$OUT$ERR"
expect_in "the restore step names the backup it chose" "$all" "backup $old of orders (within-rpo)"
if cmp -s "$src" "$T/restored.sql"; then pass "restore into a path: byte for byte"; else fail "restore into a path: byte for byte"; fi
if cmp -s "$src" "$T/piped.sql"; then pass "restore into a command with the runbook's variables: byte for byte"; else fail "restore into a command: byte for byte"; fi
expect_in "the probe step waited for the probes" "$all" "probes of orders pass"
rid=$(sql "select recovery_id from disaster_recovery_log order by initiated_at desc limit 1")
expect_eq "both restores are recorded with the run's recovery id" \
	"$(sql "select count(*) from restores where recovery_id='$rid' and ok=1 and backup_id='$old'")" 2
expect_eq "the recovery's data loss counts from the restored backup (09:40 to 09:50)" \
	"$(sql "select data_loss_minutes from disaster_recovery_log where recovery_id='$rid'")" 10.0
fresh=$(sql "select backup_id from backup_management where backup_id <> '$old' order by completed_at desc limit 1")
expect_in "the backup step took a fresh backup" "$all" "completed orders $fresh"
expect_eq "and the verify step verified it" "$(status_of "$fresh")" verified
expect_in "the compliance step says the service is OK" "$all" "orders is OK against its RPO and RTO"
unset DRCONSOLE_NOW


# Failures are the step's failure, with the reason.
cat >"$T/checks.json" <<JSON
{"name": "checks", "title": "Checks", "scenario": "partial", "rto": "1h", "rpo": "1h",
 "services": ["app"], "phases": [{"name": "p", "steps": [
   {"id": "app-ok", "title": "App is OK", "kind": "compliance", "service": "app", "confirm": "none"}]}]}
JSON
run dr runbook run "$T/checks.json" </dev/null <<<"a"
expect_eq "compliance of a service in breach: the run fails" "$RC" 1
expect_in "  naming the verdict and why" "$OUT$ERR" "app is BREACH"
cat >"$T/none.json" <<JSON
{"name": "none", "title": "None", "scenario": "partial", "rto": "1h", "rpo": "1h",
 "services": ["app"], "phases": [{"name": "p", "steps": [
   {"id": "r", "title": "Restore app", "kind": "restore", "service": "app", "to": "$T/app.out", "confirm": "none"}]}]}
JSON
run dr runbook run "$T/none.json" <<<"a"
expect_eq "restore of a service with no backup inside the RPO: fails" "$RC" 1
expect_in "  saying so" "$OUT$ERR" "app"
[ -e "$T/app.out" ] && fail "  and writes nothing" || pass "  and writes nothing"

cat >"$T/down.json" <<JSON
{"name": "down", "title": "Down", "scenario": "partial", "rto": "1h", "rpo": "1h",
 "services": ["orders"], "phases": [{"name": "p", "steps": [
   {"id": "w", "title": "Wait", "kind": "probe", "service": "orders", "interval": "1s", "timeout": "3s", "confirm": "none"}]}]}
JSON
mv "$src" "$src.away"
run dr runbook run "$T/down.json" <<<"a"
mv "$src.away" "$src"
expect_eq "probes that never pass: the step fails" "$RC" 1
expect_in "  after its timeout, naming the failing probe" "$OUT$ERR" "the probes of orders did not pass within 3s: restored:"

# Bad steps are refused with their place.
cat >"$T/bad.json" <<'JSON'
{"name": "bad", "title": "Bad", "scenario": "partial", "rto": "1h", "rpo": "1h",
 "services": ["orders"], "phases": [{"name": "p", "steps": [
   {"id": "r", "title": "Nowhere", "kind": "restore", "service": "orders"},
   {"id": "b", "title": "Both", "kind": "restore", "service": "orders", "to": "/x", "to_command": "cat"},
   {"id": "v", "title": "No service", "kind": "verify"},
   {"id": "p", "title": "Bad interval", "kind": "probe", "service": "orders", "interval": "0s"},
   {"id": "x", "title": "Unknown key", "kind": "backup", "target": "orders", "host": "db1"}]}]}
JSON
run dr runbook check "$T/bad.json"
expect_eq "bad action steps: exit 2" "$RC" 2
expect_in "restore with neither to nor to_command" "$OUT$ERR" "bad.json:3:"
expect_in "  says what it needs" "$OUT$ERR" "exactly one of \"to\""
expect_in "restore with both" "$OUT$ERR" "bad.json:4:"
expect_in "verify without a service" "$OUT$ERR" "bad.json:5:"
expect_in "probe interval out of range" "$OUT$ERR" "\"interval\" must be between 1s and 1h"
expect_in "an unknown key of an action" "$OUT$ERR" "host"
expect_rc "audit chain intact" 0 dr audit verify
