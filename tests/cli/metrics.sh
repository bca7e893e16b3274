# drconsole metrics: the Prometheus text format, checked by promtool, on the
# demo estate and on a catalog where most values are unknown.
# catalogs: sqlite postgresql
. "$(dirname "$0")/../lib.sh"
export DRCONSOLE_NOW=2026-11-22T12:00:00Z
command -v promtool >/dev/null || { skip "promtool check metrics" "promtool not installed (.ci/deps test)"; exit 0; }
demo=$(cat_url demo)
"$DR" demo --catalog "$demo" >/dev/null

expect_rc "metrics on the demo" 0 "$DR" --catalog "$demo" metrics
m=$OUT
printf '%s\n' "$m" >"$T/demo.prom"
run promtool check metrics <"$T/demo.prom"
expect_eq "promtool check metrics passes on the demo" "$RC $OUT$ERR" "0 "
expect_eq "one HELP and one TYPE per family" \
	"$(grep -c '^# HELP' <<<"$m") $(grep '^# TYPE' <<<"$m" | awk '{print $3}' | sort | uniq -d | wc -l)" \
	"$(grep -c '^# TYPE' <<<"$m") 0"
expect_in "the overall verdict is BREACH (2)" "$m" $'\ndrconsole_verdict 2\n'
expect_in "per service, its verdict" "$m" 'drconsole_service_verdict{service="ledger-db"} 2'
expect_in "the at-risk one reads 1" "$m" 'drconsole_service_verdict{service="search-index"} 1'
expect_in "RPO target in seconds" "$m" 'drconsole_rpo_target_seconds{service="orders-db"} 300'
expect_in "health as one gauge per status" "$m" 'drconsole_backup_health{service="ledger-db",status="critical"} 1'
expect_in "the other statuses read 0" "$m" 'drconsole_backup_health{service="ledger-db",status="healthy"} 0'
expect_in "counters end in _total" "$m" '# TYPE drconsole_backup_attempts_total counter'
expect_in "replication lag per link, with its kind" "$m" 'drconsole_replication_lag_bytes{service="orders-db",source="orders-db-primary",target="orders-db-replica",kind="replica"}'
expect_in "the down replica's lag is NaN, not missing" "$m" 'drconsole_replication_lag_seconds{service="ledger-db",source="ledger-db-primary",target="ledger-db-replica",kind="replica"} NaN'
run "$DR" --catalog "$demo" status --json
want=$(python3 -c "import json,sys; d=json.load(sys.stdin); print([s for s in d['services'] if s['name']=='orders-db'][0]['rpo']['age_s'])" <<<"$OUT")
expect_in "the RPO age is status --json's" "$m" "drconsole_rpo_age_seconds{service=\"orders-db\"} $want"
expect_in "the catalog's last change is a timestamp" "$m" 'drconsole_catalog_last_change_timestamp_seconds 17'

# Unknown values stay as NaN series; label values are escaped.
db=$(cat_url u)
"$DR" --catalog "$db" init >/dev/null
"$DR" --catalog "$db" service add bare --tier critical >/dev/null
"$DR" --catalog "$db" service add failing --tier low >/dev/null
"$DR" --catalog "$db" record backup --service failing --status failed --started now-5m >/dev/null
# A line break in a name is refused at the door (it would split a row);
# a quote and a backslash are escaped in the label.
expect_rc "a target with a line break is refused" 2 "$DR" --catalog "$db" record replication --service bare --source pri --target $'rep\nlica' --state down
"$DR" --catalog "$db" record replication --service bare --source 'pri"m\ary' --target 'rep\lica' --state down >/dev/null
expect_rc "metrics on a catalog of unknowns" 0 "$DR" --catalog "$db" metrics
m=$OUT
printf '%s\n' "$m" >"$T/u.prom"
run promtool check metrics <"$T/u.prom"
expect_eq "promtool check metrics passes on it too" "$RC $OUT$ERR" "0 "
for fam in backup_last_success_timestamp_seconds rpo_age_seconds rto_estimate_seconds restore_test_last_timestamp_seconds; do
	expect_in "no good backup: drconsole_$fam is NaN, not missing" "$m" "drconsole_$fam{service=\"bare\"} NaN"
done
expect_in "a failed backup counts as an attempt" "$m" 'drconsole_backup_attempts_total{service="failing"} 1'
expect_in "and as a consecutive failure" "$m" 'drconsole_backup_consecutive_failures{service="failing"} 1'
expect_in "label values escaped (\\ \")" "$m" 'source="pri\"m\\ary",target="rep\\lica"'
expect_in "an unmeasured lag is NaN" "$m" 'drconsole_replication_lag_bytes{service="bare",source="pri\"m\\ary",target="rep\\lica",kind="replica"} NaN'

# An empty catalog: every family, no service series, NaN verdict.
"$DR" --catalog "$(cat_url e)" init >/dev/null
run "$DR" --catalog "$(cat_url e)" metrics
expect_in "no services: the verdict is NaN" "$OUT" $'\ndrconsole_verdict NaN\n'
printf '%s\n' "$OUT" | promtool check metrics >/dev/null 2>&1 && pass "promtool passes on an empty catalog" || fail "promtool passes on an empty catalog"
expect_rc "metrics on a missing catalog fails" 1 "$DR" --catalog "$(cat_url none)" metrics
expect_rc "metrics takes no arguments" 2 "$DR" --catalog "$demo" metrics extra
