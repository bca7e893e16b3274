#!/usr/bin/env python3
"""A webhook receiver for notification tests, on 127.0.0.1.

    hookrecv.py PORTFILE LOGFILE MODEFILE

writes the port it listens on to PORTFILE, then answers every POST by the
first word of MODEFILE, read at each request (so a test can change it):

    ok     202 (and, on /v2/enqueue, PagerDuty's own answer)
    fail   500
    hang   waits 60 s, then 500 (the sender's timeout ends it first)

Each POST is appended to LOGFILE as one JSON line: {"path", "mode",
"headers", "body"}.  On /v2/enqueue the body is checked the way
PagerDuty's Events API v2 documents it (routing_key, event_action
trigger|acknowledge|resolve, dedup_key up to 255 characters, and for a
trigger a payload with summary, source and severity critical|error|
warning|info); an event that is not valid gets 400 and "invalid": [...]
in its log line."""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORTFILE, LOGFILE, MODEFILE = sys.argv[1:4]
lock = threading.Lock()


def mode():
    try:
        with open(MODEFILE) as f:
            return (f.read().split() or ["ok"])[0]
    except OSError:
        return "ok"


def pagerduty_problems(body):
    try:
        ev = json.loads(body)
    except ValueError:
        return ["the body is not JSON"]
    bad = []
    if not isinstance(ev, dict):
        return ["the event is not an object"]
    if not isinstance(ev.get("routing_key"), str) or not ev["routing_key"]:
        bad.append("routing_key missing")
    action = ev.get("event_action")
    if action not in ("trigger", "acknowledge", "resolve"):
        bad.append("event_action must be trigger, acknowledge or resolve")
    key = ev.get("dedup_key")
    if action in ("acknowledge", "resolve") and not key:
        bad.append("dedup_key is required to " + str(action))
    if key is not None and (not isinstance(key, str) or len(key) > 255):
        bad.append("dedup_key must be a string of at most 255 characters")
    if action == "trigger":
        p = ev.get("payload")
        if not isinstance(p, dict):
            bad.append("payload missing")
        else:
            for k in ("summary", "source", "severity"):
                if not isinstance(p.get(k), str) or not p[k]:
                    bad.append("payload." + k + " missing")
            if p.get("severity") not in ("critical", "error", "warning",
                                         "info"):
                bad.append("payload.severity is not a severity")
            if len(p.get("summary", "")) > 1024:
                bad.append("payload.summary over 1024 characters")
    return bad


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("utf-8", "replace")
        m = mode()
        rec = {"path": self.path, "mode": m,
               "headers": {k: v for k, v in self.headers.items()},
               "body": body}
        code, answer = 202, {"status": "ok"}
        if self.path == "/v2/enqueue":
            problems = pagerduty_problems(body)
            if problems:
                rec["invalid"] = problems
                code = 400
                answer = {"status": "invalid event",
                          "message": "Event object is invalid",
                          "errors": problems}
            else:
                answer = {"status": "success", "message": "Event processed",
                          "dedup_key": json.loads(body).get("dedup_key")}
        if m == "fail":
            code, answer = 500, {"status": "error"}
        with lock:
            with open(LOGFILE, "a") as f:
                f.write(json.dumps(rec) + "\n")
        if m == "hang":
            time.sleep(60)
            code, answer = 500, {"status": "too late"}
        data = json.dumps(answer).encode()
        try:
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the sender gave up waiting
        self.close_connection = True


srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
srv.daemon_threads = True
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os  # noqa: E402

os.rename(PORTFILE + ".tmp", PORTFILE)
srv.serve_forever()
