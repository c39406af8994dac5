#!/usr/bin/env bash
# The night of 9-10 September 2025 (scenarios/pl-2025-09-10.yaml) end to end: every drone is
# reported and tracked at some point, and score.json says per class how complete the picture
# was and how many tracks were false. The floors are today's tracker's, with a margin; the
# fusion tracker is to raise them.
set -euo pipefail
: "${DW_BIN:?}" "${DW_SOURCE_DIR:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/dw-simpl.XXXXXX")
trap 'rm -rf "$T"' EXIT

"$DW_BIN" sim "$DW_SOURCE_DIR/scenarios/pl-2025-09-10.yaml" --out "$T/pl" --no-obs --summary > "$T/summary.out" 2> "$T/sim.log"
cat "$T/sim.log"
sed -n '1,4p' "$T/summary.out"
python3 - "$T/pl" <<'PY'
import json, sys
d = sys.argv[1]
s = json.load(open(d + "/score.json"))
m = json.load(open(d + "/summary.json"))
threats = [t for t in m["targets"] if t["class"] in ("decoy", "owa_drone")]
assert len(threats) == 21, "%d threats" % len(threats)
unseen = [t["id"] for t in threats if not t["first_report_us"]]
untracked = [t["id"] for t in threats if "first_track_us" not in t]
assert not unseen, "never reported: %s" % unseen
assert not untracked, "never in the tracked picture: %s" % untracked
shot = [t["id"] for t in threats if t.get("end") == "shot_down"]
assert len(shot) == 4, "shot down: %s" % shot
for c, floor in (("decoy", 0.2), ("owa_drone", 0.2), ("airliner", 0.8)):
    got = s["by_class"][c]["completeness"]
    assert got >= floor, "%s completeness %.3f < %.2f" % (c, got, floor)
assert s["false_tracks"] >= 0 and "spuriousness" in s
print("ok   21 drones (%d shot down), each reported and tracked; completeness %s; %d false tracks of %d track ids"
      % (len(shot), {c: round(v["completeness"], 3) for c, v in s["by_class"].items()},
         s["false_tracks"], s["n_track_ids"]))
PY
