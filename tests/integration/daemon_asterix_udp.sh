#!/usr/bin/env bash
# `dronewall run` with an asterix_udp input on loopback: Croatia Control's CAT034/CAT048
# capture replayed datagram by datagram, as the radar's feed would arrive. Every datagram is
# one frame, every plot the decoder finds is one observation (as many as `dronewall decode`
# finds in the capture), none is malformed, and the plots count against the radars the
# sensors file names by wire id ASX-SAC-SIC. A junk datagram is counted as malformed and
# nothing else. Then the same over multicast (group 239.255.0.1 joined on 127.0.0.1), and a
# group that cannot be joined stops the daemon at start with the reason.
set -euo pipefail
source "$DW_SOURCE_DIR/tests/integration/daemon_tools/common.sh" asterix-udp
: "${DW_SHARED_DIR:?}"
PCAP="$DW_SHARED_DIR/data/asterix/croatiacontrol/cat_034_048.pcap"
[ -f "$PCAP" ] || fail "missing capture $PCAP"

# The radars of the capture, by SAC/SIC, as `dronewall decode` reads them.
"$DW_BIN" decode "$PCAP" 2>/dev/null > "$T/raw.ndjson"
"$DW_BIN" decode --obs "$PCAP" 2>/dev/null > "$T/obs.ndjson"
python3 - "$T" <<'PY'
import json, sys, collections
d = sys.argv[1]
radars = set()
for line in open(d + "/raw.ndjson"):
    o = json.loads(line)
    if o.get("cat") == 48:
        radars.add((o["I010"]["SAC"], o["I010"]["SIC"]))
per = collections.Counter(json.loads(l)["sensor"] for l in open(d + "/obs.ndjson"))
assert radars and sum(per.values()) > 0, (radars, per)
with open(d + "/sensors.yaml", "w") as f:
    f.write("sensors:\n")
    for sac, sic in sorted(radars):
        # Sites near Zagreb: the capture's plots are polar, the test counts them only.
        f.write("  - {id: HR-RAD-%03d-%03d, wire_id: ASX-%03d-%03d, kind: radar, "
                "lat_deg: 45.74, lon_deg: 16.07, alt_m: 200, max_range_m: 450000}\n"
                % (sac, sic, sac, sic))
json.dump(dict(per), open(d + "/expected.json", "w"))
print("ok   the capture has %d radars and %d plots: %s" % (len(radars), sum(per.values()), dict(per)))
PY

dw_start --set stop_after_s=60 --set "sensors=$T/sensors.yaml" \
    --set 'inputs[0].kind=asterix_udp' --set 'inputs[0].listen=127.0.0.1:0'
ADDR=$(dw_io asterix_udp-0)
python3 "$TOOLS/send_pcap_udp.py" "$PCAP" "$ADDR" > "$T/sent.json"
python3 - "$T" <<'PY'
import json, sys, socket
from dwtest import *
d = sys.argv[1]
sent = json.load(open(d + "/sent.json"))
want = json.load(open(d + "/expected.json"))
n_obs = sum(want.values())
inp = wait_io("asterix_udp-0", lambda x: x["frames"] >= sent["datagrams"],
               5, "%d frames on asterix_udp-0" % sent["datagrams"])
if inp["frames"] != sent["datagrams"] or inp["bytes"] != sent["bytes"]:
    fail("input counted %d frames / %d bytes, sent %d datagrams / %d bytes"
         % (inp["frames"], inp["bytes"], sent["datagrams"], sent["bytes"]))
if inp["obs"] != n_obs:
    fail("input counted %d observations, `dronewall decode` finds %d" % (inp["obs"], n_obs))
if inp["malformed"] != 0:
    fail("%d malformed frames in a clean capture" % inp["malformed"])
if inp.get("kernel_dropped") != 0:
    fail("the kernel's count of datagrams dropped on the input: %s, want 0" % inp.get("kernel_dropped"))
if inp["state"] != "listening":
    fail("state %r" % inp["state"])
s = sensors()
by_wire = {x["id"].replace("HR-RAD-", "ASX-"): x for x in s["sensors"]}
for wire, n in want.items():
    got = by_wire.get(wire)
    if not got or got["obs"] != n:
        fail("sensor %s: %s observations counted, %d in the capture" % (wire, got and got["obs"], n))
if s["obs_unlisted"] != 0:
    fail("%d observations of radars the sensors file does not name" % s["obs_unlisted"])
st = get("/api/stats")
if st["engine"]["obs"] != n_obs or st["pipeline"]["unknown_sensor"] != 0:
    fail("engine obs %d (want %d), pipeline unknown_sensor %d"
         % (st["engine"]["obs"], n_obs, st["pipeline"]["unknown_sensor"]))
ok("unicast: %d datagrams -> %d frames, %d obs, 0 malformed; per radar %s"
   % (sent["datagrams"], inp["frames"], inp["obs"], {k: v for k, v in sorted(want.items())}))

# One junk datagram: one more frame, one malformed, no observation.
h, p = inp["address"].rsplit(":", 1)
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"\x30\x00\x02", (h, int(p)))
x = wait_io("asterix_udp-0", lambda x: x["frames"] == inp["frames"] + 1,
             5, "the junk datagram to be counted")
if x["malformed"] != 1 or x["obs"] != inp["obs"]:
    fail("after a junk datagram: malformed %d (want 1), obs %d (want %d)"
         % (x["malformed"], x["obs"], inp["obs"]))
ok("a junk datagram: counted as 1 malformed frame, no observation")
PY
dw_stop
[ "$DW_RC" = 0 ] || fail "the daemon exited with $DW_RC"

# Multicast: the group joined on the loopback interface. A machine whose loopback cannot
# join a group must have the daemon refuse to start, saying so.
if ! DW_MAY_FAIL=1 dw_start --record off --set stop_after_s=60 --set "sensors=$T/sensors.yaml" \
    --set 'inputs[0].kind=asterix_udp' --set 'inputs[0].listen=127.0.0.1:0' \
    --set 'inputs[0].group=239.255.0.1' --set 'inputs[0].iface=127.0.0.1'; then
    [ "$DW_RC" != 0 ] || fail "the daemon exited 0 without listening"
    grep -q "asterix_udp-0: cannot join 239.255.0.1" "$DW_LOG" ||
        fail "the daemon stopped (exit $DW_RC) without saying it cannot join the group"
    echo "ok   this machine cannot join 239.255.0.1 on 127.0.0.1; the daemon says so: $(grep 'cannot join' "$DW_LOG")"
else
    ADDR=$(dw_io asterix_udp-0)
    case "$ADDR" in *"(group 239.255.0.1)"*) ;; *) fail "multicast input address '$ADDR' does not name the group";; esac
    PORT=$(echo "$ADDR" | sed -E 's/^[^:]*:([0-9]+).*/\1/')
    python3 "$TOOLS/send_pcap_udp.py" "$PCAP" "239.255.0.1:$PORT" --group-if 127.0.0.1 > "$T/sent.json"
    python3 - "$T" <<'PY'
import json, sys
from dwtest import *
d = sys.argv[1]
sent = json.load(open(d + "/sent.json"))
n_obs = sum(json.load(open(d + "/expected.json")).values())
inp = wait_io("asterix_udp-0", lambda x: x["frames"] >= sent["datagrams"],
               5, "%d multicast datagrams on asterix_udp-0" % sent["datagrams"])
if inp["frames"] != sent["datagrams"] or inp["obs"] != n_obs or inp["malformed"]:
    fail("multicast: %d frames / %d obs / %d malformed, want %d / %d / 0"
         % (inp["frames"], inp["obs"], inp["malformed"], sent["datagrams"], n_obs))
ok("multicast 239.255.0.1 on 127.0.0.1: %d datagrams -> %d frames, %d obs" % (sent["datagrams"], inp["frames"], inp["obs"]))
PY
    dw_stop
    [ "$DW_RC" = 0 ] || fail "the daemon exited with $DW_RC"
fi

# A group joined on an address that is not this machine's: the daemon refuses to start.
set +e
(cd "$T" && "$DW_BIN" run --http 127.0.0.1:0 --record off --set stop_after_s=5 \
    --set 'inputs[0].kind=asterix_udp' --set 'inputs[0].listen=127.0.0.1:0' \
    --set 'inputs[0].group=239.255.0.1' --set 'inputs[0].iface=198.51.100.7') > "$T/nojoin.log" 2>&1
rc=$?
set -e
[ "$rc" != 0 ] || fail "a group on a foreign interface was joined (exit 0)"
grep -q "asterix_udp-0: cannot join 239.255.0.1" "$T/nojoin.log" ||
    { cat "$T/nojoin.log"; fail "no clear message for a group that cannot be joined"; }
echo "ok   a group on a foreign interface: exit $rc, '$(grep 'cannot join' "$T/nojoin.log")'"
echo "ok   daemon_asterix_udp in $(elapsed) s"
