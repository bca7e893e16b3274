#!/usr/bin/env bash
# Bad input, table-driven: every line of tests/hostile/cases is one case
#   EXIT | MESSAGE FRAGMENT | ARGUMENTS
# run as `drconsole --catalog $db --config $cfg ARGUMENTS` (the arguments
# are shell words: $T, $H (the hostile files made below) and $'...' work).
# Each case must exit EXIT, print FRAGMENT (on standard error; for check,
# whose answer is its standard output, there), and leave the
# catalog byte for byte as it was.  Adding a case is adding a line.
# catalogs: sqlite postgresql
# (Under PostgreSQL the cases that name a catalog file of their own, --catalog
# $H/... or /dev/null, are about an SQLite file and skipped.)
. "$(dirname "$0")/../lib.sh"
cd "$DR_TOP" || exit 1
# A pinned clock: status and check record verdict changes, and with the
# real clock one could fall due during the run and change the catalog.
export DRCONSOLE_NOW=2026-11-22T12:00:00Z
db=$(cat_url c)
cfg=$T/cfg.json
H=$T/h
mkdir -p "$H"
printf '{"environment": "test"}\n' >"$cfg"
"$DR" --catalog "$db" --config "$cfg" init >/dev/null
"$DR" --catalog "$db" --config "$cfg" service add api --tier critical >/dev/null
"$DR" --catalog "$db" --config "$cfg" record backup --service api --size 100 >/dev/null
"$DR" --catalog "$db" --config "$cfg" record replication --service api --source p --target r --lag 2 --state streaming >/dev/null
"$DR" --catalog "$db" --config "$cfg" status >/dev/null

# ---- the hostile files the cases name ----
rb=tests/fixtures/runbooks/good/tell.json
cp "$rb" "$H/world-writable.json" && chmod 666 "$H/world-writable.json"
cp "$rb" "$H/group-writable.json" && chmod 664 "$H/group-writable.json"
mkdir -p "$H/loose-dir" && chmod 777 "$H/loose-dir" && cp "$rb" "$H/loose-dir/rb.json"
mkdir -p "$H/sticky-dir" && chmod 1777 "$H/sticky-dir"
cp "$cfg" "$H/world-writable-config.json" && chmod 666 "$H/world-writable-config.json"
cp "$cfg" "$H/group-writable-config.json" && chmod 620 "$H/group-writable-config.json"
if [ "$(id -u)" -eq 0 ]; then
	cp "$rb" "$H/others-runbook.json" && chown 65534 "$H/others-runbook.json"
	cp "$cfg" "$H/others-config.json" && chown 65534 "$H/others-config.json"
else
	# Without root no file can be given away; these cases then test a
	# missing file's message instead, and say so in their fragment.
	:
fi
head -c 1100000 /dev/zero | tr '\0' ' ' >"$H/huge-config.json"
printf '{"environment": "pr\xffod"}\n' >"$H/bad-utf8-config.json"
printf '{"environment": "a\\u0000b"}\n' >"$H/nul-config.json"
printf '{"environment": "x", "child_env": ["A B"]}\n' >"$H/bad-child-env.json"
printf '{"environment": "x", "child_env": "PATH"}\n' >"$H/child-env-string.json"
printf '{"environment": "x", "audit_key_file": "%s"}\n' "$H/no-such.key" >"$H/missing-audit-key.json"
printf 'secret\n' >"$H/loose.key" && chmod 644 "$H/loose.key"
printf '{"environment": "x", "audit_key_file": "%s"}\n' "$H/loose.key" >"$H/loose-audit-key.json"
: >"$H/empty.db"
printf 'this is not a catalog at all, only text long enough to look like one\n' >"$H/text.db"
[ "$CATALOG_BACKEND" = sqlite ] && sqlite3 "$H/foreign.db" 'CREATE TABLE t (x); INSERT INTO t VALUES (1);'
mkdir -p "$H/dir.db"
python3 - "$H/many-steps.json" <<'PY'
import json, sys
steps = [{"id": "s%d" % i, "title": "t", "command": "true", "confirm": "none"} for i in range(600)]
json.dump({"name": "many", "title": "many", "scenario": "partial", "rto": "1m", "rpo": "1m",
           "phases": [{"name": "p", "steps": steps}]}, open(sys.argv[1], "w"))
PY
# A catalog with a damaged page in the middle of its data.
if [ "$CATALOG_BACKEND" = sqlite ]; then
	"$DR" --catalog "$H/damaged.db" init >/dev/null
	sqlite3 "$H/damaged.db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
	  INSERT INTO health_history (service_name, check_name, ok, sampled_at) SELECT NULL, 'c' || i, 1, '2026-11-22T12:00:00Z' FROM n" 2>/dev/null ||
		sqlite3 "$H/damaged.db" "CREATE TABLE filler (x); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) INSERT INTO filler SELECT hex(randomblob(40)) FROM n"
	python3 -c 'import os, sys; p = sys.argv[1]; f = open(p, "r+b"); f.seek(os.path.getsize(p) // 2 // 4096 * 4096); f.write(b"\xde\xad" * 2048)' "$H/damaged.db"
fi
printf '# anchors\n12\n' >"$H/bad-anchors"
printf '1:%064d\n' 0 >"$H/wrong-anchor"
printf '%s\n' '{"stanza": 1}' >"$H/pgbackrest-not-a-list.json"
printf '[{"name": "x", "backup": "no"}]\n' >"$H/pgbackrest-bad-backup.json"
printf '[{"backup_name": 1}]\n' >"$H/walg-bad.json"
printf '{"kind": "Backup"\n' >"$H/velero-cut.json"
printf '[{"time": "yesterday", "id": "x"}]\n' >"$H/restic-bad-time.json"

snapshot() { cat_sum "$db"; }

n=0
lineno=0
before=$(snapshot)
while IFS= read -r line || [ -n "$line" ]; do
	lineno=$((lineno + 1))
	case $line in '' | '#'*) continue ;; esac
	want_rc=${line%%|*}
	rest=${line#*|}
	frag=${rest%%|*}
	args=${rest#*|}
	want_rc=${want_rc// /}
	frag=${frag# }
	frag=${frag% }
	n=$((n + 1))
	if [ "$(id -u)" -ne 0 ] && [[ $args == *'$H/others-'* ]]; then
		skip "cases:$lineno: $args" "only root can give a file away"
		continue
	fi
	if [ "$CATALOG_BACKEND" = postgresql ] && [[ $args == *'--catalog $H/'* || $args == *'--catalog /dev/null'* ]]; then
		skip "cases:$lineno: $args" "only about an SQLite file"
		continue
	fi
	eval "set -- $args"
	OUT=$("$DR" --catalog "$db" --config "$cfg" "$@" 2>"$T/.err" </dev/null)
	RC=$?
	ERR=$(cat "$T/.err")
	after=$(snapshot)
	name="cases:$lineno: $args"
	if [ -n "${HOSTILE_PROBE:-}" ]; then
		# Writing the table: what each candidate does now.
		[ "$after" != "$before" ] && changed=CHANGED || changed=same
		printf '%s\t%s\t%s\t%s\n' "$RC" "$changed" "$args" "$(head -n2 <<<"$ERR" | tr '\n' ' ')" >&3
		before=$after
		continue
	fi
	if [ "$RC" -ne "$want_rc" ]; then
		fail "$name" "expected exit $want_rc, got $RC" "stderr: ${ERR:0:400}"
	elif ! grep -qF -- "$frag" <<<"$ERR$OUT"; then
		fail "$name" "expected on stderr: $frag" "stderr: ${ERR:0:400}"
	elif [ "$after" != "$before" ]; then
		fail "$name" "the catalog changed"
		before=$after
	else
		pass "$name"
	fi
done <"${HOSTILE_CASES:-tests/hostile/cases}"
[ "$n" -ge 300 ] && pass "at least 300 cases ($n)" || fail "at least 300 cases" "only $n"

# ---- beyond the table: what a case line cannot say ----
# A catalog address that names someone else's database (a file or a
# server's database with tables of its own) is refused, by init too, and
# given no table.
app=$(cat_url app)
if [ "$CATALOG_BACKEND" = sqlite ]; then
	sqlite3 "$app" 'CREATE TABLE orders (id INTEGER); INSERT INTO orders VALUES (1);'
else
	catq "${DRCONSOLE_TEST_CATALOG%/}/postgres" "CREATE DATABASE \"${app##*/}\""
	catq "$app" 'CREATE TABLE orders (id INTEGER); INSERT INTO orders VALUES (1);'
fi
has_catalog() { catq "$app" "select count(*) from services" >/dev/null 2>&1 && echo "has services" || echo "no services"; }
for c in status "service add x --tier low" init; do
	# shellcheck disable=SC2086
	run "$DR" --catalog "$app" --config "$cfg" $c
	expect_eq "$c on another application's database: exit 2" "$RC" 2
	expect_in "saying it is not a drconsole catalog" "$ERR" "not a drconsole catalog"
done
expect_eq "and it was given no catalog table" "$(has_catalog)" "no services"
expect_eq "its own table is as it was" "$(catq "$app" 'select count(*) from orders')" 1
# A runbooks/ folder in the current directory never replaces the shipped
# or configured runbooks.
mkdir -p "$T/trap/runbooks"
sed 's/"title": "[^"]*"/"title": "TROJAN"/' runbooks/partial-recovery.json >"$T/trap/runbooks/partial-recovery.json"
run bash -c "cd '$T/trap' && '$DR' --catalog '$db' --config '$cfg' runbook show partial-recovery"
expect_not_in "a runbooks/ folder in the current directory is not used" "$OUT" "TROJAN"
expect_in "the shipped runbook is shown instead" "$OUT" "$DR_TOP/runbooks/partial-recovery.json"
run bash -c "cd '$T/trap' && '$DR' --catalog '$db' --config '$cfg' runbook show ./runbooks/partial-recovery.json"
expect_in "given as an explicit path, it is read (and shown for what it is)" "$OUT" "TROJAN"
# A file in a sticky, world-writable directory (/tmp) cannot be replaced
# by others: accepted.
cp tests/fixtures/runbooks/good/tell.json "$H/sticky-dir/tell.json"
expect_rc "a runbook in a sticky directory is accepted" 0 "$DR" runbook check "$H/sticky-dir/tell.json"
# The refused world-writable runbook ran nothing and recorded nothing.
expect_eq "the refused runbooks left no execution" \
	"$(catq "$db" 'select count(*) from runbook_executions')" "0"
# Terminal output: through a terminal (script(1)), an owner holding escape
# sequences is shown escaped; into a pipe, the bytes are data.
# (The bytes are in the SQL itself: both backends' shells take them.)
owner=$'x\033]0;OWNED\a\033[2Jy'
catq "$db" "update services set owner = '$owner' where name = 'api'"
if command -v script >/dev/null 2>&1; then
	script -qc "'$DR' --catalog '$db' --config '$cfg' service list" /dev/null >"$T/tty.out" </dev/null
	if grep -q $'\033' "$T/tty.out"; then
		fail "no escape byte from data reaches the terminal" "$(od -c "$T/tty.out" | head -5)"
	else
		pass "no escape byte from data reaches the terminal"
	fi
	expect_in "it is shown as cat -v shows it" "$(cat "$T/tty.out")" 'x^[]0;OWNED^G^[[2Jy'
else
	skip "no escape byte from data reaches the terminal" "no script(1)"
	skip "it is shown as cat -v shows it" "no script(1)"
fi
run "$DR" --catalog "$db" --config "$cfg" service list
expect_in "into a pipe the bytes are left as data" "$OUT" $'x\033]0;OWNED'
# Bytes that are not UTF-8, stored before input was checked (or by another
# tool), never make the JSON invalid.  A PostgreSQL catalog in a UTF-8
# database (the test server's) cannot hold them.
stored_invalid=yes
if [ "$CATALOG_BACKEND" = sqlite ]; then
	sqlite3 "$db" "update services set owner = 'own' || char(255) || CAST(X'C0AF' AS TEXT) where name = 'api';
	update backup_management set backup_location = 'loc' || CAST(X'FF' AS TEXT) where service_name = 'api'"
elif [ "$(catq "$db" "select pg_encoding_to_char(encoding) from pg_database where datname = current_database()")" = UTF8 ]; then
	stored_invalid=no
else
	catq "$db" "update services set owner = E'own\\377\\300\\257' where name = 'api';
	update backup_management set backup_location = E'loc\\377' where service_name = 'api'"
fi
for cmd in "status --json" "backup list --json" "report --format json"; do
	if [ $stored_invalid = no ]; then
		skip "$cmd: valid UTF-8 JSON with a stored invalid byte" "a UTF-8 database refuses such bytes"
		continue
	fi
	# shellcheck disable=SC2086
	"$DR" --catalog "$db" --config "$cfg" $cmd >"$T/out.json" 2>/dev/null
	if python3 -c 'import json, sys; json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))' "$T/out.json" 2>"$T/py.err"; then
		pass "$cmd: valid UTF-8 JSON with a stored invalid byte"
	else
		fail "$cmd: valid UTF-8 JSON with a stored invalid byte" "$(cat "$T/py.err")"
	fi
done
