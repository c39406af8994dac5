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
. "$DW_SOURCE_DIR/tests/browser/daemon.sh"

python3 "$S/tests/browser/gen_swarm.py" "$T/swarm.yaml" --drones 1000 --duration-s 1800 --assess "$S"

# At 5x every track changes several times a wall second; the stream hands each one out at
# most four times a second. The swarm is assessed against Poland's borders, regions and
# sites as a real picture would be (alerts, threat scores).
web_daemon --scenario "$T/swarm.yaml" --speed 5 --set stop_after_s=240
echo "ok   dronewall run (pid $pid) plays the 1,000-drone swarm at $url"
web_test perf.test.mjs "the web map's performance test"
