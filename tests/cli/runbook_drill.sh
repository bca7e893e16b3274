#!/usr/bin/env bash
# A drill of every shipped runbook takes the whole path, runs only drill
# forms, completes, is recorded as a drill, and counts for compliance.
# catalogs: sqlite postgresql
. "$(dirname "$0")/../lib.sh"
cd "$DR_TOP" || exit 1
export DRCONSOLE_CATALOG=$(cat_url catalog)
"$DR" init >/dev/null 2>&1 || { fail "init" "$("$DR" init 2>&1)"; exit 1; }
for s in api worker postgres; do
	"$DR" service add "$s" --tier critical >/dev/null 2>&1
done
# api and postgres are backed up by drconsole (the config's default place),
# each with a verified backup: the shipped runbooks' restore steps restore
# it for real in a drill, as a restore test.
mkdir -p "$XDG_CONFIG_HOME/drconsole" "$T/src"
echo "api data" >"$T/src/api.dump"
echo "all databases" >"$T/src/all.sql"
cat >"$XDG_CONFIG_HOME/drconsole/config.json" <<JSON
{"repositories": {"local": {"url": "file://$T/repo"}},
 "backups": {
  "api-db": {"service": "api", "repository": "local", "source": {"kind": "file", "path": "$T/src/api.dump"}},
  "pg-all": {"service": "postgres", "repository": "local", "source": {"kind": "file", "path": "$T/src/all.sql"}}}}
JSON
for t in api-db pg-all; do
	"$DR" backup run "$t" >/dev/null 2>&1 || fail "backup run $t" "$("$DR" backup run "$t" 2>&1)"
done
"$DR" backup verify --all >/dev/null 2>&1 || fail "backup verify --all"

drill() { # NAME WORD...
	local name=$1 args=()
	shift
	for w in "$@"; do args+=(--confirm "$w"); done
	run "$DR" runbook run "$name" --drill --assume-yes "${args[@]}" </dev/null
	if [ "$RC" -eq 0 ] && grep -q "completed (drill)" <<<"$OUT"; then
		pass "drill of $name completes"
	else
		fail "drill of $name completes" "rc $RC" "stdout: ${OUT: -1500}" "stderr: ${ERR: -800}"
	fi
}
drill partial-recovery api
drill complete-recovery failover app.example.com. restore
drill regional-failover eu-central-1 api.example.com.
drill database-corruption postgres-0 postgres-1
drill failback db1.eu-west-1.internal eu-west-1 api.example.com.

run "$DR" runbook log
expect_eq "five drills are in the log" "$(grep -c ' completed .*drill$' <<<"$OUT")" 5
id=$(awk '/partial-recovery/ {print $1; exit}' <<<"$OUT")
run "$DR" runbook log "$id"
expect_in "the record says it was a drill" "$OUT" "(drill)"
expect_in "actual recovery time is recorded" "$OUT" "recovery time:   "
expect_not_in "no step was left pending" "$OUT" " pending "
expect_in "typed confirmation records the operator" "$OUT" "isolate                  completed"

# The shipped runbooks restore with drconsole's restore step: in a drill it
# restores the service's newest verified backup for real, as a restore
# test, so the drill is RTO evidence of the services it restored (api by
# partial-recovery, postgres by complete-recovery); worker, restored by
# none, stays untested (docs/EVIDENCE.md).
run "$DR" status --json
got=$(python3 -c '
import json, sys
d = json.load(sys.stdin)
for s in d["services"]:
    if s["name"] in ("api", "postgres", "worker"):
        print(s["name"], bool(s["tests"]["last_at"]), s["tests"]["untested"],
              s["rto"]["source"], bool(s["tests"]["last_drill_at"]))
' <<<"$OUT" 2>&1)
# The RTO estimate is the newest evidence: the drill's restore test, or the
# completed drill itself when it ended in a later second (a tie goes to the
# restore test), whichever the clock made newest.
rto_src() { # SERVICE: what the RTO estimate should name
	local cmp
	cmp=$(catq "$DRCONSOLE_CATALOG" "select case when substr(d.completed_at, 1, 19) > substr(r.ended_at, 1, 19) then 1 else 0 end from restores r join disaster_recovery_log d on d.recovery_id = r.recovery_id where r.service_name = '$1' and r.kind = 'restore-test' and r.ok = 1 order by r.ended_at desc limit 1")
	if [ "$cmp" = 1 ]; then echo drill; else echo "restore test"; fi
}
expect_in "api: partial-recovery's drill restored its backup, a test and the RTO evidence" "$got" "api True False $(rto_src api) True"
expect_in "postgres: complete-recovery's drill restored its backup" "$got" "postgres True False $(rto_src postgres) True"
expect_in "worker: affected, but no drill restored its data: untested" "$got" "worker False True none"
expect_eq "each restore of a drill is a restore test with the drill's recovery id" \
	"$(catq "$DRCONSOLE_CATALOG" "select count(*) from restores r join disaster_recovery_log d on d.recovery_id = r.recovery_id where r.kind = 'restore-test' and r.ok = 1 and d.is_drill = 1")" 2

# A step without a drill form is skipped in a drill and recorded as such.
mkdir -p "$T/m"
run "$DR" runbook run tests/fixtures/runbooks/good/counter.json --drill --var DIR="$T/m" </dev/null
expect_eq "counter drill completes" "$RC" 0
expect_eq "drill form ran" "$(cat "$T/m/one.drill" 2>/dev/null)" "one"
[ -e "$T/m/one" ] || [ -e "$T/m/three" ] && fail "no real command ran in the drill" "$(ls "$T/m")" || pass "no real command ran in the drill"
id=$(awk '/counter/ {print $1; exit}' <<<"$("$DR" runbook log)")
run "$DR" runbook log "$id"
expect_in "the step without a drill form is recorded as skipped" "$OUT" "note: drill: no drill form; not run"
expect_rc "audit chain intact" 0 "$DR" audit verify
