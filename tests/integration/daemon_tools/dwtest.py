"""dwtest.py — what the daemon tests' Python snippets share: the ready file, the HTTP API
(http.client, so every status comes back, not only 2xx), waiting for a condition with a
deadline, and failing with a message that says what was expected and what was seen.

The daemon's ready file is named by $DW_READY (common.sh sets it)."""
import http.client
import json
import os
import sys
import time


def fail(msg):
    print("FAIL " + msg, flush=True)
    sys.exit(1)


def ok(msg):
    print("ok   " + msg, flush=True)


def ready(path=None):
    with open(path or os.environ["DW_READY"]) as f:
        return json.load(f)


def hostport(path=None):
    h, p = ready(path)["http"].rsplit(":", 1)
    return h, int(p)


def request(method, path, body=None, headers=None, ready_path=None, timeout=10):
    """(status, parsed JSON or raw bytes, headers) of one request on a fresh connection."""
    h, p = hostport(ready_path)
    c = http.client.HTTPConnection(h, p, timeout=timeout)
    hdrs = dict(headers or {})
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
        hdrs.setdefault("Content-Type", "application/json")
    if isinstance(body, str):
        body = body.encode()
    c.request(method, path, body=body, headers=hdrs)
    r = c.getresponse()
    data = r.read()
    c.close()
    try:
        parsed = json.loads(data)
    except ValueError:
        parsed = data
    return r.status, parsed, dict(r.getheaders())


def get(path, expect=200, ready_path=None):
    st, body, _ = request("GET", path, ready_path=ready_path)
    if st != expect:
        fail("GET %s: status %d, expected %d: %.300r" % (path, st, expect, body))
    return body


def post(path, body=None, token=None, ready_path=None):
    hdrs = {"Authorization": "Bearer " + token} if token is not None else {}
    st, b, _ = request("POST", path, body=body if body is not None else b"", headers=hdrs,
                       ready_path=ready_path)
    return st, b


def sensors():
    return get("/api/sensors")


def io(name, outputs=False):
    """The input (or output) called name in /api/sensors."""
    s = sensors()
    for x in s["outputs" if outputs else "inputs"]:
        if x["name"] == name:
            return x
    fail("no %s %r in /api/sensors: %s" % ("output" if outputs else "input", name,
                                           [x["name"] for x in s["inputs"] + s["outputs"]]))


def wait_for(pred, timeout, what, interval=0.1):
    """pred() until it returns something true, else fail naming what and the last value."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = pred()
        if last:
            return last
        if time.monotonic() > deadline:
            fail("after %.1f s still waiting for %s" % (timeout, what))
        time.sleep(interval)


def wait_io(name, cond, timeout, what, outputs=False):
    """The input (or output) called name once cond(it) holds, else fail naming what."""
    return wait_for(lambda: (lambda x: x if cond(x) else None)(io(name, outputs)), timeout, what)
