#!/usr/bin/env bash
# One option parser for every command (tui/cli.c): --opt=VALUE and
# --opt VALUE, short forms, global options after the command, "--", one
# message and exit 2 for an unknown option or a missing value (and nothing
# changed), and the bash completion made from the same tables.
# catalogs: sqlite postgresql
. "$(dirname "$0")/../lib.sh"
export DRCONSOLE_NOW=2026-11-22T12:00:00Z
db=$(cat_url c)
cfg=$T/cfg.json
printf '{"environment": "test"}\n' >"$cfg"
snapshot() { cat_sum "$db"; }

# Global options after the command, in both forms.
expect_rc "init --catalog X --config=Y (globals after the command)" 0 \
	"$DR" init --catalog "$db" --config="$cfg"
[ -n "$(catq "$db" "select name from tiers where name = 'critical'" 2>/dev/null)" ] &&
	pass "the catalog is where --catalog after init said" ||
	fail "the catalog is where --catalog after init said"
G=(--catalog "$db" --config "$cfg")

# --opt=VALUE and --opt VALUE alike, in getopt commands and hand loops.
expect_rc "service add web --tier=critical" 0 "$DR" "${G[@]}" service add web --tier=critical
expect_rc "service add db --tier low --owner=ops" 0 "$DR" "${G[@]}" service add db --tier low --owner=ops
expect_rc "options before the operand: service add --tier standard api" 0 \
	"$DR" "${G[@]}" service add --tier standard api
expect_rc "a repeated option: the last one counts, as before" 0 \
	"$DR" "${G[@]}" service add rep --tier low --tier critical
run "$DR" service list --catalog="$db" --config "$cfg"
expect_eq "service list --catalog=X after the command" "$RC" 0
expect_in "web is critical" "$(grep '^web ' <<<"$OUT")" critical
expect_in "db has its owner" "$(grep '^db ' <<<"$OUT")" ops
expect_in "api is standard" "$(grep '^api ' <<<"$OUT")" standard
expect_in "rep is critical (the later --tier)" "$(grep '^rep ' <<<"$OUT")" critical
expect_rc "status --catalog X (was: a global only before the command)" 0 \
	"$DR" status --catalog "$db" --config "$cfg"
expect_in "and it read that catalog" "$OUT" "web"
expect_rc "record backup --service=web --size 100" 0 \
	"$DR" record backup --service=web --size 100 "${G[@]}"
run "$DR" "${G[@]}" restore latest:web --to="$T/out"
expect_not_in "restore latest:web --to=PATH is no longer 'unexpected'" "$ERR" "unexpected argument"
expect_not_in "nor an unknown option" "$ERR" "unrecognized option"

# Short options where they exist.
run "$DR" "${G[@]}" status -j
expect_in "status -j is --json" "$OUT" '"services"'
run "$DR" "${G[@]}" check -s web
expect_in "check -s NAME is --service NAME" "$OUT" "DRCONSOLE"
run "$DR" "${G[@]}" check -sweb
expect_in "and -sNAME too" "$OUT" "DRCONSOLE"
expect_rc "report -o FILE" 0 "$DR" "${G[@]}" report -o "$T/r.md"
[ -s "$T/r.md" ] && pass "report -o wrote the file" || fail "report -o wrote the file"

# A global option after the command is the global option.
expect_rc "service add x --tier low --read-only is refused" 1 \
	"$DR" "${G[@]}" service add x --tier low --read-only
expect_in "as read-only" "$ERR" "read-only"

# "--" ends the options: what follows is an operand.
before=$(snapshot)
run "$DR" "${G[@]}" service show -- --purge
expect_eq "service show -- --purge: exit 2" "$RC" 2
expect_in "--purge is taken as the NAME" "$ERR" "no service '--purge'"
run "$DR" "${G[@]}" service remove -- --catalog
expect_in "after --, a global option's name is an operand too" "$ERR" "no service '--catalog'"

# Unknown options and missing values: one message, the usage, exit 2,
# nothing changed, in every kind of command.
same_error() { # NAME FRAGMENT ARGS...
	local name=$1 frag=$2
	shift 2
	run "$DR" "${G[@]}" "$@"
	if [ "$RC" -eq 2 ] && grep -qF -- "$frag" <<<"$ERR" &&
		grep -q "^usage: drconsole $1 " <<<"$ERR"; then
		pass "$name: exit 2, says so, prints the usage"
	else
		fail "$name: exit 2, says so, prints the usage" "rc=$RC" "stderr: $ERR"
	fi
}
same_error "service add --bogus" "drconsole: service add: unrecognized option '--bogus'" service add z --bogus
same_error "service add --bogus=1" "drconsole: service add: unrecognized option '--bogus'" service add z --bogus=1
same_error "restore --bogus" "drconsole: restore: unrecognized option '--bogus'" restore latest:web --bogus
same_error "backup list --bogus" "drconsole: backup list: unrecognized option '--bogus'" backup list --bogus
same_error "record backup --bogus" "drconsole: record backup: unrecognized option '--bogus'" record backup --service web --bogus
same_error "runbook run --bogus" "drconsole: runbook run: unrecognized option '--bogus'" runbook run x --bogus
same_error "import --bogus" "drconsole: import: unrecognized option '--bogus'" import restic --bogus
same_error "prune --bogus" "drconsole: prune: unrecognized option '--bogus'" prune --bogus
same_error "alarm unsilence --reason (ack's option)" "drconsole: alarm unsilence: unrecognized option '--reason'" alarm unsilence x --reason r
same_error "service add --tier (no value)" "drconsole: service add: option '--tier' requires an argument" service add z --tier
same_error "restore --to (no value)" "drconsole: restore: option '--to' requires an argument" restore latest:web --to
same_error "audit list --limit (no value)" "drconsole: audit list: option '--limit' requires an argument" audit list --limit
same_error "status --catalog (a global, no value)" "drconsole: status: option '--catalog' requires an argument" status --catalog
same_error "status --json=yes" "drconsole: status: option '--json' doesn't allow an argument" status --json=yes
expect_eq "none of them changed the catalog" "$(snapshot)" "$before"
expect_rc "an unknown option before the command is a usage error too" 2 "$DR" --bogus status
expect_in "saying which" "$ERR" "unrecognized option '--bogus'"
run "$DR" "${G[@]}" check --bogus
expect_eq "check (a monitoring plugin) still says UNKNOWN: exit 3" "$RC" 3
expect_in "on standard output" "$OUT" "DRCONSOLE UNKNOWN"
expect_eq "the catalog is still unchanged" "$(snapshot)" "$before"

# The bash completion, from the same tables.
run "$DR" completion bash
expect_eq "completion bash exits 0" "$RC" 0
printf '%s\n' "$OUT" >"$T/completion.bash"
mkdir -p "$T/files" && touch "$T/files/backup.tar"
complete_words() { # WORDS...: what completing the last word offers
	bash -c '
		source "$1" || exit 9
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_drconsole
		printf "%s\n" "${COMPREPLY[@]}"' _ "$T/completion.bash" "$@"
}
run bash -c 'source "$1" && complete -p drconsole' _ "$T/completion.bash"
expect_in "the script loads and registers drconsole" "$OUT" "complete -F _drconsole drconsole"
expect_in "completes a command" "$(complete_words drconsole ser)" "service"
expect_in "after global options too" "$(complete_words drconsole --catalog "$db" st)" "status"
got=$(complete_words drconsole service "")
expect_in "completes a sub-command" "$got" "remove"
expect_in "completes an option" "$(complete_words drconsole service add web --ti)" "--tier"
expect_in "completes backup rekey" "$(complete_words drconsole backup re)" "rekey"
expect_in "and its --target" "$(complete_words drconsole backup rekey --ta)" "--target"
expect_in "and a global option after the command" "$(complete_words drconsole status --cat)" "--catalog"
expect_in "completes a file for a path option" \
	"$(complete_words drconsole restore latest:web --to "$T/files/b")" "$T/files/backup.tar"
expect_in "and for --opt=PATH" \
	"$(complete_words drconsole restore latest:web --to = "$T/files/b")" "$T/files/backup.tar"
expect_eq "and no file for a value that is none" \
	"$(complete_words drconsole service add web --tier "$T/files/b")" ""
