#!/usr/bin/env bash
# `dronewall sim` on scenarios/quick.yaml: the same seed gives the same bytes, every raw
# sensor stream decodes with `dronewall decode` to what the simulator meant, the score
# reports per-class figures, and a broken scenario is refused with its file and line.
set -euo pipefail
: "${DW_BIN:?}" "${DW_SOURCE_DIR:?}"
S="$DW_SOURCE_DIR/scenarios/quick.yaml"
MATCH="$DW_SOURCE_DIR/tests/tools/obs_match.py"
T=$(mktemp -d "${TMPDIR:-/tmp}/dw-simq.XXXXXX")
trap 'rm -rf "$T"' EXIT

"$DW_BIN" sim "$S" --out "$T/a" --meant --quiet
"$DW_BIN" sim "$S" --out "$T/b" --meant --quiet
n=$(find "$T/a" -type f | wc -l)
if diff -r "$T/a" "$T/b" > /dev/null; then
  echo "ok   same seed, byte-identical output ($n files)"
else
  echo "FAIL two runs with the same seed differ:"; diff -rq "$T/a" "$T/b"; exit 1
fi
"$DW_BIN" sim "$S" --out "$T/c" --seed 99 --no-track --quiet
if cmp -s "$T/a/streams/sapient.bin" "$T/c/streams/sapient.bin" || cmp -s "$T/a/meant.ndjson" "$T/c/obs.ndjson"; then
  echo "FAIL another seed gave the same sensor output"; exit 1
fi
echo "ok   another seed, other draws"
for f in truth.ndjson obs.ndjson tracks.ndjson events.ndjson sensors.json score.json summary.json summary.txt; do
  [ -s "$T/a/$f" ] || { echo "FAIL $f missing or empty"; exit 1; }
done

# Each stream through `dronewall decode`, against what was meant.
total=0
seen=""
for f in "$T/a/streams/"*; do
  base=$(basename "$f"); id=${base%.*}
  # The stream's wire format from its sensor's kind (sensors.json); sapient.bin holds every
  # SAPIENT node.
  skind=$(python3 -c 'import json,sys; print(next((s["kind"] for s in json.load(open(sys.argv[1]))["sensors"] if s["id"] == sys.argv[2]), "sapient"))' "$T/a/sensors.json" "$id")
  case $skind in
    radar) kind=asterix; extra=() ;;
    adsb) kind=sbs; extra=(--sensor-id "$id") ;;
    remote_id) kind=remoteid; extra=(--sensor-id "$id") ;;
    partner) kind=cot; extra=(--sensor-id "$id") ;;
    citizen) kind=ndjson ;;
    sapient) kind=sapient; extra=() ;;
    *) echo "FAIL unexpected stream $base (sensor kind $skind)"; exit 1 ;;
  esac
  seen="$seen $kind"
  if [ "$kind" = ndjson ]; then
    cp "$f" "$T/dec.ndjson"
  else
    "$DW_BIN" decode --format "$kind" --obs --sensors "$T/a/sensors.json" "${extra[@]}" "$f" > "$T/dec.ndjson" 2> "$T/dec.log" \
      || { cat "$T/dec.log"; echo "FAIL decoding $base"; exit 1; }
  fi
  # One sensor per file, named by it; SAPIENT carries every node's id in band.
  if [ "$kind" = sapient ]; then who=(--all); else who=(--sensor "$id"); fi
  python3 "$MATCH" "$T/a/meant.ndjson" "$T/dec.ndjson" "${who[@]}" --stream "$kind"
  total=$((total + $(grep -c . "$T/dec.ndjson" || true)))
done
meant=$(grep -c . "$T/a/meant.ndjson")
if [ "$total" -ne "$meant" ]; then
  echo "FAIL the streams decode to $total observations, the simulator meant $meant"; exit 1
fi
echo "ok   all $meant observations meant came back from the streams"
for k in asterix sbs sapient cot ndjson remoteid; do
  case " $seen " in *" $k "*) ;; *) echo "FAIL no $k stream in quick.yaml's output"; exit 1 ;; esac
done

# The score says per class how complete the picture was, and how many tracks were false.
python3 - "$T/a/score.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert "by_class" in s, "score.json has no by_class"
for c in ("decoy", "airliner"):
    assert c in s["by_class"], "no %s in by_class" % c
    assert "completeness" in s["by_class"][c]
assert "false_tracks" in s, "score.json has no false_tracks"
print("ok   score.json: per-class completeness %s, false tracks %s" % (
    {k: round(v["completeness"], 3) for k, v in s["by_class"].items()}, s["false_tracks"]))
PY

# meant.ndjson names the target each observation measured, and truth.ndjson marks a point
# "unseen" exactly when none of our own sensors measured that target in the 30 s before.
python3 - "$T/a" <<'PY'
import json, sys, collections
d = sys.argv[1]
kind = {s["id"]: s["kind"] for s in json.load(open(d + "/sensors.json"))["sensors"]}
ids = {json.loads(l)["id"] for l in open(d + "/truth.ndjson")}
meas = collections.defaultdict(list)
n_named = n_clutter = 0
for l in open(d + "/meant.ndjson"):
    o = json.loads(l)
    if "truth" not in o:
        n_clutter += 1
        continue
    assert o["truth"] in ids, "meant.ndjson names %r, which is no target" % o["truth"]
    n_named += 1
    if kind.get(o["sensor"]) not in ("citizen", "partner"):
        meas[o["truth"]].append(o["t_us"])
assert n_named and n_clutter, "named %d, clutter %d" % (n_named, n_clutter)
for v in meas.values():
    v.sort()
import bisect
n_unseen = n_pts = 0
for l in open(d + "/truth.ndjson"):
    o = json.loads(l)
    t, m = o["t_us"], meas.get(o["id"], [])
    i = bisect.bisect_right(m, t) - 1       # latest measurement at or before t
    covered = i >= 0 and t - m[i] <= 30000000
    assert covered != o.get("unseen", False), "%s at %d: unseen=%s, latest measurement %s" % (
        o["id"], t, o.get("unseen", False), m[i] if i >= 0 else None)
    n_unseen += o.get("unseen", False)
    n_pts += 1
assert 0 < n_unseen < n_pts, "unseen %d of %d" % (n_unseen, n_pts)
print("ok   meant.ndjson names the target of %d observations (%d clutter); %d of %d truth points unseen, as the measurements say" % (n_named, n_clutter, n_unseen, n_pts))
PY

# --speed paces the run to a multiple of real time: 15 minutes at 3,000x take at least 0.3 s.
t0=$(date +%s.%N)
"$DW_BIN" sim "$S" --out "$T/p" --speed 3000 --no-track --quiet
t1=$(date +%s.%N)
if awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a >= 0.29) }'; then
  echo "ok   --speed 3000 paced 15 simulated minutes to $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s"
else
  echo "FAIL --speed 3000 ran 15 simulated minutes in $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }') s"; exit 1
fi

# A misspelt key is refused with the file and line, and nothing is written.
sed 's/^seed:/sede:/' "$S" > "$T/bad.yaml"
if "$DW_BIN" sim "$T/bad.yaml" --out "$T/bad" --quiet 2> "$T/bad.log"; then
  echo "FAIL a misspelt key was accepted"; exit 1
fi
grep -q "bad.yaml:[0-9]*: scenario: unknown key 'sede'" "$T/bad.log" || { cat "$T/bad.log"; echo "FAIL message"; exit 1; }
[ ! -e "$T/bad" ] || { echo "FAIL output written for a refused scenario"; exit 1; }
echo "ok   a misspelt key is refused: $(cat "$T/bad.log")"
