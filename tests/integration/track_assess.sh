#!/usr/bin/env bash
# `dronewall track --geo ... --rules ...`: the simulator's September observations tracked
# again and assessed by the command line, as an integrator would run it on recorded data:
# alerts and identity changes come out as NDJSON, a border violation for the drones that
# crossed; bad geography or rules are refused with the file named.
set -euo pipefail
: "${DW_BIN:?}" "${DW_SOURCE_DIR:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/dw-trkas.XXXXXX")
trap 'rm -rf "$T"' EXIT
S="$DW_SOURCE_DIR"
"$DW_BIN" sim "$S/scenarios/pl-2025-09-10.yaml" --out "$T/pl" --no-track --quiet
GEO=(--geo "$S/data/geo/countries.geojson" --geo "$S/data/geo/regions.geojson"
     --geo "$S/scenarios/geo/pl-protected.geojson")
"$DW_BIN" track --sensors "$T/pl/sensors.json" --assoc jpda --report 5 "${GEO[@]}" \
    --rules "$S/config/identification.yaml" --alerts "$T/alerts.ndjson" "$T/pl/obs.ndjson" \
    > "$T/tracks.ndjson" 2> "$T/track.log"
grep "assessed" "$T/track.log"
python3 - "$T" <<'PY'
import json, sys, collections
d = sys.argv[1]
kinds = collections.Counter()
ident = 0
for line in open(d + "/alerts.ndjson"):
    o = json.loads(line)
    assert o["type"] in ("alert", "identity"), o["type"]
    if o["type"] == "identity":
        ident += 1
        assert o["rule"], "an identity change without its rule"
        continue
    if o["state"] == "raised":
        kinds[o["kind"]] += 1
assert kinds["border_violation"] >= 15, "border violations: %s" % dict(kinds)
assert ident > 0
classes = collections.Counter()
for line in open(d + "/tracks.ndjson"):
    o = json.loads(line)
    classes[o["class"]] += 1
assert classes["decoy"] + classes["owa_drone"] > 0 and classes["airliner"] > 0, classes
print("ok   dronewall track assessed the night: raised %s, %d identity changes; track classes %s"
      % (dict(kinds), ident, dict(classes)))
PY

# Refusals: a broken GeoJSON names the file; --rules without --geo; a bad --home.
printf '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"X","kind":"region"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}}]}' > "$T/bad.geojson"
if "$DW_BIN" track --sensors "$T/pl/sensors.json" --geo "$T/bad.geojson" "$T/pl/obs.ndjson" > /dev/null 2> "$T/bad.log"; then
  echo "FAIL a broken GeoJSON was accepted"; exit 1
fi
grep -q "bad.geojson" "$T/bad.log" || { cat "$T/bad.log"; echo "FAIL the message does not name the file"; exit 1; }
echo "ok   broken geography refused: $(head -1 "$T/bad.log")"
if "$DW_BIN" track --sensors "$T/pl/sensors.json" --rules "$S/config/identification.yaml" "$T/pl/obs.ndjson" > /dev/null 2> "$T/r.log"; then
  echo "FAIL --rules without --geo was accepted"; exit 1
fi
grep -q "need --geo" "$T/r.log" || { cat "$T/r.log"; exit 1; }
set +e
"$DW_BIN" track --sensors "$T/pl/sensors.json" "${GEO[@]}" --home Poland "$T/pl/obs.ndjson" > /dev/null 2> "$T/h.log"
rc=$?
set -e
[ "$rc" = 2 ] && grep -q "two-letter" "$T/h.log" || { cat "$T/h.log"; echo "FAIL --home Poland: rc $rc"; exit 1; }
echo "ok   --rules without --geo and --home Poland are refused"
