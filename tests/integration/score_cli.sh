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
