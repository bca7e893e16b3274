# The console on the demo estate, driven in tmux at 80x24: every view, the
# header, the help overlay, filter, command line, details, quitting.
# catalogs: sqlite postgresql
. "$(dirname "$0")/../lib.sh"
. "$DR_TOP/tests/tmux.sh"
command -v tmux >/dev/null || { skip "console tests" "tmux is not installed"; exit 0; }
export DRCONSOLE_NOW=2026-11-22T12:00:00Z
demo=$(cat_url demo)
expect_rc "a demo catalog" 0 "$DR" demo --catalog "$demo"

tui_start DRCONSOLE_NOW=$DRCONSOLE_NOW -- --catalog "$demo"
expect_screen "the header shows the overall verdict" "BREACH  1 breach, 1 at risk, 10 ok"
expect_screen "and the clock to the minute" "12:00 UTC"
# A server's address is longer than the header has room for at 80 columns.
[ "$CATALOG_BACKEND" = sqlite ] && expect_screen "and the catalog in use" "demo.db"
expect_screen "the tabs name every view" "1 Dashboard   2 Backups   3 Replication   4 Compliance   5 Log   6 Runbooks"
# Service rows start in the first column; a reason line is indented.
rows() { tui_screen | awk '/^SERVICE/{f=1; next} f && /^[a-z]/{print $1}'; }
first=$(rows | sed -n 1p)
expect_eq "the breached service is at the top of the dashboard" "$first" "ledger-db"
second=$(rows | sed -n 2p)
expect_eq "the one at risk comes next" "$second" "search-index"
row=$(tui_screen | grep '^ledger-db')
expect_in "its row says why: critical backups" "$row" "critical critical"
expect_in "its replica is down" "$row" "down"
expect_in "and its verdict" "$row" "BREACH"
row=$(tui_screen | grep '^orders-db')
if grep -qE '[0-9.]+s [0-9.]+ [KMG]iB' <<<"$row"; then pass "a replicated service shows lag in seconds and bytes"; else
	fail "a replicated service shows lag in seconds and bytes" "$row"; fi
expect_in "and its RTO estimate against the target" "$row" "/15m"
expect_screen "the footer lists the keys" "?:help"

tui_keys '?'
expect_screen "? opens the help" "Keys"
expect_screen "which lists moving keys" "PgUp PgDn"
expect_screen "and quitting" "q  quit"
tui_keys Escape
expect_screen "Esc closes it" "SERVICE      TIER"
tui_wait_gone "PgUp PgDn" 2
expect_not_screen "the help is gone" "PgUp PgDn"

tui_keys Enter
expect_screen "Enter opens the page of the selected service" "Service ledger-db"
expect_screen "with the reason it is in breach" "RPO breached"
tui_keys Escape
tui_wait_gone "Service ledger-db" 2
third=$(rows | sed -n 3p)
tui_keys j j
tui_keys Enter
expect_screen "j moves down: the page of the third service" "Service $third"
tui_keys Escape

tui_keys /
tui_text "payments"
tui_keys Enter
tui_wait_gone "ledger-db" 3
expect_screen "/ filters the dashboard" "payments-db"
expect_not_screen "to the matching services" "ledger-db"
tui_keys Escape
expect_screen "Esc clears the filter" "ledger-db"

tui_keys 2
expect_screen "2 opens Backups" "STARTED (UTC)"
expect_screen "with the count of backups" "backups, newest first"
expect_screen "and a detail pane with the checksum" "sha256 "
tui_keys :
tui_text "backups ledger-db failed"
tui_keys Enter
expect_screen ":backups SERVICE STATUS filters the history" "where service=ledger-db status=failed"
others=$(tui_screen | awk '/^STARTED/{f=1; next} /^[─-]+$/{f=0} f && NF' | grep -vc 'ledger-db.*failed')
expect_eq "every row is a failed ledger-db backup" "$others" "0"
tui_keys s
expect_screen "s sorts oldest first" "oldest first"
tui_keys End
expect_screen "End reaches the last row" "sha256"
tui_keys Enter
expect_screen "Enter opens the backup's details" "Backup "
tui_keys Escape

tui_keys 3
expect_screen "3 opens Replication" "SOURCE -> TARGET"
expect_screen "with streaming pairs" "streaming"
row=$(tui_screen | grep '^orders-db-primary')
if grep -qE 'streaming +[0-9.]+s +[0-9.]+ [KMG]iB' <<<"$row"; then pass "lag in seconds and bytes per pair"; else
	fail "lag in seconds and bytes per pair" "$row"; fi
expect_screen "and the broken replica" "ledger-db-primary"
expect_in "whose state is down" "$(tui_screen | grep '^ledger-db-primary')" "down"

tui_keys 4
expect_screen "4 opens Compliance" "% compliant"
expect_screen "with recent recoveries and drills" "RECENT RECOVERIES AND DRILLS"
expect_screen "and the incident against its RTO" "incident"

tui_keys 5
expect_screen "5 opens the Log: every run, counted" "RUNS 1-"
expect_screen "and the audit log" "AUDIT LOG"

tui_keys 6
expect_screen "6 opens Runbooks" "RUNBOOK"
tui_keys Tab
expect_screen "Tab wraps to the Dashboard" "SERVICE      TIER"
tui_keys BTab
expect_screen "Shift-Tab goes back to Runbooks" "RUNBOOK"

tui_keys :
tui_text "nonsense"
tui_keys Enter
expect_screen "an unknown command says so" 'unknown command "nonsense"'

tui_keys q
expect_eq "q quits with status 0" "$(tui_exit_status)" "0"
expect_screen "and the screen is given back" "EXIT=0"
if grep -q -- ' icanon' "$T/tui.stty" && grep -q -- ' echo ' "$T/tui.stty"; then
	pass "the terminal modes are restored"
else fail "the terminal modes are restored" "$(cat "$T/tui.stty")"; fi

# Not a terminal: the status table instead.
run "$DR" --catalog "$demo"
expect_in "without a terminal drconsole prints status" "$OUT" "Verdict: BREACH"
