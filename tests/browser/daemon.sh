# tests/browser/daemon.sh — sourced by the web map's CTest scripts (web_map.sh, web_perf.sh):
# checks what the browser tests need, starts `dronewall run` in a temporary directory and
# waits for its ready file, runs one browser test against it, and stops the daemon by its
# PID whatever happens. Needs DW_BIN, DW_SOURCE_DIR and DW_BUILD.
: "${DW_BIN:?}" "${DW_SOURCE_DIR:?}" "${DW_BUILD:?}"
S="$DW_SOURCE_DIR"

if ! "$S/scripts/webdeps" --check; then
  echo "FAIL web/node_modules is not installed: run scripts/webdeps (make test runs it before ctest)"
  exit 1
fi
command -v node >/dev/null || { echo "FAIL node is missing (scripts/bootstrap installs nodejs)"; exit 1; }
[ -x /usr/bin/chromium ] || { echo "FAIL /usr/bin/chromium is missing (scripts/bootstrap installs chromium)"; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/dw-web.XXXXXX")
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

# web_daemon ARGS...: `dronewall run ARGS` in $T (its operator token file lands there),
# listening on a free loopback port, recording to $T/rec.db; sets pid and url.
web_daemon() {
  (cd "$T" && exec "$DW_BIN" run --http 127.0.0.1:0 --record "$T/rec.db" \
     --ready-file "$T/ready.json" "$@") 2>"$T/daemon.log" &
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
}

# web_test SCRIPT WHAT: runs tests/browser/SCRIPT against the daemon, artefacts in
# $DW_BUILD/test-artifacts/web; fails (with the daemon's log) if it fails or the daemon died.
web_test() {
  local art="$DW_BUILD/test-artifacts/web"
  mkdir -p "$art"
  if ! DW_URL="$url" DW_ARTIFACTS="$art" node "$S/tests/browser/$1"; then
    daemon_log
    echo "FAIL $2 (artefacts in $art)"
    exit 1
  fi
  kill -0 "$pid" 2>/dev/null || { daemon_log; echo "FAIL dronewall run died during the test"; exit 1; }
}
