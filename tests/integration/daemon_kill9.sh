#!/usr/bin/env bash
# `dronewall run` killed with SIGKILL while the quick scenario plays at 60x and the
# recording commits every 500 ms: the SQLite file is intact (integrity_check ok); every
# row /api/stats called written before the kill is in it, and so is every row queued a
# second before the kill (at most ~1 s of wall time lost). The daemon then starts again
# on the same file as a new session, and `dronewall replay --session 1` of the killed
# session gives its committed outputs byte for byte (the replay may have more outputs
# than were committed: it says so, and that is no difference).
set -euo pipefail
source "$DW_SOURCE_DIR/tests/integration/daemon_tools/common.sh" kill9
REC="$T/rec.db"

dw_start --scenario "$DW_SOURCE_DIR/scenarios/quick.yaml" --speed 60 --set record.commit_ms=500
python3 - "$T" <<'PY'
import json, sys, time
from dwtest import *
# Samples of the recorder's counters with the wall time, for 4 s; the kill follows the last.
samples = []
t0 = time.time()
while time.time() - t0 < 4.0:
    r = get("/api/stats")["record"]
    samples.append((time.time(), r["queued"], r["written"]))
    time.sleep(0.05)
if samples[-1][1] < 2000 or r["failed"]:
    fail("the recorder is not busy enough to test: %s" % r)
json.dump(samples, open(sys.argv[1] + "/samples.json", "w"))
PY
kill -9 "$DW_PID"
KILL_AT=$(date +%s.%N)
wait "$DW_PID" 2>/dev/null || true
DW_PID=""
[ "$(sqlite3 "$REC" 'PRAGMA integrity_check')" = ok ] || fail "the recording is damaged after kill -9"
COMMITTED=$(sqlite3 "$REC" "SELECT (SELECT count(*) FROM input WHERE session = 1) + (SELECT count(*) FROM output WHERE session = 1) + (SELECT count(*) FROM meta)")
python3 - "$T" "$KILL_AT" "$COMMITTED" <<'PY'
import json, sys
from dwtest import *
samples = json.load(open(sys.argv[1] + "/samples.json"))
kill_at, committed = float(sys.argv[2]), int(sys.argv[3])
last_t, last_q, last_w = samples[-1]
if kill_at - last_t > 0.5:
    fail("the kill came %.2f s after the last sample" % (kill_at - last_t))
# Rows queued at least a second before the kill: all committed.
early = [s for s in samples if s[0] <= kill_at - 1.0]
q_early = early[-1][1]
if committed < last_w:
    fail("%d rows committed, but /api/stats said %d were written" % (committed, last_w))
if committed < q_early:
    fail("%d rows committed, %d were queued 1 s before the kill (%.2f s)" % (committed, q_early, kill_at - early[-1][0]))
if committed > last_q + 2000:
    fail("%d rows committed, only %d queued just before the kill" % (committed, last_q))
lost = max(0, last_q - committed)
# When the last committed row was queued: the latest sample whose queue it covers.
covered = [s for s in samples if s[1] <= committed]
ok("kill -9 after %d samples: integrity ok; %d rows committed >= %d written (last sample) and >= %d "
   "queued 1 s before; the %d rows lost were all queued in the last %.2f s before the kill"
   % (len(samples), committed, last_w, q_early, lost, kill_at - covered[-1][0]))
PY

# Again on the same file: a new session.
dw_start --scenario "$DW_SOURCE_DIR/scenarios/quick.yaml" --speed 60 --set record.commit_ms=500 \
    --set stop_after_s=2
dw_wait_exit 20
[ "$DW_RC" = 0 ] || fail "the second run exited with $DW_RC"
[ "$(sqlite3 "$REC" 'SELECT group_concat(id) FROM session')" = "1,2" ] || fail "sessions: $(sqlite3 "$REC" 'SELECT id FROM session')"
[ "$(sqlite3 "$REC" 'SELECT count(*) > 0 FROM output WHERE session = 2')" = 1 ] || fail "the second session recorded no output"
[ "$(sqlite3 "$REC" 'PRAGMA integrity_check')" = ok ] || fail "the recording is damaged after the second run"
echo "ok   the daemon runs again on the file: session 2 recorded, integrity ok"

for s in 1 2; do
    set +e
    "$DW_BIN" replay "$REC" --session "$s" > "$T/replay$s.txt" 2>&1
    rc=$?
    set -e
    [ "$rc" = 0 ] || { cat "$T/replay$s.txt"; fail "replay --session $s exited $rc"; }
    grep -q "byte for byte the same" "$T/replay$s.txt" || { cat "$T/replay$s.txt"; fail "replay --session $s"; }
    echo "ok   replay --session $s: $(head -n 1 "$T/replay$s.txt" | cut -d: -f3-)"
done
grep "not committed" "$T/replay1.txt" || echo "ok   (the killed session's last outputs were all committed)"
echo "ok   daemon_kill9 in $(elapsed) s"
