#!/usr/bin/env python3
"""ndjson_send.py HOST:PORT ACTION...: observation lines (docs/formats.md §1.1) over one TCP
connection to the daemon's ndjson_tcp input. Actions, in order:

  good:N     N POS3 observations of an aircraft flying north from 52.0 N 21.0 E, now-timed
  crlf:N     the same ending in \\r\\n
  broken:N   N lines that are not JSON
  v2         an observation line with "v":2 (a version the reader does not know)
  track      a valid NDJSON line that is not an observation (a track)
  long:B     one line of B bytes (a JSON string that never ends in time)
  split      one good observation written a few bytes at a time
  sleep:S    wait S seconds

Prints {"lines": L, "good": G, "bad": K, "bytes": B, "open": true|false}."""
import json
import socket
import sys
import time

host, port = sys.argv[1].rsplit(":", 1)
s = socket.create_connection((host, int(port)), timeout=10)
cnt = {"lines": 0, "good": 0, "bad": 0, "bytes": 0}
i = 0


def put(data, good):
    s.sendall(data)
    cnt["bytes"] += len(data)
    cnt["lines"] += 1
    cnt["good" if good else "bad"] += 1


def obs(v=1):
    global i
    i += 1
    return json.dumps({"v": v, "type": "obs", "t_us": int(time.time() * 1e6), "sensor": "ADSB-TEST",
                       "kind": "POS3", "lat_deg": 52.0 + 0.0005 * i, "lon_deg": 21.0,
                       "alt_m": 3000.0, "icao": "48AE21", "callsign": "LOT3AB"},
                      separators=(",", ":")).encode()


for act in sys.argv[2:]:
    name, _, arg = act.partition(":")
    if name in ("good", "crlf"):
        for _ in range(int(arg)):
            put(obs() + (b"\r\n" if name == "crlf" else b"\n"), True)
            time.sleep(0.05)
    elif name == "broken":
        for k in range(int(arg)):
            put(b'{"v":1,"type":"obs","t_us":' + str(k).encode() + b',"sensor":\n', False)
    elif name == "v2":
        put(obs(v=2) + b"\n", False)
    elif name == "track":
        put(b'{"v":1,"type":"track","t_us":1757451001000000,"id":17,"status":"confirmed",'
            b'"lat_deg":51.55,"lon_deg":23.61,"alt_m":850.0}\n', False)
    elif name == "long":
        n = int(arg)
        put(b'{"v":1,"type":"obs","sensor":"' + b"x" * (n - 40) + b'"}\n', False)
    elif name == "split":
        line = obs() + b"\n"
        for k in range(0, len(line), 7):
            s.sendall(line[k:k + 7])
            time.sleep(0.005)
        cnt["bytes"] += len(line)
        cnt["lines"] += 1
        cnt["good"] += 1
    elif name == "sleep":
        time.sleep(float(arg))
    else:
        sys.exit("unknown action " + act)
s.settimeout(0.3)
cnt["open"] = True
try:
    if s.recv(1) == b"":
        cnt["open"] = False
except socket.timeout:
    pass
except OSError:
    cnt["open"] = False
s.close()
print(json.dumps(cnt), flush=True)
