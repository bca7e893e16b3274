# A board nothing can fool (issue 15): stray keys do not close the wall,
# Ctrl-S does not freeze it, its help closes by itself, Ctrl-Z and fg
# leave the arrows working, and a catalog replaced or moved under the
# wall (and the console) is followed; on a server, new data in it is
# (tests/tui/wall.sh has the server going away under the wall).
# catalogs: sqlite postgresql
. "$(dirname "$0")/../lib.sh"
. "$DR_TOP/tests/tmux.sh"
command -v tmux >/dev/null || { skip "board tests" "tmux is not installed"; exit 0; }
demo=$(cat_url demo)
N=DRCONSOLE_NOW=2026-11-22T12:00:00Z
env "$N" "$DR" demo --catalog "$demo" >/dev/null || fail "a demo catalog"

# ---- stray keys on the wall ----
tui_start "$N" -- --wall --catalog "$demo"
expect_screen "the wall is up" "1 in breach"
tui_keys q
expect_screen "q asks for the word instead of quitting" "Leave the wall? Type quit and Enter"
tui_keys Escape
tui_keys Q C-c M-q
sleep 0.5
tui_keys Escape # closes the prompt M-q's q opened, and shows the hint
sleep 1
expect_eq "q, Q, Ctrl-C and Alt-q leave it running" "$(tui_exit_status 1)" "running"
expect_screen "and say how to leave" "type quit and Enter (or send SIGTERM)"
tui_keys q
tui_wait "Leave the wall?"
expect_screen "the prompt closes by itself" "1 in breach"
tui_wait_gone "Leave the wall?" 12 && pass "after a few seconds" ||
	fail "after a few seconds" "$(tui_screen | tail -n2)"
tui_keys '?'
expect_screen "? shows the wall's own small help" "A read-only board: no key acts"
expect_not_screen "not the console's help" "Moving"
tui_wait_gone "A read-only board" 12 && pass "which closes by itself" ||
	fail "which closes by itself" "$(tui_screen)"
expect_screen "and the board is back" "1 in breach"
tui_text quit
tui_keys Enter
expect_eq "typing quit and Enter leaves the wall" "$(tui_exit_status)" "0"

tui_start "$N" -- --wall --catalog "$demo"
tui_wait "1 in breach"
pid=$(pgrep -f -n -- "drconsole --wall --catalog $demo" || true)
kill -TERM "$pid"
expect_eq "SIGTERM ends the wall" "$(tui_exit_status)" "143"

# ---- Ctrl-S does not freeze it ----
live=$(cat_url live)
cat_demo "$live" >/dev/null
sample() {
	"$DR" --catalog "$live" record replication --source orders-db-primary \
		--target orders-db-replica --service orders-db --lag 2s --lag-bytes 1000 >/dev/null
}
# The demo is seconds old by now (a server's is copied in after it is
# built): a sample makes its newest data new.
sample
tui_start -- --wall --stale-after 4s --catalog "$live"
expect_screen "real time: the board" "1 in breach"
tty=$($TM display -p -t 0 '#{pane_tty}')
if stty -F "$tty" -a 2>/dev/null | grep -q -- '-ixon'; then
	pass "flow control is off while the wall runs"
else fail "flow control is off while the wall runs" "$(stty -F "$tty" -a 2>&1)"; fi
tui_keys C-s
expect_screen "after Ctrl-S the wall still turns STALE" "NO NEW DATA FOR" 15
sample
expect_screen "and comes back with new data, no Ctrl-Q needed" "1 in breach" 10
tui_text quit
tui_keys Enter
expect_eq "it leaves" "$(tui_exit_status)" "0"
if grep -q -- ' ixon' "$T/tui.stty"; then pass "and flow control is back at exit"; else
	fail "and flow control is back at exit" "$(cat "$T/tui.stty")"; fi

# ---- Ctrl-Z, fg, then an arrow: it acts as an arrow ----
tui_stop
$TM new-session -d -x 80 -y 24 "env -i PATH=$PATH HOME=$T TERM=screen LANG=C.UTF-8 ${PGPASSFILE:+PGPASSFILE=$PGPASSFILE} PS1='$ ' bash --norc --noprofile -i"
$TM set-option -g status off >/dev/null
tui_wait '$ '
tui_text "$N $DR --catalog $demo"
tui_keys Enter
expect_screen "the console in a shell" "ledger-db"
tui_keys C-z
expect_screen "Ctrl-Z suspends it" "Stopped"
tui_text "fg"
tui_keys Enter
expect_screen "fg brings it back" "1 Dashboard"
tui_keys Down Down
tui_keys Enter
expect_screen "the first arrows after fg move the selection" "Service reporting"
expect_not_screen "and press no key of their own" "Back up"
tui_keys Escape
tui_keys q
expect_screen "and quits to the shell" '$ '
tui_stop

# ---- a catalog replaced or moved under the wall and the console ----
old=$(cat_url old)
DRCONSOLE_NOW=now-2h cat_demo "$old" >/dev/null
tui_start -- --wall --catalog "$old"
expect_screen "an old catalog: the wall is STALE" "NO NEW DATA FOR"
if sqlite_only "a catalog file replaced or moved under the wall"; then
	"$DR" demo --force --catalog "$old" >/dev/null
	expect_screen "demo --force replaces the file: the wall follows it" "12 services" 10
	mv "$old" "$T/elsewhere.db"
	expect_screen "moved away: the wall says it cannot read it" "moved or removed" 10
	mv "$T/elsewhere.db" "$old"
	expect_screen "back: the board again" "12 services" 10
fi
tui_text quit
tui_keys Enter
tui_exit_status >/dev/null

# A server's catalog is never replaced: new data in it is what the
# console has to follow there.
[ "$CATALOG_BACKEND" = sqlite ] && DRCONSOLE_NOW=now-2h "$DR" demo --force --catalog "$old" >/dev/null
tui_start -- --catalog "$old"
expect_screen "the console's header says since when its data is STALE" "  STALE since "
if [ "$CATALOG_BACKEND" = sqlite ]; then
	"$DR" demo --force --catalog "$old" >/dev/null
	what="a replaced catalog"
else
	"$DR" --catalog "$old" record replication --source orders-db-primary \
		--target orders-db-replica --service orders-db --lag 2s --lag-bytes 1000 >/dev/null
	what="new data"
fi
expect_screen "$what: the console follows it too" "  updated " 10
expect_not_screen "and it is no longer STALE" "STALE since"
tui_keys q
tui_exit_status >/dev/null
