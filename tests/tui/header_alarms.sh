# An agent that has stopped is itself an alarm: `status` says so, and the
# console's header shows AGENT STOPPED; a catalog no agent ever watched
# shows neither.  And an empty catalog is never shown as OK.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tmux.sh"
db=$T/demo.db
"$DR" demo --catalog "$db" >/dev/null

run "$DR" --catalog "$db" status
expect_not_in "no agent line before any agent ran" "$OUT" "Agent:"
tui_start -- --catalog "$db"
expect_screen "the console opens" "Dashboard"
expect_not_screen "no alarm before any agent ran" "AGENT STOPPED"
tui_keys q

timeout 20 "$DR" --catalog "$db" agent --ticks 2 >/dev/null 2>&1
run "$DR" --catalog "$db" status
expect_in "status names the stopped agent" "$OUT" "Agent: STOPPED"
tui_start -- --catalog "$db"
expect_screen "the header shows the alarm" "AGENT STOPPED"

# An empty catalog is not "OK": nothing is watched yet.
"$DR" --catalog "$T/empty.db" init >/dev/null
tui_start -- --catalog "$T/empty.db"
expect_screen "an empty catalog says NO SERVICES" "NO SERVICES"
expect_screen "and how to add one" "drconsole service add NAME"
expect_not_screen "never OK" " OK "
