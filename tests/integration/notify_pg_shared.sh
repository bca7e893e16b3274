#!/usr/bin/env bash
# Agents on many hosts tell a verdict change once.  Every agent works out
# every service's verdict each round, so when a service turns, agents on
# two hosts see it at the same moment.  The one that reads the old state
# second must read it after the first has written the new one, and queue
# nothing.  The other agent here is a psql session that does what an
# agent does in its transaction (locks the service's state row, writes the
# new state, holds it 3 s before committing); the real agent runs beside
# it.  Two agents cannot be made to meet in that window on purpose.
. "$(dirname "$0")/../lib.sh"
. "$DR_TOP/tests/pg_server.sh"
unset DRCONSOLE_CATALOG

CAT=$(pg_db shared)
cat >"$T/c.json" <<JSON
{"services": [{"name": "web", "tier": "critical"}],
 "agent": {"heartbeat": "1s"},
 "notifications": {"repeat": "1h", "retries": 0,
   "channels": [{"name": "ops", "kind": "json", "url": "http://127.0.0.1:9/hook",
                 "events": ["verdict"]}]}}
JSON
expect_rc "init on PostgreSQL" 0 "$DR" init --catalog "$CAT" --config "$T/c.json"
expect_rc "config apply" 0 "$DR" config apply --catalog "$CAT" --config "$T/c.json"
run "$DR" status --json --catalog "$CAT" --config "$T/c.json"
verdict=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["services"][0]["verdict"])')
expect_in "web has a verdict an agent would tell" "OK AT_RISK BREACH UNKNOWN" "$verdict"
key="verdict:web:-"
rows() { pgq shared "select count(*) from notify_outbox where event_key = '$key'"; }
told_before() { # told_before STATE: as if the channels last heard STATE
	pgq shared "insert into notify_state (event_key, state, changed_at)
	  values ('$key', '$1', '2026-01-01T00:00:00Z') on conflict (event_key)
	  do update set state = excluded.state" >/dev/null
}
agent_for() { # agent_for SECONDS: one agent, stopped after SECONDS
	"$DR" agent --catalog "$CAT" --config "$T/c.json" 2>>"$T/agent.log" &
	local pid=$!
	sleep "$1"
	kill -TERM "$pid"
	wait "$pid" 2>/dev/null
}

# Alone, an agent that sees web turn tells the channel once.
told_before WAS-FINE
agent_for 3
expect_eq "an agent alone tells a verdict change (one row for the channel)" "$(rows)" 1
expect_eq "and the state it wrote is the verdict" \
	"$(pgq shared "select state from notify_state where event_key = '$key'")" "$verdict"

# Two at once: the other agent has the row and is telling the change.
told_before WAS-FINE
before=$(rows)
"${AS[@]}" "$PGBIN/psql" -h "$SOCK" -p "$PGP" -U postgres -d shared -XAtq \
	-v ON_ERROR_STOP=1 >"$T/other.out" 2>&1 <<SQL &
BEGIN;
SELECT state FROM notify_state WHERE event_key = '$key' FOR UPDATE;
UPDATE notify_state SET state = '$verdict', changed_at = '2026-12-01T00:00:00Z'
  WHERE event_key = '$key';
SELECT pg_sleep(3);
COMMIT;
SQL
OTHER=$!
at_exit "kill $OTHER 2>/dev/null"
wait_for 5 test "$(pgq postgres "select count(*) from pg_stat_activity
  where datname = 'shared' and query like '%pg_sleep%' and state = 'active'")" = 1
agent_for 6
wait "$OTHER"
expect_eq "the other agent's change committed" "$?" 0
expect_eq "the agent that read second queued nothing: the change is told once" \
	"$(rows)" "$before"
expect_eq "the state is the other agent's, not written twice" \
	"$(pgq shared "select changed_at from notify_state where event_key = '$key'")" \
	"2026-12-01T00:00:00Z"
expect_not_in "the agent logged no error" "$(cat "$T/agent.log")" "rror"
