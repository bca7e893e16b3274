#!/usr/bin/env python3
"""An SMTP sink for notification tests, on 127.0.0.1.

    smtpsink.py PORTFILE OUTDIR [--cert CERT --key KEY] [--smtps]
                [--require-tls] [--auth USER:PASSWORD]

writes its port to PORTFILE and keeps every message it accepts as
OUTDIR/N.eml, with OUTDIR/N.env holding one JSON line: {"from", "to",
"tls", "user"}.  With --cert and --key it offers STARTTLS (or, with
--smtps, speaks TLS from the first byte); --require-tls refuses MAIL
before TLS (530); --auth requires AUTH PLAIN or LOGIN with those
credentials (535 otherwise).  The DATA is dot-unstuffed as RFC 5321
4.5.2 says."""
import base64
import json
import os
import socket
import ssl
import sys
import threading

args = sys.argv[1:]
PORTFILE, OUTDIR = args[0], args[1]
opts = {}
i = 2
while i < len(args):
    a = args[i]
    if a in ("--cert", "--key", "--auth"):
        opts[a] = args[i + 1]
        i += 2
    else:
        opts[a] = True
        i += 1
ctx = None
if "--cert" in opts:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(opts["--cert"], opts["--key"])
counter = [0]
lock = threading.Lock()


class Conn:
    def __init__(self, sock, tls):
        self.sock, self.tls = sock, tls
        self.f = sock.makefile("rb")
        self.user = None
        self.reset()

    def reset(self):
        self.mail_from, self.rcpt = None, []

    def send(self, line):
        self.sock.sendall((line + "\r\n").encode())

    def readline(self):
        line = self.f.readline()
        if not line:
            raise EOFError
        return line.decode("utf-8", "replace").rstrip("\r\n")

    def ehlo(self):
        lines = ["250-sink"]
        if ctx is not None and not self.tls:
            lines.append("250-STARTTLS")
        if "--auth" in opts:
            lines.append("250-AUTH PLAIN LOGIN")
        lines.append("250 8BITMIME")
        self.sock.sendall(("\r\n".join(lines) + "\r\n").encode())

    def check_auth(self, user, password):
        if opts.get("--auth") == user + ":" + password:
            self.user = user
            self.send("235 2.7.0 ok")
        else:
            self.send("535 5.7.8 bad credentials")

    def run(self):
        self.send("220 sink ESMTP")
        while True:
            line = self.readline()
            verb = line.split(" ", 1)[0].upper()
            arg = line[len(verb):].strip()
            if verb in ("EHLO", "HELO"):
                self.ehlo() if verb == "EHLO" else self.send("250 sink")
            elif verb == "STARTTLS" and ctx is not None and not self.tls:
                self.send("220 2.0.0 go ahead")
                self.sock = ctx.wrap_socket(self.sock, server_side=True)
                self.f = self.sock.makefile("rb")
                self.tls = True
                self.reset()
            elif verb == "AUTH":
                parts = arg.split()
                if parts and parts[0].upper() == "PLAIN":
                    if len(parts) > 1:
                        blob = parts[1]
                    else:
                        self.send("334 ")
                        blob = self.readline()
                    try:
                        _, u, p = base64.b64decode(blob).decode().split("\0")
                    except Exception:
                        u, p = "", None
                    self.check_auth(u, p or "")
                elif parts and parts[0].upper() == "LOGIN":
                    if len(parts) > 1:
                        u = base64.b64decode(parts[1]).decode()
                    else:
                        self.send("334 VXNlcm5hbWU6")
                        u = base64.b64decode(self.readline()).decode()
                    self.send("334 UGFzc3dvcmQ6")
                    p = base64.b64decode(self.readline()).decode()
                    self.check_auth(u, p)
                else:
                    self.send("504 5.5.4 unknown mechanism")
            elif verb == "MAIL":
                if "--require-tls" in opts and not self.tls:
                    self.send("530 5.7.0 must issue STARTTLS first")
                elif "--auth" in opts and self.user is None:
                    self.send("530 5.7.0 authentication required")
                else:
                    self.mail_from = arg.split(":", 1)[-1].strip()
                    self.send("250 2.1.0 ok")
            elif verb == "RCPT":
                self.rcpt.append(arg.split(":", 1)[-1].strip())
                self.send("250 2.1.5 ok")
            elif verb == "DATA":
                if self.mail_from is None or not self.rcpt:
                    self.send("503 5.5.1 need MAIL and RCPT")
                    continue
                self.send("354 end with .")
                body = []
                while True:
                    raw = self.f.readline()
                    if not raw:
                        raise EOFError
                    if raw in (b".\r\n", b".\n"):
                        break
                    if raw.startswith(b"."):
                        raw = raw[1:]
                    body.append(raw)
                with lock:
                    counter[0] += 1
                    n = counter[0]
                with open(os.path.join(OUTDIR, "%d.eml" % n), "wb") as f:
                    f.write(b"".join(body))
                with open(os.path.join(OUTDIR, "%d.env" % n), "w") as f:
                    f.write(json.dumps({"from": self.mail_from,
                                        "to": self.rcpt, "tls": self.tls,
                                        "user": self.user}) + "\n")
                self.send("250 2.0.0 queued as %d" % n)
                self.reset()
            elif verb == "RSET":
                self.reset()
                self.send("250 ok")
            elif verb == "NOOP":
                self.send("250 ok")
            elif verb == "QUIT":
                self.send("221 bye")
                return
            else:
                self.send("502 5.5.2 unknown command")


def serve(sock):
    try:
        if "--smtps" in opts:
            sock = ctx.wrap_socket(sock, server_side=True)
        Conn(sock, "--smtps" in opts).run()
    except (EOFError, OSError, ssl.SSLError):
        pass
    finally:
        try:
            sock.close()
        except OSError:
            pass


srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0))
srv.listen(16)
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(srv.getsockname()[1]))
os.rename(PORTFILE + ".tmp", PORTFILE)
while True:
    s, _ = srv.accept()
    threading.Thread(target=serve, args=(s,), daemon=True).start()
