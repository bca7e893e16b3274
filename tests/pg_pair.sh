# A real PostgreSQL primary and streaming standby for a test, sourced after
# tests/lib.sh and a check that $PGBIN holds the server: initdb as an
# unprivileged user (the server refuses root), pg_basebackup -R, loopback
# ports.  Sets PG (their directory), SOCK (the socket directory), P1 and P2
# (the primary's and the standby's ports), SECRET (the postgres password,
# also in $PG/pw), AS (the command prefix that runs as that user) and
# pgq PORT SQL; both servers are stopped at the test's exit.
# The server refuses to run as root: run it as nobody (or as ourselves).
if [ "$(id -u)" = 0 ]; then
	AS=(runuser -u nobody --)
	chmod 755 "$T"
else
	AS=()
fi
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
PG=$T/pg
SOCK=$PG/sock
mkdir -p "$PG" "$SOCK"
[ "$(id -u)" = 0 ] && chown nobody "$PG" "$SOCK"
P1=$(free_port)
P2=$(free_port)
SECRET="s3cr3t-$RANDOM$RANDOM"
printf '%s\n' "$SECRET" >"$PG/pw"
[ "$(id -u)" = 0 ] && chown nobody "$PG/pw"

pgq() { # pgq PORT SQL: runs SQL over the socket (trust), prints the value
	"${AS[@]}" "$PGBIN/psql" -h "$SOCK" -p "$1" -U postgres -d postgres \
		-XAtq -c "$2"
}

"${AS[@]}" "$PGBIN/initdb" -D "$PG/primary" -U postgres \
	--auth-local=trust --auth-host=scram-sha-256 --pwfile="$PG/pw" \
	>"$PG/initdb.log" 2>&1 || {
	fail "initdb" "$(tail -5 "$PG/initdb.log")"
	exit 1
}
cat >>"$PG/primary/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $P1
unix_socket_directories = '$SOCK'
wal_level = replica
max_wal_senders = 5
wal_sender_timeout = 5s
autovacuum = off
CONF
"${AS[@]}" "$PGBIN/pg_ctl" -D "$PG/primary" -l "$PG/primary.log" -w start \
	>/dev/null || {
	fail "primary starts" "$(tail -5 "$PG/primary.log")"
	exit 1
}
at_exit "${AS[*]} $PGBIN/pg_ctl -D $PG/primary -m immediate stop >/dev/null 2>&1"
"${AS[@]}" "$PGBIN/pg_basebackup" -h "$SOCK" -p "$P1" -U postgres \
	-D "$PG/standby" -R -X stream >"$PG/basebackup.log" 2>&1 || {
	fail "pg_basebackup" "$(tail -5 "$PG/basebackup.log")"
	exit 1
}
cat >>"$PG/standby/postgresql.conf" <<CONF
port = $P2
cluster_name = 'standby1'
wal_receiver_status_interval = 1s
hot_standby_feedback = on
CONF
"${AS[@]}" "$PGBIN/pg_ctl" -D "$PG/standby" -l "$PG/standby.log" -w start \
	>/dev/null || {
	fail "standby starts" "$(tail -5 "$PG/standby.log")"
	exit 1
}
at_exit "kill -CONT \$(head -1 $PG/standby/postmaster.pid 2>/dev/null) 2>/dev/null; ${AS[*]} $PGBIN/pg_ctl -D $PG/standby -m immediate stop >/dev/null 2>&1"
pass "primary on $P1 and streaming standby on $P2 are up"
