#!/usr/bin/env python3
"""ws_client.py HOST:PORT [--path /api/stream] [--seconds S] [--until KIND...] [--out FILE]:
a minimal RFC 6455 client (standard library only): the opening handshake (checking
Sec-WebSocket-Accept), then the server's frames read until S seconds have passed or a
frame of every --until type has come. Text frames are JSON; each goes to FILE as one line.
Control frames: ping is answered with pong, close ends the read. Prints
{"frames": N, "types": {type: count}, "first": TYPE, "closed": bool, "bytes": B}.

--send-big N sends one masked text frame of N bytes first (a hostile viewer)."""
import argparse
import base64
import hashlib
import json
import os
import socket
import struct
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def read_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError
        b += c
    return b


def handshake(s, host, path):
    key = base64.b64encode(os.urandom(16))
    s.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: " + host.encode() +
              b"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key +
              b"\r\nSec-WebSocket-Version: 13\r\n\r\n")
    head = b""
    while b"\r\n\r\n" not in head:
        c = s.recv(1)
        if not c:
            raise EOFError("closed during the handshake: %r" % head)
        head += c
    lines = head.decode("latin-1").split("\r\n")
    if " 101 " not in lines[0] + " ":
        raise RuntimeError("handshake refused: %s" % lines[0])
    hdr = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip() for l in lines[1:] if ":" in l}
    want = base64.b64encode(hashlib.sha1(key + GUID).digest()).decode()
    if hdr.get("sec-websocket-accept") != want:
        raise RuntimeError("bad Sec-WebSocket-Accept %r" % hdr.get("sec-websocket-accept"))


def send_frame(s, opcode, payload):
    mask = os.urandom(4)
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload)) if n < 1 << 16 else \
        (int.from_bytes(payload, "big") ^ int.from_bytes((mask * (n // 4 + 1))[:n], "big")).to_bytes(n, "big")
    s.sendall(head + mask + body)


def read_frame(s):
    b0, b1 = read_exact(s, 2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack("!H", read_exact(s, 2))[0]
    elif n == 127:
        n = struct.unpack("!Q", read_exact(s, 8))[0]
    if b1 & 0x80:
        raise RuntimeError("the server masked a frame")
    return b0 & 0x80, b0 & 0x0F, read_exact(s, n)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("addr")
    ap.add_argument("--path", default="/api/stream")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--until", nargs="*", default=[])
    ap.add_argument("--out")
    ap.add_argument("--send-big", type=int, default=0)
    a = ap.parse_args()
    host, port = a.addr.rsplit(":", 1)
    s = socket.create_connection((host, int(port)), timeout=10)
    handshake(s, a.addr, a.path)
    out = open(a.out, "w") if a.out else None
    res = {"frames": 0, "types": {}, "first": None, "closed": False, "bytes": 0}
    if a.send_big:
        try:
            send_frame(s, 1, b"x" * a.send_big)
        except OSError:
            res["closed"] = True
    deadline = time.monotonic() + a.seconds
    msg = b""
    while not res["closed"] and time.monotonic() < deadline:
        s.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            fin, op, payload = read_frame(s)
        except socket.timeout:
            break
        except (EOFError, OSError):
            res["closed"] = True
            break
        if op == 9:
            send_frame(s, 10, payload)
            continue
        if op == 8:
            res["closed"] = True
            break
        if op in (0, 1):
            msg += payload
            if not fin:
                continue
            res["frames"] += 1
            res["bytes"] += len(msg)
            o = json.loads(msg)
            t = o.get("type", "?")
            res["types"][t] = res["types"].get(t, 0) + 1
            res["first"] = res["first"] or t
            if out:
                out.write(msg.decode() + "\n")
            msg = b""
            if a.until and all(k in res["types"] for k in a.until):
                break
    s.close()
    print(json.dumps(res), flush=True)


if __name__ == "__main__":
    main()
