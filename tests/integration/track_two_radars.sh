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
