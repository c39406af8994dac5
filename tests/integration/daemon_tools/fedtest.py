"""fedtest.py — what the federation tests share: a NATS JetStream cluster on loopback
(scripts/nats-cluster) with one bus user per dronewall node, dronewall nodes that each play
scenarios/fed-flank.yaml with their own nation's sensors, their HTTP API, and the checks
made of their pictures and recordings.

Every process listens on 127.0.0.1 only and is stopped by its PID when the test ends,
whatever happens (Fed.close, called from a finally)."""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request

from dwtest import fail, ok

SRC = os.environ["DW_SOURCE_DIR"]
BIN = os.environ["DW_BIN"]
SCENARIO = os.path.join(SRC, "scenarios", "fed-flank.yaml")
COUNTRIES = os.path.join(SRC, "data", "geo", "countries.geojson")
CLUSTER = os.path.join(SRC, "scripts", "nats-cluster")

# Who releases to whom: Poland to both neighbours, each neighbour to Poland.
NODES = {"PL": ["LT", "UA"], "LT": ["PL"], "UA": ["PL"]}


class Node:
    def __init__(self, fed, name):
        self.fed, self.name = fed, name
        self.proc = None
        self.run = 0

    def start(self, begin_at, speed, extra=()):
        """Start (or restart) the node; a restart records a new session in the same file."""
        f = self.fed
        self.run += 1
        self.ready = os.path.join(f.dir, "%s.ready" % self.name)
        if os.path.exists(self.ready):
            os.unlink(self.ready)
        args = [BIN, "run", "--ready-file", self.ready,
                "--set", "node.id=%s" % self.name, "--set", "node.owner=%s" % self.name,
                "--set", "http.listen=127.0.0.1:0",
                "--set", "record.path=%s" % os.path.join(f.dir, "%s.db" % self.name),
                "--set", "http.token_file=%s" % f.token_file,
                "--set", "scenario.file=%s" % SCENARIO,
                "--set", "scenario.owners=%s" % self.name,
                "--set", "scenario.speed=%g" % speed,
                "--set", "scenario.begin_at=%.3f" % begin_at,
                "--set", "federation.servers=%s" % f.servers,
                "--set", "federation.password_file=%s" % os.path.join(f.bus, "creds",
                                                                      "%s.password" % self.name),
                "--set", "federation.replicas=3",
                "--set", "stop_after_s=600"]
        if self.name != "PL":
            args += ["--set", "assessment.home=%s" % self.name,
                     "--set", "assessment.geography=%s" % COUNTRIES]
        i = 0
        for partner, audiences in NODES.items():
            if self.name in audiences:
                args += ["--set", "inputs[%d].kind=nats" % i, "--set", "inputs[%d].from=%s" % (i, partner),
                         "--set", "inputs[%d].quiet_s=0" % i]
                i += 1
        for o, aud in enumerate(NODES[self.name]):
            args += ["--set", "outputs[%d].kind=nats" % o, "--set", "outputs[%d].to=%s" % (o, aud)]
        args += list(extra)
        self.log = open(os.path.join(f.dir, "%s.%d.log" % (self.name, self.run)), "w")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, cwd=f.dir)
        deadline = time.monotonic() + 20
        while not (os.path.exists(self.ready) and os.path.getsize(self.ready) > 0):
            if self.proc.poll() is not None:
                fail("node %s exited at start (%d): %s" % (self.name, self.proc.returncode,
                                                          self.log_tail()))
            if time.monotonic() > deadline:
                fail("node %s wrote no ready file in 20 s: %s" % (self.name, self.log_tail()))
            time.sleep(0.05)
        with open(self.ready) as fh:
            self.http = json.load(fh)["http"]

    def log_tail(self, n=20):
        try:
            with open(self.log.name) as fh:
                return "".join(fh.readlines()[-n:])
        except OSError:
            return ""

    def get(self, path, timeout=10):
        with urllib.request.urlopen("http://%s%s" % (self.http, path), timeout=timeout) as r:
            return json.load(r)

    def io(self, partner, output=False):
        """The nats input reading partner (or the output releasing to it) in /api/sensors."""
        s = self.get("/api/sensors")
        for x in s["outputs" if output else "inputs"]:
            if x.get("kind") == "nats" and x.get("to" if output else "from") == partner:
                return x
        fail("%s has no nats %s %s: %s" % (self.name, "output to" if output else "input from",
                                          partner, s))

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None

    def db_lines(self, kind, session=None):
        """(t_us, track, line) of the recorded outputs of a kind (1 track, 3 alert)."""
        db = sqlite3.connect("file:%s?mode=ro" % os.path.join(self.fed.dir, "%s.db" % self.name),
                             uri=True)
        q = "SELECT t_us, track, body FROM output WHERE kind = ?"
        a = [kind]
        if session is not None:
            q += " AND session = ?"
            a.append(session)
        rows = [(t, k, json.loads(b)) for t, k, b in db.execute(q + " ORDER BY seq", a)]
        db.close()
        return rows


class Fed:
    def __init__(self, name, locked=True):
        self.dir = os.path.abspath(os.environ.get("FED_DIR") or
                                   subprocess.check_output(["mktemp", "-d", "/tmp/dw-%s.XXXXXX" % name],
                                                           text=True).strip())
        self.bus = os.path.join(self.dir, "bus")
        self.token_file = os.path.join(self.dir, "token")
        with open(self.token_file, "w") as fh:
            fh.write("federation-test-token-0123456789\n")
        os.chmod(self.token_file, 0o600)
        self.nodes = {n: Node(self, n) for n in NODES}
        members = ["%s:%s:%s" % (n, n, ",".join(a)) for n, a in NODES.items()]
        args = ["bash", CLUSTER, "start", self.bus, "--nodes", "3"]
        for m in members:
            args += ["--member", m]
        if locked:
            args += ["--locked"]
        r = subprocess.run(args, capture_output=True, text=True)
        if r.returncode != 0:
            fail("scripts/nats-cluster start: %s%s" % (r.stdout, r.stderr))
        with open(os.path.join(self.bus, "servers")) as fh:
            self.servers = fh.read().strip()
        ok("a 3-node NATS JetStream cluster on loopback: %s" % self.servers)

    def start_all(self, speed, lead_s=4.0):
        """All nodes, one data clock: the scenario starts lead_s from now in each."""
        self.begin_at = time.time() + lead_s
        self.speed = speed
        for n in self.nodes.values():
            n.start(self.begin_at, speed)

    def data_now_s(self):
        """Seconds of scenario time played now (by the shared clock)."""
        return (time.time() - self.begin_at) * self.speed

    def nats(self, *args):
        r = subprocess.run(["bash", CLUSTER] + list(args) + [], capture_output=True, text=True)
        return r

    def close(self, keep=False):
        for n in self.nodes.values():
            n.stop()
        subprocess.run(["bash", CLUSTER, "stop", self.bus], capture_output=True)
        if not keep and not os.environ.get("FED_DIR"):
            subprocess.run(["rm", "-rf", self.dir])


def truth_of(out_dir):
    """truth.ndjson of a batch run of the scenario: {target id: [(t_us, lat, lon)]}."""
    r = subprocess.run([BIN, "sim", SCENARIO, "--out", out_dir], capture_output=True, text=True)
    if r.returncode != 0:
        fail("dronewall sim %s: %s" % (SCENARIO, r.stderr))
    t = {}
    with open(os.path.join(out_dir, "truth.ndjson")) as fh:
        for line in fh:
            x = json.loads(line)
            if x.get("alive", True):
                t.setdefault(x["id"], []).append((x["t_us"], x["lat_deg"], x["lon_deg"]))
    return t


def dist_m(a_lat, a_lon, b_lat, b_lon):
    import math
    k = math.cos(math.radians(0.5 * (a_lat + b_lat)))
    return math.hypot((a_lat - b_lat) * 111195.0, (a_lon - b_lon) * 111195.0 * k)


def identities(track_lines, truth, within_m=3000):
    """For one truth target: the instants of its life and, at each, the id of the nearest
    confirmed track within within_m in a node's recorded picture (None: no track there),
    with the sensors of that track's line."""
    by_t = {}
    for t, _, x in track_lines:
        if x.get("status") == "confirmed":
            by_t.setdefault(t, []).append(x)
    out = []
    for t, lat, lon in truth:
        best = None
        for x in by_t.get(t, []):
            d = dist_m(lat, lon, x["lat_deg"], x["lon_deg"])
            if d < within_m and (best is None or d < best[0]):
                best = (d, x["id"], x.get("sensors", []))
        out.append((t, best[1] if best else None, best[2] if best else None))
    return out


def wait_until(what, cond, seconds, step=0.25):
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        last = cond()
        if last:
            return last
        time.sleep(step)
    fail("%s: not within %g s (last: %s)" % (what, seconds, last))


def sequences_match(fed, label):
    """Every release, end to end: what each node published to each audience (its session and
    sequence) is what the partner received, without a gap."""
    lines = []
    for name, node in fed.nodes.items():
        for aud in NODES[name]:
            out = node.io(aud, output=True)
            inp = fed.nodes[aud].io(name)
            if out["seq"] == 0:
                return None
            if inp.get("session") != out["session"] or inp.get("last_seq") != out["seq"] or \
                    inp.get("gaps") != 0:
                return None
            lines.append("%s->%s %d" % (name, aud, out["seq"]))
    return lines
