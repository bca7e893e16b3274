#!/usr/bin/env bash
# Variables are data: they reach commands only as environment variables;
# a typed confirmation is never satisfied by Enter, y or a wrong word.
# catalogs: sqlite postgresql
. "$(dirname "$0")/../lib.sh"
cd "$DR_TOP" || exit 1
export DRCONSOLE_CATALOG=$(cat_url catalog)
"$DR" init >/dev/null 2>&1
RB=tests/fixtures/runbooks/good/inject.json
mkdir -p "$T/m"
evil='; touch '"$T"'/pwned1 #'\''"; touch '"$T"'/pwned2; $(touch '"$T"'/pwned3) `touch '"$T"'/pwned4` && rm -rf /'

run "$DR" runbook run $RB --var DIR="$T/m" --var TEXT="$evil" --confirm api </dev/null
expect_eq "the run completes" "$RC" 0
for i in 1 2 3 4; do
	[ -e "$T/pwned$i" ] && fail "injection $i did not run" || pass "injection $i did not run"
done
expect_eq "the quoted variable arrived byte for byte" "$(cat "$T/m/text")" "$evil"
expect_in "even unquoted it is only words" "$(cat "$T/m/unquoted")" '$(touch'
expect_in "the notify message shows it as text" "$OUT$ERR" "text was ; touch"
id=$("$DR" runbook log | awk 'NR == 2 {print $1}')
expect_eq "the value is stored as given" \
	"$(catq "$DRCONSOLE_CATALOG" "SELECT value FROM runbook_variables WHERE recovery_id = '$id' AND name = 'TEXT'")" "$evil"

# Typed confirmation: the word is the service name (api).
rm -rf "$T/m"; mkdir -p "$T/m"
run "$DR" runbook run $RB --var DIR="$T/m" --var TEXT=x --assume-yes --confirm apx </dev/null
expect_eq "a wrong --confirm word is refused" "$RC" 1
[ -e "$T/m/guarded" ] && fail "the guarded step did not run" || pass "the guarded step did not run"
expect_in "it says the word was wrong" "$OUT" "that is not the word asked for; step guarded not run"
id=$("$DR" runbook log | awk 'NR == 2 {print $1}')
run "$DR" audit list
expect_in "the refusal is audited" "$OUT" "runbook.confirm_refused"

for answer in "" "y" "yes" "API"; do
	run "$DR" runbook resume "$id" --assume-yes <<<"$answer"
	[ -e "$T/m/guarded" ] && fail "typed answer '$answer' does not satisfy it" ||
		pass "typed answer '$answer' does not satisfy it"
done
run "$DR" runbook resume "$id" </dev/null
expect_eq "no terminal and no answer: refused, not guessed" "$RC" 1
[ -e "$T/m/guarded" ] && fail "still not run" || pass "still not run"
run "$DR" runbook resume "$id" <<<"api"
expect_eq "the right typed word runs it" "$RC" 0
expect_eq "the guarded step ran once" "$(cat "$T/m/guarded")" "ran"
run "$DR" runbook log "$id"
expect_in "who confirmed is recorded" "$OUT" "guarded                  completed"
expect_in "by the operator" "$OUT" "$(id -un)"

# --assume-yes alone never answers a typed confirmation.
rm -rf "$T/m"; mkdir -p "$T/m"
run "$DR" runbook run $RB --var DIR="$T/m" --var TEXT=x --assume-yes </dev/null
expect_eq "--assume-yes does not answer a typed confirmation" "$RC" 1
[ -e "$T/m/guarded" ] && fail "guarded step not run under --assume-yes" || pass "guarded step not run under --assume-yes"

# A bad value for a patterned variable changes nothing.
run "$DR" runbook run $RB --var DIR="$T/m" --var TEXT=x --var 'SERVICE=api; reboot' </dev/null
expect_eq "a value failing its pattern is a usage error" "$RC" 2
expect_in "naming the pattern" "$ERR" 'does not match the pattern [a-z0-9-]+'
expect_rc "audit chain intact" 0 "$DR" audit verify
