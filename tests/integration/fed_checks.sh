#!/usr/bin/env bash
# A node never believes a partner blindly: a live dronewall node (Poland) reads a partner
# XX's stream on a NATS JetStream server on loopback that takes TLS only (the node checks
# the server against the bus's CA: federation.tls_ca), and messages crafted here arrive on
# XX's subject — a good track, a message that claims another origin, a kind that is not its
# subject's, an impossible speed, a jump, a track from the future, one twice, one that is not
# JSON, a skipped sequence number, an alert. Each is counted by its reason in the node's
# /api/sensors exactly; the good ones are in its picture as XX's track ("fed:XX") and alert.
set -euo pipefail
: "${DW_BIN:?}" "${DW_SOURCE_DIR:?}" "${DW_BUILD:?}"
source "$DW_SOURCE_DIR/tests/integration/daemon_tools/common.sh" fed-checks
PROBE="$DW_BUILD/tests/dw_tool_natsprobe"
[ -x "$PROBE" ] || fail "no $PROBE (build the tests)"
BUS="$T/bus"
stop_bus() { bash "$DW_SOURCE_DIR/scripts/nats-cluster" stop "$BUS" >/dev/null 2>&1 || true; }
trap 'stop_bus; dw_cleanup' EXIT
bash "$DW_SOURCE_DIR/scripts/nats-cluster" start "$BUS" --nodes 1 --tls > "$T/bus.out" 2>&1 ||
    fail "nats-cluster start: $(cat "$T/bus.out")"
SERVERS=$(cat "$BUS/servers")
CA="$BUS/tls/ca.pem"
case "$SERVERS" in tls://*) ;; *) fail "the bus is not TLS: $SERVERS" ;; esac
"$PROBE" --servers "$SERVERS" --tls-ca "$CA" add-stream XX PL > /dev/null ||
    fail "cannot make stream DW_XX_PL"
echo "ok   a NATS JetStream server on $SERVERS (TLS only), stream DW_XX_PL"

dw_start --set node.id=PL --set "federation.servers=$SERVERS" --set "federation.tls_ca=$CA" \
    --set 'inputs[0].kind=nats' --set 'inputs[0].from=XX' --set stop_after_s=120

python3 - "$PROBE" "$SERVERS" "$CA" <<'PY'
import json, subprocess, sys, time
from dwtest import *
probe, servers, ca = sys.argv[1], sys.argv[2], sys.argv[3]
now = int(time.time() * 1e6)
session = now

def track(tid, t_us, lat, lon, vx):
    return {"v": 1, "type": "track", "t_us": t_us, "id": tid, "status": "confirmed",
            "lat_deg": lat, "lon_deg": lon, "alt_m": 900.0, "vel_enu_mps": [vx, 0.0, 0.0],
            "class": "decoy", "affiliation": "hostile", "sensors": ["XX-RAD-1"],
            "cov_pos_enu": [40000.0, 0, 0, 0, 40000.0, 0, 0, 0, 90000.0],
            "cov_vel_enu": [25.0, 0, 0, 0, 25.0, 0, 0, 0, 25.0], "hits": 9, "quality": 0.9}

def env(seq, body, origin="XX", kind="trk"):
    return json.dumps({"v": 1, "type": "fed", "origin": origin, "owner": origin, "kind": kind,
                       "session": session, "seq": seq, "sent_us": int(time.time() * 1e6),
                       "body": body}, separators=(",", ":"))

def pub(subject, data):
    r = subprocess.run([probe, "--servers", servers, "--tls-ca", ca, "--data", data, "publish",
                        subject],
                       capture_output=True, text=True)
    if r.returncode != 0:
        fail("publish %s: %s%s" % (subject, r.stdout, r.stderr))

S = 10**6
alert = {"v": 1, "type": "alert", "t_us": now, "id": 4, "kind": "border_violation",
         "state": "raised", "severity": "critical", "region": "XX", "tracks": [5],
         "text": "XX's border crossed"}
# XX's track 5 every 2 s for the last 10 s (40 m/s east: 80 m a report), as a partner sends it.
t0 = now - 10 * S
msgs = [("trk", env(1 + k, track(5, t0 + 2 * k * S, 51.50, 23.90 + k * 0.001155, 40.0)))
        for k in range(6)]
msgs += [
    ("trk", env(7, track(6, now, 51.50, 23.90, 40.0), origin="UA")),      # forged origin
    ("trk", env(7, track(6, now, 51.50, 23.90, 40.0), kind="alr")),       # forged kind
    ("trk", env(7, track(7, now, 51.60, 23.90, 3000.0))),                 # speed
    ("trk", env(8, track(5, now + 10 * S, 51.50, 25.30, 40.0))),          # jump: 100 km in 10 s
    ("trk", env(9, track(8, now + 3600 * S, 51.50, 23.90, 40.0))),        # time: an hour ahead
    ("trk", env(1, track(5, t0, 51.50, 23.90, 40.0))),                    # duplicate of 1
    ("trk", "this is not json"),                                          # parse
    ("trk", env(11, track(9, now, 51.70, 23.80, 30.0))),                  # accepted, 10 skipped
    ("alr", env(12, alert, kind="alr")),                                  # accepted alert
]
for kind, data in msgs:
    pub("dw.XX.PL.%s" % kind, data)
ok("%d messages published on XX's subjects" % len(msgs))

want_rej = {"forged": 2, "speed": 1, "jump": 1, "time": 1, "duplicate": 1, "parse": 1}
deadline = time.monotonic() + 20
while True:
    i = io("nats-0")
    if i.get("frames") == len(msgs):
        break
    if time.monotonic() > deadline:
        fail("the node took %s of %d messages: %s" % (i.get("frames"), len(msgs), i))
    time.sleep(0.1)
rej = {k: v for k, v in i["rejected"].items() if v}
if rej != want_rej or i["accepted"]["trk"] != 7 or i["accepted"]["alr"] != 1 or i["gaps"] != 1 \
        or i["malformed"] != sum(want_rej.values()):
    fail("XX's input counted %s, accepted %s, gaps %d, malformed %d; expected refusals %s, 7 "
         "tracks, 1 alert, 1 gap" % (rej, i["accepted"], i["gaps"], i["malformed"], want_rej))
ok("refused and counted by reason: %s; accepted 7 track reports and 1 alert; 1 gap (message 10)"
   % ", ".join("%s %d" % kv for kv in sorted(rej.items())))
deadline = time.monotonic() + 10
while True:
    tr = get("/api/tracks")
    tr = tr["tracks"] if isinstance(tr, dict) else tr
    xx = [t for t in tr if "fed:XX" in t.get("sensors", []) and t.get("status") == "confirmed"]
    al = get("/api/alerts")
    al = al["alerts"] if isinstance(al, dict) else al
    ax = [a for a in al if a.get("origin") == "XX"]
    if xx and ax:
        break
    if time.monotonic() > deadline:
        fail("XX's track or alert not in the picture: tracks %s, alerts %s" % (tr, al))
    time.sleep(0.2)
if any(abs(t["lat_deg"] - 51.60) < 0.01 or abs(t["lon_deg"] - 25.30) < 0.05 for t in xx):
    fail("a refused track is in the picture: %s" % xx)
ok("the picture holds XX's tracks (%s) and its alert (%s, its number %d there)"
   % (", ".join("%d" % t["id"] for t in xx), ax[0]["kind"], ax[0]["origin_id"]))
st = get("/api/stats")["federation"]
if st["state"] != "connected" or not st["server"].startswith("tls://"):
    fail("the node's bus: %s" % st)
ok("the node's bus: connected to %s over TLS" % st["server"])
PY
dw_stop
[ "$DW_RC" = 0 ] || fail "the node exited with $DW_RC"
echo "ok   the node stopped cleanly"
