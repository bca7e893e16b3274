# drconsole report (issue 17): a history driven with DRCONSOLE_NOW — orders
# OK, AT RISK, in BREACH for exactly 30 minutes (its backup ages past its
# 30m RPO, then a new backup), OK again — recorded by status and check;
# then the report's time in compliance and breach, its restore test, a
# drill that restored data and one that did not, an incident, every
# format parsed by a real parser, and escaping of what comes from data.
. "$(dirname "$0")/../lib.sh"
. "$DR_TOP/tests/backup_lib.sh"

T0=$(date -u +%s)
T0=$((T0 - T0 % 60 - 86400))
at() { DRCONSOLE_NOW=@$(($T0 + $1)) dr "${@:2}"; }
iso() { date -u -d @$(($T0 + $1)) +%Y-%m-%dT%H:%M:%SZ; }
verdicts() { sql "select count(*) from verdict_transitions where service_name = '$1'"; }
js() { python3 -c "import json,sys; d=json.load(sys.stdin); s={x['name']: x for x in d['services']}; ${2:-pass}; print($1)"; }

src=$T/source.txt
seq 1 20000 >"$src"
bytes=$(stat -c %s "$src")
write_config '
  "orders-local": { "service": "orders", "repository": "local",
                    "source": { "kind": "file", "path": "'"$src"'" } }'
OWNER='Ops <b> & "Co" | x, y'
LESSONS='Restore <5m & "fast" | next: a, b'
dr service add ledger --tier low --owner "$OWNER" >/dev/null

# ---- the history ----
expect_rc "backup of orders at T0" 0 at 0 backup run orders-local
b1=$(last_id)
expect_rc "restore test at T0+1m" 0 at 60 restore-test orders-local
at 200 record backup --service orders --type full --status failed --started @$((T0 + 200)) --completed @$((T0 + 210)) >/dev/null
run at 120 status --json
expect_eq "orders is OK at T0+2m" "$(js "s['orders']['verdict']" <<<"$OUT")" "OK"
expect_eq "status recorded it" "$(sql "select verdict, at from verdict_transitions where service_name = 'orders'")" "OK|$(iso 120)"
run at 1500 status
expect_eq "at T0+25m (past 80 % of the RPO) AT RISK is recorded" "$(sql "select verdict from verdict_transitions where service_name = 'orders' order by id desc limit 1")" "AT RISK"
run at 1600 status
expect_eq "an unchanged verdict writes nothing" "$(verdicts orders)" "2"
run at 1860 --read-only status
expect_eq "a read-only status records nothing" "$(verdicts orders)" "2"
run at 1860 check
expect_eq "check at T0+31m records the BREACH" "$RC $(sql "select verdict, at from verdict_transitions where service_name = 'orders' order by id desc limit 1")" "2 BREACH|$(iso 1860)"
expect_rc "a new backup at T0+61m" 0 at 3660 backup run orders-local
b2=$(last_id)
run at 3660 status
expect_eq "and OK again" "$(sql "select verdict, at from verdict_transitions where service_name = 'orders' order by id desc limit 1")" "OK|$(iso 3660)"
run at 2000 status
expect_eq "an evaluation dated before the newest transition never rewrites history" "$(verdicts orders)" "4"

# ---- drills and an incident ----
export DRBIN=$DR DRCAT=$db DRCFG=$cfg
runbook() { # NAME DRILL_FORM
	cat >"$T/$1.json" <<JSON
{"name": "$1", "title": "Restore orders", "scenario": "partial",
 "rto": "10m", "rpo": "5m", "services": ["orders"],
 "env": ["DRBIN", "DRCAT", "DRCFG"],
 "phases": [{"name": "Restore", "steps": [
   {"id": "restore", "title": "Restore the latest orders backup", "confirm": "none",
    "command": "\"\$DRBIN\" --catalog \"\$DRCAT\" --config \"\$DRCFG\" restore latest:orders --to-command 'cat >/dev/null'"$2}]}]}
JSON
}
runbook echo-drill ', "drill": "echo would restore orders"'
runbook real-drill ', "drill": "\"$DRBIN\" --catalog \"$DRCAT\" --config \"$DRCFG\" restore latest:orders --to-command '"'"'cat >/dev/null'"'"'"'
expect_rc "a drill that only echoes its restore" 0 at 4000 runbook run "$T/echo-drill.json" --drill </dev/null
expect_rc "a drill that restores" 0 at 4300 runbook run "$T/real-drill.json" --drill </dev/null
expect_rc "an incident recovery that restores" 0 at 4600 runbook run "$T/echo-drill.json" </dev/null
echo_id=$(sql "select recovery_id from disaster_recovery_log where recovery_procedure = 'echo-drill' and is_drill = 1")
real_id=$(sql "select recovery_id from disaster_recovery_log where recovery_procedure = 'real-drill'")
inc_id=$(sql "select recovery_id from disaster_recovery_log where is_drill = 0")
expect_rc "lessons learned on the real drill" 0 at 4400 runbook note "$real_id" --lessons "$LESSONS"
run at 4900 status
expect_eq "four transitions for orders in all" "$(verdicts orders)" "4"

# ---- the report ----
span=(--since "$(iso 0)" --until @$((T0 + 5000)))
run at 7200 report "${span[@]}" --format json
expect_eq "report --format json exits 0" "$RC" "0"
J=$OUT
echo "$J" >"$T/report.json"
expect_eq "time in compliance: 2m unknown, 23m+22m20s OK, 6m AT RISK, 30m BREACH of 1h23m20s" \
	"$(js "c['period_s'], c['unknown_s'], c['ok_s'], c['at_risk_s'], c['breach_s'], c['ok_share'], c['known_from']" "c=s['orders']['compliance']" <<<"$J")" \
	"5000 120 2720 360 1800 0.544 $(iso 120)"
expect_eq "the breach: start, end and duration exactly" \
	"$(js "len(b), b[0]['start'], b[0]['end'], b[0]['ongoing'], b[0]['duration_s']" "b=s['orders']['breaches']" <<<"$J")" \
	"1 $(iso 1860) $(iso 3660) False 1800"
expect_in "the breach names its reason" "$(js "s['orders']['breaches'][0]['reason']" <<<"$J")" "RPO breached"
expect_eq "targets" "$(js "s['orders']['targets']['rpo_s'], s['orders']['targets']['rto_s']" <<<"$J")" "1800 3600"
verified=$(sql "select count(*) from backup_management where service_name = 'orders' and backup_status = 'verified'")
expect_eq "backups by their own times: 3 taken, 2 good, 1 failed" \
	"$(js "b['taken'], b['good'], b['verified'], b['failed']" "b=s['orders']['backups']" <<<"$J")" "3 2 $verified 1"
expect_eq "the restore test with its backup, bytes and result" \
	"$(js "[(r['backup_id'], r['bytes'], r['ok'], r['duration_s'] is not None) for r in s['orders']['restores'] if r['kind'] == 'restore-test']" <<<"$J")" \
	"[('$b1', $bytes, True, True)]"
expect_eq "drills and the incident, and which are RTO evidence" \
	"$(js "[(r['id'], r['kind'], r['rto_evidence']) for r in s['orders']['recoveries']]" <<<"$J")" \
	"[('$echo_id', 'drill', False), ('$real_id', 'drill', True), ('$inc_id', 'incident', True)]"
expect_eq "the real drill restored the newest backup, against the runbook's targets" \
	"$(js "r['restore']['backup_id'], r['restore']['bytes'], r['rto']['target_s'], r['rto']['met'], r['rpo']['target_s'], r['lessons_learned'] == '''$LESSONS'''" "r=s['orders']['recoveries'][1]" <<<"$J")" \
	"$b2 $bytes 600 True 300 True"
expect_eq "operator and steps" \
	"$(js "r['operator'] != None, [x['status'] for x in r['steps']]" "r=s['orders']['recoveries'][0]" <<<"$J")" "True ['completed']"
head=$(sql "select seq || ' ' || hash from audit_log order by seq desc limit 1")
expect_eq "the audit head and its verification" \
	"$(python3 -c "import json,sys; a=json.load(sys.stdin)['audit']; print(a['head']['seq'], a['head']['hash'], a['intact'])" <<<"$J")" "$head True"
expect_eq "ledger's owner comes through as it was written" "$(js "s['ledger']['owner']" <<<"$J")" "$OWNER"
expect_eq "ledger: unknown until its first verdict, then in BREACH to the end" \
	"$(js "s['ledger']['compliance']['ok_share'], s['ledger']['compliance']['unknown_s'], s['ledger']['compliance']['breach_s']" <<<"$J")" "0 120 4880"
expect_eq "its breach is ongoing, its duration counted to the end of the period" \
	"$(js "b['start'], b['end'], b['ongoing'], b['duration_s']" "b=s['ledger']['breaches'][0]" <<<"$J")" "$(iso 120) None True 4880"

run at 7200 report "${span[@]}" --service orders --format json
expect_eq "--service orders reports only orders" "$(js "list(s)" <<<"$OUT")" "['orders']"

# ---- Markdown ----
run at 7200 report "${span[@]}"
expect_eq "Markdown is the default" "$RC" "0"
MD=$OUT
expect_in "it gives the share of time in compliance" "$MD" "54.40 %"
expect_in "the breach row" "$MD" "| $(iso 1860) | $(iso 3660) | 30m |"
expect_in "the unknown part is said, not guessed" "$MD" "no verdict was recorded before $(iso 120)"
expect_in "the owner is escaped for a table cell" "$MD" 'Ops &lt;b&gt; &amp; "Co" \| x, y'
expect_in "so are the lessons" "$MD" 'Restore &lt;5m &amp; "fast" \| next: a, b'
run python3 - "$MD" <<'PY'
import re, sys
bad = []
table = None
for line in sys.argv[1].splitlines():
    if not line.startswith('|'):
        table = None
        continue
    cells = len(re.split(r'(?<!\\)\|', line)) - 2
    if table is None:
        table = cells
    elif cells != table:
        bad.append(line)
print('\n'.join(bad))
PY
expect_eq "every Markdown table row has its header's columns" "$OUT" ""

# ---- HTML ----
expect_rc "report --format html --output FILE" 0 at 7200 report "${span[@]}" --format html --output "$T/report.html"
run python3 - "$T/report.html" "$OWNER" "$LESSONS" <<'PY'
import sys
from html.parser import HTMLParser
VOID = {'meta', 'br', 'link', 'img', 'hr'}
ALLOWED = {'html', 'head', 'meta', 'title', 'style', 'body', 'h1', 'h2', 'h3', 'dl', 'dt', 'dd', 'p', 'span',
           'table', 'thead', 'tbody', 'tr', 'th', 'td', 'code', 'br', 'section'}
class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.text = [], [], []
    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED:
            self.errors.append('unexpected tag <%s>' % tag)
        for k, v in attrs:
            if k in ('src', 'href'):
                self.errors.append('external resource %s=%s' % (k, v))
        if tag not in VOID:
            self.stack.append(tag)
    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append('</%s> closes %s' % (tag, self.stack[-1:] or 'nothing'))
        else:
            self.stack.pop()
    def handle_data(self, data):
        self.text.append(data)
text = open(sys.argv[1]).read()
p = P()
p.feed(text)
p.close()
if p.stack:
    p.errors.append('unclosed: %s' % p.stack)
if not text.startswith('<!DOCTYPE html>'):
    p.errors.append('no doctype')
if '@media print' not in text:
    p.errors.append('no print styles')
alltext = ''.join(p.text)
for want in sys.argv[2:]:
    if want not in alltext:
        p.errors.append('text missing: %s' % want)
print('\n'.join(p.errors))
PY
expect_eq "the HTML is well-formed, self-contained, prints, and shows data as text" "$OUT" ""
expect_in "the HTML has the breach" "$(cat "$T/report.html")" "<td>$(iso 1860)</td><td>$(iso 3660)</td>"

# ---- CSV ----
run at 7200 report "${span[@]}" --format csv
run python3 -c '
import csv, io, sys
rows = list(csv.DictReader(io.StringIO(sys.stdin.read())))
r = {x["service"]: x for x in rows}
o = r["orders"]
print(len(rows), o["ok_s"], o["at_risk_s"], o["breach_s"], o["unknown_s"], o["ok_share"], o["breaches"], o["breach_longest_s"], o["backups_taken"], o["restore_tests_ok"], o["drills"], o["incidents"], o["rto_evidence_recoveries"], o["audit_intact"])
print(r["ledger"]["owner"])' <<<"$OUT"
expect_eq "CSV: one row per service, parsed by the csv module" "$OUT" "3 2720 360 1800 120 0.544000 1 1800 3 1 2 1 2 true
$OWNER"

# CSV injection: a text cell a spreadsheet would run as a formula is
# prefixed with a quote (OWASP); a plain one is left alone.  (A tab or CR
# never gets in: arguments with control characters are refused.)
i=0
for o in '=HYPERLINK("http://x","y")' '+1+2' '-2+3' '@SUM(A1)'; do
	i=$((i + 1))
	dr service add "bait$i" --tier low --owner "$o" >/dev/null
done
run at 7200 report "${span[@]}" --format csv
run python3 -c '
import csv, io, sys
r = {x["service"]: x for x in csv.DictReader(io.StringIO(sys.stdin.read()))}
print("|".join(r["bait%d" % i]["owner"] for i in range(1, 5)))
print(r["ledger"]["owner"])' <<<"$OUT"
expect_eq "CSV: formula-like owners are quoted, others kept" "$OUT" \
	"'=HYPERLINK(\"http://x\",\"y\")|'+1+2|'-2+3|'@SUM(A1)
$OWNER"

# ---- bad input: exit 2, nothing written ----
bad() { # NAME ARGS...
	local name=$1
	shift
	rm -f "$T/out.md"
	run at 7200 report "$@" --output "$T/out.md"
	if [ "$RC" -eq 2 ] && [ -z "$OUT" ] && [ ! -e "$T/out.md" ] && [ -n "$ERR" ]; then pass "$name"; else
		fail "$name" "rc $RC" "stdout: $OUT" "stderr: $ERR" "file: $(ls "$T/out.md" 2>&1)"
	fi
}
bad "an unparsable --since" --since yesterday-ish
bad "a --since out of range" --since 10000-01-01
bad "--until before --since" --since "$(iso 3600)" --until "$(iso 0)"
bad "an empty period" --since "$(iso 3600)" --until "$(iso 3600)"
bad "an --until after now" --until "$(iso 9000)"
bad "an unknown service" --service nope
bad "an unknown format" --format pdf
run at 7200 report --format pdf
expect_in "the message names the formats" "$ERR" "md, html, json, csv"
run at 7200 report --service nope
expect_in "the message names the service" "$ERR" "no service named 'nope'"

# ---- a broken audit chain is reported, not hidden ----
cp "$db" "$T/tampered.db"
sqlite3 "$T/tampered.db" "drop trigger audit_log_no_update; update audit_log set actor = 'mallory' where seq = 2"
run env DRCONSOLE_NOW=@$((T0 + 7200)) "$DR" --catalog "$T/tampered.db" --config "$cfg" report "${span[@]}" --format json
expect_eq "the tampered chain: intact false, first bad row 2" \
	"$(python3 -c "import json,sys; a=json.load(sys.stdin)['audit']; print(a['intact'], a['first_bad'])" <<<"$OUT")" "False 2"
