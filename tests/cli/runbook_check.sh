#!/usr/bin/env bash
# `runbook check|list|show`: the shipped runbooks pass; every malformed
# fixture is refused with exit 2 and its file:line:col.
# catalogs: sqlite (reads runbook files only, no catalog)
. "$(dirname "$0")/../lib.sh"
cd "$DR_TOP" || exit 1

expect_rc "check passes every shipped runbook" 0 "$DR" runbook check runbooks/*.json
for f in partial-recovery complete-recovery regional-failover database-corruption failback game-day-standby-replay; do
	expect_in "check names $f as ok" "$OUT" "runbooks/$f.json: ok ($f:"
done

n=0
for f in tests/fixtures/runbooks/bad/*.json; do
	run "$DR" runbook check "$f"
	n=$((n + 1))
	if [ "$RC" -eq 2 ] && grep -qE "^$f:[0-9]+:[0-9]+: " <<<"$ERR"; then
		pass "check refuses $(basename "$f") with its location"
	else
		fail "check refuses $(basename "$f") with its location" "rc $RC" "stderr: $ERR"
	fi
done
[ "$n" -ge 20 ] && pass "at least 20 malformed runbooks ($n)" || fail "at least 20 malformed runbooks" "only $n"

run "$DR" runbook check tests/fixtures/runbooks/bad/16-undefined-var-in-command.json
expect_in "undefined variable is named with its place" "$ERR" \
	'16-undefined-var-in-command.json:13:37: undefined variable "NAMESPACE" in "command" (via $DR_VAR_NAMESPACE)'
run "$DR" runbook check runbooks/partial-recovery.json tests/fixtures/runbooks/bad/01-syntax.json
expect_eq "one bad file among good ones fails the check" "$RC" 2
expect_in "the good one is still reported ok" "$OUT" "partial-recovery.json: ok"

expect_rc "list works without a catalog" 0 "$DR" runbook list
expect_in "list shows the scenario" "$OUT" "regional-failover      regional"
expect_rc "show prints a runbook" 0 "$DR" runbook show database-corruption
expect_in "show names phases" "$OUT" "Phase 2: Promote the best replica"
expect_in "show names the typed word" "$OUT" 'confirm typed (type ${NEW_PRIMARY})'
expect_rc "show of an unknown runbook is a usage error" 2 "$DR" runbook show no-such-runbook
expect_in "and says where it looked" "$ERR" 'no runbook named "no-such-runbook"'
expect_rc "an unknown subcommand is a usage error" 2 "$DR" runbook frobnicate
