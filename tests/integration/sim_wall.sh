#!/usr/bin/env bash
# What the cheap wall buys on its own: the September night with no radar and no airborne
# radar (dronewall sim --without radar,aew). Every drone the acoustic line hears must get a
# confirmed track, started from crossing bearings, within two minutes of its first acoustic
# report; score.json reports the acoustic-only mix.
set -euo pipefail
: "${DW_BIN:?}" "${DW_SOURCE_DIR:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/dw-simwall.XXXXXX")
trap 'rm -rf "$T"' EXIT

"$DW_BIN" sim "$DW_SOURCE_DIR/scenarios/pl-2025-09-10.yaml" --out "$T/w" --without radar,aew --no-obs --quiet
if "$DW_BIN" sim "$DW_SOURCE_DIR/scenarios/quick.yaml" --out "$T/bad" --without radars --quiet 2> "$T/bad.log"; then
  echo "FAIL --without accepted an unknown kind"; exit 1
fi
grep -q "'radars' is no sensor kind" "$T/bad.log" || { cat "$T/bad.log"; echo "FAIL message"; exit 1; }
python3 - "$T/w" <<'PY'
import json, sys
d = sys.argv[1]
m = json.load(open(d + "/summary.json"))
s = json.load(open(d + "/score.json"))
assert m["sensors_by_kind"].get("radar") is None and m["sensors_by_kind"].get("aew") is None, m["sensors_by_kind"]
heard = [t for t in m["targets"] if t["class"] in ("decoy", "owa_drone") and "acoustic" in t["first_report_us"]]
assert len(heard) >= 15, "only %d drones heard by the acoustic line" % len(heard)
late = []
for t in heard:
    ft = t.get("first_track_us")
    if ft is None or ft - t["first_report_us"]["acoustic"] > 120e6:
        late.append((t["id"], None if ft is None else (ft - t["first_report_us"]["acoustic"]) / 1e6))
assert not late, "not tracked within 2 min of the acoustic line hearing them: %s" % late
mix = s["by_mix"]["acoustic only"]
assert mix["n_pairs"] > 0, "no drone held by an acoustic-only track"
delays = sorted((t["first_track_us"] - t["first_report_us"]["acoustic"]) / 1e6 for t in heard)
print("ok   radars off: %d drones heard, each in the picture at most %.0f s (earliest %.0f s before) after the first acoustic report; "
      "acoustic-only tracks: %d drone points, RMSE %.0f m" % (len(heard), delays[-1], -delays[0],
      mix["n_pairs"], mix["rmse_m"]))
PY
