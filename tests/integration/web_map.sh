#!/usr/bin/env bash
# The live web map against the real daemon: `dronewall run` plays scenarios/quick.yaml at
# 20x and serves web/, and tests/browser/map.test.mjs drives headless Chromium through it:
# the page loads with nothing leaving the loopback and no console errors, the borders are
# drawn, tracks appear and a click opens one, a border violation is listed and highlights
# its area, the time slider shows history and Live returns, an operator action without a
# token shows the 401 message. Screenshots go to $DW_BUILD/test-artifacts/web/.
#
# Needs web/node_modules (scripts/webdeps, which `make test` runs), node and chromium
# (scripts/bootstrap).
set -euo pipefail
. "$DW_SOURCE_DIR/tests/browser/daemon.sh"

web_daemon --scenario "$S/scenarios/quick.yaml" --speed 20 --set stop_after_s=120 \
  --set "response.effectors=$S/config/effectors.yaml"
echo "ok   dronewall run (pid $pid) serves the map at $url"
web_test map.test.mjs "the web map's browser test"
