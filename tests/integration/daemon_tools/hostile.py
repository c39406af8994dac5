#!/usr/bin/env python3
"""hostile.py ATTACK HOST:PORT [options]: what a hostile or broken peer does to the daemon's
listeners. Each attack prints one JSON line of what it did and what it saw.

  slowloris --conns N --seconds S   N HTTP connections, each sending a request one header
                                    byte a second; how long until the server closed each
  http-junk --conns N               N connections sending 4 KB of random bytes instead of
                                    HTTP; how each ended
  udp-junk --n N --max-size B       N datagrams of random bytes, 1 to B bytes long
  tcp-flood --hold K --extra N      K connections held open, then N more, each connected,
                                    then closed by us (the server should refuse them)
  tcp-junk --bytes B                one connection sending B random bytes
"""
import argparse
import json
import random
import socket
import threading
import time

ap = argparse.ArgumentParser()
ap.add_argument("attack")
ap.add_argument("addr")
ap.add_argument("--conns", type=int, default=50)
ap.add_argument("--seconds", type=float, default=15)
ap.add_argument("--n", type=int, default=500)
ap.add_argument("--max-size", type=int, default=60000)
ap.add_argument("--hold", type=int, default=16)
ap.add_argument("--extra", type=int, default=2000)
ap.add_argument("--bytes", type=int, default=1 << 20)
a = ap.parse_args()
host, port = a.addr.rsplit(":", 1)
dest = (host, int(port))
rnd = random.Random(11)


def slowloris():
    conns = []
    for _ in range(a.conns):
        s = socket.create_connection(dest, timeout=5)
        s.setblocking(False)
        conns.append([s, time.monotonic(), None])
    req = b"GET /api/stats HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 1000
    t0 = time.monotonic()
    i = 0
    while time.monotonic() - t0 < a.seconds and any(c[2] is None for c in conns):
        for c in conns:
            if c[2] is not None:
                continue
            try:
                if c[0].recv(4096) == b"":
                    c[2] = time.monotonic() - c[1]
                    continue
            except BlockingIOError:
                pass
            except OSError:
                c[2] = time.monotonic() - c[1]
                continue
            try:
                c[0].send(req[i:i + 1])
            except BlockingIOError:
                pass
            except OSError:
                c[2] = time.monotonic() - c[1]
        i += 1
        time.sleep(1.0)
    closed = [c[2] for c in conns if c[2] is not None]
    for c in conns:
        c[0].close()
    return {"conns": len(conns), "closed_by_server": len(closed), "bytes_each": i,
            "min_open_s": min(closed) if closed else None, "max_open_s": max(closed) if closed else None}


def http_junk():
    ended = {"closed": 0, "response": 0, "open": 0}
    for _ in range(a.conns):
        s = socket.create_connection(dest, timeout=5)
        try:
            s.sendall(bytes(rnd.getrandbits(8) for _ in range(4096)))
            s.settimeout(3)
            d = s.recv(4096)
            ended["response" if d else "closed"] += 1
        except socket.timeout:
            ended["open"] += 1
        except OSError:
            ended["closed"] += 1
        s.close()
    return ended


def udp_junk():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    n = b = big = 0
    for k in range(a.n):
        size = rnd.randint(1, a.max_size)
        s.sendto(rnd.randbytes(size), dest)
        n += 1
        b += size
        if k % 50 == 0:
            time.sleep(0.005)
    return {"datagrams": n, "bytes": b}


def tcp_flood():
    held = [socket.create_connection(dest, timeout=5) for _ in range(a.hold)]
    time.sleep(0.5)
    done = reset = 0
    t0 = time.monotonic()
    lock = threading.Lock()

    def worker(k):
        nonlocal done, reset
        for _ in range(k):
            try:
                s = socket.create_connection(dest, timeout=5)
                s.close()
                with lock:
                    done += 1
            except OSError:
                with lock:
                    reset += 1

    ts = [threading.Thread(target=worker, args=(a.extra // 4,)) for _ in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    # The held ones are still served: none of them was closed by the server.
    alive = 0
    for s in held:
        s.setblocking(False)
        try:
            alive += s.recv(1) != b""
        except BlockingIOError:
            alive += 1
        except OSError:
            pass
        s.close()
    return {"held": a.hold, "held_alive": alive, "connects": done, "failed": reset,
            "seconds": round(time.monotonic() - t0, 2)}


def tcp_junk():
    s = socket.create_connection(dest, timeout=5)
    sent = 0
    while sent < a.bytes:
        n = min(65536, a.bytes - sent)
        s.sendall(rnd.randbytes(n))
        sent += n
    s.close()
    return {"bytes": sent}


res = {"slowloris": slowloris, "http-junk": http_junk, "udp-junk": udp_junk,
       "tcp-flood": tcp_flood, "tcp-junk": tcp_junk}[a.attack]()
res["attack"] = a.attack
print(json.dumps(res), flush=True)
