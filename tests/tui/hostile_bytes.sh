#!/usr/bin/env bash
# Bytes from data on the console: a line break in a replication target
# and escape sequences in an owner are drawn as text (^J, ^[), never
# obeyed: no row splits, the screen is not cleared, the title not set.
# catalogs: sqlite postgresql
. "$(dirname "$0")/../lib.sh"
. "$DR_TOP/tests/tmux.sh"
command -v tmux >/dev/null || { skip "console bytes" "tmux is not installed"; exit 0; }
export DRCONSOLE_NOW=2026-11-22T12:00:00Z
db=$(cat_url c)
"$DR" --catalog "$db" init >/dev/null
"$DR" --catalog "$db" service add web --tier critical >/dev/null
"$DR" --catalog "$db" record backup --service web --size 1000 >/dev/null
# What an import or an older drconsole could have stored: written raw
# (the bytes themselves in the literals, as both backends take them).
catq "$db" "insert into replication_history (service_name, source, target, state, lag_s, sampled_at, kind)
  values ('web', 'pri', 'rep"$'\n'"SPLIT', 'streaming', 1, '2026-11-22T12:00:00Z', 'replica');
update services set owner = 'own"$'\e'"[2J"$'\e'"]0;OWNED"$'\a'"' where name = 'web'"
tui_start -- --catalog "$db"
tui_wait "web" 10
tui_keys 3 # Replication
sleep 1
s=$(tui_screen)
expect_in "the line break is drawn as ^J in the target" "$s" "rep^JSPLIT"
if grep -q '^SPLIT' <<<"$s"; then fail "no row is split by it" "$s"; else pass "no row is split by it"; fi
tui_keys 1 Enter
sleep 1
s=$(tui_screen)
expect_in "the owner's escape sequence is drawn as text" "$s" "own^[[2J^[]0;OWNED^G"
expect_in "and the screen was not cleared by it" "$s" "web"
title=$($TM display-message -p -t 0 '#{pane_title}')
expect_not_in "and the window title was not set by it" "$title" "OWNED"
tui_keys q
tui_exit_status >/dev/null
