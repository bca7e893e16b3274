#!/usr/bin/env bash
# Issue 18: the test programme on the console.  The Compliance view lists
# every test of the programme with its last run, result and next due date
# (overdue ones marked), Enter on one shows its details and the command
# that runs it, and the service page lists the service's tests; a test run
# from line mode shows up there on the next refresh.
# catalogs: sqlite postgresql
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tmux.sh"
# The default catalog: made by config apply at its path; a server's is
# made by init.
CAT=${DRCONSOLE_CATALOG:-$XDG_DATA_HOME/drconsole/catalog.db}
[ "$CATALOG_BACKEND" = sqlite ] || "$DR" init >/dev/null
mkdir -p "$XDG_CONFIG_HOME/drconsole" "$T/repo"
head -c 100000 /dev/urandom >"$T/data.bin"
cat >"$XDG_CONFIG_HOME/drconsole/config.json" <<JSON
{"services": [{"name": "files", "tier": "standard"}, {"name": "db", "tier": "critical"}],
 "repositories": {"local": {"url": "file://$T/repo"}},
 "backups": {"files-t": {"service": "files", "repository": "local",
   "source": {"kind": "file", "path": "$T/data.bin"}}},
 "tests": [
   {"name": "weekly-restore", "kind": "restore", "every": "7d", "service": "files"},
   {"name": "quarterly-failover", "kind": "drill", "runbook": "database-corruption",
    "every": "90d", "tier": "critical"}]}
JSON
expect_rc "config apply" 0 "$DR" config apply
expect_rc "a backup" 0 "$DR" backup run files-t

tui_start -- --catalog "$CAT"
expect_screen "the console opens" "files"
tui_keys 4
expect_screen "Compliance: the programme's section, 2 overdue" "TEST PROGRAMME (2, 2 overdue)"
expect_screen "the drill, never run, overdue" "quarterly-failover       90d never       -      now         OVERDUE"
expect_screen "the restore test, never run, overdue" "weekly-restore            7d never       -      now         OVERDUE"

expect_rc "tests run weekly-restore (line mode, beside the console)" 0 "$DR" tests run weekly-restore
due=$(date -u -d '+7 days' +%m-%d)
expect_screen "the console shows it passed, due in a week" "weekly-restore            7d $(date -u +%m-%d)" 10
expect_screen "next due $due, no longer overdue" "passed $due"
expect_screen "one overdue left" "TEST PROGRAMME (2, 1 overdue)"

# Enter on the drill's row: its details and how to run it.
tui_keys / ; tui_text db; tui_keys Enter
tui_keys j j
tui_keys Enter
expect_screen "Enter: the test's details" "Test quarterly-failover of db"
expect_screen "with the command that runs it" "drconsole tests run quarterly-failover"
tui_keys Escape
tui_keys g Enter
expect_screen "the service page lists its tests" "TESTS      quarterly-failover (drill): never run, due now OVERDUE"
expect_screen "and says why it is not OK" "data); test quarterly-failover never"
tui_stop
