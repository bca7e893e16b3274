# Shared helpers for scripted tests.  A test file sources this, then calls
# the checks below; each prints one TAP line ("ok - name" / "not ok - name")
# that tests/run counts.  Every file gets its own scratch directory and its
# own XDG directories, so nothing touches the user's catalog.
set -u
DR_TOP=${DR_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
DR=${DR_BIN:-$DR_TOP/build/drconsole}
T=$(mktemp -d "${TMPDIR:-/tmp}/drtest.XXXXXX")
export HOME=$T/home XDG_DATA_HOME=$T/data XDG_CONFIG_HOME=$T/config
mkdir -p "$HOME"
unset DRCONSOLE_CATALOG DRCONSOLE_NOW NO_COLOR
_cleanups=()
at_exit() { _cleanups+=("$1"); }
_run_cleanups() {
	local c
	for c in "${_cleanups[@]}"; do eval "$c"; done
	_cat_drop_all
	rm -rf "$T"
}
trap _run_cleanups EXIT

# Catalogs on either backend.  A tests/cli or tests/tui file that says
# "# catalogs: sqlite postgresql" in the comment at its top is run by tests/run a
# second time with DRCONSOLE_TEST_CATALOG set to a PostgreSQL server's
# address (postgresql://drtest@127.0.0.1:PORT, its password in
# PGPASSFILE); the same body then serves both backends through these:
#   CATALOG_BACKEND      sqlite or postgresql
#   cat_url NAME         prints the address of a catalog of this test
#                        called NAME, not made yet: $T/NAME.db, or a
#                        database of this test's own on the server
#                        (created by drconsole as a new file would be,
#                        dropped at exit)
#   catq ADDR SQL        runs SQL in the catalog at ADDR and prints the
#                        rows as sqlite3 does ('|' between values); write
#                        SQL both accept ('strings', no SQLite functions)
#   cat_demo ADDR [ARG...]  drconsole demo into ADDR
#   cat_sum ADDR         prints a checksum of all the catalog holds (the
#                        file and its WAL, or every table's rows), for
#                        "and nothing changed"
#   cat_json COL PATH    prints the SQL for the JSON value at PATH (a.b)
#                        in the text column COL, as text or NULL (a
#                        boolean is 1/0 in SQLite, true/false in PG)
#   sqlite_only NAME     under PostgreSQL prints one skip ("NAME: only
#                        about an SQLite file") and returns 1, else 0:
#                        `if sqlite_only "..."; then CHECKS; fi`
# Under PostgreSQL the default catalog (no --catalog) is a database of the
# test's own too: DRCONSOLE_CATALOG names it.  Not being the default path,
# it is not made on first use; `drconsole init` makes it.
_cat_prefix=
if [ -n "${DRCONSOLE_TEST_CATALOG:-}" ]; then
	CATALOG_BACKEND=postgresql
	_cat_prefix=$(basename "$(dirname "$0")")_$(basename "$0" .sh)
	_cat_prefix=dt_$(tr -c 'a-z0-9_\n' _ <<<"${_cat_prefix,,}" | cut -c1-36)_$$_
else
	CATALOG_BACKEND=sqlite
fi
_PSQL=${PGBIN:-/usr/lib/postgresql/15/bin}/psql
[ -x "$_PSQL" ] || _PSQL=psql
cat_url() {
	if [ "$CATALOG_BACKEND" = sqlite ]; then
		echo "$T/$1.db"
		return
	fi
	local name
	name=$(tr -c 'a-z0-9_\n' _ <<<"${1,,}")
	echo "${DRCONSOLE_TEST_CATALOG%/}/$_cat_prefix$name"
}
catq() { # catq ADDR SQL
	case $1 in
	postgresql://* | postgres://*)
		"$_PSQL" "$1" -XAtq -v ON_ERROR_STOP=1 -c "$2"
		;;
	*) sqlite3 "$1" "$2" ;;
	esac
}
cat_demo() { # cat_demo ADDR [ARG...]
	local addr=$1
	shift
	"$DR" demo --catalog "$addr" "$@"
}
# cat_sum on a server: a query that writes the one psql then runs
# (\gexec), a SELECT per table of its rows' hash, rows in any order.
_cat_sum_sql="SELECT string_agg(format(
    'SELECT %L, md5(coalesce(string_agg(t::text, chr(10) ORDER BY t::text), %L)) FROM %I.%I t',
    table_schema || '.' || table_name, '', table_schema, table_name), ' UNION ALL '
    ORDER BY table_schema, table_name) || ' ORDER BY 1'
  FROM information_schema.tables
  WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')"
cat_sum() { # cat_sum ADDR
	case $1 in
	postgresql://* | postgres://*)
		# Every table's rows in one psql (pg_dump takes 0.4 s); a sum
		# that fails is never the same as another.
		{ printf '%s \\gexec\n' "$_cat_sum_sql" |
			"$_PSQL" "$1" -XAtq -v ON_ERROR_STOP=1 || echo "failed: $RANDOM$RANDOM"; } | sha256sum
		;;
	*) cat "$1" "$1-wal" 2>/dev/null | sha256sum ;;
	esac
}
cat_json() { # cat_json COLUMN PATH
	if [ "$CATALOG_BACKEND" = sqlite ]; then
		echo "json_extract($1, '\$.$2')"
	else
		echo "(($1)::jsonb #>> '{${2//./,}}')"
	fi
}
sqlite_only() {
	[ "$CATALOG_BACKEND" = sqlite ] && return 0
	skip "$1" "only about an SQLite file"
	return 1
}
_cat_drop_all() {
	[ -n "$_cat_prefix" ] || return 0
	local db
	for db in $("$_PSQL" "${DRCONSOLE_TEST_CATALOG%/}/postgres" -XAtq -c \
		"SELECT datname FROM pg_database WHERE left(datname, ${#_cat_prefix}) = '$_cat_prefix'" 2>/dev/null); do
		"$_PSQL" "${DRCONSOLE_TEST_CATALOG%/}/postgres" -XAtq \
			-c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1
	done
}
if [ "$CATALOG_BACKEND" = postgresql ]; then
	DRCONSOLE_CATALOG=$(cat_url catalog)
	export DRCONSOLE_CATALOG
fi

_n=0
pass() { _n=$((_n + 1)); echo "ok $_n - $1"; }
fail() {
	_n=$((_n + 1))
	echo "not ok $_n - $1"
	shift
	local l
	for l in "$@"; do printf '#   %s\n' "$l"; done
}
skip() { _n=$((_n + 1)); echo "ok $_n - $1 # SKIP $2"; }

# run CMD...: runs it, keeps stdout in $OUT, stderr in $ERR, status in $RC.
run() {
	OUT=$("$@" 2>"$T/.err")
	RC=$?
	ERR=$(cat "$T/.err")
}

# expect_rc NAME CODE CMD...
expect_rc() {
	local name=$1 code=$2
	shift 2
	run "$@"
	if [ "$RC" -eq "$code" ]; then pass "$name"; else
		fail "$name" "expected exit $code, got $RC: $*" "stdout: ${OUT:0:600}" "stderr: ${ERR:0:600}"
	fi
}

# expect_in NAME HAYSTACK NEEDLE: HAYSTACK contains NEEDLE (fixed string)
expect_in() {
	if grep -qF -- "$3" <<<"$2"; then pass "$1"; else
		fail "$1" "expected to find: $3" "in: ${2:0:1200}"
	fi
}

# expect_not_in NAME HAYSTACK NEEDLE
expect_not_in() {
	if grep -qF -- "$3" <<<"$2"; then
		fail "$1" "did not expect: $3" "in: ${2:0:1200}"
	else pass "$1"; fi
}

# expect_eq NAME GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else
		fail "$1" "got:  $2" "want: $3"
	fi
}

# wait_for SECONDS CMD...: until CMD succeeds (checked every 0.1 s); 1 when
# it never did.
wait_for() {
	local n=$(($1 * 10))
	shift
	while [ $n -gt 0 ]; do "$@" && return 0; sleep 0.1; n=$((n - 1)); done
	return 1
}
