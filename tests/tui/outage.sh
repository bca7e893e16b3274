# The console in an outage (issue 15), read off the screen as a person
# would at 80x24 and 80x20: the why of every service not OK on the
# Dashboard, a service's page with the evidence and the error text, two
# DOWN services with the key hints kept, a Backups list with its errors,
# filters that show, sizes down to 80x20, TERM=dumb, and a non-UTF-8
# locale without colour.
# catalogs: sqlite postgresql
. "$(dirname "$0")/../lib.sh"
. "$DR_TOP/tests/tmux.sh"
command -v tmux >/dev/null || { skip "outage tests" "tmux is not installed"; exit 0; }
export DRCONSOLE_NOW=2026-11-22T12:00:00Z
N="DRCONSOLE_NOW=$DRCONSOLE_NOW"
demo=$(cat_url demo)
cat_demo "$demo" >/dev/null || fail "a demo catalog"

# ---- the Dashboard says why, at 80x24 and at 80x20 ----
for rows in 24 20; do
	TUI_ROWS=$rows tui_start "$N" -- --catalog "$demo"
	expect_screen "80x$rows: the dashboard, not 'too small'" "ledger-db"
	expect_screen "80x$rows: the breach's reason under its row" "RPO breached: last good backup at 08:01 UTC (target 5m)"
	expect_screen "80x$rows: the at-risk one's reason too, its time fixed (the age is in its column)" "RPO at risk: last good backup at 11:34 UTC (target 30m)"
	expect_screen "80x$rows: the key hints stay in the footer" "?:help 1-6:view"
	expect_screen "80x$rows: a cut name ends in an ellipsis" "analytics-w…"
	expect_screen "80x$rows: sizes carry their unit" "2.9 MiB"
	last=$(tui_screen | tail -n1)
	expect_in "80x$rows: the footer is on the last row" "$last" "q:quit"
	tui_keys q
	tui_exit_status >/dev/null
done
TUI_ROWS=19 tui_start "$N" -- --catalog "$demo"
expect_screen "80x19 is too small, and says what it needs" "terminal too small: need 80x20, have 80x19"
tui_keys q
tui_exit_status >/dev/null

# ---- the worst service's page: the whole story, wrapped, never cut ----
tui_start "$N" -- --catalog "$demo"
tui_wait "ledger-db"
tui_keys w
expect_screen "w opens the worst service's page" "Service ledger-db"
expect_screen "its verdict" "VERDICT    BREACH"
expect_screen "its reason in full, wrapped to the next line" "a row (health critical)"
expect_screen "the newest good backup behind the RPO" "evidence: newest good backup ea9d500d"
expect_screen "the restore test behind the RTO estimate" "evidence: restore test 4 restored backup"
expect_screen "the replica pair behind the lag" "ledger-db-primary -> ledger-db-replica: down"
expect_screen "the last failure with its error text" "failed: upload to s3 timed out"
expect_not_screen "not the raw metadata" '{"error"'
expect_screen "and its keys" "b:backups"
tui_keys b
expect_screen "b: this service's backups" "where service=ledger-db"
expect_screen "the Backups list has the error in its row" "upload to s3 timed out"
expect_not_screen "and never a size of -1 bytes" "-1 bytes"
tui_keys :
tui_text "backups ledger failed"
tui_keys Enter
expect_screen "Backups matches a service as the Dashboard does (substring)" "service~ledger"
rows=$(tui_screen | awk '/^STARTED/{f=1; next} /^[─-]+$/{f=0} f && NF')
others=$(grep -vc 'ledger-db' <<<"$rows")
expect_eq "every row is ledger-db's" "$others" "0"
expect_screen "the filter shows in the tab line" "FILTER /"
tui_keys Enter
expect_screen "a failed backup's details name the error" "Error        upload to s3 timed out after 3 retries"
expect_not_screen "and the size is unknown, not -1" "(-1 bytes)"
tui_keys Escape
tui_keys 4
tui_wait "% compliant"
tui_keys Enter
expect_screen "Enter in Compliance opens the service's page" "Service ledger-db"
tui_keys Escape
tui_keys 5
expect_screen "the Log names a command that exists" "drconsole audit verify"
expect_rc "which exits 0 on this catalog" 0 "$DR" --catalog "$demo" audit verify
tui_keys 1
tui_keys /
tui_text "db"
expect_screen "the filter applies as it is typed" "FILTER /db"
expect_not_screen "only matching services" "reporting"
tui_keys Enter
tui_keys Escape
expect_screen "Esc clears it" "reporting"
tui_keys s
expect_screen "s sorts by name, the column marked" "SERVICE▲"
first=$(tui_screen | awk '/^SERVICE/{f=1; next} f && /^[a-z]/{print $1; exit}')
expect_eq "the first row is first by name" "$first" "analytics-w…"
tui_keys '?'
expect_screen "the help lists w" "the worst service's page"
expect_screen "and the job keys" "a ^C stop it"
expect_screen "and fits 80x24 with its last line" "q  quit"
tui_keys Escape
tui_keys q
expect_eq "quits" "$(tui_exit_status)" "0"

# ---- no colour and no UTF-8 ----
tui_start "$N" NO_COLOR=1 LANG=C -- --catalog "$demo"
expect_screen "LANG=C: the reason line" "-> RPO breached"
expect_screen "LANG=C: a cut name ends in ..." "analytics..."
if tui_screen | LC_ALL=C grep -q $'[\x80-\xff]'; then
	fail "LANG=C: no byte outside ASCII" "$(tui_screen)"
else pass "LANG=C: no byte outside ASCII"; fi
tui_keys w
expect_screen "LANG=C: the page" "evidence: newest good backup"
tui_keys q q
tui_exit_status >/dev/null

# ---- TERM=dumb: the status text instead of a blank screen ----
tui_start "$N" TERM=dumb -- --catalog "$demo"
expect_eq "TERM=dumb: ends as status does" "$(tui_exit_status)" "0"
expect_screen "and shows the services as text" "ledger-db"
expect_in "saying why on stderr" "$(cat "$T/tui.err")" "cannot address the cursor"

# ---- two services DOWN: both named, the key hints kept, 6 on the runbook ----
# Last, as it changes the demo (a copy on a server would take 20 s).
cfgf=$T/probes.json
cat >"$cfgf" <<'JSON'
{"probes": {"timeout": "1s", "failures_before_down": 1,
  "services": {
    "orders-db": {"failover_runbook": "regional-failover",
      "checks": [{"name": "pg", "kind": "tcp", "host": "127.0.0.1", "port": 1}]},
    "payments-db": {"checks": [{"name": "api", "kind": "tcp", "host": "127.0.0.1", "port": 1}]}}}}
JSON
"$DR" --config "$cfgf" --catalog "$demo" probe run >/dev/null 2>&1
tui_start "$N" -- --config "$cfgf" --catalog "$demo"
expect_screen "the first DOWN service is named" "orders-db DOWN (probe pg)"
expect_screen "and the second one too, at 80 columns" "also DOWN: payments-db (probe api)"
expect_screen "the key hints are still in the footer" "?:help 1-6:view"
tui_keys 6
expect_screen "6 opens Runbooks" "RUNBOOK"
sel=$(tui_screen_esc | grep -F 'regional-failover' | head -n1)
case $sel in *$'\e[7m'* | *$'\e[4'[0-9]* | *$'\e[48;5;'*) pass "with the suggested runbook selected" ;;
*) fail "with the suggested runbook selected" "$(tui_screen_esc | grep -F 'regional-failover' | cat -v)" ;; esac
tui_keys 1 /
tui_text orders
tui_keys Enter Enter
expect_screen "Enter: the DOWN service's page" "Service orders-db"
expect_screen "its probe and its state" "pg DOWN since"
tui_keys End
expect_screen "End: its runbooks, the suggested one first" "regional-failover (suggested)"
tui_keys r
expect_screen "r: Runbooks with it selected, to start there" "regional-failover for orders-db: r to run it, Enter to preview it"
expect_screen "the Runbooks list" "RUNBOOK"
tui_keys Escape
tui_keys q
tui_exit_status >/dev/null
