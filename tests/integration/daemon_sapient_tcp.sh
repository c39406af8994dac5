#!/usr/bin/env bash
# `dronewall run` with a sapient_tcp server input on loopback: a SAPIENT node (BSI Flex
# 335 v2.0, protobuf framed with a 4-byte little-endian length) registers and reports a
# drone; every detection becomes one observation. Then, on one connection, junk bytes,
# two frames the decoder refuses (a string that is not UTF-8, a sub-message that is not
# protobuf), a detection in a frame of reference the codec does not take (magnetic
# north), and a frame larger than max_frame: each refused frame counts as malformed, the
# junk as skipped bytes, the connection stays open and every good frame between them is
# still an observation. A new connection afterwards is served as the first was.
set -euo pipefail
source "$DW_SOURCE_DIR/tests/integration/daemon_tools/common.sh" sapient-tcp

dw_start --set stop_after_s=60 --set 'inputs[0].kind=sapient_tcp' \
    --set 'inputs[0].listen=127.0.0.1:0' --set 'inputs[0].max_frame=4096'
ADDR=$(dw_io sapient_tcp-0)

python3 "$TOOLS/sapient_node.py" "$ADDR" reg det:10 > "$T/a.json"
python3 - "$T" <<'PY'
import json, sys
from dwtest import *
a = json.load(open(sys.argv[1] + "/a.json"))
if a["sent"] != {"reg": 1, "det": 10} or not a["open"]:
    fail("node A: %s" % a)
x = wait_io("sapient_tcp-0", lambda x: x["obs"] >= 10, 5,
             "10 observations from node A")
if (x["frames"], x["obs"], x["malformed"], x["bytes"], x["skipped_bytes"]) != (11, 10, 0, a["bytes"], 0):
    fail("node A: frames %d obs %d malformed %d bytes %d skipped %d; want 11, 10, 0, %d, 0"
         % (x["frames"], x["obs"], x["malformed"], x["bytes"], x["skipped_bytes"], a["bytes"]))
if x["state"] != "listening":
    fail("state %r" % x["state"])
ok("node A: a registration and 10 detections -> 11 frames, 10 observations, 0 malformed")
json.dump(x, open(sys.argv[1] + "/after_a.json", "w"))
PY

python3 "$TOOLS/sapient_node.py" "$ADDR" det:2 junk:1000 det:2 badutf8 det:2 badproto det:2 \
    magnetic det:2 big:20000 det:2 sleep:0.3 > "$T/b.json"
python3 - "$T" <<'PY'
import json, sys
from dwtest import *
d = sys.argv[1]
b = json.load(open(d + "/b.json"))
x0 = json.load(open(d + "/after_a.json"))
if not b["open"]:
    fail("the daemon closed node B's connection: %s" % b)
want_obs = x0["obs"] + 12
x = wait_io("sapient_tcp-0", lambda x: x["bytes"] >= x0["bytes"] + b["bytes"],
             5, "node B's %d bytes" % b["bytes"])
got = {k: x[k] - x0[k] for k in ("frames", "obs", "malformed", "overflows", "skipped_bytes", "bytes")}
# 12 detections + badutf8 + badproto + magnetic (decoded, no obs) + the long frame (dropped).
want = {"frames": 16, "obs": 12, "malformed": 4, "overflows": 1, "bytes": b["bytes"]}
for k, v in want.items():
    if got[k] != v:
        fail("node B: %s went up by %d, want %d (all: %s)" % (k, got[k], v, got))
if not 21000 <= got["skipped_bytes"] <= 21100:
    fail("node B: %d bytes skipped, want the 1000 junk + the ~20000 of the long frame" % got["skipped_bytes"])
ok("node B: junk, 2 refused frames, a magnetic-north detection and a 20000-byte frame "
   "(max_frame 4096) -> malformed +4, overflows +1, skipped %d bytes; its 12 good detections "
   "all counted; the connection stayed open" % got["skipped_bytes"])
json.dump(x, open(d + "/after_b.json", "w"))
st = get("/api/stats")
if st["engine"]["obs"] != x["obs"]:
    fail("engine obs %d, input obs %d" % (st["engine"]["obs"], x["obs"]))
PY

python3 "$TOOLS/sapient_node.py" "$ADDR" det:3 > "$T/c.json"
python3 - "$T" <<'PY'
import json, sys
from dwtest import *
d = sys.argv[1]
x0 = json.load(open(d + "/after_b.json"))
x = wait_io("sapient_tcp-0", lambda x: x["obs"] >= x0["obs"] + 3, 5,
             "node C's 3 observations")
if x["obs"] != x0["obs"] + 3 or x["malformed"] != x0["malformed"]:
    fail("node C: obs %d malformed %d (want %d, %d)" % (x["obs"], x["malformed"], x0["obs"] + 3, x0["malformed"]))
ok("node C, a new connection afterwards: 3 detections -> 3 observations")
PY
kill -0 "$DW_PID" || fail "the daemon died"
dw_stop
[ "$DW_RC" = 0 ] || fail "the daemon exited with $DW_RC"
echo "ok   daemon_sapient_tcp in $(elapsed) s"
