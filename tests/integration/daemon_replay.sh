#!/usr/bin/env bash
# A scenario played through `dronewall run` to its end (--exit-at-end), then checked by
# `dronewall replay`: the recording's inputs through a fresh engine give the recorded
# outputs byte for byte (exit 0), and --out writes its tracks and alerts. One output row
# changed with sqlite3: replay exits 1 and names that row. `replay --serve` answers
# /api/tracks?t_us=T with the tracks the recording has at T, and refuses operator actions.
set -euo pipefail
source "$DW_SOURCE_DIR/tests/integration/daemon_tools/common.sh" replay
export DRONEWALL_TOKEN="itest-operator-token-0123456789"
REC="$T/rec.db"

dw_start --scenario "$DW_SOURCE_DIR/scenarios/quick.yaml" --speed 150 --exit-at-end
dw_wait_exit 30
[ "$DW_RC" = 0 ] || fail "dronewall run exited with $DW_RC"
grep -q "scenario played" "$DW_LOG" || fail "no end of scenario in the log"
[ "$(sqlite3 "$REC" 'PRAGMA integrity_check')" = ok ] || fail "the recording is damaged"

set +e
"$DW_BIN" replay "$REC" --out "$T/out" > "$T/replay.txt" 2>&1
rc=$?
set -e
cat "$T/replay.txt"
[ "$rc" = 0 ] || fail "replay exited $rc"
grep -q "byte for byte the same" "$T/replay.txt" || fail "replay did not say the outputs are the same"
python3 - "$T" <<'PY'
import json, re, subprocess, sys
from dwtest import *
d = sys.argv[1]
rec = d + "/rec.db"
def q(sql):
    return subprocess.run(["sqlite3", rec, sql], check=True, capture_output=True, text=True).stdout.split()
n_out = int(q("SELECT count(*) FROM output")[0])
n_trk = int(q("SELECT count(*) FROM output WHERE kind IN (1, 2)")[0])
n_alr = int(q("SELECT count(*) FROM output WHERE kind IN (3, 4, 5)")[0])
n_in = int(q("SELECT count(*) FROM input")[0])
txt = open(d + "/replay.txt").read()
m = re.search(r"(\d+) inputs, (\d+) outputs recorded, (\d+) replayed, (\d+) identical", txt)
if not m or [int(x) for x in m.groups()] != [n_in, n_out, n_out, n_out]:
    fail("replay summary %r, the recording has %d inputs and %d outputs" % (m and m.groups(), n_in, n_out))
tracks = [json.loads(l) for l in open(d + "/out/tracks.ndjson")]
alerts = [json.loads(l) for l in open(d + "/out/alerts.ndjson")]
if len(tracks) != n_trk or len(alerts) != n_alr:
    fail("--out: %d track lines, %d alert lines; the recording has %d and %d" % (len(tracks), len(alerts), n_trk, n_alr))
if not any(a["type"] == "alert" for a in alerts):
    fail("no alert in the replay")
ok("replay: %d inputs -> %d outputs identical to the recorded ones; --out wrote %d track and %d alert lines"
   % (n_in, n_out, len(tracks), len(alerts)))
PY

# One output row changed: the copy no longer replays the same.
cp "$REC" "$T/tampered.db"
SEQ=$(sqlite3 "$T/tampered.db" "SELECT seq FROM output WHERE kind = 1 ORDER BY seq LIMIT 1 OFFSET (SELECT count(*) / 2 FROM output WHERE kind = 1)")
sqlite3 "$T/tampered.db" "UPDATE output SET body = CAST(replace(CAST(body AS TEXT), '\"status\":\"', '\"status\":\"x') AS BLOB) WHERE seq = $SEQ"
[ "$(sqlite3 "$T/tampered.db" "SELECT instr(CAST(body AS TEXT), '\"status\":\"x') > 0 FROM output WHERE seq = $SEQ")" = 1 ] ||
    fail "the row was not changed"
set +e
"$DW_BIN" replay "$T/tampered.db" > "$T/tampered.txt" 2>&1
rc=$?
set -e
[ "$rc" = 1 ] || { cat "$T/tampered.txt"; fail "replay of a tampered recording exited $rc, want 1"; }
grep -q "DIFFERENT: output row $SEQ differs" "$T/tampered.txt" ||
    { cat "$T/tampered.txt"; fail "replay does not name output row $SEQ"; }
echo "ok   output row $SEQ tampered with: replay exits 1: $(grep -m1 DIFFERENT "$T/tampered.txt")"

# Serving the recording: the picture at any instant of it.
dw_launch "$T/serve.json" "$T/serve.log" "$DW_BIN" replay "$REC" --serve --http 127.0.0.1:0 \
    --ready-file "$T/serve.json" --speed 0 --exit-at-end --linger 5
python3 - "$T" <<'PY'
import json, os, subprocess, sys
from dwtest import *
d = sys.argv[1]
rec = d + "/rec.db"
def q(sql):
    return subprocess.run(["sqlite3", rec, sql], check=True, capture_output=True, text=True).stdout.split()
info = get("/api/info")
if info["mode"] != "replay":
    fail("/api/info mode %r" % info["mode"])
instants = [int(x) for x in q("SELECT DISTINCT t_us FROM output WHERE kind = 1 ORDER BY t_us")]
checked = 0
for T in (instants[len(instants) // 3], instants[len(instants) // 2], instants[2 * len(instants) // 3]):
    # The tracks reported at T, less those ended by then: from the recording and, apart
    # from it, from the replay's own track lines.
    want = [int(x) for x in q("SELECT track FROM output WHERE kind = 1 AND t_us = %d AND track NOT IN "
                              "(SELECT track FROM output WHERE kind = 2 AND t_us <= %d) ORDER BY seq" % (T, T))]
    rep = [o["id"] for o in map(json.loads, open(d + "/out/tracks.ndjson"))
           if o["t_us"] == T and o["status"] != "dead"]
    for probe in (T, T + 1):      # at the instant and just after it
        got = get("/api/tracks?t_us=%d" % probe)
        ids = [t["id"] for t in got["tracks"]]
        if got["t_us"] != probe or sorted(ids) != sorted(want) or sorted(want) != sorted(rep) or not ids:
            fail("/api/tracks?t_us=%d: %s; the recording has %s, the replay %s" % (probe, ids, want, rep))
        if any(t["t_us"] != T for t in got["tracks"]):
            fail("/api/tracks?t_us=%d returns tracks of other instants" % probe)
        checked += 1
ok("replay --serve: /api/tracks?t_us=T at %d probes = the tracks recorded at T (e.g. %d tracks at %d)"
   % (checked, len(want), T))
st, b = post("/api/alerts/1/ack", token=os.environ["DRONEWALL_TOKEN"])
if st != 409:
    fail("an ack on a replay: %d %s" % (st, b))
ok("replay --serve refuses operator actions: 409 %s" % b["error"])
PY
dw_wait_exit 20
[ "$DW_RC" = 0 ] || fail "replay --serve exited with $DW_RC"
echo "ok   daemon_replay in $(elapsed) s"
