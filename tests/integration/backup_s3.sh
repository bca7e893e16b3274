# A real S3-compatible server (s3rver, from tests/s3) on loopback: single
# and multipart uploads, listing, ranged gets, deletes by prune, copies
# between buckets; and a scripted proxy (tests/helpers/faultproxy.c) for
# 500s, resets in the middle of an upload and a stalled server.
. "$(dirname "$0")/../lib.sh"
s3dir=$DR_TOP/tests/s3
proxy=$DR_TOP/${BUILD:-build}/tests/helpers/faultproxy
if ! command -v node >/dev/null; then
	skip "S3 tests" "node is not installed"
	exit 0
fi
# Under a lock: the S3 tests run side by side, and one's npm ci must not
# empty node_modules under the other's server.
if ! (
	flock 9
	[ -x "$s3dir/node_modules/.bin/s3rver" ] ||
		(cd "$s3dir" && npm ci --no-audit --no-fund >/dev/null 2>&1)
) 9>"${TMPDIR:-/tmp}/drconsole-s3-npm.lock"; then
	skip "S3 tests" "npm ci in tests/s3 failed (offline?)"
	exit 0
fi
. "$DR_TOP/tests/backup_lib.sh"

mkdir -p "$T/s3"
"$s3dir/node_modules/.bin/s3rver" -d "$T/s3" -a 127.0.0.1 -p 0 \
	--configure-bucket bk --configure-bucket bk2 >"$T/s3.log" 2>&1 &
s3pid=$!
at_exit "kill $s3pid 2>/dev/null; wait $s3pid 2>/dev/null"
port=""
for _ in $(seq 1 100); do
	port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$T/s3.log" | head -n1)
	[ -n "$port" ] && break
	sleep 0.1
done
[ -n "$port" ] || { fail "s3rver starts" "$(cat "$T/s3.log")"; exit 0; }
printf 'AWS_ACCESS_KEY_ID=S3RVER\nAWS_SECRET_ACCESS_KEY=S3RVER\n' >"$T/s3.cred"
chmod 600 "$T/s3.cred"

# start_proxy NAME ACTION...: a fault proxy in front of s3rver; sets
# ${NAME}_port.
start_proxy() {
	local name=$1
	shift
	"$proxy" "$T/$name.port" "$port" "$@" >"$T/$name.log" 2>&1 &
	local pid=$!
	at_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
	for _ in $(seq 1 50); do [ -s "$T/$name.port" ] && break; sleep 0.1; done
	eval "${name}_port=$(cat "$T/$name.port")"
}
start_proxy flaky 500 pass reset:3000000 500 pass 500
start_proxy stall stall stall stall stall stall stall
start_proxy once stall stall stall
start_proxy broken reset:1000000 reset:1000000 reset:1000000 reset:1000000 \
	reset:1000000 reset:1000000 reset:1000000 reset:1000000 reset:1000000

s3repo() { # NAME BUCKET PORT EXTRA
	echo ", \"$1\": { \"url\": \"s3://$2/dr\", \"endpoint\": \"http://127.0.0.1:$3\",
	  \"credentials_file\": \"$T/s3.cred\"$4 }"
}
EXTRA_REPOS="$(s3repo s3 bk "$port" "")$(s3repo s3copy bk2 "$port" "")$(s3repo flaky bk "$flaky_port" ', "retries": 6')$(s3repo stalled bk "$stall_port" ', "retries": 1, "timeout": "2s"')$(s3repo broken bk "$broken_port" ', "retries": 2')$(s3repo once bk "$once_port" ', "retries": 0, "timeout": "2s"')"
big=$T/big.sql
python3 -c '
import random, sys
r = random.Random(3)
for i in range(400000):
    sys.stdout.write("%d\t%032x\t%d\n" % (i, r.getrandbits(128), r.randrange(10**6)))' >"$big"
small=$T/small.txt
echo "a small backup" >"$small"
target() { # NAME REPO FILE [EXTRA]
	echo "\"$1\": { \"service\": \"orders\", \"repository\": \"$2\", \"key_file\": \"$key\",
	  \"source\": { \"kind\": \"file\", \"path\": \"$3\" }${4:-} }"
}
write_config "$(target big s3 "$big" ', "copy_repository": "s3copy"'), $(target small s3 "$small"),
	$(target flaky flaky "$big"), $(target stalled stalled "$small"), $(target broken broken "$big"),
	$(target once once "$small")"

# s3ls BUCKET: object keys, via curl's own SigV4.
s3ls() {
	curl -s --aws-sigv4 "aws:amz:us-east-1:s3" -u S3RVER:S3RVER \
		-H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
		"http://127.0.0.1:$port/$1?list-type=2" | grep -o '<Key>[^<]*</Key>' | sed 's/<[^>]*>//g'
}
key_of() { sql "select json_extract(metadata, '\$.object') from backup_management where backup_id='$1'"; }

# The prune check at the end expects the two small backups in one hour
# (each would be the newest of its own hour otherwise): the test takes
# about 30 s, so it does not start in the last 90 s of an hour.
while [ "$(date -u +%M%S)" -ge 5830 ]; do sleep 1; done

# ---- upload (multipart: the object is over 8 MiB), list, get ----
size=$(stat -c %s "$big")
expect_rc "backup run into S3 (multipart)" 0 dr backup run big
big_id=$(last_id)
[ "$(sql "select backup_size from backup_management where backup_id='$big_id'")" -gt 8388608 ] &&
	pass "the object is larger than one part" || fail "the object is larger than one part"
expect_in "the object is listed in the bucket" "$(s3ls bk)" "dr/$(key_of "$big_id")"
expect_rc "verify reads it back with ranged gets" 0 dr backup verify "$big_id"
expect_rc "restore from S3" 0 dr restore "$big_id" --to "$T/big.restored"
cmp -s "$T/big.restored" "$big" && pass "restored bytes equal the source" || fail "restored bytes equal the source"
expect_rc "a small backup is a single PUT" 0 dr backup run small
small_id=$(last_id)
expect_rc "and restores" 0 dr restore "$small_id" --to "$T/small.restored"
cmp -s "$T/small.restored" "$small" && pass "small restore equals the source" || fail "small restore equals the source"

# ---- the repository module itself: list, get, delete, 3-part upload ----
tool=$DR_TOP/${BUILD:-build}/tests/helpers/repotool
rt() { AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER "$tool" "s3://bk/tool" "http://127.0.0.1:$port" "$@"; }
head -c 20000000 /dev/urandom >"$T/blob"
expect_rc "repo put of 20 MB (three parts)" 0 rt put a/blob <"$T/blob"
echo hi | rt put a/small >/dev/null
echo other | rt put b/other >/dev/null
run rt list a/
expect_eq "repo list by prefix names both objects with sizes" "$OUT" "a/blob 20000000
a/small 3"
rt get a/blob >"$T/blob.back"
cmp -s "$T/blob" "$T/blob.back" && pass "repo get returns the multipart object byte for byte" ||
	fail "repo get returns the multipart object byte for byte"
expect_rc "repo rm" 0 rt rm a/blob
run rt list a/
expect_eq "the removed object is no longer listed" "$OUT" "a/small 3"
expect_rc "get of a missing object fails" 1 rt get a/blob

# ---- copy between buckets ----
expect_rc "copy to the second bucket" 0 dr copy --target big
expect_in "the copy is in bk2" "$(s3ls bk2)" "dr/$(key_of "$big_id")"

# ---- faults ----
expect_rc "500s and a reset mid-upload are retried: the backup completes" 0 dr backup run flaky
flaky_id=$(last_id)
expect_in "the proxy really injected a reset" "$(cat "$T/flaky.log")" "reset:3000000"
expect_rc "the object that went through the faults verifies" 0 dr backup verify "$flaky_id"

run dr backup run stalled
expect_eq "a stalled server fails the backup after its retries" "$RC" 1
expect_in "with a timeout message" "$ERR" "after 2 attempts"
stalled_id=$(last_id)
expect_eq "its row is failed" "$(status_of "$stalled_id")" failed
expect_not_in "and no object was written" "$(s3ls bk)" "$(key_of "$stalled_id")"

run dr backup run once
expect_eq "\"retries\": 0 fails at the first stall" "$RC" 1
expect_in "after one attempt, not the default's six" "$ERR" "(after 1 attempt in "

run dr backup run broken
expect_eq "resets on every connection fail the backup" "$RC" 1
broken_id=$(last_id)
expect_eq "no completed row for the incomplete object" "$(status_of "$broken_id")" failed
expect_not_in "and no object is visible" "$(s3ls bk)" "$(key_of "$broken_id")"

# ---- wrong credentials: refused at once, not retried ----
printf 'AWS_ACCESS_KEY_ID=NOBODY\nAWS_SECRET_ACCESS_KEY=S3RVER\n' >"$T/s3.cred"
run dr backup run small
expect_eq "an unknown access key fails" "$RC" 1
expect_in "with the server's message" "$ERR" "HTTP 403: The AWS Access Key Id you provided does not exist"
printf 'AWS_ACCESS_KEY_ID=S3RVER\nAWS_SECRET_ACCESS_KEY=S3RVER\n' >"$T/s3.cred"

# ---- delete: prune removes expired objects from the bucket ----
dr backup run small >/dev/null
expect_rc "prune" 0 dr prune
expect_eq "the older small backup is expired" "$(status_of "$small_id")" expired
expect_not_in "and deleted from the bucket" "$(s3ls bk)" "$(key_of "$small_id")"
