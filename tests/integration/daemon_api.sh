#!/usr/bin/env bash
# The daemon's HTTP API and WebSocket stream, with the quick scenario playing at 20x so
# there are tracks and alerts: operator actions need the bearer token (none or a wrong
# one: 401; the right one: 200, or 404 for an id that does not exist) and take effect (an
# acknowledged alert, an operator identity in the track and in the list); a track's
# history; a citizen's report is taken without a token (202) and counted; bad JSON is 400,
# a 100 KB body 413, an unknown path a JSON 404; /api/geo/0 is the GeoJSON file itself;
# /api/stats counts all of it; a viewer of /api/stream gets hello, then tracks and alerts.
set -euo pipefail
source "$DW_SOURCE_DIR/tests/integration/daemon_tools/common.sh" api
export DRONEWALL_TOKEN="itest-operator-token-0123456789"

dw_start --scenario "$DW_SOURCE_DIR/scenarios/quick.yaml" --speed 20 --set stop_after_s=60
bg_start "$T/ws.log" python3 "$TOOLS/ws_client.py" "$DW_HOSTPORT" --seconds 15 \
    --until hello tracks alert --out "$T/ws.ndjson"
WS=$BG_LAST

python3 - "$DW_SOURCE_DIR" <<'PY'
import json, os, sys
from dwtest import *
src = sys.argv[1]
TOKEN = os.environ["DRONEWALL_TOKEN"]
st0 = get("/api/stats")

def expect(what, st, want, body=None):
    if st != want:
        fail("%s: status %d, want %d: %.300r" % (what, st, want, body))

# Tracks and alerts to act on.
tracks = wait_for(lambda: get("/api/tracks")["tracks"], 10, "tracks")
alerts = wait_for(lambda: get("/api/alerts")["alerts"], 15, "an alert")
aid = alerts[0]["id"]
unauth = 0
for hdr, what in ((None, "no token"), ("wrong-token-wrong-token", "a wrong token"),
                  (TOKEN[:-1], "the token less its last character"), (TOKEN + "x", "the token and one more")):
    st, b = post("/api/alerts/%d/ack" % aid, token=hdr)
    expect("ack with %s" % what, st, 401, b)
    unauth += 1
st, b, _ = request("POST", "/api/alerts/%d/ack" % aid, b"", {"Authorization": "Basic " + TOKEN})
expect("ack with Basic", st, 401, b)
unauth += 1
if any(a["acked"] for a in get("/api/alerts")["alerts"] if a["id"] == aid):
    fail("alert %d acknowledged without the token" % aid)
st, b = post("/api/alerts/%d/ack" % aid, token=TOKEN)
expect("ack with the token", st, 200, b)
a = [a for a in get("/api/alerts")["alerts"] if a["id"] == aid][0]
if not a["acked"]:
    fail("alert %d not acknowledged after a 200: %s" % (aid, a))
st, b = post("/api/alerts/987654/ack", token=TOKEN)
expect("ack of an alert that does not exist", st, 404, b)
ok("ack: 401 without a token, with a wrong one, with Basic; 200 with it (alert %d acked: %s); 404 for no alert"
   % (aid, json.dumps(a["acked"])))

# An operator identity, on a track that lives long: the one with the most hits.
for attempt in range(3):
    tr = max(get("/api/tracks")["tracks"], key=lambda t: t.get("hits", 0))
    tid = tr["id"]
    new = "friend" if tr["affiliation"] != "friend" else "hostile"
    st, b = post("/api/tracks/%d/identity" % tid, {"affiliation": new})
    expect("identity without a token", st, 401, b)
    st, b = post("/api/tracks/%d/identity" % tid, {"affiliation": new}, token="x" * 31)
    expect("identity with a wrong token", st, 401, b)
    unauth += 2
    st, b = post("/api/tracks/%d/identity" % tid, {"affiliation": "martian"}, token=TOKEN)
    if st == 404:
        continue        # it died meanwhile: another one
    expect("identity 'martian'", st, 400, b)
    st, b = post("/api/tracks/%d/identity" % tid, {"affiliation": new}, token=TOKEN)
    if st == 404:
        continue
    expect("identity with the token", st, 200, b)
    break
else:
    fail("no track lived long enough to be given an identity")
one = get("/api/tracks/%d" % tid)
if one["track"]["affiliation"] != new or one.get("forced") is not True:
    fail("track %d after the operator's %s: %s" % (tid, new, json.dumps(one)[:400]))
listed = [t for t in get("/api/tracks")["tracks"] if t["id"] == tid]
if not listed or listed[0]["affiliation"] != new:
    fail("/api/tracks does not show track %d as %s: %s" % (tid, new, listed))
st, b = post("/api/tracks/987654/identity", {"affiliation": "hostile"}, token=TOKEN)
expect("identity of a track that does not exist", st, 404, b)
ok("identity: 401 without/with a wrong token, 400 for 'martian', 200 -> track %d is %s (forced) "
   "in /api/tracks/%d and /api/tracks; 404 for no track" % (tid, new, tid))

# History.
h = one["history"]
if len(h) < 3 or any(len(p) != 4 for p in h) or any(h[i][0] >= h[i + 1][0] for i in range(len(h) - 1)):
    fail("track %d history: %s" % (tid, h[:5]))
if abs(h[-1][1] - one["track"]["lat_deg"]) > 0.2:
    fail("track %d history ends at %s, the track is at %s" % (tid, h[-1], one["track"]["lat_deg"]))
st, b, _ = request("GET", "/api/tracks/987654")
expect("a track that does not exist", st, 404, b)
ok("track %d: %d history points [t_us, lat, lon, alt] in time order; no track 987654 -> 404" % (tid, len(h)))

# A citizen's report: no token.
obs0 = get("/api/stats")["engine"]["obs"]
st, b = post("/api/reports", {"lat_deg": 51.45, "lon_deg": 23.40, "alt_m": 300})
expect("a citizen's report", st, 202, b)
st, b = post("/api/reports", b'{"lat_deg": 51.45, "lon_deg": ')
expect("a report that is not JSON", st, 400, b)
st, b = post("/api/reports", {"lat_deg": 151.45, "lon_deg": 23.4})
expect("a report at latitude 151", st, 400, b)
st, b = post("/api/reports", {"lon_deg": 23.4})
expect("a report without lat_deg", st, 400, b)
big = json.dumps({"lat_deg": 51.45, "lon_deg": 23.40, "note": "x" * 100000})
st, b = post("/api/reports", big)
expect("a 100 KB report", st, 413, b)
if not isinstance(b, dict) or "error" not in b:
    fail("413 without a JSON error: %.200r" % b)
ok("reports: 202 without a token; 400 for broken JSON, latitude 151, no lat_deg; 413 for 100 KB")

# Unknown paths, geography.
for path in ("/api/nothing", "/api/tracks/abc", "/api/geo/99"):
    st, b, hd = request("GET", path)
    expect(path, st, 404, b)
    if not isinstance(b, dict) or b.get("v") != 1 or not b.get("error") or "json" not in hd.get("content-type", ""):
        fail("%s: not a JSON error: %r %s" % (path, b, hd.get("content-type")))
info = get("/api/info")
if info["mode"] != "live" or info["home"] != "PL" or len(info["geo"]) != 3:
    fail("/api/info: %s" % info)
st, body, hd = request("GET", info["geo"][0]["url"])
expect(info["geo"][0]["url"], st, 200)
disk = json.load(open(os.path.join(src, "data/geo/countries.geojson")))
if body != disk or "geo+json" not in hd.get("content-type", ""):
    fail("/api/geo/0 is not countries.geojson as on disk (%s, %s)" % (hd.get("content-type"), type(body)))
ok("404 JSON for unknown paths; /api/geo/0 = %s (%d features, application/geo+json)"
   % (info["geo"][0]["name"], len(body["features"])))

# The counters.
s = get("/api/stats")
http = s["http"]
checks = {
    "http.unauthorized": (http["unauthorized"] - st0["http"]["unauthorized"], unauth),
    "http.too_big": (http["too_big"] - st0["http"]["too_big"], 1),
    "http.reports": (http["reports"] - st0["http"]["reports"], 1),
    "engine.acks": (s["engine"]["acks"] - st0["engine"]["acks"], 1),
    "engine.identities_set": (s["engine"]["identities_set"] - st0["engine"]["identities_set"], 1),
}
for k, (got, want) in checks.items():
    if got != want:
        fail("/api/stats %s went up by %d, want %d" % (k, got, want))
if s["engine"]["obs"] <= obs0 or s["record"]["failed"] or s["stream"]["connects"] < 1:
    fail("/api/stats: %s" % json.dumps(s)[:600])
if http["requests"] - st0["http"]["requests"] < 30 or http["errors"] < unauth + 8:
    fail("/api/stats http: %s" % http)
ok("/api/stats: unauthorized +%d, too_big +1, reports +1, acks +1, identities_set +1, "
   "requests %d, errors %d" % (unauth, http["requests"], http["errors"]))
PY

wait "$WS" || fail "the WebSocket client failed: $(cat "$T/ws.log")"
python3 - "$T" <<'PY'
import json, sys
from dwtest import *
d = sys.argv[1]
r = json.loads(open(d + "/ws.log").read().strip().splitlines()[-1])
frames = [json.loads(l) for l in open(d + "/ws.ndjson")]
if r["first"] != "hello" or frames[0]["type"] != "hello" or frames[0]["mode"] != "live":
    fail("the stream does not start with hello: %s" % frames[:1])
if not r["types"].get("tracks") or not r["types"].get("alert"):
    fail("the stream within 15 s: %s" % r)
tf = [f for f in frames if f["type"] == "tracks"]
af = [f for f in frames if f["type"] == "alert"]
if not tf[0]["tracks"] or "id" not in tf[0]["tracks"][0] or "kind" not in af[0]["alert"]:
    fail("frames: %s / %s" % (json.dumps(tf[0])[:300], json.dumps(af[0])[:300]))
ok("/api/stream: hello, then %d tracks frames and %d alert frames (%s) among %d"
   % (len(tf), len(af), af[0]["alert"]["kind"], r["frames"]))
PY
dw_stop
[ "$DW_RC" = 0 ] || fail "the daemon exited with $DW_RC"
echo "ok   daemon_api in $(elapsed) s"
