#!/usr/bin/env bash
# PostgreSQL restarted under drconsole: a `record` while the server is
# down fails in bounded time with a clear message and writes nothing;
# records made in a loop across a restart are each either in the catalog
# (exit 0) or refused with a message (exit 1), never half; the agent's
# loop lives through the restart and its heartbeat and jobs go on; the
# audit chain stays unbroken.
. "$(dirname "$0")/../lib.sh"
. "$DR_TOP/tests/pg_server.sh"
unset DRCONSOLE_CATALOG

CAT=$(pg_db dr)
mkdir -p "$XDG_CONFIG_HOME/drconsole"
cat >"$XDG_CONFIG_HOME/drconsole/config.json" <<JSON
{"services": [{"name": "api", "tier": "critical"}],
 "agent": {"heartbeat": "1s",
   "jobs": [{"name": "tick", "schedule": "every 2s",
             "command": "date +%s >> $T/tick"}]}}
JSON
expect_rc "init" 0 "$DR" init --catalog "$CAT"
expect_rc "config apply" 0 "$DR" config apply --catalog "$CAT"
pg_stop() { "${AS[@]}" "$PGBIN/pg_ctl" -D "$PG/data" -m fast -w stop >/dev/null; }
pg_start() { "${AS[@]}" "$PGBIN/pg_ctl" -D "$PG/data" -l "$PG/server.log" -w start >/dev/null; }

"$DR" agent --catalog "$CAT" 2>"$T/agent.log" &
AGENT=$!
at_exit "kill -9 $AGENT 2>/dev/null"
sleep 3

# Down: refused in bounded time, with the reason.
pg_stop
t0=$(date +%s)
run timeout 60 "$DR" record backup --service api --status completed --size 1 --catalog "$CAT"
t1=$(date +%s)
expect_eq "record with the server down: exit 1" "$RC" 1
expect_in "and it says the catalog cannot be reached" "$ERR" "cannot connect"
if [ $((t1 - t0)) -le 30 ]; then pass "and gives up in bounded time ($((t1 - t0))s)"; else
	fail "record gives up in bounded time" "$((t1 - t0))s"; fi
sleep 2
if kill -0 "$AGENT" 2>/dev/null; then pass "the agent lives on while the catalog is down"; else
	fail "the agent lives on while the catalog is down" "$(tail -20 "$T/agent.log")"; fi
pg_start
expect_eq "nothing was recorded while down" "$(pgq dr "select count(*) from backup_management")" 0

# Records across a restart: each one all there or refused.
: >"$T/ok"
(
	for i in $(seq 40); do
		if "$DR" record backup --service api --status completed --size "$i" \
			--catalog "$CAT" >/dev/null 2>"$T/rec.$i"; then
			echo "$i" >>"$T/ok"
		elif [ ! -s "$T/rec.$i" ]; then
			echo "$i" >>"$T/silent"
		fi
		sleep 0.05
	done
) &
LOOP=$!
sleep 0.5
pg_stop
sleep 1
pg_start
wait "$LOOP"
okn=$(wc -l <"$T/ok")
rows=$(pgq dr "select count(*) from backup_management")
expect_eq "every record that said done is in the catalog, and no other" "$rows" "$okn"
expect_eq "the sizes recorded are the ones that said done" \
	"$(pgq dr "select string_agg(backup_size::text, ' ' order by backup_size) from backup_management")" \
	"$(sort -n "$T/ok" | tr '\n' ' ' | sed 's/ $//')"
expect_eq "every refused record said why" "$(cat "$T/silent" 2>/dev/null | wc -l)" 0
echo "# across the restart: $okn of 40 recorded, $((40 - okn)) refused"

# The agent's loop goes on after the restart.
beat0=$(pgq dr "select max(beat_at) from agent_heartbeat")
ticks0=$(wc -l <"$T/tick")
sleep 5
beat1=$(pgq dr "select max(beat_at) from agent_heartbeat")
ticks1=$(wc -l <"$T/tick")
if kill -0 "$AGENT" 2>/dev/null; then pass "the agent is still running after the restart"; else
	fail "the agent is still running after the restart" "$(tail -20 "$T/agent.log")"; fi
if [ "$beat1" \> "$beat0" ]; then pass "its heartbeat goes on ($beat0 -> $beat1)"; else
	fail "its heartbeat goes on" "$beat0 -> $beat1" "$(tail -20 "$T/agent.log")"; fi
if [ "$ticks1" -gt "$ticks0" ]; then pass "its jobs go on ($ticks0 -> $ticks1 runs)"; else
	fail "its jobs go on" "$ticks0 -> $ticks1" "$(tail -20 "$T/agent.log")"; fi
running=$(pgq dr "select count(*) from agent_jobs where last_status = 'running' and last_started_at < to_char(now() at time zone 'utc' - interval '10 seconds', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")
expect_eq "no job run is left marked running" "$running" 0
kill -TERM "$AGENT"
wait "$AGENT"
expect_eq "the agent stops cleanly" "$?" 0
run "$DR" audit verify --catalog "$CAT"
expect_in "the audit chain is unbroken" "$OUT" "audit log intact"
