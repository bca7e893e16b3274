# The console and the terminal: sizes and resizing, NO_COLOR, a non-UTF-8
# locale, --ascii, a missing or unreadable catalog, and giving the terminal
# back on every way out (q, SIGTERM, SIGHUP, SIGINT, a crash).  On a
# server, the catalog it cannot read is one whose server is not there.
# catalogs: sqlite postgresql
. "$(dirname "$0")/../lib.sh"
. "$DR_TOP/tests/tmux.sh"
command -v tmux >/dev/null || { skip "terminal tests" "tmux is not installed"; exit 0; }
export DRCONSOLE_NOW=2026-11-22T12:00:00Z
demo=$(cat_url demo)
cat_demo "$demo" >/dev/null || fail "a demo catalog"
N="DRCONSOLE_NOW=$DRCONSOLE_NOW"

# Too small, then resized to fit, then smaller again.
TUI_COLS=60 TUI_ROWS=20 tui_start "$N" -- --catalog "$demo"
expect_screen "too small: says what it needs and has" "terminal too small: need 80x20, have 60x20"
$TM resize-window -t 0 -x 80 -y 24
expect_screen "resized to 80x24 it draws the dashboard" "SERVICE      TIER"
$TM resize-window -t 0 -x 100 -y 30
expect_screen "wider: the header follows the new width" "12:00 UTC"
for _ in $(seq 50); do
	line=$(tui_screen | head -n1)
	[ "${#line}" -ge 98 ] && break
	sleep 0.1
done
[ "${#line}" -ge 98 ] && pass "the clock moves to the right edge of 100 columns" ||
	fail "the clock moves to the right edge of 100 columns" "$line"
$TM resize-window -t 0 -x 79 -y 24
expect_screen "one column short says so again" "need 80x20, have 79x24"
$TM resize-window -t 0 -x 80 -y 24
expect_screen "and recovers" "ledger-db"
tui_keys q
expect_eq "quits cleanly after resizes" "$(tui_exit_status)" "0"

# Colour, and NO_COLOR.
tui_start "$N" TERM=xterm-256color -- --catalog "$demo"
tui_wait "ledger-db"
if tui_screen_esc | grep -qE $'\e\\[[0-9;]*(3[0-7]|38;5;[0-9]+|9[0-7])m'; then
	pass "colours on a colour terminal"
else fail "colours on a colour terminal" "$(tui_screen_esc | head -5 | cat -v)"; fi
tui_keys q
tui_exit_status >/dev/null
tui_start "$N" NO_COLOR=1 TERM=xterm-256color -- --catalog "$demo"
expect_screen "NO_COLOR: still the dashboard" "ledger-db"
if tui_screen_esc | grep -qE $'\e\\[[0-9;]*(3[0-7]|38;5;[0-9]+|4[0-7]|48;5;[0-9]+|9[0-7])m'; then
	fail "NO_COLOR: no colour at all" "$(tui_screen_esc | head -5 | cat -v)"
else pass "NO_COLOR: no colour at all"; fi
if tui_screen_esc | grep -qE $'\e\\[[0-9;]*7m'; then
	pass "NO_COLOR: the header and selection in reverse video instead"
else fail "NO_COLOR: the header and selection in reverse video instead" "$(tui_screen_esc | head -3 | cat -v)"; fi
expect_screen "NO_COLOR: verdicts stay words" "BREACH"
tui_keys q
tui_exit_status >/dev/null
tui_start "$N" TERM=vt100 -- --catalog "$demo"
expect_screen "a monochrome terminal (vt100) works" "ledger-db"
tui_keys q
tui_exit_status >/dev/null

# UTF-8 line drawing; ASCII when the locale is not UTF-8, or with --ascii.
tui_start "$N" -- --catalog "$demo"
tui_wait "ledger-db"
expect_screen "UTF-8 locale: block bars" "██████"
tui_keys '?'
expect_screen "UTF-8 locale: box-drawing borders" "┌─ Keys ─"
tui_keys q q
tui_exit_status >/dev/null
tui_start "$N" LANG=C -- --catalog "$demo"
tui_wait "ledger-db"
expect_screen "LANG=C: ASCII bars" "######"
tui_keys '?'
expect_screen "LANG=C: ASCII borders" "+- Keys -"
if tui_screen | LC_ALL=C grep -q $'[\x80-\xff]'; then
	fail "LANG=C: no byte outside ASCII on screen" "$(tui_screen)"
else pass "LANG=C: no byte outside ASCII on screen"; fi
tui_keys q q
tui_exit_status >/dev/null
tui_start "$N" -- --ascii --catalog "$demo"
tui_wait "ledger-db"
tui_keys '?'
expect_screen "--ascii in a UTF-8 locale: ASCII borders" "+- Keys -"
tui_keys q q
tui_exit_status >/dev/null

# A catalog that is not there, or cannot be read.
missing=$(cat_url missing)
tui_start "$N" -- --catalog "$missing"
expect_eq "a missing catalog: the console refuses to start" "$(tui_exit_status)" "1"
expect_in "saying which catalog" "$(cat "$T/tui.err")" "$missing"
if [ "$CATALOG_BACKEND" = sqlite ]; then
	[ -e "$missing" ] && made=yes || made=no
else
	made=$(catq "${DRCONSOLE_TEST_CATALOG%/}/postgres" \
		"SELECT CASE WHEN count(*) > 0 THEN 'yes' ELSE 'no' END FROM pg_database WHERE datname = '$(basename "$missing")'")
fi
expect_eq "and creates nothing" "$made" no
if sqlite_only "a file that is not a catalog"; then
	printf 'this is not a catalog\n%.0s' {1..300} >"$T/garbage.db"
	tui_start "$N" -- --catalog "$T/garbage.db"
	expect_eq "a file that is not a catalog: refused" "$(tui_exit_status)" "2"
	expect_in "with the reason" "$(cat "$T/tui.err")" "drconsole:"
fi
if [ "$CATALOG_BACKEND" = postgresql ]; then
	# Nothing listens on port 1: the server is not there.
	away=postgresql://drtest@127.0.0.1:1/$(basename "$demo")
	tui_start "$N" -- --catalog "$away"
	expect_eq "a server that is not there: refused" "$(tui_exit_status 30)" "1"
	expect_in "naming it and why" "$(cat "$T/tui.err")" "127.0.0.1"
elif [ "$(id -u)" != 0 ]; then
	cp "$demo" "$T/locked.db"
	chmod 000 "$T/locked.db"
	tui_start "$N" -- --catalog "$T/locked.db"
	expect_eq "an unreadable catalog: refused" "$(tui_exit_status)" "1"
	chmod 600 "$T/locked.db"
else
	# Root reads every file: the console runs as nobody instead, on a
	# catalog in a directory nobody can enter but whose file it cannot
	# read.
	mkdir -m 755 "$T/shared"
	cp "$demo" "$T/shared/locked.db"
	chmod 000 "$T/shared/locked.db"
	chmod 711 "$T"
	tui_stop
	rm -f "$T/tui.stty"
	$TM new-session -d -x 80 -y 24 \
		"setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/ LANG=C.UTF-8 $N $DR --catalog $T/shared/locked.db 2>$T/shared/err; echo EXIT=\$?; stty -a >$T/tui.stty; sleep 600"
	expect_eq "an unreadable catalog (as nobody): refused" "$(tui_exit_status)" "1"
	expect_in "naming it and why" "$(cat "$T/shared/err")" "$T/shared/locked.db: unable to open database file (Permission denied)"
	chmod 700 "$T"
fi

# Every way out gives the terminal back.
for sig in TERM HUP INT; do
	tui_start "$N" -- --catalog "$demo"
	tui_wait "ledger-db"
	pid=$(pgrep -f -n -- "drconsole --catalog $demo" || true)
	if [ -z "$pid" ]; then fail "SIG$sig: found the console"; continue; fi
	kill -"$sig" "$pid"
	st=$(tui_exit_status)
	case $sig in INT) want=0 ;; TERM) want=143 ;; HUP) want=129 ;; esac
	expect_eq "SIG$sig ends the console (status $want)" "$st" "$want"
	expect_eq "SIG$sig: the alternate screen is left" "$($TM display -p -t 0 '#{alternate_on}')" "0"
	if grep -q -- ' icanon' "$T/tui.stty" && grep -q -- ' echo ' "$T/tui.stty"; then
		pass "SIG$sig: terminal modes restored"
	else fail "SIG$sig: terminal modes restored" "$(cat "$T/tui.stty" 2>/dev/null)"; fi
done
tui_start "$N" -- --catalog "$demo"
tui_wait "ledger-db"
pid=$(pgrep -f -n -- "drconsole --catalog $demo" || true)
kill -SEGV "$pid"
st=$(tui_exit_status)
expect_eq "a crash (SIGSEGV) still dies by its signal" "$st" "139"
expect_eq "a crash: the alternate screen is left" "$($TM display -p -t 0 '#{alternate_on}')" "0"
if grep -q -- ' icanon' "$T/tui.stty" && grep -q -- ' echo ' "$T/tui.stty"; then
	pass "a crash: terminal modes restored"
else fail "a crash: terminal modes restored" "$(cat "$T/tui.stty" 2>/dev/null)"; fi
