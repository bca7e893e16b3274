# The wall view: read-only board, large verdict, cycling views, the age of
# the newest data, and the STALE screen when the data stops or the catalog
# cannot be read (on a server: the server gone away) — and back again
# when it returns.
# catalogs: sqlite postgresql
. "$(dirname "$0")/../lib.sh"
. "$DR_TOP/tests/tmux.sh"
command -v tmux >/dev/null || { skip "wall tests" "tmux is not installed"; exit 0; }
demo=$(cat_url demo)
DRCONSOLE_NOW=2026-11-22T12:00:00Z cat_demo "$demo" >/dev/null || fail "a demo catalog"

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

# Unreadable, then readable: the wall keeps running and recovers.  A
# server's catalog is tried again after 1, 2, 4 ... 30 s, not every 2 s
# as a file is: the wait is the longer there.
back=8
[ "$CATALOG_BACKEND" = sqlite ] || back=35
late=$(cat_url late)
tui_start DRCONSOLE_NOW=2026-11-22T12:00:00Z -- --wall --catalog "$late"
expect_screen "a missing catalog: the wall says so" "THE CATALOG CANNOT BE READ"
expect_screen "in the STALE screen" "The figures on this screen cannot be trusted"
DRCONSOLE_NOW=2026-11-22T12:00:00Z cat_demo "$late" >/dev/null
expect_screen "when the catalog appears the board comes back" "1 in breach" "$back"
expect_not_screen "and the warning goes" "CANNOT BE READ"
tui_text quit
tui_keys Enter
expect_eq "and it still quits cleanly" "$(tui_exit_status)" "0"

# In real time: the data stops, the wall turns STALE; new data, it is back.
live=$(cat_url live)
cat_demo "$live" >/dev/null
tui_start -- --wall --stale-after 4s --catalog "$live"
expect_screen "real time: STALE once the data is older than 4s" "NO NEW DATA FOR" 15
"$DR" --catalog "$live" record replication --source orders-db-primary \
	--target orders-db-replica --service orders-db --lag 2s --lag-bytes 1000 >/dev/null
expect_screen "a new sample brings the board back" "1 in breach" 10
tui_text quit
tui_keys Enter
tui_exit_status >/dev/null

# A server that goes away under the wall and comes back: the wall reaches
# it through a proxy (tests/helpers/pg_cut_proxy.py, cutting nothing)
# that is stopped and started again on its port, while the server goes on
# serving the other tests.
if [ "$CATALOG_BACKEND" = postgresql ]; then
	pgport=${DRCONSOLE_TEST_CATALOG%/}
	pgport=${pgport##*:}
	pxport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	# The password, for the proxy's port too (libpq reads only a private file).
	(umask 077 && sed 's/^\([^:]*\):[^:]*:/\1:*:/' "$PGPASSFILE" >"$T/pgpass")
	export PGPASSFILE=$T/pgpass
	px_start() {
		rm -f "$T/px"
		python3 "$DR_TOP/tests/helpers/pg_cut_proxy.py" "$pxport" "$pgport" pass "$T/px" &
		PX=$!
		for _ in $(seq 50); do [ -e "$T/px" ] && break; sleep 0.1; done
	}
	px_start
	at_exit 'kill $PX 2>/dev/null'
	via=${demo/:$pgport\//:$pxport/}
	tui_start DRCONSOLE_NOW=2026-11-22T12:00:00Z -- --wall --catalog "$via"
	expect_screen "through the proxy: the board" "1 in breach"
	kill "$PX"
	wait "$PX" 2>/dev/null
	expect_screen "the server gone: the wall says it cannot read the catalog" "THE CATALOG CANNOT BE READ" 10
	expect_screen "in the STALE screen" "The figures on this screen cannot be trusted"
	# The address and libpq's words are longer than 80 columns, the
	# reason last: it is wrapped, not cut off, and its lines are one.
	tui_wait "Connection" 5
	why=$(tui_screen | sed 's/^ *//' | tr '\n' ' ' | tr -s ' ')
	expect_in "with the reason in full at 80 columns" "$why" \
		"port $pxport failed: Connection refused Is the server running on that host"
	expect_not_screen "libpq's line break not drawn as ^J" "^J"
	expect_eq "and keeps running" "$(tui_exit_status 1)" "running"
	sleep 3 # away for a few of its retries
	px_start
	expect_screen "the server back: the board again" "1 in breach" 35
	expect_not_screen "and the warning goes" "CANNOT BE READ"
	tui_text quit
	tui_keys Enter
	expect_eq "and it still quits cleanly" "$(tui_exit_status)" "0"
	kill "$PX"
fi
