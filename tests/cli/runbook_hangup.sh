#!/usr/bin/env bash
# Steps outlive the terminal (issue 13): a real hang-up (tmux kill-server)
# while a step runs leaves the step running on its own and the run
# detached, not failed; resume records its end and goes on.  Then 50
# rounds of kill -9 or SIGHUP at random moments of a three-step run, each
# resumed to its end: no step runs twice, none is lost, every run
# resumes and completes.
# catalogs: sqlite postgresql
. "$(dirname "$0")/../lib.sh"
. "$DR_TOP/tests/tmux.sh"
cd "$DR_TOP" || exit 1
export DRCONSOLE_CATALOG=$(cat_url catalog)
# Spools lie beside a catalog file, in the data directory for a server's.
spool=$(dirname "$DRCONSOLE_CATALOG")/drconsole-spool
[ "$CATALOG_BACKEND" = postgresql ] && spool=$XDG_DATA_HOME/drconsole/drconsole-spool
"$DR" init >/dev/null 2>&1
"$DR" service add api --tier critical >/dev/null
RB=tests/fixtures/runbooks/good/counter.json
lines() { [ -e "$1" ] && wc -l <"$1" | tr -d ' ' || echo 0; }
last_id() { "$DR" runbook log | awk 'NR == 2 {print $1}'; }

# ---- a real hang-up in tmux ----
mkdir -p "$T/m"
touch "$T/m/hold"
tui_start -- runbook run "$RB" --var DIR="$T/m"
wait_for 10 test -s "$T/m/two.start"
sid=$(tui_pid)
drpid=$(pgrep -s "$sid" -x drconsole | head -n1)
tui_stop
id=$(last_id)
g=$(catq "$DRCONSOLE_CATALOG" "SELECT child_pgid FROM runbook_executions WHERE recovery_id = '$id'")
[ -n "$drpid" ] && ! kill -0 "$drpid" 2>/dev/null && pass "drconsole left at the hang-up" ||
	fail "drconsole left at the hang-up" "pid '$drpid'"
kill -0 -- "-$g" 2>/dev/null && pass "the step's command runs on after the hang-up" ||
	fail "the step's command runs on after the hang-up" "group '$g'"
run "$DR" runbook log "$id"
expect_in "the step is still recorded running" "$OUT" "two                      running"
expect_in "  and detached, with its group" "$OUT" "detached: the operator's session ended; it runs on (process group $g)"
expect_not_in "  not failed, not blamed on the operator" "$OUT" "stopped by the operator"
expect_in "the recovery stays in progress" "$OUT" "status:          in_progress"
# The step ends while nobody watches.
rm -f "$T/m/hold"
wait_for 10 test -s "$T/m/two"
wait_for 10 sh -c "! kill -0 -- -$g 2>/dev/null"
run "$DR" runbook resume "$id" </dev/null
expect_eq "resume goes on to the end" "$RC" 0
run "$DR" runbook log "$id"
expect_in "the detached step's end is recorded" "$OUT" "finished while detached (exit 0), recorded on resume"
expect_in "the recovery completed" "$OUT" "status:          completed"
expect_eq "step two ran once" "$(lines "$T/m/two.start")" 1
expect_eq "step three ran once" "$(lines "$T/m/three")" 1
ls "$spool/$id".* >/dev/null 2>&1 &&
	fail "the ended run's spools are removed" || pass "the ended run's spools are removed"

# ---- the same hang-up in the console's Runbooks view ----
mkdir -p "$T/rb" "$T/c"
cp "$RB" "$T/rb/"
mkdir -p "$XDG_CONFIG_HOME/drconsole"
printf '{"runbook_dir": "%s"}\n' "$T/rb" >"$XDG_CONFIG_HOME/drconsole/config.json"
touch "$T/c/hold"
tui_start -- --catalog "$DRCONSOLE_CATALOG"
expect_screen "console starts" "1 Dashboard"
tui_keys 6
tui_keys / ; tui_text counter; tui_keys Enter
tui_keys r
expect_screen "r asks first" "Start a REAL RUN of counter"
tui_keys y
expect_screen "the wizard asks" "Incident type"
tui_text console-hup; tui_keys Enter
expect_screen "then the services" "Affected services"
tui_keys Enter
expect_screen "then the markers' directory" "(DIR)"
tui_text "$T/c"; tui_keys Enter
for _ in 1 2 3 4; do sleep 0.3; tui_screen | grep -q "a/Ctrl-C: stop the command" && break; tui_keys Enter; done
wait_for 10 test -s "$T/c/two.start"
expect_screen "the step runs in the console" "a/Ctrl-C: stop the command"
tui_stop
cid=$(catq "$DRCONSOLE_CATALOG" "SELECT recovery_id FROM disaster_recovery_log WHERE incident_type = 'console-hup'")
[ -n "$cid" ] && pass "the console's run is recorded" || fail "the console's run is recorded"
run "$DR" runbook log "${cid:-none}"
expect_in "console hang-up: the step is detached, not failed" "$OUT" "detached: the operator's session ended; it runs on"
rm -f "$T/c/hold"
wait_for 10 test -s "$T/c/two"
run "$DR" runbook resume "$cid" </dev/null
expect_eq "console hang-up: resume completes the run" "$RC" 0
expect_eq "  step two ran once" "$(lines "$T/c/two.start")" 1
expect_eq "  step three ran once" "$(lines "$T/c/three")" 1

# ---- 50 rounds of kill -9 and hang-ups at random moments ----
cat >"$T/three.json" <<JSON
{"name": "three", "title": "Three counted steps", "scenario": "partial", "rto": "10m", "rpo": "5m",
 "services": ["api"], "variables": [{"name": "DIR", "prompt": "Markers"}],
 "phases": [{"name": "p", "steps": [
  {"id": "a", "title": "A", "command": "echo a >> \\"\$DR_VAR_DIR/a\\"; sleep 0.3; echo a >> \\"\$DR_VAR_DIR/a.end\\"", "confirm": "none"},
  {"id": "b", "title": "B", "command": "echo b >> \\"\$DR_VAR_DIR/b\\"; sleep 0.3; echo b >> \\"\$DR_VAR_DIR/b.end\\"", "confirm": "none"},
  {"id": "c", "title": "C", "command": "echo c >> \\"\$DR_VAR_DIR/c\\"; sleep 0.3; echo c >> \\"\$DR_VAR_DIR/c.end\\"", "confirm": "none"}]}]}
JSON
twice=0 lost=0 stuck=0 detached=0 killed=0
for round in $(seq 50); do
	d=$T/r$round
	mkdir -p "$d"
	"$DR" runbook run "$T/three.json" --var DIR="$d" --incident "r$round" </dev/null >"$d/out" 2>&1 &
	pid=$!
	sleep "$(awk -v r=$RANDOM 'BEGIN { printf "%.2f", r % 110 / 100 }')"
	if [ $((RANDOM % 2)) -eq 0 ]; then
		kill -9 $pid 2>/dev/null && killed=$((killed + 1))
	else
		kill -HUP $pid 2>/dev/null && detached=$((detached + 1))
	fi
	wait $pid 2>/dev/null
	rid=$(catq "$DRCONSOLE_CATALOG" "SELECT recovery_id FROM disaster_recovery_log WHERE incident_type = 'r$round'")
	if [ -z "$rid" ]; then
		# Killed before it recorded anything: nothing ran; start it.
		[ -e "$d/a" ] && { lost=$((lost + 1)); echo "# round $round: a step ran unrecorded"; }
		"$DR" runbook run "$T/three.json" --var DIR="$d" --incident "r$round" </dev/null >>"$d/out" 2>&1
		rid=$(catq "$DRCONSOLE_CATALOG" "SELECT recovery_id FROM disaster_recovery_log WHERE incident_type = 'r$round'")
	fi
	# Resume until it ends; "r" answers an interrupted step whose
	# outcome is unknown (it never started: killed before its keeper).
	for _ in 1 2 3 4 5; do
		st=$(catq "$DRCONSOLE_CATALOG" "SELECT recovery_status FROM disaster_recovery_log WHERE recovery_id = '$rid'")
		[ "$st" = completed ] && break
		printf 'r\nr\nr\n' | "$DR" runbook resume "$rid" >>"$d/resume" 2>&1
	done
	st=$(catq "$DRCONSOLE_CATALOG" "SELECT recovery_status FROM disaster_recovery_log WHERE recovery_id = '$rid'")
	[ "$st" = completed ] || {
		stuck=$((stuck + 1))
		echo "# round $round: $st"
		cat "$d/out" "$d/resume" 2>/dev/null | tail -20 | sed 's/^/#   /'
	}
	for s in a b c; do
		n=$(lines "$d/$s") e=$(lines "$d/$s.end")
		[ "$n" -gt 1 ] && {
			twice=$((twice + 1))
			echo "# round $round: step $s ran $n times"
			cat "$d/out" "$d/resume" | tail -40 | sed 's/^/#   /'
		}
		[ "$e" -lt 1 ] && { lost=$((lost + 1)); echo "# round $round: step $s never finished"; }
	done
done
echo "# 50 rounds: $killed kill -9, $detached hang-ups"
expect_eq "50 rounds: no step ran twice" "$twice" 0
expect_eq "50 rounds: no step lost" "$lost" 0
expect_eq "50 rounds: every run resumed to its end" "$stuck" 0
if sqlite_only "the catalog file is intact"; then
	run sqlite3 "$DRCONSOLE_CATALOG" "PRAGMA integrity_check"
	expect_eq "the catalog is intact" "$OUT" ok
fi
expect_rc "the audit chain is intact" 0 "$DR" audit verify
