# record backup / record replication: validation, and nothing written on
# bad input.
# catalogs: sqlite postgresql
. "$(dirname "$0")/../lib.sh"
export DRCONSOLE_NOW=2026-11-22T12:00:00Z
db=$(cat_url c)
"$DR" --catalog "$db" init >/dev/null 2>&1
"$DR" --catalog "$db" service add orders-db --tier critical >/dev/null
sum=$(printf x | sha256sum | cut -d' ' -f1)
rows() { catq "$db" "select count(*) from backup_management"; }
audits() { catq "$db" "select count(*) from audit_log"; }

expect_rc "a good record" 0 "$DR" --catalog "$db" record backup --service orders-db \
	--type full --status completed --size 1000 --checksum "$sum" \
	--location s3://b/k --started now-10m --completed now-2m
id=$OUT
expect_eq "it prints the backup id" "${#id}" 36
expect_eq "one row" "$(rows)" 1
expect_eq "health is healthy" "$(catq "$db" "select health_status from backup_health_monitoring where service_name='orders-db'")" healthy
n0=$(audits)

bad() { # NAME NEEDLE ARGS...
	local name=$1 needle=$2
	shift 2
	run "$DR" --catalog "$db" record backup "$@"
	if [ "$RC" -eq 2 ] && grep -qF -- "$needle" <<<"$ERR" && [ "$(rows)" = 1 ] && [ "$(audits)" = "$n0" ]; then
		pass "$name: exit 2, says so, writes nothing"
	else
		fail "$name" "rc=$RC rows=$(rows) audits=$(audits)" "stderr: $ERR"
	fi
}
bad "unknown service" "unknown service 'nope'" --service nope --size 1
bad "malformed checksum" "64 hexadecimal" --service orders-db --checksum abc123
bad "checksum with a non-hex digit" "64 hexadecimal" --service orders-db --checksum "${sum:0:63}g"
bad "end before start" "before --started" --service orders-db --started now-1m --completed now-5m
bad "negative size" "cannot be negative" --service orders-db --size -5
bad "size not a number" "whole number" --service orders-db --size 12kb
bad "unknown type" "not one of" --service orders-db --type snapshot
bad "unknown status" "not one of" --service orders-db --status done
bad "bad time" "--started" --service orders-db --started yesterday
bad "impossible date" "--completed" --service orders-db --completed 2026-02-30T00:00:00Z
bad "missing service" "--service is required" --size 1
bad "bad metadata JSON" "--metadata:1:" --service orders-db --metadata '{"a":'
bad "bad id" "--id" --service orders-db --id not-a-uuid
# Times lie in 1970..9999, whatever the form: a far-past one used to be
# stored as 9999-12-31 and slip past the end-before-start check.
bad "a far-past start" "--started: @-99999999999999: out of range (expected a time from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z)" \
	--service orders-db --started @-99999999999999 --completed now
bad "a start before 1970" "--started: 0999-01-01: out of range" --service orders-db --started 0999-01-01
bad "a completion past 9999" "--completed: @253402300800: out of range" --service orders-db --completed @253402300800
bad "a duration before 1970" "--started: now-3000w: out of range" --service orders-db --started now-3000w
bad "a retention past 9999" "--retention-until: @99999999999999: out of range" --service orders-db --retention-until @99999999999999
run env DRCONSOLE_NOW=@-99999999999999 "$DR" --catalog "$db" record backup --service orders-db
expect_eq "a pinned clock out of range is exit 2" "$RC" 2
expect_in "naming the variable and the value" "$ERR" "DRCONSOLE_NOW: @-99999999999999: out of range"
expect_eq "and writes nothing" "$(rows)" 1
run env DRCONSOLE_NOW=soon "$DR" --catalog "$db" status
expect_eq "a pinned clock that is no time is exit 2" "$RC" 2
expect_in "naming it" "$ERR" "DRCONSOLE_NOW: soon: not a time"

# A failed backup moves health; three make it critical.
for i in 1 2 3; do
	"$DR" --catalog "$db" record backup --service orders-db --status failed \
		--started now-${i}m >/dev/null
	want=$([ $i = 1 ] && echo degraded || { [ $i = 2 ] && echo warning || echo critical; })
	expect_eq "after $i failure(s) health is $want" \
		"$(catq "$db" "select health_status from backup_health_monitoring where service_name='orders-db'")" "$want"
done
"$DR" --catalog "$db" record backup --service orders-db --status completed --started now-1m >/dev/null
expect_eq "a success resets it" \
	"$(catq "$db" "select health_status||','||failure_count from backup_health_monitoring where service_name='orders-db'")" "healthy,0"

# running -> completed through --id
uuid=0b0d6c1e-5f0a-4c1e-9a51-3f1b2c3d4e5f
expect_rc "report a running backup" 0 "$DR" --catalog "$db" record backup --service orders-db --id $uuid --status running --started now-3m
expect_rc "then complete it" 0 "$DR" --catalog "$db" record backup --service orders-db --id $uuid --status completed --started now-3m --completed now
expect_eq "one row for that id, completed" "$(catq "$db" "select count(*)||min(backup_status) from backup_management where backup_id='$uuid'")" "1completed"

# An id belongs to its service: reporting it for another one is refused
# and changes nothing (it used to move the backup to the other service).
"$DR" --catalog "$db" service add billing --tier standard >/dev/null
n_audit=$(audits)
before=$(catq "$db" "select service_name, backup_status, completed_at from backup_management where backup_id='$uuid'")
health=$(catq "$db" "select service_name, health_status, failure_count, backup_streak from backup_health_monitoring order by 1")
run "$DR" --catalog "$db" record backup --service billing --id $uuid --status failed --started now-1m
expect_eq "another service's id is exit 2" "$RC" 2
expect_in "naming both services" "$ERR" "is a backup of service 'orders-db', not of 'billing'"
expect_eq "the backup stays where it was, as it was" \
	"$(catq "$db" "select service_name, backup_status, completed_at from backup_management where backup_id='$uuid'")" "$before"
expect_eq "no health changes" \
	"$(catq "$db" "select service_name, health_status, failure_count, backup_streak from backup_health_monitoring order by 1")" "$health"
expect_eq "and nothing is audited" "$(audits)" "$n_audit"

# replication
expect_rc "record replication" 0 "$DR" --catalog "$db" record replication --service orders-db \
	--source pg1 --target pg2 --lag 3s --lag-bytes 123456
expect_eq "the sample is stored" "$(catq "$db" "select count(*) from replication_history where lag_bytes=123456")" 1
expect_rc "replication without target" 2 "$DR" --catalog "$db" record replication --source pg1
expect_rc "replication with a bad lag" 2 "$DR" --catalog "$db" record replication --source a --target b --lag fast
run "$DR" --catalog "$db" record replication --source a --target b --at @-99999999999999
expect_eq "replication at a far-past time is exit 2" "$RC" 2
expect_in "naming the value" "$ERR" "--at: @-99999999999999: out of range"
expect_rc "replication with a bad state" 2 "$DR" --catalog "$db" record replication --source a --target b --state sleepy
expect_rc "replication for an unknown service" 2 "$DR" --catalog "$db" record replication --source a --target b --service nope
missing=$(cat_url missing)
expect_rc "a catalog named by hand must exist" 1 "$DR" --catalog "$missing" record backup --service x
if [ "$CATALOG_BACKEND" = sqlite ]; then
	[ ! -e "$missing" ] && pass "and is not created by record" || fail "and is not created by record"
else
	expect_rc "and is not created by record" 1 "$DR" --catalog "$missing" status
fi

# The newest good backup follows status changes: marking the newest one
# corrupt makes the one before it the recovery point again.
db2=$(cat_url n)
"$DR" --catalog "$db2" init >/dev/null
"$DR" --catalog "$db2" service add pay --tier standard >/dev/null
"$DR" --catalog "$db2" record backup --service pay --started now-50m --completed now-45m >/dev/null
newest=$("$DR" --catalog "$db2" record backup --service pay --started now-10m --completed now-5m)
age() { "$DR" --catalog "$db2" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["services"][0]["rpo"]["age_s"])'; }
expect_eq "recovery point is the newest backup" "$(age)" 300
"$DR" --catalog "$db2" record backup --service pay --id "$newest" --status corrupt --started now-10m --completed now-5m >/dev/null
expect_eq "after it is marked corrupt, the one before counts" "$(age)" 2700
"$DR" --catalog "$db2" service remove pay --purge >/dev/null
expect_eq "purging a service leaves no summary row behind" "$(catq "$db2" 'select count(*) from backup_newest')" 0
expect_rc "a running backup cannot have completed" 2 "$DR" --catalog "$db" record backup --service orders-db --status running --completed now

# An update by --id without --started keeps when the backup started: health
# orders attempts by their own start, so a failure between the start and
# the completion still counts (found by tests/scenario).
db3=$(cat_url u)
export DRCONSOLE_NOW=2026-11-01T00:00:00Z
"$DR" --catalog "$db3" init >/dev/null
"$DR" --catalog "$db3" service add s --tier standard >/dev/null
id=$("$DR" --catalog "$db3" record backup --service s --status running --started now-50m)
"$DR" --catalog "$db3" record backup --service s --status failed --started now-30m --completed now-29m >/dev/null
"$DR" --catalog "$db3" record backup --service s --id "$id" --status completed --completed now-1m --size 10 >/dev/null
expect_eq "the update kept the recorded start" \
	"$(catq "$db3" "select started_at from backup_management where backup_id = '$id'")" "2026-10-31T23:10:00Z"
expect_eq "so the failure after that start still counts" \
	"$("$DR" --catalog "$db3" status --json | python3 -c 'import json,sys; h=json.load(sys.stdin)["services"][0]["health"]; print(h["status"], h["failure_count"])')" "degraded 1"
expect_rc "a completion before the recorded start is refused" 2 \
	"$DR" --catalog "$db3" record backup --service s --id "$id" --status completed --completed now-55m
expect_in "naming both times" "$ERR" "before the backup's start (2026-10-31T23:10:00Z)"
expect_eq "and changes nothing" \
	"$(catq "$db3" "select completed_at from backup_management where backup_id = '$id'")" "2026-10-31T23:59:00Z"
unset DRCONSOLE_NOW
