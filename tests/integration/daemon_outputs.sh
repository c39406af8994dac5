#!/usr/bin/env bash
# `dronewall run` feeding real receivers from its four outputs while the quick scenario
# (hostile drones crossing into Poland, alerts) plays at 90x: CoT XML over UDP (a
# listener) and over TCP (a TAK server the daemon connects to), ASTERIX CAT062 over UDP
# (decoded again by `dronewall decode`), and NDJSON over TCP (a client of the daemon).
# Every output's `sent` counter equals what its receiver got, message for message, with
# no send error and nothing dropped; CoT events carry our uid prefix and hostile drones
# their 2525 type; the CAT062 records carry our SAC/SIC; the NDJSON stream has tracks and
# alerts.
set -euo pipefail
source "$DW_SOURCE_DIR/tests/integration/daemon_tools/common.sh" outputs

recv() {        # recv NAME MODE: a receiver whose port goes to $T/NAME.port
    bg_start "$T/$1.log" python3 "$TOOLS/receiver.py" "$2" --out "$T/$1.bin" --port-file "$T/$1.port"
    wait_file "$T/$1.port" 10 "$BG_LAST" || fail "receiver $1 did not start"
    eval "PID_$1=$BG_LAST"
}
recv cot_udp udp
recv ast_udp udp
recv tak tcp-server
dw_start --scenario "$DW_SOURCE_DIR/scenarios/quick.yaml" --speed 90 --exit-at-end --linger 5 \
    --set node.id=dw-itest \
    --set 'outputs[0].kind=cot_udp' --set "outputs[0].connect=127.0.0.1:$(cat "$T/cot_udp.port")" \
    --set 'outputs[1].kind=asterix_udp' --set "outputs[1].connect=127.0.0.1:$(cat "$T/ast_udp.port")" \
    --set 'outputs[1].sac=7' --set 'outputs[1].sic=9' \
    --set 'outputs[2].kind=ndjson_tcp' --set 'outputs[2].listen=127.0.0.1:0' \
    --set 'outputs[3].kind=cot_tcp' --set "outputs[3].connect=127.0.0.1:$(cat "$T/tak.port")"
bg_start "$T/ndjson.log" python3 "$TOOLS/receiver.py" tcp-client "$(dw_io ndjson_tcp-2)" \
    --out "$T/ndjson.bin" --port-file "$T/ndjson.port"
PID_ndjson=$BG_LAST
wait_file "$T/ndjson.port" 10 "$PID_ndjson" || fail "the NDJSON client did not connect"

# The scenario's end, then the counters once they stop moving (the daemon lingers 5 s).
for _ in $(seq 300); do
    grep -q "scenario played" "$DW_LOG" && break
    kill -0 "$DW_PID" 2>/dev/null || fail "the daemon stopped before the scenario's end"
    sleep 0.1
done
grep -q "scenario played" "$DW_LOG" || fail "the scenario did not end within 30 s"
python3 - "$T" <<'PY'
import json, sys, time
from dwtest import *
prev = None
for _ in range(20):
    cur = {o["name"]: o for o in sensors()["outputs"]}
    if prev and all(cur[k]["sent"] == prev[k]["sent"] for k in cur):
        break
    prev = cur
    time.sleep(0.3)
else:
    fail("the outputs kept sending after the scenario's end")
json.dump(cur, open(sys.argv[1] + "/outputs.json", "w"))
PY
sleep 0.5   # loopback: what was sent is in the receivers' sockets by now
bg_stop "$PID_cot_udp"; bg_stop "$PID_ast_udp"; bg_stop "$PID_tak"; bg_stop "$PID_ndjson"

python3 - "$T" <<'PY'
import json, struct, sys, collections
import xml.etree.ElementTree as ET
from dwtest import *
d = sys.argv[1]
outs = json.load(open(d + "/outputs.json"))
for name, o in outs.items():
    if o["send_errors"] or o["dropped"]:
        fail("%s: send_errors %d dropped %d" % (name, o["send_errors"], o["dropped"]))
    if o["sent"] <= 0:
        fail("%s sent nothing" % name)

def datagrams(path):
    b, out, i = open(path, "rb").read(), [], 0
    while i < len(b):
        n = struct.unpack(">I", b[i:i + 4])[0]
        out.append(b[i + 4:i + 4 + n])
        i += 4 + n
    return out

def check_cot(events, name):
    types = collections.Counter()
    uids = set()
    notices = 0
    for e in events:
        ev = ET.fromstring(e)
        if ev.tag != "event" or not ev.get("type", "").startswith("a-"):
            fail("%s: not a CoT event of an air object: %.200r" % (name, e))
        uid, typ = ev.get("uid"), ev.get("type")
        rem = ev.find("detail/remarks")
        if rem is not None and rem.get("to"):
            # A neighbour notice (dw_alert_to_cot): its uid is "dronewall-<track>",
            # whatever node.id is.
            if not uid.startswith("dronewall-"):
                fail("%s: neighbour notice uid %r" % (name, uid))
            notices += 1
        elif not uid.startswith("dw-itest-"):
            fail("%s: track event uid %r without the node's prefix dw-itest-" % (name, uid))
        else:
            uids.add(uid)
        types[typ] += 1
    hostile = {t: n for t, n in types.items() if t in ("a-h-A-M-F-Q", "a-h-A-W-D")}
    if not hostile:
        fail("%s: no hostile drone event among %s" % (name, dict(types)))
    return types, uids, hostile, notices

cu = datagrams(d + "/cot_udp.bin")
if len(cu) != outs["cot_udp-0"]["sent"]:
    fail("cot_udp: %d datagrams received, %d sent" % (len(cu), outs["cot_udp-0"]["sent"]))
types, uids, hostile, notices = check_cot(cu, "cot_udp")
ok("cot_udp: %d datagrams = sent; %d tracks as uids dw-itest-N, %d neighbour notices; hostile drones %s"
   % (len(cu), len(uids), notices, hostile))

raw = open(d + "/tak.bin", "rb").read().decode()
evs = [e.strip() + "</event>" for e in raw.split("</event>") if e.strip()]
if len(evs) != outs["cot_tcp-3"]["sent"]:
    fail("cot_tcp: %d events received, %d sent" % (len(evs), outs["cot_tcp-3"]["sent"]))
types, uids, hostile, notices = check_cot(evs, "cot_tcp")
ok("cot_tcp (a TAK server): %d events = sent, %d neighbour notices; hostile drones %s"
   % (len(evs), notices, hostile))

au = datagrams(d + "/ast_udp.bin")
if len(au) != outs["asterix_udp-1"]["sent"]:
    fail("asterix_udp: %d datagrams received, %d sent" % (len(au), outs["asterix_udp-1"]["sent"]))
open(d + "/cat062.raw", "wb").write(b"".join(au))
json.dump(len(au), open(d + "/n_ast.json", "w"))

lines = open(d + "/ndjson.bin", "rb").read().decode().splitlines()
if len(lines) != outs["ndjson_tcp-2"]["sent"]:
    fail("ndjson_tcp: %d lines received, %d sent" % (len(lines), outs["ndjson_tcp-2"]["sent"]))
kinds = collections.Counter(json.loads(l)["type"] for l in lines)
if set(kinds) - {"track", "alert"} or not kinds["track"] or not kinds["alert"]:
    fail("ndjson_tcp: %s" % dict(kinds))
ok("ndjson_tcp: %d lines = sent: %d tracks, %d alerts" % (len(lines), kinds["track"], kinds["alert"]))
PY
"$DW_BIN" decode --stats "$T/cat062.raw" > "$T/cat062.ndjson" 2> "$T/decode.log" ||
    fail "the CAT062 datagrams do not decode: $(cat "$T/decode.log")"
python3 - "$T" <<'PY'
import json, sys
from dwtest import *
d = sys.argv[1]
n = json.load(open(d + "/n_ast.json"))
recs = [json.loads(l) for l in open(d + "/cat062.ndjson")]
stats = recs.pop()
cats = {r.get("cat") for r in recs}
if cats != {62} or len(recs) != n or stats.get("malformed"):
    fail("CAT062: %d records of categories %s from %d datagrams; stats %s" % (len(recs), cats, n, stats))
src = {(r["I010"]["SAC"], r["I010"]["SIC"]) for r in recs}
if src != {(7, 9)}:
    fail("CAT062 SAC/SIC %s, want (7, 9)" % src)
ok("asterix_udp: %d datagrams = sent, each one CAT062 record from SAC 7 SIC 9 (dronewall decode)" % n)
PY
dw_wait_exit 20
[ "$DW_RC" = 0 ] || fail "the daemon exited with $DW_RC at the end"
echo "ok   daemon_outputs in $(elapsed) s"
