#!/usr/bin/env bash
# https probes against real TLS servers (openssl s_server) with
# certificates made here by openssl: a probe trusts an internal CA through
# "ca_file" or $SSL_CERT_FILE; a certificate that cannot be trusted is
# named for what is wrong with it (self-signed, expired, for another host,
# issuer unknown); a server that wants a client certificate gets one from
# "client_cert"/"client_key", and one that gets none fails saying so.
# Bad TLS keys in the config are refused with file:line:column.
. "$(dirname "$0")/../lib.sh"

C=$T/certs
mkdir -p "$C" "$XDG_CONFIG_HOME/drconsole"
ossl() { openssl "$@" 2>>"$T/openssl.log" >/dev/null || echo "# openssl $1 failed: $(tail -3 "$T/openssl.log")"; }
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$C/here.ext"
printf 'subjectAltName=DNS:other.example\n' >"$C/other.ext"
printf 'extendedKeyUsage=clientAuth\n' >"$C/client.ext"
ossl req -x509 -newkey rsa:2048 -nodes -keyout "$C/ca.key" -out "$C/ca.pem" -days 30 -subj "/CN=drconsole test CA"
signed() { # signed NAME EXTFILE DAYS: a key and a certificate signed by the CA
	ossl req -newkey rsa:2048 -nodes -keyout "$C/$1.key" -out "$C/$1.csr" -subj "/CN=$1"
	ossl x509 -req -in "$C/$1.csr" -CA "$C/ca.pem" -CAkey "$C/ca.key" -CAcreateserial \
		-out "$C/$1.pem" -days "$3" -extfile "$C/$2"
}
signed good here.ext 30
signed expired here.ext -1
signed elsewhere other.ext 30
signed client client.ext 30
ossl req -x509 -newkey rsa:2048 -nodes -keyout "$C/self.key" -out "$C/self.pem" -days 30 \
	-subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
serve() { # serve NAME [ARGS...]: s_server with NAME's certificate; sets PORT_NAME
	local port
	port=$(free_port)
	openssl s_server -quiet -www -accept "127.0.0.1:$port" -cert "$C/$1.pem" -key "$C/$1.key" "${@:2}" \
		>/dev/null 2>>"$T/s_server.log" </dev/null &
	at_exit "kill $! 2>/dev/null"
	for _ in $(seq 50); do
		python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && break
		sleep 0.1
	done
	printf -v "PORT_$1" %s "$port"
}
serve good
serve expired
serve elsewhere
serve self
PORT_MTLS=$(free_port)
openssl s_server -quiet -www -accept "127.0.0.1:$PORT_MTLS" -cert "$C/good.pem" -key "$C/good.key" \
	-Verify 1 -verify_return_error -CAfile "$C/ca.pem" >/dev/null 2>>"$T/s_server.log" </dev/null &
at_exit "kill $! 2>/dev/null"
for _ in $(seq 50); do
	python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT_MTLS), 0.2)" 2>/dev/null && break
	sleep 0.1
done

CFG=$XDG_CONFIG_HOME/drconsole/config.json
check() { # check NAME PORT EXTRA_JSON
	printf '{"name": "%s", "kind": "http", "url": "https://127.0.0.1:%s/"%s}' "$1" "$2" "$3"
}
ca=", \"ca_file\": \"$C/ca.pem\""
cat >"$CFG" <<JSON
{"services": [{"name": "web", "tier": "standard"}],
 "probes": {"timeout": "5s", "services": {"web": {"checks": [
   $(check trusted "$PORT_good" "$ca"),
   $(check unknown-ca "$PORT_good" ""),
   $(check expired "$PORT_expired" "$ca"),
   $(check wrong-host "$PORT_elsewhere" "$ca"),
   $(check self-signed "$PORT_self" "$ca"),
   $(check mtls "$PORT_MTLS" "$ca, \"client_cert\": \"$C/client.pem\", \"client_key\": \"$C/client.key\""),
   $(check mtls-no-cert "$PORT_MTLS" "$ca")]}}}}
JSON
expect_rc "config apply" 0 "$DR" config apply
run env -u SSL_CERT_FILE "$DR" probe run
row() { grep -E "^web +$1 " <<<"$OUT"; }
expect_in "a server certificate from the CA in ca_file: ok" "$(row trusted)" " ok "
expect_in "without ca_file the internal CA is not trusted, and it says so" "$(row unknown-ca)" \
	"certificate not trusted: unable to get local issuer certificate"
expect_in "and hints at ca_file" "$(row unknown-ca)" "ca_file"
expect_in "an expired certificate is named expired" "$(row expired)" "certificate not trusted: certificate has expired"
expect_in "a certificate for another host is named so" "$(row wrong-host)" "certificate is not for this host"
expect_in "naming the host" "$(row wrong-host)" "127.0.0.1"
expect_in "a self-signed certificate is named self-signed" "$(row self-signed)" "certificate not trusted: self-signed certificate"
expect_in "mutual TLS with client_cert/client_key: ok" "$(row mtls)" " ok "
expect_not_in "a server that wants a client certificate and gets none: not ok" "$(row mtls-no-cert)" " ok "
expect_in "and says the server asks for a client certificate" "$(row mtls-no-cert)" \
	"the server asks for a client certificate"
echo "# $(row mtls-no-cert)"

# $SSL_CERT_FILE is honoured when a probe has no ca_file.
run env SSL_CERT_FILE="$C/ca.pem" "$DR" probe run
expect_in "SSL_CERT_FILE names the CA: the probe without ca_file is ok" "$(row unknown-ca)" " ok "
expect_in "while ca_file still decides for the others" "$(row self-signed)" "self-signed certificate"

# Bad TLS keys: refused with file:line:column, nothing applied.
printf '{"services": [{"name": "web", "tier": "standard"}],\n "probes": {"services": {"web": {"checks": [\n  {"name": "a", "kind": "http", "url": "https://127.0.0.1/", "client_cert": "%s"}]}}}}\n' "$C/client.pem" >"$T/half.json"
run "$DR" --config "$T/half.json" config check
expect_eq "client_cert without client_key: refused" "$RC" 2
expect_in "saying both go together, with file:line:column" "$ERR" "$T/half.json:3:"
expect_in "and why" "$ERR" "\"client_cert\" and \"client_key\" go together"
printf '{"services": [{"name": "web", "tier": "standard"}],\n "probes": {"services": {"web": {"checks": [\n  {"name": "a", "kind": "http", "url": "https://127.0.0.1/", "ca_file": "%s"}]}}}}\n' "$C/missing.pem" >"$T/missing.json"
run "$DR" --config "$T/missing.json" config check
expect_in "a ca_file that cannot be read: refused, naming it" "$ERR" "\"ca_file\": cannot read $C/missing.pem: No such file or directory"
expect_in "at its line" "$ERR" "$T/missing.json:3:"
