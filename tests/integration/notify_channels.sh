#!/usr/bin/env bash
# Issue 12: the channels people use, each against a receiver on loopback:
# PagerDuty Events API v2 (trigger on bad news, resolve on recovery, one
# dedup_key per subject), email over SMTP through libcurl (plain with AUTH,
# STARTTLS required, smtps://; a credentials file readable by others is
# refused), Slack text escaped (<!channel> from a probe is not a mention),
# ntfy titles in UTF-8; and the runbook's "paused, waiting for an operator"
# message: a warning, with its services and a resume hint that names the
# --config and --catalog given.
. "$(dirname "$0")/../lib.sh"
cd "$DR_TOP" || exit 1
RECV=$DR_TOP/tests/helpers/hookrecv.py
SINK=$DR_TOP/tests/helpers/smtpsink.py
CAT=$XDG_DATA_HOME/drconsole/catalog.db
echo ok >"$T/mode"
python3 "$RECV" "$T/port" "$T/hooks.jsonl" "$T/mode" &
at_exit "kill $! 2>/dev/null"
mkdir -p "$T/mail" "$T/tlsmail" "$T/smtpsmail"
python3 "$SINK" "$T/sport" "$T/mail" --auth "robot:s3cr:et" &
at_exit "kill $! 2>/dev/null"
# A certificate for 127.0.0.1, made here, trusted through ca_file.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
	-addext "subjectAltName=IP:127.0.0.1" -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null
python3 "$SINK" "$T/tport" "$T/tlsmail" --cert "$T/cert.pem" --key "$T/key.pem" --require-tls &
at_exit "kill $! 2>/dev/null"
python3 "$SINK" "$T/xport" "$T/smtpsmail" --cert "$T/cert.pem" --key "$T/key.pem" --smtps &
at_exit "kill $! 2>/dev/null"
for f in port sport tport xport; do
	for _ in $(seq 50); do [ -s "$T/$f" ] && break; sleep 0.1; done
done
P=$(cat "$T/port") SP=$(cat "$T/sport") TP=$(cat "$T/tport") XP=$(cat "$T/xport")
printf 'R0UTINGKEY123\n' >"$T/pd.key"
printf 'robot:s3cr:et\n' >"$T/mail.cred"
chmod 644 "$T/mail.cred"
mkdir -p "$XDG_CONFIG_HOME/drconsole"
CFG=$XDG_CONFIG_HOME/drconsole/config.json
cat >"$CFG" <<JSON
{"environment": "chan",
 "services": [{"name": "app", "tier": "critical"}],
 "probes": {"failures_before_down": 1, "services": {
   "app": {"checks": [{"name": "health", "kind": "command", "command": "cat $T/out", "max": 50}]}}},
 "notifications": {"retries": 0, "timeout": "3s",
   "channels": [
     {"name": "pd", "kind": "pagerduty", "url": "http://127.0.0.1:$P/v2/enqueue",
      "routing_key_file": "$T/pd.key"},
     {"name": "chat", "kind": "slack", "url": "http://127.0.0.1:$P/slack"},
     {"name": "phone", "kind": "ntfy", "url": "http://127.0.0.1:$P/topic"},
     {"name": "mail", "kind": "email", "url": "smtp://127.0.0.1:$SP",
      "from": "dr@example.com", "to": ["oncall@example.com", "lead@example.com"],
      "credentials_file": "$T/mail.cred"}
   ]}}
JSON
run "$DR" config check
expect_eq "a credentials file readable by others is refused" "$RC" 2
expect_in "with a clear message" "$ERR" "mail.cred: refused: the file holds a password and is readable by others (mode 0644); chmod 600 it"
chmod 600 "$T/mail.cred"
expect_rc "chmod 600: the config is good" 0 "$DR" config check
"$DR" init >/dev/null
"$DR" config apply >/dev/null

echo 0 >"$T/out"
"$DR" probe run >/dev/null 2>&1
printf '%s\n' '<!channel> db & cache <are> down' >"$T/out"
"$DR" probe run >/dev/null 2>&1
echo 0 >"$T/out"
"$DR" probe run >/dev/null 2>&1

pd=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["path"] != "/v2/enqueue": continue
    b = json.loads(r["body"])
    print(b["event_action"], b["dedup_key"], b.get("payload", {}).get("severity", "-"),
          b["routing_key"], ";".join(r.get("invalid", [])) or "valid")' "$T/hooks.jsonl")
echo "# pagerduty got: $(tr '\n' '|' <<<"$pd")"
expect_eq "PagerDuty: a trigger for the down, then a resolve for the up" \
	"$(awk '{print $1}' <<<"$pd" | tr '\n' ' ')" "trigger resolve "
expect_eq "both with the subject's one dedup_key" "$(awk '{print $2}' <<<"$pd" | sort -u)" \
	"drconsole:chan:probe:app:health"
expect_eq "the trigger is critical" "$(awk 'NR==1{print $3}' <<<"$pd")" critical
expect_eq "the routing key came from its file" "$(awk '{print $4}' <<<"$pd" | sort -u)" R0UTINGKEY123
expect_eq "every event is valid as the Events API v2 documents it" "$(awk '{print $5}' <<<"$pd" | sort -u)" valid
expect_eq "PagerDuty answered 202 and the outbox says sent" \
	"$(sqlite3 "$CAT" "SELECT group_concat(status) FROM notify_outbox WHERE channel = 'pd'")" "sent,sent"

slack=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["path"] == "/slack": print(json.loads(r["body"])["text"])' "$T/hooks.jsonl")
expect_in "Slack: the probe's output is escaped" "$slack" '&lt;!channel&gt; db &amp; cache &lt;are&gt; down'
expect_not_in "no raw <!channel> reaches Slack" "$slack" '<!channel>'

# Email: the message, the envelope, AUTH.
eml=$(cat "$T/mail/1.eml" 2>/dev/null)
env=$(cat "$T/mail/1.env" 2>/dev/null)
expect_in "email: the sink got the down" "$eml" "Subject: [chan] app: probe health down"
expect_in "from the configured sender" "$env" '"from": "<dr@example.com>"'
expect_in "to both recipients" "$env" '"to": ["<oncall@example.com>", "<lead@example.com>"]'
expect_in "after AUTH with the file's credentials" "$env" '"user": "robot"'
expect_in "the text is the message" "$eml" "db & cache <are> down"
expect_in "as UTF-8 text" "$eml" "Content-Type: text/plain; charset=utf-8"
expect_eq "the recovery came as a second mail" "$(ls "$T/mail"/*.eml | wc -l)" 2

# ntfy: a non-ASCII title is UTF-8 in an RFC 2047 word, not spaces.
cat >"$T/ntfy.json" <<JSON
{"environment": "São Paulo",
 "notifications": {"retries": 0, "channels": [
   {"name": "phone", "kind": "ntfy", "url": "http://127.0.0.1:$P/topic"}]}}
JSON
"$DR" --config "$T/ntfy.json" notify test >/dev/null
title=$(python3 -c 'import json,sys
from email.header import decode_header
t = [json.loads(l)["headers"].get("Title") for l in open(sys.argv[1])
     if json.loads(l)["path"] == "/topic"][-1]
print(t)
print("".join(p.decode(c or "ascii") if isinstance(p, bytes) else p for p, c in decode_header(t)))' "$T/hooks.jsonl")
expect_in "ntfy: the Title is an encoded-word" "$(head -1 <<<"$title")" "=?UTF-8?B?"
expect_eq "that decodes to the UTF-8 title" "$(tail -1 <<<"$title")" "[São Paulo] drconsole test"

# STARTTLS, required by the server: refused without, delivered with.
mailcfg() { # mailcfg URL STARTTLS
	cat >"$T/mail.json" <<JSON
{"notifications": {"retries": 0, "timeout": "5s", "channels": [
  {"name": "mail", "kind": "email", "url": "$1", "starttls": $2,
   "ca_file": "$T/cert.pem", "from": "dr@example.com", "to": ["oncall@example.com"]}]}}
JSON
}
mailcfg "smtp://127.0.0.1:$TP" false
run "$DR" --config "$T/mail.json" notify test
expect_eq "a server that requires STARTTLS refuses a plain session" "$RC" 1
run "$DR" --config "$T/mail.json" notify log --limit 1
expect_in "notify log says why" "$OUT" "530"
mailcfg "smtp://127.0.0.1:$TP" true
expect_rc "with \"starttls\": true the mail goes out" 0 "$DR" --config "$T/mail.json" notify test
expect_in "over TLS" "$(cat "$T/tlsmail/1.env" 2>/dev/null)" '"tls": true'
mailcfg "smtps://127.0.0.1:$XP" false
expect_rc "smtps:// speaks TLS from the start" 0 "$DR" --config "$T/mail.json" notify test
expect_in "and the sink got it over TLS" "$(cat "$T/smtpsmail/1.env" 2>/dev/null)" '"tls": true'
cat >"$T/bad.json" <<JSON
{"notifications": {"channels": [
  {"name": "m", "kind": "email", "url": "http://127.0.0.1:1/", "from": "x", "to": []},
  {"name": "p", "kind": "pagerduty"}]}}
JSON
run "$DR" --config "$T/bad.json" config check
expect_eq "a bad email or pagerduty channel is refused" "$RC" 2
expect_in "an email URL must be smtp(s)" "$ERR" 'expected an smtp:// or smtps:// URL'
expect_in "recipients are required" "$ERR" 'an email channel needs "to"'
expect_in "a pagerduty channel needs its key" "$ERR" 'needs one of "routing_key" or "routing_key_file"'

# The runbook paused for an operator (a step failed unattended): a
# warning, with its services, and a resume hint that works as written.
: >"$T/hooks.jsonl"
cat >"$T/rb.json" <<JSON
{"environment": "chan", "catalog": "$CAT",
 "notifications": {"retries": 0, "channels": [
   {"name": "ops", "kind": "json", "url": "http://127.0.0.1:$P/json"}]}}
JSON
mkdir -p "$T/other"
cp "$CAT" "$T/other/cat.db"
run "$DR" --config "$T/rb.json" --catalog "$T/other/cat.db" runbook run tests/fixtures/runbooks/good/failing.json \
	--unattended --var DIR="$T" --var PASS_AT=9 </dev/null
paused=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    b = json.loads(json.loads(l)["body"])
    if b["state"] == "paused": print(b["severity"], "|", b["service"], "|", b["message"])' "$T/hooks.jsonl")
echo "# paused: $paused"
expect_in "the paused message is a warning" "$paused" "warning |"
expect_in "with the runbook's services" "$paused" "| api |"
hint=$(sed 's/.*resume with: //' <<<"$paused")
expect_in "its resume hint names the --config given" "$hint" "--config $T/rb.json"
expect_in "and the --catalog given" "$hint" "--catalog $T/other/cat.db"
run "$DR" ${hint#drconsole } --assume-yes </dev/null
echo "# resume: rc $RC, ${OUT:0:300} ${ERR:0:300}" | tr "\n" " "; echo
expect_in "the hint, run as written, resumes the run in that catalog" "$OUT" "$(sed "s/.*resume //" <<<"$hint")"
