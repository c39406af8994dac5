#!/usr/bin/env bash
# Federation: three dronewall nodes — Poland, Lithuania, Ukraine — on a 3-node NATS
# JetStream cluster on loopback (scripts/nats-cluster, one bus user per node with the
# federation's permissions, R3 streams). Each node plays scenarios/fed-flank.yaml with only
# its own nation's radars, on one shared data clock, and releases its picture: Poland to
# both neighbours, each neighbour to Poland. Checked:
#   - each node's picture holds the others' released tracks (provenance "fed:<node>");
#   - the Shahed-class drone FD1, seen first by Ukraine's radar alone, is in Poland's
#     picture as Ukraine's track before Poland's radar sees it, and keeps ONE track number
#     in Poland's picture across the hand-over; the same for FD2 from Lithuania;
#   - cross-border notices travel to the neighbour they concern: Ukraine's and Lithuania's
#     neighbour notices are alerts in Poland's picture, with their origin;
#   - sequence numbers end to end: every release each node published is what its partner
#     received, with no gap;
#   - Poland's web map (headless Chromium, tests/browser/fed.test.mjs, while the scenario
#     plays) lists a neighbour's notice with its origin, and a track's detail says which
#     partners' tracks it holds;
#   - Poland's recording (partners' data included) replays byte for byte.
set -euo pipefail
: "${DW_BIN:?}" "${DW_SOURCE_DIR:?}"
export PYTHONPATH="$DW_SOURCE_DIR/tests/integration/daemon_tools${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1
exec python3 - <<'PY'
import os, subprocess, time
from dwtest import fail, ok
from fedtest import Fed, NODES, identities, truth_of, wait_until, sequences_match, BIN

fed = Fed("fed-cluster")
try:
    truth = truth_of(os.path.join(fed.dir, "truth"))
    fed.start_all(speed=60)
    ok("3 nodes PL, LT, UA started, each with its own radars, the scenario at 60x from %.1f"
       % fed.begin_at)
    art = os.path.join(os.environ.get("DW_BUILD", fed.dir), "test-artifacts", "web-fed")
    browser = subprocess.Popen(["node", os.path.join(os.environ["DW_SOURCE_DIR"], "tests",
                                                      "browser", "fed.test.mjs")],
                               env=dict(os.environ, DW_URL="http://%s/" % fed.nodes["PL"].http,
                                        DW_ARTIFACTS=art),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    # The scenario is 1,200 s of data: 20 s at 60x. Wait for its end in every node.
    wait_until("every node's data time at the scenario's end",
               lambda: all(n.get("/api/stats")["t_us"] >= truth["FD1"][0][0] + 1190 * 10**6
                           for n in fed.nodes.values()), 60, 0.5)
    seq = wait_until("every release received, in sequence, by its partner",
                     lambda: sequences_match(fed, ""), 30, 0.5)
    ok("sequence numbers end to end, no gap: " + ", ".join(seq))
    for name, node in fed.nodes.items():
        st = node.get("/api/stats")["federation"]
        if st["state"] != "connected" or st["dropped"] or st["queued"]:
            fail("%s's bus: %s" % (name, st))
        for partner in (p for p, a in NODES.items() if name in a):
            i = node.io(partner)
            if i["accepted"]["trk"] < 50:
                fail("%s took %d of %s's tracks: %s" % (name, i["accepted"]["trk"], partner, i))
    try:
        out, _ = browser.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        browser.kill()
        out, _ = browser.communicate()
    print(out.rstrip(), flush=True)
    if browser.returncode != 0:
        fail("Poland's web map (tests/browser/fed.test.mjs) failed")
    for n in fed.nodes.values():
        n.stop()

    pl = fed.nodes["PL"].db_lines(1)
    # Each node's picture includes the others' released tracks.
    for name, node in fed.nodes.items():
        lines = pl if name == "PL" else node.db_lines(1)
        seen = set()
        for _, _, x in lines:
            seen.update(s for s in x.get("sensors", []) if s.startswith("fed:"))
        want = {"fed:" + p for p, a in NODES.items() if name in a}
        if seen != want:
            fail("%s's picture holds tracks of %s, expected %s" % (name, sorted(seen), sorted(want)))
        ok("%s's picture holds released tracks of %s" % (name, ", ".join(sorted(want))))

    # One identity across the hand-over, in Poland's picture.
    for target, partner, radar in (("FD1", "fed:UA", "PL-RAD-CHE"), ("FD2", "fed:LT", "PL-RAD-SUW")):
        ids = identities(pl, truth[target])
        held = [(t, i, s) for t, i, s in ids if i is not None]
        if not held:
            fail("%s never in Poland's picture" % target)
        first_own = next((t for t, i, s in held if radar in s), None)
        if first_own is None:
            fail("%s never held by Poland's %s: %s" % (target, radar, held[-3:]))
        before = [x for x in held if x[0] < first_own]
        if not before or any(s != [partner] for _, _, s in before[:3]):
            fail("%s: before %s saw it, Poland's picture did not hold it as %s's track: %s"
                 % (target, radar, partner, before[:3]))
        numbers = sorted({i for _, i, _ in held})
        life = [x for x in ids if x[0] >= held[0][0]]
        cover = len(held) / len(life)
        if len(numbers) != 1 or cover < 0.9:
            fail("%s in Poland's picture: track numbers %s, held at %.0f %% of its instants"
                 % (target, numbers, 100 * cover))
        ok("%s: in Poland's picture as %s's track %.0f s before %s saw it, then one track "
           "(number %d) across the hand-over, at %.0f %% of its instants"
           % (target, partner[4:], (first_own - held[0][0]) / 1e6, radar, numbers[0], 100 * cover))

    # Cross-border notices and partners' alerts, with their origin.
    pa = [x for _, _, x in fed.nodes["PL"].db_lines(3) if x.get("origin")]
    for origin in ("UA", "LT"):
        n = [x for x in pa if x["origin"] == origin and x["kind"] == "neighbour_notice" and
             x.get("via") == "ntf" and x.get("neighbour") == "PL"]
        if not n:
            fail("no neighbour notice from %s in Poland's alerts: %s" % (origin, pa[:5]))
        ok("%s's neighbour notice to Poland is an alert in Poland's picture (%d changes, "
           "origin %s, its number there %d)" % (origin, len(n), origin, n[0]["origin_id"]))
    lt = [x for _, _, x in fed.nodes["LT"].db_lines(3) if x.get("origin") == "PL"]
    kinds = sorted({x["kind"] for x in lt})
    if "border_violation" not in kinds:
        fail("Poland's border alerts did not reach Lithuania: %s" % kinds)
    ok("Poland's alerts in Lithuania's picture: %s" % ", ".join(kinds))

    # The recording holds what the partners sent: the replay is the same picture.
    r = subprocess.run([BIN, "replay", os.path.join(fed.dir, "PL.db")], capture_output=True,
                       text=True)
    if r.returncode != 0 or "byte for byte the same" not in r.stdout + r.stderr:
        fail("replay of Poland's recording: %s%s" % (r.stdout, r.stderr))
    ok("Poland's recording, partners' data included, replays byte for byte")
finally:
    if "browser" in dir() and browser.poll() is None:
        browser.kill()
    fed.close()
PY
