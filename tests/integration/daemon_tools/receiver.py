#!/usr/bin/env python3
"""receiver.py MODE --out FILE [...]: what reads the daemon's outputs in the tests. Every
byte received goes to FILE as it comes (flushed), so the test can kill it at any time.

  udp --port-file P            a UDP listener on 127.0.0.1 (any port, written to P): each
                               datagram is written as a 4-byte big-endian length + bytes
  tcp-server --port-file P     a TCP server on 127.0.0.1 (a TAK server for cot_tcp): the
                               bytes of every connection, one after the other
  tcp-client HOST:PORT         a client of a TCP server (the ndjson_tcp output): its bytes;
                               it retries the connect for up to 5 s

It exits by itself after --lifetime seconds (120)."""
import argparse
import os
import socket
import struct
import sys
import threading
import time

ap = argparse.ArgumentParser()
ap.add_argument("mode", choices=["udp", "tcp-server", "tcp-client"])
ap.add_argument("addr", nargs="?")
ap.add_argument("--out", required=True)
ap.add_argument("--port-file")
ap.add_argument("--lifetime", type=float, default=120.0)
a = ap.parse_args()
threading.Timer(a.lifetime, lambda: os._exit(3)).start()
out = open(a.out, "ab", buffering=0)
lock = threading.Lock()


def announce(sock):
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(sock.getsockname()[1]))
    os.rename(tmp, a.port_file)


if a.mode == "udp":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind(("127.0.0.1", 0))
    announce(s)
    while True:
        d = s.recv(65536)
        out.write(struct.pack(">I", len(d)) + d)
elif a.mode == "tcp-server":
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    announce(srv)

    def serve(c):
        while True:
            d = c.recv(65536)
            if not d:
                break
            with lock:
                out.write(d)
        c.close()

    while True:
        c, _ = srv.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()
else:
    host, port = a.addr.rsplit(":", 1)
    deadline = time.monotonic() + 5
    while True:
        try:
            c = socket.create_connection((host, int(port)), timeout=5)
            break
        except OSError:
            if time.monotonic() > deadline:
                sys.exit("cannot connect to " + a.addr)
            time.sleep(0.05)
    c.settimeout(None)
    if a.port_file:
        announce(c)
    while True:
        d = c.recv(65536)
        if not d:
            break
        out.write(d)
