#!/usr/bin/env bash
# Federation under faults: the three nodes of fed_cluster.sh (Poland, Lithuania, Ukraine on
# a 3-node NATS JetStream cluster with R3 streams, scenarios/fed-flank.yaml at 20x). During
# the run:
#   1. the NATS server Poland's node is connected to is killed (kill -9) and restarted 5 s
#      later: Poland's node moves to another server, keeps taking Ukraine's tracks and keeps
#      its picture meanwhile;
#   2. Lithuania's dronewall node is killed (kill -9) and restarted 3 s later (a new session
#      in the same recording): Poland keeps its picture and goes on releasing to Lithuania;
#      the restarted node's durable consumer resumes where the killed one stopped;
#   3. the whole bus goes down (all three NATS servers killed) for 5 s: every node keeps
#      running and keeps its picture, holding its releases in its buffer (counted), and
#      catches up when the servers are back (restarted from their stores).
# At the end, sequence numbers end to end: every track update, alert and status each node
# released is what its partner received — no gap in any sequence, the restarted consumer's
# first message no later than what Poland had released when it was killed.
set -euo pipefail
: "${DW_BIN:?}" "${DW_SOURCE_DIR:?}"
export PYTHONPATH="$DW_SOURCE_DIR/tests/integration/daemon_tools${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1
exec python3 - <<'PY'
import os, subprocess, time
from dwtest import fail, ok
from fedtest import CLUSTER, Fed, NODES, wait_until

fed = Fed("fed-fault")
try:
    SPEED = 20
    fed.start_all(speed=SPEED)
    pl, lt, ua = fed.nodes["PL"], fed.nodes["LT"], fed.nodes["UA"]
    t_end = None

    # 1. A NATS server dies under Poland's node.
    wait_until("the scenario at 240 s", lambda: fed.data_now_s() > 240, 30, 0.2)
    wait_until("Poland taking Ukraine's tracks", lambda: pl.io("UA")["accepted"]["trk"] > 20, 20)
    server = pl.get("/api/stats")["federation"]["server"]
    urls = fed.servers.split(",")
    if server not in urls:
        fail("Poland's bus is on %r, not one of %s" % (server, urls))
    k = urls.index(server) + 1
    took = pl.io("UA")["accepted"]["trk"]
    r = fed.nats("kill", fed.bus, str(k))
    if r.returncode:
        fail("nats-cluster kill %d: %s%s" % (k, r.stdout, r.stderr))
    ok("NATS node %d (%s), the one Poland's node was on, killed" % (k, server))
    moved = wait_until("Poland's node on another server",
                       lambda: (lambda s: s if s["state"] == "connected" and s["server"] != server
                                else None)(pl.get("/api/stats")["federation"]), 15)
    wait_until("Poland taking Ukraine's tracks with one NATS node down",
               lambda: pl.io("UA")["accepted"]["trk"] > took + 20, 20)
    tracks = pl.get("/api/tracks")
    tracks = tracks["tracks"] if isinstance(tracks, dict) else tracks
    via_ua = [x for x in tracks if "fed:UA" in x.get("sensors", [])]
    if not via_ua:
        fail("Poland's picture lost Ukraine's tracks with one NATS node down: %s" % tracks)
    ok("Poland's node moved to %s and kept its picture: %d tracks, %d of them with Ukraine's "
       "reports (%d more of Ukraine's tracks taken)" % (moved["server"], len(tracks), len(via_ua),
                                                       pl.io("UA")["accepted"]["trk"] - took))
    time.sleep(5)
    r = fed.nats("restart", fed.bus, str(k))
    if r.returncode:
        fail("nats-cluster restart %d: %s%s" % (k, r.stdout, r.stderr))
    ok("NATS node %d restarted" % k)

    # 2. Lithuania's node dies and comes back.
    wait_until("the scenario at 600 s", lambda: fed.data_now_s() > 600, 40, 0.2)
    seq_at_kill = pl.io("LT", output=True)["seq"]
    lt.kill9()
    ok("Lithuania's node killed (kill -9) at scenario %.0f s; Poland had released %d messages "
       "to Lithuania" % (fed.data_now_s(), seq_at_kill))
    time.sleep(3)
    tracks = pl.get("/api/tracks")
    tracks = tracks["tracks"] if isinstance(tracks, dict) else tracks
    if not tracks:
        fail("Poland's picture is empty with Lithuania's node down")
    released = pl.io("LT", output=True)["seq"]
    if released <= seq_at_kill:
        fail("Poland stopped releasing to Lithuania while its node was down (%d, %d)"
             % (seq_at_kill, released))
    ok("with Lithuania's node down Poland kept %d tracks and released %d more messages to "
       "Lithuania (held in the stream)" % (len(tracks), released - seq_at_kill))
    lt.start(fed.begin_at, SPEED)
    ok("Lithuania's node restarted (session 2 of its recording)")

    # 3. The whole bus down, then back.
    wait_until("the scenario at 820 s", lambda: fed.data_now_s() > 820, 40, 0.2)
    for k in (1, 2, 3):
        r = fed.nats("kill", fed.bus, str(k))
        if r.returncode:
            fail("nats-cluster kill %d: %s%s" % (k, r.stdout, r.stderr))
    seq_down = pl.io("UA", output=True)["seq"]
    time.sleep(5)
    down = {n: node.get("/api/stats")["federation"] for n, node in fed.nodes.items()}
    pl_tracks = pl.get("/api/tracks")
    pl_tracks = pl_tracks["tracks"] if isinstance(pl_tracks, dict) else pl_tracks
    if any(s["state"] == "connected" for s in down.values()) or not down["PL"]["queued"]:
        fail("with the bus down: %s" % down)
    if not pl_tracks or (fed.data_now_s() < 1150 and pl.io("UA", output=True)["seq"] <= seq_down):
        fail("Poland's node stopped working with the bus down")
    ok("all three NATS servers down for 5 s: the nodes run on (%s), Poland holds %d releases "
       "in its buffer and keeps %d tracks" % (", ".join("%s %s" % (n, s["state"]) for n, s in
                                                      down.items()), down["PL"]["queued"],
                                              len(pl_tracks)))
    # Together: one server alone has no JetStream meta leader to be ready with.
    rs = [subprocess.Popen(["bash", CLUSTER, "restart", fed.bus, str(k)], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True) for k in (1, 2, 3)]
    for k, p in zip((1, 2, 3), rs):
        out, _ = p.communicate(timeout=90)
        if p.returncode:
            fail("nats-cluster restart %d: %s" % (k, out[-2000:]))
    wait_until("every node connected again, its buffer empty",
               lambda: all((lambda s: s["state"] == "connected" and not s["queued"])(
                   n.get("/api/stats")["federation"]) for n in fed.nodes.values()), 40, 0.5)
    ok("the bus back: every node reconnected and sent what it held")

    # The end: every sequence whole.
    wait_until("every node at the scenario's end",
               lambda: all(n.get("/api/stats")["t_us"] >= 1757469600000000 + 1190 * 10**6
                           for n in fed.nodes.values()), 90, 0.5)

    def whole():
        rows = []
        for name, node in fed.nodes.items():
            for aud in NODES[name]:
                out = node.io(aud, output=True)
                inp = fed.nodes[aud].io(name)
                if inp.get("session") != out["session"] or inp.get("last_seq") != out["seq"] or \
                        inp.get("gaps") != 0 or node.get("/api/stats")["federation"]["queued"]:
                    return None
                rows.append((name, aud, out, inp))
        return rows
    rows = wait_until("every release received by its partner, no gap", whole, 40, 0.5)
    for name, aud, out, inp in rows:
        extra = ""
        if name == "PL" and aud == "LT":
            if inp["first_seq"] > seq_at_kill + 1:
                fail("Lithuania's restarted node began at Poland's message %d, after the %d "
                     "released before the kill" % (inp["first_seq"], seq_at_kill))
            extra = " (the restarted consumer resumed at %d, Poland had released %d at the " \
                    "kill)" % (inp["first_seq"], seq_at_kill)
        if name == "LT" and inp["sessions"] != 2:
            fail("Poland saw %d sessions of Lithuania's node, expected 2: %s" % (inp["sessions"], inp))
        ok("%s -> %s: %d released in session %d, %d received, 0 gaps, %d late, %d duplicates "
           "dropped%s" % (name, aud, out["seq"], out["session"], inp["last_seq"], inp["late"],
                          inp["rejected"]["duplicate"], extra))
    for name, node in fed.nodes.items():
        s = node.get("/api/stats")["federation"]
        if s["dropped"]:
            fail("%s's bus dropped %d messages: %s" % (name, s["dropped"], s))
        ok("%s's bus: %d published (%d re-sent, %d stored once as duplicates), %d reconnects, "
           "%d redelivered to it" % (name, s["published"], s["resent"], s["duplicates"],
                                     s["reconnects"], s["redelivered"]))
finally:
    fed.close()
PY
