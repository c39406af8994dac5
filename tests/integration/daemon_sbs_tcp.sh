#!/usr/bin/env bash
# `dronewall run` with an sbs_tcp input connecting to a receiver's port 30003: a TCP server
# on 127.0.0.1 plays the SBS (BaseStation) text of the Beast capture at its real rate,
# each line re-timed to the moment it is sent, as a receiver on a UTC clock writes them.
# The input connects, each position line is one frame and one observation, nothing is
# malformed, the aircraft are tracked with their ICAO address at the present time; the
# receiver restarts and the input reconnects on its own.
set -euo pipefail
source "$DW_SOURCE_DIR/tests/integration/daemon_tools/common.sh" sbs-tcp
: "${DW_SHARED_DIR:?}"
SBS="$DW_SHARED_DIR/data/adsb/beastblackbox/beast_decoded_sbs.txt"
[ -f "$SBS" ] || fail "missing $SBS"

# 12.5 kB/s is the file's own rate (749 kB in 60 s).
bg_start "$T/recv1.log" python3 "$TOOLS/feed_server.py" "$SBS" --port-file "$T/port" --rate 12500 --sbs-now
RECV1=$BG_LAST
wait_file "$T/port" 10 "$RECV1" || fail "the receiver did not start"
PORT=$(cat "$T/port")
dw_start --set stop_after_s=60 --set 'inputs[0].kind=sbs_tcp' \
    --set "inputs[0].connect=127.0.0.1:$PORT" --set 'inputs[0].reconnect_s=0.5'

python3 - <<'PY'
import time
from dwtest import *
tr = wait_for(lambda: [t for t in get("/api/tracks")["tracks"] if t.get("icao")], 8,
              "ADS-B tracks from SBS in /api/tracks")
x = io("sbs_tcp-0")
if x["state"] != "connected" or x["obs"] <= 0 or x["malformed"] != 0:
    fail("sbs_tcp-0: %s" % x)
if x["frames"] < x["obs"]:
    fail("sbs_tcp-0: %d frames (lines) for %d observations" % (x["frames"], x["obs"]))
now_us = time.time() * 1e6
late = [t for t in tr if abs(t["t_us"] - now_us) > 10e6]
if late:
    fail("tracks not at the present time: %s" % [(t["id"], t["t_us"]) for t in late])
ok("sbs_tcp-0 connected: %d lines, %d observations, 0 malformed; %d tracks (%s) within 10 s of now"
   % (x["frames"], x["obs"], len(tr), ", ".join(sorted(t["icao"] for t in tr))))
PY

bg_stop "$RECV1"
python3 - <<'PY'
from dwtest import *
wait_for(lambda: io("sbs_tcp-0")["state"] == "retrying", 3, "sbs_tcp-0 retrying after the receiver died")
ok("receiver gone: state retrying")
PY
bg_start "$T/recv2.log" python3 "$TOOLS/feed_server.py" "$SBS" --port "$PORT" --port-file "$T/port2" --rate 12500 --sbs-now
wait_file "$T/port2" 10 "$BG_LAST" || fail "the second receiver did not start on port $PORT"
python3 - <<'PY'
from dwtest import *
before = io("sbs_tcp-0")["obs"]
x = wait_io("sbs_tcp-0", lambda x: x["state"] == "connected" and x["obs"] > before,
             8, "sbs_tcp-0 connected again with new observations")
ok("receiver back on port %s: connected again, %d new observations" % (x["address"].rsplit(":", 1)[1], x["obs"] - before))
PY
dw_stop
[ "$DW_RC" = 0 ] || fail "the daemon exited with $DW_RC"
echo "ok   daemon_sbs_tcp in $(elapsed) s"
