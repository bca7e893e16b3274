#!/usr/bin/env bash
# The catalog conformance test (tests/unit/db/catalog_conformance_test.c)
# against a real PostgreSQL: the same cases the SQLite catalog passes, each
# on an empty database of its own.
. "$(dirname "$0")/../lib.sh"
. "$DR_TOP/tests/pg_server.sh"
bin=$DR_TOP/${BUILD:-build}/tests/db/catalog_conformance_test
# Each case's catalog is a database the backend makes when it is opened
# with CATALOG_CREATE, as `drconsole init` would (drtest may CREATEDB).
out=$(DR_TEST_CATALOG="$PGURL/drtest_{n}" CMOCKA_MESSAGE_OUTPUT=TAP timeout 300 "$bin" 2>&1)
echo "# exit $? of the conformance test"
# Only this test's own lines reach the log: the runner counts them.
# Its TAP lines, as this test's own.
while IFS= read -r line; do
	case $line in
	"ok "*) pass "postgresql: ${line#ok * - }" ;;
	"not ok "*) fail "postgresql: ${line#not ok * - }" "$(grep -A6 -F -- "$line" <<<"$out" | tail -n +2 | sed 's/^/  /')" ;;
	esac
done <<<"$out"
grep -q '^ok \|^not ok ' <<<"$out" || fail "the conformance test ran" "$out"
