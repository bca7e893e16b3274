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
	rm -rf "$T"
}
trap _run_cleanups EXIT

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
