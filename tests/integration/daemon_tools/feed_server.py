#!/usr/bin/env python3
"""feed_server.py FILE --port-file F [--port P] [--rate BYTES_PER_S] [--loop] [--sbs-now]:
a receiver (dump1090, readsb) as the daemon's beast_tcp / sbs_tcp input sees it: a TCP
server on 127.0.0.1 that sends FILE's bytes to every client that connects, paced at
--rate (whole lines for text files), again from the start with --loop, and keeps the
connection open after the end. --sbs-now re-times SBS lines to the moment they are sent.
--port 0 (the default) takes any free port; the port is written to --port-file once
listening. Each client's total goes to stdout when it leaves or the file ends:
{"client": N, "bytes": B, "done": true|false}. It exits by itself after --lifetime
seconds, so a test that dies cannot leave it behind."""
import argparse
import json
import os
import signal
import socket
import threading
import time

ap = argparse.ArgumentParser()
ap.add_argument("file")
ap.add_argument("--port", type=int, default=0)
ap.add_argument("--port-file", required=True)
ap.add_argument("--rate", type=float, default=100000.0)
ap.add_argument("--loop", action="store_true")
ap.add_argument("--sbs-now", action="store_true",
                help="SBS text: write the time of sending into each MSG line's date/time fields")
ap.add_argument("--lifetime", type=float, default=120.0, help="exit after this many seconds")
a = ap.parse_args()
data = open(a.file, "rb").read()
text = all(b < 0x80 for b in data[:4096]) and b"\n" in data[:4096]
signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
threading.Timer(a.lifetime, lambda: os._exit(3)).start()

srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", a.port))
srv.listen(8)
tmp = a.port_file + ".tmp"
with open(tmp, "w") as f:
    f.write(str(srv.getsockname()[1]))
os.rename(tmp, a.port_file)
lock = threading.Lock()


def report(obj):
    with lock:
        print(json.dumps(obj), flush=True)


def sbs_now(block):
    """The lines of block with their generated and logged date/time (fields 7-10) set to
    now in UTC, as a receiver on a UTC clock would write them live."""
    t = time.time()
    day = time.strftime("%Y/%m/%d", time.gmtime(t))
    tod = time.strftime("%H:%M:%S", time.gmtime(t)) + ".%03d" % int(t % 1 * 1000)
    out = []
    for line in block.split(b"\n"):
        f = line.split(b",")
        if len(f) >= 10 and f[0] == b"MSG":
            f[6] = f[8] = day.encode()
            f[7] = f[9] = tod.encode()
            line = b",".join(f)
        out.append(line)
    return b"\n".join(out)


def serve(conn, n):
    chunk = max(64, int(a.rate / 20))
    sent = 0
    try:
        while True:
            pos = 0
            while pos < len(data):
                end = min(len(data), pos + chunk)
                if text:
                    nl = data.find(b"\n", end)
                    end = len(data) if nl < 0 else nl + 1
                conn.sendall(sbs_now(data[pos:end]) if a.sbs_now else data[pos:end])
                sent += end - pos
                pos = end
                time.sleep(chunk / a.rate)
            if not a.loop:
                break
        report({"client": n, "bytes": sent, "done": True})
        while conn.recv(4096):          # hold it open until the peer goes
            pass
    except OSError:
        report({"client": n, "bytes": sent, "done": False})
    finally:
        conn.close()


n = 0
while True:
    c, _ = srv.accept()
    n += 1
    threading.Thread(target=serve, args=(c, n), daemon=True).start()
