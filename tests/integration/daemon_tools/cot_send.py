#!/usr/bin/env python3
"""cot_send.py HOST:PORT [--files FILE...] [--drone N] [--junk] [--cut FILE]: Cursor-on-Target
events as UDP datagrams, one event a datagram, as ATAK and TAK gateways send them.

  --files FILE...  each file as it is (the ATAK examples)
  --drone N        N position reports of a hostile drone (type a-h-A-M-F-Q) made from the
                   first --files event as a template: uid, type, point and times replaced,
                   time = now, moving ~10 m east between reports, --interval apart
  --junk           one datagram of random bytes
  --cut FILE       the first half of FILE (an XML event cut short)

Prints {"datagrams": N, "bytes": B, "drone_uid": U}."""
import argparse
import json
import random
import re
import socket
import time

ap = argparse.ArgumentParser()
ap.add_argument("dest")
ap.add_argument("--files", nargs="*", default=[])
ap.add_argument("--drone", type=int, default=0)
ap.add_argument("--interval", type=float, default=0.2)
ap.add_argument("--junk", action="store_true")
ap.add_argument("--cut")
a = ap.parse_args()
host, port = a.dest.rsplit(":", 1)
dest = (host, int(port))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
n = b = 0


def send(data):
    global n, b
    s.sendto(data, dest)
    n += 1
    b += len(data)


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%03dZ" % int(t % 1 * 1000)


for f in a.files:
    send(open(f, "rb").read())
if a.junk:
    send(bytes(random.Random(3).getrandbits(8) for _ in range(300)))
if a.cut:
    data = open(a.cut, "rb").read()
    send(data[: len(data) // 2])
uid = "dw-test-drone-1"
if a.drone:
    tpl = open(a.files[0], "r", encoding="utf-8").read()
    for i in range(a.drone):
        t = time.time()
        ev = re.sub(r"uid='[^']*' type='[^']*'", "uid='%s' type='a-h-A-M-F-Q'" % uid, tpl, count=1)
        ev = re.sub(r"time='[^']*' start='[^']*' stale='[^']*'",
                    "time='%s' start='%s' stale='%s'" % (iso(t), iso(t), iso(t + 60)), ev, count=1)
        ev = re.sub(r"<point [^>]*/>",
                    "<point lat='51.5000' lon='%.6f' hae='800.0' ce='15.0' le='20.0' />"
                    % (23.0 + 0.00015 * i), ev, count=1)
        send(ev.encode())
        time.sleep(a.interval)
print(json.dumps({"datagrams": n, "bytes": b, "drone_uid": uid}), flush=True)
