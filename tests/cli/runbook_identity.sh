#!/usr/bin/env bash
# Who ran a step and how it is retried: the operator is the login name with
# sudo's caller and the SSH address (two people sharing root are told
# apart), on every step, confirmed or not; retry_delay pauses between
# attempts and a stop is heard in the pause; --services names only the
# catalog's services.
# catalogs: sqlite postgresql
. "$(dirname "$0")/../lib.sh"
cd "$DR_TOP" || exit 1
export DRCONSOLE_CATALOG=$(cat_url catalog)
"$DR" init >/dev/null 2>&1
"$DR" service add api --tier critical >/dev/null
"$DR" service add web --tier critical >/dev/null
me=$(id -un)
mkdir -p "$T/m"
last_id() { "$DR" runbook log | awk 'NR == 2 {print $1}'; }

cat >"$T/two.json" <<JSON
{"name": "two", "title": "Two steps for \${WHO}", "scenario": "partial", "rto": "10m", "rpo": "5m",
 "services": ["api"],
 "variables": [{"name": "WHO", "prompt": "For whom", "default": "ops"}],
 "phases": [{"name": "p", "steps": [
  {"id": "quiet", "title": "Runs unasked", "command": "echo quiet >> $T/m/quiet", "confirm": "none"},
  {"id": "asked", "title": "Asks first", "command": "echo asked >> $T/m/asked"}]}]}
JSON

# Two people on one root account, each through sudo from their own login
# and their own SSH connection.
SUDO_USER=alice SUDO_UID=4001 SSH_CLIENT="10.1.2.3 50000 22" \
	run "$DR" runbook run "$T/two.json" --incident one <<<"y"
expect_eq "sudo + ssh: the run completes" "$RC" 0
run "$DR" runbook log "$(last_id)"
expect_in "the confirm-none step records who ran it" "$OUT" "quiet                    completed"
expect_in "  as sudo's caller, the account and the address" \
	"$(grep ' quiet ' <<<"$OUT")" "alice as $me (10.1.2.3)"
expect_in "the confirmed step: the same person" \
	"$(grep ' asked ' <<<"$OUT")" "alice as $me (10.1.2.3)"
expect_in "the run's starter too" "$OUT" "alice as $me (10.1.2.3)"
SUDO_USER=bob SUDO_UID=4002 SSH_CLIENT="10.9.9.9 50001 22" \
	run "$DR" runbook run "$T/two.json" --incident two <<<"y"
run "$DR" runbook log "$(last_id)"
expect_in "a second person on the same account is told apart" \
	"$(grep ' asked ' <<<"$OUT")" "bob as $me (10.9.9.9)"
run "$DR" audit list --limit 50
expect_in "the audit rows name the person" "$OUT" "bob as $me"

# A SUDO_USER that sudo did not set (our own uid) names nobody; an address
# with other bytes in it is not recorded.
SUDO_USER=mallory SUDO_UID=$(id -u) SSH_CLIENT=$'10.0.0.1\e[2J 1 22' \
	run "$DR" runbook run "$T/two.json" --incident three <<<"y"
run "$DR" runbook log "$(last_id)"
expect_not_in "a SUDO_USER with our own uid is not believed" "$OUT" "mallory"
expect_not_in "an address with an escape is not kept" "$OUT" "10.0.0.1"
expect_in "the login name is" "$(grep ' asked ' <<<"$OUT")" "  $me"

# retry_delay: the pause between attempts.
cat >"$T/flaky.json" <<JSON
{"name": "flaky", "title": "Flaky", "scenario": "partial", "rto": "10m", "rpo": "5m",
 "services": ["api"], "phases": [{"name": "p", "steps": [
  {"id": "flaky", "title": "Fails twice", "confirm": "none", "retries": 2, "retry_delay": "2s",
   "command": "date +%s.%N >> $T/m/attempts; test \$(wc -l < $T/m/attempts) -ge 3"}]}]}
JSON
run "$DR" runbook check "$T/flaky.json"
expect_eq "retry_delay: a valid runbook" "$RC" 0
run "$DR" runbook run "$T/flaky.json" --incident retry </dev/null
expect_eq "retry_delay: the third attempt passes" "$RC" 0
expect_eq "retry_delay: three attempts" "$(wc -l <"$T/m/attempts" | tr -d ' ')" 3
expect_in "retry_delay: says when it tries again" "$OUT$ERR" "attempt 1 of 3 failed; trying again in 2s"
gaps=$(awk 'NR > 1 { printf "%s%.1f", (NR > 2 ? " " : ""), $1 - p } { p = $1 }' "$T/m/attempts")
shortest=$(tr ' ' '\n' <<<"$gaps" | sort -n | head -n1)
awk -v g="$shortest" 'BEGIN { exit !(g >= 1.9) }' &&
	pass "retry_delay: at least 2 s between attempts ($gaps)" ||
	fail "retry_delay: at least 2 s between attempts" "gaps: $gaps"

# A stop during the pause: no further attempt.
rm -f "$T/m/attempts"
sed 's/"retry_delay": "2s"/"retry_delay": "30s"/' "$T/flaky.json" >"$T/slow.json"
"$DR" runbook run "$T/slow.json" --incident stop <<<"a" >"$T/out" 2>&1 &
pid=$!
wait_for 10 grep -q "trying again in 30s" "$T/out"
kill -INT $pid
wait $pid
expect_eq "stopped in the pause: exit 1" "$?" 1
expect_eq "stopped in the pause: one attempt only" "$(wc -l <"$T/m/attempts" | tr -d ' ')" 1
expect_in "stopped in the pause: said why" "$(cat "$T/out")" "stopped by the operator before the next attempt"

# retry_delay is refused where it means nothing, with its place.
cat >"$T/bad.json" <<'JSON'
{"name": "bad", "title": "Bad", "scenario": "partial", "rto": "10m", "rpo": "5m",
 "services": ["api"], "phases": [{"name": "p", "steps": [
  {"id": "s", "title": "No retries", "command": "true", "retry_delay": "5s"}]}]}
JSON
run "$DR" runbook check "$T/bad.json"
expect_eq "retry_delay without retries: refused" "$RC" 2
expect_in "  with file, line and column" "$OUT$ERR" "bad.json:3:"
expect_in "  and why" "$OUT$ERR" "give \"retries\" too"
sed 's/"5s"/"2h"/; s/"command": "true"/"command": "true", "retries": 1/' "$T/bad.json" >"$T/bad2.json"
run "$DR" runbook check "$T/bad2.json"
expect_in "retry_delay over 1h: refused" "$OUT$ERR" "between 1s and 1h"

# --services: a typo is refused before anything is recorded.
before=$("$DR" runbook log | wc -l) ran=$(wc -l <"$T/m/quiet")
run "$DR" runbook run "$T/two.json" --services api,wbe --incident typo <<<"y"
expect_eq "unknown --services: exit 2" "$RC" 2
expect_in "  names it and says how to add it" "$ERR" "--services: no service \"wbe\" in the catalog"
expect_eq "  nothing recorded" "$("$DR" runbook log | wc -l)" "$before"
expect_eq "  no step ran" "$(wc -l <"$T/m/quiet")" "$ran"
run "$DR" runbook run "$T/two.json" --services api,web --incident both <<<"y"
expect_eq "known --services: runs" "$RC" 0
expect_rc "audit chain intact" 0 "$DR" audit verify
