# Driving the real console in tmux, for tests/tui/*.sh (sourced after
# lib.sh).  Each test file gets a private tmux server (-L drtest-PID,
# killed at exit) and an 80x24 window; the console runs as the pane's
# command, and when it ends the pane prints "EXIT=<status>" and the
# terminal modes (`stty -a`) so a test can check what was left behind.
TM="tmux -L drtest-$$ -f /dev/null"

# Ends the tmux server and whatever ran in its pane.  A console normally
# leaves at the hangup; one that does not (seen once: a sanitizer build
# stuck in its leak check at exit, spinning on both cores for the rest of
# the run) is killed, found by the pane's session, which outlives the pty.
tui_stop() {
	local sid i
	sid=$(tui_pid)
	$TM kill-server 2>/dev/null
	[ -n "$sid" ] || return 0
	for ((i = 0; i < 30; i++)); do
		pgrep -s "$sid" >/dev/null || return 0
		sleep 0.1
	done
	pkill -KILL -s "$sid" 2>/dev/null
	return 0
}
at_exit "tui_stop"

# tui_start [VAR=VALUE...] -- ARGS...: the console with ARGS, in the
# environment given (LANG defaults to C.UTF-8).
tui_start() {
	local envs=("LANG=C.UTF-8" "LC_ALL=")
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		envs+=("$1")
		shift
	done
	shift
	tui_stop
	rm -f "$T/tui.err" "$T/tui.stty"
	local cmd
	cmd="env $(printf '%q ' "${envs[@]}") $(printf '%q ' "$DR" "$@")"
	$TM new-session -d -x "${TUI_COLS:-80}" -y "${TUI_ROWS:-24}" \
		"$cmd 2>$T/tui.err; echo EXIT=\$?; stty -a >$T/tui.stty; sleep 600"
	$TM set-option -g status off >/dev/null
}

tui_screen() { $TM capture-pane -p -t 0; }
tui_screen_esc() { $TM capture-pane -p -e -t 0; }
tui_keys() { $TM send-keys -t 0 "$@"; }
tui_text() { $TM send-keys -t 0 -l "$1"; }
tui_pid() { $TM list-panes -t 0 -F '#{pane_pid}' 2>/dev/null; }

# tui_wait TEXT [SECONDS]: waits until the screen shows TEXT; 0 when it did.
tui_wait() {
	local i max=$((${2:-5} * 10))
	for ((i = 0; i < max; i++)); do
		tui_screen 2>/dev/null | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	return 1
}

# tui_wait_gone TEXT [SECONDS]: waits until TEXT is no longer on screen.
tui_wait_gone() {
	local i max=$((${2:-5} * 10))
	for ((i = 0; i < max; i++)); do
		tui_screen 2>/dev/null | grep -qF -- "$1" || return 0
		sleep 0.1
	done
	return 1
}

# expect_screen NAME TEXT [SECONDS]: a check that waits for TEXT.
expect_screen() {
	if tui_wait "$2" "${3:-5}"; then pass "$1"; else
		fail "$1" "expected on screen: $2" "screen:" "$(tui_screen)"
	fi
}

# expect_not_screen NAME TEXT: TEXT is not on screen now.
expect_not_screen() {
	if tui_screen | grep -qF -- "$2"; then
		fail "$1" "did not expect on screen: $2" "screen:" "$(tui_screen)"
	else pass "$1"; fi
}

# tui_exit_status: waits for the console to end; prints its status.
tui_exit_status() {
	tui_wait "EXIT=" "${1:-5}" || { echo "running"; return; }
	# The pane writes the terminal modes just after EXIT=: wait for them.
	local i
	for ((i = 0; i < 50; i++)); do
		[ -s "$T/tui.stty" ] && break
		sleep 0.1
	done
	tui_screen | sed -n 's/^EXIT=\([0-9]*\).*/\1/p' | tail -n1
}
