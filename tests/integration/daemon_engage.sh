#!/usr/bin/env bash
# A person deciding, and the scenario feeling it: `dronewall run` plays scenarios/quick.yaml
# at 20x with the effector catalogue; the test approves, through POST /api/decisions with
# the operator's token, every recommendation of the plan whose intercept is near, as an
# operator would, and rejects none. Each approved engagement is applied to the scenario's
# simulated world at its intercept (a kill with the effector's chance); /api/stats counts
# them (approved = brought down + missed + no target, once all are due), and a drone
# brought down stops being seen: its track ends in the picture.
set -euo pipefail
source "$DW_SOURCE_DIR/tests/integration/daemon_tools/common.sh" engage

dw_start --scenario "$DW_SOURCE_DIR/scenarios/quick.yaml" --speed 20 \
    --set "response.effectors=$DW_SOURCE_DIR/config/effectors.yaml" --set stop_after_s=120

python3 - "$DW_LOG" <<'PY'
import os, re, sys, time
from dwtest import *
tf = ready()["token_file"]
if not os.path.isabs(tf):
    tf = os.path.join(os.path.dirname(os.environ["DW_READY"]), tf)
token = open(tf).read().strip()
approved = {}           # recommendation -> (track, effector)
t0 = time.monotonic()
while time.monotonic() - t0 < 50 and len(approved) < 3:
    st, plan, _ = request("GET", "/api/plan")
    if st == 200:
        for r in plan.get("recommendations", []):
            if r["id"] in approved or r.get("decision") or r["t_intercept_s"] > 180:
                continue
            s, b = post("/api/decisions", {"recommendation": r["id"], "decision": "approve"},
                        token=token)
            if s == 200:
                approved[r["id"]] = (r["track"], r["effector"])
            elif s != 404:      # 404: the plan moved on between the GET and the POST
                fail("approving %d: %d %s" % (r["id"], s, b))
    time.sleep(0.3)
if not approved:
    fail("no recommendation with an intercept within 3 minutes to approve in 50 s")
ok("approved %d engagements through POST /api/decisions: %s" % (len(approved), ", ".join(
    "%d (track %d, %s)" % (k, v[0], v[1]) for k, v in approved.items())))

deadline = time.monotonic() + 60
while True:
    e = get("/api/stats")["engagements"]
    if e["approved"] == len(approved) and e["pending"] == 0:
        break
    if time.monotonic() > deadline:
        fail("engagements not all applied within 60 s: %s" % e)
    time.sleep(0.3)
if e["brought_down"] + e["missed"] + e["no_target"] != e["approved"]:
    fail("the engagements do not add up: %s" % e)
if e["brought_down"] < 1:
    fail("no drone brought down by %d approved engagements: %s" % (len(approved), e))
ok("applied to the simulated world at their intercepts: %d brought down, %d missed, %d found "
   "no drone" % (e["brought_down"], e["missed"], e["no_target"]))
# The log names each outcome; a drone brought down is no longer seen: its track ends.
log = open(sys.argv[1]).read()
down = [(int(r), int(t), q) for r, t, q in
        re.findall(r"engagement (\d+) \(track (\d+)\): brought down (\S+)", log)]
if len(down) != e["brought_down"]:
    fail("the log names %d drones brought down, the stats %d:\n%s" % (len(down), e["brought_down"], log))
deadline = time.monotonic() + 30
while True:
    tr = get("/api/tracks")
    tr = tr["tracks"] if isinstance(tr, dict) else tr
    alive = {x["id"] for x in tr}
    left = [t for _, t, _ in down if t in alive]
    if not left:
        break
    if time.monotonic() > deadline:
        fail("tracks of drones brought down still in the picture 30 s later: %s" % left)
    time.sleep(0.3)
ok("the tracks of the drones brought down (%s) have ended in the picture"
   % ", ".join("%d: %s" % (t, q) for _, t, q in down))
# Where each fell is a debris zone (docs/assessment.md): the assessment sees a track end in
# flight with nothing continuing it.
deadline = time.monotonic() + 30
while True:
    al = get("/api/alerts")
    al = al["alerts"] if isinstance(al, dict) else al
    zones = {a.get("track"): a for a in al if a["kind"] == "debris_zone"}
    missing = [t for _, t, _ in down if t not in zones]
    if not missing:
        break
    if time.monotonic() > deadline:
        fail("no debris_zone alert for the tracks of %s: %s" % (missing, [(a["kind"], a.get("track")) for a in al]))
    time.sleep(0.3)
ok("a debris_zone alert for each: %s" % "; ".join(
    "track %d, radius %.0f m" % (t, zones[t]["radius_m"] or 0) for _, t, _ in down))
PY
dw_stop
[ "$DW_RC" = 0 ] || fail "the daemon exited with $DW_RC"
echo "ok   the daemon stopped cleanly"
