# One real PostgreSQL server for a test that keeps a catalog in it, sourced
# after tests/lib.sh: initdb as an unprivileged user (the server refuses
# root), a loopback port, scram passwords read from a PGPASSFILE (never
# from the address), stopped at the test's exit.  Sets PG (its directory),
# SOCK, PGP (the port), PGURL (postgresql://drtest@127.0.0.1:PORT), and
# exports PGPASSFILE; pg_db NAME makes an empty database and prints its
# address; pgq DB SQL runs SQL as the superuser and prints the value.
# With PG_SSL=1 the server speaks TLS only (see below).
. "$DR_TOP/tests/pg_common.sh"
if [ ! -x "$PGBIN/initdb" ]; then
	skip "a real PostgreSQL" "no server in $PGBIN (make test-deps)"
	exit 0
fi
[ "$(id -u)" = 0 ] && chmod 755 "$T"
pg_init "$T/pg" || {
	fail "initdb" "$PG_WHY"
	exit 1
}
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
pg_boot || {
	fail "the PostgreSQL server starts" "$PG_WHY"
	exit 1
}
at_exit pg_stop
# The catalog's own role, with a password only the PGPASSFILE holds.
pg_add_role "$T/pgpass" || {
	fail "the role drtest is made" "$PG_WHY"
	exit 1
}
pg_db() { # pg_db NAME: an empty database owned by drtest; prints its address
	pgq postgres "CREATE DATABASE $1 OWNER drtest" >/dev/null &&
		echo "$PGURL/$1"
}
