#!/usr/bin/env bash
# `dronewall track --update ukf` on simulated output, beside the default EKF, and a Doppler
# radar's range rate from the simulator through ASTERIX CAT048 I120 into the tracker:
#   1. the two-radar scene of dw_tool_radar_sim: the unscented update tracks as well as the
#      extended one (the same thresholds as track_two_radars.sh);
#   2. a scenario of our own (written here: a Doppler radar with sigma.range_rate_mps, an
#      acoustic line, a camera): `dronewall sim`; its radar's pcap decodes to the range rates
#      the simulator meant (to CAT048's 1 m/s); `dronewall track` filters the plots with them
#      (EKF and UKF, bearings included), and the picture is better than without them.
set -euo pipefail
: "${DW_BIN:?}" "${DW_BUILD:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/dw-ukf.XXXXXX")
trap 'rm -rf "$T"' EXIT

field() { grep -o "\"$1\":[-0-9.eE+]*" "$2" | head -1 | cut -d: -f2; }
check() { # name value op bound
  if awk -v v="$2" -v b="$4" "BEGIN { exit !(v $3 b) }"; then
    echo "ok   $1 = $2 ($3 $4)"
  else
    echo "FAIL $1 = $2, wanted $3 $4"; exit 1
  fi
}

# ---- 1. two radars, EKF and UKF
"$DW_BUILD/tests/dw_tool_radar_sim" --out-dir "$T" --seed 3 --targets 8 --duration 600
for u in ekf ukf; do
  "$DW_BIN" track --sensors "$T/sensors.json" --update "$u" --out "$T/tracks_$u.ndjson" "$T/obs.ndjson" 2> "$T/track_$u.log"
  cat "$T/track_$u.log"
  "$DW_BIN" score --format ndjson --truth "$T/truth.ndjson" --tracks "$T/tracks_$u.ndjson" --c 1000 > "$T/score_$u.json"
  check "completeness ($u)" "$(field completeness "$T/score_$u.json")" '>=' 0.95
  check "rmse_m ($u)"       "$(field rmse_m "$T/score_$u.json")"       '<'  150
  check "false_per_step ($u)" "$(field false_per_step "$T/score_$u.json")" '<' 0.2
  check "id_changes ($u)"   "$(field id_changes "$T/score_$u.json")"   '<=' 1
done
grep -q "UKF: [1-9][0-9]* unscented updates, 0 fell back" "$T/track_ukf.log" || { echo "FAIL: no unscented update"; exit 1; }
grep -q "UKF:" "$T/track_ekf.log" && { echo "FAIL: the EKF run says UKF"; exit 1; }
echo "ok   the UKF run's updates were unscented, the EKF run's not"
check "rmse_m ukf - ekf" "$(awk -v a="$(field rmse_m "$T/score_ukf.json")" -v b="$(field rmse_m "$T/score_ekf.json")" 'BEGIN { d = a - b; print d < 0 ? -d : d }')" '<' 5
if "$DW_BIN" track --sensors "$T/sensors.json" --update sigma "$T/obs.ndjson" > /dev/null 2>&1; then
  echo "FAIL: --update sigma accepted"; exit 1
fi
echo "ok   --update wants ekf or ukf"

# ---- 2. a Doppler radar, an acoustic line and a camera through the simulator
cat > "$T/doppler.yaml" <<'EOF'
name: doppler-ukf
description: >
  Two decoys and a Shahed-class drone pass a Doppler radar, an acoustic line and a camera.
start: 2025-09-10T02:00:00Z
duration_s: 600
seed: 7
step_s: 1
truth_period_s: 1
report_period_s: 5
targets:
  - {id: QG1, type: gerbera, launch: "+00:00:00", route: [[51.66, 23.72], [51.60, 23.60], [51.58, 23.10]]}
  - {id: QG2, type: gerbera, launch: "+00:00:30", route: [[51.40, 23.82], [51.36, 23.68], [51.30, 23.20]], alt_m: 800}
  - {id: QS1, type: shahed, launch: "+00:01:00", route: [[51.68, 23.80], [51.60, 23.60], [51.55, 22.80]]}
sensors:
  - {kind: radar, id: PL-RAD-07, owner: PL, lat_deg: 51.52, lon_deg: 23.40, alt_m: 200, sac: 48, sic: 7, period_s: 2,
     min_range_km: 0.5, max_range_km: 60, max_el_deg: 40, height: true,
     pd: 0.9, ref_range_km: 35, ref_rcs_m2: 1.0, pfa: 1.0e-6,
     sigma: {range_m: 30, az_deg: 0.5, height_m: 150, range_rate_mps: 0.5}, clutter_per_scan: 8}
  - {kind: acoustic, id_prefix: PL-AC, owner: PL, line: [[51.82, 23.58], [51.55, 23.60], [51.30, 23.67]],
     spacing_km: 2, radius_km: 6, ref_sound_db: 100, pd: 0.9, bearing_sigma_deg: 5, period_s: 2,
     false_alarms_per_hour: 0.02}
  - {kind: eo, id: PL-EO-01, owner: PL, lat_deg: 51.565, lon_deg: 23.540, alt_m: 200, range_km: 8, period_s: 1}
EOF
S="$T/sim"
"$DW_BIN" sim "$T/doppler.yaml" --out "$S" --meant --quiet
"$DW_BIN" decode --format asterix --obs --sensors "$S/sensors.json" "$S/streams/PL-RAD-07.pcap" > "$T/dec.ndjson" 2> "$T/dec.log" \
  || { cat "$T/dec.log"; echo "FAIL decoding the radar's pcap"; exit 1; }
python3 - "$S/meant.ndjson" "$T/dec.ndjson" <<'PY'
import json, sys
meant = [o for o in map(json.loads, open(sys.argv[1])) if o.get("sensor") == "PL-RAD-07"]
dec = [o for o in map(json.loads, open(sys.argv[2])) if o.get("sensor") == "PL-RAD-07"]
assert len(meant) == len(dec) and meant, (len(meant), len(dec))
n = worst = 0
for a, b in zip(meant, dec):
    if "range_rate_mps" not in a:
        assert "range_rate_mps" not in b, (a, b)
        continue
    d = abs(a["range_rate_mps"] - b["range_rate_mps"])
    assert d <= 0.5 + 1e-9, (a, b)
    worst = max(worst, d)
    n += 1
assert n > 0.9 * len(meant), (n, len(meant))
print("ok   %d of %d plots carry their range rate through CAT048 I120 (largest difference %.3f m/s)"
      % (n, len(meant), worst))
PY
# the same plots without their range rates, for comparison
python3 - "$S/obs.ndjson" "$T/obs_norr.ndjson" <<'PY'
import json, sys
with open(sys.argv[2], "w") as f:
    for line in open(sys.argv[1]):
        o = json.loads(line)
        o.pop("range_rate_mps", None)
        f.write(json.dumps(o) + "\n")
PY
for u in ekf ukf; do
  for rr in with without; do
    in="$S/obs.ndjson"; [ "$rr" = without ] && in="$T/obs_norr.ndjson"
    "$DW_BIN" track --sensors "$S/sensors.json" --update "$u" --out "$T/d_${u}_$rr.ndjson" "$in" 2> "$T/d_${u}_$rr.log"
    "$DW_BIN" score --format ndjson --truth "$S/truth.ndjson" --tracks "$T/d_${u}_$rr.ndjson" --c 1000 > "$T/ds_${u}_$rr.json"
    echo "     $u, $rr range rates: GOSPA $(field gospa_mean "$T/ds_${u}_$rr.json"), RMSE $(field rmse_m "$T/ds_${u}_$rr.json") m"
  done
  cat "$T/d_${u}_with.log"
  grep -q "POLAR plots filtered with their range rate" "$T/d_${u}_with.log" || { echo "FAIL: no range rate used ($u)"; exit 1; }
  grep -q "filtered with their range rate" "$T/d_${u}_without.log" && { echo "FAIL: range rates out of nowhere ($u)"; exit 1; }
  grep -q "[1-9][0-9]* BEARING" "$T/d_${u}_with.log" || { echo "FAIL: no bearing used ($u)"; exit 1; }
  check "completeness ($u)" "$(field completeness "$T/ds_${u}_with.json")" '>=' 0.95
  check "rmse_m ($u)"       "$(field rmse_m "$T/ds_${u}_with.json")"       '<'  150
  check "GOSPA with range rates < without ($u)" "$(field gospa_mean "$T/ds_${u}_with.json")" '<' "$(field gospa_mean "$T/ds_${u}_without.json")"
done
grep -q "UKF: [1-9][0-9]* unscented updates" "$T/d_ukf_with.log" || { echo "FAIL: no unscented update"; exit 1; }
echo "ok   all"
