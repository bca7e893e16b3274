# kill -9 during `record`, again and again: the catalog stays intact and no
# half-written change exists (a backup row always comes with its audit row
# and its effect on the health row, or not at all).
# catalogs: sqlite (kill -9 against the SQLite file and its integrity_check)
. "$(dirname "$0")/../lib.sh"
db=$T/c.db
"$DR" --catalog "$db" init >/dev/null
"$DR" --catalog "$db" service add crashy --tier standard >/dev/null
rounds=${CRASH_ROUNDS:-60}
bad=0
for i in $(seq 1 "$rounds"); do
	"$DR" --catalog "$db" record backup --service crashy --status completed \
		--size $i --started now-1m >/dev/null 2>&1 &
	pid=$!
	# Land the kill at a different moment each round: 0 to 6 ms.
	sleep "0.00$((RANDOM % 7))"
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	ic=$(sqlite3 "$db" 'pragma integrity_check' 2>&1)
	[ "$ic" = ok ] || { bad=$((bad + 1)); echo "# round $i: integrity_check: $ic"; }
	counts=$(sqlite3 "$db" "select (select count(*) from backup_management),
		(select count(*) from audit_log where action='backup.record'),
		(select backup_streak from backup_health_monitoring where service_name='crashy')")
	IFS='|' read -r b a s <<<"$counts"
	if [ "$b" != "$a" ] || [ "$b" != "$s" ]; then
		bad=$((bad + 1))
		echo "# round $i: backups=$b audit rows=$a streak=$s"
	fi
done
# A round whose backup is not in the catalog was killed before it
# committed; the others finished first.
killed=$((rounds - $(sqlite3 "$db" 'select count(*) from backup_management')))
echo "# $rounds rounds, $killed killed before they committed"
expect_eq "after $rounds kill -9 rounds: catalog intact, no half-written record" "$bad" 0
[ "$killed" -ge 5 ] && pass "rounds were really interrupted ($killed of $rounds)" ||
	fail "rounds were really interrupted" "only $killed of $rounds"
expect_rc "the audit chain still verifies" 0 "$DR" --catalog "$db" audit verify
