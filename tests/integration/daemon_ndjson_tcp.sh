#!/usr/bin/env bash
# `dronewall run` with an ndjson_tcp input: observation lines (docs/formats.md §1.1) over
# TCP. Good lines (\n or \r\n, or written a few bytes at a time) are observations and make a
# track; lines that are not JSON, of an unknown version, of another record type, or longer
# than max_frame are each one malformed line, skipped, with the connection kept and the
# lines after them used. Two clients at once are two streams.
set -euo pipefail
source "$DW_SOURCE_DIR/tests/integration/daemon_tools/common.sh" ndjson-tcp

dw_start --set stop_after_s=60 --set 'inputs[0].kind=ndjson_tcp' \
    --set 'inputs[0].listen=127.0.0.1:0' --set 'inputs[0].max_frame=4096'
ADDR=$(dw_io ndjson_tcp-0)

python3 "$TOOLS/ndjson_send.py" "$ADDR" good:10 broken:3 good:2 long:10000 good:2 v2 track \
    crlf:3 split long:300000 good:3 sleep:0.2 > "$T/a.json"
python3 - "$T" <<'PY'
import json, sys
from dwtest import *
a = json.load(open(sys.argv[1] + "/a.json"))
if not a["open"]:
    fail("the daemon closed the connection: %s" % a)
x = wait_io("ndjson_tcp-0", lambda x: x["bytes"] >= a["bytes"], 5,
             "the %d bytes sent" % a["bytes"])
got = (x["frames"], x["obs"], x["malformed"], x["bytes"], x["dropped"])
want = (a["lines"], a["good"], a["bad"], a["bytes"], 0)
if got != want:
    fail("frames/obs/malformed/bytes/dropped %s, want %s" % (got, want))
ok("%d lines: %d observations; 3 not JSON, a 10000- and a 300000-byte line (max_frame 4096), "
   "a v2 and a track line -> %d malformed; the connection stayed open" % (a["lines"], x["obs"], x["malformed"]))
tr = wait_for(lambda: [t for t in get("/api/tracks")["tracks"] if t.get("icao") == "48AE21"], 5,
              "the NDJSON aircraft's track")
t = tr[0]
if abs(t["lon_deg"] - 21.0) > 0.01 or t.get("callsign") != "LOT3AB":
    fail("the track: %s" % t)
ok("track %d: %s %s at %.4f N %.4f E" % (t["id"], t["icao"], t["callsign"], t["lat_deg"], t["lon_deg"]))
json.dump(x, open(sys.argv[1] + "/x1.json", "w"))
PY

# Two clients at once: a line cut across their writes stays each one's own.
python3 "$TOOLS/ndjson_send.py" "$ADDR" split good:3 split > "$T/b.json" &
P1=$!
python3 "$TOOLS/ndjson_send.py" "$ADDR" split broken:1 split > "$T/c.json" &
P2=$!
wait "$P1" "$P2"
python3 - "$T" <<'PY'
import json, sys
from dwtest import *
d = sys.argv[1]
x0 = json.load(open(d + "/x1.json"))
b, c = json.load(open(d + "/b.json")), json.load(open(d + "/c.json"))
x = wait_io("ndjson_tcp-0", lambda x: x["bytes"] >= x0["bytes"] + b["bytes"] + c["bytes"],
             5, "both clients' bytes")
if (x["obs"] - x0["obs"], x["malformed"] - x0["malformed"]) != (b["good"] + c["good"], 1):
    fail("two clients: obs +%d malformed +%d, want +%d, +1"
         % (x["obs"] - x0["obs"], x["malformed"] - x0["malformed"], b["good"] + c["good"]))
ok("two clients at once: %d observations, 1 malformed" % (b["good"] + c["good"]))
PY
dw_stop
[ "$DW_RC" = 0 ] || fail "the daemon exited with $DW_RC"
echo "ok   daemon_ndjson_tcp in $(elapsed) s"
