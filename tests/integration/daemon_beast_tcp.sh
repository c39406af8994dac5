#!/usr/bin/env bash
# `dronewall run` with a beast_tcp input connecting to a receiver: a TCP server on
# 127.0.0.1 plays the Beast binary capture at about its real rate (dump1090's port 30005
# as the daemon sees it). The input connects, its ADS-B positions are counted and tracked
# (no sensors file needed); the receiver then dies: the input goes to retrying, after
# quiet_s without data it is "quiet" and a sensor_down alert for it is raised; a new
# receiver on the same port: the input reconnects by itself (state connected), data flows
# again and the sensor_down alert is cleared.
set -euo pipefail
source "$DW_SOURCE_DIR/tests/integration/daemon_tools/common.sh" beast-tcp
: "${DW_SHARED_DIR:?}"
BEAST=$(ls "$DW_SHARED_DIR"/data/adsb/beastblackbox/ulss7-beast-bin-utc--*.log | head -n 1)
[ -f "$BEAST" ] || fail "no Beast capture in $DW_SHARED_DIR/data/adsb/beastblackbox"

# ~3.8 kB/s is the capture's own rate (227 kB in 60 s): positions arrive as they did.
bg_start "$T/recv1.log" python3 "$TOOLS/feed_server.py" "$BEAST" --port-file "$T/port" --rate 3800 --loop
RECV1=$BG_LAST
wait_file "$T/port" 10 "$RECV1" || fail "the receiver did not start"
PORT=$(cat "$T/port")
# sensor_down alerts come from the assessment, which needs a home and its geography.
cat > "$T/run.yaml" <<YAML
assessment:
  home: PL
  geography: [$DW_SOURCE_DIR/data/geo/countries.geojson]
inputs:
  - kind: beast_tcp
    connect: 127.0.0.1:$PORT
    quiet_s: 2
    reconnect_s: 0.5
YAML
dw_start -c "$T/run.yaml" --set stop_after_s=60

python3 - <<'PY'
from dwtest import *
x = wait_io("beast_tcp-0", lambda x: x["state"] == "connected" and x["obs"] > 0,
             5, "beast_tcp-0 connected with observations")
if x["malformed"] != 0 or x["clients"] != 1:
    fail("connected input: %s" % x)
tr = wait_for(lambda: [t for t in get("/api/tracks")["tracks"] if t.get("icao")], 8,
              "ADS-B tracks in /api/tracks")
st = get("/api/stats")
if st["pipeline"]["unknown_sensor"] != 0:
    fail("ADS-B positions refused for want of a sensor: %s" % st["pipeline"])
x = io("beast_tcp-0")
ok("connected to the receiver: %d obs, %d tracks with an ICAO address (%s)"
   % (x["obs"], len(tr), ", ".join(sorted({t["icao"] for t in tr}))))
PY

bg_stop "$RECV1"
python3 - <<'PY'
from dwtest import *
# Reconnecting at once, before quiet_s: "retrying" (with the refusal as its error).
x = wait_io("beast_tcp-0", lambda x: x["state"] == "retrying", 2,
             "beast_tcp-0 retrying after the receiver died")
ok("receiver gone: state retrying")
def down():
    al = [a for a in get("/api/alerts")["alerts"] if a["kind"] == "sensor_down"]
    return al if al and io("beast_tcp-0")["state"] == "quiet" else None
al = wait_for(down, 5, "a sensor_down alert and state quiet for beast_tcp-0")
if len(al) != 1 or al[0]["state"] != "raised" or al[0]["area"] != "beast_tcp-0":
    fail("sensor_down alerts: %s" % al)
x = io("beast_tcp-0")
if "refused" not in x.get("error", ""):
    fail("a quiet input with no reason: %s" % x)
ok("after quiet_s: state quiet (%s), sensor_down alert %d raised: %s" % (x["error"], al[0]["id"], al[0]["text"]))
PY

bg_start "$T/recv2.log" python3 "$TOOLS/feed_server.py" "$BEAST" --port "$PORT" --port-file "$T/port2" --rate 3800 --loop
wait_file "$T/port2" 10 "$BG_LAST" || fail "the second receiver did not start on port $PORT"
python3 - <<'PY'
import time
from dwtest import *
before = io("beast_tcp-0")["obs"]
t0 = time.monotonic()
# The retry delay doubles from reconnect_s (0.5, 1, 2, 4 s): at most ~8 s here.
x = wait_io("beast_tcp-0", lambda x: x["state"] == "connected" and x["obs"] > before,
             10, "beast_tcp-0 connected again with new observations")
ok("a new receiver on the same port: connected again after %.1f s, %d new obs" % (time.monotonic() - t0, x["obs"] - before))
def cleared():
    al = [a for a in get("/api/alerts")["alerts"] if a["kind"] == "sensor_down"]
    return al if al and al[0]["state"] == "cleared" else None
al = wait_for(cleared, 3, "the sensor_down alert cleared once data came back")
if len(al) != 1:
    fail("sensor_down alerts: %s" % al)
ok("the sensor_down alert %d is cleared: %s" % (al[0]["id"], al[0]["text"]))
st = get("/api/stats")
if st["engine"]["sensor_changes"] != 3:
    fail("engine sensor_changes %d, want 3 (up at its first data, down, up)" % st["engine"]["sensor_changes"])
if "last report never" in al[0]["text"]:
    fail("the sensor_down alert says the input never reported: %s" % al[0]["text"])
PY
dw_stop
[ "$DW_RC" = 0 ] || fail "the daemon exited with $DW_RC"
echo "ok   daemon_beast_tcp in $(elapsed) s"
