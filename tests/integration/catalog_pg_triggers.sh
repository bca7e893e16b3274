#!/usr/bin/env bash
# The PostgreSQL catalog schema (db/pg_schema.c) against the SQLite one, on
# a real server: for each of several seeds, a fresh SQLite catalog made by
# `drconsole init` and a fresh PostgreSQL database with the schema get the
# same random workload (tests/helpers/catalog_twin.py: a few hundred plain
# INSERT, UPDATE and DELETE statements over services, backups, restores,
# replication and probe samples, runbook executions and the audit log).
# After every batch each table, the ones the triggers keep above all
# (backup_health_monitoring, backup_newest, replication_keys,
# replication_links, health_keys), must hold the same rows on both, and
# the statements one engine refuses the other must refuse too.  The audit
# log is append-only on PostgreSQL as on SQLite: UPDATE, DELETE and
# TRUNCATE are refused with SQLite's message.
#   CATALOG_PG_SEED=N    the first seed (default: random, printed)
#   CATALOG_PG_SEEDS=N   how many seeds (default 5)
. "$(dirname "$0")/../lib.sh"

PGBIN=/usr/lib/postgresql/15/bin
SCHEMA_SQL=$DR_TOP/${BUILD:-build}/tests/helpers/pg_schema_sql
TWIN=$DR_TOP/tests/helpers/catalog_twin.py
if [ ! -x "$PGBIN/initdb" ]; then
	skip "PostgreSQL triggers" "PostgreSQL 15 is not installed"
	exit 0
fi
if ! command -v sqlite3 >/dev/null; then
	skip "PostgreSQL triggers" "the sqlite3 shell is not installed"
	exit 0
fi
if [ ! -x "$SCHEMA_SQL" ]; then
	fail "pg_schema_sql is built" "missing: $SCHEMA_SQL (make tests)"
	exit 1
fi

# One server, as tests/pg_pair.sh starts them: as nobody when we are root,
# loopback only, the socket in our scratch directory.
if [ "$(id -u)" = 0 ]; then
	AS=(runuser -u nobody --)
	chmod 755 "$T"
else
	AS=()
fi
PG=$T/pg
SOCK=$PG/sock
mkdir -p "$PG" "$SOCK"
[ "$(id -u)" = 0 ] && chown nobody "$PG" "$SOCK"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${AS[@]}" "$PGBIN/initdb" -D "$PG/data" -U postgres --auth-local=trust \
	--auth-host=reject >"$PG/initdb.log" 2>&1 || {
	fail "initdb" "$(tail -5 "$PG/initdb.log")"
	exit 1
}
cat >>"$PG/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$SOCK'
autovacuum = off
fsync = off
CONF
"${AS[@]}" "$PGBIN/pg_ctl" -D "$PG/data" -l "$PG/server.log" -w start \
	>/dev/null || {
	fail "server starts" "$(tail -5 "$PG/server.log")"
	exit 1
}
at_exit "${AS[*]} $PGBIN/pg_ctl -D $PG/data -m immediate stop >/dev/null 2>&1"
PSQL="${AS[*]} $PGBIN/psql -h $SOCK -p $PORT -U postgres"
pgq() { # pgq DB SQL: runs SQL, prints the values, errors on stderr
	$PSQL -d "$1" -XAtq -v ON_ERROR_STOP=1 -c "$2"
}

# fresh NAME: a database with the schema applied in one transaction.
fresh() {
	pgq postgres "CREATE DATABASE $1" &&
		"$SCHEMA_SQL" >"$PG/$1.sql" &&
		$PSQL -d "$1" -Xq -v ON_ERROR_STOP=1 -1 -f "$PG/$1.sql" \
			>"$PG/$1.log" 2>&1
}
if fresh audit; then pass "the schema applies to PostgreSQL 15"; else
	fail "the schema applies to PostgreSQL 15" "$(head -20 "$PG/audit.log")"
	exit 1
fi

# The audit log refuses changes, with SQLite's words.
pgq audit "INSERT INTO audit_log (at, actor, action, prev_hash, hash)
	VALUES ('2024-05-01T10:00:00Z', 'op', 'x', 'h0', 'h1')" >/dev/null
for change in "UPDATE audit_log SET actor = 'mallory'" \
	"DELETE FROM audit_log" "TRUNCATE audit_log"; do
	run pgq audit "$change"
	if [ "$RC" -ne 0 ] && grep -qF 'audit_log is append-only' <<<"$ERR"; then
		pass "$change is refused: audit_log is append-only"
	else
		fail "$change is refused: audit_log is append-only" \
			"exit $RC" "stderr: $ERR"
	fi
done
expect_eq "the audit row is still there" \
	"$(pgq audit "SELECT count(*) || ' ' || actor FROM audit_log GROUP BY actor")" \
	"1 op"

first=${CATALOG_PG_SEED:-$(((RANDOM << 15 | RANDOM) % 1000000))}
seeds=${CATALOG_PG_SEEDS:-5}
echo "# seeds $first..$((first + seeds - 1)) (CATALOG_PG_SEED=$first to replay)"
for seed in $(seq "$first" $((first + seeds - 1))); do
	db=twin_$seed
	work=$T/$db
	mkdir -p "$work"
	if ! fresh "$db"; then
		fail "seed $seed: database" "$(head -5 "$PG/$db.log")"
		continue
	fi
	DRCONSOLE_CATALOG=$work/c.db "$DR" init >/dev/null || {
		fail "seed $seed: drconsole init"
		continue
	}
	run python3 "$TWIN" --seed "$seed" --sqlite "$work/c.db" \
		--psql "$PSQL -d $db" --dir "$work" --statements 300 --batch 25
	if [ "$RC" -eq 0 ]; then
		pass "$OUT"
	else
		mapfile -t why <<<"$ERR"
		fail "seed $seed: the triggers of both catalogs agree" "${why[@]}"
	fi
done
