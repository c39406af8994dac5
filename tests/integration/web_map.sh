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
: "${DW_BIN:?}" "${DW_SOURCE_DIR:?}" "${DW_BUILD:?}"
S="$DW_SOURCE_DIR"

if ! "$S/scripts/webdeps" --check; then
  echo "FAIL web/node_modules is not installed: run scripts/webdeps (make test runs it before ctest)"
  exit 1
fi
command -v node >/dev/null || { echo "FAIL node is missing (scripts/bootstrap installs nodejs)"; exit 1; }
[ -x /usr/bin/chromium ] || { echo "FAIL /usr/bin/chromium is missing (scripts/bootstrap installs chromium)"; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/dw-webmap.XXXXXX")
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

# The daemon, in the temporary directory (its operator token file lands there).
(cd "$T" && exec "$DW_BIN" run --scenario "$S/scenarios/quick.yaml" --speed 20 --http 127.0.0.1:0 \
   --record "$T/rec.db" --ready-file "$T/ready.json" --set stop_after_s=120) 2>"$T/daemon.log" &
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
echo "ok   dronewall run (pid $pid) serves the map at $url"

art="$DW_BUILD/test-artifacts/web"
mkdir -p "$art"
if ! DW_URL="$url" DW_ARTIFACTS="$art" node "$S/tests/browser/map.test.mjs"; then
  daemon_log
  echo "FAIL the web map's browser test (screenshots in $art)"
  exit 1
fi
kill -0 "$pid" 2>/dev/null || { daemon_log; echo "FAIL dronewall run died during the test"; exit 1; }
