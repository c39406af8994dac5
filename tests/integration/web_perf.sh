#!/usr/bin/env bash
# The live web map under load: tests/browser/gen_swarm.py writes a scenario of 1,000
# drones over a 200 km box, `dronewall run` plays it at 5x, and
# tests/browser/perf.test.mjs measures the map in headless Chromium for 10 s: frame times
# (p50, p95, max), the time to apply one WebSocket frame and to redraw the tracks; it fails
# when the p95 frame time is 50 ms or more. The screenshot goes to
# $DW_BUILD/test-artifacts/web/perf.png.
#
# Needs web/node_modules (scripts/webdeps, which `make test` runs), node and chromium
# (scripts/bootstrap).
set -euo pipefail
: "${DW_BIN:?}" "${DW_SOURCE_DIR:?}" "${DW_BUILD:?}"
S="$DW_SOURCE_DIR"

if ! "$S/scripts/webdeps" --check; then
  echo "FAIL web/node_modules is not installed: run scripts/webdeps (make test runs it before ctest)"
  exit 1
fi
command -v node >/dev/null || { echo "FAIL node is missing (scripts/bootstrap installs nodejs)"; exit 1; }
[ -x /usr/bin/chromium ] || { echo "FAIL /usr/bin/chromium is missing (scripts/bootstrap installs chromium)"; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/dw-webperf.XXXXXX")
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$T"
}
trap cleanup EXIT

daemon_log() {
  echo "---- daemon log (last 60 lines of $T/daemon.log) ----"
  tail -n 60 "$T/daemon.log" 2>/dev/null || true
  echo "----"
}

python3 "$S/tests/browser/gen_swarm.py" "$T/swarm.yaml" --drones 1000 --duration-s 1800

# At 5x every track changes about five times a wall second, so nearly every 100 ms frame
# of the stream carries the whole picture. The geography is served for the map to draw
# (no home country, no rules: the swarm is not assessed, the test measures the map).
geo="$S/data/geo/countries.geojson,$S/data/geo/regions.geojson,$S/scenarios/geo/pl-protected.geojson"
(cd "$T" && exec "$DW_BIN" run --scenario "$T/swarm.yaml" --speed 5 --http 127.0.0.1:0 \
   --record "$T/rec.db" --ready-file "$T/ready.json" --set "assessment.geography=$geo" \
   --set stop_after_s=240) 2>"$T/daemon.log" &
pid=$!

for _ in $(seq 300); do
  [ -s "$T/ready.json" ] && break
  if ! kill -0 "$pid" 2>/dev/null; then
    daemon_log; echo "FAIL dronewall run exited before it was ready"; exit 1
  fi
  sleep 0.1
done
[ -s "$T/ready.json" ] || { daemon_log; echo "FAIL dronewall run wrote no ready file within 30 s"; exit 1; }
url=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "$T/ready.json")
echo "ok   dronewall run (pid $pid) plays the 1,000-drone swarm at $url"

art="$DW_BUILD/test-artifacts/web"
mkdir -p "$art"
if ! DW_URL="$url" DW_ARTIFACTS="$art" node "$S/tests/browser/perf.test.mjs"; then
  daemon_log
  echo "FAIL the web map's performance test (screenshot in $art)"
  exit 1
fi
kill -0 "$pid" 2>/dev/null || { daemon_log; echo "FAIL dronewall run died during the test"; exit 1; }
