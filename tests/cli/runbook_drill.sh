#!/usr/bin/env bash
# A drill of every shipped runbook takes the whole path, runs only drill
# forms, completes, is recorded as a drill, and counts for compliance.
. "$(dirname "$0")/../lib.sh"
cd "$DR_TOP" || exit 1
export DRCONSOLE_CATALOG=$T/catalog.db
"$DR" init >/dev/null 2>&1 || { fail "init" "$("$DR" init 2>&1)"; exit 1; }
for s in api worker postgres; do
	"$DR" service add "$s" --tier critical >/dev/null 2>&1
done

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

# The shipped runbooks' drill forms only echo or skip their restores: the
# drills are recorded, and are no RTO evidence and no test
# (docs/EVIDENCE.md).
run "$DR" status --json
got=$(python3 -c '
import json, sys
d = json.load(sys.stdin)
for s in d["services"]:
    if s["name"] in ("api", "postgres"):
        print(s["name"], bool(s["tests"]["last_at"]), s["tests"]["untested"],
              s["rto"]["source"], bool(s["tests"]["last_drill_at"]))
' <<<"$OUT" 2>&1)
expect_in "api's echo-only drill is no test" "$got" "api False True none True"
expect_in "postgres's echo-only drill is no test" "$got" "postgres False True none True"

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
