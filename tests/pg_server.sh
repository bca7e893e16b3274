# One real PostgreSQL server for a test that keeps a catalog in it, sourced
# after tests/lib.sh: initdb as an unprivileged user (the server refuses
# root), a loopback port, scram passwords read from a PGPASSFILE (never
# from the address), stopped at the test's exit.  Sets PG (its directory),
# SOCK, PGP (the port), PGURL (postgresql://drtest@127.0.0.1:PORT), and
# exports PGPASSFILE; pg_db NAME makes an empty database and prints its
# address; pgq DB SQL runs SQL as the superuser and prints the value.
# With PG_SSL=1 the server speaks TLS only (see below).
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$PGBIN/initdb" ]; then
	skip "a real PostgreSQL" "no server in $PGBIN (make test-deps)"
	exit 0
fi
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
PGP=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
PG_SECRET="pw-$RANDOM$RANDOM"
printf '%s\n' "$PG_SECRET" >"$PG/pw"
[ "$(id -u)" = 0 ] && chown nobody "$PG/pw"
"${AS[@]}" "$PGBIN/initdb" -D "$PG/data" -U postgres --auth-local=trust \
	--auth-host=scram-sha-256 --pwfile="$PG/pw" >"$PG/initdb.log" 2>&1 || {
	fail "initdb" "$(tail -5 "$PG/initdb.log")"
	exit 1
}
cat >>"$PG/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PGP
unix_socket_directories = '$SOCK'
fsync = off
autovacuum = off
max_connections = 60
CONF
# PG_SSL=1: TLS with a certificate for "localhost" only, signed by a CA
# made here ($PG_CA), and drtest may connect over TLS only.
if [ -n "${PG_SSL:-}" ]; then
	PG_CA=$T/ca.crt
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=drtest CA" \
		-keyout "$T/ca.key" -out "$PG_CA" >/dev/null 2>&1 &&
		openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
			-keyout "$PG/data/server.key" -out "$T/server.csr" >/dev/null 2>&1 &&
		printf 'subjectAltName=DNS:localhost\n' >"$T/san.ext" &&
		openssl x509 -req -in "$T/server.csr" -CA "$PG_CA" -CAkey "$T/ca.key" \
			-CAcreateserial -days 2 -extfile "$T/san.ext" \
			-out "$PG/data/server.crt" >/dev/null 2>&1 || {
		fail "the test's certificates are made" "openssl failed"
		exit 1
	}
	chmod 600 "$PG/data/server.key"
	[ "$(id -u)" = 0 ] && chown nobody "$PG/data/server.key" "$PG/data/server.crt"
	printf "ssl = on\n" >>"$PG/data/postgresql.conf"
	{
		printf 'local all all trust\n'
		printf 'hostssl all all 127.0.0.1/32 scram-sha-256\n'
		printf 'hostssl all all ::1/128 scram-sha-256\n'
	} >"$PG/data/pg_hba.conf"
fi
"${AS[@]}" "$PGBIN/pg_ctl" -D "$PG/data" -l "$PG/server.log" -w start \
	>/dev/null || {
	fail "the PostgreSQL server starts" "$(tail -5 "$PG/server.log")"
	exit 1
}
at_exit "${AS[*]} $PGBIN/pg_ctl -D $PG/data -m immediate stop >/dev/null 2>&1"
pgq() { # pgq DB SQL
	"${AS[@]}" "$PGBIN/psql" -h "$SOCK" -p "$PGP" -U postgres -d "$1" \
		-XAtq -v ON_ERROR_STOP=1 -c "$2"
}
# The catalog's own role, with a password only the PGPASSFILE holds.
pgq postgres "CREATE ROLE drtest LOGIN CREATEDB PASSWORD '$PG_SECRET'" >/dev/null
printf '127.0.0.1:%s:*:drtest:%s\n' "$PGP" "$PG_SECRET" >"$T/pgpass"
chmod 600 "$T/pgpass"
export PGPASSFILE=$T/pgpass
PGURL=postgresql://drtest@127.0.0.1:$PGP
pg_db() { # pg_db NAME: an empty database owned by drtest; prints its address
	pgq postgres "CREATE DATABASE $1 OWNER drtest" >/dev/null &&
		echo "$PGURL/$1"
}
