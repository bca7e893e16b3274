# A hung S3 server is given up on within the repository's request limit
# ("request_limit", core/s3_budget.h), retries and the abort included: a
# real s3rver stopped with SIGSTOP (it accepts connections and never
# answers), and the fault proxy's stall in the middle of a multipart upload.
# The stall limit is left at its default of 30 s, so only the request limit
# can end an attempt in time.  The bounds asserted are three times the
# limit, so a loaded machine does not make the test fail.
. "$(dirname "$0")/../lib.sh"
s3dir=$DR_TOP/tests/s3
proxy=$DR_TOP/${BUILD:-build}/tests/helpers/faultproxy
if ! command -v node >/dev/null; then
	skip "S3 hang tests" "node is not installed"
	exit 0
fi
# Under a lock: the S3 tests run side by side, and one's npm ci must not
# empty node_modules under the other's server.
if ! (
	flock 9
	[ -x "$s3dir/node_modules/.bin/s3rver" ] ||
		(cd "$s3dir" && npm ci --no-audit --no-fund >/dev/null 2>&1)
) 9>"${TMPDIR:-/tmp}/drconsole-s3-npm.lock"; then
	skip "S3 hang tests" "npm ci in tests/s3 failed (offline?)"
	exit 0
fi
. "$DR_TOP/tests/backup_lib.sh"

mkdir -p "$T/s3"
"$s3dir/node_modules/.bin/s3rver" -d "$T/s3" -a 127.0.0.1 -p 0 \
	--configure-bucket bk >"$T/s3.log" 2>&1 &
s3pid=$!
at_exit "kill -CONT $s3pid 2>/dev/null; kill $s3pid 2>/dev/null; wait $s3pid 2>/dev/null"
port=""
for _ in $(seq 1 100); do
	port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$T/s3.log" | head -n1)
	[ -n "$port" ] && break
	sleep 0.1
done
[ -n "$port" ] || { fail "s3rver starts" "$(cat "$T/s3.log")"; exit 0; }
printf 'AWS_ACCESS_KEY_ID=S3RVER\nAWS_SECRET_ACCESS_KEY=S3RVER\n' >"$T/s3.cred"
chmod 600 "$T/s3.cred"

# The initiate passes; the first part and everything after it stall.
"$proxy" "$T/mp.port" "$port" pass stall stall stall stall stall stall stall \
	stall stall stall stall >"$T/mp.log" 2>&1 &
mppid=$!
at_exit "kill $mppid 2>/dev/null; wait $mppid 2>/dev/null"
for _ in $(seq 1 50); do [ -s "$T/mp.port" ] && break; sleep 0.1; done
mp_port=$(cat "$T/mp.port")

limit=6
s3repo() { # NAME PORT
	echo ", \"$1\": { \"url\": \"s3://bk/dr\", \"endpoint\": \"http://127.0.0.1:$2\",
	  \"credentials_file\": \"$T/s3.cred\", \"request_limit\": \"${limit}s\" }"
}
EXTRA_REPOS="$(s3repo s3 "$port")$(s3repo mp "$mp_port")"
small=$T/small.txt
echo "a small backup" >"$small"
head -c 9000000 /dev/urandom >"$T/big"
write_config "\"small\": { \"service\": \"orders\", \"repository\": \"s3\", \"key_file\": \"$key\",
	  \"source\": { \"kind\": \"file\", \"path\": \"$small\" } },
	\"local\": { \"service\": \"app\", \"repository\": \"local\", \"copy_repository\": \"s3\",
	  \"source\": { \"kind\": \"file\", \"path\": \"$small\" } },
	\"big\": { \"service\": \"orders\", \"repository\": \"mp\",
	  \"source\": { \"kind\": \"file\", \"path\": \"$T/big\" } }"
completed() { sql "select count(*) from backup_management where backup_status in ('completed','verified') and service_name='$1'"; }

expect_rc "config check accepts request_limit" 0 dr config check
expect_rc "a backup into the live server" 0 dr backup run small
expect_eq "one completed backup" "$(completed orders)" 1

# ---- a real hang: s3rver stopped ----
kill -STOP "$s3pid"
start=$SECONDS
run dr backup run small
took=$((SECONDS - start))
expect_eq "the backup into a stopped server fails" "$RC" 1
[ "$took" -lt $((3 * limit)) ] && pass "within the request limit (took ${took}s, limit ${limit}s)" ||
	fail "within the request limit (took ${took}s, limit ${limit}s)"
expect_in "the error names the limit" "$ERR" "stopped by the request limit of ${limit}s"
expect_in "and the attempts it made" "$ERR" "(after 1 attempt in"
hung_id=$(last_id)
expect_eq "its row is failed" "$(status_of "$hung_id")" failed
expect_eq "still one completed backup" "$(completed orders)" 1

# A copy into the stopped server is bounded the same way.
expect_rc "a backup into the file repository" 0 dr backup run local
start=$SECONDS
run dr copy --target local
took=$((SECONDS - start))
expect_eq "the copy into a stopped server fails" "$RC" 1
[ "$took" -lt $((3 * limit)) ] && pass "the copy fails within the limit (took ${took}s)" ||
	fail "the copy fails within the limit (took ${took}s)"
expect_in "naming the limit" "$ERR$OUT" "request limit of ${limit}s"

kill -CONT "$s3pid"
expect_rc "once the server runs again the next backup succeeds" 0 dr backup run small
expect_eq "two completed backups" "$(completed orders)" 2
expect_rc "and the copy too" 0 dr copy --target local

# ---- a stall in the middle of a multipart upload, and in its abort ----
start=$SECONDS
run dr backup run big
took=$((SECONDS - start))
expect_eq "a multipart upload whose part stalls fails" "$RC" 1
[ "$took" -lt $((3 * limit)) ] && pass "part and abort within the limit (took ${took}s)" ||
	fail "part and abort within the limit (took ${took}s)"
expect_in "the part was the request that stalled" "$ERR" "PUT "
[ "$(grep -c stall "$T/mp.log")" -ge 2 ] && pass "the part and the abort both reached the proxy" ||
	fail "the part and the abort both reached the proxy" "$(cat "$T/mp.log")"
expect_eq "its row is failed" "$(status_of "$(last_id)")" failed
expect_eq "no completed backup from it" "$(completed orders)" 2
