# The wall view: read-only board, large verdict, cycling views, the age of
# the newest data, and the STALE screen when the data stops or the catalog
# cannot be read — and back again when it returns.
. "$(dirname "$0")/../lib.sh"
. "$DR_TOP/tests/tmux.sh"
command -v tmux >/dev/null || { skip "wall tests" "tmux is not installed"; exit 0; }
demo=$T/demo.db
DRCONSOLE_NOW=2026-11-22T12:00:00Z "$DR" demo --catalog "$demo" >/dev/null || fail "a demo catalog"

tui_start DRCONSOLE_NOW=2026-11-22T12:00:00Z -- --wall --cycle 2s --catalog "$demo"
expect_screen "the header marks the wall" "WALL"
expect_screen "the verdict in large letters" "████  ████  █████  ███   ████ █   █"
expect_screen "with the counts beside it" "1 in breach"
expect_screen "and the age of the newest data" "newest data"
expect_screen "the dashboard first" " Dashboard"
expect_screen "the breached service on the board" "ledger-db"
expect_screen "then it cycles to Replication" " Replication" 5
expect_screen "and on to Compliance" " Compliance" 5
expect_not_screen "no key hints for actions on the wall" "Enter:page"
tui_keys q
expect_screen "q alone does not close the board: it asks for the word" "Type quit and Enter"
tui_text "uit"
tui_keys Enter
expect_eq "typing quit and Enter leaves the wall" "$(tui_exit_status)" "0"

tui_start DRCONSOLE_NOW=2026-11-22T14:30:00Z -- --wall --catalog "$demo"
expect_screen "no change for longer than --stale-after: STALE" "████    █   █   █ █████ █████"
expect_screen "saying for how long" "NO NEW DATA FOR 2h3"
expect_screen "and the limit" "(the limit is 10m)"
expect_screen "and the last verdict it saw" "Last verdict was BREACH"
tui_text quit
tui_keys Enter
tui_exit_status >/dev/null

tui_start DRCONSOLE_NOW=2026-11-22T12:00:00Z -- --wall --stale-after 3h --catalog "$demo"
expect_screen "a longer --stale-after: the board" "1 in breach"
expect_not_screen "and no warning" "STALE"
tui_text quit
tui_keys Enter
tui_exit_status >/dev/null

# Unreadable, then readable: the wall keeps running and recovers.
late=$T/late.db
tui_start DRCONSOLE_NOW=2026-11-22T12:00:00Z -- --wall --catalog "$late"
expect_screen "a missing catalog: the wall says so" "THE CATALOG CANNOT BE READ"
expect_screen "in the STALE screen" "The figures on this screen cannot be trusted"
DRCONSOLE_NOW=2026-11-22T12:00:00Z "$DR" demo --catalog "$late" >/dev/null
expect_screen "when the catalog appears the board comes back" "1 in breach" 8
expect_not_screen "and the warning goes" "CANNOT BE READ"
tui_text quit
tui_keys Enter
expect_eq "and it still quits cleanly" "$(tui_exit_status)" "0"

# In real time: the data stops, the wall turns STALE; new data, it is back.
live=$T/live.db
"$DR" demo --catalog "$live" >/dev/null
tui_start -- --wall --stale-after 4s --catalog "$live"
expect_screen "real time: STALE once the data is older than 4s" "NO NEW DATA FOR" 15
"$DR" --catalog "$live" record replication --source orders-db-primary \
	--target orders-db-replica --service orders-db --lag 2s --lag-bytes 1000 >/dev/null
expect_screen "a new sample brings the board back" "1 in breach" 10
tui_text quit
tui_keys Enter
tui_exit_status >/dev/null
