#!/usr/bin/env bash
# One agent per catalog by the file, not by how its path is spelt: a
# second agent that reaches the same catalog through a symlink to the
# file, or through a symlinked directory, is refused and told which agent
# runs; an agent on another catalog file is not.
. "$(dirname "$0")/../lib.sh"

mkdir -p "$T/real" "$XDG_CONFIG_HOME/drconsole"
CAT=$T/real/catalog.db
ln -s "$CAT" "$T/link.db"
ln -s "$T/real" "$T/linkdir"
cat >"$XDG_CONFIG_HOME/drconsole/config.json" <<JSON
{"services": [{"name": "web", "tier": "critical"}],
 "agent": {"heartbeat": "1s"}}
JSON
"$DR" --catalog "$CAT" init >/dev/null
expect_rc "init the catalog" 0 "$DR" --catalog "$CAT" config apply

"$DR" --catalog "$CAT" agent 2>"$T/agent.log" &
AGENT=$!
at_exit "kill -9 $AGENT 2>/dev/null"
for _ in $(seq 100); do
	"$DR" --catalog "$CAT" agent status 2>/dev/null | grep -q "running on" && break
	sleep 0.1
done

run "$DR" --catalog "$T/link.db" agent --ticks 3
expect_eq "a second agent through a symlink to the catalog exits 1" "$RC" 1
expect_in "and names the agent that runs" "$ERR" "another agent runs on this catalog (pid $AGENT on"
expect_in "and the lock of the real file" "$ERR" "$T/real/catalog.db.agent.lock"
run "$DR" --catalog "$T/linkdir/catalog.db" agent --ticks 3
expect_eq "through a symlinked directory: refused too" "$RC" 1
expect_in "saying so" "$ERR" "another agent runs on this catalog"
expect_in "naming the same agent" "$ERR" "(pid $AGENT on"
run "$DR" --catalog "$T/real/../real/./catalog.db" agent --ticks 3
expect_eq "through a path with .. and .: refused too" "$RC" 1
expect_in "saying so" "$ERR" "another agent runs on this catalog"
expect_eq "no lock file was made beside the symlinks" "$(ls "$T" | grep -c 'agent.lock')" 0

"$DR" --catalog "$T/other.db" init >/dev/null
expect_rc "init another catalog" 0 "$DR" --catalog "$T/other.db" config apply
run "$DR" --catalog "$T/other.db" agent --ticks 2
expect_eq "an agent on another catalog file runs" "$RC" 0
kill -TERM "$AGENT"
wait "$AGENT"
expect_eq "the first agent stops cleanly" "$?" 0
run "$DR" --catalog "$T/link.db" agent --ticks 2
expect_eq "once it has stopped, an agent through the symlink runs" "$RC" 0
