#!/usr/bin/env bash
# score_cli.sh — `dronewall score` end to end: the peer's tracks on the
# shipped N=100 scenario must give the README's figures, printed as one JSON
# object; usage errors exit 2 and unreadable files exit 1 with path:line.
set -euo pipefail

: "${DW_BIN:?DW_BIN must name the dronewall binary}"
: "${DW_SHARED_DIR:?DW_SHARED_DIR must name the shared data directory}"
bench="$DW_SHARED_DIR/bench/track2d"
scn="$bench/scenario_N100_s1.csv"
trk="$bench/tracks_stonesoup-kdtree_N100_s1.csv"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "score_cli: $*" >&2; exit 1; }

out=$("$DW_BIN" score --format track2d --scenario "$scn" --tracks "$trk" --c 10 --p 1)
[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || fail "expected one line, got: $out"
printf '%s' "$out" | python3 -c '
import json, sys
s = json.load(sys.stdin)
want = {"gospa_mean": (108.735, 5e-4), "gospa_localisation_mean": (95.535, 5e-4),
        "missed_per_scan": (1.72, 5e-3), "false_per_scan": (0.92, 5e-3),
        "rmse": (1.132, 5e-4), "rmse_over_pcrlb": (1.060, 5e-4)}
for k in ("gospa_missed_mean", "gospa_false_mean", "pcrlb_rmse"):
    assert isinstance(s[k], float), k
for k, (v, tol) in want.items():
    if abs(s[k] - v) > tol:
        sys.exit("%s = %r, README says %r" % (k, s[k], v))
print("score_cli: gospa_mean %.17g" % s["gospa_mean"])
'

# The defaults are c = 10, p = 1.
def=$("$DW_BIN" score --format track2d --scenario "$scn" --tracks "$trk")
[ "$def" = "$out" ] || fail "defaults differ from --c 10 --p 1"

"$DW_BIN" score --help | grep -q -- '--scenario' || fail "--help does not describe --scenario"

# ndjson: geodetic truth and tracks; the SIAP and per-class figures are there.
cat >"$tmp/truth.ndjson" <<'EOF2'
{"v":1,"type":"truth","t_us":1757451000000000,"id":"G07","class":"gerbera","lat_deg":51.56,"lon_deg":23.70,"alt_m":900.0}
{"v":1,"type":"truth","t_us":1757451001000000,"id":"G07","class":"gerbera","lat_deg":51.56,"lon_deg":23.6994,"alt_m":900.0}
{"v":1,"type":"truth","t_us":1757451001000000,"id":"LOT3AB","class":"airliner","lat_deg":52.17,"lon_deg":20.97,"alt_m":3200.0}
EOF2
cat >"$tmp/tracks.ndjson" <<'EOF2'
{"v":1,"type":"track","t_us":1757451000000000,"id":17,"status":"confirmed","lat_deg":51.56,"lon_deg":23.70,"alt_m":910.0}
{"v":1,"type":"track","t_us":1757451001000000,"id":17,"status":"confirmed","lat_deg":51.56,"lon_deg":23.6994,"alt_m":910.0}
{"v":1,"type":"track","t_us":1757451001000000,"id":18,"status":"confirmed","lat_deg":50.0,"lon_deg":20.0,"alt_m":500.0}
EOF2
"$DW_BIN" score --format ndjson --truth "$tmp/truth.ndjson" --tracks "$tmp/tracks.ndjson" >"$tmp/geo.json"
python3 - "$tmp/geo.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
want = {"n_steps": 2, "n_truth": 3, "n_pairs": 2, "n_truth_ids": 2, "n_track_ids": 2,
        "false_tracks": 1, "n_track_reports": 3, "ambiguity": 1, "held_share": 0.5}
for k, v in want.items():
    assert abs(s[k] - v) < 1e-9, (k, s[k], v)
assert abs(s["spuriousness"] - 1 / 3) < 1e-5 and abs(s["siap_completeness"] - 2 / 3) < 1e-5, s
assert abs(s["rmse_m"] - 10) < 1e-3 and s["longest_segment_mean"] == 0.5, s
c = s["by_class"]
assert sorted(c) == ["airliner", "decoy"], c
assert c["decoy"]["completeness"] == 1 and c["airliner"]["completeness"] == 0, c
assert c["airliner"]["rmse_m"] is None and c["decoy"]["longest_segment_mean"] == 1, c
PY

# Usage errors: exit 2 and say why.
expect_status() {
    local want=$1; shift
    local rc=0
    "$DW_BIN" score "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
    [ "$rc" -eq "$want" ] || fail "'score $*' exited $rc, expected $want: $(cat "$tmp/err")"
    [ -s "$tmp/err" ] || fail "'score $*' said nothing on stderr"
    [ ! -s "$tmp/out" ] || fail "'score $*' wrote to stdout"
}
expect_status 2
expect_status 2 --format nosuch --scenario "$scn" --tracks "$trk"
grep -q 'track2d' "$tmp/err" || fail "unknown --format does not list the known ones"
expect_status 2 --format track2d --scenario "$scn"
expect_status 2 --format track2d --scenario "$scn" --tracks "$trk" --c 0
expect_status 2 --format track2d --scenario "$scn" --tracks "$trk" --p 0.5
expect_status 2 --format track2d --scenario "$scn" --tracks "$trk" --bogus
expect_status 2 --format track2d --scenario "$scn" --tracks "$trk" extra
expect_status 2 --format

# Unreadable input: exit 1 with path:line.
expect_status 1 --format track2d --scenario "$tmp/missing.csv" --tracks "$trk"
grep -q "$tmp/missing.csv" "$tmp/err" || fail "missing file not named"
{ head -n 20 "$trk"; echo "5,5.0,oops,1,2,3,4"; } >"$tmp/bad.csv"
expect_status 1 --format track2d --scenario "$scn" --tracks "$tmp/bad.csv"
grep -q "$tmp/bad.csv:21: " "$tmp/err" || fail "bad line not reported as path:21: $(cat "$tmp/err")"

echo "score_cli: ok"
