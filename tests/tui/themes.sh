# Themes: the shipped ones by name, a file by path, the config's "theme",
# and a broken theme reported with file:line:column while the default is
# used.
# catalogs: sqlite postgresql
. "$(dirname "$0")/../lib.sh"
. "$DR_TOP/tests/tmux.sh"
command -v tmux >/dev/null || { skip "theme tests" "tmux is not installed"; exit 0; }
export DRCONSOLE_NOW=2026-11-22T12:00:00Z
demo=$(cat_url demo)
"$DR" demo --catalog "$demo" >/dev/null || fail "a demo catalog"
N="DRCONSOLE_NOW=$DRCONSOLE_NOW"
cd "$DR_TOP" || exit 1 # ./themes holds the shipped themes

header_codes() { tui_screen_esc | head -n1 | grep -oE $'\e\\[[0-9;]*m' | tr -d '\n' | cat -v; }

declare -A seen
for theme in default light high-contrast mono; do
	tui_start "$N" TERM=xterm-256color -- --theme "$theme" --catalog "$demo"
	expect_screen "--theme $theme: the console runs" "ledger-db"
	expect_not_screen "--theme $theme: no theme error" "theme:"
	seen[$theme]=$(header_codes)
	tui_keys q
	expect_eq "--theme $theme: quits cleanly" "$(tui_exit_status)" "0"
	expect_eq "--theme $theme: nothing on stderr" "$(cat "$T/tui.err")" ""
done
[ "${seen[default]}" != "${seen[light]}" ] && [ "${seen[light]}" != "${seen[high-contrast]}" ] &&
	pass "the themes draw the header differently" ||
	fail "the themes draw the header differently" "default ${seen[default]}" "light ${seen[light]}" "high-contrast ${seen[high-contrast]}"
if tui_start "$N" TERM=xterm-256color -- --theme mono --catalog "$demo" && tui_wait ledger-db &&
	! tui_screen_esc | grep -qE $'\e\\[[0-9;]*(3[0-7]|38;5;[0-9]+|4[0-7]|48;5;[0-9]+)m'; then
	pass "mono uses no colour"
else fail "mono uses no colour" "$(tui_screen_esc | head -3 | cat -v)"; fi
tui_keys q
tui_exit_status >/dev/null

cat >"$T/mine.json" <<'JSON'
{ "name": "mine", "header": { "fg": "yellow", "bg": "magenta", "attrs": ["bold"] } }
JSON
tui_start "$N" TERM=xterm-256color -- --theme "$T/mine.json" --catalog "$demo"
tui_wait ledger-db
expect_in "--theme FILE: a theme file by path" "$(header_codes)" "[33m^[[45m"
tui_keys q
tui_exit_status >/dev/null

mkdir -p "$XDG_CONFIG_HOME/drconsole"
echo '{ "theme": "'"$T"'/mine.json" }' >"$XDG_CONFIG_HOME/drconsole/config.json"
tui_start "$N" TERM=xterm-256color -- --catalog "$demo"
tui_wait ledger-db
expect_in "the config's \"theme\" chooses one" "$(header_codes)" "[33m^[[45m"
tui_keys q
tui_exit_status >/dev/null
rm "$XDG_CONFIG_HOME/drconsole/config.json"

printf '{\n  "header": { "fg": "purple" },\n  "sparkles": {}\n}\n' >"$T/broken.json"
tui_start "$N" TERM=xterm-256color -- --theme "$T/broken.json" --catalog "$demo"
expect_screen "a broken theme: the console still runs" "ledger-db"
expect_screen "and says where the theme is wrong" "broken.json:2:"
tui_keys q
expect_eq "it quits cleanly" "$(tui_exit_status)" "0"
err=$(cat "$T/tui.err")
expect_in "after exit stderr names file:line:col" "$err" "$T/broken.json:2:15: unknown colour \"purple\""
expect_in "every error in the file" "$err" "$T/broken.json:3:3: unknown UI element \"sparkles\""
expect_in "and that the default was used" "$err" "using the default theme"

tui_start "$N" -- --theme sunset --catalog "$demo"
expect_screen "an unknown theme name: the console still runs" "ledger-db"
tui_keys q
tui_exit_status >/dev/null
expect_in "and says where it looked" "$(cat "$T/tui.err")" 'theme "sunset" not found (looked in themes'
