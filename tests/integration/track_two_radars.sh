#!/usr/bin/env bash
# Two simulated radars (polar plots with noise, misses and clutter) through
# `dronewall track`, scored against the truth with `dronewall score`.
set -euo pipefail
: "${DW_BIN:?}" "${DW_BUILD:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/dw-track2r.XXXXXX")
trap 'rm -rf "$T"' EXIT

field() { grep -o "\"$1\":[-0-9.eE+]*" "$2" | head -1 | cut -d: -f2; }
check() { # name value op bound
  if awk -v v="$2" -v b="$4" "BEGIN { exit !(v $3 b) }"; then
    echo "ok   $1 = $2 ($3 $4)"
  else
    echo "FAIL $1 = $2, wanted $3 $4"; exit 1
  fi
}

"$DW_BUILD/tests/dw_tool_radar_sim" --out-dir "$T" --seed 3 --targets 8 --duration 600
"$DW_BIN" track --sensors "$T/sensors.json" --out "$T/tracks.ndjson" "$T/obs.ndjson" 2> "$T/track.log"
cat "$T/track.log"
"$DW_BIN" score --format ndjson --truth "$T/truth.ndjson" --tracks "$T/tracks.ndjson" --c 1000 > "$T/score.json"
cat "$T/score.json"; echo

check completeness     "$(field completeness "$T/score.json")"     '>=' 0.95
check rmse_m           "$(field rmse_m "$T/score.json")"           '<'  150
check false_per_step   "$(field false_per_step "$T/score.json")"   '<'  0.2
check id_changes       "$(field id_changes "$T/score.json")"       '<=' 1
check n_truth_ids      "$(field n_truth_ids "$T/score.json")"      '==' 8
check held_share       "$(field held_share "$T/score.json")"       '==' 1
check longest_segment_mean "$(field longest_segment_mean "$T/score.json")" '>=' 0.95
check ambiguity        "$(field ambiguity "$T/score.json")"        '<=' 1.05
check spuriousness     "$(field spuriousness "$T/score.json")"     '<'  0.05
check false_tracks     "$(field false_tracks "$T/score.json")"     '<=' 1
grep -q '"by_class":{"decoy":{' "$T/score.json" || { echo "FAIL: no per-class figures"; exit 1; }
echo "ok   per-class figures for the decoys"

# The same plots named by the radars' ASTERIX names (wire_id in the sensors
# file) give the same tracks: observations find their sensor by either name.
sed -e 's/"id":"PL-RAD-01",/"id":"PL-RAD-01","wire_id":"ASX-012-001",/' \
    -e 's/"id":"PL-RAD-02",/"id":"PL-RAD-02","wire_id":"ASX-012-002",/' "$T/sensors.json" > "$T/sensors_wire.json"
sed -e 's/"sensor":"PL-RAD-01"/"sensor":"ASX-012-001"/' -e 's/"sensor":"PL-RAD-02"/"sensor":"ASX-012-002"/' \
    "$T/obs.ndjson" > "$T/obs_wire.ndjson"
"$DW_BIN" track --sensors "$T/sensors_wire.json" --out "$T/tracks_wire.ndjson" "$T/obs_wire.ndjson" 2> /dev/null
cmp -s "$T/tracks.ndjson" "$T/tracks_wire.ndjson" || { echo "FAIL: plots named by wire_id tracked differently"; exit 1; }
echo "ok   plots named by the radars' wire ids give the same tracks"

# Plots without elevation but with a height (as a 3-D radar reports it in
# ASTERIX: the height its elevation gives) are placed by that height.
python3 - "$T/sensors.json" "$T/obs.ndjson" "$T/obs_alt.ndjson" <<'PY'
import json, math, sys
sites = {s["id"]: s for s in json.load(open(sys.argv[1]))["sensors"]}
R = 6371000.0
out = open(sys.argv[3], "w")
for line in open(sys.argv[2]):
    o = json.loads(line)
    if o.get("kind") == "POLAR" and "el_deg" in o:
        a = R + sites[o["sensor"]].get("alt_m", 0.0)
        r = o["range_m"]
        b = math.sqrt(a * a + r * r + 2 * a * r * math.sin(math.radians(o["el_deg"])))
        if b - R > -500:        # a clutter plot underground keeps its elevation
            del o["el_deg"]
            o["alt_m"] = b - R
            o.get("sigma", {}).pop("el_deg", None)
    out.write(json.dumps(o) + "\n")
PY
"$DW_BIN" track --sensors "$T/sensors.json" --out "$T/tracks_alt.ndjson" "$T/obs_alt.ndjson" 2> "$T/track_alt.log"
cat "$T/track_alt.log"
grep -q "POLAR plots without elevation placed by their height" "$T/track_alt.log" || { echo "FAIL: no plot placed by height"; exit 1; }
"$DW_BIN" score --format ndjson --truth "$T/truth.ndjson" --tracks "$T/tracks_alt.ndjson" --c 1000 > "$T/score_alt.json"
check completeness_alt "$(field completeness "$T/score_alt.json")" '>=' 0.95
check rmse_m_alt       "$(field rmse_m "$T/score_alt.json")"       '<'  150

# A malformed line in the middle is counted and skipped; nothing else is lost.
n=$(wc -l < "$T/obs.ndjson")
head -n $((n / 2)) "$T/obs.ndjson" > "$T/obs_bad.ndjson"
echo '{"v":1,"type":"obs","t_us":"soon","sensor":"PL-RAD-01","kind":"POLAR"}' >> "$T/obs_bad.ndjson"
echo 'not json at all' >> "$T/obs_bad.ndjson"
tail -n +$((n / 2 + 1)) "$T/obs.ndjson" >> "$T/obs_bad.ndjson"
"$DW_BIN" track --sensors "$T/sensors.json" --out "$T/tracks_bad.ndjson" "$T/obs_bad.ndjson" 2> "$T/track_bad.log"
cat "$T/track_bad.log"
grep -q ", 2 bad," "$T/track_bad.log" || { echo "FAIL: the two bad lines were not counted"; exit 1; }
grep -q "obs_bad.ndjson:$((n / 2 + 2)):" "$T/track_bad.log" || { echo "FAIL: no file:line for the bad line"; exit 1; }
cmp -s "$T/tracks.ndjson" "$T/tracks_bad.ndjson" || { echo "FAIL: the bad lines changed the tracks"; exit 1; }
echo "ok   2 bad lines counted and skipped, tracks unchanged"

# Usage errors exit 2.
set +e
"$DW_BIN" track "$T/obs.ndjson" > /dev/null 2>&1; rc=$?
set -e
[ "$rc" = 2 ] || { echo "FAIL: missing --sensors exited $rc, not 2"; exit 1; }
echo "ok   usage error exits 2"
