# A real PostgreSQL, started by the test as an unprivileged user on a
# loopback port: pg_dump -Fc through the backup pipeline (encrypted), then
# pg_restore from `drconsole restore --to-command` into a new database; row
# counts and a checksum of the data must match.
. "$(dirname "$0")/../lib.sh"
pgbin=/usr/lib/postgresql/15/bin
if [ ! -x "$pgbin/initdb" ] || ! command -v pg_dump >/dev/null; then
	skip "PostgreSQL round trip" "PostgreSQL 15 server binaries are not installed"
	exit 0
fi
. "$DR_TOP/tests/backup_lib.sh"

# The server runs as nobody (PostgreSQL refuses root) from a directory it
# owns inside this test's scratch directory.
pg=$T/pg
mkdir -p "$pg/sock"
chmod 711 "$T"
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi; }
[ "$(id -u)" -eq 0 ] && chown -R nobody "$pg"
as_pg "$pgbin/initdb" -D "$pg/data" -U postgres -A trust --no-sync >"$T/initdb.log" 2>&1 ||
	{ fail "initdb" "$(tail -5 "$T/initdb.log")"; exit 0; }
started=0
for attempt in 1 2 3 4 5; do
	port=$((20000 + RANDOM % 20000))
	if as_pg "$pgbin/pg_ctl" -D "$pg/data" -l "$pg/log" -w -t 30 \
		-o "-c listen_addresses=127.0.0.1 -p $port -k $pg/sock -c fsync=off" start >/dev/null 2>&1; then
		started=1
		break
	fi
done
[ "$started" -eq 1 ] || { fail "PostgreSQL starts" "$(tail -5 "$pg/log")"; exit 0; }
at_exit "as_pg '$pgbin/pg_ctl' -D '$pg/data' -m immediate stop >/dev/null 2>&1"
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres
psql -q -d postgres -c "create database shop" >/dev/null
psql -q -d shop >/dev/null <<'SQL'
create table customers (id int primary key, name text not null);
create table orders (id bigint primary key, customer int references customers,
                     amount numeric(12,2), note text, placed timestamptz);
insert into customers select i, 'customer ' || i from generate_series(1, 2000) i;
insert into orders select i, 1 + i % 2000, (i * 7919 % 100000) / 100.0,
       repeat(md5(i::text), 1 + i % 4), '2026-01-01'::timestamptz + i * interval '1 minute'
  from generate_series(1, 60000) i;
SQL
digest() { # DB: row counts and a checksum of every row, in order
	psql -At -d "$1" -c "select (select count(*) from customers), (select count(*) from orders),
		md5((select string_agg(c::text, ',' order by id) from customers c) ||
		    (select string_agg(o::text, ',' order by id) from orders o))"
}
want=$(digest shop)

write_config '
  "shop-db": { "service": "orders", "repository": "local", "key_file": "'"$key"'",
               "source": { "kind": "command", "argv": ["pg_dump", "-Fc", "--no-owner"],
                           "env": { "PGDATABASE": "shop" } },
               "restore_test": { "argv": ["pg_restore", "-f", "/dev/null"] } }'
expect_rc "backup run of pg_dump -Fc" 0 dr backup run shop-db
id=$(last_id)
expect_eq "the backup is completed" "$(status_of "$id")" completed
expect_rc "verify it" 0 dr backup verify "$id"
psql -q -d postgres -c "create database shop_restored" >/dev/null
expect_rc "restore latest:orders into pg_restore" 0 \
	dr restore latest:orders --to-command "pg_restore --no-owner -d shop_restored"
got=$(digest shop_restored)
expect_eq "restored database: same row counts and checksum" "$got" "$want"
echo "# $want"
expect_rc "restore-test through pg_restore -f /dev/null" 0 dr restore-test shop-db
expect_eq "the restore test is recorded" \
	"$(sql "select last_recovery_test is not null from backup_health_monitoring where service_name='orders'")" 1

# The restore_test examples of drconsole-backup(5), exactly as written there,
# against what the pg_dump -Fc source stores.
docs=$(sed -n 's/^.*"restore_test": \({.*}\).*$/\1/p' "$DR_TOP/man/drconsole-backup.5" | sed 's/\\-/-/g')
expect_eq "drconsole-backup(5) shows two restore_test examples" "$(grep -c . <<<"$docs")" 2
n=0
while IFS= read -r example; do
	n=$((n + 1))
	write_config '
  "shop-db": { "service": "orders", "repository": "local", "key_file": "'"$key"'",
               "source": { "kind": "command", "argv": ["pg_dump", "-Fc", "--no-owner"],
                           "env": { "PGDATABASE": "shop" } },
               "restore_test": '"$example"' }'
	expect_rc "documented restore_test $n passes: $example" 0 dr restore-test shop-db
done <<<"$docs"
expect_eq "the scratch database example restored the data" "$(digest orders_restore_test)" "$want"
# pg_restore -l reads only the table of contents and exits 0: the test
# fails, saying so, and the backup stays good.
tested=$(sql "select backup_id from backup_management where backup_status='verified' order by completed_at desc limit 1")
write_config '
  "shop-db": { "service": "orders", "repository": "local", "key_file": "'"$key"'",
               "source": { "kind": "command", "argv": ["pg_dump", "-Fc", "--no-owner"],
                           "env": { "PGDATABASE": "shop" } },
               "restore_test": { "shell": "pg_restore -l >/dev/null" } }'
run dr restore-test shop-db
expect_eq "pg_restore -l as a restore test fails" "$RC" 1
expect_in "saying how much it read" "$ERR" "stopped reading after "
expect_in "with its status" "$ERR" "exited with status 0"
expect_eq "and the backup stays verified" "$(status_of "$tested")" verified
# A restore into a database that refuses it: pg_restore's own message.
run dr restore latest:orders --to-command "pg_restore --no-owner --exit-on-error -d no_such_database"
expect_eq "pg_restore into a missing database fails the restore" "$RC" 1
expect_in "with pg_restore's exit status" "$ERR" "exited with status 1"
expect_in "and its own message" "$ERR" "no_such_database"
expect_not_in "not a broken pipe" "$ERR" "stopped reading before the end of the backup"

# A dump that fails (no such database) must not become a backup.
write_config '
  "gone-db": { "service": "orders", "repository": "local",
               "source": { "kind": "command", "argv": ["pg_dump", "-Fc"],
                           "env": { "PGDATABASE": "no_such_db" } } }'
expect_rc "a failing pg_dump fails the backup" 1 dr backup run gone-db
expect_in "with pg_dump's own message" "$ERR" "no_such_db"
expect_eq "and its row is failed" "$(status_of "$(last_id)")" failed

# Issue 18: a scheduled restore test under the agent, against the real
# server: the target's restore_test_schedule has the agent restore the
# newest verified dump into a scratch database on time; the test is
# recorded as the service's evidence, which status then shows, and the
# scratch database holds the data.
write_config '
  "shop-db": { "service": "orders", "repository": "local", "key_file": "'"$key"'",
               "restore_test_schedule": "2s",
               "source": { "kind": "command", "argv": ["pg_dump", "-Fc", "--no-owner"],
                           "env": { "PGDATABASE": "shop" } },
               "restore_test": { "shell": "dropdb --if-exists sched_t && createdb sched_t && pg_restore --no-owner --exit-on-error -d sched_t" } }'
expect_rc "a fresh backup of the shop" 0 dr backup run shop-db
before=$(sql "select count(*) from restores where kind = 'restore-test' and ok = 1")
"$DR" --catalog "$db" --config "$cfg" agent 2>"$T/agent.log" &
agent=$!
at_exit "kill -9 $agent 2>/dev/null"
more_tests() { [ "$(sql "select count(*) from restores where kind = 'restore-test' and ok = 1")" -gt "$before" ]; }
if wait_for 60 more_tests; then pass "the agent ran the scheduled restore test into PostgreSQL"; else
	fail "the agent ran the scheduled restore test into PostgreSQL" "$(cat "$T/agent.log")"; fi
kill -TERM "$agent"
wait "$agent"
expect_eq "the scratch database it restored holds the data" "$(digest sched_t)" "$want"
run dr status --json
expect_eq "status: the scheduled test is the service's RTO evidence" \
	"$(python3 -c 'import json,sys; s=[x for x in json.load(sys.stdin)["services"] if x["name"]=="orders"][0]; print(s["rto"]["source"], s["tests"]["restore_test_failed"])' <<<"$OUT")" \
	"restore test False"
expect_in "the agent's log says it passed" "$(cat "$T/agent.log")" "restore-test:shop-db: finished: restore test of"
