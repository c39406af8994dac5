#!/usr/bin/env bash
# `dronewall run` with a cot_udp input on loopback: the ATAK example events, one datagram
# each, are all frames and give as many observations as `dronewall decode --obs` finds in
# them (the markers; drawings, routes and range rings are none); a junk datagram and an
# event cut in half are malformed and nothing else; then a drone's CoT position reports,
# timed now, are observations and make a track where the drone flies.
set -euo pipefail
source "$DW_SOURCE_DIR/tests/integration/daemon_tools/common.sh" cot-udp
: "${DW_SHARED_DIR:?}"
EX="$DW_SHARED_DIR/data/cot/atak-examples"
ls "$EX"/*.cot > "$T/files"
[ "$(wc -l < "$T/files")" -ge 10 ] || fail "the ATAK examples are missing from $EX"
N_OBS=0
while read -r f; do
    N_OBS=$((N_OBS + $("$DW_BIN" decode --obs "$f" 2>/dev/null | wc -l)))
done < "$T/files"
[ "$N_OBS" -ge 1 ] || fail "no observation in the ATAK examples"

dw_start --set stop_after_s=60 --set 'inputs[0].kind=cot_udp' --set 'inputs[0].listen=127.0.0.1:0'
ADDR=$(dw_io cot_udp-0)
mapfile -t FILES < "$T/files"
python3 "$TOOLS/cot_send.py" "$ADDR" --files "${FILES[@]}" > "$T/sent1.json"
python3 - "$T" "$N_OBS" <<'PY'
import json, sys
from dwtest import *
sent = json.load(open(sys.argv[1] + "/sent1.json"))
n_obs = int(sys.argv[2])
x = wait_io("cot_udp-0", lambda x: x["frames"] >= sent["datagrams"], 5,
             "%d datagrams on cot_udp-0" % sent["datagrams"])
if (x["frames"], x["obs"], x["malformed"], x["bytes"]) != (sent["datagrams"], n_obs, 0, sent["bytes"]):
    fail("ATAK examples: frames %d obs %d malformed %d bytes %d; want %d, %d, 0, %d"
         % (x["frames"], x["obs"], x["malformed"], x["bytes"], sent["datagrams"], n_obs, sent["bytes"]))
ok("%d ATAK example events -> %d frames, %d observations (as decode finds), 0 malformed"
   % (sent["datagrams"], x["frames"], x["obs"]))
json.dump(x, open(sys.argv[1] + "/x1.json", "w"))
PY

python3 "$TOOLS/cot_send.py" "$ADDR" --junk --cut "$EX/Route.cot" > "$T/sent2.json"
python3 - "$T" <<'PY'
import json, sys
from dwtest import *
x0 = json.load(open(sys.argv[1] + "/x1.json"))
x = wait_io("cot_udp-0", lambda x: x["frames"] >= x0["frames"] + 2, 5,
             "the 2 bad datagrams counted")
if (x["frames"] - x0["frames"], x["malformed"] - x0["malformed"], x["obs"] - x0["obs"]) != (2, 2, 0):
    fail("a junk datagram and a cut event: frames +%d malformed +%d obs +%d; want 2, 2, 0"
         % (x["frames"] - x0["frames"], x["malformed"] - x0["malformed"], x["obs"] - x0["obs"]))
ok("a junk datagram and an event cut in half: 2 malformed, no observation")
json.dump(x, open(sys.argv[1] + "/x2.json", "w"))
PY

python3 "$TOOLS/cot_send.py" "$ADDR" --files "$EX/Marker_-_2525.cot" --drone 15 --interval 0.2 > "$T/sent3.json"
python3 - "$T" <<'PY'
import json, sys
from dwtest import *
x0 = json.load(open(sys.argv[1] + "/x2.json"))
x = wait_io("cot_udp-0", lambda x: x["frames"] >= x0["frames"] + 16, 5,
             "the drone's reports counted")
if x["obs"] - x0["obs"] != 16 or x["malformed"] != x0["malformed"]:
    fail("the marker and 15 drone reports: obs +%d (want 16), malformed +%d"
         % (x["obs"] - x0["obs"], x["malformed"] - x0["malformed"]))
def near():
    return [t for t in get("/api/tracks")["tracks"]
            if abs(t["lat_deg"] - 51.5) < 0.01 and 23.0 <= t["lon_deg"] <= 23.02]
tr = wait_for(near, 5, "a track where the CoT drone flies (51.5 N, 23.00-23.01 E)")
t = tr[0]
if abs(t["alt_m"] - 800) > 100 or t["vel_enu_mps"][0] <= 0:
    fail("the drone's track: %s" % t)
ok("15 CoT reports of a drone -> 15 observations and track %d at %.4f N %.4f E, %.0f m, %.0f m/s east"
   % (t["id"], t["lat_deg"], t["lon_deg"], t["alt_m"], t["vel_enu_mps"][0]))
PY
dw_stop
[ "$DW_RC" = 0 ] || fail "the daemon exited with $DW_RC"
echo "ok   daemon_cot_udp in $(elapsed) s"
