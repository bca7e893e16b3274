#!/usr/bin/env python3
"""A loopback HTTP receiver for agent tests and benchmarks.

    recv.py PORTFILE LOGFILE

Listens on 127.0.0.1 (a free port, written to PORTFILE) and serves every
request on a thread of its own, logging one line per request as it
arrives: "EPOCH_SECONDS METHOD PATH".  Paths:

    /hang...   never answers (the client's timeout ends it)
    /fail...   500
    anything   200 "ok"
"""
import http.server
import os
import socketserver
import sys
import threading
import time

port_file, log_file = sys.argv[1], sys.argv[2]
log_lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, fmt, *args):
        pass

    def _serve(self):
        with log_lock, open(log_file, "a") as f:
            f.write("%.3f %s %s\n" % (time.time(), self.command, self.path))
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if self.path.startswith("/hang"):
            time.sleep(3600)
            return
        code = 500 if self.path.startswith("/fail") else 200
        body = b"ok\n"
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = _serve
    do_POST = _serve


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


srv = Server(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write("%d\n" % srv.server_address[1])

os.rename(port_file + ".tmp", port_file)
srv.serve_forever()
