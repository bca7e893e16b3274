#!/usr/bin/env bash
# A catalog reached over TLS as libpq does it: sslmode=verify-full with
# the test's own CA works and carries the catalog's commands; a server
# whose certificate another CA signed, or that names another host, is
# refused with libpq's reason and nothing is written; and the server here
# takes TLS only, so the commands that worked did go over it.
. "$(dirname "$0")/../lib.sh"
PG_SSL=1
. "$DR_TOP/tests/pg_server.sh"
unset DRCONSOLE_CATALOG
printf 'localhost:%s:*:drtest:%s\n' "$PGP" "$PG_SECRET" >>"$PGPASSFILE"

pgq postgres "CREATE DATABASE dr OWNER drtest" >/dev/null
GOOD="postgresql://drtest@localhost:$PGP/dr?sslmode=verify-full&sslrootcert=$PG_CA"
run "$DR" init --catalog "$GOOD"
expect_eq "init over sslmode=verify-full with the test's CA" "$RC" 0
run "$DR" service add api --tier critical --catalog "$GOOD"
expect_eq "service add over TLS" "$RC" 0
run "$DR" record backup --service api --status completed --size 1000 --catalog "$GOOD"
expect_eq "record backup over TLS" "$RC" 0
run "$DR" status --json --catalog "$GOOD"
expect_in "status reads the backup back over TLS" "$OUT" $'"last_attempt_status":\t"completed"'
run "$DR" catalog info --catalog "$GOOD"
expect_in "catalog info names the connection without a password" "$OUT" "localhost:$PGP/dr as drtest"
expect_not_in "no password anywhere" "$OUT$ERR" "$PG_SECRET"

# The server takes TLS only: a plain connection is turned away.
run "$DR" status --catalog "postgresql://drtest@127.0.0.1:$PGP/dr?sslmode=disable"
expect_eq "without TLS: refused" "$RC" 1
expect_in "without TLS: the server's reason" "$ERR" "no encryption"

before=$(pgq dr "select count(*) from audit_log")
# Another CA: the server's certificate cannot be verified.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=other CA" \
	-keyout "$T/other.key" -out "$T/other.crt" >/dev/null 2>&1
run "$DR" record backup --service api --status completed --size 1 \
	--catalog "postgresql://drtest@localhost:$PGP/dr?sslmode=verify-full&sslrootcert=$T/other.crt"
expect_eq "a certificate from another CA: refused" "$RC" 1
expect_in "the message says the certificate did not verify" "$ERR" "certificate verify failed"
# The certificate names localhost, not 127.0.0.1.
run "$DR" record backup --service api --status completed --size 1 \
	--catalog "postgresql://drtest@127.0.0.1:$PGP/dr?sslmode=verify-full&sslrootcert=$PG_CA"
expect_eq "a certificate for another host name: refused" "$RC" 1
expect_in "the message names the host mismatch" "$ERR" "does not match host name"
expect_eq "the refused commands wrote nothing" "$(pgq dr "select count(*) from audit_log")" "$before"
expect_eq "one backup recorded, the one made over TLS" "$(pgq dr "select count(*) from backup_management")" 1
# A missing root certificate is libpq's own refusal, not a hang.
run "$DR" status --catalog "postgresql://drtest@localhost:$PGP/dr?sslmode=verify-full&sslrootcert=$T/none.crt"
expect_eq "a root certificate file that is not there: refused" "$RC" 1
expect_in "and the message names it" "$ERR" "none.crt"
