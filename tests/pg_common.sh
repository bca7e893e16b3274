# Starting a throwaway PostgreSQL server, shared by tests/pg_server.sh (one
# server for one test) and tests/run (one server for the whole PostgreSQL
# pass).  Only functions; nothing runs when this is sourced.  The server
# refuses to run as root, so as root it runs as nobody.
#   pg_init DIR      initdb in DIR (created) with a loopback port and a
#                    socket in DIR/sock; sets PG, SOCK, PGP, PG_SECRET, AS
#   pg_boot          starts it and waits until it answers
#   pg_stop          stops it at once
#   pgq DB SQL       runs SQL as the superuser over the socket
#   pg_add_role FILE makes the role drtest (LOGIN CREATEDB) with a password
#                    that only FILE, a PGPASSFILE, holds; exports
#                    PGPASSFILE=FILE and sets PGURL
# Each returns 1 on failure with the reason in PG_WHY.
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

pg_init() {
	PG=$1
	SOCK=$PG/sock
	PG_WHY=
	if [ "$(id -u)" = 0 ]; then AS=(runuser -u nobody --); else AS=(); fi
	mkdir -p "$PG" "$SOCK"
	[ "$(id -u)" = 0 ] && chown nobody "$PG" "$SOCK"
	PGP=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	PG_SECRET="pw-$RANDOM$RANDOM"
	printf '%s\n' "$PG_SECRET" >"$PG/pw"
	[ "$(id -u)" = 0 ] && chown nobody "$PG/pw"
	"${AS[@]}" "$PGBIN/initdb" -D "$PG/data" -U postgres --auth-local=trust \
		--auth-host=scram-sha-256 --pwfile="$PG/pw" >"$PG/initdb.log" 2>&1 || {
		PG_WHY=$(tail -5 "$PG/initdb.log")
		return 1
	}
	cat >>"$PG/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PGP
unix_socket_directories = '$SOCK'
fsync = off
autovacuum = off
max_connections = ${PG_MAX_CONNECTIONS:-60}
CONF
}

pg_boot() {
	"${AS[@]}" "$PGBIN/pg_ctl" -D "$PG/data" -l "$PG/server.log" -w start \
		>/dev/null || {
		PG_WHY=$(tail -5 "$PG/server.log")
		return 1
	}
}

pg_stop() {
	"${AS[@]}" "$PGBIN/pg_ctl" -D "$PG/data" -m immediate stop >/dev/null 2>&1
}

pgq() { # pgq DB SQL
	"${AS[@]}" "$PGBIN/psql" -h "$SOCK" -p "$PGP" -U postgres -d "$1" \
		-XAtq -v ON_ERROR_STOP=1 -c "$2"
}

pg_add_role() { # pg_add_role PGPASSFILE
	pgq postgres "CREATE ROLE drtest LOGIN CREATEDB PASSWORD '$PG_SECRET'" \
		>/dev/null || {
		PG_WHY="cannot make the role drtest"
		return 1
	}
	printf '127.0.0.1:%s:*:drtest:%s\n' "$PGP" "$PG_SECRET" >"$1"
	chmod 600 "$1"
	export PGPASSFILE=$1
	PGURL=postgresql://drtest@127.0.0.1:$PGP
}
