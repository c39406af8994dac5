# common.sh — sourced by tests/integration/daemon_*.sh: a temporary directory, starting
# `dronewall run` (or `replay --serve`) and waiting for its ready file, background helpers
# stopped by their PID, and on failure the daemon's log. Everything listens on 127.0.0.1.
#
#   source "$DW_SOURCE_DIR/tests/integration/daemon_tools/common.sh" NAME
#   dw_start [run options...]      # sets DW_PID, DW_READY (exported), DW_HOSTPORT; with
#                                  # DW_MAY_FAIL=1 a daemon that exits at start returns 1
#                                  # (DW_RC its exit code) instead of failing the test
#   dw_io NAME                     # the bound address of an input or output
#   bg_start OUT_FILE cmd...       # a helper in the background; its PID is remembered
#   dw_stop                        # SIGTERM, wait; sets DW_RC to the daemon's exit code
#   dw_wait_exit SECONDS           # wait for it to stop by itself; sets DW_RC
: "${DW_BIN:?DW_BIN must name the dronewall binary}" "${DW_SOURCE_DIR:?}"
TOOLS="$DW_SOURCE_DIR/tests/integration/daemon_tools"
T=$(mktemp -d "${TMPDIR:-/tmp}/dw-${1:-daemon}.XXXXXX")
export PYTHONPATH="$TOOLS${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1
DW_PID=""
DW_RC=""
DW_LOG="$T/daemon.log"
BG_PIDS=()
T_START=$(date +%s.%N)

fail() { echo "FAIL $*"; exit 1; }

dw_cleanup() {
    local rc=$?
    local p
    for p in "${BG_PIDS[@]}"; do
        kill "$p" 2>/dev/null || true
    done
    if [ -n "$DW_PID" ] && kill -0 "$DW_PID" 2>/dev/null; then
        kill "$DW_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$DW_PID" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$DW_PID" 2>/dev/null || true
    fi
    if [ "$rc" != 0 ]; then
        local f
        for f in "$T"/*.log; do
            [ -f "$f" ] || continue
            echo "--- $(basename "$f") (last 60 lines)"
            tail -n 60 "$f"
        done
    fi
    rm -rf "$T"
    exit "$rc"
}
trap dw_cleanup EXIT

# wait_file FILE SECONDS [PID]: until FILE exists (fails early when PID dies).
wait_file() {
    local f=$1 s=$2 pid=${3:-}
    local n=$((s * 20))
    for _ in $(seq "$n"); do
        [ -s "$f" ] && return 0
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
            return 1
        fi
        sleep 0.05
    done
    return 1
}

# dw_launch READY LOG cmd...: start a dronewall process in $T, wait for its ready file.
dw_launch() {
    local ready=$1 log=$2
    shift 2
    rm -f "$ready"
    (cd "$T" && exec "$@") > "$log" 2>&1 &
    DW_PID=$!
    if ! wait_file "$ready" 15 "$DW_PID"; then
        if [ -n "${DW_MAY_FAIL:-}" ] && ! kill -0 "$DW_PID" 2>/dev/null; then
            DW_RC=0
            wait "$DW_PID" || DW_RC=$?
            DW_PID=""
            return 1
        fi
        fail "the daemon did not write its ready file $ready: $(tail -n 5 "$log")"
    fi
    DW_READY=$ready
    export DW_READY
    DW_HOSTPORT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["http"])' "$ready")
    local pid
    pid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pid"])' "$ready")
    [ "$pid" = "$DW_PID" ] || fail "ready file pid $pid is not the daemon's $DW_PID"
}

dw_start() {
    dw_launch "$T/ready.json" "$DW_LOG" "$DW_BIN" run --http 127.0.0.1:0 --record "$T/rec.db" \
        --ready-file "$T/ready.json" "$@"
}

dw_io() {
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["io"][sys.argv[2]])' "$DW_READY" "$1"
}

# The port of HOST:PORT.
port_of() { echo "${1##*:}"; }

bg_start() {
    local out=$1
    shift
    "$@" > "$out" 2>&1 &
    BG_PIDS+=($!)
    BG_LAST=$!
}

bg_stop() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

# dw_stop: SIGTERM and wait for the exit; DW_RC is its exit code.
dw_stop() {
    kill -0 "$DW_PID" 2>/dev/null || fail "the daemon (pid $DW_PID) is gone before the stop"
    kill "$DW_PID"
    DW_RC=0
    wait "$DW_PID" || DW_RC=$?
    DW_PID=""
    dw_log_clean
}

# dw_wait_exit SECONDS: the daemon stops by itself (--exit-at-end, stop_after_s) within
# SECONDS; DW_RC is its exit code.
dw_wait_exit() {
    local _
    for _ in $(seq $(($1 * 10))); do
        kill -0 "$DW_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$DW_PID" 2>/dev/null && fail "the daemon did not stop by itself within $1 s"
    DW_RC=0
    wait "$DW_PID" || DW_RC=$?
    DW_PID=""
    dw_log_clean
}

# A sanitized build (ASan, UBSan) reports into the log; any report fails the test.
dw_log_clean() {
    local f
    for f in "$T"/*.log; do
        [ -f "$f" ] || continue
        if grep -qE "runtime error:|ERROR: (Address|Leak)Sanitizer" "$f"; then
            fail "a sanitizer report in $(basename "$f")"
        fi
    done
}

elapsed() { python3 -c "import sys,time; print('%.1f' % (time.time() - float(sys.argv[1])))" "$T_START"; }
