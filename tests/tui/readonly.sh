# --wall and --read-only: every key a person can press — every printable
# character, function keys, Enter, Escape, arrows and paging, in every
# view — leaves the catalog (and its audit log) byte for byte unchanged,
# and an action is refused with the reason.
# catalogs: sqlite (the catalog file's permissions and WAL)
. "$(dirname "$0")/../lib.sh"
. "$DR_TOP/tests/tmux.sh"
command -v tmux >/dev/null || { skip "read-only tests" "tmux is not installed"; exit 0; }
command -v sqlite3 >/dev/null || { skip "read-only tests" "sqlite3 is not installed"; exit 0; }
export DRCONSOLE_NOW=2026-11-22T12:00:00Z
demo=$T/demo.db
"$DR" demo --catalog "$demo" >/dev/null || fail "a demo catalog"
cd "$T" || exit 1 # (the Runbooks tab lists the shipped runbooks to press r on)

fingerprint() {
	sqlite3 "$demo" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
	local f
	for f in "$demo" "$demo-wal"; do
		[ -e "$f" ] && sha256sum <"$f"
	done
	"$DR" --catalog "$demo" audit list
}

# Every key we can name, as tmux key names or literal text, except the ones
# that leave: q and Q quit, ^C ^\ ^Z are signals.
printable=$(printf '%s' '!"#$%&'"'"'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPRSTUVWXYZ[\]^_`abcdefghijklmnoprstuvwxyz{|}~')
special=(Enter Escape Up Down Left Right Home End PPage NPage IC DC BTab Tab
	Space BSpace F1 F2 F3 F4 F5 F6 F7 F8 F9 F10 F11 F12 C-a C-b C-d C-e
	C-f C-g C-h C-k C-l C-n C-p C-r C-u C-w C-x C-y)

# One burst per view: each key, then Escape (closes whatever it opened) and
# the view's number (back to it).  `;` goes on its own: tmux reads a lone
# ";" argument as a command separator.
press_everything() {
	local view i ch keys
	for view in 1 2 3 4 5 6; do
		keys=("$view")
		for ((i = 0; i < ${#printable}; i++)); do
			ch=${printable:i:1}
			[ "$ch" = ";" ] && continue
			keys+=("$ch" Escape "$view")
		done
		for k in "${special[@]}"; do
			keys+=("$k" Escape "$view")
		done
		keys+=(Enter)
		tui_keys "${keys[@]}"
		tui_text ";"
		tui_keys Escape
		sleep 0.3
	done
	sleep 0.5
}

for mode in --read-only --wall; do
	before=$(fingerprint)
	tui_start "DRCONSOLE_NOW=$DRCONSOLE_NOW" -- $mode --catalog "$demo"
	expect_screen "$mode: the console is up" "ledger-db"
	if [ "$mode" = --read-only ]; then
		expect_screen "$mode: the header says READ-ONLY" "READ-ONLY"
		tui_keys 1 B
		expect_screen "$mode: an action is refused with the reason" \
			"READ-ONLY (--read-only): back up now refused; it would change state."
		tui_keys Escape
		sleep 0.3
		tui_keys 6 r
		expect_screen "$mode: running a runbook is refused too" "run runbook refused"
		tui_keys Escape
		sleep 0.3 # a lone Escape, not the start of an Alt- sequence
		tui_keys 2 v
		expect_screen "$mode: and verifying a backup" "verify backup refused"
	fi
	press_everything
	expect_eq "$mode: still running after every key" "$(tui_exit_status 1)" "running"
	if [ "$mode" = --wall ]; then
		# No single key closes the board: the typed word does.
		tui_keys Escape Escape
		tui_text quit
		tui_keys Enter
		expect_eq "$mode: typing quit and Enter leaves" "$(tui_exit_status)" "0"
	else
		tui_keys Escape Escape q
		expect_eq "$mode: q quits" "$(tui_exit_status)" "0"
	fi
	after=$(fingerprint)
	if [ "$before" = "$after" ]; then
		pass "$mode: the catalog and its audit log are byte for byte unchanged"
	else
		fail "$mode: the catalog and its audit log are byte for byte unchanged" \
			"before: ${before:0:400}" "after:  ${after:0:400}"
	fi
done
