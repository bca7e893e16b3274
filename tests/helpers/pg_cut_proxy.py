#!/usr/bin/env python3
"""A TCP proxy in front of a real PostgreSQL server that cuts one client's
connection at its commit: the fault a real server cannot be made to show
on demand (the link going just as a COMMIT travels).

    pg_cut_proxy.py LISTEN_PORT SERVER_PORT MODE READY_FILE

MODE "after": the commit reaches the server (which commits) and the
connection is cut before its answer comes back.  MODE "before": the
commit is held back and the connection cut, so the server rolls back.
MODE "pass": nothing is cut; stopping the proxy takes the server away
from its clients at once, as a server going down or the network failing
would, while the server itself goes on serving the other tests.
Only the first commit seen is cut; every other byte and connection passes
untouched.  The proxy writes "cut" to READY_FILE.cut when it has cut, and
READY_FILE once it listens.
"""
import socket
import sys
import threading
import time

MARK = b"NOTIFY drconsole; COMMIT"


def main():
    listen_port, server_port = int(sys.argv[1]), int(sys.argv[2])
    mode, ready = sys.argv[3], sys.argv[4]
    cut = threading.Event()
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", listen_port))
    lsock.listen(16)
    with open(ready, "w") as f:
        f.write("listening\n")

    def pipe(src, dst, client_side, other):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if (client_side and mode != "pass" and not cut.is_set()
                        and MARK in data):
                    cut.set()
                    if mode == "after":
                        # The server gets the commit and commits; its
                        # answer is dropped, the client's link cut.
                        other["drop"] = True
                        dst.sendall(data)
                    with open(ready + ".cut", "w") as f:
                        f.write("cut %s\n" % mode)
                    if mode == "after":
                        time.sleep(0.5)  # the server commits meanwhile
                    break
                if not client_side and other.get("drop"):
                    continue  # the answer to the cut commit: dropped
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    while True:
        client, _ = lsock.accept()
        server = socket.create_connection(("127.0.0.1", server_port))
        shared = {}
        threading.Thread(target=pipe, args=(client, server, True, shared),
                         daemon=True).start()
        threading.Thread(target=pipe, args=(server, client, False, shared),
                         daemon=True).start()


if __name__ == "__main__":
    main()
